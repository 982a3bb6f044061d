"""The certified tier on threshold claims: perturbed claims refuted, a claim off by far less than the
high-precision tier resolves refuted by the certified tier alone, strength and proofs recorded."""
from __future__ import annotations

import sympy as sp
import pytest

from proofs.kamber_parhi_2026.formulas import tau
from proofs.kamber_parhi_2026.scalar import claims as kp_claims
from verify.claims.base import ClaimResult, Strength, Tier, Verdict
from verify.claims.context import PROFILES, RunContext
from verify.claims.threshold import threshold_claim
from verify.symbolic.scalar import L_sym as L, mabs

QUICK = RunContext(profile=PROFILES["quick"])


def _run(claim, ctx=QUICK, tiers=None):
    return {c.tier: c.execute(ctx) for c in claim.checks if tiers is None or c.tier in tiers}


def _certified(formula, convention="A1", depths=(4,), ctx=QUICK):
    claim = threshold_claim("t.cert", "test", "test", formula, convention=convention, depths=depths)
    (check,) = [c for c in claim.checks if c.tier is Tier.CERTIFIED]
    return check.execute(ctx)


@pytest.mark.parametrize("exponent_digits, dps", [(55, 50), (45, 40)])
def test_certified_refutes_what_high_precision_does_not(exponent_digits, dps):
    """A claim off by 10^-d relative, d beyond the digits the high-precision tier requires, is refuted by the
    certified tier (enclosure to dps + 20 digits); the high-precision tier does not refute it; the claim is
    refuted. (At the default 50 digits the high-precision tier itself refutes 10^-45.)"""
    ctx = RunContext(profile=PROFILES["quick"], dps=dps)
    claim = threshold_claim("t.off", "test", "test", tau() * (1 + sp.Rational(1, 10**exponent_digits)), depths=(4,))
    results = [c.execute(ctx) for c in claim.checks]
    by_tier = {r.tier: r for r in results}
    assert by_tier[Tier.CERTIFIED].verdict is Verdict.REFUTED
    assert by_tier[Tier.HIGH_PRECISION].verdict is not Verdict.REFUTED
    assert by_tier[Tier.NUMERIC].verdict is not Verdict.REFUTED
    assert ClaimResult(claim, results).verdict is Verdict.REFUTED
    ce = by_tier[Tier.CERTIFIED].counterexample
    assert ce["depth"] == 4 and sp.Rational(ce["relative_distance_at_least"]) > 0


@pytest.mark.parametrize("formula, convention, depths", [
    (2 * tau(), "A1", (4,)),                                  # wrong constant
    (tau() ** sp.Rational(101, 100), "A1", (5,)),              # wrong exponent
    (tau(), "S", (3,)),                                        # wrong normalization (S needs τ/L)
    (tau() / L, "B", (6,)),                                    # wrong normalization (B needs τ/(2L))
    (None, "A1", (3,)),                                        # wrong regime: "no collapse"
    (mabs, "A1", (2,)),                                        # wrong constant at L = 2 (2|m|)
])
def test_perturbed_claims_refuted_at_the_certified_tier(formula, convention, depths):
    r = _certified(formula, convention, depths)
    assert r.verdict is Verdict.REFUTED, r.summary
    assert r.counterexample["depth"] in depths


@pytest.mark.parametrize("formula, convention, depths", [
    (tau(), "A1", (3, 5)), (tau() / L, "S2", (4,)), (tau() / (2 * L), "B", (12,)), (2 * mabs, "A1", (2,))])
def test_correct_claims_certified(formula, convention, depths):
    r = _certified(formula, convention, depths)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.CERTIFIED, r.summary
    assert r.instances == 2 * len(depths) and r.digits == QUICK.dps + 20


def test_a_function_arb_cannot_enclose_makes_the_check_inconclusive():
    r = _certified(tau() * (1 + sp.besselj(1, mabs) / 10**90), "A1", (3,))
    assert r.verdict is Verdict.INCONCLUSIVE and "cannot enclose" in str(r.details)


def test_catalogue_threshold_headline_is_certified_with_a_proof_for_every_depth():
    claim = next(c for c in kp_claims() if c.id == "kp.threshold.S")
    general = next(c for c in claim.checks if c.name == "derived threshold equals the claim for every depth")
    r = general.execute(QUICK)
    assert r.strength is Strength.PROVED and "every integer L ≥ 3" in r.proved_for
    assert len(r.derivation) >= 6 and all(s["plain"] for s in r.derivation)
    corroborating = {c.name for c in claim.checks if c.corroborates}
    assert corroborating == {"bisection on λ over all stationary points",
                             "float64 global minimizer on both sides of the threshold"}
    cert = next(c for c in claim.checks if c.tier is Tier.CERTIFIED)
    assert cert.execute(QUICK).strength is Strength.CERTIFIED


def test_depth_one_rests_on_its_symbolic_proof():
    claim = next(c for c in kp_claims() if c.id == "kp.threshold.depth1")
    assert [c.tier for c in claim.checks if not c.corroborates] == [Tier.SYMBOLIC]
    r = ClaimResult(claim, [c.execute(QUICK) for c in claim.checks])
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.PROVED
    perturbed = threshold_claim("t.d1", "test", "test", 2 * mabs, depths=(1,))  # a collapse claimed at L = 1
    results = [c.execute(QUICK) for c in perturbed.checks]
    assert results[0].verdict is Verdict.REFUTED
