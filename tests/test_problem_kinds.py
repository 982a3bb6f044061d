"""Scalar claim kinds for user problems: threshold, minimizer and sharpness on a problem given by its formulas.

Expected closed forms come from outside the code under test: for loss (p − m)²/2 and penalty λ|w| the
threshold λ* = X^((L−1)/L)(|m| − X), X = |m|(2L−2)/(2L−1) is the integrator's hand derivation (INTERFACES.md);
the sharpness of that problem is derived by hand below; A1's threshold is the paper's printed τ.
"""
import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.claims.problem_minimizer import problem_minimizer_claim
from verify.claims.problem_threshold import problem_threshold_claim
from verify.claims.sharpness import sharpness_claim
from verify.errors import UsageError
from verify.problems.scalar import parse_problem
from verify.problems.symbols import DEPTH as L, LAM as lam, MABS as m, RHO as rho

CTX = RunContext(seed=0, profile=get_profile("quick"), dps=30)  # 30 digits keep the mpmath tiers quick
L1 = parse_problem("(p - m)**2/2", "lam*abs(w)")
X = m * (2 * L - 2) / (2 * L - 1)
L1_THRESHOLD = X ** ((L - 1) / L) * (m - X)
# Hand derivation: at w = ρ·s, ℓ' = ρ^L − m, ℓ'' = 1, penalty'' = 0 off 0, stationarity ℓ'ρ^L = −λρ, so
# H = D_s(α11ᵀ + βI)D_s with β = λ/ρ, α = ρ^(2L−2) − λ/ρ: eigenvalues λ/ρ (×(L−1)) and Lρ^(2L−2) − (L−1)λ/ρ;
# the latter is the larger iff ρ^L > |m|/2, true on the global minimizers (ρ^L ≥ X ≥ |m|/2 for L ≥ 2); L = 1: 1.
L1_SHARPNESS = L * rho ** (2 * L - 2) - (L - 1) * lam / rho


def _tiers(claim):
    r = run_claim(claim, CTX)
    return r, {str(c.tier): c.verdict for c in r.checks}


def _checks_only(claim):
    """The checks' verdicts without running the shrinker (which the shrink tests cover once per kind)."""
    results = [check.execute(CTX) for check in claim.checks]
    assert all(c.counterexample for c in results if c.verdict is Verdict.REFUTED)
    return {str(c.tier): c.verdict for c in results}


def _all(verdicts, v):
    return set(verdicts.values()) == {v}


def test_l1_threshold_verified():
    r, tiers = _tiers(problem_threshold_claim("t", "t", "t", L1, L1_THRESHOLD, depths=(1, 2)))
    assert _all(tiers, Verdict.VERIFIED), [(c.name, c.summary, c.error) for c in r.checks]
    assert all(c.scope for c in r.checks)


@pytest.mark.parametrize("formula", [
    L1_THRESHOLD * (1 + sp.Rational(1, 10**6)),   # constant off by 1e-6
    X ** ((L - 2) / L) * (m - X),                 # wrong exponent
])
def test_l1_threshold_perturbed_refuted(formula):
    assert _all(_checks_only(problem_threshold_claim("t", "t", "t", L1, formula, depths=(2, 3))), Verdict.REFUTED)


def test_l1_threshold_refutation_shrunk():
    r, tiers = _tiers(problem_threshold_claim("t", "t", "t", L1, X ** ((L - 2) / L) * (m - X), depths=(2, 3)))
    assert _all(tiers, Verdict.REFUTED)
    shrunk = r.minimal_counterexample
    assert shrunk["depth"] == 2 and shrunk["m"] in ("1", "-1") and "--loss" in shrunk["reproduce"]


def test_no_collapse_claims():
    a1 = parse_problem("(p - m)**2", "lam/L * w**2")  # A1 written as a user problem: L = 1 never collapses
    _, tiers = _tiers(problem_threshold_claim("t", "t", "t", a1, None, depths=(1,)))
    assert _all(tiers, Verdict.VERIFIED)
    _, tiers = _tiers(problem_threshold_claim("t", "t", "t", L1, None, depths=(2,)))
    assert _all(tiers, Verdict.REFUTED)


