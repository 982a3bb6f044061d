"""Certified-tier checks of the scalar spectrum (§K4) and sharpness (§P3) claims under a named convention.

At a small set of stated instances (depth L, exact target m, exact λ on either side of the threshold) the global
minimizer is certified (``verify.certified.spectrum.certify_scalar_minimizer``: interval Newton on the balanced
stationarity equation, φ(ρ₊) against φ(0) by balls), the Hessian is built entry by entry from the objective on
balls, and its eigenvalues are enclosed index by index (Weyl + Ostrowski bounds around an approximate eigenbasis).
A claim is refuted only when the balls separate it from the enclosures (a refutation at any precision: a claim off
by 10^-45 relative is refuted when the enclosures are narrower than that); it is verified only when every claimed
value meets its cluster with the claimed multiplicity and every ball is narrower than 10^-digits relative; anything
else is inconclusive.

Every sign pattern has the same spectrum: F(D_s·w) = F(w) for s ∈ {±1}^L with ∏s = 1, so ∇²F(D_s·w) =
D_s·∇²F(w)·D_s (orthogonally similar); two patterns per nonzero minimizer are enclosed all the same.
"""
from __future__ import annotations

import math
from typing import Sequence

import sympy as sp

from ..conventions import Convention
from ..symbolic.scalar import a, b, mabs, rho, sign_patterns
from .base import CheckResult, Verdict
from .context import RunContext
from .scope import depth_text

#: depths of the certified set per profile level (those of the claim's own depths or the profile's that are listed)
CERT_DEPTHS = {0: (2, 3, 5), 1: (1, 2, 3, 4, 6, 8, 12), 2: (1, 2, 3, 4, 5, 6, 8, 10, 12, 16)}
#: the largest depth certified (an L×L eigenbasis at ~300 bits costs O(L³) multiplications of balls)
MAX_CERT_DEPTH = 16
#: targets of the certified set: exact, of both signs
CERT_TARGETS = (sp.Rational(3, 2), sp.Rational(-7, 3))
#: where λ is put: b as a fraction of the scale a·|m|^(2−2/L). The threshold b* = a(|m| − x)x^((L−2)/L),
#: x = |m|(L−2)/(L−1) (§K1) lies between scale·e^(−1)/(L−1) and the scale, so "below" (1/(3(L−1))) has a nonzero
#: global minimizer and "above" (2) has 0 (L ≥ 2); "near" is 0.95·λ*, λ* read from its certified enclosure at 10
#: digits. The certified minimizer at full precision decides the kind in every case, never this placement.
SIDES = ("below", "near", "above")


def certified_depths(ctx: RunContext, depths: Sequence[int] | None, min_depth: int = 1) -> list[int]:
    """The claim's depths (up to ``MAX_CERT_DEPTH``), else the profile level's certified set within the profile."""
    pool = list(depths) if depths is not None else [L for L in CERT_DEPTHS[ctx.profile.level] if L in ctx.profile.depths]
    return [L for L in pool if min_depth <= L <= MAX_CERT_DEPTH]


def instance_lambda(conv: Convention, L: int, m: sp.Rational, side: str) -> sp.Rational | None:
    """An exact λ on ``side`` of the threshold (read to 8 digits: only the side matters); L = 1 has no threshold:
    λ = |m| for "below", None otherwise."""
    if L == 1:
        return abs(m) if side == "below" else None
    if side == "near":
        value = _collapse_lambda(conv.name, L, abs(m)) * sp.Rational(95, 100)
    else:
        scale = conv.a * abs(m) ** (2 - sp.Rational(2, L))
        b_value = scale * (sp.Rational(1, 3 * (L - 1)) if side == "below" else sp.Integer(2))
        value = sp.N(b_value / conv.b_over_lam(L), 12)
    return sp.Rational(str(sp.Float(value, 8)))


