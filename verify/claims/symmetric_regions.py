"""The checks of the L5 region claim (Li et al. 2019, three regions) for F_c(X) = c·||XXᵀ − M||_F².

The kind is ``verify.claims.symmetric_kinds.symmetric_regions_claim`` (the catalogue's declaration:
``proofs.li_2019.symmetric.regions_claim``); the constants are the
suite's (``verify.landscape.symmetric``), perturbed by exact factors. Four tiers:

- symbolic (``verify.claims.region_proofs``): the proof identities, the proofs' sufficient conditions on
  the constants, and the exact margins (SymPy, algebraic numbers) at the analytic worst points
  ``verify.landscape.region_probes``;
- certified: an exact-interval branch-and-bound over the bounded regions of small instances
  (``verify.certified.regions``): each constant certified there, or a certified violating box;
- high precision: margins in mpmath at the region centres, at the probes and at the worst points the
  float64 search found (``verify.highprec.regions``: an independent evaluation of every quantity);
- numeric: float64 sampling and adversarial search (``verify.landscape.region_search``) and the probes;
  a float64 margin within rounding of 0, or negative, counts only once the same point is re-evaluated
  in mpmath.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable

import mpmath
import numpy as np
import sympy as sp

from .base import CheckResult, Verdict
from .context import RunContext

#: float64 margins are relative to the region's constant: λ_min and ||∇F|| carry absolute errors ≲ 1e-15·4cλ_1
#: (resp. ·λ_1^{3/2}) and every constant here is ≥ ~1e-5 of that scale (eigen-gaps ≥ 0.05·λ_1), so margins are
#: good to ~1e-10; within ±1e-9 (or below it) the same point is decided in mpmath
FLOAT_TOL = 1e-9
#: η of the probes in float64: tight probes have margin ≈ 2η–5η there, 20× FLOAT_TOL or more, while a constant
#: raised by 1e-6 makes them ≈ −1e-6
FLOAT_ETA = 1e-8


def _verdict(margin: Any, tol: Any) -> Verdict:
    """margin > tol: verified; margin < −tol: refuted; |margin| ≤ tol: inconclusive."""
    if not (isinstance(margin, mpmath.mpf) or np.isfinite(float(margin))) or margin < -tol:
        return Verdict.REFUTED
    return Verdict.VERIFIED if margin > tol else Verdict.INCONCLUSIVE


def hp_tolerance(dps: int) -> mpmath.mpf:
    """Relative margin resolution at ``dps`` digits: the work is at dps + 10 digits, eigsy/svd errors are
    ≲ nr·||H||·10^-(dps+10), and the constants are ≥ 1e-4·||H|| on the instances used, so margins are
    good to ~10^-(dps+5); 10^-(dps-5) leaves ten digits of room (and the probes' η = 10^-(dps//2) ≫ it)."""
    return mpmath.mpf(10) ** -(dps - 5)


def _fmt(margins: dict[str, Any]) -> str:
    return ", ".join(f"{k} {mpmath.nstr(mpmath.mpf(v), 6) if not isinstance(v, str) else v}"
                     for k, v in sorted(margins.items()))


# ---------------------------------------------------------------------------------------- certified

#: the strength of each constant's evidence, as the suite stands (docs/mathematics.md §L5)
CONSTANT_STRENGTH: dict[str, str] = {
    "kappa1 (R1a, fraction 1/6)": "proved (every c, λ; symbolic tier) and certified (branch-and-bound, r = 1)",
    "kappa1, rho1 (R1b)": "proved (every c, λ; symbolic tier) and certified (branch-and-bound, n = 2, 3, r = 1)",
    "kappa2, rho2 (R2)": "proved (every c, λ; symbolic tier) and certified (branch-and-bound, r = 1)",
    "kappa3'' (R3'')": "proved (every c, λ; symbolic tier) and certified (branch-and-bound, r = 1, ||X|| ≤ 2)",
    "kappa3 (R3')": "certified on the branch-and-bound instances (r = 1, n ≤ 3; n = r = 2); sampled beyond "
                    "(n ≤ 4); not proved",
}


def certified_check(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational]) -> CheckResult:
    """Exact interval branch-and-bound over the bounded regions (``verify.certified.regions``).

    Instances by profile (``verify.certified.regions.FAMILIES``): n = r = 1 (λ = 1: every n = r = 1
    instance, by scaling), n = 2, r = 1 with λ = (1, μ) (every instance with λ_2/λ_1 = μ), n = r = 2
    (R3′ only) and, beyond quick, n = 3, r = 1.
    """
    from ..certified.regions import branch_and_bound, family

    insts = family(ctx.profile.level)
    outcomes = []
    for i, inst in enumerate(insts):
        outcomes.append(branch_and_bound(inst, c, factors))
        ctx.progress("li.regions branch-and-bound", i + 1, len(insts))
        if outcomes[-1].violation:  # one certified violation refutes; the rest would not change that
            break
    boxes = sum(o.boxes for o in outcomes)
    rows = {o.instance: o.status for o in outcomes}
    slack = {o.instance: mpmath.nstr(mpmath.sqrt(mpmath.mpf(int(q.p)) / int(q.q)), 6)
             for o in outcomes if (q := o.r3_ratio_sq_upper) is not None}
    scope = ("exact rational interval arithmetic on boxes of X's entries (eigenbasis of M, λ_1 = 1; every c, "
             "orthogonal U and scale reduce to these): " + "; ".join(rows)
             + ". For r = 1 (n ≤ 3): R1a, R1b, R2 (λ_min bounds), R3′ (||∇F|| ≥ κ3) and R3″ inside the box "
             "[0, 2]^n; "
             "for n = r = 2: R3′ only. Every c, orthogonal U and scale reduce to these instances; other n, r "
             "and λ_2/λ_1 are not covered here (sampled at the numeric tier)")
    details = {"outcomes": [o.to_json() for o in outcomes], "constant_strength": CONSTANT_STRENGTH,
               "kappa3_upper_factor_at_midpoints": slack, "c": str(c),
               "factors": {k: str(v) for k, v in factors.items()}}
    tol = "none: exact rational arithmetic (fmpq endpoints), no rounding"
    bad = [o for o in outcomes if o.violation]
    if bad:
        v = bad[0].violation
        return CheckResult(Verdict.REFUTED, f"certified violation of {v['region']} at {bad[0].instance}: the box "
                                            f"{v['box']} lies inside {v['region']} and the inequality fails on "
                                            f"all of it (relative margin at its midpoint "
                                            f"{v['midpoint_margin_float']:.3g})",
                           counterexample={"instance": bad[0].instance, **v}, details=details, scope=scope,
                           instances=len(outcomes), tolerance=tol)
    open_ = {o.instance: o.undecided for o in outcomes if o.undecided}
    if open_:
        return CheckResult(Verdict.INCONCLUSIVE, f"branch-and-bound undecided within its box budget: {open_}",
                           details=details, scope=scope, instances=len(outcomes), tolerance=tol)
    return CheckResult(Verdict.VERIFIED, f"every box of {len(outcomes)} instances settled ({boxes} boxes): each "
                                         "bounded region's inequality certified. Strength by constant: κ1, ρ1, κ2, "
                                         "ρ2, κ3'' proved (symbolic tier) and certified here; κ3 certified here "
                                         "(n ≤ 3 at r = 1, n = r = 2), sampled beyond, not proved", details=details,
                       scope=scope,
                       instances=len(outcomes), tolerance=tol)


