"""Independent hand-written numpy route for the deep matrix factorization objective.

Used only to validate the kernels generated from the symbolic derivation, so it shares nothing
with them: prefix/suffix products and the product rule written out by hand,

    Pre_l = W_l⋯W_1, Suf_l = W_L⋯W_{l+1}, R = Pre_L − M,
    ∇_l F = a·Suf_lᵀ R Pre_{l−1}ᵀ + b·W_l,
    H[V]_l = a·(dSuf_lᵀ R Pre_{l−1}ᵀ + Suf_lᵀ dR Pre_{l−1}ᵀ + Suf_lᵀ R dPre_{l−1}ᵀ) + b·V_l,

with dPre, dSuf, dR the forward (tangent) derivatives along V; the dense Hessian is H applied
to the P unit vectors. Batched arrays: W_l has shape (N, d_l, d_{l−1}); a, b have shape (N,).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np


def _t(x: np.ndarray) -> np.ndarray:
    return np.swapaxes(x, -1, -2)


def _eye_like(n: int, batch: tuple[int, ...]) -> np.ndarray:
    return np.broadcast_to(np.eye(n), batch + (n, n))


def _prefix_suffix(Ws: Sequence[np.ndarray]):
    L = len(Ws)
    batch = Ws[0].shape[:-2]
    pre = [_eye_like(Ws[0].shape[-1], batch)]
    for w in Ws:
        pre.append(w @ pre[-1])
    suf = [None] * (L + 1)
    suf[L] = _eye_like(Ws[-1].shape[-2], batch)
    for l in range(L - 1, -1, -1):
        suf[l] = suf[l + 1] @ Ws[l]
    return pre, suf  # pre[l] = W_l⋯W_1, suf[l] = W_L⋯W_{l+1}


def objective(Ws, M, a, b) -> np.ndarray:
    pre, _ = _prefix_suffix(Ws)
    R = pre[-1] - M
    reg = sum(np.sum(w ** 2, axis=(-2, -1)) for w in Ws)
    return 0.5 * a * np.sum(R ** 2, axis=(-2, -1)) + 0.5 * b * reg


def gradient(Ws, M, a, b) -> tuple[np.ndarray, ...]:
    pre, suf = _prefix_suffix(Ws)
    R = pre[-1] - M
    A, B = np.asarray(a)[..., None, None], np.asarray(b)[..., None, None]
    return tuple(A * (_t(suf[l + 1]) @ R @ _t(pre[l])) + B * Ws[l] for l in range(len(Ws)))


def hvp(Ws, M, Vs, a, b) -> tuple[np.ndarray, ...]:
    L = len(Ws)
    pre, suf = _prefix_suffix(Ws)
    R = pre[-1] - M
    dpre = [np.zeros_like(pre[0])]
    for l in range(L):
        dpre.append(Vs[l] @ pre[l] + Ws[l] @ dpre[l])
    dsuf = [None] * (L + 1)
    dsuf[L] = np.zeros_like(suf[L])
    for l in range(L - 1, -1, -1):
        dsuf[l] = dsuf[l + 1] @ Ws[l] + suf[l + 1] @ Vs[l]
    dR = dpre[-1]
    A, B = np.asarray(a)[..., None, None], np.asarray(b)[..., None, None]
    out = []
    for l in range(L):
        term = (_t(dsuf[l + 1]) @ R @ _t(pre[l]) + _t(suf[l + 1]) @ dR @ _t(pre[l])
                + _t(suf[l + 1]) @ R @ _t(dpre[l]))
        out.append(A * term + B * Vs[l])
    return tuple(out)


def hessian(Ws, M, a, b) -> np.ndarray:
    """Dense (N, P, P) Hessian, column c = H applied to the c-th unit vector."""
    shapes = [w.shape[-2:] for w in Ws]
    sizes = [r * c for r, c in shapes]
    P = sum(sizes)
    basis = np.eye(P)
    Vs, off = [], 0
    for (r, c), s in zip(shapes, sizes):
        Vs.append(basis[:, off:off + s].reshape(1, P, r, c))
        off += s
    W1 = [w[:, None] for w in Ws]
    A, B = np.asarray(a)[:, None], np.asarray(b)[:, None]
    cols = hvp(W1, M[:, None], Vs, A, B)  # each (N, P, r, c): column index first
    H = np.concatenate([c.reshape(c.shape[0], P, -1) for c in cols], axis=2)  # (N, col, row)
    return np.swapaxes(H, 1, 2)
