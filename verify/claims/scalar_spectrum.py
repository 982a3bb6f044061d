"""Claim kind: the Hessian spectrum of the deep scalar problem at its global minimizers.

A claim gives the eigenvalues, with multiplicities, at a nonzero balanced minimizer as expressions
in a, b, ρ and L (``verify.symbolic.scalar`` symbols), and at 0; and states they are the same at
every minimizer (every sign pattern). Routes:
- symbolic: the Hessian at w = ρ·s, with m eliminated by stationarity, has the exact form
  D_s(α·11ᵀ + β·I)D_s (``derive_spectrum``); its eigenvalues must match the claim as a multiset;
- high precision: eigenvalues at working precision (verify.highprec.eigen) of the hand-derived Hessian at
  minimizers found by mpmath;
- certified: Arb enclosures at certified minimizers (``verify.claims.spectrum_certified``);
- numeric: eigenvalues of the float64 Hessian over many sign patterns per instance (every pattern's Hessian is
  checked bit for bit to be D_t·H(canonical)·D_t and shares its eigenvalues; a sample is eigensolved itself),
  in ``verify.claims.spectrum_numeric``.
It also reports what happens at the threshold, where 0 and a nonzero point are both global.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..highprec import eigen, scalar as hp
from ..numbers import dec, to_mpf
from ..errors import UsageError
from ..expressions import check_exp_nesting
from ..symbolic.scalar import (L_sym, a, b, derive_spectrum, derive_threshold, lam_star, mabs, rho,
                               stationary_target)
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .sampling import random_targets, targets_per_depth
from .scope import depth_text
from .scalar_common import MAX_DEPTH, ClaimValueError, claim_depths, sentinels
from .spectrum_certified import certified_spectrum_check
from .spectrum_numeric import numeric_spectrum_check
from .spectrum_values import (Spectrum, _count, _expand_spectrum, _multiplicity, _multiset_equal,
                              _numbers, _numbers_mp, _pattern, _wrong_count, spectrum_depths)


def _symbolic(nonzero: Spectrum, at_zero: Spectrum, depths):
    def run(ctx: RunContext) -> CheckResult:
        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        rows, threshold_rows = {}, {}
        patterns = 0
        chosen = spectrum_depths(ctx, depths, cap)
        scope = f"{depth_text(chosen)}, exact (every sign pattern up to 16 per depth)"
        undecided = []
        for L in chosen:
            d = derive_spectrum(L)
            patterns += d.patterns_checked
            got = [(sp.expand(e), k) for e, k in d.eigenvalues]
            got0 = [(sp.expand(e), k) for e, k in d.at_zero]
            rows[str(L)] = {"minimizer": [f"{e} (×{k})" for e, k in got], "zero": [f"{e} (×{k})" for e, k in got0]}
            # at a nonzero stationary point |m| is a function of ρ: a claim written with m is read through it
            m_at = stationary_target(L)
            for name, claimed, derived in (("nonzero minimizer", nonzero, got), ("0", at_zero, got0)):
                c = _expand_spectrum(claimed, L)
                if name != "0":
                    c = [(sp.expand(e.subs(mabs, m_at)), k) for e, k in c]
                same = _multiset_equal(c, derived)
                if same is None:
                    undecided.append(f"depth {L}, {name}")
                elif not same:
                    return CheckResult(
                        Verdict.REFUTED, f"depth {L}: the spectrum at the {name} differs from the claim",
                        instances=len(rows), scope=scope,
                        counterexample={"depth": L, "point": name,
                                        "derived": [f"{e} (×{k})" for e, k in derived],
                                        "claimed": [f"{e} (×{k})" if k < 10**12 else f"{e} (×about 10^{len(str(k)) - 1})"
                                                    for e, k in c]},
                        details={"per_depth": rows})
            t = derive_threshold(L)
            if t.kind == "jump":
                at_star = {b: t.b_star, rho: t.rho_star}
                threshold_rows[str(L)] = {
                    "minimizer": [f"{_shown(e.subs(at_star))} (×{k})" for e, k in got],
                    "zero": [f"{_shown(e.subs({b: t.b_star}))} (×{k})" for e, k in got0],
                }
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE, f"SymPy could not decide equality of claimed and derived "
                               f"eigenvalues ({'; '.join(undecided)}), numerically equal", instances=patterns,
                               scope=scope, details={"per_depth": rows})
        return CheckResult(
            Verdict.VERIFIED,
            f"exact D_s(α11ᵀ+βI)D_s structure and claimed eigenvalues at {len(rows)} depths "
            f"({patterns} sign patterns checked exactly)", instances=patterns, digits=float("inf"), scope=scope,
            proved_for=f"each depth L ∈ {{{', '.join(map(str, chosen))}}} (exactly, depth by depth; no other L), every "
                       "a, b > 0, every m ≠ 0, every sign pattern, at every nonzero balanced stationary point (so at "
                       "every nonzero global minimizer) and at 0",
            derivation=_spectrum_steps(), details={"per_depth": rows, "at_threshold (b = b*, ρ = ρ*)": threshold_rows,
                     "note": "at λ = λ* both 0 and the nonzero points are global minimizers and their "
                             "spectra differ: the spectrum is constant over minimizers only off the threshold"})
    return run


def _shown(x: sp.Expr) -> sp.Expr:
    """The derived eigenvalue at the threshold, for display: a single term (a product of rational powers) is
    already in SymPy's canonical, simplest form, which ``simplify`` returns unchanged (tested at every depth
    the tier reaches), so only a sum is simplified."""
    return sp.simplify(x) if isinstance(x, sp.Add) else x


def _spectrum_steps() -> list[dict[str, str]]:
    """The symbolic tier's proof, step by step (docs/mathematics.md §K4)."""
    from .derivation import step

    L_ = L_sym
    return [
        step("Every critical point with b > 0 is balanced (§K3): w = ρ·s, s ∈ {±1}^L, ∏s = sign m; stationarity "
             "eliminates |m|", sp.Eq(mabs, rho**L_ + b * rho**(2 - L_) / a)),
        step("Differentiating F twice entry by entry and substituting, each Hessian is exactly D_s(α·11ᵀ + β·I)D_s "
             "(entries are Laurent polynomials in ρ: expansion decides zero)",
             "H = D_s (alpha 1 1^T + beta I) D_s,  alpha = a rho^(2L-2) - b,  beta = 2b"),
        step("D_s is orthogonal, so the eigenvalues are those of α·11ᵀ + β·I: β (×(L−1)) and β + L·α",
             sp.Eq(sp.Symbol("lambda_1"), L_ * a * rho**(2 * L_ - 2) + (2 - L_) * b)),
        step("The claimed multiset equals the derived one exactly (expand / simplify to 0), at each listed depth; at 0 "
             "the Hessian's exact eigenvalues are compared the same way", None),
        step("Sign patterns: F(D_s·w) = F(w) when ∏s = 1, hence H(D_s·w) = D_s·H(w)·D_s for every pattern",
             "H(D_s w) = D_s H(w) D_s"),
    ]


