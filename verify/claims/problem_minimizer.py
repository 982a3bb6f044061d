"""Claim kind for a user problem: at a given (L, m, λ) the global minimizer is 0 or nonzero.

Routes (docs/mathematics.md §P1, §P2):
- symbolic: the sign of λ − λ*(|m|), λ* from ``derive_problem_threshold`` (exact where it has a closed form,
  else to the working digits): for a penalty λ·g, some ρ > 0 beats 0 iff λ < λ* (§P2);
- high precision: F at every stationary point, enumerated in mpmath (``verify.highprec.problem``), an
  independent route that uses the problem's definition and the proved rays only;
- numeric: F at stationary points found in float64 on the rays w_l = γ_l·ρ·s_l (compiled kernels).
Also the shared float64 and mpmath deciders used by the threshold and sharpness kinds for user problems.
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import numpy as np
import sympy as sp

from ..numbers import dec, to_mpf
from ..problems.reduction import reduce
from ..problems.scalar import ScalarProblem
from ..problems.symbols import LAM, MABS
from .base import Check, CheckResult, Claim, Strength, Tier, Verdict
from .context import RunContext
from .scalar_common import minimizer_instance, minimizer_verdict

OUTCOMES = ("zero", "nonzero")

#: float64 depth limit of the compiled kernels for user problems (SymPy differentiation of L·L entries)
NUMERIC_MAX_DEPTH = 16

#: grid on (0, 1]·ρ_max where the float64 ray derivative is sampled for sign changes: geometric down to
#: 1e-10 (roots near 0, as for small λ), uniform on [1/400, 1] (roots near ρ_max)
_GRID = np.unique(np.concatenate([np.geomspace(1e-10, 1.0, 320), np.linspace(1 / 400, 1.0, 400)]))


@lru_cache(maxsize=128)
def _ray(problem: ScalarProblem, depth: int):
    """(γ(λ) as floats, ρ_max(|m|, λ)) compiled from the proved reduction."""
    red = reduce(problem, depth)
    gam = sp.lambdify([LAM], list(red.scales), "numpy")
    rmax = sp.lambdify([MABS, LAM], red.rho_max, "numpy")
    return gam, rmax


def float_minimizers(problem: ScalarProblem, depth: int, m: np.ndarray, lam: np.ndarray):
    """Per instance (float64): F(0), the nonzero stationary point of least F (ρ, F, signed weights) and the
    number of nonzero stationary radii found.

    The radii are the sign changes of dφ/dρ = Σ_l γ_l·s_l·∂F/∂w_l on the rays w_l = γ_l·ρ·s_l, s = (1, …, 1,
    sign m) (every nonzero stationary point lies on one, ρ ∈ (0, ρ_max], §P1), sampled on a fixed grid and
    refined by 60 bisections. ρ = nan where no radius is found.
    """
    from ..kernels.problem import problem_kernels

    kern = problem_kernels(problem, depth)
    gam_fn, rmax_fn = _ray(problem, depth)
    m = np.asarray(m, float)
    lam = np.asarray(lam, float)
    n, L, G = len(m), depth, len(_GRID)
    gam = np.stack([np.broadcast_to(np.asarray(g, float), (n,)) for g in gam_fn(lam)], axis=1)  # (n, L)
    sign = np.ones((n, L))
    sign[:, -1] = np.where(m < 0, -1.0, 1.0)
    direction = gam * sign
    rmax = np.broadcast_to(np.asarray(rmax_fn(np.abs(m), lam), float), (n,))

    def slope(rho: np.ndarray, idx: np.ndarray) -> np.ndarray:
        W = rho[:, None] * direction[idx]
        with np.errstate(all="ignore"):
            return np.einsum("ij,ij->i", kern.gradient(W, m[idx], lam[idx]), direction[idx])

    rows = np.repeat(np.arange(n), G)
    grid = (rmax[:, None] * _GRID[None, :]).ravel()
    d = slope(grid, rows).reshape(n, G)
    grid = grid.reshape(n, G)
    owner, col = np.nonzero((np.sign(d[:, :-1]) * np.sign(d[:, 1:]) < 0) | (d[:, :-1] == 0))
    lo, hi = grid[owner, col], grid[owner, col + 1]
    dlo = d[owner, col]
    for _ in range(60):
        mid = (lo + hi) / 2
        dm = slope(mid, owner)
        left = np.sign(dm) == np.sign(dlo)
        lo, dlo = np.where(left, mid, lo), np.where(left, dm, dlo)
        hi = np.where(left, hi, mid)
    roots = (lo + hi) / 2
    f0 = kern.objective(np.zeros((n, L)), m, lam)
    best_rho = np.full(n, np.nan)
    best_f = np.full(n, np.inf)
    counts = np.bincount(owner, minlength=n)
    if owner.size:
        values = kern.objective(roots[:, None] * direction[owner], m[owner], lam[owner])
        for k in np.argsort(values):
            i = owner[k]
            if values[k] < best_f[i]:
                best_f[i], best_rho[i] = values[k], roots[k]
    weights = best_rho[:, None] * direction
    return f0, best_rho, best_f, weights, counts


def float_kind(f0: np.ndarray, best_f: np.ndarray, counts: np.ndarray, depth: int) -> np.ndarray:
    """"zero", "nonzero" or "undecided" per instance from ``float_minimizers``' values.

    |F(0) − F(ρ)| ≤ 8(L+8)·eps·max(|F(0)|, |F(ρ)|) is within the rounding of F at these points (undecided);
    without any nonzero stationary point the minimizer is 0.
    """
    eps = np.finfo(float).eps
    out = np.full(len(f0), "undecided", dtype=object)
    gap = f0 - best_f
    tol = 8 * (depth + 8) * eps * np.maximum(np.abs(f0), np.where(np.isfinite(best_f), np.abs(best_f), 0))
    out[counts == 0] = "zero"
    has = counts > 0
    out[has & (gap > tol)] = "nonzero"
    out[has & (gap < -tol)] = "zero"
    return out


def hp_kind(problem: ScalarProblem, depth: int, m: sp.Rational, lam: sp.Expr, dps: int) -> tuple[str, dict]:
    """"zero", "nonzero" or "undecided" at (L, m, λ) in mpmath, with evidence.

    F at every stationary point (``verify.highprec.problem.stationary_points``) at dps + 10 and 2·dps + 20
    digits; |F(0) − min F(nonzero)| ≤ 10^(−dps)·scale is a tie within working error (undecided); a decision
    that changes between the two precisions is undecided.
    """
    from ..highprec import problem as hpp

    kinds, evidence = [], {}
    if m == 0:
        return "zero", {"m": "0"}
    for work in (dps + 10, 2 * dps + 20):
        with mpmath.workdps(work):
            pts = hpp.stationary_points(problem, depth, to_mpf(m, work), to_mpf(lam, work))
            f0 = pts[0].objective
            nonzero = [p for p in pts if p.rho > 0]
            if not nonzero:
                kinds.append("zero")
                evidence = {"nonzero_stationary_points": 0}
                continue
            best = min(nonzero, key=lambda p: p.objective)
            gap = f0 - best.objective
            scale = max(abs(f0), abs(best.objective), mpmath.mpf(10) ** (-work))
            if abs(gap) <= scale * mpmath.mpf(10) ** (-dps):
                kinds.append("undecided")
            else:
                kinds.append("nonzero" if gap > 0 else "zero")
            evidence = {"F(0)": dec(f0, 20), "F_nonzero_min": dec(best.objective, 20), "rho": dec(best.rho, 20),
                        "gap_relative": dec(gap / scale, 6)}
    return (kinds[0] if kinds[0] == kinds[1] else "undecided"), evidence


def _where(problem: ScalarProblem, L: int, m: sp.Rational, lam: sp.Rational) -> dict:
    return {"depth": L, "m": str(m), "lambda": str(lam), "problem": problem.to_json()}


def _scope(problem: ScalarProblem, L: int, m: sp.Rational, lam: sp.Rational) -> str:
    return f"one instance: L = {L}, m = {m}, λ = {lam} ({problem.label()})"


def exact_side(lam: sp.Rational, star: sp.Expr, dps: int) -> str:
    """"below", "above", "equal" or "undecided": where the exact λ lies relative to the exact λ*."""
    diff = lam - star
    if sp.simplify(diff) == 0:
        return "equal"
    approx = diff.evalf(30, maxn=max(5000, 4 * dps))
    if approx.is_Number and approx != 0:
        return "above" if approx > 0 else "below"
    return "undecided"


def _symbolic(problem: ScalarProblem, L: int, m: sp.Rational, lam: sp.Rational, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        from ..symbolic.problem import derive_problem_threshold

        scope = _scope(problem, L, m, lam)
        if m == 0:
            return minimizer_verdict("zero", expect, "m = 0 (no nonzero stationary point, §P1)", instances=1,
                                     scope=scope, where=_where(problem, L, m, lam))
        if not reduce(problem, L).lam_linear:
            return CheckResult(Verdict.INCONCLUSIVE, "the penalty is not λ·g(w): there is no threshold in λ to "
                               "compare with; the other tiers decide", instances=0, scope=scope)
        t = derive_problem_threshold(problem, L)
        detail = {"threshold_kind": t.kind, "derivation": list(t.steps)}
        if t.kind == "none":
            return minimizer_verdict("nonzero", expect, "the derived threshold: no collapse at this depth",
                                     instances=1, scope=scope, details=detail, where=_where(problem, L, m, lam))
        if t.exact is not None:
            star = t.exact.subs(MABS, abs(m))
            detail["lambda_star"] = str(star) if len(str(star)) < 200 else dec(star, 30)
            side = exact_side(lam, star, ctx.dps)
            how = "exact comparison of λ with the derived λ*"
        else:
            with mpmath.workdps(ctx.dps + 10):
                value = t.value(abs(m), ctx.dps)
                lam_mp = to_mpf(lam, ctx.dps + 10)
                detail["lambda_star"] = dec(value, ctx.dps)
                # λ* known to ctx.dps digits: a relative gap below 10^-(dps − 5) is not decided
                rel = abs(lam_mp - value) / value
                side = "undecided" if rel <= mpmath.mpf(10) ** (5 - ctx.dps) else (
                    "above" if lam_mp > value else "below")
            how = f"λ compared with the derived λ* to {ctx.dps} digits (no closed form)"
        found = {"below": "nonzero", "above": "zero", "undecided": "undecided",
                 "equal": "zero" if t.kind == "continuous" else "tie"}[side]
        if found == "tie":
            return CheckResult(Verdict.REFUTED, f"{how}: λ = λ*, where 0 and the nonzero point are both global "
                               f"(not only {expect})", instances=1, scope=scope, details=detail,
                               counterexample={"found": "tie", "claimed": expect, **_where(problem, L, m, lam)})
        result = minimizer_verdict(found, expect, how, instances=1, scope=scope, details=detail,
                                   where=_where(problem, L, m, lam))
        if t.exact is None:  # λ* from a root finder to dps digits: agreement, not an exact decision
            result.strength, result.digits = Strength.AGREEMENT, float(ctx.dps - 5)
        return result
    return run


def _high_precision(problem: ScalarProblem, L: int, m: sp.Rational, lam: sp.Rational, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        found, evidence = hp_kind(problem, L, m, lam, ctx.dps)
        return minimizer_verdict(found, expect, f"mpmath at {ctx.dps + 10} and {2 * ctx.dps + 20} digits",
                                 instances=1, scope=_scope(problem, L, m, lam), details=evidence,
                                 where=_where(problem, L, m, lam),
                                 tolerance=f"|F(0) − F(ρ)| ≤ 10^-{ctx.dps}·|F| is a tie within working error; a "
                                           "decision that changes between the two precisions is undecided")
    return run


def _numeric(problem: ScalarProblem, L: int, m: sp.Rational, lam: sp.Rational, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        scope = _scope(problem, L, m, lam)
        if L > NUMERIC_MAX_DEPTH:
            return CheckResult(Verdict.INCONCLUSIVE, f"depth {L} is beyond the float64 tier's limit "
                               f"{NUMERIC_MAX_DEPTH}; the exact and mpmath tiers judge it", instances=0, scope=scope)
        mf, lf = float(m), float(lam)
        if not (np.isfinite(mf) and np.isfinite(lf)) or lf == 0 or (mf == 0) != (m == 0):
            return CheckResult(Verdict.INCONCLUSIVE, "m or λ is beyond the float64 range after rounding",
                               instances=0, scope=scope)
        f0, rho_b, fb, _, counts = float_minimizers(problem, L, np.array([mf]), np.array([lf]))
        found = float_kind(f0, fb, counts, L)[0]
        kw = dict(instances=1, scope=scope, where=_where(problem, L, m, lam),
                  tolerance="|F(0) − F(ρ)| ≤ 8(L+8)·eps·|F| is a tie within rounding; a float64 verdict against "
                            "the claim counts only when mpmath confirms it",
                  details={"F(0)": repr(float(f0[0])), "F_nonzero_min": repr(float(fb[0])),
                           "rho": repr(float(rho_b[0])), "nonzero_stationary_radii": int(counts[0])})
        if found not in ("undecided", expect):
            high, _ = hp_kind(problem, L, m, lam, ctx.dps)
            if high != found:
                kw.pop("where")
                return CheckResult(Verdict.INCONCLUSIVE, f"conflict: float64 says the global minimizer is {found}, "
                                   f"high precision says {high}", **kw)
        return minimizer_verdict(found, expect, "float64 kernels on the rays", **kw)
    return run


def problem_minimizer_claim(id: str, statement: str, source: str, problem: ScalarProblem, depth: int,
                            target: sp.Rational, lam: sp.Rational, expect: str, paper: str = "user claim",
                            resolutions: tuple[str, ...] = ()) -> Claim:
    """Declare "for this problem at (depth, target, λ) the global minimizer is ``expect``" (zero | nonzero).

    Building the claim proves the problem's reduction at that depth (``ReductionRefused``, a UsageError,
    otherwise): a problem the suite cannot justify never gets a verdict.
    """
    L, m, lam_q = minimizer_instance(depth, target, lam, expect, OUTCOMES)
    reduce(problem, L)
    args = (problem, L, m, lam_q, expect)
    checks = (
        Check("sign of λ − λ* (derived threshold)", Tier.SYMBOLIC, _symbolic(*args)),
        # the symbolic sign of λ − λ* decides the same one instance: the mpmath and float64 routes cross-check it
        Check("mpmath objective at all stationary points", Tier.HIGH_PRECISION, _high_precision(*args),
              corroborates=True),
        Check("float64 objective at the stationary points on the rays", Tier.NUMERIC, _numeric(*args),
              corroborates=True),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper)
