"""The monotone descent loop of ``descent.gradient_descent`` for batches whose hidden widths are all equal.

With d_1 = … = d_(L−1) = h the hidden layers W_2..W_(L−1) share one shape, and so do the partial products
the gradient needs: A_l = W_L⋯W_(l+1) (d_L × h, l < L) and B_l = W_(l−1)⋯W_1 (h × d_0, l > 1). They are kept
stacked, (·, N, ·, ·) arrays, so one NumPy call forms all A_lᵀR, one all (A_lᵀR)B_lᵀ of the hidden layers,
and the layers sit in one flat buffer, so one call steps every layer (a·X + b·W, W − η·g on the flat arrays) and
one squares them: about a third of the calls per step of the layer-by-layer loop on the small matrices of the
suite, where a call's overhead costs more than its arithmetic (what remains is mostly one BLAS call per matrix
of each stacked product).
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
    """One point of the batch. The layers live in one flat buffer ``theta`` (W_1, then W_2..W_(L−1) stacked, then
    W_L, each block row-major), so the gradient step and the squared norms are one NumPy call each over all layers;
    ``W1``, ``Wm``, ``WL`` are views of it. P[k] = W_(k+1)⋯W_1 (P[0] a copy of W_1), A[L−2] a copy of W_L
    (A[0..L−3] scratch for the partial products W_L⋯W_(l+1)), prod = W_L⋯W_1; ``sq`` scratch for the squares."""

    def __init__(self, L: int, n: int, h: int, d0: int, dL: int) -> None:
        self.theta, (self.W1, self.Wm, self.WL) = _flat(((n, h, d0), (L - 2, n, h, h), (n, dL, h)))
        self.sq, (self.sq1, self.sqm, self.sqL) = _flat(((n, h, d0), (L - 2, n, h, h), (n, dL, h)))
        self.P = np.empty((L - 1, n, h, d0))
        self.A = np.empty((L - 1, n, dL, h))
        self.prod = np.empty((n, dL, d0))

    def layers(self) -> list[np.ndarray]:
        return [self.W1.copy()] + [W.copy() for W in self.Wm] + [self.WL.copy()]

    def prefix(self) -> None:
        """P and prod from the layers, in ``prefix_products``' order (W_(k+1) @ P[k−1])."""
        np.copyto(self.P[0], self.W1)
        for k in range(1, self.P.shape[0]):
            np.matmul(self.Wm[k - 1], self.P[k - 1], out=self.P[k])
        np.matmul(self.WL, self.P[-1], out=self.prod)


def _flat(shapes: Sequence[tuple[int, ...]]) -> tuple[np.ndarray, list[np.ndarray]]:
    """A flat buffer and contiguous views of it with the given shapes, one after the other."""
    sizes = [int(np.prod(s)) for s in shapes]
    buf = np.empty(sum(sizes))
    views, pos = [], 0
    for shape, size in zip(shapes, sizes):
        views.append(buf[pos:pos + size].reshape(shape))
        pos += size
    return buf, views


def monotone_uniform(Ws: list[np.ndarray], M: np.ndarray, a_c, b_c, a_h: np.ndarray, b_h: np.ndarray,
                     f: np.ndarray, eta_v: np.ndarray, steps: int) -> list[np.ndarray]:
    """``steps`` monotone descent steps (a step that does not decrease F, or is not finite, is rejected and that
    instance's η halved) from the validated finite layers ``Ws`` with F = ``f``; returns the final layers."""
    L = len(Ws)
    n, h, d0 = Ws[0].shape
    dL = Ws[-1].shape[1]
    cur, nxt = _State(L, n, h, d0, dL), _State(L, n, h, d0, dL)
    cur.W1[...] = Ws[0]
    cur.Wm[...] = np.stack(Ws[1:-1])
    cur.WL[...] = Ws[-1]
    cur.prefix()
    G_raw, (G1, Gm, GL) = _flat(((n, h, d0), (L - 2, n, h, h), (n, dL, h)))  # A_lᵀRB_lᵀ per layer, flat
    # coefficients broadcast once to every entry of the flat layout: the same products per entry, and NumPy
    # multiplies equal-shape contiguous arrays several times faster than it broadcasts an (N, 1, 1) factor
    shapes = (cur.W1.shape, cur.Wm.shape, cur.WL.shape)
    full = lambda c: np.concatenate([np.broadcast_to(c, s).ravel() for s in shapes])  # noqa: E731
    af, bf, ef = full(a_c), full(b_c), full(eta_v[:, None, None])
    f_finite = bool(np.all(np.isfinite(f)))  # then fn ≤ f already excludes a non-finite fn (and f stays finite)
    for _ in range(steps):
        P, Wm, A = cur.P, cur.Wm, cur.A
        np.copyto(A[-1], cur.WL)
        R = cur.prod - M
        for l in range(L - 3, -1, -1):  # A[l] = W_L⋯W_(l+2) = A[l+1] @ W_(l+2)
            np.matmul(A[l + 1], Wm[l], out=A[l])
        X = _t(A) @ R  # A_lᵀR for the layers W_1..W_(L−1)
        Bt = np.ascontiguousarray(_t(P))  # B_lᵀ: a contiguous copy, the same products as the transposed view
        np.copyto(G1, X[0])
        np.matmul(X[1:], Bt[:-1], out=Gm)
        np.matmul(R, Bt[-1], out=GL)
        g = af * G_raw + bf * cur.theta  # a·A_lᵀRB_lᵀ + b·W_l, every layer
        np.subtract(cur.theta, ef * g, out=nxt.theta)
        nxt.prefix()
        np.multiply(nxt.theta, nxt.theta, out=nxt.sq)
        sm = _ADD(nxt.sqm, axis=(-1, -2))
        total = _ADD(nxt.sq1, axis=(-1, -2))
        for k in range(L - 2):
            total = total + sm[k]
        total = total + _ADD(nxt.sqL, axis=(-1, -2))
        fn = a_h * _ADD((nxt.prod - M) ** 2, axis=(-1, -2)) + b_h * total
        if f_finite and (fn <= f).all():
            f = fn
            cur, nxt = nxt, cur
            continue
        ok = np.isfinite(fn) & (fn <= f)
        if ok.all():
            f = fn
            cur, nxt = nxt, cur
            continue
        f = np.where(ok, fn, f)
        eta_v = np.where(ok, eta_v, eta_v / 2)
        ef = full(eta_v[:, None, None])
        keep = ok[:, None, None]
        np.copyto(cur.W1, nxt.W1, where=keep)
        np.copyto(cur.Wm, nxt.Wm, where=keep)
        np.copyto(cur.WL, nxt.WL, where=keep)
        np.copyto(cur.P, nxt.P, where=keep)
        np.copyto(cur.prod, nxt.prod, where=keep)
    return cur.layers()


