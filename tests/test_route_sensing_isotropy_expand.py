"""li.sensing's gaussian-isotropy: the expand zero test (and factor_terms display) against the former route,
sp.simplify of E||A(Z)||^2 and of its difference with ||Z||_F^2 (reference written here)."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.li_2019.sensing import sensing_claim
from verify.claims import Verdict
from verify.claims.context import RunContext, get_profile


def _simplify_route(power: sp.Rational) -> tuple[str, bool]:
    n, m = 3, sp.Symbol("m", positive=True)
    z = sp.symbols(f"z0:{n * (n + 1) // 2}", real=True)
    Z, k = sp.zeros(n, n), 0
    for i in range(n):
        for j in range(i, n):
            Z[i, j] = Z[j, i] = z[k]
            k += 1
    b = sp.symbols(f"b0:{n * n}", real=True)
    Bm = sp.Matrix(n, n, b)
    A = (Bm + Bm.T) / 2
    lin = sp.expand(sum(A[i, j] * Z[i, j] for i in range(n) for j in range(n)))
    expect = sp.simplify(m * m ** (-2 * power) * sum(lin.coeff(bl) ** 2 for bl in b))
    return str(expect)[:200], sp.simplify(expect - sum(Z[i, j] ** 2 for i in range(n) for j in range(n))) == 0


@pytest.mark.parametrize("power", ["1/2", "1", "3/4", "1/3", "0"])
def test_expand_route_gives_the_simplify_verdict_and_display(power: str) -> None:
    check = next(c for c in sensing_claim(gaussian_scale_power=power).checks if c.name == "gaussian-isotropy")
    res = check.execute(RunContext(seed=0, profile=get_profile("quick")))
    shown, isotropic = _simplify_route(sp.Rational(power))
    assert res.details["E||A(Z)||^2"] == shown
    assert res.verdict == (Verdict.VERIFIED if isotropic else Verdict.REFUTED)
