"""Li et al. 2019, claims L1–L5 for F_c(X) = c·||XXᵀ − M||_F² (MATH.md Part II).

Each claim is built by a factory whose claimed quantities (transform, exponent, family of index
sets, closed-form spectra, bounds, null-space dimension, region constants, the c the constants are
stated for) are parameters, so tests can perturb them and watch the claim come out refuted.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict
from verify.errors import UsageError
from verify.numbers import parse_rational

from . import PAPER
from ._li_common import (SOURCE, c_float, float_tol, margin_verdict, near_tie_report,
                         random_instances, symbolic_sizes)

ROUTES = "symbolic (entrywise SymPy), mpmath operator form, batched float64 einsum"


# ====================================================================== L1 symmetry

def symmetry_claim(c: Any = "1/4", perturb: Any = "1") -> Claim:
    """L1: F(XR) = F(X), ∇F(XR) = ∇F(X)R, ∇²F(XR) = K∇²F(X)Kᵀ (K = I ⊗ Rᵀ), for R ∈ O(r).

    ``perturb`` multiplies R (1 = the claim; anything else claims invariance under non-orthogonal maps).
    """
    c = parse_rational(c, "c")
    if c <= 0:
        raise UsageError("c must be positive")
    s = parse_rational(perturb, "perturb")

    def symbolic(ctx: RunContext) -> CheckResult:
        from verify.symbolic.symmetric import cayley, derivatives, entry_symbols, rotation_symbols

        bad = []
        sizes = [(2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 2)]
        for n, r in sizes:
            F, grad, hess = derivatives(n, r, c)
            X, _ = entry_symbols(n, r)
            R = s * cayley(rotation_symbols(r, "t"), r)
            XR = X * R
            sub = {X[a, k]: XR[a, k] for a in range(n) for k in range(r)}
            dF = sp.cancel(F.xreplace(sub) - F)
            dG = (grad.xreplace(sub) - grad * R).applyfunc(sp.cancel)
            Kr = sp.kronecker_product(sp.eye(n), R.T)
            dH = (hess.xreplace(sub) - Kr * hess * Kr.T).applyfunc(sp.cancel)
            for name, z in (("F", dF), ("gradient", dG), ("Hessian", dH)):
                zero = z == 0 if not isinstance(z, sp.MatrixBase) else all(e == 0 for e in z)
                if not zero:
                    bad.append(f"{name} (n={n}, r={r})")
        if bad:
            return CheckResult(Verdict.REFUTED, f"not invariant/equivariant exactly: {', '.join(bad)}",
                               counterexample={"perturb": str(s), "failed": bad})
        return CheckResult(Verdict.VERIFIED, f"exact identities with a symbolic Cayley rotation for n,r in {sizes}",
                           details={"sizes": sizes, "c": str(c)})

    def highprec(ctx: RunContext) -> CheckResult:
        from verify.highprec.symmetric import (gradient_mp, hessian_mp, max_abs, objective_mp,
                                               random_orthogonal_mp, sorted_eigenvalues)

        rng = ctx.rng("li.symmetry.hp")
        worst = math.inf
        with mpmath.workdps(ctx.dps + 10):
            cm = mpmath.mpf(c.p) / c.q
            sm = mpmath.mpf(s.p) / s.q
            for _ in range(ctx.profile.hp_instances):
                n, r = int(rng.integers(2, 5)), int(rng.integers(1, 4))
                X = mpmath.matrix(rng.standard_normal((n, r)).tolist())
                B = mpmath.matrix(rng.standard_normal((n, n)).tolist())
                M = B * B.T
                R = random_orthogonal_mp(rng, r, ctx.dps) * sm
                K = mpmath.matrix(n * r, n * r)
                for a, k, l in itertools.product(range(n), range(r), range(r)):
                    K[a * r + k, a * r + l] = R[l, k]
                F0, F1 = objective_mp(X, M, cm), objective_mp(X * R, M, cm)
                G0, G1 = gradient_mp(X, M, cm), gradient_mp(X * R, M, cm)
                H0, H1 = hessian_mp(X, M, cm), hessian_mp(X * R, M, cm)
                e0, e1 = sorted_eigenvalues(H0), sorted_eigenvalues(H1)
                rels = [abs(F1 - F0) / abs(F0), max_abs(G1 - G0 * R) / max_abs(G0),
                        max_abs(H1 - K * H0 * K.T) / max_abs(H0),
                        max(abs(x - y) for x, y in zip(e0, e1)) / max_abs(H0)]
                for rel in rels:
                    worst = min(worst, math.inf if rel == 0 else float(-mpmath.log10(rel)))
        need = ctx.dps - 10
        verdict = Verdict.VERIFIED if worst >= need else Verdict.REFUTED
        return CheckResult(verdict, f"F, ∇F, ∇²F and spectra agree on orbits to {worst:.1f} digits",
                           digits=worst, instances=ctx.profile.hp_instances,
                           tolerance=f">= {need} digits at {ctx.dps} (rounding only; no cancellation)")

    def numeric(ctx: RunContext) -> CheckResult:
        from verify.kernels.symmetric import gradient, hessian_matrix, objective, random_orthogonal

        rng = ctx.rng("li.symmetry.num")
        cf = c_float(c)
        worst_rel, worst_case = 0.0, None
        count = 0
        for n, r in [(2, 1), (3, 2), (4, 3), (5, 2)]:
            b = max(1, ctx.profile.instances // 4)
            X = rng.standard_normal((b, n, r))
            B = rng.standard_normal((b, n, n))
            M = B @ np.swapaxes(B, -1, -2)
            R = random_orthogonal(rng, r, (b,)) * float(s)
            XR = X @ R
            K = np.einsum("ab,...lk->...akbl", np.eye(n), R).reshape(b, n * r, n * r)
            F0, F1 = objective(X, M, cf), objective(XR, M, cf)
            G0, G1 = gradient(X, M, cf), gradient(XR, M, cf)
            H0, H1 = hessian_matrix(X, M, cf), hessian_matrix(XR, M, cf)
            e0, e1 = np.linalg.eigvalsh(H0), np.linalg.eigvalsh(H1)
            hs = np.max(np.abs(H0), axis=(-1, -2))
            rel = np.stack([np.abs(F1 - F0) / np.abs(F0),
                            np.max(np.abs(G1 - G0 @ R), axis=(-1, -2)) / np.max(np.abs(G0), axis=(-1, -2)),
                            np.max(np.abs(H1 - K @ H0 @ np.swapaxes(K, -1, -2)), axis=(-1, -2)) / hs,
                            np.max(np.abs(e1 - e0), axis=-1) / hs])
            i = int(np.argmax(np.max(rel, axis=0)))
            if np.max(rel) > worst_rel:
                worst_rel = float(np.max(rel))
                worst_case = {"n": n, "r": r, "X": X[i].tolist(), "M": M[i].tolist(), "R": R[i].tolist()}
            count += b
        tol = float_tol(20)
        verdict = margin_verdict(-worst_rel, tol, refute_below=-1e3 * tol)
        return CheckResult(verdict, f"worst relative orbit discrepancy {worst_rel:.2e} over {count} instances",
                           instances=count, worst_margin=f"{-worst_rel:.3e}",
                           tolerance=f"{tol:.1e}: ~1e2·nr·eps relative to ||H|| (eigvalsh backward error, nr ≤ 15)",
                           counterexample=worst_case if verdict is Verdict.REFUTED else None)

    return Claim(
        id="li.symmetry",
        statement="F_c(XR) = F_c(X) for all R ∈ O(r); ∇F_c(XR) = ∇F_c(X)R, ∇²F_c(XR) = (I⊗Rᵀ)∇²F_c(X)(I⊗R) "
                  "(row-major vec), hence the Hessian spectrum is constant on orbits.",
        source=SOURCE + "; MATH.md L1",
        checks=(Check("exact identities, symbolic Cayley rotation", Tier.SYMBOLIC, symbolic),
                Check("orbit invariance at 50+ digits", Tier.HIGH_PRECISION, highprec),
                Check("batched float64 orbit invariance", Tier.NUMERIC, numeric)),
        resolutions=(f"c = {c} (F_c = c·||XXᵀ − M||²; invariance holds for every c)",),
        paper=PAPER,
    )


from ._li_stationary import stationary_points_claim  # noqa: E402
from ._li_spectra import null_space_claim, strict_saddles_claim  # noqa: E402
from ._li_regions import regions_claim  # noqa: E402


def claims() -> list[Claim]:
    """L1–L5 at c = 1/4."""
    return [symmetry_claim(), stationary_points_claim(), strict_saddles_claim(), null_space_claim(),
            regions_claim()]


__all__ = ["claims", "symmetry_claim", "stationary_points_claim", "strict_saddles_claim",
           "null_space_claim", "regions_claim", "ROUTES"]
