"""The exact first-order route (``verify.claims.matrix_exact_dual``) against SymPy's expansion of F(W + t·E)."""
from __future__ import annotations

import random

import sympy as sp

from verify.claims.matrix_common import sym_objective
from verify.claims.matrix_exact_dual import first_nonzero, first_order, objective_q, to_fmpq, to_fmpq_mat, to_sympy


def _rational_matrix(rnd: random.Random, r: int, c: int) -> sp.Matrix:
    return sp.Matrix(r, c, lambda i, j: sp.Rational(rnd.randint(-7, 7), rnd.randint(1, 5)))


def test_first_order_matches_sympy_expansion():
    rnd = random.Random(3)
    t = sp.Symbol("t")
    for dims in ((2, 3), (3, 2, 2), (2, 3, 2, 3)):
        L = len(dims) - 1
        Ws = [_rational_matrix(rnd, dims[l + 1], dims[l]) for l in range(L)]
        M = _rational_matrix(rnd, dims[-1], dims[0])
        a, b = sp.Rational(3, 2), sp.Rational(2, 7)
        coeffs = first_order([to_fmpq_mat(W) for W in Ws], to_fmpq_mat(M), to_fmpq(a), to_fmpq(b))
        for l, W in enumerate(Ws):
            for i in range(W.rows):
                for j in range(W.cols):
                    E = sp.zeros(W.rows, W.cols)
                    E[i, j] = t
                    moved = [X + E if k == l else X for k, X in enumerate(Ws)]
                    want = sp.expand(sym_objective(moved, M, a, b)).coeff(t, 1)
                    assert to_sympy(coeffs[l][i, j]) == want
        value = objective_q([to_fmpq_mat(W) for W in Ws], to_fmpq_mat(M), to_fmpq(a), to_fmpq(b))
        assert to_sympy(value) == sp.nsimplify(sym_objective(Ws, M, a, b))
        assert first_nonzero(coeffs) is not None


def test_first_order_zero_at_a_stationary_point():
    # W = 0 is stationary for every target: the t-coefficient vanishes at L ≥ 2
    Ws = [to_fmpq_mat(sp.zeros(2, 2)), to_fmpq_mat(sp.zeros(2, 2))]
    M = to_fmpq_mat(sp.Matrix([[1, 2], [3, 4]]))
    assert first_nonzero(first_order(Ws, M, to_fmpq(1), to_fmpq(sp.Rational(1, 3)))) is None
