"""The property kind: a relation between named quantities at a set of points, judged at three tiers.

Expected values come from outside the code under test: for convention A1 (a = 2, b = 2λ/L) the Hessian spectrum
at a balanced stationary point of radius ρ is {2b (L−1 times), L·a·ρ^(2L−2) + (2−L)·b} (docs/mathematics.md §K4,
derived by hand), so trace = 2b(L−1) + 2Lρ^(2L−2) + (2−L)b = b·L + 2Lρ^(2L−2) = 2λ + 2L·ρ^(2L−2); at the point 0
the Hessian is b·I for L ≥ 3 and [[b, −2m], [−2m, b]] for L = 2, trace b·L = 2λ again, with ρ = 0. So
"trace == 2*lam + 2*L*layer_norm_max**(2*L-2)" holds at every stationary point. For the l1 problem
(p − m)²/2 + λΣ|w_l| the product at a minimizer is shrunk towards 0: 0 ≤ p < m.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from verify.claims.base import Tier, Verdict, run_claim
from verify.claims.context import RunContext
from verify.claims.property import (POINT_SETS, QUANTITIES, Instance, PropertySpec, judge, parse_property_relation,
                                    property_claim)
from verify.errors import UsageError
from verify.problems.scalar import convention_problem, parse_problem

R = sp.Rational
CTX = RunContext(seed=3).with_profile("quick")
A1 = convention_problem("A1")
L1 = parse_problem("(p - m)**2/2", "lam*abs(w)")
TRACE = "trace == 2*lam + 2*L*layer_norm_max**(2*L-2)"
M_RANGE = (R(1, 2), R(3))
LAM_RANGE = (R(1, 10), R(1, 2))

_CACHE: dict = {}


def _run(points: str, relation: str, problem=A1, tolerance=None, depths=(2, 3)):
    key = (points, relation, problem, tolerance, depths)
    if key not in _CACHE:
        claim = property_claim("test.property", "a property", "derived by the suite", problem, points, relation,
                               M_RANGE, LAM_RANGE, tolerance=tolerance, depths=depths)
        _CACHE[key] = run_claim(claim, CTX)
    return _CACHE[key]


def _tiers(result) -> dict:
    return {c.tier: c.verdict for c in result.checks}


def _assert_all(result, verdict: Verdict) -> None:
    tiers = _tiers(result)
    assert set(tiers) == {Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC}
    for check in result.checks:
        assert check.verdict is verdict, (check.tier, check.summary, check.error, check.details)
        assert check.scope
        assert check.tolerance
        if verdict is Verdict.REFUTED:
            example = check.counterexample
            assert {"depth", "m", "lam", "point", "lhs", "rhs"} <= set(example)


def test_trace_closed_form_verified_at_every_tier():
    result = _run("stationary", TRACE, tolerance="1e-9")
    _assert_all(result, Verdict.VERIFIED)
    assert result.verdict is Verdict.VERIFIED
    exact = next(c for c in result.checks if c.tier is Tier.SYMBOLIC)
    assert exact.digits == float("inf") and "depths 2–3" in exact.scope


@pytest.mark.parametrize("relation", [
    "trace == 3*lam + 2*L*layer_norm_max**(2*L-2)",   # wrong constant
    "trace == 2*lam + 2*L*layer_norm_max**(2*L-1)",   # wrong exponent
])
def test_perturbed_trace_refuted_at_every_tier_and_shrunk(relation):
    result = _run("stationary", relation, tolerance="1e-9")
    _assert_all(result, Verdict.REFUTED)
    small = result.minimal_counterexample
    assert small is not None and "error" not in small, small
    assert small["depth"] == 2  # every depth fails, so the smallest claimed one
    assert sp.Rational(small["m"]) in (1, 2, 3) and sp.Rational(small["lam"]) <= R(1, 2)


def test_hessian_nonnegative_at_global_minimizers_and_wrong_direction_refuted():
    _assert_all(_run("global_minimizers", "hess_min >= 0", depths=(2, 3)), Verdict.VERIFIED)
    wrong = _run("global_minimizers", "hess_min <= 0", depths=(2, 3))
    _assert_all(wrong, Verdict.REFUTED)
    assert wrong.minimal_counterexample["depth"] == 2


def test_trace_via_the_user_problem_route_agrees_with_the_convention_route():
    # A1 written as plain formulas: no convention, so the high-precision tier uses verify.highprec.problem
    plain = parse_problem("(p - m)**2", "lam/L * w**2")
    assert plain.convention is None
    _assert_all(_run("global_minimizers", TRACE, problem=plain, tolerance="1e-9", depths=(3,)), Verdict.VERIFIED)


def test_l1_product_at_global_minimizers():
    _assert_all(_run("global_minimizers", "product <= m", problem=L1, depths=(2, 3)), Verdict.VERIFIED)
    wrong = _run("global_minimizers", "product >= m", problem=L1, depths=(2, 3))
    _assert_all(wrong, Verdict.REFUTED)
    small = wrong.minimal_counterexample
    assert small["problem"] == {"loss": "(p - m)**2/2", "penalty": "lam*abs(w)"} and small["depth"] == 2


def test_l1_hessian_quantities_exclude_the_nonsmooth_point_zero():
    result = _run("local_minima", "hess_min >= 0", problem=L1, depths=(2,))
    _assert_all(result, Verdict.VERIFIED)
    for check in result.checks:
        assert "excluded (the penalty is not differentiable" in check.scope


def test_random_points_objective_nonnegative_and_hessian_indefinite():
    _assert_all(_run("random", "objective >= 0", depths=(3,)), Verdict.VERIFIED)
    _assert_all(_run("random", "hess_min >= 0", depths=(3,)), Verdict.REFUTED)


def test_exact_tier_says_not_applicable_for_a_product_of_eigenvalues():
    result = _run("global_minimizers", "hess_min*hess_max >= 0", depths=(2,))
    tiers = {c.tier: c for c in result.checks}
    assert tiers[Tier.SYMBOLIC].verdict is Verdict.INCONCLUSIVE
    assert "not applicable" in tiers[Tier.SYMBOLIC].summary
    assert tiers[Tier.HIGH_PRECISION].verdict is Verdict.VERIFIED


def test_equality_is_relative_and_undecided_inside_the_band():
    op, lhs, rhs = parse_property_relation("objective == m")
    spec = PropertySpec("t", A1, "random", "objective == m", op, lhs, rhs, R(1, 10**9), M_RANGE, LAM_RANGE, (2,),
                        frozenset({"objective"}))
    inst = Instance(2, R(1), R(1, 10))

    def status(value: str, band: str = "0") -> str:
        return judge(spec, inst, {"objective": (mpmath.mpf(value), mpmath.mpf(band))}).status

    assert status("1.0000000005") == "holds"      # 5e-10 relative
    assert status("1.000000002") == "violated"    # 2e-9 relative
    assert status("1.000000001", "1e-12") == "undecided"


@pytest.mark.parametrize("kwargs, message", [
    ({"relation": "hess_min >= rho"}, "unknown name 'rho'"),
    ({"relation": "sharpness <= 1"}, "allowed names"),
    ({"relation": "trace < 1"}, "strict"),
    ({"relation": "trace == 1"}, "needs a relative tolerance"),
    ({"relation": "trace <= 1", "tolerance": "1e-6"}, "tolerance applies only to =="),
    ({"relation": "trace == 1", "tolerance": "2"}, "strictly between 0 and 1"),
    ({"relation": "m <= L"}, "names no quantity"),
    ({"points": "saddles"}, "points must be one of"),
    ({"m_range": ("0", "1")}, "0 < low <= high"),
    ({"lam_range": ("2", "1")}, "0 < low <= high"),
    ({"depths": [1, 2]}, "L >= 2"),
])
def test_usage_errors(kwargs, message):
    args = {"points": "global_minimizers", "relation": "hess_min >= 0", "m_range": M_RANGE,
            "lam_range": LAM_RANGE}
    args.update(kwargs)
    with pytest.raises(UsageError, match=message):
        property_claim("t", "s", "derived by the suite", A1, **args)


def test_unknown_name_lists_the_quantities():
    with pytest.raises(UsageError) as info:
        property_claim("t", "s", "x", A1, "stationary", "gradnorm <= 1", M_RANGE, LAM_RANGE)
    for name in QUANTITIES:
        assert name in str(info.value)
    assert POINT_SETS == ("stationary", "global_minimizers", "local_minima", "random")


def test_unjustifiable_problem_is_a_usage_error_at_build_time():
    odd = parse_problem("(p - m)**2/2", "lam*w**3")  # not even in w: the reduction is refused
    with pytest.raises(UsageError):
        property_claim("t", "s", "x", odd, "stationary", "grad_norm <= 1", M_RANGE, LAM_RANGE)


def test_l1_shrunk_counterexample_is_the_simplest_pair():
    # "product >= m" fails at every (m, λ) (the l1 penalty shrinks the product below m, or to 0), so the
    # shrinker must land on the smallest depth and the simplest values of the ranges: m = 1 in [1/2, 3],
    # λ = 1/2 in [1/10, 1/2] (height max(|p|, q) = 2, below 1/3, 1/4, ..., 1/10)
    small = _run("global_minimizers", "product >= m", problem=L1, depths=(2, 3)).minimal_counterexample
    assert (small["depth"], small["m"], small["lam"]) == (2, "1", "1/2")


def test_simple_values_order_by_height():
    from verify.claims.property_shrink import simple_values

    assert simple_values(R(1, 10), R(1, 2))[:4] == [R(1, 2), R(1, 3), R(1, 4), R(1, 5)]
    assert simple_values(R(1, 2), R(3))[:6] == [R(1), R(1, 2), R(2), R(2, 3), R(3, 2), R(3)]


def test_float64_violation_counts_only_when_confirmed_in_mpmath(monkeypatch):
    from verify.claims import property_highprec

    monkeypatch.setattr(property_highprec, "confirm", lambda spec, inst, dps=30: ("holds", None))
    claim = property_claim("test.unconfirmed", "s", "derived by the suite", A1, "global_minimizers",
                           "hess_min <= 0", M_RANGE, LAM_RANGE, depths=(2,))
    numeric = next(c for c in claim.checks if c.tier is Tier.NUMERIC).execute(CTX)
    assert numeric.verdict is Verdict.INCONCLUSIVE
    assert any("not confirmed in mpmath" in u for u in numeric.details["undecided"])


def test_per_layer_weights_trace_at_the_collapsed_minimizer():
    # penalty lam·l·w²: at w = 0 the Hessian has diagonal 2λ·l (at L = 2 the off-diagonal −m does not enter the
    # trace), so trace(0) = 2λ·L(L+1)/2 = λ·L(L+1). 0 is the global minimizer for m ≤ 1, λ ≥ 5: by AM–GM
    # λΣ l·w_l² ≥ λ·L·(L!)^(1/L)·|p|^(2/L); at L = 2 this is 2√2·λ|p| ≥ m|p| ≥ m|p| − p²/2; at L = 3 it is
    # 3·6^(1/3)·λ|p|^(2/3) ≥ 27|p|^(2/3) ≥ m(2m)^(1/3)|p|^(2/3) ≥ m|p| − p²/2 for |p| ≤ 2m (and m|p| − p²/2 < 0
    # beyond), so F(w) − F(0) = p²/2 − m·p + penalty ≥ 0.
    weighted = parse_problem("(p - m)**2/2", "lam*l*w**2")
    claims = {}
    for relation in ("trace == lam*L*(L+1)", "trace == lam*L*(L+2)"):
        claim = property_claim("test.weighted", "s", "derived by the suite", weighted, "global_minimizers",
                               relation, (R(1, 2), R(1)), (R(5), R(10)), tolerance="1e-9", depths=(2, 3))
        claims[relation] = {c.tier: c for c in run_claim(claim, CTX).checks}
    right, wrong = claims["trace == lam*L*(L+1)"], claims["trace == lam*L*(L+2)"]
    assert right[Tier.HIGH_PRECISION].verdict is Verdict.VERIFIED
    assert right[Tier.NUMERIC].verdict is Verdict.VERIFIED
    assert right[Tier.SYMBOLIC].verdict is Verdict.INCONCLUSIVE  # irrational scales γ_l: not a rational polynomial
    assert "not applicable" in right[Tier.SYMBOLIC].summary
    assert wrong[Tier.HIGH_PRECISION].verdict is Verdict.REFUTED
    assert wrong[Tier.NUMERIC].verdict is Verdict.REFUTED
