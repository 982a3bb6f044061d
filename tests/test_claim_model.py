"""The claim model: what a check may return, and what a crash reads as."""
from __future__ import annotations

import pytest

from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict, run_claim
from verify.errors import UsageError


def _claim(*runs) -> Claim:
    checks = tuple(Check(f"c{i}", Tier.NUMERIC, r) for i, r in enumerate(runs))
    return Claim("model.test", "a statement", "a test", checks)


def test_a_check_returning_something_else_is_a_crash_not_an_aborted_run():
    result = run_claim(_claim(lambda ctx: CheckResult(Verdict.VERIFIED, "fine", instances=1), lambda ctx: None),
                       RunContext(seed=0))
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.crashed and "NoneType" in result.checks[1].summary


def test_a_raising_check_is_inconclusive_and_marked_crashed_never_refuted():
    def boom(ctx):
        raise ZeroDivisionError("x")
    result = run_claim(_claim(boom), RunContext(seed=0))
    assert result.verdict is Verdict.INCONCLUSIVE and result.crashed


def test_verified_with_zero_instances_is_inconclusive():
    result = run_claim(_claim(lambda ctx: CheckResult(Verdict.VERIFIED, "nothing", instances=0)), RunContext(seed=0))
    assert result.verdict is Verdict.INCONCLUSIVE


def test_tier_conflict_is_reported():
    claim = Claim("model.conflict", "s", "t", (
        Check("exact", Tier.SYMBOLIC, lambda ctx: CheckResult(Verdict.VERIFIED, "ok", instances=1)),
        Check("float", Tier.NUMERIC, lambda ctx: CheckResult(Verdict.REFUTED, "no", instances=1))))
    result = run_claim(claim, RunContext(seed=0))
    assert result.verdict is Verdict.REFUTED and result.tier_conflict()
    assert result.to_json()["tier_conflict"] is True


@pytest.mark.parametrize("bad", ["", "has space", "x;rm -rf /", "ünicode", "-lead", "a" * 101, "a$(id)"])
def test_claim_ids_are_a_safe_alphabet(bad):
    with pytest.raises(UsageError):
        Claim(bad, "s", "t", ())
