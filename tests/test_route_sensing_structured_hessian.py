"""li.sensing's Hessians from their structure against the dense products they replace (and its 2-norm).

``_kron_identity`` builds E (x) I_r as np.kron does (the same floats, signs of zero included); ``_sparse_matmul``
multiplies mpmath matrices over the non-zero entries of the sparse factor only (J^T, Sym(n)'s basis), in the
dense product's order of summation, so J^T K J, J^T J and the basis products equal the dense ones digit for digit.
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


def test_sparse_matmul_equals_the_dense_object_product() -> None:
    rng = np.random.default_rng(3)
    with mpmath.workdps(45):
        for shape_s, cols in [((5, 7), 4), ((3, 3), 3), ((4, 6), 1)]:
            S = rng.standard_normal(shape_s) * (rng.random(shape_s) < 0.4)
            S[0] = 0.0                                       # an all-zero row
            D = rng.standard_normal((shape_s[1], cols))
            D[1, 0] = 0.0
            Sm = np.array([[mpmath.mpf(float(v)) / 3 for v in row] for row in S], dtype=object)
            Dm = np.array([[mpmath.mpf(float(v)) / 7 for v in row] for row in D], dtype=object)
            assert all(a == b for a, b in zip(sen._sparse_matmul(Sm, Dm).ravel(), (Sm @ Dm).ravel()))
            Dl = Dm.T.copy()                                 # Dl @ Sm.T: the sparse factor on the right
            got = sen._sparse_matmul(Sm, Dl.T).T
            assert all(a == b for a, b in zip(got.ravel(), (Dl @ Sm.T).ravel()))


@pytest.mark.parametrize("n,r,m,dps", [(2, 1, 3, 30), (3, 1, 5, 50), (4, 3, 30, 60), (6, 2, 50, 60)])
def test_structured_hessians_equal_the_dense_products_digit_for_digit(n: int, r: int, m: int, dps: int) -> None:
    rng = np.random.default_rng(100 * n + m)
    A = sen.gaussian_measurements(n, m, rng)
    X, M = rng.standard_normal((n, r)), rng.standard_normal((n, n))
    X[0, 0] = 0.0                                  # exact zeros in X are summed like any entry
    with mpmath.workdps(dps):
        mp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
        Amp, Xm, Mm = sen.measurement_mp(A), mp(X), mp(M @ M.T)
        c = mpmath.mpf(1) / 4
        one = np.eye(r, dtype=object) * mpmath.mpf(1)
        J = sen.jacobian(Xm)
        W, E = Amp.normal(Xm @ Xm.T - Mm), Xm @ Xm.T - Mm
        dense_g = c * (2 * Amp.quad(J) + 4 * np.kron(W, one))
        dense_f = c * (2 * J.T @ J + 4 * np.kron(E, one))
        assert all(a == b for a, b in zip(sen.g_hess(Amp, Xm, Mm, c).ravel(), dense_g.ravel()))
        assert all(a == b for a, b in zip(sen.f_hess(Xm, Mm, c).ravel(), dense_f.ravel()))


def test_spectral_norm_is_numpys_two_norm() -> None:
    """sensing.spectral_norm (one SVD) against np.linalg.norm(H, 2) (the route it replaces): the same float."""
    rng = np.random.default_rng(8)
    for shape in [(12, 12), (6, 2), (36, 36), (2, 1), (1, 1)]:
        for _ in range(20):
            H = rng.standard_normal(shape)
            if shape[0] == shape[1]:
                H = H + H.T
            assert sen.spectral_norm(H) == np.linalg.norm(H, 2)