def _collapse_lambda(conv_name: str, L: int, m_abs: sp.Rational) -> sp.Rational:
    """λ* to about 15 digits: the midpoint of its certified enclosure at 15 digits, the least the tier takes
    (``threshold_certificate``, cached: one isolation of the tie polynomial instead of a bisection of certified
    minimizers). Only a place to put an instance: the certified minimizer at full precision decides its kind."""
    from ..certified.threshold import threshold_certificate

    cert = threshold_certificate(conv_name, L, m_abs, 15)
    mid = (cert.lo + cert.hi) / 2
    return sp.Rational(mid.numerator, mid.denominator)


def _patterns(L: int, sign: int, nonzero: bool) -> list[tuple[int, ...]]:
    if not nonzero:
        return [(1,) * L]
    every = list(sign_patterns(L, sign, 2))
    return every[:2]


def _prec(ctx: RunContext) -> int:
    from ..certified.arb import bits_for_digits

    return bits_for_digits(ctx.dps + 30)


class _Tally:
    """Instances judged, the widest ball met, undecided instances."""

    def __init__(self) -> None:
        self.count, self.widest, self.undecided = 0, 0.0, []

    def record(self, where: dict, signs: Sequence[int], judgement) -> None:
        """Count a match, file an undecided judgement (a difference is the caller's refutation)."""
        if judgement.outcome == "undecided":
            self.undecided.append({**where, "signs": list(signs), "why": judgement.why})
        else:
            self.count += 1
            self.widest = max(self.widest, judgement.widest)

    def digits(self) -> float:
        return float("inf") if self.widest == 0 else -math.log10(self.widest)


def _where(conv: Convention, L: int, m, lam, mz) -> dict:
    from ..certified.spectrum import ball_text

    out = {"depth": L, "m": str(m), "lambda": str(lam), "convention": conv.name, "minimizer": mz.kind}
    if mz.rho is not None and mz.kind == "nonzero":
        out["rho"] = ball_text(mz.rho)
    return out


def _instances(ctx: RunContext, conv: Convention, chosen: Sequence[int], sides: Sequence[str]):
    """(L, m, side, λ) of the certified set, depth by depth (progress reported per depth)."""
    for done, L in enumerate(chosen):
        ctx.progress("certified depths", done, len(chosen))
        for m in CERT_TARGETS:
            for side in sides:
                lam = instance_lambda(conv, L, m, side)
                if lam is not None:
                    yield L, m, side, lam


def _certified_point(conv: Convention, L: int, m: sp.Rational, lam: sp.Rational, prec: int):
    """(a, b, m as balls, the certified global minimizer, its description); call inside ``workprec(prec)``."""
    from ..certified.spectrum import certify_scalar_minimizer, to_arb

    a_e, b_e = conv.ab(lam, L)
    a_, b_, m_ = to_arb(sp.Rational(a_e)), to_arb(sp.Rational(b_e)), to_arb(m)
    mz = certify_scalar_minimizer(L, abs(m_), a_, b_, prec)
    return a_, b_, m_, mz, _where(conv, L, m, lam, mz)


def _enclosures(L: int, m_, a_, b_, rho_ball, signs, prec: int):
    """Certified eigenvalue enclosures of ∇²F at w = ρ·s (or at 0 when ``rho_ball`` is None); [] when undecided."""
    from ..certified.spectrum import balanced_basis, hessian_ball, symmetric_eigen_enclosures, to_arb

    w = [rho_ball * si for si in signs] if rho_ball is not None else [to_arb(0)] * L
    # a balanced point: D_s·(Helmert basis) is an eigenbasis of the exact Hessian, tried before any eigensolver
    guess = balanced_basis(signs if rho_ball is not None else [1] * L)
    return symmetric_eigen_enclosures(hessian_ball(w, m_, a_, b_), prec, guess)


#: why an instance without a usable eigenbasis is undecided
_NO_BASIS = "approximate eigenbasis not orthonormal enough"


