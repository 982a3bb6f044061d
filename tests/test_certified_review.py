"""Review of the certified scalar/spectrum layer (issue 11, slice R1): one test per rigour defect found.

Expected values are exact by construction (diagonal matrices with dyadic entries, a linear function with a known
root, hand-computed instances), never a run of the code under test.
"""
from __future__ import annotations

from fractions import Fraction

import flint
import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.certified import threshold as cert_threshold
from verify.certified.arb import (CertificationFailed, bits_for_digits, interval_newton, isolate_roots, to_arb,
                                  workprec)
from verify.claims.certified_scalar import threshold_check, uniqueness_check
from verify.certified.matrix import prove_tie
from verify.certified.scalar import MinimizerCertificate
from verify.certified.spectrum import certify_scalar_minimizer, judge_largest, symmetric_eigen_enclosures
from verify.claims import PROFILES, RunContext, Tier, Verdict
from verify.conventions import get_convention
from verify.symbolic.scalar import L_sym as L, a, b, rho

QUICK = RunContext(profile=PROFILES["quick"])
TINY = Fraction(1, 2**70)  # far below float64's resolution, far above 300-bit balls


def test_eigenvalue_enclosures_pair_near_equal_eigenvalues_exactly_not_by_float():
    # diag(1 + 2^-70, 1): float64 cannot order the two; Weyl needs the k-th smallest d with the k-th eigenvalue
    with workprec(300):
        top = to_arb(1 + TINY)
        H = flint.arb_mat([[top, 0], [0, 1]])
        enc = symmetric_eigen_enclosures(H, 300)
        assert enc[0].contains(to_arb(1)) and enc[1].contains(top)
        assert judge_largest(top, enc, 1e-50).outcome == "match"
        assert judge_largest(to_arb(1), enc, 1e-50).outcome == "differs"


def test_isolated_root_box_never_claims_a_root_outside_it():
    # [0, 1 + 2^-40]: the radius (1 + 2^-40)/2 does not fit Arb's 30-bit radius and is rounded up, so the ball
    # reaches past 1 + 2^-35, the only root of x − (1 + 2^-35): it lies outside the box and must not be reported
    with workprec(200):
        c = to_arb(1 + Fraction(1, 2**35))
        iso = isolate_roots(lambda x: x - c, lambda x: flint.arb(1), Fraction(0), 1 + Fraction(1, 2**40))
        assert iso.complete and iso.roots == []
        inside = isolate_roots(lambda x: x - c, lambda x: flint.arb(1), Fraction(0), Fraction(2))
        assert len(inside.roots) == 1 and inside.roots[0].root.contains(c)
        # a root at a dyadic point (1, the midpoint of [0, 2]) is not left on a box edge at every level
        one = isolate_roots(lambda x: x * x - 1, lambda x: 2 * x, Fraction(0), Fraction(2))
        assert one.complete and len(one.roots) == 1 and one.roots[0].root.contains(flint.arb(1))


def test_interval_newton_rests_on_the_inclusion_not_on_the_guess():
    with workprec(200):
        f, df = (lambda x: x * x - 2), (lambda x: 2 * x)
        box = interval_newton(f, df, flint.arb("1.4142"), flint.arb("0.001"))
        assert box is not None and box.contains(flint.arb(2).sqrt()) and box.rad() < flint.arb(2) ** -150
        assert interval_newton(f, df, flint.arb("1.5"), flint.arb("0.001")) is None  # no root there: no box


def test_threshold_needs_nonzero_stationary_points_just_above_to_certify_the_jump(monkeypatch):
    real_side = cert_threshold._side
    calls = []

    def side(L_, m, a_, k, lam):
        calls.append(lam)
        got = real_side(L_, m, a_, k, lam)
        if len(calls) == 2:  # λ₊: 0 wins, but as if no nonzero stationary point existed there (λ₊ > λ_c)
            return MinimizerCertificate(got.depth, "zero", (), None, got.radius_bound, got.excluded)
        return got

    conv = get_convention("A1")
    prec = bits_for_digits(20, 48)
    cert = cert_threshold._attempt(conv, 3, sp.Rational(3, 2), 20, prec)
    assert cert.above.kind == "zero" and cert.above.stationary  # the real certificate has the points
    monkeypatch.setattr(cert_threshold, "_side", side)
    with pytest.raises(CertificationFailed, match="not certified"):
        cert_threshold._attempt(conv, 3, sp.Rational(3, 2), 20, prec)


def test_certified_threshold_and_uniqueness_checks_with_no_instance_are_not_verified():
    r = threshold_check("A1", tau(), lambda ctx: [], True, 2)(QUICK)
    assert r.verdict is Verdict.INCONCLUSIVE and r.instances == 0, r.summary
    r = uniqueness_check("A1", tau(), lambda ctx: [], True, lambda depth: True)(QUICK)
    assert r.verdict is Verdict.INCONCLUSIVE and r.instances == 0, r.summary


