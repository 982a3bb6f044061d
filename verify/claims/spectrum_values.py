"""Claimed Hessian spectra of the deep scalar problem as data: multiplicities at a depth, exact multiset
comparison, and the claimed eigenvalues as numbers (SymPy subs, or Arb balls of the same expression, accepted only
when narrow); and direct indexing of ``sign_patterns``. Used by ``verify.claims.scalar_spectrum`` and the
certified spectrum tier.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import sympy as sp

from ..errors import UsageError
from ..numbers import to_mpf
from ..symbolic.scalar import L_sym, a, b, mabs, rho
from .base import CheckResult, Verdict
from .context import RunContext
from .formula_values import precise_value, real_value

Spectrum = Sequence[tuple[sp.Expr, sp.Expr]]  # (eigenvalue, multiplicity), may contain L


def _multiplicity(mult: sp.Expr, depth: int) -> int:
    """The multiplicity at depth L as an exact non-negative integer; UsageError otherwise (never truncated)."""
    k = sp.sympify(mult).subs(L_sym, depth)
    if isinstance(k, sp.Piecewise):
        k = k.doit()
    if not k.is_Integer:
        raise UsageError(f"multiplicity {mult} is {k} at depth {depth}: it must be a non-negative integer")
    if k < 0:
        raise UsageError(f"multiplicity {mult} is {k} at depth {depth}: it must be non-negative")
    return int(k)


def _expand_spectrum(spec: Spectrum, depth: int) -> list[tuple[sp.Expr, int]]:
    """(eigenvalue at depth L, multiplicity) pairs with positive multiplicity; nothing is repeated in memory.
    Expanded once per process for each (spectrum, depth): the symbolic, high-precision, certified and float64
    checks of a claim all read the same expansion (a fresh list each call)."""
    try:
        key = tuple((sp.sympify(v), sp.sympify(k)) for v, k in spec)
        hash(key)
    except (TypeError, sp.SympifyError):
        return list(_expand_uncached(spec, depth))
    return list(_expand_cached(key, depth))


@lru_cache(maxsize=512)
def _expand_cached(spec: tuple, depth: int) -> tuple[tuple[sp.Expr, int], ...]:
    return _expand_uncached(spec, depth)


def _expand_uncached(spec: Spectrum, depth: int) -> tuple[tuple[sp.Expr, int], ...]:
    out = []
    for value, mult in spec:
        k = _multiplicity(mult, depth)
        if k > 0:
            out.append((sp.expand(sp.sympify(value).subs(L_sym, depth)), k))
    return tuple(out)


def spectrum_depths(ctx: RunContext, depths: Sequence[int] | None, cap: int) -> list[int]:
    """The claim's depths, or else the profile's depths up to ``cap``."""
    return list(depths) if depths is not None else [L for L in ctx.profile.depths if L <= cap]


def _count(spec: list[tuple[sp.Expr, int]]) -> int:
    return sum(k for _, k in spec)


def _wrong_count(spec: list[tuple[sp.Expr, int]], depth: int, instances: int, scope: str) -> CheckResult | None:
    """A claim listing other than L eigenvalues (with multiplicity) for the L×L Hessian is refuted, uncounted."""
    n = _count(spec)
    if n == depth:
        return None
    shown = n if n < 10**12 else f"about 10^{len(str(n)) - 1}"
    return CheckResult(Verdict.REFUTED, f"depth {depth}: the claim lists {shown} eigenvalues (with multiplicity) "
                       f"for an {depth}×{depth} Hessian", instances=instances, scope=scope,
                       counterexample={"depth": depth, "claimed": [f"{e} (×{k})" for e, k in spec]})


def _same(e: sp.Expr, f: sp.Expr) -> bool | None:
    """e = f as functions of (a, b, ρ, |m|) > 0: True, False (a probe differs), or None (undecided)."""
    diff = sp.expand(e - f)
    if diff == 0:
        return True
    syms = sorted(e.free_symbols | f.free_symbols, key=str)
    for probe in ((sp.Rational(7, 3), sp.Rational(2, 11), sp.Rational(5, 4), sp.Rational(3, 7)),
                  (sp.Rational(1, 5), sp.Rational(9, 2), sp.Rational(4, 3), sp.Rational(11, 6))):
        at = dict(zip(syms, probe))
        value = to_mpf(diff.subs(at), 40)
        scale = max(abs(to_mpf(e.subs(at), 40)), abs(to_mpf(f.subs(at), 40)), mpmath.mpf(10) ** -30)
        if abs(value) > scale * mpmath.mpf(10) ** -20:
            return False
    return True if sp.simplify(diff) == 0 else None


def _multiset_equal(claimed: list[tuple[sp.Expr, int]], derived: list[tuple[sp.Expr, int]]) -> bool | None:
    """Equal as multisets (value, multiplicity), compared group by group; None when a value is undecided."""
    if _count(claimed) != _count(derived):
        return False
    left = {i: k for i, (_, k) in enumerate(derived)}
    for e, k in claimed:
        match, undecided = None, False
        for i, (f, _) in enumerate(derived):
            same = _same(e, f)
            if same is None:
                undecided = True
            elif same:
                match = i
                break
        if match is None:
            if undecided:
                return None
            return False
        left[match] -= k
        if left[match] < 0:
            return False
    return all(v == 0 for v in left.values())


def _numbers(spec: list[tuple[sp.Expr, int]], values: dict, dps: int) -> list:
    """Claimed eigenvalues as mpf numbers at ``dps`` digits, ascending (call only after the count is checked: ≤ L
    entries), each by SymPy's adaptive evalf at ``values`` (symbol → Float or Rational): ``real_value``, with its
    ClaimValueError for a value that is no finite real number and ClaimUndecided beyond the budget."""
    out = []
    for e, k in spec:
        at = {s: v for s, v in values.items() if s in e.free_symbols}
        out += [real_value(e, at, dps, f"the claimed eigenvalue {sp.sstr(e)[:60]}")] * k
    return sorted(out)


def _numbers_mp(spec: list[tuple[sp.Expr, int]], args: tuple, dps: int) -> list:
    """Claimed eigenvalues as mpf numbers at dps + 5 digits, ascending, at the mpf arguments args = (a, b, |m|, ρ):
    ``precise_value`` (an Arb ball when narrow, else SymPy's adaptive evalf; never a fixed-precision value alone),
    with its ClaimValueError for a value that is no finite real number."""
    at = dict(zip((a, b, mabs, rho), args))
    out = []
    for e, k in spec:
        out += [precise_value(e, at, dps + 5, f"the claimed eigenvalue {sp.sstr(e)[:60]}")] * k
    return sorted(out)


def _pattern(depth: int, sign: int, code: int) -> tuple[int, ...]:
    """The sign pattern number ``code`` of ``sign_patterns(depth, sign)`` (the same order), without listing
    the ones before it."""
    s = [1 - 2 * ((code >> i) & 1) for i in range(depth - 1)]
    prod = 1
    for v in s:
        prod *= v
    return tuple(s + [sign * prod])
