"""The three regions of Li et al. 2019 (L5) for F_c(X) = c·||XXᵀ − M||_F², with explicit constants.

Assumptions: λ_1 > … > λ_p > 0 distinct, p = rank M ≥ r. Write γ = λ_r − λ_{r+1} (λ_{n+1} := 0),
δ = μ_min/(4c) with μ_min the smallest positive Hessian eigenvalue at a global minimum
(δ = γ if n > r, 2λ_r if n = r), g = the smallest gap in λ_1 > … > λ_p > 0.

All constants are chosen and derived by the suite (the paper's are not at hand); see
docs/mathematics.md §L5.

R1 = R1a ∪ R1b, with λ_min(∇²F) ≤ −κ1, κ1 = 2cγ:
  R1a = {σ_r(X)² ≤ λ_r/6}. Proof: v a unit right singular vector for σ_r, q ∈ span(u_1..u_r) unit
  and ⊥ the top r−1 left singular vectors of X, D = qvᵀ: ∇²F[D,D] = 2c(||Xv qᵀ + q vᵀXᵀ||² +
  2||Xᵀq||² − 2qᵀMq) ≤ 2c(6σ_r² − 2λ_r) ≤ −2cλ_r ≤ −2cγ. TIGHT: at n = r = 1 on the boundary
  (x² = λ/6, γ = λ) ∇²F = 4c(3x² − λ) = −2cλ = −κ1 exactly, so raising 1/6 or κ1 at all is false.
  R1b = {dist(X, orbit of X_S) ≤ ρ1 for a saddle with |S| = r}, ρ1 = γ/(18√λ_1). Proof: for
  ||X − X_S|| = ε ≤ √λ_1, ||∇²F(X) − ∇²F(X_S)|| ≤ 4c(6√λ_1 ε + 3ε²) ≤ 4c·9√λ_1 ε ≤ 2cγ and
  λ_min ∇²F(X_S) ≤ −4cγ (L3), so λ_min ∇²F(X) ≤ −2cγ (Weyl).
R2 = {dist(X, X*) ≤ ρ2}, ρ2 = δ/(14√λ_1): ∇²F(X)[D,D] ≥ κ2||D||², κ2 = 2cδ, for D ⊥ {X̂K : K skew},
  X̂ the Procrustes-nearest global minimizer. Proof: ∇²F(X̂) ≥ 4cδ on that complement (L4) and the
  one-sided perturbation is ≥ −4c(6√λ_1 ε + ε²) ≥ −2cδ for ε ≤ ρ2.
R3 = the rest, split at ||XXᵀ||_F = 2||M||_F:
  R3'' (||XXᵀ||_F > 2||M||_F): ||∇F|| ≥ ⟨∇F, X⟩/||X|| ≥ 2c||XXᵀ||^{3/2} r^{−1/4} > κ3'' =
  2c(2||M||_F)^{3/2} r^{−1/4} (proved: ⟨∇F,X⟩ = 4c⟨N − M, N⟩ ≥ 2c||N||², ||X||² ≤ √r||N||).
  TIGHT: at r = p = 1, X → √(2λ_1)·u_1 from outside, ||∇F|| → 4√2·cλ_1^{3/2} = κ3''.
  R3' (the bounded rest): ||∇F|| ≥ κ3 = min(2cδρ2, 2cgρ1, 2c(λ_r/8)^{3/2}). NOT proved: each term
  is half the first-order estimate of ||∇F|| on the boundary of R2 (μ_min·ρ2), of R1b (4cg·ρ1) and
  of R1a along flat directions of rank-deficient saddles (4c·t³ at t² = λ_r/8, inside the R1a boundary
  t² = λ_r/6, so conservative); the suite tests it.
Slack of the other constants (exact values at the probes of ``verify.landscape.region_probes``):
  κ2 has at least 12.2 % slack by the proof (λ_min ≥ 4cδ(1 − 3/7 − 1/98) > 1.12·κ2), so κ2 raised
  by 5 % is still true; ρ1, ρ2 and κ3 are not tight either (see region_probes).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace
from typing import Any, Callable, Sequence

import numpy as np

from ..errors import UsageError
from ..kernels.symmetric import (HessianBuilder, Instance, nearest_on_orbit,
                                 orthonormal_complement)


@dataclass(frozen=True)
class RegionConstants:
    """The constants of R1–R3 for one instance (all for the stated c; float, mpf or SymPy numbers)."""

    c: Any
    kappa1: Any
    rho1: Any
    r1a_frac: Any
    kappa2: Any
    rho2: Any
    kappa3: Any
    kappa3_far: Any

    def scaled(self, **factors: Any) -> "RegionConstants":
        """Multiply named constants by factors (used to perturb a claim); factors in the same arithmetic."""
        return replace(self, **{k: getattr(self, k) * v for k, v in factors.items()})


def in_scope(inst: Instance) -> str | None:
    """None if the instance satisfies the L5 assumptions, else the reason it is outside them."""
    lam = inst.lam
    pos = lam[lam > 0]
    if inst.p < inst.r:
        return f"p = rank M = {inst.p} < r = {inst.r}: global minima are degenerate beyond the orbit"
    if len(pos) > 1 and np.min(-np.diff(pos)) <= 1e-9 * pos[0]:
        return "repeated (or float64-tied) positive eigenvalues"
    return None


def region_constants(lam: Sequence[Any], r: int, c: Any, sqrt: Callable[[Any], Any]) -> RegionConstants:
    """THE closed forms of the constants (module docstring), in the arithmetic of ``lam`` and ``c``.

    ``lam`` is λ_1 > … > λ_n ≥ 0 (floats, mpf or SymPy numbers), ``sqrt`` the matching square root;
    only +, −, ×, /, ``sqrt`` and comparisons are used, so float64, mpmath and SymPy share this one copy.
    """
    n = len(lam)
    p = sum(1 for x in lam if x > 0)
    one = c / c
    nxt = lam[r] if r < n else 0 * one
    gamma = lam[r - 1] - nxt
    delta = gamma if n > r else 2 * lam[r - 1]
    g = min([lam[i] - lam[i + 1] for i in range(p - 1)] + [lam[p - 1]])
    root1 = sqrt(lam[0])
    rho1 = gamma / (18 * root1)
    rho2 = delta / (14 * root1)
    t = lam[r - 1] / 8
    kappa3 = min(2 * c * delta * rho2, 2 * c * g * rho1, 2 * c * t * sqrt(t))
    two_norm = 2 * sqrt(sum(x * x for x in lam))
    return RegionConstants(c=c, kappa1=2 * c * gamma, rho1=rho1, r1a_frac=one / 6, kappa2=2 * c * delta,
                           rho2=rho2, kappa3=kappa3,
                           kappa3_far=2 * c * two_norm * sqrt(two_norm) / sqrt(sqrt(r * one)))


def constants(inst: Instance, c: float) -> RegionConstants:
    """The constants (float64) for an in-scope instance."""
    reason = in_scope(inst)
    if reason:
        raise UsageError(f"instance outside the L5 assumptions: {reason}")
    return region_constants([float(x) for x in inst.lam], inst.r, float(c), math.sqrt)


def classify_region(sr2: Any, lam_r: Any, d_saddle: Callable[[], Any], d_min: Callable[[], Any],
                    norm_N: Callable[[], Any], norm_M: Any, K: RegionConstants) -> str:
    """THE region definitions, shared by the float64, mpmath and SymPy evaluators.

    sr2 = σ_r(X)²; d_saddle() = distance to the nearest full-rank saddle orbit (None if there is none),
    d_min() = distance to the global-minimum orbit, norm_N() = ||XXᵀ||_F (called only when needed);
    norm_M = ||M||_F. R1 (R1a, then R1b) takes precedence over R2, R2 over R3.
    """
    if sr2 <= K.r1a_frac * lam_r:
        return "R1a"
    ds = d_saddle()
    if ds is not None and ds <= K.rho1:
        return "R1b"
    if d_min() <= K.rho2:
        return "R2"
    return "R3''" if norm_N() > 2 * norm_M else "R3'"


def _skew_basis(r: int, k: int, l: int) -> np.ndarray:
    """E = e_k e_lᵀ − e_l e_kᵀ, the skew matrix ``orbit_tangent`` multiplies by (built once per evaluator)."""
    E = np.zeros((r, r))
    E[k, l], E[l, k] = 1.0, -1.0
    return E


def _basis(inst: Instance, S) -> np.ndarray:
    return inst.U[:, list(S)] * np.sqrt(inst.lam[list(S)])


def full_rank_saddles(inst: Instance) -> list[tuple[int, ...]]:
    """Index sets S with |S| = r other than the top r (saddles of full rank; exist iff p > r)."""
    top = tuple(range(inst.r))
    return [S for S in itertools.combinations(range(inst.p), inst.r) if S != top]


@dataclass(frozen=True)
class PointReport:
    """Region of a point and its margin (relative: (value − constant)/constant; < 0 violates)."""

    region: str
    margin: float
    value: float
    bound: float


#: relative slack of ``RegionEvaluator``'s shortcut tests: the float64 σ_r² and squared orbit distances of the
#: SVD route are within ~1e-14·(||X||² + ||B||²) of the true ones (backward-stable SVD of ≤ 4×4 matrices), and
#: so are the closed forms and bounds used instead; a comparison is decided without the SVD only when it
#: clears its threshold by 1e-10 of that scale, so the SVD route would decide it the same way
SLACK = 1e-10


class RegionEvaluator:
    """``evaluate`` for one instance and its constants, with everything that depends only on them computed once.

    The search calls it tens of thousands of times per run: M, the orbit bases B_S = U_S Λ_S^{1/2} (stacked
    as B_Sᵀ), ||B_S||², ||M||_F, the saddle list and the Hessian's index pattern are per instance, and the
    nuclear norms ||B_Sᵀ X||_* of all orbits come from one batched SVD. The arithmetic per point is the same
    as the per-call definition (the tests compare them bit for bit); at r = 1 the orbit tangent is {0}, so the
    tangent complement is all of R^n and λ_min is that of the Hessian itself.
    """

    def __init__(self, inst: Instance, K: RegionConstants) -> None:
        self.inst, self.K = inst, K
        self.M = inst.M
        self.r = inst.r
        self.lam_r = inst.lam[inst.r - 1]
        self.Btop = _basis(inst, tuple(range(inst.r)))
        bases = [self.Btop] + [_basis(inst, S) for S in full_rank_saddles(inst)]
        self.BT = np.ascontiguousarray(np.stack([B.T for B in bases]))
        self.BB = np.array([np.sum(B * B) for B in bases])
        self.has_saddles = len(bases) > 1
        self.norm_M = float(np.linalg.norm(inst.lam))
        self.hessian = HessianBuilder(inst.n, inst.r)
        self._BB = self.BB.tolist()
        self._rad2 = [K.rho2 ** 2] + [K.rho1 ** 2] * (len(bases) - 1)
        self._sqrt_r = math.sqrt(inst.r)
        self._skew = [_skew_basis(inst.r, k, l) for k, l in itertools.combinations(range(inst.r), 2)]

    def _distances(self, X: np.ndarray, sX: float, P: np.ndarray) -> np.ndarray:
        """Distances to the global-minimum orbit (entry 0) and to each full-rank saddle orbit, P = B_Sᵀ X
        stacked (at r = 1 the SVD of the 1×1 B_Sᵀ X is |B_Sᵀ X|: LAPACK returns the absolute value exactly)."""
        if self.r == 1:
            nuc = np.abs(P[:, 0, 0])
        else:
            nuc = np.linalg.svd(P, compute_uv=False).sum(axis=-1)
        d2 = (sX + self.BB) - 2 * nuc
        return np.sqrt(np.maximum(d2, 0.0))

    def _sr2(self, X: np.ndarray, sX: float) -> float:
        """σ_r(X)² from the SVD, or ∓inf when a closed form (r ≤ 2) or bounds (r = 3) already put σ_r² farther
        than SLACK·||X||² from the R1a threshold: the SVD's σ_r² would then compare with it the same way."""
        r = self.r
        thr = self.K.r1a_frac * self.lam_r
        est = None
        if r == 1:
            est = sX
        elif r == 2 and X.shape[0] >= 2:
            G = X.T @ X
            a, b, c = float(G[0, 0]), float(G[0, 1]), float(G[1, 1])
            est = (a + c) / 2 - math.hypot((a - c) / 2, b)
        if est is not None:
            if est < thr - SLACK * sX:
                return -math.inf
            if est > thr + SLACK * sX:
                return math.inf
        elif r == 3 and X.shape[0] >= 3 and math.isfinite(sX):
            # G = XᵀX: λ_min(G) ≤ min_i G_ii (Rayleigh quotient at e_i) and, as λ_2λ_3 ≤ (tr G/2)²,
            # λ_min(G) = det G/(λ_2λ_3) ≥ 4·det G/(tr G)²; both within ~1e-13·||X||² of their exact values
            (a, d, e), (_, b, f), (_, _, c) = (X.T @ X).tolist()
            if min(a, b, c) < thr - SLACK * sX:
                return -math.inf
            tr = a + b + c
            if tr > 0 and 4 * (a * (b * c - f * f) - d * (d * c - f * e) + e * (d * f - b * e)) / (tr * tr) \
                    > thr + SLACK * sX:
                return math.inf
        sv = np.linalg.svd(X, compute_uv=False)
        sr = sv[r - 1] if len(sv) >= r else 0.0
        return sr ** 2

    def _orbit_proxies(self, X: np.ndarray, sX: float) -> list[float]:
        """Per orbit (global minimum first, then the saddles): the distance, or ∓inf where the bounds
        ||A||_F ≤ ||A||_* ≤ √r·||A||_F on A = B_SᵀX put d² = ||X||² + ||B||² − 2||A||_* farther than
        SLACK·(||X||² + ||B||²) from the orbit's radius² (ρ2 for the minimum, ρ1 for a saddle), so that the
        SVD-based distance would compare with the radius the same way; r = 1 is always exact (no SVD).

        At r = 2 the nuclear norm's closed form sqrt(||A||_F² + 2|det A|) replaces the two bounds. The
        comparisons are in Python floats (a handful of orbits: NumPy's per-call cost on arrays of ≤ 4 entries
        was most of the time); the distances themselves are those of ``_distances``."""
        P = self.BT @ X
        if self.r == 1:
            if math.isfinite(sX):  # the same IEEE operations as ``_distances``, on Python floats
                return [math.sqrt(max((sX + bb) - 2 * abs(v), 0.0)) for bb, v in zip(self._BB, P.reshape(-1).tolist())]
            return self._distances(X, sX, P).tolist()
        if self.r == 2 and math.isfinite(sX):
            # ||A||_* = sqrt(||A||_F² + 2|det A|) for 2×2 A (σ1 + σ2 squared): within ~1e-15·(||X||² + ||B||²)
            # of the SVD's, so a comparison it clears by SLACK of that scale goes the same way
            out = []
            for bb, (a, b, c, d), rad2 in zip(self._BB, P.reshape(-1, 4).tolist(), self._rad2):
                S = sX + bb
                d2 = S - 2 * math.sqrt(a * a + b * b + c * c + d * d + 2 * abs(a * d - b * c))
                if d2 < rad2 - SLACK * S:
                    out.append(-math.inf)
                elif d2 > rad2 + SLACK * S:
                    out.append(math.inf)
                else:
                    return self._distances(X, sX, P).tolist()
            return out
        if math.isfinite(sX):
            out = []
            two_sqrt_r = 2 * self._sqrt_r
            for bb, pp, rad2 in zip(self._BB, (P * P).sum(axis=(1, 2)).tolist(), self._rad2):
                S = sX + bb
                f = math.sqrt(pp)
                if S - 2 * f < rad2 - SLACK * S:
                    out.append(-math.inf)
                elif S - two_sqrt_r * f > rad2 + SLACK * S:
                    out.append(math.inf)
                else:
                    return self._distances(X, sX, P).tolist()
            return out
        return self._distances(X, sX, P).tolist()

    def _norm_N(self, X: np.ndarray, N: list) -> float:
        """||XXᵀ||_F as ``np.linalg.norm`` computes it (sqrt of the flattened dot product); XXᵀ kept in N."""
        if not N:
            N.append(X @ X.T)
        v = N[0].ravel()
        return math.sqrt(float(v.dot(v)))

    def _region(self, X: np.ndarray, N: list) -> str:
        sX = float((X * X).sum())  # ndarray.sum: the same reduction as np.sum, without its wrapper
        dist: list[list[float]] = []

        def distances() -> list[float]:
            if not dist:
                dist.append(self._orbit_proxies(X, sX))
            return dist[0]

        def d_saddle() -> float:
            d = distances()[1:]
            return min(d) if all(v == v for v in d) else math.nan  # np.min's NaN propagation

        return classify_region(self._sr2(X, sX), self.lam_r, d_saddle if self.has_saddles else lambda: None,
                               lambda: distances()[0], lambda: self._norm_N(X, N), self.norm_M, self.K)

    def region(self, X: np.ndarray) -> str:
        """The region of X (``classify_region``; orbit distances only when the definition asks for them).

        The σ_r² and distances handed to ``classify_region`` are those of the SVD route, or ∓inf where a
        cheaper bound already decides their comparison with the threshold (``_sr2``, ``_orbit_proxies``):
        the region is the one the SVD route gives (the tests compare them bit for bit)."""
        return self._region(X, [])

    def __call__(self, X: np.ndarray, only: str | None = None) -> PointReport | None:
        """Region of X and the margin of that region's inequality; None if ``only`` is given and X lies
        in another region (the margin, which the caller would discard, is then not computed)."""
        N: list[np.ndarray] = []  # XXᵀ, when the region test formed it (the gradient reuses it)
        region = self._region(X, N)
        if only is not None and region != only:
            return None
        K, M, c = self.K, self.M, self.K.c
        if region in ("R1a", "R1b"):
            lmin = float(np.linalg.eigvalsh(self.hessian(X, M, c))[0])
            return PointReport(region, (-lmin - K.kappa1) / K.kappa1, -lmin, K.kappa1)
        if region == "R2":
            H = self.hessian(X, M, c)
            if self.r > 1:
                Xh = nearest_on_orbit(X, self.Btop)
                v = Xh.ravel()
                scale = max(1.0, math.sqrt(float(v.dot(v))))  # = np.linalg.norm(Xh)
                T = np.array([(Xh @ E).reshape(-1) for E in self._skew]).T  # = orbit_tangent(Xh)
                Q = orthonormal_complement(T, X.size, 1e-10 * scale)
                H = Q.T @ H @ Q
            lmin = float(np.linalg.eigvalsh(H)[0])
            return PointReport("R2", (lmin - K.kappa2) / K.kappa2, lmin, K.kappa2)
        R = (N[0] if N else X @ X.T) - M  # = gradient(X, M, c)'s XXᵀ − M
        g = ((4 * c) * (R @ X)).ravel()
        gnorm = math.sqrt(float(g.dot(g)))
        if region == "R3''":
            return PointReport("R3''", (gnorm - K.kappa3_far) / K.kappa3_far, gnorm, K.kappa3_far)
        return PointReport("R3'", (gnorm - K.kappa3) / K.kappa3, gnorm, K.kappa3)

    def regions(self, X: np.ndarray) -> np.ndarray:
        """Regions of a batch X (B, n, r), as strings: ``classify_region`` applied pointwise, vectorized."""
        K = self.K
        sv = np.linalg.svd(X, compute_uv=False)
        sr2 = sv[:, self.r - 1] ** 2
        nuc = np.sum(np.linalg.svd(self.BT[None] @ X[:, None], compute_uv=False), axis=-1)
        d = np.sqrt(np.maximum((np.sum(X * X, axis=(-1, -2))[:, None] + self.BB) - 2 * nuc, 0.0))
        normN = np.linalg.norm(X @ np.swapaxes(X, -1, -2), axis=(-1, -2))
        out = np.where(normN > 2 * self.norm_M, "R3''", "R3'").astype(object)
        out[d[:, 0] <= K.rho2] = "R2"
        if self.has_saddles:
            out[np.min(d[:, 1:], axis=1) <= K.rho1] = "R1b"
        out[sr2 <= K.r1a_frac * self.lam_r] = "R1a"
        return out


