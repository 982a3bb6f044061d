"""Certified uniqueness and ties of the end-to-end minimizer, through the per-singular-value reduction (§K2).

The reduction (docs/mathematics.md §K2, used by the suite, checked numerically there, not proved symbolically):
for hidden widths ≥ the rank of the minimizer, the global end-to-end minimizers of
F(W) = (a/2)‖W_L⋯W_1 − M‖² + (b/2)Σ‖W_l‖² are P = U·diag(x_i)·Vᵀ (M = U·diag(σ_i)·Vᵀ) with each x_i a global
minimizer of g_σ(x) = (a/2)(x − σ_i)² + (bL/2)x^(2/L) over x ≥ 0. With x = ρ^L, g_σ(ρ^L) = φ(ρ) is the balanced
scalar objective with |m| = σ. So P is unique iff every g_σi has a unique minimizer (for repeated σ_i the same x
is taken, and P stays a function of M), and there are two end-to-end minimizers when exactly one σ_i is a point
where g_σ has two.

What is certified here, per instance (L, a, b, σ):
- a unique minimizer of g_σ: ``certify_scalar_minimizer`` (every stationary radius isolated by interval Newton,
  ``verify.certified.scalar.certify_minimizer``, and φ(ρ₊) − φ(0) a ball that excludes 0);
- a tie, PROVED in exact rational arithmetic (``prove_tie``): for rational a, b, σ and a rational ρ* with
  (i) a·ρ*^(L−2)(ρ*^L − σ) + b = 0 (ρ* stationary), (ii) φ(ρ*) = φ(0), (iii) (2L−2)ρ*^L > (L−2)σ (ρ* is right of
  the fold ρ_c, so it is the larger root ρ₊; the smaller root is a maximum along the ray). g_σ is continuous and
  coercive on [0, ∞), so its minimum is attained at 0 or at a stationary point; the stationary points are ρ₋ (a
  strict maximum) and ρ₊ = ρ*, and φ(ρ*) = φ(0): exactly two global minimizers, x = 0 and x = ρ*^L. Equal values
  are never inferred from overlapping balls.
"""
from __future__ import annotations

from dataclasses import dataclass

import flint
import sympy as sp

from ..symbolic.scalar import a as a_sym, b as b_sym, mabs, rho as rho_sym
from .arb import to_arb, workprec
from .scalar import reduced
from .spectrum import ScalarMinimizer, certify_scalar_minimizer


@dataclass(frozen=True)
class TieProof:
    """The exact tie test at (L, a, b, σ, ρ*): ``proved`` when (i)–(iii) of the module docstring hold exactly;
    ``facts`` holds the three exact values (g(ρ*), φ(ρ*) − φ(0), g′(ρ*)) as strings."""

    proved: bool
    facts: dict[str, str]


def prove_tie(L: int, a: sp.Rational, b: sp.Rational, sigma: sp.Rational, rho_star: sp.Rational) -> TieProof:
    """Exact rational test that g_σ has exactly the two global minimizers 0 and ρ*^L (L ≥ 3; module docstring).

    g, q = (φ − φ(0))/ρ² and g′ come from the one derivation of the balanced model (``verify.certified.scalar.
    reduced``), evaluated in exact rationals; g′(ρ*) = a·ρ*^(L−3)((2L−2)ρ*^L − (L−2)σ) > 0 is (iii)."""
    a, b, sigma, r = (sp.Rational(v) for v in (a, b, sigma, rho_star))
    if L < 3:
        return TieProof(False, {"depth": f"L = {L}: no tie of two minimizers below depth 3"})
    red = reduced(L)
    at = {a_sym: a, b_sym: b, mabs: sigma}
    g = sum(sp.sympify(c).subs(at) * rho_sym ** k for k, c in enumerate(red.g))
    stationary = g.subs(rho_sym, r)
    gap = r ** 2 * sum(sp.sympify(c).subs(at) * r ** k for k, c in enumerate(red.q))
    slope = sp.diff(g, rho_sym).subs(rho_sym, r)
    proved = stationary == 0 and gap == 0 and slope > 0
    return TieProof(proved, {"g(rho*)": str(stationary), "phi(rho*) - phi(0)": str(gap), "g'(rho*)": str(slope)})


def certify_sigma(L: int, sigma: flint.arb, a: sp.Rational, b: sp.Rational, prec: int) -> ScalarMinimizer:
    """The certified global minimizer of g_σ (σ a ball, a and b exact): 'zero', 'nonzero' (unique) or 'undecided'."""
    with workprec(prec):
        return certify_scalar_minimizer(L, sigma, to_arb(a), to_arb(b), prec)


def exact_rational(value: sp.Expr) -> sp.Rational | None:
    """``value`` as an exact rational when SymPy shows it is one (after simplification), else None."""
    v = sp.sympify(value)
    if v.is_Rational:
        return v
    s = sp.nsimplify(sp.simplify(v)) if v.is_number else None
    if s is not None and s.is_Rational and sp.simplify(v - s) == 0:
        return s
    return None
