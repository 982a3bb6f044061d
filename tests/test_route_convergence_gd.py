"""verify.landscape.convergence.gd_batch (compacted active state, R = XXᵀ − M shared by F and ∇F, descent margins
judged after the loop) against the route it replaced: the per-step fancy-indexed loop, kept here verbatim. The
RunStats must be identical (same float64 operations on the same numbers), on random, adversarial (δ = 0: ends
at the saddle) and diverging runs."""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from verify.claims.convergence_numeric import ADV_LAM, GAPS, SCALES, spectrum
from verify.kernels.symmetric import EPS, Instance, classify, gradient, objective, random_orthogonal
from verify.landscape.convergence import (
    FINAL_TOL, REGION_NAMES, RegionBounds, RunStats, _regions, best_value, gd_batch, smoothness,
)
from verify.landscape.symmetric import RegionConstants, constants, full_rank_saddles


def _gd_batch_reference(insts: Sequence[Instance], X0: np.ndarray, c: float, eta: np.ndarray, eps: float,
             K: Sequence[RegionConstants], max_iter: int) -> list[RunStats]:
    """gd_batch as it was before the compacted loop (kept verbatim as the reference route)."""
    B = len(insts)
    n, r = X0.shape[-2:]
    M = np.stack([i.M for i in insts])
    Fstar = np.array([best_value(i, c) for i in insts])
    tops = np.stack([i.U[:, :r] * np.sqrt(i.lam[:r]) for i in insts])
    sads = [full_rank_saddles(i) for i in insts]
    nS = len(sads[0])
    Bsad = np.stack([np.stack([i.U[:, list(S)] * np.sqrt(i.lam[list(S)]) for S in s]) if s else
                     np.zeros((0, n, r)) for i, s in zip(insts, sads)])
    norm_top2 = np.sum(tops * tops, axis=(1, 2))
    norm_sad2 = np.sum(Bsad * Bsad, axis=(2, 3))
    normM = np.array([float(np.linalg.norm(i.lam)) for i in insts])
    theta = np.array([max(1 - e * k.kappa2, 1e-300) for e, k in zip(eta, K)])
    log_theta = [-math.log(t) for t in theta]
    bounds = RegionBounds.of(insts, K, r)
    iterations = [None] * B
    diverged = np.zeros(B, dtype=bool)
    worst_descent = np.full(B, math.inf)
    rec_idx, rec_X, rec_gap, rec_next = [], [], [], []     # every iterate with gap > ε, in iteration order
    X = X0.copy()
    active = np.arange(B)
    with np.errstate(all="ignore"):
        F = objective(X, M, c)
        for k in range(max_iter + 1):
            gap = F[active] - Fstar[active]
            bad = ~np.isfinite(gap)
            diverged[active[bad]] = True
            done = (gap <= eps) | bad
            for j in active[done & ~bad]:
                iterations[j] = k
            active = active[~done]
            if active.size == 0 or k == max_iter:
                break
            Xa, Ma = X[active], M[active]
            G = gradient(Xa, Ma, c)
            Xn = Xa - eta[active, None, None] * G
            Fn = objective(Xn, Ma, c)
            need = eta[active] / 2 * np.sum(G * G, axis=(1, 2))
            dec = F[active] - Fn
            noise = 100 * n * r * EPS * (np.abs(F[active]) + Fstar[active] + c * normM[active] ** 2)
            judged = (need > 1e3 * noise) | (dec < need - noise)
            worst_descent[active[judged]] = np.fmin(worst_descent[active[judged]],
                                                    (dec[judged] - need[judged]) / need[judged])
            rec_idx.append(active)
            rec_X.append(Xa)
            rec_gap.append(F[active] - Fstar[active])
            rec_next.append(Fn - Fstar[active])
            X[active] = Xn
            F[active] = Fn
        # the regions of all recorded iterates at once (each is classified on its own: batching changes nothing)
        counts = np.zeros((B, 3), dtype=np.int64)
        worst_rate = np.full(B, math.inf)
        has_entry = np.zeros(B, dtype=bool)
        gap_entry = np.zeros(B)
        if rec_idx:
            idx = np.concatenate(rec_idx)
            codes = _regions(np.concatenate(rec_X), idx, tops, Bsad, norm_top2, norm_sad2, bounds, nS)
            gap_a, gap_n = np.concatenate(rec_gap), np.concatenate(rec_next)
            np.add.at(counts, (idx, codes), 1)
            r2 = codes == 1
            runs, first = np.unique(idx[r2], return_index=True)   # each run's first R2 iterate
            gap_entry[runs] = gap_a[r2][first]
            has_entry[runs] = True
            rated = r2 & (gap_n > 1e-3 * eps) & (gap_a > 0)
            js = idx[rated]
            rates = [math.log(q) / log_theta[j] for q, j in zip((gap_a[rated] / gap_n[rated]).tolist(), js.tolist())]
            np.fmin.at(worst_rate, js, np.array(rates, dtype=float))
    stats = []
    for j, inst in enumerate(insts):
        st = RunStats(iterations=iterations[j], diverged=bool(diverged[j]),
                      counts={name: int(counts[j, q]) for q, name in enumerate(REGION_NAMES)},
                      gap_entry=float(gap_entry[j]) if has_entry[j] else None,
                      worst_descent=float(worst_descent[j]), worst_rate=float(worst_rate[j]))
        if not st.diverged:
            st.final_set, st.final_residual = classify(X[j], inst, FINAL_TOL)
        stats.append(st)
    return stats


