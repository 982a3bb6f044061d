"""L9 high-precision and float64 tiers (docs/mathematics.md §L9) of the deep-linear landscape claim.

High precision: Hessians by second directional derivatives along unit matrices in mpmath
(``verify.landscape.deep_linear.mp_hessian``), eigenvalues by ``verify.highprec.eigen`` (Householder + QL
at the working precision, cross-checked against ``mpmath.eigsy`` in tests) at ctx.dps + 10 digits, at
constructed points with exactly orthonormal frames (mpmath QR). Float64: the hand-derived Hessian of
``verify.landscape.deep_matrix`` at random constructed points moved by random GL elements.
"""
from __future__ import annotations

from typing import Callable

import mpmath
import numpy as np

from ..landscape import deep_linear as dl
from ..landscape.deep_matrix import (
    construct_minimizer, data_hessian, end_to_end_minimizer, gradient_unchecked, haar_orthogonal, hessian,
    objective, orbit_tangent,
)
from ..highprec.eigen import symmetric_eigenvalues
from .base import CheckResult, Verdict
from .context import RunContext
from .deep_linear import Claimed

#: float64: |eig| <= ZERO·||H|| is zero (eigvalsh backward error ~ n·eps·||H||, n <= 80, with GL conditioning
#: of the point up to 3 per hidden layer), < −STRICT·||H|| is negative, between is a grey band (inconclusive)
ZERO, STRICT = 1e-9, 1e-7
#: a GL move must change F by more than MOVE·F (roundoff of F is ~1e-15·F); a rotation by at most ROT·F
MOVE, ROT = 1e-6, 1e-11


def _f0(Ws, M) -> float:
    R = Ws[0]
    for W in Ws[1:]:
        R = W @ R
    return 0.5 * float(np.sum((R - M) ** 2))


def _rank(X: np.ndarray) -> tuple[int, bool]:
    """Numerical rank of X by a gap: singular values <= ZERO·s_max are zero, >= 1e-6·s_max nonzero; (rank, clean)."""
    s = np.linalg.svd(X, compute_uv=False)
    if s.size == 0 or s[0] == 0:
        return 0, True
    rel = s / s[0]
    return int(np.sum(rel > ZERO)), not np.any((rel > ZERO) & (rel < 1e-6))


def _classify_float(Wb, Wg, M, U, sig, V, S, Qh, widths) -> tuple[str, float]:
    """Observed kind at the GL-moved point Wg of the balanced point Wb (same orbit, same inertia)."""
    e = np.linalg.eigvalsh(data_hessian(Wg, M, 1.0))
    sc = max(float(np.max(np.abs(e))), 1e-300)
    lam = float(e[0]) / sc if np.max(np.abs(e)) > 0 else 0.0
    if lam < -STRICT:
        return "strict", lam
    if lam < -ZERO:
        return "grey", lam
    f0 = _f0(Wb, M)
    if f0 <= 1e-20 * float(np.sum(M * M)):
        return "min", lam
    j = next(i for i in range(len(sig)) if i not in S)
    E = dl.descent_direction(U, V, S, j, Qh, widths)
    t = (sig[j] / 4) ** (1.0 / (len(widths) - 1))  # t^L = σ_j/4: f drops by about σ_j²/4 (derived; only the sign is used)
    f1 = _f0([W + t * X for W, X in zip(Wb, E)], M)
    return ("nonstrict" if f1 < f0 - 1e-9 * f0 else "no-descent"), lam


