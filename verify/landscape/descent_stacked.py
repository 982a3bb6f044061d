"""The monotone descent loop of ``descent.gradient_descent`` for batches whose hidden widths are all equal.

With d_1 = … = d_(L−1) = h the hidden layers W_2..W_(L−1) share one shape, and so do the partial products
the gradient needs: A_l = W_L⋯W_(l+1) (d_L × h, l < L) and B_l = W_(l−1)⋯W_1 (h × d_0, l > 1). They are kept
stacked, (·, N, ·, ·) arrays, so one NumPy call forms all A_lᵀR, one all (A_lᵀR)B_lᵀ of the hidden layers,
one steps every hidden layer and one squares them: about half the calls per step of the layer-by-layer loop
on the small matrices of the suite, where a call's overhead costs more than its arithmetic.
Each matrix product and each elementwise operation is the one the layer-by-layer loop performs, on the same
operands in the same order (stacking only batches them), so the iterates are identical bit for bit
(``tests/test_route_stacked_descent.py``).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

_ADD = np.add.reduce


def _t(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


def uniform_hidden(Ws: Sequence[np.ndarray]) -> bool:
    """True for a batch (N, d_l, d_(l−1)) of depth L ≥ 3 whose hidden widths d_1..d_(L−1) are all equal."""
    if len(Ws) < 3 or Ws[0].ndim != 3:
        return False
    h = Ws[0].shape[1]
    return all(W.shape[1] == h and W.shape[2] == h for W in Ws[1:-1]) and Ws[-1].shape[2] == h


class _State:
    """One point of the batch: P[k] = W_(k+1)⋯W_1 (P[0] is the layer W_1), Wm the hidden layers W_2..W_(L−1)
    stacked, A[L−2] the layer W_L (A[0..L−3] scratch for the partial products W_L⋯W_(l+1)), prod = W_L⋯W_1."""

    def __init__(self, L: int, n: int, h: int, d0: int, dL: int) -> None:
        self.P = np.empty((L - 1, n, h, d0))
        self.Wm = np.empty((L - 2, n, h, h))
        self.A = np.empty((L - 1, n, dL, h))
        self.prod = np.empty((n, dL, d0))

    def layers(self) -> list[np.ndarray]:
        return [self.P[0]] + list(self.Wm) + [self.A[-1]]

    def prefix(self) -> None:
        """P[1..L−2] and prod from the layers, in ``prefix_products``' order (W_(k+1) @ P[k−1])."""
        for k in range(1, self.P.shape[0]):
            np.matmul(self.Wm[k - 1], self.P[k - 1], out=self.P[k])
        np.matmul(self.A[-1], self.P[-1], out=self.prod)


def monotone_uniform(Ws: list[np.ndarray], M: np.ndarray, a_c, b_c, a_h: np.ndarray, b_h: np.ndarray,
                     f: np.ndarray, eta_v: np.ndarray, steps: int) -> list[np.ndarray]:
    """``steps`` monotone descent steps (a step that does not decrease F, or is not finite, is rejected and that
    instance's η halved) from the validated finite layers ``Ws`` with F = ``f``; returns the final layers."""
    L = len(Ws)
    n, h, d0 = Ws[0].shape
    dL = Ws[-1].shape[1]
    cur, nxt = _State(L, n, h, d0, dL), _State(L, n, h, d0, dL)
    cur.P[0] = Ws[0]
    cur.Wm[...] = np.stack(Ws[1:-1])
    cur.A[-1] = Ws[-1]
    cur.prefix()
    # coefficients broadcast once to each layer group's full shape: the same products per entry, and NumPy
    # multiplies equal-shape contiguous arrays several times faster than it broadcasts an (N, 1, 1) factor
    shapes = (cur.P[0].shape, cur.Wm.shape, cur.A[-1].shape)
    full = lambda c: [np.ascontiguousarray(np.broadcast_to(c, s)) for s in shapes]  # noqa: E731
    (a0, am, aL), (b0, bm, bL) = full(a_c), full(b_c)
    e0, em, eL = full(eta_v[:, None, None])
    for _ in range(steps):
        P, Wm, A = cur.P, cur.Wm, cur.A
        R = cur.prod - M
        for l in range(L - 3, -1, -1):  # A[l] = W_L⋯W_(l+2) = A[l+1] @ W_(l+2)
            np.matmul(A[l + 1], Wm[l], out=A[l])
        X = _t(A) @ R  # A_lᵀR for the layers W_1..W_(L−1)
        Bt = np.ascontiguousarray(_t(P))  # B_lᵀ: a contiguous copy, the same products as the transposed view
        g0 = a0 * X[0] + b0 * P[0]
        gm = am * (X[1:] @ Bt[:-1]) + bm * Wm
        gL = aL * (R @ Bt[-1]) + bL * A[-1]
        np.subtract(P[0], e0 * g0, out=nxt.P[0])
        np.subtract(Wm, em * gm, out=nxt.Wm)
        np.subtract(A[-1], eL * gL, out=nxt.A[-1])
        nxt.prefix()
        sm = _ADD(nxt.Wm * nxt.Wm, axis=(-1, -2))
        total = _ADD(nxt.P[0] * nxt.P[0], axis=(-1, -2))
        for k in range(L - 2):
            total = total + sm[k]
        total = total + _ADD(nxt.A[-1] * nxt.A[-1], axis=(-1, -2))
        fn = a_h * _ADD((nxt.prod - M) ** 2, axis=(-1, -2)) + b_h * total
        ok = np.isfinite(fn) & (fn <= f)
        if ok.all():
            f = fn
            cur, nxt = nxt, cur
            continue
        f = np.where(ok, fn, f)
        eta_v = np.where(ok, eta_v, eta_v / 2)
        e0, em, eL = full(eta_v[:, None, None])
        keep = ok[:, None, None]
        np.copyto(cur.P, nxt.P, where=keep)
        np.copyto(cur.Wm, nxt.Wm, where=keep)
        np.copyto(cur.A[-1], nxt.A[-1], where=keep)
        np.copyto(cur.prod, nxt.prod, where=keep)
    return cur.layers()
