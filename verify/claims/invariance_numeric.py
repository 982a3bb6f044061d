"""L7 float64 checks (docs/mathematics.md §L7): hand derivatives against finite differences, covariance
under sampled group elements, stationarity of fixed points and orbit tangents in the Hessian null space.
"""
from __future__ import annotations

from typing import Callable

import math

import numpy as np

from verify import invariance as inv
from verify.claims.base import CheckResult, Verdict
from verify.claims.context import RunContext
from verify.claims.invariance_examples import ExampleSpec, GroupFactory, group_for

COV_TOL = 1e-10     # float64 covariance defects: sums of <= 4-fold products, cond(G) <= 10 -> ~1e-13
FD_TOL = 1e-6       # central differences, h = 1e-5 (1+|x|): truncation ~1e-10, roundoff eps/h ~1e-11
TANGENT_TOL = 1e-9  # ||H xi x|| relative to ||H|| ||xi x||: roundoff ~ d eps ~ 1e-14


def derivatives_check(spec: ExampleSpec) -> Callable[[RunContext], CheckResult]:
    """Hand gradient/Hessian of the example against central differences."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.fd")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        n_pts = 5 if ctx.profile.level == 0 else 20
        errs = [inv.derivative_errors(ex.objective, rng.standard_normal(ex.objective.dim)) for _ in range(n_pts)]
        worst = max(max(e) for e in errs)
        verdict = Verdict.VERIFIED if worst <= FD_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand gradient/Hessian vs central differences: worst relative error {worst:.2e}",
                           instances=n_pts, worst_margin=f"{1 - worst / FD_TOL:.6f}",
                           tolerance=f"{FD_TOL:g} relative (h=1e-5(1+|x|): truncation ~1e-10, roundoff ~1e-11)",
                           details={"worst_gradient": max(e[0] for e in errs), "worst_hessian": max(e[1] for e in errs)})
    return run


def covariance_check(spec: ExampleSpec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    """Batched float64 covariance of value, gradient (G^-T) and Hessian (congruence) under the group."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.cov")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = group_for(spec, ex, factory)
        n_inst = max(20, ctx.profile.instances // 4)
        Gs = group.sample(rng, n_inst)
        worst = {"value": 0.0, "gradient": 0.0, "hessian": 0.0}
        cex = None
        nonfinite = 0  # instances whose defects float64 cannot evaluate (overflow): no agreement, no counterexample
        for G in Gs:
            x = rng.standard_normal(ex.objective.dim)
            d = inv.covariance_defects(ex.objective, G, x)
            if not all(math.isfinite(v) for v in d.values()):
                nonfinite += 1
                continue
            for k_, v in d.items():
                if v > worst[k_]:
                    worst[k_] = v
            if cex is None and max(d.values()) > COV_TOL:
                cex = {"x": x.tolist(), "G": G.tolist(), "defects": d}
        w = max(worst.values())
        if w <= COV_TOL and nonfinite:
            return CheckResult(Verdict.INCONCLUSIVE, f"{group.name}: the covariance defects are not finite in float64 "
                               f"at {nonfinite} of {n_inst} instances (overflow); the finite ones are within "
                               f"{COV_TOL:g}", instances=n_inst - nonfinite,
                               tolerance=f"{COV_TOL:g} relative to the size of the terms",
                               details={"group": group.name, "nonfinite_instances": nonfinite, **worst})
        verdict = Verdict.REFUTED if w > COV_TOL else Verdict.VERIFIED
        return CheckResult(verdict, f"{group.name}: worst relative defects value {worst['value']:.1e}, "
                                    f"gradient {worst['gradient']:.1e}, Hessian {worst['hessian']:.1e}",
                           instances=n_inst, worst_margin=f"{1 - w / COV_TOL:.6f}",
                           tolerance=f"{COV_TOL:g} relative to the size of the terms (cond(G) <= 10, roundoff ~1e-13)",
                           counterexample=cex, details={"group": group.name, **worst})
    return run


def grad_scale(ex: inv.Example, rng: np.random.Generator) -> float:
    """Median gradient norm at random points: the scale gradient residuals are measured against."""
    return float(np.median([np.linalg.norm(ex.objective.grad(rng.standard_normal(ex.objective.dim)))
                            for _ in range(8)]))


def fixed_points_check(spec: ExampleSpec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    """Points fixed by the group have gradient in Fix(G^T) (zero when Fix(G^T) = {0})."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.fix")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = group_for(spec, ex, factory)
        Gs = group.sample(rng, 8)
        fix = inv.fixed_subspace(Gs)
        fixT = inv.fixed_subspace([G.T for G in Gs])
        scale = grad_scale(ex, rng)
        worst, worst_stat = 0.0, 0.0
        pts = [fix @ rng.standard_normal(fix.shape[1]) for _ in range(4)] if fix.shape[1] else [np.zeros(ex.objective.dim)]
        for x in pts:
            g = ex.objective.grad(x)
            # derived: grad f(x) = G^T grad f(x) for fixed x; and = 0 when Fix(G^T) = {0}
            res = max(np.linalg.norm(g - G.T @ g) for G in Gs)
            if fixT.shape[1] == 0:
                res = max(res, np.linalg.norm(g))
            worst = max(worst, res / scale)
        for _, xs in ex.stationary:
            worst_stat = max(worst_stat, np.linalg.norm(ex.objective.grad(xs)) / scale)
        tol = "1e-12 of the median gradient norm at random points (exact zeros up to roundoff)"
        details = {"fixed_dim": int(fix.shape[1]), "fixed_dim_transpose": int(fixT.shape[1]),
                   "worst_fixed": worst, "worst_constructed_stationary": worst_stat}
        if worst_stat > 1e-10:
            return CheckResult(Verdict.INCONCLUSIVE, f"constructed stationary points have |grad| {worst_stat:.1e} "
                               "of scale: internal construction error", tolerance=tol, details=details)
        verdict = Verdict.VERIFIED if worst <= 1e-12 else Verdict.REFUTED
        return CheckResult(verdict, f"fixed subspace of {group.name} has dim {fix.shape[1]}; gradient there "
                                    f"{'in Fix(G^T)' if fixT.shape[1] else 'vanishes'} to {worst:.1e} of scale; "
                                    f"{len(ex.stationary)} constructed stationary points have |grad| <= {worst_stat:.1e}",
                           instances=len(pts), worst_margin=f"{1 - worst / 1e-12:.6f}", tolerance=tol, details=details)
    return run


def orbit_tangent_check(spec: ExampleSpec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    """H xi x = -xi^T grad f, and orbit tangents lie in the Hessian null space at stationary points."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.tan")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = group_for(spec, ex, factory)
        if not group.continuous:
            return CheckResult(Verdict.INCONCLUSIVE, f"{group.name} is finite: no orbit tangents (outside the claim)")
        obj = ex.objective
        worst_id = max(inv.tangent_identity_defect(obj, xi, rng.standard_normal(obj.dim))
                       for xi in group.generators for _ in range(3))
        worst_null = 0.0
        dims = {}
        moved = [(lab, xs) for lab, xs in ex.stationary]
        for G in group.sample(rng, 2):
            moved += [(f"{lab} moved", G @ xs) for lab, xs in ex.stationary]
        for lab, xs in moved:
            H = obj.hess(xs)
            hn = np.linalg.norm(H, 2)
            T = np.array([xi @ xs for xi in group.generators]).T
            for j in range(T.shape[1]):
                if np.linalg.norm(T[:, j]) > 0:
                    worst_null = max(worst_null, np.linalg.norm(H @ T[:, j]) / (hn * np.linalg.norm(T[:, j])))
            e = np.linalg.eigvalsh(H)
            tangent_rank = int(np.linalg.matrix_rank(T, tol=1e-9 * max(1.0, np.linalg.norm(T)))) if T.size else 0
            dims[lab] = {"null": inv.inertia(e, np.abs(e).max()).zero, "orbit_tangent": tangent_rank}
        worst = max(worst_id, worst_null)
        verdict = Verdict.VERIFIED if worst <= TANGENT_TOL else Verdict.REFUTED
        larger = [lab for lab, v in dims.items() if v["null"] > v["orbit_tangent"]]
        return CheckResult(verdict, f"H xi x = -xi^T grad f to {worst_id:.1e}; orbit tangents in the null space at "
                                    f"{len(moved)} stationary points to {worst_null:.1e}; null space strictly larger "
                                    f"than the tangent space at {len(larger)} of them",
                           instances=len(moved), worst_margin=f"{1 - worst / TANGENT_TOL:.6f}",
                           tolerance=f"{TANGENT_TOL:g} relative to ||H|| ||xi x|| (roundoff ~d eps)",
                           details={"null_vs_tangent": dims, "larger_null_space_at": larger})
    return run