# ---------------------------------------------------------------------------------------- mpmath

def _mp_probe_reports(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational], eta) -> dict[str, Any]:
    from ..highprec.regions import InstanceMP, constants_mp, evaluate_mp
    from ..landscape.region_probes import INSTANCES, PROBES, probe_point

    out = {}
    for probe in PROBES:
        lam, U, r = INSTANCES[probe.instance]
        inst = InstanceMP(tuple(mpmath.mpf(x.p) / x.q for x in lam),
                          mpmath.matrix([[mpmath.mpf(x.p) / x.q for x in row] for row in U]), r)
        K = constants_mp(inst, c, factors)
        U_rows = [[inst.U[i, j] for j in range(inst.n)] for i in range(inst.n)]
        X = mpmath.matrix(probe_point(probe, K, list(inst.lam), U_rows, mpmath.sqrt, eta, mpmath.mpf(0)))
        out[probe.name] = (probe, evaluate_mp(X, inst, K))
    return out


def _mp_at_float_point(X: np.ndarray, lam: np.ndarray, U: np.ndarray, r: int, c: sp.Rational,
                       factors: dict[str, sp.Rational]):
    """The region report of a float64 point, re-evaluated in mpmath (the float λ, U orthonormalized)."""
    from ..highprec.regions import InstanceMP, constants_mp, evaluate_mp, orthonormalize

    inst = InstanceMP(tuple(mpmath.mpf(float(x)) for x in lam), orthonormalize(U), r)
    Xm = mpmath.matrix([[mpmath.mpf(float(x)) for x in row] for row in X])
    return evaluate_mp(Xm, inst, constants_mp(inst, c, factors))


