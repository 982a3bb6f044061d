"""Certified tier of the matrix sharpness claim (docs/mathematics.md §K8): the largest eigenvalue of the whole
Hessian of F(W) = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||² enclosed rigorously at certified global minimizers.

Per instance (rational σ_1 > σ_2, rational b, a from the convention; target M = O_L·Σ·O_0ᵀ with exact rational
orthogonal gauges):
1. each direction's scalar minimizer is certified (``verify.certified.spectrum.certify_scalar_minimizer``:
   interval Newton on ρ₊, φ(ρ₊) − φ(0) a ball excluding 0), so the layer singular values ρ_i are balls holding
   the true ones; through the reduction of §K2 (taken as established there) W_l = O_l·Δ_l·O_(l−1)ᵀ is a global
   minimizer;
2. the Hessian at that ball point, entry by entry from the objective (``matrix_hessian_ball``: a·JᵀJ + b·I plus
   the second-order blocks a·(A_kᵀ R B_lᵀ)[i,q]·C[j,p]); its gradient ball must contain 0 (a sanity check of the
   construction);
3. Rump-style enclosures λ_k(H) ∈ I_k for every index (``symmetric_eigen_enclosures``) and the claimed value (a
   ball of the claimed formula, Max/Min enclosed by Arb's max/min) compared with I_n: disjoint balls refute at
   any precision; a match needs both narrower than 10^-D relative; else inconclusive. The top cluster's count
   (how many eigenvalues share the largest enclosure) is reported: 1 proves the largest eigenvalue simple.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from typing import Any, Callable, Sequence

import flint
import numpy as np
import sympy as sp

from ..landscape.instances import cayley_orthogonal, reference_b
from ..landscape.reduction import critical_value
from .base import CheckResult, Strength, Verdict
from .context import RunContext
from .scope import depth_text

#: certified digits beyond the run's ``dps``: a claim wrong below the 50-digit tier's resolution is still refuted
CERT_GUARD = 20


def _mat(rows: int, cols: int, entries: Callable[[int, int], flint.arb]) -> flint.arb_mat:
    M = flint.arb_mat(rows, cols)
    for i in range(rows):
        for j in range(cols):
            M[i, j] = entries(i, j)
    return M


def _sympy_mat(S: sp.Matrix) -> flint.arb_mat:
    """An exact rational SymPy matrix as an Arb matrix (entries exact)."""
    from ..certified.arb import to_arb

    return _mat(S.rows, S.cols, lambda i, j: to_arb(sp.Rational(S[i, j])))


def _eye(n: int) -> flint.arb_mat:
    return _mat(n, n, lambda i, j: flint.arb(1 if i == j else 0))


def _chain(Ws: Sequence[flint.arb_mat], lo: int, hi: int, n: int) -> flint.arb_mat:
    """W_hi⋯W_lo (0-based layer indices, the identity of size n when lo > hi)."""
    out = _eye(n)
    for l in range(lo, hi + 1):
        out = Ws[l] * out
    return out


def matrix_hessian_ball(Ws: Sequence[flint.arb_mat], M: flint.arb_mat, a: flint.arb,
                        b: flint.arb) -> tuple[list[flint.arb], flint.arb_mat]:
    """(gradient, Hessian) of F at the ball point W (parameters layer by layer, each row-major), from the objective:
    with A_l = W_L⋯W_(l+1), B_l = W_(l−1)⋯W_1, R = W_L⋯W_1 − M and C = W_(k−1)⋯W_(l+1),
    ∂F/∂W_l = a·A_lᵀ R B_lᵀ + b·W_l and H = a·JᵀJ + b·I + a·(A_kᵀ R B_lᵀ)[i,q]·C[j,p] on the blocks k > l
    (J_l[(r,c),(i,j)] = A_l[r,i]·B_l[j,c], the Jacobian of the product)."""
    L = len(Ws)
    dims = [Ws[0].ncols()] + [W.nrows() for W in Ws]
    A = [_chain(Ws, l + 1, L - 1, dims[l + 1]) for l in range(L)]
    B = [_chain(Ws, 0, l - 1, dims[0]) for l in range(L)]
    R = _chain(Ws, 0, L - 1, dims[0]) - M
    sizes = [dims[l + 1] * dims[l] for l in range(L)]
    offs = [sum(sizes[:l]) for l in range(L + 1)]
    n, rows = offs[-1], dims[L] * dims[0]
    J = flint.arb_mat(rows, n)
    grad: list[flint.arb] = []
    for l in range(L):
        G = A[l].transpose() * R * B[l].transpose()
        for i in range(dims[l + 1]):
            for j in range(dims[l]):
                col = offs[l] + i * dims[l] + j
                grad.append(a * G[i, j] + b * Ws[l][i, j])
                for r in range(dims[L]):
                    for c in range(dims[0]):
                        J[r * dims[0] + c, col] = A[l][r, i] * B[l][j, c]
    H = J.transpose() * J * a
    for p in range(n):
        H[p, p] += b
    for k in range(L):
        for l in range(k):
            C = _chain(Ws, l + 1, k - 1, dims[l + 1])  # Ws[k−1]⋯Ws[l+1]: dims[k] × dims[l+1] (0-based layers)
            G = A[k].transpose() * R * B[l].transpose()  # dims[k+1] × dims[l]
            for i in range(dims[k + 1]):
                for j in range(dims[k]):
                    for p in range(dims[l + 1]):
                        for q in range(dims[l]):
                            v = a * G[i, q] * C[j, p]
                            x, y = offs[k] + i * dims[k] + j, offs[l] + p * dims[l] + q
                            H[x, y] += v
                            H[y, x] += v
    return grad, H


def gauge_basis(Deltas: Sequence[flint.arb_mat], Sig: flint.arb_mat, a: flint.arb, b: flint.arb,
                Os: Sequence[flint.arb_mat]) -> flint.arb_mat | None:
    """A guess of the eigenbasis of the Hessian at W_l = O_(l+1)·Δ_l·O_lᵀ with target O_L·Σ·O_0ᵀ (for
    ``symmetric_eigen_enclosures``, whose enclosure is rigorous for any basis): F(W) = F₀(Pᵀw) with
    P = diag_l(O_(l+1) ⊗ O_l) orthogonal (row-major vec(A·X·Bᵀ) = (A ⊗ B)·vec X) and F₀ the objective with target
    Σ, so ∇²F(W) = P·∇²F₀(Δ)·Pᵀ. ∇²F₀ at the diagonal point Δ has exactly-zero entries between singular
    directions that do not interact: ``block_basis`` eigensolves its small blocks; the guess is P times that basis
    (midpoints). None when a block's basis collapses."""
    from ..certified.spectrum import block_basis

    _, H0 = matrix_hessian_ball(Deltas, Sig, a, b)
    Q0 = block_basis(H0)
    if Q0 is None:
        return None
    n = H0.nrows()
    P = flint.arb_mat(n, n)
    off = 0
    for l, D in enumerate(Deltas):
        A, B = Os[l + 1], Os[l]
        rows, cols = D.nrows(), D.ncols()
        for i in range(rows):
            for j in range(cols):
                for p in range(rows):
                    for q in range(cols):
                        P[off + i * cols + j, off + p * cols + q] = A[i, p] * B[j, q]
        off += rows * cols
    Q = P * Q0
    return _mat(n, n, lambda i, j: Q[i, j].mid())


