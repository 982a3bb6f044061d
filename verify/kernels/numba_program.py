"""Compiled interpreter of a verify.kernels.program.Program (imported only when numba is present).

One generic kernel, JIT-compiled once per machine (numba's on-disk cache) whatever the depth and
widths: per instance it evaluates the program's block factors in a workspace of small matrices,
then writes each Hessian block with one store pass for the first term and accumulating passes
for the others while the block is still in cache. Instances are split into chunks across
threads (numba.prange).
"""
from __future__ import annotations

import numba
import numpy as np

from .program import Program


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


@numba.njit(cache=True, fastmath=False)
def _write_blocks(S, C, blocks, entries, H):
    for bi in range(blocks.shape[0]):
        ro, co, r1, c1, r2, c2, e0, e1 = (blocks[bi, 0], blocks[bi, 1], blocks[bi, 2], blocks[bi, 3],
                                          blocks[bi, 4], blocks[bi, 5], blocks[bi, 6], blocks[bi, 7])
        first = True
        for e in range(e0, e1):
            kind, sa, sb = entries[e, 0], entries[e, 1], entries[e, 2]
            if kind == 2:
                continue
            for i in range(r1):
                for j in range(c1):
                    row = ro + i * c1 + j
                    for p in range(r2):
                        base = co + p * c2
                        if kind == 0:
                            s = S[sa, i, p]
                            if first:
                                for q in range(c2):
                                    H[row, base + q] = s * S[sb, j, q]
                            else:
                                for q in range(c2):
                                    H[row, base + q] += s * S[sb, j, q]
                        else:
                            s = S[sb, p, j]
                            if first:
                                for q in range(c2):
                                    H[row, base + q] = S[sa, i, q] * s
                            else:
                                for q in range(c2):
                                    H[row, base + q] += S[sa, i, q] * s
            first = False
        if first:
            for i in range(r1 * c1):
                for q in range(r2 * c2):
                    H[ro + i, co + q] = 0.0
        for e in range(e0, e1):
            if entries[e, 0] == 2:
                cv = C[entries[e, 1]]
                for i in range(r1 * c1):
                    H[ro + i, co + i] += cv


@numba.njit(parallel=True, cache=True, fastmath=False)
def run_program(X, C, ops, n_slots, blocks, entries, out, threads):
    """X (N, L+1, dmax, dmax) layers and M; C (N, n_coef); fills out (N, P, P)."""
    for th in numba.prange(threads):
        _plain_part(X, C, ops, n_slots, blocks, entries, out, th, threads)


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
def _write_blocks_tiled(S, C, blocks, entries, out, n0, m, tmp):
    T = S.shape[3]
    for bi in range(blocks.shape[0]):
        ro, co, r1, c1, r2, c2, e0, e1 = (blocks[bi, 0], blocks[bi, 1], blocks[bi, 2], blocks[bi, 3],
                                          blocks[bi, 4], blocks[bi, 5], blocks[bi, 6], blocks[bi, 7])
        for i in range(r1):
            for j in range(c1):
                row = ro + i * c1 + j
                for p in range(r2):
                    for q in range(c2):
                        for t in range(T):
                            tmp[t] = 0.0
                        for e in range(e0, e1):
                            kind, sa, sb = entries[e, 0], entries[e, 1], entries[e, 2]
                            if kind == 0:
                                for t in range(T):
                                    tmp[t] += S[sa, i, p, t] * S[sb, j, q, t]
                            elif kind == 1:
                                for t in range(T):
                                    tmp[t] += S[sa, i, q, t] * S[sb, p, j, t]
                            elif i == p and j == q:
                                for t in range(T):
                                    tmp[t] += C[sa, t]
                        col = co + p * c2 + q
                        for t in range(m):
                            out[n0 + t, row, col] = tmp[t]


@numba.njit(cache=True, fastmath=False)
def _tiled_part(X, C, ops, n_slots, blocks, entries, out, th, threads, T):
    N, n_in, dmax, _ = X.shape
    nc = C.shape[1]
    tiles = (N + T - 1) // T
    S = np.zeros((n_slots, dmax, dmax, T))
    Ct = np.zeros((nc, T))
    tmp = np.empty(T)
    for tile in range(th, tiles, threads):
        n0 = tile * T
        m = min(T, N - n0)
        for t in range(m):
            for s in range(n_in):
                for i in range(dmax):
                    for j in range(dmax):
                        S[s, i, j, t] = X[n0 + t, s, i, j]
            for c in range(nc):
                Ct[c, t] = C[n0 + t, c]
        _run_ops_tiled(S, Ct, ops)
        _write_blocks_tiled(S, Ct, blocks, entries, out, n0, m, tmp)


@numba.njit(parallel=True, cache=True, fastmath=False)
def run_program_tiled(X, C, ops, n_slots, blocks, entries, out, threads, T):
    """As run_program, but T instances at a time with the instance axis innermost (small P)."""
    for th in numba.prange(threads):
        _tiled_part(X, C, ops, n_slots, blocks, entries, out, th, threads, T)


@numba.njit(cache=True, fastmath=False)
def _plain_part(X, C, ops, n_slots, blocks, entries, out, th, threads):
    N, n_in, dmax, _ = X.shape
    S = np.empty((n_slots, dmax, dmax))
    for n in range(th * N // threads, (th + 1) * N // threads):
        S[:n_in] = X[n]
        _run_ops(S, C[n], ops)
        _write_blocks(S, C[n], blocks, entries, out[n])


TILED_MAX_PARAMS = 24
TILE = 64
PARALLEL_MIN_ENTRIES = 1 << 22


def hessian(prog: Program, Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray,
            out: np.ndarray) -> None:
    """Dense Hessian of the program's objective for batched layers into out (N, P, P)."""
    N = out.shape[0]
    X = np.zeros((N, prog.depth + 1, prog.dmax, prog.dmax))
    for l, w in enumerate(Ws):
        X[:, l, :w.shape[1], :w.shape[2]] = w
    X[:, prog.depth, :M.shape[1], :M.shape[2]] = M
    C = prog.coefficients(a, b)
    P = out.shape[1]
    # Small batches run on one thread: a parallel region waits for its slowest thread, which on
    # a shared machine costs a scheduler quantum (~4 ms) - far more than the work itself.
    threads = 1 if N * P * P < PARALLEL_MIN_ENTRIES else max(1, min(N, numba.get_num_threads()))
    args = (X, C, prog.ops, prog.n_slots, prog.blocks, prog.entries, out)
    if P <= TILED_MAX_PARAMS:
        if threads == 1:
            _tiled_part(*args, 0, 1, TILE)
        else:
            run_program_tiled(*args, threads, TILE)
    elif threads == 1:
        _plain_part(*args, 0, 1)
    else:
        run_program(*args, threads)