def _search_for(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational]):
    from ..landscape.region_search import region_search

    seed = int(ctx.rng("li.regions.search").integers(2 ** 62))
    return region_search(seed, ctx.profile.level, ctx.profile.search_steps, float(c),
                         {k: float(v) for k, v in factors.items()})


def highprec_check(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational]) -> CheckResult:
    """Margins in mpmath at the region centres, the analytic probes and the float64 search's worst points."""
    from ..highprec.regions import InstanceMP, constants_mp, evaluate_mp
    from ..highprec.symmetric import random_orthogonal_mp, stationary_point_mp
    from ..kernels.symmetric import random_instances
    from ..landscape.region_probes import PROBES

    rng = ctx.rng("li.regions.hp")
    worst: dict[str, Any] = {}
    where: dict[str, dict] = {}
    count = 0
    with mpmath.workdps(ctx.dps + 10):
        tol = hp_tolerance(ctx.dps)

        def note(key: str, rep, info: dict) -> None:
            nonlocal count
            count += 1
            if key not in worst or rep.margin < worst[key]:
                worst[key] = rep.margin
                where[key] = {**info, "region": rep.region, "margin": mpmath.nstr(rep.margin, 15),
                              "value": mpmath.nstr(rep.value, 20), "bound": mpmath.nstr(rep.bound, 20)}

        centres = random_instances(rng, ctx.profile.hp_instances, max_n=3, cases=("p=r", "p>r"))
        for case, inst in centres:
            lam = tuple(mpmath.mpf(float(v)) for v in inst.lam)
            U = random_orthogonal_mp(rng, inst.n, ctx.dps)
            Psi = random_orthogonal_mp(rng, inst.r, ctx.dps)
            im = InstanceMP(lam, U, inst.r)
            K = constants_mp(im, c, factors)
            for k in range(inst.r + 1):
                for S in itertools.combinations(range(inst.p), k):
                    rep = evaluate_mp(stationary_point_mp(list(lam), U, S, Psi, inst.r), im, K)
                    note(f"{rep.region} (centre)", rep, {"case": case, "S": [i + 1 for i in S],
                                                        "lambda": inst.lam.tolist(), "r": inst.r})
        eta = mpmath.mpf(10) ** -(ctx.dps // 2)
        for name, (probe, rep) in _mp_probe_reports(ctx, c, factors, eta).items():
            note(f"{rep.region} (probe {name})", rep, {"probe": name, "point": probe.note, "eta": mpmath.nstr(eta, 3),
                                                        "expected_region": probe.region})
        found = _search_for(ctx, c, factors)
        for region, lst in found.worst.items():
            for f in lst[:1]:
                rep = _mp_at_float_point(f.X, f.inst.lam, f.inst.U, f.inst.r, c, factors)
                note(f"{rep.region} (search)", rep, {"float64_region": region, "float64_margin": f.rep.margin,
                                                     "X": f.X.tolist(), "lambda": f.inst.lam.tolist(),
                                                     "U": f.inst.U.tolist(), "r": f.inst.r})
        wm = min(worst.values())
        verdict = _verdict(wm, tol)
        key = min(worst, key=lambda k: worst[k])
        by_region: dict[str, Any] = {}
        for k, v in worst.items():
            reg = k.split(" ")[0]
            by_region[reg] = min(by_region.get(reg, v), v)
        misplaced = [n for n, w in where.items() if "expected_region" in w and w["region"] != w["expected_region"]]
        summary = (f"mpmath margins at {count} points (region centres, {len(PROBES)} analytic probes, the search's worst "
                   f"points): worst {mpmath.nstr(wm, 6)} ({key}); by region: {_fmt(by_region)}")
        return CheckResult(verdict, summary, instances=count, worst_margin=_fmt(by_region),
                           tolerance=f"{mpmath.nstr(tol, 3)} relative to the region's "
                           f"constant (working precision {ctx.dps + 10} digits; tight probes sit η = "
                           f"{mpmath.nstr(eta, 3)} inside, margin ≈ η)",
                           counterexample=where[key] if verdict is Verdict.REFUTED else None,
                           scope=(f"{len(centres)} random instances (centres, n ≤ 3), probes A (n = r = 1) and B "
                                  f"(n = 2, r = 1), the float64 search's worst points "
                                  f"({found.instances} instances, (n, r, p) in {sorted(found.sizes)})"),
                           details={"worst_by_point_kind": {k: mpmath.nstr(v, 10) for k, v in worst.items()},
                                    "where": where, "probes_outside_their_region": misplaced,
                                    "factors": {k: str(v) for k, v in factors.items()}, "c": str(c)})


# ---------------------------------------------------------------------------------------- float64

def numeric_check(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational],
                  figure: Callable[[], list[str]]) -> CheckResult:
    """Sampling and adversarial search (cached), the probes in float64; borderline points confirmed in mpmath."""
    from ..kernels.symmetric import Instance
    from ..landscape.region_probes import INSTANCES, PROBES, probe_point
    from ..landscape.region_search import REGIONS, Found
    from ..landscape.symmetric import constants, evaluate

    found = _search_for(ctx, c, factors)
    fac = {k: float(v) for k, v in factors.items()}
    probe_rows = {}
    candidates: dict[str, list[Found]] = {k: list(v) for k, v in found.worst.items()}
    for probe in PROBES:
        lam, U, r = INSTANCES[probe.instance]
        inst = Instance(np.array([float(x) for x in lam]), np.array([[float(x) for x in row] for row in U]), r)
        K = constants(inst, float(c)).scaled(**fac)
        X = np.array(probe_point(probe, K, list(inst.lam), inst.U.tolist(), math.sqrt, FLOAT_ETA, 0.0))
        rep = evaluate(X, inst, K)
        probe_rows[probe.name] = {"region": rep.region, "expected_region": probe.region, "margin": rep.margin}
        candidates.setdefault(rep.region, []).append(Found(f"probe {probe.name}", inst, X, rep))
    per_region: dict[str, Any] = {}
    confirmations = []
    verdicts = []
    cx = None
    with mpmath.workdps(ctx.dps + 10):
        tol_mp = hp_tolerance(ctx.dps)
        for region, lst in candidates.items():
            lst.sort(key=lambda f: f.rep.margin)
            region_verdict = Verdict.VERIFIED
            for f in lst:
                m = f.rep.margin
                if m > FLOAT_TOL:
                    break
                # within float64 rounding of 0, or negative: the same point, re-evaluated in mpmath
                rep = _mp_at_float_point(f.X, f.inst.lam, f.inst.U, f.inst.r, c, factors)
                v = _verdict(rep.margin, tol_mp)
                confirmations.append({"how": f.how, "float64_region": region, "float64_margin": m,
                                      "mpmath_region": rep.region, "mpmath_margin": mpmath.nstr(rep.margin, 10),
                                      "verdict": str(v)})
                if v is Verdict.REFUTED:
                    region_verdict = Verdict.REFUTED
                    cx = cx or {**f.to_json(), "mpmath_margin": mpmath.nstr(rep.margin, 15),
                                "mpmath_region": rep.region}
                    break
                if v is Verdict.INCONCLUSIVE and region_verdict is Verdict.VERIFIED:
                    region_verdict = Verdict.INCONCLUSIVE
            per_region[region] = lst[0].rep.margin if lst else None
            verdicts.append(region_verdict)
    missing = [r for r in REGIONS if r not in candidates]
    if Verdict.REFUTED in verdicts:
        verdict = Verdict.REFUTED
    elif Verdict.INCONCLUSIVE in verdicts or missing:
        verdict = Verdict.INCONCLUSIVE
    else:
        verdict = Verdict.VERIFIED
    conflicts = [c_ for c_ in confirmations if float(c_["float64_margin"]) < -FLOAT_TOL and c_["verdict"] != "refuted"]
    figs = figure()
    wm = min(v for v in per_region.values() if v is not None)
    summary = "worst float64 margins by region: " + _fmt(per_region)
    if confirmations:
        summary += f"; {len(confirmations)} borderline/negative point(s) re-evaluated in mpmath"
    if conflicts:
        summary += f"; {len(conflicts)} float64 violation(s) NOT confirmed in mpmath (tier conflict, not counted)"
    if missing:
        summary += f"; no point reached {missing}"
    return CheckResult(verdict, summary, instances=sum(found.counts.values()) + len(PROBES),
                       worst_margin=_fmt(per_region),
                       tolerance=f"{FLOAT_TOL:g} relative to the region's constant (float64); margins within it, "
                                 f"or below it, are decided by the same point in mpmath "
                                 f"({mpmath.nstr(hp_tolerance(ctx.dps), 3)})",
                       counterexample=cx, figures=figs,
                       scope=(f"{found.instances} random instances, (n, r, p) in {sorted(found.sizes)}; "
                              f"{sum(found.counts.values())} points; {found.starts} Powell starts × "
                              f"{found.maxfev} evaluations per region and instance; {len(PROBES)} analytic probes; "
                              "p < r and tied eigenvalues outside the claim"),
                       details={"worst_by_region": per_region, "worst_by_region_and_route": found.by_route,
                                "points_by_region": found.counts, "probes": probe_rows,
                                "mpmath_confirmations": confirmations, "outside_claim": found.outside,
                                "factors": {k: str(v) for k, v in factors.items()}, "c": str(c),
                                "overall_worst": wm})


