"""High-precision (mpmath) spectra of F_c(X) = c·||XXᵀ − M||_F² at stationary points.

Independent of the float64 kernels: the Hessian matrix is assembled column by column from the
operator form H(D) = 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] in mpmath, and the gradient is compared with
central finite differences of F itself. All work happens inside ``mpmath.workdps``.
"""
from __future__ import annotations

import itertools
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError


def _mat(rows: int, cols: int, values) -> mpmath.matrix:
    A = mpmath.matrix(rows, cols)
    for i in range(rows):
        for j in range(cols):
            A[i, j] = values(i, j)
    return A


def random_orthogonal_mp(rng: np.random.Generator, k: int, dps: int) -> mpmath.matrix:
    """An orthogonal k×k matrix to ``dps`` digits: Gram–Schmidt (QR) of a Gaussian at full precision."""
    with mpmath.workdps(dps + 10):
        Z = _mat(k, k, lambda i, j: mpmath.mpf(float(rng.standard_normal())))
        Q, R = mpmath.qr(Z)
        for j in range(k):
            if R[j, j] < 0:
                for i in range(k):
                    Q[i, j] = -Q[i, j]
        return Q


def objective_mp(X: mpmath.matrix, M: mpmath.matrix, c) -> mpmath.mpf:
    R = X * X.T - M
    return c * sum(R[i, j] ** 2 for i in range(R.rows) for j in range(R.cols))


def gradient_mp(X: mpmath.matrix, M: mpmath.matrix, c) -> mpmath.matrix:
    return 4 * c * ((X * X.T - M) * X)


def hessian_rows_mp(X: mpmath.matrix, M: mpmath.matrix, c) -> list[list]:
    """The nr×nr Hessian (row-major vec) as a list of rows of mpf: column (b, l) is vec H(E_bl), the operator
    form H(D) = 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] at the basis matrix D = E_bl with its products written out,
    H(E_bl)_ak = 4c[X_al·X_bk + δ_ab·(XᵀX)_lk + (XXᵀ − M)_ab·δ_kl] (XᵀX and XXᵀ by ``mpmath.fdot``).

    Why: the same Hessian without n·r mpmath matrix products of mostly zeros (``mpmath.matrix`` indexing
    dominated that). Not bit for bit that route's: X_al·X_bk and (XᵀX)_lk are rounded before they are added (the
    products rounded them in one ``fdot``), so entries may differ in the last bit at the working precision; the
    HP digits of agreement move by rounding only."""
    n, r = X.rows, X.cols
    x = X.tolist()
    m = M.tolist()
    cols = [[x[a][k] for a in range(n)] for k in range(r)]
    G = [[mpmath.fdot(cols[l], cols[k]) for k in range(r)] for l in range(r)]
    R = [[mpmath.fdot(x[a], x[b]) - m[a][b] for b in range(n)] for a in range(n)]
    c4 = 4 * c
    rows = []
    for a in range(n):
        for k in range(r):
            row = []
            for b in range(n):
                for l in range(r):
                    v = x[a][l] * x[b][k]
                    if a == b:
                        v += G[l][k]
                    if k == l:
                        v += R[a][b]
                    row.append(c4 * v)
            rows.append(row)
    return rows


def hessian_mp(X: mpmath.matrix, M: mpmath.matrix, c) -> mpmath.matrix:
    """nr×nr Hessian (row-major vec), column (b, l) = vec H(E_bl) from the operator form (``hessian_rows_mp``)."""
    return mpmath.matrix(hessian_rows_mp(X, M, c))


