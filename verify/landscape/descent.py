"""Batched gradient descent and a Newton polish on the deep matrix objective (numeric routes).

Descent is not a stand-in for the global minimizer (0 is a local minimum for L >= 3 and nonzero
local minima survive above the threshold): callers compare objective values with a constructed
global minimizer before trusting a descent result.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .deep_matrix import flatten, gradient, hessian, objective, unflatten, validate


def random_layers(rng: np.random.Generator, dims: Sequence[int], n: int, scale: float) -> list[np.ndarray]:
    """n batched random layers, Gaussian entries with standard deviation ``scale``."""
    return [scale * rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(len(dims) - 1)]


def step_size(M: np.ndarray, depth: int, a: float, b: float, scale: float = 1.0) -> float:
    """A conservative step η ≈ 1/(local smoothness) near points with layer norms ~ ||M||^(1/L).

    The Hessian's data block scales like a·L·||M||₂^(2(L−1)/L); we take η = 0.25/(that + b),
    with ``scale`` shrinking it further for random starts of larger norm.
    """
    sm = max(float(np.linalg.norm(M, 2)), 1e-12)
    return 0.25 / (a * depth * max(sm, 1.0) ** (2 * (depth - 1) / depth) * scale + b)


def gradient_descent(Ws0: Sequence[np.ndarray], M: np.ndarray, a, b, eta, steps: int,
                     callback: Callable[[int, list[np.ndarray]], None] | None = None) -> list[np.ndarray]:
    """``steps`` iterations of W ← W − η∇F on a batch; η may be per instance (shape (N,)).

    Instances whose iterates leave the finite range are frozen at their last finite point
    (callers see them through their objective value, never as a crash).
    """
    Ws, M, _, _ = validate(Ws0, M, a, b)
    Ws = [W.copy() for W in Ws]
    eta_arr = np.asarray(eta, dtype=float)
    eta_b = eta_arr[:, None, None] if eta_arr.ndim == 1 else eta_arr
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(steps):
            if callback is not None:
                callback(t, Ws)
            G = gradient(Ws, M, a, b) if all(np.all(np.isfinite(W)) for W in Ws) else None
            if G is None:
                G = _safe_gradient(Ws, M, a, b)
            new = [W - eta_b * g for W, g in zip(Ws, G)]
            if Ws[0].ndim == 3:
                ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in new], axis=0)
                new = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
            Ws = new
    return Ws


def _safe_gradient(Ws, M, a, b):
    """Gradient with non-finite instances replaced by zero (they are frozen)."""
    ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in Ws], axis=0)
    clean = [np.where(ok[:, None, None], W, 0.0) for W in Ws]
    G = gradient(clean, M, a, b)
    return [np.where(ok[:, None, None], g, 0.0) for g in G]


def newton_polish(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, steps: int = 8,
                  rcond: float = 1e-10) -> list[np.ndarray]:
    """Pseudo-inverse Newton steps on one instance, accepted only if F does not increase.

    Near a manifold of minimizers the Hessian is singular along the orbit; the pseudo-inverse
    step ignores those directions and converges quadratically to the manifold (Morse–Bott).
    """
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    x = flatten(list(Ws))
    f = float(objective(unflatten(x, dims), M, a, b))
    for _ in range(steps):
        W = unflatten(x, dims)
        g = flatten(gradient(W, M, a, b))
        if not np.any(g):
            break
        H = hessian(W, M, a, b)
        dx = np.linalg.lstsq(H, -g, rcond=rcond)[0]
        xn = x + dx
        fn = float(objective(unflatten(xn, dims), M, a, b))
        if not np.isfinite(fn) or fn > f + 1e-14 * max(abs(f), 1.0):
            break
        x, f = xn, fn
    return unflatten(x, dims)
