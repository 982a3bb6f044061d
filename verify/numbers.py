"""Exact parsing of user numbers and precision bookkeeping.

User numbers never pass through ``float``: a decimal string becomes a SymPy ``Rational``
(exact) or an ``mpmath.mpf`` built from the string at the working precision.
"""
from __future__ import annotations

import math
import operator
import re
import unicodedata
from fractions import Fraction

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from .defaults import DEFAULT_DIGITS
from .errors import UsageError

MIN_DIGITS = 15
MAX_DIGITS = 1000
MAX_DEPTH = 64  # the mpmath Hessian is O(L³) per point: depth 64 takes seconds, 256 minutes

_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_FRACTION = re.compile(r"[+-]?\d+/\d+", re.ASCII)
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
MAX_EXPONENT = 4000  # keeps exact decimal output within Python's integer-string limit (4300 digits)


def _short(text: str, limit: int = 40) -> str:
    """``text`` for a one-line message: quoted, escaped, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def check_ascii(text: str, name: str = "value") -> str:
    """``text`` unchanged if it is ASCII; else a UsageError naming the first non-ASCII character.

    Python's ``int()``, ``str.isdigit()`` and the regex class ``\\d`` accept full-width ("１６"),
    Arabic-Indic ("١٦") and other Unicode digits; user numbers are ASCII only, so such text is
    rejected here with the character's Unicode name instead of being read as a different number.
    """
    for i, ch in enumerate(text):
        if not ch.isascii():
            what = "non-ASCII digit" if ch.isdigit() or ch.isnumeric() else "non-ASCII character"
            label = unicodedata.name(ch, "unnamed")
            raise UsageError(f"{name}: {what} {ch!r} (U+{ord(ch):04X} {label}) at position {i + 1} in "
                             f"{_short(text)}; write numbers with the ASCII digits 0-9")
    return text


def _too_long(s: str, name: str) -> UsageError:
    return UsageError(f"{name}: {_short(s)} is outside the supported range (at most {MAX_EXPONENT} digits "
                      f"or an exponent of ±{MAX_EXPONENT})")


def parse_rational(text: str | int | Fraction | sp.Rational, name: str = "value") -> sp.Rational:
    """Parse a decimal or fraction string exactly, e.g. '0.7' -> 7/10, '-3/2' -> -3/2.

    NaN, infinities, non-ASCII digits, more than MAX_EXPONENT digits (in the mantissa, or in a
    numerator or denominator), exponents beyond ±MAX_EXPONENT and anything that is not a plain
    number raise ``UsageError`` with a one-line message.
    """
    if isinstance(text, sp.Rational):
        return text
    if isinstance(text, bool):
        raise UsageError(f"{name} must be a number, got {text!r}")
    if not isinstance(text, (int, Fraction, float, str)) and hasattr(text, "__index__"):  # numpy, SymPy ints
        text = operator.index(text)
    if isinstance(text, (int, Fraction)):
        value = Fraction(text)
        if max(value.numerator.bit_length(), value.denominator.bit_length()) > MAX_EXPONENT * 3.33:
            raise UsageError(f"{name}: a number with more than {MAX_EXPONENT} digits is outside the supported range")
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(text, float):
        raise UsageError(f"{name}: pass numbers as strings (got float {text!r}); floats are not exact")
    s = check_ascii(str(text).strip(), name)  # e.g. a Decimal: its exact decimal text
    low = s.lower().lstrip("+-")
    if low in {"nan", "inf", "infinity"}:
        raise UsageError(f"{name} must be a finite number, got {s!r}")
    if _FRACTION.fullmatch(s):
        num, den = s.split("/")
        if max(len(num.lstrip("+-")), len(den)) > MAX_EXPONENT:
            raise _too_long(s, name)
        if int(den) == 0:
            raise UsageError(f"{name}: zero denominator in {_short(s)}")
        return sp.Rational(int(num), int(den))
    if not _DECIMAL.fullmatch(s):
        raise UsageError(f"{name} must be a decimal number or a fraction like 3/2, got {_short(s)}")
    mant, _, exp = s.lower().partition("e")
    digits = sum(ch.isdigit() for ch in mant)
    if digits > MAX_EXPONENT or len(exp.lstrip("+-")) > 5 or (exp and abs(int(exp)) > MAX_EXPONENT):
        raise _too_long(s, name)
    return sp.Rational(mant) * sp.Integer(10) ** int(exp or 0)


def check_digits(digits: int) -> int:
    """Validate a requested number of significant digits."""
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise UsageError(f"digits must be an integer, got {digits!r}")
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise UsageError(f"digits must be between {MIN_DIGITS} and {MAX_DIGITS}, got {digits}")
    return digits


def check_depth(depth: object) -> int:
    """Validate a depth L: an integer in 1..MAX_DEPTH (an integer type, or text of ASCII digits)."""
    if isinstance(depth, bool):
        raise UsageError(f"depth must be a positive integer, got {depth!r}")
    if not isinstance(depth, int) and hasattr(depth, "__index__"):  # numpy and SymPy integers
        depth = operator.index(depth)
    if not isinstance(depth, int):
        text = check_ascii(str(depth).strip(), "depth")
        if not _INTEGER.fullmatch(text):
            raise UsageError(f"depth must be a positive integer, got {_short(text)}")
        if len(text.lstrip("+-0")) > 6:
            raise UsageError(f"depth {_short(text)} is beyond the supported range 1..{MAX_DEPTH}")
        depth = int(text)
    if depth <= 0:
        raise UsageError(f"depth must be a positive integer, got {depth if depth > -10**6 else 'a huge negative number'}")
    if depth > MAX_DEPTH:
        shown = depth if depth < 10**6 else "a huge number"
        raise UsageError(f"depth {shown} is beyond the supported range 1..{MAX_DEPTH}")
    return depth


def parse_int(text: object, name: str, minimum: int, maximum: int | None = None) -> int:
    """An integer option such as --digits or --seed: ASCII digits only, within [minimum, maximum].

    ``int()`` alone would accept "１６" (full-width digits) and "1_000", and raise a ValueError
    traceback for more than 4300 digits; this gives one-line UsageErrors instead.
    """
    if isinstance(text, bool) or not isinstance(text, (int, str)):
        raise UsageError(f"{name} must be an integer, got {_short(repr(text))}")
    if isinstance(text, str):
        s = check_ascii(text.strip(), name)
        if not _INTEGER.fullmatch(s):
            raise UsageError(f"{name} must be an integer, got {_short(s)}")
        if len(s.lstrip("+-0")) > 18:
            raise UsageError(f"{name} {_short(s)} is out of range")
        text = int(s)
    upper = "" if maximum is None else f" and ≤ {maximum}"
    if text < minimum or (maximum is not None and text > maximum):
        shown = text if abs(text) < 10**18 else "a huge number"
        raise UsageError(f"{name} must be an integer ≥ {minimum}{upper}, got {shown}")
    return text


def to_mpf(x: sp.Expr | sp.Rational | str, dps: int) -> mpmath.mpf:
    """Evaluate an exact SymPy number at ``dps`` digits into an mpf (no float on the way), by SymPy's adaptive evalf
    with room to raise its precision through cancellations: strict up to dps + 400 digits (SymPy's default ceiling
    of 100 digits returns a wrong value without a word for a term such as 10²⁰⁰·(exp(10⁻²⁰⁰) − 1)); a value strict
    evaluation cannot tell from 0 is SymPy's default answer, as before."""
    with mpmath.workdps(dps + 5):
        if isinstance(x, str):
            return mpmath.mpf(x)
        x = sp.sympify(x)
        try:
            value = x.evalf(dps + 5, maxn=dps + 400, strict=True)
        except PrecisionExhausted:
            value = sp.N(x, dps + 5)
        return mpmath.mpf(sp.Float(value, dps + 5)._mpf_)


