"""kp.weights.classification's float64 tier: the stationary radii of many instances at once
(``ray_roots``, stacked matmuls grouped by bracket count) are bit for bit those of the replaced one-instance
loop (reproduced here: grid of 2000 radii, 80 bisections of every bracket, ``(k × L) @ d`` per instance)."""
from __future__ import annotations

import numpy as np
import pytest

from verify.landscape.weighted_rays import ray_roots


def _one_instance(c, a, m, b, d, top) -> list[float]:
    rho = top * np.geomspace(1e-7, 1.0, 2000)

    def slope(r):
        w = np.outer(r, d)
        P = np.prod(w, axis=1)
        Pi = P[:, None] / w
        return ((a * (P - m))[:, None] * Pi + b * c * w) @ d

    g = slope(rho)
    idx = np.nonzero(np.sign(g[:-1]) * np.sign(g[1:]) < 0)[0]
    lo, hi, s_lo = rho[idx], rho[idx + 1], np.sign(g[idx])
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        left = np.sign(slope(mid)) == s_lo
        lo, hi = np.where(left, mid, lo), np.where(left, hi, mid)
    return list(0.5 * (lo + hi))


@pytest.mark.parametrize("L", [1, 2, 3, 5, 8, 12])
def test_batched_radii_are_bit_identical(L):
    rng = np.random.default_rng(100 + L)
    inst = []
    for _ in range(30):
        c = np.exp(rng.uniform(np.log(0.2), np.log(5.0), size=L))
        cbar = float(np.exp(np.mean(np.log(c))))
        a = float(rng.choice([1.0, 2.0]))
        m = float(np.exp(rng.uniform(np.log(0.1), np.log(10.0)))) * (1 if rng.random() < .5 else -1)
        b = float(np.exp(rng.uniform(np.log(0.05), np.log(2.0)))) * a * abs(m) ** (2 - 2 / L) / cbar
        s = np.ones(L)
        s[-1] = np.sign(m)
        inst.append((c, a, m, b, np.sqrt(cbar / c) * s, 1.01 * abs(m) ** (1 / L)))
    c, a, m, b, d, top = zip(*inst)
    got = ray_roots(np.array(a), np.array(m), np.array(b), np.stack(c), np.stack(d), np.array(top))
    counts = set()
    for x, roots in zip(inst, got):
        want = _one_instance(*x)
        counts.add(len(want))
        assert len(roots) == len(want) and all(u == v for u, v in zip(roots, want))
    if L >= 3:
        assert {0, 2} <= counts  # both regimes (above and below the fold) are in the sample
