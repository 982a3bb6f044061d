"""Review of the runner (issue 14): the same seed gives the same verdicts and numbers however the run
is split into tasks."""
from __future__ import annotations

import json

import sympy as sp

from verify import executors, runner
from verify.claims import Verdict
from verify.claims.context import RunContext


def test_a_split_property_claim_shrinks_to_the_counterexample_of_jobs_1():
    from verify.claims.property import property_claim
    from verify.problems.scalar import parse_problem

    R = sp.Rational
    ctx = RunContext(seed=3).with_profile("quick")
    l1 = parse_problem("(p - m)**2/2", "lam*abs(w)")
    claim = property_claim("review.shrink", "product below m - 1/4", "derived by the suite", l1, "global_minimizers",
                           "product <= m - 1/4", (R(1, 2), R(3)), (R(1, 10), R(1, 2)), depths=(2, 3, 4))

    def minimal(found: dict) -> str:
        found = dict(found)
        found.pop("seconds")
        return json.dumps(found, sort_keys=True, default=str)

    one = runner.run([claim], ctx, jobs=1).results[0]  # every tier, then the shrinker, in one process
    # what a split run may do: the exact tier on one worker, the others elsewhere, the shrinker on the first
    assert executors.run_task(claim, 0, ctx).verdict is Verdict.REFUTED
    assert minimal(executors.run_task(claim, executors.SHRINK, ctx)) == minimal(one.minimal_counterexample)
