"""The float64 tier of the threshold claims (``verify.claims.threshold``): the global minimizer on both sides.

float64 kernels (``verify.kernels.scalar.collapse_gaps``) decide which stationary point is global at
λ_claim·(1 ∓ δ) on random targets per depth; a float64 counterexample counts only when mpmath confirms it
(``scalar_common.global_kind``), and test points within float64 rounding of a tie are undecided.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from ..conventions import Convention
from ..kernels.scalar import collapse_gaps
from ..symbolic.scalar import mabs
from .base import CheckResult, Verdict
from .context import RunContext
from .sampling import draw_targets, instances_per_depth, numeric_depths
from .scalar_common import ClaimValueError, claim_depths_in, claimed_floats, formula_at, global_kind
from .scope import depth_text

#: relative offset of the two test points λ_claim·(1 ∓ δ) in float64; small enough that a claim off
#: by 1e-6 lands on the wrong side, large enough that the objective gap (≈ δ·F(0)) is far above
#: float64 rounding (≈ 1e-13·F(0)).
NUMERIC_DELTA = 1e-8
DELTA_EXACT = sp.Rational(1, 10**8)  # the same offset, exactly, for the mpmath confirmation

#: at L = 2, |b/a − |m|| ≤ L2_TIE·eps·|m| cannot tell in float64 whether ρ² = |m| − b/a is positive:
#: m, λ, b/λ and the offset factor are each rounded once (≤ 4 eps relative in b/a − |m|), doubled
L2_TIE = 8



def _confirm(conv: Convention, formula: sp.Expr | None, L: int, m: sp.Rational, lam_float: float, side: str,
             dps: int) -> str:
    """The float64 test point re-decided in mpmath: the claim's λ at high precision times (1 ∓ δ)."""
    k = conv.b_over_lam(L)
    if formula is None:
        lam = sp.Rational(str(lam_float))  # the drawn λ itself (exactly the float that was tested)
    else:
        lam = formula_at(formula, L).subs(mabs, abs(m))
        lam = lam * (1 - DELTA_EXACT if side == "below" else 1 + DELTA_EXACT)
    return global_kind(L, m, conv.a, k * lam, dps)


