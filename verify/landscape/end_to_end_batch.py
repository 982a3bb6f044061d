"""Many end-to-end minimizers at one depth in a few NumPy/LAPACK calls (docs/mathematics.md §K2).

``end_to_end_minimizer`` solves min_P (a/2)||P − M||² + (bL/2)Σ s_i(P)^(2/L) one singular value at a time: the
SVD of M, then the scalar problem of each σ_i. A check that needs it for hundreds of targets at one depth pays
NumPy's per-call overhead on tiny matrices for every target; ``end_to_end_many`` stacks the SVDs of targets of
one shape into one call and every (σ_i, b) scalar problem into one ``solve_scalar_batch`` call (LAPACK's gesdd
and geev per matrix, exactly as the single calls), so each result equals ``end_to_end_minimizer``'s bit for bit.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import UsageError
from ..numbers import check_depth
from .deep_matrix import EndToEnd, check_target
from .reduction import check_ab, solve_scalar_batch


def end_to_end_many(Ms: Sequence[np.ndarray], depth: int, a: float, bs: Sequence[float]) -> list[EndToEnd]:
    """``end_to_end_minimizer(M_i, depth, a, b_i)`` (tie_choice 'nonzero') for each pair, bit for bit."""
    depth = check_depth(depth)
    Ms, bs = list(Ms), list(bs)
    if len(Ms) != len(bs):
        raise UsageError(f"end_to_end_many needs one b per target, got {len(Ms)} targets and {len(bs)} b")
    bs = [check_ab(a, b)[1] for b in bs]
    a = check_ab(a, 1.0)[0]
    Ms = [check_target(M) for M in Ms]
    svds: list = [None] * len(Ms)
    by_shape: dict[tuple[int, ...], list[int]] = {}
    for i, M in enumerate(Ms):
        by_shape.setdefault(M.shape, []).append(i)
    for idx in by_shape.values():
        U, sig, Vt = np.linalg.svd(np.stack([Ms[i] for i in idx]), full_matrices=False)
        for j, i in enumerate(idx):
            svds[i] = (U[j], sig[j], Vt[j].T)
    sigmas = [float(x) for _, sig, _ in svds for x in sig]
    sols = solve_scalar_batch(sigmas, depth, a, [b for (_, sig, _), b in zip(svds, bs) for _ in sig])
    out, k = [], 0
    for M, (U, sig, V) in zip(Ms, svds):
        part = sols[k:k + len(sig)]
        k += len(sig)
        s = np.array([max(so.minimizers) for so in part])
        tie = np.array([so.tie for so in part], dtype=bool)
        gap = np.array([so.gap for so in part])
        P = (U * s) @ V.T
        value = float(sum(so.value for so in part) + a / 2 * (np.sum(M * M) - np.sum(sig ** 2)))
        out.append(EndToEnd(U, sig, V, s, tie, gap, P, value))
    return out
