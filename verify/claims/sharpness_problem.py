"""Sharpness claims on a user problem (its loss and penalty formulas): three checks and the shrinker.

- symbolic: the balanced Hessian eigenvalues of ``verify.symbolic.problem`` with λ eliminated through the
  reduction's stationary equation, judged on u = |m|/ρ^L ∈ (1, u*] (``verify.claims.sharpness_exact``),
  u* located to 40 digits from the derived threshold (undecided when it depends on |m|); a refutation needs
  the point confirmed global by mpmath;
- high precision: minimizers and Hessians of ``verify.highprec.problem`` (from the input formulas only) at
  λ below its mpmath threshold;
- numeric: float64 kernels of ``verify.kernels.problem`` at the minimizers of
  ``verify.claims.problem_minimizer``; a mismatch refutes only once mpmath confirms it.
The general route, for every problem the reduction accepts; the named conventions take their own
(``verify.claims.sharpness_convention``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from ..numbers import dec, to_mpf
from ..symbolic.scalar import L_sym, mabs, rho
from .base import Check, CheckResult, Strength, Verdict
from .context import RunContext
from .sampling import draw_targets, instances_per_depth, random_targets, targets_per_depth
from .scope import depth_text
from .scalar_common import ClaimValueError
from .sharpness_common import (LAM, FloatTally, MpmathTally, balanced_flips, chosen_depths, claim_differs, claimed_mp,
                               float_claim, fraction_below, largest_differs, sharpness_checks)
from .shrinking import depth_target_shrinker
from .sharpness_exact import U, judge_depth

if TYPE_CHECKING:
    from ..problems import ScalarProblem

#: |m| (the same object as verify.problems.symbols.MABS)
MABS_P = mabs


def _u_star(problem, depth: int, t, m_value: sp.Rational) -> mpmath.mpf | None:
    """u* = |m|/ρ*^L at a jump threshold, at |m| = m_value, to ~40 digits: ρ* maximizes
    T(ρ) = (A(0) − A(ρ))/B(ρ) (φ_λ = A + λ·B, §P2) on (0, ρ_max); None when T's maximum does not reproduce
    the derived λ* to 25 digits (then the region is not trusted)."""
    from ..problems.reduction import reduce

    red = reduce(problem, depth)
    phi = red.phi.subs(MABS_P, m_value)
    A = phi.subs(LAM, 0)
    B = sp.diff(phi, LAM)
    T = (A.subs(rho, 0) - A) / B if A.subs(rho, 0).is_finite else None
    if T is None:
        return None
    f = sp.lambdify(rho, T, "mpmath")
    df = sp.lambdify(rho, sp.diff(T, rho), "mpmath")
    with mpmath.workdps(50):
        top = to_mpf(red.rho_max.subs(MABS_P, m_value), 50)
        grid = [top * mpmath.mpf(k) / 400 for k in range(1, 400)]
        vals = [f(r) for r in grid]
        k = max(range(len(vals)), key=lambda i: vals[i])
        try:
            r_star = mpmath.findroot(df, (grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]), solver="anderson")
        except (ValueError, ZeroDivisionError):
            return None
        lam_star = t.exact.subs(MABS_P, m_value) if t.exact is not None else None
        ref = to_mpf(lam_star, 50) if lam_star is not None else t.value(m_value, 40)
        if ref is None or abs(f(r_star) - ref) > abs(ref) * mpmath.mpf(10) ** -25:
            return None
        return to_mpf(m_value, 50) / r_star ** depth


def _problem_symbolic(problem, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..problems.reduction import reduce
        from ..symbolic.problem import balanced_hessian_eigenvalues, derive_problem_threshold

        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        chosen = chosen_depths(ctx, depths, min_depth, cap)
        scope = (f"{depth_text(chosen)}, exact eigenvalues per depth; the global minimizers lie in u = |m|/ρ^L ∈ "
                 "(1, u*] (§P3), u* from the derived threshold")
        rows, undecided = {}, {}
        numeric_end: list[int] = []  # depths whose interval end u* was located numerically (agreement, not proof)
        for L in chosen:
            try:
                eig = balanced_hessian_eigenvalues(problem, L)
            except UsageError as exc:
                undecided[str(L)] = str(exc)
                continue
            red = reduce(problem, L)
            sol = sp.solve(red.stationary, LAM)
            if len(sol) != 1:
                undecided[str(L)] = "the stationary equation does not give λ as one function of (ρ, |m|)"
                continue
            lam_of = sol[0]
            to_u = {MABS_P: U * rho**L}
            eig_u = [sp.simplify(e.subs(LAM, lam_of).subs(to_u)) for e, _ in eig]
            claim_u = sp.simplify(sp.sympify(formula).subs(L_sym, L).subs(LAM, lam_of).subs(to_u))
            t = derive_problem_threshold(problem, L)
            lo, hi = sp.Integer(1), sp.oo
            if t.kind == "jump":
                stars = [_u_star(problem, L, t, v) for v in (sp.Integer(1), sp.Integer(2))]
                if None in stars or abs(stars[0] - stars[1]) > abs(stars[0]) * mpmath.mpf(10) ** -25:
                    undecided[str(L)] = ("u* = |m|/ρ*^L was not found, or depends on |m| (the problem is not "
                                         "scale-homogeneous): the set of global minimizers is not one interval in u")
                    continue
                hi = sp.Float(stars[0], 40)
                numeric_end.append(L)

            def point(r, u0, L=L, lam_of=lam_of):
                m0 = u0 * r**L
                return {"depth": L, "rho": str(r), "m": str(m0),
                        "lambda": str(sp.nsimplify(lam_of.subs({rho: r, MABS_P: m0}))), "problem": problem.to_json()}

            out = judge_depth(eig_u, claim_u, lo, hi, point)
            rows[str(L)] = f"eigenvalues {[str(e) for e, _ in eig]}; global minimizers within u ∈ (1, {hi}]"
            if out["outcome"] == "differs":
                out.pop("outcome")
                if _is_global(problem, L, out):
                    return CheckResult(Verdict.REFUTED, f"depth {L}: the claim is not the largest Hessian eigenvalue "
                                       "at a global minimizer (that it is global: mpmath enumeration)",
                                       instances=len(rows), scope=scope, counterexample=out, details={"per_depth": rows})
                undecided[str(L)] = (f"the claim is not the largest eigenvalue at the stationary point {out}, which "
                                     "lies in the region but was not confirmed global")
            elif out["outcome"] == "undecided":
                undecided[str(L)] = out["reason"]
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"not decided symbolically at depths {sorted(undecided)}",
                               instances=len(rows), scope=scope, details={"per_depth": rows, "undecided": undecided})
        # the sign analysis in u is exact, but a jump threshold's end u* is located numerically (to ~40 digits,
        # accepted when it reproduces λ* to 25): there the verdict rests on that agreement, not on a proof
        return CheckResult(Verdict.VERIFIED, f"the claim is exactly the largest eigenvalue on the global minimizers "
                           f"at {depth_text(chosen)}", instances=len(rows),
                           digits=25.0 if numeric_end else float("inf"), scope=scope,
                           strength=Strength.AGREEMENT if numeric_end else None,
                           details={"per_depth": rows, "numeric_interval_end_at_depths": numeric_end},
                           tolerance="u* located to 40 digits, accepted when it reproduces λ* to 25 digits (the sign "
                                     "analysis in u is exact)")
    return run


def _is_global(problem, L: int, where: dict) -> bool:
    """True when the stationary point of a counterexample (ρ, m, λ) is a global minimizer (mpmath, 40 digits)."""
    from ..highprec import problem as hpp

    with mpmath.workdps(40):
        m_mp = to_mpf(sp.sympify(where["m"]), 40)
        lam_mp = to_mpf(sp.sympify(where["lambda"]), 40)
        r = to_mpf(sp.sympify(where["rho"]), 40)
        mins = hpp.global_minimizers(problem, L, m_mp, lam_mp)
        return any(abs(p.rho - r) <= r * mpmath.mpf(10) ** -25 for p in mins)


def _problem_lambda(problem, L: int, m_mp, frac: float, rng) -> tuple:
    """λ = frac·λ*(|m|) (λ* by mpmath; λ = |m|·10^U(−1,1) when there is none), inside ``workdps``."""
    from ..highprec import problem as hpp

    star = hpp.threshold(problem, L, m_mp) if _lam_linear(problem, L) else None
    if star is None:
        return abs(m_mp) * mpmath.mpf(10) ** mpmath.mpf(str(round(float(rng.uniform(-1, 1)), 6))), None
    return star * mpmath.mpf(str(frac)), star


def _lam_linear(problem, L: int) -> bool:
    from ..problems.reduction import reduce

    return reduce(problem, L).lam_linear


def _problem_high_precision(problem, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..highprec import problem as hpp

        work = ctx.dps + 10
        # S2's Hessian is assembled from derivatives at raised precision; agreement to ctx.dps − 10 digits
        # relative to ||H|| is required (eigensolver and ρ are good to ~work digits)
        need = ctx.dps - 10
        rng = ctx.rng(f"sharpness-hp:{problem.label()}")
        cap = {0: 5, 1: 8, 2: 16}[ctx.profile.level]
        chosen = chosen_depths(ctx, depths, min_depth, cap)
        per = min(3, targets_per_depth(ctx.profile.hp_instances, len(chosen)))
        scope = f"{depth_text(chosen)}, {per} targets each at λ = (0.02…0.98)·λ* (mpmath λ*), one sign pattern"
        tally = MpmathTally(formula, work, need, scope, problem.label(), {"problem": problem.to_json()})
        for L in chosen:
            for m in random_targets(rng, per):
                frac = fraction_below(rng)
                with mpmath.workdps(work):
                    m_mp = to_mpf(m, work)
                    lam, _ = _problem_lambda(problem, L, m_mp, frac, rng)
                    for pt in hpp.global_minimizers(problem, L, m_mp, lam):
                        if pt.rho == 0:
                            continue
                        eig = hpp.hessian_eigenvalues(problem, L, pt.w, m_mp, lam)
                        refuted = tally.judge(L, m, lam, pt.rho, {rho: pt.rho, mabs: abs(m_mp), LAM: lam}, eig)
                        if refuted is not None:
                            return refuted
        return tally.verified()
    return run


def _problem_numeric(problem, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..kernels.problem import problem_kernels
        from .problem_minimizer import NUMERIC_MAX_DEPTH, float_kind, float_minimizers

        rng = ctx.rng(f"sharpness-num:{problem.label()}")
        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        chosen = [L for L in chosen_depths(ctx, depths, min_depth, cap) if L <= NUMERIC_MAX_DEPTH]
        n = min(150, instances_per_depth(ctx.profile.instances, len(chosen)))
        scope = (f"{depth_text(chosen)}, {n} random (m, λ) each, λ = 10^(−3…0)·λ*(|m|) (λ* interpolated from mpmath "
                 "thresholds at |m| = 10^-3, 1, 10^3); draws where 0 is global are skipped")
        tol_text = ("4·(32·L·eps·||H|| + ||H||·|∇F|/(λ_min·ρ)) on the largest eigenvalue; a float64 mismatch counts "
                    "only when mpmath confirms it")
        tally = FloatTally(scope, tol_text, {"problem": problem.to_json()})
        for L in chosen:
            kern = problem_kernels(problem, L)
            scale_fn = _lambda_scale(problem, L)
            claim = float_claim(formula, L, (rho, mabs, LAM))
            m = draw_targets(rng, n).floats  # the same draws, rounded once (no SymPy Rationals)
            lam = scale_fn(np.abs(m)) * 10 ** rng.uniform(-3, 0, n)
            f0, best, fb, W, counts = float_minimizers(problem, L, m, lam)
            keep = float_kind(f0, fb, counts, L) == "nonzero"
            tally.skipped += int((~keep).sum())
            idx = np.flatnonzero(keep)
            if idx.size == 0:
                continue
            Wk = W[idx] * balanced_flips(rng, len(idx), L)
            H = kern.hessian(Wk, m[idx], lam[idx])
            G = kern.gradient(Wk, m[idx], lam[idx])
            args = (best[idx], np.abs(m[idx]), lam[idx])
            c = claim(*args)
            refuted = tally.judge(L, H, G, c, m[idx], lam[idx], best[idx],
                                  lambda m_j, lam_j, L=L: _problem_confirm(problem, formula, L, m_j, lam_j, ctx.dps),
                                  route=claim.disagrees(args, c))
            if refuted is not None:
                return refuted
        return tally.result("had 0 as the minimizer or were within rounding")
    return run


def _lambda_scale(problem, L: int):
    """|m| ↦ λ*(|m|) interpolated log-log between mpmath thresholds at |m| = 10^-3, 1, 10^3 (|m| without one):
    only a scale to draw λ below the threshold; which point is global is decided per draw."""
    from ..highprec import problem as hpp

    knots = np.array([1e-3, 1.0, 1e3])
    values = []
    with mpmath.workdps(20):
        for x in knots:
            star = hpp.threshold(problem, L, mpmath.mpf(x)) if _lam_linear(problem, L) else None
            values.append(float(star) if star is not None and star > 0 else x)
    logs = np.log(values)
    # log-log piecewise linear through the knots at log|m| = −log(10^3), 0, log(10^3), extrapolated linearly
    left, right = (logs[1] - logs[0]) / np.log(1e3), (logs[2] - logs[1]) / np.log(1e3)
    return lambda mabs_: np.exp(logs[1] + np.where(np.log(mabs_) < 0, left, right) * np.log(mabs_))


def _problem_confirm(problem, formula: sp.Expr, L: int, m: float, lam: float, dps: int) -> bool:
    """A float64 mismatch re-checked in mpmath at the same (L, m, λ)."""
    from ..highprec import problem as hpp

    work = dps + 10
    with mpmath.workdps(work):
        m_mp, lam_mp = to_mpf(sp.Rational(m), work), to_mpf(sp.Rational(lam), work)
        mins = [p for p in hpp.global_minimizers(problem, L, m_mp, lam_mp)]
        if len(mins) != 1 or mins[0].rho == 0:
            return False
        pt = mins[0]
        eig = hpp.hessian_eigenvalues(problem, L, pt.w, m_mp, lam_mp)
        try:
            c = claimed_mp(formula, L, {rho: pt.rho, mabs: abs(m_mp), LAM: lam_mp}, work)
        except ClaimValueError:  # no real value at a confirmed global minimizer: the claim is wrong there
            return True
        return largest_differs(eig, c, dps // 2)


def _problem_shrinker(problem, formula: sp.Expr, depths, min_depth: int):
    """Smallest depth and simplest m where, at λ = (3/4)·λ* (mpmath), the largest eigenvalue at the global
    minimizer differs from the claim (40 digits)."""
    def at(example):
        from ..highprec import problem as hpp

        L, m_text = example
        with mpmath.workdps(40):
            m_mp = to_mpf(sp.Rational(m_text), 40)
            lam, _ = _problem_lambda(problem, L, m_mp, 0.75, np.random.default_rng(0))
            pts = [p for p in hpp.global_minimizers(problem, L, m_mp, lam) if p.rho > 0]
            if not pts:
                return lam, None, None, m_mp
            return lam, pts[0], hpp.hessian_eigenvalues(problem, L, pts[0].w, m_mp, lam), m_mp

    def differs(example) -> bool:
        lam, pt, eig, m_mp = at(example)
        if pt is None:
            return False
        return claim_differs(formula, example[0], {rho: pt.rho, mabs: abs(m_mp), LAM: lam}, eig)

    def describe(L: int, m_text: str) -> dict:
        lam, pt, eig, _ = at((L, m_text))
        with mpmath.workdps(40):
            return {"depth": L, "m": m_text, "problem": problem.to_json(), "lambda": dec(lam, 30),
                    "rho": dec(pt.rho, 25), "largest_eigenvalue": dec(eig[-1], 25)}
    def pool(ctx: RunContext) -> list[int]:
        return chosen_depths(ctx, depths, min_depth, {0: 5, 1: 8, 2: 16}[ctx.profile.level])
    return depth_target_shrinker(pool, differs, f"sharpness:{problem.label()}", describe, max_examples=30)


def problem_sharpness_checks(problem: ScalarProblem, formula: sp.Expr, depths: Sequence[int] | None,
                             min_depth: int) -> tuple[tuple[Check, ...], Callable[[RunContext], dict | None]]:
    """The three checks and the shrinker of a sharpness claim on a user problem."""
    args = (problem, formula, depths, min_depth)
    checks = sharpness_checks("the claim is the largest exact eigenvalue on the global minimizers",
                              _problem_symbolic(*args), _problem_high_precision(*args), _problem_numeric(*args))
    return checks, _problem_shrinker(*args)


# ------------------------------------------------------------------ the factory
