"""li.regions' symbolic tier checks the three proof identities in the polynomial ring (``identity_sides``)
instead of expanding SymPy expressions: each side is the polynomial the replaced SymPy route expanded."""
from __future__ import annotations

import pytest
import sympy as sp

from verify.claims.region_proofs import identity_sides
from verify.symbolic.symmetric import derivatives, entry_symbols


def _sympy_sides(c: sp.Rational) -> list[tuple[sp.Expr, sp.Expr]]:
    """The replaced route: the same sides as SymPy expressions (expanded when compared)."""
    n, r = 2, 2
    _, grad, hess = derivatives(n, r, c)
    X, M = entry_symbols(n, r)
    q = sp.Matrix(sp.symbols("q0:2", real=True))
    v = sp.Matrix(sp.symbols("v0:2", real=True))
    d = sp.Matrix((q * v.T).reshape(1, n * r))
    A = X * v * q.T + q * v.T * X.T
    one = ((d * hess * d.T)[0],
           2 * c * (sum(e ** 2 for e in A) + 2 * v.dot(v) * ((X.T * q).dot(X.T * q) - (q.T * M * q)[0])))
    N = X * X.T
    two = (sum(grad[i] * X[i] for i in range(n * r)), 4 * c * sum((N - M)[i] * N[i] for i in range(n * n)))
    E = sp.Matrix(n, r, sp.symbols("e0:4", real=True))
    Dm = sp.Matrix(n, r, sp.symbols("w0:4", real=True))
    sub = {X[i]: X[i] + E[i] for i in range(n * r)}
    dv = sp.Matrix(Dm.reshape(1, n * r))
    Am = X * Dm.T + Dm * X.T
    Bm = E * Dm.T + Dm * E.T
    diff = (X + E) * (X + E).T - X * X.T
    three = ((dv * hess.xreplace(sub) * dv.T)[0] - (dv * hess * dv.T)[0],
             2 * c * (2 * sum(Am[i] * Bm[i] for i in range(4)) + sum(b ** 2 for b in Bm)
                      + 2 * sum(diff[i] * (Dm * Dm.T)[i] for i in range(4))))
    return [one, two, three]


@pytest.mark.parametrize("c", [sp.Rational(1, 4), sp.Rational(3, 7), sp.Integer(2)])
def test_ring_sides_equal_the_expanded_sympy_sides(c: sp.Rational) -> None:
    ring_sides = identity_sides(c)
    for (lhs, rhs), (elhs, erhs) in zip(ring_sides, _sympy_sides(c)):
        R = lhs.ring
        assert lhs == R(sp.expand(elhs)) and rhs == R(sp.expand(erhs))
        assert lhs == rhs
        assert lhs != 0 and rhs != 0


def test_a_wrong_constant_breaks_the_identities() -> None:
    """Sides computed with different c no longer match across: the comparison can fail."""
    a, b = identity_sides(sp.Rational(1, 4)), identity_sides(sp.Rational(1, 3))
    assert all(la != rb for (la, _), (_, rb) in zip(a, b))
