"""Certified tier of the scalar spectrum (§K4) and sharpness (§P3) claims: Arb enclosures at certified minimizers.

Expected values come from outside the code under test: eigenvalues of matrices built with known spectra (rational
orthogonal conjugation), and an independent 60-digit mpmath route (mpmath polyroots for ρ, the hand-derived Hessian
of ``verify.highprec.scalar`` and mpmath's eigsy) for the Hessians at minimizers.
"""
from __future__ import annotations

import flint
import mpmath
import pytest
import sympy as sp

from verify.certified.spectrum import (
    certify_scalar_minimizer, clusters, hessian_ball, judge_largest, judge_spectrum, symmetric_eigen_enclosures,
    to_arb, workprec,
)
from verify.claims import PROFILES, RunContext, Strength, Tier, Verdict
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.sharpness import sharpness_claim
from verify.highprec import scalar as hp
from verify.problems.scalar import convention_problem
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

PREC = 300
QUICK = RunContext(profile=PROFILES["quick"])
TINY = sp.Rational(1, 10**45)  # beyond what the 50-digit tier resolves (it asks for 45 digits)

NONZERO = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)]
AT_ZERO = [(b, sp.Piecewise((L, L >= 3), (0, True))),
           (b - a * mabs, sp.Piecewise((1, sp.Eq(L, 2)), (0, True))),
           (b + a * mabs, sp.Piecewise((1, sp.Eq(L, 2)), (0, True))),
           (a + b, sp.Piecewise((1, sp.Eq(L, 1)), (0, True)))]
SHARPNESS = L * a * rho ** (2 * L - 2) - (L - 2) * b


def _cayley(n: int, seed: int) -> sp.Matrix:
    """An exactly orthogonal rational matrix (I − S)(I + S)^(-1), S skew with small rational entries."""
    S = sp.zeros(n, n)
    k = seed
    for i in range(n):
        for j in range(i + 1, n):
            k = (7 * k + 3) % 11
            S[i, j] = sp.Rational(k - 5, 7)
            S[j, i] = -S[i, j]
    return (sp.eye(n) - S) * (sp.eye(n) + S).inv()


def _arb_matrix(M: sp.Matrix) -> flint.arb_mat:
    n = M.rows
    out = flint.arb_mat(n, n)
    for i in range(n):
        for j in range(n):
            out[i, j] = to_arb(sp.Rational(M[i, j]))
    return out


@pytest.mark.parametrize("spectrum", [(3, 3, 3, -1, 5), (2, 2, 7), (1, 1, 1, 1), (sp.Rational(1, 3), 0, -4, 9, 9, 9)])
def test_enclosures_hold_known_spectra_with_exact_cluster_counts(spectrum):
    n = len(spectrum)
    Q = _cayley(n, n)
    A = Q * sp.diag(*spectrum) * Q.T
    with workprec(PREC):
        enc = symmetric_eigen_enclosures(_arb_matrix(A), PREC)
        exact = sorted(sp.Rational(x) for x in spectrum)
        assert all(e.contains(to_arb(x)) for e, x in zip(enc, exact))
        counts = sorted((sp.Rational(str(c.hull.mid().str(30, radius=False))), c.count) for c in clusters(enc))
        distinct = sorted(set(exact))
        assert [k for _, k in counts] == [exact.count(x) for x in distinct]
        assert max(float(e.rad()) for e in enc) < 1e-80


def _reference(L: int, m, a_, b_):
    """Independent 60-digit route: ρ₊ = the largest positive root of aρ^(2L−2) − a|m|ρ^(L−2) + b (mpmath polyroots),
    the hand-derived Hessian of verify.highprec.scalar, mpmath eigsy."""
    with mpmath.workdps(60):
        m_mp, a_mp, b_mp = (mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q for x in (m, a_, b_))
        coeffs = [0] * (2 * L - 1)
        coeffs[0] = a_mp
        coeffs[L] = -a_mp * abs(m_mp)
        coeffs[-1] = b_mp
        roots = mpmath.polyroots(coeffs, maxsteps=400, extraprec=400)
        real = [r.real for r in roots if abs(r.imag) < mpmath.mpf(10) ** -40 and r.real > 0]
        r = max(real)
        w = [r] * (L - 1) + [r * mpmath.sign(m_mp)]
        E = mpmath.eigsy(hp.hessian(w, m_mp, a_mp, b_mp), eigvals_only=True)
        return r, sorted(E[i] for i in range(L))


