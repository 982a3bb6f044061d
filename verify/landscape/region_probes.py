"""Deterministic probes of the L5 regions at their analytic worst points (boundaries included).

Derived by hand (docs/mathematics.md §L5); every probe is a rank-one point X = Σ_i a_i·u_i placed
relative to the CLAIMED constants, so a claim whose constant is raised moves its probe with it.
η > 0 puts the point strictly inside its region (or strictly outside the neighbouring one), so the
exact margin is that of a point of the region, not of a limit.

Instance A: n = r = 1, M = λ = 1 (δ = 2λ, γ = g = λ, ρ2 = √λ/7, ||M|| = λ). F = c(x² − λ)², ∇²F = 4c(3x² − λ).
  A1 (R1a, boundary σ² = fλ): ∇²F = 4cλ(3f − 1) against −κ1 = −2cλ. Relative margin 1 − 6f = 0 at
      f = 1/6: TIGHT, so κ1 or the fraction 1/6 raised by any amount is refuted here.
  A2 (R2, ball boundary towards 0, x = √λ − ρ2): curvature 4c(3x² − λ) is increasing in x > 0, so this
      is the worst point of the ball; margin 3(1 − 1/7)² − 2 = 10/49 ≈ 0.204 against κ2 = 4cλ. Refuted
      iff the κ2 factor exceeds 59/49 ≈ 1.204 or the ρ2 factor exceeds 7(1 − √(2/3)) ≈ 1.2845.
  A3 (R3'', boundary ||XXᵀ|| = 2||M||, x = √(2λ) from outside): ||∇F|| = 4c(x² − λ)x = 4√2·cλ^{3/2} = κ3''
      exactly: TIGHT, κ3'' raised by any amount is refuted here.
Instance B: n = 2, r = 1, λ = (1, 9/10), U = [[3/5, −4/5], [4/5, 3/5]] (γ = g = 1/10, ρ1 = γ/18 = 1/180;
  κ3 = 2cgρ1, the smallest of its three terms). In the eigenbasis, x = a·u1 + b·u2 has
  ∇²F = 4c[[3a² + b² − λ1, 2ab], [2ab, a² + 3b² − λ2]] and the saddle is b = √λ2, a = 0.
  B1 (R1b, ball boundary radially outward, b = √λ2 + ρ1): to first order in ρ1 only b raises λ_min, so
      this is the worst point of the ball: λ_min = 4c(b² − λ1); margin 1 − 4√λ2ρ1/γ − 2ρ1²/γ ≈ 0.7886.
      Refuted iff the ρ1 factor exceeds 18(√(λ2 + γ/2) − √λ2)/γ ≈ 4.679.
  B2 (R3', just outside that ball along u1, the curvature −4cg direction): ||∇F|| = 4cε√((γ − ε²)² +
      ε²λ2), ε = ρ1, the smallest gradient on the ball's boundary to first order; margin ≈ 1.0022
      against κ3 = 2cgρ1. Refuted iff the κ3 factor exceeds ≈ 2.0022.
ρ1, ρ2, κ2 and κ3 are not tight: a 5 % raise of them is (as far as the suite knows) still true, and
for κ2 provably so (see ``verify.landscape.symmetric``); the probes refute them beyond their slack.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import sympy as sp

from .symmetric import RegionConstants

#: the two exact probe instances: (λ, U, r), U orthogonal with rational entries
INSTANCES: dict[str, tuple[tuple[sp.Rational, ...], tuple[tuple[sp.Rational, ...], ...], int]] = {
    "A": ((sp.Integer(1),), ((sp.Integer(1),),), 1),
    "B": ((sp.Integer(1), sp.Rational(9, 10)),
          ((sp.Rational(3, 5), sp.Rational(-4, 5)), (sp.Rational(4, 5), sp.Rational(3, 5))), 1),
}


@dataclass(frozen=True)
class Probe:
    """A point X = Σ_i a_i u_i of one instance; ``coefficients(K, lam, sqrt, eta)`` gives the a_i."""

    name: str
    instance: str
    region: str
    targets: tuple[str, ...]
    coefficients: Callable[[RegionConstants, list, Callable[[Any], Any], Any], dict[int, Any]]
    note: str


PROBES: tuple[Probe, ...] = (
    Probe("A1", "A", "R1a", ("kappa1", "r1a_frac"),
          lambda K, lam, sqrt, eta: {0: sqrt(K.r1a_frac * lam[0]) * (1 - eta)},
          "n = r = 1, σ² = fλ (R1a boundary): tight, margin 0 as η → 0"),
    Probe("A2", "A", "R2", ("kappa2", "rho2"),
          lambda K, lam, sqrt, eta: {0: sqrt(lam[0]) - K.rho2 * (1 - eta)},
          "n = r = 1, x = √λ − ρ2 (R2 boundary towards 0): margin 10/49"),
    Probe("A3", "A", "R3''", ("kappa3_far",),
          lambda K, lam, sqrt, eta: {0: sqrt(2 * lam[0]) * (1 + eta)},
          "r = p = 1, x = √(2λ1) (R3'' boundary from outside): tight, margin 0 as η → 0"),
    Probe("B1", "B", "R1b", ("rho1", "kappa1"),
          lambda K, lam, sqrt, eta: {1: sqrt(lam[1]) + K.rho1 * (1 - eta)},
          "n = 2, r = 1, λ = (1, 9/10): saddle √λ2·u2 moved radially by ρ1: margin ≈ 0.7886"),
    Probe("B2", "B", "R3'", ("kappa3",),
          lambda K, lam, sqrt, eta: {1: sqrt(lam[1]), 0: K.rho1 * (1 + eta)},
          "n = 2, r = 1, λ = (1, 9/10): saddle + ρ1·u1, just outside R1b: margin ≈ 1.0022"),
)

#: exact margins of the probes at the suite's constants as η → 0, derived by hand (for the report and tests)
HAND_MARGINS: dict[str, str] = {
    "A1": "0", "A2": "10/49", "A3": "0",
    "B1": "1 − (4/18)√(9/10) − 1/1620", "B2": "2√((1 − 1/3240)² + 1/360) − 1",
}


def probe_point(probe: Probe, K: RegionConstants, lam: list, U: list, sqrt: Callable[[Any], Any], eta: Any,
                zero: Any) -> list[list[Any]]:
    """The n×1 point of ``probe`` (nested lists in the arithmetic of ``lam``)."""
    coef = probe.coefficients(K, lam, sqrt, eta)
    n = len(lam)
    return [[sum((a * U[row][i] for i, a in coef.items()), zero)] for row in range(n)]
