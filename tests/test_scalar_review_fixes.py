"""Scalar claim kinds: regressions for a review of issue 9 (each test failed or hung before the fix).

1. a spectrum claim over every L that is wrong from L = 7 on was verified (no sentinel depths);
2. formulas such as tau + sin(exp(exp(exp(m)))) and a minimizer at depth 64, m = 1e4000 ran for minutes;
3. the minimizer float64 tier verified a false claim at L = 2 where ρ² = |m| − b/a underflows;
4. min_depth was not validated and a constant general-L ratio 1/2 was not refuted;
5. inexact numbers and repeated depths were accepted; equal-looking evidence hid a 1e-40 difference.

Expected values come from outside the code under test: at L = 2 under A1 the threshold is λ* = 2|m| (the
reviewer's instance m = 1, λ = 2 is the tie), and the spectrum below is the one stated for K4 in
``docs/mathematics.md §K4`` (2b with multiplicity L − 1, L·a·ρ^(2L−2) + (2 − L)·b once).
"""
import subprocess
import sys
import textwrap
import time

import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import RunContext, Tier, Verdict, get_profile, run_claim
from verify.claims.minimizer import minimizer_claim
from verify.claims.scalar_common import ClaimUndecided, claimed_values
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.scalar_uniqueness import scalar_uniqueness_claim
from verify.claims.threshold import threshold_claim
from verify.errors import UsageError
from verify.expressions import MAX_EXP_NESTING, parse_expression
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

QUICK = RunContext(seed=0, profile=get_profile("quick"))
STANDARD_DPS = RunContext(seed=0, profile=get_profile("quick"), dps=50)
GOOD_NONZERO = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)]
GOOD_ZERO = [(b, L * sp.Max(0, sp.Min(1, L - 2))), (b + a * mabs, sp.Max(0, 1 - abs(L - 2))),
             (b - a * mabs, sp.Max(0, 1 - abs(L - 2))), (a + b, sp.Max(0, 1 - abs(L - 1)))]


def _tier(result, tier):
    found = [c for c in result.checks if c.tier is tier]
    return found


# 1. spectrum over every L: sentinel depths at the high-precision tier ---------------------------------------

def test_spectrum_wrong_from_depth_7_is_refuted_at_quick_by_a_sentinel_depth():
    wrong = [(2 * b + sp.Max(0, L - 6) * b, L - 1), GOOD_NONZERO[1]]
    r = run_claim(scalar_spectrum_claim("s", "for every depth L", "test", wrong, GOOD_ZERO), QUICK)
    assert r.verdict is Verdict.REFUTED
    (hp,) = _tier(r, Tier.HIGH_PRECISION)
    assert hp.verdict is Verdict.REFUTED and hp.counterexample["depth"] >= 7
    assert "sentinel" in hp.scope and "64" in hp.scope


def test_true_spectrum_over_every_depth_stays_verified_with_sentinels():
    r = run_claim(scalar_spectrum_claim("s", "for every depth L", "test", GOOD_NONZERO, GOOD_ZERO), QUICK)
    (hp,) = _tier(r, Tier.HIGH_PRECISION)
    assert hp.verdict is Verdict.VERIFIED and "sentinel" in hp.scope


def test_spectrum_at_zero_wrong_from_depth_7_is_refuted_by_a_sentinel_depth():
    wrong_zero = [(b + sp.Max(0, L - 6) * a, L * sp.Max(0, sp.Min(1, L - 2)))] + GOOD_ZERO[1:]
    r = run_claim(scalar_spectrum_claim("s", "for every depth L", "test", GOOD_NONZERO, wrong_zero), QUICK)
    (hp,) = _tier(r, Tier.HIGH_PRECISION)
    assert hp.verdict is Verdict.REFUTED and hp.counterexample["depth"] >= 7


# 2. runaway work: nested exponentials rejected, evaluation under a time budget ------------------------------

NESTED = ["tau + sin(exp(exp(exp(m))))", "tau*(1 + 10**-300*sin(exp(exp(exp(m)))))", "tau + exp(exp(exp(exp(L))))",
          "exp(exp(m))", "exp(2**m)", "cosh(m)"]


@pytest.mark.parametrize("text", NESTED[:5])
def test_nested_exponentials_are_a_one_line_usage_error(text):
    names = {"m": mabs, "L": L, "tau": tau()}
    start = time.perf_counter()
    with pytest.raises(UsageError, match=f"nests exponentials .* limit {MAX_EXP_NESTING}"):
        parse_expression(text, names)
    assert time.perf_counter() - start < 5


@pytest.mark.parametrize("text", ["exp(m)", "log(m)", "sqrt(m)", "tau*exp(-m)", "sin(exp(m))", "m**((L-2)/L)",
                                  "log(exp(m) + 1)"])
