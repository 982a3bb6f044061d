"""``random_instances`` builds the instances ``random_instance`` builds one by one, from the same draws."""
from __future__ import annotations

import numpy as np
import pytest

from verify.landscape.instances import SPECTRUM_KINDS, random_instance, random_instances


@pytest.mark.parametrize("depth, dims, convention, spread, kinds", [
    (2, (3, 2, 2), None, (1.0, 6.0), ("distinct",)),
    (3, (3, 4, 4, 3), None, (1.0, 6.0), SPECTRUM_KINDS),
    (4, (2, 3, 3, 3, 2), "S", (0.5, 2.0), ("distinct",)),
    (1, (4, 3), None, (1.0, 6.0), ("repeated", "rank-deficient")),
    (5, (2, 3, 1, 2, 4, 3), None, (1.0, 6.0), ("distinct",)),
])
def test_random_instances_are_random_instance(depth, dims, convention, spread, kinds):
    seed = 17 + depth
    r1, r2 = np.random.default_rng(seed), np.random.default_rng(seed)
    got = random_instances(r1, depth, dims, 25, (0.2, 2.0), convention, spread, kinds)
    want = [random_instance(r2, depth, dims, float(r2.uniform(0.2, 2.0)), convention, spread, kinds[i % len(kinds)])
            for i in range(25)]
    assert r1.bit_generator.state == r2.bit_generator.state
    for g, w in zip(got, want, strict=True):
        assert np.array_equal(g.M, w.M)
        assert (g.depth, g.dims, g.convention, g.lam, g.a, g.b) == (w.depth, w.dims, w.convention, w.lam, w.a, w.b)
    assert random_instances(r1, depth, dims, 0, (0.2, 2.0)) == []
