"""The list-based symmetric eigensolver (verify.highprec.eigen) against mpmath's eigsy, the route it replaces in
the scalar spectrum and sharpness claims; and its product-rule Hessian against verify.highprec.scalar.hessian."""
from __future__ import annotations

import random

import mpmath
import pytest

from verify.highprec import eigen, scalar as hp


def _random_symmetric(rng: random.Random, n: int) -> mpmath.matrix:
    A = mpmath.matrix(n, n)
    for i in range(n):
        for j in range(i + 1):
            A[i, j] = A[j, i] = mpmath.mpf(rng.gauss(0, 1)) * mpmath.mpf(10) ** rng.randint(-4, 4)
    return A


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 24])
def test_eigenvalues_match_eigsy_on_random_matrices(n: int) -> None:
    rng = random.Random(n)
    with mpmath.workdps(60):
        for _ in range(4):
            A = _random_symmetric(rng, n)
            want = sorted(mpmath.eigsy(A, eigvals_only=True))
            got = eigen.symmetric_eigenvalues(A)
            scale = max(abs(x) for x in want)
            assert len(got) == n
            assert all(abs(x - y) <= scale * mpmath.mpf(10) ** -56 for x, y in zip(want, got))


def test_eigenvalues_of_structured_and_degenerate_matrices() -> None:
    with mpmath.workdps(60):
        # repeated eigenvalue (the scalar Hessian's β ×(L−1)), a zero matrix, a diagonal one, a 2×2 rotation
        n = 7
        A = [[mpmath.mpf(3) if i == j else mpmath.mpf(0) for j in range(n)] for i in range(n)]
        assert eigen.symmetric_eigenvalues(A) == [3] * n
        assert eigen.symmetric_eigenvalues([[mpmath.mpf(0)] * 3 for _ in range(3)]) == [0, 0, 0]
        one = [[mpmath.mpf(1)] * n for _ in range(n)]  # 11ᵀ: eigenvalues 0 (×6) and 7
        got = eigen.symmetric_eigenvalues(one)
        assert all(abs(x) < mpmath.mpf(10) ** -58 for x in got[:-1]) and abs(got[-1] - 7) < mpmath.mpf(10) ** -57
        assert eigen.symmetric_eigenvalues([]) == []


def test_precision_follows_the_working_precision() -> None:
    with mpmath.workdps(120):
        A = [[mpmath.mpf(2), mpmath.mpf(1)], [mpmath.mpf(1), mpmath.mpf(2)]]  # eigenvalues 1 and 3 exactly
        lo, hi = eigen.symmetric_eigenvalues([[mpmath.mpf(1) / 3, mpmath.mpf(1)], [mpmath.mpf(1), mpmath.mpf(0)]])
        assert abs(lo * hi + 1) < mpmath.mpf(10) ** -115  # det = −1 at 120 digits
        one, three = eigen.symmetric_eigenvalues(A)
        assert abs(one - 1) < mpmath.mpf(10) ** -117 and abs(three - 3) < mpmath.mpf(10) ** -117
    assert mpmath.mp.dps == 15


@pytest.mark.parametrize("L", [1, 2, 3, 4, 7, 12, 20])
def test_scalar_hessian_and_its_eigenvalues_match_the_old_route(L: int) -> None:
    rng = random.Random(L)
    with mpmath.workdps(60):
        m, a, b = mpmath.mpf(3) / 7, mpmath.mpf(1), mpmath.mpf("0.013")
        points = [[mpmath.mpf(rng.uniform(-2, 2)) for _ in range(L)], [mpmath.mpf(0)] * L]
        radii = hp.nonzero_stationary_radii(L, m, a, b)
        if radii:
            signs = [(-1) ** k for k in range(L)]
            if (L // 2) % 2:  # product of signs +1 = sign m
                signs[-1] = -signs[-1]
            points.append([radii[-1] * s for s in signs])
        points.append([mpmath.mpf(1)] + [mpmath.mpf(0)] * (L - 1))  # a zero layer: no division anywhere
        for w in points:
            old = hp.hessian(w, m, a, b)
            new = eigen.scalar_hessian(w, m, a, b)
            scale = max(abs(old[i, j]) for i in range(L) for j in range(L))
            assert all(abs(old[i, j] - new[i][j]) <= scale * mpmath.mpf(10) ** -58 for i in range(L) for j in range(L))
            want = hp.hessian_eigenvalues(w, m, a, b)
            got = eigen.scalar_hessian_eigenvalues(w, m, a, b)
            top = max(abs(x) for x in want)
            assert all(abs(x - y) <= top * mpmath.mpf(10) ** -56 for x, y in zip(want, got))


def test_matrix_hessian_eigenvalues_match_eigsy() -> None:
    """The deep matrix Hessian (expanded from the definition at 70 digits, 23×23 with a null space from the gauge
    orbit): the new route against eigsy, as used by kp.sharpness.matrix's high-precision tiers."""
    import sympy as sp

    from verify.landscape.matrix_hessian_exact import expand_second_order, real_field

    rng = random.Random(5)
    dims = (3, 3, 2, 2)
    Ws = [sp.Matrix(dims[k + 1], dims[k], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
          for k in range(len(dims) - 1)]
    M = sp.Matrix(2, 3, lambda i, j: sp.Rational(rng.randint(-9, 9), 4))
    with mpmath.workdps(70):
        _, H = expand_second_order(Ws, M, sp.Rational(1), sp.Rational(1, 7), real_field(70))
        rows = [[mpmath.mpf(x) for x in r] for r in H]
        want = sorted(mpmath.eigsy(mpmath.matrix(rows), eigvals_only=True))
        got = eigen.symmetric_eigenvalues(rows)
        scale = max(abs(x) for x in want)
        assert all(abs(x - y) <= scale * mpmath.mpf(10) ** -66 for x, y in zip(want, got))
