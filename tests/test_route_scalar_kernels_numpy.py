"""W4: the NumPy product-rule kernels of the deep scalar problem against the symbolic model
(``full_model``, lambdified: the former compiled route) entry by entry, including points with zero layers."""
import numpy as np
import pytest
import sympy as sp

from verify.kernels.scalar import ScalarKernels
from verify.symbolic.scalar import a as a_sym, b as b_sym, full_model, m_signed


@pytest.mark.parametrize("L", [1, 2, 3, 4, 5, 8, 12])
def test_product_rule_kernels_match_symbolic_model(L):
    fm = full_model(L)
    args = [*fm.w, m_signed, a_sym, b_sym]
    F = sp.lambdify(args, fm.objective, "numpy")
    G = sp.lambdify(args, list(fm.gradient), "numpy")
    H = sp.lambdify(args, list(fm.hessian), "numpy")
    rng = np.random.default_rng(L)
    N = 40
    W = rng.normal(size=(N, L)) * rng.uniform(0.3, 2.0, size=(N, 1))
    W[::5, rng.integers(L)] = 0.0  # a zero layer: P_i, P_ij without division
    W[1] = 0.0
    m = rng.normal(size=N) * 3
    a = rng.uniform(0.5, 3, N)
    b = rng.uniform(0.01, 2, N)
    k = ScalarKernels(L)
    cols = [*W.T, m, a, b]
    want_F = np.broadcast_to(F(*cols), (N,))
    want_G = np.stack([np.broadcast_to(c, (N,)) for c in G(*cols)], axis=1)
    want_H = np.stack([np.broadcast_to(e, (N,)) for e in H(*cols)], axis=1).reshape(N, L, L)
    got_H = k.hessian(W, m, a, b)
    scale = np.abs(want_H).max(axis=(1, 2))
    assert np.allclose(k.objective(W, m, a, b), want_F, rtol=1e-13, atol=0)
    assert np.all(np.abs(k.gradient(W, m, a, b) - want_G).max(axis=1) <= 1e-13 * np.abs(want_G).max(axis=1) + 1e-300)
    assert np.all(np.abs(got_H - want_H).max(axis=(1, 2)) <= 1e-13 * scale)
    assert np.array_equal(got_H, np.transpose(got_H, (0, 2, 1)))


def test_scalar_broadcasting_and_empty_batch():
    k = ScalarKernels(3)
    W = np.array([[1.0, 2.0, -0.5]])
    assert k.objective(W, 1.0, 2.0, 0.5).shape == (1,)
    assert k.gradient(np.zeros((0, 3)), np.zeros(0), 1.0, np.zeros(0)).shape == (0, 3)
    assert k.hessian(np.zeros((0, 3)), np.zeros(0), 1.0, np.zeros(0)).shape == (0, 3, 3)
    with pytest.raises(ValueError, match="shape"):
        k.hessian(np.zeros((2, 4)), 1.0, 1.0, 1.0)
