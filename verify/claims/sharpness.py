"""Claim kind: sharpness, the largest Hessian eigenvalue at every nonzero global minimizer, in closed form.

A claim gives the sharpness as a formula in ρ (|w_l| at the minimizer; for per-layer problems the radius of
the reduction), |m|, L, λ and, for a named convention, a and b. Three routes judge it (docs/mathematics.md §P3):
- symbolic: the exact eigenvalues at a balanced stationary point, m eliminated through stationarity; the
  claim must equal one of them, and that one must be the largest on the set of global minimizers, which is
  described exactly by u = |m|/ρ^L ∈ (1, u*] (u* from the derived threshold, §P3 lemma); the sign of each
  eigenvalue difference on that interval is decided from the real roots of a polynomial in u;
- high precision: mpmath eigenvalues of the Hessian at minimizers found by enumerating stationary points,
  at λ drawn below the threshold found by bisection;
- numeric: float64 Hessians at minimizers found by float64 root finding, on many random (m, λ).
Conventions take the existing convention route (``verify.symbolic.scalar`` ...); user problems take the
general one (``verify.claims.sharpness_problem``).
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..errors import UsageError
from ..expressions import check_exp_nesting
from ..highprec import scalar as hp
from ..kernels.scalar import scalar_kernels, stationary_radii_batch
from ..numbers import dec, to_mpf
from ..symbolic.scalar import L_sym, a, b, derive_spectrum, derive_threshold, mabs, rho, sign_patterns
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .sampling import instances_per_depth, numeric_depths, random_targets, targets_per_depth
from .scalar_common import MAX_DEPTH, ClaimUndecided, _evalf_bounded, claim_depths, sentinels, undecided_inconclusive
from .scope import depth_text
from .threshold import _ab_of_lam

#: λ (the claims' "lam"); the same object as verify.problems.symbols.LAM (SymPy symbols are equal by name
#: and assumptions)
LAM = sp.Symbol("lam", positive=True)
#: |m| (the same object as verify.problems.symbols.MABS)
MABS_P = mabs
#: u = |m|/ρ^L at a nonzero stationary point: the one parameter of the set of global minimizers (§P3)
U = sp.Symbol("u", positive=True)

#: probes (ρ) at which a claim is compared with the largest derived eigenvalue exactly
RHO_PROBES = (sp.Integer(1), sp.Rational(7, 5))


def _fraction_below(rng: np.random.Generator) -> float:
    """A fraction of the threshold in (0.02, 0.98): λ well inside the nonzero phase, near it included."""
    return round(float(rng.uniform(0.02, 0.98)), 6)


# ------------------------------------------------------------------ symbolic (conventions)

def claimed_at(formula: sp.Expr, depth: int, conv: Convention) -> sp.Expr:
    """The claim at depth L under a convention, in (ρ, |m|, b): λ = b/k(L), a = the convention's a."""
    k = conv.b_over_lam(depth)
    return sp.sympify(formula).subs(L_sym, depth).subs({LAM: b / k, a: conv.a})


def sign_on(delta: sp.Expr, lo: sp.Expr, hi: sp.Expr) -> tuple[str, sp.Expr | None]:
    """The sign of δ(u) on the interval (lo, hi] (hi may be ∞): ("nonnegative", None), ("negative", u0)
    with δ(u0) < 0 at an exact u0 inside, or ("undecided", None) when δ is not rational in u.

    δ = N/D with N, D polynomials in u: their real roots strictly inside cut the interval into pieces of
    constant sign; δ is evaluated exactly at a rational point of each piece.
    """
    num, den = sp.fraction(sp.cancel(sp.together(delta)))
    if not (num.is_polynomial(U) and den.is_polynomial(U)) or (num.free_symbols | den.free_symbols) - {U}:
        return "undecided", None
    cuts = []
    for part in (num, den):
        if part.has(U):
            for r in sp.Poly(part, U).real_roots():
                if (r > lo) != True or (hi is not sp.oo and (r < hi) != True):  # noqa: E712 - SymPy booleans
                    continue
                # a numeric end (u* to 40 digits): a root within 10^-30 of it is that end, not inside
                if isinstance(hi, sp.Float) and abs(sp.N(r, 45) - hi) <= abs(hi) * sp.Float(10, 45) ** -30:
                    continue
                cuts.append(r)
    edges = [lo, *sorted(set(cuts), key=lambda r: sp.N(r, 30)), hi]
    for left, right in zip(edges, edges[1:]):
        mid = left + 1 if right is sp.oo else _rational_between(left, right)
        value = sp.simplify(delta.subs(U, mid))
        negative = value.is_negative
        if negative is None:
            value = sp.N(value, 40)
            if not value.is_Number:
                return "undecided", None
            negative = bool(value < 0)
        if negative:
            return "negative", mid
    # δ is continuous on each piece and keeps its sign there: ≥ 0 at the midpoints means ≥ 0 on (lo, hi]
    return "nonnegative", None


