"""S6: matrix kinds declared from plain data, and per-layer weights c_l on the ℓ2 penalty (docs/mathematics.md §K9).

Expected closed forms are written here by hand from §K9 (the exact rescaling W_l = (c̄/c_l)^(1/2)·U_l maps the
weighted problem to the balanced one with b·c̄), never taken from the code under test: with c_l = 4^l,
c̄ = (∏ 4^l)^(1/L) = 4^((L+1)/2) = 2^(L+1).
"""
from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import Claim, RunContext, Tier, Verdict, get_profile, run_claim
from verify.claims import matrix_kinds as mk
from verify.claims.matrix_weights import layer_weights_from, reduction_exact, reduction_numeric
from verify.errors import UsageError
from verify.symbolic.scalar import L_sym as L, a, b, mabs as m

l = sp.Symbol("l")  # as a claim file would write it (no assumptions): read as the layer index
PPM = sp.Rational(1, 10**6)
FOUR_L = 4 ** l          # c̄ = 2^(L+1), rational at every depth
LINEAR = l               # c̄ = (L!)^(1/L), irrational: exercises exact radicals


def _ctx() -> RunContext:
    return RunContext(seed=0, profile=get_profile("quick"))


def _check(claim: Claim, name: str):
    checks = tuple(c for c in claim.checks if c.name == name)
    assert len(checks) == 1, [c.name for c in claim.checks]
    (result,) = run_claim(dataclasses.replace(claim, checks=checks), _ctx()).checks
    assert result.error is None, result.error
    return result


def _layer_norms(k=1, weights=LINEAR) -> Claim:
    return mk.matrix_layer_norms_claim("t.norms", "weighted layer norms", "derived by hand, §K9",
                                       exponent=2 / L, weight_exponent=k, layer_weights=weights)


# --- layer norms: ||W_l||² = (c̄/c_l)·Σ s_i^(2/L) ---------------------------------------------------

def test_weighted_layer_norms_verified_at_every_tier():
    result = run_claim(_layer_norms(), _ctx())
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary) for c in result.checks]
    assert {c.tier for c in result.checks} == {Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC}
    assert all(c.scope and c.tolerance for c in result.checks)
    assert any("runs on the weighted objective" in c.summary for c in result.checks)


@pytest.mark.parametrize("k", [2, sp.Rational(1, 2), 1 + PPM])
@pytest.mark.parametrize("name,tier", [("weighted layer norms, exact from stationarity", Tier.SYMBOLIC),
                                       ("weighted layer norms at 50 digits", Tier.HIGH_PRECISION),
                                       ("weighted layer norms at minimizers of the weighted objective", Tier.NUMERIC)])
def test_wrong_weight_exponent_refuted_at_each_tier(k, name, tier):
    result = _check(_layer_norms(k), name)
    assert result.tier is tier and result.verdict is Verdict.REFUTED, result.summary


def test_unweighted_value_refuted_for_weighted_problem():
    # forgetting the weights (k = 0: every layer Σ s^(2/L)) is refuted on the weighted objective itself
    assert _check(_layer_norms(0), "weighted layer norms at minimizers of the weighted objective").verdict \
        is Verdict.REFUTED


# --- the reduction's checks can fail ---------------------------------------------------------------

@pytest.mark.parametrize("power", [sp.Integer(1), sp.Rational(1, 3)])
def test_wrong_rescaling_power_refuted(power):
    w = dataclasses.replace(layer_weights_from(LINEAR), power=power)
    assert reduction_exact(w)(_ctx()).verdict is Verdict.REFUTED
    assert reduction_numeric(w)(_ctx()).verdict is Verdict.REFUTED


# --- uniqueness: σ_c of the weighted problem = σ_c of the balanced one at b·c̄ -------------------------

def _sigma_c(cbar):
    x_star = (b / a * cbar * (L - 2)) ** (L / (2 * L - 2))  # x*^(2−2/L) = (b·c̄/a)(L − 2), §K2 with b → b·c̄
    return x_star * (L - 1) / (L - 2)


def _uniqueness(exceptional) -> Claim:
    return mk.matrix_uniqueness_claim("t.uniq", "weighted uniqueness", "derived by hand, §K9",
                                      exceptional=exceptional, layer_weights=FOUR_L)


@pytest.mark.parametrize("name", ["exact two minimizers on the exceptional set",
                                  "exceptional set is exactly σ_c at 50 digits", "float64 matrix objective ties at σ_c",
                                  "per-layer weights: exact rescaling to the balanced problem",
                                  "per-layer weights: rescaling identity at random points"])
def test_weighted_exceptional_set_verified(name):
    assert _check(_uniqueness(_sigma_c(2 ** (L + 1))), name).verdict is Verdict.VERIFIED


@pytest.mark.parametrize("cbar", [1, 2 ** L, 2 ** (L + 1) * (1 + PPM)])
@pytest.mark.parametrize("name,tier", [("exceptional set is exactly σ_c at 50 digits", Tier.HIGH_PRECISION),
                                       ("float64 matrix objective ties at σ_c", Tier.NUMERIC)])
def test_wrong_weighted_exceptional_set_refuted(cbar, name, tier):
    result = _check(_uniqueness(_sigma_c(cbar)), name)
    assert result.tier is tier and result.verdict is Verdict.REFUTED, result.summary


