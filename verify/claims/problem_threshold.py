"""Claim kind for a user problem: its collapse threshold in λ is a given closed form.

A claim states λ*(|m|, L) = formula for a ``ScalarProblem`` whose penalty is λ·g(w, l, L) (or ``formula=None``:
never collapses). Three routes judge it (docs/mathematics.md §P2):
- symbolic: λ* derived per depth from the proved reduction (``derive_problem_threshold``): an exact comparison
  where elimination gives a closed form, else agreement to the working digits at probe targets (said so);
- high precision: bracketing in λ on F at *all* stationary points enumerated in mpmath
  (``verify.highprec.problem.threshold``), which uses the problem's definition and the proved rays only;
- numeric: float64 kernels decide which point is global at λ_claim·(1 ∓ δ) on random targets.
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from ..numbers import dec, digits_of_agreement, to_mpf
from ..problems.reduction import prove_claim_depths, reduce
from ..problems.scalar import ScalarProblem
from ..problems.symbols import MABS
from ..symbolic.scalar import L_sym
from .base import Check, CheckResult, Claim, Strength, Tier, Verdict
from .context import RunContext
from .derivation import step
from .problem_minimizer import NUMERIC_MAX_DEPTH, float_kind, float_minimizers, hp_kind
from .sampling import instances_per_depth, random_targets, targets_per_depth
from .scalar_common import (MAX_DEPTH, ClaimValueError, claim_depths, claimed_floats, claimed_formula, claimed_values)
from .scope import depth_text
from .shrinking import depth_target_shrinker
from .threshold import _compare, threshold_disagreement

#: relative offset of the float64 test points λ_claim·(1 ∓ δ) (as in ``verify.claims.threshold``: a claim off
#: by 1e-6 lands on the wrong side; the objective gap at a jump, ≈ δ·|F|, is far above float64 rounding)
NUMERIC_DELTA = 1e-8
DELTA_EXACT = sp.Rational(1, 10**8)

#: targets at which the symbolic tier compares derived and claimed thresholds (exactly read)
PROBES = (sp.Rational(7, 3), sp.Rational(2, 11))

#: sentinel depths for a claim over every depth (high precision, one target each); user problems are
#: enumerated by mpmath root isolation, so the deepest sentinels of the convention route are left out
PROBLEM_SENTINELS = (6, 8, 16)

#: float64 instances per depth at most (the ray search samples ~700 points per instance)
NUMERIC_PER_DEPTH = 150


def _formula_at(formula: sp.Expr, depth: int) -> sp.Expr:
    return sp.sympify(formula).subs(L_sym, depth)


def _depths(ctx: RunContext, depths, min_depth: int) -> list[int]:
    return list(depths) if depths is not None else [L for L in ctx.profile.depths if L >= min_depth]


def _sentinels(chosen: list[int], min_depth: int, depths) -> list[int]:
    if depths is not None:
        return []
    return [L for L in PROBLEM_SENTINELS if L >= min_depth and L not in set(chosen)]


def _where(problem: ScalarProblem, L: int, **kw) -> dict:
    return {"depth": L, **kw, "problem": problem.to_json()}


def _symbolic(problem: ScalarProblem, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..symbolic.problem import derive_problem_threshold

        chosen = _depths(ctx, depths, min_depth)
        rows, undecided, approx = {}, {}, {}
        steps: tuple = ()  # (depth, derivation steps) of the last depth compared exactly
        for L in chosen:
            t = derive_problem_threshold(problem, L)
            if formula is None or t.kind == "none":
                rows[str(L)] = "no collapse" if t.kind == "none" else f"{t.kind}: λ* = {t.exact}"
                if (formula is None) != (t.kind == "none"):
                    return CheckResult(Verdict.REFUTED, f"depth {L}: the derivation finds "
                                       f"{'no collapse' if t.kind == 'none' else 'a collapse'}, contrary to the claim",
                                       instances=len(rows), scope=depth_text(chosen),
                                       counterexample=_where(problem, L, derived=rows[str(L)], claimed=str(formula),
                                                             derivation=list(t.steps)))
                continue
            claimed = _formula_at(formula, L)
            if t.exact is not None:
                rows[str(L)] = f"{t.kind}: λ* = {t.exact}"
                steps = (L, t.steps)
                outcome, evidence = _compare(t.exact, claimed, ctx.dps)
            else:
                rows[str(L)] = f"{t.kind}: λ* without a closed form (computed to {ctx.dps} digits)"
                outcome, evidence = _digits(t, claimed, ctx.dps)
                if outcome == "equal":
                    approx[str(L)] = evidence["digits"]
            if outcome == "differs":
                return CheckResult(Verdict.REFUTED, f"depth {L}: the derived threshold differs from the claim",
                                   instances=len(rows), scope=depth_text(chosen), details={"per_depth": rows},
                                   counterexample=_where(problem, L, **{"derived": rows[str(L)], "claimed": str(claimed),
                                                                        **evidence, "derivation": list(t.steps)}))
            if outcome == "undecided":
                undecided[str(L)] = evidence["reason"]
        exact = [L for L in chosen if str(L) not in approx]
        scope = f"{depth_text(exact)}, exact per depth" if exact else ""
        if approx:
            scope += ("; " if scope else "") + (f"{depth_text([int(k) for k in approx])}: no closed form, agreement "
                                                f"to ≥ {min(approx.values()):.0f} digits at m = "
                                                f"{', '.join(map(str, PROBES))} (not an exact proof)")
        details = {"per_depth": rows, "problem": problem.to_json()}
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"SymPy could not decide equality at depths {sorted(undecided)}",
                               instances=len(rows), scope=scope, details={**details, "undecided": undecided})
        summary = f"derived and claimed thresholds agree at {depth_text(chosen)}"
        if approx:
            summary += f" (exactly at {depth_text(exact)}, to digits at {depth_text([int(k) for k in approx])})" \
                if exact else " (to digits: no closed form)"
        return CheckResult(Verdict.VERIFIED, summary, instances=len(rows),
                           digits=min(approx.values()) if approx else float("inf"), scope=scope, details=details,
                           strength=Strength.AGREEMENT if approx else Strength.PROVED,
                           proved_for=None if approx or not steps else
                           f"every target m ≠ 0 (|m| symbolic) at {depth_text(chosen)}, given the reduction proved "
                           "at each depth (§P2)",
                           derivation=[] if approx or not steps else [step(f"L = {steps[0]}: {x}")
                                                                       for x in steps[1][:5]] + [
                               step("SymPy proves the derived λ* equal to the claimed formula in symbolic |m| "
                                    "(expansion, or the ratio reduced to 1)")],
                           tolerance=(f"without a closed form: agreement to ≥ {ctx.dps - 5} digits required, below "
                                      f"{ctx.dps // 2} a refutation" if approx else None))
    return run


def _digits(t, claimed: sp.Expr, dps: int) -> tuple[str, dict]:
    """Derived λ* (to dps digits) against the claim at the PROBES: "equal" (≥ dps − 5 digits), "differs"
    (< dps/2 digits: certain, the derived value being good to dps) or "undecided"."""
    worst = float("inf")
    for probe in PROBES:
        with mpmath.workdps(dps + 10):
            d = t.value(probe, dps)
            try:
                c = claimed_values(claimed, MABS, [probe], dps + 10)[0]
            except ClaimValueError as exc:
                return "differs", {"m": str(probe), "claimed_value": str(exc)}
            agree = digits_of_agreement(d, c)
            if agree < dps / 2:
                return "differs", {"m": str(probe), "derived_value": dec(d, 25), "claimed_value": dec(c, 25)}
            worst = min(worst, agree)
    if worst < dps - 5:
        return "undecided", {"reason": f"agreement to {worst:.1f} digits only at the probes", "digits": worst}
    return "equal", {"digits": min(worst, float(dps))}


def _high_precision(problem: ScalarProblem, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        from ..highprec import problem as hpp

        work = ctx.dps + 20
        # λ found to 10^-(work-3) relative; agreement to ctx.dps digits is required (17 digits of headroom)
        chosen = _depths(ctx, depths, min_depth)
        extra = _sentinels(chosen, min_depth, depths)
        rng = ctx.rng(f"problem-threshold-hp:{problem.label()}")
        per = targets_per_depth(ctx.profile.hp_instances, len(chosen))
        plan = [(L, random_targets(rng, per)) for L in chosen] + [(L, random_targets(rng, 1)) for L in extra]
        scope = f"{depth_text(chosen)} ({per} targets each)"
        if extra:
            scope += f"; sentinel {depth_text(extra)} (1 target each)"
        tolerance = f"≥ {ctx.dps} digits of agreement; λ found at {work} digits"
        worst, count, samples = float("inf"), 0, []
        for L, targets in plan:
            for m in targets:
                with mpmath.workdps(work):
                    found = hpp.threshold(problem, L, to_mpf(m, work))
                    try:
                        claimed = None if formula is None else claimed_values(_formula_at(formula, L), MABS,
                                                                               [abs(m)], work)[0]
                    except ClaimValueError as exc:
                        return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {exc}", instances=count + 1,
                                           scope=scope, counterexample=_where(problem, L, m=str(m), claimed=str(exc)))
                    count += 1
                    if found is None or claimed is None:
                        if (found is None) != (claimed is None):
                            return CheckResult(
                                Verdict.REFUTED, f"depth {L}: collapse {'absent' if found is None else 'present'} in "
                                "the objective, contrary to the claim", instances=count, scope=scope,
                                counterexample=_where(problem, L, m=str(m),
                                                      lambda_true=None if found is None else dec(found, ctx.dps),
                                                      lambda_claimed=None if claimed is None else dec(claimed, ctx.dps)))
                        continue
                    d = digits_of_agreement(found, claimed)
                    worst = min(worst, d)
                    if len(samples) < 6:
                        samples.append({"depth": L, "m": str(m), "lambda": dec(found, 30), "digits": round(d, 1)})
                    if d < ctx.dps:
                        return CheckResult(
                            Verdict.REFUTED, f"depth {L}, m = {m}: the threshold found in mpmath and the claim agree to "
                            f"{d:.1f} digits only", digits=d, instances=count, scope=scope, tolerance=tolerance,
                            counterexample=_where(problem, L, m=str(m), lambda_true=dec(found, ctx.dps + 5),
                                                  lambda_claimed=dec(claimed, ctx.dps + 5),
                                                  relative_difference=dec(abs(found - claimed) / abs(claimed), 5)))
        summary = (f"the threshold found in mpmath agrees with the claim to ≥ {worst:.1f} digits on {count} instances"
                   if worst != float("inf") else f"no collapse found on {count} instances, as claimed")
        return CheckResult(Verdict.VERIFIED, summary, digits=None if worst == float("inf") else worst,
                           instances=count, scope=scope, tolerance=tolerance, details={"samples": samples})
    return run


def _numeric(problem: ScalarProblem, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"problem-threshold-num:{problem.label()}")
        # float64 kernels are compiled per depth from the L-variable model: depths up to NUMERIC_MAX_DEPTH
        chosen = [L for L in _depths(ctx, depths, min_depth) if L <= NUMERIC_MAX_DEPTH]
        n = min(NUMERIC_PER_DEPTH, instances_per_depth(ctx.profile.instances, len(chosen)))
        scope = f"{depth_text(chosen)}, {n} random targets each" if chosen else "no depths"
        tol_text = (f"test points λ_claim·(1 ∓ {NUMERIC_DELTA}), λ_claim evaluated at high precision and rounded once; "
                    "|F(0) − F(ρ)| ≤ 8(L+8)·eps·|F| is within rounding: below the claim a nonzero stationary point "
                    "tying 0 within rounding counts as nonzero (a continuous collapse), above it the point is "
                    "undecided; a float64 counterexample counts only when mpmath confirms it")
        total = undecided = ties = 0
        conflicts = []
        for L in chosen:
            exact = random_targets(rng, n)
            m = np.array([float(x) for x in exact])
            if formula is None:
                lam_c = np.exp(rng.uniform(np.log(1e-4), np.log(1e4), n)) * np.abs(m)
                sides = {"at": 1.0}
            else:
                at_depth = _formula_at(formula, L)
                if at_depth.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
                    return CheckResult(Verdict.REFUTED, f"depth {L}: the claimed threshold is {at_depth}, not a finite "
                                       "number", instances=total + 1, scope=scope,
                                       counterexample=_where(problem, L, claimed=str(at_depth)))
                try:
                    lam_c = claimed_floats(at_depth, MABS, [abs(x) for x in exact])
                except ClaimValueError as exc:
                    return CheckResult(Verdict.REFUTED, f"depth {L}: {exc}", instances=total, scope=scope,
                                       counterexample=_where(problem, L, claimed=str(exc)))
                bad = ~(lam_c > 0)
                if bad.any():
                    i = int(np.argmax(bad))
                    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {exact[i]}: the claimed threshold "
                                       f"{lam_c[i]!r} is not positive", instances=total + 1, scope=scope,
                                       counterexample=_where(problem, L, m=str(exact[i]), lambda_claimed=repr(lam_c[i])))
                sides = {"below": 1 - NUMERIC_DELTA, "above": 1 + NUMERIC_DELTA}
            ok = np.isfinite(lam_c) & (lam_c < 1e300)
            undecided += int((~ok).sum()) * len(sides)
            total += int((~ok).sum()) * len(sides)
            keep = np.flatnonzero(ok)
            for side, fac in sides.items():
                if keep.size == 0:
                    continue
                lam = lam_c[keep] * fac
                f0, rho_b, fb, _, counts = float_minimizers(problem, L, m[keep], lam)
                kinds = float_kind(f0, fb, counts, L)
                expect = "zero" if side == "above" else "nonzero"
                for j, i in enumerate(keep):
                    total += 1
                    found = kinds[j]
                    if found == "undecided":
                        if side != "above" and counts[j] > 0:
                            ties += 1
                            continue
                        undecided += 1
                        continue
                    if found == expect:
                        continue
                    where = {**_where(problem, L, m=str(exact[i]), side=side), "lambda": repr(float(lam[j])),
                             "float64": found}
                    high = _confirm(problem, formula, L, exact[i], float(lam[j]), side, ctx.dps)
                    if high != found:
                        conflicts.append({**where, "high_precision": high})
                        continue
                    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {exact[i]}: at λ = {float(lam[j])!r} "
                                       f"({side} the claim) the global minimizer is {found} (confirmed in mpmath)",
                                       instances=total, scope=scope, tolerance=tol_text,
                                       counterexample={**where, "high_precision": high})
        details = {"ties_within_rounding_below": ties}
        if conflicts:
            return CheckResult(Verdict.INCONCLUSIVE, f"conflict: float64 and mpmath disagree at {len(conflicts)} "
                               "test point(s)", instances=total, scope=scope, tolerance=tol_text,
                               details={**details, "conflicts": conflicts[:5]})
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"{undecided} of {total} test points too close to call in "
                               "float64", instances=total, scope=scope, tolerance=tol_text, details=details)
        what = ("0 loses just below and wins just above the claimed threshold" if formula is not None
                else "the minimizer is nonzero at every λ tried")
        return CheckResult(Verdict.VERIFIED, f"{what} on all {total} test points", instances=total, scope=scope,
                           digits=-np.log10(NUMERIC_DELTA) if formula is not None else None, tolerance=tol_text,
                           details=details)
    return run


def _confirm(problem: ScalarProblem, formula: sp.Expr | None, L: int, m: sp.Rational, lam_float: float, side: str,
             dps: int) -> str:
    """The float64 test point re-decided in mpmath: the claim's λ at high precision times (1 ∓ δ)."""
    if formula is None:
        lam = sp.Rational(lam_float)
    else:
        lam = _formula_at(formula, L).subs(MABS, abs(m)) * (1 - DELTA_EXACT if side == "below" else 1 + DELTA_EXACT)
    return hp_kind(problem, L, m, lam, dps)[0]


