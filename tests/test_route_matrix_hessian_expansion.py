"""The truncated degree-2 expansion of the deep matrix objective (``expand_second_order``) against the earlier
polynomial-ring route it replaced: the same gradient and Hessian, exactly over QQ and at 70 digits."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from verify.landscape.matrix_hessian_exact import _expand_second_order_ring, expand_second_order, real_field


@pytest.mark.parametrize("dims", [(1, 1), (2, 2), (3, 3, 2), (3, 3, 2, 2), (3, 3, 2, 2, 2, 2), (2, 3, 1, 2)])
def test_truncated_expansion_equals_the_ring_route(dims: tuple[int, ...]) -> None:
    rng = random.Random(len(dims) * 10 + dims[0])
    Ws = [sp.Matrix(dims[k + 1], dims[k], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
          for k in range(len(dims) - 1)]
    M = sp.Matrix(dims[-1], dims[0], lambda i, j: sp.Rational(rng.randint(-9, 9), 4))
    a, b = sp.Rational(3, 2), sp.Rational(1, 7)
    assert expand_second_order(Ws, M, a, b) == _expand_second_order_ring(Ws, M, a, b)
    field = real_field(70)
    Wf = [W.evalf(70) for W in Ws]
    g1, H1 = expand_second_order(Wf, M, a, b, field)
    g2, H2 = _expand_second_order_ring(Wf, M, a, b, field)
    with mpmath.workdps(70):
        scale = max(abs(mpmath.mpf(x)) for r in H2 for x in r) + 1
        assert all(abs(mpmath.mpf(x) - mpmath.mpf(y)) <= scale * mpmath.mpf(10) ** -66
                   for r1, r2 in zip(H1, H2) for x, y in zip(r1, r2))
        assert all(abs(mpmath.mpf(x) - mpmath.mpf(y)) <= scale * mpmath.mpf(10) ** -66 for x, y in zip(g1, g2))


def test_shape_errors_still_raise() -> None:
    from verify.errors import UsageError

    with pytest.raises(UsageError):
        expand_second_order([sp.eye(2), sp.ones(3, 3)], sp.zeros(3, 2), 1, 1)
    with pytest.raises(UsageError):
        expand_second_order([sp.eye(2)], sp.zeros(3, 2), 1, 1)


def test_exact_hessian_matrix_and_charpoly_as_before() -> None:
    """exact_hessian builds its Matrix from a DomainMatrix and charpoly reads it back without sympify: the same
    entries and characteristic polynomial as the entrywise construction."""
    from sympy.polys.domains import QQ

    from verify.landscape.matrix_hessian_exact import charpoly, exact_hessian

    rng = random.Random(11)
    dims = (3, 3, 2, 2)
    Ws = [sp.Matrix(dims[k + 1], dims[k], lambda i, j: sp.Rational(rng.randint(-9, 9), rng.randint(1, 5)))
          for k in range(len(dims) - 1)]
    M = sp.Matrix(2, 3, lambda i, j: sp.Rational(rng.randint(-9, 9), 4))
    grad, H = exact_hessian(Ws, M, 1, sp.Rational(1, 3))
    g0, H0 = _expand_second_order_ring(Ws, M, sp.Integer(1), sp.Rational(1, 3), QQ)
    n = len(H0)
    plain = sp.Matrix(n, n, lambda i, j: QQ.to_sympy(H0[i][j]))
    assert H == plain and grad == sp.Matrix([QQ.to_sympy(g) for g in g0])
    assert charpoly(H) == charpoly(sp.Matrix(plain.tolist()))
