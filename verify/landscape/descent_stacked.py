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
    row = full(np.arange(n)[:, None, None])  # the instance of every entry: η per entry by one indexing
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
        np.matmul(R, _t(P[-1]), out=GL)  # the view, as the layer-by-layer loop: its BLAS path differs when d_L = 1
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
        ef = eta_v[row]
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
    return monotone_flat_many([(Ws, M, a_c, b_c, a_h, b_h, f, eta_v)], steps)[0]


def monotone_flat_many(batches: Sequence[tuple], steps: int) -> list[list[np.ndarray]]:
    """``monotone_flat`` on several batches (Ws, M, a_c, b_c, a_h, b_h, f, η) of any widths, stepped in lockstep:
    the layers of all batches sit in one flat buffer, so a·X + b·W, the step, the squares, F = (a/2)·Σ(P − M)² +
    (b/2)·Σ_l ΣW_l² and the acceptance test are one NumPy call each for all batches (the products stay per batch).
    Each instance sees the operations it sees alone, and its accept/halve decisions depend on its own F and η
    only, so the iterates are the same. P − M at an accepted point is kept for the next gradient (the same
    subtraction, formed once)."""
    groups = [_FlatGroup(*b) for b in batches]
    for g in groups:  # per-instance coefficients of shape (n,), whatever broadcastable shape they came in
        g.a_h, g.b_h, g.f, g.eta = (np.broadcast_to(np.asarray(v, dtype=float).reshape(-1), (g.n,))
                                    for v in (g.a_h, g.b_h, g.f, g.eta))
    size, aux = sum(g.size for g in groups), sum(g.aux_size for g in groups)
    # per point: the layers of every batch (theta), then every batch's prefix products and P − M
    buf = [np.empty(size + aux), np.empty(size + aux)]
    theta = [b[:size] for b in buf]
    G_raw, sq = np.empty(size), np.empty(size)
    rows = np.cumsum([0] + [g.n for g in groups])
    data, total = np.empty(rows[-1]), np.empty(rows[-1])
    pos, apos = 0, size
    for g, r0, r1 in zip(groups, rows[:-1], rows[1:]):
        g.bind(buf, G_raw, sq, pos, apos, data[r0:r1], total[r0:r1])
        pos, apos = pos + g.size, apos + g.aux_size
    # the instance (row) of every entry of a point's buffer: η per entry and the accepted instances' entries by
    # one indexing each (the values a broadcast of η[:, None, None] per layer gives)
    row_of = np.concatenate([g.rows_of(r0, g.shapes) for g, r0 in zip(groups, rows[:-1])] +
                            [g.rows_of(r0, g.aux_shapes) for g, r0 in zip(groups, rows[:-1])])
    row_theta = row_of[:size]
    cat = np.concatenate
    af, bf = cat([g.full(g.a_c) for g in groups]), cat([g.full(g.b_c) for g in groups])
    a_h, b_h = cat([g.a_h for g in groups]), cat([g.b_h for g in groups])
    f, eta_v = cat([g.f for g in groups]), cat([g.eta for g in groups])
    ef = eta_v[row_theta]
    f_finite = bool(np.all(np.isfinite(f)))  # then fn ≤ f already excludes a non-finite fn (and f stays finite)
    cur = 0
    for g in groups:
        g.prefix(cur)
    for _ in range(steps):
        nxt = 1 - cur
        for g in groups:
            g.gradient(cur)
        gr = af * G_raw + bf * theta[cur]  # a·A_lᵀRB_lᵀ + b·W_l, every layer of every batch
        np.subtract(theta[cur], ef * gr, out=theta[nxt])
        np.multiply(theta[nxt], theta[nxt], out=sq)
        for g in groups:
            g.prefix(nxt)
            g.sums(nxt)
        fn = a_h * data + b_h * total
        if f_finite and (fn <= f).all():
            f, cur = fn, nxt
            continue
        ok = np.isfinite(fn) & (fn <= f)
        if ok.all():
            f, cur = fn, nxt
            continue
        f = np.where(ok, fn, f)
        eta_v = np.where(ok, eta_v, eta_v / 2)
        ef = eta_v[row_theta]
        np.copyto(buf[cur], buf[nxt], where=ok[row_of])  # the accepted instances' layers, products and P − M
    return [[V.copy() for V in g.W[cur]] for g in groups]


