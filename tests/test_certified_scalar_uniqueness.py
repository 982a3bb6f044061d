"""The certified tier on the scalar uniqueness claim: certified tie at λ_e (exact identity + isolated
stationary points), certified unique minimizer off it, perturbed claims refuted."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims.certified_scalar import uniqueness_check
from verify.claims.base import Strength, Tier, Verdict
from verify.claims.context import PROFILES, RunContext
from verify.claims.scalar_uniqueness import scalar_uniqueness_claim

QUICK = RunContext(profile=PROFILES["quick"])


def _certified(formula, convention="A1", depths=(3,), ctx=QUICK):
    claim = scalar_uniqueness_claim("u.cert", "test", "test", formula, convention=convention, depths=depths)
    (check,) = [c for c in claim.checks if c.tier is Tier.CERTIFIED]
    return check.execute(ctx)


def test_correct_claim_certified_with_two_minimizers_at_the_tie():
    r = _certified(tau(), "A1", (3, 6))
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.CERTIFIED, r.summary
    s = r.details["samples"][0]
    assert s["stationary_at_lambda_e"] == 2 and s["off_set"]["kinds"][:2] == ["nonzero", "zero"]


@pytest.mark.parametrize("formula, convention", [
    (2 * tau(), "A1"),                                     # wrong constant
    (tau() * (1 + sp.Rational(1, 10**55)), "A1"),          # off by 1e-55: beyond what 50 digits require
    (tau(), "S"),                                          # wrong normalization (S needs τ/L)
    (tau() ** sp.Rational(99, 100), "A1"),                 # wrong exponent
])
def test_perturbed_exceptional_set_refuted(formula, convention):
    r = _certified(formula, convention, (4,))
    assert r.verdict is Verdict.REFUTED, r.summary
    assert r.counterexample["depth"] == 4 and len(r.counterexample["tie_enclosure"]) == 2


def test_overlapping_balls_without_an_exact_identity_are_inconclusive():
    run = uniqueness_check("A1", tau(), lambda ctx: [3], True, lambda L: False)
    r = run(QUICK)
    assert r.verdict is Verdict.INCONCLUSIVE and "exact identity" in str(r.details["undecided"])


def test_catalogue_claim_rests_on_proof_and_certificate():
    from proofs.kamber_parhi_2026.scalar import claims

    claim = next(c for c in claims() if c.id == "kp.uniqueness.scalar")
    assert {c.name for c in claim.checks if c.corroborates} == {"global minimizers at and near λ_e",
                                                                "float64 ties at λ_e, strict winners elsewhere"}
    general = next(c for c in claim.checks if c.name == "tie of 0 and ρ* at λ_e for every depth")
    r = general.execute(QUICK)
    assert r.strength is Strength.PROVED and r.proved_for.startswith("every integer L ≥ 3") and r.derivation
