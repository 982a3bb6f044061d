"""The unregularized deep linear network f(W) = ½||W_L⋯W_1 − M||_F² (docs/mathematics.md §L9).

Normalization: a = 1, b = 0 in the deep objective of docs/mathematics.md (§Conventions); the regularized
contrast uses a = 1, b > 0. Widths d = (d_0, .., d_L), W_l ∈ R^{d_l × d_(l−1)}, M ∈ R^{d_L × d_0} with
distinct nonzero singular values σ_1 > .. > σ_r > 0 and hidden widths ≥ r.

What the suite derived (the claim under test lives in ``verify.claims.deep_linear``; this module only
constructs points, directions and counts, and computes Hessians by a route of its own):
- at every stationary point (L ≥ 2) W_1ᵀ∇_1 f = Pᵀ(P − M) = 0 and ∇_L f W_Lᵀ = (P − M)Pᵀ = 0, so M = P + (M − P)
  splits into parts with orthogonal row and column spaces: P = U_S Σ_S V_Sᵀ for an index set S ⊆ {1..r};
- every S is attained by the balanced point W_l = Q_l Σ_S^(1/L) Q_(l−1)ᵀ (Q_0 = V_S, Q_L = U_S, hidden Q_l
  with orthonormal columns), and by its GL images W_l ↦ G_l W_l G_(l−1)^(−1) (same Hessian inertia);
- for S ≠ {1..r} and j ∉ S the curve adding t·q_l q_(l−1)ᵀ to every layer (q_0 = v_j, q_L = u_j, hidden q_l
  orthogonal to Q_l) has f(t) = f(0) − σ_j t^L + t^(2L)/2: the point is not a local minimum;
- at a minimizer (S = {1..r}, f = 0) the Hessian null space has dimension N = Σ d_l d_(l−1) − r(d_0 + d_L − r),
  the GL orbit tangent T = Σ_hidden r(2d_l − r), and N − T = Σ_l (d_l − r)(d_(l−1) − r): equal exactly when no
  two adjacent widths both exceed r.
"""
from __future__ import annotations

import itertools
from typing import Sequence

import mpmath
import numpy as np

from ..errors import UsageError
from .deep_matrix import flatten, haar_orthogonal


def check_widths(widths: Sequence[int], r: int) -> tuple[int, ...]:
    """Widths (d_0..d_L), L ≥ 2, every width ≥ r ≥ 1 (the hidden-width condition of the claim)."""
    d = tuple(int(w) for w in widths)
    if len(d) < 3 or any(w < r for w in d) or r < 1:
        raise UsageError(f"widths {widths} need depth >= 2 and every width >= rank {r} >= 1")
    return d


def subsets(r: int) -> list[tuple[int, ...]]:
    """Every index set S ⊆ {0..r−1} (0-based), as sorted tuples."""
    return [s for k in range(r + 1) for s in itertools.combinations(range(r), k)]


def has_inversion(S: Sequence[int], r: int) -> bool:
    """Some i ∈ S and j ∉ S (j < r) with σ_j > σ_i, i.e. j < i (σ sorted decreasingly)."""
    return any(j < i for i in S for j in range(r) if j not in S)


def target(rng: np.random.Generator, d0: int, dL: int, r: int, spread: float = 4.0):
    """(M, U, σ, V): M = U diag(σ) Vᵀ with r distinct singular values, log-uniform in [1, spread], gap ≥ 10%."""
    while True:
        sig = np.sort(np.exp(rng.uniform(0.0, np.log(spread), r)))[::-1]
        if r == 1 or np.min(sig[:-1] / sig[1:]) > 1.1:
            break
    U = haar_orthogonal(rng, dL)[:, :r]
    V = haar_orthogonal(rng, d0)[:, :r]
    return (U * sig) @ V.T, U, sig, V


def balanced_point(U, sig, V, S: Sequence[int], widths: Sequence[int], Qs_hidden: Sequence[np.ndarray]):
    """W_l = Q_l diag(σ_S^(1/L)) Q_(l−1)ᵀ; Qs_hidden[h] are orthonormal d_h × r frames, the first |S| columns used.
    With S = ∅ every layer is zero (float64; the high-precision tier builds its own in mpmath)."""
    L = len(widths) - 1
    S = list(S)
    k = len(S)
    if k == 0:
        return [np.zeros((widths[l + 1], widths[l])) for l in range(L)]
    root = np.asarray(sig)[S] ** (1.0 / L)
    frames = [np.asarray(V)[:, S]] + [Q[:, :k] for Q in Qs_hidden] + [np.asarray(U)[:, S]]
    return [(frames[l + 1] * root) @ frames[l].T for l in range(L)]


def descent_direction(U, V, S: Sequence[int], j: int, Qs_hidden: Sequence[np.ndarray], widths: Sequence[int]):
    """Layers E_l = q_l q_(l−1)ᵀ with q_0 = v_j, q_L = u_j and hidden q_l = column r of Qs_hidden[h] (orthogonal
    to the frames used by ``balanced_point``; needs hidden width > |S|, guaranteed when |S| < r ≤ width)."""
    L = len(widths) - 1
    k = len(S)
    qs = [np.asarray(V)[:, j]] + [Q[:, k] for Q in Qs_hidden] + [np.asarray(U)[:, j]]
    return [np.outer(qs[l + 1], qs[l]) for l in range(L)]


def hidden_frames(rng: np.random.Generator, widths: Sequence[int]) -> list[np.ndarray]:
    """A random orthogonal matrix per hidden width (its columns are the frames Q_h)."""
    return [haar_orthogonal(rng, w) for w in widths[1:-1]]


