"""Strength audit (issue 11): every verified check says how strong it is, and a claim's headline is never
stronger than the sampling it rests on.

Expected strengths come from the audit (/tmp/team3/docs-D.md's table, the README's strength section): they are
read from what each check computes (exact polynomial identity in free symbols, exact values at stated instances,
digits, float64), not from a run of the code under test. Each test runs single checks or cheap claims at the
quick profile.
"""
from __future__ import annotations

from functools import lru_cache

import pytest
import sympy as sp

import proofs
from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile, run_claim
from verify.claims.base import Strength
from verify.claims.scope import depth_text

QUICK = RunContext(seed=0, profile=get_profile("quick"))


@lru_cache(maxsize=None)
def _catalogue() -> dict[str, Claim]:
    return {c.id: c for c in proofs.catalogue()}


def _check(claim_id: str, name: str) -> Check:
    return next(c for c in _catalogue()[claim_id].checks if c.name == name)


def _fixed(verdict: Verdict, **kw):
    return lambda ctx: CheckResult(verdict, "fixed", instances=1, **kw)


# -- the rules of base.py, as the audit relies on them ------------------------------------------------


def test_a_numeric_check_claiming_proved_is_capped_to_sampled():
    r = Check("float", Tier.NUMERIC, _fixed(Verdict.VERIFIED, strength=Strength.PROVED,
                                             proved_for="every L")).execute(QUICK)
    assert r.strength is Strength.SAMPLED


def test_a_symbolic_check_claiming_proved_without_a_range_is_certified():
    r = Check("exact", Tier.SYMBOLIC, _fixed(Verdict.VERIFIED, strength=Strength.PROVED)).execute(QUICK)
    assert r.strength is Strength.CERTIFIED
    r = Check("exact", Tier.SYMBOLIC, _fixed(Verdict.VERIFIED, proved_for="every L ≥ 3")).execute(QUICK)
    assert r.strength is Strength.PROVED


def test_a_claim_resting_on_sampling_alone_is_sampled_and_a_proof_beside_sampling_does_not_lift_it():
    only_sampled = Claim("strength.sampled", "s", "t", (
        Check("float a", Tier.NUMERIC, _fixed(Verdict.VERIFIED)),
        Check("float b", Tier.NUMERIC, _fixed(Verdict.VERIFIED, strength=Strength.CERTIFIED))))
    assert run_claim(only_sampled, QUICK).strength is Strength.SAMPLED
    mixed = Claim("strength.mixed", "s", "t", (
        Check("exact", Tier.SYMBOLIC, _fixed(Verdict.VERIFIED, proved_for="every L")),
        Check("float", Tier.NUMERIC, _fixed(Verdict.VERIFIED))))
    assert run_claim(mixed, QUICK).strength is Strength.SAMPLED


# -- catalogue claims: per-check strengths and headlines ----------------------------------------------


def test_layer_norms_symbolic_is_proved_for_its_depths_with_a_readable_derivation():
    r = _check("kp.layer_norms", "exact identity from scalar stationarity").execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.PROVED
    assert "every singular value s > 0" in r.proved_for
    # proved at the depths it was simplified at (a Python function of L), or at every depth (a formula in L)
    assert depth_text(list(QUICK.profile.depths)) in r.proved_for or "every depth L ≥ 1" in r.proved_for
    assert 2 <= len(r.derivation) <= 6
    assert all(s["say"] and s["plain"] for s in r.derivation)
    assert any(s["mathml"].startswith("<") for s in r.derivation)  # SymPy steps come with MathML


def test_layer_norms_exponent_given_per_depth_is_proved_only_at_the_checked_depths():
    from verify.claims.matrix_kinds import matrix_layer_norms_claim
    from verify.symbolic.scalar import L_sym

    general = matrix_layer_norms_claim("u.ln", "s", "t", exponent=2 / L_sym).checks[0].execute(QUICK)
    assert general.strength is Strength.PROVED and "every depth L ≥ 1" in general.proved_for

    per_depth = matrix_layer_norms_claim("u.ln", "s", "t", exponent=lambda L: sp.Rational(2, L))
    r = per_depth.checks[0].execute(QUICK)
    assert r.strength is Strength.PROVED and depth_text(list(QUICK.profile.depths)) in r.proved_for
    assert "every depth" not in r.proved_for
    wrong = matrix_layer_norms_claim("u.ln", "s", "t", exponent=2 / (L_sym + 1)).checks[0].execute(QUICK)
    assert wrong.verdict is Verdict.REFUTED and wrong.strength is None and wrong.proved_for is None


