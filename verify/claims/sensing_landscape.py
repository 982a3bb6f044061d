"""L6 landscape checks (docs/mathematics.md §L6): F's saddles stay strict for G in the regime the
Hessian-distance bound guarantees (float64 and a ctx.dps-digit Newton saddle), and G has no spurious
local minimum on Gaussian operators with delta_full below the claimed constant.
"""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np
from scipy.optimize import minimize

from verify import sensing as sen
from verify.claims.base import CheckResult, Verdict
from verify.claims.context import RunContext
from verify.claims.sensing_common import CLEAR, SensingParams, n_instances, sensing_instance
from verify.highprec.eigen import symmetric_eigenvalues
from verify.numbers import dec


def strict_saddles_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """F's saddles stay strict for G where lambda_min(hess F) + bound(delta_full) < 0."""
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        rows, bad, guaranteed, newton_fail = [], None, 0, 0
        for i in range(n_instances(ctx)):
            inst = sensing_instance(ctx, p, i)
            for A in inst.ensembles:
                full = sen.full_isometry_constant(A)
                for pt in inst.points:
                    if pt.global_min:
                        continue
                    HF = sen.f_hess(pt.X, inst.M, cf)
                    lF = float(np.linalg.eigvalsh(HF)[0])
                    hd = inst.distance(A, pt, cf)
                    bnd = sen.distance_bound(cf, a, b, full, full, hd.x_norm2, hd.e_norm)
                    HG = sen.g_hess(A, pt.X, inst.M, cf)
                    lG = float(np.linalg.eigvalsh(HG)[0])
                    XG, grel, its = sen.newton_stationary(A, pt.X, inst.M, cf)
                    HGG = sen.g_hess(A, XG, inst.M, cf)
                    lGG = float(np.linalg.eigvalsh(HGG)[0])
                    hdG = sen.hessian_distance(A, XG, inst.M, cf)
                    bG = sen.distance_bound(cf, a, b, full, full, hdG.x_norm2, hdG.e_norm)
                    lFG = float(np.linalg.eigvalsh(sen.f_hess(XG, inst.M, cf))[0])
                    in_regime = bnd < -lF and lFG + bG < 0
                    converged = grel <= 1e-11
                    if not converged:
                        newton_fail += 1
                    if in_regime:
                        guaranteed += 1
                        scale = sen.spectral_norm(HGG)
                        if (lG >= 0 or (converged and lGG >= -CLEAR * scale)) and bad is None:
                            bad = {"m": A.m, "point": pt.label, "lambda_min_G_at_F_saddle": lG,
                                   "lambda_min_G_at_G_stationary": lGG, "bound": bnd}
                    if i == 0:
                        rows.append({"m": A.m, "point": pt.label, "delta_full": round(full, 4),
                                     "lambda_min_F": round(lF, 5), "lambda_min_G_at_F_saddle": round(lG, 5),
                                     "lambda_min_G_at_newton_point": round(lGG, 5),
                                     "newton_grad_rel": float(f"{grel:.2e}"), "newton_iters": its,
                                     "newton_move": round(float(np.linalg.norm(XG - pt.X)), 5),
                                     "G_at_newton_point": float(f"{sen.g_value(A, XG, inst.M, cf):.4e}"),
                                     "guaranteed_by_bound": bool(in_regime)})
        tol = (f"strict: lambda_min < -{CLEAR:g} ||hess G|| (eigvalsh error ~1e-15); Newton converged when "
               "|grad G| <= 1e-11 ||hess G|| |X|; guaranteed when lambda_min(hess F) + bound(delta_full) < 0")
        details = {"table": rows, "guaranteed_cases": guaranteed, "newton_not_converged": newton_fail,
                   "strict_everywhere_observed": all(rw["lambda_min_G_at_newton_point"] < 0 for rw in rows)}
        base = dict(instances=len(rows) * n_instances(ctx), tolerance=tol, details=details)
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"saddle not strict for G at m={bad['m']} {bad['point']} although "
                                                "the bound guarantees it", counterexample=bad, **base)
        if guaranteed == 0:
            return CheckResult(Verdict.INCONCLUSIVE, "no (ensemble, saddle) pair is inside the guaranteed regime", **base)
        return CheckResult(Verdict.VERIFIED, f"{guaranteed} guaranteed (ensemble, saddle) pairs: G's Hessian has "
                                             f"negative curvature at F's saddles and at G's Newton-found stationary "
                                             f"points; strictness observed at all {len(rows)} pairs of instance 0",
                           **base)
    return run


