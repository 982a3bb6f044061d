"""Claim kind: at a given (L, m, λ) the global minimizer of the scalar problem is 0, nonzero, or a tie.

Routes: symbolic decides the sign of λ − λ*(|m|) exactly (algebraic numbers); high precision compares
F at all stationary points in mpmath; numeric does the same in float64. A point so close to the
threshold that a route cannot separate the objective values makes that route inconclusive, so a
true claim numerics cannot settle comes out inconclusive, never verified.
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..highprec import scalar as hp
from ..kernels.scalar import collapse_gaps
from ..numbers import dec, to_mpf
from ..symbolic.scalar import derive_threshold, lam_star, mabs
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .scalar_common import global_kind, minimizer_instance, minimizer_verdict

OUTCOMES = ("zero", "nonzero", "tie")

#: the float64 tier compiles its kernels per depth (about 4 s at L = 24, growing like L^2.5); deeper
#: instances are left to the exact and mpmath tiers
NUMERIC_MAX_DEPTH = 32

#: at L = 2, |b/a − |m|| ≤ L2_TIE·eps·|m| is undecided in float64 (see ``_numeric``)
L2_TIE = 8


def _symbolic(L: int, m: sp.Rational, lam: sp.Rational, conv: Convention, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        t = derive_threshold(L)
        star = lam_star(L, conv)
        scope = _scope(L, m, lam, conv)
        if m == 0:
            return minimizer_verdict("zero", expect, "m = 0", instances=1, scope=scope)
        if star is None:
            return minimizer_verdict("nonzero", expect, "L = 1 never collapses", instances=1, scope=scope)
        value = star.subs(mabs, abs(m))
        diff = lam - value
        with mpmath.workdps(ctx.dps):
            detail = {"lambda_star": _show(value), "lambda_star_decimal": dec(value, ctx.dps)}
        if sp.simplify(diff) == 0:
            found = "zero" if t.kind == "continuous" else "tie"
        else:
            # evalf raises its working precision until the *relative* accuracy of the difference
            # itself is met (up to maxn digits), so a nonzero result has a certain sign.
            approx = diff.evalf(30, maxn=5000)
            if approx.is_Number and approx != 0:
                found = "zero" if approx > 0 else "nonzero"
                detail["lambda_minus_lambda_star"] = str(sp.N(approx, 10))
            else:
                found = "undecided"
        return minimizer_verdict(found, expect, "exact comparison of λ with λ*", details=detail, instances=1,
                                 scope=_scope(L, m, lam, conv))
    return run


def _high_precision(L: int, m: sp.Rational, lam: sp.Rational, conv: Convention, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        a, b = conv.ab(lam, L)
        found = global_kind(L, m, a, b, ctx.dps)
        work = ctx.dps + 10
        with mpmath.workdps(work):
            m_mp, a_mp, b_mp = to_mpf(m, work), to_mpf(a, work), to_mpf(b, work)
            gap = hp.collapse_gap(L, m_mp, a_mp, b_mp)
            f0 = a_mp * m_mp**2 / 2
            margin = None if gap is None or f0 == 0 else dec(gap / f0, 10)
        return minimizer_verdict(found, expect, f"mpmath at {work} and {2 * ctx.dps + 20} digits",
                                 worst_margin=margin, instances=1, scope=_scope(L, m, lam, conv),
                                 tolerance=f"|F(0) − F(ρ)| ≤ 10^-{ctx.dps}·F(0) is a tie within working error; at "
                                           "L = 2 the existence of a nonzero stationary point decides; a decision "
                                           "that changes between the two precisions is undecided")
    return run


def _numeric(L: int, m: sp.Rational, lam: sp.Rational, conv: Convention, expect: str):
    def run(ctx: RunContext) -> CheckResult:
        scope = _scope(L, m, lam, conv)
        if L > NUMERIC_MAX_DEPTH:
            return CheckResult(Verdict.INCONCLUSIVE, f"depth {L} is beyond the float64 tier's depth limit "
                               f"{NUMERIC_MAX_DEPTH} (compiling its kernels costs minutes); the exact and mpmath "
                               "tiers judge it", instances=0, scope=scope)
        a, b = (float(x) for x in conv.ab(lam, L))
        mf = float(m)
        if (not all(np.isfinite(x) for x in (a, b, mf, a * mf * mf, b / a)) or a == 0 or b == 0
                or (mf == 0) != (m == 0)):
            return CheckResult(Verdict.INCONCLUSIVE, "m, a or b (or a·m², b/a) is zero or beyond the float64 range "
                               "after rounding; the exact and mpmath tiers judge it", instances=0, scope=scope)
        f0s, gaps, counts = collapse_gaps(L, np.array([mf]), a, np.array([b]))
        f0, gap, count = f0s[0], gaps[0], counts[0]
        eps = np.finfo(float).eps
        tol = 8 * (L + 8) * eps * f0  # float64 rounding of F at these points
        # L = 2: ρ² = |m| − b/a decides (the gap (a/2)ρ⁴ can underflow); m, λ and b = k·λ are rounded once
        # each (≤ 3 eps relative in b/a − |m|, doubled), so a closer b/a cannot be placed on either side
        near_l2 = L == 2 and abs(b / a - abs(mf)) <= L2_TIE * eps * abs(mf)
        if near_l2:
            found = "undecided"
        elif not count:
            found = "zero"
        elif abs(gap) <= tol:
            found = "undecided"
        else:
            found = "nonzero" if gap > 0 else "zero"
        kw = dict(instances=1, scope=_scope(L, m, lam, conv),
                  worst_margin=None if not np.isfinite(gap) or f0 == 0 else f"{gap / f0:.3e}",
                  tolerance="|F(0) − F(ρ)| ≤ 8(L+8)·eps·F(0) is a tie within rounding; at L = 2, |b/a − |m|| ≤ "
                            f"{L2_TIE}·eps·|m| is undecided; a float64 verdict against "
                            "the claim counts only when mpmath confirms it")
        if found not in ("undecided", expect):
            high = global_kind(L, m, *conv.ab(lam, L), ctx.dps)
            if high != found:
                return CheckResult(Verdict.INCONCLUSIVE, f"conflict: float64 says the global minimizer is {found}, "
                                   f"high precision says {high}", details={"float64": found, "high_precision": high},
                                   **kw)
        return minimizer_verdict(found, expect, "float64 kernels", **kw)
    return run


def _show(x: sp.Expr, limit: int = 200) -> str:
    """x exactly when short, else ≈ 30 significant digits (never converts a huge integer to text)."""
    if any(max(abs(r.p), r.q).bit_length() > 4 * limit for r in sp.sympify(x).atoms(sp.Rational)):
        return "≈" + dec(x, 30)
    text = str(x)
    return text if len(text) <= limit else "≈" + dec(x, 30)


def _scope(L: int, m: sp.Rational, lam: sp.Rational, conv: Convention) -> str:
    shown = [_show(x, 40) for x in (m, lam)]
    return f"one instance: L = {L}, m = {shown[0]}, λ = {shown[1]} ({conv.name})"


def minimizer_claim(id: str, statement: str, source: str, depth, target, lam, expect: str,
                    convention: str | Convention = "A1", resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare "at (depth, target, λ) the global minimizer is ``expect``" (zero, nonzero or tie)."""
    L, m, lam_q = minimizer_instance(depth, target, lam, expect, OUTCOMES)
    conv = get_convention(convention)
    args = (L, m, lam_q, conv, expect)
    checks = (
        Check("exact comparison with the derived threshold", Tier.SYMBOLIC, _symbolic(*args)),
        # the exact comparison decides the same one instance: the mpmath and float64 routes cross-check it
        Check("mpmath objective at all stationary points", Tier.HIGH_PRECISION, _high_precision(*args),
              corroborates=True),
        Check("float64 objective at all stationary points", Tier.NUMERIC, _numeric(*args), corroborates=True),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper)
