"""The hand-derived landscape reference: derivatives against finite differences, constructions,
scalar reduction, and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from verify.errors import UsageError
from verify.landscape.deep_matrix import (
    ab_float, construct_minimizer, end_to_end_minimizer, flatten, gradient, hessian, hvp, objective,
    orbit_tangent, unflatten,
)
from verify.landscape.descent import gradient_descent, newton_polish
from verify.landscape.reduction import (
    critical_value, critical_value_exact, exceptional_instance, scalar_value, solve_scalar, solve_scalar_mp,
)


def _layers(rng, dims):
    return [rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]


@pytest.mark.parametrize("dims", [(3, 2), (2, 3, 2), (3, 4, 2, 3), (1, 2, 3, 2, 1), (2, 2, 2, 2, 2, 2)])
def test_derivatives_match_finite_differences(dims):
    rng = np.random.default_rng(len(dims))
    Ws = _layers(rng, dims)
    M = rng.standard_normal((dims[-1], dims[0]))
    a, b = 1.3, 0.7
    x = flatten(Ws)
    f = lambda y: float(objective(unflatten(y, dims), M, a, b))
    g = lambda y: flatten(gradient(unflatten(y, dims), M, a, b))
    h = 1e-6
    E = np.eye(x.size)
    fd_g = np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in E])
    # central differences: O(h²)·|F'''| + eps·|F|/h ≈ 1e-9 relative at these scales
    assert np.max(np.abs(fd_g - g(x))) <= 1e-7 * max(1.0, np.max(np.abs(g(x))))
    H = hessian(Ws, M, a, b)
    fd_H = np.array([(g(x + h * e) - g(x - h * e)) / (2 * h) for e in E]).T
    assert np.max(np.abs(fd_H - H)) <= 1e-7 * max(1.0, np.max(np.abs(H)))
    assert np.array_equal(H, H.T)
    v = rng.standard_normal(x.size)
    Hv = flatten(hvp(Ws, M, unflatten(v, dims), a, b))
    assert np.allclose(Hv, H @ v, rtol=1e-12, atol=1e-12 * np.max(np.abs(H @ v)))


def test_batched_matches_single():
    rng = np.random.default_rng(5)
    dims = (2, 3, 2)
    Ws = [rng.standard_normal((4, dims[l + 1], dims[l])) for l in range(2)]
    M = rng.standard_normal((4, 2, 2))
    a, b = np.array([1.0, 2.0, 1.0, 2.0]), np.array([0.1, 0.2, 0.3, 0.4])
    F = objective(Ws, M, a, b)
    G = gradient(Ws, M, a, b)
    for k in range(4):
        Wk = [W[k] for W in Ws]
        assert F[k] == pytest.approx(float(objective(Wk, M[k], a[k], b[k])), rel=1e-14)
        for gb, gs in zip(G, gradient(Wk, M[k], a[k], b[k])):
            assert np.allclose(gb[k], gs, rtol=1e-13, atol=1e-14)
    Vs = [rng.standard_normal(W.shape) for W in Ws]
    HV = hvp(Ws, M, Vs, a, b)
    for k in range(4):
        single = hvp([W[k] for W in Ws], M[k], [V[k] for V in Vs], a[k], b[k])
        for hb, hs in zip(HV, single):
            assert np.allclose(hb[k], hs, rtol=1e-13, atol=1e-13)


def test_scalar_closed_forms_depth_1_2():
    # L = 1: ridge x = aσ/(a + b); L = 2: soft threshold max(σ − b/a, 0) (derived by hand)
    assert solve_scalar(3.0, 1, 2.0, 1.0).x == pytest.approx(2.0)
    assert solve_scalar(3.0, 2, 2.0, 1.0).x == pytest.approx(2.5)
    assert solve_scalar(0.4, 2, 2.0, 1.0).x == 0.0


def test_scalar_minimizer_beats_dense_grid():
    for L in (3, 4, 5, 7):
        for sigma in (0.3, 1.0, 2.5, 4.0):
            a, b = 2.0, 0.5
            sol = solve_scalar(sigma, L, a, b)
            grid = np.linspace(0, 2 * sigma, 200001)
            vals = scalar_value(grid, sigma, L, a, b)
            assert sol.value <= vals.min() + 1e-12 * max(vals.min(), 1)
            assert abs(grid[np.argmin(vals)] - sol.x) <= 2 * (grid[1] - grid[0]) + 1e-3 * sigma * (sol.gap < 1e-3)


def test_critical_value_is_a_tie_exactly():
    # σ_c from the closed form: the scalar problem has two global minimizers there (exact check)
    for L in (3, 4, 5, 6):
        a, b, sigma_c, x_star = exceptional_instance(L, sp.Rational(2, 3), sp.Integer(3))
        assert sp.simplify(critical_value_exact(L, a, b) - sigma_c) == 0
        g = lambda x: a / 2 * (x - sigma_c) ** 2 + b * L / 2 * x ** sp.Rational(2, L)
        assert sp.simplify(g(x_star) - g(0)) == 0
        rho = x_star ** sp.Rational(1, L)
        assert sp.simplify(sp.diff(g(sp.Symbol("y") ** L), sp.Symbol("y")).subs(sp.Symbol("y"), rho)) == 0
        mp = solve_scalar_mp(sigma_c, L, a, b)
        assert not solve_scalar_mp(sigma_c * (1 + sp.Rational(1, 10**30)), L, a, b).tie
        assert mp.tie
    assert critical_value(2, 1.0, 1.0) is None and critical_value(1, 1.0, 1.0) is None


def test_binary_exact_tie_in_float():
    # L = 3, a = b = 1: σ_c = 2 and x* = 1 are exact in binary; both minimizers reported
    sol = solve_scalar(2.0, 3, 1.0, 1.0)
    assert sol.tie and sorted(sol.minimizers) == [0.0, 1.0]


def test_construction_is_stationary_with_right_value():
    rng = np.random.default_rng(2)
    M = rng.standard_normal((3, 4)) * 3
    for L, widths in ((1, ()), (2, (5,)), (3, (4, 6)), (4, (3, 3, 5))):
        a, b = ab_float("A1", 0.5, L)
        c = construct_minimizer(M, L, a, b, widths, rng)
        G = gradient(c.Ws, M, a, b)
        assert max(np.max(np.abs(g)) for g in G) <= 1e-12 * np.linalg.norm(M) ** 2
        assert float(objective(c.Ws, M, a, b)) == pytest.approx(c.e2e.value, rel=1e-12)


def test_bottleneck_reported_not_crashing():
    rng = np.random.default_rng(3)
    M = np.diag([5.0, 4.0, 3.0])
    c = construct_minimizer(M, 3, 2.0, 0.1, (2, 3), rng)
    assert c.Ws is None and "outside" in c.outside


def test_repeated_and_rank_deficient_products_unique():
    rng = np.random.default_rng(4)
    U, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    V, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    M = (U[:, :3] * np.array([3.0, 3.0, 0.0])) @ V.T
    ps = [construct_minimizer(M, 3, 2.0, 0.3, (w, w + 1), rng) for w in (2, 3, 4)]
    for c in ps:
        assert c.e2e.rank == 2
        assert np.allclose(c.e2e.P, ps[0].e2e.P, atol=1e-12)
        assert np.allclose(np.linalg.multi_dot(c.Ws[::-1]), ps[0].e2e.P, atol=1e-12)


def test_orbit_tangent_in_null_space():
    rng = np.random.default_rng(6)
    M = rng.standard_normal((3, 3)) * 3
    c = construct_minimizer(M, 3, 2.0, 0.3, (4, 3), rng)
    H = hessian(c.Ws, M, 2.0, 0.3)
    T = orbit_tangent(c.Ws)
    assert np.linalg.norm(H @ T) <= 1e-10 * np.linalg.norm(H) * np.linalg.norm(T)


def test_newton_polish_and_descent_decrease():
    rng = np.random.default_rng(7)
    M = rng.standard_normal((2, 2)) * 2
    Ws = [rng.standard_normal((1, 2, 2)) for _ in range(3)]
    f0 = float(objective([W[0] for W in Ws], M, 2.0, 0.2))
    out = gradient_descent(Ws, M, 2.0, 0.2, 0.01, 200, monotone=True)
    f1 = float(objective([W[0] for W in out], M, 2.0, 0.2))
    pol = newton_polish([W[0] for W in out], M, 2.0, 0.2)
    assert f1 <= f0 and float(objective(pol, M, 2.0, 0.2)) <= f1


@pytest.mark.parametrize("bad", [
    lambda: objective([np.ones((2, 3))], np.ones((2, 2))),
    lambda: objective([np.ones((2, 2)), np.ones((3, 3))], np.ones((3, 2))),
    lambda: objective([np.full((2, 2), np.nan)], np.ones((2, 2))),
    lambda: objective([np.ones((2, 2))], np.array([[np.inf, 0], [0, 1]])),
    lambda: objective([], np.ones((2, 2))),
    lambda: gradient([np.ones((2, 2))], np.ones((2, 2)), 1.0, 0.0),
    lambda: gradient([np.ones((2, 2))], np.ones((2, 2)), 1.0, -1.0),
    lambda: ab_float("A1", 0.0, 3),
    lambda: ab_float("A1", -1.0, 3),
    lambda: ab_float("A1", math.nan, 3),
    lambda: ab_float("XX", 1.0, 3),
    lambda: ab_float("A1", 1.0, 0),
    lambda: end_to_end_minimizer(np.array([[np.nan]]), 3, 1.0, 1.0),
    lambda: end_to_end_minimizer(np.ones((2, 2)), 3, 1.0, 0.0),
    lambda: construct_minimizer(np.ones((2, 2)), 3, 1.0, 1.0, (2,), np.random.default_rng(0)),
    lambda: solve_scalar(-1.0, 3, 1.0, 1.0),
    lambda: solve_scalar(1.0, 3, 1.0, math.inf),
    lambda: hvp([np.ones((2, 2))], np.ones((2, 2)), [np.ones((3, 3))]),
])
def test_bad_input_raises_usage_error(bad):
    with pytest.raises(UsageError):
        bad()