def test_a1_as_user_problem_matches_tau():
    a1 = parse_problem("(p - m)**2", "lam/L * w**2")
    _, tiers = _tiers(problem_threshold_claim("t", "t", "t", a1, tau(), depths=(3,)))
    assert _all(tiers, Verdict.VERIFIED)


def test_minimizer_kinds():
    # m = 3/2, L = 3: λ* = X^(2/3)(3/2 − X), X = 6/5, ≈ 0.339: λ = 1/4 has a nonzero minimizer
    _, tiers = _tiers(problem_minimizer_claim("x", "x", "x", L1, 3, "3/2", "1/4", "nonzero"))
    assert _all(tiers, Verdict.VERIFIED)
    r, tiers = _tiers(problem_minimizer_claim("x", "x", "x", L1, 3, "3/2", "1/4", "zero"))
    assert _all(tiers, Verdict.REFUTED) and all(c.counterexample["depth"] == 3 for c in r.checks)
    # L = 2, m = 3/2: X = 1, λ* = 1/2 exactly: a tie, which no tier may call "nonzero"
    _, tiers = _tiers(problem_minimizer_claim("x", "x", "x", L1, 2, "3/2", "1/2", "nonzero"))
    assert tiers["symbolic"] is Verdict.REFUTED
    assert tiers["high-precision"] is Verdict.INCONCLUSIVE and tiers["numeric"] is Verdict.INCONCLUSIVE


def test_usage_errors_at_build_time():
    with pytest.raises(UsageError, match="linear in lam"):
        problem_threshold_claim("t", "t", "t", parse_problem("(p - m)**2/2", "lam**2 * w**2"), m, depths=(2,))
    with pytest.raises(UsageError, match="cannot be reduced"):
        problem_threshold_claim("t", "t", "t", parse_problem("(p - m)**2/2", "lam * w**2 * (w**2 - 1)**2"), m,
                                depths=(2,))
    with pytest.raises(UsageError, match="expect"):
        problem_minimizer_claim("x", "x", "x", L1, 2, "1", "1", "tie")
    with pytest.raises(UsageError):
        problem_threshold_claim("t", "t", "t", L1, rho * m, depths=(2,))


def test_l1_sharpness_verified():
    r, tiers = _tiers(sharpness_claim("s", "s", "s", L1, L1_SHARPNESS, depths=(1, 2)))
    assert _all(tiers, Verdict.VERIFIED), [(c.name, c.summary, c.error) for c in r.checks]


@pytest.mark.parametrize("formula", [
    L * rho ** (2 * L - 2) - L * lam / rho,          # wrong constant
    L * rho ** (2 * L - 3) - (L - 1) * lam / rho,    # wrong exponent
    lam / rho,                                       # the smaller eigenvalue
])
def test_l1_sharpness_perturbed_refuted(formula):
    assert _all(_checks_only(sharpness_claim("s", "s", "s", L1, formula, depths=(2, 3))), Verdict.REFUTED)


def test_l1_sharpness_refutation_shrunk():
    r, _ = _tiers(sharpness_claim("s", "s", "s", L1, lam / rho, depths=(2, 3)))
    assert r.verdict is Verdict.REFUTED and r.minimal_counterexample["depth"] == 2


def test_a1_sharpness_by_the_general_route():
    # the convention route's closed form (§P3), written in λ, judged on A1 given as formulas (no convention tag)
    a1 = parse_problem("(p - m)**2", "lam/L * w**2")
    _, tiers = _tiers(sharpness_claim("s", "s", "s", a1, 2 * L * rho ** (2 * L - 2) - 2 * (L - 2) * lam / L,
                                      depths=(3,)))
    assert _all(tiers, Verdict.VERIFIED)


def test_threshold_without_closed_form_compared_to_digits():
    import mpmath

    from verify.claims.problem_threshold import _digits

    class Derived:  # a derived threshold known only numerically: λ*(|m|) = √|m|
        def value(self, mabs, digits):
            return mpmath.sqrt(mpmath.mpf(mabs.p) / mabs.q)

    assert _digits(Derived(), sp.sqrt(m), 50)[0] == "equal"
    assert _digits(Derived(), sp.sqrt(m) * (1 + sp.Rational(1, 10**30)), 50)[0] == "undecided"
    assert _digits(Derived(), 2 * sp.sqrt(m), 50)[0] == "differs"
