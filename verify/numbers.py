"""Exact parsing of user numbers and precision bookkeeping.

User numbers never pass through ``float``: a decimal string becomes a SymPy ``Rational``
(exact) or an ``mpmath.mpf`` built from the string at the working precision.
"""
from __future__ import annotations

import math
import re
from fractions import Fraction

import mpmath
import sympy as sp

from .errors import UsageError

MIN_DIGITS = 15
MAX_DIGITS = 1000
MAX_DEPTH = 64  # the mpmath Hessian is O(L³) per point: depth 64 takes seconds, 256 minutes
DEFAULT_DIGITS = 50

_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
MAX_EXPONENT = 4000  # keeps exact decimal output within Python's integer-string limit

_FRACTION = re.compile(r"^[+-]?\d+/\d+$")


def parse_rational(text: str | int | Fraction | sp.Rational, name: str = "value") -> sp.Rational:
    """Parse a decimal or fraction string exactly, e.g. '0.7' -> 7/10, '-3/2' -> -3/2.

    NaN, infinities and anything that is not a plain number raise ``UsageError``.
    """
    if isinstance(text, sp.Rational):
        return text
    if isinstance(text, (int, Fraction)) and not isinstance(text, bool):
        return sp.Rational(text)
    if isinstance(text, float):
        raise UsageError(f"{name}: pass numbers as strings (got float {text!r}); floats are not exact")
    s = str(text).strip()
    low = s.lower().lstrip("+-")
    if low in {"nan", "inf", "infinity"}:
        raise UsageError(f"{name} must be a finite number, got {s!r}")
    if _FRACTION.match(s):
        num, den = s.split("/")
        if len(s) > MAX_EXPONENT:
            raise UsageError(f"{name}: {s[:20]}… has too many digits (at most {MAX_EXPONENT})")
        if int(den) == 0:
            raise UsageError(f"{name}: zero denominator in {s!r}")
        return sp.Rational(int(num), int(den))
    if not _DECIMAL.match(s):
        raise UsageError(f"{name} must be a decimal number or a fraction like 3/2, got {s!r}")
    mant, _, exp = s.lower().partition("e")
    if (exp and abs(int(exp)) > MAX_EXPONENT) or len(mant) > MAX_EXPONENT:
        raise UsageError(f"{name}: {s!r} is outside the supported range (at most {MAX_EXPONENT} digits or "
                         f"an exponent of ±{MAX_EXPONENT})")
    return sp.Rational(mant) * sp.Integer(10) ** int(exp or 0)


def check_digits(digits: int) -> int:
    """Validate a requested number of significant digits."""
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise UsageError(f"digits must be an integer, got {digits!r}")
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise UsageError(f"digits must be between {MIN_DIGITS} and {MAX_DIGITS}, got {digits}")
    return digits


def check_depth(depth: object) -> int:
    """Validate a depth L: a positive integer."""
    if isinstance(depth, bool) or not isinstance(depth, int):
        try:
            text = str(depth).strip()
            if not re.fullmatch(r"[+-]?\d+", text):
                raise ValueError
            depth = int(text)
        except ValueError:
            raise UsageError(f"depth must be a positive integer, got {depth!r}") from None
    if depth <= 0:
        raise UsageError(f"depth must be a positive integer, got {depth}")
    if depth > MAX_DEPTH:
        raise UsageError(f"depth {depth} is beyond the supported range 1..{MAX_DEPTH}")
    return depth


def to_mpf(x: sp.Expr | sp.Rational | str, dps: int) -> mpmath.mpf:
    """Evaluate an exact SymPy number at ``dps`` digits into an mpf (no float on the way)."""
    with mpmath.workdps(dps + 5):
        if isinstance(x, str):
            return mpmath.mpf(x)
        value = sp.N(sp.sympify(x), dps + 5)
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
