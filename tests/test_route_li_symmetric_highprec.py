"""The high-precision tiers of li.symmetry, li.strict_saddles, li.null_space and li.regions take the Hessian of
F_c(X) = c·||XXᵀ − M||² from its written-out operator form (``hessian_rows_mp``) and its eigenvalues from
verify.highprec.eigen, instead of per-column mpmath matrix products and ``mpmath.eigsy``: both agree with the
routes they replace (kept here as the reference) to the working precision."""
from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest

from verify.highprec.symmetric import (hessian_mp, hessian_rows_mp, matrix_from_spectrum, random_orthogonal_mp,
                                       sorted_eigenvalues, stationary_point_mp)


def _hessian_by_columns(X: mpmath.matrix, M: mpmath.matrix, c) -> mpmath.matrix:
    """The replaced route: column (b, l) = vec 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] at D = E_bl, by matrix products."""
    n, r = X.rows, X.cols
    H = mpmath.matrix(n * r, n * r)
    R = X * X.T - M
    for b, l in itertools.product(range(n), range(r)):
        D = mpmath.matrix(n, r)
        D[b, l] = 1
        HD = 4 * c * ((X * D.T + D * X.T) * X + R * D)
        for a, k in itertools.product(range(n), range(r)):
            H[a * r + k, b * r + l] = HD[a, k]
    return H


def _eigsy(H: mpmath.matrix) -> list:
    E = mpmath.eigsy(H, eigvals_only=True)
    return sorted(E[i] for i in range(H.rows))


@pytest.mark.parametrize("n,r", [(1, 1), (2, 1), (2, 2), (3, 2), (4, 3), (3, 3)])
def test_hessian_and_eigenvalues_match_the_replaced_routes_at_random_points(n: int, r: int) -> None:
    rng = np.random.default_rng(10 * n + r)
    with mpmath.workdps(60):
        X = mpmath.matrix(rng.standard_normal((n, r)).tolist())
        B = mpmath.matrix(rng.standard_normal((n, n)).tolist())
        M = B * B.T
        c = mpmath.mpf(1) / 4
        ref = _hessian_by_columns(X, M, c)
        rows = hessian_rows_mp(X, M, c)
        scale = max(abs(ref[i, j]) for i in range(n * r) for j in range(n * r))
        tol = mpmath.mpf(10) ** -58 * scale
        assert max(abs(ref[i, j] - rows[i][j]) for i in range(n * r) for j in range(n * r)) <= tol
        Hm = hessian_mp(X, M, c)
        assert isinstance(Hm, mpmath.matrix) and (Hm.rows, Hm.cols) == (n * r, n * r)
        assert all(Hm[i, j] == rows[i][j] for i in range(n * r) for j in range(n * r))
        want = _eigsy(ref)
        for H in (rows, Hm):
            got = sorted_eigenvalues(H)
            assert len(got) == len(want)
            assert max(abs(a - b) for a, b in zip(got, want)) <= tol


def test_eigenvalues_at_stationary_points_keep_their_zeros_and_near_ties() -> None:
    """Stationary points (null spaces of the orbit tangent, strict saddles) and the near tie λ₂ = 1 − 10⁻²⁰:
    the zero band and the ±4c·10⁻²⁰ eigenvalues come out as by eigsy."""
    rng = np.random.default_rng(5)
    with mpmath.workdps(60):
        c = mpmath.mpf(1) / 4
        for lam, r in (([mpmath.mpf(1), mpmath.mpf("0.6"), mpmath.mpf("0.25")], 2),
                       ([mpmath.mpf(1), 1 - mpmath.mpf(10) ** -20, mpmath.mpf(1) / 2], 1),
                       ([mpmath.mpf(1), mpmath.mpf("0.5"), mpmath.mpf(0)], 3)):
            n = len(lam)
            U = random_orthogonal_mp(rng, n, 50)
            Psi = random_orthogonal_mp(rng, r, 50)
            M = matrix_from_spectrum(lam, U)
            p = sum(1 for v in lam if v > 0)
            for k in range(min(r, p) + 1):
                for S in itertools.combinations(range(p), k):
                    X = stationary_point_mp(lam, U, S, Psi, r)
                    want = _eigsy(_hessian_by_columns(X, M, c))
                    got = sorted_eigenvalues(hessian_rows_mp(X, M, c))
                    scale = max(abs(v) for v in want)
                    assert max(abs(a - b) for a, b in zip(got, want)) <= mpmath.mpf(10) ** -55 * scale
                    zero = mpmath.mpf(10) ** -40 * scale
                    assert sum(1 for v in got if abs(v) <= zero) == sum(1 for v in want if abs(v) <= zero)
                    assert [mpmath.sign(v) for v in got if abs(v) > zero] == \
                        [mpmath.sign(v) for v in want if abs(v) > zero]