def finite_difference_gradient(X: mpmath.matrix, M: mpmath.matrix, c, dps: int) -> mpmath.matrix:
    """Central differences of F with step 10^(−dps/3): error O(h²) ≈ 10^(−2dps/3)."""
    h = mpmath.mpf(10) ** (-(dps // 3))
    G = mpmath.matrix(X.rows, X.cols)
    for a, k in itertools.product(range(X.rows), range(X.cols)):
        Xp, Xm = X.copy(), X.copy()
        Xp[a, k] += h
        Xm[a, k] -= h
        G[a, k] = (objective_mp(Xp, M, c) - objective_mp(Xm, M, c)) / (2 * h)
    return G


def finite_difference_hessian(X: mpmath.matrix, M: mpmath.matrix, c, dps: int) -> mpmath.matrix:
    """Central differences of the closed-form gradient (each column), step 10^(−dps/3)."""
    n, r = X.rows, X.cols
    h = mpmath.mpf(10) ** (-(dps // 3))
    H = mpmath.matrix(n * r, n * r)
    for b, l in itertools.product(range(n), range(r)):
        Xp, Xm = X.copy(), X.copy()
        Xp[b, l] += h
        Xm[b, l] -= h
        dG = (gradient_mp(Xp, M, c) - gradient_mp(Xm, M, c)) / (2 * h)
        for a, k in itertools.product(range(n), range(r)):
            H[a * r + k, b * r + l] = dG[a, k]
    return H


def max_abs(A: mpmath.matrix) -> mpmath.mpf:
    return max((abs(A[i, j]) for i in range(A.rows) for j in range(A.cols)), default=mpmath.mpf(0))


def symbolic_agreement(n: int, r: int, c: sp.Rational, rng: np.random.Generator, dps: int) -> dict[str, float]:
    """Digits of agreement of the SymPy entrywise gradient/Hessian with finite differences of F.

    This is the numeric cross-check the brief demands of every symbolic derivative.
    """
    from ..symbolic.symmetric import derivatives, entry_symbols

    _, grad, hess = derivatives(n, r, c)
    Xs, Ms = entry_symbols(n, r)
    with mpmath.workdps(dps + 10):
        X = _mat(n, r, lambda i, j: mpmath.mpf(float(rng.standard_normal())))
        B = _mat(n, n, lambda i, j: mpmath.mpf(float(rng.standard_normal())))
        M = B * B.T
        cm = mpmath.mpf(c.p) / c.q
        subs = {Xs[a, k]: sp.Float(X[a, k], dps + 10) for a in range(n) for k in range(r)}
        subs.update({Ms[a, b]: sp.Float(M[a, b], dps + 10) for a in range(n) for b in range(a, n)})
        gs = _mat(n, r, lambda i, j: mpmath.mpf(sp.Float(grad[i, j].xreplace(subs), dps + 10)._mpf_))
        hs = _mat(n * r, n * r, lambda i, j: mpmath.mpf(sp.Float(hess[i, j].xreplace(subs), dps + 10)._mpf_))
        gfd = finite_difference_gradient(X, M, cm, dps)
        hfd = finite_difference_hessian(X, M, cm, dps)
        hop = hessian_mp(X, M, cm)
        out = {
            "gradient_vs_fd": _digits(max_abs(gs - gfd), max_abs(gs)),
            "gradient_vs_closed_form": _digits(max_abs(gs - gradient_mp(X, M, cm)), max_abs(gs)),
            "hessian_vs_fd": _digits(max_abs(hs - hfd), max_abs(hs)),
            "hessian_vs_operator": _digits(max_abs(hs - hop), max_abs(hs)),
        }
    return out


def _digits(diff, scale) -> float:
    if diff == 0:
        return float("inf")
    return float(-mpmath.log10(diff / scale))


def stationary_point_mp(lam: Sequence[Any], U: mpmath.matrix, S: Sequence[int], Psi: mpmath.matrix,
                        r: int) -> mpmath.matrix:
    """X = U_S Λ_S^{1/2} Ψ_s at the working precision."""
    n = len(lam)
    X = mpmath.matrix(n, r)
    for q, i in enumerate(S):
        root = mpmath.sqrt(lam[i])
        for a in range(n):
            for k in range(r):
                X[a, k] += U[a, i] * root * Psi[q, k]
    return X


def matrix_from_spectrum(lam: Sequence[Any], U: mpmath.matrix) -> mpmath.matrix:
    n = len(lam)
    return _mat(n, n, lambda a, b: sum(U[a, i] * lam[i] * U[b, i] for i in range(n)))


def sorted_eigenvalues(H: mpmath.matrix | list[list]) -> list:
    """Eigenvalues of a symmetric mpmath matrix (or list of rows), ascending, at the working precision.

    By ``verify.highprec.eigen.symmetric_eigenvalues`` (Householder + implicit QL in gmpy2 at ``mp.prec``
    bits, the same algorithm family and error bound as ``mpmath.eigsy``, 10–30× faster on these sizes;
    cross-checked against eigsy in ``tests/test_route_li_symmetric_highprec.py``)."""
    from .eigen import symmetric_eigenvalues

    return symmetric_eigenvalues(H)


def parse_spectrum(values: Sequence[str | int], dps: int) -> list:
    """λ from exact strings (never through float) as mpf, validated: finite, ≥ 0, decreasing."""
    from ..numbers import parse_rational, to_mpf

    lam = [to_mpf(parse_rational(v, "lambda"), dps) for v in values]
    if any(x < 0 for x in lam):
        raise UsageError("eigenvalues of M must be >= 0 (indefinite M is outside the setting)")
    if any(lam[i] < lam[i + 1] for i in range(len(lam) - 1)):
        raise UsageError("eigenvalues must be given in decreasing order")
    return lam
