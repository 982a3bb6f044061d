"""Batched float64 kernels for the deep scalar problem, compiled from the symbolic model.

``lambdify(..., cse=True)`` turns the SymPy objective, gradient and Hessian of
``verify.symbolic.scalar.full_model`` into NumPy functions evaluated on N instances at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import sympy as sp

from ..symbolic.scalar import a as a_sym, b as b_sym, full_model, m_signed


@dataclass(frozen=True)
class ScalarKernels:
    """F, ∇F and ∇²F of depth L on batches: W has shape (N, L); m, a, b broadcast to (N,)."""

    depth: int
    _objective: Callable
    _gradient: Callable
    _hessian: Callable

    def _args(self, W: np.ndarray, m, a, b) -> list:
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != self.depth:
            raise ValueError(f"W must have shape (N, {self.depth}), got {W.shape}")
        return [*W.T, np.asarray(m, np.float64), np.asarray(a, np.float64), np.asarray(b, np.float64)]

    def objective(self, W: np.ndarray, m, a, b) -> np.ndarray:
        return np.broadcast_to(self._objective(*self._args(W, m, a, b)), (len(W),)).copy()

    def gradient(self, W: np.ndarray, m, a, b) -> np.ndarray:
        cols = self._gradient(*self._args(W, m, a, b))
        return np.stack([np.broadcast_to(c, (len(W),)) for c in cols], axis=1)

    def hessian(self, W: np.ndarray, m, a, b) -> np.ndarray:
        entries = self._hessian(*self._args(W, m, a, b))
        L, N = self.depth, len(W)
        flat = np.stack([np.broadcast_to(e, (N,)) for e in entries], axis=1)
        return flat.reshape(N, L, L)


@lru_cache(maxsize=None)
def scalar_kernels(depth: int) -> ScalarKernels:
    """Compile (once per depth) the symbolic objective, gradient and Hessian to NumPy."""
    fm = full_model(depth)
    args = [*fm.w, m_signed, a_sym, b_sym]
    obj = sp.lambdify(args, fm.objective, "numpy", cse=True)
    grad = sp.lambdify(args, list(fm.gradient), "numpy", cse=True)
    hess = sp.lambdify(args, list(fm.hessian), "numpy", cse=True)
    return ScalarKernels(depth, obj, grad, hess)


def stationary_radii_batch(depth: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray,
                           imag_tol: float = 1e-7) -> list[np.ndarray]:
    """Real positive roots ρ of a·ρ^(2L−2) − a|m|·ρ^(L−2) + b per instance (float64).

    Batched companion-matrix eigenvalues; a root counts as real when |Im ρ| ≤ imag_tol·|ρ| (a
    looser test than rounding, so near-double roots are kept, then judged by their objective).
    """
    L = depth
    mabs, a, b = np.broadcast_arrays(np.asarray(mabs, float), np.asarray(a, float), np.asarray(b, float))
    N = mabs.shape[0]
    if L == 1:
        return [np.array([ai * mi / (ai + bi)]) for mi, ai, bi in zip(mabs, a, b)]
    deg = 2 * L - 2
    coeffs = np.zeros((N, deg + 1))  # highest degree first
    coeffs[:, 0] = a
    coeffs[:, deg - (L - 2)] += -a * mabs
    coeffs[:, deg] += b
    monic = coeffs[:, 1:] / coeffs[:, :1]
    comp = np.zeros((N, deg, deg))
    comp[:, 0, :] = -monic
    if deg > 1:
        idx = np.arange(deg - 1)
        comp[:, idx + 1, idx] = 1.0
    roots = np.linalg.eigvals(comp)
    out = []
    for r in roots:
        keep = (np.abs(r.imag) <= imag_tol * np.abs(r)) & (r.real > 0)
        out.append(np.sort(r.real[keep]))
    return out


def collapse_gaps(depth: int, m: np.ndarray, a: float, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per instance: F(0), F(0) − min F over the nonzero stationary points (−inf if none), and how many.

    All (instance, root) pairs are evaluated in one kernel call at w = ρ·s with s = (1, …, 1, sign m).
    """
    m = np.asarray(m, float)
    n = m.shape[0]
    b = np.broadcast_to(np.asarray(b, float), (n,))
    kern = scalar_kernels(depth)
    radii = stationary_radii_batch(depth, np.abs(m), a, b)
    f0 = kern.objective(np.zeros((n, depth)), m, a, b)
    owner = np.repeat(np.arange(n), [len(r) for r in radii])
    gaps = np.full(n, -np.inf)
    if owner.size:
        r = np.concatenate(radii)
        signs = np.ones((owner.size, depth))
        signs[:, -1] = np.where(m[owner] < 0, -1.0, 1.0)
        values = kern.objective(r[:, None] * signs, m[owner], a, b[owner])
        best = np.full(n, np.inf)
        np.minimum.at(best, owner, values)
        has = np.isfinite(best)
        gaps[has] = f0[has] - best[has]
    return f0, gaps, np.array([len(r) for r in radii])
