"""Claim kind: the Hessian spectrum of the deep scalar problem at its global minimizers.

A claim gives the eigenvalues, with multiplicities, at a nonzero balanced minimizer as expressions
in a, b, ρ and L (``verify.symbolic.scalar`` symbols), and at 0; and states they are the same at
every minimizer (every sign pattern). Routes:
- symbolic: the Hessian at w = ρ·s, with m eliminated by stationarity, has the exact form
  D_s(α·11ᵀ + β·I)D_s (``derive_spectrum``); its eigenvalues must match the claim as a multiset;
- high precision: mpmath eigenvalues of the hand-derived Hessian at minimizers found by mpmath;
- numeric: eigenvalues of the compiled float64 Hessian over many sign patterns per instance.
It also reports what happens at the threshold, where 0 and a nonzero point are both global.
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention, get_convention
from ..highprec import scalar as hp
from ..kernels.scalar import scalar_kernels, stationary_radii_batch
from ..numbers import dec, to_mpf
from ..symbolic.scalar import L_sym, a, b, derive_spectrum, derive_threshold, mabs, rho, sign_patterns
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .sampling import instances_per_depth, random_targets, targets_per_depth

Spectrum = Sequence[tuple[sp.Expr, sp.Expr]]  # (eigenvalue, multiplicity), may contain L


def _expand_spectrum(spec: Spectrum, depth: int) -> list[tuple[sp.Expr, int]]:
    out = []
    for value, mult in spec:
        k = int(sp.sympify(mult).subs(L_sym, depth))
        if k > 0:
            out.append((sp.expand(sp.sympify(value).subs(L_sym, depth)), k))
    return out


def _multiset_equal(x: list[tuple[sp.Expr, int]], y: list[tuple[sp.Expr, int]]) -> bool:
    def flat(s):
        return [e for e, k in s for _ in range(k)]
    fx, fy = flat(x), flat(y)
    if len(fx) != len(fy):
        return False
    remaining = list(fy)
    for e in fx:
        for i, f in enumerate(remaining):
            if sp.expand(e - f) == 0:
                remaining.pop(i)
                break
        else:
            return False
    return True


def _numbers(spec: list[tuple[sp.Expr, int]], values: dict, dps: int) -> list:
    out = []
    for e, k in spec:
        v = to_mpf(e.subs(values), dps) if dps else float(e.subs(values))
        out += [v] * k
    return sorted(out)


def _depths(ctx: RunContext, depths, cap: int) -> list[int]:
    return list(depths) if depths is not None else [L for L in ctx.profile.depths if L <= cap]


def _symbolic(nonzero: Spectrum, at_zero: Spectrum, depths):
    def run(ctx: RunContext) -> CheckResult:
        cap = {0: 5, 1: 8, 2: 12}[ctx.profile.level]
        rows, threshold_rows = {}, {}
        patterns = 0
        for L in _depths(ctx, depths, cap):
            d = derive_spectrum(L)
            patterns += d.patterns_checked
            got = [(sp.expand(e), k) for e, k in d.eigenvalues]
            got0 = [(sp.expand(e), k) for e, k in d.at_zero]
            rows[str(L)] = {"minimizer": [f"{e} (×{k})" for e, k in got], "zero": [f"{e} (×{k})" for e, k in got0]}
            for name, claimed, derived in (("nonzero minimizer", nonzero, got), ("0", at_zero, got0)):
                c = _expand_spectrum(claimed, L)
                if not _multiset_equal(c, derived):
                    return CheckResult(
                        Verdict.REFUTED, f"depth {L}: the spectrum at the {name} differs from the claim",
                        instances=len(rows), counterexample={"depth": L, "point": name,
                                                             "derived": [f"{e} (×{k})" for e, k in derived],
                                                             "claimed": [f"{e} (×{k})" for e, k in c]},
                        details={"per_depth": rows})
            t = derive_threshold(L)
            if t.kind == "jump":
                at_star = {b: t.b_star, rho: t.rho_star}
                threshold_rows[str(L)] = {
                    "minimizer": [f"{sp.simplify(e.subs(at_star))} (×{k})" for e, k in got],
                    "zero": [f"{sp.simplify(e.subs({b: t.b_star}))} (×{k})" for e, k in got0],
                }
        return CheckResult(
            Verdict.VERIFIED,
            f"exact D_s(α11ᵀ+βI)D_s structure and claimed eigenvalues at {len(rows)} depths "
            f"({patterns} sign patterns checked exactly)", instances=patterns, digits=float("inf"),
            details={"per_depth": rows, "at_threshold (b = b*, ρ = ρ*)": threshold_rows,
                     "note": "at λ = λ* both 0 and the nonzero points are global minimizers and their "
                             "spectra differ: the spectrum is constant over minimizers only off the threshold"})
    return run


def _regularization(conv: Convention, L: int, m, work: int, rng, below: bool):
    """A λ on the chosen side of the threshold (found by bisection), never within 5% of it."""
    with mpmath.workdps(work):
        a_mp = mpmath.mpf(int(conv.a))
        k = conv.b_over_lam(L)
        ab = lambda lam: (a_mp, mpmath.mpf(k.p) / k.q * lam)  # noqa: E731
        lam_star = hp.threshold_by_bisection(L, to_mpf(m, work), ab)
        base = lam_star if lam_star not in (None, 0) else mpmath.mpf(abs(float(m)))
        if lam_star is None:
            u = rng.uniform(0.1, 10)
        else:
            u = rng.uniform(0.2, 0.95) if below else rng.uniform(1.05, 3.0)
        return base * mpmath.mpf(str(round(u, 6))), ab


def _high_precision(conv: Convention, nonzero: Spectrum, at_zero: Spectrum, depths):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 10
        # eigsy is backward stable at `work` digits; closed forms evaluated at ρ from mpmath; agreement
        # to ctx.dps − 5 digits required (eigenvalue conditioning ≤ ||H||/|λ| costs the rest).
        need = ctx.dps - 5
        rng = ctx.rng(f"spectrum-hp:{conv.name}")
        cap = {0: 5, 1: 12, 2: 32}[ctx.profile.level]
        per = {0: 2, 1: 2, 2: 8}[ctx.profile.level]  # sign patterns per instance, cycling over all
        worst, count, patterns_total = float("inf"), 0, 0
        chosen = _depths(ctx, depths, cap)
        for L in chosen:
            for idx, m in enumerate(random_targets(rng, 2 * targets_per_depth(ctx.profile.hp_instances, len(chosen)))):
                below = idx % 2 == 0  # alternate: nonzero minimizers below λ*, 0 above it
                lam, ab = _regularization(conv, L, m, work, rng, below)
                with mpmath.workdps(work):
                    a_mp, b_mp = ab(lam)
                    m_mp = to_mpf(m, work)
                    mins = hp.global_minimizers(L, m_mp, a_mp, b_mp)
                    if len({c.product for c in mins}) != 1:
                        continue
                    cls = mins[0]
                    if cls.rho == 0:
                        values = {a: sp.Float(a_mp, work), b: sp.Float(b_mp, work), mabs: sp.Float(abs(m_mp), work)}
                        claimed = _numbers(_expand_spectrum(at_zero, L), values, work)
                        pats = [[1] * L]
                    else:
                        values = {a: sp.Float(a_mp, work), b: sp.Float(b_mp, work), rho: sp.Float(cls.rho, work)}
                        claimed = _numbers(_expand_spectrum(nonzero, L), values, work)
                        every = list(sign_patterns(L, -1 if m < 0 else 1, 4096))
                        pats = [every[((idx // 2) * per + j) % len(every)] for j in range(min(per, len(every)))]
                    if len(claimed) != L:
                        return CheckResult(Verdict.REFUTED, f"depth {L}: the claim lists {len(claimed)} eigenvalues "
                                           f"(with multiplicity) for an {L}×{L} Hessian", instances=patterns_total,
                                           counterexample={"depth": L, "claimed": [dec(x, 25) for x in claimed]})
                    for s in pats:
                        eig = hp.hessian_eigenvalues(cls.point(s), m_mp, a_mp, b_mp)
                        scale = max(abs(e) for e in eig)
                        patterns_total += 1
                        for e, c in zip(eig, claimed):
                            d = float(-mpmath.log10(abs(e - c) / scale)) if e != c else float(work)
                            worst = min(worst, d)
                            if d < need:
                                return CheckResult(
                                    Verdict.REFUTED, f"depth {L}: Hessian eigenvalue {dec(e, 20)} vs claimed {dec(c, 20)}",
                                    digits=d, instances=patterns_total,
                                    tolerance=f"agreement to {need} digits relative to ||H||",
                                    counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30),
                                                    "convention": conv.name, "signs": s,
                                                    "eigenvalues": [dec(x, 25) for x in eig],
                                                    "claimed": [dec(x, 25) for x in claimed]})
                count += 1
        return CheckResult(Verdict.VERIFIED,
                           f"mpmath eigenvalues match the claim to ≥ {worst:.1f} digits at {patterns_total} "
                           f"minimizers ({count} instances)", digits=worst, instances=patterns_total,
                           tolerance=f"≥ {need} digits relative to ||H|| (working precision {work})")
    return run


def _numeric(conv: Convention, nonzero: Spectrum, at_zero: Spectrum, depths):
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"spectrum-num:{conv.name}")
        eps = np.finfo(float).eps
        per = {0: 4, 1: 4, 2: 16}[ctx.profile.level]  # patterns per instance (all covered cyclically)
        cap = {0: 5, 1: 12, 2: 16}[ctx.profile.level]
        total, worst = 0, np.inf
        coverage = {}
        chosen = _depths(ctx, depths, cap)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        for L in chosen:
            kern = scalar_kernels(L)
            nz = _expand_spectrum(nonzero, L)
            if sum(k for _, k in nz) != L:
                return CheckResult(Verdict.REFUTED, f"depth {L}: the claim lists {sum(k for _, k in nz)} eigenvalues "
                                   f"(with multiplicity) for an {L}×{L} Hessian", instances=total,
                                   counterexample={"depth": L, "claimed": [f"{e} (×{k})" for e, k in nz]})
            fn = sp.lambdify((a, b, rho), [e for e, k in nz for _ in range(k)], "numpy")
            m = np.array([float(x) for x in random_targets(rng, n)])
            aa = float(conv.a)
            # λ well below the threshold: the scale of b at which ρ^L ≈ |m|/2
            bb = aa * np.abs(m) ** (2 - 2 / L) * rng.uniform(0.01, 0.2, n)
            radii = stationary_radii_batch(L, np.abs(m), aa, bb)
            # every sign pattern is covered when 2^(L−1) ≤ instances·per: instance i takes the next
            # `per` patterns of the full list, cyclically; all instances of a depth form one batch
            all_pats = list(sign_patterns(L, 1)) if 2 ** (L - 1) <= n * per else None
            rows, pats_used = [], []
            for i in range(n):
                if len(radii[i]) == 0:
                    continue
                if all_pats is not None:
                    chosen = [all_pats[(i * per + j) % len(all_pats)] for j in range(min(per, len(all_pats)))]
                else:
                    chosen = [tuple(int(x) for x in s) for s in _random_patterns(rng, L, per)]
                for s in chosen:
                    rows.append((i, radii[i][-1]))
                    pats_used.append(s)
            covered = set(pats_used)
            if not rows:
                coverage[L] = (0, 2 ** (L - 1))
                continue
            idx = np.array([i for i, _ in rows])
            r = np.array([x for _, x in rows])
            S = np.array(pats_used, float)
            S[:, -1] *= np.where(m[idx] < 0, -1.0, 1.0)
            W = r[:, None] * S
            H = kern.hessian(W, m[idx], aa, bb[idx])
            G = kern.gradient(W, m[idx], aa, bb[idx])
            eig = np.linalg.eigvalsh(H)
            claimed = np.sort(np.stack([np.broadcast_to(np.asarray(v, float), r.shape)
                                        for v in fn(aa, bb[idx], r)], axis=1), axis=1)
            norm = np.abs(eig).max(axis=1)
            # eigensolver backward error ~ L·eps·||H||; the float root ρ is off stationarity by
            # |∇F|, moving the Hessian by about ||H||·|∇F| / (λ_min·ρ)
            resid = np.linalg.norm(G, axis=1)
            tol = 32 * L * eps * norm + norm * resid / (np.abs(eig).min(axis=1) * r)
            err = np.abs(eig - claimed).max(axis=1)
            total += len(S)
            worst = min(worst, float(np.min(1 - err / (tol * 4))))
            if np.any(err > 4 * tol):
                j = int(np.argmax(err / tol))
                same = idx == idx[j]
                spread = float(np.ptp(eig[same], axis=0).max())
                return CheckResult(
                    Verdict.REFUTED, f"depth {L}: float64 Hessian eigenvalues differ from the claim by "
                    f"{err[j]:.3e} (tolerance {4 * tol[j]:.3e})", instances=total,
                    worst_margin=f"{1 - err[j] / (4 * tol[j]):.3e}",
                    counterexample={"depth": L, "m": float(m[idx[j]]), "a": aa, "b": float(bb[idx[j]]),
                                    "rho": float(r[j]), "signs": S[j].tolist(), "eigenvalues": eig[j].tolist(),
                                    "claimed": claimed[j].tolist(), "spread_over_patterns": spread})
            coverage[L] = (len(covered), 2 ** (L - 1))
        full = [L for L, (k, tot) in coverage.items() if k == tot]
        return CheckResult(Verdict.VERIFIED, f"compiled float64 Hessians match the claim at {total} minimizers; "
                           f"all 2^(L−1) sign patterns covered at depths {full}",
                           instances=total, worst_margin=f"{worst:.3e}",
                           details={"sign_patterns_covered": {str(L): f"{k}/{tot}" for L, (k, tot) in coverage.items()}},
                           tolerance="4·(32·L·eps·||H|| + ||H||·|∇F|/(|λ|_min·ρ)) per eigenvalue")
    return run


def _random_patterns(rng: np.random.Generator, L: int, k: int):
    """k sign patterns with product +1 (last sign fixes the product)."""
    s = rng.choice([-1, 1], size=(k, L - 1))
    last = np.prod(s, axis=1, keepdims=True)
    return np.hstack([s, last])


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
            values = {a: sp.Float(a_mp, 40), b: sp.Float(b_mp, 40), rho: sp.Float(cls.rho, 40)}
            claimed = _numbers(_expand_spectrum(nonzero, L), values, 40)
            eig = hp.hessian_eigenvalues(cls.point(hp.canonical_signs(L, m_mp)), m_mp, a_mp, b_mp)
            if len(claimed) != len(eig):
                return True
            scale = max(abs(e) for e in eig)
            return any(abs(e - c) > scale * mpmath.mpf(10) ** -25 for e, c in zip(eig, claimed))

    def shrink(ctx: RunContext) -> dict | None:
        from hypothesis import strategies as st

        from .shrinking import find_minimal, simple_rationals

        pool = sorted(set(_depths(ctx, depths, {0: 5, 1: 12, 2: 32}[ctx.profile.level])))
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


def scalar_spectrum_claim(id: str, statement: str, source: str, nonzero: Spectrum, at_zero: Spectrum,
                          convention: str | Convention = "A1", depths: Sequence[int] | None = None,
                          resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare the Hessian spectrum at nonzero balanced minimizers (in a, b, ρ, L) and at 0."""
    conv = get_convention(convention)
    checks = (
        Check("exact Hessian structure at balanced points", Tier.SYMBOLIC, _symbolic(nonzero, at_zero, depths)),
        Check("mpmath eigenvalues at global minimizers", Tier.HIGH_PRECISION,
              _high_precision(conv, nonzero, at_zero, depths)),
        Check("float64 eigenvalues over sign patterns", Tier.NUMERIC, _numeric(conv, nonzero, at_zero, depths)),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper,
                 shrink=_shrinker(conv, nonzero, depths))
