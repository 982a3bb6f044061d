"""Generic numba kernel writing the dense Hessian from block factors (imported only with numba).

The block structure comes from the symbolic derivation as data (``pack_plan``); the kernel is
compiled once per process (and cached on disk by numba), whatever the depth and widths. Each
entry of H is written exactly once, as the fused sum of its block's terms:

    H[n, o_l + i·c1 + j, o_k + p·c2 + q] = Σ_terms  A[i,p]·B[q,j]  (A V B)
                                                  or A[i,q]·B[p,j]  (A Vᵀ B)   (+ c on the diagonal)
"""
from __future__ import annotations

import numba
import numpy as np

KIND_AVB, KIND_AVTB, KIND_DIAG = 0, 1, 2


def pack_plan(plan: list, dims: list[tuple[int, int]]):
    """(blocks, entries) int64 tables from a codegen plan [(l, k, [(ia, ib, tr) | ('diag', ic, None)])]."""
    offs = np.cumsum([0] + [r * c for r, c in dims])
    blocks, entries = [], []
    for l, k, ents in plan:
        start = len(entries)
        for ia, ib, tr in ents:
            if ia == "diag":
                entries.append((KIND_DIAG, ib, 0))
            else:
                entries.append((KIND_AVTB if tr else KIND_AVB, ia, ib))
        (r1, c1), (r2, c2) = dims[l], dims[k]
        blocks.append((offs[l], offs[k], r1, c1, r2, c2, start, len(entries)))
    return np.array(blocks, dtype=np.int64).reshape(-1, 8), np.array(entries, dtype=np.int64).reshape(-1, 3)


def pack_factors(facs: list, n: int) -> np.ndarray:
    """Stack factor arrays (each broadcastable to (N, r, c)) into one (N, F, dmax, dmax) array."""
    dmax = max(max(np.shape(f)[-2:]) if np.ndim(f) >= 2 else 1 for f in facs)
    out = np.zeros((n, len(facs), dmax, dmax))
    for i, f in enumerate(facs):
        f = np.asarray(f)
        if f.ndim >= 2:
            out[:, i, :f.shape[-2], :f.shape[-1]] = f
        else:
            out[:, i, 0, 0] = f
    return out


@numba.njit(parallel=True, cache=True, fastmath=False)
def assemble(F: np.ndarray, blocks: np.ndarray, entries: np.ndarray, out: np.ndarray) -> None:
    """Fill out (N, P, P) from packed factors F (N, nf, dmax, dmax) and the packed plan."""
    N = out.shape[0]
    for n in numba.prange(N):
        for bi in range(blocks.shape[0]):
            ro, co, r1, c1, r2, c2, e0, e1 = blocks[bi]
            for i in range(r1):
                for j in range(c1):
                    row = ro + i * c1 + j
                    for p in range(r2):
                        for q in range(c2):
                            s = 0.0
                            for e in range(e0, e1):
                                kind = entries[e, 0]
                                ia = entries[e, 1]
                                ib = entries[e, 2]
                                if kind == 0:
                                    s += F[n, ia, i, p] * F[n, ib, q, j]
                                elif kind == 1:
                                    s += F[n, ia, i, q] * F[n, ib, p, j]
                                elif i == p and j == q:
                                    s += F[n, ia, 0, 0]
                            out[n, row, co + p * c2 + q] = s
