"""Claimed constants that a tier used to ignore: each tier below now reads it, so a wrong value is refuted there.

* kp.balancedness, symbolic: the factor κ in W_(l+1)ᵀW_(l+1) = κ·W_lW_lᵀ (only the flow rate was read);
* kp.weights.balancedness, high precision: the flow rate (only critical points were checked, where it is invisible);
* kp.hessian_trace, symbolic: the lower bound's constant (only the exact trace formula was proved).

Expected verdicts follow from the perturbation alone (the true claim has κ = 1, rate 2, bound constant 1); expected
numbers are worked by hand below, never read from a run of the code under test.
"""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import matrix as kp
from proofs.kamber_parhi_2026 import weights as kw
from verify.claims import Claim, RunContext, Tier, Verdict, get_profile
from verify.claims.matrix_poly_identity import gradient_at

CTX = RunContext(seed=0, profile=get_profile("quick"))
PPM = sp.Rational(1, 10**6)
BALANCE_EXACT = "exact balance at critical points (identity; exact critical points)"
BOUND_EXACT = "lower bound attained exactly where claimed (balanced points, free singular values)"


def _check(claim: Claim, name: str):
    (check,) = [c for c in claim.checks if c.name == name]
    return check.execute(CTX)


def _tier(claim: Claim, tier: Tier):
    results = [c.execute(CTX) for c in claim.checks if c.tier is tier]
    assert results
    return results


def test_gradient_at_by_hand():
    # L = 1: ∇F = a(W − M) + bW. W = [[1, 2], [3, 4]], M = [[0, 1], [1, 0]], a = 1, b = 1/2 gives
    # (W − M) + W/2 = [[1, 1], [2, 4]] + [[1/2, 1], [3/2, 2]]
    (G,) = gradient_at([sp.Matrix([[1, 2], [3, 4]])], sp.Matrix([[0, 1], [1, 0]]), 1, sp.Rational(1, 2))
    assert G == sp.Matrix([[sp.Rational(3, 2), 2], [sp.Rational(7, 2), 6]])
    # L = 2 scalar: F = (a/2)(w2w1 − m)² + (b/2)(w1² + w2²); at w1 = 1, w2 = 2, m = 1, a = 3, b = 5:
    # ∂F/∂w1 = a(w2w1 − m)w2 + b·w1 = 3·1·2 + 5 = 11, ∂F/∂w2 = a(w2w1 − m)w1 + b·w2 = 3 + 10 = 13
    G1, G2 = gradient_at([sp.Matrix([[1]]), sp.Matrix([[2]])], sp.Matrix([[1]]), 3, 5)
    assert (G1[0, 0], G2[0, 0]) == (11, 13)


# --- kp.balancedness: the balance factor κ at the symbolic tier ------------------------------------------------

def test_balance_exact_verified_for_the_true_factor():
    result = _check(kp.balancedness_claim(), BALANCE_EXACT)
    assert result.verdict is Verdict.VERIFIED, result.summary
    assert result.proved_for


@pytest.mark.parametrize("balance", [(1 + sp.sqrt(2)) * (sp.sqrt(2) - 1), sp.sqrt(3 + 2 * sp.sqrt(2)) - sp.sqrt(2)])
def test_an_exact_one_in_another_form_is_verified(balance):
    # both are 1 exactly ((√2)² − 1; √(3 + 2√2) = 1 + √2), though 1 − κ is not literally 0 (review of this round)
    result = _check(kp.balancedness_claim(balance=balance), BALANCE_EXACT)
    assert result.verdict is Verdict.VERIFIED, result.summary


@pytest.mark.parametrize("balance, imbalance", [
    (2, "(-1)·I_2"), (sp.Rational(1, 2), "(1/2)·I_2"), (1 + PPM, "(-1/1000000)·I_2"),
    ("1.000001", "(-1/1000000)·I_2"),  # a string is read exactly, never through float
])
def test_wrong_balance_refuted_symbolically(balance, imbalance):
    # at W_l = I, M = 2I, a = b = 1 the imbalance W_2ᵀW_2 − κW_1W_1ᵀ is (1 − κ)·I
    result = _check(kp.balancedness_claim(balance=balance), BALANCE_EXACT)
    assert result.verdict is Verdict.REFUTED, result.summary
    assert result.counterexample["imbalance"] == imbalance


# --- kp.weights.balancedness: the rate at the high-precision tier ------------------------------------------------

def test_weighted_hp_verified_for_the_true_rate():
    (result,) = _tier(kw.balancedness_claim(), Tier.HIGH_PRECISION)
    assert result.verdict is Verdict.VERIFIED, result.summary
    assert "(flow)" in result.worst_margin


@pytest.mark.parametrize("rate", [2 * (1 + PPM), 2 * (1 - PPM), 1, "2.000001"])
def test_wrong_weighted_rate_refuted_at_high_precision(rate):
    (result,) = _tier(kw.balancedness_claim(rate=rate), Tier.HIGH_PRECISION)
    assert result.verdict is Verdict.REFUTED, result.summary
    assert "dD/dt" in result.summary and result.counterexample


# --- kp.hessian_trace: the bound constant at the symbolic tier ---------------------------------------------------

def test_trace_bound_exact_verified_for_the_true_constant():
    result = _check(kp.trace_claim(), BOUND_EXACT)
    assert result.verdict is Verdict.VERIFIED, result.summary
    assert result.proved_for


@pytest.mark.parametrize("bound_constant, side", [
    (1 + PPM, "exceeds the trace"), (2, "exceeds the trace"), (1 - PPM, "is not attained"), ("0.999999", "is not attained"),
])
def test_wrong_trace_bound_refuted_symbolically(bound_constant, side):
    # at L = 1, dims (3, 2): trace = a·d_0·d_1 + b·d_0·d_1 = 6a + 6b; bound = κ·6a + 6b; gap (1 − κ)·6a
    result = _check(kp.trace_claim(bound_constant=bound_constant), BOUND_EXACT)
    assert result.verdict is Verdict.REFUTED, result.summary
    assert side in result.summary
    kappa = sp.Rational(bound_constant) if isinstance(bound_constant, str) else bound_constant
    cx = result.counterexample
    assert cx["dims"] == [3, 2]
    assert sp.expand(sp.sympify(cx["trace"]) - sp.sympify(cx["bound"]) - (1 - kappa) * 6 * sp.Symbol("a")) == 0


def test_rank_one_tightness_is_exercised_beyond_depth_two(monkeypatch):
    # with the L ≤ 2 cases removed, the rank-1 cases at depths 3 and 4 still refute a wrong constant:
    # (1 − κ)·a·(d_0 + d_L + L − 2)·t^(2L − 2) ≠ 0
    from verify.claims import matrix_trace

    monkeypatch.setattr(matrix_trace, "TIGHT_CASES", tuple(c for c in matrix_trace.TIGHT_CASES if len(c[0]) > 3))
    result = _check(kp.trace_claim(bound_constant=1 + PPM), BOUND_EXACT)
    assert result.verdict is Verdict.REFUTED, result.summary
    assert result.counterexample["rank"] == 1 and len(result.counterexample["dims"]) == 4