def enclose_claim(expr: sp.Expr, values: dict[sp.Symbol, flint.arb]) -> flint.arb:
    """A ball holding the claimed formula's real value: Max/Min by Arb's rigorous max/min of their arguments' balls,
    the rest by ``verify.certified.spectrum.enclose`` (``NotReal`` / ``NotEnclosable`` as there)."""
    from ..certified.spectrum import enclose

    e = sp.sympify(expr)
    node = next((n for n in sp.preorder_traversal(e) if isinstance(n, (sp.Max, sp.Min))), None)
    if node is None:
        return enclose(e, values)
    balls = [enclose_claim(arg, values) for arg in node.args]
    ball = reduce((lambda x, y: x.max(y)) if isinstance(node, sp.Max) else (lambda x, y: x.min(y)), balls)
    d = sp.Dummy("mx")
    return enclose_claim(e.xreplace({node: d}), {**values, d: ball})


#: the regimes instances cycle through; the last puts the largest eigenvalue in the block coupling the kept
#: direction with the dropped one (a width block) at small depths
REGIMES = ("two kept", "one kept, one dropped", "dropped near the threshold")


def _instance(rng: np.random.Generator, L: int, a: sp.Rational, k: int) -> tuple[str, tuple, sp.Rational]:
    """(regime, (σ_1, σ_2), b) for regime ``REGIMES[k % 3]``: two kept directions; one kept and one dropped below
    its threshold (drawn like the 50-digit check's ``hp_instance``); σ_1 just above its threshold and σ_2 just
    below (like the float64 check's). Exact rationals (10 significant digits of the draws)."""
    regime = REGIMES[k % len(REGIMES)]
    s1 = float(rng.uniform(2.0, 5.0))
    if regime == "two kept":
        s2 = s1 * float(rng.uniform(0.7, 0.999))
        b = float(rng.uniform(0.1, 0.6)) * reference_b(L, float(a), s2)
    else:
        lo, hi = (0.2, 0.7) if regime == "one kept, one dropped" else (0.8, 0.99)
        b = float(rng.uniform(lo, hi)) * reference_b(L, float(a), s1)
        edge = b / float(a) if L == 2 else critical_value(L, float(a), b)
        s2 = min(s1, edge) * (float(rng.uniform(0.8, 0.999)) if regime == "one kept, one dropped"
                              else 1 - float(10 ** rng.uniform(-3, -0.5)))
    return regime, (sp.Rational(f"{s1:.10g}"), sp.Rational(f"{s2:.10g}")), sp.Rational(f"{b:.10g}")


