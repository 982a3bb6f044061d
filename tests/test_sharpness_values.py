"""The sharpness kind's evaluation of a claimed formula: no value is a refutation, a tool fault is not."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from verify.claims.scalar_common import ClaimValueError
from verify.claims.sharpness_common import claim_differs, claimed_mp
from verify.symbolic.scalar import mabs, rho


def test_a_complex_claim_is_a_claim_value_error():
    with pytest.raises(ClaimValueError):
        claimed_mp(sp.sqrt(rho - 2), 3, {rho: mpmath.mpf(1)}, 30)


def test_a_missing_value_is_a_fault_of_the_tool_not_a_refutation():
    """The names were validated when the claim was built: a route that omits one has a bug (a crash, which
    Check.execute reports as inconclusive with an error), never 'the claim differs'."""
    with pytest.raises(RuntimeError):
        claimed_mp(rho + mabs, 3, {rho: mpmath.mpf(1)}, 30)
    with pytest.raises(RuntimeError):
        claim_differs(rho + mabs, 3, {rho: mpmath.mpf(1)}, [mpmath.mpf(1)])


def test_a_claim_with_no_real_value_differs():
    assert claim_differs(sp.sqrt(rho - 2), 3, {rho: mpmath.mpf(1)}, [mpmath.mpf(1)])


@pytest.mark.parametrize("problem", ["A1", "l1"])
def test_a_formula_with_no_real_value_is_refuted_at_every_tier_not_a_crash(problem):
    """sqrt(rho - 100) is complex at every minimizer: each tier refutes it (the exact tier and the float64
    confirmation used to crash on the complex value)."""
    from verify.claims import RunContext, get_profile, run_claim
    from verify.claims.sharpness import sharpness_claim
    from verify.problems import convention_problem, parse_problem

    prob = convention_problem("A1") if problem == "A1" else parse_problem("(p - m)**2 / 2", "lam * abs(w)")
    result = run_claim(sharpness_claim("x.y", "s", "t", prob, sp.sqrt(rho - 100), depths=(3,)),
                       RunContext(profile=get_profile("quick")))
    certified = [("certified", "refuted", None)] if problem == "A1" else []  # named conventions only
    assert [(str(c.tier), str(c.verdict), c.error) for c in result.checks] == [
        ("symbolic", "refuted", None), ("high-precision", "refuted", None), *certified, ("numeric", "refuted", None)]
