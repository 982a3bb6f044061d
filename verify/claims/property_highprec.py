"""High-precision tier of the property kind: points found in mpmath, the relation decided by intervals.

Points: a named convention goes through ``verify.highprec.scalar`` (hand-derived gradient and Hessian, all
stationary radii bracketed and solved); a user problem through ``verify.highprec.problem`` (S2: stationary points,
global minimizers, local minima and the Hessian where every w_l ≠ 0, from the problem's definition). The gradient
of a user problem is the exact derivative of its two input formulas (chain rule through the product), evaluated in
mpmath; so is its Hessian at a point with a zero coordinate (reached only when the penalty is smooth at 0), by the
product rule H_ii = loss''·P_i² + penalty_i'', H_ij = loss''·P_i·P_j + loss'·P_ij (P_i, P_ij: the product without
w_i, without w_i and w_j).

Every quantity is computed at dps + 20 digits and trusted to 10^(−dps) relative to its scale (|F(w)| + |F(0)| for
the objective, |value| for product and layer norms, ‖H‖_F for Hessian quantities, ‖H‖_F·‖w‖ + ‖∇F‖ for the
gradient norm, the error of a stationary point's coordinates times the Hessian): 20 digits of headroom for the
conditioning of the roots and of the symmetric eigensolver. The relation is then decided over those intervals.
"""
from __future__ import annotations

import functools
from typing import Any, Callable

import mpmath
import sympy as sp
from mpmath import mpf

from ..highprec import scalar as hps
from ..numbers import dec, to_mpf
from .base import CheckResult
from .context import RunContext
from .property import (EIGEN_QUANTITIES, Instance, Judged, PointResult, PropertySpec, excluded_reason, judge, plan,
                       random_points, summarize)
from .sampling import targets_per_depth
from .scope import depth_text

HEADROOM = 20


def _m_lam(inst: Instance, work: int) -> tuple[mpf, mpf]:
    return to_mpf(inst.m, work), to_mpf(inst.lam, work)


@functools.lru_cache(maxsize=64)
def _user_functions(problem: Any, depth: int) -> tuple[Callable, Callable, Callable]:
    """(loss(p, m), dloss/dp(p, m), [penalty_l(w, lam)], [dpenalty_l/dw(w, lam)]) as mpmath callables."""
    from ..problems.symbols import DEPTH, LAM, LAYER, M, P, W

    loss = sp.lambdify((P, M), problem.loss, "mpmath")
    dloss = sp.lambdify((P, M), sp.diff(problem.loss, P), "mpmath")
    pens, dpens = [], []
    for layer in range(1, depth + 1):
        pen = problem.penalty.subs({LAYER: layer, DEPTH: depth})
        pens.append(sp.lambdify((W, LAM), pen, "mpmath"))
        dpens.append(sp.lambdify((W, LAM), sp.diff(pen, W), "mpmath"))
    return loss, dloss, tuple(pens), tuple(dpens)


@functools.lru_cache(maxsize=64)
def _second_derivatives(problem: Any, depth: int) -> tuple[Callable, tuple[Callable, ...]]:
    """(d²loss/dp²(p, m), [d²penalty_l/dw²(w, lam)]) as mpmath callables (penalties smooth where used)."""
    from ..problems.symbols import DEPTH, LAM, LAYER, M, P, W

    d2loss = sp.lambdify((P, M), sp.diff(problem.loss, P, 2), "mpmath")
    d2pens = tuple(sp.lambdify((W, LAM), sp.diff(problem.penalty.subs({LAYER: layer, DEPTH: depth}), W, 2),
                               "mpmath") for layer in range(1, depth + 1))
    return d2loss, d2pens


