"""The exact first-order route (``verify.claims.matrix_exact_dual``) against SymPy's expansion of F(W + t·E)."""
from __future__ import annotations

import random

import sympy as sp

from verify.claims.matrix_common import sym_objective
from verify.claims.matrix_exact_dual import first_nonzero, first_order, objective_q, to_fmpq, to_fmpq_mat, to_sympy


def _rational_matrix(rnd: random.Random, r: int, c: int) -> sp.Matrix:
    return sp.Matrix(r, c, lambda i, j: sp.Rational(rnd.randint(-7, 7), rnd.randint(1, 5)))


def _sympy_t_coefficient(Ws, M, a, b, l, i, j):
    """The reference: SymPy's expansion of F(W + t·E_ij at layer l), coefficient of t."""
    t = sp.Symbol("t")
    E = sp.zeros(Ws[l].rows, Ws[l].cols)
    E[i, j] = t
    moved = [X + E if k == l else X for k, X in enumerate(Ws)]
    return sp.expand(sym_objective(moved, M, a, b)).coeff(t, 1)


def test_first_order_matches_sympy_expansion():
    rnd = random.Random(3)
    for dims in ((2, 3), (3, 2, 2), (2, 3, 2, 3)):
        L = len(dims) - 1
        Ws = [_rational_matrix(rnd, dims[l + 1], dims[l]) for l in range(L)]
        M = _rational_matrix(rnd, dims[-1], dims[0])
        a, b = sp.Rational(3, 2), sp.Rational(2, 7)
        coeffs = first_order([to_fmpq_mat(W) for W in Ws], to_fmpq_mat(M), to_fmpq(a), to_fmpq(b))
        for l, W in enumerate(Ws):
            for i in range(W.rows):
                for j in range(W.cols):
                    assert to_sympy(coeffs[l][i, j]) == _sympy_t_coefficient(Ws, M, a, b, l, i, j)
        value = objective_q([to_fmpq_mat(W) for W in Ws], to_fmpq_mat(M), to_fmpq(a), to_fmpq(b))
        assert to_sympy(value) == sp.nsimplify(sym_objective(Ws, M, a, b))
        assert first_nonzero(coeffs) is not None


def test_first_order_zero_at_a_stationary_point():
    # W = 0 is stationary for every target: the t-coefficient vanishes at L ≥ 2
    Ws = [to_fmpq_mat(sp.zeros(2, 2)), to_fmpq_mat(sp.zeros(2, 2))]
    M = to_fmpq_mat(sp.Matrix([[1, 2], [3, 4]]))
    assert first_nonzero(first_order(Ws, M, to_fmpq(1), to_fmpq(sp.Rational(1, 3)))) is None


def test_first_order_poly_matches_sympy_expansion():
    from verify.claims.matrix_exact_dual import first_order_poly, from_fmpq_poly, objective_poly, to_fmpq_poly, \
        to_poly_mat
    rnd = random.Random(5)
    r = sp.Symbol("r", positive=True)
    minimal = sp.Poly(r ** 3 - 2 * r - 5, r)
    dims = (2, 1, 2, 2)
    Ws = [sp.Matrix(dims[l + 1], dims[l], lambda i, j: rnd.randint(-3, 3) * r ** rnd.randint(0, 2) + sp.Rational(1, 2))
          for l in range(3)]
    M = _rational_matrix(rnd, 2, 2)
    a, b = sp.Rational(2, 3), sp.Rational(1, 5)
    Wq, Mq = [to_poly_mat(W, r) for W in Ws], to_poly_mat(M, r)
    mq = to_fmpq_poly(minimal, r)
    coeffs = first_order_poly(Wq, Mq, to_fmpq(a), to_fmpq(b))
    for l, W in enumerate(Ws):
        for i in range(W.rows):
            for j in range(W.cols):
                want = sp.Poly(_sympy_t_coefficient(Ws, M, a, b, l, i, j), r).rem(minimal)
                assert from_fmpq_poly(coeffs[l][i][j] % mq, r) == want
    want = sp.Poly(sp.expand(sym_objective(Ws, M, a, b)), r).rem(minimal)
    assert from_fmpq_poly(objective_poly(Wq, Mq, to_fmpq(a), to_fmpq(b)) % mq, r) == want
