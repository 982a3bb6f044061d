"""Every tier of every Kamber–Parhi matrix claim can fail: a perturbed claim is refuted AT THAT TIER
(the verdict of the named check is asserted, not only the claim's), at profile quick."""
from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import matrix as kp
from proofs.kamber_parhi_2026.formulas import tau, tau_evaluators
from verify.claims import Claim, RunContext, Tier, Verdict, get_profile, run_claim
from verify.claims.matrix_collapse import ClaimedThreshold, rank_hp
from verify.claims.closed_form import Evaluators
from verify.claims.matrix_trace_formula import trace_at_minimizer
from verify.errors import UsageError
from verify.symbolic.scalar import L_sym, mabs

PPM = sp.Rational(1, 10**6)


def _ctx(tmp_path=None) -> RunContext:
    return RunContext(seed=0, profile=get_profile("quick"), out_dir=None if tmp_path is None else str(tmp_path))


def _run_check(claim: Claim, name: str, tmp_path=None):
    """Run only the named check of ``claim``; returns its CheckResult."""
    checks = tuple(c for c in claim.checks if c.name == name)
    assert len(checks) == 1, [c.name for c in claim.checks]
    result = run_claim(dataclasses.replace(claim, checks=checks), _ctx(tmp_path))
    (check,) = result.checks
    assert check.error is None, check.error
    return check


def _refuted(claim: Claim, name: str, tier: Tier, tmp_path=None):
    check = _run_check(claim, name, tmp_path)
    assert check.tier is tier
    assert check.verdict is Verdict.REFUTED, check.summary
    return check


# --- Figure 1: the regime the figure claims ------------------------------------------------------

FIG1 = "figure 1"


def test_figure1_drawn_above_tau_is_refuted(tmp_path):
    # λ = 6 > τ(3, 3) ≈ 5.151: the global minimum of φ is at 0, not at ρ₊ as the figure claims
    check = _refuted(kp.figures_claim(fig1_lam=6), FIG1, Tier.NUMERIC, tmp_path)
    assert "λ = 6" in check.summary and "λ = 4" not in check.summary
    assert "not below the threshold" in check.summary
    assert check.figures and (tmp_path / check.figures[0]).exists()  # the wrong figure is still drawn


@pytest.mark.parametrize("convention", ["S", "S2", "B"])
def test_figure1_under_a_convention_with_a_lower_threshold_is_refuted(convention):
    # λ = 4 lies above τ/L (S, S2) and τ/(2L) (B): the figure cannot show a nonzero global minimum there
    _refuted(kp.figures_claim(fig1_convention=convention), FIG1, Tier.NUMERIC)


@pytest.mark.parametrize("kw", [dict(fig1_lam=6), dict(fig1_lam=sp.Rational(516, 100)), dict(fig1_convention="S")])
def test_figure1_in_the_wrong_regime_is_refuted_at_high_precision_too(kw):
    """τ(3, 3) = 5.1512…: λ = 6 and 5.16 lie above it, and λ = 4 lies above S's threshold. The high-precision tier
    once checked Fig. 2 alone and verified these; its Fig. 1 check decides the regime at 50 digits."""
    check = _refuted(kp.figures_claim(**kw), "figure 1 at high precision", Tier.HIGH_PRECISION)
    assert "not below the threshold" in check.summary


@pytest.mark.parametrize("tau_text", ["m - 3", "sqrt(m - 4)"])
def test_figure1_with_a_threshold_that_is_zero_or_not_real_there_is_refuted_at_both_tiers(tau_text):
    """λ* = 0 (the relative margin would divide by it) and λ* = √(−1) at m = 3: refuted, not a crash."""
    from verify.claims.matrix_figures import Figure1
    from verify.claims.matrix_kinds import matrix_figures_claim

    m = sp.Symbol("m")
    claim = matrix_figures_claim("t.fig", "s", "s", tau=sp.sympify(tau_text, locals={"m": m}),
                                 fig1=Figure1.make(3, 3, 4, "A1"))
    for name in (FIG1, "figure 1 at high precision"):
        check = _run_check(claim, name)
        assert check.verdict is Verdict.REFUTED and check.error is None, (name, check.summary)


