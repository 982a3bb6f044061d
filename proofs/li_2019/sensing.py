"""L6 — matrix sensing inherits the factorization landscape (Li et al. 2019; docs/mathematics.md §L6).

The extension to matrix sensing is stated in the abstract; every constant and regime here is derived by
the suite. One claim, ``li.sensing``: with G(X) = c ||A(X X^T) - A(M)||^2 and Gaussian A of decreasing
size m (so increasing restricted-isometry constant delta), (i) the full orthonormal basis gives G = F
exactly, (ii) 1/sqrt(m) makes the symmetrized Gaussian ensemble isotropic, (iii) the sensing Hessian
is within c (8 delta_{2r} ||X||_2^2 + 4 delta_{rho+1} ||E||_F) of the factorization Hessian (bound
derived in verify.sensing), (iv) saddles stay strict in the regime that bound guarantees and (v) G has
no spurious local minimum for delta_2r below a claimed constant (default 1/5): checked by descent on the
Gaussian operators and by an adversarial search over every operator on Sym(2) (n = 2, r = 1, where
delta_2r is exact), with an explicit counterexample family at every delta_2r > 1/2 (verify.sensing_search).
``sensing_claim`` takes the claimed constants (c, bound coefficients, normalizations, regime) as
parameters so tests can perturb them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import minimize

from verify import sensing as sen
from verify import sensing_minima as sm
from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict
from verify.errors import UsageError
from verify.numbers import dec, parse_rational
from verify.claims.scope import scoped

SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: the landscape results extend to matrix sensing; "
          "the Hessian-distance bound, the strict-saddle and no-spurious-minima regimes and the counterexample "
          "family are derived by the suite (docs/mathematics.md §L6)")
PAPER = "Li et al. 2019"
DEFAULT_M = (8000, 2000, 500, 150, 50, 20)

FD_TOL = 1e-6        # central differences h = 1e-5 on a quartic: truncation ~1e-10, roundoff ~1e-11
EXACT_TOL = 1e-12    # float64 identities (G = F for the basis, hand vs SymPy derivatives): ~100 eps
BOUND_RTOL = 1e-9    # distance vs bound: both from float64 eigen/SVD, errors ~1e-15 of ||H||
CLEAR = 1e-6         # an eigenvalue below -1e-6 ||H|| is clearly negative (eigvalsh error ~1e-15 ||H||)


@dataclass(frozen=True)
class _Instance:
    U: np.ndarray
    lam: np.ndarray
    M: np.ndarray
    points: list[sen.StationaryPoint]
    ensembles: list[sen.Measurement]


@dataclass(frozen=True)
class _Params:
    c: sp.Rational
    a: sp.Rational
    b: sp.Rational
    basis_scale: sp.Expr
    gauss_power: sp.Rational
    n: int
    r: int
    m_sizes: tuple[int, ...]
    minima_delta: float
    minima_q: sp.Rational


def _instance(ctx: RunContext, p: _Params, i: int) -> _Instance:
    rng = ctx.rng(f"sensing.instance.{i}")
    U, _ = np.linalg.qr(rng.standard_normal((p.n, p.n)))
    lam = np.zeros(p.n)
    lam[:p.r] = np.arange(p.r, 0, -1) + rng.uniform(0.2, 0.8, p.r)   # distinct: gaps >= 0.4
    psi = np.linalg.qr(rng.standard_normal((p.r, p.r)))[0]          # a point of the O(r) orbit
    M = (U * lam) @ U.T
    M = (M + M.T) / 2
    pts = sen.factorization_stationary_points(U, lam, p.r, psi)
    ens = [sen.gaussian_measurements(p.n, m, ctx.rng(f"sensing.A.{i}.{m}")) for m in p.m_sizes]
    return _Instance(U, lam, M, pts, ens)


def _n_instances(ctx: RunContext) -> int:
    return 1 + 2 * ctx.profile.level


# ---------------------------------------------------------------- symbolic checks

def _full_basis(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        sizes = [(2, 1), (3, 1)] if ctx.profile.level == 0 else [(2, 1), (3, 1), (3, 2)]
        c = p.c
        fails = []
        for n, r in sizes:
            X = sp.Matrix(n, r, sp.symbols(f"x0:{n * r}", real=True))
            msym = sp.symbols(f"m0:{n * (n + 1) // 2}", real=True)
            M = sp.zeros(n, n)
            idx = 0
            basis = []
            for i in range(n):
                for j in range(i, n):
                    M[i, j] = M[j, i] = msym[idx]
                    idx += 1
                    B = sp.zeros(n, n)
                    if i == j:
                        B[i, i] = 1
                    else:
                        B[i, j] = B[j, i] = 1 / sp.sqrt(2)
                    basis.append(B)
            E = X * X.T - M
            F = c * sum(e ** 2 for e in E)
            G = c * sum((p.basis_scale * sum(Bk[i, j] * E[i, j] for i in range(n) for j in range(n))) ** 2
                        for Bk in basis)
            diff = sp.expand(G - F)
            if diff != 0:
                fails.append({"n": n, "r": r, "G-F": str(sp.factor(diff))[:200]})
        tol = "exact: G - F must expand to the zero polynomial in X and M"
        details = {"sizes": sizes, "basis_scale": str(p.basis_scale)}
        if fails:
            return CheckResult(Verdict.REFUTED, f"G != F for the orthonormal basis scaled by {p.basis_scale}",
                               instances=len(sizes), tolerance=tol, counterexample=fails[0], details=details)
        return CheckResult(Verdict.VERIFIED, f"G = F identically for the full orthonormal basis of Sym(n) "
                                             f"(scale {p.basis_scale}), (n, r) in {sizes}",
                           instances=len(sizes), tolerance=tol, details=details)
    return run


def _isotropy(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        n = 3
        m = sp.Symbol("m", positive=True)
        z = sp.symbols(f"z0:{n * (n + 1) // 2}", real=True)
        Z = sp.zeros(n, n)
        k = 0
        for i in range(n):
            for j in range(i, n):
                Z[i, j] = Z[j, i] = z[k]
                k += 1
        b = sp.symbols(f"b0:{n * n}", real=True)
        Bm = sp.Matrix(n, n, b)
        A = (Bm + Bm.T) / 2
        lin = sp.expand(sum(A[i, j] * Z[i, j] for i in range(n) for j in range(n)))
        # E (sum_l c_l b_l)^2 = sum_l c_l^2 for iid standard normal b_l
        one = sum(lin.coeff(bl) ** 2 for bl in b)
        expect = sp.simplify(m * m ** (-2 * p.gauss_power) * one)
        target = sum(Z[i, j] ** 2 for i in range(n) for j in range(n))
        diff = sp.simplify(expect - target)
        tol = "exact: E||A(Z)||^2 - ||Z||_F^2 must simplify to 0 for symbolic m and symmetric Z"
        details = {"normalization": f"m^-{p.gauss_power}", "E||A(Z)||^2": str(expect)[:200]}
        if diff != 0:
            return CheckResult(Verdict.REFUTED, f"scaling m^-{p.gauss_power} is not isotropic: E||A Z||^2 = {str(expect)[:80]}",
                               tolerance=tol, details=details, counterexample={"difference": str(diff)[:200]})
        return CheckResult(Verdict.VERIFIED, f"with A_k = (B_k + B_k^T)/2 and scaling m^-{p.gauss_power}, "
                                             "E||A(Z)||^2 = ||Z||_F^2 for symmetric Z (symbolic m)",
                           instances=1, tolerance=tol, details=details)
    return run


def _sym_derivatives(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("sensing.symderiv")
        n, r, m = 3, 2, 4
        c = p.c
        Bs = rng.integers(-3, 4, (m, n, n))
        As = Bs + Bs.transpose(0, 2, 1)
        L = rng.integers(-2, 3, (n, n))
        Mi = L @ L.T
        X0 = rng.integers(-4, 5, (n, r)) / 2
        xs = sp.symbols(f"x0:{n * r}", real=True)
        X = sp.Matrix(n, r, xs)
        E = X * X.T - sp.Matrix(Mi)
        G = c * sum(sum(int(Ak[i, j]) * E[i, j] for i in range(n) for j in range(n)) ** 2 for Ak in As)
        F = c * sum(e ** 2 for e in E)
        at = [sp.Rational(float(x)) for x in X0.ravel()]
        worst = 0.0
        meas = sen.Measurement(As.reshape(m, n * n).astype(float), n, "integer")
        cf, Mf = float(c), Mi.astype(float)
        hand = {"G": (sen.g_grad(meas, X0, Mf, cf).ravel(), sen.g_hess(meas, X0, Mf, cf)),
                "F": (sen.f_grad(X0, Mf, cf).ravel(), sen.f_hess(X0, Mf, cf))}
        for name, expr in (("G", G), ("F", F)):
            P = sp.Poly(expr, *xs)
            grads = [P.diff(v) for v in xs]
            gs = np.array([float(g.eval(tuple(at))) for g in grads])
            hs = np.array([[float(g.diff(w).eval(tuple(at))) for w in xs] for g in grads])
            gh, hh = hand[name]
            worst = max(worst, np.linalg.norm(gh - gs) / max(np.linalg.norm(gs), 1e-300),
                        np.linalg.norm(hh - hs) / max(np.linalg.norm(hs), 1e-300))
        verdict = Verdict.VERIFIED if worst <= EXACT_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand grad/Hessian of F and G vs SymPy diff at an exact point: "
                                    f"worst relative difference {worst:.1e}", instances=2,
                           worst_margin=f"{1 - worst / EXACT_TOL:.6f}",
                           tolerance=f"{EXACT_TOL:g} relative (float64 evaluation of exact values, ~100 eps)",
                           details={"worst": worst})
    return run


# ---------------------------------------------------------------- numeric checks

def _fd(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("sensing.fd")
        inst = _instance(ctx, p, 0)
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
                worst = max(worst, np.linalg.norm(g - g_fd) / np.linalg.norm(g),
                            np.linalg.norm(hes - H_fd) / np.linalg.norm(hes))
        verdict = Verdict.VERIFIED if worst <= FD_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand gradients/Hessians of F and G vs central differences: worst {worst:.1e}",
                           instances=4, worst_margin=f"{1 - worst / FD_TOL:.6f}",
                           tolerance=f"{FD_TOL:g} relative (h = 1e-5(1+|X|))", details={"worst": worst})
    return run


def _deltas(ctx: RunContext, p: _Params, A: sen.Measurement, inst: _Instance, key: str) -> dict:
    """RIP estimates (lower bounds) seeded with the exact certificates at the points, and delta_full."""
    cf = float(p.c)
    hds = {pt.label: sen.hessian_distance(A, pt.X, inst.M, cf) for pt in inst.points}
    seeds2 = [z for hd in hds.values() for z in hd.tangent_extremes if np.linalg.norm(z) > 0]
    seedsE = [z for hd in hds.values() for z in hd.polarization]
    steps = max(5, ctx.profile.search_steps // 40)
    samples = min(ctx.profile.instances, 500)
    est2 = sen.rip_estimate(A, 2 * p.r, ctx.rng(key + ".2r"), samples, steps, np.array(seeds2) if seeds2 else None)
    rho = max(hd.e_rank for hd in hds.values())
    estE = sen.rip_estimate(A, rho + 1, ctx.rng(key + ".e"), samples, steps, np.array(seedsE) if seedsE else None)
    return {"hd": hds, "d2r": est2, "dE": estE, "full": sen.full_isometry_constant(A)}


def _hessian_distance(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        rows, worst_ratio_est, worst_ratio_full, cex = [], 0.0, 0.0, None
        basis_worst = 0.0
        for i in range(_n_instances(ctx)):
            inst = _instance(ctx, p, i)
            B = sen.basis_measurements(p.n)
            for pt in inst.points:
                hd = sen.hessian_distance(B, pt.X, inst.M, cf)
                basis_worst = max(basis_worst, hd.distance / max(hd.hess_f_norm, 1e-300),
                                  abs(sen.g_value(B, pt.X, inst.M, cf) - sen.f_value(pt.X, inst.M, cf))
                                  / max(sen.f_value(pt.X, inst.M, cf), 1e-300))
            for A in inst.ensembles:
                D = _deltas(ctx, p, A, inst, f"sensing.rip.{i}.{A.m}")
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
        tol = (f"distance <= bound(1 + {BOUND_RTOL:g}) (float64 norms, errors ~1e-15); orthonormal basis: "
               f"relative distance and |G - F|/F <= {EXACT_TOL:g}. An inequality with slack: only a claimed bound "
               "tighter than the worst distance/bound(delta_full) ratio can be refuted")
        details = {"claimed_bound": f"c({p.a} delta_2r ||X||_2^2 + {p.b} delta_(rho+1) ||E||_F), c = {p.c}",
                   "table": rows, "basis_worst_relative": basis_worst,
                   "worst_distance_over_bound_delta_est": worst_ratio_est,
                   "worst_distance_over_bound_delta_full": worst_ratio_full,
                   "note": "delta estimates are attained ratios (lower bounds on the true delta); delta_full = "
                           "||A*A - I|| on Sym(n) is an upper bound on every delta_k"}
        base = dict(instances=len(rows) * _n_instances(ctx), tolerance=tol, details=details,
                    worst_margin=f"{1 - worst_ratio_est:.6f}", figures=_delta_figure(ctx, rows))
        if basis_worst > EXACT_TOL:
            return CheckResult(Verdict.REFUTED, f"orthonormal basis: G differs from F by {basis_worst:.1e}", **base)
        if cex is not None:
            return CheckResult(Verdict.REFUTED, f"Hessian distance {cex['distance']:.4g} exceeds the claimed bound "
                                                f"{cex['bound_delta_full']:.4g} even with the upper bound delta_full",
                               counterexample=cex, **base)
        if worst_ratio_est > 1 + BOUND_RTOL:
            return CheckResult(Verdict.INCONCLUSIVE, f"distance exceeds the bound at the estimated delta "
                                                     f"(ratio {worst_ratio_est:.3f}) but not at delta_full", **base)
        return CheckResult(Verdict.VERIFIED, f"||hess G - hess F|| <= claimed bound at every point and m "
                                             f"(worst distance/bound {worst_ratio_est:.3f} with estimated delta); "
                                             f"basis gives G = F to {basis_worst:.1e}", **base)
    return run


def _delta_figure(ctx: RunContext, rows: list[dict]) -> list[str]:
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
    return save_figure(fig, ctx, "li_sensing_delta.png")


def _strict_saddles(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        rows, bad, guaranteed, newton_fail = [], None, 0, 0
        for i in range(_n_instances(ctx)):
            inst = _instance(ctx, p, i)
            for A in inst.ensembles:
                full = sen.full_isometry_constant(A)
                for pt in inst.points:
                    if pt.global_min:
                        continue
                    HF = sen.f_hess(pt.X, inst.M, cf)
                    lF = float(np.linalg.eigvalsh(HF)[0])
                    hd = sen.hessian_distance(A, pt.X, inst.M, cf)
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
                        scale = np.linalg.norm(HGG, 2)
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
        base = dict(instances=len(rows) * _n_instances(ctx), tolerance=tol, details=details)
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


def _global_minima(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        cf = float(p.c)
        rows, bad, inconcl, outside, in_regime = [], None, [], [], 0
        starts = 2 + ctx.profile.level
        for i in range(_n_instances(ctx)):
            inst = _instance(ctx, p, i)
            mins = [pt for pt in inst.points if pt.global_min]
            rng = ctx.rng(f"sensing.descent.{i}")
            for A in inst.ensembles:
                full = sen.full_isometry_constant(A)
                for pt in mins:
                    X = pt.X
                    Gv = sen.g_value(A, X, inst.M, cf)
                    gscale = cf * float(np.linalg.norm(inst.M)) ** 2 * max(1.0, float(np.linalg.norm(A.gram(), 2)))
                    HG, HF = sen.g_hess(A, X, inst.M, cf), sen.f_hess(X, inst.M, cf)
                    lG, lF = sen.orbit_complement_min(HG, X), sen.orbit_complement_min(HF, X)
                    hd = sen.hessian_distance(A, X, inst.M, cf)
                    # derived: at E = 0, hess G = 2c (AJ)^T(AJ) >= (1 - delta_T) hess F on the orbit complement
                    ineq_ok = lG >= (1 - hd.tangent_delta) * lF - 1e-12 * np.linalg.norm(HF, 2)
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
                        gn = np.linalg.norm(sen.g_grad(A, Xf, inst.M, cf)) / max(np.linalg.norm(Hf, 2), 1e-300)
                        spurious = gn <= 1e-9 and lperp > CLEAR * np.linalg.norm(Hf, 2)
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
        base = dict(instances=len(rows) * _n_instances(ctx), tolerance=tol, details=details)
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


def _hp_saddle(p: _Params) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        inst = _instance(ctx, p, 0)
        choice = None
        for A in sorted(inst.ensembles, key=lambda A: A.m):
            if A.m > 2000:
                continue
            full = sen.full_isometry_constant(A)
            for pt in inst.points:
                if pt.global_min or np.linalg.norm(pt.X) == 0:
                    continue
                lF = float(np.linalg.eigvalsh(sen.f_hess(pt.X, inst.M, cf))[0])
                hd = sen.hessian_distance(A, pt.X, inst.M, cf)
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
            X, gn = sen.newton_stationary_mp(Amp, X0, Mmp, cm, mpmath.mpf(10) ** (-(dps - 5)), dps)
            H = mpmath.matrix(sen.g_hess(Amp, X, Mmp, cm).tolist())
            ev = mpmath.eigsy(H, eigvals_only=True)
            lmin = min(ev[i] for i in range(ev.rows))
            hn = max(abs(ev[i]) for i in range(ev.rows))
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


def _hp_distance(p: _Params) -> Callable[[RunContext], CheckResult]:
    """The Hessian-distance bound re-evaluated at ctx.dps digits at the pair closest to violating it."""
    def run(ctx: RunContext) -> CheckResult:
        cf, a, b = float(p.c), float(p.a), float(p.b)
        inst = _instance(ctx, p, 0)
        best = None
        for A in inst.ensembles:
            if A.m > 500:           # the 50-digit Gram matrix costs m n^4 / 2 products
                continue
            full = sen.full_isometry_constant(A)
            for pt in inst.points:
                hd = sen.hessian_distance(A, pt.X, inst.M, cf)
                ratio = hd.distance / max(sen.distance_bound(cf, a, b, full, full, hd.x_norm2, hd.e_norm), 1e-300)
                if best is None or ratio > best[0]:
                    best = (ratio, A, pt, hd.distance)
        if best is None:
            return CheckResult(Verdict.INCONCLUSIVE, "no ensemble with m <= 500")
        ratio_f, A, pt, dist_f = best
        dps = ctx.dps
        with mpmath.workdps(dps + 10):
            cm, am, bm = (mpmath.mpf(q.p) / q.q for q in (p.c, p.a, p.b))
            dist, delta, bound = sen.hessian_distance_mp(A, pt.X, inst.M, cm, am, bm)
            ratio = dist / bound if bound > 0 else mpmath.inf
            digits = float(-mpmath.log10(abs(dist - dist_f) / dist + mpmath.mpf(10) ** -30))
        details = {"m": A.m, "point": pt.label, "distance": dec(dist, 20), "delta_full": dec(delta, 20),
                   "claimed_bound": dec(bound, 20), "distance/bound": dec(ratio, 12), "float64_ratio": ratio_f,
                   "float64_digits": round(digits, 2), "dps": dps}
        tol = (f"{dps} digits: refuted when distance > bound(delta_full) (1 + 1e-{dps - 10}); float64 and "
               f"{dps}-digit distances must agree to >= 8 digits")
        base = dict(instances=1, tolerance=tol, details=details, digits=digits,
                    scope=f"the (operator, stationary point) pair of target 0 with m <= 500 closest to the claimed "
                          f"bound in float64 (m = {A.m}, {pt.label}); delta_full = ||A*A - I|| on Sym({p.n}) "
                          f"(an upper bound on every delta_k) at {dps} digits")
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


def sensing_claim(*, c: str = "1/4", bound_coefficients: tuple[str, str] = ("8", "4"), basis_scale: str = "1",
                  gaussian_scale_power: str = "1/2", n: int = 6, r: int = 2,
                  m_sizes: tuple[int, ...] = DEFAULT_M, minima_delta: str = "1/5") -> Claim:
    """The L6 claim; every claimed constant is a parameter (exact decimal or fraction strings)."""
    cq = parse_rational(c, "c")
    if cq <= 0:
        raise UsageError(f"c must be positive, got {c}")
    a, b = (parse_rational(v, "bound coefficient") for v in bound_coefficients)
    if a < 0 or b < 0:
        raise UsageError("bound coefficients must be non-negative")
    scale = sp.sympify(basis_scale, rational=True) if isinstance(basis_scale, str) and "sqrt" in basis_scale \
        else parse_rational(basis_scale, "basis_scale")
    power = parse_rational(gaussian_scale_power, "gaussian_scale_power")
    for v, name in ((n, "n"), (r, "r")):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise UsageError(f"{name} must be a positive integer, got {v!r}")
    if 2 * r > n:
        raise UsageError(f"need 2r <= n for a rank-2r restricted isometry, got n={n}, r={r}")
    if not m_sizes or any(isinstance(m, bool) or not isinstance(m, int) or m <= 0 for m in m_sizes):
        raise UsageError(f"m_sizes must be positive integers, got {m_sizes!r}")
    mq = parse_rational(minima_delta, "minima_delta")
    if mq <= 0:
        raise UsageError(f"minima_delta must be positive, got {minima_delta}")
    p = _Params(cq, a, b, scale, power, n, r, tuple(sorted(m_sizes, reverse=True)), float(mq), mq)
    gauss = f"Gaussian operators (n = {n}, r = {r}, m in {list(p.m_sizes)})"
    checks = (
        Check("full-basis-equals-F", Tier.SYMBOLIC, scoped(_full_basis(p), lambda ctx: (
            "(n, r) in (2, 1), (3, 1)" + ("" if ctx.profile.level == 0 else ", (3, 2)")
            + ": exact polynomial identity in X and M"))),
        Check("gaussian-isotropy", Tier.SYMBOLIC, scoped(_isotropy(p), lambda ctx: (
            "n = 3, every m (symbolic), every symmetric Z: exact expectation over iid N(0, 1) entries"))),
        Check("derivatives-vs-sympy", Tier.SYMBOLIC, scoped(_sym_derivatives(p), lambda ctx: (
            "n = 3, r = 2, 4 integer measurements, one exact point"))),
        Check("derivatives-vs-fd", Tier.NUMERIC, scoped(_fd(p), lambda ctx: (
            f"n = {n}, r = {r}: the largest and smallest m, one random point each"))),
        Check("hessian-distance", Tier.NUMERIC, scoped(_hessian_distance(p), lambda ctx: (
            f"{gauss}, {_n_instances(ctx)} target(s) M, at every stationary point of F; delta estimated from below and delta_full exact"))),
        Check("strict-saddles", Tier.NUMERIC, scoped(_strict_saddles(p), lambda ctx: (
            f"{gauss}, {_n_instances(ctx)} target(s) M, at F's saddles where lambda_min(hess F) + bound(delta_full) < 0"))),
        Check("global-minima", Tier.NUMERIC, scoped(_global_minima(p), lambda ctx: (
            f"{gauss}, {_n_instances(ctx)} target(s) M; {2 + ctx.profile.level} descents per operator; spurious minima sought only where "
            f"delta_full < {mq} (exact eigenvalue computation)"))),
        Check("spurious-minima-operator-search", Tier.NUMERIC, sm.operator_search_check(cq, mq)),
        Check("newton-saddle-high-precision", Tier.HIGH_PRECISION, scoped(_hp_saddle(p), lambda ctx: (
            f"one saddle of one target at the smallest m <= 2000 in the guaranteed regime, {ctx.dps} digits"))),
        Check("hessian-distance-high-precision", Tier.HIGH_PRECISION, _hp_distance(p)),
        Check("spurious-minima-family-high-precision", Tier.HIGH_PRECISION, sm.family_check(cq, mq)),
    )
    return Claim(
        id="li.sensing", paper=PAPER, source=SOURCE, checks=checks,
        statement=(f"For G(X) = c||A(XX^T) - A(M)||^2 (c = {cq}) with a restricted isometry of constant delta: "
                   f"||hess G(X) - hess F(X)||_2 <= c({a} delta_2r ||X||_2^2 + {b} delta_(rho+1) ||XX^T - M||_F); "
                   "F's saddles stay strict where lambda_min(hess F) exceeds that bound; G has no spurious local "
                   f"minimum when delta_2r < {mq}: verified on Gaussian operators (n = {n}, r = {r}) and by an "
                   "adversarial search over every operator with n = 2, r = 1 (a regime, not a proof for all n, r); "
                   "the full orthonormal measurement basis gives G = F."),
        resolutions=(
            f"c = {cq} is a parameter; every Hessian number scales with it.",
            f"A(Z)_k = <A_k, Z> m^-{power}, A_k = (B_k + B_k^T)/2, B_k iid N(0,1): isotropic (E||A Z||^2 = ||Z||^2).",
            f"Orthonormal basis of Sym(n) (E_ii, (E_ij+E_ji)/sqrt 2) scaled by {scale}: no 1/sqrt(m) there.",
            "delta is estimated (sampling + truncated power iteration + exact subspace refinement): a lower bound; "
            "delta_full = ||A*A - I|| on Sym(n) is an exact upper bound; a bound is verified at the estimate "
            "and refuted only beyond delta_full.",
            "Strict-saddle regime: lambda_min(hess F) + bound(delta_full) < 0 (rigorous by Weyl).",
            f"No-spurious-minima regime: delta_2r < {mq} (the paper's constant is not at hand). It is not true for "
            "every delta < 1: for n = 2, r = 1 the suite derives an explicit operator family with a strict spurious "
            "minimum at every delta_2r > 1/2 (docs/mathematics.md §L6; e.g. measurements I, E22, 2(E12 + E21), "
            "delta = (13 + sqrt5)/(19 - sqrt5) ~ 0.909 after the best scaling, M = E11, x = (0, 1/sqrt2)), and searches adversarially over "
            "all operators on Sym(2) for one inside the claimed regime.",
            f"Instances: n = {n}, r = {r}, rank M = r with distinct eigenvalues, m in {list(p.m_sizes)}.",
        ),
    )


def claims() -> list[Claim]:
    return [sensing_claim()]