#: digits of λ* used to place λ on one side of it: placement only (the checks find the global minimizers
#: themselves, and λ stays ≥ 2 % away from λ*), so 20 digits are far more than enough
PLACEMENT_DIGITS = 20


@lru_cache(maxsize=None)
def _lam_star_fn(L: int, conv: Convention):
    """λ* as an mpmath function of |m| (None when there is none): SymPy's subs of a rational |m| into c·|m|^p
    factors the rational power (about 10 ms a call); the mpmath evaluation does not."""
    star = lam_star(L, conv)
    return None if star is None else sp.lambdify(mabs, star, "mpmath")


def placement_threshold(conv: Convention, L: int, m) -> mpmath.mpf | None:
    """λ* of the convention at target m (the exact derived value, docs/mathematics.md §K2) to 20 digits, as an
    mpf; None where there is none.

    Only places a test λ on one side of the threshold, away from it: the checks then find the global minimizers
    by the independent mpmath route (``hp.global_minimizers``), so a wrong λ* could not make a wrong verdict (a
    minimizer on the unexpected side is inconclusive or judged by its own spectrum). Replaces a 60-digit
    bisection (12 ms per call).
    """
    fn = _lam_star_fn(L, conv)
    if fn is None:
        return None
    q = abs(sp.Rational(m))
    with mpmath.workdps(PLACEMENT_DIGITS + 5):
        return fn(mpmath.mpf(int(q.p)) / int(q.q))


