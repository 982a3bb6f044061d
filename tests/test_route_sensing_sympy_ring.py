"""li.sensing's derivatives-vs-sympy: exact derivatives from SymPy's polynomial ring against the former route,
SymPy expressions of G and F expanded by Poly (reference written here). Both are exact: they must be equal."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from verify.claims.sensing_symbolic import exact_derivatives


def _expr_route(As: np.ndarray, Mi: np.ndarray, X0: np.ndarray, c: sp.Rational) -> dict:
    n, r = X0.shape
    xs = sp.symbols(f"x0:{n * r}", real=True)
    X = sp.Matrix(n, r, xs)
    E = X * X.T - sp.Matrix(Mi)
    G = c * sum(sum(int(Ak[i, j]) * E[i, j] for i in range(n) for j in range(n)) ** 2 for Ak in As)
    F = c * sum(e ** 2 for e in E)
    at = tuple(sp.Rational(float(x)) for x in X0.ravel())
    out = {}
    for name, expr in (("G", G), ("F", F)):
        P = sp.Poly(expr, *xs)
        grads = [P.diff(v) for v in xs]
        out[name] = ([g.eval(at) for g in grads], [[g.diff(w).eval(at) for w in xs] for g in grads])
    return out


@pytest.mark.parametrize("seed,c", [(0, sp.Rational(1, 4)), (1, sp.Rational(3, 7)), (2, sp.Integer(2))])
def test_ring_derivatives_equal_the_expression_route(seed: int, c: sp.Rational) -> None:
    rng = np.random.default_rng(seed)
    n, r, m = 3, 2, 4
    Bs = rng.integers(-3, 4, (m, n, n))
    As = Bs + Bs.transpose(0, 2, 1)
    L = rng.integers(-2, 3, (n, n))
    X0 = rng.integers(-4, 5, (n, r)) / 2
    got, ref = exact_derivatives(As, L @ L.T, X0, c), _expr_route(As, L @ L.T, X0, c)
    for name in ("G", "F"):
        assert [sp.Rational(str(v)) for v in got[name][0]] == ref[name][0]
        assert [[sp.Rational(str(v)) for v in row] for row in got[name][1]] == ref[name][1]