def gl_tangent(Ws: Sequence[np.ndarray]) -> np.ndarray:
    """Columns ξ ↦ (ξ_l W_l − W_l ξ_(l−1)) over the basis E_ij of every gl(d_h), h hidden (ξ_0 = ξ_L = 0)."""
    L = len(Ws)
    cols = []
    for h in range(1, L):
        d = Ws[h - 1].shape[0]
        for i in range(d):
            for j in range(d):
                E = np.zeros((d, d))
                E[i, j] = 1.0
                vec = [np.zeros_like(W) for W in Ws]
                vec[h - 1] = E @ Ws[h - 1]
                vec[h] = -Ws[h] @ E
                cols.append(flatten(vec))
    return np.array(cols).T


def gl_move(rng: np.random.Generator, Ws: Sequence[np.ndarray], cond_max: float = 10.0):
    """(G-moved layers, Gs): W_l ↦ G_l W_l G_(l−1)^(−1) with random hidden G_h of condition ≤ cond_max."""
    Gs = []
    for W in Ws[:-1]:
        d = W.shape[0]
        s = np.exp(rng.uniform(0, np.log(cond_max), d))
        Gs.append(haar_orthogonal(rng, d) @ np.diag(s) @ haar_orthogonal(rng, d))
    full = [None] + Gs + [None]
    out = []
    for l, W in enumerate(Ws):
        X = W if full[l + 1] is None else full[l + 1] @ W
        out.append(X if full[l] is None else X @ np.linalg.inv(full[l]))
    return out, Gs


def derived_counts(widths: Sequence[int], r: int) -> dict[str, int]:
    """N (Hessian null dim at a minimizer, rank-r variety count), T (GL orbit tangent) and N − T, as derived."""
    d = widths
    L = len(d) - 1
    n_par = sum(d[l] * d[l - 1] for l in range(1, L + 1))
    N = n_par - r * (d[0] + d[L] - r)
    T = sum(r * (2 * d[h] - r) for h in range(1, L))
    excess = sum((d[l] - r) * (d[l - 1] - r) for l in range(1, L + 1))
    return {"params": n_par, "null": N, "orbit": T, "excess": excess}


# ------------------------------------------------------------------------------ mpmath Hessian (own route)

def mp_product(Ws: Sequence[mpmath.matrix], lo: int, hi: int, n: int) -> mpmath.matrix:
    """W_(hi−1)⋯W_lo (0-based, identity of size n when empty)."""
    out = mpmath.eye(n)
    for l in range(lo, hi):
        out = Ws[l] * out
    return out


def _lists(A: mpmath.matrix) -> list[list]:
    return [[A[i, j] for j in range(A.cols)] for i in range(A.rows)]


def _list_product(Ws: Sequence[list], lo: int, hi: int, n: int) -> list[list]:
    """``mp_product`` on lists of rows: every entry one ``mpmath.fdot`` (exact sum, one rounding), as
    ``mpmath.matrix.__mul__`` computes it, so the numbers are the same."""
    one, zero = mpmath.mpf(1), mpmath.mpf(0)
    out = [[one if i == j else zero for j in range(n)] for i in range(n)]
    for l in range(lo, hi):
        W = Ws[l]
        cols = list(zip(*out))
        out = [[mpmath.fdot(zip(row, col)) for col in cols] for row in W]
    return out


def mp_hessian(Ws: Sequence[mpmath.matrix], M: mpmath.matrix, b=0) -> mpmath.matrix:
    """Dense Hessian of ½||P − M||² + (b/2)Σ||W_l||² by second directional derivatives along unit matrices:
    H[(k,e),(l,e')] = ⟨δ_k P, δ_l P⟩ + ⟨R, δ_kl P⟩ + b·[same entry], δ_k P = A_k E B_k, δ_kl P = A_k E C E' B_l.

    On lists of mpf (``mpmath.matrix`` indexing was most of the cost), each product between layers formed
    once; every entry is the same sequence of roundings as the matrix route (tests/test_route_deep_linear_hp.py)."""
    L = len(Ws)
    dims = [Ws[0].cols] + [W.rows for W in Ws]
    Wl = [_lists(W) for W in Ws]
    P = _list_product(Wl, 0, L, dims[0])
    Ml = _lists(M)
    R = [[p - m for p, m in zip(rp, rm)] for rp, rm in zip(P, Ml)]
    A = [_list_product(Wl, l + 1, L, dims[l + 1]) for l in range(L)]
    B = [_list_product(Wl, 0, l, dims[0]) for l in range(L)]
    C = {(l, k): _list_product(Wl, l + 1, k, dims[l + 1]) for k in range(L) for l in range(k)}
    units = [(l, i, j) for l in range(L) for i in range(dims[l + 1]) for j in range(dims[l])]
    rows, cols = len(R), len(R[0])
    # δ_k P for E_ij at layer k: A_k[:, i] B_k[j, :], flattened row-major
    first = [[A[l][p][i] * B[l][j][q] for p in range(rows) for q in range(cols)] for (l, i, j) in units]
    n = len(units)
    H = [[None] * n for _ in range(n)]
    for x in range(n):
        fx = first[x]
        for y in range(x, n):
            v = sum(a * c for a, c in zip(fx, first[y]))
            (k, i, j), (l, p_, q_) = units[x], units[y]
            if k != l:
                (k, i, j), (l, p_, q_) = max(units[x], units[y]), min(units[x], units[y])
                c = C[l, k][j][p_]
                if c != 0:
                    Ak, Bl = A[k], B[l]
                    v += c * sum(R[s][t] * Ak[s][i] * Bl[q_][t] for s in range(rows) for t in range(cols))
            elif (k, i, j) == (l, p_, q_):
                v += b
            H[x][y] = H[y][x] = v
    return mpmath.matrix(H)
