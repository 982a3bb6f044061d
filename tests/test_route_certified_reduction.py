"""The certified scalar reduction's polynomials by exact Poly division against the rational-function route
(``expand(cancel(·))``) they replaced, and the L = 2 threshold's b against ``sp.solve``."""
import sympy as sp

from verify.certified.scalar import reduced
from verify.certified.threshold import _zero_coefficient_roots
from verify.symbolic.scalar import a, b, balanced_model, rho


def _coeffs(expr):
    return tuple(reversed(sp.Poly(sp.expand(expr), rho).all_coeffs()))


def test_reduced_matches_cancel_route():
    for L in range(2, 21):
        model = balanced_model(L)
        g = sp.expand(sp.cancel(model.dphi / (L * rho)))
        q = sp.expand(sp.cancel((model.phi - model.phi.subs(rho, 0)) / rho**2))
        b_of_rho = sp.expand(-g.subs(b, 0) / sp.diff(g, b))
        tie_poly = sp.Poly(sp.expand(q.subs(b, b_of_rho)), rho)
        low = min(mon[0] for mon in tie_poly.monoms())
        tie = sp.expand(sp.cancel(tie_poly.as_expr() / rho**low))
        red = reduced(L)
        assert sp.srepr(red.g) == sp.srepr(_coeffs(g))
        assert sp.srepr(red.q) == sp.srepr(_coeffs(q))
        assert sp.srepr(red.b_of_rho) == sp.srepr(b_of_rho)
        assert sp.srepr(red.tie) == sp.srepr(_coeffs(tie)) and red.tie_power == low


def test_zero_coefficient_root_matches_solve():
    assert list(_zero_coefficient_roots(2)) == sp.solve(reduced(2).g[0], b)
    assert _zero_coefficient_roots(2)[0] == a * sp.Symbol("m", positive=True)