def test_single_exponentials_logs_and_roots_stay_usable(text):
    parse_expression(text, {"m": mabs, "L": L, "tau": tau()})


@pytest.mark.parametrize("formula", [tau() + sp.sin(sp.exp(sp.exp(sp.exp(mabs)))),
                                     tau() * (1 + sp.Rational(1, 10**300) * sp.sin(sp.exp(sp.exp(sp.exp(mabs))))),
                                     tau() + sp.exp(sp.exp(sp.exp(sp.exp(L))))])
def test_api_rejects_nested_exponentials_too(formula):
    with pytest.raises(UsageError, match="nests exponentials"):
        threshold_claim("t", "s", "test", formula, depths=[3])
    with pytest.raises(UsageError, match="nests exponentials"):
        scalar_uniqueness_claim("u", "s", "test", formula, depths=[3])


def test_claimed_value_beyond_the_evaluation_budget_is_undecided_in_seconds():
    start = time.perf_counter()
    with pytest.raises(ClaimUndecided):
        claimed_values(sp.sin(sp.exp(sp.exp(sp.exp(mabs)))), mabs, [sp.Integer(3)], 30)
    assert time.perf_counter() - start < 15
    # the same formula where it is cheap still evaluates (sin(e^(e^(e^(1/3)))), by mpmath independently)
    import mpmath
    with mpmath.workdps(40):
        expected = mpmath.sin(mpmath.exp(mpmath.exp(mpmath.exp(mpmath.mpf(1) / 3))))
        got = claimed_values(sp.sin(sp.exp(sp.exp(sp.exp(mabs)))), mabs, [sp.Rational(1, 3)], 30)[0]
        assert abs(got - expected) < mpmath.mpf(10) ** -28


@pytest.mark.parametrize("formula, certified", [
    (tau() + sp.sin(sp.exp(10**300 * mabs)), Verdict.INCONCLUSIVE),
    # Arb encloses sin(anything) in [−1, 1]: the claim is τ to 300 digits, which the certified tier shows at its
    # resolution of 10⁻⁷⁰ (certified agreement, not equality); evalf-based tiers stay undecided
    (tau() * (1 + sp.Rational(1, 10**300) * sp.sin(sp.exp(10**300 * mabs))), Verdict.VERIFIED)])
def test_unevaluable_claim_is_inconclusive_with_a_reason_in_seconds(formula, certified):
    start = time.perf_counter()
    r = run_claim(threshold_claim("t", "s", "test", formula, depths=[3]), QUICK)
    assert time.perf_counter() - start < 60
    for c in r.checks:
        if c.tier is Tier.CERTIFIED:
            assert c.verdict is certified and c.error is None, c.summary
        else:
            assert c.verdict is Verdict.INCONCLUSIVE and c.error is None and "undecided" in c.summary


def test_toml_nested_formula_is_exit_2_in_seconds(tmp_path):
    path = tmp_path / "hang.toml"
    path.write_text(textwrap.dedent('''
        [[claim]]
        id = "h.x"
        kind = "threshold"
        statement = "s"
        source = "t"
        formula = "tau + sin(exp(exp(exp(m))))"
        depths = [3]
    '''))
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "verify", "check", str(path), "--profile", "quick", "--out",
                        str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert time.perf_counter() - start < 60
    assert p.returncode == 2 and "nests exponentials" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_minimizer_at_depth_64_and_huge_target_finishes():
    start = time.perf_counter()
    r = run_claim(minimizer_claim("m", "s", "test", 64, "1e4000", "1", "nonzero"), QUICK)
    assert time.perf_counter() - start < 30
    (num,) = _tier(r, Tier.NUMERIC)
    assert num.verdict is Verdict.INCONCLUSIVE and "depth limit" in num.summary
    assert all(c.error is None for c in r.checks)
    # perturbed outcome: "zero" at λ = 1 ≪ λ* ≈ |m|^(2−2/L) is refuted by the exact and mpmath tiers
    start = time.perf_counter()
    r = run_claim(minimizer_claim("m", "s", "test", 64, "1e4000", "1", "zero"), QUICK)
    assert time.perf_counter() - start < 30
    tiers = {c.tier: c.verdict for c in r.checks}
    assert tiers[Tier.SYMBOLIC] is Verdict.REFUTED and tiers[Tier.HIGH_PRECISION] is Verdict.REFUTED


def test_minimizer_target_beyond_float_range_is_inconclusive_at_the_float_tier():
    r = run_claim(minimizer_claim("m", "s", "test", 3, "1e400", "1", "nonzero"), QUICK)
    (num,) = _tier(r, Tier.NUMERIC)
    assert num.verdict is Verdict.INCONCLUSIVE and "float64 range" in num.summary