def numeric_classification(c: Claimed) -> Callable[[RunContext], CheckResult]:
    """Random partial-SVD points (random widths in {r, r+1}, random S) moved by random GL elements (cond <= 3):
    gradient ≈ 0 and the kind from the float64 Hessian (plus a descent curve) as claimed."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("li.deep_linear.numeric")
        n = 60 if ctx.profile.level == 0 else 240
        Lmax = 4 if ctx.profile.level == 0 else 5
        bad, grey, worst_grad, counts = None, 0, 0.0, {}
        for _ in range(n):
            L, r = int(rng.integers(2, Lmax + 1)), int(rng.integers(1, 4))
            widths = tuple(r + int(rng.integers(0, 2)) for _ in range(L + 1))
            M, U, sig, V = dl.target(rng, widths[0], widths[-1], r)
            Qh = dl.hidden_frames(rng, widths)
            all_S = dl.subsets(r)
            S = all_S[int(rng.integers(len(all_S)))]
            Wb = dl.balanced_point(U, sig, V, S, widths, Qh)
            Wg, _ = dl.gl_move(rng, Wb, cond_max=3.0)
            g = gradient_unchecked(Wg, M, 1.0, 0.0)
            scale = float(np.linalg.norm(M)) * max(1.0, max(float(np.linalg.norm(W)) for W in Wg)) ** (L - 1)
            worst_grad = max(worst_grad, max(float(np.linalg.norm(x)) for x in g) / scale)
            kind, lam = _classify_float(Wb, Wg, M, U, sig, V, S, Qh, widths)
            claimed = c.kind(S, r, L)
            counts[f"L={L} {claimed}"] = counts.get(f"L={L} {claimed}", 0) + 1
            if kind == "grey":
                grey += 1
            elif kind != claimed and bad is None:
                bad = {"depth": L, "widths": widths, "S": [i + 1 for i in S], "sigma": sig.tolist(),
                       "observed": kind, "claimed": claimed, "lambda_min_over_norm": lam}
        base = dict(instances=n, tolerance=f"eig <= {ZERO:g}·||H|| is zero, < -{STRICT:g}·||H|| negative (eigvalsh "
                    "backward error ~ n·eps·||H||, GL moves of condition <= 3); gradient <= 1e-10 relative to "
                    "||M||·max(1, max||W_l||)^(L-1)", details={"counts": counts, "worst_gradient": worst_grad},
                    scope=f"{n} random points, depths 2–{Lmax}, rank 1–3, widths r or r+1, GL-moved")
        if worst_grad > 1e-10:
            return CheckResult(Verdict.REFUTED, f"a constructed point is not stationary (gradient {worst_grad:.2e})",
                               **base)
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"L = {bad['depth']}, S = {bad['S']}: observed {bad['observed']}, "
                               f"claimed {bad['claimed']}", counterexample=bad, **base)
        if grey:
            return CheckResult(Verdict.INCONCLUSIVE, f"{grey} points with lambda_min in the grey band", **base)
        return CheckResult(Verdict.VERIFIED, f"{n} GL-moved partial-SVD points stationary and classified as claimed",
                           **base)
    return run


def numeric_null_orbit(c: Claimed) -> Callable[[RunContext], CheckResult]:
    """At random GL-moved minimizers: the Hessian null dimension, the GL orbit tangent's rank, the tangent inside
    the null space (||H T|| small) and whether it fills it, as claimed."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("li.deep_linear.null")
        n = 30 if ctx.profile.level == 0 else 120
        Lmax = 4 if ctx.profile.level == 0 else 5
        bad, grey, rows = None, 0, {}
        for _ in range(n):
            L, r = int(rng.integers(2, Lmax + 1)), int(rng.integers(1, 3))
            widths = tuple(r + int(rng.integers(0, 2)) for _ in range(L + 1))
            M, U, sig, V = dl.target(rng, widths[0], widths[-1], r)
            Wb = dl.balanced_point(U, sig, V, tuple(range(r)), widths, dl.hidden_frames(rng, widths))
            Wg, _ = dl.gl_move(rng, Wb, cond_max=2.0)
            H = data_hessian(Wg, M, 1.0)
            e = np.abs(np.linalg.eigvalsh(H))
            sc = float(e.max())
            null = int(np.sum(e <= ZERO * sc))
            T = dl.gl_tangent(Wg)
            t_rank, clean = _rank(T)
            contained = float(np.linalg.norm(H @ T)) <= ZERO * sc * float(np.linalg.norm(T))
            if np.any((e > ZERO * sc) & (e < 1e-6 * sc)) or not clean:
                grey += 1
                continue
            row = {"depth": L, "widths": widths, "rank": r, "null": null, "orbit": t_rank,
                   "claimed_null": c.null_dim(widths, r), "claimed_orbit": c.orbit_dim(widths, r),
                   "claimed_equal": c.orbit_equal(widths, r), "orbit_in_null": contained}
            rows[str(widths)] = (null, t_rank)
            ok = (null == row["claimed_null"] and t_rank == row["claimed_orbit"] and contained
                  and (t_rank == null) == row["claimed_equal"])
            if not ok and bad is None:
                bad = row
        base = dict(instances=n - grey, tolerance=f"eig and singular values <= {ZERO:g} of the largest are zero, "
                    ">= 1e-6 nonzero (gap); ||H T|| <= 1e-9 ||H|| ||T||", details={"null, orbit by widths": rows},
                    scope=f"{n} random minimizers, depths 2–{Lmax}, rank 1–2, widths r or r+1, GL-moved (cond <= 2)")
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"widths {bad['widths']}: null {bad['null']} (claimed "
                               f"{bad['claimed_null']}), orbit {bad['orbit']} (claimed {bad['claimed_orbit']}), "
                               f"claimed equal: {bad['claimed_equal']}", counterexample=bad, **base)
        if grey:
            return CheckResult(Verdict.INCONCLUSIVE, f"{grey} minimizers without a clear spectral gap", **base)
        return CheckResult(Verdict.VERIFIED, f"{n} minimizers: null dimension and GL orbit tangent as claimed", **base)
    return run


