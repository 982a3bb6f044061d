"""Claim kind: the end-to-end minimizer of the deep scalar problem is unique off an exceptional set.

The claim names the exceptional regularization λ_e(|m|, L) (a closed form): for λ ≠ λ_e the global
minimizers all share one product w_L⋯w_1; at λ = λ_e there are exactly two products (0 and a nonzero
one) with equal objective. Routes:
- symbolic: at λ_e the only candidate ρ > 0 with φ(ρ) = φ(0) (ρ^L = |m|(L−2)/(L−1), from the
  elimination) must also satisfy φ'(ρ) = 0 exactly;
- certified: the unique tie point enclosed in Arb, the tie at λ_e exact (SymPy identity), every stationary
  point isolated there and off the set (``verify.claims.certified_scalar.uniqueness_check``);
- high precision: at λ_e (to working precision) mpmath finds exactly two global products with objective
  equal to ~the working precision; at λ_e·(1 ± 10^(−dps/2)) and at random λ, exactly one;
- numeric: float64 kernels at λ_e see the two candidates tie within rounding, and at random λ one
  product wins by more than rounding (ties there are reported as undecided).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..errors import UsageError
from ..highprec import scalar as hp
from ..kernels.scalar import collapse_gaps
from ..numbers import dec, digits_of_agreement, to_mpf
from ..symbolic.scalar import L_sym, a, b, balanced_model, derive_threshold, general_depth_ratio, mabs, rho
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .sampling import draw_targets, instances_per_depth, numeric_depths, random_targets, targets_per_depth
from .threshold import CORROBORATES, _too_large, elimination_confirms, general_derivation
from .scope import depth_text
from .scalar_common import (MAX_DEPTH, claim_depths, claimed_formula, ClaimUndecided, ClaimValueError, claimed_floats,
                            claimed_values, formula_at, sentinels)


def _depths(ctx: RunContext, depths) -> list[int]:
    return list(depths) if depths is not None else [L for L in ctx.profile.depths if L >= 3]


def _symbolic(conv: Convention, formula: sp.Expr, depths):
    def run(ctx: RunContext) -> CheckResult:
        rows = {}
        chosen = _depths(ctx, depths)
        scope = f"{depth_text(chosen)}, exact per depth"
        for L in chosen:
            t = derive_threshold(L)
            model = balanced_model(L)
            b_claim = conv.b_over_lam(L) * formula_at(formula, L)
            at = {a: conv.a, b: b_claim, rho: t.rho_star}
            tie = model.phi.subs(at) - model.phi.subs(rho, 0).subs(at)
            slope = model.dphi.subs(at)
            # numbers first (certain when they differ), then exact simplification unless the claim is too large
            probe = {mabs: sp.Rational(7, 3)}
            vals = [to_mpf(x.subs(probe), ctx.dps) for x in (tie, slope)]
            f0 = abs(to_mpf(model.phi.subs(rho, 0).subs(at).subs(probe), ctx.dps))
            scales = (f0, f0 / to_mpf(t.rho_star.subs(probe), ctx.dps))  # φ(0) and φ(0)/ρ*: the sizes of φ, φ'
            if any(abs(v) > s * mpmath.mpf(10) ** (-(ctx.dps // 2)) for v, s in zip(vals, scales)):
                rows[str(L)] = {"phi(rho*) - phi(0) at m = 7/3": dec(vals[0], 15), "phi'(rho*) at m = 7/3": dec(vals[1], 15)}
                return CheckResult(Verdict.REFUTED, f"depth {L}: at the claimed λ_e, 0 and the only candidate "
                                   "ρ* are not two stationary points of equal value", instances=len(rows),
                                   counterexample={"depth": L, **rows[str(L)]}, details={"per_depth": rows},
                                   scope=scope)
            if _too_large(b_claim):
                return CheckResult(Verdict.INCONCLUSIVE, f"depth {L}: the claim has a power of a sum beyond degree 64; "
                                   "not simplified (numerically a tie)", instances=len(rows), scope=scope)
            tie, slope = exact_tie(conv.name, formula, L)
            rows[str(L)] = {"phi(rho*) - phi(0)": str(tie), "phi'(rho*)": str(slope)}
            if tie != 0 or slope != 0:
                return CheckResult(Verdict.INCONCLUSIVE, f"depth {L}: SymPy could not decide the tie exactly",
                                   instances=len(rows), details={"per_depth": rows}, scope=scope)
        return CheckResult(Verdict.VERIFIED, f"at λ_e, φ(ρ*) = φ(0) and φ'(ρ*) = 0 exactly at {len(rows)} depths",
                           instances=len(rows), digits=float("inf"), details={"per_depth": rows}, scope=scope,
                           proved_for=f"every m ≠ 0 (|m| a symbol) at {depth_text(chosen)}, convention {conv.name}")
    return run


@lru_cache(maxsize=256)
def exact_tie(conv_name: str, formula: sp.Expr, L: int) -> tuple[sp.Expr, sp.Expr]:
    """(φ(ρ*) − φ(0), φ'(ρ*)) at b = k(L)·λ_e(|m|), ρ* = the elimination's tie radius, simplified exactly
    with |m| a symbol (both 0: the tie of 0 and ρ* at λ_e is an identity at depth L). Shared by the symbolic
    and certified checks (computed once per depth)."""
    conv = get_convention(conv_name)
    t = derive_threshold(L)
    model = balanced_model(L)
    at = {a: conv.a, b: conv.b_over_lam(L) * formula_at(formula, L), rho: t.rho_star}
    return (sp.simplify(model.phi.subs(at) - model.phi.subs(rho, 0).subs(at)), sp.simplify(model.dphi.subs(at)))


def _general(conv: Convention, formula: sp.Expr):
    """For symbolic L ≥ 3: the claimed λ_e must be the collapse point b*(L)/k(L) (the tie of 0 and ρ*)."""
    def run(ctx: RunContext) -> CheckResult:
        scope = "all L ≥ 3 (L as a symbol)"
        claimed_b = conv.b_num * formula / (L_sym if conv.b_per_depth else 1)
        ratio = general_depth_ratio(claimed_b, conv.a)
        if ratio is None:
            return CheckResult(Verdict.INCONCLUSIVE, "for general L, SymPy could not reduce b*(L)/b_e(L) to a function "
                               "of L alone: the claim is established only at the depths the other checks list",
                               instances=1, scope=scope)
        details = {"general_L_ratio_b*/b_e": str(ratio)}
        if ratio == 1 or sp.simplify(ratio - 1) == 0:
            if not elimination_confirms(conv, claimed_b, 3):
                return CheckResult(Verdict.INCONCLUSIVE, "for every L ≥ 3, b*(L)/b_e(L) simplifies to 1 with b*(L) "
                                   "written out, but SymPy did not confirm that the symbolic-L elimination gives that "
                                   "b*(L): not shown as a proof", instances=1, details=details, scope=scope)
            return CheckResult(Verdict.VERIFIED, "for every L ≥ 3 the claimed λ_e is the tie point b*(L) of 0 and ρ*",
                               instances=1, digits=float("inf"), details=details, scope=scope,
                               proved_for=f"every integer L ≥ 3, every m ≠ 0 (convention {conv.name})",
                               derivation=general_derivation(conv, claimed_b, 3))
        for L in range(3, MAX_DEPTH + 1):
            value = to_mpf(ratio.subs(L_sym, L), ctx.dps)
            if digits_of_agreement(value, mpmath.mpf(1)) < ctx.dps / 2:
                return CheckResult(Verdict.REFUTED, f"for general L the ratio b*(L)/b_e(L) is {ratio}, "
                                   f"{dec(value, 15)} at L = {L}", instances=1, details=details, scope=scope,
                                   counterexample={"depth": L, "general_L_ratio_b*/b_e": str(ratio)})
        return CheckResult(Verdict.INCONCLUSIVE, f"for general L the ratio b*(L)/b_e(L) is {ratio}: not simplified "
                           f"to 1, equal to 1 numerically at L = 3…{MAX_DEPTH}", instances=1, details=details,
                           scope=scope)
    return run


def _ab(conv: Convention, L: int):
    k = conv.b_over_lam(L)
    a_mp = mpmath.mpf(int(conv.a))
    return lambda lam: (a_mp, mpmath.mpf(k.p) / k.q * lam)


def _high_precision(conv: Convention, formula: sp.Expr, depths, note: str = ""):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 10
        rng = ctx.rng(f"uniqueness-hp:{conv.name}")
        count, worst_tie, samples = 0, float("inf"), []
        chosen = _depths(ctx, depths)
        extra = sentinels(chosen, 3) if depths is None else []
        per = targets_per_depth(ctx.profile.hp_instances, len(chosen))
        plan = [(L, random_targets(rng, per)) for L in chosen] + [(L, random_targets(rng, 1)) for L in extra]
        scope = f"{depth_text(chosen)} ({per} targets each)" + (f"; sentinel {depth_text(extra)} (1 target each)"
                                                                 if extra else "") + note
        for L, targets in plan:
            formula_L = formula_at(formula, L)
            for m in targets:
                with mpmath.workdps(work):
                    m_mp = to_mpf(m, work)
                    try:
                        lam_e = claimed_values(formula_L, mabs, [abs(m)], work)[0]
                    except ClaimValueError as exc:
                        return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {exc}", instances=count + 1,
                                           scope=scope, counterexample={"depth": L, "m": str(m)})
                    if not lam_e > 0:  # not a penalty weight: nothing to test at it (the exact tiers judge the claim)
                        return CheckResult(Verdict.INCONCLUSIVE, f"depth {L}, m = {m}: the claimed λ_e = "
                                           f"{dec(lam_e, 15)} is not > 0, so no problem of this kind sits there",
                                           instances=count, scope=scope, counterexample={"depth": L, "m": str(m)})
                    ab = _ab(conv, L)
                    # ties are judged at ctx.dps digits: the working precision keeps 10 guard digits; the radii
                    # are warm-started from float64 (those at λ_e also just off it): each root stays bracketed,
                    # a hint only moves Newton's start; the radii are solved in gmpy2 mpfr at this precision
                    a_e, b_e = ab(lam_e)
                    near = hp.float_hints(L, m_mp, a_e, b_e)
                    mins = hp.global_minimizers(L, m_mp, a_e, b_e, tie_digits=ctx.dps, hints=near, mpfr=True)
                    products = sorted({c.product for c in mins}, key=abs)
                    off = mpmath.mpf(10) ** (-(ctx.dps // 2))
                    far = lam_e * mpmath.mpf(str(round(rng.uniform(0.1, 10), 6)))
                    counts = [len({c.product for c in hp.global_minimizers(L, m_mp, *ab(x), tie_digits=ctx.dps,
                                                                           hints=h, mpfr=True)})
                              for x, h in ((lam_e * (1 - off), near), (lam_e * (1 + off), near),
                                           (far, hp.float_hints(L, m_mp, *ab(far))))]
                    count += 1
                    if len(products) != 2 or products[0] != 0 or any(c != 1 for c in counts):
                        # the objectives' relative differences: equal-looking 30-digit values may differ below
                        objs = [c.objective for c in mins]
                        spread = (dec((max(objs) - min(objs)) / abs(min(objs)), 3)
                                  if len(objs) > 1 and min(objs) != 0 else "n/a")
                        return CheckResult(
                            Verdict.REFUTED,
                            f"depth {L}, m = {m}: {len(products)} global product(s) at the claimed λ_e, "
                            f"{counts} at λ_e(1 − 10^-{ctx.dps // 2}), λ_e(1 + 10^-{ctx.dps // 2}), random λ "
                            f"(relative spread of the minimal objectives {spread})",
                            instances=count, tolerance=f"objective ties judged to {ctx.dps} digits", scope=scope,
                            counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                            "lambda_e": dec(lam_e, ctx.dps),
                                            "products_at_lambda_e": [dec(p, 30) for p in products],
                                            "objectives": [dec(c.objective, 30) for c in mins],
                                            "objectives_relative_spread": spread})
                    objs = [c.objective for c in mins]
                    d = digits_of_agreement(objs[0], objs[1])
                    worst_tie = min(worst_tie, d)
                    if len(samples) < 4:
                        samples.append({"depth": L, "m": str(m), "lambda_e": dec(lam_e, 25),
                                        "minimizers": [{"product": dec(c.product, 25), "objective": dec(c.objective, 25)}
                                                       for c in mins]})
        return CheckResult(Verdict.VERIFIED, f"two global minimizers (0 and nonzero, equal objective to ≥ {worst_tie:.1f} "
                           f"digits) at λ_e and a unique product nearby, on {count} instances",
                           digits=worst_tie, instances=count, scope=scope,
                           tolerance=f"objective ties judged to {ctx.dps} digits at {work}-digit working precision",
                           details={"samples": samples})
    return run


def _tie_confirmed_broken(conv: Convention, formula: sp.Expr, L: int, m: sp.Rational, dps: int) -> tuple[bool, str]:
    """Re-check a float64 "no tie at λ_e" in mpmath: (True, gap) when |F(0) − F(ρ)| > 10^(−dps/2)·F(0) there."""
    work = dps + 10
    with mpmath.workdps(work):
        m_mp = to_mpf(m, work)
        lam_e = claimed_values(formula_at(formula, L), mabs, [abs(m)], work)[0]
        a_mp, b_mp = _ab(conv, L)(lam_e)
        gap = hp.collapse_gap(L, m_mp, a_mp, b_mp)
        f0 = a_mp * m_mp**2 / 2
        if gap is None:
            return True, "no nonzero stationary point"
        return abs(gap) > f0 * mpmath.mpf(10) ** (-(dps // 2)), dec(gap, 10)


def _numeric(conv: Convention, formula: sp.Expr, depths, note: str = ""):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"uniqueness-num:{conv.name}")
        chosen = numeric_depths(_depths(ctx, depths), explicit=depths is not None)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        scope = f"{depth_text(chosen)}, {n} random targets each at λ_e and {n} at a random λ" + note
        eps = np.finfo(float).eps
        total = undecided = 0
        worst = np.inf
        conflicts = []
        tol_text = ("objective ties within 8(L+8)·eps·F(0) (float64 rounding of F) count as ties; λ_e evaluated at high "
                    "precision and rounded once; a float64 counterexample counts only when mpmath confirms it")
        for L in chosen:
            exact = draw_targets(rng, n)
            m = exact.floats
            aa, k = float(conv.a), float(conv.b_over_lam(L))
            try:
                lam_e = claimed_floats(formula_at(formula, L), mabs, exact.abs())
            except ClaimValueError as exc:
                return CheckResult(Verdict.REFUTED, f"depth {L}: {exc}", instances=total, scope=scope,
                                   counterexample={"depth": L, "claimed": str(exc)})
            spread = np.exp(rng.uniform(-2, 2, n))
            # a claimed λ_e beyond the float64 range, or not > 0 (no penalty weight), cannot be tested here (the exact
            # tiers judge it)
            ok = np.isfinite(lam_e * k * 8) & (lam_e > 0)
            if not ok.all():
                undecided += 2 * int((~ok).sum())
                total += 2 * int((~ok).sum())
                exact = exact.subset(ok)
                m, lam_e, spread = m[ok], lam_e[ok], spread[ok]
            if not len(exact):
                continue
            for label, lam in (("at", lam_e), ("random", lam_e * spread)):
                F0, gaps, _ = collapse_gaps(L, m, aa, k * lam)
                # F rounding at these points ≈ (L + 8)·eps·F(0); ties within 8× that are undecidable
                tol = 8 * (L + 8) * eps * F0
                close = np.abs(gaps) <= tol
                before = total
                total += len(exact)
                if label != "at":
                    undecided += int(close.sum())
                    continue
                if close.any():
                    worst = min(worst, float(np.min(1 - (np.abs(gaps[close]) / F0[close]) / (tol[close] / F0[close]))))
                for i in np.flatnonzero(~close):  # in instance order, as one instance at a time would
                    gap = gaps[i]
                    where = {"depth": L, "m": str(exact[i]), "lambda_e": float(lam[i]), "convention": conv.name,
                             "gap": float(gap)}
                    confirmed, high = _tie_confirmed_broken(conv, formula, L, exact[i], ctx.dps)
                    if not confirmed:
                        conflicts.append({**where, "high_precision_gap": high})
                        continue
                    return CheckResult(
                        Verdict.REFUTED, f"depth {L}, m = {exact[i]}: at the claimed λ_e the objective gap "
                        f"between 0 and the nonzero point is {gap:.3e}, beyond rounding {tol[i]:.1e} (confirmed "
                        f"in mpmath: {high})", instances=before + int(i) + 1, scope=scope, tolerance=tol_text,
                        counterexample={**where, "high_precision_gap": high})
        if conflicts:
            c = conflicts[0]
            return CheckResult(Verdict.INCONCLUSIVE, f"conflict: float64 says 0 and the nonzero point do not tie at "
                               f"λ_e (depth {c['depth']}, m = {c['m']}), high precision says they do "
                               f"(gap {c['high_precision_gap']})", instances=total, scope=scope, tolerance=tol_text,
                               details={"conflicts": conflicts[:5]})
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"{undecided} instances too close to the exceptional set or beyond "
                               "the float64 range",
                               instances=total, tolerance=tol_text, scope=scope)
        return CheckResult(Verdict.VERIFIED, f"ties at λ_e within rounding and a strict winner at random λ, "
                           f"{total} instances", instances=total, worst_margin=f"{worst:.3e}", tolerance=tol_text,
                           scope=scope)
    return run


def _shrinker(conv: Convention, formula: sp.Expr, depths):
    """Smallest depth and simplest m at which the claimed λ_e is not a tie of two global minimizers."""
    def not_a_tie(example) -> bool:
        L, m_text = example
        m = sp.Rational(m_text)
        with mpmath.workdps(40):
            try:
                lam_e = claimed_values(formula_at(formula, L), mabs, [abs(m)], 40)[0]
            except ClaimValueError:
                return True
            except ClaimUndecided:
                return False
            mins = hp.global_minimizers(L, to_mpf(m, 40), *_ab(conv, L)(lam_e), tie_digits=25)
        return len({c.product for c in mins}) != 2

    def shrink(ctx: RunContext) -> dict | None:
        from .shrinking import find_minimal, simple_rationals, strategies

        st = strategies()

        chosen = _depths(ctx, depths)
        pool = sorted(set(chosen) | (set(sentinels(chosen, 3)) if depths is None else set()))
        found = find_minimal(st.tuples(st.sampled_from(pool), simple_rationals()), not_a_tie, ctx,
                             f"uniqueness:{conv.name}")
        if found is None:
            return None
        L, m_text = found
        with mpmath.workdps(30):
            lam_e = formula_at(formula, L).subs(mabs, abs(sp.Rational(m_text)))
        return {"depth": L, "m": m_text, "convention": conv.name, "lambda_e_claimed": dec(lam_e, 25),
                "reproduce": f"verify minimizers --depth {L} --target {m_text} --lam {dec(lam_e, 40)} "
                             f"--convention {conv.name}"}
    return shrink


def scalar_uniqueness_claim(id: str, statement: str, source: str, exceptional: sp.Expr,
                            convention: str | Convention = "A1", depths: Sequence[int] | None = None,
                            resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare "unique end-to-end minimizer for λ ≠ exceptional(|m|, L); two at λ = exceptional"."""
    conv = get_convention(convention)
    if depths is not None and (not list(depths) or min(depths) < 3):
        raise UsageError("uniqueness claims are about depths L ≥ 3 (L = 1, 2 have no exceptional λ); "
                         f"got depths {list(depths)}")
    depths = claim_depths(depths)
    formula = claimed_formula(exceptional, "the exceptional λ")
    checks = [Check("tie of 0 and ρ* at λ_e, exactly", Tier.SYMBOLIC,
                    _symbolic(conv, formula, depths))]
    if depths is None:
        checks.append(Check("tie of 0 and ρ* at λ_e for every depth", Tier.SYMBOLIC, _general(conv, formula)))
    from .certified_scalar import uniqueness_check

    def tie_proved(L: int) -> bool:
        b_claim = conv.b_over_lam(L) * formula_at(formula, L)
        return not _too_large(b_claim) and exact_tie(conv.name, formula, L) == (0, 0)

    checks.append(Check("certified minimizers at, and off, λ_e (Arb)", Tier.CERTIFIED,
                        uniqueness_check(conv.name, formula, lambda ctx: _depths(ctx, depths),
                                                                depths is not None, tie_proved)))
    # the certified check establishes the same statements at the same depths (and the sentinels): these corroborate
    checks += [
        Check("global minimizers at and near λ_e", Tier.HIGH_PRECISION,
              _high_precision(conv, formula, depths, CORROBORATES), corroborates=True),
        Check("float64 ties at λ_e, strict winners elsewhere", Tier.NUMERIC,
              _numeric(conv, formula, depths, CORROBORATES), corroborates=True),
    ]
    return Claim(id, statement, source, tuple(checks), tuple(resolutions), paper,
                 shrink=_shrinker(conv, formula, depths))
