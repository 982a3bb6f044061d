"""Newton iterations on many instances at once: ``descent.newton_critical`` and ``descent.newton_polish`` on a
batch, with the Hessians, gradients, norms and objectives of all running instances formed in one set of NumPy
calls instead of one set per instance (on the suite's 20–60-parameter problems a call's overhead costs more than
its arithmetic).

Each instance sees the floating-point operations of the one-instance routines: a stacked matmul runs the same
BLAS kernel on every matrix of the stack, elementwise operations are correctly rounded whatever the batch, a
norm is the same dot product (a stacked 1×n by n×1 product, as ``np.linalg.norm`` of a vector), and the
pseudo-inverse step stays one ``np.linalg.lstsq`` call per instance. So the iterates are identical bit for bit
(``tests/test_route_newton_stacked.py``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .deep_matrix import (
    flatten, gradient_unchecked, hessian_stack, objective, objective_unchecked, unflatten, validate,
)


def row_norms(X: np.ndarray) -> np.ndarray:
    """‖X[i]‖₂ of each row of an (N, n) array, as ``np.linalg.norm(X[i])`` computes it (√ of the dot product)."""
    return np.sqrt((X[:, None, :] @ X[:, :, None])[:, 0, 0])


def _frobenius(M: np.ndarray) -> np.ndarray:
    """‖M[i]‖_F of each matrix of an (N, r, c) stack, as ``np.linalg.norm(M[i])``."""
    return row_norms(np.ascontiguousarray(M).reshape(M.shape[0], -1))


def _batch(Ws: Sequence[np.ndarray], M, a, b) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, np.ndarray]:
    """Validated float layers (N, d_l, d_(l−1)), targets (N, d_L, d_0) and a, b of shape (N,)."""
    Ws, M, a_c, b_c = validate(Ws, M, a, b)
    n = Ws[0].shape[0]
    M = np.ascontiguousarray(np.broadcast_to(M, (n,) + M.shape[-2:]))
    a_v = np.ascontiguousarray(np.broadcast_to(np.reshape(a_c, -1), (n,)))
    b_v = np.ascontiguousarray(np.broadcast_to(np.reshape(b_c, -1), (n,)))
    return Ws, M, a_v, b_v


def newton_critical_many(Ws: Sequence[np.ndarray], M, a, b, steps: int = 40,
                         rcond: float = 1e-12) -> tuple[list[np.ndarray], np.ndarray]:
    """``descent.newton_critical`` on every instance of a batch (N, d_l, d_(l−1)); M shared or (N, d_L, d_0),
    a and b scalars or (N,). Returns the last iterates (batched) and each instance's relative gradient
    ‖∇F‖ / (max(‖W‖, 1)·max(a‖M‖, b))."""
    Ws, M, a_v, b_v = _batch(Ws, M, a, b)
    dims = [Ws[0].shape[2]] + [W.shape[1] for W in Ws]
    x = flatten(Ws).copy()
    scale = np.maximum(a_v * _frobenius(M), b_v)
    rel = np.full(x.shape[0], np.inf)
    act = np.arange(x.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            if act.size == 0:
                break
            xa = x[act]
            g = flatten(gradient_unchecked(unflatten(xa, dims), M[act], a_v[act, None, None], b_v[act, None, None]))
            r = row_norms(g) / (np.maximum(row_norms(xa), 1.0) * scale[act])
            rel[act] = r
            go = ~(r <= 1e-15)
            act, xa, g = act[go], xa[go], g[go]
            if act.size == 0:
                break
            H = hessian_stack(unflatten(xa, dims), M[act], a_v[act], b_v[act])
            keep = np.zeros(act.size, dtype=bool)
            for i in range(act.size):
                try:
                    dx = np.linalg.lstsq(H[i], -g[i], rcond=rcond)[0]
                except np.linalg.LinAlgError:
                    continue
                if not np.all(np.isfinite(xa[i] + dx)) or np.linalg.norm(dx) > 1e6 * max(np.linalg.norm(xa[i]), 1.0):
                    continue
                x[act[i]] = xa[i] + dx
                keep[i] = True
            act = act[keep]
    return unflatten(x, dims), rel


def newton_polish_many(Ws: Sequence[np.ndarray], M, a, b, steps: int = 8, rcond: float = 1e-10) -> list[np.ndarray]:
    """``descent.newton_polish`` on every instance of a batch of finite layers (N, d_l, d_(l−1)); M shared or
    (N, d_L, d_0), a and b scalars or (N,): pseudo-inverse Newton steps, each accepted only if F does not
    increase. Returns the polished layers (batched). Non-finite layers are a usage error here (the one-instance
    polish returns them unchanged: callers leave such runs out)."""
    Ws, M, a_v, b_v = _batch(Ws, M, a, b)
    dims = [Ws[0].shape[2]] + [W.shape[1] for W in Ws]
    x = flatten(Ws).copy()
    f = objective(Ws, M, a_v, b_v)
    sc = np.maximum(a_v * _frobenius(M), b_v)
    act = np.arange(x.shape[0])
    for _ in range(steps):
        if act.size == 0:
            break
        xa = x[act]
        g = flatten(gradient_unchecked(unflatten(xa, dims), M[act], a_v[act, None, None], b_v[act, None, None]))
        go = ~(row_norms(g) <= 1e-15 * np.maximum(row_norms(xa), 1.0) * sc[act])
        act, xa, g = act[go], xa[go], g[go]
        if act.size == 0:
            break
        H = hessian_stack(unflatten(xa, dims), M[act], a_v[act], b_v[act])
        ok = np.all(np.isfinite(H), axis=(1, 2))
        xn = np.empty_like(xa)
        for i in range(act.size):
            if not ok[i]:
                continue
            try:
                xn[i] = xa[i] + np.linalg.lstsq(H[i], -g[i], rcond=rcond)[0]
            except np.linalg.LinAlgError:
                ok[i] = False
        act, xa, xn = act[ok], xa[ok], xn[ok]
        finite = np.all(np.isfinite(xn), axis=1)
        for i in np.flatnonzero(~finite):  # a non-finite step: ``objective`` raises, as the one-instance polish does
            objective(unflatten(xn[i], dims), M[act[i]], a_v[act[i]], b_v[act[i]])
        fn = objective_unchecked(unflatten(xn, dims), M[act], a_v[act], b_v[act])
        fa = f[act]
        acc = np.isfinite(fn) & ~(fn > fa + 1e-14 * np.maximum(np.abs(fa), 1.0))
        act, xn, fn = act[acc], xn[acc], fn[acc]
        x[act] = xn
        f[act] = fn
    return unflatten(x, dims)
