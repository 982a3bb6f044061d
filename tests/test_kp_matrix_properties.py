"""Property tests of the deep matrix reference on instances from verify.strategies."""
from __future__ import annotations

import mpmath
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.landscape.deep_matrix import (
    construct_minimizer, end_to_end_minimizer, flatten, gradient, hessian, objective, unflatten,
)
from verify.landscape.reduction import solve_scalar_mp
from verify.strategies import instances, near_threshold_instances, scaled_targets, targets


def _widths(inst):
    return inst.dims[1:-1]


@given(st.sampled_from([1e-6, 1.0, 1e6]).flatmap(lambda sc: instances(scale=sc)), st.integers(0, 2**32 - 1))
def test_constructed_minimizer_is_stationary_balanced_and_locally_minimal(inst, seed):
    rng = np.random.default_rng(seed)
    c = construct_minimizer(inst.M, inst.depth, inst.a, inst.b, _widths(inst), rng)
    assert c.Ws is not None and c.outside is None
    scale = max(np.linalg.norm(inst.M), 1.0)
    G = gradient(c.Ws, inst.M, inst.a, inst.b)
    # gradient at an exactly built minimizer: rounding of products of size ~||M||
    assert max(float(np.max(np.abs(g))) for g in G) <= 1e-11 * inst.a * scale ** 2
    for l in range(inst.depth - 1):
        D = c.Ws[l + 1].T @ c.Ws[l + 1] - c.Ws[l] @ c.Ws[l].T
        assert np.linalg.norm(D) <= 1e-12 * scale ** 2
    f0 = float(objective(c.Ws, inst.M, inst.a, inst.b))
    assert abs(f0 - c.e2e.value) <= 1e-11 * max(f0, 1e-300)
    x = flatten(c.Ws)
    for _ in range(5):  # no nearby descent direction (second-order: H is PSD at a minimum)
        v = rng.standard_normal(x.size) * 1e-4 * max(np.linalg.norm(x), 1e-3)
        f1 = float(objective(unflatten(x + v, inst.dims), inst.M, inst.a, inst.b))
        assert f1 >= f0 - 1e-12 * max(f0, 1.0)


@given(instances(bottleneck=True), st.integers(0, 2**32 - 1))
def test_bottleneck_is_reported_outside(inst, seed):
    c = construct_minimizer(inst.M, inst.depth, inst.a, inst.b, _widths(inst), np.random.default_rng(seed))
    if c.e2e.rank > min(_widths(inst)):
        assert c.Ws is None and "outside" in c.outside
    else:  # the minimizer's rank already fits through the bottleneck
        assert c.Ws is not None


@settings(max_examples=15)
@given(near_threshold_instances())
def test_near_threshold_decided_correctly(case):
    inst, eps = case
    e2e = end_to_end_minimizer(inst.M, inst.depth, inst.a, inst.b)
    # the top singular value collapses iff b is above its threshold (ε > 0)
    assert (e2e.s[0] == 0) == (eps > 0)
    assert not e2e.tie[0]


@settings(max_examples=15)
@given(st.sampled_from([1e-6, 1e6]), st.integers(3, 5), st.data())
def test_scale_covariance_tiny_and_huge(scale, L, data):
    # P*(c·M; b) = c·P*(M; b·c^(q−2)), q = 2/L: exact covariance of the reduced problem
    t = data.draw(scaled_targets(1.0, kind="any"))
    a, b = 2.0, 0.05
    e_unit = end_to_end_minimizer(t.M, L, a, b * scale ** (2.0 / L - 2))
    e_scaled = end_to_end_minimizer(t.M * scale, L, a, b)
    if np.any(e_unit.gap < 1e-6):
        return
    assert np.allclose(e_scaled.P, scale * e_unit.P, rtol=0, atol=1e-9 * scale * max(np.linalg.norm(t.M), 1.0))


@settings(max_examples=15)
@given(instances(depths=(1, 2, 3, 4)), st.integers(0, 2**32 - 1))
def test_trace_of_dense_hessian_is_sum_of_coordinate_curvatures(inst, seed):
    rng = np.random.default_rng(seed)
    Ws = [rng.standard_normal((inst.dims[l + 1], inst.dims[l])) for l in range(inst.depth)]
    H = hessian(Ws, inst.M, inst.a, inst.b)
    x = flatten(Ws)
    # independent route: F restricted to one coordinate is a quadratic; its exact curvature is
    # F(x+e) + F(x−e) − 2F(x) for any step (here 1), no finite-difference error
    f = lambda y: float(objective(unflatten(y, inst.dims), inst.M, inst.a, inst.b))
    curv = [f(x + e) + f(x - e) - 2 * f(x) for e in np.eye(x.size)]
    scale = max(abs(f(x + e)) + abs(f(x - e)) + 2 * abs(f(x)) for e in np.eye(x.size))
    assert abs(np.trace(H) - sum(curv)) <= 1e-12 * x.size * scale


@settings(max_examples=10)
@given(targets(kind="repeated", min_dim=2), st.integers(3, 4))
def test_repeated_singular_values_same_product_from_rotated_svds(t, L):
    e1 = end_to_end_minimizer(t.M, L, 2.0, 0.1)
    e2 = end_to_end_minimizer(None, L, 2.0, 0.1, svd=(t.U, t.sigma, t.V))
    assert np.allclose(e1.P, e2.P, atol=1e-11 * max(np.linalg.norm(t.M), 1.0))


@settings(max_examples=10)
@given(st.integers(3, 6), st.fractions(min_value=1, max_value=6, max_denominator=20),
       st.fractions(min_value=1, max_value=6, max_denominator=20))
def test_hp_solver_agrees_with_float_solver(L, sigma, b):
    from verify.landscape.reduction import solve_scalar
    fl = solve_scalar(float(sigma), L, 1.0, float(b))
    with mpmath.workdps(60):
        hp = solve_scalar_mp(mpmath.mpf(sigma.numerator) / sigma.denominator, L, 1, mpmath.mpf(b.numerator) / b.denominator)
    if fl.gap > 1e-6:
        assert abs(fl.x - float(hp.x)) <= 1e-12 * max(float(sigma), 1.0)
