"""Claim kind: sharpness, the largest Hessian eigenvalue at every nonzero global minimizer, in closed form.

A claim gives the sharpness as a formula in ρ (|w_l| at the minimizer; for per-layer problems the radius of
the reduction), |m|, L, λ and, for a named convention, a and b. Three routes judge it (docs/mathematics.md §P3):
- symbolic: the exact eigenvalues at a balanced stationary point, m eliminated through stationarity; the
  claim must equal one of them, and that one must be the largest on the set of global minimizers, which is
  described exactly by u = |m|/ρ^L ∈ (1, u*] (u* from the derived threshold, §P3 lemma); the sign of each
  eigenvalue difference on that interval is decided from the real roots of a polynomial in u;
- high precision: eigenvalues at working precision (verify.highprec.eigen) of the Hessian at minimizers found by enumerating stationary points,
  at λ drawn below the threshold found by bisection;
- numeric: float64 Hessians at minimizers found by float64 root finding, on many random (m, λ).
Conventions take the convention route (``verify.claims.sharpness_convention``), user problems the general
one (``verify.claims.sharpness_problem``); both share the exact decision of the symbolic tier
(``verify.claims.sharpness_exact``) and the claim's evaluation (``verify.claims.sharpness_common``).
"""
from __future__ import annotations

from typing import Sequence

import sympy as sp

from ..conventions import get_convention
from ..errors import UsageError
from ..expressions import check_exp_nesting
from ..symbolic.scalar import L_sym, a, b, mabs, rho
from .base import Claim
from .scalar_common import MAX_DEPTH, claim_depths
from .sharpness_common import LAM
from .sharpness_convention import convention_sharpness_checks
from .sharpness_exact import U, sign_on
from .sharpness_problem import problem_sharpness_checks

# U and sign_on: the tests reach the exact decision through this module
__all__ = ["LAM", "U", "sharpness_claim", "sign_on", "validate_formula"]


def validate_formula(formula: object, allowed: set, what: str = "the sharpness formula") -> sp.Expr:
    """A claimed closed form: SymPy expression over ``allowed`` symbols, exact numbers, within the nesting budget."""
    expr = sp.sympify(formula)
    if not isinstance(expr, sp.Expr):
        raise UsageError(f"{what} must be a formula, got {formula!r}")
    extra = expr.free_symbols - allowed
    if extra:
        raise UsageError(f"{what} may use only {', '.join(sorted(map(str, allowed)))}; found "
                         f"{', '.join(sorted(map(str, extra)))}")
    check_exp_nesting(expr, what)
    inexact = sorted(map(str, expr.atoms(sp.Float)))
    if inexact:
        raise UsageError(f"{what} has inexact number(s) {', '.join(inexact)}: write them exactly (e.g. 7/10)")
    return expr


def sharpness_claim(id: str, statement: str, source: str, problem, formula: sp.Expr,
                    depths: Sequence[int] | None = None, paper: str = "user claim",
                    resolutions: Sequence[str] = (), min_depth: int = 1) -> Claim:
    """Declare "the largest Hessian eigenvalue at every nonzero global minimizer equals ``formula``".

    ``problem``: a ``ScalarProblem`` (``convention_problem("A1")`` or a user problem). ``formula`` is in ρ
    ("rho"), |m| ("m"), L, λ ("lam") and, for a named convention, a and b. ``depths`` fixes the depths;
    by default the profile's depths ≥ ``min_depth`` (and sentinel depths at high precision).
    """
    depths = claim_depths(depths)
    if isinstance(min_depth, bool) or not isinstance(min_depth, int) or not 1 <= min_depth <= MAX_DEPTH:
        raise UsageError(f"min_depth must be an integer from 1 to {MAX_DEPTH}, got {min_depth!r}")
    conv_name = getattr(problem, "convention", None)
    if conv_name is None:
        from ..problems.reduction import prove_claim_depths

        prove_claim_depths(problem, depths, min_depth)  # an unjustifiable problem: a UsageError now, never later
        formula = validate_formula(formula, {rho, mabs, L_sym, LAM})
        checks, shrink = problem_sharpness_checks(problem, formula, depths, min_depth)
        return Claim(id, statement, source, tuple(checks), tuple(resolutions), paper, shrink=shrink)
    conv = get_convention(conv_name)
    formula = validate_formula(formula, {rho, mabs, L_sym, LAM, a, b})
    checks, shrink = convention_sharpness_checks(conv, formula, depths, min_depth)
    return Claim(id, statement, source, checks, tuple(resolutions), paper, shrink=shrink)