@pytest.mark.parametrize("L,m,lam", [(3, sp.Rational(3, 2), sp.Rational(1, 4)), (5, sp.Rational(-7, 3), sp.Rational(1, 3)),
                                     (8, sp.Rational(2), sp.Rational(1, 10))])
def test_minimizer_and_spectrum_enclosures_contain_the_60_digit_reference(L, m, lam):
    a_, b_ = sp.Integer(2), 2 * lam / L  # A1
    r_ref, eig_ref = _reference(L, m, a_, b_)
    with workprec(PREC):
        mz = certify_scalar_minimizer(L, to_arb(abs(m)), to_arb(a_), to_arb(b_), PREC)
        assert mz.kind == "nonzero"
        assert mz.rho.overlaps(flint.arb(to_arb(r_ref).mid(), to_arb(r_ref * mpmath.mpf(10) ** -55).abs_upper()))
        w = [mz.rho] * (L - 1) + [mz.rho * (1 if m > 0 else -1)]
        enc = symmetric_eigen_enclosures(hessian_ball(w, to_arb(m), to_arb(a_), to_arb(b_)), PREC)
        for e, ref in zip(enc, eig_ref):
            assert e.overlaps(flint.arb(to_arb(ref).mid(), to_arb(abs(ref) * mpmath.mpf(10) ** -55).abs_upper()))
        assert [c.count for c in clusters(enc)] == [L - 1, 1]


def test_judges_refute_only_when_balls_separate_and_stay_undecided_when_wide():
    with workprec(PREC):
        enc = [to_arb(2), to_arb(2), to_arb(5)]
        assert judge_spectrum([(to_arb(2), 2), (to_arb(5), 1)], enc, 1e-50).outcome == "match"
        off = to_arb(2) * (1 + to_arb(TINY))
        assert judge_spectrum([(off, 2), (to_arb(5), 1)], enc, 1e-50).outcome == "differs"
        assert judge_spectrum([(to_arb(2), 1), (to_arb(5), 2)], enc, 1e-50).outcome == "differs"
        assert judge_largest(off, [to_arb(1), to_arb(2)], 1e-50).outcome == "differs"
    with workprec(53):  # the same wrong claim with 53-bit balls: nothing is decided, never verified
        wide = [flint.arb(2, 1e-15), flint.arb(2, 1e-15), flint.arb(5, 1e-15)]
        off = flint.arb(2) * (1 + flint.arb(1e-45))
        assert judge_spectrum([(off, 2), (flint.arb(5), 1)], wide, 1e-50).outcome == "undecided"
        assert judge_largest(flint.arb(2), wide[:2], 1e-50).outcome == "undecided"


def _run(claim, tier: Tier, ctx: RunContext = QUICK):
    check = next(c for c in claim.checks if c.tier is tier)
    return check.execute(ctx)


def _spectrum_claim(nonzero=NONZERO, at_zero=AT_ZERO, depths=(3, 5)):
    return scalar_spectrum_claim("t.spectrum", "s", "test", nonzero=nonzero, at_zero=at_zero, convention="A1",
                                 depths=depths)


def test_certified_spectrum_verifies_the_derived_spectrum_with_certified_strength():
    r = _run(_spectrum_claim(), Tier.CERTIFIED)
    assert r.verdict is Verdict.VERIFIED, r.summary
    assert r.strength is Strength.CERTIFIED and r.instances and r.digits > 60


def test_certified_tier_refutes_an_eigenvalue_off_by_1e45_that_50_digits_accept():
    wrong = [(2 * b * (1 + TINY), L - 1), NONZERO[1]]
    claim = _spectrum_claim(nonzero=wrong, depths=(3,))
    certified = _run(claim, Tier.CERTIFIED)
    assert certified.verdict is Verdict.REFUTED, certified.summary
    assert "no eigenvalue enclosure" in certified.summary
    assert _run(claim, Tier.HIGH_PRECISION).verdict is not Verdict.REFUTED  # 45 digits asked: 1e-45 passes


@pytest.mark.parametrize("nonzero,at_zero,why", [
    ([(2 * b, L - 2), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 2)], AT_ZERO, "holds exactly"),  # multiplicity
    (NONZERO, [(2 * b, L)], "no eigenvalue enclosure"),  # regime: the nonzero spectrum's 2b claimed at 0
    ([(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (3 - L) * b, 1)], AT_ZERO, "no eigenvalue enclosure"),  # constant
])
def test_certified_spectrum_refutes_wrong_multiplicity_regime_and_constant(nonzero, at_zero, why):
    r = _run(_spectrum_claim(nonzero=nonzero, at_zero=at_zero, depths=(3,)), Tier.CERTIFIED)
    assert r.verdict is Verdict.REFUTED, r.summary
    assert why in r.summary and r.counterexample["eigenvalue_enclosures"]