def test_certified_sharpness_beyond_the_certified_depths_is_not_verified():
    from verify.claims.sharpness import sharpness_claim
    from verify.problems.scalar import convention_problem

    claim = sharpness_claim("t.sharp", "s", "test", convention_problem("A1"),
                            L * a * rho ** (2 * L - 2) - (L - 2) * b, depths=(20,), min_depth=3)
    check = next(c for c in claim.checks if c.tier is Tier.CERTIFIED)
    r = check.execute(QUICK)
    assert r.verdict is Verdict.INCONCLUSIVE and r.instances == 0 and r.strength is None, r.summary


def test_certified_matrix_uniqueness_with_no_depth_is_not_verified(monkeypatch):
    from verify.claims import matrix_uniqueness
    from verify.landscape.reduction import critical_value_exact

    monkeypatch.setattr(matrix_uniqueness, "matrix_depths", lambda ctx, lo=3: [])
    r = matrix_uniqueness.certified_uniqueness_check(critical_value_exact)(QUICK)
    assert r.verdict is Verdict.INCONCLUSIVE and r.instances == 0, r.summary


def test_scalar_minimizer_near_the_depth2_fold_is_undecided_quickly_and_either_side_is_decided():
    # L = 2: ρ² = |m| − b/a; at b = a|m|(1 − 2^-400) the radius is below what 200-bit balls resolve (the search
    # stops at the first undecided box instead of splitting the undecidable region into 20000 boxes); at b = 1/2
    # the root is ρ = 1, a dyadic point
    with workprec(200):
        m_, a_ = to_arb(Fraction(3, 2)), to_arb(1)
        assert certify_scalar_minimizer(2, m_, a_, to_arb(Fraction(3, 2) * (1 - Fraction(1, 2**400))), 200).kind \
            == "undecided"
        assert certify_scalar_minimizer(2, m_, a_, to_arb(Fraction(1, 2)), 200).kind == "nonzero"
        assert certify_scalar_minimizer(2, m_, a_, to_arb(Fraction(2)), 200).kind == "zero"


def test_exact_tie_is_not_proved_below_depth_3():
    assert not prove_tie(2, sp.Integer(1), sp.Integer(1), sp.Integer(2), sp.Integer(1)).proved


def test_a_claimed_threshold_or_sigma_with_no_real_value_is_refuted_not_left_undecided(monkeypatch):
    from verify.claims import matrix_uniqueness
    from verify.landscape.reduction import critical_value_exact
    from verify.symbolic.scalar import mabs

    no_real = sp.sqrt(mabs - 10**7) * tau()  # a square root of a negative number for every target drawn (|m| ≤ 10^3)
    r = threshold_check("A1", no_real, lambda ctx: [3], True, 3)(QUICK)
    assert r.verdict is Verdict.REFUTED and "no real value" in r.summary, r.summary
    r = uniqueness_check("A1", no_real, lambda ctx: [3], True, lambda depth: True)(QUICK)
    assert r.verdict is Verdict.REFUTED and "no real value" in r.summary, r.summary
    r = matrix_uniqueness.certified_uniqueness_check(
        lambda L_, a_, b_: sp.sqrt(-critical_value_exact(L_, a_, b_)))(QUICK)  # SymPy: I·√σ_c
    assert r.verdict is Verdict.REFUTED and "no real value" in r.summary, r.summary


def test_every_depth_proof_rests_on_the_symbolic_L_elimination_it_prints(monkeypatch):
    from verify.claims import threshold as threshold_claims
    from verify.claims.threshold import threshold_claim

    claim = threshold_claim("t.th", "s", "test", tau(), convention="A1")
    general = next(c for c in claim.checks if c.name == "derived threshold equals the claim for every depth")
    r = general.execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.proved_for.startswith("every integer L ≥ 3"), r.summary
    phi, b_rho, tie, x, b_star = threshold_claims._symbolic_L_elimination()
    # an elimination that gave another b*(L) (here 2·b*) no longer supports the printed proof; the per-process
    # memo of the derivation is cleared so that it is derived again from the patched elimination, then again
    # afterwards so that no later test sees the wrong one
    caches = (threshold_claims._log_ratio_at, threshold_claims._elimination_zero)
    monkeypatch.setattr(threshold_claims, "_symbolic_L_elimination", lambda: (phi, b_rho, tie, x, 2 * b_star))
    try:
        for cache in caches:
            cache.cache_clear()
        r = general.execute(QUICK)
        assert r.verdict is Verdict.INCONCLUSIVE and r.proved_for is None, r.summary
    finally:
        for cache in caches:
            cache.cache_clear()


def test_threshold_with_a_dyadic_tie_radius_is_certified():
    # L = 3, |m| = 2 under A1 (a = 2, b = 2λ/3): ρ*^3 = |m|(L − 2)/(L − 1) = 1, so ρ* = 1 is the midpoint of the root
    # domain [0, 2]; b* = a(|m| − 1)·1 = 2 and λ* = 3 (by hand, §K1). Bisection at midpoints left ρ* on a box edge.
    for target in ("2", "-2"):
        assert cert_threshold.certify_threshold("A1", 3, target, 50).contains("3")
