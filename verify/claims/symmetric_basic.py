"""Checks of Li et al. 2019 L1 (symmetry) and L2 (stationary points) for F_c(X) = c·||XXᵀ − M||_F².

The kinds are ``verify.claims.symmetric_kinds`` (the catalogue declares its claims in
``proofs.li_2019.symmetric``); each check takes the claimed quantities
(c, the perturbation of R, the exponent, scale and index-set family) as arguments.
See docs/mathematics.md §L1, §L2.
"""
from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from ..kernels.symmetric import float_tol
from .derivation import step
from .base import CheckResult, Verdict
from .context import RunContext

FAMILIES = ("subsets", "prefixes", "nonempty")


def family_sets(family: str, p: int, r: int) -> list[tuple[int, ...]]:
    """Claimed index sets: every S ⊆ {1..p}, |S| ≤ r ("subsets", the claim), only S = {1..k} ("prefixes"),
    or every S but the empty one ("nonempty": a claim that forgets X = 0). The family alone decides
    whether X = 0 (S = ∅) is claimed."""
    if family == "subsets":
        return [S for k in range(min(r, p) + 1) for S in itertools.combinations(range(p), k)]
    if family == "prefixes":
        return [tuple(range(k)) for k in range(min(r, p) + 1)]
    if family == "nonempty":
        return [S for k in range(1, min(r, p) + 1) for S in itertools.combinations(range(p), k)]
    raise UsageError(f"family must be one of {FAMILIES}, got {family!r}")


def finite_or_inf(rel: float) -> float:
    """A discrepancy, with NaN read as infinite: ``max`` and ``>`` pass a NaN over silently, and a closed form that
    is no finite number at a valid instance is a discrepancy (``discrepancy_verdict`` refutes it)."""
    return rel if math.isfinite(rel) else math.inf


#: exact probe values for the symbols of an expression SymPy cannot simplify to 0 (distinct, away from 0 and ±1)
PROBES = (sp.Rational(7, 3), sp.Rational(2, 11), sp.Rational(5, 4), sp.Rational(3, 7), sp.Rational(9, 2),
          sp.Rational(4, 13), sp.Rational(11, 6), sp.Rational(6, 5))


