"""The once-per-depth derivation of ``weighted_exact`` (a, m, b symbolic, then substituted; charpoly by
DomainMatrix; F((1 + s)w) by homogeneous parts) against a direct derivation at the instance's numbers (SymPy
Matrix.charpoly, F((1 + s)w) substituted and expanded), and the integer-Horner signs of the root narrowing against SymPy's."""
from __future__ import annotations

import gmpy2
import pytest
import sympy as sp

from verify.landscape import weighted_exact as we


def _direct(L: int, a, m, b, c) -> dict:
    ws = sp.symbols(f"w1:{L + 1}", real=True)
    P = sp.prod(ws)
    F = a / 2 * (P - m) ** 2 + b / 2 * sum(cl * w ** 2 for cl, w in zip(c, ws))
    H = sp.hessian(F, ws)
    q = [a * (m - we.T) * we.T / (b * cl) for cl in c]
    out = {"N": (a * (m - we.T) * we.T) ** L - b ** L * sp.prod(c) * we.T ** 2, "F": we._reduce(F, ws, q),
           "along": sp.Poly(we._reduce(sp.expand(F.subs({w: (1 + we.S) * w for w in ws}, simultaneous=True)), ws, q),
                            we.S).all_coeffs()[::-1]}
    if L >= 2:
        K = sp.Matrix(L, L, lambda i, k: we._reduce(ws[i] * ws[k] * H[i, k], ws, q))
        out["cpK"] = K.charpoly(we.X).all_coeffs()
        out["H0"] = H.subs({w: 0 for w in ws}).charpoly(we.X).all_coeffs()
    return out


def _same(x, y) -> bool:
    d = sp.expand(x - y)
    return d == 0 or abs(sp.N(d, 60)) < sp.Float("1e-50")


@pytest.mark.parametrize("L", [1, 2, 3, 4])
def test_substituted_derivation_equals_the_direct_one(L):
    c = [sp.Integer(l) for l in range(1, L + 1)]
    cbar = sp.prod(c) ** sp.Rational(1, L)
    for m, a, beta in [(sp.Rational(7, 3), sp.Integer(1), sp.Rational(5, 4)), (-sp.Rational(3, 2), sp.Integer(2), sp.Rational(1, 3))]:
        b = beta / cbar
        got, want = we._derivation(L, a, m, b, c), _direct(L, a, m, b, c)
        for key, value in want.items():
            if isinstance(value, list):
                assert len(got[key]) == len(value) and all(_same(x, y) for x, y in zip(got[key], value)), key
            else:
                assert _same(got[key], value), key


def test_integer_horner_signs_match_sympy():
    t = we.T
    poly = sp.Poly(sp.Rational(3, 7) * t ** 5 - sp.Rational(5, 2) * t ** 3 + t - sp.Rational(1, 9), t)
    ints = we._integer_coeffs(poly)
    for p in range(-40, 41):
        for q in (1, 3, 16, 1024):
            x = sp.Rational(p, q)
            assert we._sign_at(ints, gmpy2.mpq(p, q)) == int(sp.sign(poly.eval(x)))
