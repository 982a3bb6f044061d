"""Catalogue claims K1, K2 (scalar), K4: the true ones verify, perturbed ones are refuted."""
import pytest
import sympy as sp

import proofs
from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.scalar_uniqueness import scalar_uniqueness_claim
from verify.claims.threshold import threshold_claim
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

CTX = RunContext(seed=0, profile=get_profile("quick"))
SMALL = (3, 4)  # depths for perturbation tests: the cheapest ones that have a jump
EPS = sp.Rational(1, 10**6)
q = 2 / L


def _by_id(cid):
    return next(c for c in proofs.catalogue() if c.id == cid)


@pytest.mark.parametrize("cid", ["kp.threshold", "kp.threshold.S", "kp.threshold.B", "kp.threshold.depth2",
                                 "kp.threshold.depth1", "kp.uniqueness.scalar", "kp.hessian_spectrum"])
def test_catalogue_claim_verified_at_every_tier(cid):
    r = run_claim(_by_id(cid), CTX)
    assert r.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary, c.error) for c in r.checks]
    assert {"symbolic", "high-precision", "numeric"} <= set(r.tier_verdicts())


def _refuted_everywhere(claim):
    r = run_claim(claim, CTX)
    verdicts = {str(c.tier): c.verdict for c in r.checks}
    assert all(v is Verdict.REFUTED for v in verdicts.values()), [(c.name, c.verdict, c.summary) for c in r.checks]
    assert all(c.counterexample for c in r.checks)


@pytest.mark.parametrize("formula,conv", [
    (tau() * (1 + EPS), "A1"),                                                     # constant off by 1e-6
    ((mabs / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 + q), "A1"),    # wrong exponent
    (tau(), "S"),                                                                  # wrong convention
    (tau() / L, "A1"),                                                             # wrong normalization
])
def test_perturbed_threshold_refuted(formula, conv):
    _refuted_everywhere(threshold_claim("t", "perturbed", "test", formula, conv, depths=SMALL))


def test_depth2_perturbed_refuted():
    r = run_claim(threshold_claim("t", "perturbed", "test", 2 * mabs * (1 + EPS), "A1", depths=(2,)), CTX)
    assert r.verdict is Verdict.REFUTED
    assert {str(c.tier) for c in r.checks if c.verdict is Verdict.REFUTED} >= {"symbolic", "high-precision"}


def test_claiming_a_collapse_at_depth1_refuted():
    _refuted_everywhere(threshold_claim("t", "perturbed", "test", mabs, "A1", depths=(1,)))


def test_claiming_no_collapse_at_depth3_refuted():
    _refuted_everywhere(threshold_claim("t", "perturbed", "test", None, "A1", depths=(3,)))


def test_perturbed_exceptional_set_refuted():
    _refuted_everywhere(scalar_uniqueness_claim("u", "perturbed", "test", tau() * (1 + EPS), "A1", depths=SMALL))


@pytest.mark.parametrize("nonzero", [
    [(2 * b * (1 + EPS), L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)],  # constant
    [(2 * b, L - 1), (L * a * rho ** (2 * L - 1) + (2 - L) * b, 1)],              # exponent
    [(b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)],                  # normalization (b vs 2b)
])
def test_perturbed_spectrum_refuted(nonzero):
    claim = scalar_spectrum_claim("s", "perturbed", "test", nonzero, [(b, L)], "A1", depths=SMALL)
    _refuted_everywhere(claim)


def test_wrong_spectrum_at_zero_refuted():
    good = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)]
    r = run_claim(scalar_spectrum_claim("s", "perturbed", "test", good, [(2 * b, L)], "A1", depths=SMALL), CTX)
    assert r.verdict is Verdict.REFUTED


@pytest.mark.parametrize("make", [
    lambda: scalar_uniqueness_claim("u", "perturbed", "test", tau() * (1 + EPS), "A1", depths=SMALL),
    lambda: scalar_spectrum_claim("s", "perturbed", "test",
                                  [(2 * b * (1 + EPS), L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)],
                                  [(b, L)], "A1", depths=SMALL),
    lambda: threshold_claim("t", "perturbed", "test", tau() * (1 + EPS), "A1", depths=SMALL),
])
def test_refutations_shrink_to_the_smallest_depth_and_simplest_target(make):
    r = run_claim(make(), CTX)
    assert r.verdict is Verdict.REFUTED
    minimal = r.minimal_counterexample
    assert minimal["depth"] == min(SMALL) and minimal["m"] in ("1", "-1")
    assert minimal["reproduce"].startswith("verify ")
