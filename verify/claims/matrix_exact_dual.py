"""Exact first-order coefficients of the deep matrix objective in rational arithmetic (python-flint).

F(W) = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||². Moving one entry, W_l ← W_l + t·E_ij, changes the product by
t·A_l E_ij B_l exactly (A_l = W_L⋯W_(l+1), B_l = W_(l−1)⋯W_1; the product is linear in each single layer), so
F(W + tE_ij) = (a/2)||R + t·A_l E_ij B_l||² + (b/2)(Σ||W||² + 2t·(W_l)_ij + t²) with R = P − M, a quadratic in t
whose t-coefficient is a·(A_lᵀ R B_lᵀ)_ij + b·(W_l)_ij. Computing that coefficient over ℚ gives exactly the
number SymPy's ``expand(F(W + tE)).coeff(t, 1)`` gives (``tests/test_route_matrix_exact_dual.py`` compares them
entry by entry), without building polynomial expressions.
"""
from __future__ import annotations

from typing import Sequence

import flint
import sympy as sp


def to_fmpq(x) -> flint.fmpq:
    """An exact SymPy rational (or int) as ``flint.fmpq``; anything irrational raises ``TypeError``."""
    q = sp.Rational(x) if not isinstance(x, sp.Basic) else x
    if not q.is_Rational:
        raise TypeError(f"not an exact rational: {x!r}")
    return flint.fmpq(int(q.p), int(q.q))


def to_fmpq_mat(X: sp.MatrixBase) -> flint.fmpq_mat:
    """A SymPy matrix of exact rationals as ``flint.fmpq_mat``."""
    return flint.fmpq_mat(X.rows, X.cols, [to_fmpq(x) for x in X])


def to_sympy(x: flint.fmpq) -> sp.Rational:
    """``flint.fmpq`` back to a SymPy rational (same value)."""
    return sp.Rational(int(x.p), int(x.q))


def product_q(Ws: Sequence[flint.fmpq_mat]) -> flint.fmpq_mat:
    """W_L⋯W_1 over ℚ."""
    P = Ws[0]
    for W in Ws[1:]:
        P = W * P
    return P


def _sq(X: flint.fmpq_mat) -> flint.fmpq:
    s = flint.fmpq(0)
    for i in range(X.nrows()):
        for j in range(X.ncols()):
            s += X[i, j] * X[i, j]
    return s


def objective_q(Ws: Sequence[flint.fmpq_mat], M: flint.fmpq_mat, a: flint.fmpq, b: flint.fmpq) -> flint.fmpq:
    """F = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||², exactly."""
    return a / 2 * _sq(product_q(Ws) - M) + b / 2 * sum((_sq(W) for W in Ws), flint.fmpq(0))


def first_order(Ws: Sequence[flint.fmpq_mat], M: flint.fmpq_mat, a: flint.fmpq,
                b: flint.fmpq) -> list[flint.fmpq_mat]:
    """Per layer l the matrix of t-coefficients of F(W + t·E_ij) (entry (i, j) of layer l), exactly."""
    L = len(Ws)
    R = product_q(Ws) - M
    out = []
    for l in range(L):
        X = R
        if l + 1 < L:
            X = product_q(Ws[l + 1:]).transpose() * X
        if l > 0:
            X = X * product_q(Ws[:l]).transpose()
        out.append(a * X + b * Ws[l])
    return out


def first_nonzero(coeffs: Sequence[flint.fmpq_mat]) -> tuple[int, int, int, flint.fmpq] | None:
    """(layer index, i, j, coefficient) of the first nonzero coefficient in layer/row/column order, or None."""
    for l, G in enumerate(coeffs):
        for i in range(G.nrows()):
            for j in range(G.ncols()):
                if G[i, j] != 0:
                    return l, i, j, G[i, j]
    return None


# Matrices over ℚ[r] (entries ``flint.fmpq_poly``), for layers whose entries are polynomials in an algebraic ρ:
# the same t-coefficient, reduced modulo ρ's minimal polynomial by the caller.
PolyMat = list[list[flint.fmpq_poly]]


def to_poly_mat(X: sp.MatrixBase, r: sp.Symbol) -> PolyMat:
    """A SymPy matrix whose entries are polynomials in ``r`` with rational coefficients, over ℚ[r]."""
    return [[to_fmpq_poly(X[i, j], r) for j in range(X.cols)] for i in range(X.rows)]


def to_fmpq_poly(x, r: sp.Symbol) -> flint.fmpq_poly:
    """A polynomial in ``r`` with rational coefficients (SymPy expression or Poly) as ``flint.fmpq_poly``."""
    p = x if isinstance(x, sp.Poly) else sp.Poly(x, r)
    return flint.fmpq_poly([to_fmpq(c) for c in reversed(p.all_coeffs())])


def from_fmpq_poly(p: flint.fmpq_poly, r: sp.Symbol) -> sp.Poly:
    """``flint.fmpq_poly`` back to a SymPy Poly in ``r`` over ℚ (same coefficients)."""
    coeffs = [to_sympy(c) for c in p.coeffs()] or [sp.Integer(0)]
    return sp.Poly(list(reversed(coeffs)), r, domain=sp.QQ)


def _mul(X: PolyMat, Y: PolyMat) -> PolyMat:
    return [[sum((X[i][k] * Y[k][j] for k in range(len(Y))), flint.fmpq_poly(0)) for j in range(len(Y[0]))]
            for i in range(len(X))]


def _tr(X: PolyMat) -> PolyMat:
    return [list(col) for col in zip(*X)]


def _chain(Ws: Sequence[PolyMat]) -> PolyMat:
    P = Ws[0]
    for W in Ws[1:]:
        P = _mul(W, P)
    return P


def objective_poly(Ws: Sequence[PolyMat], M: PolyMat, a: flint.fmpq, b: flint.fmpq) -> flint.fmpq_poly:
    """F = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||² over ℚ[r]."""
    P = _chain(Ws)
    data = sum(((P[i][j] - M[i][j]) ** 2 for i in range(len(P)) for j in range(len(P[0]))), flint.fmpq_poly(0))
    reg = sum((x * x for W in Ws for row in W for x in row), flint.fmpq_poly(0))
    return a / 2 * data + b / 2 * reg


def first_order_poly(Ws: Sequence[PolyMat], M: PolyMat, a: flint.fmpq, b: flint.fmpq) -> list[PolyMat]:
    """``first_order`` over ℚ[r]: per layer the t-coefficients a·(A_lᵀ R B_lᵀ)_ij + b·(W_l)_ij."""
    L = len(Ws)
    P = _chain(Ws)
    R = [[P[i][j] - M[i][j] for j in range(len(P[0]))] for i in range(len(P))]
    out = []
    for l in range(L):
        X = R
        if l + 1 < L:
            X = _mul(_tr(_chain(Ws[l + 1:])), X)
        if l > 0:
            X = _mul(X, _tr(_chain(Ws[:l])))
        out.append([[a * X[i][j] + b * Ws[l][i][j] for j in range(len(X[0]))] for i in range(len(X))])
    return out