def global_minima_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """G(X*) = 0 at F's minima, orbit-complement curvature, no spurious minimum by descent."""
    def run(ctx: RunContext) -> CheckResult:
        cf = float(p.c)
        rows, bad, inconcl, outside, in_regime = [], None, [], [], 0
        starts = 2 + ctx.profile.level
        for i in range(n_instances(ctx)):
            inst = sensing_instance(ctx, p, i)
            mins = [pt for pt in inst.points if pt.global_min]
            rng = ctx.rng(f"sensing.descent.{i}")
            for A in inst.ensembles:
                full = sen.full_isometry_constant(A)
                for pt in mins:
                    X = pt.X
                    Gv = sen.g_value(A, X, inst.M, cf)
                    gscale = cf * float(np.linalg.norm(inst.M)) ** 2 * max(1.0, float(sen.spectral_norm(A.gram())))
                    HG, HF = sen.g_hess(A, X, inst.M, cf), sen.f_hess(X, inst.M, cf)
                    lG, lF = sen.orbit_complement_min(HG, X), sen.orbit_complement_min(HF, X)
                    hd = inst.distance(A, pt, cf)
                    # derived: at E = 0, hess G = 2c (AJ)^T(AJ) >= (1 - delta_T) hess F on the orbit complement
                    ineq_ok = lG >= (1 - hd.tangent_delta) * lF - 1e-12 * sen.spectral_norm(HF)
                    if (Gv > 1e-24 * gscale or not ineq_ok) and bad is None:
                        bad = {"m": A.m, "G(X*)": Gv, "lambda_perp_G": lG, "lambda_perp_F": lF,
                               "delta_tangent": hd.tangent_delta}
                # local search from random starts
                found = []
                for _ in range(starts):
                    X0 = rng.standard_normal((p.n, p.r)) * np.sqrt(np.max(inst.lam))
                    res = minimize(lambda v: sen.g_value(A, v.reshape(p.n, p.r), inst.M, cf), X0.ravel(),
                                   jac=lambda v: sen.g_grad(A, v.reshape(p.n, p.r), inst.M, cf).ravel(),
                                   hess=lambda v: sen.g_hess(A, v.reshape(p.n, p.r), inst.M, cf),
                                   method="trust-exact", options={"gtol": 1e-12, "maxiter": 500})
                    Xf = res.x.reshape(p.n, p.r)
                    gval = sen.g_value(A, Xf, inst.M, cf)
                    rel = gval / (cf * float(np.linalg.norm(inst.M)) ** 2)
                    found.append(rel)
                    if rel > 1e-12:
                        Hf = sen.g_hess(A, Xf, inst.M, cf)
                        lperp = sen.orbit_complement_min(Hf, Xf)
                        gn = np.linalg.norm(sen.g_grad(A, Xf, inst.M, cf)) / max(sen.spectral_norm(Hf), 1e-300)
                        spurious = gn <= 1e-9 and lperp > CLEAR * sen.spectral_norm(Hf)
                        if spurious and full < p.minima_delta and bad is None:
                            bad = {"m": A.m, "spurious_local_min_value": gval, "lambda_perp": lperp}
                        elif full < p.minima_delta:
                            inconcl.append({"m": A.m, "G/cM^2": rel, "spurious_certified": bool(spurious)})
                        elif spurious:
                            outside.append({"m": A.m, "delta_full": full, "G/cM^2": rel})
                    if full < p.minima_delta:
                        in_regime += 1
                if i == 0:
                    rows.append({"m": A.m, "delta_full": round(full, 4), "in_regime": bool(full < p.minima_delta),
                                 "G(X*)": float(f"{Gv:.3e}"), "lambda_perp_G(X*)": round(lG, 5),
                                 "lambda_perp_F(X*)": round(lF, 5),
                                 "descent_final_G_rel": [float(f"{v:.2e}") for v in found]})
        tol = ("G(X*) <= 1e-24 c||M||^2 ||A*A|| (roundoff of a vanishing residual); descent reaches G <= 1e-12 "
               f"c||M||^2; spurious minimum = |grad| <= 1e-9 ||H||, orbit-complement lambda_min > {CLEAR:g} ||H||")
        details = {"table": rows, "regime": f"delta_full < {p.minima_q} (delta_full >= delta_2r)",
                   "unresolved": inconcl, "in_regime_descents": in_regime,
                   "spurious_minima_outside_the_regime": outside}
        base = dict(instances=len(rows) * n_instances(ctx), tolerance=tol, details=details)
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"global-minimum property fails at m={bad['m']}", counterexample=bad, **base)
        if inconcl:
            return CheckResult(Verdict.INCONCLUSIVE, f"{len(inconcl)} in-regime descents stopped above 0 "
                                                     "without a certified spurious minimum", **base)
        if in_regime == 0:
            return CheckResult(Verdict.INCONCLUSIVE, f"no Gaussian operator has delta_full < {p.minima_q}: the "
                                                     "no-spurious-minima regime is not exercised on this ensemble", **base)
        return CheckResult(Verdict.VERIFIED, "G(X*) = 0 with X* X*^T = M at every m; orbit-complement curvature "
                                             f">= (1 - delta_T) x F's; all {in_regime} descents on operators with "
                                             f"delta_full < {p.minima_q} reached G = 0", **base)
    return run


