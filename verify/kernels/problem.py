"""Batched float64 kernels for a user's scalar problem, compiled from its symbolic model.

``lambdify(..., "numpy", cse=True)`` turns the objective, gradient and Hessian of
``verify.symbolic.problem.problem_model`` into NumPy functions evaluated on N instances at once
(DiracDelta terms already dropped there: the derivatives hold wherever every w_l ≠ 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from ..problems.scalar import ScalarProblem
from ..problems.symbols import LAM, M
from ..symbolic.problem import problem_model


@dataclass(frozen=True)
class ProblemKernels:
    """F, ∇F, ∇²F at depth L on batches: W (N, L), m (N,), lam (N,) -> (N,), (N, L), (N, L, L)."""

    depth: int
    objective: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def _arguments(depth: int, W: np.ndarray, m, lam) -> tuple[list[np.ndarray], int]:
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2 or W.shape[1] != depth:
        raise ValueError(f"W must have shape (N, {depth}), got {W.shape}")
    n = W.shape[0]
    m = np.broadcast_to(np.asarray(m, dtype=np.float64), (n,))
    lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), (n,))
    return [*W.T, m, lam], n


@lru_cache(maxsize=128)
def problem_kernels(problem: ScalarProblem, depth: int) -> ProblemKernels:
    """Compile (once per problem and depth) the objective, gradient and Hessian to NumPy."""
    model = problem_model(problem, depth)
    L = model.depth
    args = [*model.w, M, LAM]
    obj = sp.lambdify(args, model.objective, "numpy", cse=True)
    grad = sp.lambdify(args, list(model.gradient), "numpy", cse=True)
    hess = sp.lambdify(args, list(model.hessian), "numpy", cse=True)

    def objective(W: np.ndarray, m, lam) -> np.ndarray:
        values, n = _arguments(L, W, m, lam)
        return np.broadcast_to(obj(*values), (n,)).astype(np.float64)

    def gradient(W: np.ndarray, m, lam) -> np.ndarray:
        values, n = _arguments(L, W, m, lam)
        return np.stack([np.broadcast_to(c, (n,)) for c in grad(*values)], axis=1).astype(np.float64)

    def hessian(W: np.ndarray, m, lam) -> np.ndarray:
        values, n = _arguments(L, W, m, lam)
        flat = np.stack([np.broadcast_to(e, (n,)) for e in hess(*values)], axis=1)
        return flat.reshape(n, L, L).astype(np.float64)

    return ProblemKernels(L, objective, gradient, hessian)
