"""A user's scalar problem, derived with SymPy: the L-variable model and the collapse threshold.

F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L). ``problem_model`` differentiates it entry by entry;
``balanced_hessian_eigenvalues`` gives the spectrum on the rays of the reduction (docs/mathematics.md §P1).
``derive_problem_threshold`` and ``ProblemThreshold`` are defined in ``verify.problems.threshold`` (from the
proved reduction: λ* = sup_{ρ>0} (A(0) − A(ρ))/B(ρ) with φ_λ = A + λ·B, §P2) and re-exported here.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..cache import disk_cached
from ..errors import UsageError
from ..numbers import check_depth
from ..problems.reduction import reduce
from ..problems.scalar import ScalarProblem
from ..problems.symbols import DEPTH, LAYER, M, MABS, P, RHO, W
from ..problems.threshold import ProblemThreshold, derive_problem_threshold

__all__ = ["ProblemModel", "ProblemThreshold", "balanced_hessian_eigenvalues", "derive_problem_threshold",
           "problem_model"]


@dataclass(frozen=True)
class ProblemModel:
    """The L-variable objective (target M signed, λ = LAM) with gradient and Hessian.

    DiracDelta terms of the derivatives are dropped: the derivatives are valid wherever every w_l ≠ 0, and
    everywhere when the penalty is smooth at 0 (``Reduction.smooth_at_zero``).
    """

    depth: int
    w: tuple[sp.Symbol, ...]
    objective: sp.Expr
    gradient: tuple[sp.Expr, ...]
    hessian: sp.Matrix


def _drop_delta(expr: sp.Expr) -> sp.Expr:
    """expr without its DiracDelta terms (each vanishes where its argument w_l ≠ 0)."""
    if not expr.has(sp.DiracDelta):
        return expr
    return expr.replace(lambda e: isinstance(e, sp.DiracDelta), lambda e: sp.Integer(0))


@lru_cache(maxsize=128)
@disk_cached
def problem_model(problem: ScalarProblem, depth: int) -> ProblemModel:
    """F(w_1..w_L), ∇F and ∇²F for ``problem`` at depth L (cached)."""
    L = check_depth(depth)
    w = sp.symbols(f"w1:{L + 1}", real=True)
    product = sp.Mul(*w)
    penalties = [problem.penalty.xreplace({W: wi, LAYER: sp.Integer(l), DEPTH: sp.Integer(L)})
                 for l, wi in enumerate(w, start=1)]
    objective = problem.loss.xreplace({P: product}) + sp.Add(*penalties)
    gradient = tuple(_drop_delta(sp.diff(objective, wi)) for wi in w)
    upper = {(i, j): _drop_delta(sp.diff(gradient[i], w[j])) for i in range(L) for j in range(i, L)}
    hessian = sp.Matrix(L, L, lambda i, j: upper[(min(i, j), max(i, j))])
    return ProblemModel(L, tuple(w), objective, gradient, hessian)



def _signs(depth: int, count: int) -> list[tuple[int, ...]]:
    """The first ``count`` sign vectors s ∈ {±1}^L with ∏s = +1."""
    out = []
    for code in range(min(count, 2 ** (depth - 1))):
        s = [1 - 2 * ((code >> i) & 1) for i in range(depth - 1)]
        s.append(1 if sum(x < 0 for x in s) % 2 == 0 else -1)
        out.append(tuple(s))
    return out


@lru_cache(maxsize=128)
@disk_cached
def balanced_hessian_eigenvalues(problem: ScalarProblem, depth: int) -> tuple[tuple[sp.Expr, int], ...]:
    """Eigenvalues (with multiplicities) of ∇²F at w_l = ρ·s_l, ∏s = sign m, with |m| eliminated through
    stationarity where that has one solution (else the result is in MABS too).

    With P_i = ∏_{k≠i} w_k: H_ij = ℓ''·P_i·P_j + ℓ'·P_ij (i ≠ j) and H_ii = ℓ''·P_i² + penalty''(w_i), so at
    w = ρ·s, H = D_s(α·11ᵀ + β·I)D_s with α = ℓ''ρ^(2L−2) + ℓ'ρ^(L−2), β = penalty''(ρ) − ℓ'ρ^(L−2), and the
    eigenvalues are β (L − 1 times) and β + L·α. Stationarity ℓ'ρ^L = −ρ·penalty'(ρ) removes ℓ' when it is linear
    in |m| (then |m| is eliminated; otherwise ℓ' stays, in MABS, valid at any balanced point). The D(α11ᵀ+βI)D
    form is confirmed entry by entry on the model's Hessian for a few sign patterns. Per-layer problems
    (γ_l ≠ 1) are refused: there H = D(α11ᵀ + βI)D with D = diag(s_l/γ_l) not orthogonal, and the spectrum
    solves a secular equation with no closed form in general.
    """
    red = reduce(problem, depth)
    L = red.depth
    if any(g != 1 for g in red.scales):
        raise UsageError(f"the Hessian spectrum at the minimizers of a per-layer problem ({problem.label()}) has no "
                         "closed form: its eigenvalues solve a secular equation")
    stationary = sp.expand(red.stationary)
    linear = stationary.is_polynomial(MABS) and sp.degree(stationary, MABS) == 1
    m_value = sp.simplify(sp.solve(stationary, MABS)[0]) if linear else MABS
    d1 = sp.diff(problem.loss, P).xreplace({P: RHO**L, M: m_value})
    d2 = sp.diff(problem.loss, P, 2).xreplace({P: RHO**L, M: m_value})
    balanced = sp.simplify(red.phi - problem.loss.xreplace({P: RHO**L, M: MABS})) / L
    pen1 = sp.diff(balanced, RHO)
    pen2 = sp.diff(balanced, RHO, 2)
    slope = -pen1 / RHO if m_value != MABS else d1 * RHO ** (L - 2)
    alpha = sp.simplify(d2 * RHO ** (2 * L - 2) + slope)
    beta = sp.simplify(pen2 - slope)
    model = problem_model(problem, L)
    for s in _signs(L, 2):
        point = {wi: si * RHO for wi, si in zip(model.w, s)}
        H = model.hessian.xreplace(point).xreplace({M: m_value})
        for i in range(L):
            for j in range(i, L):
                target = s[i] * s[j] * (alpha + (beta if i == j else 0)) if L > 1 else alpha + beta
                gap = H[i, j] - target
                if sp.expand(gap) != 0 and sp.simplify(gap) != 0:
                    raise RuntimeError(f"depth {L}: the Hessian at the sign pattern {s} lacks the D(α11ᵀ + βI)D form")
    if L == 1:
        return ((sp.simplify(alpha + beta), 1),)
    return ((beta, L - 1), (sp.simplify(beta + L * alpha), 1))
