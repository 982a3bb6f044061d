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

from .base import CheckResult, Strength, Verdict
from .context import RunContext
from .sampling import random_targets
from .scalar_common import formula_at, sentinels
from .scope import depth_text
from ..symbolic.scalar import mabs
from ..conventions import get_convention
from ..certified.arb import (CertificationFailed, NotEnclosable, NotReal, arb, arb_to_decimal_pair as arb_pair,
                             ball_bounds, enclose, round_decimal, sympy_to_arb, to_fmpq, workprec)
from ..certified.threshold import threshold_certificate

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


def claimed_ball(formula: sp.Expr, L: int, m: sp.Rational) -> arb:
    """A ball around the claimed closed form at (L, |m|); call inside ``workprec`` (``enclose``: NotReal when the
    balls prove it has no real value, NotEnclosable when they cannot enclose it)."""
    return enclose(formula_at(formula, L), {mabs: abs(arb(to_fmpq(m)))})


def _not_real(L: int, m: sp.Rational, what: str, exc: Exception, done: int, scope: str, tol: str) -> CheckResult:
    """REFUTED: the certified value is a positive real number and the balls prove the claim has no real value."""
    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: the claimed {what} has no real value ({exc}); the "
                       f"certified {what} is a positive real number", instances=done + 1, scope=scope, tolerance=tol,
                       counterexample={"depth": L, "m": str(m), "why": str(exc)})


def _unsettled(ctx: RunContext, task: str, n: int, done: int, undecided: list[dict], details: dict, scope: str,
               tol: str) -> CheckResult | None:
    """INCONCLUSIVE when an instance was not decided by the balls or none was certified; None when the check may
    be verified (progress closed either way)."""
    ctx.progress(task, n, n)
    if undecided:
        return CheckResult(Verdict.INCONCLUSIVE, f"undecided: {len(undecided)} of {n} instances not decided by the "
                           f"enclosures (first: {undecided[0]['reason']})", instances=done, scope=scope, tolerance=tol,
                           details={**details, "undecided": undecided[:5]})
    if done == 0:
        return CheckResult(Verdict.INCONCLUSIVE, "no instance to certify: nothing certified", instances=0, scope=scope,
                           tolerance=tol)
    return None


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
            ctx.progress("certified thresholds", i, len(instances))
            try:
                cert = threshold_certificate(conv_name, L, m, D)
            except CertificationFailed as exc:
                undecided.append({"depth": L, "m": str(m), "reason": str(exc)})
                continue
            where = {"depth": L, "m": str(m), "convention": conv_name,
                     "enclosure": [round_decimal(cert.lo, D + 3, False), round_decimal(cert.hi, D + 3, True)]}
            if formula is None:
                return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: certified collapse at λ* in the enclosure "
                                   f"[{round_decimal(cert.lo, 20, False)}, {round_decimal(cert.hi, 20, True)}] (minimizer nonzero "
                                   "below, 0 above), contrary to \"no collapse\"", instances=done + 1, scope=scope,
                                   counterexample=where, tolerance=tol)
            try:
                with workprec(cert.prec):
                    c_lo, c_hi = ball_bounds(claimed_ball(formula, L, m))
            except NotReal as exc:
                return _not_real(L, m, "threshold", exc, done, scope, tol)
            except (NotEnclosable, CertificationFailed) as exc:
                undecided.append({"depth": L, "m": str(m), "reason": f"claimed value not enclosed: {exc}"})
                continue
            done += 1
            if c_hi < cert.lo or c_lo > cert.hi:
                sep = (cert.lo - c_hi) if c_hi < cert.lo else (c_lo - cert.hi)
                return CheckResult(
                    Verdict.REFUTED, f"depth {L}, m = {m}: the claimed threshold lies outside the certified "
                    f"enclosure of λ* (relative distance ≥ {round_decimal(sep / cert.hi, 3, False)})",
                    instances=done, scope=scope, tolerance=tol,
                    counterexample={**where, "claimed": [round_decimal(c_lo, D + 3, False), round_decimal(c_hi, D + 3, True)],
                                    "relative_distance_at_least": round_decimal(sep / cert.hi, 5, False)})
            slack = Fraction(1, 10**D)
            if not (c_lo >= cert.lo * (1 - slack) and c_hi <= cert.hi * (1 + slack)):
                undecided.append({"depth": L, "m": str(m), "reason": "the claimed value's ball is too wide to "
                                  "decide against the enclosure"})
                continue
            if len(samples) < 6:
                samples.append({**where, "stationary_below": len(cert.below.stationary),
                                "excluded_boxes": cert.below.excluded + cert.above.excluded + cert.tie_excluded,
                                "seconds": round(cert.seconds, 4)})
        details = {"certified_digits": D, "samples": samples}
        unsettled = _unsettled(ctx, "certified thresholds", len(instances), done, undecided, details, scope, tol)
        if unsettled is not None:  # with "no collapse" claimed, a certified instance has refuted already
            return unsettled
        return CheckResult(Verdict.VERIFIED, f"the claimed threshold lies in the certified enclosure of λ* "
                           f"(relative width ≤ 10^-{D}) on {done} instances; 0 loses just below and wins just above "
                           "(certified)", instances=done, digits=float(D), scope=scope, tolerance=tol,
                           details=details, strength=Strength.CERTIFIED)
    return run