def _nonzero_somewhere(value: sp.Expr) -> bool:
    """True when ``value`` is certainly nonzero at exact probe values of its symbols (``exact_sign``): then it is
    not identically 0. False proves nothing."""
    from .property_exact import exact_sign

    syms = sorted(value.free_symbols, key=str)
    at = {s: PROBES[i % len(PROBES)] + i // len(PROBES) for i, s in enumerate(syms)}
    return exact_sign(value.xreplace(at)) not in (0, None)


def discrepancy_verdict(rel: float, tol: float, refute: float) -> Verdict:
    """rel ≤ tol: verified; rel > refute: refuted; in between: inconclusive (float64 cannot tell)."""
    if not np.isfinite(rel) or rel > refute:
        return Verdict.REFUTED
    return Verdict.VERIFIED if rel <= tol else Verdict.INCONCLUSIVE


# ---------------------------------------------------------------- L1 symmetry

def symmetry_symbolic(ctx: RunContext, c: sp.Rational, s: sp.Rational) -> CheckResult:
    from verify.symbolic.symmetric import orbit_residual_numerators

    bad = []
    sizes = [(2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 2)]
    for n, r in sizes:
        residuals = orbit_residual_numerators(n, r, c, s)
        for name in ("F", "gradient", "Hessian"):
            if any(z != 0 for z in residuals[name]):
                bad.append(f"{name} (n={n}, r={r})")
    if bad:
        return CheckResult(Verdict.REFUTED, f"not invariant/equivariant exactly: {', '.join(bad)}",
                           counterexample={"perturb": str(s), "failed": bad})
    return CheckResult(Verdict.VERIFIED, f"exact identities with a symbolic Cayley rotation for n,r in {sizes}",
                       details={"sizes": sizes, "c": str(c)},
                       proved_for=f"every real X (n×r), every symmetric M and every rotation R = (I − K)(I + K)⁻¹ "
                                  f"(K skew: every rotation without eigenvalue −1) scaled by {s}, c = {c}, "
                                  f"(n, r) in {sizes}",
                       derivation=[
                           step("F_c(X) = c·||XXᵀ − M||²; with R = (I − K)(I + K)⁻¹, K skew with free entries",
                                "RRᵀ = I, so (XR)(XR)ᵀ = XXᵀ"),
                           step("R = s·P/d with P = (I − K)·adj(I + K), d = det(I + K) ≠ 0; each residual times "
                                "d^D (D = degree in X: 4, 3, 2) is a polynomial in X, M, K, expanded in "
                                "Q[X, M, K] and found to be 0", "d⁴·(F(XR) − F(X)) = 0"),
                           step("entrywise gradient and Hessian, compared after the substitution X ↦ XR "
                                "(every numerator expands to 0)", "∇F(XR) = ∇F(X)·R,  ∇²F(XR) = K_R·∇²F(X)·K_Rᵀ, "
                                                                 "K_R = I ⊗ Rᵀ"),
                       ])


def symmetry_highprec(ctx: RunContext, c: sp.Rational, s: sp.Rational) -> CheckResult:
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


def symmetry_numeric(ctx: RunContext, c: sp.Rational, s: sp.Rational) -> CheckResult:
    from verify.kernels.symmetric import gradient, hessian_matrix, objective, random_orthogonal

    rng = ctx.rng("li.symmetry.num")
    cf = float(c)
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
        rel = np.where(np.isfinite(rel), rel, np.inf)  # a NaN discrepancy is no agreement (``finite_or_inf``)
        i = int(np.argmax(np.max(rel, axis=0)))
        if np.max(rel) > worst_rel:
            worst_rel = float(np.max(rel))
            worst_case = {"n": n, "r": r, "X": X[i].tolist(), "M": M[i].tolist(), "R": R[i].tolist()}
        count += b
    tol = float_tol(15)
    verdict = discrepancy_verdict(worst_rel, tol, 1e3 * tol)
    return CheckResult(verdict, f"worst relative orbit discrepancy {worst_rel:.2e} over {count} instances",
                       instances=count, worst_margin=f"{-worst_rel:.3e}",
                       tolerance=f"{tol:.1e}: ~1e2·nr·eps relative to ||H|| (eigvalsh backward error, nr ≤ 15)",
                       counterexample=worst_case if verdict is Verdict.REFUTED else None)


# ---------------------------------------------------------------- L2 stationary points

def stationary_symbolic(ctx: RunContext, c: sp.Rational, e: sp.Rational, f: sp.Rational, family: str) -> CheckResult:
    """Claimed points stationary exactly; for r = 1 the complete solution set of ∇F = 0 is the family."""
    exact = e == sp.Rational(1, 2)
    from verify.symbolic.exact_linalg import nsimplify_cached
    from verify.symbolic.symmetric import solve_rank_one_stationary, stationary_gradient

    sizes = [(2, 1), (2, 2)] + ([(3, 1), (3, 2)] if ctx.profile.level >= 1 else [])
    if not exact:
        sizes = [(2, 1)]  # non-polynomial Λ^e: rotation-free, smallest size (enough to refute)
    bad, undecided = [], []
    for n, r in sizes:
        for S in family_sets(family, n, r):
            g = stationary_gradient(n, r, S, c, exponent=e, rotate=exact, scale=f)
            rest = [v for v in g if sp.simplify(v) != 0]
            if rest:  # simplify not reaching 0 proves nothing: a probe where an entry is certainly nonzero does
                (bad if any(_nonzero_somewhere(v) for v in rest) else undecided).append(
                    {"n": n, "r": r, "S": [i + 1 for i in S]})
    if bad:
        return CheckResult(Verdict.REFUTED, f"claimed points with nonzero gradient: {bad[:3]}",
                           counterexample={"nonstationary": bad[:5], "exponent": str(e), "scale": str(f)})
    # completeness for r = 1, M = diag(λ) (every M up to the left rotation X ↦ UᵀX), rational λ drawn
    # at random: all complex solutions of the zero-dimensional system, each substituted back
    missing, spurious = [], 0
    rng = ctx.rng("li.stationary.sym")
    for n in (2, 3, 4) if ctx.profile.level >= 1 else (2, 3):
        lam = sorted({sp.Rational(int(k), 7) for k in rng.choice(np.arange(1, 60), size=n, replace=False)},
                     reverse=True)
        sols, bad_count = solve_rank_one_stationary(lam)
        spurious += bad_count
        claimed = set()  # X = 0 is claimed only if the family has S = ∅
        for S in family_sets(family, n, 1):
            for sign in (1, -1) if S else (1,):
                v = [sp.Integer(0)] * n
                for i in S:
                    v[i] = sign * f * lam[i] ** e
                claimed.add(tuple(nsimplify_cached(x) for x in v))
        for sol in sols:
            if sol not in claimed:
                missing.append({"n": n, "lambda": [str(x) for x in lam], "solution": [str(x) for x in sol]})
    if missing:
        return CheckResult(Verdict.REFUTED, f"stationary points outside the claimed family: {missing[:3]}",
                           counterexample={"unexplained": missing[:5], "family": family})
    if undecided or spurious:  # an unconfirmed solver solution may be a true one the family lacks
        return CheckResult(Verdict.INCONCLUSIVE, f"SymPy could not decide ∇F = 0 at {undecided[:3]} or confirm "
                           f"{spurious} solver solution(s): completeness not shown",
                           details={"undecided": undecided[:5], "spurious_solver_solutions": spurious})
    return CheckResult(Verdict.VERIFIED,
                       f"every claimed X_S has ∇F = 0 exactly (symbolic σ, Cayley U, Ψ; n,r in {sizes}); "
                       "for r = 1 the complete (Gröbner) solution set of ∇F = 0 is exactly the family",
                       details={"sizes": sizes, "c": str(c), "spurious_solver_solutions_discarded": spurious})


def stationary_highprec(ctx: RunContext, c: sp.Rational, e: sp.Rational, f: sp.Rational, family: str) -> CheckResult:
    from verify.highprec.symmetric import (gradient_mp, matrix_from_spectrum, max_abs,
                                           random_orthogonal_mp)
    from verify.kernels.symmetric import random_spectrum

    rng = ctx.rng("li.stationary.hp")
    worst, count, bad = math.inf, 0, None
    with mpmath.workdps(ctx.dps + 10):
        cm = mpmath.mpf(c.p) / c.q
        for _ in range(ctx.profile.hp_instances):
            n = int(rng.integers(2, 5))
            r = int(rng.integers(1, n + 1))
            p = int(rng.integers(1, n + 1))
            lam = [mpmath.mpf(float(x)) for x in random_spectrum(rng, n, p)]
            U = random_orthogonal_mp(rng, n, ctx.dps)
            Psi = random_orthogonal_mp(rng, r, ctx.dps)
            M = matrix_from_spectrum(lam, U)
            for S in family_sets(family, p, r):
                X = mpmath.matrix(n, r)
                for q, i in enumerate(S):
                    root = (mpmath.mpf(f.p) / f.q) * lam[i] ** (mpmath.mpf(e.p) / e.q)
                    for a in range(n):
                        for k in range(r):
                            X[a, k] += U[a, i] * root * Psi[q, k]
                g = max_abs(gradient_mp(X, M, cm))
                d = math.inf if g == 0 else float(-mpmath.log10(g / (4 * cm * lam[0] ** 1.5)))
                count += 1
                if d < worst:
                    worst = d
                    bad = {"n": n, "r": r, "S": [i + 1 for i in S], "lambda": [str(x) for x in lam]}
    need = ctx.dps - 10
    verdict = Verdict.VERIFIED if worst >= need else Verdict.REFUTED
    return CheckResult(verdict, f"||∇F(X_S)|| / (4c λ_1^1.5) ≤ 1e-{worst:.1f} at {count} claimed points",
                       digits=worst, instances=count,
                       tolerance=f"relative gradient ≤ 1e-{need} at {ctx.dps} digits (rounding only)",
                       counterexample=bad if verdict is Verdict.REFUTED else None)


def stationary_numeric(ctx: RunContext, c: sp.Rational, e: sp.Rational, f: sp.Rational, family: str) -> CheckResult:
    from verify.kernels.symmetric import (classify, gradient, hessian_matrix, index_sets,
                                          random_instances, solve_gradient_batch)

    rng = ctx.rng("li.stationary.num")
    cf = float(c)
    n_inst = 6 if ctx.profile.level == 0 else 20 if ctx.profile.level == 1 else 60
    starts = 10 if ctx.profile.level == 0 else 25
    found_total, converged, unexplained, outside_family, loose = 0, 0, [], [], 0
    coverage = []
    worst_res = 0.0
    fallback = 0
    insts = random_instances(rng, n_inst)
    x0s_all = []
    for case, inst in insts:
        x0s = []
        for _ in range(starts):
            # diverse starts: random scale, random columns shrunk (reach low-rank stationary points too)
            cols = rng.choice([1.0, 1e-3], size=inst.r) * rng.choice([0.3, 1.0, 2.0])
            x0s.append((rng.standard_normal((inst.n, inst.r)) * cols) * math.sqrt(inst.lam[0]))
        x0s_all.append(x0s)
    # every start of every instance of one shape (n, r) in one batched Levenberg–Marquardt: a start's steps
    # depend on its own X, M and scale only, so it ends where a batch of its own instance's starts ends
    solved: list = [None] * len(insts)
    shapes: dict[tuple[int, int], list[int]] = {}
    for i, (_, inst) in enumerate(insts):
        shapes.setdefault((inst.n, inst.r), []).append(i)
    for idx in shapes.values():
        group = [insts[i][1] for i in idx]
        X0 = np.concatenate([np.array(x0s_all[i]) for i in idx])
        Ms = np.concatenate([np.broadcast_to(g.M, (starts, g.n, g.n)) for g in group])
        scales = np.repeat([4 * cf * g.lam[0] ** 1.5 for g in group], starts)
        sols, gnorms = solve_gradient_batch(X0, Ms, cf, scales)
        for j, i in enumerate(idx):
            solved[i] = (sols[j * starts:(j + 1) * starts], gnorms[j * starts:(j + 1) * starts])
    for (case, inst), x0s, (sols, gnorms) in zip(insts, x0s_all, solved):
        n, r = inst.n, inst.r
        M = inst.M
        scale = 4 * cf * inst.lam[0] ** 1.5
        claimed = set(family_sets(family, inst.p, r))
        seen = set()
        # SciPy's MINPACK LM from the same start for any that the batch leaves above the convergence threshold
        # (same starts, same test)
        for x0, X, gn in zip(x0s, sols, gnorms):
            if gn > 1e-11 * scale:
                from scipy.optimize import least_squares  # only when needed: the import costs ≈ 0.5 s

                fallback += 1
                sol = least_squares(lambda x: gradient(x.reshape(n, r), M, cf).ravel(), x0.ravel(),
                                    jac=lambda x: hessian_matrix(x.reshape(n, r), M, cf),
                                    method="lm", xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=400)
                X = sol.x.reshape(n, r)
            found_total += 1
            if np.linalg.norm(gradient(X, M, cf)) > 1e-11 * scale:
                continue
            converged += 1
            S, res = classify(X, inst, 1e-6, float(e), float(f))  # against the claimed exponent and scale
            worst_res = max(worst_res, res if S is not None else 0.0)
            if S is None:
                if res > 1e-3:
                    unexplained.append({"case": case, "lambda": inst.lam.tolist(), "U": inst.U.tolist(),
                                        "X": X.tolist(), "residual": res})
                else:
                    loose += 1
                continue
            seen.add(S)
            if S not in claimed:
                outside_family.append({"S": [i + 1 for i in S], "lambda": inst.lam.tolist(),
                                       "U": inst.U.tolist(), "X": X.tolist(), "family": family})
        coverage.append(f"{case} n={n} r={r} p={inst.p}: {len(seen)}/{len(index_sets(inst))} index sets reached")
    details = {"coverage": coverage, "starts": found_total, "converged": converged,
               "loosely_classified": loose, "scipy_fallback_solves": fallback,
               "outside_claim": "repeated eigenvalues (then U_S is any basis of the eigenspaces) are not "
                                "sampled: the claim assumes distinct positive λ"}
    tol = "converged: ||∇F|| ≤ 1e-11·4cλ_1^1.5; classified: ||XXᵀ − U_SΛ_SU_Sᵀ|| ≤ 1e-6·λ_1 (distance " \
          "≲ residual/eigen-gap, gaps ≥ 0.05λ_1; flat directions give ≲ (1e-11)^(2/3)); unexplained: > 1e-3"
    if unexplained or outside_family:
        cx = (unexplained or outside_family)[0]
        return CheckResult(Verdict.REFUTED,
                           f"{len(unexplained)} stationary points of no form U_SΛ_S^(1/2)Ψ, "
                           f"{len(outside_family)} outside the claimed family",
                           instances=converged, counterexample=cx, details=details, tolerance=tol)
    verdict = Verdict.VERIFIED if converged >= found_total // 2 and loose == 0 else Verdict.INCONCLUSIVE
    return CheckResult(verdict, f"{converged}/{found_total} Levenberg–Marquardt solves of ∇F = 0 converged; "
                                f"every one is U_SΛ_S^(1/2)Ψ (worst residual {worst_res:.1e})",
                       instances=converged, details=details, tolerance=tol,
                       worst_margin=f"{worst_res:.3e}")
