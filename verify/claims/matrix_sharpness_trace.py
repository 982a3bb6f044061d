"""Sharpness in both of its usual meanings at the same minimizers (docs/mathematics.md §K8 item 5).

At a global minimizer the Hessian H of F is positive semidefinite, so its largest eigenvalue λ_max and its trace
satisfy λ_max ≤ tr H ≤ n·λ_max (n parameters). These checks relate the claimed λ_max (the claim's formula) to §K6's
closed form of the trace at minimizers (``matrix_trace_formula.trace_formula`` at the aligned balanced point, times
the claimed ``trace_constant`` on its data term), and show at each tier that both are the same at every gauge of a
minimizer: the trace of the Hessian (from the definition / the hand-derived dense Hessian) at each gauge equals the
closed form, and the Hessian's spectrum (hence λ_max) is the same at the gauges tried.
"""
from __future__ import annotations

from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp

from ..highprec.eigen import symmetric_eigenvalues
from ..landscape.deep_matrix import construct_minimizer, end_to_end_minimizer, hessian
from ..landscape.instances import cayley_orthogonal, reference_b
from ..landscape.matrix_hessian_exact import charpoly, exact_hessian, expand_second_order, real_field
from ..landscape.matrix_hessian_minimizers import exact_cases, gauge_point
from ..landscape.reduction import solve_scalar_mp
from .base import CheckResult, Verdict
from .closed_form import exact
from .context import RunContext
from .formula_values import float_route_inconclusive
from .property_exact import exact_sign
from .matrix_common import EPS, NEAR_TIE_GAP
from .matrix_trace_formula import trace_at_minimizer, trace_formula


def _refute(summary: str, row: dict, tolerance: str, scope: str, n: int) -> CheckResult:
    return CheckResult(Verdict.REFUTED, summary, counterexample=row, tolerance=tolerance, instances=n, scope=scope)


