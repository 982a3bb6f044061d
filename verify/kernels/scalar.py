"""Batched float64 kernels for the deep scalar problem, by the product rule in NumPy.

F(w) = (a/2)(P − m)² + (b/2)Σw_l², P = w_1⋯w_L, with the same formulas as the symbolic model
``verify.symbolic.scalar.full_model`` (``_product_rule``): ∂_iF = a·P_i·(P − m) + b·w_i,
∂_i∂_iF = a·P_i² + b, ∂_i∂_jF = a·P_i·P_j + a·P_ij·(P − m) (i ≠ j), where P_i = ∏_{k≠i} w_k and
P_ij = ∏_{k≠i,j} w_k come from prefix and suffix products (no division, so w_l = 0 is fine). Evaluating
these directly replaces ``lambdify(..., cse=True)`` of the SymPy expressions (about 0.7 s of compile time per
process at depth 12); tests compare both routes entry by entry.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np


def _prefix_suffix(W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """prefix[:, i] = ∏_{k<i} w_k and suffix[:, i] = ∏_{k≥i} w_k, both of shape (N, L + 1) (empty product 1)."""
    N, L = W.shape
    prefix = np.ones((N, L + 1))
    suffix = np.ones((N, L + 1))
    if L:
        np.cumprod(W, axis=1, out=prefix[:, 1:])
        suffix[:, :L] = np.cumprod(W[:, ::-1], axis=1)[:, ::-1]
    return prefix, suffix


def _objective(W: np.ndarray, m: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """F = (a/2)(P − m)² + (b/2)Σw_l² per row."""
    P = np.prod(W, axis=1)
    return a / 2 * (P - m) ** 2 + b / 2 * np.sum(W * W, axis=1)


def _gradient(W: np.ndarray, m: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """∂_iF = a·P_i·(P − m) + b·w_i, shape (N, L)."""
    prefix, suffix = _prefix_suffix(W)
    L = W.shape[1]
    Pi = prefix[:, :L] * suffix[:, 1:]
    return (a * (prefix[:, L] - m))[:, None] * Pi + b[:, None] * W


def _hessian(W: np.ndarray, m: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a·P_i·P_j + a·P_ij·(P − m) off the diagonal, a·P_i² + b on it; shape (N, L, L), symmetric.

    P_ij (i < j) = prefix_i · (w_{i+1}⋯w_{j−1}) · suffix_{j+1}; the middle products are built diagonal by
    diagonal (d = j − i), L vectorised steps."""
    N, L = W.shape
    prefix, suffix = _prefix_suffix(W)
    Pi = prefix[:, :L] * suffix[:, 1:]
    H = a[:, None, None] * (Pi[:, :, None] * Pi[:, None, :])
    resid = a * (prefix[:, L] - m)
    mid = np.ones((N, L))  # mid[:, i] = w_{i+1}⋯w_{i+d−1} for the current d
    for d in range(1, L):
        i = np.arange(L - d)
        if d > 1:
            mid[:, i] = mid[:, i] * W[:, i + d - 1]
        Pij = prefix[:, i] * mid[:, i] * suffix[:, i + d + 1]
        extra = resid[:, None] * Pij
        H[:, i, i + d] += extra
        H[:, i + d, i] += extra
    diag = np.arange(L)
    H[:, diag, diag] += b[:, None]
    return H


class ScalarKernels:
    """F, ∇F and ∇²F of depth L on batches: W has shape (N, L); m, a, b broadcast to (N,)."""

    def __init__(self, depth: int) -> None:
        self.depth = depth

    def _args(self, W: np.ndarray, m, a, b) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        W = np.asarray(W, dtype=np.float64)
        if W.ndim != 2 or W.shape[1] != self.depth:
            raise ValueError(f"W must have shape (N, {self.depth}), got {W.shape}")
        N = W.shape[0]
        m, a, b = (np.broadcast_to(np.asarray(x, np.float64), (N,)) for x in (m, a, b))
        return W, m, a, b

    def objective(self, W: np.ndarray, m, a, b) -> np.ndarray:
        """F per row, shape (N,)."""
        return np.array(_objective(*self._args(W, m, a, b)))

    def gradient(self, W: np.ndarray, m, a, b) -> np.ndarray:
        """∇F per row, shape (N, L)."""
        return _gradient(*self._args(W, m, a, b))

    def hessian(self, W: np.ndarray, m, a, b) -> np.ndarray:
        """∇²F per row, shape (N, L, L)."""
        return _hessian(*self._args(W, m, a, b))


@lru_cache(maxsize=None)
def scalar_kernels(depth: int) -> ScalarKernels:
    """The batched kernels of depth L (one object per depth)."""
    return ScalarKernels(depth)


