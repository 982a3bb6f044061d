"""Batched kernels: validated against the independent route; perturbed kernels are caught."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verify.errors import UsageError
from verify.kernels import backends
from verify.landscape import deep_matrix as reference
from verify.kernels.matrix import (
    build_matrix_kernels, compile_matrix_kernels, random_instances, validate,
)
from verify.symbolic.matrix import derive

SHAPES = [(1, (2, 3)), (2, (3, 1, 2)), (3, (2, 3, 2, 4))]


@pytest.mark.parametrize("depth,widths", SHAPES)
def test_numpy_kernels_validate(depth, widths):
    ok, err, tol = validate(compile_matrix_kernels(depth, widths, "numpy"), np.random.default_rng(depth))
    assert ok and err <= tol, (err, tol)


def test_lambdify_kernels_validate():
    ok, err, tol = validate(compile_matrix_kernels(2, (2, 3, 2), "lambdify"), np.random.default_rng(5))
    assert ok, (err, tol)


@pytest.mark.skipif(not backends.available("numba"), reason="numba not installed")
@pytest.mark.parametrize("depth,widths", [(2, (2, 3, 2)), (3, (3, 3, 3, 3))])  # unrolled / tiled paths
def test_numba_kernels_validate(depth, widths):
    k = compile_matrix_kernels(depth, widths, "numba")
    ok, err, tol = validate(k, np.random.default_rng(6), n=70)  # 70 > one tile of 64
    assert ok, (err, tol)


@pytest.mark.skipif(not backends.available("symengine"), reason="symengine not installed")
def test_symengine_kernels_validate():
    ok, err, tol = validate(compile_matrix_kernels(2, (2, 1, 2), "symengine"), np.random.default_rng(7))
    assert ok, (err, tol)


def test_reference_gradient_and_hessian_match_finite_differences():
    # The independent route itself is checked against central differences (float64).
    rng = np.random.default_rng(8)
    k = compile_matrix_kernels(2, (2, 3, 2), "numpy")
    Ws, M, a, b = random_instances(k, rng, 2)
    g = reference.gradient(Ws, M, a, b)
    H = reference.hessian(Ws, M, a, b)
    h = 1e-5
    for l, w in enumerate(Ws):
        for idx in np.ndindex(w.shape[1:]):
            E = [np.zeros_like(x) for x in Ws]
            E[l][(slice(None),) + idx] = h
            fp = reference.objective([x + e for x, e in zip(Ws, E)], M, a, b)
            fm = reference.objective([x - e for x, e in zip(Ws, E)], M, a, b)
            assert np.allclose((fp - fm) / (2 * h), g[l][(slice(None),) + idx], rtol=1e-7, atol=1e-8)
    gp = reference.gradient([Ws[0] + h * np.eye(3, 2)[None], Ws[1]], M, a, b)
    gm = reference.gradient([Ws[0] - h * np.eye(3, 2)[None], Ws[1]], M, a, b)
    col = np.concatenate([((x - y) / (2 * h)).reshape(2, -1) for x, y in zip(gp, gm)], axis=1)
    v = np.concatenate([np.eye(3, 2).reshape(-1), np.zeros(6)])
    assert np.allclose(col, H @ v, rtol=1e-7, atol=1e-8)


class _Perturbed:
    """A kernel whose Hessian is off by 1e-6 relative in one entry."""

    def __init__(self, k):
        self.k = k

    def __getattr__(self, name):
        return getattr(self.k, name)

    def hessian(self, Ws, M, a, b, out=None):
        H = self.k.hessian(Ws, M, a, b)
        H[:, 0, 0] *= 1 + 1e-6  # a diagonal entry: b + a·(...) > 0, never zero
        return H


def test_perturbed_hessian_is_caught():
    k = compile_matrix_kernels(2, (2, 2, 2), "numpy")
    ok, err, tol = validate(_Perturbed(k), np.random.default_rng(9))
    assert not ok and err > tol


def test_kernels_from_a_wrong_derivation_are_caught():
    der = derive(2, (2, 3, 2))
    blocks = dict(der.blocks)
    blocks[(0, 1)] = blocks[(0, 1)][:-1]
    bad = dataclasses.replace(der, blocks=blocks)
    ok, err, tol = validate(build_matrix_kernels(bad, "numpy"), np.random.default_rng(10))
    assert not ok and err > 1e-3
    grads = list(der.gradient_terms)
    grads[1] = grads[1][:-1]  # drop one term (a trace term) of the second layer's gradient
    bad = dataclasses.replace(der, gradient_terms=tuple(grads))
    ok, _, _ = validate(build_matrix_kernels(bad, "numpy"), np.random.default_rng(11))
    assert not ok


@pytest.mark.skipif(not backends.available("numba"), reason="numba not installed")
def test_numba_kernels_from_a_wrong_derivation_are_caught():
    der = derive(2, (2, 3, 2))
    blocks = dict(der.blocks)
    blocks[(1, 0)] = blocks[(1, 0)][1:]
    ok, _, _ = validate(build_matrix_kernels(dataclasses.replace(der, blocks=blocks), "numba"),
                        np.random.default_rng(12))
    assert not ok


def test_cache_and_input_forms():
    k = compile_matrix_kernels(2, (2, 2, 2), "numpy")
    assert compile_matrix_kernels(2, [2, 2, 2], "numpy") is k
    rng = np.random.default_rng(13)
    Ws, M, a, b = random_instances(k, rng, 3)
    single = k.objective([w[0] for w in Ws], M[0], float(a[0]), float(b[0]))
    assert single.shape == (1,)
    assert np.isclose(single[0], k.objective(Ws, M, a, b)[0])
    shared = k.hessian(Ws, M[0], a, b)  # one target for every instance
    assert shared.shape == (3, 8, 8)
    assert np.allclose(shared, reference.hessian(Ws, np.broadcast_to(M[0], M.shape), a, b))


@pytest.mark.parametrize("mutate", [
    lambda Ws, M, a, b: ([np.full_like(Ws[0], np.nan)] + Ws[1:], M, a, b),
    lambda Ws, M, a, b: (Ws[:1], M, a, b),
    lambda Ws, M, a, b: ([Ws[0][:, :1]] + Ws[1:], M, a, b),
    lambda Ws, M, a, b: (Ws, M[:, :1], a, b),
    lambda Ws, M, a, b: (Ws, M, -1.0, b),
    lambda Ws, M, a, b: (Ws, M, a, np.inf),
    lambda Ws, M, a, b: (Ws, M, a, np.ones(7)),
])
def test_bad_inputs_raise_usage_error(mutate):
    k = compile_matrix_kernels(2, (2, 2, 2), "numpy")
    args = mutate(*random_instances(k, np.random.default_rng(14), 3))
    with pytest.raises(UsageError):
        k.hessian(*args)


def test_bad_backend_and_sizes():
    with pytest.raises(UsageError):
        compile_matrix_kernels(2, (2, 2, 2), "fortran")
    with pytest.raises(UsageError):
        compile_matrix_kernels(0, (2,), "numpy")
    assert backends.resolve("auto") in ("numba", "numpy")


@settings(max_examples=5)
@given(st.lists(st.integers(1, 3), min_size=2, max_size=4), st.integers(0, 2**32 - 1))
def test_numpy_kernels_validate_on_random_widths(widths, seed):
    k = compile_matrix_kernels(len(widths) - 1, tuple(widths), "numpy")
    ok, err, tol = validate(k, np.random.default_rng(seed), n=3)
    assert ok, (widths, err, tol)
