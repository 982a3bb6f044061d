"""li.sensing: a wrong Hessian-distance constant is refuted at the numeric AND the 50-digit tier."""
from __future__ import annotations

import pytest

from proofs.li_2019.sensing import sensing_claim
from verify.claims import RunContext, Tier, Verdict, get_profile

CTX = RunContext(seed=0, profile=get_profile("quick"))
NAMES = ("hessian-distance", "hessian-distance-high-precision")


def _run(claim):
    return {c.name: (c.tier, c.execute(CTX)) for c in claim.checks if c.name in NAMES}


@pytest.mark.parametrize("coefficients", [("1", "1/2"), ("2", "1")])
def test_too_tight_bound_refuted_at_numeric_and_high_precision(coefficients):
    res = _run(sensing_claim(bound_coefficients=coefficients))
    tiers = {tier for tier, r in res.values() if r.verdict is Verdict.REFUTED}
    assert tiers == {Tier.NUMERIC, Tier.HIGH_PRECISION}, {n: r.summary for n, (_, r) in res.items()}
    hp = res["hessian-distance-high-precision"][1]
    assert float(hp.counterexample["distance/bound"]) > 1 and hp.scope


def test_derived_bound_verified_at_high_precision_with_float_agreement():
    tier, res = _run(sensing_claim())["hessian-distance-high-precision"]
    assert tier is Tier.HIGH_PRECISION and res.verdict is Verdict.VERIFIED, res.summary
    assert res.digits >= 8 and float(res.details["distance/bound"]) <= 1
