"""Compiled interpreter of a verify.kernels.program.Program (imported only when numba is present).

One generic kernel, JIT-compiled once per machine (numba's on-disk cache) whatever the depth and
widths. Per instance it evaluates the program's block factors in a workspace of small matrices,
then writes the dense Hessian ROW BY ROW: each row of H is produced left to right across all its
column blocks, one store per entry (the first term stores, later terms accumulate on the d-long
run just written, still in L1). Storing a d²×d² block at a time instead writes runs of d doubles
into rows P·8 bytes apart, which measured 5–9× slower for the same number of stores (issue 13).

At small P the instance axis is innermost (T instances per tile, vectorized across instances):
a chunk of whole Hessian rows is built in a cache-resident tile (rows·P × T doubles) and then
transposed out, so each instance receives a contiguous run of rows·P doubles instead of one store
every P²·8 bytes. Instances are split into chunks across threads (numba.prange) only for large
batches; the entry points are ``ENTRY_POINTS`` (the bench times the cold JIT of each).
"""
from __future__ import annotations

import numba
import numpy as np

from . import numba_generated
from .program import Program

_U = numba.uint64


@numba.njit(cache=True, fastmath=False)
def _run_ops(S, C, ops):
    for o in range(ops.shape[0]):
        kind, dst = ops[o, 0], ops[o, 1]
        if kind == 0:
            x, tx, y, ty, r, k, c = ops[o, 2], ops[o, 3], ops[o, 4], ops[o, 5], ops[o, 6], ops[o, 7], ops[o, 8]
            for i in range(r):
                for j in range(c):
                    S[dst, i, j] = 0.0
                for p in range(k):
                    xv = S[x, p, i] if tx else S[x, i, p]
                    if ty:
                        for j in range(c):
                            S[dst, i, j] += xv * S[y, j, p]
                    else:
                        for j in range(c):
                            S[dst, i, j] += xv * S[y, p, j]
        else:
            src, ts, cv, r, c, acc = ops[o, 2], ops[o, 3], C[ops[o, 4]], ops[o, 5], ops[o, 6], ops[o, 7]
            for i in range(r):
                for j in range(c):
                    if src < 0:
                        v = cv if i == j else 0.0
                    elif ts:
                        v = cv * S[src, j, i]
                    else:
                        v = cv * S[src, i, j]
                    if acc:
                        S[dst, i, j] += v
                    else:
                        S[dst, i, j] = v


@numba.njit(cache=True, fastmath=False, inline="always")
def _uv(entries, e, i, j, dm):
    """Flat offsets (u base, u stride, v base) of term e's row-segment factors u ⊗ v."""
    kind, sa, sb = entries[e, 0], entries[e, 1], entries[e, 2]
    if kind == 0:  # H[i,j,p,q] = A[i,p]·Bt[j,q]: u = row i of A, v = row j of Bt
        return _U((sa * dm + i) * dm), _U(1), _U((sb * dm + j) * dm)
    return _U(sb * dm * dm + j), _U(dm), _U((sa * dm + i) * dm)  # A[i,q]·B[p,j]: u = col j of B


