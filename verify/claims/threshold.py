"""Claim kind: the collapse threshold of the deep scalar problem is a given closed form.

A claim states λ*(m, L) = formula(|m|, L) under a convention for some depths (or ``formula=None``:
the minimizer never collapses). Three independent routes judge it:
- symbolic: λ* derived exactly per depth by elimination (``derive_threshold``), plus general L;
- high precision: bracketing in λ on the objective's values at *all* stationary points (mpmath);
- numeric: float64 kernels decide which point is global at λ_claim·(1 ∓ δ) on random targets.
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..errors import UsageError
from ..highprec import scalar as hp
from ..kernels.scalar import collapse_gaps
from ..numbers import dec, digits_of_agreement, to_mpf
from ..symbolic.scalar import L_sym, derive_threshold, general_depth_ratio, lam_star, mabs
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .sampling import instances_per_depth, numeric_depths, random_targets, targets_per_depth

#: relative offset of the two test points λ_claim·(1 ∓ δ) in float64; small enough that a claim off
#: by 1e-6 lands on the wrong side, large enough that the objective gap (≈ δ·F(0)) is far above
#: float64 rounding (≈ 1e-13·F(0)).
NUMERIC_DELTA = 1e-8


def _formula_at(formula: sp.Expr, depth: int) -> sp.Expr:
    return sp.sympify(formula).subs(L_sym, depth)


def _depths(ctx: RunContext, depths: Sequence[int] | None, min_depth: int) -> list[int]:
    chosen = list(depths) if depths is not None else [L for L in ctx.profile.depths if L >= min_depth]
    return chosen


def _ab_of_lam(conv: Convention, depth: int):
    k = conv.b_over_lam(depth)
    a_mp = mpmath.mpf(int(conv.a))
    k_mp = mpmath.mpf(k.p) / k.q

    def f(lam):
        return a_mp, k_mp * lam
    return f


def _symbolic(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        rows, bad = {}, None
        undecided = []
        for L in _depths(ctx, depths, min_depth):
            derived = lam_star(L, conv)
            if formula is None or derived is None:
                ok = formula is None and derived is None
                rows[L] = "no collapse" if derived is None else f"λ* = {derived}"
                if not ok and bad is None:
                    bad = {"depth": L, "derived": str(derived), "claimed": str(formula),
                           "derivation": list(derive_threshold(L).steps)}
                continue
            claimed = _formula_at(formula, L)
            diff = sp.simplify(derived - claimed)
            ratio = sp.simplify(derived / claimed) if claimed != 0 else None
            rows[L] = f"λ* = {derived}; λ*/claimed = {ratio}"
            if diff == 0:
                continue
            probe = sp.Rational(7, 3)
            d_num = to_mpf(derived.subs(mabs, probe), ctx.dps)
            c_num = to_mpf(claimed.subs(mabs, probe), ctx.dps)
            if digits_of_agreement(d_num, c_num) < ctx.dps / 2:
                if bad is None:
                    bad = {"depth": L, "m": str(probe), "derived": str(derived), "claimed": str(claimed),
                           "ratio": str(ratio), "derivation": list(derive_threshold(L).steps)}
            else:
                undecided.append(L)
        general = None
        if formula is not None and formula.has(L_sym) and min_depth >= 3 and depths is None:
            claimed_b = conv.b_num * formula / (L_sym if conv.b_per_depth else 1)
            general = general_depth_ratio(claimed_b, conv.a)
        details = {"convention": conv.name, "per_depth": {str(k): v for k, v in rows.items()}}
        if general is not None:
            details["general_L_ratio_b*/b_claimed"] = str(general)
        n = len(rows)
        if bad is None and general is not None and sp.simplify(general - 1) != 0:
            bad = {"general_L_ratio_b*/b_claimed": str(general),
                   "note": "the claim covers every depth L ≥ 3, and the derived threshold differs for general L"}
        if bad is not None:
            where = f"at depth {bad['depth']}" if "depth" in bad else "for general L"
            return CheckResult(Verdict.REFUTED, f"derived threshold differs from the claim {where}",
                               instances=n, counterexample=bad, details=details)
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE,
                               f"SymPy could not decide equality at depths {undecided} (numerically equal)",
                               instances=n, details=details)
        extra = "" if general is None else f"; for general L ≥ 3 the ratio simplifies to {general}"
        return CheckResult(Verdict.VERIFIED, f"exact equality at {n} depths{extra}", instances=n,
                           digits=float("inf"), details=details)
    return run


def _high_precision(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 20
        # bisection/Illinois stop at 10^-(work-3) relative; agreement to ctx.dps digits is required,
        # and a difference above 10^-(ctx.dps) relative is a refutation (17 digits of headroom).
        chosen = _depths(ctx, depths, min_depth)
        targets = random_targets(ctx.rng(f"threshold-hp:{conv.name}"),
                                 targets_per_depth(ctx.profile.hp_instances, len(chosen)))
        worst = float("inf")
        count, samples = 0, []
        for L in chosen:
            for m in targets:
                with mpmath.workdps(work):
                    lam_bis = hp.threshold_by_bisection(L, to_mpf(m, work), _ab_of_lam(conv, L))
                    claimed = None if formula is None else to_mpf(_formula_at(formula, L).subs(mabs, abs(m)), work)
                count += 1
                if lam_bis is None or claimed is None:
                    if (lam_bis is None) != (claimed is None):
                        return CheckResult(
                            Verdict.REFUTED, f"depth {L}: collapse {'absent' if lam_bis is None else 'present'} "
                            "in the objective, contrary to the claim", instances=count,
                            counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                            "lambda_bisection": None if lam_bis is None else dec(lam_bis, ctx.dps),
                                            "lambda_claimed": None if claimed is None else dec(claimed, ctx.dps)})
                    continue
                d = digits_of_agreement(lam_bis, claimed)
                worst = min(worst, d)
                if len(samples) < 6:
                    samples.append({"depth": L, "m": str(m), "lambda": dec(lam_bis, ctx.dps), "digits": round(d, 1)})
                if d < ctx.dps:
                    return CheckResult(
                        Verdict.REFUTED, f"depth {L}, m = {m}: bisection and claim agree to {d:.1f} digits only",
                        digits=d, instances=count,
                        tolerance=f"agreement to {ctx.dps} digits required (working precision {work})",
                        counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                        "lambda_bisection": dec(lam_bis, ctx.dps + 5),
                                        "lambda_claimed": dec(claimed, ctx.dps + 5),
                                        "relative_difference": dec(abs(lam_bis - claimed) / abs(claimed), 5)})
        summary = (f"bisection on λ agrees with the claim to ≥ {worst:.1f} digits on {count} instances"
                   if worst != float("inf") else f"no collapse found on {count} instances, as claimed")
        return CheckResult(Verdict.VERIFIED, summary, digits=None if worst == float("inf") else worst,
                           instances=count,
                           tolerance=f"≥ {ctx.dps} digits of agreement; λ found at {work} digits",
                           details={"samples": samples})
    return run


def _numeric(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"threshold-num:{conv.name}")
        chosen = numeric_depths(_depths(ctx, depths, min_depth), explicit=depths is not None)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        eps = np.finfo(float).eps
        total = undecided = 0
        worst = np.inf
        for L in chosen:
            m = np.array([float(x) for x in random_targets(rng, n)])
            a = float(conv.a)
            k = float(conv.b_over_lam(L))
            if formula is None:
                lam_c = np.exp(rng.uniform(np.log(1e-4), np.log(1e4), n)) * np.abs(m)
                factors = {"at": 1.0}
            else:
                f = sp.lambdify(mabs, _formula_at(formula, L), "numpy")
                lam_c = np.broadcast_to(np.asarray(f(np.abs(m)), float), (n,))
                factors = {"below": 1 - NUMERIC_DELTA, "above": 1 + NUMERIC_DELTA}
            for side, fac in factors.items():
                b = k * lam_c * fac
                F0, gaps, counts = collapse_gaps(L, m, a, b)
                # objective evaluated in float64 at points of size ~|m|^(1/L): rounding ≈ (L + 8)·eps·F(0)
                tol = 8 * (L + 8) * eps * np.maximum(F0, np.finfo(float).tiny)
                for i in range(n):
                    gap = gaps[i]
                    total += 1
                    if abs(gap) <= tol[i]:
                        if L != 2:
                            undecided += 1
                            continue
                        nonzero = counts[i] > 0  # L = 2: any nonzero stationary point is the minimizer
                    else:
                        nonzero = gap > 0
                    expect_nonzero = side in ("below", "at")
                    margin = (gap if expect_nonzero else -gap) / F0[i] if np.isfinite(gap) else np.inf
                    worst = min(worst, margin)
                    if nonzero != expect_nonzero:
                        return CheckResult(
                            Verdict.REFUTED,
                            f"depth {L}, m = {float(m[i])!r}: at λ = {float(lam_c[i] * fac)!r} the global minimizer is "
                            f"{'nonzero' if nonzero else '0'}, contrary to the claim",
                            instances=total, worst_margin=f"{margin:.3e}",
                            counterexample={"depth": L, "m": repr(float(m[i])), "convention": conv.name,
                                            "lambda": repr(float(lam_c[i] * fac)), "side": side,
                                            "gap_F0_minus_Fnonzero": repr(float(gap))},
                            tolerance=f"|gap| ≤ 8(L+8)·eps·F(0) counts as undecided; δ = {NUMERIC_DELTA}")
        tol_text = (f"test points λ_claim·(1 ∓ {NUMERIC_DELTA}); a gap |F(0) − F(ρ)| ≤ 8(L+8)·eps·F(0) "
                    f"is undecided (float64 rounding of F at these points); depths {chosen}")
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"{undecided} of {total} test points too close to call in float64",
                               instances=total, worst_margin=f"{worst:.3e}", tolerance=tol_text)
        what = ("0 loses just below and wins just above the claimed threshold" if formula is not None
                else "the minimizer is nonzero at every λ tried")
        return CheckResult(Verdict.VERIFIED, f"{what} on all {total} test points", instances=total,
                           digits=-np.log10(NUMERIC_DELTA) if formula is not None else None,
                           worst_margin=f"{worst:.3e}", tolerance=tol_text)
    return run


def _shrinker(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    """Smallest depth and simplest m where bisection (30 digits) and the claim disagree."""
    from hypothesis import strategies as st

    from .shrinking import find_minimal, simple_rationals

    def disagrees(example) -> bool:
        L, m_text = example
        m = sp.Rational(m_text)
        with mpmath.workdps(40):
            lam = hp.threshold_by_bisection(L, to_mpf(m, 40), _ab_of_lam(conv, L))
            claimed = None if formula is None else to_mpf(_formula_at(formula, L).subs(mabs, abs(m)), 40)
            if lam is None or claimed is None:
                return (lam is None) != (claimed is None)
            return digits_of_agreement(lam, claimed) < 25

    def shrink(ctx: RunContext) -> dict | None:
        pool = sorted(set(_depths(ctx, depths, min_depth)))
        if not pool:
            return None
        found = find_minimal(st.tuples(st.sampled_from(pool), simple_rationals()), disagrees, ctx,
                             f"threshold:{conv.name}")
        if found is None:
            return None
        L, m_text = found
        with mpmath.workdps(30):
            lam = hp.threshold_by_bisection(L, to_mpf(sp.Rational(m_text), 30), _ab_of_lam(conv, L))
            claimed = None if formula is None else _formula_at(formula, L).subs(mabs, abs(sp.Rational(m_text)))
        return {"depth": L, "m": m_text, "convention": conv.name,
                "lambda_true": None if lam is None else dec(lam, 20),
                "lambda_claimed": None if claimed is None else dec(claimed, 20),
                "reproduce": f"verify threshold --depth {L} --target {m_text} --convention {conv.name}"}
    return shrink


def threshold_claim(id: str, statement: str, source: str, formula: sp.Expr | None,
                    convention: str | Convention = "A1", depths: Sequence[int] | None = None,
                    min_depth: int = 3, resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare "the scalar minimizer collapses to 0 exactly at λ = formula(|m|, L)".

    ``formula`` is a SymPy expression in ``verify.symbolic.scalar.mabs`` (|m|) and ``L_sym`` (L), or
    None for "never collapses". ``depths`` fixes the depths; by default the profile's depths ≥ min_depth.
    """
    conv = get_convention(convention)
    if depths is not None and not list(depths):
        raise UsageError("depths must not be empty")
    if formula is not None:
        formula = sp.sympify(formula)
        extra = formula.free_symbols - {mabs, L_sym}
        if extra:
            raise ValueError(f"threshold formula may use only |m| and L, found {sorted(map(str, extra))}")
    checks = (
        Check("derived threshold equals the claim", Tier.SYMBOLIC, _symbolic(conv, formula, depths, min_depth)),
        Check("bisection on λ over all stationary points", Tier.HIGH_PRECISION,
              _high_precision(conv, formula, depths, min_depth)),
        Check("float64 global minimizer on both sides of the threshold", Tier.NUMERIC,
              _numeric(conv, formula, depths, min_depth)),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper,
                 shrink=_shrinker(conv, formula, depths, min_depth))
