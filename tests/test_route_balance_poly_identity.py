"""The balancedness identities in SymPy's polynomial ring agree with the Expr route (entrywise diff + expand)."""
from __future__ import annotations

import pytest
import sympy as sp

from verify.claims.matrix_common import fro2, sym_layers, sym_product
from verify.claims.matrix_poly_identity import balance_residuals


def _expr_residuals(dims, rate, power, weighted):
    L = len(dims) - 1
    Ws = sym_layers(dims)
    M = sp.Matrix(dims[-1], dims[0], lambda i, j: sp.Symbol(f"m_{i}{j}"))
    a, b = sp.symbols("a b", positive=True)
    cs = sp.symbols(f"c1:{L + 1}", positive=True) if weighted else (1,) * L
    F = a / 2 * fro2(sym_product(Ws) - M) + b / 2 * sum(c * fro2(W) for c, W in zip(cs, Ws))
    Gs = [W.applyfunc(lambda w: sp.diff(F, w)) for W in Ws]
    out = []
    for l in range(L - 1):
        Dc = cs[l + 1] ** power * Ws[l + 1].T * Ws[l + 1] - cs[l] ** power * Ws[l] * Ws[l].T
        dD = -(Gs[l + 1].T * Ws[l + 1] + Ws[l + 1].T * Gs[l + 1]) + Gs[l] * Ws[l].T + Ws[l] * Gs[l].T
        if weighted:
            ident = (Ws[l + 1].T * Gs[l + 1] - Gs[l] * Ws[l].T - b * Dc).applyfunc(sp.expand)
            out.append((l, "identity", [e for e in ident if e != 0]))
        flow = (dD + sp.sympify(rate) * b * Dc).applyfunc(sp.expand)
        out.append((l, "flow", [e for e in flow if e != 0]))
    return out


def _same(fast, slow):
    assert [(l, n, len(r)) for l, n, r in fast] == [(l, n, len(r)) for l, n, r in slow]
    for (_, _, rf), (_, _, rs) in zip(fast, slow):
        for ef, es in zip(rf, rs):
            assert sp.expand(ef - es.subs({s: sp.Symbol(s.name) for s in es.free_symbols})) == 0


@pytest.mark.parametrize("dims", [(2, 2, 2), (1, 2, 2, 1)])
@pytest.mark.parametrize("rate", [2, 3, sp.Rational(3, 2)])
def test_plain_flow_identity_matches_expr_route(dims, rate):
    fast = balance_residuals(dims, rate)
    _same(fast, _expr_residuals(dims, rate, 1, False))
    assert all(not r for _, _, r in fast) == (rate == 2)


@pytest.mark.parametrize("rate,power", [(2, 1), (2, 2), (1, 1), (2, 0)])
def test_weighted_identities_match_expr_route(rate, power):
    dims = (2, 1, 2)
    fast = balance_residuals(dims, rate, power, weighted=True)
    _same(fast, _expr_residuals(dims, rate, power, True))
    assert all(not r for _, _, r in fast) == (rate == 2 and power == 1)


def test_not_polynomial_falls_back():
    assert balance_residuals((2, 2, 2), sp.sqrt(2)) is None
    assert balance_residuals((2, 2, 2), 2, sp.Rational(1, 2), weighted=True) is None
