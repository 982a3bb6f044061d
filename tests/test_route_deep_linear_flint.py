"""verify.claims.deep_linear_exact.Exact evaluates f, its gradient and Hessian as python-flint fmpq_mpoly at
rational points; the route it replaced is SymPy's ``PolyElement.evaluate`` on the same ring polynomials. The
rationals must be identical, at the check's points (GL images of partial-SVD points) and at random ones."""
from __future__ import annotations

import random

import sympy as sp

from verify.claims.deep_linear_exact import G_EXACT, Exact, balanced, gl_image


def _ring_route(ex: Exact, pts):
    point = list(zip(ex.gens, (ex.ring.domain.from_sympy(sp.sympify(v)) for W in pts for v in W)))

    def ev(p):
        return ex.ring.domain.to_sympy(p.evaluate(point)) if p else sp.Integer(0)
    n = len(ex.gens)
    H = sp.Matrix(n, n, lambda i, j: ev(ex.hess_polys[i][j]))
    return ev(ex.poly), [ev(g) for g in ex.grad_polys], H


def test_flint_evaluation_equals_ring_evaluation():
    rnd = random.Random(7)
    cases = [((2, 2, 2), sp.diag(4, 1), 0), ((2, 2, 2, 2), sp.diag(8, 1), 0),
             ((3, 3, 2), sp.Matrix([[4, 0, 0], [0, 1, 0]]), 0),
             ((2, 2, 2), sp.diag(4 + sp.Rational(1, 10), 1 + sp.Rational(1, 10)), sp.Rational(1, 10))]
    for widths, M, b in cases:
        ex = Exact(widths, M, b)
        points = [gl_image(balanced([2, 1], S, widths), G_EXACT) for S in ((), (0,), (1,), (0, 1))]
        points.append([sp.Matrix(widths[l + 1], widths[l], lambda i, j: sp.Rational(rnd.randint(-9, 9), rnd.randint(1, 7)))
                       for l in range(len(widths) - 1)])
        for pts in points:
            f, g, H = _ring_route(ex, pts)
            assert ex.value(pts) == f
            assert ex.gradient(pts) == g
            assert ex.hessian(pts) == H
