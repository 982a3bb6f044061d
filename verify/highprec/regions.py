"""The L5 regions of F_c(X) = c·||XXᵀ − M||_F² evaluated in mpmath, at any point (not only at stationary ones).

An independent route to ``verify.landscape.symmetric.evaluate``: singular values, orbit distances
(||X||² + ||B||² − 2||BᵀX||_*), the Procrustes-nearest minimizer, the Hessian (operator form, assembled
in ``verify.highprec.symmetric``), its restriction to the orbit-tangent complement and the gradient are
all recomputed at the working precision. The region definitions (``classify_region``) and the
constants (``region_constants``) are the suite's single copies, evaluated here in mpmath arithmetic.
Callers wrap calls in ``mpmath.workdps``.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any, Sequence

import mpmath

from ..landscape.symmetric import PointReport, RegionConstants, classify_region, region_constants
from .symmetric import gradient_mp, hessian_mp, hessian_rows_mp, sorted_eigenvalues


@dataclass(frozen=True)
class InstanceMP:
    """M = U diag(λ) Uᵀ at the working precision (U orthogonal to that precision, λ decreasing)."""

    lam: tuple
    U: mpmath.matrix
    r: int

    @property
    def n(self) -> int:
        return len(self.lam)

    @property
    def p(self) -> int:
        return sum(1 for x in self.lam if x > 0)

    @property
    def M(self) -> mpmath.matrix:
        n = self.n
        M = mpmath.matrix(n, n)
        for a, b in itertools.product(range(n), range(n)):
            M[a, b] = mpmath.fsum(self.U[a, i] * self.lam[i] * self.U[b, i] for i in range(n))
        return M


def orthonormalize(U: Any) -> mpmath.matrix:
    """The Q factor (columns sign-matched to U) of a float or mpmath square matrix, at the working precision.

    Float64 eigenvector matrices are orthogonal only to ~1e-16; this makes them orthogonal to the
    working precision while moving them by that much (the instance then *is* the orthonormalized one).
    """
    if isinstance(U, mpmath.matrix):
        A = U.copy()
    else:
        A = mpmath.matrix([[mpmath.mpf(float(x)) for x in row] for row in U])
    Q, R = mpmath.qr(A)
    for j in range(A.cols):
        if R[j, j] < 0:
            for i in range(A.rows):
                Q[i, j] = -Q[i, j]
    return Q


def constants_mp(inst: InstanceMP, c: Any, factors: dict[str, Any] | None = None) -> RegionConstants:
    """``region_constants`` in mpmath, each multiplied by its (exact, SymPy Rational) factor."""
    K = region_constants(list(inst.lam), inst.r, mpmath.mpf(c.p) / c.q, mpmath.sqrt)
    return K.scaled(**{k: mpmath.mpf(v.p) / v.q for k, v in (factors or {}).items()})


def _basis(inst: InstanceMP, S: Sequence[int]) -> mpmath.matrix:
    B = mpmath.matrix(inst.n, len(S))
    for q, i in enumerate(S):
        root = mpmath.sqrt(inst.lam[i])
        for a in range(inst.n):
            B[a, q] = inst.U[a, i] * root
    return B


def _frob2(A: mpmath.matrix) -> mpmath.mpf:
    return mpmath.fsum(A[i, j] ** 2 for i in range(A.rows) for j in range(A.cols))


def orbit_distance_mp(X: mpmath.matrix, B: mpmath.matrix) -> mpmath.mpf:
    """min over orthogonal Ψ of ||X − BΨ||_F = sqrt(||X||² + ||B||² − 2||BᵀX||_*)."""
    if B.cols == 0:
        return mpmath.sqrt(_frob2(X))
    nuc = mpmath.fsum(mpmath.svd_r(B.T * X, compute_uv=False))
    return mpmath.sqrt(max(_frob2(X) + _frob2(B) - 2 * nuc, mpmath.mpf(0)))


def _nearest_on_orbit(X: mpmath.matrix, B: mpmath.matrix) -> mpmath.matrix:
    P, _, Qt = mpmath.svd_r(B.T * X)
    return B * (P * Qt)


def _tangent_complement(Xh: mpmath.matrix) -> mpmath.matrix:
    """Orthonormal basis of the complement of {vec(Xh K) : K skew} (row-major vec), by a full QR."""
    n, r = Xh.rows, Xh.cols
    pairs = list(itertools.combinations(range(r), 2))
    N = n * r
    if not pairs:
        return mpmath.eye(N)
    T = mpmath.matrix(N, len(pairs))
    for col, (k, l) in enumerate(pairs):
        for a in range(n):
            T[a * r + l, col] += Xh[a, k]
            T[a * r + k, col] -= Xh[a, l]
    Q, _ = mpmath.qr(T, mode="full")
    out = mpmath.matrix(N, N - len(pairs))
    for i, j in itertools.product(range(N), range(N - len(pairs))):
        out[i, j] = Q[i, len(pairs) + j]
    return out


def evaluate_mp(X: mpmath.matrix, inst: InstanceMP, K: RegionConstants) -> PointReport:
    """Region of X (``classify_region``) and the relative margin of its inequality, in mpmath."""
    c = K.c
    M = inst.M
    r = inst.r
    sv = sorted(mpmath.svd_r(X, compute_uv=False), reverse=True)
    sr2 = sv[r - 1] ** 2 if len(sv) >= r else mpmath.mpf(0)
    top = tuple(range(r))
    Btop = _basis(inst, top)
    saddles = [S for S in itertools.combinations(range(inst.p), r) if S != top]
    region = classify_region(sr2, inst.lam[r - 1],
                             lambda: min((orbit_distance_mp(X, _basis(inst, S)) for S in saddles), default=None),
                             lambda: orbit_distance_mp(X, Btop), lambda: mpmath.sqrt(_frob2(X * X.T)),
                             mpmath.sqrt(_frob2(M)), K)
    if region in ("R1a", "R1b"):
        lmin = sorted_eigenvalues(hessian_rows_mp(X, M, c))[0]
        return PointReport(region, (-lmin - K.kappa1) / K.kappa1, -lmin, K.kappa1)
    if region == "R2":
        Q = _tangent_complement(_nearest_on_orbit(X, Btop))
        lmin = sorted_eigenvalues(Q.T * hessian_mp(X, M, c) * Q)[0]
        return PointReport("R2", (lmin - K.kappa2) / K.kappa2, lmin, K.kappa2)
    gnorm = mpmath.sqrt(_frob2(gradient_mp(X, M, c)))
    bound = K.kappa3_far if region == "R3''" else K.kappa3
    return PointReport(region, (gnorm - bound) / bound, gnorm, bound)