class _FlatGroup:
    """One batch of ``monotone_flat_many``. For each of the two points s = 0, 1: the layers W[s] (views of the shared
    flat buffer of point s), the prefix products pre[s][k] = W_(k+1)⋯W_1 (pre[s][0] is the layer W_1 itself) and
    R[s] = W_L⋯W_1 − M; scratch for the partial products W_L⋯W_(l+2) and A_lᵀR; views of the shared gradient and
    squares buffers and of the per-instance sums Σ(P − M)² (``data``) and Σ_l ΣW_l² (``total``)."""

    def __init__(self, Ws: list[np.ndarray], M: np.ndarray, a_c, b_c, a_h: np.ndarray, b_h: np.ndarray,
                 f: np.ndarray, eta: np.ndarray) -> None:
        self.Ws0, self.M, self.a_c, self.b_c, self.a_h, self.b_h, self.f, self.eta = Ws, M, a_c, b_c, a_h, b_h, f, eta
        self.shapes = [W.shape for W in Ws]
        self.n = Ws[0].shape[0]
        self.size = sum(int(np.prod(s)) for s in self.shapes)
        d0 = self.shapes[0][2]
        self.aux_shapes = [(self.n, s[1], d0) for s in self.shapes[1:]] + [(self.n,) + M.shape[-2:]]
        self.aux_size = sum(int(np.prod(s)) for s in self.aux_shapes)

    def full(self, c) -> np.ndarray:
        """c broadcast to every entry of this batch's flat layout."""
        return np.concatenate([np.broadcast_to(c, s).ravel() for s in self.shapes])

    def rows_of(self, r0: int, shapes: Sequence[tuple[int, ...]]) -> np.ndarray:
        """The batch row r0 + i of every entry of blocks (n, r, c) laid out one after the other."""
        return np.concatenate([np.repeat(np.arange(r0, r0 + self.n), int(np.prod(s[1:]))) for s in shapes])

    def bind(self, buf: list[np.ndarray], G_raw: np.ndarray, sq: np.ndarray, pos: int, apos: int, data: np.ndarray,
             total: np.ndarray) -> None:
        """Take this batch's slices of the shared buffers (its layers from ``pos``, its prefix products and P − M
        from ``apos``), copy the starting layers in, allocate the batch's scratch."""
        shapes, n, M, end = self.shapes, self.n, self.M, pos + self.size
        self.W = [_flat_views(b[pos:end], shapes) for b in buf]
        auxv = [_flat_views(b[apos:apos + self.aux_size], self.aux_shapes) for b in buf]
        for V, W in zip(self.W[0], self.Ws0):
            V[...] = W
        self.Gv, self.sqv = _flat_views(G_raw[pos:end], shapes), _flat_views(sq[pos:end], shapes)
        self.data, self.total = data, total
        self.pre = [[W[0]] + v[:-1] for W, v in zip(self.W, auxv)]
        self.R = [v[-1] for v in auxv]
        self.A = [np.empty((n,) + M.shape[-2:-1] + (s[1],)) for s in shapes[:-2]]  # A[l] = W_L⋯W_(l+2), l < L − 2
        self.T = [np.empty((n, s[1]) + M.shape[-1:]) for s in shapes]  # A_lᵀR before its right factor B_lᵀ
        self.plan()

    def plan(self) -> None:
        """The products of ``prefix`` and ``gradient`` at each point as fixed (left, right, out) triples of views:
        the same matmuls on the same operands, without rebuilding the views every step."""
        self.pre_plan, self.grad_plan, self.grad_copy = [], [], []
        for s in range(2):
            W, pre, R, A, T, Gv = self.W[s], self.pre[s], self.R[s], self.A, self.T, self.Gv
            L = len(W)
            self.pre_plan.append([(W[k], pre[k - 1], pre[k]) for k in range(1, L)])
            ops = [(W[L - 1] if l == L - 3 else A[l + 1], W[l + 1], A[l]) for l in range(L - 3, -1, -1)]
            for l in range(L):
                X = R if l == L - 1 else T[l]
                if l < L - 1:
                    ops.append((_t(W[L - 1] if l == L - 2 else A[l]), R, T[l]))
                if l > 0:
                    ops.append((X, _t(pre[l - 1]), Gv[l]))
            self.grad_plan.append(ops)
            self.grad_copy.append(R if L == 1 else T[0])  # A_1ᵀR is layer 1's gradient (B_1 = I)

    def prefix(self, s: int) -> None:
        """pre[s][k] = W_(k+1) @ pre[s][k − 1], as ``prefix_products``, and R[s] = W_L⋯W_1 − M."""
        for x, y, out in self.pre_plan[s]:
            np.matmul(x, y, out=out)
        np.subtract(self.pre[s][-1], self.M, out=self.R[s])

    def gradient(self, s: int) -> None:
        """A_lᵀ(P − M)B_lᵀ of every layer at point s into the shared gradient buffer, as ``gradient_from_prefix``
        forms them (the partial products W_L⋯W_(l+2) first; A[L−2] is the layer W_L)."""
        for x, y, out in self.grad_plan[s]:
            np.matmul(x, y, out=out)
        np.copyto(self.Gv[0], self.grad_copy[s])

    def sums(self, s: int) -> None:
        """Σ(P − M)² and Σ_l ΣW_l² (layer by layer, in ``sum``'s order) per instance, from R[s] and the squares of
        point s."""
        _ADD(self.R[s] ** 2, axis=(-1, -2), out=self.data)
        _ADD(self.sqv[0], axis=(-1, -2), out=self.total)
        for S in self.sqv[1:]:
            np.add(self.total, _ADD(S, axis=(-1, -2)), out=self.total)


