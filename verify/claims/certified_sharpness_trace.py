"""Certified tier of the matrix sharpness claim's second meaning (docs/mathematics.md §K8 item 5): the Hessian trace.

At the certified global minimizers of ``verify.claims.certified_sharpness`` (the same construction, its own draws),
the trace of the Hessian ball (its diagonal summed, rigorous) must meet §K6's closed form with the claimed constant
(``matrix_trace_formula.trace_formula`` evaluated on the ball layers), and the claimed λ_max must satisfy
λ_max ≤ trace ≤ n·λ_max for that trace ball (a positive semidefinite Hessian of n parameters). Disjoint balls, or
an inequality that fails for every point of the balls, refute; a match needs the balls narrower than 10^-D relative.
"""
from __future__ import annotations

from typing import Any, Callable

import sympy as sp

from .base import CheckResult, Strength, Verdict
from .certified_sharpness import certified_point, claimed_ball, plan
from .closed_form import exact
from .context import RunContext
from .matrix_trace_formula import trace_formula


def certified_trace_check(claimed, vocabulary: tuple[sp.Symbol, ...], trace_constant: Any,
                          depths_of: Callable[[RunContext, tuple[int, int, int]], list[int]]
                          ) -> Callable[[RunContext], CheckResult]:
    """Certified "both meanings": tr ∇²F = §K6's closed form (data term × ``trace_constant``) and claimed
    λ_max ≤ trace ≤ n·λ_max at certified global minimizers (module docstring)."""
    k = exact(trace_constant)

    def run(ctx: RunContext) -> CheckResult:
        from ..certified.arb import to_arb, workprec
        from ..certified.spectrum import ball_text, resolved

        D, prec, depths, per_depth, head = plan(ctx, depths_of)
        rng = ctx.rng("kp.sharpness.matrix.certified.trace")
        a = sp.Rational(claimed.conv.a)
        scope = (f"{head}; the Hessian ball's trace and §K6's closed form at the certified minimizer (reduction of §K2 "
                 "taken as established); for these instances")
        tol = (f"no tolerance: refuted when the trace's ball and the closed form's are disjoint, or when λ_max ≤ trace "
               f"≤ n·λ_max fails for every point of the balls; decided when the balls are narrower than 10^-{D} "
               f"relative (Arb at {prec} bits)")
        rows: list[dict[str, Any]] = []
        for count in range(len(depths) * per_depth):
            L = depths[count // per_depth]
            with workprec(prec):
                where, pt, why = certified_point(rng, L, a, count, prec)
                if pt is None:
                    return CheckResult(Verdict.INCONCLUSIVE, f"L={L}: {why}", instances=len(rows), scope=scope,
                                       tolerance=tol, counterexample=where)
                H, n = pt.H, pt.H.nrows()
                trace = sum((H[i, i] for i in range(n)), to_arb(0))
                closed = trace_formula(pt.Ws, to_arb(a), to_arb(pt.b), k)
                lam = claimed_ball(claimed, vocabulary, L, pt, a, len(rows), scope, tol, where)
                if isinstance(lam, CheckResult):
                    return lam
                row = {**where, "parameters": n, "trace": ball_text(trace, D + 3), "K6 closed form":
                       ball_text(closed, D + 3), "claimed λ_max": ball_text(lam, D + 3)}
                if not trace.overlaps(closed):
                    why = f"the Hessian's trace lies in {trace.str(15)}, §K6's closed form is {closed.str(15)}"
                elif trace < lam or trace > n * lam:
                    why = f"λ_max ≤ trace ≤ n·λ_max fails for the claimed λ_max {lam.str(15)}, trace {trace.str(15)}, n = {n}"
                else:
                    why = ""
                if why:
                    return CheckResult(Verdict.REFUTED, f"L={L} ({pt.regime}): {why}", instances=len(rows) + 1,
                                       scope=scope, tolerance=tol, counterexample=row)
                if not (all(resolved(x, 10.0 ** -D) for x in (trace, closed, lam))
                        and lam <= trace and trace <= n * lam):
                    return CheckResult(Verdict.INCONCLUSIVE, f"L={L} ({pt.regime}): balls too wide to decide at "
                                       f"10^-{D} relative", instances=len(rows), scope=scope, tolerance=tol,
                                       counterexample=row)
            rows.append(row)
        return CheckResult(
            Verdict.VERIFIED, f"at {len(rows)} certified global minimizers the Hessian's trace meets §K6's closed form "
            f"(relative width ≤ 10^-{D}) and claimed λ_max ≤ trace ≤ n·λ_max holds for every point of the balls",
            instances=len(rows), digits=float(D), scope=scope, tolerance=tol, details={"rows": rows},
            strength=Strength.CERTIFIED)
    return run
