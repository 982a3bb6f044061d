"""Stationary radii of many weighted scalar problems at once, in float64 (the float tier of
kp.weights.classification, ``verify.claims.weights_classification``).

F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σ_l c_l·w_l²; on the ray w = ρ·d (∏d = sign m) the radii are the sign changes
of ∂F/∂ρ = d·∇F on a geometric grid, bisected. The instances of one depth are stacked: every operation is
the one-instance operation elementwise, and the product with d is a stacked matmul of the same shapes as one
instance's ``(k × L) @ d`` (BLAS rounds a row's dot product differently for different k, so instances are
grouped by their number of brackets): the radii are bit for bit those of one instance at a time
(``tests/test_route_weights_batched_rays.py``).
"""
from __future__ import annotations

import numpy as np

__all__ = ["ray_roots", "ray_slopes"]


def ray_slopes(R: np.ndarray, A: np.ndarray, M: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray) -> np.ndarray:
    """∂F/∂ρ along the rays w = ρ·d_i at the radii R[i, :], for n instances at once (R: n × k, the rest per
    instance): d·∇F with ∇F_l = a(P − m)·P/w_l + b·c_l·w_l.

    Elementwise the same operations as one instance at a time, and the product with d is a stacked matmul,
    (k × L)·d per instance, the same BLAS call with the same shapes as ``(k × L) @ d``: the same bits (a
    row's dot product in BLAS depends on k, so the instances of one batch share k)."""
    w = R[:, :, None] * D[:, None, :]
    P = np.prod(w, axis=2)
    Pi = P[:, :, None] / w
    term = (A[:, None] * (P - M[:, None]))[:, :, None] * Pi + (B[:, None] * C)[:, None, :] * w
    return (term @ D[:, :, None])[:, :, 0]


def ray_roots(A: np.ndarray, M: np.ndarray, B: np.ndarray, C: np.ndarray, D: np.ndarray, top: np.ndarray) -> list[list[float]]:
    """Per instance, the sign changes of ∂F/∂ρ on a geometric grid of 2000 radii in top·[1e-7, 1], each bisected
    80 times (the instances with the same number of brackets at once)."""
    rho = top[:, None] * np.geomspace(1e-7, 1.0, 2000)[None, :]
    g = ray_slopes(rho, A, M, B, C, D)
    brackets = []
    for i in range(len(top)):
        idx = np.nonzero(np.sign(g[i, :-1]) * np.sign(g[i, 1:]) < 0)[0]
        brackets.append((rho[i, idx], rho[i, idx + 1], np.sign(g[i, idx])))
    roots: list[list[float]] = [[] for _ in top]
    for k in sorted({len(br[0]) for br in brackets} - {0}):
        rows = [i for i, br in enumerate(brackets) if len(br[0]) == k]
        lo, hi, s_lo = (np.stack([brackets[i][j] for i in rows]) for j in range(3))
        sub = [np.ascontiguousarray(X[rows]) for X in (A, M, B, C, D)]
        for _ in range(80):  # bisection of every bracket at once
            mid = 0.5 * (lo + hi)
            left = np.sign(ray_slopes(mid, *sub)) == s_lo
            lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
        for r, i in enumerate(rows):
            roots[i] = list(0.5 * (lo[r] + hi[r]))
    return roots
