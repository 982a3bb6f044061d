"""L7 symbolic check (docs/mathematics.md §L7): exact covariance of value, gradient and Hessian (and the
tangent identity for Lie groups) on two non-degenerate integer examples.
"""
from __future__ import annotations

from typing import Callable

from verify import invariance as inv
from verify.claims.base import CheckResult, Verdict
from verify.claims.context import RunContext
from verify.claims.invariance_examples import ExampleSpec, GroupFactory, group_for


def symbolic_check(spec: ExampleSpec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    """f(Gx) - f(x), gradient/Hessian covariance (and the tangent identity) expand to 0 in SymPy."""
    def run(ctx: RunContext) -> CheckResult:
        examples = spec.build_symbolic(ctx.rng(f"inv.{spec.key}.sym"))
        k = 2 if ctx.profile.level == 0 else 4
        group = group_for(spec, examples[0], factory)
        Gs = group.exact_sample(ctx.rng(f"inv.{spec.key}.sym.g"), k)
        per_example = []
        for ex in examples:
            gr = group_for(spec, ex, factory)
            per_example.append(inv.symbolic_defects(ex.objective, Gs, gr.exact_generators))
        bad = {f"example {i} {k_}": v for i, d in enumerate(per_example) for k_, v in d.items() if v}
        tol = "exact: every residual expands to the zero polynomial/rational function"
        details = {"group": group.name, "elements": [str(G.tolist()) for G in Gs[:2]], "defects": per_example,
                   "examples": ["fixed generic integer example", "seeded integer example, non-degenerate by construction"]}
        base = dict(instances=len(Gs) * len(examples), tolerance=tol, details=details,
                    scope=f"{len(examples)} exact integer examples (one fixed generic, one seeded, both "
                          f"non-degenerate by construction) x {len(Gs)} exact elements of {group.name}")
        if bad:
            return CheckResult(Verdict.REFUTED, f"SymPy finds nonzero residuals {bad} for {group.name}",
                               counterexample={"group_element": str(Gs[0].tolist())}, **base)
        return CheckResult(Verdict.VERIFIED,
                           f"f(Gx)-f(x), grad/Hessian covariance{' and the tangent identity' if group.exact_generators else ''} "
                           f"are identically 0 for {len(Gs)} exact elements of {group.name} on {len(examples)} examples",
                           **base)
    return run