@pytest.mark.parametrize("claim", [
    lambda: _uniqueness(_sigma_c(2 ** (L + 1) * 4 ** (L - 1))),  # c̄ of the wrong weights: σ_c off by 2^L
    lambda: _uniqueness(_sigma_c(1)),  # the weights forgotten (rational at the depths and (a, b) drawn, seed 0)
    lambda: mk.matrix_uniqueness_claim("t", "s", "src", exceptional=_sigma_c(2 ** (L + 1)), critical_scale=1 + PPM,
                                       layer_weights=FOUR_L),
])
def test_wrong_weighted_exceptional_set_refuted_exactly(claim):
    # the exact tier needs a rational claimed σ_c at rational (a, b) (else it is inconclusive, never verified):
    # wrong, rational values
    result = _check(claim(), "exact two minimizers on the exceptional set")
    assert result.tier is Tier.SYMBOLIC and result.verdict is Verdict.REFUTED, result.summary


# --- collapse: λ*_weighted = λ*_balanced / c̄ ------------------------------------------------------

def _collapse(threshold, convention="A1") -> Claim:
    return mk.matrix_collapse_claim("t.collapse", "weighted collapse", "derived by hand, §K9",
                                    threshold=threshold, convention=convention, layer_weights=FOUR_L)


def test_weighted_collapse_verified():
    result = run_claim(_collapse(tau() / 2 ** (L + 1)), _ctx())
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary) for c in result.checks]
    assert len(result.checks) == 7


@pytest.mark.parametrize("threshold", [tau(), tau() / 2 ** L, tau() / 2 ** (L + 1) * (1 + PPM)])
@pytest.mark.parametrize("name,tier", [("threshold edges at 50 digits, all conventions", Tier.HIGH_PRECISION),
                                       ("rank at every singular value's edge at 50 digits", Tier.HIGH_PRECISION)])
def test_wrong_weighted_threshold_refuted(threshold, name, tier):
    result = _check(_collapse(threshold), name)
    assert result.tier is tier and result.verdict is Verdict.REFUTED, result.summary


def test_wrong_weighted_threshold_refuted_numeric():
    # the unweighted τ is 2^(L+1) times too high: far above every weighted threshold, ranks disagree
    assert _check(_collapse(tau()), "rank of the global minimizer on random targets").verdict is Verdict.REFUTED


# --- plain-data factories without weights ----------------------------------------------------------

def test_collapse_under_another_convention_from_plain_data():
    claim = mk.matrix_collapse_claim("t.b", "λ* = τ/(2L) under B", "derived by the suite", threshold=tau() / (2 * L),
                                     convention="B")
    assert _check(claim, "threshold edges at 50 digits, all conventions").verdict is Verdict.VERIFIED
    assert _check(claim, "descent never beats 0 above the threshold").verdict is Verdict.VERIFIED
    wrong = mk.matrix_collapse_claim("t.b", "λ* = τ/L under B", "wrong", threshold=tau() / L, convention="B")
    assert _check(wrong, "threshold edges at 50 digits, all conventions").verdict is Verdict.REFUTED


def test_layer_norms_exponent_as_formula():
    ok = mk.matrix_layer_norms_claim("t.n", "s", "src", exponent=2 / L)
    assert _check(ok, "exact identity from scalar stationarity").verdict is Verdict.VERIFIED
    bad = mk.matrix_layer_norms_claim("t.n", "s", "src", exponent=2 / (L + 1))
    assert _check(bad, "exact identity from scalar stationarity").verdict is Verdict.REFUTED


@pytest.mark.parametrize("make", [
    lambda: mk.matrix_trace_claim("i", "s", "src", layer_weights=l),
    lambda: mk.matrix_balancedness_claim("i", "s", "src", layer_weights=l),
    lambda: _layer_norms(weights=l - 2),               # c_1 = −1
    lambda: _layer_norms(weights=sp.Symbol("L") - l),  # c_L = 0
    lambda: _layer_norms(weights=sp.Symbol("x") * l),  # unknown name
    lambda: _layer_norms(weights=0.5),                 # a float, not exact
    lambda: mk.matrix_layer_norms_claim("i", "s", "src", weight_exponent=2),  # exponent of c̄/c_l without weights
    lambda: mk.matrix_layer_norms_claim("i", "s", "src", exponent=0.5),
    lambda: mk.matrix_layer_norms_claim("i", "s", "src", exponent=2 / sp.Symbol("d")),
    lambda: mk.matrix_uniqueness_claim("i", "s", "src", exceptional=sp.Symbol("q") * a),
    lambda: mk.matrix_collapse_claim("i", "s", "src", threshold=tau() * sp.Symbol("lam")),
    lambda: mk.matrix_collapse_claim("i", "s", "src", threshold=tau(), convention="XX"),
    lambda: mk.matrix_collapse_claim("i", "s", "src", threshold=tau(), multiples={"S": 0}),
    lambda: mk.matrix_collapse_claim("", "s", "src", threshold=tau()),
])
def test_bad_declarations_are_usage_errors(make):
    with pytest.raises(UsageError):
        make()


def test_symbols_read_by_name():
    # plain symbols named m and L (as a parser without assumptions makes them) are the public m and L
    claim = mk.matrix_collapse_claim("t", "s", "src", threshold=tau(sp.Symbol("m"), sp.Symbol("L")))
    assert _check(claim, "threshold edges at 50 digits, all conventions").verdict is Verdict.VERIFIED
    assert m in mk.claimed_threshold(tau(sp.Symbol("m"), sp.Symbol("L"))).tau.expr.free_symbols


@pytest.mark.parametrize("seed", range(8))
def test_right_rescaling_verified_on_many_seeds(seed):
    """The product check is relative to |U_L|⋯|U_1|, not |P| (which can cancel to ~0: seed 1 once moved the
    product by 5e-17 and was refuted)."""
    w = layer_weights_from(LINEAR)
    assert reduction_numeric(w)(RunContext(seed=seed, profile=get_profile("quick"))).verdict is Verdict.VERIFIED