# 3. L = 2 float64 tie band ---------------------------------------------------------------------------------

def test_minimizer_l2_just_below_threshold_is_not_verified_in_float64():
    lam = 2 - sp.Rational(1, 10**60)  # below λ* = 2|m|: the minimizer is nonzero (ρ² = 10^-60/2)
    r = run_claim(minimizer_claim("m", "s", "test", 2, 1, str(lam), "zero"), QUICK)
    tiers = {c.tier: c.verdict for c in r.checks}
    assert tiers[Tier.SYMBOLIC] is Verdict.REFUTED and tiers[Tier.HIGH_PRECISION] is Verdict.REFUTED
    assert tiers[Tier.NUMERIC] is Verdict.INCONCLUSIVE


@pytest.mark.parametrize("lam, expect", [("1.99", "zero"), ("2.01", "nonzero")])
def test_minimizer_l2_perturbed_claims_are_refuted_in_float64(lam, expect):
    r = run_claim(minimizer_claim("m", "s", "test", 2, 1, lam, expect), QUICK)
    (num,) = _tier(r, Tier.NUMERIC)
    assert num.verdict is Verdict.REFUTED


def test_threshold_l2_claim_off_by_the_test_offset_is_not_verified_in_float64():
    off = threshold_claim("t", "s", "test", 2 * mabs * (1 + sp.Rational(1, 10**8)), depths=[2])
    r = run_claim(off, QUICK)
    (num,) = _tier(r, Tier.NUMERIC)
    assert num.verdict is not Verdict.VERIFIED
    (hp,) = _tier(r, Tier.HIGH_PRECISION)
    assert hp.verdict is Verdict.REFUTED
    right = run_claim(threshold_claim("t", "s", "test", 2 * mabs, depths=[2]), QUICK)
    assert _tier(right, Tier.NUMERIC)[0].verdict is Verdict.VERIFIED
    wrong = run_claim(threshold_claim("t", "s", "test", 2 * mabs * (1 + sp.Rational(1, 10**6)), depths=[2]), QUICK)
    assert _tier(wrong, Tier.NUMERIC)[0].verdict is Verdict.REFUTED


# 4. min_depth ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad", [65, 0, -5, True, 3.0])
def test_min_depth_outside_1_to_64_is_a_usage_error(bad):
    with pytest.raises(UsageError, match="min_depth"):
        threshold_claim("t", "s", "test", 2 * tau(), min_depth=bad)


def test_constant_general_ratio_is_refuted_even_at_the_largest_min_depth():
    claim = threshold_claim("t", "s", "test", 2 * tau(), min_depth=64)
    general = [c for c in claim.checks if "every depth" in c.name][0]
    r = general.execute(QUICK)
    assert r.verdict is Verdict.REFUTED and "1/2" in r.summary and "all L ≥ 64" in r.scope
    right = [c for c in threshold_claim("t", "s", "test", tau(), min_depth=64).checks if "every depth" in c.name][0]
    assert right.execute(QUICK).verdict is Verdict.VERIFIED


# 5. inexact numbers, repeated depths, visible differences --------------------------------------------------

def test_float_atoms_in_api_formulas_are_rejected():
    with pytest.raises(UsageError, match="inexact"):
        threshold_claim("t", "s", "test", sp.Float("0.7") * tau())
    with pytest.raises(UsageError, match="inexact"):
        scalar_uniqueness_claim("u", "s", "test", sp.Float("0.7") * tau())
    threshold_claim("t", "s", "test", sp.Rational(7, 10) * tau())


def test_repeated_depths_are_rejected():
    with pytest.raises(UsageError, match="repeat"):
        threshold_claim("t", "s", "test", tau(), depths=(3, 3))
    with pytest.raises(UsageError, match="repeat"):
        scalar_uniqueness_claim("u", "s", "test", tau(), depths=(3, 3))
    with pytest.raises(UsageError, match="repeat"):
        scalar_spectrum_claim("s", "s", "test", GOOD_NONZERO, GOOD_ZERO, depths=(3, 3))


def test_high_precision_counterexample_shows_a_tiny_relative_difference():
    claim = threshold_claim("t", "s", "test", tau() * (1 + sp.Rational(1, 10**40)), depths=[3])
    (hp,) = [c for c in claim.checks if c.tier is Tier.HIGH_PRECISION]
    r = hp.execute(STANDARD_DPS)
    assert r.verdict is Verdict.REFUTED
    assert "relative difference 1.00e-40" in r.summary
    assert r.counterexample["relative_difference"].startswith("1.0")
