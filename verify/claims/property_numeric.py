"""Float64 tier of the property kind: S1's kernels, stationary radii found along the reduction's rays.

By the proved reduction (``verify.problems.reduction``) every nonzero stationary point is w_l = γ_l·ρ·s_l with
ρ ∈ (0, ρ_max], and such a point is stationary exactly when φ′(ρ) = Σ_l γ_l·∂F/∂w_l(γρ) = 0 (each w_l·∂F/∂w_l is
the same for every l there). φ′ is evaluated with the float64 gradient kernel on a grid of GRID points
(geometric from 10^−10·ρ_max, plus uniform) and every sign change is refined by bisection to adjacent floats.
A stationary radius below 10^−10·ρ_max, or a root where φ′ touches 0 without changing sign (codimension one in
(m, λ)), is missed here; the high-precision tier brackets every root.

Membership: the global minimizers are the candidates (0 and the radii) whose objective is within its error band of
the least; when several are, each is "maybe". A local minimum is a radius whose smallest Hessian eigenvalue exceeds
its band ("maybe" inside the band); 0 for a penalty not differentiable at 0 is "maybe". A violation at a "maybe"
point is undecided, never a refutation.

Bands: each quantity q is recomputed at two perturbed points w·(1 ± 8L·eps) (random signs per coordinate); the
band is 16 times the largest change plus 16·(L+4)·eps times its scale (|F|+|F(0)|, |value|, ‖H‖_F, ‖H‖_F·‖w‖+‖∇F‖):
the first term covers the conditioning of q in the point (whose coordinates bisection fixes to a few ulps), the
second the rounding of the kernels. The relation is accepted outright when it holds at every corner of the bands
(each quantity at value − band, value, value + band) with a relative margin above 4× its spread over the corners
+ 10^−12 (vectorized, the common case); every other point goes to the interval judge. Every float64 violation is re-decided at high precision (30 digits,
``property_highprec.confirm``) and counts only when confirmed; otherwise it is reported as a conflict
(inconclusive).
"""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from .base import CheckResult
from .context import RunContext
from .property import (EIGEN_QUANTITIES, Judged, PointResult, PropertySpec, excluded_reason, judge, plan,
                       random_points, summarize)
from .sampling import instances_per_depth, numeric_depths
from .scope import depth_text

EPS = float(np.finfo(float).eps)
GRID = 400


