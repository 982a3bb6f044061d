"""The size budgets of a parsed formula: exponents, total degree, terms after expansion and nesting of
exponentials. They bound what later stages (simplify, expand, evalf) do with a user's formula; each budget's
docstring says what it cost when it was missing. Used by ``verify.expressions`` on every formula it builds,
and by the Python API on expressions built without it (``check_exp_nesting``)."""
from __future__ import annotations

import math
from fractions import Fraction

import sympy as sp

from .errors import UnsafeExpressionError

MAX_BITS = 1024
"""Largest numerator or denominator (in bits) any exact number may reach while building."""
MAX_EXPONENT = 10_000
"""Largest |p| and q of a rational exponent p/q."""
MAX_POWER = 64
"""Largest |p| and q of a rational exponent p/q on anything but an exact rational number: later
stages (simplify, expand, series) cost grows with the degree, e.g. (m+1)**10000 took 369 s."""
MAX_DEGREE = 64
"""Largest total degree of the result, counted as: symbols 1, sums the maximum, products the sum,
powers the base's degree times |exponent| (plus the exponent's degree when it is symbolic),
function calls the maximum of their arguments. Bounds the work of expanding the formula later."""
MAX_TERMS = 2000
"""Largest number of terms any part of the result could expand to (an upper bound, see
``_terms``). Distinct irrational constants multiply like extra variables: a degree-64 product
of (m + c)**16 over four constants c in (pi, E, log(2), log(3)) has ~84000 terms and took 531 s
in SymPy's simplify; sixteen distinct square roots, 156 s."""
MAX_EXP_NESTING = 1
"""Exponential-type levels allowed: exp, sinh, cosh, and a power whose exponent holds a symbol
(2**m, m**m, m**((L-2)/L)) each add one level to what they are applied to. exp(m) has one;
exp(exp(m)) has two and is rejected: at m = 3, sin(exp(exp(exp(m)))) asks SymPy's evalf for about
2·10^8 digits (argument reduction) and never returns."""

_EXP_LIKE = (sp.exp, sp.sinh, sp.cosh)


