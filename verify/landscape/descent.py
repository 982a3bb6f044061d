"""Batched gradient descent and a Newton polish on the deep matrix objective (numeric routes).

Descent is not a stand-in for the global minimizer (0 is a local minimum for L >= 3 and nonzero
local minima survive above the threshold): callers compare objective values with a constructed
global minimizer before trusting a descent result.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .deep_matrix import flatten, gradient, gradient_unchecked, hessian, objective, product, unflatten, validate


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
                     callback: Callable[[int, list[np.ndarray]], None] | None = None,
                     monotone: bool = False) -> list[np.ndarray]:
    """``steps`` iterations of W ← W − η∇F on a batch (N, d_l, d_(l−1)); η scalar or shape (N,).

    With ``monotone`` a step that does not decrease F (or is not finite) is rejected and that
    instance's η halved; without it the step is fixed, as in the plain method (a non-finite step
    freezes the instance at its last finite point, visible to callers through its objective).
    """
    Ws, M, a_c, b_c = validate(Ws0, M, a, b)
    Ws = [W.copy() for W in Ws]
    n = Ws[0].shape[0]
    eta_v = np.broadcast_to(np.asarray(eta, dtype=float), (n,)).copy()
    with np.errstate(over="ignore", invalid="ignore"):
        f = objective(Ws, M, a, b) if monotone else None
        for t in range(steps):
            if callback is not None:
                callback(t, Ws)
            G = gradient_unchecked(Ws, M, a_c, b_c)
            new = [W - eta_v[:, None, None] * g for W, g in zip(Ws, G)]
            if monotone:
                fn = _objective_raw(new, M, a, b)
                ok = np.isfinite(fn) & (fn <= f)
                f = np.where(ok, fn, f)
                eta_v = np.where(ok, eta_v, eta_v / 2)
            elif all(np.isfinite(np.sum(W)) for W in new):
                Ws = new
                continue
            else:
                ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in new], axis=0)
            Ws = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
    return Ws


def _objective_raw(Ws, M, a, b) -> np.ndarray:
    """F without input validation (iterates may be non-finite; they are rejected by the caller)."""
    P = product(Ws)
    a_ = np.asarray(a, dtype=float).reshape(-1)
    b_ = np.asarray(b, dtype=float).reshape(-1)
    data = np.sum((P - M) ** 2, axis=(-1, -2))
    reg = sum(np.sum(W * W, axis=(-1, -2)) for W in Ws)
    return a_ / 2 * data + b_ / 2 * reg


def newton_polish(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, steps: int = 8,
                  rcond: float = 1e-10) -> list[np.ndarray]:
    """Pseudo-inverse Newton steps on one instance, accepted only if F does not increase.

    Near a manifold of minimizers the Hessian is singular along the orbit; the pseudo-inverse
    step ignores those directions and converges quadratically to the manifold (Morse–Bott).
    """
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    x = flatten(list(Ws))
    if not np.all(np.isfinite(x)):
        return list(Ws)
    f = float(objective(unflatten(x, dims), M, a, b))
    for _ in range(steps):
        W = unflatten(x, dims)
        g = flatten(gradient(W, M, a, b))
        if np.linalg.norm(g) <= 1e-15 * max(np.linalg.norm(x), 1.0) * max(a * np.linalg.norm(M), b):
            break
        H = hessian(W, M, a, b)
        if not np.all(np.isfinite(H)):
            break
        try:
            dx = np.linalg.lstsq(H, -g, rcond=rcond)[0]
        except np.linalg.LinAlgError:
            break
        xn = x + dx
        fn = float(objective(unflatten(xn, dims), M, a, b))
        if not np.isfinite(fn) or fn > f + 1e-14 * max(abs(f), 1.0):
            break
        x, f = xn, fn
    return unflatten(x, dims)


def newton_critical(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, steps: int = 40,
                    rcond: float = 1e-12) -> tuple[list[np.ndarray], float]:
    """Plain pseudo-inverse Newton iteration (no descent safeguard) on one instance.

    Newton is attracted by every nondegenerate critical point, saddles included, so it finds
    critical points descent never reaches. Returns the last iterate and its relative gradient
    ||∇F|| / (||W||·max(a||M||, b)).
    """
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    x = flatten(list(Ws))
    scale_c = max(a * np.linalg.norm(M), b)
    rel = np.inf
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            W = unflatten(x, dims)
            g = flatten(gradient(W, M, a, b))
            rel = float(np.linalg.norm(g) / (max(np.linalg.norm(x), 1.0) * scale_c))
            if rel <= 1e-15:
                break
            H = hessian(W, M, a, b)
            try:
                dx = np.linalg.lstsq(H, -g, rcond=rcond)[0]
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(x + dx)) or np.linalg.norm(dx) > 1e6 * max(np.linalg.norm(x), 1.0):
                break
            x = x + dx
    return unflatten(x, dims), rel
