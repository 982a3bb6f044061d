"""L6 symbolic checks (docs/mathematics.md §L6): the full orthonormal basis gives G = F, the scaled
symmetrized Gaussian ensemble is isotropic, and the hand derivatives agree with SymPy's.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import sympy as sp

from verify import sensing as sen
from verify.claims.base import CheckResult, Strength, Verdict
from verify.claims.context import RunContext
from verify.claims.derivation import step
from verify.claims.sensing_common import EXACT_TOL, SensingParams


def full_basis_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """G = F exactly for the (scaled) orthonormal basis of Sym(n): SymPy polynomial identity."""
    def run(ctx: RunContext) -> CheckResult:
        sizes = [(2, 1), (3, 1)] if ctx.profile.level == 0 else [(2, 1), (3, 1), (3, 2)]
        c = p.c
        fails = []
        for n, r in sizes:
            X = sp.Matrix(n, r, sp.symbols(f"x0:{n * r}", real=True))
            msym = sp.symbols(f"m0:{n * (n + 1) // 2}", real=True)
            M = sp.zeros(n, n)
            idx = 0
            basis = []
            for i in range(n):
                for j in range(i, n):
                    M[i, j] = M[j, i] = msym[idx]
                    idx += 1
                    B = sp.zeros(n, n)
                    if i == j:
                        B[i, i] = 1
                    else:
                        B[i, j] = B[j, i] = 1 / sp.sqrt(2)
                    basis.append(B)
            E = X * X.T - M
            F = c * sum(e ** 2 for e in E)
            G = c * sum((p.basis_scale * sum(Bk[i, j] * E[i, j] for i in range(n) for j in range(n))) ** 2
                        for Bk in basis)
            diff = sp.expand(G - F)
            if diff != 0:
                fails.append({"n": n, "r": r, "G-F": str(sp.factor(diff))[:200]})
        tol = "exact: G - F must expand to the zero polynomial in X and M"
        details = {"sizes": sizes, "basis_scale": str(p.basis_scale)}
        if fails:
            return CheckResult(Verdict.REFUTED, f"G != F for the orthonormal basis scaled by {p.basis_scale}",
                               instances=len(sizes), tolerance=tol, counterexample=fails[0], details=details)
        return CheckResult(Verdict.VERIFIED, f"G = F identically for the full orthonormal basis of Sym(n) "
                                             f"(scale {p.basis_scale}), (n, r) in {sizes}",
                           instances=len(sizes), tolerance=tol, details=details,
                           proved_for=f"every real X (n×r) and every symmetric M, (n, r) in {sizes}, c = {c}",
                           derivation=[
                               step("the basis of Sym(n): E_ii and (E_ij + E_ji)/√2, i < j; E = XXᵀ − M symmetric",
                                    "⟨B_k, E⟩ = E_ii or √2·E_ij"),
                               step(f"G sums the squared measurements (scale {p.basis_scale}); SymPy expands G − F "
                                    "to the zero polynomial", "Σ_k ⟨B_k, E⟩² = Σ_i E_ii² + 2·Σ_(i<j) E_ij² = ||E||_F²"),
                               step("so the sensing objective is the matrix objective", "G(X) = F(X)"),
                           ])
    return run


def isotropy_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """E||A(Z)||^2 = ||Z||_F^2 for the scaled symmetrized Gaussian ensemble, symbolic m."""
    def run(ctx: RunContext) -> CheckResult:
        n = 3
        m = sp.Symbol("m", positive=True)
        z = sp.symbols(f"z0:{n * (n + 1) // 2}", real=True)
        Z = sp.zeros(n, n)
        k = 0
        for i in range(n):
            for j in range(i, n):
                Z[i, j] = Z[j, i] = z[k]
                k += 1
        b = sp.symbols(f"b0:{n * n}", real=True)
        Bm = sp.Matrix(n, n, b)
        A = (Bm + Bm.T) / 2
        lin = sp.expand(sum(A[i, j] * Z[i, j] for i in range(n) for j in range(n)))
        # E (sum_l c_l b_l)^2 = sum_l c_l^2 for iid standard normal b_l
        one = sum(lin.coeff(bl) ** 2 for bl in b)
        # a polynomial in z with coefficients rational multiples of powers of m > 0: expand is a complete zero
        # test (like terms combine into one canonical sum); factor_terms gives simplify's display form
        expanded = sp.expand(m * m ** (-2 * p.gauss_power) * one)
        expect = sp.factor_terms(expanded)
        target = sum(Z[i, j] ** 2 for i in range(n) for j in range(n))
        diff = sp.expand(expanded - target)
        if diff != 0:
            diff = sp.simplify(expect - target)      # readable form, only for a refutation
        tol = "exact: E||A(Z)||^2 - ||Z||_F^2 must expand to the zero polynomial for symbolic m and symmetric Z"
        details = {"normalization": f"m^-{p.gauss_power}", "E||A(Z)||^2": str(expect)[:200]}
        if diff != 0:
            return CheckResult(Verdict.REFUTED, f"scaling m^-{p.gauss_power} is not isotropic: E||A Z||^2 = {str(expect)[:80]}",
                               tolerance=tol, details=details, counterexample={"difference": str(diff)[:200]})
        return CheckResult(Verdict.VERIFIED, f"with A_k = (B_k + B_k^T)/2 and scaling m^-{p.gauss_power}, "
                                             "E||A(Z)||^2 = ||Z||_F^2 for symmetric Z (symbolic m)",
                           instances=1, tolerance=tol, details=details,
                           proved_for=f"every number of measurements m > 0 and every symmetric Z, n = {n}",
                           derivation=[
                               step("one measurement ⟨A, Z⟩ with A = (B + Bᵀ)/2 is linear in the iid standard normal "
                                    "entries b of B", "⟨A, Z⟩ = Σ_l γ_l·b_l"),
                               step("for iid standard normals", "E(Σ_l γ_l·b_l)² = Σ_l γ_l²"),
                               step(f"m measurements scaled by m^-{p.gauss_power}; SymPy expands the difference "
                                    "with ||Z||_F² to the zero polynomial for symbolic m",
                                    f"E||A(Z)||² = m·m^(−2·{p.gauss_power})·Σ_l γ_l² = ||Z||_F²"),
                           ])
    return run


def exact_derivatives(As: np.ndarray, Mi: np.ndarray, X0: np.ndarray, c: sp.Rational) -> dict:
    """Exact gradient and Hessian at X0 of G = c sum_k <A_k, X X^T - M>^2 and F = c ||X X^T - M||_F^2 for
    integer A_k, M and a dyadic X0 (n x r): {"G": (grad, hess), "F": ...} as rationals, variables x_(i r + a) =
    X[i, a]. G and F are built as exact polynomials in SymPy's sparse ring QQ[x] (no expression trees)."""
    n, r = X0.shape
    R, *xs = sp.ring([f"x{k}" for k in range(n * r)], sp.QQ)
    X = [[xs[i * r + a] for a in range(r)] for i in range(n)]
    E = [[sum((X[i][a] * X[j][a] for a in range(r)), R.zero) - int(Mi[i, j]) for j in range(n)] for i in range(n)]
    cR = R(c)
    G = cR * sum((sum((int(Ak[i, j]) * E[i][j] for i in range(n) for j in range(n)), R.zero) ** 2 for Ak in As), R.zero)
    F = cR * sum((e ** 2 for row in E for e in row), R.zero)
    at = [sp.QQ.from_sympy(sp.Rational(float(x))) for x in X0.ravel()]
    out = {}
    for name, P in (("G", G), ("F", F)):
        grads = [P.diff(v) for v in xs]
        out[name] = ([g(*at) for g in grads], [[g.diff(w)(*at) for w in xs] for g in grads])
    return out