def _rational_between(left: sp.Expr, right: sp.Expr) -> sp.Rational:
    """A simple rational strictly between two distinct real algebraic numbers."""
    lo, hi = sp.N(left, 40), sp.N(right, 40)
    mid = sp.nsimplify((lo + hi) / 2, rational=True, tolerance=(hi - lo) / 8)
    return sp.Rational(mid)


def _region(depth: int) -> tuple[sp.Expr, sp.Expr]:
    """(lo, hi) with the nonzero global minimizers exactly those of u = |m|/ρ^L ∈ (lo, hi] (L ≥ 2, §P3)."""
    if depth == 2:
        return sp.Integer(1), sp.oo
    t = derive_threshold(depth)
    return sp.Integer(1), sp.simplify(mabs / t.product_star)


def _probe_points(lo: sp.Expr, hi: sp.Expr) -> list[sp.Expr]:
    if hi is sp.oo:
        return [sp.Rational(3, 2), sp.Integer(3), sp.Integer(10)]
    return [lo + (hi - lo) * f for f in (sp.Rational(1, 3), sp.Rational(2, 3), sp.Integer(1))]


def _close(x: sp.Expr, y: sp.Expr) -> bool:
    """Equal to 25 digits relative to the larger (both exact numbers, evaluated at 40 digits)."""
    xv, yv = to_mpf(x, 40), to_mpf(y, 40)
    return abs(xv - yv) <= max(abs(xv), abs(yv), mpmath.mpf(10) ** -30) * mpmath.mpf(10) ** -25


def judge_depth(eigs: list[sp.Expr], claim: sp.Expr, lo, hi, to_point) -> dict:
    """Decide one depth: ``eigs`` and ``claim`` are functions of (ρ, u) on the global minimizers u ∈ (lo, hi].

    ``to_point(ρ, u)`` gives the instance (for counterexamples). Returns {"outcome": "equal" | "differs" |
    "undecided", ...}: "differs" at a probe where the claim is not the largest eigenvalue; "equal" when the
    claim is identically one eigenvalue and that one is ≥ every other on the whole interval.
    """
    for r in RHO_PROBES:
        for u0 in _probe_points(lo, hi):
            vals = [e.subs({rho: r, U: u0}) for e in eigs]
            top = max(vals, key=lambda v: sp.N(v, 40))
            c = claim.subs({rho: r, U: u0})
            if c.free_symbols or not _close(c, top):
                return {"outcome": "differs", **to_point(r, u0), "largest_eigenvalue": dec(top, 25),
                        "claimed": str(c) if c.free_symbols else dec(c, 25)}
    match = next((i for i, e in enumerate(eigs) if sp.expand(sp.powsimp(e - claim, force=True)) == 0
                  or sp.simplify(e - claim) == 0), None)
    if match is None:
        return {"outcome": "undecided", "reason": "the claim equals the largest eigenvalue at the probes but SymPy "
                                                  "could not prove it equal to one eigenvalue identically"}
    for i, e in enumerate(eigs):
        if i == match:
            continue
        delta = sp.expand(eigs[match] - e)
        scaled = _scaled(delta)
        if scaled is None:
            return {"outcome": "undecided", "reason": f"the difference {delta} of two eigenvalues is not ρ^c·δ(u)"}
        sign, u0 = sign_on(scaled, lo, hi)
        if sign == "negative":
            return {"outcome": "differs", **to_point(sp.Integer(1), u0), "claimed_eigenvalue": str(eigs[match]),
                    "larger_eigenvalue": str(e)}
        if sign == "undecided":
            return {"outcome": "undecided", "reason": f"the sign of {scaled} on u ∈ ({lo}, {hi}] was not decided"}
    return {"outcome": "equal", "eigenvalue": str(eigs[match])}


def _scaled(delta: sp.Expr) -> sp.Expr | None:
    """δ(u) with delta = ρ^c·δ(u) (c > 0 free), or None when delta does not factor that way."""
    if delta == 0:
        return sp.Integer(0)
    powers = sp.Poly(sp.expand(delta), rho) if sp.expand(delta).is_polynomial(rho) else None
    if powers is not None:
        monoms = powers.monoms()
        if len(monoms) == 1:
            return sp.expand(powers.coeffs()[0])
        return None
    ratio = sp.simplify(delta / delta.subs(rho, 1))
    # delta = ratio(ρ)·δ(u) with ratio > 0 for every ρ > 0: the sign of delta is the sign of δ(u)
    if ratio.free_symbols <= {rho} and ratio.is_positive:
        return sp.expand(delta.subs(rho, 1))
    return None