def landscape_figure(ctx: RunContext, cf: float, factors: dict[str, float]) -> list[str]:
    """n = 2, r = 1: contours of F over R², stationary points, regions R1/R2/R3 shaded."""
    if ctx.out_dir is None:
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from verify.kernels.symmetric import Instance, objective
    from verify.landscape.symmetric import RegionEvaluator, constants
    from verify.report.figures import save_figure

    th = math.pi / 7
    U = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    inst = Instance(np.array([1.0, 0.45]), U, 1)
    K = constants(inst, cf).scaled(**factors)
    g = np.linspace(-1.6, 1.6, 91)
    XX, YY = np.meshgrid(g, g)
    P = np.stack([XX, YY], -1)[..., None]
    Fv = objective(P, inst.M, cf)
    code = {"R1a": 0, "R1b": 0, "R2": 1, "R3'": 2, "R3''": 2}
    regions = RegionEvaluator(inst, K).regions(P.reshape(-1, 2, 1))
    lab = np.array([code[reg] for reg in regions]).reshape(XX.shape)
    fig, ax = plt.subplots(figsize=(5.8, 5.4))
    ax.pcolormesh(XX, YY, lab, cmap=ListedColormap(["#f4b6b6", "#b6e3b6", "#e8e8f4"]), vmin=-0.5, vmax=2.5,
                  shading="auto")
    levels = np.geomspace(max(float(Fv.min()), 1e-3), float(Fv.max()), 22)
    ax.contour(XX, YY, Fv, levels=levels, colors="k", linewidths=0.4)
    for S, mk, name, rad, col in (((), "s", "S=∅ (local max)", None, "C3"),
                                  ((1,), "^", "S={2} saddles", K.rho1, "C3"),
                                  ((0,), "*", "S={1} global minima", K.rho2, "C2")):
        for sign in (1, -1):
            x = sign * (U[:, list(S)] * np.sqrt(inst.lam[list(S)])).sum(axis=1) if S else np.zeros(2)
            ax.plot(x[0], x[1], mk, ms=9, color=col, label=name if sign == 1 else None)
            if rad:
                ax.add_patch(plt.Circle((x[0], x[1]), rad, fill=True, alpha=0.6, color=col, lw=1.5))
    ax.set_aspect("equal")
    ax.set_title(f"F = c||xxᵀ − M||², c = {cf:g}, λ = (1, 0.45), r = 1\n"
                 f"red R1 (σ₁² ≤ λ₁/6, or within ρ1 = {K.rho1:.3f} of a saddle), green R2 (ρ2 = {K.rho2:.3f}), "
                 "grey R3", fontsize=8)
    ax.legend(loc="lower right", fontsize=7)
    return save_figure(fig, ctx, "li_landscape_n2_r1.png", tight=False)