class _Route:
    """Objective, gradient, Hessian and the point sets of one (problem, L, m, λ) at the working precision."""

    def __init__(self, spec: PropertySpec, inst: Instance, work: int) -> None:
        self.spec, self.inst, self.work = spec, inst, work
        self.L = inst.depth
        self.m, self.lam = _m_lam(inst, work)
        self.conv = spec.problem.convention
        if self.conv is not None:
            from ..conventions import get_convention

            c = get_convention(self.conv)
            self.a = to_mpf(c.a, work)
            self.b = to_mpf(c.b_over_lam(self.L) * inst.lam, work)
        else:
            from ..highprec import problem as hpp

            self.hpp = hpp
            self.fns = _user_functions(spec.problem, self.L)

    def objective(self, w) -> mpf:
        if self.conv is not None:
            return hps.objective(w, self.m, self.a, self.b)
        loss, _, pens, _ = self.fns
        return loss(mpmath.fprod(w), self.m) + mpmath.fsum(pen(x, self.lam) for pen, x in zip(pens, w))

    def gradient(self, w) -> list[mpf]:
        if self.conv is not None:
            return hps.gradient(w, self.m, self.a, self.b)
        _, dloss, _, dpens = self.fns
        d = dloss(mpmath.fprod(w), self.m)
        return [d * mpmath.fprod(w[:i] + w[i + 1:]) + dpens[i](w[i], self.lam) for i in range(len(w))]

    def hessian(self, w) -> mpmath.matrix:
        if self.conv is not None:
            return hps.hessian(w, self.m, self.a, self.b)
        if all(x != 0 for x in w):
            return self.hpp.hessian(self.spec.problem, self.L, list(w), self.m, self.lam)
        # S2 differentiates only where every w_l ≠ 0; at a point with a zero coordinate (reached only for a
        # penalty smooth at 0) the product rule on the input formulas: H_ii = loss''·P_i² + penalty_i'',
        # H_ij = loss''·P_i·P_j + loss'·P_ij
        _, dloss, _, _ = self.fns
        d2loss, d2pens = _second_derivatives(self.spec.problem, self.L)
        P = mpmath.fprod(w)
        n = len(w)
        Pi = [mpmath.fprod(w[:i] + w[i + 1:]) for i in range(n)]
        H = mpmath.matrix(n, n)
        for i in range(n):
            H[i, i] = d2loss(P, self.m) * Pi[i] ** 2 + d2pens[i](w[i], self.lam)
            for j in range(i + 1, n):
                Pij = mpmath.fprod(w[k] for k in range(n) if k not in (i, j))
                H[i, j] = H[j, i] = d2loss(P, self.m) * Pi[i] * Pi[j] + dloss(P, self.m) * Pij
        return H

    def candidates(self, points: str) -> list[tuple[str, list[mpf], str]]:
        """[(label, w, membership)] of the point set, one point per sign orbit; membership "yes", or "test" for a
        convention's stationary point whose local minimality the caller decides from the Hessian."""
        if self.conv is not None:
            signs = hps.canonical_signs(self.L, self.m)
            if points == "global_minimizers":
                classes = hps.global_minimizers(self.L, self.m, self.a, self.b)
            else:
                classes = hps.stationary_classes(self.L, self.m, self.a, self.b)
            member = "test" if points == "local_minima" else "yes"
            return [(_label(c.rho), c.point(signs), member) for c in classes]
        finder = {"stationary": self.hpp.stationary_points, "global_minimizers": self.hpp.global_minimizers,
                  "local_minima": self.hpp.local_minima}[points]
        return [(_label(p.rho), list(p.w) if p.rho != 0 else [mpf(0)] * self.L, "yes")
                for p in finder(self.spec.problem, self.L, self.m, self.lam)]


def _label(rho: mpf) -> str:
    return "the point 0" if rho == 0 else f"the stationary point of radius ρ = {mpmath.nstr(rho, 15)}"


def _quantities(route: _Route, w: list[mpf], spec: PropertySpec, dps: int) -> dict[str, tuple[mpf, mpf]]:
    """Every quantity the relation uses, with its absolute band (module docstring)."""
    rel = mpf(10) ** (-dps)
    out: dict[str, tuple[mpf, mpf]] = {}
    absw = [abs(x) for x in w]
    used = spec.used
    if "objective" in used:
        F = route.objective(w)
        out["objective"] = (F, rel * (abs(F) + abs(route.objective([mpf(0)] * len(w)))))
    if "product" in used:
        p = mpmath.fprod(w)
        out["product"] = (p, rel * abs(p))
    for name, v in (("layer_norm_sum", mpmath.fsum(absw)), ("layer_norm_max", max(absw)),
                    ("layer_norm_min", min(absw))):
        if name in used:
            out[name] = (v, rel * v)
    if spec.needs_gradient:
        H = route.hessian(w)
        n = len(w)
        hnorm = mpmath.sqrt(mpmath.fsum(H[i, j] ** 2 for i in range(n) for j in range(n)))
        if "grad_norm" in used:
            g = mpmath.norm(route.gradient(w))
            out["grad_norm"] = (g, rel * (hnorm * mpmath.norm(w) + g))
        if "trace" in used:
            out["trace"] = (mpmath.fsum(H[i, i] for i in range(n)), rel * hnorm)
        if used & EIGEN_QUANTITIES:
            E = sorted(mpmath.eigsy(H, eigvals_only=True))
            for name, v in (("hess_min", E[0]), ("hess_max", E[-1]), ("hess_min_orbit", E[0])):
                if name in used:
                    out[name] = (v, rel * hnorm)
    return out