@dataclass(frozen=True)
class CertifiedPoint:
    """A certified global minimizer W_l = O_(l+1)·Δ_l·O_lᵀ of one instance and the Hessian ball H there."""

    regime: str
    sigma: tuple[sp.Rational, sp.Rational]
    b: sp.Rational
    rhos: list[flint.arb]
    Deltas: list[flint.arb_mat]
    Sig: flint.arb_mat
    Os: list[flint.arb_mat]
    Ws: list[flint.arb_mat]
    H: flint.arb_mat


def certified_point(rng: np.random.Generator, L: int, a: sp.Rational, k: int,
                    prec: int) -> tuple[dict[str, Any], CertifiedPoint | None, str]:
    """Instance ``k`` (``_instance``, then an exact rational Cayley gauge per layer) at Arb's current precision:
    (where, point, "") with its scalar minimizers certified, else (where, None, why). The constructed minimizer's
    gradient ball must contain 0, else the construction is wrong (ArithmeticError)."""
    from ..certified.arb import to_arb
    from ..certified.spectrum import certify_scalar_minimizer

    regime, sigma, b = _instance(rng, L, a, k)
    dims = (3, 3) + (2,) * (L - 1)
    gauges = [cayley_orthogonal(rng, d) for d in dims]
    where = {"depth": L, "regime": regime, "sigma": [str(s) for s in sigma], "a": str(a), "b": str(b)}
    mins = [certify_scalar_minimizer(L, to_arb(s), to_arb(a), to_arb(b), prec) for s in sigma]
    if any(m.kind == "undecided" for m in mins) or mins[0].kind != "nonzero":
        return where, None, f"the scalar minimizers were not certified ({[m.kind + ': ' + m.why for m in mins]})"
    rhos = [m.rho if m.kind == "nonzero" else flint.arb(0) for m in mins]
    Os = [_sympy_mat(g) for g in gauges]
    Deltas = [_mat(dims[l + 1], dims[l], lambda i, j: rhos[i] if i == j and i < 2 else flint.arb(0)) for l in range(L)]
    Ws = [Os[l + 1] * Deltas[l] * Os[l].transpose() for l in range(L)]
    Sig = _mat(dims[L], dims[0], lambda i, j: to_arb(sigma[i]) if i == j else flint.arb(0))
    grad, H = matrix_hessian_ball(Ws, Os[L] * Sig * Os[0].transpose(), to_arb(a), to_arb(b))
    if not all(g.contains(0) for g in grad):
        raise ArithmeticError(f"L={L}: the constructed minimizer's gradient ball excludes 0: the construction is wrong")
    return where, CertifiedPoint(regime, sigma, b, rhos, Deltas, Sig, Os, Ws, H), ""


def plan(ctx: RunContext, depths_of: Callable[[RunContext, tuple[int, int, int]], list[int]]
         ) -> tuple[int, int, list[int], int, str]:
    """(D, Arb bits, depths, instances per depth, the scope's opening) of the certified sharpness checks at this run:
    D = dps + CERT_GUARD certified digits, at 2·D digits of working precision."""
    from ..certified.arb import bits_for_digits

    D = ctx.dps + CERT_GUARD
    depths = depths_of(ctx, (3, 4, 5))
    per_depth = (2, 2, 3)[min(ctx.profile.level, 2)]
    head = (f"{depth_text(depths)}, {per_depth} random rational 2×3 target(s) per depth (regimes cycle: "
            f"{'; '.join(REGIMES)}), widths 3 × 3 × 2 × … × 2, an exact rational Cayley gauge each")
    return D, bits_for_digits(2 * D), depths, per_depth, head