def _symbolic(conv: Convention, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        chosen = _depths(ctx, depths, min_depth, cap)
        scope = f"{depth_text(chosen)}, exact per depth (global minimizers: u = |m|/ρ^L in (1, u*], §P3)"
        rows, undecided = {}, {}
        for L in chosen:
            d = derive_spectrum(L)
            eigs = [sp.expand(e.subs(a, conv.a)) for e, _ in d.eigenvalues]
            claim = claimed_at(formula, L, conv)
            k = conv.b_over_lam(L)
            if L == 1:
                # every b > 0 has the nonzero minimizer ρ = a|m|/(a + b): m = (a + b)ρ/a, one eigenvalue
                claim1 = sp.expand(claim.subs(mabs, (conv.a + b) * rho / conv.a))
                same = sp.simplify(claim1 - eigs[0]) == 0
                rows["1"] = f"largest = {eigs[0]}"
                if not same:
                    at = {rho: sp.Integer(1), b: sp.Integer(1)}
                    return CheckResult(Verdict.REFUTED, "depth 1: the claim is not the Hessian's one eigenvalue "
                                       f"{eigs[0]}", instances=len(rows), scope=scope,
                                       counterexample={"depth": 1, "derived": str(eigs[0]), "claimed": str(claim),
                                                       "at": {"rho": "1", "b": "1", "lambda": str(1 / k),
                                                              "m": str((conv.a + 1) / conv.a)},
                                                       "claimed_value": str(claim1.subs(at))})
                continue
            # u = |m|/ρ^L; stationarity b = a·ρ^(2L−2)(u − 1) (§K1 item 1)
            b_u = conv.a * rho ** (2 * L - 2) * (U - 1)
            eig_u = [sp.expand(e.subs(b, b_u)) for e in eigs]
            claim_u = sp.expand(claim.subs(mabs, U * rho**L).subs(b, b_u))
            lo, hi = _region(L)

            def point(r, u0, L=L, k=k):
                bb = conv.a * r ** (2 * L - 2) * (u0 - 1)
                return {"depth": L, "rho": str(r), "m": str(u0 * r**L), "b": str(sp.nsimplify(bb)),
                        "lambda": str(sp.nsimplify(bb / k)), "convention": conv.name}

            out = judge_depth(eig_u, claim_u, lo, hi, point)
            rows[str(L)] = f"eigenvalues {[str(e) for e in eigs]}; global minimizers u ∈ ({lo}, {hi}]"
            if out["outcome"] == "differs":
                out.pop("outcome")
                return CheckResult(Verdict.REFUTED, f"depth {L}: the claim is not the largest Hessian eigenvalue "
                                   "at every global minimizer", instances=len(rows), scope=scope,
                                   counterexample=out, details={"per_depth": rows})
            if out["outcome"] == "undecided":
                undecided[str(L)] = out["reason"]
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"SymPy could not decide at depths {sorted(undecided)}",
                               instances=len(rows), scope=scope, details={"per_depth": rows, "undecided": undecided})
        return CheckResult(Verdict.VERIFIED, f"the claim is exactly the largest eigenvalue on every global minimizer "
                           f"at {depth_text(chosen)}", instances=len(rows), digits=float("inf"), scope=scope,
                           details={"per_depth": rows})
    return run


def _depths(ctx: RunContext, depths, min_depth: int, cap: int | None = None) -> list[int]:
    if depths is not None:
        return list(depths)
    return [L for L in ctx.profile.depths if L >= min_depth and (cap is None or L <= cap)]


# ------------------------------------------------------------------ high precision (conventions)

def claimed_mp(formula: sp.Expr, depth: int, values: dict, work: int) -> mpmath.mpf:
    """The claim at depth L and the given symbol values (mpf), by SymPy's adaptive evalf at ``work`` digits."""
    expr = sp.sympify(formula).subs(L_sym, depth)
    at = {s: sp.Float(v, work) for s, v in values.items() if s in expr.free_symbols}
    if expr.free_symbols - set(at):
        raise UsageError(f"the sharpness formula uses {sorted(map(str, expr.free_symbols - set(at)))}, unknown here")
    x = _evalf_bounded(expr, at, work)
    re, im = x.as_real_imag()
    if im != 0 or not re.is_Float:
        raise ValueError(f"the claimed sharpness is {x}, not a finite real number")
    with mpmath.workdps(work):
        return +mpmath.mpf(re._mpf_)


