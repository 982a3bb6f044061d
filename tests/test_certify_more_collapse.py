"""kp.collapse at the certified tier (slice D2): the claimed edge of every singular value against a rigorous
enclosure of the scalar threshold. A claim off by 1e-45 relative, which the 50-digit rank check cannot resolve,
is refuted here; a wrong regime (another convention's multiple) too; what the balls cannot enclose is
inconclusive, never verified."""
from __future__ import annotations

import dataclasses

import sympy as sp

from proofs.kamber_parhi_2026 import matrix as kp
from verify.claims import Claim, RunContext, Tier, Verdict, run_claim
from verify.claims.context import Profile
from verify.claims.matrix_collapse import rank_spectra

CERT = "certified edge of every singular value: rank rule at every λ off the edges"
RANK_HP = "rank at every singular value's edge at 50 digits"
#: depths 2 (continuous) and 3 (a jump), every convention once: 10 spectra
SMALL = Profile("small", (1, 2, 3), 200, 1, 200, 0)


def _check(claim: Claim, name: str):
    checks = tuple(c for c in claim.checks if c.name == name)
    assert len(checks) == 1, [c.name for c in claim.checks]
    (result,) = run_claim(dataclasses.replace(claim, checks=checks), RunContext(seed=0, profile=SMALL)).checks
    assert result.error is None, result.error
    return result


def test_catalogue_collapse_certified():
    r = _check(kp.collapse_claim(), CERT)
    assert r.tier is Tier.CERTIFIED and r.verdict is Verdict.VERIFIED, r.summary
    assert str(r.strength) == "certified" and r.digits == 70.0
    assert "same draws" in r.scope and r.instances >= 10


def test_certified_check_shares_the_rank_checks_spectra():
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.matrix_kinds import claimed_threshold

    by_name = {c.name: c for c in kp.collapse_claim().checks}
    assert by_name[CERT].tier is Tier.CERTIFIED and not by_name[CERT].corroborates
    spectra = rank_spectra(RunContext(seed=0, profile=SMALL), claimed_threshold(tau(), "A1", kp.DEFAULT_MULTIPLES))
    assert len(spectra) == 10 and {s[1] for s in spectra} == {"A1", "A2", "S", "S2", "B"}
    assert {s[2] for s in spectra} == {"distinct", "repeated", "rank-deficient"}


def test_off_by_1e45_refuted_at_the_certified_tier_only():
    # λ*/τ = 1 + 10^-45 under A1: the 50-digit check tests edges at ±10^-25 and cannot see it
    claim = kp.collapse_claim(multiple=1 + sp.Rational(1, 10**45))
    cert = _check(claim, CERT)
    assert cert.verdict is Verdict.REFUTED, cert.summary
    assert cert.counterexample["convention"] == "A1"
    assert "outside the certified enclosure" in cert.summary
    assert cert.counterexample["certified_minimizer_at_witness"].startswith("0")  # claimed edge too high
    assert _check(claim, RANK_HP).verdict is Verdict.VERIFIED


def test_off_by_minus_1e45_refuted():
    cert = _check(kp.collapse_claim(multiple=1 - sp.Rational(1, 10**45)), CERT)
    assert cert.verdict is Verdict.REFUTED
    assert cert.counterexample["certified_minimizer_at_witness"].startswith("nonzero")


def test_wrong_regime_refuted():
    # claiming S's threshold τ/L under B (whose threshold is τ/(2L))
    cert = _check(kp.collapse_claim(multiples={"B": lambda L: sp.Rational(1, L)}), CERT)
    assert cert.verdict is Verdict.REFUTED and cert.counterexample["convention"] == "B"


def test_unenclosable_claim_is_inconclusive_not_verified():
    # a float multiple is no exact number: the balls do not guess its value
    cert = _check(kp.collapse_claim(multiples={"A2": lambda L: sp.Float(1)}), CERT)
    assert cert.verdict is Verdict.INCONCLUSIVE and cert.strength is None
