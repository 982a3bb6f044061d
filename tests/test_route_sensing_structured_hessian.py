"""li.sensing's Hessians from their structure against the dense products they replace (and its 2-norm).

``_kron_identity`` builds E (x) I_r as np.kron does (the same floats, signs of zero included); ``_quad_jacobian``
forms J^T K J at mpmath precision from the non-zero entries of J = jacobian(X) only, in the dense products'
order of summation, so it equals ``Measurement.quad(jacobian(X))`` digit for digit.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from verify import sensing as sen


@pytest.mark.parametrize("n,r", [(1, 1), (2, 1), (4, 3), (6, 2)])
def test_kron_identity_equals_numpy_kron(n: int, r: int) -> None:
    W = np.random.default_rng(n + r).standard_normal((n, n))
    W[0, -1] = 0.0
    got, ref = sen._kron_identity(W, r, 1.0), np.kron(W, np.eye(r))
    assert np.array_equal(got, ref) and np.array_equal(np.signbit(got), np.signbit(ref))
    with mpmath.workdps(40):
        Wm = np.array([[mpmath.mpf(float(v)) for v in row] for row in W], dtype=object)
        one = mpmath.mpf(1)
        ref_m = np.kron(Wm, np.eye(r, dtype=object) * one)
        assert all(a == b for a, b in zip(sen._kron_identity(Wm, r, one).ravel(), ref_m.ravel()))


@pytest.mark.parametrize("n,r,m,dps", [(2, 1, 3, 30), (3, 1, 5, 50), (4, 3, 30, 60), (6, 2, 50, 60)])
def test_structured_quad_equals_the_dense_product_digit_for_digit(n: int, r: int, m: int, dps: int) -> None:
    rng = np.random.default_rng(100 * n + m)
    A = sen.gaussian_measurements(n, m, rng)
    X, M = rng.standard_normal((n, r)), rng.standard_normal((n, n))
    X[0, 0] = 0.0                                  # exact zeros in X are summed like any entry
    with mpmath.workdps(dps):
        mp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
        Amp, Xm, Mm = sen.measurement_mp(A), mp(X), mp(M @ M.T)
        ref = Amp.quad(sen.jacobian(Xm))
        got = sen._quad_jacobian(Amp.gram_matrix, Xm)
        assert all(a == b for a, b in zip(got.ravel(), ref.ravel()))
        c = mpmath.mpf(1) / 4
        W = Amp.normal(Xm @ Xm.T - Mm)
        dense = c * (2 * ref + 4 * np.kron(W, np.eye(r, dtype=object) * mpmath.mpf(1)))
        assert all(a == b for a, b in zip(sen.g_hess(Amp, Xm, Mm, c).ravel(), dense.ravel()))


def test_spectral_norm_is_numpys_two_norm() -> None:
    """sensing.spectral_norm (one SVD) against np.linalg.norm(H, 2) (the route it replaces): the same float."""
    rng = np.random.default_rng(8)
    for shape in [(12, 12), (6, 2), (36, 36), (2, 1), (1, 1)]:
        for _ in range(20):
            H = rng.standard_normal(shape)
            if shape[0] == shape[1]:
                H = H + H.T
            assert sen.spectral_norm(H) == np.linalg.norm(H, 2)