@numba.njit(cache=True, fastmath=False)
def _write_rows(S, C, blocks, groups, entries, H):
    """Every row of H (P, P) in address order; the blocks of one row block are in column order.

    Per row and column block, each term u ⊗ v (u, v rows or columns of workspace slots) is one
    pass over the block's r2·c2 run of the row (the first term stores, later ones accumulate on
    the run while it is in L1), then the diagonal constants. Flat unsigned indices spare numba's
    negative-index checks in the inner loops (measured 1.5–2× on the row writer).
    """
    P = H.shape[1]
    Hf = H.reshape(P * P)
    Sf = S.reshape(S.size)
    dm = S.shape[1]
    for g in range(groups.shape[0] - 1):
        b0, b1 = groups[g], groups[g + 1]
        ro, r1, c1 = blocks[b0, 0], blocks[b0, 2], blocks[b0, 3]
        for i in range(r1):
            for j in range(c1):
                rowoff = (ro + i * c1 + j) * P
                for bi in range(b0, b1):
                    co, r2, c2, e0, e1 = blocks[bi, 1], blocks[bi, 4], blocks[bi, 5], blocks[bi, 6], blocks[bi, 7]
                    first = True
                    e = e0
                    while e < e1:
                        if entries[e, 0] == 2:
                            e += 1
                            continue
                        ub, us, vb = _uv(entries, e, i, j, dm)
                        e2 = e + 1
                        while e2 < e1 and entries[e2, 0] == 2:
                            e2 += 1
                        if e2 < e1:  # two terms per pass (same rounding order as two passes)
                            ub2, us2, vb2 = _uv(entries, e2, i, j, dm)
                            for p in range(r2):
                                s, s2 = Sf[ub + _U(p) * us], Sf[ub2 + _U(p) * us2]
                                base = _U(rowoff + co + p * c2)
                                if first:
                                    for q in range(c2):
                                        Hf[base + _U(q)] = s * Sf[vb + _U(q)] + s2 * Sf[vb2 + _U(q)]
                                else:
                                    for q in range(c2):
                                        Hf[base + _U(q)] = (Hf[base + _U(q)] + s * Sf[vb + _U(q)]) \
                                            + s2 * Sf[vb2 + _U(q)]
                        else:
                            for p in range(r2):
                                s = Sf[ub + _U(p) * us]
                                base = _U(rowoff + co + p * c2)
                                if first:
                                    for q in range(c2):
                                        Hf[base + _U(q)] = s * Sf[vb + _U(q)]
                                else:
                                    for q in range(c2):
                                        Hf[base + _U(q)] += s * Sf[vb + _U(q)]
                        first = False
                        e = e2 + 1
                    if first:
                        for q in range(r2 * c2):
                            Hf[_U(rowoff + co + q)] = 0.0
                    for e in range(e0, e1):
                        if entries[e, 0] == 2:
                            Hf[_U(rowoff + co + i * c1 + j)] += C[entries[e, 1]]


