"""Batched gradient descent and a Newton polish on the deep matrix objective (numeric routes).

Descent is not a stand-in for the global minimizer (0 is a local minimum for L >= 3 and nonzero
local minima survive above the threshold): callers compare objective values with a constructed
global minimizer before trusting a descent result.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from .descent_stacked import monotone_flat, monotone_flat_many, monotone_uniform, uniform_hidden
from .deep_matrix import (
    flatten, gradient_from_prefix, gradient_unchecked, hessian_one, objective, objective_unchecked, prefix_products,
    unflatten, validate,
)


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
        if monotone:
            return _monotone(Ws, M, a, b, a_c, b_c, eta_v, steps, callback)
        eta_b = eta_v[:, None, None]
        for t in range(steps):
            if callback is not None:
                callback(t, Ws)
            G = gradient_unchecked(Ws, M, a_c, b_c)
            new = [W - eta_b * g for W, g in zip(Ws, G)]
            # a finite total means every layer's sum, hence every entry, is finite (else: the exact per-instance test)
            if np.isfinite(sum(_ADD(W, axis=None) for W in new)):
                Ws = new
                continue
            ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in new], axis=0)
            Ws = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
    return Ws


def monotone_descent_many(batches: Sequence[tuple[Sequence[np.ndarray], np.ndarray, object, object, object]],
                          steps: int) -> list[list[np.ndarray]]:
    """``gradient_descent(Ws0, M, a, b, η, steps, monotone=True)`` for each (Ws0, M, a, b, η) of ``batches`` (any
    widths, one batch per shape), all stepped in lockstep by ``descent_stacked.monotone_flat_many``: the same end
    layers as one call per batch, with the per-step NumPy calls that do not depend on the shapes made once for all
    batches instead of once per batch (``tests/test_route_descent_lockstep.py``)."""
    prepared = []
    for Ws0, M, a, b, eta in batches:
        Ws, M_c, a_c, b_c = validate(Ws0, M, a, b)
        Ws = [W.copy() for W in Ws]
        n = Ws[0].shape[0]
        eta_v = np.broadcast_to(np.asarray(eta, dtype=float), (n,)).copy()
        a_h = np.asarray(a, dtype=float).reshape(-1) / 2
        b_h = np.asarray(b, dtype=float).reshape(-1) / 2
        with np.errstate(over="ignore", invalid="ignore"):
            f = objective(Ws, M_c, a, b)
        prepared.append((Ws, M_c, a_c, b_c, a_h, b_h, f, eta_v))
    with np.errstate(over="ignore", invalid="ignore"):
        return monotone_flat_many(prepared, steps)


def _monotone(Ws: list[np.ndarray], M: np.ndarray, a, b, a_c, b_c, eta_v: np.ndarray, steps: int,
              callback: Callable[[int, list[np.ndarray]], None] | None) -> list[np.ndarray]:
    """The monotone loop of ``gradient_descent``, the same arithmetic with less repeated work: the partial
    products W_l⋯W_1 formed for F at the new point are the ones the next gradient needs (kept per instance with
    its accepted point), and a step every instance accepts needs no selection. Each instance sees the same
    operations in the same order as ``gradient_unchecked`` followed by F at the new point, so the iterates are
    identical (``tests/test_route_descent_partial_products.py``)."""
    a_h = np.asarray(a, dtype=float).reshape(-1) / 2
    b_h = np.asarray(b, dtype=float).reshape(-1) / 2
    f = objective(Ws, M, a, b)
    if callback is None:
        run = monotone_uniform if uniform_hidden(Ws) else monotone_flat
        return run(Ws, M, a_c, b_c, a_h, b_h, f, eta_v, steps)
    pre = prefix_products(Ws)
    shapes = [W.shape for W in Ws]
    full = lambda c: [np.ascontiguousarray(np.broadcast_to(c, s)) for s in shapes]  # noqa: E731
    a_l, b_l, eta_l = full(a_c), full(b_c), full(eta_v[:, None, None])  # per layer, the same products per entry
    for t in range(steps):
        if callback is not None:
            callback(t, Ws)
        G = gradient_from_prefix(Ws, pre, M, a_l, b_l)
        new = [W - e * g for W, e, g in zip(Ws, eta_l, G)]
        pn = prefix_products(new)
        fn = a_h * _sq((pn[-1] - M) ** 2) + b_h * sum(_sq(W * W) for W in new)
        ok = np.isfinite(fn) & (fn <= f)
        if ok.all():
            f, Ws, pre = fn, new, pn
            continue
        f = np.where(ok, fn, f)
        eta_v = np.where(ok, eta_v, eta_v / 2)
        eta_l = full(eta_v[:, None, None])
        keep = ok[:, None, None]
        Ws = [np.where(keep, Wn, W) for Wn, W in zip(new, Ws)]
        pre = [Ws[0]] + [np.where(keep, Pn, P) for Pn, P in zip(pn[1:], pre[1:])]
    return Ws


def _sq(X: np.ndarray) -> np.ndarray:
    """The sum over the last two axes: ``np.sum(X, axis=(-1, -2))`` is this ufunc reduction behind a wrapper that
    costs more than the sum on these small batches; the result is the same."""
    return _ADD(X, axis=(-1, -2))


_ADD = np.add.reduce


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
    _, M_c, a_c, b_c = validate(unflatten(x, dims), M, a, b)  # x stays finite: an accepted xn passed ``objective``
    for _ in range(steps):
        W = unflatten(x, dims)
        g = flatten(gradient_unchecked(W, M_c, a_c, b_c))
        if np.linalg.norm(g) <= 1e-15 * max(np.linalg.norm(x), 1.0) * max(a * np.linalg.norm(M), b):
            break
        H = hessian_one(W, M_c, a_c, b_c)
        if not np.all(np.isfinite(H)):
            break
        try:
            dx = np.linalg.lstsq(H, -g, rcond=rcond)[0]
        except np.linalg.LinAlgError:
            break
        xn = x + dx
        Wn = unflatten(xn, dims)
        # a finite step: F without re-validating the instance; otherwise ``objective`` raises as it always did
        fn = float(objective_unchecked(Wn, M_c, a_c, b_c) if np.all(np.isfinite(xn)) else objective(Wn, M, a, b))
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
    _, M_c, a_c, b_c = validate(unflatten(x, dims), M, a, b)  # once: x stays finite (a non-finite step stops)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            W = unflatten(x, dims)
            g = flatten(gradient_unchecked(W, M_c, a_c, b_c))
            rel = float(np.linalg.norm(g) / (max(np.linalg.norm(x), 1.0) * scale_c))
            if rel <= 1e-15:
                break
            H = hessian_one(W, M_c, a_c, b_c)
            try:
                dx = np.linalg.lstsq(H, -g, rcond=rcond)[0]
            except np.linalg.LinAlgError:
                break
            if not np.all(np.isfinite(x + dx)) or np.linalg.norm(dx) > 1e6 * max(np.linalg.norm(x), 1.0):
                break
            x = x + dx
    return unflatten(x, dims), rel
