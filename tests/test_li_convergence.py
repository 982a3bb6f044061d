"""li.convergence (issue 12 item 1, docs/mathematics.md §L8): the default claim is verified at every tier, a wrong
iteration-bound constant and a wrong step-size rule are refuted at every tier, and the derivation's ingredients
agree with independent hand computations."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from proofs.li_2019.convergence import convergence_claim
from verify.claims import RunContext, Tier, Verdict
from verify.claims.context import PROFILES
from verify.errors import UsageError
from verify.kernels.symmetric import hessian_matrix, objective
from verify.landscape.convergence import descend, smoothness, sublevel_radius2

QUICK = RunContext(seed=0, profile=PROFILES["quick"])
TIERS = (Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC)


def _run(claim, tier):
    (check,) = [c for c in claim.checks if c.tier is tier]
    return check.execute(QUICK)


@pytest.fixture(scope="module")
def default_results():
    claim = convergence_claim()
    return {tier: _run(claim, tier) for tier in TIERS}


@pytest.mark.parametrize("tier", TIERS)
def test_default_claim_verified_with_scope(default_results, tier):
    res = default_results[tier]
    assert res.verdict is Verdict.VERIFIED, res.summary
    assert res.scope and res.tolerance and res.error is None


@pytest.mark.parametrize("tier", TIERS)
def test_too_small_iteration_bound_refuted(tier):
    """b = 1/5 claims the R2 phase 5× shorter than proved; the observed rate is ~4× the proved one, so 1/5 is false."""
    res = _run(convergence_claim(bound_factor="1/5"), tier)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.error is None


@pytest.mark.parametrize("tier", TIERS)
def test_step_rule_ignoring_the_sublevel_set_refuted(tier):
    """η = 1/(18cλ_1) forgets the initial sublevel set: from large starts it overshoots (descent lemma fails)."""
    res = _run(convergence_claim(step_rule="1/(18*c*lam1)"), tier)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.error is None


def test_smoothness_constant_by_hand():
    """n = r = 1, λ = 1, c = 1/4, x0 = 3: F0 = (9 − 1)²/4 = 16, F0/c = 64, B² = 1 + 8 = 9, L = 18·(1/4)·9 = 81/2."""
    c = sp.Rational(1, 4)
    assert sublevel_radius2(sp.Integer(1), sp.Integer(16), c, sp.sqrt) == 9
    assert smoothness(sp.Integer(1), sp.Integer(16), c, sp.sqrt) == sp.Rational(81, 2)


def test_smoothness_bounds_the_hessian_on_the_sublevel_set():
    """Independent route: the Hessian matrix (kernels) at random sublevel points and at points one step away has
    spectral norm ≤ L; and σ_1(X)² ≤ B² on the sublevel set."""
    rng = np.random.default_rng(7)
    c = 0.25
    for _ in range(40):
        n, r = int(rng.integers(2, 5)), int(rng.integers(1, 3))
        A = rng.standard_normal((n, n))
        M = A @ A.T / n
        X0 = rng.standard_normal((n, r)) * rng.choice([0.1, 1.0, 2.0])
        F0 = float(objective(X0, M, c))
        lam1 = float(np.linalg.eigvalsh(M)[-1])
        L = smoothness(lam1, F0, c, math.sqrt)
        for t in rng.random(5):
            X = t * X0  # on the segment from 0; keep the sublevel points only
            if objective(X, M, c) > F0:
                continue
            assert np.linalg.svd(X, compute_uv=False)[0] ** 2 <= sublevel_radius2(lam1, F0, c, math.sqrt) + 1e-12
            G = 4 * c * (X @ X.T - M) @ X
            Y = X - G / L  # one step of the default rule
            for Z in (X, Y):
                assert np.max(np.abs(np.linalg.eigvalsh(hessian_matrix(Z, M, c)))) <= L * (1 + 1e-12)


def test_lingering_slope_matches_the_saddle_eigenvalue(default_results):
    """Near the saddle √λ_2·u_2 (r = 1) the unstable Hessian eigenvalue is −4c(λ_1 − λ_2) (L3), so plain GD needs
    log(1/δ)/log(1 + 4cη(λ_1 − λ_2)) extra iterations per unit of log(1/δ): the fitted slope agrees to 2 %."""
    adv = default_results[Tier.NUMERIC].details["adversarial"]
    lam = adv["instance"]["lambda"]
    expected = 1 / math.log(1 + 4 * 0.25 * adv["eta"] * (lam[0] - lam[1]))
    assert adv["slope"] == pytest.approx(expected, rel=0.02)
    assert adv["on_manifold"]["final_set"] == (1,) and not adv["on_manifold"]["reached_eps"]
    assert adv["pgd"]["iterations"] is not None and adv["pgd"]["perturbations"] >= 1


def test_descend_stays_at_a_saddle_without_perturbation_and_escapes_with_it():
    """M = diag(1, 1/2), x0 = (0, 1/5): the line x_1 = 0 is invariant, plain GD converges to (0, √(1/2))."""
    M = np.diag([1.0, 0.5])
    x0 = np.array([[0.0], [0.2]])
    fstar = 0.25 * 0.5 ** 2  # c·λ_2²
    plain = descend(M, x0, 0.25, 0.2, 1e-10, fstar, 800)
    assert plain.iterations is None and abs(plain.final[1, 0] ** 2 - 0.5) < 1e-8 and plain.final[0, 0] == 0.0
    kicked = descend(M, x0, 0.25, 0.2, 1e-10, fstar, 3000, (1e-6, 1e-3, 50), np.random.default_rng(1))
    assert kicked.iterations is not None and abs(kicked.final[0, 0] ** 2 - 1.0) < 1e-4


def test_texts_filled_and_declaration_source_honest():
    claim = convergence_claim()
    assert claim.id == "li.convergence"
    assert "c = 1/4" in claim.statement and "1/(18*c*(lam1 + sqrt(F0/c)))" in claim.statement
    assert "stated in the abstract" in claim.source and "§L8" in claim.source
    assert not any(w in claim.source for w in ("Thm", "Lemma", "Corollary"))


@pytest.mark.parametrize("kwargs", [{"step_rule": "1/(18*c*lam2)"}, {"step_rule": "__import__('os')"},
                                    {"bound_factor": "0"}, {"c": "-1"}, {"step_rule": 0.1}])
def test_malformed_declarations_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        convergence_claim(**kwargs)


def test_unmeasured_lingering_slope_is_not_a_refutation(monkeypatch):
    """A slow (but admissible, η ≤ 1/L) step leaves the δ-runs short of ε within the cap: the slope is NaN, which
    is no evidence against the claim (before: refuted as 'lingering slope nan outside (0, ...]')."""
    import verify.claims.convergence_numeric as cn
    monkeypatch.setattr(cn, "ADV_MAX_ITER", 5)
    res = cn.numeric_check(QUICK, 0.25, lambda c, lam1, F0: 1 / (18 * c * (lam1 + math.sqrt(F0 / c))), 1.0,
                           figure=False)
    assert res.verdict is Verdict.INCONCLUSIVE, res.summary
    assert "no lingering slope" in res.summary or "gap > ε" in res.summary
