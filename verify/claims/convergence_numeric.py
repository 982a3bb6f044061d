"""Numeric tier of the L8 convergence claim (docs/mathematics.md §L8): float64 gradient descent from random and
adversarial starts against the iteration bound built from the L5 region constants, perturbed GD at a saddle,
and the convergence figure.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..kernels.symmetric import Instance, objective, random_orthogonal
from ..landscape.convergence import RunStats, best_value, descend, gd_batch, r2_bound, r3_bound
from ..landscape.symmetric import constants
from .base import CheckResult, Verdict
from .context import RunContext

#: ε = EPS_REL·c·λ_1² (λ_1 = 1): gaps are F − F* computed in float64 with error ≲ 1e-15·c·λ_1²·nr, so at ε the
#: gap is good to ~1e-8 relative and a per-step log-contraction (≥ 1e-3 per step here) to ~1e-5
EPS_REL = 1e-7
#: tolerance on the descent lemma's relative margin and on the R2 rate multiple (both ≲ 1e-5 rounding, above)
TOL = 1e-4
GROUPS = {0: ((3, 1, 2),), 1: ((3, 1, 2), (4, 2, 3), (6, 2, 3)), 2: ((3, 1, 2), (4, 2, 3), (6, 2, 3),
                                                                             (6, 3, 4))}
GAPS = (0.5, 0.2, 0.08)          # λ_{r+1} = λ_r(1 − gap): the spectral gap relative to λ_r
SCALES = (1e-3, 1.0, 2.0)        # ||X_0||_F ≈ scale·√λ_1
DELTAS = (1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12)
ADV_LAM = (1.0, 0.6, 0.25)       # n = 3, r = 1: saddle √λ_2·u_2, stable manifold span(u_2, u_3)
MAX_ITER = 20000
SEEDS = (1, 1, 3)                # random starts per (gap, scale) cell, by profile level
ADV_MAX_ITER = 2000             # δ = 1e-12 needs ~1000; δ = 0 runs all of them and ends at the saddle


def spectrum(n: int, r: int, p: int, gap: float) -> np.ndarray:
    """λ_i = 1 − 0.15(i − 1) (i ≤ r), λ_{r+1} = λ_r(1 − gap), then ×0.6 down to λ_p, zeros to n."""
    lam = [1 - 0.15 * i for i in range(r)]
    lam.append(lam[-1] * (1 - gap))
    while len(lam) < p:
        lam.append(lam[-1] * 0.6)
    return np.array(lam[:p] + [0.0] * (n - p))


@dataclass
class Judged:
    """One run with its bound terms and what it refutes (None when it is within the claim)."""

    how: str
    stats: RunStats
    eta: float
    N3: float
    N2: int
    problem: str | None
    undecided: str | None = None


def _judge(how: str, st: RunStats, inst: Instance, K, eta: float, F0: float, eps: float, b: float,
           adversarial: bool, cap: int = MAX_ITER) -> Judged:
    dF0 = F0 - best_value(inst, K.c)
    N3 = float(r3_bound(K, eta, dF0))
    N2 = r2_bound(K, eta, st.gap_entry or 0.0, eps, math.log)
    out = Judged(how, st, eta, N3, N2, None)
    if st.diverged:
        out.problem = "GD diverged (F not finite) with the claimed step size"
    elif st.worst_descent < -TOL:
        out.problem = f"descent lemma violated: decrease below (η/2)||∇F||² by {-st.worst_descent:.3g} (relative)"
    elif st.worst_rate < 1 / b - TOL:
        out.problem = (f"R2 gap contraction only θ^{st.worst_rate:.4g} per step, claimed θ^{1 / b:.4g} "
                       "(θ = 1 − ηκ2)")
    elif st.counts["R2"] > b * N2:
        out.problem = f"{st.counts['R2']} R2 iterates with gap > ε, bound {b:g}·N2 = {b * N2:.6g}"
    elif st.counts["R3"] > b * N3:
        out.problem = f"{st.counts['R3']} R3 iterates, bound {b:g}·N3 = {b * N3:.6g}"
    elif st.iterations is None:
        out.undecided = f"gap > ε after {cap} iterations (bound not exceeded yet)"
    elif not adversarial and st.final_set != tuple(range(inst.r)):
        out.problem = f"ended at index set {st.final_set} (residual {st.final_residual:.3g}), not a global minimum"
    return out


def _random_runs(ctx: RunContext, c: float, step: Callable[[float, float, float], float], b: float) -> list[Judged]:
    rng = ctx.rng("li.convergence.numeric")
    seeds = SEEDS[ctx.profile.level]
    eps = EPS_REL * c
    out: list[Judged] = []
    for n, r, p in GROUPS[ctx.profile.level]:
        insts, X0, eta, K, F0, hows = [], [], [], [], [], []
        for gap in GAPS:
            for scale in SCALES:
                for _ in range(seeds):
                    inst = Instance(spectrum(n, r, p, gap), random_orthogonal(rng, n), r)
                    X = scale * rng.standard_normal((n, r)) / math.sqrt(n * r)
                    f0 = float(objective(X, inst.M, c))
                    insts.append(inst), X0.append(X), F0.append(f0), K.append(constants(inst, c))
                    eta.append(step(c, 1.0, f0))
                    hows.append(f"random: n={n}, r={r}, p={p}, gap={gap}, scale={scale:g}")
        stats = gd_batch(insts, np.array(X0), c, np.array(eta), eps, K, MAX_ITER)
        out += [_judge(h, s, i, k, e, f, eps, b, False) for h, s, i, k, e, f in zip(hows, stats, insts, K, eta, F0)]
    return out


def _adversarial(ctx: RunContext, c: float, step: Callable, b: float) -> tuple[list[Judged], dict[str, Any]]:
    """Starts δ off the stable manifold span(u_2, u_3) of the saddle √λ_2·u_2 (n = 3, r = 1); δ = 0 on it;
    perturbed GD from δ = 0. M is diagonal (U = I; GD is O(n)-equivariant, so this loses nothing) so that the
    manifold {x_1 = 0} is invariant in floating point too: ∇F has a zero first entry there, exactly."""
    rng = ctx.rng("li.convergence.adversarial")
    inst = Instance(np.array(ADV_LAM), np.eye(3), 1)
    K = constants(inst, c)
    U = inst.U
    eps = EPS_REL * c
    deltas = DELTAS + (0.0,)
    X0 = np.array([(0.7 * U[:, 1] + 0.4 * U[:, 2] + d * U[:, 0])[:, None] for d in deltas])
    F0 = [float(objective(X, inst.M, c)) for X in X0]
    eta = np.array([step(c, 1.0, f) for f in F0])
    stats = gd_batch([inst] * len(deltas), X0, c, eta, eps, [K] * len(deltas), ADV_MAX_ITER)
    runs = [_judge(f"adversarial: δ = {d:g}", s, inst, K, e, f, eps, b, True, ADV_MAX_ITER)
            for d, s, e, f in zip(deltas, stats, eta, F0)]
    lingering = runs[:-1]
    on_manifold = runs[-1]
    its = np.array([j.stats.iterations if j.stats.iterations is not None else np.nan for j in lingering], float)
    logs = np.log(1 / np.array(DELTAS))
    ok = np.isfinite(its)
    slope = float(np.polyfit(logs[ok], its[ok], 1)[0]) if ok.sum() >= 2 else math.nan
    e0 = float(eta[0])
    slope_bound = 1 / math.log(1 + e0 * K.kappa1)
    slope_pred = 1 / math.log(1 + e0 * 4 * c * (ADV_LAM[0] - ADV_LAM[1]))
    Fstar = best_value(inst, c)
    g_thr = math.sqrt(2 * K.kappa2 * eps) / 4
    pgd = descend(inst.M, X0[-1], c, e0, eps, Fstar, MAX_ITER, (g_thr, K.rho1 / 10, 50), rng)
    escape = math.log(10 * K.rho1 / (K.rho1 / 10)) / math.log(1 + e0 * K.kappa1)
    info = {"instance": {"lambda": list(ADV_LAM), "r": 1}, "deltas": list(DELTAS), "iterations": its.tolist(),
            "slope": slope, "slope_bound": slope_bound, "slope_predicted": slope_pred,
            "on_manifold": {"final_set": on_manifold.stats.final_set,
                            "reached_eps": on_manifold.stats.iterations is not None, "iterations_run": ADV_MAX_ITER,
                            "R1_iterates": on_manifold.stats.counts["R1"]},
            "pgd": {"iterations": pgd.iterations, "perturbations": pgd.perturbations, "g_thr": g_thr,
                    "radius": K.rho1 / 10, "escape_estimate": escape},
            "N3": lingering[0].N3, "N2": [j.N2 for j in lingering], "eta": e0}
    return lingering, info


def numeric_check(ctx: RunContext, c: float, step: Callable[[float, float, float], float], b: float,
                  figure: bool = True) -> CheckResult:
    """GD from random starts over (n, r, p), gap and scale; adversarial starts; perturbed GD; the figure."""
    runs = _random_runs(ctx, c, step, b)
    adv, info = _adversarial(ctx, c, step, b)
    problems = [j for j in runs + adv if j.problem]
    undecided = [j for j in runs + adv if j.undecided and not j.problem]
    slope, sb = info["slope"], info["slope_bound"]
    extra = []
    if math.isnan(slope):  # fewer than 2 δ-runs reached ε within ADV_MAX_ITER: nothing measured, nothing refuted
        undecided.append(Judged("adversarial lingering", RunStats(), info["eta"], 0, 0, None,
                                f"fewer than 2 of the δ-runs reached ε within {ADV_MAX_ITER} iterations: no "
                                "lingering slope measured"))
    elif not (0 < slope <= sb * (1 + 1e-3)):
        extra.append(f"lingering slope {slope:.4g} iterations per unit of log(1/δ) outside (0, 1/log(1 + ηκ1) = "
                     f"{sb:.4g}]")
    if info["pgd"]["iterations"] is None:
        undecided.append(Judged("perturbed GD from the stable manifold", RunStats(), info["eta"], 0, 0, None,
                                "did not reach ε"))
    ratios_out = [(j.stats.counts["R2"] + j.stats.counts["R3"]) / (j.N3 + j.N2) for j in runs + adv]
    ratios_r2 = [j.stats.counts["R2"] / j.N2 for j in runs + adv if j.N2]
    rates = [j.stats.worst_rate for j in runs + adv if math.isfinite(j.stats.worst_rate)]
    figs = _figure(ctx, runs, adv, info) if figure else []
    n_runs = len(runs) + len(adv) + 2
    summary = (f"{len(runs)} random GD runs all reached gap ≤ ε at a global minimum (never a saddle); iterations "
               f"{min(j.stats.iterations or 0 for j in runs)}–{max(j.stats.iterations or 0 for j in runs)}; "
               f"R2 iterates / N2 ≤ {max(ratios_r2):.3g}; (R2 + R3 iterates)/(N3 + N2) ≤ {max(ratios_out):.3g}; "
               f"slowest R2 contraction θ^{min(rates):.4g} (claimed θ^{1 / b:.4g}); adversarial: GD lingers "
               f"{slope:.4g} iterations per unit of log(1/δ) (bound 1/log(1+ηκ1) = {sb:.4g}, predicted "
               f"{info['slope_predicted']:.4g}); from δ = 0 GD ends at the saddle S = "
               f"{info['on_manifold']['final_set']}; perturbed GD escapes and reaches ε in "
               f"{info['pgd']['iterations']} iterations ({info['pgd']['perturbations']} perturbation(s))")
    if problems or extra:
        verdict = Verdict.REFUTED
        summary = "; ".join([f"{j.how}: {j.problem}" for j in problems[:3]] + extra)
    elif undecided:
        verdict = Verdict.INCONCLUSIVE
        summary = "; ".join(f"{j.how}: {j.undecided}" for j in undecided[:3])
    else:
        verdict = Verdict.VERIFIED
    cx = None
    if problems:
        j = problems[0]
        cx = {"run": j.how, "problem": j.problem, "eta": j.eta, "N3": j.N3, "N2": j.N2,
              "counts": j.stats.counts, "iterations": j.stats.iterations}
    return CheckResult(
        verdict, summary, instances=n_runs, figures=figs, counterexample=cx,
        captions={f: ("float64 GD on F_c(X) = c·||XXᵀ − M||²: left, iterations to F − F* ≤ ε against the region-constant "
                      "bound (random and adversarial starts); middle, R2 iterates with gap > ε against N2; right, "
                      "iterations against log(1/δ) from δ off a saddle's stable manifold, with perturbed GD")
                  for f in figs},
        worst_margin=(f"R2 contraction multiple {min(rates):.5g} vs claimed {1 / b:.5g}; R2 count ratio "
                      f"{max(ratios_r2):.4g} of N2"),
        tolerance=(f"ε = {EPS_REL:g}·c·λ_1²; descent-lemma and rate margins {TOL:g} relative (float64 gaps good to "
                   "~1e-8 relative at ε); counts are exact integers"),
        scope=(f"float64, (n, r, p) in {list(GROUPS[ctx.profile.level])}, spectral gaps {list(GAPS)} of λ_r, "
               f"initial scales {list(SCALES)}, {SEEDS[ctx.profile.level]} seed(s) per cell; adversarial n = 3, "
               f"r = 1, λ = {ADV_LAM}, δ = 1e-2..1e-12 and 0; perturbed GD from δ = 0"),
        details={"adversarial": info, "random": [
            {"run": j.how, "iterations": j.stats.iterations, "counts": j.stats.counts, "N3": j.N3, "N2": j.N2,
             "eta": j.eta, "worst_descent_margin": j.stats.worst_descent, "worst_rate_multiple": j.stats.worst_rate}
            for j in runs], "bound_factor": b})


def _figure(ctx: RunContext, runs: list[Judged], adv: list[Judged], info: dict) -> list[str]:
    """Iterations to ε against the bound (random and adversarial starts), R2 iterates against N2, and lingering."""
    if ctx.out_dir is None:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..report.figures import save_figure

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.4))
    ax = axes[0]
    esc = [math.log(1 / d) * info["slope_bound"] for d in DELTAS]
    x = [j.N3 + j.N2 for j in runs]
    y = [j.stats.iterations or np.nan for j in runs]
    ax.loglog(x, y, "o", ms=4, alpha=0.7, label="random starts: N3 + N2")
    xa = [j.N3 + j.N2 + e for j, e in zip(adv, esc)]
    ax.loglog(xa, [j.stats.iterations or np.nan for j in adv], "x", color="C3",
              label="adversarial: N3 + N2 + log(1/δ)/log(1+ηκ1)")
    lo, hi = 10, max(x + xa) * 2
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="iterations = bound")
    ax.set_xlabel("iteration bound (region constants)")
    ax.set_ylabel("iterations to F − F* ≤ ε")
    ax.set_title("GD iterations vs the bound (loose: κ3 is small)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1]
    pts = [(j.N2, j.stats.counts["R2"]) for j in runs + adv if j.N2]
    ax.plot([p[0] for p in pts], [p[1] for p in pts], "o", ms=4, alpha=0.7)
    m = max(p[0] for p in pts) * 1.1
    ax.plot([0, m], [0, m], "k--", lw=0.8, label="R2 iterates = N2 (proved bound)")
    ax.plot([0, m], [0, m / 4], ":", color="C2", lw=0.8, label="N2/4")
    ax.set_xlabel("N2 = log(gap at R2 entry/ε)/log(1/(1 − ηκ2))")
    ax.set_ylabel("R2 iterates with gap > ε")
    ax.set_title("linear phase in R2", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[2]
    logs = np.log(1 / np.array(DELTAS))
    its = np.array(info["iterations"], float)
    ax.plot(logs, its, "o-", label="plain GD from δ off the stable manifold")
    base = its[0] - info["slope_bound"] * logs[0]
    ax.plot(logs, base + info["slope_bound"] * logs, "--", color="C3", lw=0.8, label="slope 1/log(1+ηκ1) (bound)")
    if info["pgd"]["iterations"] is not None:
        ax.axhline(info["pgd"]["iterations"], color="C2", ls=":", label="perturbed GD from δ = 0")
    ax.set_xlabel("log(1/δ)")
    ax.set_ylabel("iterations to ε")
    ax.set_title("lingering near a saddle (n = 3, r = 1)", fontsize=9)
    ax.legend(fontsize=7)
    fig.suptitle("li.convergence: F = c||XXᵀ − M||², η = step rule; from δ = 0 plain GD converges to the saddle",
                 fontsize=10)
    # fixed margins that hold the labels and the title: the PNG is written without a measuring draw (tight=False)
    fig.subplots_adjust(left=0.045, right=0.99, bottom=0.12, top=0.85, wspace=0.22)
    return save_figure(fig, ctx, "li_convergence.png", tight=False)