@numba.njit(cache=True, fastmath=False)
def _plain_part(X, C, ops, n_slots, blocks, groups, entries, out, th, threads, sink):
    N, n_in, dmax, _ = X.shape
    S = np.empty((n_slots, dmax, dmax))
    for n in range(th * N // threads, (th + 1) * N // threads):
        S[:n_in] = X[n]
        _run_ops(S, C[n], ops)
        _write_rows(S, C[n], blocks, groups, entries, out[0 if sink else n])


@numba.njit(parallel=True, cache=True, fastmath=False)
def run_program(X, C, ops, n_slots, blocks, groups, entries, out, threads):
    """X (N, L+1, dmax, dmax) layers and M; C (N, n_coef); fills out (N, P, P), threads chunks."""
    for th in numba.prange(threads):
        _plain_part(X, C, ops, n_slots, blocks, groups, entries, out, th, threads, False)


@numba.njit(cache=True, fastmath=False)
def _run_ops_tiled(S, C, ops):
    T = S.shape[3]
    for o in range(ops.shape[0]):
        kind, dst = ops[o, 0], ops[o, 1]
        if kind == 0:
            x, tx, y, ty, r, k, c = ops[o, 2], ops[o, 3], ops[o, 4], ops[o, 5], ops[o, 6], ops[o, 7], ops[o, 8]
            for i in range(r):
                for j in range(c):
                    for t in range(T):
                        S[dst, i, j, t] = 0.0
                    for p in range(k):
                        xi, xp = (p, i) if tx else (i, p)
                        yp, yj = (j, p) if ty else (p, j)
                        for t in range(T):
                            S[dst, i, j, t] += S[x, xi, xp, t] * S[y, yp, yj, t]
        else:
            src, ts, ci, r, c, acc = ops[o, 2], ops[o, 3], ops[o, 4], ops[o, 5], ops[o, 6], ops[o, 7]
            for i in range(r):
                for j in range(c):
                    si, sj = (j, i) if ts else (i, j)
                    for t in range(T):
                        if src < 0:
                            v = C[ci, t] if i == j else 0.0
                        else:
                            v = C[ci, t] * S[src, si, sj, t]
                        if acc:
                            S[dst, i, j, t] += v
                        else:
                            S[dst, i, j, t] = v


@numba.njit(cache=True, fastmath=False)
def _flush(tile, out2, n0, m, start, count):
    """Transpose tile[:count, :m] into out2[n0 + t, start:start + count] (contiguous per instance).

    Eight instances at a time: each read is one cache line of the tile, the writes go to eight
    sequential streams.
    """
    PP = out2.shape[1]
    of = out2.reshape(out2.size)
    for t0 in range(0, m, 8):
        t1 = min(m, t0 + 8)
        for e in range(count):
            for t in range(t0, t1):
                of[_U((n0 + t) * PP + start + e)] = tile[e, t]


@numba.njit(cache=True, fastmath=False)
def _write_rows_tiled(S, C, blocks, groups, entries, out2, n0, m, tile, P):
    """Rows of T Hessians into the tile (element-major, instance-minor), flushed to out2 (N, P·P)
    whenever it is full. Per element: the first term stores, later terms accumulate (same order
    as the per-instance writer, so both give bitwise the same result)."""
    T = S.shape[3]
    rows_per_tile = tile.shape[0] // P
    filled = 0
    start = 0
    for g in range(groups.shape[0] - 1):
        b0, b1 = groups[g], groups[g + 1]
        r1, c1 = blocks[b0, 2], blocks[b0, 3]
        for i in range(r1):
            for j in range(c1):
                if filled == rows_per_tile:
                    _flush(tile, out2, n0, m, start, filled * P)
                    start += filled * P
                    filled = 0
                rbase = filled * P
                for bi in range(b0, b1):
                    co, r2, c2, e0, e1 = blocks[bi, 1], blocks[bi, 4], blocks[bi, 5], blocks[bi, 6], blocks[bi, 7]
                    for p in range(r2):
                        for q in range(c2):
                            el = rbase + co + p * c2 + q
                            first = True
                            for e in range(e0, e1):
                                kind, sa, sb = entries[e, 0], entries[e, 1], entries[e, 2]
                                if kind == 2:
                                    continue
                                if kind == 0:
                                    if first:
                                        for t in range(T):
                                            tile[el, t] = S[sa, i, p, t] * S[sb, j, q, t]
                                    else:
                                        for t in range(T):
                                            tile[el, t] += S[sa, i, p, t] * S[sb, j, q, t]
                                elif first:
                                    for t in range(T):
                                        tile[el, t] = S[sa, i, q, t] * S[sb, p, j, t]
                                else:
                                    for t in range(T):
                                        tile[el, t] += S[sa, i, q, t] * S[sb, p, j, t]
                                first = False
                            if first:
                                for t in range(T):
                                    tile[el, t] = 0.0
                            if p == i and q == j:
                                for e in range(e0, e1):
                                    if entries[e, 0] == 2:
                                        for t in range(T):
                                            tile[el, t] += C[entries[e, 1], t]
                filled += 1
    if filled:
        _flush(tile, out2, n0, m, start, filled * P)


@numba.njit(cache=True, fastmath=False)
def _tiled_part(X, C, ops, n_slots, blocks, groups, entries, out2, th, threads, T, tile_rows, sink):
    N, n_in, dmax, _ = X.shape
    P = blocks[blocks.shape[0] - 1, 1] + blocks[blocks.shape[0] - 1, 4] * blocks[blocks.shape[0] - 1, 5]
    nc = C.shape[1]
    tiles = (N + T - 1) // T
    S = np.zeros((n_slots, dmax, dmax, T))
    Ct = np.zeros((nc, T))
    tile = np.empty((tile_rows * P, T))
    for k in range(th, tiles, threads):
        n0 = k * T
        m = min(T, N - n0)
        for t in range(m):
            for s in range(n_in):
                for i in range(dmax):
                    for j in range(dmax):
                        S[s, i, j, t] = X[n0 + t, s, i, j]
            for c in range(nc):
                Ct[c, t] = C[n0 + t, c]
        _run_ops_tiled(S, Ct, ops)
        _write_rows_tiled(S, Ct, blocks, groups, entries, out2, 0 if sink else n0, m, tile, P)


@numba.njit(parallel=True, cache=True, fastmath=False)
def run_program_tiled(X, C, ops, n_slots, blocks, groups, entries, out2, threads, T, tile_rows):
    """As run_program, T instances at a time with the instance axis innermost (small P)."""
    for th in numba.prange(threads):
        _tiled_part(X, C, ops, n_slots, blocks, groups, entries, out2, th, threads, T, tile_rows, False)


#: The tiled (instance-innermost) path runs when every width is ≤ TILED_MAX_WIDTH (the
#: per-instance writer's runs of ≤ 4 doubles cost more in loop overhead than in stores: measured
#: 2–4× slower at d = 2, 4) and P ≤ TILED_MAX_PARAMS (the tiled workspace stays cache-sized).
TILED_MAX_WIDTH = 4
TILED_MAX_PARAMS = 192
#: Instances per tile and the tile budget (doubles) for the rows·P × T transpose buffer.
TILE = 64
TILE_DOUBLES = 1 << 15
#: Batches with fewer Hessian entries run on one thread: a parallel region waits for its slowest
#: thread, which on a shared machine costs a scheduler quantum (~4 ms), more than the work.
PARALLEL_MIN_ENTRIES = 1 << 22
#: Compiled entry points a call may reach (name -> function), for cold-JIT timing.
ENTRY_POINTS = ("plain", "tiled", "plain_parallel", "tiled_parallel") + numba_generated.STYLES


def _tile_rows(P: int) -> int:
    return max(1, min(P, TILE_DOUBLES // (P * TILE)))


def hessian(prog: Program, Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray,
            out: np.ndarray, path: str = "auto", sink: bool = False) -> str:
    """Dense Hessian of the program's objective for batched layers into out (N, P, P).

    ``path`` forces 'plain', 'tiled', 'plain_parallel', 'tiled_parallel', 'unrolled' or 'looped' (tests,
    bench); 'auto' picks by P and batch size: for single-thread batches, code generated for this program
    (``numba_generated``: 'unrolled' at P ≤ 16, else 'looped' for programs of at most 48 ops and widths
    ≤ 5) where the derivation cache keeps it on disk or it is compiled already (else the interpreter,
    compiled once per machine). ``sink`` (single-thread paths): every instance is written over the first
    min(N, TILE) Hessians of ``out`` (cache-resident; the bench's compute-only probe), so ``out`` needs
    only that many. Returns the entry point used.
    """
    N = len(Ws[0])
    P = out.shape[1]
    groups = prog.groups
    if groups is None:  # a tampered derivation with missing blocks: not every entry gets written
        out.fill(0.0)
        groups = np.arange(prog.blocks.shape[0] + 1, dtype=np.int64)
        if path == "auto":
            path = "plain"
        if path.startswith("tiled"):
            raise ValueError("the tiled path needs blocks that tile H row-major")
    if path == "auto":
        parallel = N * P * P >= PARALLEL_MIN_ENTRIES and numba.get_num_threads() > 1 and not sink
        tiled = prog.dmax <= TILED_MAX_WIDTH and P <= TILED_MAX_PARAMS
        path = ("tiled" if tiled else "plain") + ("_parallel" if parallel else "")
        style = next((s for s in numba_generated.STYLES if numba_generated.supported(prog, s)), None)
        if not parallel and style and (numba_generated.compiled(prog, style) or numba_generated.disk_cached()):
            path = style
    if path in numba_generated.STYLES:
        if not numba_generated.supported(prog, path):
            raise ValueError(numba_generated.requirements(path))
        numba_generated.hessian(prog, Ws, M, a, b, out, sink, style=path)
        return path
    if N > 1 and a[0] == a[-1] == a.min() == a.max() and b[0] == b[-1] == b.min() == b.max():
        C = np.empty((N, len(prog.coeff_exprs)))
        C[:] = prog.coefficients(a[:1], b[:1])  # the same a, b for every instance: evaluate once
    else:
        C = prog.coefficients(a, b)
    if all(w.shape[1:] == (prog.dmax, prog.dmax) for w in Ws) and M.shape[1:] == (prog.dmax, prog.dmax):
        X = np.stack([*Ws, M], axis=1)  # one copy (per-call set-up dominates small batches)
    else:
        X = np.zeros((N, prog.depth + 1, prog.dmax, prog.dmax))
        for l, w in enumerate(Ws):
            X[:, l, :w.shape[1], :w.shape[2]] = w
        X[:, prog.depth, :M.shape[1], :M.shape[2]] = M
    threads = max(1, min(N, numba.get_num_threads()))
    args = (X, C, prog.ops, prog.n_slots, prog.blocks, groups, prog.entries)
    if path == "tiled":
        _tiled_part(*args, out.reshape(out.shape[0], P * P), 0, 1, TILE, _tile_rows(P), sink)
    elif path == "tiled_parallel":
        run_program_tiled(*args, out.reshape(out.shape[0], P * P), threads, TILE, _tile_rows(P))
    elif path == "plain":
        _plain_part(*args, out, 0, 1, sink)
    elif path == "plain_parallel":
        run_program(*args, out, threads)
    else:
        raise ValueError(f"unknown path {path!r}")
    return path
