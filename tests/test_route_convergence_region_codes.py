"""verify.landscape.convergence: the batched region codes against THE region definitions (classify_region),
and gd_batch's recorded statistics against a step-by-step replay of the same GD."""
from __future__ import annotations

import math

import numpy as np

from verify.kernels.symmetric import Instance, objective, random_orthogonal
from verify.landscape.convergence import REGION_NAMES, RegionBounds, gd_batch, region_codes, smoothness
from verify.landscape.symmetric import classify_region, constants


def _instance(rng, n=4, r=2):
    lam = np.array([1.0, 0.85, 0.5, 0.2][:n])
    return Instance(lam, random_orthogonal(rng, n), r)


def test_region_codes_equal_classify_region():
    rng = np.random.default_rng(3)
    inst = _instance(rng)
    K = constants(inst, 0.25)
    b = RegionBounds.of([inst], [K], inst.r)
    N = 4000
    # values spread around each threshold, some exactly on it
    sr2 = b.r1a[0] * rng.choice([0.5, 1.0, 1.0 + 1e-12, 2.0], N)
    ds = K.rho1 * rng.choice([0.5, 1.0, 1.5], N)
    dm = K.rho2 * rng.choice([0.5, 1.0, 1.5], N)
    for dsad in (ds, None):
        codes = region_codes(sr2, dsad, dm, np.full(N, b.r1a[0]), np.full(N, b.rho1[0]), np.full(N, b.rho2[0]))
        ref = [classify_region(sr2[t], inst.lam[inst.r - 1], (lambda t=t: None if dsad is None else dsad[t]),
                               lambda t=t: dm[t], lambda: 1.0, 1.0, K)[:2] for t in range(N)]
        assert [REGION_NAMES[q] for q in codes] == ref


def test_gd_batch_counts_match_a_step_by_step_replay():
    rng = np.random.default_rng(5)
    c = 0.25
    insts = [_instance(rng) for _ in range(3)]
    K = [constants(i, c) for i in insts]
    X0 = np.array([rng.standard_normal((4, 2)) * s for s in (1e-3, 1.0, 2.0)])
    F0 = [float(objective(x, i.M, c)) for x, i in zip(X0, insts)]
    eta = np.array([1 / smoothness(1.0, f, c, math.sqrt) for f in F0])
    eps = 1e-7 * c
    stats = gd_batch(insts, X0, c, eta, eps, K, 20000)
    for j, (inst, k) in enumerate(zip(insts, K)):
        batch = gd_batch([inst], X0[j:j + 1], c, eta[j:j + 1], eps, [k], 20000)[0]
        assert batch == stats[j]
        assert stats[j].iterations is not None and sum(stats[j].counts.values()) == stats[j].iterations
        assert stats[j].counts["R2"] > 0 and stats[j].gap_entry is not None and math.isfinite(stats[j].worst_rate)
