"""kp.hessian_trace's symbolic tier: the ring route to Σ_w ∂²F/∂w² − claim equals the expression route
(``sp.diff`` twice, ``sp.expand``), for the true formula, a perturbed rational constant and an irrational one."""
from __future__ import annotations

import pytest
import sympy as sp

from verify.claims.matrix_common import sym_layers, sym_objective
from verify.claims.matrix_trace import _trace_minus_claim
from verify.claims.matrix_trace_formula import trace_formula


@pytest.mark.parametrize("dims", [(3, 2), (2, 3, 2), (2, 2, 1, 2)])
@pytest.mark.parametrize("constant", [1, sp.Rational(101, 100), sp.sqrt(2)])
def test_ring_route_equals_expression_route(dims, constant) -> None:
    Ws = sym_layers(dims)
    M = sp.Matrix(dims[-1], dims[0], lambda i, j: sp.Symbol(f"m_{i}{j}"))
    a, b = sp.symbols("a b", positive=True)
    F = sym_objective(Ws, M, a, b)
    want = sp.expand(sum(sp.diff(F, w, 2) for W in Ws for w in W) - trace_formula(Ws, a, b, constant))
    got = _trace_minus_claim(Ws, M, a, b, lambda W, a_, b_: trace_formula(W, a_, b_, constant))
    assert sp.expand(got - want) == 0
    assert (got == 0) == (constant == 1)


def test_a_floating_point_constant_is_compared_exactly_not_read_through_53_bits():
    """A Float constant off by 1e-19 would become exactly 1 in QQ (via 53-bit RR): the expression route keeps the
    residual and refutes it."""
    from verify.claims.context import RunContext
    from verify.claims.matrix_kinds import matrix_trace_claim

    c = sp.Float("1.0000000000000000001", 30)
    claim = matrix_trace_claim("x.t", "s", "user", constant=c)
    assert claim.checks[0].run(RunContext()).verdict.value == "refuted"