def _regularization(conv: Convention, L: int, m, work: int, rng, below: bool):
    """A λ on the chosen side of the threshold (the derived λ*, 20 digits), never within 5 % of it."""
    with mpmath.workdps(work):
        a_mp = mpmath.mpf(int(conv.a))
        k = conv.b_over_lam(L)
        ab = lambda lam: (a_mp, mpmath.mpf(k.p) / k.q * lam)  # noqa: E731
        star = placement_threshold(conv, L, m)
        base = star if star not in (None, 0) else mpmath.mpf(abs(float(m)))
        if star is None:
            u = rng.uniform(0.1, 10)
        else:
            u = rng.uniform(0.2, 0.95) if below else rng.uniform(1.05, 3.0)
        return base * mpmath.mpf(str(round(u, 6))), ab


def _high_precision(conv: Convention, nonzero: Spectrum, at_zero: Spectrum, depths):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 10
        # the symmetric QL eigensolver (highprec.eigen) is backward stable at `work` digits; closed forms
        # evaluated at ρ from mpmath; agreement to ctx.dps − 5 digits required (eigenvalue conditioning
        # ≤ ||H||/|λ| costs the rest).
        need = ctx.dps - 5
        rng = ctx.rng(f"spectrum-hp:{conv.name}")
        cap = {0: 5, 1: 12, 2: 32}[ctx.profile.level]
        per = {0: 2, 1: 2, 2: 8}[ctx.profile.level]  # sign patterns per instance, cycling over all
        worst, count, patterns_total, zeros = float("inf"), 0, 0, 0
        chosen = spectrum_depths(ctx, depths, cap)
        per_depth = 2 * targets_per_depth(ctx.profile.hp_instances, len(chosen))
        # a claim over every L is also tested at sentinel depths up to 64: one target below λ* (a nonzero
        # minimizer) and one above (0), so a spectrum right only at small depths is refuted at any profile
        extra = sentinels(chosen, 1) if depths is None else []
        plan = [(L, per_depth) for L in chosen] + [(L, 2) for L in extra]
        scope = (f"{depth_text(chosen)}, {per_depth} targets each (global minimizer 0 above λ*, nonzero below, "
                 f"{per} sign patterns per nonzero minimizer)")
        if extra:
            scope += f"; sentinel {depth_text(extra)} (2 targets each: one nonzero minimizer, one at 0)"
        for L, n_targets in plan:
            specs = {}  # expanded claimed spectra at this depth: 0 and nonzero
            for idx, m in enumerate(random_targets(rng, n_targets)):
                below = idx % 2 == 0  # alternate: nonzero minimizers below λ*, 0 above it
                lam, ab = _regularization(conv, L, m, work, rng, below)
                with mpmath.workdps(work):
                    a_mp, b_mp = ab(lam)
                    m_mp = to_mpf(m, work)
                    mins = hp.global_minimizers(L, m_mp, a_mp, b_mp)
                    if len({c.product for c in mins}) != 1:
                        continue
                    cls = mins[0]
                    at0 = cls.rho == 0
                    if at0 not in specs:
                        specs[at0] = _expand_spectrum(at_zero if at0 else nonzero, L)
                    spec = specs[at0]
                    wrong = _wrong_count(spec, L, patterns_total, scope)
                    if wrong is not None:
                        return wrong
                    try:
                        claimed = _numbers_mp(spec, (a_mp, b_mp, abs(m_mp), cls.rho), work)
                    except ClaimValueError as exc:  # a symmetric Hessian's eigenvalues are real: the claim is wrong
                        return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {exc}", instances=patterns_total,
                                           scope=scope, counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30),
                                                                        "convention": conv.name, "claimed": str(exc)})
                    if cls.rho == 0:
                        pats = [[1] * L]
                        zeros += 1
                    else:
                        n_pats = min(2 ** (L - 1), 4096)  # sign_patterns(L, ±1, 4096), indexed directly
                        pats = [_pattern(L, -1 if m < 0 else 1, ((idx // 2) * per + j) % n_pats)
                                for j in range(min(per, n_pats))]
                    for s in pats:
                        eig = eigen.scalar_hessian_eigenvalues(cls.point(s), m_mp, a_mp, b_mp)
                        scale = max(abs(e) for e in eig)
                        patterns_total += 1
                        # the fewest digits of the pattern are those of its largest error (one log10 per pattern)
                        top = max(abs(e - c) for e, c in zip(eig, claimed))
                        worst = min(worst, float(-mpmath.log10(top / scale)) if top else float(work))
                        if worst >= need:
                            continue
                        for e, c in zip(eig, claimed):
                            d = float(-mpmath.log10(abs(e - c) / scale)) if e != c else float(work)
                            if d < need:
                                return CheckResult(
                                    Verdict.REFUTED, f"depth {L}: Hessian eigenvalue {dec(e, 20)} vs claimed {dec(c, 20)}",
                                    digits=d, instances=patterns_total, scope=scope,
                                    tolerance=f"agreement to {need} digits relative to ||H||",
                                    counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30),
                                                    "convention": conv.name, "signs": s,
                                                    "eigenvalues": [dec(x, 25) for x in eig],
                                                    "claimed": [dec(x, 25) for x in claimed]})
                count += 1
        return CheckResult(Verdict.VERIFIED,
                           f"eigenvalues at working precision match the claim to ≥ {worst:.1f} digits at {patterns_total} "
                           f"minimizers ({count} instances, {zeros} of them at 0)", digits=worst,
                           instances=patterns_total, scope=scope,
                           tolerance=f"≥ {need} digits relative to ||H|| (working precision {work})")
    return run


def _shrinker(conv: Convention, nonzero: Spectrum, depths):
    """Smallest depth and simplest m where, at a λ below the threshold (drawn with a fixed seed), the Hessian
    eigenvalues differ from the claim."""
    def differs(example) -> bool:
        L, m_text = example
        m = sp.Rational(m_text)
        with mpmath.workdps(40):
            lam, ab = _regularization(conv, L, m, 40, np.random.default_rng(0), below=True)
            a_mp, b_mp = ab(lam)
            m_mp = to_mpf(m, 40)
            cls = hp.global_minimizers(L, m_mp, a_mp, b_mp)[0]
            if cls.rho == 0:
                return False
            values = {a: sp.Float(a_mp, 40), b: sp.Float(b_mp, 40), rho: sp.Float(cls.rho, 40),
                      mabs: sp.Float(abs(m_mp), 40)}
            spec = _expand_spectrum(nonzero, L)
            if _count(spec) != L:
                return True
            try:
                claimed = _numbers(spec, values, 40)
            except ClaimValueError:  # no real value where the Hessian's eigenvalues are real
                return True
            eig = eigen.scalar_hessian_eigenvalues(cls.point(hp.canonical_signs(L, m_mp)), m_mp, a_mp, b_mp)
            scale = max(abs(e) for e in eig)
            return any(abs(e - c) > scale * mpmath.mpf(10) ** -25 for e, c in zip(eig, claimed))

    def shrink(ctx: RunContext) -> dict | None:
        from .shrinking import find_minimal, simple_rationals, strategies

        st = strategies()

        chosen = spectrum_depths(ctx, depths, {0: 5, 1: 12, 2: 32}[ctx.profile.level])
        pool = sorted(set(chosen) | (set(sentinels(chosen, 1)) if depths is None else set()))
        found = find_minimal(st.tuples(st.sampled_from(pool), simple_rationals()), differs, ctx,
                             f"spectrum:{conv.name}")
        if found is None:
            return None
        L, m_text = found
        with mpmath.workdps(40):
            lam, _ = _regularization(conv, L, sp.Rational(m_text), 40, np.random.default_rng(0), below=True)
            lam_text = dec(lam, 30)
        return {"depth": L, "m": m_text, "convention": conv.name, "lambda": lam_text,
                "reproduce": f"verify minimizers --depth {L} --target {m_text} --lam {lam_text} "
                             f"--convention {conv.name}"}
    return shrink


def _validate(spec: Spectrum, name: str, depths: Sequence[int], allowed: set) -> list[tuple[sp.Expr, sp.Expr]]:
    """Pairs (eigenvalue, multiplicity) with known symbols, and multiplicities that are non-negative integers at
    every depth in scope (UsageError naming the entry otherwise); nothing is truncated or rounded."""
    out = []
    try:
        pairs = list(spec)
    except TypeError:
        raise UsageError(f"{name}: expected a list of (eigenvalue, multiplicity) pairs") from None
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise UsageError(f"{name}[{i}]: expected an (eigenvalue, multiplicity) pair, got {pair!r}")
        value, mult = (sp.sympify(x) for x in pair)
        check_exp_nesting(value, f"{name}[{i}]: the eigenvalue")
        extra = value.free_symbols - allowed
        if extra:
            raise UsageError(f"{name}[{i}]: eigenvalue {value} uses {sorted(map(str, extra))}; allowed: "
                             f"{sorted(map(str, allowed))}")
        if mult.free_symbols - {L_sym}:
            raise UsageError(f"{name}[{i}]: multiplicity {mult} may depend on L only")
        for L in depths:
            try:
                _multiplicity(mult, L)
            except UsageError as exc:
                raise UsageError(f"{name}[{i}]: {exc}") from None
        out.append((value, mult))
    return out


def scalar_spectrum_claim(id: str, statement: str, source: str, nonzero: Spectrum, at_zero: Spectrum,
                          convention: str | Convention = "A1", depths: Sequence[int] | None = None,
                          resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare the Hessian spectrum at nonzero balanced minimizers (in a, b, ρ, |m|, L) and at 0 (in a, b, |m|, L).

    Multiplicities must be non-negative integers at every depth in scope (the given depths, else 1..64):
    ``L - 1/2``, ``1/2`` or ``-1`` is a UsageError. A multiplicity above L is merely wrong and is refuted.
    """
    conv = get_convention(convention)
    depths = claim_depths(depths)
    scope_depths = depths if depths is not None else range(1, MAX_DEPTH + 1)
    nonzero = _validate(nonzero, "nonzero", scope_depths, {a, b, rho, mabs, L_sym})
    at_zero = _validate(at_zero, "at_zero", scope_depths, {a, b, mabs, L_sym})
    checks = (
        Check("exact Hessian structure at balanced points", Tier.SYMBOLIC, _symbolic(nonzero, at_zero, depths)),
        Check("high-precision eigenvalues at global minimizers", Tier.HIGH_PRECISION,
              _high_precision(conv, nonzero, at_zero, depths)),
        Check("certified eigenvalue enclosures at certified minimizers", Tier.CERTIFIED,
              certified_spectrum_check(conv, nonzero, at_zero, depths)),
        # corroborating: the same statement (spectrum at minimizers, depths within the high-precision tier's cap at
        # every profile) is established at agreement strength by the mpmath check, for every sign pattern by the
        # symbolic proof (H(D_s·w) = D_s·H(w)·D_s)
        Check("float64 eigenvalues over sign patterns", Tier.NUMERIC,
              numeric_spectrum_check(conv, nonzero, at_zero, depths),
              corroborates=True),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper,
                 shrink=_shrinker(conv, nonzero, depths))
