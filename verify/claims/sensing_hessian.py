"""L6 Hessian-distance checks (docs/mathematics.md §L6): hand derivatives against finite differences,
||hess G - hess F|| against the claimed bound c(a delta_2r ||X||_2^2 + b delta_(rho+1) ||E||_F) in float64
(with RIP estimates and delta_full) and at ctx.dps digits at the pair closest to violating it.
"""
from __future__ import annotations

import math
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from verify import sensing as sen
from verify.claims.base import CheckResult, Verdict
from verify.claims.context import RunContext
from verify.claims.sensing_common import (
    BOUND_RTOL, EXACT_TOL, FD_TOL, SensingInstance, SensingParams, n_instances, sensing_instance,
)
from verify.numbers import dec
from verify.sensing_rip import RipJob, rip_estimates


def _relative(hand: np.ndarray, fd: np.ndarray) -> float:
    """||hand − fd|| / ||hand|| (or / ||fd|| where the hand value is 0, so that a wrong zero is a difference of 1);
    nan when both are 0 or a value is not finite."""
    ref = np.linalg.norm(hand) or np.linalg.norm(fd)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.linalg.norm(hand - fd) / ref)


def fd_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """Hand gradients/Hessians of F and G against central differences."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("sensing.fd")
        inst = sensing_instance(ctx, p, 0)
        cf = float(p.c)
        worst = 0.0
        for A in (inst.ensembles[0], inst.ensembles[-1]):
            X = rng.standard_normal((p.n, p.r))
            h = 1e-5 * (1 + np.linalg.norm(X))
            for val, grd, hes in ((lambda Y: sen.g_value(A, Y, inst.M, cf), lambda Y: sen.g_grad(A, Y, inst.M, cf),
                                   sen.g_hess(A, X, inst.M, cf)),
                                  (lambda Y: sen.f_value(Y, inst.M, cf), lambda Y: sen.f_grad(Y, inst.M, cf),
                                   sen.f_hess(X, inst.M, cf))):
                g_fd = np.zeros(X.size)
                H_fd = np.zeros((X.size, X.size))
                for i in range(X.size):
                    e = np.zeros(X.size)
                    e[i] = h
                    e = e.reshape(X.shape)
                    g_fd[i] = (val(X + e) - val(X - e)) / (2 * h)
                    H_fd[:, i] = (grd(X + e) - grd(X - e)).ravel() / (2 * h)
                g = grd(X).ravel()
                ratios = (_relative(g, g_fd), _relative(hes, H_fd))
                if not np.all(np.isfinite(ratios)):  # both zero, or not finite: nothing was compared
                    return CheckResult(Verdict.INCONCLUSIVE, f"a relative derivative difference is not finite {ratios} "
                                       f"(m = {A.m}): the comparison is undecided", instances=0,
                                       tolerance=f"{FD_TOL:g} relative (h = 1e-5(1+|X|))")
                worst = max(worst, *ratios)
        verdict = Verdict.VERIFIED if worst <= FD_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand gradients/Hessians of F and G vs central differences: worst {worst:.1e}",
                           instances=4, worst_margin=f"{1 - worst / FD_TOL:.6f}",
                           tolerance=f"{FD_TOL:g} relative (h = 1e-5(1+|X|))", details={"worst": worst})
    return run


#: Two-sided level of the sampled isotropy test, per operator: a true claim is refuted with probability at most
#: this times the number of operators tested (the test statistic's law is exact, not asymptotic).
ISOTROPY_ALPHA = 1e-9


def isotropy_sample_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """The claimed Gaussian normalization against its sampled operators: m·||A||_F² ~ χ²(m·D) when it is isotropic."""
    def run(ctx: RunContext) -> CheckResult:
        insts = [sensing_instance(ctx, p, i) for i in range(n_instances(ctx))]
        rows, worst = [], None
        for i, inst in enumerate(insts):
            for A in inst.ensembles:
                ratio, tail = sen.isotropy_test(A)
                rows.append({"target": i, "m": A.m, "mean_ratio": round(ratio, 6), "two_sided_p": float(f"{tail:.3g}")})
                if worst is None or tail < worst[1]:
                    worst = (A.m, tail, ratio)
        m, tail, ratio = worst
        margin = 1 - math.log10(max(tail, 1e-300)) / math.log10(ISOTROPY_ALPHA)
        tol = (f"two-sided chi-square test at level {ISOTROPY_ALPHA:g} per operator ({len(rows)} operators): under "
               f"the claimed scaling m^-{p.gauss_power}, isotropy (E||A(Z)||^2 = ||Z||_F^2) makes m·||A||_F^2 exactly "
               f"chi-square with m·n(n+1)/2 degrees of freedom; float64 sums, relative error ~1e-15")
        base = dict(instances=len(rows), tolerance=tol, worst_margin=f"{margin:.6f}",
                    details={"normalization": f"m^-{p.gauss_power}", "operators": rows, "alpha": ISOTROPY_ALPHA})
        if tail < ISOTROPY_ALPHA:
            return CheckResult(Verdict.REFUTED, f"scaling m^-{p.gauss_power} is not isotropic on the sampled operators: "
                                                f"at m = {m} the mean of ||A(Z)||^2/||Z||_F^2 over a basis is {ratio:.4g} "
                                                f"(two-sided p = {tail:.2g} under isotropy)",
                               counterexample={"m": m, "mean_ratio": ratio, "two_sided_p": tail}, **base)
        return CheckResult(Verdict.VERIFIED, f"scaling m^-{p.gauss_power}: every sampled operator is consistent with "
                                             f"isotropy (smallest two-sided p = {tail:.2g} at m = {m})", **base)
    return run


def rip_deltas(ctx: RunContext, p: SensingParams,
               pairs: list[tuple[SensingInstance, sen.Measurement, str]]) -> list[dict]:
    """Per (instance, operator, rng key): RIP estimates (lower bounds) seeded with the exact certificates at
    the points, and delta_full. All estimates' power iterations run as one batch (``rip_estimates``)."""
    cf = float(p.c)
    steps = max(5, ctx.profile.search_steps // 40)
    samples = min(ctx.profile.instances, 500)
    out, jobs = [], []
    for inst, A, key in pairs:
        hds = {pt.label: inst.distance(A, pt, cf) for pt in inst.points}
        seeds2 = [z for hd in hds.values() for z in hd.tangent_extremes if np.linalg.norm(z) > 0]
        seedsE = [z for hd in hds.values() for z in hd.polarization]
        rho = max(hd.e_rank for hd in hds.values())
        jobs += [RipJob(A, 2 * p.r, ctx.rng(key + ".2r"), samples, steps, np.array(seeds2) if seeds2 else None),
                 RipJob(A, rho + 1, ctx.rng(key + ".e"), samples, steps, np.array(seedsE) if seedsE else None)]
        out.append({"hd": hds, "full": sen.full_isometry_constant(A)})
    ests = rip_estimates(jobs)
    for j, D in enumerate(out):
        D["d2r"], D["dE"] = ests[2 * j], ests[2 * j + 1]
    return out


def hessian_distance_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """||hess G - hess F|| against the claimed bound at F's stationary points, every m."""
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        rows, worst_ratio_est, worst_ratio_full, cex = [], 0.0, 0.0, None
        basis_worst = 0.0
        insts = [sensing_instance(ctx, p, i) for i in range(n_instances(ctx))]
        pairs = [(inst, A, f"sensing.rip.{i}.{A.m}") for i, inst in enumerate(insts) for A in inst.ensembles]
        Ds = iter(rip_deltas(ctx, p, pairs))
        try:  # the claimed scale, rounded once (a scale within ~1e-13 of 1 reads as 1)
            scale = float(p.basis_scale)
        except OverflowError:
            scale = math.inf
        # G = scale²·F for the basis: compared where scale² is well inside float64 (else left to the exact tiers)
        B = sen.basis_measurements(p.n, scale) if scale == 0 or 1e-50 <= abs(scale) <= 1e50 else None
        for i, inst in enumerate(insts):
            for pt in inst.points if B is not None else ():
                hd = sen.hessian_distance(B, pt.X, inst.M, cf)
                basis_worst = max(basis_worst, hd.distance / max(hd.hess_f_norm, 1e-300),
                                  abs(sen.g_value(B, pt.X, inst.M, cf) - sen.f_value(pt.X, inst.M, cf))
                                  / max(sen.f_value(pt.X, inst.M, cf), 1e-300))
            for A in inst.ensembles:
                D = next(Ds)
                for label, hd in D["hd"].items():
                    b_est = sen.distance_bound(cf, a, b, D["d2r"].delta, D["dE"].delta, hd.x_norm2, hd.e_norm)
                    b_full = sen.distance_bound(cf, a, b, D["full"], D["full"], hd.x_norm2, hd.e_norm)
                    r_est = hd.distance / max(b_est, 1e-300)
                    r_full = hd.distance / max(b_full, 1e-300)
                    if r_est > worst_ratio_est:
                        worst_ratio_est = r_est
                    if r_full > worst_ratio_full:
                        worst_ratio_full = r_full
                        if r_full > 1 + BOUND_RTOL:
                            cex = {"m": A.m, "point": label, "distance": hd.distance, "bound_delta_full": b_full,
                                   "delta_full": D["full"]}
                    if i == 0:
                        rows.append({"m": A.m, "point": label, "delta_2r_est": round(D["d2r"].delta, 4),
                                     "delta_2r_sampled": round(D["d2r"].sampled_delta, 4),
                                     "delta_rho+1_est": round(D["dE"].delta, 4), "delta_full": round(D["full"], 4),
                                     "distance": round(hd.distance, 5),
                                     "relative_distance": round(hd.distance / hd.hess_f_norm, 5),
                                     "bound_est": round(b_est, 5), "relative_bound_est": round(b_est / hd.hess_f_norm, 5),
                                     "distance/bound": round(r_est, 4)})
        tol = (f"distance <= bound(1 + {BOUND_RTOL:g}) (float64 norms, errors ~1e-15); orthonormal basis scaled by "
               f"{p.basis_scale}: relative distance and |G - F|/F <= {EXACT_TOL:g}. An inequality with slack: only a "
               "claimed bound tighter than the worst distance/bound(delta_full) ratio can be refuted")
        details = {"claimed_bound": f"c({p.a} delta_2r ||X||_2^2 + {p.b} delta_(rho+1) ||E||_F), c = {p.c}",
                   "basis_scale": str(p.basis_scale),
                   "table": rows, "basis_worst_relative": basis_worst if B is not None else None,
                   "worst_distance_over_bound_delta_est": worst_ratio_est,
                   "worst_distance_over_bound_delta_full": worst_ratio_full,
                   "note": "delta estimates are attained ratios (lower bounds on the true delta); delta_full = "
                           "||A*A - I|| on Sym(n) is an upper bound on every delta_k"}
        base = dict(instances=len(rows) * n_instances(ctx), tolerance=tol, details=details,
                    worst_margin=f"{1 - worst_ratio_est:.6f}", figures=delta_figure(ctx, rows))
        base["captions"] = {f: ("against the number m of Gaussian measurements: the sampled and estimated isometry "
                                "constants δ_2r (lower bounds), δ_full (an upper bound) and the largest relative "
                                "distance ||∇²G − ∇²F|| / ||∇²F|| over stationary points") for f in base["figures"]}
        if basis_worst > EXACT_TOL:
            return CheckResult(Verdict.REFUTED, f"orthonormal basis scaled by {p.basis_scale}: G differs from F by "
                                                f"{basis_worst:.1e}", **base)
        if cex is not None:
            return CheckResult(Verdict.REFUTED, f"Hessian distance {cex['distance']:.4g} exceeds the claimed bound "
                                                f"{cex['bound_delta_full']:.4g} even with the upper bound delta_full",
                               counterexample=cex, **base)
        if worst_ratio_est > 1 + BOUND_RTOL:
            return CheckResult(Verdict.INCONCLUSIVE, f"distance exceeds the bound at the estimated delta "
                                                     f"(ratio {worst_ratio_est:.3f}) but not at delta_full", **base)
        if B is None:
            return CheckResult(Verdict.INCONCLUSIVE, f"the claimed basis scale {sp.N(p.basis_scale, 6)} is outside "
                                                     "[1e-50, 1e50]: G = F for the scaled basis was not compared in "
                                                     "float64", **base)
        return CheckResult(Verdict.VERIFIED, f"||hess G - hess F|| <= claimed bound at every point and m "
                                             f"(worst distance/bound {worst_ratio_est:.3f} with estimated delta); "
                                             f"basis scaled by {p.basis_scale} gives G = F to {basis_worst:.1e}",
                           **base)
    return run


def delta_figure(ctx: RunContext, rows: list[dict]) -> list[str]:
    """delta estimates and the worst relative Hessian distance against m (only when writing a report)."""
    if ctx.out_dir is None or not rows:
        return []
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from verify.report.figures import save_figure

    ms = sorted({r["m"] for r in rows})
    pick = lambda key, agg: [agg(r[key] for r in rows if r["m"] == m) for m in ms]  # noqa: E731
    fig, ax = plt.subplots(figsize=(5.5, 3.5))
    ax.plot(ms, pick("delta_2r_sampled", max), "o:", label="delta_2r sampled")
    ax.plot(ms, pick("delta_2r_est", max), "o-", label="delta_2r estimate (lower bound)")
    ax.plot(ms, pick("delta_full", max), "s--", label="delta_full (upper bound)")
    ax.plot(ms, pick("relative_distance", max), "^-", label="max ||hess G - hess F|| / ||hess F||")
    ax.set_xscale("log")
    ax.set_xlabel("m (number of Gaussian measurements)")
    ax.legend(fontsize=7)
    ax.set_title("Li et al. L6: isometry constant and Hessian distance")
    # fixed margins that hold the labels and the title: the PNG is written without a measuring draw (tight=False)
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.14, top=0.91)
    return save_figure(fig, ctx, "li_sensing_delta.png", tight=False)

