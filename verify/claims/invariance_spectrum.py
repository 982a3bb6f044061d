"""L7 spectral checks (docs/mathematics.md §L7): Hessian inertia along group orbits in float64 and
certified at ctx.dps digits; eigenvalues invariant for orthogonal groups, moving for GL.
"""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from verify import invariance as inv
from verify.claims.base import CheckResult, Verdict
from verify.claims.context import RunContext
from verify.claims.invariance_examples import ExampleSpec, GroupFactory, exact_to_mp, group_for
from verify.highprec.eigen import symmetric_eigenvalues
from verify.numbers import dec

SHIFT_TOL = 1e-9    # eigenvalue shifts relative to ||H||: eigvalsh backward error ~ d eps ||H||
MOVE_MIN = 1e-6     # a shift above this (relative) is a genuine movement, not roundoff


def spectrum_check(spec: ExampleSpec, factory: GroupFactory | None, eig_inv: bool) -> Callable[[RunContext], CheckResult]:
    """Hessian inertia invariant along orbits; eigenvalues invariant or moving as claimed."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.spec")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = group_for(spec, ex, factory)
        obj = ex.objective
        pts = list(ex.stationary) + [(f"random {i}", rng.standard_normal(obj.dim)) for i in range(3)]
        n_g = 3 if ctx.profile.level == 0 else 10
        Gs = group.sample(rng, n_g)
        max_shift, ambiguous, mismatch, per_point = 0.0, 0, None, {}
        all_orth = all(inv.is_orthogonal(G) for G in Gs)
        for lab, xs in pts:
            for G in Gs:
                r = inv.spectrum_shift(obj, G, xs)
                ambiguous += r["inertia_x"].ambiguous + r["inertia_gx"].ambiguous
                if r["inertia_x"].as_tuple() != r["inertia_gx"].as_tuple() and mismatch is None:
                    mismatch = {"point": lab, "G": G.tolist(), "inertia_x": r["inertia_x"].as_tuple(),
                                "inertia_gx": r["inertia_gx"].as_tuple()}
                max_shift = max(max_shift, r["shift"])
                per_point[lab] = max(per_point.get(lab, 0.0), r["shift"])
                per_point[lab + " inertia"] = r["inertia_x"].as_tuple()
        tol = (f"inertia: |eig| <= 1e-9 ||H|| is zero, > 1e-6 ||H|| signed, between = ambiguous; "
               f"eigenvalue invariance: shift <= {SHIFT_TOL:g} ||H||; movement: shift > {MOVE_MIN:g} ||H||")
        details = {"group": group.name, "orthogonal": all_orth, "max_relative_shift": max_shift,
                   "per_point": per_point, "claimed_eigenvalues_invariant": eig_inv}
        base = dict(instances=len(pts) * n_g, tolerance=tol, details=details)
        if mismatch is not None:
            return CheckResult(Verdict.REFUTED, f"inertia differs between x and Gx at {mismatch['point']}",
                               counterexample=mismatch, **base)
        if ambiguous:
            return CheckResult(Verdict.INCONCLUSIVE, f"{ambiguous} eigenvalues in the grey band: inertia unresolved", **base)
        if eig_inv:
            if max_shift > SHIFT_TOL:
                return CheckResult(Verdict.REFUTED, f"eigenvalues claimed invariant but move by {max_shift:.3e} of ||H||",
                                   worst_margin=f"{1 - max_shift / SHIFT_TOL:.6f}",
                                   counterexample={"max_relative_shift": max_shift}, **base)
            return CheckResult(Verdict.VERIFIED, f"inertia and eigenvalues invariant (max shift {max_shift:.1e} of ||H||)",
                               worst_margin=f"{1 - max_shift / SHIFT_TOL:.6f}", **base)
        if all_orth:
            return CheckResult(Verdict.REFUTED, "eigenvalues claimed to move, but every sampled G is orthogonal, "
                               f"so they cannot (measured shift {max_shift:.1e})", **base)
        if max_shift <= MOVE_MIN:
            return CheckResult(Verdict.INCONCLUSIVE, f"inertia invariant but no eigenvalue movement seen ({max_shift:.1e})", **base)
        return CheckResult(Verdict.VERIFIED, f"inertia invariant at {len(pts)} points x {n_g} elements; eigenvalues "
                                             f"move by up to {max_shift:.3f} of ||H||", **base)
    return run


def hp_spectrum_check(spec: ExampleSpec, factory: GroupFactory | None, eig_inv: bool) -> Callable[[RunContext], CheckResult]:
    """The inertia's zero band certified at ctx.dps digits, with the claimed eigenvalue behaviour."""
    def run(ctx: RunContext) -> CheckResult:
        dps = ctx.dps
        with mpmath.workdps(dps):
            ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), True)
            exf = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
            group = group_for(spec, exf, factory)
            k = max(1, min(ctx.profile.hp_instances, 2 if ctx.profile.level == 0 else 6))
            Gs = group.exact_sample(ctx.rng(f"inv.{spec.key}.hp.g"), k)
            pts = list(ex.stationary)
            ptsf = dict(exf.stationary)
            if ctx.profile.level == 0:
                pts = pts[:1] + pts[-2:]
            zero_tol = mpmath.mpf(10) ** (-(dps - 10))
            worst_zero, min_clear, max_shift, digits = mpmath.mpf(0), mpmath.inf, mpmath.mpf(0), 99.0
            mismatch = None
            Gms = [exact_to_mp(G) for G in Gs]
            for lab, xs in pts:
                e0 = symmetric_eigenvalues(ex.objective.hess(xs).tolist())
                scale = max(abs(v) for v in e0)
                ef = np.linalg.eigvalsh(exf.objective.hess(ptsf[lab]))
                for a, b in zip(e0, ef):
                    if abs(a) > 1e-6 * scale:
                        digits = min(digits, float(-mpmath.log10(abs(a - b) / abs(a) + mpmath.mpf(10) ** -30)))
                for Gm in Gms:
                    e1 = symmetric_eigenvalues(ex.objective.hess(Gm @ xs).tolist())
                    sc = max(scale, max(abs(v) for v in e1))
                    inert = []
                    for e in (e0, e1):
                        z = [v for v in e if abs(v) <= zero_tol * sc]
                        c = [v for v in e if abs(v) > 1e-6 * sc]
                        if z:
                            worst_zero = max(worst_zero, max(abs(v) for v in z) / sc)
                        if c:
                            min_clear = min(min_clear, min(abs(v) for v in c) / sc)
                        if len(z) + len(c) != len(e):
                            return CheckResult(Verdict.INCONCLUSIVE, f"eigenvalue between 1e-{dps - 10} and 1e-6 of "
                                               f"||H|| at {lab}: zero band not certified at {dps} digits")
                        inert.append((sum(v > 0 for v in c), sum(v < 0 for v in c), len(z)))
                    if inert[0] != inert[1] and mismatch is None:
                        mismatch = {"point": lab, "inertia": inert}
                    max_shift = max(max_shift, max(abs(a - b) for a, b in zip(e0, e1)) / sc)
            tol = (f"zero band |eig| <= 1e-{dps - 10} ||H|| at {dps} digits, signed band > 1e-6 ||H||; "
                   f"float64 eigenvalues must agree to >= 8 digits")
            details = {"dps": dps, "worst_zero": dec(worst_zero, 3), "smallest_nonzero": dec(min_clear, 6),
                       "max_relative_shift": dec(max_shift, 8), "float64_digits": round(digits, 2)}
            base = dict(instances=len(pts) * len(Gs), tolerance=tol, details=details, digits=digits)
            if mismatch:
                return CheckResult(Verdict.REFUTED, f"inertia changes at {dps} digits at {mismatch['point']}",
                                   counterexample=mismatch, **base)
            if digits < 8:
                return CheckResult(Verdict.INCONCLUSIVE, f"float64 and {dps}-digit spectra agree to only {digits:.1f} digits", **base)
            if eig_inv and max_shift > zero_tol:
                return CheckResult(Verdict.REFUTED, f"eigenvalues claimed invariant move by {dec(max_shift, 4)} of ||H|| "
                                   f"at {dps} digits", counterexample={"shift": dec(max_shift, 8)}, **base)
            exact_orth = all(G.T * G == sp.eye(G.rows) for G in Gs)
            if not eig_inv and exact_orth and max_shift <= zero_tol:
                return CheckResult(Verdict.REFUTED, f"eigenvalues claimed to move, but every sampled element is exactly "
                                                    f"orthogonal (G^T G = I in exact arithmetic), so hess f(Gx) = G hess "
                                                    f"f(x) G^T is similar to hess f(x); measured shift "
                                                    f"{dec(max_shift, 3)} of ||H|| at {dps} digits",
                                   counterexample={"shift": dec(max_shift, 8), "group_element": str(Gs[0].tolist())},
                                   **base)
            if not eig_inv and max_shift <= MOVE_MIN:
                return CheckResult(Verdict.INCONCLUSIVE, "no eigenvalue movement at high precision", **base)
            return CheckResult(Verdict.VERIFIED, f"inertia certified at {dps} digits (zeros <= {dec(worst_zero, 2)}, "
                                                 f"nonzeros >= {dec(min_clear, 3)} of ||H||); max eigenvalue shift "
                                                 f"{dec(max_shift, 4)}; float64 agrees to {digits:.1f} digits", **base)
    return run