def show(text: str) -> str:
    """The text for a one-line message: quoted, escaped, shortened."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


def short_number(x: sp.Rational) -> str:
    """A number for a message, shortened past 30 characters."""
    s = str(x)
    return s if len(s) <= 30 else s[:27] + "..."


def bits(q: sp.Rational) -> int:
    """Size of an exact number: the larger bit length of its numerator and denominator."""
    return max(abs(int(q.p)).bit_length(), int(q.q).bit_length())


def _log2_size(q: sp.Rational) -> float:
    """log2 of max(|numerator|, denominator): how many bits one factor of q adds to a power."""
    return math.log2(max(abs(int(q.p)), int(q.q)))


def power_problem(base: sp.Basic, exponent: sp.Basic) -> str | None:
    """What is wrong with ``base ** exponent`` before SymPy evaluates it into a huge exact number (e.g.
    9**9**9) or a power later stages cannot afford; None when it fits the budgets."""
    if not isinstance(exponent, sp.Rational):
        return None
    p, q = abs(int(exponent.p)), int(exponent.q)
    if p > MAX_EXPONENT or q > MAX_EXPONENT:
        return (f"power with exponent {short_number(exponent)} "
                f"(limit {MAX_EXPONENT} for numerator and denominator)")
    if base.is_number:
        numeric = base
    elif isinstance(base, sp.Mul):
        numeric = sp.Mul(*[f for f in base.args if f.is_number])
    else:
        numeric = sp.Integer(1)
    size = sum(_log2_size(a) for a in numeric.atoms(sp.Rational))
    if size * p > MAX_BITS * q:
        return f"power whose exact value would exceed {MAX_BITS} bits"
    if not base.is_Rational and (p > MAX_POWER or q > MAX_POWER):
        return (f"power with exponent {short_number(exponent)} "
                f"(limit |exponent| <= {MAX_POWER} for symbols and irrational numbers)")
    return None


def check_budgets(value: sp.Basic, text: str) -> sp.Basic:
    """``value`` (parsed from ``text``) if its powers (after SymPy combined them), total degree, terms after
    expansion and exponential nesting fit the budgets; else UnsafeExpressionError naming the budget."""
    for sub in sp.preorder_traversal(value):
        if isinstance(sub, sp.Pow) and sub.exp.is_Rational and not sub.base.is_Rational:
            p, q = abs(int(sub.exp.p)), int(sub.exp.q)
            if p > MAX_POWER or q > MAX_POWER:
                raise UnsafeExpressionError(
                    f"the formula {show(text)} amounts to a power with exponent "
                    f"{short_number(sub.exp)} (limit |exponent| <= {MAX_POWER} for symbols and "
                    "irrational numbers)")
    degree = _degree(value, {})
    if degree > MAX_DEGREE:
        raise UnsafeExpressionError(
            f"the formula {show(text)} has total degree {short_number(sp.Rational(degree))} "
            f"(limit {MAX_DEGREE})")
    _terms(value, {}, text)
    levels = _exp_levels(value, {})
    if levels > MAX_EXP_NESTING:
        raise UnsafeExpressionError(
            f"the formula {show(text)} nests exponentials {levels} deep (exp, sinh, cosh or a "
            f"power with a variable exponent inside another; limit {MAX_EXP_NESTING})")
    return value


def _degree(expr: sp.Basic, memo: dict) -> Fraction:
    """The total degree as MAX_DEGREE counts it (an upper bound on expansion work, not exact)."""
    if expr in memo:
        return memo[expr]
    if not expr.free_symbols:
        result = Fraction(0)
    elif expr.is_Symbol:
        result = Fraction(1)
    elif isinstance(expr, sp.Mul):
        result = sum((_degree(arg, memo) for arg in expr.args), Fraction(0))
    elif isinstance(expr, sp.Pow):
        base = _degree(expr.base, memo)
        if expr.exp.is_Rational:
            result = base * abs(Fraction(int(expr.exp.p), int(expr.exp.q)))
        else:
            result = base + _degree(expr.exp, memo)
    else:
        result = max((_degree(arg, memo) for arg in expr.args), default=Fraction(0))
    memo[expr] = result
    return result


def check_exp_nesting(expr: sp.Basic, what: str) -> None:
    """UnsafeExpressionError when ``expr`` (built by any route, e.g. the Python API) nests exponentials
    deeper than MAX_EXP_NESTING; ``what`` names the formula in the message."""
    levels = _exp_levels(sp.sympify(expr), {})
    if levels > MAX_EXP_NESTING:
        raise UnsafeExpressionError(
            f"{what} nests exponentials {levels} deep (exp, sinh, cosh or a power with a variable exponent "
            f"inside another; limit {MAX_EXP_NESTING})")


def _exp_levels(expr: sp.Basic, memo: dict) -> int:
    """How many exponential-type functions of the variables are nested in ``expr`` (see MAX_EXP_NESTING)."""
    if expr in memo:
        return memo[expr]
    if not expr.free_symbols:
        result = 0
    elif isinstance(expr, _EXP_LIKE):
        result = 1 + _exp_levels(expr.args[0], memo)
    elif isinstance(expr, sp.Pow) and expr.exp.free_symbols:
        result = max(_exp_levels(expr.base, memo), 1 + _exp_levels(expr.exp, memo))
    else:
        result = max((_exp_levels(arg, memo) for arg in expr.args), default=0)
    memo[expr] = result
    return result


_TERMS_CAP = 10 ** 12


def _terms(expr: sp.Basic, memo: dict, text: str) -> tuple[int, frozenset, int]:
    """(bound on the number of terms after full expansion, generators, degree in the generators).

    Generators are symbols, irrational constants (pi, sqrt(2), log(3)) and anything not expanded
    (function calls, fractional or symbolic powers), each degree 1. A sum adds term counts, a
    product multiplies them, an integer power n of a t-term base has C(|n| + t - 1, t - 1) terms;
    a polynomial of degree d in g generators has at most C(d + g, g) terms, whichever is smaller.
    Raises UnsafeExpressionError when any part exceeds MAX_TERMS.
    """
    if expr in memo:
        return memo[expr]
    if expr.is_Rational:
        result = (1, frozenset(), 0)
    elif isinstance(expr, (sp.Add, sp.Mul)):
        parts = [_terms(arg, memo, text) for arg in expr.args]
        gens = frozenset().union(*(g for _, g, _ in parts))
        if isinstance(expr, sp.Add):
            count, degree = sum(c for c, _, _ in parts), max(d for _, _, d in parts)
        else:
            count, degree = math.prod(min(c, _TERMS_CAP) for c, _, _ in parts), sum(d for _, _, d in parts)
        result = (count, gens, degree)
    elif isinstance(expr, sp.Pow) and expr.exp.is_Integer:
        count, gens, degree = _terms(expr.base, memo, text)
        n = abs(int(expr.exp))
        result = (math.comb(n + count - 1, min(n, count - 1)) if count > 1 else 1, gens, degree * n)
    else:
        for arg in expr.args:  # not expanded itself, but its parts may be
            _terms(arg, memo, text)
        result = (1, frozenset([expr]), 1)
    count, gens, degree = result
    count = min(count, math.comb(degree + len(gens), len(gens)) if len(gens) < 64 else count, _TERMS_CAP)
    if count > MAX_TERMS:
        raise UnsafeExpressionError(
            f"the formula {show(text)} could expand to about {count} terms (limit {MAX_TERMS}): "
            "too many distinct factors, constants or radicals")
    memo[expr] = (count, gens, degree)
    return memo[expr]
