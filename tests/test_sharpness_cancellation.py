"""The high-precision sharpness tier judges the claim by SymPy's adaptive evalf, never by a fixed-precision value
alone: a claim that cancels catastrophically at the working precision is refuted (review of this round: a compiled
mpmath value agreed with the eigenvalue on such a claim, and the tier said verified)."""
from __future__ import annotations

import mpmath
import sympy as sp

from verify.claims import PROFILES, RunContext, Tier, Verdict
from verify.claims.sharpness import sharpness_claim
from verify.claims.sharpness_common import MpmathTally, claimed_mp
from verify.problems import convention_problem
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

WORK = 60
CLAIM = L * a * rho ** (2 * L - 2) - (L - 2) * b  # the catalogue's largest eigenvalue at the global minimizers
T = rho / 10 ** 100
ONE = ((1 + T) ** 2 - 1 - T ** 2) / (2 * T)  # identically 1; 0 at 60 fixed digits
OFF = CLAIM + sp.Rational(1, 1000) * ONE


def test_one_is_one_but_cancels_at_fixed_precision() -> None:
    assert sp.simplify(ONE) == 1
    with mpmath.workdps(WORK + 10):
        fixed = sp.lambdify(rho, ONE, "mpmath")(mpmath.mpf(1) / 3)
    assert abs(fixed - 1) > mpmath.mpf("0.5")  # the trap a fixed-precision evaluation falls into


def test_tally_refutes_a_claim_that_cancels_at_the_working_precision() -> None:
    with mpmath.workdps(WORK):
        values = {rho: mpmath.mpf(1) / 3, mabs: mpmath.mpf(3), a: mpmath.mpf(2), b: mpmath.mpf("0.1")}
        true = claimed_mp(CLAIM, 4, values, WORK)
        ok = MpmathTally(CLAIM, WORK, WORK - 15, "s", "A1", {"convention": "A1"})
        assert ok.judge(4, 3, mpmath.mpf(1), values[rho], values, [values[b] * 2, true]) is None
        off = MpmathTally(OFF, WORK, WORK - 15, "s", "A1", {"convention": "A1"})
        refuted = off.judge(4, 3, mpmath.mpf(1), values[rho], values, [values[b] * 2, true])
    assert refuted is not None and refuted.verdict is Verdict.REFUTED


def test_high_precision_tier_of_the_claim_refutes_it() -> None:
    claim = sharpness_claim("t.sharpness.cancel", "s", "test", convention_problem("A1"), OFF, min_depth=3)
    results = [check.execute(RunContext(profile=PROFILES["quick"])) for check in claim.checks
               if check.tier is Tier.HIGH_PRECISION]
    assert results and all(r.verdict is Verdict.REFUTED for r in results)


def test_float64_tier_does_not_verify_a_claim_it_cannot_evaluate() -> None:
    """The float64 value of OFF is that of the right claim (the 10⁻³ term is 0 in float64): the tier says it cannot
    judge (inconclusive) where it once verified; the right claim stays verified."""
    for formula, want in ((OFF, Verdict.INCONCLUSIVE), (CLAIM, Verdict.VERIFIED)):
        claim = sharpness_claim("t.sharpness.cancel", "s", "test", convention_problem("A1"), formula, min_depth=3)
        got = [c.execute(RunContext(profile=PROFILES["quick"])).verdict for c in claim.checks if c.tier is Tier.NUMERIC]
        assert got == [want], got
