"""The scalar model by the product rule equals SymPy's differentiation; the float64 kernels' objective and
Hessian at hand-checked points."""
import numpy as np
import pytest
import sympy as sp

from verify.kernels.scalar import ScalarKernels, scalar_kernels
from verify.symbolic.scalar import full_model


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 7])
def test_product_rule_model_is_sympy_diff(L):
    fm = full_model(L)
    F = fm.objective
    grad = tuple(sp.diff(F, wi) for wi in fm.w)
    assert fm.gradient == grad
    for i in range(L):
        for j in range(L):
            ref = sp.diff(grad[i], fm.w[j])
            assert fm.hessian[i, j] == ref and sp.srepr(fm.hessian[i, j]) == sp.srepr(ref)


def test_kernels_objective_and_hessian_shape():
    k = ScalarKernels(4)
    W = np.array([[0.5, -1.0, 2.0, 1.5], [1.0, 1.0, 1.0, -1.0]])
    m, a, b = np.array([1.5, -2.0]), 1.0, np.array([0.1, 0.3])
    F = k.objective(W, m, a, b)
    P = W.prod(axis=1)
    assert np.allclose(F, a / 2 * (P - m) ** 2 + b / 2 * (W**2).sum(axis=1), rtol=1e-15)
    assert scalar_kernels(4) is scalar_kernels(4)
    H = scalar_kernels(4).hessian(W, m, a, b)
    assert H.shape == (2, 4, 4) and np.allclose(H, np.transpose(H, (0, 2, 1)))


@pytest.mark.parametrize("L", list(range(1, 41)) + [64])
def test_balanced_model_derivatives_are_sympys(L):
    from verify.symbolic.scalar import balanced_model, rho

    model = balanced_model(L)
    assert sp.srepr(model.dphi) == sp.srepr(sp.diff(model.phi, rho))
    assert sp.expand(model.d2phi - sp.diff(model.phi, rho, 2)) == 0
    assert model.stationary == (sp.expand(sp.diff(model.phi, rho) / (L * rho)) if L >= 2 else sp.diff(model.phi, rho))