def evaluate(X: np.ndarray, inst: Instance, K: RegionConstants) -> PointReport:
    """Classify X into R1a/R1b/R2/R3'/R3'' and return the margin of that region's inequality.

    For many points of one instance build a ``RegionEvaluator`` once instead.
    """
    return RegionEvaluator(inst, K)(X)


def region_report(M: np.ndarray, X: np.ndarray, c: float = 0.25) -> dict:
    """Validated entry point: the region of X for target M and its margin, or why (M, r) is outside L5.

    Raises UsageError for NaN/inf, mismatched shapes, non-symmetric or indefinite M, c ≤ 0.
    """
    from ..kernels.symmetric import check_c, check_instance

    M = np.asarray(M, dtype=float)
    X = np.asarray(X, dtype=float)
    check_instance(M, X)
    if M.ndim != 2 or X.ndim != 2:
        raise UsageError("M and X must be single matrices (no batch axes)")
    c = check_c(c)
    w, V = np.linalg.eigh(M)
    order = np.argsort(w)[::-1]
    lam = np.where(w[order] > 1e-12 * max(1.0, float(np.max(np.abs(w)))), w[order], 0.0)
    inst = Instance(lam, V[:, order], X.shape[1])
    reason = in_scope(inst)
    if reason:
        return {"region": None, "outside_claim": reason}
    rep = evaluate(X, inst, constants(inst, c))
    return {"region": rep.region, "margin": rep.margin, "value": rep.value, "bound": rep.bound}
