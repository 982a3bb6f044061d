"""Monotone descent of several batches in lockstep (``descent.monotone_descent_many``, one flat buffer for all
batches) against the route it replaces in kp.uniqueness.width: one ``gradient_descent(..., monotone=True)`` per
batch. The end layers must be the same bit for bit, rejected (η-halving) steps included."""
from __future__ import annotations

import numpy as np
import pytest

from verify.claims import matrix_widths as mw
from verify.claims.context import RunContext
from verify.landscape.descent import gradient_descent, monotone_descent_many


def _bits(Ws):
    return [np.ascontiguousarray(W).view(np.int64) for W in Ws]


def _batch(rng, dims, n, eta_scale):
    L = len(dims) - 1
    W0 = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    M = rng.standard_normal((n, dims[-1], dims[0])) * 2
    a, b = rng.uniform(0.5, 2.0, n), rng.uniform(0.05, 0.5, n)
    return W0, M, a, b, eta_scale * rng.uniform(0.01, 0.2, n)


@pytest.mark.parametrize("eta_scale", [1.0, 20.0])  # 20: many rejected steps (η halved per instance)
def test_lockstep_equals_one_batch_at_a_time(eta_scale):
    rng = np.random.default_rng(11)
    shapes = [(2, 1, 1, 2), (2, 2, 2, 2), (3, 2, 2, 3), (2, 1, 2), (3, 2, 1, 2, 3), (3, 2), (2, 3, 1, 3, 2, 2)]
    batches = [_batch(rng, d, n, eta_scale) for d, n in zip(shapes, (9, 4, 5, 7, 3, 6, 2))]
    got = monotone_descent_many(batches, 150)
    for (W0, M, a, b, eta), Wg in zip(batches, got):
        want = gradient_descent(W0, M, a, b, eta, 150, monotone=True)
        for x, y in zip(_bits(Wg), _bits(want)):
            assert np.array_equal(x, y)


def test_scalar_coefficients_and_shared_target():
    rng = np.random.default_rng(5)
    W0 = [rng.standard_normal((6, 2, 3)), rng.standard_normal((6, 2, 2))]
    M = rng.standard_normal((2, 3))
    W1 = [rng.standard_normal((4, 1, 2)), rng.standard_normal((4, 1, 1)), rng.standard_normal((4, 2, 1))]
    M1 = np.diag([3.0, 1.0])
    got = monotone_descent_many([(W0, M, 1.0, 0.3, 0.05), (W1, M1, 2.0, 0.1, 0.02)], 120)
    for (W, Mx, a, b, eta), Wg in zip([(W0, M, 1.0, 0.3, 0.05), (W1, M1, 2.0, 0.1, 0.02)], got):
        want = gradient_descent(W, Mx, a, b, eta, 120, monotone=True)
        assert all(np.array_equal(x, y) for x, y in zip(_bits(Wg), _bits(want)))


def test_width_check_descent_equals_per_group_descent():
    """The check's own batches (fixed cases grouped by widths, seeded starts), shortened to 300 steps."""
    prepared = mw._prepare_numeric(RunContext().rng("kp.uniqueness.width.numeric"), 8)
    finals = mw._descend_grouped(prepared, 300)
    groups: dict[tuple[int, ...], list[int]] = {}
    for i, case in enumerate(mw.FIXED_CASES):
        groups.setdefault(tuple(case.dims), []).append(i)
    for idx in groups.values():
        counts = [prepared[i][5][0].shape[0] for i in idx]
        per = lambda k: np.repeat(np.array([prepared[i][k] for i in idx]), counts)  # noqa: E731
        W0 = [np.concatenate([prepared[i][5][l] for i in idx]) for l in range(len(prepared[idx[0]][5]))]
        Ms = np.concatenate([np.broadcast_to(prepared[i][2], (c,) + prepared[i][2].shape) for i, c in zip(idx, counts)])
        want = gradient_descent(W0, Ms, per(0), per(1), per(4), 300, monotone=True)
        got = [np.concatenate([finals[i][l] for i in idx]) for l in range(len(W0))]
        assert all(np.array_equal(x, y) for x, y in zip(_bits(got), _bits(want)))