def _local_member(route: _Route, w: list[mpf], dps: int, smooth: bool) -> str:
    """Local minimality of a stationary point of a convention (smooth): Hessian positive definite -> yes,
    an eigenvalue below −band -> no, else maybe (a degenerate point that second order does not decide)."""
    H = route.hessian(w)
    n = len(w)
    hnorm = mpmath.sqrt(mpmath.fsum(H[i, j] ** 2 for i in range(n) for j in range(n)))
    E = mpmath.eigsy(H, eigvals_only=True)
    lo = min(E[i] for i in range(n))
    band = mpf(10) ** (-dps) * hnorm
    return "yes" if lo > band else "no" if lo < -band else "maybe"


def evaluate(spec: PropertySpec, inst: Instance, dps: int, smooth: bool) -> list[tuple[PointResult, Judged | None]]:
    """The points of ``spec.points`` at ``inst``, each with its values and the relation judged there (None:
    excluded, the reason in PointResult.undefined). Runs in its own mpmath.workdps(dps + HEADROOM)."""
    work = dps + HEADROOM
    out = []
    with mpmath.workdps(work):
        route = _Route(spec, inst, work)
        if spec.points == "random":
            pts = [(f"random point {k + 1}", [to_mpf(x, work) for x in w], "yes")
                   for k, w in enumerate(random_points(spec, inst))]
        else:
            pts = []
            for label, w, member in route.candidates(spec.points):
                if member == "test":
                    member = _local_member(route, w, dps, smooth)
                if member != "no":
                    pts.append((label, w, member))
        for label, w, member in pts:
            why = excluded_reason(spec, smooth, w)
            wtext = tuple(dec(x, 25) for x in w)
            if why:
                out.append((PointResult(label, member, wtext, {}, why), None))
                continue
            values = _quantities(route, w, spec, dps)
            point = PointResult(label, member, wtext, values)
            out.append((point, judge(spec, inst, values, prec_bits=int(work * 3.33) + 20)))
    return out


def smooth_at_zero(spec: PropertySpec, depth: int) -> bool:
    from ..problems.reduction import reduce

    return reduce(spec.problem, depth).smooth_at_zero


def highprec_check(spec: PropertySpec) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        depths = spec.chosen_depths(ctx)
        per = targets_per_depth(ctx.profile.hp_instances, len(depths))
        instances = plan(spec, ctx, "hp", per, depths)
        rows = []
        route = "verify.highprec.scalar" if spec.problem.convention else "verify.highprec.problem"
        scope = (f"{depth_text(depths)}, {per} (m, λ) each ({spec.describe_ranges()}, corners included); "
                 f"points from {route}")
        tol = (f"quantities at {ctx.dps + HEADROOM} digits, each trusted to 10^-{ctx.dps} of its scale "
               "(|F|+|F(0)|; |value|; ‖H‖_F; ‖H‖_F·‖w‖+‖∇F‖); relation decided by interval arithmetic"
               + (f"; == within relative tolerance {spec.tolerance}" if spec.tolerance is not None else ""))
        for inst in instances:
            for point, judged in evaluate(spec, inst, ctx.dps, smooth_at_zero(spec, inst.depth)):
                rows.append((inst, point, judged))
                if judged is not None and judged.status == "violated" and point.member == "yes":
                    return summarize(spec, rows, len(instances), scope, tol, refuting=(inst, point, judged))
        return summarize(spec, rows, len(instances), scope, tol)
    return run


def confirm(spec: PropertySpec, inst: Instance, dps: int = 30) -> tuple[str, Any]:
    """Is the relation violated at a member point of ``inst`` in mpmath? ("violated", (point, judged)),
    ("holds", None) or ("undecided", reason)."""
    results = evaluate(spec, inst, dps, smooth_at_zero(spec, inst.depth))
    undecided = None
    for point, judged in results:
        if judged is None:
            continue
        if judged.status == "violated" and point.member == "yes":
            return "violated", (point, judged)
        if judged.status != "holds":
            undecided = judged.reason or f"{point.label}: {judged.status}"
    return ("undecided", undecided) if undecided else ("holds", None)

