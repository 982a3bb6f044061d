"""The batched Newton routines give the one-instance routines' iterates bit for bit (``newton_stacked``)."""
from __future__ import annotations

import numpy as np
import pytest

from verify.errors import UsageError
from verify.landscape.deep_matrix import hessian_one, hessian_stack
from verify.landscape.descent import newton_critical, newton_polish
from verify.landscape.newton_stacked import newton_critical_many, newton_polish_many, row_norms

DIMS = [(3, 2), (2, 3, 2), (3, 4, 2), (2, 3, 3, 2), (3, 2, 1, 2, 3), (3, 4, 4, 4, 3), (2, 1, 1, 2), (3, 3, 3, 3, 3, 3)]


def _batch(rng, dims, n, spread=1.0):
    L = len(dims) - 1
    Ws = [rng.standard_normal((n, dims[l + 1], dims[l])) * rng.uniform(0.3, 1.5 * spread, size=(n, 1, 1))
          for l in range(L)]
    M = rng.standard_normal((n, dims[-1], dims[0])) * 3
    return Ws, M, rng.uniform(0.5, 2.0, size=n), rng.uniform(0.02, 0.8, size=n)


def test_row_norms_are_numpy_norms():
    rng = np.random.default_rng(0)
    for n in (1, 2, 7, 30, 61, 130):
        X = rng.standard_normal((9, n)) * 10.0 ** rng.uniform(-8, 8, size=(9, 1))
        assert np.array_equal(row_norms(X), np.array([np.linalg.norm(r) for r in X]))


@pytest.mark.parametrize("dims", DIMS)
def test_hessian_of_a_stack_does_not_depend_on_the_rest_of_the_stack(dims):
    """Each instance of a stack gets the Hessian of a stack of one (the formula itself is tested against the einsum
    reference in test_route_descent_partial_products.py and against finite differences elsewhere)."""
    rng = np.random.default_rng(len(dims) * 10 + dims[1])
    Ws, M, a, b = _batch(rng, dims, 7)
    H = hessian_stack(Ws, M, a, b)
    for i in range(7):
        assert np.array_equal(H[i], hessian_one([W[i] for W in Ws], M[i], float(a[i]), float(b[i])))


@pytest.mark.parametrize("dims", DIMS)
def test_newton_critical_many_is_newton_critical(dims):
    rng = np.random.default_rng(100 + len(dims) * 10 + dims[1])
    n = 8
    Ws, M, a, b = _batch(rng, dims, n, spread=3.0)
    got, rel = newton_critical_many(Ws, M, a, b)
    for i in range(n):
        want, rel_i = newton_critical([W[i] for W in Ws], M[i], float(a[i]), float(b[i]))
        assert all(np.array_equal(g[i], w) for g, w in zip(got, want))
        assert rel[i] == rel_i
    got, rel = newton_critical_many(Ws, M[0], 1.3, 0.2, steps=5)  # shared target, scalar a, b; few steps
    for i in range(n):
        want, rel_i = newton_critical([W[i] for W in Ws], M[0], 1.3, 0.2, steps=5)
        assert all(np.array_equal(g[i], w) for g, w in zip(got, want)) and rel[i] == rel_i


@pytest.mark.parametrize("dims", DIMS)
def test_newton_polish_many_is_newton_polish(dims):
    """From near a minimizer (a short descent first) and from random points (steps rejected)."""
    from verify.landscape.descent import gradient_descent

    rng = np.random.default_rng(200 + len(dims) * 10 + dims[1])
    n = 8
    Ws, M, a, b = _batch(rng, dims, n)
    near = gradient_descent(Ws, M, a, b, 0.002, 400, monotone=True)
    for start in (near, Ws):
        got = newton_polish_many(start, M, a, b, steps=10)
        for i in range(n):
            want = newton_polish([W[i] for W in start], M[i], float(a[i]), float(b[i]), steps=10)
            assert all(np.array_equal(g[i], w) for g, w in zip(got, want))


def test_newton_polish_many_refuses_non_finite_layers():
    rng = np.random.default_rng(3)
    Ws, M, a, b = _batch(rng, (2, 3, 2), 3)
    Ws[0][1, 0, 0] = np.nan
    with pytest.raises(UsageError):
        newton_polish_many(Ws, M, a, b)


def test_multistart_runs_are_the_per_run_polish():
    """``search.multistart`` polishes all runs in one batch: the runs it keeps are ``newton_polish`` per run."""
    from verify.landscape.descent import gradient_descent, step_size
    from verify.landscape.instances import random_instance
    from verify.landscape.search import multistart

    rng = np.random.default_rng(11)
    insts = [random_instance(rng, 3, (3, 4, 4, 3), float(rng.uniform(0.15, 0.75))) for _ in range(3)]
    state = rng.bit_generator.state
    got = multistart(rng, insts, 4, 300)
    rng.bit_generator.state = state
    n, L, dims = 12, 3, insts[0].dims
    Ms = np.repeat(np.stack([i.M for i in insts]), 4, axis=0)
    a, b = np.repeat([i.a for i in insts], 4), np.repeat([i.b for i in insts], 4)
    eta = np.repeat([step_size(i.M, L, i.a, i.b) for i in insts], 4)
    smax = np.repeat([max(np.linalg.norm(i.M, 2), 1e-3) for i in insts], 4)
    std = smax ** (1.0 / L) / np.sqrt(np.mean(dims)) * rng.uniform(0.5, 1.5, size=n)
    W0 = [std[:, None, None] * rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    Wf = gradient_descent(W0, Ms, a, b, eta, 300, monotone=True)
    for k, s in enumerate(got):
        assert len(s.runs) == 4
        for j, r in enumerate(s.runs):
            want = newton_polish([W[4 * k + j] for W in Wf], insts[k].M, insts[k].a, insts[k].b, steps=10)
            assert all(np.array_equal(g, w) for g, w in zip(r.Ws, want))