def test_figure1_at_high_precision_verified_as_drawn_and_just_below_tau():
    for lam in (4, sp.Rational(515, 100)):
        check = _run_check(kp.figures_claim(fig1_lam=lam), "figure 1 at high precision")
        assert check.verdict is Verdict.VERIFIED and f"λ = {lam} " in check.summary


def test_figure1_just_below_tau_verified_and_summary_from_parameters():
    # τ(3, 3) = 5.1512…: λ = 5.15 is still below, so the figure's regime holds
    check = _run_check(kp.figures_claim(fig1_lam=sp.Rational(515, 100)), FIG1)
    assert check.verdict is Verdict.VERIFIED, check.summary
    assert "λ = 103/20" in check.summary and check.scope.startswith("depth 3, m = 3, λ = 103/20 (A1)")
    assert "λ = 103/20" in kp.figures_claim(fig1_lam=sp.Rational(515, 100)).statement


def test_figure1_just_above_tau_refuted():
    _refuted(kp.figures_claim(fig1_lam=sp.Rational(516, 100)), FIG1, Tier.NUMERIC)


def test_figure1_wrong_threshold_multiple_refuted():
    # the figure's λ = 4 is below τ; a claimed A1 threshold of 0.7·τ ≈ 3.6 puts it above
    _refuted(kp.figures_claim(multiple=sp.Rational(7, 10)), FIG1, Tier.NUMERIC)


@pytest.mark.parametrize("kwargs", [dict(fig1_depth=2), dict(fig1_depth=3.0), dict(fig1_m=-3), dict(fig1_lam=0),
                                    dict(fig1_lam="abc"), dict(fig1_convention="XX"), dict(fig1_m=float("nan"))])
def test_figure1_bad_parameters_usage_error(kwargs):
    with pytest.raises(UsageError):
        kp.figures_claim(**kwargs)


@pytest.mark.parametrize("multiple", [sp.Rational(3, 2), sp.Rational(4, 5)])
def test_figure3_wrong_jump_refuted(multiple):
    # Fig. 3 puts the jump at α = 1 in units of the claimed λ*; a wrong multiple moves it off the true one
    _refuted(kp.figures_claim(multiple=multiple), "figure 3", Tier.NUMERIC)


def test_figure2_wrong_tie_refuted_high_precision():
    _refuted(kp.figures_claim(multiple=1 - PPM), "figure 2", Tier.HIGH_PRECISION)


# --- kp.uniqueness: σ_c at every tier --------------------------------------------------------------

@pytest.mark.parametrize("scale", [1 + PPM, 1 - PPM, 1 + 1e-6])
@pytest.mark.parametrize("name,tier", [("exact two minimizers on the exceptional set", Tier.SYMBOLIC),
                                       ("exceptional set is exactly σ_c at 50 digits", Tier.HIGH_PRECISION),
                                       ("float64 matrix objective ties at σ_c", Tier.NUMERIC)])
def test_wrong_critical_value_refuted_at_each_tier(scale, name, tier):
    _refuted(kp.uniqueness_claim(critical_scale=scale), name, tier)


def test_numeric_tie_check_verified_for_the_right_sigma_c():
    check = _run_check(kp.uniqueness_claim(), "float64 matrix objective ties at σ_c")
    assert check.verdict is Verdict.VERIFIED and check.instances >= 8 and check.scope


# --- kp.collapse: the rank rule at 50 digits, inner singular values included ------------------------

RANK_HP = "rank at every singular value's edge at 50 digits"


@pytest.mark.parametrize("multiple", [1 + PPM, 1 - PPM, 2])
def test_wrong_multiple_refuted_by_rank_hp(multiple):
    _refuted(kp.collapse_claim(multiple=multiple), RANK_HP, Tier.HIGH_PRECISION)


def test_wrong_convention_multiple_refuted_by_rank_hp():
    _refuted(kp.collapse_claim(multiples={"B": lambda L: sp.Rational(1, L)}), RANK_HP, Tier.HIGH_PRECISION)