def certified_spectrum_check(conv: Convention, nonzero, at_zero, depths):
    """The certified check of a scalar spectrum claim (pairs (eigenvalue, multiplicity) at a nonzero minimizer and
    at 0, validated by ``verify.claims.scalar_spectrum``)."""
    def run(ctx: RunContext) -> CheckResult:
        from ..certified.spectrum import NotEnclosable, NotReal, ball_text, enclose, judge_spectrum, to_arb, workprec
        from .scalar_spectrum import _expand_spectrum, _wrong_count

        prec, resolution = _prec(ctx), 10.0 ** -ctx.dps
        chosen = certified_depths(ctx, depths)
        scope = (f"{depth_text(chosen)}, targets m ∈ {{{', '.join(map(str, CERT_TARGETS))}}}, λ below the threshold "
                 "(b = a|m|^(2−2/L)/(3(L−1))) and near it (b ≈ 0.95·b*): nonzero minimizers, 2 sign patterns each (all "
                 "patterns share the spectrum: H(D_s·w) = D_s·H(w)·D_s); above it (b = 2a|m|^(2−2/L)): minimizer 0; "
                 "L = 1 at λ = |m|; each global minimizer certified")
        tally = _Tally()
        for L, m, side, lam in _instances(ctx, conv, chosen, SIDES):
            with workprec(prec):
                a_, b_, m_, mz, where = _certified_point(conv, L, m, lam, prec)
                if mz.kind == "undecided":
                    tally.undecided.append({**where, "why": mz.why})
                    continue
                spec = _expand_spectrum(nonzero if mz.kind == "nonzero" else at_zero, L)
                wrong = _wrong_count(spec, L, tally.count, scope)
                if wrong is not None:
                    return wrong
                values = {a: a_, b: b_, mabs: abs(m_), rho: mz.rho if mz.kind == "nonzero" else to_arb(0)}
                try:
                    claimed = [(enclose(e, values), k) for e, k in spec]
                except NotReal as exc:
                    return _not_real(where, exc, tally, scope)
                except NotEnclosable as exc:
                    tally.undecided.append({**where, "why": str(exc)})
                    continue
                for s in _patterns(L, -1 if m < 0 else 1, mz.kind == "nonzero"):
                    enc = _enclosures(L, m_, a_, b_, mz.rho if mz.kind == "nonzero" else None, s, prec)
                    if not enc:
                        tally.undecided.append({**where, "why": _NO_BASIS})
                        continue
                    j = judge_spectrum(claimed, enc, resolution)
                    if j.outcome == "differs":
                        return CheckResult(
                            Verdict.REFUTED, f"depth {L}, m = {m}, λ = {lam} ({side} the threshold): {j.why}",
                            instances=tally.count + 1, scope=scope,
                            tolerance="refuted only when the balls separate (rigorous at any precision)",
                            counterexample={**where, "signs": list(s), "why": j.why,
                                            "eigenvalue_enclosures": [ball_text(e) for e in enc],
                                            "claimed": [f"{ball_text(v)} (×{k})" for v, k in claimed]})
                    tally.record(where, s, j)
        return _verdict(tally, scope, prec, ctx.dps, "every claimed eigenvalue meets exactly one cluster of rigorous "
                        "eigenvalue enclosures, which holds exactly its claimed multiplicity")
    return run


def _not_real(where: dict, exc: Exception, tally: "_Tally", scope: str) -> CheckResult:
    """REFUTED: at a certified global minimizer the claim has no real value (the balls prove it), so it cannot be a
    Hessian eigenvalue."""
    return CheckResult(Verdict.REFUTED, f"depth {where['depth']}, m = {where['m']}: the claim has no real value at a "
                       f"certified global minimizer ({exc})", instances=tally.count + 1, scope=scope,
                       tolerance="refuted only when the balls prove it", counterexample={**where, "why": str(exc)})