def _numeric(conv: Convention, formula: sp.Expr | None, depths, min_depth: int, note: str = ""):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"threshold-num:{conv.name}")
        chosen = numeric_depths(claim_depths_in(ctx, depths, min_depth), explicit=depths is not None)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        scope = (f"{depth_text(chosen)}, {n} random targets each" if chosen else "no depths") + note
        eps = np.finfo(float).eps
        total = undecided = 0
        worst = np.inf
        conflicts = []
        tol_text = (f"test points λ_claim·(1 ∓ {NUMERIC_DELTA}), λ_claim evaluated at high precision and rounded "
                    "once; a gap |F(0) − F(ρ)| ≤ 8(L+8)·eps·F(0) is undecided (float64 rounding of F at these "
                    "points); a float64 counterexample counts only when mpmath confirms it")
        for L in chosen:
            exact = draw_targets(rng, n)
            m = exact.floats
            a = float(conv.a)
            k = float(conv.b_over_lam(L))
            if formula is None:
                lam_c = np.exp(rng.uniform(np.log(1e-4), np.log(1e4), n)) * np.abs(m)
                factors = {"at": 1.0}
            else:
                try:
                    lam_c = claimed_floats(formula_at(formula, L), mabs, exact.abs())
                except ClaimValueError as exc:
                    return CheckResult(Verdict.REFUTED, f"depth {L}: {exc}", instances=total, scope=scope,
                                       counterexample={"depth": L, "convention": conv.name, "claimed": str(exc)})
                if np.any(~(lam_c > 0)):
                    i = int(np.argmax(~(lam_c > 0)))
                    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {exact[i]}: the claimed threshold "
                                       f"{lam_c[i]!r} is not positive", instances=total + 1, scope=scope,
                                       counterexample={"depth": L, "m": str(exact[i]), "lambda_claimed": repr(lam_c[i])})
                factors = {"below": 1 - NUMERIC_DELTA, "above": 1 + NUMERIC_DELTA}
            # a claimed λ beyond the float64 range cannot be tested here (the exact tiers judge it)
            ok = np.isfinite(lam_c * k * 2)
            if not ok.all():
                undecided += int((~ok).sum()) * len(factors)
                total += int((~ok).sum()) * len(factors)
                exact = exact.subset(ok)
                m, lam_c = m[ok], lam_c[ok]
            n_ok = len(exact)
            for side, fac in factors.items():
                b = k * lam_c * fac
                if n_ok == 0:
                    continue
                F0, gaps, counts = collapse_gaps(L, m, a, b)
                # objective evaluated in float64 at points of size ~|m|^(1/L): rounding ≈ (L + 8)·eps·F(0)
                tol = 8 * (L + 8) * eps * np.maximum(F0, np.finfo(float).tiny)
                close = np.abs(gaps) <= tol
                # L = 2: a nonzero stationary point (ρ² = |m| − b/a) is the minimizer when it exists; its
                # existence is known only when b/a is farther from |m| than the rounding of m, λ, k and the
                # factor (≤ 4 eps relative, doubled): closer is undecided
                tie = close & ((L != 2) | (np.abs(b / a - np.abs(m)) <= L2_TIE * eps * np.abs(m)))
                nonzero = np.where(close, counts > 0, gaps > 0)
                expect_nonzero = side in ("below", "at")
                with np.errstate(invalid="ignore", over="ignore"):
                    margins = np.where(np.isfinite(gaps), (gaps if expect_nonzero else -gaps) / F0, np.inf)
                agree = ~tie & (nonzero == expect_nonzero)
                before = total
                for i in np.flatnonzero(~tie & ~agree):  # in instance order, as one instance at a time would
                    found = "nonzero" if nonzero[i] else "zero"
                    high = _confirm(conv, formula, L, exact[i], float(lam_c[i]), side, ctx.dps)
                    where = {"depth": L, "m": str(exact[i]), "convention": conv.name,
                             "lambda": repr(float(lam_c[i] * fac)), "side": side,
                             "gap_F0_minus_Fnonzero": repr(float(gaps[i]))}
                    if high != found:
                        conflicts.append({**where, "float64": found, "high_precision": high})
                        continue
                    return CheckResult(
                        Verdict.REFUTED,
                        f"depth {L}, m = {exact[i]}: at λ = {float(lam_c[i] * fac)!r} the global minimizer is "
                        f"{found}, contrary to the claim (confirmed in mpmath)", scope=scope,
                        instances=before + int(i) + 1, worst_margin=f"{margins[i]:.3e}",
                        counterexample={**where, "high_precision": high}, tolerance=tol_text)
                total += n_ok
                undecided += int(tie.sum())
                if agree.any():
                    worst = min(worst, float(margins[agree].min()))
        if conflicts:
            c = conflicts[0]
            return CheckResult(Verdict.INCONCLUSIVE,
                               f"conflict: float64 says the minimizer is {c['float64']}, high precision says "
                               f"{c['high_precision']} (depth {c['depth']}, m = {c['m']}, {c['side']} the claim); "
                               f"{len(conflicts)} such point(s)", instances=total, scope=scope, tolerance=tol_text,
                               details={"conflicts": conflicts[:5]})
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"{undecided} of {total} test points too close to call in float64",
                               instances=total, worst_margin=f"{worst:.3e}", tolerance=tol_text, scope=scope)
        what = ("0 loses just below and wins just above the claimed threshold" if formula is not None
                else "the minimizer is nonzero at every λ tried")
        return CheckResult(Verdict.VERIFIED, f"{what} on all {total} test points", instances=total,
                           digits=-np.log10(NUMERIC_DELTA) if formula is not None else None, scope=scope,
                           worst_margin=f"{worst:.3e}", tolerance=tol_text)
    return run
