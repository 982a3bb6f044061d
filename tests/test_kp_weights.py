"""kp.weights.balancedness and kp.weights.classification (docs/mathematics.md §K9): the declared claims verify at
every tier, and perturbed claims (a wrong weight power, a wrong rate, a wrong classification) are refuted at each
tier. Expected values come from hand computations, never from a run of the code under test."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import weights as W
from verify.claims.base import Tier, Verdict
from verify.claims.context import PROFILES, RunContext
from verify.errors import UsageError
from verify.landscape.weighted_exact import classify

QUICK = RunContext(profile=PROFILES["quick"])
R = sp.Rational


def _verdicts(claim) -> dict[Tier, Verdict]:
    """Each tier's verdict: refuted if any of its checks is, verified if all are."""
    by_tier: dict[Tier, list[Verdict]] = {}
    for check in claim.checks:
        result = check.execute(QUICK)
        assert result.error is None, result.error
        by_tier.setdefault(check.tier, []).append(result.verdict)
    return {t: Verdict.REFUTED if Verdict.REFUTED in vs else vs[0] if len(set(vs)) == 1 else Verdict.INCONCLUSIVE
            for t, vs in by_tier.items()}


ALL = {Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC}


def test_balancedness_verified_at_every_tier():
    v = _verdicts(W.balancedness_claim())
    assert set(v) == ALL and set(v.values()) == {Verdict.VERIFIED}


def test_balancedness_wrong_weight_power_refuted_at_every_tier():
    # √c_l instead of c_l
    v = _verdicts(W.balancedness_claim(power=R(1, 2)))
    assert v == {t: Verdict.REFUTED for t in ALL}


def test_balancedness_wrong_rate_refuted_symbolic_and_numeric():
    v = _verdicts(W.balancedness_claim(rate=3))
    assert v[Tier.SYMBOLIC] is Verdict.REFUTED and v[Tier.NUMERIC] is Verdict.REFUTED


def test_classification_verified_at_every_tier():
    v = _verdicts(W.classification_claim())
    assert set(v) == ALL and set(v.values()) == {Verdict.VERIFIED}


@pytest.mark.parametrize("kinds", [{"zero": "strict saddle"}, {"smaller": "minimum"}],
                          ids=["zero-strict-saddle-L>=3", "smaller-radius-minimum"])
def test_classification_wrong_kind_refuted_at_every_tier(kinds):
    assert _verdicts(W.classification_claim(kinds=kinds)) == {t: Verdict.REFUTED for t in ALL}


def test_classification_forgetting_the_weights_refuted_at_every_tier():
    # the rule read at b·c̄^(1/2) instead of b·c̄
    assert _verdicts(W.classification_claim(weight_power=R(1, 2))) == {t: Verdict.REFUTED for t in ALL}


def test_classification_fold_as_minimum_refuted_exactly():
    claim = W.classification_claim(kinds={"fold": "minimum"})
    symbolic = next(c for c in claim.checks if c.tier is Tier.SYMBOLIC)
    assert symbolic.execute(QUICK).verdict is Verdict.REFUTED


def test_classification_threshold_off_refuted_exactly():
    claim = W.classification_claim(threshold=W.DEFAULT_THRESHOLD * (1 + R(1, 10 ** 6)))
    symbolic = next(c for c in claim.checks if c.tier is Tier.SYMBOLIC)
    assert symbolic.execute(QUICK).verdict is Verdict.REFUTED


# ----------------------------------------------------------------------------------------------
# the exact classifier against hand computations


def test_exact_depth2_soft_threshold_by_hand():
    # L = 2, a = 1, m = 3, c = (1, 2), b·c̄ = 1: a(m − t) = b·c̄ gives t = 2; H(0) = [[b, −3], [−3, 2b]], det < 0
    c = [sp.Integer(1), sp.Integer(2)]
    b = 1 / sp.sqrt(2)
    points, _ = classify(2, sp.Integer(3), sp.Integer(1), b, c)
    assert [p.kind for p in points] == ["strict saddle", "minimum"]
    assert points[1].interval[0] <= 2 <= points[1].interval[1] and abs(points[1].t - 2) < 1e-12


def test_exact_fold_by_hand_is_a_non_strict_saddle():
    # L = 3, a = 1, m = 4, b·c̄ = 3: ρ^3 = m(L−2)/(2L−2) = 1 is a double root; Hessian eigenvalue L·a·ρ^4 − (L−2)·3 = 0
    c = [sp.Integer(1), sp.Integer(2), sp.Integer(3)]
    b = 3 / sp.Integer(6) ** R(1, 3)
    points, _ = classify(3, sp.Integer(4), sp.Integer(1), b, c)
    assert [p.kind for p in points] == ["minimum", "non-strict saddle"]
    assert points[1].multiplicity == 2 and points[1].inertia == (2, 1, 0) and points[1].t == 1.0


