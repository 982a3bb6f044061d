"""The batched restricted-isometry estimates of verify.sensing_rip against the former one-start-at-a-time loop.

``rip_estimates`` advances the power iterations of many operators, both sides and all starts as one NumPy
batch per (n, k). The reference below is the loop the batch replaced, with its own truncation and refinement
written out from their definitions; the two agree to roundoff (batched products), far below 1e-12 relative.
"""
from __future__ import annotations

import numpy as np
import pytest

from verify import sensing as sen
from verify import sensing_rip as rip


def _rip_loop(A: sen.Measurement, k: int, rng: np.random.Generator, samples: int, steps: int,
              seeds: np.ndarray | None) -> tuple[float, float, float]:
    """The former one-start-at-a-time power iteration of rip_estimate (reference only), with its own
    truncation and refinement written out from their definitions."""
    n = A.n
    k = min(k, n)
    Z = rip.random_low_rank(n, k, samples, rng)
    K = A.gram()
    Zv = Z.reshape(samples, n * n)
    rs = np.einsum("ij,jk,ik->i", Zv, K, Zv)
    low, high = float(rs.min()), float(rs.max())
    shift = float(np.linalg.eigvalsh(K)[-1]) + 1.0
    seeds_ = [] if seeds is None else seeds

    def trunc(Y: np.ndarray) -> np.ndarray:
        w, V = np.linalg.eigh((Y + Y.T) / 2)
        i = np.argsort(-np.abs(w))[:k]
        T = (V[:, i] * w[i]) @ V[:, i].T
        return T / np.linalg.norm(T)

    def refine(Zc: np.ndarray, upper: bool) -> tuple[np.ndarray, float]:
        w, V = np.linalg.eigh(Zc)
        Q = V[:, np.argsort(-np.abs(w))[:k]]
        B = np.einsum("ia,lab,jb->lij", Q, sen.sym_basis(k), Q).reshape(-1, n * n)
        vals, vecs = np.linalg.eigh(B @ K @ B.T)
        j = -1 if upper else 0
        Zn = (vecs[:, j] @ B).reshape(n, n)
        return Zn / np.linalg.norm(Zn), float(vals[j])

    hi_s = [(Z[i], steps) for i in np.argsort(-rs)[:2]] + [(z, min(steps, 3)) for z in seeds_]
    lo_s = [(Z[i], steps) for i in np.argsort(rs)[:2]] + [(z, min(steps, 3)) for z in seeds_]
    for upper, starts in ((True, hi_s), (False, lo_s)):
        for Z0, budget in starts:
            Zc, prev = trunc(Z0), None
            for _ in range(max(1, budget)):
                Zc, val = refine(Zc, upper)
                high, low = (max(high, val), low) if upper else (high, min(low, val))
                if prev is not None and abs(val - prev) <= 1e-10 * abs(val):
                    break
                prev = val
                y = (K @ Zc.ravel()).reshape(n, n)
                Zc = trunc(y if upper else shift * Zc - y)
    return max(abs(low - 1), abs(high - 1)), low, high


@pytest.mark.parametrize("n,k,m,steps", [(4, 2, 30, 6), (6, 4, 200, 5), (6, 3, 60, 0), (5, 2, 1000, 8)])
def test_batched_rip_estimate_equals_the_loop(n: int, k: int, m: int, steps: int) -> None:
    """All starts advanced as one batch give the attained extremes of the one-by-one loop (roundoff only)."""
    A = sen.gaussian_measurements(n, m, np.random.default_rng(m + n))
    seeds = rip.random_low_rank(n, k, 5, np.random.default_rng(99))
    est = rip.rip_estimate(A, k, np.random.default_rng(3), 40, steps, seeds)
    delta, low, high = _rip_loop(A, k, np.random.default_rng(3), 40, steps, seeds)
    assert abs(est.low - low) <= 1e-12 * abs(low) and abs(est.high - high) <= 1e-12 * abs(high)
    assert abs(est.delta - delta) <= 1e-12 * max(1.0, delta)


def test_one_batch_over_operators_and_ranks_equals_the_loop_per_job() -> None:
    """Jobs of different operators (both Gram routes), ranks k, budgets and seeds, run together, each give
    the attained extremes of the reference loop run alone."""
    specs = [(6, 4, 300, 5, 4), (6, 3, 20, 5, 3), (6, 4, 50, 6, 0), (6, 3, 2000, 5, 2), (5, 2, 40, 4, 3),
             (6, 4, 300, 0, 2)]
    jobs, refs = [], []
    for j, (n, k, m, steps, nseeds) in enumerate(specs):
        A = sen.gaussian_measurements(n, m, np.random.default_rng(10 + j))
        seeds = rip.random_low_rank(n, k, nseeds, np.random.default_rng(50 + j)) if nseeds else None
        jobs.append(rip.RipJob(A, k, np.random.default_rng(90 + j), 60, steps, seeds))
        refs.append(_rip_loop(A, k, np.random.default_rng(90 + j), 60, steps, seeds))
    for est, (delta, low, high) in zip(rip.rip_estimates(jobs), refs):
        assert abs(est.low - low) <= 1e-12 * abs(low) and abs(est.high - high) <= 1e-12 * abs(high)
        assert abs(est.delta - delta) <= 1e-12 * max(1.0, delta)