def digits_of_agreement(x, y, cap: float | None = None) -> float:
    """-log10 of the relative difference |x - y| / max(|x|, |y|); ``cap`` when they agree exactly.

    Both arguments may be mpf or float. Returns ``inf`` (or ``cap``) for exact agreement.
    """
    bits = [v._mpf_[3] if isinstance(v, mpmath.mpf) else 53 for v in (x, y)]
    with mpmath.workprec(max(bits + [53]) + 20):  # exact difference of the operands as given
        x = mpmath.mpf(x)
        y = mpmath.mpf(y)
        scale = max(abs(x), abs(y))
        diff = abs(x - y)
        if diff == 0:
            return math.inf if cap is None else cap
        if scale == 0:
            return 0.0
        d = float(-mpmath.log10(diff / scale))
    return d if cap is None else min(d, cap)


def dec(x, digits: int = DEFAULT_DIGITS) -> str:
    """A decimal string of ``x`` with ``digits`` significant digits (full precision, no float).

    SymPy numbers are evaluated at ``digits`` + 5; mpf values keep their own precision (the
    ambient 15-digit context never rounds them); floats are printed with repr.
    """
    if isinstance(x, float):
        return repr(x)
    with mpmath.workdps(digits + 5):
        if isinstance(x, sp.Basic):
            x = to_mpf(x, digits)
        elif isinstance(x, Fraction):
            x = mpmath.mpf(x.numerator) / x.denominator
        elif isinstance(x, int):
            x = mpmath.mpf(x)
        return mpmath.nstr(x, digits, strip_zeros=False, min_fixed=-5, max_fixed=8)
