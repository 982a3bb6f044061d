"""verify.claims.convergence.descent_poly / contraction_poly (Poly composition over QQ) against the route they
replaced: SymPy expressions F − (η/2)F'² − F(x − ηF') and θ^Q F^P − F(x⁺)^P expanded, then made polynomials."""
from __future__ import annotations

import sympy as sp

from verify.claims.convergence import contraction_poly, descent_poly


def test_polynomials_equal_the_expanded_expressions():
    x = sp.Symbol("x", real=True)
    for c in (sp.Rational(1, 4), sp.Integer(1), sp.Rational(7, 3)):
        F = c * (x ** 2 - 1) ** 2
        dF = sp.diff(F, x)
        for eta in (sp.Rational(1, 50), sp.Rational(3, 17), sp.Integer(2)):
            xp = x - eta * dF
            p, Fxp = descent_poly(sp.Poly(F, x), eta)
            assert p.as_expr() - sp.expand(F - eta / 2 * dF ** 2 - F.subs(x, xp)) == 0
            assert p == sp.Poly(sp.expand(F - eta / 2 * dF ** 2 - F.subs(x, xp)), x)
            for theta, P, Q in ((sp.Rational(9, 10), 1, 1), (sp.Rational(2, 3), 2, 3), (sp.Rational(1, 2), 3, 1)):
                q = contraction_poly(sp.Poly(F, x), Fxp, theta, P, Q)
                assert q == sp.Poly(sp.expand(theta ** Q * F ** P - F.subs(x, xp) ** P), x)