def _companion_radii(depth: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray,
                     imag_tol: float = 1e-7) -> list[np.ndarray]:
    """Real positive roots of g by batched companion-matrix eigenvalues (the independent cross-check route).

    A root counts as real when |Im ρ| ≤ imag_tol·|ρ| (looser than rounding, so near-double roots are kept).
    """
    L = depth
    N = mabs.shape[0]
    deg = 2 * L - 2
    coeffs = np.zeros((N, deg + 1))  # highest degree first
    coeffs[:, 0] = a
    coeffs[:, deg - (L - 2)] += -a * mabs
    coeffs[:, deg] += b
    monic = coeffs[:, 1:] / coeffs[:, :1]
    comp = np.zeros((N, deg, deg))
    comp[:, 0, :] = -monic
    if deg > 1:
        idx = np.arange(deg - 1)
        comp[:, idx + 1, idx] = 1.0
    roots = np.linalg.eigvals(comp)
    out = []
    for r in roots:
        keep = (np.abs(r.imag) <= imag_tol * np.abs(r)) & (r.real > 0)
        out.append(np.sort(r.real[keep]))
    return out


# the roots are cross-checked against the companion-matrix eigenvalues on this many instances per call
CROSS_CHECK_SAMPLE = 8
# relative agreement demanded of the two routes there. Off the fold band below, the two roots lie at least
# about 10^-3·ρ_c/L apart, so their condition number (Σ|c_i|ρ^i / (ρ|g'(ρ)|)) is ≲ 10^4 and both routes agree to
# ≲ 10^-11 (measured: ≤ 2·10^-12 at L = 3..12); 10^-6 is far above that and far below what a wrong root (a
# wrong bracket, a wrong g) differs by, O(1) relative
CROSS_CHECK_RTOL = 1e-6
# instances with |g(ρ_c)| ≤ FOLD_BAND·a|m|ρ_c^(L−2) are near a fold (double root): the two routes may then
# legitimately disagree on whether a nearly double root is real, so they are not compared there
FOLD_BAND = 1e-6


def _fold_radius(L: int, mabs: np.ndarray) -> np.ndarray:
    """ρ_c, the one positive zero of g' (L ≥ 3): ρ_c^L = |m|(L−2)/(2L−2)."""
    return ((L - 2) * mabs / (2 * L - 2)) ** (1.0 / L)