def _high_precision(conv: Convention, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 10
        # eigsy is backward stable at `work` digits: the largest eigenvalue is off by ~10^-work·||H||; the
        # minimizer's ρ is exact to ~10^-work relative; agreement to ctx.dps − 5 digits relative to ||H||
        need = ctx.dps - 5
        rng = ctx.rng(f"sharpness-hp:{conv.name}")
        cap = {0: 5, 1: 12, 2: 32}[ctx.profile.level]
        chosen = _depths(ctx, depths, min_depth, cap)
        per = targets_per_depth(ctx.profile.hp_instances, len(chosen))
        extra = sentinels(chosen, min_depth) if depths is None else []
        plan = [(L, per) for L in chosen] + [(L, 1) for L in extra]
        scope = f"{depth_text(chosen)}, {per} targets each at λ = (0.02…0.98)·λ*, 2 sign patterns each"
        if extra:
            scope += f"; sentinel {depth_text(extra)} (1 target each)"
        worst, count = float("inf"), 0
        for L, n in plan:
            for m in random_targets(rng, n):
                frac = _fraction_below(rng)
                with mpmath.workdps(work):
                    m_mp = to_mpf(m, work)
                    ab = _ab_of_lam(conv, L)
                    star = hp.threshold_by_bisection(L, m_mp, ab)
                    lam = (star if star is not None else 10 * abs(m_mp)) * mpmath.mpf(str(frac))
                    a_mp, b_mp = ab(lam)
                    mins = hp.global_minimizers(L, m_mp, a_mp, b_mp)
                    for cls in mins:
                        if cls.rho == 0:
                            return CheckResult(Verdict.INCONCLUSIVE, f"depth {L}, m = {m}: 0 is global at "
                                               f"{frac}·λ*; the threshold search and the enumeration disagree",
                                               instances=count, scope=scope)
                        every = list(sign_patterns(L, -1 if m < 0 else 1, 64))
                        pats = [every[0], every[int(rng.integers(len(every)))]]
                        for s in pats:
                            eig = hp.hessian_eigenvalues(cls.point(s), m_mp, a_mp, b_mp)
                            scale = max(abs(e) for e in eig)
                            try:
                                c = claimed_mp(formula, L, {rho: cls.rho, mabs: abs(m_mp), a: a_mp, b: b_mp,
                                                            LAM: lam}, work)
                            except ValueError as exc:
                                return _refuted_value(L, m, lam, conv.name, str(exc), count + 1, scope)
                            count += 1
                            diff = abs(eig[-1] - c)
                            dig = float(-mpmath.log10(diff / scale)) if diff else float(work)
                            worst = min(worst, dig)
                            if dig < need:
                                return CheckResult(
                                    Verdict.REFUTED, f"depth {L}: the largest Hessian eigenvalue is "
                                    f"{dec(eig[-1], 20)}, the claim gives {dec(c, 20)}", digits=dig, instances=count,
                                    scope=scope, tolerance=f"agreement to {need} digits relative to ||H||",
                                    counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30),
                                                    "convention": conv.name, "rho": dec(cls.rho, 30),
                                                    "signs": list(s), "eigenvalues": [dec(e, 25) for e in eig],
                                                    "claimed": dec(c, 25)})
        return CheckResult(Verdict.VERIFIED, f"the largest mpmath eigenvalue matches the claim to ≥ {worst:.1f} "
                           f"digits at {count} minimizers", digits=worst, instances=count, scope=scope,
                           tolerance=f"≥ {need} digits relative to ||H|| (working precision {work})")
    return run


def _refuted_value(L, m, lam, name, why, count, scope) -> CheckResult:
    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {why}", instances=count, scope=scope,
                       counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30), "problem": name,
                                       "claimed": why})


# ------------------------------------------------------------------ numeric (conventions)

def float_claim(formula: sp.Expr, depth: int, symbols: Sequence[sp.Symbol]):
    """The claim at depth L as a NumPy function of ``symbols`` (float64; mismatches are confirmed in mpmath)."""
    expr = sp.sympify(formula).subs(L_sym, depth)
    fn = sp.lambdify(list(symbols), expr, "numpy")

    def f(*args):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*args), dtype=float), np.shape(args[0])).copy()
    return f


