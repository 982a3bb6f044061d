"""Every tier of every scalar claim kind can fail: perturbed claims refuted at each tier (issue 9, item 7).

Complements tests/test_kp_scalar_claims.py (wrong constant / exponent / convention / normalization of the
threshold, wrong spectrum constants) with the gaps: the general-L checks, the uniqueness kind beyond a wrong
constant, wrong multiplicities, the spectrum at 0 at every tier, the minimizer kind, and depth 2 in float64.
Expected values come from the claims' statements, never from a run of the code under test.
"""
import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.claims.minimizer import minimizer_claim
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.scalar_uniqueness import scalar_uniqueness_claim
from verify.claims.threshold import threshold_claim
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

CTX = RunContext(seed=0, profile=get_profile("quick"))
SMALL = (3, 4)
EPS = sp.Rational(1, 10**6)
q = 2 / L
WRONG_EXPONENT = (mabs / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 + q)
TOP = L * a * rho ** (2 * L - 2) + (2 - L) * b
GOOD_NONZERO = [(2 * b, L - 1), (TOP, 1)]


def _each_check_refuted(claim, tiers=("symbolic", "high-precision", "numeric")):
    results = [c.execute(CTX) for c in claim.checks]
    seen = {str(r.tier) for r in results}
    assert seen >= set(tiers), seen
    for r in results:
        if str(r.tier) in tiers:
            assert r.verdict is Verdict.REFUTED, (r.name, r.verdict, r.summary)
            assert r.scope, r.name
    return results


@pytest.mark.parametrize("formula", [tau() * (1 + EPS), tau() / L, 2 * tau(), tau() * (L + 1) / L])
def test_general_threshold_check_refutes(formula):
    claim = threshold_claim("t", "perturbed", "test", formula, "A1")
    general = next(c for c in claim.checks if "every depth" in c.name)
    assert general.tier is Tier.SYMBOLIC
    r = general.execute(CTX)
    assert r.verdict is Verdict.REFUTED and r.counterexample["depth"] >= 3


def test_general_threshold_check_refutes_no_collapse():
    general = next(c for c in threshold_claim("t", "perturbed", "test", None).checks if "every depth" in c.name)
    assert general.execute(CTX).verdict is Verdict.REFUTED


def test_depth2_perturbed_refuted_by_float64_too():
    claim = threshold_claim("t", "perturbed", "test", 2 * mabs * (1 + EPS), "A1", depths=(2,))
    _each_check_refuted(claim)


@pytest.mark.parametrize("formula,conv", [(WRONG_EXPONENT, "A1"), (tau() / L, "A1"), (tau(), "S")])
def test_perturbed_uniqueness_refuted_at_every_tier(formula, conv):
    _each_check_refuted(scalar_uniqueness_claim("u", "perturbed", "test", formula, conv, depths=SMALL))


@pytest.mark.slow
def test_perturbed_uniqueness_for_every_depth_refuted_by_the_general_check_too():
    claim = scalar_uniqueness_claim("u", "perturbed", "test", tau() * (1 + EPS), "A1")
    results = _each_check_refuted(claim)
    assert any("every depth" in r.name for r in results)


@pytest.mark.parametrize("nonzero,at_zero", [
    ([(2 * b, 1), (TOP, L - 1)], [(b, L)]),                          # multiplicities swapped
    ([(2 * b, L - 2), (TOP, 2)], [(b, L)]),                          # right count, wrong split
    ([(2 * b, L), (TOP, 1)], [(b, L)]),                              # one eigenvalue too many
    (GOOD_NONZERO, [(b, L - 1), (2 * b, 1)]),                        # wrong multiplicity at 0
    (GOOD_NONZERO, [(2 * b, L)]),                                    # wrong normalization at 0
    (GOOD_NONZERO, [(b * (1 + EPS), L)]),                            # wrong constant at 0
])
def test_perturbed_spectrum_refuted_at_every_tier(nonzero, at_zero):
    _each_check_refuted(scalar_spectrum_claim("s", "perturbed", "test", nonzero, at_zero, "A1", depths=SMALL))


def test_spectrum_claim_written_with_m_is_read_through_stationarity():
    """At a nonzero stationary point b = a·ρ^(L−2)(|m| − ρ^L), so L·a·ρ^(2L−2) + (2−L)·b equals
    (2L−2)·a·ρ^(2L−2) − (L−2)·a·|m|·ρ^(L−2): the true spectrum written with m must verify, and a wrong one not."""
    alt = (2 * L - 2) * a * rho ** (2 * L - 2) - (L - 2) * a * mabs * rho ** (L - 2)
    claim = scalar_spectrum_claim("s", "true", "test", [(2 * b, L - 1), (alt, 1)], [(b, L)], "A1", depths=SMALL)
    results = [c.execute(CTX) for c in claim.checks]
    assert all(r.verdict is Verdict.VERIFIED for r in results), [(r.name, r.summary) for r in results]
    wrong = alt + 2 * b - 2 * a * mabs * rho ** (L - 2)  # a plausible slip: not equal at stationary points
    _each_check_refuted(scalar_spectrum_claim("s", "perturbed", "test", [(2 * b, L - 1), (wrong, 1)], [(b, L)],
                                              "A1", depths=SMALL))


@pytest.mark.parametrize("depth,target,lam,wrong", [
    (3, "3", "1", "zero"),       # λ = 1 < τ(3, 3) ≈ 5.15: the minimizer is nonzero
    (3, "3", "10", "nonzero"),   # above τ: it is 0
    (2, "3", "5", "zero"),       # L = 2 collapses at 2|m| = 6 (A1)
    (2, "3", "7", "nonzero"),
    (1, "3", "100", "zero"),     # L = 1 never collapses
])
def test_wrong_minimizer_claim_refuted_at_every_tier(depth, target, lam, wrong):
    _each_check_refuted(minimizer_claim("m", "perturbed", "test", depth, target, lam, wrong))