def _g(L: int, r: np.ndarray, mabs: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """g(ρ) = a·ρ^(L−2)(ρ^L − |m|) + b."""
    return a * r ** (L - 2) * (r ** L - mabs) + b


def _dg(L: int, r: np.ndarray, mabs: np.ndarray, a: np.ndarray) -> np.ndarray:
    """g'(ρ) = a·ρ^(L−3)·((2L−2)ρ^L − (L−2)|m|)."""
    return a * r ** (L - 3) * ((2 * L - 2) * r ** L - (L - 2) * mabs)


def _bracketed_newton(L: int, lo: np.ndarray, hi: np.ndarray, mabs: np.ndarray, a: np.ndarray, b: np.ndarray,
                      max_iter: int = 300, start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The root of g in [lo, hi] per instance (g(lo), g(hi) of opposite signs, g monotone there).

    Newton from ``start`` where it lies strictly inside the bracket, else from the bracket's midpoint; a Newton
    point outside the current bracket is replaced by the midpoint (bisection), and every step keeps the sign
    change, so each root stays inside its own bracket. Stops per instance at a Newton step or bracket below a
    few ulps. Returns (roots, converged).
    """
    lo, hi = lo.copy(), hi.copy()
    x = 0.5 * (lo + hi)
    if start is not None:
        x = np.where(np.isfinite(start) & (start > lo) & (start < hi), start, x)
    glo = _g(L, lo, mabs, a, b)
    root = x.copy()
    done = np.zeros(lo.shape, bool)
    act = np.flatnonzero(~done)
    tiny = 4 * np.finfo(float).eps
    for _ in range(max_iter):
        if act.size == 0:
            break
        xa, la, ha, gla = x[act], lo[act], hi[act], glo[act]
        ma, aa, ba = mabs[act], a[act], b[act]
        gx = _g(L, xa, ma, aa, ba)
        same = np.sign(gx) == np.sign(gla)
        la = np.where(same, xa, la)
        gla = np.where(same, gx, gla)
        ha = np.where(same, ha, xa)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            newton = xa - gx / _dg(L, xa, ma, aa)
        # a Newton step below a few ulps ends the iteration (xa is then an end of the bracket, so the Newton
        # point is not strictly inside it: tested before the fallback to the midpoint replaces it)
        small = np.isfinite(newton) & (np.abs(newton - xa) <= tiny * np.abs(xa))
        inside = np.isfinite(newton) & (newton > la) & (newton < ha)
        xn = np.where(inside, newton, 0.5 * (la + ha))
        fin = (gx == 0) | small | (np.abs(xn - xa) <= tiny * np.abs(xa)) | (ha - la <= tiny * ha)
        lo[act], hi[act], glo[act], x[act] = la, ha, gla, xn
        settled = small & (newton >= la) & (newton <= ha)
        root[act] = np.where(gx == 0, xa, np.where(small, np.where(settled, newton, xa), xn))
        done[act[fin]] = True
        act = act[~fin]
    return root, done


def _structured_radii(L: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray, imag_tol: float
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Positive roots of g for L ≥ 3, a > 0, b > 0 by the structure proved in ``verify.highprec.scalar``.

    g falls then rises on (0, ∞) with its minimum at ρ_c, ρ_c^L = |m|(L−2)/(2L−2), and g(0+) = b > 0,
    g(|m|^(1/L)) = b > 0: two roots (one in (0, ρ_c], one in [ρ_c, |m|^(1/L)]) when g(ρ_c) < 0, none when
    g(ρ_c) > 0. As the companion route does, a nearly double root — g(ρ_c) > 0 but the complex pair
    ρ_c ± iδ, δ² ≈ 2g(ρ_c)/g''(ρ_c), within |δ| ≤ imag_tol·ρ_c — is kept (as ρ_c twice) and judged by its
    objective. Returns per instance the two roots ascending (an (N, 2) array), how many there are (0 or 2),
    whether Newton converged (False: use another route) and g(ρ_c).
    """
    n = len(mabs)
    rc = _fold_radius(L, mabs)
    gc = _g(L, rc, mabs, a, b)
    with np.errstate(divide="ignore", invalid="ignore"):  # |m| = 0 at L = 3: 0·0^(−1); gc = b > 0 decides
        g2c = a * L * (L - 2) * mabs * rc ** (L - 4)  # g''(ρ_c)
    near_fold = (gc > 0) & (2 * gc <= g2c * (imag_tol * rc) ** 2)
    two = gc < 0
    pairs = np.full((n, 2), np.nan)
    count = np.zeros(n, dtype=int)
    ok = np.ones(n, dtype=bool)
    fold = near_fold | (gc == 0)
    pairs[fold] = rc[fold, None]
    count[fold] = 2
    idx = np.flatnonzero(two)
    if idx.size:
        m_, a_, b_, rc_ = mabs[idx], a[idx], b[idx], rc[idx]
        # g(|m|^(1/L)) = b > 0 exactly, but ρ^L − |m| rounds to about ±ulp·|m|, which can outweigh a tiny b:
        # widen the upper end by growing relative steps until g is positive there as computed
        top = m_ ** (1.0 / L)
        step = np.finfo(float).eps
        bad = _g(L, top, m_, a_, b_) <= 0
        while bad.any():
            top = np.where(bad, top * (1 + step), top)
            step *= 2
            bad = _g(L, top, m_, a_, b_) <= 0
        # starting points next to each root: ρ^(L−2)(|m| − ρ^L) = b/a gives ρ_low^(L−2) ≥ b/(a|m|) and
        # ρ_high^L ≤ |m| − b/(a|m|^((L−2)/L)) (as ρ_high ≤ |m|^(1/L)); each is the root when ρ^L ≪ |m|, resp.
        # b ≪ a|m|^((2L−2)/L), and is only a start (the bracket decides)
        with np.errstate(all="ignore"):
            start_low = (b_ / (a_ * m_)) ** (1.0 / (L - 2))
            start_high = (m_ - b_ / (a_ * m_ ** ((L - 2) / L))) ** (1.0 / L)
        low, ok_low = _bracketed_newton(L, np.zeros_like(rc_), rc_, m_, a_, b_, start=start_low)
        high, ok_high = _bracketed_newton(L, rc_, top, m_, a_, b_, start=start_high)
        pairs[idx, 0], pairs[idx, 1] = low, high
        count[idx] = 2
        ok[idx] = ok_low & ok_high
    return pairs, count, ok, gc


def _cross_check(L: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray, pairs: np.ndarray, count: np.ndarray,
                 gc: np.ndarray, imag_tol: float) -> None:
    """Compare the bracketed roots with the companion-matrix eigenvalues on a few evenly spaced instances.

    Deterministic (the same instances for the same input, so runs stay reproducible) and cheap (at most
    CROSS_CHECK_SAMPLE small eigenproblems). Raises ArithmeticError on a disagreement off the fold band, so a
    check relying on these roots becomes inconclusive with the error named, never silently wrong.
    """
    N = len(mabs)
    pick = np.unique(np.linspace(0, N - 1, min(N, CROSS_CHECK_SAMPLE)).round().astype(int))
    rc = _fold_radius(L, mabs[pick])
    band = FOLD_BAND * a[pick] * mabs[pick] * rc ** (L - 2)
    pick = pick[np.abs(gc[pick]) > band]
    if pick.size == 0:
        return
    ref = _companion_radii(L, mabs[pick], a[pick], b[pick], imag_tol)
    for i, r in zip(pick, ref):
        ours = pairs[i, :count[i]]
        if len(ours) != len(r) or not np.allclose(ours, r, rtol=CROSS_CHECK_RTOL, atol=0):
            raise ArithmeticError(
                f"stationary radii at depth {L}, |m| = {mabs[i]!r}, a = {a[i]!r}, b = {b[i]!r}: bracketed Newton "
                f"gives {list(ours)}, companion-matrix eigenvalues {list(r)}")


def _radii_flat(depth: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray, imag_tol: float = 1e-7
                ) -> tuple[np.ndarray, np.ndarray]:
    """``stationary_radii_batch`` as (counts per instance, all roots concatenated in instance order)."""
    L = depth
    mabs, a, b = np.broadcast_arrays(np.asarray(mabs, float), np.asarray(a, float), np.asarray(b, float))
    N = mabs.shape[0]
    if L == 1:
        return np.ones(N, dtype=int), a * mabs / (a + b)
    structured = (np.isfinite(mabs) & np.isfinite(a) & np.isfinite(b) & (a > 0) & (b > 0) & (mabs >= 0)
                  if L >= 3 else np.zeros(N, bool))
    counts = np.zeros(N, dtype=int)
    done = np.zeros(N, dtype=bool)
    pairs = np.zeros((N, 2))
    idx = np.flatnonzero(structured)
    if idx.size:
        m_, a_, b_ = mabs[idx], a[idx], b[idx]
        found, count, ok, gc = _structured_radii(L, m_, a_, b_, imag_tol)
        if ok.any():
            keep = np.flatnonzero(ok)
            _cross_check(L, m_[keep], a_[keep], b_[keep], found[keep], count[keep], gc[keep], imag_tol)
        solved = idx[ok]
        counts[solved], pairs[solved], done[solved] = count[ok], found[ok], True
    rest = np.flatnonzero(~done)
    other = _companion_radii(L, mabs[rest], a[rest], b[rest], imag_tol) if rest.size else []
    for i, r in zip(rest, other):
        counts[i] = len(r)
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(int)
    flat = np.empty(int(counts.sum()))
    two = np.flatnonzero(done & (counts == 2))
    flat[offsets[two]], flat[offsets[two] + 1] = pairs[two, 0], pairs[two, 1]
    for i, r in zip(rest, other):
        flat[offsets[i]:offsets[i] + len(r)] = r
    return counts, flat


def stationary_radii_batch(depth: int, mabs: np.ndarray, a: np.ndarray, b: np.ndarray,
                           imag_tol: float = 1e-7) -> list[np.ndarray]:
    """Real positive roots ρ of a·ρ^(2L−2) − a|m|·ρ^(L−2) + b per instance (float64), ascending.

    L ≥ 3 with a, b > 0 (every caller): bracketed Newton on the two intervals that the structure of g gives
    (``_structured_radii``), vectorised over the batch, about 8× faster than the companion eigenvalues; a few
    instances per call are cross-checked against the companion route (``_cross_check``). Other inputs (and any
    instance whose Newton iteration does not converge) use the companion-matrix eigenvalues, where a root counts
    as real when |Im ρ| ≤ imag_tol·|ρ| (a looser test than rounding, so near-double roots are kept, then judged
    by their objective). L = 2: ρ² = |m| − b/a; L = 1: ρ = a|m|/(a + b).
    """
    counts, flat = _radii_flat(depth, mabs, a, b, imag_tol)
    return np.split(flat, np.cumsum(counts)[:-1]) if len(counts) else []


def collapse_gaps(depth: int, m: np.ndarray, a: float, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per instance: F(0), F(0) − min F over the nonzero stationary points (−inf if none), and how many.

    All (instance, root) pairs are evaluated in one kernel call at w = ρ·s with s = (1, …, 1, sign m).
    """
    m = np.asarray(m, float)
    n = m.shape[0]
    b = np.broadcast_to(np.asarray(b, float), (n,))
    kern = scalar_kernels(depth)
    counts, r = _radii_flat(depth, np.abs(m), a, b)
    f0 = kern.objective(np.zeros((n, depth)), m, a, b)
    owner = np.repeat(np.arange(n), counts)
    gaps = np.full(n, -np.inf)
    if owner.size:
        signs = np.ones((owner.size, depth))
        signs[:, -1] = np.where(m[owner] < 0, -1.0, 1.0)
        values = kern.objective(r[:, None] * signs, m[owner], a, b[owner])
        best = np.full(n, np.inf)
        np.minimum.at(best, owner, values)
        has = np.isfinite(best)
        gaps[has] = f0[has] - best[has]
    return f0, gaps, counts
