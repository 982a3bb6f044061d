"""Slice S1 (issue 13): the Gram-matrix route of verify.sensing.Measurement equals the direct route.

For operators with more measurements than n^2, ``quad`` and ``normal`` go through A*A (computed once).
The reference here is the textbook definition on the rows, (A J)^T (A J) and sum_k <A_k, Z> A_k, written in
the test, so the two routes are independent; they agree to roundoff (~m eps ||A||^2 ||J||^2, well below 1e-12
relative for these sizes).
"""
from __future__ import annotations

import numpy as np
import pytest

from verify import sensing as sen
from verify import sensing_rip as rip


@pytest.mark.parametrize("n,m", [(3, 4), (3, 50), (4, 300), (6, 2000)])
def test_quad_and_normal_match_the_rows(n: int, m: int) -> None:
    rng = np.random.default_rng(1000 + n + m)
    A = sen.gaussian_measurements(n, m, rng)
    J = rng.standard_normal((n * n, 5))
    AJ = np.array([[A.rows[k] @ J[:, a] for a in range(J.shape[1])] for k in range(m)])
    ref = AJ.T @ AJ
    got = A.quad(J)
    assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()
    Z = rng.standard_normal((n, n))
    Z = Z + Z.T
    ref_n = sum((A.rows[k] @ Z.ravel()) * A.rows[k] for k in range(m)).reshape(n, n)
    assert np.abs(A.normal(Z) - ref_n).max() <= 1e-12 * np.abs(ref_n).max()


def test_gram_route_used_only_for_tall_float_operators() -> None:
    rng = np.random.default_rng(7)
    assert not sen.gaussian_measurements(3, 9, rng)._via_gram
    assert sen.gaussian_measurements(3, 10, rng)._via_gram
    assert not sen.basis_measurements(4)._via_gram


def test_hessian_of_g_matches_finite_differences_on_the_gram_route() -> None:
    """g_hess (through quad and normal on A*A) against central differences of g_grad computed on the rows."""
    rng = np.random.default_rng(11)
    n, r, m = 4, 2, 200
    A = sen.gaussian_measurements(n, m, rng)
    X = rng.standard_normal((n, r))
    M = rng.standard_normal((n, n))
    M = M @ M.T
    H = sen.g_hess(A, X, M, 0.25)

    def grad_rows(Y: np.ndarray) -> np.ndarray:
        E = Y @ Y.T - M
        W = (A.rows.T @ (A.rows @ E.ravel())).reshape(n, n)
        return (4 * 0.25 * W @ Y).ravel()

    h = 1e-5
    H_fd = np.zeros_like(H)
    for i in range(X.size):
        e = np.zeros(X.size)
        e[i] = h
        H_fd[:, i] = (grad_rows(X + e.reshape(X.shape)) - grad_rows(X - e.reshape(X.shape))) / (2 * h)
    assert np.linalg.norm(H - H_fd) <= 1e-6 * np.linalg.norm(H)


def _gram_fdot(A: sen.Measurement) -> np.ndarray:
    """The former loop route (reference only): mpmath.fdot of every pair of columns at the working precision."""
    import mpmath

    nn = A.n * A.n
    cols = [[mpmath.mpf(float(v)) for v in A.rows[:, j]] for j in range(nn)]
    K = np.empty((nn, nn), dtype=object)
    for j in range(nn):
        for k in range(j, nn):
            K[j, k] = K[k, j] = mpmath.fdot(cols[j], cols[k])
    return K


@pytest.mark.parametrize("n,m,dps", [(2, 3, 30), (3, 40, 50), (4, 120, 60)])
def test_measurement_mp_equals_fdot_exactly(n: int, m: int, dps: int) -> None:
    """The exact integer Gram rounded once equals fdot's exact-sum-rounded-once entry for entry."""
    import mpmath

    rng = np.random.default_rng(n * 100 + m)
    A = sen.gaussian_measurements(n, m, rng)
    rows = A.rows.copy()
    rows[0, 0] = 0.0                       # zeros and a wide exponent range are exact too
    rows[-1, -1] *= 2.0 ** -40
    A = sen.Measurement(rows, n, "test")
    with mpmath.workdps(dps):
        got, ref = sen.measurement_mp(A).gram(), _gram_fdot(A)
    assert all(a == b for a, b in zip(got.ravel(), ref.ravel()))


def test_measurement_mp_of_the_basis_is_the_identity_on_sym() -> None:
    """Independent value: the orthonormal basis of Sym(n) has A*A = identity on Sym(n) up to the rounding of 1/sqrt2."""
    import mpmath

    B = sen.basis_measurements(3)
    with mpmath.workdps(40):
        K = sen.measurement_mp(B).gram()
        S = sen.sym_basis(3).reshape(6, 9)
        for b in S:
            v = K @ np.array([mpmath.mpf(float(x)) for x in b], dtype=object)
            assert max(abs(v[i] - b[i]) for i in range(9)) < 1e-15


def test_refine_matches_the_einsum_definition() -> None:
    """_refine's subspace basis Q S_l Q^T by batched matmul against the explicit einsum (the former route)."""
    rng = np.random.default_rng(5)
    A = sen.gaussian_measurements(6, 300, rng)
    K = A.gram()
    for Z in rip.random_low_rank(6, 4, 5, rng):
        w, V = np.linalg.eigh(Z)
        Q = V[:, np.argsort(-np.abs(w))[:4]]
        B = np.einsum("ia,lab,jb->lij", Q, sen.sym_basis(4), Q).reshape(10, 36)
        vals = np.linalg.eigvalsh(B @ K @ B.T)
        for upper, ref in ((True, vals[-1]), (False, vals[0])):
            Zn, val = rip._refine(K, Z[None], 4, upper)
            assert abs(val[0] - ref) <= 1e-12 * abs(ref)
            z = Zn[0].ravel()
            assert abs(z @ K @ z - ref) <= 1e-12 * abs(ref) and abs(np.linalg.norm(z) - 1) <= 1e-12