def symbolic_trace_check(claimed: Any, vocabulary: tuple, trace_constant: Any, depths_of: Callable) \
        -> Callable[[RunContext], CheckResult]:
    """Exact: at each rational minimizer (rotated or sign-flipped gauge) and at its aligned gauge, the Hessians have
    the same characteristic polynomial (λ_max and trace are gauge-invariant), the trace equals §K6's closed form at
    the aligned point, and claimed λ_max ≤ trace ≤ n·claimed λ_max."""
    k = exact(trace_constant)

    def run(ctx: RunContext) -> CheckResult:
        depths = depths_of(ctx, (3, 4, 5))
        rows = []
        tol = "exact (rational arithmetic; characteristic polynomials compared exactly)"
        for L in depths:
            for case in exact_cases(L, claimed.conv, vocabulary):
                dims = tuple([case.Ws[0].cols] + [W.rows for W in case.Ws])
                aligned, M0 = gauge_point(list(case.rhos), list(case.sigma), dims, [sp.eye(d) for d in dims])
                H = case.hessian()[1]
                H0 = exact_hessian(aligned, M0, case.a, case.b)[1]
                n = H.rows
                tr = H.trace()
                T = trace_formula(aligned, case.a, case.b, k)
                lam = claimed.exact(L, case.values)
                row = {"depth": L, "case": case.name, "gauge": case.gauge, "parameters": n, "trace": str(tr),
                       "K6 closed form": str(T), "claimed λ_max": str(lam)[:120]}
                rows.append(row)
                scope = f"stopped at depth {L}, case {case.name!r}"
                if charpoly(H) != charpoly(H0):
                    return _refute(f"L={L}, {case.name}: the Hessian spectrum differs between the {case.gauge} gauge and "
                                   "the aligned one", row, tol, scope, len(rows))
                if tr != T:
                    return _refute(f"L={L}, {case.name}: the Hessian trace {tr} ≠ §K6's closed form {T} at this "
                                   "minimizer", row, tol, scope, len(rows))
                if not lam.is_number or lam.is_real is not True:
                    return _refute(f"L={L}, {case.name}: the claimed λ_max has no real value ({lam})", row, tol, scope,
                                   len(rows))
                signs = (exact_sign(T - lam), exact_sign(n * lam - T))  # exact: strict evalf or a minimal polynomial
                if -1 in signs:
                    return _refute(f"L={L}, {case.name}: λ_max ≤ trace ≤ n·λ_max fails for the claimed λ_max = "
                                   f"{sp.N(lam, 15)} and the trace {T} (n = {n})", row, tol, scope, len(rows))
                if None in signs:
                    return CheckResult(Verdict.INCONCLUSIVE, f"L={L}, {case.name}: SymPy could not decide λ_max ≤ "
                                       f"trace ≤ n·λ_max for the claimed λ_max = {sp.N(lam, 15)} and the trace {T}",
                                       instances=len(rows), tolerance=tol, scope=scope, details={"rows": rows})
        return CheckResult(
            Verdict.VERIFIED, "exact: at every rational minimizer the Hessian spectrum is the same at the rotated or "
            "sign-flipped gauge and at the aligned one, its trace is §K6's closed form, and claimed λ_max ≤ trace ≤ "
            "n·λ_max", instances=len(rows), tolerance=tol, details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, {len(rows)} rational minimizers (the regimes of the symbolic "
                  "sharpness check), two gauges each, widths 3 × 3 × 2 × … × 2")
    return run


def hp_trace_check(claimed: Any, trace_constant: Any, depths_of: Callable) -> Callable[[RunContext], CheckResult]:
    """``dps`` digits: one random 2×3 target per depth (two kept directions), the minimizer from the scalar
    reduction at dps + 20 digits, at the aligned gauge and a rational rotation: the mpmath spectra agree (λ_max
    and trace), the trace equals §K6's closed form, and claimed λ_max ≤ trace ≤ n·claimed λ_max."""
    k = exact(trace_constant)

    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("kp.sharpness.matrix.trace.hp")
        dps, work = ctx.dps, ctx.dps + 20
        depths = depths_of(ctx, (2, 4, 5))
        rows = []
        tol_text = f"10^-({dps}-10)·max(||H||, 1) on spectra and traces (the point carries {work} digits)"
        for L in depths:
            a = sp.Rational(claimed.conv.a)
            s1 = float(rng.uniform(2.0, 5.0))
            s2 = s1 * float(rng.uniform(0.7, 0.99))
            b = sp.Rational(f"{float(rng.uniform(0.1, 0.6)) * reference_b(L, float(a), s2):.10g}")
            sigma = [sp.Rational(f"{s1:.10g}"), sp.Rational(f"{s2:.10g}")]
            dims = (3, 3) + (2,) * (L - 1)
            with mpmath.workdps(work):
                sols = [solve_scalar_mp(s, L, a, b, dps) for s in sigma]
                if any(sol.tie or sol.gap < mpmath.mpf(10) ** -6 or sol.x == 0 for sol in sols):
                    continue
                rhos = [sp.Float(sol.x ** (mpmath.mpf(1) / L), work) for sol in sols]
                spectra, traces = [], []
                for gauges in ([sp.eye(d) for d in dims], [cayley_orthogonal(rng, d) for d in dims]):
                    Ws, M = gauge_point(rhos, sigma, dims, gauges)
                    Ws = [W.evalf(work) for W in Ws]
                    _, H = expand_second_order(Ws, M, a, b, real_field(work))
                    Hm = [[mpmath.mpf(x) for x in r] for r in H]
                    spectra.append(symmetric_eigenvalues(Hm))
                    traces.append(sum(Hm[i][i] for i in range(len(Hm))))
                    if len(traces) == 1:
                        T = mpmath.mpf(sp.N(trace_formula(Ws, a, b, k), work))  # k may be irrational (sqrt(2))
                n = len(spectra[0])
                norm = max(max(abs(e) for e in spectra[0]), mpmath.mpf(1))
                tol = mpmath.mpf(10) ** (-(dps - 10)) * norm
                voc = (mpmath.mpf(sols[0].x) ** (mpmath.mpf(1) / L), mpmath.mpf(sols[1].x) ** (mpmath.mpf(1) / L),
                       *(mpmath.mpf(v.p) / v.q for v in (sigma[0], sigma[1], a, b)))
                lam = claimed.mp(L, voc)
                spread = max(abs(x - y) for x, y in zip(*spectra))
                row = {"depth": L, "sigma": [str(s) for s in sigma], "b": str(b), "parameters": n,
                       "trace (2 gauges)": [mpmath.nstr(t, 25) for t in traces], "K6 closed form": mpmath.nstr(T, 25),
                       "largest eigenvalue (2 gauges)": [mpmath.nstr(s[-1], 25) for s in spectra],
                       "claimed λ_max": mpmath.nstr(lam, 25), "spectrum spread": mpmath.nstr(spread, 5)}
                rows.append(row)
                scope = f"stopped at depth {L}"
                if spread > tol:
                    return _refute(f"L={L}: the Hessian spectrum differs between two gauges by {mpmath.nstr(spread, 5)}",
                                   row, tol_text, scope, len(rows))
                if max(abs(t - T) for t in traces) > tol:
                    return _refute(f"L={L}: the Hessian trace {mpmath.nstr(traces[0], 20)} ≠ §K6's closed form "
                                   f"{mpmath.nstr(T, 20)}", row, tol_text, scope, len(rows))
                if not mpmath.isfinite(lam) or not (lam - tol <= T <= n * lam + tol):
                    return _refute(f"L={L}: λ_max ≤ trace ≤ n·λ_max fails for the claimed λ_max = {mpmath.nstr(lam, 15)} "
                                   f"and the trace {mpmath.nstr(T, 15)} (n = {n})", row, tol_text, scope, len(rows))
        if not rows:
            return CheckResult(Verdict.INCONCLUSIVE, "every drawn target was a near tie or dropped: no minimizer checked",
                               instances=0, tolerance=tol_text, scope=f"depths {depths[0]}–{depths[-1]}, none kept")
        return CheckResult(
            Verdict.VERIFIED, f"at {dps} digits the Hessian spectrum (λ_max and trace) is the same at two gauges, the "
            "trace is §K6's closed form, and claimed λ_max ≤ trace ≤ n·λ_max", instances=len(rows),
            digits=float(dps - 10), tolerance=tol_text, details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, one random 2×3 target per depth (two kept directions), aligned "
                  "and rational-rotation gauges")
    return run


def numeric_trace_check(claimed: Any, trace_constant: Any, depths_of: Callable, instance: Callable,
                        sign_flip: Callable) -> Callable[[RunContext], CheckResult]:
    """float64: at constructed minimizers (two Haar gauges and a sign flip) the dense Hessian's largest eigenvalue
    and trace are the same at every gauge, the trace is ``trace_at_minimizer`` (§K6), and claimed λ_max ≤ trace ≤
    n·claimed λ_max."""
    k = float(trace_constant)  # float64 tier: an exact claimed constant enters as its nearest double

    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("kp.sharpness.matrix.trace.numeric")
        depths = depths_of(ctx, (5, 6, 8))
        count = max(12, ctx.profile.instances // 100)
        rows, done, worst = [], 0, 0.0
        probed: dict[int, int] = {}
        tol_text = "100·n·eps·||H||_F on traces and eigenvalues (summation and eigvalsh backward error)"
        for i in range(count):
            L = depths[(i // 4) % len(depths)]
            M, a, b, dims, regime = instance(rng, L, claimed.conv, i)
            e2e = end_to_end_minimizer(M, L, a, b)
            if e2e.rank == 0 or np.any(e2e.gap < NEAR_TIE_GAP):
                continue
            tops, traces = [], []
            for g in range(3):
                c = construct_minimizer(M, L, a, b, dims[1:-1], rng, e2e=e2e)
                H = hessian(c.Ws if g < 2 else sign_flip(c.Ws, rng), M, a, b)
                tops.append(float(np.linalg.eigvalsh(H)[-1]))
                traces.append(float(np.trace(H)))
            n = H.shape[0]
            T = trace_at_minimizer(e2e.s, dims, a, b, k)
            s = np.sort(e2e.s)[::-1]
            sig = np.sort(e2e.sigma)[::-1]
            voc = (float(s[0] ** (1.0 / L)), float(s[1] ** (1.0 / L)) if s.size > 1 and s[1] > 0 else 0.0,
                   float(sig[0]), float(sig[1]) if sig.size > 1 else 0.0, a, b)
            lam = claimed.float(L, voc)
            tol = 100 * n * EPS * float(np.linalg.norm(H))
            probed[L] = probed.get(L, 0) + 1
            if probed[L] <= claimed.FLOAT_PROBES:
                route = claimed.float_disagrees(L, voc, lam, max(abs(t) for t in tops))
                if route is not None:
                    return float_route_inconclusive(f"L={L}", route, done)
            err = max(abs(t - T) for t in traces)
            worst = max(worst, err / tol, (max(tops) - min(tops)) / tol)
            done += 1
            row = {"depth": L, "dims": list(dims), "regime": regime, "traces (3 gauges)": [repr(t) for t in traces],
                   "K6 closed form": repr(T), "largest eigenvalues (3 gauges)": [repr(t) for t in tops],
                   "claimed λ_max": repr(lam), "parameters": n}
            if len(rows) < 10:
                rows.append(row)
            scope = f"stopped at instance {done} (depth {L})"
            if max(tops) - min(tops) > tol or max(traces) - min(traces) > tol:
                return _refute(f"L={L}: λ_max or the trace differs between gauges of one minimizer", row, tol_text,
                               scope, done)
            if err > tol:
                return _refute(f"L={L}, dims {dims}: the Hessian trace {traces[0]!r} ≠ §K6's closed form {T!r}", row,
                               tol_text, scope, done)
            if not np.isfinite(lam) or not (lam - tol <= T <= n * lam + tol):
                return _refute(f"L={L}: λ_max ≤ trace ≤ n·λ_max fails for the claimed λ_max = {lam!r} and the trace "
                               f"{T!r} (n = {n})", row, tol_text, scope, done)
        if not done:
            return CheckResult(Verdict.INCONCLUSIVE, "every drawn target was a near tie or dropped: no minimizer checked",
                               instances=0, tolerance=tol_text, scope=f"depths {depths[0]}–{depths[-1]}, none kept")
        return CheckResult(
            Verdict.VERIFIED, f"float64: at {done} constructed minimizers λ_max and the trace are the same at three "
            "gauges, the trace is §K6's closed form and claimed λ_max ≤ trace ≤ n·λ_max", instances=done,
            worst_margin=f"{worst:.3f} of tolerance", tolerance=tol_text, details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, {done} random targets (distinct, close, repeated, dropped near "
                  "the threshold), widths 1–4, two Haar gauges and a sign flip each")
    return run