def test_layer_norms_headline_is_sampled_because_minimizers_are_found_by_descent():
    result = run_claim(_catalogue()["kp.layer_norms"], QUICK)
    assert result.verdict is Verdict.VERIFIED
    assert [c.strength for c in result.checks] == [Strength.PROVED, Strength.AGREEMENT, Strength.SAMPLED]
    assert result.strength is Strength.SAMPLED and result.to_json()["strength"] == "sampled"


P, C, A, S = Strength.PROVED, Strength.CERTIFIED, Strength.AGREEMENT, Strength.SAMPLED
#: the audit's per-check strengths at the quick profile (declaration order), and why
AUDITED = {
    # flow identity and balance identity: one polynomial identity in free symbols per shape; the rest float64
    "kp.balancedness": [P, P, S, S, S, S],
    # exact rank over Q(σ) at stated sizes (generic σ: certified, not proved); 50-digit null spaces; float64
    "li.null_space": [C, A, S],
}
SLOW_AUDITED = {
    "kp.hessian_trace": [P, P, S, S, S, S],
    "kp.figures": [S, S, S],
    "kp.sharpness.matrix": [C, A, C, S, C, A, S],
    "kp.weights.balancedness": [P, A, S],
    "kp.weights.classification": [C, A, S],
    "li.symmetry": [P, A, S],
    "li.sensing": [P, P, S, S, S, S, S, S, A, A, A],
    "li.deep_linear": [P, C, C, A, A, S, S, S],
    "li.convergence": [C, A, S],
}


def _assert_audited(claim_id: str, expected: list[Strength]) -> None:
    result = run_claim(_catalogue()[claim_id], QUICK)
    assert result.verdict is Verdict.VERIFIED, claim_id
    assert [c.strength for c in result.checks] == expected, claim_id
    assert result.strength is Strength.SAMPLED  # every one rests on some float64 sampling no stronger check covers


@pytest.mark.parametrize("claim_id", sorted(AUDITED))
def test_audited_strengths(claim_id):
    _assert_audited(claim_id, AUDITED[claim_id])


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", sorted(SLOW_AUDITED))
def test_audited_strengths_more_claims(claim_id):
    _assert_audited(claim_id, SLOW_AUDITED[claim_id])


def test_exact_values_at_stated_instances_are_certified_not_proved():
    r = _check("li.null_space", "exact nullity over Q(σ), tangent in kernel").execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.CERTIFIED and r.proved_for is None


def test_a_float_comparison_in_the_symbolic_tier_is_sampled():
    """li.sensing's derivatives-vs-sympy evaluates the hand formulas in float64 at one point."""
    r = _check("li.sensing", "derivatives-vs-sympy").execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.SAMPLED
    assert "float64" in r.scope


def test_figure_2_rests_on_a_float64_order_so_it_is_sampled_and_every_figure_has_a_caption(tmp_path):
    ctx = RunContext(seed=0, profile=get_profile("quick"), out_dir=tmp_path)
    for name in ("figure 1", "figure 2"):
        r = _check("kp.figures", name).execute(ctx)
        assert r.verdict is Verdict.VERIFIED and r.strength is Strength.SAMPLED
        assert r.figures and set(r.captions) == set(r.figures)
        assert all(len(c) > 40 for c in r.captions.values())


def test_catalogue_claims_declare_no_corroborating_checks_in_slice_d():
    """None of these claims has a cross-check that a stronger check of the same claim fully covers (the float64
    checks sample other targets, shapes or depths), so none is marked corroborating."""
    ids = ("kp.balancedness", "kp.layer_norms", "kp.hessian_trace", "kp.collapse", "kp.figures",
           "kp.sharpness.matrix", "kp.uniqueness.width", "kp.weights.balancedness", "kp.weights.classification",
           "li.symmetry", "li.stationary_points", "li.strict_saddles", "li.null_space", "li.sensing",
           "li.invariance.real-phase", "li.deep_linear", "li.convergence")
    for i in ids:
        assert not any(c.corroborates for c in _catalogue()[i].checks), i