def test_exact_depth2_boundary_is_a_degenerate_global_minimum():
    # L = 2, b·c̄ = a|m|: H(0) has eigenvalue 0 but 0 is the only critical point of the coercive F
    c = [sp.Integer(1), sp.Integer(2)]
    points, lines = classify(2, sp.Integer(3), sp.Integer(1), 3 / sp.sqrt(2), c)
    assert [(p.kind, p.inertia) for p in points] == [("minimum", (1, 1, 0))]
    assert any("coercive" in line for line in lines)


def test_exact_inertia_agrees_with_float_eigenvalues():
    # an independent route: the float64 Hessian of F at the exact point w_l² = a(m − t)t/(b·c_l)
    c = [sp.Integer(1), sp.Integer(2), sp.Integer(3)]
    b = R(1, 2) / sp.Integer(6) ** R(1, 3)
    points, _ = classify(3, sp.Integer(2), sp.Integer(1), b, c)
    bf, cf = float(b), np.array([1.0, 2.0, 3.0])
    for p in points[1:]:
        w = np.sqrt((2 - p.t) * p.t / (bf * cf))
        P = np.prod(w)
        H = np.outer(P / w, P / w) + (P - 2) * np.array(
            [[0 if i == j else P / (w[i] * w[j]) for j in range(3)] for i in range(3)]) + np.diag(bf * cf)
        ev = np.linalg.eigvalsh(H)
        assert (int((ev > 0).sum()), 0, int((ev < 0).sum())) == p.inertia


def test_usage_errors():
    with pytest.raises(UsageError, match="classes"):
        W.classification_claim(kinds={"origin": "minimum"})
    with pytest.raises(UsageError, match="one of"):
        W.classification_claim(kinds={"zero": "maximum"})
    from verify.claims.weights_classification import weights_classification_claim
    with pytest.raises(UsageError, match="layer_weights"):
        weights_classification_claim("x", "s", "src", layer_weights=None, kinds=W.DEFAULT_KINDS,
                                     threshold=W.DEFAULT_THRESHOLD, fold=W.DEFAULT_FOLD)
    with pytest.raises(UsageError):
        W.balancedness_claim(layer_weights=sp.Integer(1) - W.LAYER)


def test_classification_fold_too_high_refuted_at_every_tier():
    # β_f claimed 6/5 of the derived one: probes just above the true fold find no nonzero critical point
    assert _verdicts(W.classification_claim(fold=W.DEFAULT_FOLD * R(6, 5))) == {t: Verdict.REFUTED for t in ALL}


def test_boundaries_below_the_resolution_of_hp_and_float64_are_said_in_their_scopes():
    # a fold 5/6 of the derived one is refuted exactly; the 50-digit and float64 tiers cannot resolve it, and
    # their scopes say that the boundaries' exact positions and the fold class are the exact tier's
    claim = W.classification_claim(fold=W.DEFAULT_FOLD * R(5, 6))
    for check in claim.checks:
        res = check.execute(QUICK)
        if check.tier is Tier.SYMBOLIC:
            assert res.verdict is Verdict.REFUTED
        else:
            assert "exact positions are checked at the exact tier" in res.scope, res.scope
    # the rate, invisible at critical points, is read at the seeds' random starts (tests/test_parameter_tiers.py)
    bal = next(c for c in W.balancedness_claim().checks if c.tier is Tier.HIGH_PRECISION)
    assert "the flow identity at each seed's random start" in bal.execute(QUICK).scope


def test_classification_numeric_refutes_before_a_later_instance_where_the_rule_fails(monkeypatch):
    """The float64 tier batches each depth's instances, but a refutation found at an instance still comes before a
    failure of the claim's rule at a later instance of that depth, as one instance at a time (review of this
    round)."""
    from verify.claims import weights_classification as WC

    claim = W.classification_claim(kinds={"zero": "strict saddle"})
    numeric = [c for c in claim.checks if c.tier is Tier.NUMERIC]
    refuted = numeric[0].execute(QUICK)
    assert refuted.verdict is Verdict.REFUTED
    depth, per = refuted.counterexample["depth"], max(12, QUICK.profile.instances // 160)  # the check's draws
    calls = {"n": 0}
    real = WC.Rule.float_values

    def failing_later(self, L, m, a):  # fails at the last instance drawn at the refuted depth
        calls["n"] += L == depth
        if L == depth and calls["n"] == per:
            raise ValueError("the rule fails here")
        return real(self, L, m, a)

    monkeypatch.setattr(WC.Rule, "float_values", failing_later)
    again = numeric[0].execute(QUICK)
    assert again.error is None and again.verdict is Verdict.REFUTED and again.counterexample == refuted.counterexample