def hp_saddle_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """One guaranteed saddle of G found by Newton at ctx.dps digits and its lambda_min certified."""
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        inst = sensing_instance(ctx, p, 0)
        choice = None
        for A in sorted(inst.ensembles, key=lambda A: A.m):
            if A.m > 2000:
                continue
            full = sen.full_isometry_constant(A)
            for pt in inst.points:
                if pt.global_min or np.linalg.norm(pt.X) == 0:
                    continue
                lF = float(np.linalg.eigvalsh(sen.f_hess(pt.X, inst.M, cf))[0])
                hd = inst.distance(A, pt, cf)
                if sen.distance_bound(cf, a, b, full, full, hd.x_norm2, hd.e_norm) < -lF:
                    choice = (A, pt)
                    break
            if choice:
                break
        if choice is None:
            return CheckResult(Verdict.INCONCLUSIVE, "no ensemble with m <= 2000 in the guaranteed regime")
        A, pt = choice
        XG, grel, _ = sen.newton_stationary(A, pt.X, inst.M, cf)
        lf = float(np.linalg.eigvalsh(sen.g_hess(A, XG, inst.M, cf))[0])
        dps = ctx.dps
        with mpmath.workdps(dps + 10):
            Amp = sen.measurement_mp(A)
            Mmp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(inst.M)
            cm = mpmath.mpf(p.c.p) / p.c.q
            X0 = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(XG)
            X, gn, H = sen.newton_stationary_mp(Amp, X0, Mmp, cm, mpmath.mpf(10) ** (-(dps - 5)), dps,
                                                with_hessian=True)
            ev = symmetric_eigenvalues(H.tolist())
            lmin = ev[0]
            hn = max(abs(v) for v in ev)
            Gval = sen.g_value(Amp, X, Mmp, cm)
            digits = float(-mpmath.log10(abs(lmin - lf) / abs(lmin) + mpmath.mpf(10) ** -30))
        details = {"m": A.m, "saddle": pt.label, "grad_rel_hp": dec(gn, 3), "lambda_min_hp": dec(lmin, 20),
                   "lambda_min_float64": lf, "G_value": dec(Gval, 10), "float64_digits": round(digits, 2), "dps": dps}
        tol = f"|grad G| <= 1e-{dps - 5} ||H|| |X| at {dps} digits; strict: lambda_min < -{CLEAR:g} ||H||; float64 >= 8 digits"
        base = dict(instances=1, tolerance=tol, details=details, digits=digits)
        if gn is None or gn > mpmath.mpf(10) ** (-(dps - 5)):
            return CheckResult(Verdict.INCONCLUSIVE, f"high-precision Newton did not converge (|grad| {dec(gn, 3)})", **base)
        if lmin >= -CLEAR * hn:
            return CheckResult(Verdict.REFUTED, f"G's stationary point near {pt.label} at m={A.m} is not a strict saddle "
                                                f"(lambda_min {dec(lmin, 6)}) although the bound guarantees it",
                               counterexample=details, **base)
        if digits < 8:
            return CheckResult(Verdict.INCONCLUSIVE, f"float64 lambda_min agrees to only {digits:.1f} digits", **base)
        return CheckResult(Verdict.VERIFIED, f"m={A.m}, near {pt.label}: G has a stationary point (|grad| "
                                             f"{dec(gn, 2)} of scale at {dps} digits) with lambda_min = {dec(lmin, 8)} < 0, "
                                             f"G = {dec(Gval, 6)} > 0; float64 agrees to {digits:.1f} digits", **base)
    return run

