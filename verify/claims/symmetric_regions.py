"""The checks of the L5 region claim (Li et al. 2019, three regions) for F_c(X) = c·||XXᵀ − M||_F².

The kind is ``verify.claims.symmetric_kinds.symmetric_regions_claim`` (the catalogue's declaration:
``proofs.li_2019.symmetric.regions_claim``); the constants are the
suite's (``verify.landscape.symmetric``), perturbed by exact factors. Four tiers:

- symbolic: the proof identities, the proofs' sufficient conditions on the constants, and the exact
  margins (SymPy, algebraic numbers) at the analytic worst points ``verify.landscape.region_probes``;
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


# ---------------------------------------------------------------------------------------- symbolic

def _sym_sign(expr: sp.Expr) -> int:
    """Sign of an algebraic number: evalf with guaranteed digits, exact simplification when it is tiny."""
    v = sp.N(expr, 60, maxn=2000)
    if abs(v) > sp.Float("1e-50"):
        return 1 if v > 0 else -1
    return 0 if sp.simplify(expr) == 0 else (1 if v > 0 else -1)


def _sym_probe_margin(probe, c: sp.Rational, factors: dict[str, sp.Rational]) -> tuple[str, sp.Expr]:
    """Region (``classify_region`` in exact arithmetic) and exact margin of one probe at η = 10⁻³⁰."""
    from ..landscape.region_probes import INSTANCES, probe_point
    from ..landscape.symmetric import classify_region, region_constants
    from ..symbolic.symmetric import derivatives, entry_symbols

    lam, U, r = INSTANCES[probe.instance]
    lam = list(lam)
    n = len(lam)
    K = region_constants(lam, r, c, sp.sqrt).scaled(**factors)
    X = sp.Matrix(probe_point(probe, K, lam, [list(row) for row in U], sp.sqrt, sp.Rational(1, 10 ** 30),
                              sp.Integer(0)))
    Um = sp.Matrix(U)
    M = Um * sp.diag(*lam) * Um.T
    _, grad, hess = derivatives(n, r, c)
    Xs, Ms = entry_symbols(n, r)
    sub = {Xs[a, k]: X[a, k] for a in range(n) for k in range(r)}
    sub.update({Ms[a, b]: M[a, b] for a in range(n) for b in range(a, n)})

    def orbit_dist(S):
        b = sp.zeros(n, 1)
        for i in S:
            b += sp.sqrt(lam[i]) * Um[:, i]
        return min(sp.sqrt(sum(e ** 2 for e in X - b)), sp.sqrt(sum(e ** 2 for e in X + b)))

    saddles = [S for S in itertools.combinations(range(n), r) if S != tuple(range(r))]
    sr2 = sum(e ** 2 for e in X)  # r = 1: σ_1² = ||x||²
    region = classify_region(sr2, lam[r - 1], lambda: min((orbit_dist(S) for S in saddles), default=None),
                             lambda: orbit_dist(tuple(range(r))), lambda: sr2, sp.sqrt(sum(e ** 2 for e in M)), K)
    H = hess.xreplace(sub).applyfunc(sp.expand)
    if region in ("R1a", "R1b", "R2"):  # r = 1: the orbit tangent is {0}, the complement is everything
        if H.shape == (1, 1):
            lmin = H[0, 0]
        else:
            tr, det = H[0, 0] + H[1, 1], H.det()
            lmin = (tr - sp.sqrt(sp.expand(tr ** 2 - 4 * det))) / 2
        if region == "R2":
            return region, (lmin - K.kappa2) / K.kappa2
        return region, (-lmin - K.kappa1) / K.kappa1
    g2 = sum(e ** 2 for e in grad.xreplace(sub))
    bound = K.kappa3_far if region == "R3''" else K.kappa3
    return region, sp.sqrt(g2) / bound - 1


def symbolic_check(ctx: RunContext, c: sp.Rational, factors: dict[str, sp.Rational]) -> CheckResult:
    """Proof identities, sufficient conditions on the (perturbed) constants, exact margins at the probes."""
    from ..landscape.region_probes import PROBES
    from ..symbolic.symmetric import derivatives, entry_symbols

    probes, failed = {}, []
    for probe in PROBES:
        region, m = _sym_probe_margin(probe, c, factors)
        sign = _sym_sign(m)
        probes[probe.name] = {"region": region, "expected_region": probe.region, "margin": str(sp.N(m, 20)),
                              "sign": sign, "targets": list(probe.targets), "point": probe.note}
        # a probe that another (enlarged) region swallowed is judged by that region's inequality
        if sign < 0:
            failed.append(f"{probe.name} ({region}) margin {sp.N(m, 8)} < 0")
    n, r = 2, 2
    F, grad, hess = derivatives(n, r, c)
    X, M = entry_symbols(n, r)
    q = sp.Matrix(sp.symbols("q0:2", real=True))
    v = sp.Matrix(sp.symbols("v0:2", real=True))
    d = sp.Matrix((q * v.T).reshape(1, n * r))
    quad = sp.expand((d * hess * d.T)[0])
    A = X * v * q.T + q * v.T * X.T
    ident1 = sp.expand(quad - 2 * c * (sum(e ** 2 for e in A) + 2 * v.dot(v) * ((X.T * q).dot(X.T * q)
                                                                             - (q.T * M * q)[0])))
    N = X * X.T
    ident2 = sp.expand(sum(grad[i] * X[i] for i in range(n * r))
                       - 4 * c * sum((N - M)[i] * N[i] for i in range(n * n)))
    E = sp.Matrix(n, r, sp.symbols("e0:4", real=True))
    Dm = sp.Matrix(n, r, sp.symbols("w0:4", real=True))
    sub = {X[i]: X[i] + E[i] for i in range(n * r)}
    dv = sp.Matrix(Dm.reshape(1, n * r))
    qXE = (dv * hess.xreplace(sub) * dv.T)[0]
    qX = (dv * hess * dv.T)[0]
    Am = X * Dm.T + Dm * X.T
    Bm = E * Dm.T + Dm * E.T
    diff = (X + E) * (X + E).T - X * X.T
    ident3 = sp.expand(qXE - qX - 2 * c * (2 * sum(Am[i] * Bm[i] for i in range(4)) + sum(b ** 2 for b in Bm)
                                           + 2 * sum(diff[i] * (Dm * Dm.T)[i] for i in range(4))))
    identities = [ident1 == 0, ident2 == 0, ident3 == 0]
    one = sp.Integer(1)
    f1, k1 = factors.get("rho1", one), factors.get("kappa1", one)
    f2, k2 = factors.get("rho2", one), factors.get("kappa2", one)
    fa, fk3f = factors.get("r1a_frac", one), factors.get("kappa3_far", one)
    # R1a: −∇²F[D, D]/(2cλ_r) ≥ 2 − (fraction factor) ≥ κ1/(2cγ) since γ ≤ λ_r; R1b, R2: the Weyl bounds
    # 4c(6√λ_1ε + 3ε²) and 4c(6√λ_1ε + ε²) at ε = ρ, with γ, δ ≤ 2λ_1
    conds = {
        "R1a: 2 − (λ_r/6 factor) ≥ κ1 factor": bool(2 - fa >= k1),
        "R1b: 2f/3 + f²/54 ≤ 2 − κ1 factor": bool(2 * f1 / 3 + f1 ** 2 / 54 <= 2 - k1),
        "R2: 6f/7 + f²/49 ≤ 2 − κ2 factor": bool(6 * f2 / 7 + f2 ** 2 / 49 <= 2 - k2),
        "R3'': κ3'' factor ≤ 1": bool(fk3f <= 1),
    }
    scope = (f"exact (algebraic) margins at {len(PROBES)} probes (n = r = 1, λ = 1; n = 2, r = 1, λ = (1, 9/10)); "
             "identities for n = r = 2 with symbolic entries; κ3 on R3' is not covered by a proof")
    details = {"probes": probes, "identities": identities, "conditions": conds, "c": str(c),
               "factors": {k: str(v) for k, v in factors.items()}}
    worst = {p: v["margin"] for p, v in probes.items()}
    if failed:
        return CheckResult(Verdict.REFUTED, "exact margin below the claimed bound at an analytic worst point: "
                                            + "; ".join(failed), counterexample={"probes": failed, **probes},
                           details=details, worst_margin=_fmt(worst), scope=scope, instances=len(PROBES),
                           tolerance="exact arithmetic (sign of an algebraic number)")
    if not all(identities):
        return CheckResult(Verdict.REFUTED, "a proof identity fails", details=details, scope=scope)
    if not all(conds.values()):
        return CheckResult(Verdict.INCONCLUSIVE, "probes and identities hold but the chosen constants are outside "
                                                 "what the proofs cover", details=details,
                           worst_margin=_fmt(worst), scope=scope, instances=len(PROBES))
    return CheckResult(Verdict.VERIFIED, "the three polynomial identities behind R1a, R1b/R2 and R3'' hold exactly; "
                                         "the constants satisfy the proofs' sufficient conditions; the exact margins "
                                         "at the analytic worst points are ≥ 0 (0 at the tight ones, A1 and A3); "
                                         "κ1, ρ1, κ2, ρ2, κ3'' proved, κ3 not (only its probe B2)",
                       details=details, worst_margin=_fmt(worst), scope=scope, instances=len(PROBES),
                       tolerance="exact arithmetic (sign of an algebraic number)",
                       proved_for=("κ1 with R1a's fraction and ρ1 (R1), κ2 with ρ2 (R2), κ3'' (R3''): every c > 0 and "
                                   "every distinct positive λ with p ≥ r, by the proofs of docs/mathematics.md §L5, "
                                   "whose polynomial identities are checked here with symbolic entries at n = r = 2; "
                                   "κ3 on R3' is not covered"),
                       derivation=_derivation(c, f1, k1, f2, k2, fa, fk3f))


def _derivation(c: sp.Rational, f1: sp.Rational, k1: sp.Rational, f2: sp.Rational, k2: sp.Rational,
                fa: sp.Rational, fk3f: sp.Rational) -> list[dict[str, str]]:
    """The proof steps of R1a, R1b, R2 and R3'' with the claimed factors (docs/mathematics.md §L5)."""
    from .derivation import step

    return [
        step("Hessian along D = qvᵀ (identity, symbolic entries at n = r = 2)",
             "∇²F[qvᵀ, qvᵀ] = 2c(‖Xvqᵀ + qvᵀXᵀ‖² + 2‖v‖²(‖Xᵀq‖² − qᵀMq))"),
        step(f"R1a: v the unit right singular vector of σ_r, q ∈ span(u_1..u_r) ⊥ the top r − 1 left singular "
             f"vectors; σ_r² ≤ ({fa})·λ_r/6 gives λ_min ≤ −2cλ_r(2 − {fa}) ≤ −({k1})·2cγ",
             "∇²F[D, D] ≤ 2c(6σ_r² − 2λ_r)"),
        step("exact Hessian perturbation (identity), A = XDᵀ + DXᵀ, B = EDᵀ + DEᵀ",
             "∇²F(X+E)[D,D] − ∇²F(X)[D,D] = 2c(2⟨A, B⟩ + ‖B‖² + 2⟨(X+E)(X+E)ᵀ − XXᵀ, DDᵀ⟩)"),
        step(f"R1b (Weyl, λ_min ∇²F(X_S) ≤ −4cγ, ε = {f1}·ρ1): 2f/3 + f²/54 ≤ 2 − κ1 factor, f = {f1}",
             sp.Le(2 * f1 / 3 + f1 ** 2 / 54, 2 - k1)),
        step(f"R2 (Weyl on the tangent complement, ≥ 4cδ at X̂, ε = {f2}·ρ2): 6f/7 + f²/49 ≤ 2 − κ2 factor",
             sp.Le(6 * f2 / 7 + f2 ** 2 / 49, 2 - k2)),
        step("Euler-type identity (symbolic entries at n = r = 2), N = XXᵀ", "⟨∇F, X⟩ = 4c⟨N − M, N⟩"),
        step(f"R3'': ‖N‖ > 2‖M‖ gives ⟨N − M, N⟩ ≥ ‖N‖²/2 and ‖X‖² ≤ √r‖N‖, so ‖∇F‖ ≥ 2c‖N‖^(3/2)r^(−1/4) "
             f"> κ3'' (factor {fk3f} ≤ 1)", "‖∇F‖ ≥ ⟨∇F, X⟩/‖X‖ ≥ 2c‖N‖^(3/2)·r^(−1/4)"),
        step(f"all constants carry the factor c = {c}; the conditions above are exact in the factors"),
    ]


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