def _sharpness(formula, depths=(3, 4), min_depth=3):
    return sharpness_claim("t.sharp", "s", "test", convention_problem("A1"), formula, depths=depths,
                           min_depth=min_depth)


def test_certified_sharpness_verifies_and_refutes_beyond_50_digits():
    assert _run(_sharpness(SHARPNESS), Tier.CERTIFIED).verdict is Verdict.VERIFIED
    off = _run(_sharpness(SHARPNESS * (1 + TINY), depths=(4,)), Tier.CERTIFIED)
    assert off.verdict is Verdict.REFUTED and "largest eigenvalue lies in" in off.summary
    regime = _run(_sharpness(2 * b, depths=(4,)), Tier.CERTIFIED)  # the other eigenvalue, not the largest
    assert regime.verdict is Verdict.REFUTED


def test_a_formula_the_balls_cannot_enclose_is_inconclusive_not_verified():
    same = SHARPNESS + sp.gamma(rho + 1) - rho * sp.gamma(rho)  # equal to the claim, but Γ is not enclosed here
    r = _run(_sharpness(same, depths=(3,)), Tier.CERTIFIED)
    assert r.verdict is Verdict.INCONCLUSIVE and "cannot enclose" in r.summary


def test_catalogue_claims_carry_a_certified_check_and_corroborating_float64():
    from proofs.kamber_parhi_2026.scalar import claims

    by_id = {c.id: c for c in claims()}
    for cid in ("kp.hessian_spectrum", "kp.sharpness"):
        tiers = {c.tier: c for c in by_id[cid].checks}
        assert Tier.CERTIFIED in tiers
        assert tiers[Tier.NUMERIC].corroborates and not tiers[Tier.HIGH_PRECISION].corroborates


def test_a_claim_with_no_real_value_at_a_certified_minimizer_is_refuted():
    r = _run(_sharpness(sp.sqrt(rho - 100), depths=(3,)), Tier.CERTIFIED)
    assert r.verdict is Verdict.REFUTED and "no real value" in r.summary


def test_the_depth3_formula_is_refuted_at_depth2_near_the_collapse_where_2b_is_the_largest():
    # L = 2, A1: the eigenvalues are 2b and 2aρ² = 2(a|m| − b); near the collapse b → a|m| the larger is 2b
    r = _run(_sharpness(SHARPNESS, depths=(2,), min_depth=1), Tier.CERTIFIED)
    assert r.verdict is Verdict.REFUTED, r.summary
    assert r.counterexample["depth"] == 2


def test_strength_marking_of_the_symbolic_sharpness_checks():
    from verify.claims.sharpness_common import LAM
    from verify.problems import parse_problem

    conv = _run(_sharpness(SHARPNESS, depths=(3, 4)), Tier.SYMBOLIC)
    assert conv.strength is Strength.PROVED and "L ∈ {3, 4}" in conv.proved_for and conv.derivation
    # a user problem's interval end u* is located numerically (agreement to 25 digits): never shown as proved
    l1 = parse_problem("(p - m)**2 / 2", "lam * abs(w)")
    claim = sharpness_claim("t.l1", "s", "test", l1, L * rho ** (2 * L - 2) - (L - 1) * LAM / rho, depths=(3,))
    r = _run(claim, Tier.SYMBOLIC)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.AGREEMENT and r.proved_for is None


def test_the_symbolic_spectrum_check_is_a_proof_for_its_listed_depths_only():
    r = _run(_spectrum_claim(depths=(3, 4)), Tier.SYMBOLIC)
    assert r.strength is Strength.PROVED and "L ∈ {3, 4}" in r.proved_for and "no other L" in r.proved_for


def test_trigonometric_formulas_are_enclosed() -> None:
    same = SHARPNESS + sp.sin(rho) ** 2 + sp.cos(rho) ** 2 - 1  # equal to the claim: Arb encloses sin and cos
    assert _run(_sharpness(same, depths=(3,)), Tier.CERTIFIED).verdict is Verdict.VERIFIED
    off = SHARPNESS + sp.sin(rho) ** 2 + sp.cos(rho) ** 2 - sp.Rational(999, 1000)
    assert _run(_sharpness(off, depths=(3,)), Tier.CERTIFIED).verdict is Verdict.REFUTED