def _radii(kern, gammas: np.ndarray, m: np.ndarray, lam: np.ndarray, rho_max: np.ndarray) -> list[list[float]]:
    """Every sign change of φ′ on the grid, refined by bisection: the nonzero stationary radii per instance."""
    n, L = gammas.shape
    unit = np.unique(np.concatenate([np.geomspace(1e-10, 1.0, GRID // 2), np.linspace(0, 1, GRID // 2)[1:]]))
    K = len(unit)
    rho = rho_max[:, None] * unit[None, :]  # (n, K)

    def dphi(r: np.ndarray, idx: np.ndarray) -> np.ndarray:
        W = gammas[idx] * r[:, None]
        with np.errstate(all="ignore"):
            g = kern.gradient(W, m[idx], lam[idx])
        return np.sum(g * gammas[idx], axis=1)

    idx = np.repeat(np.arange(n), K)
    vals = dphi(rho.ravel(), idx).reshape(n, K)
    out: list[list[float]] = [[] for _ in range(n)]
    zero = vals == 0
    for i, k in zip(*np.nonzero(zero)):
        out[i].append(float(rho[i, k]))
    change = (np.sign(vals[:, :-1]) * np.sign(vals[:, 1:])) < 0
    ii, kk = np.nonzero(change)
    if len(ii):
        lo, hi = rho[ii, kk].copy(), rho[ii, kk + 1].copy()
        flo = np.sign(vals[ii, kk])
        for _ in range(200):
            mid = (lo + hi) / 2
            done = (mid <= lo) | (mid >= hi)
            if done.all():
                break
            fm = np.sign(dphi(mid, ii))
            left = fm == flo
            lo = np.where(left & ~done, mid, lo)
            hi = np.where(~left & ~done, mid, hi)
        for i, r in zip(ii, (lo + hi) / 2):
            out[int(i)].append(float(r))
    return [sorted(set(x)) for x in out]


def _quantities(kern, spec: PropertySpec, W: np.ndarray, m: np.ndarray, lam: np.ndarray) -> dict[str, tuple]:
    """name -> (values (P,), scales (P,)) for the quantities the relation uses."""
    out = {}
    absw = np.abs(W)
    used = spec.used
    with np.errstate(all="ignore"):
        if "objective" in used:
            F = kern.objective(W, m, lam)
            F0 = kern.objective(np.zeros_like(W), m, lam)
            out["objective"] = (F, np.abs(F) + np.abs(F0))
        if "product" in used:
            p = np.prod(W, axis=1)
            out["product"] = (p, np.abs(p))
        for name, v in (("layer_norm_sum", absw.sum(axis=1)), ("layer_norm_max", absw.max(axis=1)),
                        ("layer_norm_min", absw.min(axis=1))):
            if name in used:
                out[name] = (v, v)
        if spec.needs_gradient:
            H = kern.hessian(W, m, lam)
            hn = np.sqrt(np.sum(H * H, axis=(1, 2)))
            if "grad_norm" in used:
                g = np.linalg.norm(kern.gradient(W, m, lam), axis=1)
                out["grad_norm"] = (g, hn * np.linalg.norm(W, axis=1) + g)
            if "trace" in used:
                out["trace"] = (np.trace(H, axis1=1, axis2=2), hn)
            if used & EIGEN_QUANTITIES:
                E = _eigvalsh(H)
                for name, v in (("hess_min", E[:, 0]), ("hess_max", E[:, -1]), ("hess_min_orbit", E[:, 0])):
                    if name in used:
                        out[name] = (v, hn)
    return out


def _eigvalsh(H: np.ndarray) -> np.ndarray:
    """Ascending eigenvalues of each finite Hessian; NaN rows where it is not finite (e.g. a nonsmooth 0)."""
    out = np.full(H.shape[:2], np.nan)
    ok = np.isfinite(H).all(axis=(1, 2))
    if ok.any():
        out[ok] = np.linalg.eigvalsh(H[ok])
    return out


def _banded(kern, spec: PropertySpec, W: np.ndarray, m: np.ndarray, lam: np.ndarray,
            rng: np.random.Generator) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """name -> (value, band) (module docstring)."""
    L = W.shape[1]
    base = _quantities(kern, spec, W, m, lam)
    change = {k: np.zeros(len(W)) for k in base}
    for _ in range(2):
        jitter = 1 + 8 * L * EPS * rng.choice([-1.0, 1.0], size=W.shape)
        moved = _quantities(kern, spec, W * jitter, m, lam)
        for k in base:
            change[k] = np.maximum(change[k], np.abs(moved[k][0] - base[k][0]))
    return {k: (v, 16 * change[k] + 16 * (L + 4) * EPS * s) for k, (v, s) in base.items()}


def _local_membership(kern, W: np.ndarray, m: np.ndarray, lam: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        H = kern.hessian(W, m, lam)
    hn = np.sqrt(np.sum(H * H, axis=(1, 2)))
    lo = _eigvalsh(H)[:, 0]
    band = 16 * (W.shape[1] + 4) * EPS * hn * 64
    return np.where(lo > band, "yes", np.where(lo < -band, "no", "maybe"))


def numeric_check(spec: PropertySpec) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        from ..kernels.problem import problem_kernels
        from ..problems.reduction import reduce
        from ..problems.symbols import LAM, MABS
        from .property_highprec import confirm

        explicit = spec.depths is not None
        depths = numeric_depths(spec.chosen_depths(ctx), explicit=explicit)
        n = instances_per_depth(ctx.profile.instances, len(depths)) if depths else 0
        rng = ctx.rng(f"property:{spec.id}:numeric-jitter")
        rows, extra, total = [], [], 0
        scope = (f"{depth_text(depths)}, {n} (m, λ) each ({spec.describe_ranges()}, corners included); float64; "
                 f"radii below 1e-10·ρ_max and tangential roots not searched")
        tol = ("band per quantity: 16×its change under 8L·eps relative perturbations of the point + "
               "16(L+4)·eps×its scale; relation decided by interval arithmetic; violations confirmed in mpmath "
               "(30 digits)" + (f"; == within relative tolerance {spec.tolerance}" if spec.tolerance else ""))
        for L in depths:
            red = reduce(spec.problem, L)
            kern = problem_kernels(spec.problem, L)
            insts = plan(spec, ctx, "numeric", n, [L])
            total += len(insts)
            m = np.array([float(i.m) for i in insts])
            lam = np.array([float(i.lam) for i in insts])
            gam_f = sp.lambdify((LAM,), list(red.scales), "numpy")
            gammas = np.array([np.broadcast_to(np.asarray(gam_f(x), dtype=float), (L,)) for x in lam])
            rmax_f = sp.lambdify((MABS, LAM), red.rho_max, "numpy")
            rho_max = np.array([float(rmax_f(a, b)) for a, b in zip(m, lam)])
            pts: list[tuple[int, str, np.ndarray, str]] = []  # (instance index, label, w, membership)
            if spec.points == "random":
                for i, inst in enumerate(insts):
                    for k, w in enumerate(random_points(spec, inst)):
                        pts.append((i, f"random point {k + 1}", np.array([float(x) for x in w]), "yes"))
            else:
                radii = _radii(kern, gammas, m, lam, rho_max)
                for i in range(len(insts)):
                    cands = [("the point 0", np.zeros(L))] + [
                        (f"the stationary point of radius ρ = {r:.15g}", gammas[i] * r) for r in radii[i]]
                    pts += _members(spec, kern, red.smooth_at_zero, i, cands, m[i], lam[i])
            if not pts:
                continue
            W = np.array([p[2] for p in pts])
            idx = np.array([p[0] for p in pts])
            vals = _banded(kern, spec, W, m[idx], lam[idx], rng)
            clear, margins, lhs_mid, rhs_mid = _clear_holds(spec, vals, m[idx], L, lam[idx])
            for j, (i, label, w, member) in enumerate(pts):
                inst = insts[i]
                why = excluded_reason(spec, red.smooth_at_zero, w)
                wtext = tuple(repr(float(x)) for x in w)
                if why:
                    rows.append((inst, PointResult(label, member, wtext, {}, why), None))
                    continue
                if clear[j]:
                    rows.append((inst, PointResult(label, member, wtext, {}),
                                 Judged("holds", float(margins[j]), f"{lhs_mid[j]:.17g}", f"{rhs_mid[j]:.17g}")))
                    continue
                values = {k: (mpmath.mpf(float(v[0][j])), mpmath.mpf(float(v[1][j]))) for k, v in vals.items()}
                if any(not mpmath.isfinite(x) for pair in values.values() for x in pair):
                    rows.append((inst, PointResult(label, member, wtext, values),
                                 Judged("undecided", None, "?", "?", "a quantity is not finite in float64")))
                    continue
                judged = judge(spec, inst, values, prec_bits=80)
                point = PointResult(label, member, wtext, values)
                if judged.status == "violated" and member == "yes":
                    verdict, found = confirm(spec, inst, 30)
                    if verdict == "violated":
                        hp_point, hp_judged = found
                        rows.append((inst, point, judged))
                        result = summarize(spec, rows, total, scope, tol, refuting=(inst, point, judged))
                        result.counterexample["confirmed_in_mpmath"] = {"point": hp_point.label, "lhs": hp_judged.lhs,
                                                                         "rhs": hp_judged.rhs}
                        return result
                    extra.append(f"depth {L}, m = {inst.m}, λ = {inst.lam}, {label}: float64 violation not "
                                 f"confirmed in mpmath ({verdict})")
                    rows.append((inst, point, Judged("holds", judged.margin, judged.lhs, judged.rhs)))
                    continue
                rows.append((inst, point, judged))
        return summarize(spec, rows, total, scope, tol, undecided_extra=extra)
    return run


#: a point whose relation holds in float64 at every corner of its quantities' bands with a relative margin above
#: 4× the spread over the corners + CLEAR is accepted without the interval judge (the common case, vectorized);
#: anything closer goes to the mpmath interval judge
CLEAR = 1e-12


def _clear_holds(spec: PropertySpec, vals: dict, m: np.ndarray, L: int, lam: np.ndarray):
    """(clear (P,) bool, margin (P,), lhs (P,), rhs (P,)): the relation holds with room at every band corner."""
    names = sorted(vals)
    P = len(m)
    if len(names) > 4:
        return np.zeros(P, bool), np.zeros(P), np.zeros(P), np.zeros(P)
    from .property import _ARGS

    f = _numpy_sides(spec)
    corners = [np.array(c) for c in np.ndindex(*(3,) * len(names))]  # −1, 0, +1 band per quantity
    lhs_all, rhs_all = [], []
    for c in corners:
        kw = {}
        for name, step in zip(names, c):
            v, band = vals[name]
            kw[name] = v + (step - 1) * band
        args = [kw.get(str(a), np.zeros(P)) for a in _ARGS[:-3]] + [m, np.full(P, float(L)), lam]
        with np.errstate(all="ignore"):
            lhs, rhs = (np.broadcast_to(np.asarray(g(*args), dtype=float), (P,)) for g in f)
        lhs_all.append(lhs)
        rhs_all.append(rhs)
    lhs_c, rhs_c = np.array(lhs_all), np.array(rhs_all)  # (corners, P)
    mid = len(corners) // 2  # the corner with every step 0: the values themselves
    scale = np.maximum(np.abs(lhs_c), np.abs(rhs_c))
    with np.errstate(all="ignore"):
        if spec.op == "<=":
            marg = (rhs_c - lhs_c) / scale
        elif spec.op == ">=":
            marg = (lhs_c - rhs_c) / scale
        else:
            marg = float(spec.tolerance) - np.abs(lhs_c - rhs_c) / scale
    marg = np.where(scale == 0, 0.0 if spec.op != "==" else float(spec.tolerance or 0), marg)
    spread = marg.max(axis=0) - marg.min(axis=0)
    centre = marg[mid]
    clear = np.isfinite(marg).all(axis=0) & (marg.min(axis=0) > 4 * spread + CLEAR) & (centre > 0)
    return clear, centre, lhs_c[mid], rhs_c[mid]


_NUMPY_SIDES: dict = {}


def _numpy_sides(spec: PropertySpec):
    from .property import _ARGS

    key = (spec.lhs, spec.rhs)
    if key not in _NUMPY_SIDES:
        _NUMPY_SIDES[key] = (sp.lambdify(_ARGS, spec.lhs, "numpy"), sp.lambdify(_ARGS, spec.rhs, "numpy"))
    return _NUMPY_SIDES[key]


def _members(spec: PropertySpec, kern, smooth: bool, i: int, cands: list[tuple[str, np.ndarray]],
             m: float, lam: float) -> list[tuple[int, str, np.ndarray, str]]:
    """The candidates in ``spec.points`` with their membership ("yes" / "maybe"), see the module docstring."""
    if spec.points == "stationary":
        return [(i, label, w, "yes") for label, w in cands]
    W = np.array([w for _, w in cands])
    L = W.shape[1]
    ms, ls = np.full(len(W), m), np.full(len(W), lam)
    if spec.points == "global_minimizers":
        with np.errstate(all="ignore"):
            F = kern.objective(W, ms, ls)
        F0 = F[0]
        band = 64 * (L + 4) * EPS * (np.abs(F) + abs(F0))
        best = int(np.argmin(F))
        near = [k for k in range(len(W)) if F[k] - band[k] <= F[best] + band[best]]
        member = "yes" if len(near) == 1 else "maybe"
        return [(i, cands[k][0], cands[k][1], member) for k in near]
    out = []
    nonzero = [k for k in range(len(W)) if np.any(W[k] != 0)]
    flags = _local_membership(kern, W[nonzero], ms[nonzero], ls[nonzero]) if nonzero else []
    for k, flag in zip(nonzero, flags):
        if flag != "no":
            out.append((i, cands[k][0], cands[k][1], str(flag)))
    if smooth:
        flag = _local_membership(kern, W[:1], ms[:1], ls[:1])[0]
        if flag != "no":
            out.insert(0, (i, cands[0][0], cands[0][1], str(flag)))
    else:
        out.insert(0, (i, cands[0][0], cands[0][1], "maybe"))
    return out
