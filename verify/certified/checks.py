"""Certified-tier checks of the scalar claim kinds (threshold, uniqueness), on Arb balls.

A certified check refutes only when balls separate (the claimed value's ball and the certified
enclosure are disjoint, or a certified minimizer contradicts the claim); where balls overlap and the
enclosure cannot decide, it is inconclusive, never verified. Agreement is certified to
``ctx.dps + CERT_GUARD`` digits: beyond the ``ctx.dps`` digits the high-precision tier requires, so a claim
wrong below that tier's resolution is still refuted here.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Callable, Sequence

import sympy as sp

from ..claims.base import CheckResult, Strength, Verdict
from ..claims.context import RunContext
from ..claims.sampling import random_targets
from ..claims.scalar_common import sentinels
from ..claims.scope import depth_text
from ..symbolic.scalar import L_sym, mabs
from .arb import (CertificationFailed, NotEnclosable, arb, ball_bounds, round_decimal, sympy_to_arb, to_fmpq,
                  workprec)
from .threshold import threshold_certificate

#: certified digits beyond the run's ``dps`` (the high-precision tier's requirement)
CERT_GUARD = 20


def cert_digits(ctx: RunContext) -> int:
    return ctx.dps + CERT_GUARD


def plan(ctx: RunContext, chosen: Sequence[int], explicit: bool, key: str, min_depth: int) -> list[tuple[int, sp.Rational]]:
    """(L, m) instances: two targets per depth (one of each sign), one at each sentinel depth when the claim
    covers every depth (``explicit`` False)."""
    rng = ctx.rng(key)
    out = []
    for L in chosen:
        t = random_targets(rng, 2)
        out += [(L, abs(t[0])), (L, -abs(t[1]))]
    if not explicit:
        out += [(L, random_targets(rng, 1)[0]) for L in sentinels(chosen, max(min_depth, 2))]
    return out


def _progress(ctx: RunContext, task: str, done: int, total: int) -> None:
    report = getattr(ctx, "progress", None)
    if report is not None:
        report(task, done, total)


def claimed_ball(formula: sp.Expr, L: int, m: sp.Rational) -> arb:
    """A ball around the claimed closed form at (L, |m|); call inside ``workprec`` (NotEnclosable if it cannot)."""
    return sympy_to_arb(sp.sympify(formula).subs(L_sym, L), {mabs: abs(arb(to_fmpq(m)))})


def _dec(x: Fraction, n: int, up: bool) -> str:
    return round_decimal(x, n, up)


def threshold_check(conv_name: str, formula: sp.Expr | None, depths_of: Callable[[RunContext], list[int]],
                    explicit: bool, min_depth: int) -> Callable[[RunContext], CheckResult]:
    """The certified check of "the collapse threshold is formula(|m|, L)" (None: no collapse)."""
    def run(ctx: RunContext) -> CheckResult:
        D = cert_digits(ctx)
        chosen = [L for L in depths_of(ctx) if L >= 2]
        instances = plan(ctx, chosen, explicit, f"threshold-cert:{conv_name}", min_depth)
        extra = sorted({L for L, _ in instances} - set(chosen))
        scope = (f"{depth_text(chosen)}, 2 targets each (one per sign)"
                 + (f"; sentinel {depth_text(extra)} (1 target each)" if extra else "")
                 + f": λ* enclosed to 10^-{D} relative, the minimizer certified nonzero just below and 0 just above "
                   "the enclosure; for these instances (the symbolic tier covers every depth)")
        tol = (f"no tolerance: refuted only when the claimed value's ball and the certified enclosure of λ* are "
               f"disjoint; agreement means the claim's ball lies within the enclosure widened by 10^-{D} relative "
               f"({D} = run digits + {CERT_GUARD}, beyond what the high-precision tier requires)")
        samples, undecided, done = [], [], 0
        for i, (L, m) in enumerate(instances):
            _progress(ctx, "certified thresholds", i, len(instances))
            try:
                cert = threshold_certificate(conv_name, L, m, D)
            except CertificationFailed as exc:
                undecided.append({"depth": L, "m": str(m), "reason": str(exc)})
                continue
            where = {"depth": L, "m": str(m), "convention": conv_name,
                     "enclosure": [_dec(cert.lo, D + 3, False), _dec(cert.hi, D + 3, True)]}
            if formula is None:
                return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: certified collapse at λ* in the enclosure "
                                   f"[{_dec(cert.lo, 20, False)}, {_dec(cert.hi, 20, True)}] (minimizer nonzero "
                                   "below, 0 above), contrary to \"no collapse\"", instances=done + 1, scope=scope,
                                   counterexample=where, tolerance=tol)
            try:
                with workprec(cert.prec):
                    c_lo, c_hi = ball_bounds(claimed_ball(formula, L, m))
            except (NotEnclosable, CertificationFailed) as exc:
                undecided.append({"depth": L, "m": str(m), "reason": f"claimed value not enclosed: {exc}"})
                continue
            done += 1
            if c_hi < cert.lo or c_lo > cert.hi:
                sep = (cert.lo - c_hi) if c_hi < cert.lo else (c_lo - cert.hi)
                return CheckResult(
                    Verdict.REFUTED, f"depth {L}, m = {m}: the claimed threshold lies outside the certified "
                    f"enclosure of λ* (relative distance ≥ {_dec(sep / cert.hi, 3, False)})",
                    instances=done, scope=scope, tolerance=tol,
                    counterexample={**where, "claimed": [_dec(c_lo, D + 3, False), _dec(c_hi, D + 3, True)],
                                    "relative_distance_at_least": _dec(sep / cert.hi, 5, False)})
            slack = Fraction(1, 10**D)
            if not (c_lo >= cert.lo * (1 - slack) and c_hi <= cert.hi * (1 + slack)):
                undecided.append({"depth": L, "m": str(m), "reason": "the claimed value's ball is too wide to "
                                  "decide against the enclosure"})
                continue
            if len(samples) < 6:
                samples.append({**where, "stationary_below": len(cert.below.stationary),
                                "excluded_boxes": cert.below.excluded + cert.above.excluded + cert.tie_excluded,
                                "seconds": round(cert.seconds, 4)})
        _progress(ctx, "certified thresholds", len(instances), len(instances))
        details = {"certified_digits": D, "samples": samples}
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"{len(undecided)} of {len(instances)} instances not decided by "
                               "the enclosures", instances=done, scope=scope, tolerance=tol,
                               details={**details, "undecided": undecided[:5]})
        if formula is None:
            return CheckResult(Verdict.INCONCLUSIVE, "no depth ≥ 2 to certify", instances=0, scope=scope)
        return CheckResult(Verdict.VERIFIED, f"the claimed threshold lies in the certified enclosure of λ* "
                           f"(relative width ≤ 10^-{D}) on {done} instances; 0 loses just below and wins just above "
                           "(certified)", instances=done, digits=float(D), scope=scope, tolerance=tol,
                           details=details, strength=Strength.CERTIFIED)
    return run