def _flat_views(buf: np.ndarray, shapes: Sequence[tuple[int, ...]]) -> list[np.ndarray]:
    """Contiguous views of the flat ``buf`` with the given shapes, one after the other."""
    views, pos = [], 0
    for shape in shapes:
        size = int(np.prod(shape))
        views.append(buf[pos:pos + size].reshape(shape))
        pos += size
    return views


def fixed_step_penalized(Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, pen: Sequence[np.ndarray], eta: np.ndarray,
                         steps: int) -> list[np.ndarray]:
    """``steps`` fixed steps W_l ← W_l − η·g_l, g_l = (a·A_lᵀRB_lᵀ + 0·W_l) + p_l·W_l (the data gradient of
    ``gradient_unchecked(Ws, M, a, 0.0)`` plus a per-layer penalty p_l, e.g. b·c_l), on a batch (N, d_l, d_(l−1));
    a, η and each p_l of shape (N, 1, 1). A step whose total is not finite is taken only by the instances whose
    entries all stay finite (the others keep their point), as ``matrix_weights.weighted_minimize_many`` did layer
    by layer. The layers in one flat buffer (``_FlatGroup``'s products): the same operations per entry, so the same
    iterates (``tests/test_route_weighted_descent_flat.py``)."""
    g = _FlatGroup(Ws, M, a, 0.0, None, None, None, None)
    size, n = g.size, g.n
    buf = [np.empty(size + g.aux_size), np.empty(size + g.aux_size)]
    theta = [b[:size] for b in buf]
    G_raw = np.empty(size)
    g.bind(buf, G_raw, np.empty(size), 0, size, np.empty(n), np.empty(n))
    af = g.full(a)
    pf = np.concatenate([np.broadcast_to(p, s).ravel() for p, s in zip(pen, g.shapes)])
    ef = g.full(eta)
    row = g.rows_of(0, g.shapes)
    cur = 0
    for _ in range(steps):
        nxt = 1 - cur
        g.prefix(cur)
        g.gradient(cur)
        gr = (af * G_raw + 0.0 * theta[cur]) + pf * theta[cur]
        np.subtract(theta[cur], ef * gr, out=theta[nxt])
        if not np.isfinite(_ADD(theta[nxt])):  # a finite total: every entry finite, nothing to freeze
            bad = np.zeros(n, dtype=bool)
            bad[row[~np.isfinite(theta[nxt])]] = True
            np.copyto(theta[nxt], theta[cur], where=bad[row])
        cur = nxt
    return [V.copy() for V in g.W[cur]]