def _verdict(tally: _Tally, scope: str, prec: int, dps: int, what: str) -> CheckResult:
    tolerance = (f"refuted only when balls separate; verified when every ball is narrower than 10^-{dps} relative "
                 f"(Arb at {prec} bits; enclosures λ_k ∈ (d_k ± r)/(1 ± ε), r ≥ ‖QᵀHQ − D‖_F, ε ≥ ‖QᵀQ − I‖_F)")
    if tally.undecided:
        return CheckResult(Verdict.INCONCLUSIVE, f"the balls did not decide {len(tally.undecided)} instance(s): "
                           f"{tally.undecided[0]['why']}", instances=tally.count, scope=scope, tolerance=tolerance,
                           details={"undecided": tally.undecided[:10]})
    if tally.count == 0:
        return CheckResult(Verdict.INCONCLUSIVE, "no instance was certified (no depth within the certified range "
                           f"1–{MAX_CERT_DEPTH}, or no certified global minimizer of the needed kind): nothing certified",
                           instances=0, scope=scope, tolerance=tolerance)
    return CheckResult(Verdict.VERIFIED, f"certified at {tally.count} global minimizers: {what} (relative width "
                       f"≤ {tally.widest:.1e})", instances=tally.count, digits=tally.digits(), scope=scope,
                       tolerance=tolerance)


def certified_sharpness_check(conv: Convention, formula: sp.Expr, depths, min_depth: int):
    """The certified check of a sharpness claim under a convention: the claim against the enclosure of the largest
    Hessian eigenvalue at certified nonzero global minimizers (λ below the threshold)."""
    def run(ctx: RunContext) -> CheckResult:
        from ..certified.spectrum import NotEnclosable, NotReal, ball_text, enclose, judge_largest, workprec
        from .sharpness_convention import claimed_at

        prec, resolution = _prec(ctx), 10.0 ** -ctx.dps
        chosen = certified_depths(ctx, depths, min_depth)
        scope = (f"{depth_text(chosen)}, targets m ∈ {{{', '.join(map(str, CERT_TARGETS))}}} at λ below the threshold "
                 "(b = a|m|^(2−2/L)/(3(L−1))) and near it (b ≈ 0.95·b*) (L = 1: λ = |m|), 2 sign patterns each; each "
                 "nonzero global minimizer certified")
        tally = _Tally()
        for L, m, side, lam in _instances(ctx, conv, chosen, SIDES[:2]):
            with workprec(prec):
                a_, b_, m_, mz, where = _certified_point(conv, L, m, lam, prec)
                if mz.kind != "nonzero":
                    if mz.kind == "undecided":
                        tally.undecided.append({**where, "why": mz.why})
                    continue
                try:
                    c = enclose(claimed_at(formula, L, conv), {rho: mz.rho, mabs: abs(m_), b: b_})
                except NotReal as exc:
                    return _not_real(where, exc, tally, scope)
                except NotEnclosable as exc:
                    tally.undecided.append({**where, "why": str(exc)})
                    continue
                for s in _patterns(L, -1 if m < 0 else 1, True):
                    enc = _enclosures(L, m_, a_, b_, mz.rho, s, prec)
                    if not enc:
                        tally.undecided.append({**where, "why": _NO_BASIS})
                        continue
                    j = judge_largest(c, enc, resolution)
                    if j.outcome == "differs":
                        return CheckResult(
                            Verdict.REFUTED, f"depth {L}, m = {m}, λ = {lam}: {j.why}", instances=tally.count + 1,
                            scope=scope, tolerance="refuted only when the balls separate (rigorous at any precision)",
                            counterexample={**where, "signs": list(s), "largest_eigenvalue": ball_text(enc[-1]),
                                            "claimed": ball_text(c)})
                    tally.record(where, s, j)
        return _verdict(tally, scope, prec, ctx.dps, "the claim meets the rigorous enclosure of the largest Hessian "
                        "eigenvalue")
    return run
