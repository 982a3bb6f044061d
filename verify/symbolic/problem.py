"""A user's scalar problem, derived with SymPy: the L-variable model and the collapse threshold.

F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L). ``problem_model`` differentiates it entry by entry.
``derive_problem_threshold`` works on the proved reduction (``verify.problems.reduction``): with a penalty
linear in λ, φ_λ(ρ) = A(ρ) + λ·B(ρ) with B > 0 on ρ > 0, so some ρ > 0 beats 0 iff λ < R(ρ) =
(A(0) − A(ρ))/B(ρ), and λ* = sup_{ρ>0} R(ρ) (docs/mathematics.md §P2).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sympy as sp

from ..numbers import check_depth
from ..problems.scalar import ScalarProblem
from ..problems.symbols import DEPTH, LAM, LAYER, M, P, W


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
