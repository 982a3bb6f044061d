"""Slice S1 (issue 13): the L6 instances are built once per (seed, parameters, index) and shared read-only."""
from __future__ import annotations

import numpy as np
import pytest

from verify.claims.context import RunContext, get_profile
from verify.claims.sensing_common import _build_instance, sensing_instance, sensing_params

P = sensing_params(c="1/4", bound_coefficients=("8", "4"), basis_scale="1", gaussian_scale_power="1/2",
                   n=4, r=2, m_sizes=(40, 10), minima_delta="1/5")


def test_shared_instance_equals_a_fresh_build_and_is_read_only() -> None:
    ctx = RunContext(seed=3, profile=get_profile("quick"))
    a, b = sensing_instance(ctx, P, 1), sensing_instance(RunContext(seed=3, profile=get_profile("standard")), P, 1)
    assert a is b
    fresh = _build_instance(ctx, P, 1)
    assert np.array_equal(a.M, fresh.M) and np.array_equal(a.lam, fresh.lam)
    assert all(np.array_equal(x.rows, y.rows) for x, y in zip(a.ensembles, fresh.ensembles))
    assert all(np.array_equal(x.X, y.X) for x, y in zip(a.points, fresh.points))
    with pytest.raises(ValueError):
        a.M[0, 0] = 1.0
    with pytest.raises(ValueError):
        a.ensembles[0].rows[0, 0] = 1.0


def test_other_seed_index_or_parameters_give_other_instances() -> None:
    ctx = RunContext(seed=3, profile=get_profile("quick"))
    base = sensing_instance(ctx, P, 0)
    assert not np.array_equal(base.M, sensing_instance(RunContext(seed=4, profile=get_profile("quick")), P, 0).M)
    assert not np.array_equal(base.M, sensing_instance(ctx, P, 1).M)
    P2 = sensing_params(c="1/4", bound_coefficients=("8", "4"), basis_scale="1", gaussian_scale_power="1/2",
                        n=4, r=2, m_sizes=(41, 10), minima_delta="1/5")
    assert sensing_instance(ctx, P2, 0).ensembles[0].m == 41


def test_shared_hessian_distance_equals_a_fresh_one_and_is_read_only() -> None:
    from verify import sensing as sen

    ctx = RunContext(seed=5, profile=get_profile("quick"))
    inst = sensing_instance(ctx, P, 0)
    A, pt = inst.ensembles[1], inst.points[1]
    hd = inst.distance(A, pt, 0.25)
    assert inst.distance(A, pt, 0.25) is hd
    fresh = sen.hessian_distance(A, pt.X, inst.M, 0.25)
    assert (hd.distance, hd.hess_f_norm, hd.e_rank, hd.tangent_delta, hd.w_norm) == \
        (fresh.distance, fresh.hess_f_norm, fresh.e_rank, fresh.tangent_delta, fresh.w_norm)
    assert all(np.array_equal(a, b) for a, b in zip(hd.tangent_extremes + hd.polarization,
                                                    fresh.tangent_extremes + fresh.polarization))
    with pytest.raises(ValueError):
        hd.tangent_extremes[0][0, 0] = 1.0