def numeric_regularized(c: Claimed) -> Callable[[RunContext], CheckResult]:
    """b > 0, a = 1: at constructed global minimizers (``construct_minimizer``) the null space vs the O(d) and GL
    orbit tangents, F under a random non-orthogonal GL move and under a random rotation of the hidden spaces."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("li.deep_linear.reg")
        b = float(c.b)
        n = 20 if ctx.profile.level == 0 else 80
        bad, grey, min_move, max_rot = None, 0, np.inf, 0.0
        for _ in range(n):
            L, r = int(rng.integers(2, 5)), int(rng.integers(1, 3))
            widths = tuple(r + int(rng.integers(0, 2)) for _ in range(L + 1))
            M, U, sig, V = dl.target(rng, widths[0], widths[-1], r, spread=4.0)
            M = M * (1.0 + 4 * b)  # keeps every σ_i above the collapse threshold of the scalar problem
            con = construct_minimizer(M, L, 1.0, b, widths[1:-1], rng)
            if con.Ws is None or con.e2e.rank != r or con.e2e.on_exceptional_set:
                grey += 1
                continue
            Ws = con.Ws
            H = hessian(Ws, M, 1.0, b)
            e = np.linalg.eigvalsh(H)
            sc = float(np.max(np.abs(e)))
            null = int(np.sum(np.abs(e) <= ZERO * sc))
            T = dl.gl_tangent(Ws) if c.regularized_group == "GL" else orbit_tangent(Ws)
            t_rank, clean = _rank(T) if T.size else (0, True)
            contained = T.size == 0 or float(np.linalg.norm(H @ T)) <= ZERO * sc * float(np.linalg.norm(T))
            if e[0] < -ZERO * sc or np.any((np.abs(e) > ZERO * sc) & (np.abs(e) < 1e-6 * sc)) or not clean:
                grey += 1
                continue
            F0 = float(objective(Ws, M, 1.0, b))
            Wg, _ = dl.gl_move(rng, Ws, cond_max=3.0)
            Qs = [haar_orthogonal(rng, W.shape[0]) for W in Ws[:-1]]
            full = [None] + Qs + [None]
            Wo = [(W if full[l + 1] is None else full[l + 1] @ W) @ (np.eye(W.shape[1]) if full[l] is None
                                                                     else full[l].T) for l, W in enumerate(Ws)]
            move = abs(float(objective(Wg, M, 1.0, b)) - F0) / F0
            rot = abs(float(objective(Wo, M, 1.0, b)) - F0) / F0
            min_move, max_rot = min(min_move, move), max(max_rot, rot)
            gl_symmetric = move <= ROT
            ok = null == t_rank and contained and rot <= ROT and (gl_symmetric == (c.regularized_group == "GL"))
            if not ok and bad is None:
                bad = {"depth": L, "widths": widths, "rank": r, "null": null, "tangent_rank": t_rank,
                       "claimed_group": c.regularized_group, "tangent_in_null": contained,
                       "relative_F_change_GL": move, "relative_F_change_rotation": rot}
        base = dict(instances=n - grey, tolerance=f"eig <= {ZERO:g}·||H|| zero (gap to 1e-6); F change: GL move "
                    f"> {MOVE:g}·F breaks, rotation <= {ROT:g}·F (roundoff of F ~1e-15·F)",
                    details={"b": str(c.b), "smallest_relative_GL_change": min_move,
                             "largest_relative_rotation_change": max_rot},
                    scope=f"{n} constructed minimizers at b = {c.b}, a = 1, depths 2–4, rank 1–2, widths r or r+1")
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"widths {bad['widths']}: null {bad['null']} vs {c.regularized_group} "
                               f"tangent rank {bad['tangent_rank']}, F change under GL {bad['relative_F_change_GL']:.2e}",
                               counterexample=bad, **base)
        if grey or not (min_move > MOVE or c.regularized_group == "GL"):
            return CheckResult(Verdict.INCONCLUSIVE, f"{grey} minimizers skipped (no gap / rank drop); smallest GL "
                               f"change {min_move:.2e}", **base)
        return CheckResult(Verdict.VERIFIED, f"null space = O(d) orbit tangent at {n} minimizers; GL moves change F by "
                           f">= {min_move:.1e}·F, rotations by <= {max_rot:.1e}·F", **base)
    return run


# ------------------------------------------------------------------------------------------ high precision

def _mp_frame(rng: np.random.Generator, n: int) -> mpmath.matrix:
    """An exactly orthonormal (to working precision) n × n matrix: mpmath QR of a Gaussian."""
    Q, _ = mpmath.qr(mpmath.matrix(rng.standard_normal((n, n)).tolist()))
    return Q


def _mp_cols(Q: mpmath.matrix, cols) -> mpmath.matrix:
    out = mpmath.matrix(Q.rows, len(cols))
    for a, k in enumerate(cols):
        for i in range(Q.rows):
            out[i, a] = Q[i, k]
    return out


def _mp_balanced(U, sig, V, S, frames, L, scale=None) -> list[mpmath.matrix]:
    """W_l = F_(l+1) diag(ρ) F_lᵀ with ρ_i = σ_i^(1/L) (or ``scale``); frames: V, hidden..., U (full matrices)."""
    k = len(S)
    widths = [V.rows] + [F.rows for F in frames] + [U.rows]
    if k == 0:
        return [mpmath.zeros(widths[l + 1], widths[l]) for l in range(L)]
    rho = [scale[i] if scale else mpmath.root(sig[i], L) for i in S]
    Fs = [_mp_cols(V, S)] + [_mp_cols(F, range(k)) for F in frames] + [_mp_cols(U, S)]
    return [Fs[l + 1] * mpmath.diag(rho) * Fs[l].T for l in range(L)]


def _mp_f(Ws, M, b=0) -> mpmath.mpf:
    R = dl.mp_product(Ws, 0, len(Ws), Ws[0].cols) - M
    val = sum(R[i, j] ** 2 for i in range(R.rows) for j in range(R.cols)) / 2
    return val + mpmath.mpf(b) / 2 * sum(W[i, j] ** 2 for W in Ws for i in range(W.rows) for j in range(W.cols))


def _mp_tangent(Ws, skew: bool) -> mpmath.matrix:
    cols = []
    for h in range(1, len(Ws)):
        d = Ws[h - 1].rows
        pairs = [(i, j) for i in range(d) for j in range(d) if (i < j if skew else True)]
        for i, j in pairs:
            X = mpmath.zeros(d, d)
            X[i, j] = 1
            if skew:
                X[j, i] = -1
            vec = [mpmath.zeros(W.rows, W.cols) for W in Ws]
            vec[h - 1] = X * Ws[h - 1]
            vec[h] = -Ws[h] * X
            cols.append([v[p, q] for v in vec for p in range(v.rows) for q in range(v.cols)])
    T = mpmath.matrix(len(cols[0]), len(cols))
    for a, col in enumerate(cols):
        for i, x in enumerate(col):
            T[i, a] = x
    return T


def _mp_gl(rng, Ws) -> list[mpmath.matrix]:
    """W_l ↦ G_l W_l G_(l−1)^(−1), G_h = I + 0.3·Z (Z Gaussian, read exactly), inverses at working precision."""
    Gs = [mpmath.eye(W.rows) + mpmath.matrix((0.3 * rng.standard_normal((W.rows, W.rows))).tolist()) for W in Ws[:-1]]
    full = [None] + Gs + [None]
    return [(W if full[l + 1] is None else full[l + 1] * W) * (1 if full[l] is None else full[l] ** -1)
            for l, W in enumerate(Ws)]


def singular_values(T: mpmath.matrix) -> list:
    """The min(m, n) singular values of the m×n T (ascending) at the working precision, as the largest eigenvalues
    of the symmetric [[0, T], [Tᵀ, 0]] (eigenvalues ±σ_i and |m − n| zeros) by ``symmetric_eigenvalues``: backward
    stable, each σ_i within ~(m + n)·2^(−prec)·σ_max, as mpmath.svd_r (cross-checked against it in
    tests/test_route_deep_linear_hp.py) at a fraction of its cost."""
    m, n = T.rows, T.cols
    zero = mpmath.mpf(0)
    J = [[zero] * (m + n) for _ in range(m + n)]           # only the lower triangle is read
    for i in range(m):
        for j in range(n):
            J[m + j][i] = T[i, j]
    return symmetric_eigenvalues(J)[-min(m, n):]


def _mp_spectrum(H, dps):
    e = symmetric_eigenvalues(H)
    sc = max(abs(x) for x in e) or mpmath.mpf(1)  # H = 0 exactly (W = 0 at L >= 3): an absolute band
    zero = mpmath.mpf(10) ** (-(dps - 10)) * sc
    return e, sc, zero


#: high-precision widths by profile level: one adjacent pair above r = 2 in (3, 3, 2) and (2, 3, 3, 2) (null space
#: larger than the orbit tangent), none in the others
HP_WIDTHS = {0: ((3, 3, 2), (2, 2, 2, 2)), 1: ((3, 3, 2), (2, 3, 3, 2), (2, 2, 2, 2, 2))}


def hp_classification(c: Claimed) -> Callable[[RunContext], CheckResult]:
    """At ctx.dps digits: every partial-SVD point of random rank-2 targets (σ exact 6-digit decimals, exactly
    orthonormal frames), GL-moved, at depths 2, 3, 4: the sign of the smallest Hessian eigenvalue (zero band
    10^-(dps-10)·||H||, negative below −1e-6·||H||), the descent curve, and at minimizers the null dimension and
    the GL orbit tangent (singular values at the working precision)."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("li.deep_linear.hp")
        cases = HP_WIDTHS[min(ctx.profile.level, 1)]
        rows, bad, grey = [], None, 0
        with mpmath.workdps(ctx.dps + 10):
            for widths in cases:
                L = len(widths) - 1
                s1, s2 = sorted(rng.uniform(1, 4, 2) * np.array([1.3, 1.0]), reverse=True)
                sig = [mpmath.mpf(f"{s1:.6g}"), mpmath.mpf(f"{s2:.6g}")]
                U, V = _mp_frame(rng, widths[-1]), _mp_frame(rng, widths[0])
                M = _mp_cols(U, (0, 1)) * mpmath.diag(sig) * _mp_cols(V, (0, 1)).T
                frames = [_mp_frame(rng, w) for w in widths[1:-1]]
                for S in dl.subsets(2):
                    Wb = _mp_balanced(U, sig, V, S, frames, L)
                    Wg = _mp_gl(rng, Wb)
                    H = dl.mp_hessian(Wg, M)
                    e, sc, zero = _mp_spectrum(H, ctx.dps)
                    row = {"L": L, "widths": widths, "S": [i + 1 for i in S], "claimed": c.kind(S, 2, L),
                           "lambda_min_over_norm": mpmath.nstr(e[0] / sc, 8)}
                    if e[0] < -mpmath.mpf("1e-6") * sc:
                        row["observed"] = "strict"
                    elif e[0] < -zero:
                        row["observed"] = "grey"
                        grey += 1
                    elif _mp_f(Wb, M) <= zero:
                        row["observed"] = "min"
                        null = sum(1 for x in e if abs(x) <= zero)
                        gap = all(abs(x) >= mpmath.mpf("1e-6") * sc for x in e if abs(x) > zero)
                        T = _mp_tangent(Wg, skew=False)
                        sv = singular_values(T)
                        smax = max(sv)
                        t_rank = sum(1 for x in sv if x > mpmath.mpf(10) ** (-(ctx.dps - 10)) * smax)
                        HT = H * T
                        contained = mpmath.mnorm(HT, "F") <= zero * mpmath.mnorm(T, "F")
                        row.update(null=null, orbit=t_rank, claimed_null=c.null_dim(widths, 2),
                                   claimed_orbit=c.orbit_dim(widths, 2), orbit_in_null=bool(contained))
                        if not gap:
                            grey += 1
                        elif not (null == row["claimed_null"] and t_rank == row["claimed_orbit"] and contained
                                  and (t_rank == null) == c.orbit_equal(widths, 2)) and bad is None:
                            bad = row
                    else:
                        j = next(i for i in range(2) if i not in S)
                        E = [mpmath.matrix(x.tolist()) for x in dl.descent_direction(
                            np.array(U.tolist(), dtype=float), np.array(V.tolist(), dtype=float), S, j,
                            [np.array(F.tolist(), dtype=float) for F in frames], widths)]
                        # the float copy of the frames is orthonormal to ~1e-16: the curve's lowest-order term
                        # −σ_j t^L (t^L = σ_j/4) dominates that error by 14 orders
                        t = mpmath.root(sig[j] / 4, L)
                        f0, f1 = _mp_f(Wb, M), _mp_f([W + t * X for W, X in zip(Wb, E)], M)
                        row["observed"] = "nonstrict" if f1 < f0 - mpmath.mpf("1e-9") * f0 else "no-descent"
                    rows.append(row)
                    if row["observed"] not in ("grey", row["claimed"]) and bad is None:
                        bad = row
        base = dict(instances=len(rows), digits=float(ctx.dps), details={"points": rows},
                    tolerance=f"zero band 10^-{ctx.dps - 10}·||H||, negative below -1e-6·||H||, nonzero above "
                              "1e-6·||H|| (gap); tangent rank by the same band on singular values",
                    scope=f"{len(cases)} rank-2 targets at {ctx.dps} digits, widths "
                          f"{', '.join(map(str, cases))}, all 4 index sets, GL-moved")
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"L = {bad['L']}, S = {bad['S']}: observed {bad['observed']}, claimed "
                               f"{bad['claimed']}" + (f"; null {bad['null']} (claimed {bad['claimed_null']}), orbit "
                                                      f"{bad['orbit']}" if "null" in bad else ""),
                               counterexample=bad, **base)
        if grey:
            return CheckResult(Verdict.INCONCLUSIVE, f"{grey} points in the grey band", **base)
        return CheckResult(Verdict.VERIFIED, f"{len(rows)} points classified as claimed at {ctx.dps} digits", **base)
    return run