def test_rank_hp_decides_inner_singular_values():
    # a threshold rule right for every σ ≥ 1 but off by 1e-6 below 1: σ_max (drawn in [0.5, 8]) hardly ever
    # sees it, the inner singular values do; the refutation names an inner index
    m = mabs
    wrong = sp.Piecewise((tau(), m >= 1), (tau() * (1 + PPM), True))
    threshold = ClaimedThreshold(Evaluators(wrong, (mabs, L_sym)), dict(kp.DEFAULT_MULTIPLES))
    result = rank_hp(threshold)(_ctx())
    assert result.verdict is Verdict.REFUTED, result.summary
    assert any(i >= 2 for i in result.counterexample["wrong_indices"]), result.counterexample


def test_rank_hp_verified_and_covers_inner_edges():
    check = _run_check(kp.collapse_claim(), RANK_HP)
    assert check.verdict is Verdict.VERIFIED, check.summary
    assert "inner singular values" in check.summary and check.scope


def test_wrong_multiple_refuted_by_descent():
    # half the threshold: λ = α·τ/2 with α < 2 is below the true threshold, where descent beats F(0)
    _refuted(kp.collapse_claim(multiple=sp.Rational(1, 2)), "descent never beats 0 above the threshold", Tier.NUMERIC)


# --- kp.hessian_trace, kp.layer_norms, kp.balancedness: the tiers not covered elsewhere -------------

@pytest.mark.parametrize("constant", [1 + 1e-6, 1 - 1e-6])
@pytest.mark.parametrize("name", ["compiled symbolic kernels: batched Hessian trace",
                                  "trace and lower bound at constructed minimizers"])
def test_wrong_trace_constant_refuted_numeric(constant, name):
    _refuted(kp.trace_claim(constant=constant), name, Tier.NUMERIC)


@pytest.mark.parametrize("bound_constant", [1 + 1e-6, 1 - 1e-6])
def test_wrong_trace_bound_refuted_numeric(bound_constant):
    # raised: the bound exceeds the trace at rank-1 minimizers; lowered: still a bound, but the claimed
    # equality at rank ≤ 1 (L ≤ 2) fails
    _refuted(kp.trace_claim(bound_constant=bound_constant), "trace and lower bound at constructed minimizers",
             Tier.NUMERIC)


@pytest.mark.parametrize("exponent", [lambda L: sp.Rational(2, L) * (1 + PPM), lambda L: sp.Rational(2, L + 1)])
def test_wrong_layer_norm_exponent_refuted_numeric(exponent):
    _refuted(kp.layer_norm_claim(exponent=exponent), "layer norms at descent-found and constructed minimizers",
             Tier.NUMERIC)


@pytest.mark.parametrize("rate", [2 * (1 + 1e-6), 2 * (1 - 1e-6), 4])
def test_wrong_rate_refuted_by_integrated_flow(rate):
    _refuted(kp.balancedness_claim(rate=rate), "imbalance decay along integrated gradient flow", Tier.NUMERIC)


# --- one closed form, derived evaluators ------------------------------------------------------------

@pytest.mark.parametrize("L", [2, 3, 5, 12, 32])
def test_tau_evaluators_follow_the_one_expression(L):
    ev = tau_evaluators()
    exact = tau(sp.Rational(37, 10), sp.Integer(L)) if L > 2 else sp.Rational(74, 10)  # 0^0 read as 1 at L = 2
    with mpmath.workdps(70):
        ref = mpmath.mpf(str(sp.N(exact, 70)))
        assert abs(ev.mp(sp.Rational(37, 10), L, dps=50) - ref) <= mpmath.mpf(10) ** -60 * ref
    assert ev.float(3.7, L) == pytest.approx(float(ref), rel=1e-14)


def test_trace_at_minimizer_refers_to_the_formula():
    import numpy as np

    # independent: at the aligned balanced point the trace closed form reads a·[(d_0 + d_L)S_(L−1) + Σ S_(L−l)S_(l−1)]
    s, dims, a, b = np.array([3.0, 1.5]), (2, 3, 3, 2), 2.0, 0.3
    S = lambda k: float(np.sum(s ** (2.0 * k / 3)))
    by_hand = a * ((2 + 2) * S(2) + S(1) * S(1)) + b * (6 + 9 + 6)
    assert trace_at_minimizer(s, dims, a, b) == pytest.approx(by_hand, rel=1e-14)
