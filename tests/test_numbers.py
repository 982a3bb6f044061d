"""Exact parsing of user numbers and precision helpers."""
import mpmath
import pytest
import sympy as sp

from verify.errors import UsageError
from verify.numbers import check_depth, check_digits, dec, digits_of_agreement, parse_rational, to_mpf


@pytest.mark.parametrize("text,expected", [
    ("0.7", sp.Rational(7, 10)), ("-3", sp.Integer(-3)), ("1e-3", sp.Rational(1, 1000)),
    ("2.5E2", sp.Integer(250)), ("-3/2", sp.Rational(-3, 2)), (".5", sp.Rational(1, 2)),
])
def test_parse_rational_is_exact(text, expected):
    assert parse_rational(text) == expected


def test_decimal_never_goes_through_float():
    x = parse_rational("0.7")
    with mpmath.workdps(60):
        assert digits_of_agreement(to_mpf(x, 60), mpmath.mpf(7) / 10) > 59
        assert digits_of_agreement(to_mpf(x, 60), mpmath.mpf(0.7)) < 18  # the float 0.7 is off in the 17th digit


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf", "Infinity", "", "1/0", "abc", "1e99999", "0x10", "2**3"])
def test_bad_numbers_rejected(bad):
    with pytest.raises(UsageError):
        parse_rational(bad)


def test_float_input_rejected():
    with pytest.raises(UsageError):
        parse_rational(0.7)


@pytest.mark.parametrize("bad", [0, -1, "x", "2.5", True, 10**6])
def test_bad_depth(bad):
    with pytest.raises(UsageError):
        check_depth(bad)


@pytest.mark.parametrize("bad", [14, 1001, 2.5])
def test_bad_digits(bad):
    with pytest.raises(UsageError):
        check_digits(bad)


def test_digits_of_agreement_uses_operand_precision():
    with mpmath.workdps(60):
        x = mpmath.mpf(1) / 3
        y = x + mpmath.mpf(10) ** -50
    assert 49 < digits_of_agreement(x, y) < 51  # evaluated outside workdps: no rounding to 15 digits


def test_dec_full_precision():
    assert dec(sp.Rational(1, 3), 30).startswith("0.333333333333333333333333333333")
