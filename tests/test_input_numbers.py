"""Numbers from users are read exactly or rejected with one line: never rounded, never misread."""
from decimal import Decimal
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.claimfile import load_claim_file
from verify.claimfile.kinds import exact_number
from verify.errors import UsageError
from verify.numbers import MAX_EXPONENT, check_depth, parse_int, parse_rational

UNICODE_DIGITS = [
    ("１６", "FULLWIDTH DIGIT ONE"),
    ("١٦", "ARABIC-INDIC DIGIT ONE"),
    ("۱۶", "EXTENDED ARABIC-INDIC DIGIT ONE"),
    ("१६", "DEVANAGARI DIGIT ONE"),
    ("1٦", "ARABIC-INDIC DIGIT SIX"),
    ("16²", "SUPERSCRIPT TWO"),
    ("𝟏𝟔", "MATHEMATICAL BOLD DIGIT ONE"),
    ("1e٣", "ARABIC-INDIC DIGIT THREE"),
    ("3/４", "FULLWIDTH DIGIT FOUR"),
]


@pytest.mark.parametrize("text, name", UNICODE_DIGITS)
def test_unicode_digits_are_named_and_rejected(text, name):
    assert any(ch.isdigit() or ch.isnumeric() for ch in text if not ch.isascii())  # int()/isdigit() would take them
    for parse in (lambda t: parse_rational(t, "target"), check_depth, lambda t: parse_int(t, "--digits", 15)):
        with pytest.raises(UsageError, match=name) as info:
            parse(text)
        assert "\n" not in str(info.value) and "non-ASCII" in str(info.value)


@pytest.mark.parametrize("text", ["1" * 5000, "-" + "9" * 4001, "1/" + "3" * 4001, "1e" + "7" * 5000,
                                  "1e4001", "1e-4001", "0." + "0" * 4000 + "1"])
def test_huge_numbers_give_one_line_usage_errors(text):
    with pytest.raises(UsageError, match="outside the supported range") as info:
        parse_rational(text, "lam")
    assert len(str(info.value)) < 200


def test_limits_are_inclusive():
    assert parse_rational("1e4000") == sp.Integer(10) ** 4000
    assert parse_rational("1e-4000") == sp.Rational(1, 10 ** 4000)
    assert parse_rational("9" * MAX_EXPONENT) == sp.Integer(int("9" * MAX_EXPONENT))


def test_huge_integers_from_python():
    with pytest.raises(UsageError, match="more than 4000 digits"):
        parse_rational(10 ** 5000)
    assert parse_rational(Fraction(1, 3)) == sp.Rational(1, 3)
    with pytest.raises(UsageError):
        parse_rational(True)


@pytest.mark.parametrize("bad", ["0", "65", "-1", "1" * 5000, "3.0", "+", "1_0", "", None, 3.0, 65, 0])
def test_depths_outside_1_to_64_rejected(bad):
    with pytest.raises(UsageError) as info:
        check_depth(bad)
    assert len(str(info.value)) < 200


def test_depth_accepts_integer_types():
    import numpy as np

    assert check_depth(np.int64(7)) == 7 and check_depth(sp.Integer(64)) == 64 and check_depth(" 3 ") == 3


def test_parse_int():
    assert parse_int("50", "--digits", 15, 1000) == 50
    for bad in ("14", "1001", "5e1", "1_000", "9" * 5000, "x"):
        with pytest.raises(UsageError, match="--digits"):
            parse_int(bad, "--digits", 15, 1000)


# -- TOML floats are read exactly ------------------------------------------------------------

def test_toml_float_is_read_from_its_text():
    """16.000000000000001 is 16000000000000001/10^15; as a float it would be 16.0."""
    assert float("16.000000000000001") == 16.0  # why floats may not be used
    assert exact_number(Decimal("16.000000000000001"), "lam") == sp.Rational(16000000000000001, 10 ** 15)
    assert exact_number(Decimal("1E-3"), "lam") == sp.Rational(1, 1000)
    assert exact_number(Decimal("1_0.5".replace("_", "")), "lam") == sp.Rational(21, 2)
    assert exact_number(7, "target") == 7
    for bad in (Decimal("inf"), Decimal("-inf"), Decimal("nan")):
        with pytest.raises(UsageError, match="key 'lam': must be a finite number"):
            exact_number(bad, "lam")


def _minimizer(cid: str, lam: str, expect: str) -> str:
    return (f'[[claim]]\nid = "{cid}"\nkind = "minimizer"\nstatement = "s"\n'
            f'source = "derived by the suite"\ndepth = 2\ntarget = 8\nlam = {lam}\nexpect = "{expect}"\n')


def test_loader_passes_the_exact_value(tmp_path, monkeypatch):
    import verify.claimfile.kinds as kinds

    seen = {}
    real = kinds.minimizer_claim
    monkeypatch.setattr(kinds, "minimizer_claim", lambda *a, **k: seen.update(args=a) or real(*a, **k))
    f = tmp_path / "c.toml"
    f.write_text(_minimizer("x", "16.000000000000001", "zero"))
    load_claim_file(f)
    assert seen["args"][5] == sp.Rational(16000000000000001, 10 ** 15)
    assert seen["args"][4] == 8


def test_exact_reading_decides_the_verdict(tmp_path):
    """At L = 2 under A1, F = (w1 w2 − m)² + (λ/2)(w1² + w2²); with p = w1 w2 ≥ 0 and w1² + w2² ≥ 2p the
    minimum is over (p − m)² + λp, so p* = m − λ/2: the minimizer is nonzero iff λ < 2|m| (derived by
    hand, independent of the suite). m = 8 and the TOML float λ = 15.9999999999999999 (= 16 − 10^-16,
    the float 16.0): exactly, nonzero. A claim of "zero" is refuted by the exact tiers; read as a float,
    λ would be 16 = 2|m| and the minimizer zero."""
    from verify.claims import RunContext, Tier, Verdict, get_profile, run_claim

    f = tmp_path / "c.toml"
    f.write_text(_minimizer("right", "15.9999999999999999", "nonzero") + _minimizer("wrong", "15.9999999999999999", "zero")
                 + _minimizer("float", '"16"', "zero"))
    right, wrong, as_float = load_claim_file(f)
    ctx = RunContext(seed=0, profile=get_profile("quick"))

    def tiers(claim):
        result = run_claim(claim, ctx)
        return result, {c.tier: c.verdict for c in result.checks}

    result, t = tiers(right)
    assert t[Tier.SYMBOLIC] is Verdict.VERIFIED and t[Tier.HIGH_PRECISION] is Verdict.VERIFIED
    assert result.verdict is not Verdict.REFUTED  # float64 cannot see 10^-16: at most inconclusive
    result, t = tiers(wrong)  # the perturbed claim (wrong outcome) is refuted
    assert result.verdict is Verdict.REFUTED
    assert t[Tier.SYMBOLIC] is Verdict.REFUTED and t[Tier.HIGH_PRECISION] is Verdict.REFUTED
    _, t = tiers(as_float)  # what a float reading would have checked: the opposite outcome
    assert t[Tier.SYMBOLIC] is Verdict.VERIFIED


@settings(deadline=None, max_examples=200)
@given(st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: abs(d.adjusted()) < 300))
def test_decimals_round_trip_exactly(d):
    q = exact_number(d, "lam")
    assert Fraction(int(q.p), int(q.q)) == Fraction(d)