def hp_distance_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """The Hessian-distance bound re-evaluated at ctx.dps digits at the pair closest to violating it."""
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        inst = sensing_instance(ctx, p, 0)
        best = None
        for A in inst.ensembles:
            if A.m > 500:           # the 50-digit Gram matrix costs m n^4 / 2 products
                continue
            full = sen.full_isometry_constant(A)
            for pt in inst.points:
                hd = inst.distance(A, pt, cf)
                ratio = hd.distance / max(sen.distance_bound(cf, a, b, full, full, hd.x_norm2, hd.e_norm), 1e-300)
                if best is None or ratio > best[0]:
                    best = (ratio, A, pt, hd.distance)
        dps = ctx.dps
        with mpmath.workdps(dps + 10):  # the basis needs no operator: decided first, whatever the ensembles
            gap = sen.basis_gap_mp(p.n, mpmath.mpf(str(sp.N(p.basis_scale, dps + 20))), inst.M)
        scale_text = str(p.basis_scale) if len(str(p.basis_scale)) <= 40 else str(sp.N(p.basis_scale, 12))
        if gap > mpmath.mpf(10) ** (-(dps - 10)):
            return CheckResult(Verdict.REFUTED, f"at {dps} digits the orthonormal basis scaled by {scale_text} gives "
                                                f"|G - F|/F = {dec(gap, 6)} (G = F needs scale^2 = 1)",
                               counterexample={"basis_scale": str(p.basis_scale), "relative_gap": dec(gap, 12)},
                               details={"basis_scale": str(p.basis_scale), "basis_relative_gap": dec(gap, 6),
                                        "dps": dps}, instances=1, digits=float(dps - 10),
                               tolerance=f"{dps} digits: |G - F|/F at X = 0 for the scaled basis above 1e-{dps - 10}",
                               scope=f"the basis of Sym({p.n}) times the claimed scale at X = 0, target 0")
        if best is None:
            return CheckResult(Verdict.INCONCLUSIVE, "no ensemble with m <= 500")
        ratio_f, A, pt, dist_f = best
        with mpmath.workdps(dps + 10):
            cm, am, bm = (mpmath.mpf(q.p) / q.q for q in (p.c, p.a, p.b))
            dist, delta, bound = sen.hessian_distance_mp(A, pt.X, inst.M, cm, am, bm)
            ratio = dist / bound if bound > 0 else mpmath.inf
            digits = float(-mpmath.log10(abs(dist - dist_f) / dist + mpmath.mpf(10) ** -30))
        details = {"m": A.m, "point": pt.label, "distance": dec(dist, 20), "delta_full": dec(delta, 20),
                   "claimed_bound": dec(bound, 20), "distance/bound": dec(ratio, 12), "float64_ratio": ratio_f,
                   "float64_digits": round(digits, 2), "dps": dps, "basis_scale": str(p.basis_scale),
                   "basis_relative_gap": dec(gap, 6)}
        tol = (f"{dps} digits: refuted when distance > bound(delta_full) (1 + 1e-{dps - 10}), or when the basis "
               f"scaled by {scale_text} gives |G - F|/F > 1e-{dps - 10}; float64 and {dps}-digit distances must "
               "agree to >= 8 digits")
        base = dict(instances=1, tolerance=tol, details=details, digits=digits,
                    scope=f"the (operator, stationary point) pair of target 0 with m <= 500 closest to the claimed "
                          f"bound in float64 (m = {A.m}, {pt.label}); delta_full = ||A*A - I|| on Sym({p.n}) "
                          f"(an upper bound on every delta_k) at {dps} digits; the scaled basis at X = 0 of that "
                          "target")
        if ratio > 1 + mpmath.mpf(10) ** (-(dps - 10)):
            return CheckResult(Verdict.REFUTED, f"at {dps} digits ||hess G - hess F|| = {dec(dist, 8)} exceeds the "
                                                f"claimed bound {dec(bound, 8)} with delta_full = {dec(delta, 8)} "
                                                f"(m = {A.m}, {pt.label})", counterexample=details,
                               worst_margin=f"{float(1 - ratio):.6f}", **base)
        if digits < 8:
            return CheckResult(Verdict.INCONCLUSIVE, f"float64 and {dps}-digit distances agree to {digits:.1f} digits", **base)
        return CheckResult(Verdict.VERIFIED, f"m = {A.m}, {pt.label}: distance/bound(delta_full) = {dec(ratio, 6)} "
                                             f"<= 1 at {dps} digits; float64 agrees to {digits:.1f} digits",
                           worst_margin=f"{float(1 - ratio):.6f}", **base)
    return run