def test_a_perturbed_flow_rate_is_refuted_with_no_strength_and_no_proof_shown():
    from verify.claims.matrix_kinds import matrix_balancedness_claim

    claim = matrix_balancedness_claim("u.bal", "s", "t", rate=3)
    r = claim.checks[0].execute(QUICK)
    assert r.verdict is Verdict.REFUTED and r.strength is None and r.proved_for is None and not r.derivation
    good = matrix_balancedness_claim("u.bal", "s", "t").checks[0].execute(QUICK)
    assert good.strength is Strength.PROVED and "(2, 2, 2)" in good.proved_for


# -- user-problem kinds --------------------------------------------------------------------------------


def test_minimizer_claim_headline_is_certified_by_the_exact_decision():
    from verify.claims.minimizer import minimizer_claim

    ok = run_claim(minimizer_claim("u.min", "s", "t", 3, 3, 100, "zero"), QUICK)
    assert ok.verdict is Verdict.VERIFIED
    assert [c.corroborates for c in ok.checks] == [False, True, True]
    # the mpmath route reports no digits (a decision stable between two precisions), so it reads as sampled;
    # corroborating, it does not lower the headline that the exact comparison sets
    assert [c.strength for c in ok.checks] == [Strength.CERTIFIED, Strength.SAMPLED, Strength.SAMPLED]
    assert ok.strength is Strength.CERTIFIED
    wrong = run_claim(minimizer_claim("u.min", "s", "t", 3, 3, 100, "nonzero"), QUICK)
    assert wrong.verdict is Verdict.REFUTED and wrong.checks[0].verdict is Verdict.REFUTED and wrong.strength is None


def test_problem_minimizer_without_a_closed_form_threshold_is_agreement_not_certified():
    """(p − m)²/2 + lam·(w² + |w|) at L = 3 has no closed-form λ*: the symbolic tier compares λ with λ* known to
    the working digits. λ = 1/100 is far below λ* (a small penalty keeps the nonzero minimizer)."""
    from verify.claims.problem_minimizer import problem_minimizer_claim
    from verify.problems import parse_problem

    problem = parse_problem("(p - m)**2/2", "lam*(w**2 + abs(w))")
    claim = problem_minimizer_claim("u.pmin", "s", "t", problem, 3, sp.Rational(7, 3), sp.Rational(1, 100), "nonzero")
    r = claim.checks[0].execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.strength is Strength.AGREEMENT and r.digits is not None
    wrong = problem_minimizer_claim("u.pmin", "s", "t", problem, 3, sp.Rational(7, 3), sp.Rational(1, 100), "zero")
    assert wrong.checks[0].execute(QUICK).verdict is Verdict.REFUTED


@pytest.mark.parametrize("formula, strength", [
    ("exact", Strength.PROVED),
    ("none", Strength.CERTIFIED),
])
def test_problem_threshold_symbolic_strength(formula, strength):
    """L1 penalty lam·|w| (closed form at L = 2, 3: λ* = m^((L−1)/L)·... derived by the suite, proved in symbolic
    |m|): proved for every target at the depths; "never collapses" at L = 1 (A1 as a user problem): certified."""
    from verify.claims.problem_threshold import problem_threshold_claim
    from verify.problems import parse_problem

    if formula == "none":
        problem = parse_problem("(p - m)**2", "lam/L * w**2")
        claim = problem_threshold_claim("u.pt", "s", "t", problem, None, depths=(1,))
        r = claim.checks[0].execute(QUICK)
        assert r.verdict is Verdict.VERIFIED and r.strength is strength
        return
    # (p − m)²/2 + lam·|w| at L = 2: ρ² = |m|·2(2 − 1)/(2·2 − 1) = 2|m|/3, λ* = ρ(|m| − ρ²) = (2|m|/3)^(1/2)·|m|/3
    # (the hand formula of tests/test_problem_threshold_digits.py, k = 1)
    problem = parse_problem("(p - m)**2 / 2", "lam * abs(w)")
    X = sp.Symbol("m", positive=True)
    claim = problem_threshold_claim("u.pt", "s", "t", problem, sp.sqrt(2 * X / 3) * X / 3, depths=(2,))
    r = claim.checks[0].execute(QUICK)
    assert r.verdict is Verdict.VERIFIED and r.strength is strength
    assert "every target m" in r.proved_for and r.derivation
    wrong = problem_threshold_claim("u.pt", "s", "t", problem, sp.sqrt(2 * X / 3) * X / 4, depths=(2,))
    w = wrong.checks[0].execute(QUICK)
    assert w.verdict is Verdict.REFUTED and w.strength is None and w.proved_for is None
