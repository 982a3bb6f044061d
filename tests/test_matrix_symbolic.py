"""Symbolic derivatives of the deep matrix objective: cross-checked, and wrong ones caught."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp

from verify.errors import UsageError
from verify.symbolic.matrix import (
    BlockTerm, check_against_entries, check_against_finite_differences, check_widths, derive,
    sympy_direct_gradient,
)

SMALL = [(1, (2, 3)), (2, (2, 3, 2)), (3, (1, 2, 1, 2))]


@pytest.mark.parametrize("depth,widths", SMALL)
def test_structured_derivatives_match_per_entry_differentiation_exactly(depth, widths):
    der = derive(depth, widths)
    res = check_against_entries(der, np.random.default_rng(depth))
    assert res.ok, res
    assert res.max_rel_err == 0.0


@pytest.mark.parametrize("depth,widths", [(2, (3, 2, 2)), (3, (2, 2, 1, 2)), (4, (1, 2, 2, 1, 1))])
def test_structured_derivatives_match_high_precision_finite_differences(depth, widths):
    der = derive(depth, widths)
    res = check_against_finite_differences(der, np.random.default_rng(10 + depth), dps=40)
    assert res.ok, res
    assert res.max_rel_err < res.tolerance


def test_sympy_matrix_calculus_bug_is_caught():
    # SymPy 1.14: (Trace(A) + Trace(B)).diff(W) == 0; our objective is such a sum.
    der = derive(2, (2, 2, 2))
    wrong = sympy_direct_gradient(der)
    assert all(isinstance(g, sp.ZeroMatrix) for g in wrong)
    rng = np.random.default_rng(0)
    assert not check_against_finite_differences(der, rng, gradient=wrong, use_second=False).ok
    assert not check_against_entries(der, rng, gradient=wrong, points=1).ok


def test_dropped_trace_term_in_gradient_is_caught():
    der = derive(2, (2, 3, 2))
    # Drop the regularization trace term (b/2)·tr(W_1ᵀW_1) from layer 1's gradient.
    wrong = (sp.MatAdd(der.gradient[0], -der.b * der.W[0]).doit(), *der.gradient[1:])
    rng = np.random.default_rng(1)
    fd = check_against_finite_differences(der, rng, gradient=wrong, use_second=False, points=1)
    assert not fd.ok and fd.max_rel_err > 1e-6
    assert not check_against_entries(der, rng, gradient=wrong, points=1).ok


def test_gradient_off_by_one_part_per_million_is_caught():
    der = derive(2, (2, 2, 2))
    wrong = tuple(sp.Rational(1000001, 1000000) * g for g in der.gradient)
    res = check_against_finite_differences(der, np.random.default_rng(2), gradient=wrong,
                                           use_second=False, points=1)
    assert not res.ok
    assert 1e-7 < res.max_rel_err < 1e-5


def test_wrong_hvp_and_hessian_block_are_caught():
    der = derive(2, (2, 2, 2))
    rng = np.random.default_rng(3)
    wrong_hvp = (der.hvp[0], sp.MatAdd(der.hvp[1], -der.a * der.W[1] * der.V[0] * der.W[0].T).doit())
    assert not check_against_finite_differences(der, rng, hvp=wrong_hvp, use_second=False, points=1).ok
    blocks = dict(der.blocks)
    blocks[(0, 1)] = blocks[(0, 1)][:-1]  # drop one term of an off-diagonal block
    assert not check_against_entries(der, rng, blocks=blocks, points=1).ok
    t = blocks[(1, 1)][0]
    blocks = dict(der.blocks)
    blocks[(1, 1)] = [BlockTerm(t.left, t.right, not t.transposed)] + list(der.blocks[(1, 1)][1:])
    assert not check_against_entries(der, rng, blocks=blocks, points=1).ok


def test_structure_stays_polynomial_in_depth():
    # Terms per Hessian block stay bounded: no expansion into per-entry polynomials.
    der = derive(4, (3, 3, 3, 3, 3))
    assert len(der.blocks) == 16
    assert max(len(v) for v in der.blocks.values()) <= 3
    assert all(len(comb) <= 4 for t in der.blocks.values() for term in t for comb in (term.left, term.right))


def test_derive_is_cached_and_shapes_are_right():
    der = derive(3, (2, 3, 4, 5))
    assert derive(3, (2, 3, 4, 5)) is der
    assert [g.shape for g in der.gradient] == [(3, 2), (4, 3), (5, 4)]
    assert der.n_params == 6 + 12 + 20


@pytest.mark.parametrize("depth,widths", [(0, (1,)), (2, (1, 2)), (2, (1, 0, 2)), (True, (1, 1)),
                                          (2, (1, 2.5, 1)), ("x", (1, 1)), (1, "ab")])
def test_bad_sizes_raise_usage_error(depth, widths):
    with pytest.raises(UsageError):
        check_widths(depth, widths)


def test_per_entry_check_refuses_large_sizes():
    with pytest.raises(UsageError):
        check_against_entries(derive(2, (5, 5, 5)), np.random.default_rng(0))


def test_second_directional_derivative_is_consistent_with_tampering():
    # d²F[V,V] is checked against finite differences too; scaling it must be caught.
    der = dataclasses.replace(derive(2, (2, 2, 2)))
    der._second = 2 * derive(2, (2, 2, 2)).second
    res = check_against_finite_differences(der, np.random.default_rng(4), points=1)
    assert not res.ok
