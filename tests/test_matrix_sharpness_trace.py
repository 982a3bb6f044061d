"""kp.sharpness.matrix, both meanings of sharpness at the same minimizers (docs/mathematics.md §K8 item 5): λ_max ≤
trace ≤ n·λ_max with §K6's trace closed form, both gauge-invariant; verified at every tier, a wrong trace constant
and a claimed λ_max that breaks the bound refuted at every tier; expected values from outside the code under test."""
import numpy as np
import pytest
import sympy as sp

import proofs.kamber_parhi_2026.matrix as kp
from verify.claims import RunContext, Verdict, get_profile
from verify.claims.matrix_sharpness import matrix_sharpness_claim
from verify.errors import UsageError
from verify.landscape.deep_matrix import hessian

CTX = RunContext(seed=0, profile=get_profile("quick"))


def _only_trace(claim):
    results = [c.execute(CTX) for c in claim.checks if c.name.startswith("both meanings")]
    assert all(r.error is None for r in results), [r.error for r in results]
    return {str(r.tier): r for r in results}


def _trace_tiers(**kw):
    return _only_trace(matrix_sharpness_claim("t.sharp", "test", "test", **kw))


def test_catalogue_claim_has_the_trace_relation_at_every_tier_and_it_holds():
    claim = kp.sharpness_matrix_claim()
    assert "trace" in claim.statement
    tiers = _only_trace(claim)
    assert {t: c.verdict for t, c in tiers.items()} == {
        "symbolic": Verdict.VERIFIED, "high-precision": Verdict.VERIFIED, "numeric": Verdict.VERIFIED,
        "certified": Verdict.VERIFIED}
    assert all(c.scope and c.tolerance and c.instances for c in tiers.values())


@pytest.mark.parametrize("kw, message", [
    (dict(trace_constant=sp.Rational(101, 100)), "closed form"),      # a wrong K6 data-term constant
    (dict(trace_constant=sp.Rational(99, 100)), "closed form"),
    (dict(scale=sp.Rational(1, 1000)), "λ_max ≤ trace ≤ n·λ_max"),   # a claimed λ_max far below trace/n
])
def test_perturbed_claims_refuted_at_every_tier(kw, message):
    tiers = _trace_tiers(**kw)
    assert {t: c.verdict for t, c in tiers.items()} == {
        "symbolic": Verdict.REFUTED, "high-precision": Verdict.REFUTED, "numeric": Verdict.REFUTED,
        "certified": Verdict.REFUTED}, kw
    assert all(message in c.summary and c.counterexample for c in tiers.values()), [c.summary for c in tiers.values()]


def test_trace_constant_usage_error():
    with pytest.raises(UsageError):
        matrix_sharpness_claim("t", "s", "s", trace_constant=0)


def test_by_hand_l2_rank_one():
    # Outside the code under test: L = 2, widths 1 × 1 × 1, M = (σ), F = (a/2)(w2·w1 − σ)² + (b/2)(w1² + w2²).
    # Minimizer w1 = w2 = ρ with ρ² = σ − b/a; Hessian [[aρ² + b, 2aρ² − aσ], [2aρ² − aσ, aρ² + b]] =
    # [[aσ, aσ − 2b], [aσ − 2b, aσ]]: trace 2aσ, eigenvalues 2(aσ − b) and 2b; with a = 1, b = 1/2, σ = 3:
    # trace 6, λ_max = 5, n = 2: 5 ≤ 6 ≤ 10.
    a, b, sigma = 1.0, 0.5, 3.0
    rho = np.sqrt(sigma - b / a)
    H = hessian([np.array([[rho]]), np.array([[rho]])], np.array([[sigma]]), a, b)
    assert np.isclose(np.trace(H), 6.0, rtol=1e-14) and np.isclose(np.linalg.eigvalsh(H)[-1], 5.0, rtol=1e-14)


def test_the_certified_tier_refuted_a_wrong_trace_constant_that_its_eigenvalue_check_cannot_see():
    """The certified eigenvalue check encloses λ_max only, so a wrong trace constant passes it; the certified trace
    check (the Hessian ball's diagonal against §K6's closed form) refutes it. Once, the certified tier had only the
    eigenvalue check and verified this wrong claim."""
    claim = kp.sharpness_matrix_claim(trace_constant="101/100")
    certified = {c.name: c.execute(CTX) for c in claim.checks if str(c.tier) == "certified"}
    assert {name.split(":")[0]: r.verdict for name, r in certified.items()} == {
        "certified enclosure of the largest eigenvalue at certified minimizers": Verdict.VERIFIED,
        "both meanings, certified": Verdict.REFUTED}


def test_a_claimed_lambda_max_above_the_trace_is_refuted_at_the_certified_tier():
    """scale = 100: the claimed λ_max exceeds the certified trace ball (λ_max ≤ trace fails for every point)."""
    (r,) = [c.execute(CTX) for c in kp.sharpness_matrix_claim(scale=100).checks
            if str(c.tier) == "certified" and c.name.startswith("both meanings")]
    assert r.verdict is Verdict.REFUTED and "λ_max ≤ trace ≤ n·λ_max fails" in r.summary


@pytest.mark.parametrize("constant", [sp.sqrt(2), sp.pi / 3])
def test_an_irrational_trace_constant_is_judged_at_every_tier_not_a_crash(constant):
    """An irrational constant is a wrong claim like any other: each tier encloses or evaluates it (the 50-digit and
    certified tiers once crashed converting it)."""
    tiers = _trace_tiers(trace_constant=constant)
    assert {t: c.verdict for t, c in tiers.items()} == dict.fromkeys(
        ("symbolic", "high-precision", "numeric", "certified"), Verdict.REFUTED)


def test_the_trace_closed_form_on_balls_holds_its_exact_value():
    """``trace_formula`` on python-flint balls (the certified route) contains the exact rational value of the same
    closed form on SymPy matrices, for rational layers and a rational constant."""
    import flint

    from verify.certified.arb import to_arb, workprec
    from verify.claims.matrix_trace_formula import trace_formula

    rng = np.random.default_rng(4)
    Ws = [sp.Matrix(rng.integers(-3, 4, (r, c))) / 7 for r, c in ((3, 2), (2, 3), (4, 2))]
    exact_value = trace_formula(Ws, sp.Rational(2, 3), sp.Rational(1, 5), sp.Rational(101, 100))
    with workprec(200):
        balls = [flint.arb_mat([[to_arb(x) for x in W.row(i)] for i in range(W.rows)]) for W in Ws]
        ball = trace_formula(balls, to_arb(sp.Rational(2, 3)), to_arb(sp.Rational(1, 5)), sp.Rational(101, 100))
        assert ball.contains(to_arb(exact_value)) and ball.rad() < 1e-50