def _confirm(conv: Convention, formula: sp.Expr, L: int, m: float, lam: float, dps: int) -> bool:
    """A float64 mismatch re-checked in mpmath at the same (L, m, λ): True when the claim differs from the
    largest eigenvalue at the global minimizer by more than 10^-(dps/2)·||H||."""
    work = dps + 10
    with mpmath.workdps(work):
        m_mp, lam_mp = to_mpf(sp.Rational(m), work), to_mpf(sp.Rational(lam), work)
        a_mp, b_mp = _ab_of_lam(conv, L)(lam_mp)
        mins = hp.global_minimizers(L, m_mp, a_mp, b_mp)
        if len(mins) != 1 or mins[0].rho == 0:
            return False
        cls = mins[0]
        eig = hp.hessian_eigenvalues(cls.point(hp.canonical_signs(L, m_mp)), m_mp, a_mp, b_mp)
        c = claimed_mp(formula, L, {rho: cls.rho, mabs: abs(m_mp), a: a_mp, b: b_mp, LAM: lam_mp}, work)
        return abs(eig[-1] - c) > max(abs(e) for e in eig) * mpmath.mpf(10) ** (-(dps // 2))


def _numeric(conv: Convention, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"sharpness-num:{conv.name}")
        eps = np.finfo(float).eps
        cap = {0: 5, 1: 12, 2: 16}[ctx.profile.level]
        chosen = numeric_depths(_depths(ctx, depths, min_depth, cap), explicit=depths is not None)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        scope = f"{depth_text(chosen)}, {n} random (m, λ) each; the points where 0 is global are skipped"
        tol_text = ("4·(32·L·eps·||H|| + ||H||·|∇F|/(λ_min·ρ)) on the largest eigenvalue; minimizer = the "
                    "stationary point of least F, kept when F(0) − F(ρ) > 8(L+8)·eps·F(0); a float64 mismatch "
                    "counts only when mpmath confirms it")
        total, skipped, worst, conflicts = 0, 0, np.inf, []
        aa = float(conv.a)
        for L in chosen:
            kern = scalar_kernels(L)
            k = float(conv.b_over_lam(L))
            claim = float_claim(formula, L, (rho, mabs, a, b, LAM))
            m = np.array([float(x) for x in random_targets(rng, n)])
            # b from 10^-3 to 1 times the natural scale a|m|^(2−2/L) (the threshold is below it; where 0
            # is global the instance is skipped by its objective gap)
            bb = aa * np.abs(m) ** (2 - 2 / L) * np.exp(rng.uniform(np.log(1e-3), 0.0, n))
            radii = stationary_radii_batch(L, np.abs(m), aa, bb)
            sign_last = np.where(m < 0, -1.0, 1.0)
            f0 = kern.objective(np.zeros((n, L)), m, aa, bb)
            best = np.zeros(n)
            owner = np.repeat(np.arange(n), [len(r) for r in radii])
            if owner.size:
                roots = np.concatenate(radii)
                W = roots[:, None] * np.ones((owner.size, L))
                W[:, -1] *= sign_last[owner]
                vals = kern.objective(W, m[owner], aa, bb[owner])
                least = np.full(n, np.inf)
                np.minimum.at(least, owner, vals)
                wins = (vals == least[owner]) & (f0[owner] - vals > 8 * (L + 8) * eps * f0[owner])
                best[owner[wins]] = roots[wins]
            keep = best > 0
            skipped += int((~keep).sum())
            if not keep.any():
                continue
            idx = np.flatnonzero(keep)
            S = rng.choice([-1.0, 1.0], size=(len(idx), L))
            S[:, -1] = np.prod(S[:, :-1], axis=1) * sign_last[idx]
            W = best[idx, None] * S
            H = kern.hessian(W, m[idx], aa, bb[idx])
            G = kern.gradient(W, m[idx], aa, bb[idx])
            eig = np.linalg.eigvalsh(H)
            norm = np.abs(eig).max(axis=1)
            tol = 4 * (32 * L * eps * norm + norm * np.linalg.norm(G, axis=1) / (np.abs(eig).min(axis=1) * best[idx]))
            lam = bb[idx] / k
            c = claim(best[idx], np.abs(m[idx]), np.full(len(idx), aa), bb[idx], lam)
            err = np.abs(eig[:, -1] - c)
            err[~np.isfinite(c)] = np.inf
            total += len(idx)
            worst = min(worst, float(np.min(1 - err / tol)))
            for j in np.argsort(-(err / tol)):
                if err[j] <= tol[j]:
                    break
                where = {"depth": L, "m": repr(float(m[idx[j]])), "lambda": repr(float(lam[j])),
                         "convention": conv.name, "rho": repr(float(best[idx[j]])),
                         "largest_eigenvalue": repr(float(eig[j, -1])), "claimed": repr(float(c[j]))}
                if _confirm(conv, formula, L, float(m[idx[j]]), float(lam[j]), ctx.dps):
                    return CheckResult(Verdict.REFUTED, f"depth {L}: float64 largest Hessian eigenvalue "
                                       f"{eig[j, -1]:.12g} vs claimed {c[j]:.12g} (confirmed in mpmath)",
                                       instances=total, scope=scope, tolerance=tol_text, counterexample=where,
                                       worst_margin=f"{1 - err[j] / tol[j]:.3e}")
                conflicts.append(where)
                break
        if conflicts:
            return CheckResult(Verdict.INCONCLUSIVE, "conflict: float64 says the claim differs from the largest "
                               "eigenvalue, mpmath says it agrees", instances=total, scope=scope, tolerance=tol_text,
                               details={"conflicts": conflicts[:5]})
        return CheckResult(Verdict.VERIFIED, f"float64 largest Hessian eigenvalue matches the claim at {total} "
                           f"global minimizers ({skipped} draws had 0 as the minimizer)", instances=total,
                           worst_margin=None if total == 0 else f"{worst:.3e}", scope=scope, tolerance=tol_text)
    return run


# ------------------------------------------------------------------ shrinking (conventions)

def _shrinker(conv: Convention, formula: sp.Expr, depths, min_depth: int):
    """Smallest depth and simplest m where, at λ = (3/4)·λ* (L ≥ 2; λ = |m| at L = 1), the largest eigenvalue at
    the global minimizer differs from the claim (40 digits)."""
    def at(example):
        L, m_text = example
        m = sp.Rational(m_text)
        with mpmath.workdps(40):
            m_mp = to_mpf(m, 40)
            ab = _ab_of_lam(conv, L)
            star = hp.threshold_by_bisection(L, m_mp, ab)
            lam = star * 3 / 4 if star is not None else abs(m_mp)
            a_mp, b_mp = ab(lam)
            cls = hp.global_minimizers(L, m_mp, a_mp, b_mp)[0]
            eig = hp.hessian_eigenvalues(cls.point(hp.canonical_signs(L, m_mp)), m_mp, a_mp, b_mp)
            return lam, cls, eig, a_mp, b_mp, m_mp

    def differs(example) -> bool:
        L, _ = example
        lam, cls, eig, a_mp, b_mp, m_mp = at(example)
        if cls.rho == 0:
            return False
        try:
            c = claimed_mp(formula, L, {rho: cls.rho, mabs: abs(m_mp), a: a_mp, b: b_mp, LAM: lam}, 40)
        except ValueError:
            return True
        except ClaimUndecided:
            return False
        return abs(eig[-1] - c) > max(abs(e) for e in eig) * mpmath.mpf(10) ** -25

    def shrink(ctx: RunContext) -> dict | None:
        from .shrinking import find_minimal, simple_rationals, strategies

        st = strategies()
        chosen = _depths(ctx, depths, min_depth, {0: 5, 1: 12, 2: 32}[ctx.profile.level])
        pool = sorted(set(chosen) | (set(sentinels(chosen, min_depth)) if depths is None else set()))
        if not pool:
            return None
        found = find_minimal(st.tuples(st.sampled_from(pool), simple_rationals()), differs, ctx,
                             f"sharpness:{conv.name}")
        if found is None:
            return None
        L, m_text = found
        lam, cls, eig, *_ = at(found)
        with mpmath.workdps(40):
            lam_text = dec(lam, 30)
            return {"depth": L, "m": m_text, "convention": conv.name, "lambda": lam_text, "rho": dec(cls.rho, 25),
                    "largest_eigenvalue": dec(eig[-1], 25),
                    "reproduce": f"verify minimizers --depth {L} --target {m_text} --lam {lam_text} "
                                 f"--convention {conv.name}"}
    return shrink


# ------------------------------------------------------------------ user problems (general route)

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
        chosen = _depths(ctx, depths, min_depth, cap)
        scope = (f"{depth_text(chosen)}, exact eigenvalues per depth; the global minimizers lie in u = |m|/ρ^L ∈ "
                 "(1, u*] (§P3), u* from the derived threshold")
        rows, undecided = {}, {}
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
        return CheckResult(Verdict.VERIFIED, f"the claim is exactly the largest eigenvalue on the global minimizers "
                           f"at {depth_text(chosen)}", instances=len(rows), digits=float("inf"), scope=scope,
                           details={"per_depth": rows}, tolerance="u* located to 40 digits (the sign analysis in u "
                                                                  "is exact)")
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
        chosen = _depths(ctx, depths, min_depth, cap)
        per = min(3, targets_per_depth(ctx.profile.hp_instances, len(chosen)))
        scope = f"{depth_text(chosen)}, {per} targets each at λ = (0.02…0.98)·λ* (mpmath λ*), one sign pattern"
        worst, count = float("inf"), 0
        for L in chosen:
            for m in random_targets(rng, per):
                frac = _fraction_below(rng)
                with mpmath.workdps(work):
                    m_mp = to_mpf(m, work)
                    lam, _ = _problem_lambda(problem, L, m_mp, frac, rng)
                    for pt in hpp.global_minimizers(problem, L, m_mp, lam):
                        if pt.rho == 0:
                            continue
                        eig = hpp.hessian_eigenvalues(problem, L, pt.w, m_mp, lam)
                        scale = max(abs(e) for e in eig)
                        try:
                            c = claimed_mp(formula, L, {rho: pt.rho, mabs: abs(m_mp), LAM: lam}, work)
                        except ValueError as exc:
                            return _refuted_value(L, m, lam, problem.label(), str(exc), count + 1, scope)
                        count += 1
                        diff = abs(eig[-1] - c)
                        dig = float(-mpmath.log10(diff / scale)) if diff else float(work)
                        worst = min(worst, dig)
                        if dig < need:
                            return CheckResult(
                                Verdict.REFUTED, f"depth {L}: the largest Hessian eigenvalue is {dec(eig[-1], 20)}, "
                                f"the claim gives {dec(c, 20)}", digits=dig, instances=count, scope=scope,
                                tolerance=f"agreement to {need} digits relative to ||H||",
                                counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30),
                                                "problem": problem.to_json(), "rho": dec(pt.rho, 30),
                                                "eigenvalues": [dec(e, 25) for e in eig], "claimed": dec(c, 25)})
        return CheckResult(Verdict.VERIFIED, f"the largest mpmath eigenvalue matches the claim to ≥ {worst:.1f} "
                           f"digits at {count} minimizers", digits=worst, instances=count, scope=scope,
                           tolerance=f"≥ {need} digits relative to ||H|| (working precision {work})")
    return run


