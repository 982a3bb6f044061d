"""L7 — invariance theory of Li et al. 2019, one claim per example (docs/mathematics.md §L7).

The abstract states the general theory and names phase retrieval and deep linear networks as examples;
the identities checked are derived by the suite (verify.invariance).

Three claims rather than one, so a report says which example holds and which does not:
``li.invariance.real-phase`` (x -> -x), ``li.invariance.complex-phase`` (U(1) on C^n, real
representation R^{2n}) and ``li.invariance.deep-linear`` (GL(h) insertions W1 -> G W1,
W2 -> W2 G^-1). Each claim has the same checks: exact SymPy covariance, finite-difference
validation of the hand derivatives, batched float64 covariance, fixed points, orbit tangents
(continuous groups), Hessian spectrum (eigenvalues for orthogonal groups, only the inertia for
GL), and a 50-digit certification of the zero band of the inertia. ``invariance_claim`` takes the
group and the claimed eigenvalue behaviour as parameters so tests can hand it a wrong one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from verify import invariance as inv
from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict
from verify.errors import UsageError
from verify.numbers import dec
from verify.claims.scope import scoped

SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: the invariance theory, with phase retrieval and "
          "deep linear networks as examples; the covariance, fixed-point, orbit-tangent and inertia identities "
          "checked here are derived by the suite (docs/mathematics.md §L7)")
PAPER = "Li et al. 2019"
EXAMPLES = ("real-phase", "complex-phase", "deep-linear")

COV_TOL = 1e-10     # float64 covariance defects: sums of <= 4-fold products, cond(G) <= 10 -> ~1e-13
FD_TOL = 1e-6       # central differences, h = 1e-5 (1+|x|): truncation ~1e-10, roundoff eps/h ~1e-11
TANGENT_TOL = 1e-9  # ||H xi x|| relative to ||H|| ||xi x||: roundoff ~ d eps ~ 1e-14
SHIFT_TOL = 1e-9    # eigenvalue shifts relative to ||H||: eigvalsh backward error ~ d eps ||H||
MOVE_MIN = 1e-6     # a shift above this (relative) is a genuine movement, not roundoff

GroupFactory = Callable[[inv.Example], inv.GroupAction]


@dataclass(frozen=True)
class _Spec:
    """How to build an example from ctx randomness: numeric data, a small integer symbolic copy."""

    key: str
    build: Callable[[np.random.Generator, bool], inv.Example]
    build_symbolic: Callable[[np.random.Generator], list[inv.Example]]
    eigenvalues_invariant: bool
    statement: str


def _real_phase(rng: np.random.Generator, hp: bool) -> inv.Example:
    A, z = rng.standard_normal((16, 4)), rng.standard_normal(4)
    if hp:
        return inv.real_phase_retrieval(_mp(A), _mp(z))
    return inv.real_phase_retrieval(A, z)


def _complex_phase(rng: np.random.Generator, hp: bool) -> inv.Example:
    A = rng.standard_normal((12, 3)) + 1j * rng.standard_normal((12, 3))
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    if hp:
        return inv.complex_phase_retrieval(_mpc(A), _mpc(z))
    return inv.complex_phase_retrieval(A, z)


def _deep_linear(rng: np.random.Generator, hp: bool) -> inv.Example:
    gu, gv = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    s = np.array([3.0, 2.0, 1.0]) + rng.uniform(0, 0.5, 3)
    if hp:
        U, _ = mpmath.qr(mpmath.matrix(gu.tolist()))
        V, _ = mpmath.qr(mpmath.matrix(gv.tolist()))
        return inv.deep_linear(_obj(U), _mp(s), _obj(V), 2)
    U, V = np.linalg.qr(gu)[0], np.linalg.qr(gv)[0]
    return inv.deep_linear(U, s, V, 2)


# Symbolic examples. A degenerate example has more symmetries than the claim names (one nonzero per row
# of A lets every coordinate keep its own sign or phase; real rows admit conjugation; a symmetric M admits
# (W1, W2) -> (W2^T, W1^T)) and would accept maps that are not symmetries of the generic problem. So the
# symbolic tier checks a fixed generic example AND a seeded one drawn non-degenerate by construction:
# no zero entry, rows pairwise independent (over C: distinct ratios a_k1/a_k2, one of them not real),
# M invertible and not symmetric.

_NONZERO = np.array([-3, -2, -1, 1, 2, 3])


def _draw_nonzero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice(_NONZERO, size=shape)


def _ratios(A: np.ndarray) -> list[complex]:
    return [complex(a) / complex(b) for a, b in A]


def nondegenerate_real(A: np.ndarray) -> bool:
    """No zero entry and pairwise independent rows (3 x 2)."""
    if not np.all(A != 0):
        return False
    return len(set(_ratios(A))) == len(A)


def nondegenerate_complex(A: np.ndarray) -> bool:
    """No zero entry, distinct row ratios (pairwise C-independent rows), one ratio not real."""
    if not np.all(A != 0):
        return False
    r = _ratios(A)
    return len(set(r)) == len(r) and any(abs(v.imag) > 0 for v in r)


def nondegenerate_target(M: np.ndarray) -> bool:
    """Invertible and not symmetric."""
    return round(float(np.linalg.det(M))) != 0 and not np.array_equal(M, M.T)


def _sym_real(rng: np.random.Generator) -> list[inv.Example]:
    fixed = inv.real_phase_retrieval(np.array([[1, 2], [3, -1], [2, 3]]), np.array([1, -2]))
    while True:
        A = _draw_nonzero(rng, (3, 2))
        if nondegenerate_real(A):
            return [fixed, inv.real_phase_retrieval(A, _draw_nonzero(rng, (2,)))]


def _sym_complex(rng: np.random.Generator) -> list[inv.Example]:
    fixed = inv.complex_phase_retrieval(np.array([[1 + 2j, 2 - 1j], [3 + 1j, 1 + 1j], [-1 + 1j, 2 + 3j]]),
                                        np.array([1 - 2j, 1 + 1j]))
    while True:
        A = rng.integers(-3, 4, (3, 2)) + 1j * rng.integers(-3, 4, (3, 2))
        if nondegenerate_complex(A):
            z = _draw_nonzero(rng, (2,)) + 1j * _draw_nonzero(rng, (2,))
            return [fixed, inv.complex_phase_retrieval(A, z)]


def _sym_deep(rng: np.random.Generator) -> list[inv.Example]:
    # the symbolic tier needs only f: M = U diag(1) I with an integer U (stationary points unused here)
    fixed = inv.deep_linear(np.array([[3.0, 1.0], [-1.0, 2.0]]), np.ones(2), np.eye(2), 2)
    while True:
        U = _draw_nonzero(rng, (2, 2)).astype(float)
        if nondegenerate_target(U):
            return [fixed, inv.deep_linear(U, np.ones(2), np.eye(2), 2)]


SPECS = {
    "real-phase": _Spec("real-phase", _real_phase, _sym_real, True,
                        "Real phase retrieval f(x) = sum_k ((a_k.x)^2 - y_k)^2 is invariant under x -> -x; "
                        "gradients and Hessians are covariant, the fixed point 0 is stationary, and (the group "
                        "being orthogonal) Hessian eigenvalues at x and -x coincide."),
    "complex-phase": _Spec("complex-phase", _complex_phase, _sym_complex, True,
                           "Complex phase retrieval f(x) = sum_k (|a_k^H x|^2 - y_k)^2 is U(1)-invariant; in R^{2n} "
                           "gradients and Hessians are covariant, 0 is stationary, the orbit tangent i x lies "
                           "in the Hessian null space at every stationary point, and eigenvalues are invariant."),
    "deep-linear": _Spec("deep-linear", _deep_linear, _sym_deep, False,
                         "A two-layer linear network f(W1, W2) = ||W2 W1 - M||_F^2 is invariant under GL(h) "
                         "insertions (G W1, W2 G^-1); gradients and Hessians are covariant (Hessians by "
                         "congruence), W = 0 is stationary, orbit tangents (xi W1, -W2 xi) lie in the Hessian "
                         "null space at stationary points, and only the inertia of the Hessian is invariant: "
                         "its eigenvalues move."),
}


def _mp(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(a)


def _mpc(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: mpmath.mpc(float(v.real), float(v.imag)), otypes=[object])(a)


def _obj(m: mpmath.matrix) -> np.ndarray:
    return np.array(m.tolist(), dtype=object)


def _exact_to_mp(G: sp.Matrix) -> np.ndarray:
    return np.array([[mpmath.mpf(int(sp.Rational(v).p)) / int(sp.Rational(v).q) for v in row]
                     for row in G.tolist()], dtype=object)


def _group(spec: _Spec, ex: inv.Example, factory: GroupFactory | None) -> inv.GroupAction:
    return factory(ex) if factory is not None else ex.group


# ---------------------------------------------------------------- checks

def _symbolic(spec: _Spec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        examples = spec.build_symbolic(ctx.rng(f"inv.{spec.key}.sym"))
        k = 2 if ctx.profile.level == 0 else 4
        group = _group(spec, examples[0], factory)
        Gs = group.exact_sample(ctx.rng(f"inv.{spec.key}.sym.g"), k)
        per_example = []
        for ex in examples:
            gr = _group(spec, ex, factory)
            per_example.append(inv.symbolic_defects(ex.objective, Gs, gr.exact_generators))
        bad = {f"example {i} {k_}": v for i, d in enumerate(per_example) for k_, v in d.items() if v}
        tol = "exact: every residual expands to the zero polynomial/rational function"
        details = {"group": group.name, "elements": [str(G.tolist()) for G in Gs[:2]], "defects": per_example,
                   "examples": ["fixed generic integer example", "seeded integer example, non-degenerate by construction"]}
        base = dict(instances=len(Gs) * len(examples), tolerance=tol, details=details,
                    scope=f"{len(examples)} exact integer examples (one fixed generic, one seeded, both "
                          f"non-degenerate by construction) x {len(Gs)} exact elements of {group.name}")
        if bad:
            return CheckResult(Verdict.REFUTED, f"SymPy finds nonzero residuals {bad} for {group.name}",
                               counterexample={"group_element": str(Gs[0].tolist())}, **base)
        return CheckResult(Verdict.VERIFIED,
                           f"f(Gx)-f(x), grad/Hessian covariance{' and the tangent identity' if group.exact_generators else ''} "
                           f"are identically 0 for {len(Gs)} exact elements of {group.name} on {len(examples)} examples",
                           **base)
    return run


def _derivatives(spec: _Spec) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.fd")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        n_pts = 5 if ctx.profile.level == 0 else 20
        errs = [inv.derivative_errors(ex.objective, rng.standard_normal(ex.objective.dim)) for _ in range(n_pts)]
        worst = max(max(e) for e in errs)
        verdict = Verdict.VERIFIED if worst <= FD_TOL else Verdict.REFUTED
        return CheckResult(verdict, f"hand gradient/Hessian vs central differences: worst relative error {worst:.2e}",
                           instances=n_pts, worst_margin=f"{1 - worst / FD_TOL:.6f}",
                           tolerance=f"{FD_TOL:g} relative (h=1e-5(1+|x|): truncation ~1e-10, roundoff ~1e-11)",
                           details={"worst_gradient": max(e[0] for e in errs), "worst_hessian": max(e[1] for e in errs)})
    return run


def _covariance(spec: _Spec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.cov")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = _group(spec, ex, factory)
        n_inst = max(20, ctx.profile.instances // 4)
        Gs = group.sample(rng, n_inst)
        worst = {"value": 0.0, "gradient": 0.0, "hessian": 0.0}
        cex = None
        for G in Gs:
            x = rng.standard_normal(ex.objective.dim)
            d = inv.covariance_defects(ex.objective, G, x)
            for k_, v in d.items():
                if v > worst[k_]:
                    worst[k_] = v
            if cex is None and max(d.values()) > COV_TOL:
                cex = {"x": x.tolist(), "G": G.tolist(), "defects": d}
        w = max(worst.values())
        verdict = Verdict.REFUTED if w > COV_TOL else Verdict.VERIFIED
        return CheckResult(verdict, f"{group.name}: worst relative defects value {worst['value']:.1e}, "
                                    f"gradient {worst['gradient']:.1e}, Hessian {worst['hessian']:.1e}",
                           instances=n_inst, worst_margin=f"{1 - w / COV_TOL:.6f}",
                           tolerance=f"{COV_TOL:g} relative to the size of the terms (cond(G) <= 10, roundoff ~1e-13)",
                           counterexample=cex, details={"group": group.name, **worst})
    return run


def _grad_scale(ex: inv.Example, rng: np.random.Generator) -> float:
    return float(np.median([np.linalg.norm(ex.objective.grad(rng.standard_normal(ex.objective.dim)))
                            for _ in range(8)]))


def _fixed_points(spec: _Spec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.fix")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = _group(spec, ex, factory)
        Gs = group.sample(rng, 8)
        fix = inv.fixed_subspace(Gs)
        fixT = inv.fixed_subspace([G.T for G in Gs])
        scale = _grad_scale(ex, rng)
        worst, worst_stat = 0.0, 0.0
        pts = [fix @ rng.standard_normal(fix.shape[1]) for _ in range(4)] if fix.shape[1] else [np.zeros(ex.objective.dim)]
        for x in pts:
            g = ex.objective.grad(x)
            # derived: grad f(x) = G^T grad f(x) for fixed x; and = 0 when Fix(G^T) = {0}
            res = max(np.linalg.norm(g - G.T @ g) for G in Gs)
            if fixT.shape[1] == 0:
                res = max(res, np.linalg.norm(g))
            worst = max(worst, res / scale)
        for _, xs in ex.stationary:
            worst_stat = max(worst_stat, np.linalg.norm(ex.objective.grad(xs)) / scale)
        tol = "1e-12 of the median gradient norm at random points (exact zeros up to roundoff)"
        details = {"fixed_dim": int(fix.shape[1]), "fixed_dim_transpose": int(fixT.shape[1]),
                   "worst_fixed": worst, "worst_constructed_stationary": worst_stat}
        if worst_stat > 1e-10:
            return CheckResult(Verdict.INCONCLUSIVE, f"constructed stationary points have |grad| {worst_stat:.1e} "
                               "of scale: internal construction error", tolerance=tol, details=details)
        verdict = Verdict.VERIFIED if worst <= 1e-12 else Verdict.REFUTED
        return CheckResult(verdict, f"fixed subspace of {group.name} has dim {fix.shape[1]}; gradient there "
                                    f"{'in Fix(G^T)' if fixT.shape[1] else 'vanishes'} to {worst:.1e} of scale; "
                                    f"{len(ex.stationary)} constructed stationary points have |grad| <= {worst_stat:.1e}",
                           instances=len(pts), worst_margin=f"{1 - worst / 1e-12:.6f}", tolerance=tol, details=details)
    return run


def _orbit_tangent(spec: _Spec, factory: GroupFactory | None) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.tan")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = _group(spec, ex, factory)
        if not group.continuous:
            return CheckResult(Verdict.INCONCLUSIVE, f"{group.name} is finite: no orbit tangents (outside the claim)")
        obj = ex.objective
        worst_id = max(inv.tangent_identity_defect(obj, xi, rng.standard_normal(obj.dim))
                       for xi in group.generators for _ in range(3))
        worst_null = 0.0
        dims = {}
        moved = [(lab, xs) for lab, xs in ex.stationary]
        for G in group.sample(rng, 2):
            moved += [(f"{lab} moved", G @ xs) for lab, xs in ex.stationary]
        for lab, xs in moved:
            H = obj.hess(xs)
            hn = np.linalg.norm(H, 2)
            T = np.array([xi @ xs for xi in group.generators]).T
            for j in range(T.shape[1]):
                if np.linalg.norm(T[:, j]) > 0:
                    worst_null = max(worst_null, np.linalg.norm(H @ T[:, j]) / (hn * np.linalg.norm(T[:, j])))
            e = np.linalg.eigvalsh(H)
            tangent_rank = int(np.linalg.matrix_rank(T, tol=1e-9 * max(1.0, np.linalg.norm(T)))) if T.size else 0
            dims[lab] = {"null": inv.inertia(e, np.abs(e).max()).zero, "orbit_tangent": tangent_rank}
        worst = max(worst_id, worst_null)
        verdict = Verdict.VERIFIED if worst <= TANGENT_TOL else Verdict.REFUTED
        larger = [lab for lab, v in dims.items() if v["null"] > v["orbit_tangent"]]
        return CheckResult(verdict, f"H xi x = -xi^T grad f to {worst_id:.1e}; orbit tangents in the null space at "
                                    f"{len(moved)} stationary points to {worst_null:.1e}; null space strictly larger "
                                    f"than the tangent space at {len(larger)} of them",
                           instances=len(moved), worst_margin=f"{1 - worst / TANGENT_TOL:.6f}",
                           tolerance=f"{TANGENT_TOL:g} relative to ||H|| ||xi x|| (roundoff ~d eps)",
                           details={"null_vs_tangent": dims, "larger_null_space_at": larger})
    return run


def _spectrum(spec: _Spec, factory: GroupFactory | None, eig_inv: bool) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng(f"inv.{spec.key}.spec")
        ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
        group = _group(spec, ex, factory)
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


def _hp_spectrum(spec: _Spec, factory: GroupFactory | None, eig_inv: bool) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        dps = ctx.dps
        with mpmath.workdps(dps):
            ex = spec.build(ctx.rng(f"inv.{spec.key}.data"), True)
            exf = spec.build(ctx.rng(f"inv.{spec.key}.data"), False)
            group = _group(spec, exf, factory)
            k = max(1, min(ctx.profile.hp_instances, 2 if ctx.profile.level == 0 else 6))
            Gs = group.exact_sample(ctx.rng(f"inv.{spec.key}.hp.g"), k)
            pts = list(ex.stationary)
            ptsf = dict(exf.stationary)
            if ctx.profile.level == 0:
                pts = pts[:1] + pts[-2:]
            zero_tol = mpmath.mpf(10) ** (-(dps - 10))
            worst_zero, min_clear, max_shift, digits = mpmath.mpf(0), mpmath.inf, mpmath.mpf(0), 99.0
            mismatch = None
            for lab, xs in pts:
                H0 = mpmath.matrix(ex.objective.hess(xs).tolist())
                e0 = mpmath.eigsy(H0, eigvals_only=True)
                e0 = sorted(e0[i] for i in range(e0.rows))
                scale = max(abs(v) for v in e0)
                ef = np.linalg.eigvalsh(exf.objective.hess(ptsf[lab]))
                for a, b in zip(e0, ef):
                    if abs(a) > 1e-6 * scale:
                        digits = min(digits, float(-mpmath.log10(abs(a - b) / abs(a) + mpmath.mpf(10) ** -30)))
                for G in Gs:
                    Gm = _exact_to_mp(G)
                    H1 = mpmath.matrix(ex.objective.hess(Gm @ xs).tolist())
                    e1 = mpmath.eigsy(H1, eigvals_only=True)
                    e1 = sorted(e1[i] for i in range(e1.rows))
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


def invariance_claim(example: str, *, group: GroupFactory | None = None,
                     eigenvalues_invariant: bool | None = None) -> Claim:
    """The L7 claim for ``example``; ``group`` replaces the symmetry, ``eigenvalues_invariant`` the
    claimed spectral behaviour (default: True for the orthogonal groups, False for GL)."""
    if example not in SPECS:
        raise UsageError(f"unknown invariance example {example!r}; known: {', '.join(EXAMPLES)}")
    spec = SPECS[example]
    eig_inv = spec.eigenvalues_invariant if eigenvalues_invariant is None else bool(eigenvalues_invariant)
    pts = "the constructed stationary points" + ("" if example == "real-phase" else " and their moved copies")
    size = {"real-phase": "A 16 x 4 Gaussian", "complex-phase": "A 12 x 3 complex Gaussian",
            "deep-linear": "M 3 x 3 with distinct singular values, h = 2"}[example]
    checks = [
        Check("symbolic-covariance", Tier.SYMBOLIC, _symbolic(spec, group)),
        Check("derivatives-vs-fd", Tier.NUMERIC, scoped(_derivatives(spec), lambda ctx: (
            f"one seeded instance ({size}), {5 if ctx.profile.level == 0 else 20} random points"))),
        Check("covariance", Tier.NUMERIC, scoped(_covariance(spec, group), lambda ctx: (
            f"one seeded instance ({size}), {max(20, ctx.profile.instances // 4)} sampled group elements, "
            "one random point each"))),
        Check("fixed-points-stationary", Tier.NUMERIC, scoped(_fixed_points(spec, group), lambda ctx: (
            f"one seeded instance ({size}), fixed subspace of 8 sampled elements, the constructed stationary points"))),
    ]
    if example != "real-phase":
        checks.append(Check("orbit-tangent-null", Tier.NUMERIC, scoped(_orbit_tangent(spec, group), lambda ctx: (
            f"one seeded instance ({size}), every Lie generator, {pts} (2 elements)"))))
    checks += [
        Check("hessian-spectrum", Tier.NUMERIC, scoped(_spectrum(spec, group, eig_inv), lambda ctx: (
            f"one seeded instance ({size}), the constructed stationary points and 3 random points x "
            f"{3 if ctx.profile.level == 0 else 10} sampled elements"))),
        Check("inertia-high-precision", Tier.HIGH_PRECISION, scoped(_hp_spectrum(spec, group, eig_inv), lambda ctx: (
            f"one seeded instance ({size}) at {ctx.dps} digits, "
            f"{'3 of' if ctx.profile.level == 0 else 'all'} the constructed stationary points x "
            f"{max(1, min(ctx.profile.hp_instances, 2 if ctx.profile.level == 0 else 6))} exact elements"))),
    ]
    statement = spec.statement if eigenvalues_invariant is None else \
        spec.statement + f" [perturbed: eigenvalues claimed {'invariant' if eig_inv else 'to move'}]"
    return Claim(
        id=f"li.invariance.{example}", statement=statement, source=SOURCE, checks=tuple(checks), paper=PAPER,
        resolutions=(
            "Group actions are linear maps of the real parameter vector: complex vectors use (Re x, Im x); "
            "network weights use row-major (vec W1, vec W2).",
            "Covariance is G^{-T} (gradient) and congruence G^{-T} H G^{-1} (Hessian), derived from "
            "differentiating f(Gx) = f(x); stationarity of fixed points needs Fix(G^T) = {0}, checked.",
            "Inertia zero tolerance: |eig| <= 1e-9 ||H|| (float64), certified at ctx.dps digits.",
        ),
    )


def claims() -> list[Claim]:
    return [invariance_claim(e) for e in EXAMPLES]