def _shrinker(problem: ScalarProblem, formula: sp.Expr | None, depths, min_depth: int):
    """Smallest depth and simplest m where the mpmath threshold (40 digits) and the claim disagree."""
    def thresholds(L: int, m: sp.Rational):
        from ..highprec import problem as hpp

        with mpmath.workdps(40):
            found = hpp.threshold(problem, L, to_mpf(m, 40))
            claimed = None if formula is None else claimed_values(_formula_at(formula, L), MABS, [abs(m)], 40)[0]
        return found, claimed

    def pool(ctx: RunContext) -> list[int]:
        chosen = _depths(ctx, depths, min_depth)
        return sorted(set(chosen) | set(_sentinels(chosen, min_depth, depths)))

    def describe(L: int, m_text: str) -> dict:
        true, claimed = thresholds(L, sp.Rational(m_text))
        p = problem.to_json()
        spec = f"--convention {p['convention']}" if "convention" in p else \
            f"--loss '{p['loss']}' --penalty '{p['penalty']}'"
        return {**_where(problem, L, m=m_text), "lambda_true": None if true is None else dec(true, 20),
                "lambda_claimed": None if claimed is None else dec(claimed, 20),
                "reproduce": f"verify threshold --depth {L} --target {m_text} {spec}"}
    return depth_target_shrinker(pool, threshold_disagreement(thresholds), f"problem-threshold:{problem.label()}",
                                 describe)