def hp_regularized(c: Claimed) -> Callable[[RunContext], CheckResult]:
    """At ctx.dps digits, b > 0: balanced minimizers ρ_i solving ρ^(2L−2) − σ_i ρ^(L−2) + b = 0 (from the float
    end-to-end minimizer), L = 2, 3: null dimension vs the claimed group's tangent, F under GL and rotations."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("li.deep_linear.hp.reg")
        rows, bad = [], None
        with mpmath.workdps(ctx.dps + 10):
            b = mpmath.mpf(c.b.p) / c.b.q
            for L in (2, 3):
                s1, s2 = sorted(rng.uniform(1.5, 4, 2) * np.array([1.3, 1.0]) + 4 * float(b), reverse=True)
                sig = [mpmath.mpf(f"{s1:.6g}"), mpmath.mpf(f"{s2:.6g}")]
                e2e = end_to_end_minimizer(None, L, 1.0, float(b), svd=(np.eye(2), np.array(sig, dtype=float),
                                                                       np.eye(2)))
                rho = [mpmath.findroot(lambda x, s=s: x ** (2 * L - 2) - s * x ** (L - 2) + b,
                                       mpmath.mpf(float(p) ** (1.0 / L))) for s, p in zip(sig, e2e.s)]
                U, V = _mp_frame(rng, 2), _mp_frame(rng, 2)
                M = U * mpmath.diag(sig) * V.T
                frames = [_mp_frame(rng, 2) for _ in range(L - 1)]
                Ws = _mp_balanced(U, sig, V, (0, 1), frames, L, scale=rho)
                H = dl.mp_hessian(Ws, M, b)
                e, sc, zero = _mp_spectrum(H, ctx.dps)
                null = sum(1 for x in e if abs(x) <= zero)
                T = _mp_tangent(Ws, skew=(c.regularized_group == "O"))
                sv = singular_values(T)
                t_rank = sum(1 for x in sv if x > zero / sc * max(sv))
                contained = mpmath.mnorm(H * T, "F") <= zero * mpmath.mnorm(T, "F")
                F0 = _mp_f(Ws, M, b)
                move = abs(_mp_f(_mp_gl(rng, Ws), M, b) - F0) / F0
                row = {"L": L, "null": null, "tangent_rank": t_rank, "claimed_group": c.regularized_group,
                       "tangent_in_null": bool(contained), "psd": bool(e[0] >= -zero),
                       "relative_F_change_GL": mpmath.nstr(move, 5)}
                gl_sym = move <= zero / sc
                ok = e[0] >= -zero and null == t_rank and contained and gl_sym == (c.regularized_group == "GL")
                rows.append(row)
                if not ok and bad is None:
                    bad = row
        base = dict(instances=len(rows), digits=float(ctx.dps), details={"points": rows, "b": str(c.b)},
                    tolerance=f"zero band 10^-{ctx.dps - 10}·||H||; GL symmetric if F changes by <= that band",
                    scope=f"b = {c.b}, a = 1, widths 2, L = 2, 3, one random rank-2 target each, {ctx.dps} digits")
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"L = {bad['L']}: null {bad['null']} vs {c.regularized_group} tangent "
                               f"rank {bad['tangent_rank']}, F change under GL {bad['relative_F_change_GL']}",
                               counterexample=bad, **base)
        return CheckResult(Verdict.VERIFIED, f"null space = {c.regularized_group} orbit tangent and GL moves change F "
                           f"at b = {c.b}", **base)
    return run