def _runs(rng, n, r, p, c, scale_eta=1.0):
    insts, X0, eta, K = [], [], [], []
    for gap in GAPS:
        for scale in SCALES:
            inst = Instance(spectrum(n, r, p, gap), random_orthogonal(rng, n), r)
            X = scale * rng.standard_normal((n, r)) / math.sqrt(n * r)
            f0 = float(objective(X, inst.M, c))
            insts.append(inst), X0.append(X), K.append(constants(inst, c))
            eta.append(scale_eta / smoothness(1.0, f0, c, math.sqrt))
    return insts, np.array(X0), np.array(eta), K


def _same(a: list[RunStats], b: list[RunStats]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.iterations == y.iterations and x.diverged == y.diverged and x.counts == y.counts
        assert x.gap_entry == y.gap_entry and x.final_set == y.final_set
        for f in ("worst_descent", "worst_rate", "final_residual"):
            u, v = getattr(x, f), getattr(y, f)
            assert u == v or (math.isnan(u) and math.isnan(v)), (f, u, v)


def test_gd_batch_equals_the_reference_on_random_runs():
    rng = np.random.default_rng(11)
    for n, r, p, c in ((3, 1, 2, 0.25), (4, 2, 3, 1.0), (6, 3, 4, 0.5)):
        insts, X0, eta, K = _runs(rng, n, r, p, c)
        eps = 1e-7 * c
        _same(gd_batch(insts, X0, c, eta, eps, K, 20000), _gd_batch_reference(insts, X0, c, eta, eps, K, 20000))


def test_gd_batch_equals_the_reference_on_adversarial_capped_and_diverging_runs():
    c = 0.25
    inst = Instance(np.array(ADV_LAM), np.eye(3), 1)
    K = constants(inst, c)
    deltas = (1e-2, 1e-8, 0.0)
    X0 = np.array([np.array([d, 0.7, 0.4])[:, None] for d in deltas] + [np.array([[3.0], [2.0], [1.0]])])
    eta = np.array([1 / smoothness(1.0, float(objective(x, inst.M, c)), c, math.sqrt) for x in X0])
    eta[-1] *= 40                                    # a step far beyond 1/L: F blows up
    args = ([inst] * 4, X0, c, eta, 1e-7 * c, [K] * 4, 2000)
    new, ref = gd_batch(*args), _gd_batch_reference(*args)
    _same(new, ref)
    assert new[-1].diverged and new[2].iterations is None
    rng = np.random.default_rng(2)
    insts, X0, eta, K = _runs(rng, 4, 2, 3, 1.0, scale_eta=1.9)
    _same(gd_batch(insts, X0, 1.0, eta, 1e-7, K, 150), _gd_batch_reference(insts, X0, 1.0, eta, 1e-7, K, 150))
