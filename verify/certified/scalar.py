"""Certified stationary points and global minimizers of the deep scalar problem, in Arb.

F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σw_l², L ≥ 2, m ≠ 0, a, b > 0.

Reduction (a proof, valid for every instance): w_l·∂F/∂w_l = a(P − m)P + b·w_l² is the same for every l,
so at a stationary point all w_l² are equal: w = ρ·s, ρ ≥ 0, s ∈ {±1}^L (the 2^(L−1) patterns with one
product σ = ∏s share ρ, product and objective). w = 0 is stationary (L ≥ 2). For ρ > 0 the stationary
condition is ρ²·(a·ρ^(L−2)(ρ^L − σm) + b) = 0. With σm = −|m| the bracket is ≥ b > 0: no stationary point.
With σm = |m| it is g(ρ) = a·ρ^(L−2)(ρ^L − |m|) + b = φ'(ρ)/(Lρ), φ(ρ) = (a/2)(ρ^L − |m|)² + (bL/2)ρ²,
and g(ρ) ≥ b > 0 once ρ^L ≥ |m|. So every stationary point has ρ < |m|^(1/L) ≤ R = 2^j,
the least power of two (any integer exponent) with R^L ≥ |m|: [0, R] provably holds every stationary radius.

The polynomials g(ρ) and q(ρ) = (φ(ρ) − φ(0))/ρ² are derived from ``verify.symbolic.scalar.balanced_model``
once per depth (exact coefficients in a, b, |m|) and evaluated on balls. F is coercive, so its global
minimizers are among its stationary points; comparing φ(0) with φ at every certified root decides them.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from ..symbolic.scalar import a as a_sym, b as b_sym, balanced_model, mabs, rho
from .arb import (CertificationFailed, Isolation, arb, ball_bounds, dyadic_above, isolate_roots, sympy_to_arb,
                  to_arb)


@dataclass(frozen=True)
class ReducedPolys:
    """The balanced problem at depth L as polynomials in ρ (coefficients exact in a, b, |m|).

    ``g``: zero exactly at the nonzero stationary radii (φ'(ρ)/(Lρ)); ``q``: (φ(ρ) − φ(0))/ρ²;
    ``b_of_rho``: b solved from g = 0 (g is linear in b); ``tie``: q with b = b_of_rho, divided by its
    lowest power ρ^``tie_power`` (ρ > 0): its positive roots are the radii where 0 and a stationary point tie.
    """

    depth: int
    g: tuple[sp.Expr, ...]
    q: tuple[sp.Expr, ...]
    b_of_rho: sp.Expr
    tie: tuple[sp.Expr, ...]
    tie_power: int


def _coeffs(expr: sp.Expr) -> tuple[sp.Expr, ...]:
    """Coefficients c_0..c_n of a polynomial in ρ, ascending."""
    return tuple(reversed(sp.Poly(sp.expand(expr), rho).all_coeffs()))


@lru_cache(maxsize=None)
def reduced(depth: int) -> ReducedPolys:
    """Derive g, q, b(ρ) and the tie polynomial at depth L ≥ 2 from φ (SymPy, exact, cached).

    The divisions by Lρ, ρ² and ρ^low are exact divisions in Q[a, b, |m|][ρ] (``Poly.exquo``, which raises if
    a remainder were left): the same expanded polynomials as ``expand(cancel(·))``, without rational-function
    cancellation."""
    if depth < 2:
        raise ValueError("the certified scalar reduction needs L ≥ 2")
    model = balanced_model(depth)
    g_poly = sp.Poly(model.dphi, rho).exquo(sp.Poly(depth * rho, rho))
    q_poly = sp.Poly(model.phi - model.phi.subs(rho, 0), rho).exquo(sp.Poly(rho**2, rho))
    g = g_poly.as_expr()
    slope = sp.diff(g, b_sym)
    if slope.has(b_sym) or slope == 0:
        raise RuntimeError(f"depth {depth}: g is not linear in b")
    b_of_rho = sp.expand(-g.subs(b_sym, 0) / slope)
    tie_poly = sp.Poly(sp.expand(q_poly.as_expr().subs(b_sym, b_of_rho)), rho)
    low = min(mon[0] for mon in tie_poly.monoms())
    tie = tie_poly.exquo(sp.Poly(rho**low, rho))
    return ReducedPolys(depth, _poly_coeffs(g_poly), _poly_coeffs(q_poly), b_of_rho, _poly_coeffs(tie), low)


def _poly_coeffs(p: sp.Poly) -> tuple[sp.Expr, ...]:
    """Coefficients c_0..c_n of a Poly in ρ, ascending."""
    return tuple(reversed(p.all_coeffs()))


class Poly1:
    """A polynomial in ρ with ball coefficients (sparse: zero coefficients skipped): values and derivative
    on balls."""

    def __init__(self, coeffs: tuple[sp.Expr, ...], subs: dict) -> None:
        self.terms = [(k, sympy_to_arb(c, subs)) for k, c in enumerate(coeffs) if c != 0]
        self.dterms = [(k - 1, k * c) for k, c in self.terms if k > 0]

    @staticmethod
    def _eval(terms: list, x: arb) -> arb:
        out = arb(0)
        for k, c in terms:
            out += c if k == 0 else c * x**k
        return out

    def __call__(self, x: arb) -> arb:
        return self._eval(self.terms, x)

    def deriv(self, x: arb) -> arb:
        return self._eval(self.dterms, x)


@dataclass(frozen=True)
class StationaryBall:
    """A nonzero stationary radius ρ (certified unique in [box_lo, box_hi]) and gap = φ(ρ) − φ(0) as balls."""

    rho: arb
    box_lo: Fraction
    box_hi: Fraction
    gap: arb


@dataclass(frozen=True)
class MinimizerCertificate:
    """Every stationary point of F at one instance, certified, and which is the global minimizer.

    ``kind``: "zero" (0 is the unique global minimizer: every nonzero stationary point has a certified
    larger objective), "nonzero" (one radius ρ, hence one product sign(m)·ρ^L, is strictly best),
    "undecided" (balls overlap: inconclusive; a tie can only be proved exactly, by the caller).
    ``radius_bound``: R with every stationary radius < R (module docstring); ``excluded``: boxes of [0, R]
    proved free of stationary radii.
    """

    depth: int
    kind: str
    stationary: tuple[StationaryBall, ...]
    minimizer: StationaryBall | None
    radius_bound: Fraction
    excluded: int
    reason: str = ""

    def to_json(self) -> dict:
        from .arb import arb_to_decimal_pair

        return {"kind": self.kind, "radius_bound": str(self.radius_bound), "excluded_boxes": self.excluded,
                "stationary_radii": [list(arb_to_decimal_pair(s.rho, 20)) for s in self.stationary],
                "gaps_phi_minus_phi0": [list(arb_to_decimal_pair(s.gap, 6)) for s in self.stationary]}


def isolate_stationary(depth: int, m: object, a: object, b: object) -> tuple[Isolation, Poly1, dict]:
    """Certified isolation of the roots of g on [0, R] at (L, m, a, b) (balls or exact numbers).

    Call inside ``workprec``. Returns the isolation, q as a ball polynomial, and the substitution used.
    """
    red = reduced(depth)
    m_ball = abs(to_arb(m))
    subs = {a_sym: to_arb(a), b_sym: to_arb(b), mabs: m_ball}
    g = Poly1(red.g, subs)
    q = Poly1(red.q, subs)
    _, m_hi = ball_bounds(m_ball)
    R = dyadic_above(m_hi, depth)  # R^L ≥ |m|: every stationary radius is < R (module docstring)
    iso = isolate_roots(g, g.deriv, Fraction(0), R)
    return iso, q, subs


def certify_minimizer(depth: int, m: object, a: object, b: object) -> MinimizerCertificate:
    """Certified global minimizer of F at (L ≥ 2, m ≠ 0, a, b > 0); call inside ``workprec``."""
    iso, q, _ = isolate_stationary(depth, m, a, b)
    if not iso.complete:
        raise CertificationFailed(f"depth {depth}: {len(iso.undecided)} box(es) of [0, {iso.hi}] neither "
                                  "excluded nor isolated (a near-double root)")
    points = []
    for r in iso.roots:
        if not r.root > 0:  # ρ = 0 is the point 0 itself, never a nonzero radius
            raise CertificationFailed(f"depth {depth}: a root ball is not certainly positive")
        points.append(StationaryBall(r.root, r.lo, r.hi, r.root**2 * q(r.root)))
    R = iso.hi
    if all(p.gap > 0 for p in points):
        return MinimizerCertificate(depth, "zero", tuple(points), None, R, iso.excluded,
                                    "every nonzero stationary point has φ(ρ) − φ(0) > 0 (certified)")
    negatives = [p for p in points if p.gap < 0]
    for best in negatives:
        if all(best is p or best.gap < p.gap for p in points):
            return MinimizerCertificate(depth, "nonzero", tuple(points), best, R, iso.excluded,
                                        "one nonzero radius has φ(ρ) < φ(0) and below every other (certified)")
    return MinimizerCertificate(depth, "undecided", tuple(points), None, R, iso.excluded,
                                "the objective balls at 0 and the nonzero stationary points overlap")
