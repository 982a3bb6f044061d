"""Perturbation coverage: the claim × tier cells of the catalogue that no other test showed refuted.

Every catalogue claim must come out refuted, at each of its tiers, when a claimed constant, exponent,
normalization, multiplicity, region radius or regime is wrong. An audit of tests/ (factory names, claim ids and
the tier each refutation is asserted at) left these cells without such a test:

* kp.uniqueness × certified (the σ_c perturbations were asserted at the symbolic, 50-digit and float64 tiers only);
* kp.threshold.A2 and kp.threshold.S2 × every tier (the threshold factory was perturbed under A1, S and B only);
* kp.threshold.B × symbolic, high-precision, numeric (perturbed under B at the certified tier only).

Each test builds the catalogue claim with the catalogue's own factory and a perturbed constant; the expected
verdict is REFUTED because the perturbation makes the claim false, never a value read from a run of the code
under test. Profile quick, seed 0, explicit small depths where the factory takes them.
"""
from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

import proofs
from proofs.kamber_parhi_2026 import matrix as kp
from proofs.kamber_parhi_2026.formulas import tau
from proofs.kamber_parhi_2026.scalar import THRESHOLD_MULTIPLES
from verify.claims import Claim, CheckResult, RunContext, Tier, Verdict, get_profile
from verify.claims.threshold import threshold_claim
from verify.symbolic.scalar import L_sym as L

CTX = RunContext(seed=0, profile=get_profile("quick"))
PPM = sp.Rational(1, 10**6)
SMALL = (3, 4)  # the cheapest depths with a jump (L ≥ 3)
EVERY_DEPTH = "derived threshold equals the claim for every depth"


def _catalogue(cid: str) -> Claim:
    return next(c for c in proofs.catalogue() if c.id == cid)


def _tier_results(claim: Claim, tier: Tier) -> list[CheckResult]:
    results = [c.execute(CTX) for c in claim.checks if c.tier is tier]
    assert results, f"{claim.id} has no {tier} check"
    for r in results:
        assert r.error is None, (r.name, r.error)
    return results


def _refuted_at(claim: Claim, tier: Tier) -> None:
    for r in _tier_results(claim, tier):
        assert r.verdict is Verdict.REFUTED, (claim.id, str(tier), r.name, str(r.verdict), r.summary)
        assert r.counterexample, r.name


# --- kp.threshold.A2, .S2, .B: the threshold factory under the conventions not yet perturbed -------------------


def _threshold(conv: str, formula, **depths) -> Claim:
    """The catalogue's threshold claim for ``conv`` (same factory, id, statement and source), claiming
    ``formula``; at ``depths=SMALL`` unless ``depths`` is given (no keyword: the catalogue's default depths)."""
    cid = "kp.threshold" if conv == "A1" else f"kp.threshold.{conv}"
    true = _catalogue(cid)
    return threshold_claim(cid, true.statement, true.source, formula, convention=conv,
                           resolutions=true.resolutions, paper=true.paper, **depths)


# (convention, perturbed λ*): the suite's resolution is λ* = THRESHOLD_MULTIPLES[conv]·τ (τ under A2,
# τ/L under S2, τ/(2L) under B); each perturbation below differs from it for every L ≥ 3
PERTURBED_THRESHOLDS = {
    "A2 constant ×(1 + 1e-6)": ("A2", tau() * (1 + PPM)),
    "A2 constant ×(1 − 1e-6)": ("A2", tau() * (1 - PPM)),
    "A2 normalization of S (τ/L)": ("A2", tau() / L),
    "A2 exponent 2 − q → 2 + q": ("A2", tau() ** ((2 + 2 / L) / (2 - 2 / L))),
    "S2 constant ×(1 + 1e-6)": ("S2", tau() / L * (1 + PPM)),
    "S2 normalization of A1 (τ)": ("S2", tau()),
    "S2 normalization of B (τ/(2L))": ("S2", tau() / (2 * L)),
    "B constant ×(1 + 1e-6)": ("B", tau() / (2 * L) * (1 + PPM)),
    "B constant ×2 (S's τ/L)": ("B", tau() / L),
    "B wrong power of L: τ/(2L²)": ("B", tau() / (2 * L**2)),
}
TIERS_WITH_DEPTHS = [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.CERTIFIED, Tier.NUMERIC]


@pytest.mark.parametrize("tier", TIERS_WITH_DEPTHS, ids=str)
@pytest.mark.parametrize("name", list(PERTURBED_THRESHOLDS))
def test_perturbed_threshold_refuted_at_each_tier(name, tier):
    conv, formula = PERTURBED_THRESHOLDS[name]
    _refuted_at(_threshold(conv, formula, depths=SMALL), tier)


@pytest.mark.parametrize("name", ["A2 constant ×(1 + 1e-6)", "S2 constant ×(1 + 1e-6)", "B constant ×(1 + 1e-6)",
                                  "B constant ×2 (S's τ/L)", "S2 normalization of A1 (τ)"])
def test_perturbed_threshold_refuted_by_the_every_depth_proof(name):
    # the catalogue claims (default depths) carry the general-L symbolic check too
    conv, formula = PERTURBED_THRESHOLDS[name]
    claim = _threshold(conv, formula)
    (check,) = [c for c in claim.checks if c.name == EVERY_DEPTH]
    assert check.tier is Tier.SYMBOLIC
    r = check.execute(CTX)
    assert r.verdict is Verdict.REFUTED, r.summary


@pytest.mark.parametrize("conv", ["A2", "S2", "B"])
def test_control_the_resolution_itself_verifies_at_each_tier(conv):
    # the same construction with the suite's λ* = multiple·τ is not refuted: the refutations above come from
    # the perturbation, not from how the claim is built
    claim = _threshold(conv, THRESHOLD_MULTIPLES[conv] * tau(), depths=SMALL)
    for r in (c.execute(CTX) for c in claim.checks):
        assert r.verdict is Verdict.VERIFIED, (r.name, r.summary)


# --- kp.uniqueness × certified: a wrong location of the exceptional set σ_c -------------------------------------

CERT_UNIQUENESS = "certified tie at σ_c, unique minimizer off it"


@pytest.mark.parametrize("scale", [1 + PPM, 1 - PPM, sp.Integer(2), sp.Rational(1, 2)], ids=str)
def test_wrong_critical_value_refuted_at_the_certified_tier(scale):
    claim = kp.uniqueness_claim(critical_scale=scale)
    (check,) = [c for c in claim.checks if c.name == CERT_UNIQUENESS]
    assert check.tier is Tier.CERTIFIED
    _refuted_at(dataclasses.replace(claim, checks=(check,)), Tier.CERTIFIED)


def test_control_certified_uniqueness_verifies_the_derived_sigma_c():
    (check,) = [c for c in kp.uniqueness_claim().checks if c.name == CERT_UNIQUENESS]
    r = check.execute(CTX)
    assert r.verdict is Verdict.VERIFIED, r.summary


# --- li.stationary_points × numeric: a wrong exponent or scale of the family X_S = f·U_S Λ_S^e Ψ ------------------
# (the float64 classification once compared the solves with the suite's e = ½, f = 1 whatever the claim said)

@pytest.mark.parametrize("changed", [{"exponent": "1"}, {"scale": "2"}], ids=str)
def test_wrong_stationary_family_refuted_at_the_numeric_tier(changed):
    from verify.claims.symmetric_kinds import symmetric_stationary_set_claim

    _refuted_at(symmetric_stationary_set_claim("t.stat", "s", "test", c="1/4", **changed), Tier.NUMERIC)
