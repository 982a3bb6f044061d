"""The ring route of verify.claims.deep_linear_exact (f as a polynomial over QQ, differentiated there) against
SymPy's expression route (sp.hessian / sp.diff of the objective's expression tree, then substitution)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from verify.claims.deep_linear_exact import G_EXACT, Exact, balanced, gl_image, inertia


def _expression_route(widths, M, b):
    Ws = [sp.Matrix(widths[l], widths[l - 1], lambda i, j: sp.Symbol(f"w{l}_{i}{j}")) for l in range(1, len(widths))]
    syms = [x for W in Ws for x in W]
    P = Ws[0]
    for W in Ws[1:]:
        P = W * P
    f = sum(x ** 2 for x in P - M) / 2 + sp.Rational(b) / 2 * sum(x ** 2 for W in Ws for x in W)
    return f, syms


def test_ring_derivatives_equal_expression_derivatives():
    cases = [((2, 2, 2), sp.diag(4, 1), 0), ((2, 2, 2, 2), sp.diag(8, 1), 0), ((3, 3, 2), sp.Matrix([[4, 0, 0], [0, 1, 0]]), 0),
             ((2, 2, 2), sp.diag(4 + sp.Rational(1, 10), 1 + sp.Rational(1, 10)), sp.Rational(1, 10))]
    for widths, M, b in cases:
        ex = Exact(widths, M, b)
        f, syms = _expression_route(widths, M, b)
        assert sp.expand(ex.f - f) == 0
        H_expr = sp.hessian(f, syms)
        for S in ((), (0,), (0, 1)):
            pts = gl_image(balanced([2, sp.Rational(1, 3)], S, widths), G_EXACT)
            at = dict(zip(syms, [x for W in pts for x in W]))
            assert ex.hessian(pts) == H_expr.xreplace(at)
            assert ex.gradient(pts) == [sp.diff(f, x).xreplace(at) for x in syms]
            assert ex.value(pts) == sp.expand(f.xreplace(at))


def test_inertia_matches_float_eigenvalues():
    H = sp.Matrix([[2, 1, 0, sp.Rational(1, 2), 0], [1, -3, 1, 0, 0], [0, 1, 0, 0, 0], [sp.Rational(1, 2), 0, 0, 0, 0],
                   [0, 0, 0, 0, 0]])
    ev = np.linalg.eigvalsh(np.array(H.tolist(), dtype=float))
    assert inertia(H) == (int(np.sum(ev > 1e-9)), int(np.sum(ev < -1e-9)), int(np.sum(abs(ev) <= 1e-9)))
