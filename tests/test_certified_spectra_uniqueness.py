"""Certified tier of kp.uniqueness (§K2): an exact tie of two global minimizers at σ_c, unique minimizers off it.

The tie is proved in exact rational arithmetic (never inferred from overlapping balls); a claimed σ_c off by 10^-45
relative, beyond what the 50-digit tier resolves, is refuted by balls. The hand-computed instance: L = 3, a = 1,
ρ* = 1 gives b = a·ρ*^4/(L − 2) = 1 and σ_c = ρ*^3·(L − 1)/(L − 2) = 2; g(1) = 1·(1 − 2) + 1 = 0 and
φ(1) − φ(0) = ½(1 − 2)² + (3/2)·1 − ½·2² = 0.
"""
from __future__ import annotations

import pytest
import sympy as sp

from verify.certified.matrix import certify_sigma, prove_tie
from verify.certified.spectrum import to_arb, workprec
from verify.claims import PROFILES, RunContext, Strength, Tier, Verdict
from verify.claims.base import Check
from verify.claims.matrix_uniqueness import certified_uniqueness_check
from verify.landscape.reduction import critical_value_exact

QUICK = RunContext(profile=PROFILES["quick"])
TINY = sp.Rational(1, 10**45)


def test_hand_computed_tie_is_proved_exactly_and_a_nearby_sigma_is_not():
    proof = prove_tie(3, sp.Integer(1), sp.Integer(1), sp.Integer(2), sp.Integer(1))
    assert proof.proved and proof.facts["phi(rho*) - phi(0)"] == "0"
    assert not prove_tie(3, sp.Integer(1), sp.Integer(1), 2 + TINY, sp.Integer(1)).proved
    assert not prove_tie(3, sp.Integer(1), sp.Integer(1), sp.Integer(2), sp.Rational(1, 2)).proved  # wrong root


@pytest.mark.parametrize("sigma,kind", [(2 - TINY, "zero"), (2 + TINY, "nonzero"), (sp.Integer(1), "zero"),
                                        (sp.Integer(4), "nonzero")])
def test_balls_certify_the_unique_minimizer_on_either_side_of_the_hand_computed_tie(sigma, kind):
    with workprec(320):
        at = certify_sigma(3, to_arb(sigma), sp.Integer(1), sp.Integer(1), 320)
    assert at.kind == kind, at.why


def _check(scale):
    return Check("certified", Tier.CERTIFIED,
                 certified_uniqueness_check(lambda L, a, b: scale * critical_value_exact(L, a, b)))


def test_the_derived_exceptional_set_is_certified():
    r = _check(sp.Integer(1)).execute(QUICK)
    assert r.verdict is Verdict.VERIFIED, r.summary
    assert r.strength is Strength.CERTIFIED and r.instances == 2
    assert all(row["unique_off_the_set"]["σ_c(1 − δ)"] == "zero" for row in r.details["rows"])


@pytest.mark.parametrize("scale", [1 + TINY, 1 - TINY, 1 + sp.sqrt(2) * TINY, sp.Rational(11, 10)])
def test_a_claimed_sigma_c_off_by_1e45_is_refuted(scale):
    r = _check(scale).execute(QUICK)
    assert r.verdict is Verdict.REFUTED, r.summary
    assert "unique global minimizer" in r.summary


def test_a_claimed_sigma_c_the_balls_cannot_enclose_is_inconclusive():
    r = _check(sp.besselj(0, sp.Rational(1, 10**6))).execute(QUICK)  # Bessel J: not enclosed by the certified tier
    assert r.verdict is Verdict.INCONCLUSIVE and "cannot be enclosed" in r.summary