def claimed_ball(claimed, vocabulary: tuple[sp.Symbol, ...], L: int, pt: CertifiedPoint, a: sp.Rational,
                 done: int, scope: str, tol: str, where: dict[str, Any]) -> flint.arb | CheckResult:
    """A ball holding the claimed λ_max at the point (``enclose_claim``), or the result that ends a check there (after
    ``done`` decided instances): refuted where the formula has no real value, inconclusive where it cannot be
    enclosed."""
    from ..certified.arb import to_arb
    from ..certified.spectrum import NotEnclosable, NotReal

    values = (pt.rhos[0], pt.rhos[1], to_arb(pt.sigma[0]), to_arb(pt.sigma[1]), to_arb(a), to_arb(pt.b))
    try:
        return enclose_claim(claimed.at_depth(L), dict(zip(vocabulary, values)))
    except NotReal as exc:
        return CheckResult(Verdict.REFUTED, f"L={L} ({pt.regime}): the claimed formula has no real value at a "
                           f"certified minimizer ({exc})", instances=done + 1, scope=scope, tolerance=tol,
                           counterexample=where)
    except NotEnclosable as exc:
        return CheckResult(Verdict.INCONCLUSIVE, f"L={L}: the claimed value cannot be enclosed: {exc}",
                           instances=done, scope=scope, tolerance=tol, counterexample=where)


def certified_sharpness_check(claimed, vocabulary: tuple[sp.Symbol, ...],
                              depths_of: Callable[[RunContext, tuple[int, int, int]], list[int]]
                              ) -> Callable[[RunContext], CheckResult]:
    """Certified tier of "λ_max(∇²F) = claimed formula at every nonzero global minimizer" (module docstring).
    ``claimed`` is a ``verify.claims.matrix_sharpness.Claimed``; ``vocabulary`` its symbols (ρ, ρ₂, σ₁, σ₂, a, b)."""
    def run(ctx: RunContext) -> CheckResult:
        from ..certified.arb import to_arb, workprec
        from ..certified.spectrum import ball_text, clusters, judge_largest, symmetric_eigen_enclosures

        D, prec, depths, per_depth, head = plan(ctx, depths_of)
        rng = ctx.rng("kp.sharpness.matrix.certified")
        a = sp.Rational(claimed.conv.a)
        scope = (f"{head}; the whole Hessian's largest eigenvalue enclosed to 10^-{D} relative at the certified "
                 "minimizer (reduction of §K2 taken as established); for these instances")
        tol = (f"no tolerance: refuted only when the claimed value's ball and the certified enclosure of λ_max are "
               f"disjoint; decided when both are narrower than 10^-{D} relative (Arb at {prec} bits)")
        rows: list[dict[str, Any]] = []
        count = 0
        for L in depths:
            for _ in range(per_depth):
                with workprec(prec):
                    where, pt, why = certified_point(rng, L, a, count, prec)  # the regimes cycle over all instances
                    count += 1
                    if pt is None:
                        return CheckResult(Verdict.INCONCLUSIVE, f"L={L}: {why}", instances=len(rows), scope=scope,
                                           tolerance=tol, counterexample=where)
                    regime, H = pt.regime, pt.H
                    enc = symmetric_eigen_enclosures(H, prec, gauge_basis(pt.Deltas, pt.Sig, to_arb(a), to_arb(pt.b),
                                                                          pt.Os))
                    if not enc:
                        return CheckResult(Verdict.INCONCLUSIVE, f"L={L}: no eigenbasis close enough to orthonormal",
                                           instances=len(rows), scope=scope, tolerance=tol, counterexample=where)
                    value = claimed_ball(claimed, vocabulary, L, pt, a, len(rows), scope, tol, where)
                    if isinstance(value, CheckResult):
                        return value
                    judged = judge_largest(value, enc, 10.0 ** -D)
                    top = clusters(enc)[-1]
                    row = {**where, "parameters": H.nrows(), "largest_eigenvalue": ball_text(enc[-1], D + 3),
                           "claimed": ball_text(value, D + 3), "top_cluster_count": top.count,
                           "next_cluster": ball_text(clusters(enc)[-2].hull, 20) if len(clusters(enc)) > 1 else None}
                if judged.outcome == "differs":
                    return CheckResult(Verdict.REFUTED, f"L={L} ({regime}): {judged.why}", instances=len(rows) + 1,
                                       scope=scope, tolerance=tol, counterexample=row)
                if judged.outcome != "match":
                    return CheckResult(Verdict.INCONCLUSIVE, f"L={L} ({regime}): {judged.why}", instances=len(rows),
                                       scope=scope, tolerance=tol, counterexample=row)
                rows.append(row)
        simple = sum(1 for r in rows if r["top_cluster_count"] == 1)
        return CheckResult(
            Verdict.VERIFIED,
            f"at {len(rows)} certified global minimizers the claimed value lies in the certified enclosure of the "
            f"Hessian's largest eigenvalue (relative width ≤ 10^-{D}); at {simple} of them the largest eigenvalue is "
            "proved simple (its enclosure is disjoint from all others)", instances=len(rows), digits=float(D),
            scope=scope, tolerance=tol, details={"rows": rows}, strength=Strength.CERTIFIED)
    return run