def _problem_numeric(problem, formula: sp.Expr, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..kernels.problem import problem_kernels
        from .problem_minimizer import NUMERIC_MAX_DEPTH, float_kind, float_minimizers

        rng = ctx.rng(f"sharpness-num:{problem.label()}")
        eps = np.finfo(float).eps
        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        chosen = [L for L in _depths(ctx, depths, min_depth, cap) if L <= NUMERIC_MAX_DEPTH]
        n = min(150, instances_per_depth(ctx.profile.instances, len(chosen)))
        scope = (f"{depth_text(chosen)}, {n} random (m, λ) each, λ = 10^(−3…0)·λ*(|m|) (λ* interpolated from mpmath "
                 "thresholds at |m| = 10^-3, 1, 10^3); draws where 0 is global are skipped")
        tol_text = ("4·(32·L·eps·||H|| + ||H||·|∇F|/(λ_min·ρ)) on the largest eigenvalue; a float64 mismatch counts "
                    "only when mpmath confirms it")
        total, skipped, worst, conflicts = 0, 0, np.inf, []
        for L in chosen:
            kern = problem_kernels(problem, L)
            scale_fn = _lambda_scale(problem, L)
            claim = float_claim(formula, L, (rho, mabs, LAM))
            m = np.array([float(x) for x in random_targets(rng, n)])
            lam = scale_fn(np.abs(m)) * 10 ** rng.uniform(-3, 0, n)
            f0, best, fb, W, counts = float_minimizers(problem, L, m, lam)
            keep = float_kind(f0, fb, counts, L) == "nonzero"
            skipped += int((~keep).sum())
            idx = np.flatnonzero(keep)
            if idx.size == 0:
                continue
            flip = rng.choice([-1.0, 1.0], size=(len(idx), L))
            flip[:, -1] = np.prod(flip[:, :-1], axis=1)
            Wk = W[idx] * flip
            H = kern.hessian(Wk, m[idx], lam[idx])
            G = kern.gradient(Wk, m[idx], lam[idx])
            eig = np.linalg.eigvalsh(H)
            norm = np.abs(eig).max(axis=1)
            tol = 4 * (32 * L * eps * norm + norm * np.linalg.norm(G, axis=1) / (np.abs(eig).min(axis=1) * best[idx]))
            c = claim(best[idx], np.abs(m[idx]), lam[idx])
            err = np.abs(eig[:, -1] - c)
            err[~np.isfinite(c)] = np.inf
            total += len(idx)
            worst = min(worst, float(np.min(1 - err / tol)))
            for j in np.argsort(-(err / tol)):
                if err[j] <= tol[j]:
                    break
                where = {"depth": L, "m": repr(float(m[idx[j]])), "lambda": repr(float(lam[idx[j]])),
                         "problem": problem.to_json(), "rho": repr(float(best[idx[j]])),
                         "largest_eigenvalue": repr(float(eig[j, -1])), "claimed": repr(float(c[j]))}
                if _problem_confirm(problem, formula, L, float(m[idx[j]]), float(lam[idx[j]]), ctx.dps):
                    return CheckResult(Verdict.REFUTED, f"depth {L}: float64 largest Hessian eigenvalue "
                                       f"{eig[j, -1]:.12g} vs claimed {c[j]:.12g} (confirmed in mpmath)",
                                       instances=total, scope=scope, tolerance=tol_text, counterexample=where,
                                       worst_margin=f"{1 - err[j] / tol[j]:.3e}")
                conflicts.append(where)
                break
        if conflicts:
            return CheckResult(Verdict.INCONCLUSIVE, "conflict: float64 says the claim differs from the largest "
                               "eigenvalue, mpmath says it agrees", instances=total, scope=scope, tolerance=tol_text,
                               details={"conflicts": conflicts[:5]})
        return CheckResult(Verdict.VERIFIED, f"float64 largest Hessian eigenvalue matches the claim at {total} "
                           f"global minimizers ({skipped} draws had 0 as the minimizer or were within rounding)",
                           instances=total, worst_margin=None if total == 0 else f"{worst:.3e}", scope=scope,
                           tolerance=tol_text)
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
        c = claimed_mp(formula, L, {rho: pt.rho, mabs: abs(m_mp), LAM: lam_mp}, work)
        return abs(eig[-1] - c) > max(abs(e) for e in eig) * mpmath.mpf(10) ** (-(dps // 2))


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
        try:
            c = claimed_mp(formula, example[0], {rho: pt.rho, mabs: abs(m_mp), LAM: lam}, 40)
        except ValueError:
            return True
        except ClaimUndecided:
            return False
        return abs(eig[-1] - c) > max(abs(e) for e in eig) * mpmath.mpf(10) ** -25

    def shrink(ctx: RunContext) -> dict | None:
        from .shrinking import find_minimal, simple_rationals, strategies

        st = strategies()
        pool = _depths(ctx, depths, min_depth, {0: 5, 1: 8, 2: 16}[ctx.profile.level])
        if not pool:
            return None
        found = find_minimal(st.tuples(st.sampled_from(pool), simple_rationals()), differs, ctx,
                             f"sharpness:{problem.label()}", max_examples=30)
        if found is None:
            return None
        lam, pt, eig, _ = at(found)
        with mpmath.workdps(40):
            return {"depth": found[0], "m": found[1], "problem": problem.to_json(), "lambda": dec(lam, 30),
                    "rho": dec(pt.rho, 25), "largest_eigenvalue": dec(eig[-1], 25)}
    return shrink


def problem_sharpness_checks(problem, formula: sp.Expr, depths, min_depth: int):
    """The three checks and the shrinker of a sharpness claim on a user problem."""
    checks = (
        Check("the claim is the largest exact eigenvalue on the global minimizers", Tier.SYMBOLIC,
              undecided_inconclusive(_problem_symbolic(problem, formula, depths, min_depth))),
        Check("largest mpmath eigenvalue at global minimizers", Tier.HIGH_PRECISION,
              undecided_inconclusive(_problem_high_precision(problem, formula, depths, min_depth))),
        Check("largest float64 eigenvalue at global minimizers", Tier.NUMERIC,
              undecided_inconclusive(_problem_numeric(problem, formula, depths, min_depth))),
    )
    return checks, _problem_shrinker(problem, formula, depths, min_depth)


# ------------------------------------------------------------------ the factory

def validate_formula(formula: object, allowed: set, what: str = "the sharpness formula") -> sp.Expr:
    """A claimed closed form: SymPy expression over ``allowed`` symbols, exact numbers, within the nesting budget."""
    expr = sp.sympify(formula)
    if not isinstance(expr, sp.Expr):
        raise UsageError(f"{what} must be a formula, got {formula!r}")
    extra = expr.free_symbols - allowed
    if extra:
        raise UsageError(f"{what} may use only {', '.join(sorted(map(str, allowed)))}; found "
                         f"{', '.join(sorted(map(str, extra)))}")
    check_exp_nesting(expr, what)
    inexact = sorted(map(str, expr.atoms(sp.Float)))
    if inexact:
        raise UsageError(f"{what} has inexact number(s) {', '.join(inexact)}: write them exactly (e.g. 7/10)")
    return expr


def sharpness_claim(id: str, statement: str, source: str, problem, formula: sp.Expr,
                    depths: Sequence[int] | None = None, paper: str = "user claim",
                    resolutions: Sequence[str] = (), min_depth: int = 1) -> Claim:
    """Declare "the largest Hessian eigenvalue at every nonzero global minimizer equals ``formula``".

    ``problem``: a ``ScalarProblem`` (``convention_problem("A1")`` or a user problem). ``formula`` is in ρ
    ("rho"), |m| ("m"), L, λ ("lam") and, for a named convention, a and b. ``depths`` fixes the depths;
    by default the profile's depths ≥ ``min_depth`` (and sentinel depths at high precision).
    """
    depths = claim_depths(depths)
    if isinstance(min_depth, bool) or not isinstance(min_depth, int) or not 1 <= min_depth <= MAX_DEPTH:
        raise UsageError(f"min_depth must be an integer from 1 to {MAX_DEPTH}, got {min_depth!r}")
    conv_name = getattr(problem, "convention", None)
    if conv_name is None:
        formula = validate_formula(formula, {rho, mabs, L_sym, LAM})
        checks, shrink = problem_sharpness_checks(problem, formula, depths, min_depth)
        return Claim(id, statement, source, tuple(checks), tuple(resolutions), paper, shrink=shrink)
    conv = get_convention(conv_name)
    formula = validate_formula(formula, {rho, mabs, L_sym, LAM, a, b})
    checks = (
        Check("the claim is the largest exact eigenvalue on the set of global minimizers", Tier.SYMBOLIC,
              undecided_inconclusive(_symbolic(conv, formula, depths, min_depth))),
        Check("largest mpmath eigenvalue at global minimizers", Tier.HIGH_PRECISION,
              undecided_inconclusive(_high_precision(conv, formula, depths, min_depth))),
        Check("largest float64 eigenvalue at global minimizers", Tier.NUMERIC,
              undecided_inconclusive(_numeric(conv, formula, depths, min_depth))),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper,
                 shrink=_shrinker(conv, formula, depths, min_depth))
