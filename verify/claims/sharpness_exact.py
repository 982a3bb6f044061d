"""The exact decision of the sharpness claim's symbolic tier, shared by both routes (docs/mathematics.md §P3).

The nonzero global minimizers are described exactly by one parameter, u = |m|/ρ^L ∈ (lo, hi]. With the
Hessian eigenvalues and the claim written as functions of (ρ, u), ``judge_depth`` compares the claim with
the largest eigenvalue at probe points, proves it identical to one eigenvalue, and shows that eigenvalue
≥ every other one on the whole interval: each difference is a positive function of ρ times δ(u), and
``sign_on`` decides the sign of δ from the real roots of the polynomials in u that make it up.
"""
from __future__ import annotations

from typing import Callable

import mpmath
import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from ..numbers import dec, to_mpf
from ..symbolic.log_identity import forcing_is_sound
from ..symbolic.scalar import rho


#: u = |m|/ρ^L at a nonzero stationary point: the one parameter of the set of global minimizers (§P3)
U = sp.Symbol("u", positive=True)

#: probes (ρ) at which a claim is compared with the largest derived eigenvalue exactly
RHO_PROBES = (sp.Integer(1), sp.Rational(7, 5))


def sign_on(delta: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> tuple[str, sp.Expr | None]:
    """The sign of δ(u) on the interval (lo, hi] (hi may be ∞): ("nonnegative", None), ("negative", u0)
    with δ(u0) < 0 at an exact u0 inside, or ("undecided", None) when δ is not rational in u.

    δ = N/D with N, D polynomials in u: their real roots strictly inside cut the interval into pieces of
    constant sign; δ is evaluated exactly at a rational point of each piece.
    """
    num, den = sp.fraction(sp.cancel(sp.together(delta)))
    if not (num.is_polynomial(U) and den.is_polynomial(U)) or (num.free_symbols | den.free_symbols) - {U}:
        return "undecided", None
    cuts = []
    for part in (num, den):
        if part.has(U):
            for r in sp.Poly(part, U).real_roots():
                if (r > lo) != True or (hi is not sp.oo and (r < hi) != True):  # noqa: E712 - SymPy booleans
                    continue
                # a numeric end (u* to 40 digits): a root within 10^-30 of it is that end, not inside
                if isinstance(hi, sp.Float) and abs(sp.N(r, 45) - hi) <= abs(hi) * sp.Float(10, 45) ** -30:
                    continue
                cuts.append(r)
    edges = [lo, *sorted(set(cuts), key=lambda r: sp.N(r, 30)), hi]
    for left, right in zip(edges, edges[1:]):
        mid = left + 1 if right is sp.oo else _rational_between(left, right)
        value = sp.simplify(delta.subs(U, mid))
        negative = value.is_negative
        if negative is None:  # strict evalf: a value it returns has right digits; one it cannot resolve is undecided
            try:
                value = value.evalf(40, maxn=2000, strict=True)
            except PrecisionExhausted:
                return "undecided", None
            if not value.is_Number:
                return "undecided", None
            negative = bool(value < 0)
        if negative:
            return "negative", mid
    # δ is continuous on each piece and keeps its sign there: ≥ 0 at the midpoints means ≥ 0 on (lo, hi]
    return "nonnegative", None


def _rational_between(left: sp.Expr, right: sp.Expr) -> sp.Rational:
    """A simple rational strictly between two distinct real algebraic numbers."""
    lo, hi = sp.N(left, 40), sp.N(right, 40)
    mid = sp.nsimplify((lo + hi) / 2, rational=True, tolerance=(hi - lo) / 8)
    return sp.Rational(mid)


def _probe_points(lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr]:
    if hi is sp.oo:
        return [sp.Rational(3, 2), sp.Integer(3), sp.Integer(10)]
    return [lo + (hi - lo) * f for f in (sp.Rational(1, 3), sp.Rational(2, 3), sp.Integer(1))]


def _close(x: sp.Expr, y: sp.Expr) -> bool:
    """Equal to 25 digits relative to the larger (both exact numbers, evaluated at 40 digits)."""
    xv, yv = to_mpf(x, 40), to_mpf(y, 40)
    return abs(xv - yv) <= max(abs(xv), abs(yv), mpmath.mpf(10) ** -30) * mpmath.mpf(10) ** -25


def judge_depth(eigs: list[sp.Expr], claim: sp.Expr, lo: sp.Expr, hi: sp.Expr,
                to_point: Callable[[sp.Expr, sp.Expr], dict]) -> dict:
    """Decide one depth: ``eigs`` and ``claim`` are functions of (ρ, u) on the global minimizers u ∈ (lo, hi].

    ``to_point(ρ, u)`` gives the instance (for counterexamples). Returns {"outcome": "equal" | "differs" |
    "undecided", ...}: "differs" at a probe where the claim is not the largest eigenvalue; "equal" when the
    claim is identically one eigenvalue and that one is ≥ every other on the whole interval.
    """
    for r in RHO_PROBES:
        for u0 in _probe_points(lo, hi):
            vals = [e.subs({rho: r, U: u0}) for e in eigs]
            top = max(vals, key=lambda v: sp.N(v, 40))
            c = claim.subs({rho: r, U: u0})
            real = not c.free_symbols and sp.N(c, 40).is_extended_real and sp.N(c, 40).is_finite
            if not real or not _close(c, top):  # a claim with no finite real value here differs, exactly
                return {"outcome": "differs", **to_point(r, u0), "largest_eigenvalue": dec(top, 25),
                        "claimed": dec(c, 25) if real else str(c)}
    # the cheap identity test on every eigenvalue first: ``simplify`` (~0.1 s a call) only when none passes it
    # (powsimp's force only where every base is proved positive: else √p·√q → √(pq) is no identity)
    match = next((i for i, e in enumerate(eigs)
                  if forcing_is_sound(e - claim) and sp.expand(sp.powsimp(e - claim, force=True)) == 0), None)
    if match is None:
        match = next((i for i, e in enumerate(eigs) if sp.simplify(e - claim) == 0), None)
    if match is None:
        return {"outcome": "undecided", "reason": "the claim equals the largest eigenvalue at the probes but SymPy "
                                                  "could not prove it equal to one eigenvalue identically"}
    for i, e in enumerate(eigs):
        if i == match:
            continue
        delta = sp.expand(eigs[match] - e)
        scaled = _scaled(delta)
        if scaled is None:
            return {"outcome": "undecided", "reason": f"the difference {delta} of two eigenvalues is not ρ^c·δ(u)"}
        sign, u0 = sign_on(scaled, lo, hi)
        if sign == "negative":
            return {"outcome": "differs", **to_point(sp.Integer(1), u0), "claimed_eigenvalue": str(eigs[match]),
                    "larger_eigenvalue": str(e)}
        if sign == "undecided":
            return {"outcome": "undecided", "reason": f"the sign of {scaled} on u ∈ ({lo}, {hi}] was not decided"}
    return {"outcome": "equal", "eigenvalue": str(eigs[match])}


def _scaled(delta: sp.Expr) -> sp.Expr | None:
    """δ(u) with delta = ρ^c·δ(u) (c > 0 free), or None when delta does not factor that way."""
    if delta == 0:
        return sp.Integer(0)
    powers = sp.Poly(sp.expand(delta), rho) if sp.expand(delta).is_polynomial(rho) else None
    if powers is not None:
        monoms = powers.monoms()
        if len(monoms) == 1:
            return sp.expand(powers.coeffs()[0])
        return None
    ratio = sp.simplify(delta / delta.subs(rho, 1))
    # delta = ratio(ρ)·δ(u) with ratio > 0 for every ρ > 0: the sign of delta is the sign of δ(u)
    if ratio.free_symbols <= {rho} and ratio.is_positive:
        return sp.expand(delta.subs(rho, 1))
    return None