def monotone_flat(Ws: list[np.ndarray], M: np.ndarray, a_c, b_c, a_h: np.ndarray, b_h: np.ndarray,
                  f: np.ndarray, eta_v: np.ndarray, steps: int) -> list[np.ndarray]:
    """``monotone_uniform`` for any widths: the layer-by-layer products of ``gradient_from_prefix`` and
    ``prefix_products`` (written into preallocated arrays), with the layers in one flat buffer so that a·X + b·W, the
    step and the squares are one NumPy call each over all layers. The same operations per entry as the loop in
    ``descent``, so the same iterates (``tests/test_route_descent_partial_products.py``)."""
    L = len(Ws)
    n = Ws[0].shape[0]
    shapes = [W.shape for W in Ws]
    cur, nxt = _FlatState(shapes), _FlatState(shapes)
    for V, W in zip(cur.W, Ws):
        V[...] = W
    cur.prefix()
    G_raw, Gv = _flat(shapes)
    A = [np.empty((n,) + M.shape[-2:-1] + (s[1],)) for s in shapes[:-2]]  # A[l] = W_L⋯W_(l+2), l < L − 2
    T = [np.empty((n, s[1]) + M.shape[-1:]) for s in shapes]  # A_lᵀR before its right factor B_lᵀ
    full = lambda c: np.concatenate([np.broadcast_to(c, s).ravel() for s in shapes])  # noqa: E731
    af, bf, ef = full(a_c), full(b_c), full(eta_v[:, None, None])
    f_finite = bool(np.all(np.isfinite(f)))
    R = np.empty((n,) + M.shape[-2:])
    for _ in range(steps):
        W, pre = cur.W, cur.pre
        np.subtract(pre[-1], M, out=R)
        # the partial products W_L⋯W_(l+2) as ``gradient_from_prefix`` forms them (A[L−2] is the layer W_L)
        for l in range(L - 3, -1, -1):
            np.matmul(W[L - 1] if l == L - 3 else A[l + 1], W[l + 1], out=A[l])
        for l in range(L):
            X = R if l == L - 1 else np.matmul(_t(W[L - 1] if l == L - 2 else A[l]), R, out=T[l])
            if l == 0:
                np.copyto(Gv[0], X)
            else:
                np.matmul(X, _t(pre[l - 1]), out=Gv[l])
        g = af * G_raw + bf * cur.theta
        np.subtract(cur.theta, ef * g, out=nxt.theta)
        nxt.prefix()
        np.multiply(nxt.theta, nxt.theta, out=nxt.sq)
        fn = a_h * _ADD((nxt.pre[-1] - M) ** 2, axis=(-1, -2)) + b_h * sum(_ADD(S, axis=(-1, -2)) for S in nxt.sqv)
        if f_finite and (fn <= f).all():
            f = fn
            cur, nxt = nxt, cur
            continue
        ok = np.isfinite(fn) & (fn <= f)
        if ok.all():
            f = fn
            cur, nxt = nxt, cur
            continue
        f = np.where(ok, fn, f)
        eta_v = np.where(ok, eta_v, eta_v / 2)
        ef = full(eta_v[:, None, None])
        keep = ok[:, None, None]
        for Vc, Vn in zip(cur.W + cur.pre[1:], nxt.W + nxt.pre[1:]):
            np.copyto(Vc, Vn, where=keep)
    return [V.copy() for V in cur.W]


class _FlatState:
    """One point of ``monotone_flat``'s batch: the layers ``W`` as views of the flat buffer ``theta``, the prefix
    products pre[k] = W_(k+1)⋯W_1 (pre[0] is the layer W_1 itself), ``sq``/``sqv`` scratch for the squares."""

    def __init__(self, shapes: Sequence[tuple[int, ...]]) -> None:
        self.theta, self.W = _flat(shapes)
        self.sq, self.sqv = _flat(shapes)
        n, d0 = shapes[0][0], shapes[0][2]
        self.pre = [self.W[0]] + [np.empty((n, s[1], d0)) for s in shapes[1:]]

    def prefix(self) -> None:
        """pre[k] = W_(k+1) @ pre[k − 1], as ``prefix_products``."""
        for k in range(1, len(self.W)):
            np.matmul(self.W[k], self.pre[k - 1], out=self.pre[k])