def sympy_derivatives_check(p: SensingParams) -> Callable[[RunContext], CheckResult]:
    """Hand gradients/Hessians of F and G against SymPy's at an exact point."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("sensing.symderiv")
        n, r, m = 3, 2, 4
        c = p.c
        Bs = rng.integers(-3, 4, (m, n, n))
        As = Bs + Bs.transpose(0, 2, 1)
        L = rng.integers(-2, 3, (n, n))
        Mi = L @ L.T
        X0 = rng.integers(-4, 5, (n, r)) / 2
        worst = 0.0
        meas = sen.Measurement(As.reshape(m, n * n).astype(float), n, "integer")
        cf, Mf = float(c), Mi.astype(float)
        hand = {"G": (sen.g_grad(meas, X0, Mf, cf).ravel(), sen.g_hess(meas, X0, Mf, cf)),
                "F": (sen.f_grad(X0, Mf, cf).ravel(), sen.f_hess(X0, Mf, cf))}
        exact = exact_derivatives(As, Mi, X0, c)
        for name in ("G", "F"):
            gs, hs = (np.array(v, dtype=float) for v in exact[name])
            gh, hh = hand[name]
            worst = max(worst, np.linalg.norm(gh - gs) / max(np.linalg.norm(gs), 1e-300),
                        np.linalg.norm(hh - hs) / max(np.linalg.norm(hs), 1e-300))
        verdict = Verdict.VERIFIED if worst <= EXACT_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand grad/Hessian of F and G vs SymPy diff at an exact point: "
                                    f"worst relative difference {worst:.1e}", instances=2,
                           worst_margin=f"{1 - worst / EXACT_TOL:.6f}",
                           tolerance=f"{EXACT_TOL:g} relative (float64 evaluation of exact values, ~100 eps)",
                           details={"worst": worst}, strength=Strength.SAMPLED)
    return run
