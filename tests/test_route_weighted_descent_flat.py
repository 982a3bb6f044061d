"""The fixed-step descent of ``weighted_minimize_many`` in one flat buffer (``descent_stacked.fixed_step_penalized``)
against the layer-by-layer loop it replaced (``weighted_gradient`` per step, instances with a non-finite step kept at
their point): the same iterates bit for bit, overflowing instances included."""
from __future__ import annotations

import numpy as np
import pytest

from verify.claims.matrix_weights import weighted_gradient
from verify.landscape.descent_stacked import fixed_step_penalized


def _replaced(Ws, Ms, a, b, c, eta, steps):
    """The replaced loop, as it was."""
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            new = [W - eta * g for W, g in zip(Ws, weighted_gradient(Ws, Ms, a, b, c))]
            if all(np.isfinite(np.sum(W)) for W in new):
                Ws = new
                continue
            ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in new], axis=0)
            Ws = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
    return Ws


@pytest.mark.parametrize("dims,c", [((3, 2, 2), [1.0, 2.0]), ((3, 2, 3, 2), [0.5, 1.0, 3.0]),
                                    ((3, 3, 2, 2, 2), [1.0, 1.5, 2.0, 0.25]), ((2, 1, 2), [1.0, 1.0]),
                                    ((3, 2), [2.0])])
@pytest.mark.parametrize("blowup", [False, True])
def test_flat_fixed_step_equals_replaced_loop(dims, c, blowup):
    rng = np.random.default_rng(17)
    n, L = 16, len(dims) - 1
    Ws = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    Ms = rng.standard_normal((n, dims[-1], dims[0]))
    a = rng.uniform(0.5, 2.0, n)[:, None, None]
    b = rng.uniform(0.1, 0.7, n)[:, None, None]
    eta = rng.uniform(0.005, 0.05, n)[:, None, None]
    if blowup:  # a few instances with a huge step overflow to inf/nan and must be frozen
        eta[::5] = 50.0
    want = _replaced(Ws, Ms, a, b, c, eta, 120)
    with np.errstate(over="ignore", invalid="ignore"):
        got = fixed_step_penalized(Ws, Ms, a, [b * cl for cl in c], eta, 120)
    for x, y in zip(got, want):
        assert np.array_equal(x.view(np.int64), np.ascontiguousarray(y).view(np.int64))