def problem_threshold_claim(id: str, statement: str, source: str, problem: ScalarProblem, formula: sp.Expr | None,
                            depths: Sequence[int] | None = None, paper: str = "user claim",
                            resolutions: tuple[str, ...] = (), min_depth: int = 1) -> Claim:
    """Declare "for this problem the global minimizer collapses to 0 exactly at λ = formula(|m|, L)".

    ``formula`` is in |m| (``MABS``, the claims' "m") and L, or None for "never collapses". ``depths`` fixes the
    depths; by default the profile's depths ≥ ``min_depth`` (plus sentinel depths 6, 8, 16 at high precision).
    Building the claim proves the reduction at every depth it may be judged at (``prove_claim_depths``; the
    linearity in λ at the claimed depths, or at depth max(3, min_depth) when none are
    given): an unjustifiable problem, or a penalty not linear in λ, is a UsageError here, never a verdict.
    """
    depths = claim_depths(depths)
    if isinstance(min_depth, bool) or not isinstance(min_depth, int) or not 1 <= min_depth <= MAX_DEPTH:
        raise UsageError(f"min_depth must be an integer from 1 to {MAX_DEPTH}, got {min_depth!r}")
    if formula is not None:
        formula = claimed_formula(formula, "the threshold formula")
    prove_claim_depths(problem, depths, min_depth)  # every depth the claim may be judged at
    for L in depths if depths is not None else (max(3, min_depth),):
        if not reduce(problem, L).lam_linear:
            raise UsageError(f"a collapse threshold in lam needs penalty = lam·g(w, l, L); the penalty of "
                             f"{problem.label()} is not linear in lam")
    checks = (
        Check("derived threshold equals the claim at each depth", Tier.SYMBOLIC,
              _symbolic(problem, formula, depths, min_depth)),
        Check("mpmath threshold over all stationary points", Tier.HIGH_PRECISION,
              _high_precision(problem, formula, depths, min_depth)),
        Check("float64 global minimizer on both sides of the threshold", Tier.NUMERIC,
              _numeric(problem, formula, depths, min_depth)),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper,
                 shrink=_shrinker(problem, formula, depths, min_depth))
