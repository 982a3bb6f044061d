"""The float64 tier of the scalar spectrum claim (``verify.claims.scalar_spectrum``): compiled Hessians at nonzero
balanced minimizers over many sign patterns per instance (every pattern's Hessian checked bit for bit to be
D_t·H(canonical)·D_t, ``spectrum_sign_symmetry``) and at 0, against the claimed eigenvalues; a float64 mismatch
refutes only when mpmath confirms it at the same (L, m, a, b).
"""
from __future__ import annotations

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention
from ..highprec import eigen, scalar as hp
from ..kernels.scalar import scalar_kernels, stationary_radii_batch
from ..symbolic.scalar import a, b, mabs, rho, sign_patterns
from .base import CheckResult, Verdict
from .context import RunContext
from .sampling import draw_targets, instances_per_depth
from .formula_values import float_route_disagrees, float_route_inconclusive
from .scalar_common import ClaimValueError
from .scope import depth_text
from .spectrum_sign_symmetry import SIGN_SYMMETRY_NOTE, eigs_by_sign_symmetry
from .spectrum_values import Spectrum, _expand_spectrum, _numbers, _wrong_count, spectrum_depths


def _confirm(L: int, m: float, aa: float, bb: float, signs, spec: list[tuple[sp.Expr, int]], dps: int) -> bool:
    """A float64 mismatch re-checked in mpmath at the same (L, m, a, b): True when the claimed eigenvalues
    (evaluated at high precision) differ from the mpmath Hessian's by more than 10^-(dps/2)·||H||."""
    work = dps + 10
    with mpmath.workdps(work):
        m_mp, a_mp, b_mp = (mpmath.mpf(sp.Rational(x).p) / sp.Rational(x).q for x in (m, aa, bb))
        if signs is None:
            w, r = [mpmath.mpf(0)] * L, mpmath.mpf(0)
        else:
            radii = hp.nonzero_stationary_radii(L, m_mp, a_mp, b_mp)
            if not radii:
                return False
            r = radii[-1]
            w = [r * int(si) for si in signs]
        eig = eigen.scalar_hessian_eigenvalues(w, m_mp, a_mp, b_mp)
        values = {a: sp.Float(a_mp, work), b: sp.Float(b_mp, work), rho: sp.Float(r, work),
                  mabs: sp.Float(abs(m_mp), work)}
        try:
            claimed = _numbers(spec, values, work)
        except ClaimValueError:  # the claim has no real value where the Hessian's eigenvalues are real
            return True
        scale = max(abs(e) for e in eig)
        return any(abs(e - c) > scale * mpmath.mpf(10) ** (-(dps // 2)) for e, c in zip(eig, claimed))


def _float_route(spec, columns, args, scale, L: int, instances: int, scope: str) -> CheckResult | None:
    """INCONCLUSIVE when the float64 values of a claimed eigenvalue are not its values (``float_route_disagrees``
    at a few points of the batch, relative to ||H||): float64 cannot judge such a claim either way."""
    for (e, _), values in zip(spec, columns):
        bad = float_route_disagrees(e, (a, b, rho, mabs), args, values, scale)
        if bad is not None:
            return float_route_inconclusive(f"depth {L}, eigenvalue {sp.sstr(e)[:60]}", bad, instances, scope=scope)
    return None


def _compare_batch(L, eig, claimed, tol, where: str, data: dict, spec, dps, instances: int, scope: str,
                   conflicts: list) -> tuple[CheckResult | None, float]:
    """Refute on the first float64 mismatch beyond 4·tol that mpmath confirms; unconfirmed ones are conflicts."""
    err = np.abs(eig - claimed).max(axis=1)
    err[~np.isfinite(err)] = np.inf  # a claim that is no finite float64 number here is a mismatch to confirm, not a pass
    worst = float(np.min(1 - err / (tol * 4)))
    for j in np.argsort(-(err / tol)):
        if err[j] <= 4 * tol[j]:
            break
        signs = None if data["signs"] is None else data["signs"][j]
        point = {"depth": L, "point": where, "m": float(data["m"][j]), "a": data["a"], "b": float(data["b"][j]),
                 "eigenvalues": eig[j].tolist(), "claimed": claimed[j].tolist()}
        if signs is not None:
            point.update(rho=float(data["rho"][j]), signs=list(map(float, signs)))
        if _confirm(L, float(data["m"][j]), data["a"], float(data["b"][j]), signs, spec, dps):
            return CheckResult(
                Verdict.REFUTED, f"depth {L}: float64 Hessian eigenvalues at the {where} differ from the claim by "
                f"{err[j]:.3e} (tolerance {4 * tol[j]:.3e}; confirmed in mpmath)", instances=instances,
                worst_margin=f"{1 - err[j] / (4 * tol[j]):.3e}", counterexample=point, scope=scope), worst
        conflicts.append(point)
        break
    return None, worst


def numeric_spectrum_check(conv: Convention, nonzero: Spectrum, at_zero: Spectrum, depths):
    """The float64 check of a scalar spectrum claim (pairs validated by ``scalar_spectrum_claim``)."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"spectrum-num:{conv.name}")
        eps = np.finfo(float).eps
        per = {0: 4, 1: 4, 2: 16}[ctx.profile.level]  # patterns per instance (all covered cyclically)
        cap = {0: 5, 1: 12, 2: 16}[ctx.profile.level]
        total, worst = 0, np.inf
        coverage, conflicts, sampled = {}, [], {}
        chosen = spectrum_depths(ctx, depths, cap)
        n = instances_per_depth(ctx.profile.instances, len(chosen))
        scope = (f"{depth_text(chosen)}, {n} random targets each at a nonzero minimizer ({per} sign patterns each) "
                 f"and {n} at 0 (depths ≥ 2)")
        tol_text = ("4·(32·L·eps·||H|| + ||H||·|∇F|/(|λ|_min·ρ)) per eigenvalue (at 0: 4·32·L·eps·||H||); a float64 "
                    "mismatch counts only when mpmath confirms it")
        for L in chosen:
            kern = scalar_kernels(L)
            nz = _expand_spectrum(nonzero, L)
            z0 = _expand_spectrum(at_zero, L)
            for spec in (nz, z0) if L >= 2 else (nz,):
                wrong = _wrong_count(spec, L, total, scope)
                if wrong is not None:
                    return wrong
            fn = sp.lambdify((a, b, rho, mabs), [e for e, _ in nz], "numpy")  # each value once, then repeated
            m = draw_targets(rng, n).floats  # the same draws, rounded once (no SymPy Rationals)
            aa = float(conv.a)
            # λ well below the threshold: the scale of b at which ρ^L ≈ |m|/2
            bb = aa * np.abs(m) ** (2 - 2 / L) * rng.uniform(0.01, 0.2, n)
            radii = stationary_radii_batch(L, np.abs(m), aa, bb)
            # every sign pattern is covered when 2^(L−1) ≤ instances·per: instance i takes the next
            # `per` patterns of the full list, cyclically; all instances of a depth form one batch
            all_pats = list(sign_patterns(L, 1)) if 2 ** (L - 1) <= n * per else None
            found = [i for i in range(n) if len(radii[i]) > 0]
            if all_pats is not None:
                # instance i takes patterns (i·per + j) mod K, j < min(per, K): all rows in one array pass
                K = len(all_pats)
                k = min(per, K)
                idx = np.repeat(np.array(found, dtype=int), k)
                codes = (idx * per + np.tile(np.arange(k), len(found))) % K
                S = np.array(all_pats, float)[codes] if len(idx) else np.zeros((0, L))
                n_covered = len(set(codes.tolist()))
            else:
                rows, pats_used = [], []
                for i in found:
                    for s in _random_patterns(rng, L, per):
                        rows.append(i)
                        pats_used.append(tuple(int(x) for x in s))
                idx = np.array(rows, dtype=int)
                S = np.array(pats_used, float) if pats_used else np.zeros((0, L))
                n_covered = len(set(pats_used))
            coverage[L] = (n_covered, 2 ** (L - 1))
            if len(idx):
                largest = np.zeros(n)
                largest[found] = [radii[i][-1] for i in found]
                r = largest[idx]
                S[:, -1] *= np.where(m[idx] < 0, -1.0, 1.0)
                W = r[:, None] * S
                H = kern.hessian(W, m[idx], aa, bb[idx])
                G = kern.gradient(W, m[idx], aa, bb[idx])
                eig, n_sampled = eigs_by_sign_symmetry(kern, H, S, np.array(found, dtype=int), idx, largest, m,
                                                       aa, bb)
                sampled[L] = n_sampled
                columns = [np.broadcast_to(np.asarray(v, float), r.shape) for v in fn(aa, bb[idx], r, np.abs(m[idx]))]
                norm = np.abs(eig).max(axis=1)
                unreliable = _float_route(nz, columns, (aa, bb[idx], r, np.abs(m[idx])), norm, L, total, scope)
                if unreliable is not None:
                    return unreliable
                claimed = np.sort(np.repeat(np.stack(columns, axis=1), [k for _, k in nz], axis=1), axis=1)
                # eigensolver backward error ~ L·eps·||H||; the float root ρ is off stationarity by
                # |∇F|, moving the Hessian by about ||H||·|∇F| / (λ_min·ρ)
                resid = np.linalg.norm(G, axis=1)
                tol = 32 * L * eps * norm + norm * resid / (np.abs(eig).min(axis=1) * r)
                total += len(S)
                data = {"m": m[idx], "a": aa, "b": bb[idx], "rho": r, "signs": S}
                bad, w = _compare_batch(L, eig, claimed, tol, "nonzero minimizer", data, nz, ctx.dps, total,
                                        scope, conflicts)
                if bad is not None:
                    return bad
                worst = min(worst, w)
            if L >= 2:
                # 0 is the global minimizer for b above b* (b* = a(|m| − x)x^((L−2)/L) < a|m|^(2−2/L), x < |m|)
                b0 = aa * np.abs(m) ** (2 - 2 / L) * rng.uniform(1.05, 3.0, n)
                H0 = kern.hessian(np.zeros((n, L)), m, aa, b0)
                eig0 = np.linalg.eigvalsh(H0)
                f0 = sp.lambdify((a, b, rho, mabs), [e for e, _ in z0], "numpy")
                columns0 = [np.broadcast_to(np.asarray(v, float), (n,)) for v in f0(aa, b0, 0.0, np.abs(m))]
                unreliable = _float_route(z0, columns0, (aa, b0, 0.0, np.abs(m)), np.abs(eig0).max(axis=1), L, total,
                                          scope)
                if unreliable is not None:
                    return unreliable
                claimed0 = np.sort(np.repeat(np.stack(columns0, axis=1), [k for _, k in z0], axis=1), axis=1)
                tol0 = 32 * L * eps * np.abs(eig0).max(axis=1)  # 0 is exactly stationary: eigensolver error only
                total += n
                bad, w = _compare_batch(L, eig0, claimed0, tol0, "0", {"m": m, "a": aa, "b": b0, "signs": None},
                                        z0, ctx.dps, total, scope, conflicts)
                if bad is not None:
                    return bad
                worst = min(worst, w)
        full = [L for L, (k, tot) in coverage.items() if k == tot]
        if conflicts:
            c = conflicts[0]
            return CheckResult(Verdict.INCONCLUSIVE, f"conflict: float64 says the eigenvalues at the {c['point']} "
                               f"(depth {c['depth']}) differ from the claim, high precision says they agree",
                               instances=total, scope=scope, tolerance=tol_text, details={"conflicts": conflicts[:5]})
        return CheckResult(Verdict.VERIFIED, f"compiled float64 Hessians match the claim at {total} points (nonzero "
                           f"minimizers and 0); all 2^(L−1) sign patterns covered at depths {full}",
                           instances=total, worst_margin=f"{worst:.3e}", scope=scope,
                           details={"sign_patterns_covered": {str(L): f"{k}/{tot}" for L, (k, tot) in coverage.items()},
                                    "sign_symmetry": SIGN_SYMMETRY_NOTE,
                                    "eigensolved_per_pattern (cross-check)": {str(L): k for L, k in sampled.items()}},
                           tolerance=tol_text)
    return run


def _random_patterns(rng: np.random.Generator, L: int, k: int):
    """k sign patterns with product +1 (last sign fixes the product)."""
    s = rng.choice([-1, 1], size=(k, L - 1))
    last = np.prod(s, axis=1, keepdims=True)
    return np.hstack([s, last])
