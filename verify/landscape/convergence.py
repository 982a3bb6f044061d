"""Gradient descent on F_c(X) = c·||XXᵀ − M||_F² and the iteration bound built from the L5 region constants
(docs/mathematics.md §L8). Everything here is derived by the suite; the paper's abstract only says that the
landscape "implies strong global convergence guarantees for popular iterative algorithms".

Step size (proved). On the sublevel set {F ≤ F(X_0)}: ||XXᵀ − M|| ≤ √(F_0/c), so σ_1(X)² ≤ B² :=
λ_1 + √(F_0/c). On Ω = {σ_1(X)² ≤ (3/2)B²} the Hessian form ∇²F[D, D] = 2c||XDᵀ + DXᵀ||² + 4c⟨XXᵀ − M, DDᵀ⟩
lies in [−4cλ_1, 8cσ_1² + 4cσ_1²] (XXᵀ − M has eigenvalues in [−λ_1, σ_1²]), so ||∇²F|| ≤ L := 18cB² there.
A step with η ≤ 1/L moves X by at most η·4c·B²·B ≤ 2B/9 in spectral norm, and (1 + 2/9)² = 121/81 ≤ 3/2,
so the whole segment stays in Ω and the descent lemma gives F(X⁺) ≤ F(X) − (η/2)||∇F(X)||² (induction keeps
every iterate in the sublevel set). The default rule is η = 1/L.

Iteration bound (proved from the region constants, κ3 on R3' being the one tested, not proved, constant).
Write ΔF = F(X_0) − F*, gap_k = F(X_k) − F*, κ3m = min(κ3, κ3'').
- R3: each R3 iterate lowers F by ≥ ηκ3m²/2, so #R3 iterates ≤ N3 := 2ΔF/(ηκ3m²).
- R2: X̂ the Procrustes-nearest minimizer, Δ = X − X̂ is ⊥ the orbit tangent at X̂ and every point of the
  segment [X̂, X] has X̂ as nearest minimizer, so F* ≥ F(X) − ⟨∇F, Δ⟩ + κ2||Δ||²/2, hence
  gap ≤ ||∇F||²/(2κ2) (Polyak–Łojasiewicz) and gap_{k+1} ≤ (1 − ηκ2)·gap_k at every R2 iterate. Gaps never
  increase, so the R2 iterates with gap > ε number at most N2 := ⌊log(gap_entry/ε)/log(1/(1 − ηκ2))⌋ + 1,
  gap_entry the gap at the first R2 iterate.
- R1: no bound for plain GD (near a saddle's stable manifold it lingers ~log(1/δ)/log(1 + ηκ) steps, κ ≥ κ1
  the curvature the R1 claim guarantees); measured, and escaped by perturbation.
So the iterates outside R1 before gap ≤ ε number at most N3 + N2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Sequence

import numpy as np

from ..kernels.symmetric import EPS, Instance, classify, gradient, objective
from .symmetric import RegionConstants, full_rank_saddles

#: L = SMOOTHNESS·c·B² is the Hessian bound on Ω = {σ_1² ≤ (3/2)B²} (module docstring)
SMOOTHNESS = 18
#: relative residual ||XXᵀ − U_SΛ_SU_Sᵀ||/λ_1 under which the final iterate is named by its index set S; at gap ≤ ε
#: (≪ the gap of every saddle, ≥ c(λ_r² − λ_(r+1)²)) only S = top r can match, so this only names the limit
FINAL_TOL = 0.05


def sublevel_radius2(lam1: Any, F0: Any, c: Any, sqrt: Callable[[Any], Any]) -> Any:
    """B² = λ_1 + √(F_0/c): σ_1(X)² ≤ B² on the sublevel set {F ≤ F_0} (any arithmetic)."""
    return lam1 + sqrt(F0 / c)


def smoothness(lam1: Any, F0: Any, c: Any, sqrt: Callable[[Any], Any]) -> Any:
    """L = 18c·B², the Hessian bound on Ω ⊇ every segment GD with η ≤ 1/L traverses."""
    return SMOOTHNESS * c * sublevel_radius2(lam1, F0, c, sqrt)


def r3_bound(K: RegionConstants, eta: Any, dF0: Any) -> Any:
    """N3 = 2ΔF/(η·κ3m²), κ3m = min(κ3, κ3''): the most R3 iterates descent with decrease ≥ ηκ3m²/2 allows."""
    k3 = min(K.kappa3, K.kappa3_far)
    return 2 * dF0 / (eta * k3 * k3)


def r2_rate(K: RegionConstants, eta: Any) -> Any:
    """θ = 1 − ηκ2: the gap contraction per R2 iterate (PL constant κ2)."""
    return 1 - eta * K.kappa2


def r2_bound(K: RegionConstants, eta: Any, gap_entry: Any, eps: Any, log: Callable[[Any], Any]) -> int:
    """N2 = ⌊log(gap_entry/ε)/log(1/θ)⌋ + 1 R2 iterates with gap > ε (0 when gap_entry ≤ ε; 1 when θ ≤ 0)."""
    if not gap_entry > eps:
        return 0
    theta = r2_rate(K, eta)
    if theta <= 0:
        return 1
    return int(math.floor(float(log(gap_entry / eps) / -log(theta)))) + 1


def best_value(inst: Instance, c: float) -> float:
    """F* = c·Σ_{j>r} λ_j² (the best rank-r approximation's residual)."""
    return float(c * np.sum(inst.lam[inst.r:] ** 2))


@dataclass
class RunStats:
    """What one GD run did (float64). Counts are of iterates with gap > ε, by region of the iterate."""

    iterations: int | None = None          # first k with gap_k ≤ ε (None: not reached)
    diverged: bool = False
    counts: dict[str, int] = field(default_factory=lambda: {"R1": 0, "R2": 0, "R3": 0})
    gap_entry: float | None = None         # gap at the first R2 iterate
    worst_descent: float = math.inf        # min over steps of (decrease − (η/2)||∇F||²)/((η/2)||∇F||²)
    worst_rate: float = math.inf           # min over R2 steps of log(gap_k/gap_{k+1})/log(1/θ)
    final_set: tuple[int, ...] | None = None
    final_residual: float = math.nan


def gd_batch(insts: Sequence[Instance], X0: np.ndarray, c: float, eta: np.ndarray, eps: float,
             K: Sequence[RegionConstants], max_iter: int) -> list[RunStats]:
    """Plain GD X ← X − η∇F on a batch of runs sharing (n, r, p), until gap ≤ ε or ``max_iter``.

    Vectorized over the runs; every iterate is classified by the L5 definitions (``region_codes``, the batched
    form of ``classify_region``) from batched σ_r², orbit distances (||X||² + ||B||² − 2||BᵀX||_*). Checks along
    the way: the descent-lemma decrease at every step and the gap contraction at every R2 step (recorded, not
    judged), kept per run in arrays and turned into ``RunStats`` at the end. The loop holds only the active runs'
    state (compacted when a run stops), shares R = XXᵀ − M between F and ∇F = 4cRX, and records per step what the
    margins need; they are evaluated after the loop on the same float64 numbers (identical ``RunStats``; the
    earlier per-step loop is the reference in tests/test_route_convergence_gd.py).
    """
    B = len(insts)
    n, r = X0.shape[-2:]
    M = np.stack([i.M for i in insts])
    Fstar = np.array([best_value(i, c) for i in insts])
    tops = np.stack([i.U[:, :r] * np.sqrt(i.lam[:r]) for i in insts])
    sads = [full_rank_saddles(i) for i in insts]
    nS = len(sads[0])
    Bsad = np.stack([np.stack([i.U[:, list(S)] * np.sqrt(i.lam[list(S)]) for S in s]) if s else
                     np.zeros((0, n, r)) for i, s in zip(insts, sads)])
    norm_top2 = np.sum(tops * tops, axis=(1, 2))
    norm_sad2 = np.sum(Bsad * Bsad, axis=(2, 3))
    normM = np.array([float(np.linalg.norm(i.lam)) for i in insts])
    theta = np.array([max(1 - e * k.kappa2, 1e-300) for e, k in zip(eta, K)])
    log_theta = [-math.log(t) for t in theta]
    bounds = RegionBounds.of(insts, K, r)
    iterations = [None] * B
    diverged = np.zeros(B, dtype=bool)
    X = X0.copy()
    _sum2, _sum12 = partial(np.add.reduce, axis=(-1, -2)), partial(np.add.reduce, axis=(1, 2))  # = np.sum's
    # the active runs' state, compacted (rows of idx); R = XXᵀ − M is shared by F and ∇F = 4cRX
    idx = np.arange(B)
    Xa, Ma, Fsa, eta_a = X.copy(), M, Fstar, eta[:, None, None]
    rec_idx, rec_X, rec_F, rec_next, rec_gg = [], [], [], [], []   # every iterate with gap > ε, in order
    with np.errstate(all="ignore"):
        Ra = Xa @ np.swapaxes(Xa, -1, -2) - Ma
        Fa = c * np.sum(Ra * Ra, axis=(-1, -2))          # = objective(Xa, Ma, c)
        for k in range(max_iter + 1):
            gap = Fa - Fsa
            fin = np.isfinite(gap)
            done = (gap <= eps) | ~fin
            if done.any():
                diverged[idx[~fin]] = True
                for j in idx[done & fin]:
                    iterations[j] = k
                X[idx[done]] = Xa[done]
                keep = ~done
                idx, Xa, Ma, Fsa, eta_a, Ra, Fa = (idx[keep], Xa[keep], Ma[keep], Fsa[keep], eta_a[keep], Ra[keep],
                                                   Fa[keep])
            if idx.size == 0 or k == max_iter:
                break
            G = 4 * c * (Ra @ Xa)                          # = gradient(Xa, Ma, c)
            Xn = Xa - eta_a * G
            Rn = Xn @ Xn.transpose(0, 2, 1) - Ma            # XₙXₙᵀ: a transposed view, as np.swapaxes
            Fn = c * _sum2(Rn * Rn)
            rec_idx.append(idx)
            rec_X.append(Xa)
            rec_F.append(Fa)
            rec_next.append(Fn)
            rec_gg.append(_sum12(G * G))
            Xa, Ra, Fa = Xn, Rn, Fn
        X[idx] = Xa
        # the descent-lemma margins and the regions of all recorded iterates at once (elementwise, as per step)
        counts = np.zeros((B, 3), dtype=np.int64)
        worst_descent = np.full(B, math.inf)
        worst_rate = np.full(B, math.inf)
        has_entry = np.zeros(B, dtype=bool)
        gap_entry = np.zeros(B)
        if rec_idx:
            ix = np.concatenate(rec_idx)
            F_a, F_n = np.concatenate(rec_F), np.concatenate(rec_next)
            need = eta[ix] / 2 * np.concatenate(rec_gg)
            dec = F_a - F_n
            noise = 100 * n * r * EPS * (np.abs(F_a) + Fstar[ix] + c * normM[ix] ** 2)
            judged = (need > 1e3 * noise) | (dec < need - noise)
            np.fmin.at(worst_descent, ix[judged], (dec[judged] - need[judged]) / need[judged])
            codes = _regions(np.concatenate(rec_X), ix, tops, Bsad, norm_top2, norm_sad2, bounds, nS)
            gap_a, gap_n = F_a - Fstar[ix], F_n - Fstar[ix]
            np.add.at(counts, (ix, codes), 1)
            r2 = codes == 1
            runs, first = np.unique(ix[r2], return_index=True)   # each run's first R2 iterate
            gap_entry[runs] = gap_a[r2][first]
            has_entry[runs] = True
            rated = r2 & (gap_n > 1e-3 * eps) & (gap_a > 0)
            js = ix[rated]
            rates = [math.log(q) / log_theta[j] for q, j in zip((gap_a[rated] / gap_n[rated]).tolist(), js.tolist())]
            np.fmin.at(worst_rate, js, np.array(rates, dtype=float))
    stats = []
    for j, inst in enumerate(insts):
        st = RunStats(iterations=iterations[j], diverged=bool(diverged[j]),
                      counts={name: int(counts[j, q]) for q, name in enumerate(REGION_NAMES)},
                      gap_entry=float(gap_entry[j]) if has_entry[j] else None,
                      worst_descent=float(worst_descent[j]), worst_rate=float(worst_rate[j]))
        if not st.diverged:
            st.final_set, st.final_residual = classify(X[j], inst, FINAL_TOL)
        stats.append(st)
    return stats


#: region codes of ``region_codes``: R1a/R1b merged to R1 (0), R2 (1), R3'/R3'' merged to R3 (2)
REGION_NAMES = ("R1", "R2", "R3")


@dataclass(frozen=True)
class RegionBounds:
    """Per run, the thresholds ``classify_region`` compares with: r1a_frac·λ_r, ρ1 and ρ2 (float64 arrays)."""

    r1a: np.ndarray
    rho1: np.ndarray
    rho2: np.ndarray

    @classmethod
    def of(cls, insts: Sequence[Instance], K: Sequence[RegionConstants], r: int) -> "RegionBounds":
        return cls(np.array([k.r1a_frac * i.lam[r - 1] for i, k in zip(insts, K)], dtype=float),
                   np.array([k.rho1 for k in K], dtype=float), np.array([k.rho2 for k in K], dtype=float))


def region_codes(sr2: np.ndarray, d_saddle: np.ndarray | None, d_min: np.ndarray, r1a: np.ndarray,
                 rho1: np.ndarray, rho2: np.ndarray) -> np.ndarray:
    """``classify_region`` on arrays, R1a/R1b → 0 (R1), R2 → 1, R3'/R3'' → 2 (R3; ||XXᵀ|| only splits R3, so it
    is not needed): R1a if σ_r² ≤ r1a_frac·λ_r, else R1b if d_saddle ≤ ρ1, else R2 if d_min ≤ ρ2, else R3.
    The same comparisons on the same float64 numbers (tests cross-check it against ``classify_region``)."""
    r1 = sr2 <= r1a
    if d_saddle is not None:
        r1 |= d_saddle <= rho1
    return np.where(r1, 0, np.where(d_min <= rho2, 1, 2))


def _regions(X: np.ndarray, idx: np.ndarray, tops, Bsad, norm_top2, norm_sad2, bounds: RegionBounds,
             nS: int) -> np.ndarray:
    """Region code (``region_codes``) of each X[t] (run idx[t])."""
    Xt = np.swapaxes(X, -1, -2)
    sr2 = np.linalg.eigvalsh(Xt @ X)[:, 0]
    x2 = np.sum(X * X, axis=(1, 2))
    nuc_top = np.linalg.svd(np.swapaxes(tops[idx], -1, -2) @ X, compute_uv=False).sum(-1)
    dmin = np.sqrt(np.maximum(x2 + norm_top2[idx] - 2 * nuc_top, 0))
    dsad = None
    if nS:
        P = np.einsum("bsni,bnk->bsik", Bsad[idx], X)
        nuc = np.linalg.svd(P, compute_uv=False).sum(-1)
        dsad = np.sqrt(np.maximum(x2[:, None] + norm_sad2[idx] - 2 * nuc, 0)).min(axis=1)
    return region_codes(sr2, dsad, dmin, bounds.r1a[idx], bounds.rho1[idx], bounds.rho2[idx])


@dataclass
class Trace:
    """One single-run descent: iterations to ε (None if not reached), the gap path, perturbations added."""

    iterations: int | None
    gaps: list[float]
    perturbations: int
    final: np.ndarray
    grad_norm: float


def descend(M: np.ndarray, X0: np.ndarray, c: float, eta: float, eps: float, Fstar: float, max_iter: int,
            perturb: tuple[float, float, int] | None = None, rng: np.random.Generator | None = None) -> Trace:
    """GD (``perturb`` None) or perturbed GD: when ||∇F|| ≤ g_thr and no perturbation in the last t_thr steps,
    add ξ uniform in the ball of radius r_p (``perturb`` = (g_thr, r_p, t_thr), Jin et al.'s scheme)."""
    X = X0.copy()
    gaps, kicks, last = [], 0, -10 ** 9
    for k in range(max_iter + 1):
        gap = float(objective(X, M, c)) - Fstar
        gaps.append(gap)
        if gap <= eps:
            return Trace(k, gaps, kicks, X, float(np.linalg.norm(gradient(X, M, c))))
        if k == max_iter:
            break
        G = gradient(X, M, c)
        if perturb is not None and np.linalg.norm(G) <= perturb[0] and k - last >= perturb[2]:
            xi = rng.standard_normal(X.shape)
            xi *= perturb[1] * rng.random() ** (1 / X.size) / np.linalg.norm(xi)
            X = X + xi
            kicks, last = kicks + 1, k
            continue
        X = X - eta * G
    return Trace(None, gaps, kicks, X, float(np.linalg.norm(gradient(X, M, c))))