def _random_lambda(rng, mid: Fraction) -> Fraction:
    """mid·r with r = 10^u, u uniform in [−1, 1], rounded to 6 digits: an exact rational λ off the set."""
    r = Fraction(str(round(10 ** rng.uniform(-1, 1), 6)))
    return mid * r


def uniqueness_check(conv_name: str, formula: sp.Expr, depths_of: Callable[[RunContext], list[int]], explicit: bool,
                     exact_tie: Callable[[int], bool]) -> Callable[[RunContext], CheckResult]:
    """The certified check of "unique end-to-end minimizer for λ ≠ λ_e(|m|, L); at λ_e two: 0 and a nonzero one".

    Per instance (L, m): the unique tie point λ* of 0 and a nonzero stationary point is enclosed
    (``threshold_certificate``: the tie polynomial has one root); a claimed λ_e outside the enclosure is refuted
    (there the minimizer is unique). Inside, the tie at λ_e is exact only when ``exact_tie(L)`` (SymPy, |m| a
    symbol) proves φ(ρ*) = φ(0) and φ'(ρ*) = 0; then the stationary points at λ_e are isolated in Arb, ρ*'s ball
    lies in one certified root box and every other stationary point is certified worse: exactly two global
    products, 0 and sign(m)·ρ*^L. Off the set, at λ₋ = lo(1 − 10^-D), λ₊ = hi(1 + 10^-D) and a random λ, the
    global minimizer is certified unique. Overlapping balls without the exact identity: inconclusive.
    """
    def run(ctx: RunContext) -> CheckResult:
        D = cert_digits(ctx)
        conv = get_convention(conv_name)
        chosen = [L for L in depths_of(ctx) if L >= 3]
        instances = plan(ctx, chosen, explicit, f"uniqueness-cert:{conv_name}", 3)
        rng = ctx.rng(f"uniqueness-cert-lambda:{conv_name}")
        extra = sorted({L for L, _ in instances} - set(chosen))
        scope = (f"{depth_text(chosen)}, 2 targets each (one per sign)"
                 + (f"; sentinel {depth_text(extra)} (1 target each)" if extra else "")
                 + f": at λ_e two certified global minimizers (tie exact, by SymPy); a certified unique one at "
                   f"λ_e(1 ∓ 10^-{D}) and at a random λ; for these instances")
        tol = ("no tolerance: refuted only when the claimed λ_e's ball is disjoint from the certified enclosure of the "
               "unique tie point; a tie is never concluded from overlapping balls, only from the exact identity")
        samples, undecided, done = [], [], 0
        for i, (L, m) in enumerate(instances):
            ctx.progress("certified uniqueness", i, len(instances))
            try:
                cert = threshold_certificate(conv_name, L, m, D)
                with workprec(cert.prec):
                    c_ball = claimed_ball(formula, L, m)
                    c_lo, c_hi = ball_bounds(c_ball)
            except NotReal as exc:
                return _not_real(L, m, "exceptional λ_e", exc, done, scope, tol)
            except (CertificationFailed, NotEnclosable) as exc:
                undecided.append({"depth": L, "m": str(m), "reason": str(exc)})
                continue
            done += 1
            where = {"depth": L, "m": str(m), "convention": conv_name,
                     "tie_enclosure": [round_decimal(cert.lo, D + 3, False), round_decimal(cert.hi, D + 3, True)],
                     "lambda_e_claimed": [round_decimal(c_lo, D + 3, False), round_decimal(c_hi, D + 3, True)]}
            if c_hi < cert.lo or c_lo > cert.hi:
                return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: 0 and a nonzero point tie only at λ* in the "
                                   "certified enclosure, which excludes the claimed λ_e: there the end-to-end minimizer "
                                   "is unique", instances=done, scope=scope, tolerance=tol, counterexample=where)
            if not exact_tie(L):
                undecided.append({"depth": L, "m": str(m), "reason": "the claimed λ_e overlaps the enclosure but the "
                                  "tie is not an exact identity (SymPy)"})
                continue
            k = conv.b_over_lam(L)
            try:
                iso, q, rho_e, home, others_worse, off = _at_and_off(conv, L, m, c_ball, cert, rng, k)
            except CertificationFailed as exc:
                undecided.append({"depth": L, "m": str(m), "reason": str(exc)})
                continue
            if not (iso.complete and len(home) == 1 and others_worse):
                undecided.append({"depth": L, "m": str(m), "reason": "the stationary points at λ_e were not all "
                                  "certified (ρ* not isolated, or another point not certainly worse)"})
                continue
            kinds = [cert.below.kind, cert.above.kind, off.kind]
            if "undecided" in kinds:
                undecided.append({"depth": L, "m": str(m), "reason": f"global minimizers off λ_e: {kinds}"})
                continue
            if len(samples) < 4:
                rb = off.minimizer.rho if off.minimizer is not None else None
                samples.append({**where, "stationary_at_lambda_e": len(iso.roots),
                                "rho_star": list(arb_pair(rho_e, 25)),
                                "off_set": {"kinds": kinds, "rho_at_random_lambda": None if rb is None else
                                            list(arb_pair(rb, 25))}})
        details = {"certified_digits": D, "samples": samples}
        unsettled = _unsettled(ctx, "certified uniqueness", len(instances), done, undecided, details, scope, tol)
        if unsettled is not None:
            return unsettled
        return CheckResult(Verdict.VERIFIED, f"at λ_e exactly two global minimizers (0 and ρ*: tie proved exactly by "
                           f"SymPy, every other stationary point certified worse) and a certified unique one at "
                           f"λ_e(1 ∓ 10^-{D}) and a random λ, on {done} instances", instances=done, digits=float(D),
                           scope=scope, tolerance=tol, details=details, strength=Strength.CERTIFIED)
    return run


def _at_and_off(conv, L: int, m: sp.Rational, c_ball: arb, cert, rng, k: sp.Rational):
    """At λ_e (a ball): the isolated stationary radii, ρ*'s ball, the root box holding it, whether every other
    stationary point is certainly worse than 0; and the certified minimizer at a random rational λ."""
    from ..symbolic.scalar import derive_threshold
    from ..certified.scalar import isolate_stationary
    from ..certified.threshold import _side

    with workprec(cert.prec):
        b_e = arb(to_fmpq(k)) * c_ball
        iso, q, _ = isolate_stationary(L, to_fmpq(m), to_fmpq(conv.a), b_e)
        rho_e = sympy_to_arb(derive_threshold(L).rho_star, {mabs: abs(arb(to_fmpq(m)))})
        r_lo, r_hi = ball_bounds(rho_e)
        home = [r for r in iso.roots if r.lo < r_lo and r_hi < r.hi]
        others_worse = all((r.root ** 2 * q(r.root)) > 0 for r in iso.roots if not home or r is not home[0])
        off = _side(L, m, conv.a, k, _random_lambda(rng, (cert.lo + cert.hi) / 2))
    return iso, q, rho_e, home, others_worse, off
