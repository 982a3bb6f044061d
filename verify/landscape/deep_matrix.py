"""Deep matrix factorization: objective, derivatives and exactly constructed global minimizers.

F(W_1..W_L) = (a/2)·||P − M||_F² + (b/2)·Σ_l ||W_l||_F²,  P = W_L⋯W_1, W_l ∈ R^{d_l × d_(l−1)}.
With A_l = W_L⋯W_(l+1) (A_L = I), B_l = W_(l−1)⋯W_1 (B_1 = I) and R = P − M, the product rule
gives ∇_l F = a·A_lᵀ R B_lᵀ + b·W_l. Layers may carry a leading batch axis (N, d_l, d_(l−1)).
The formulas are derived by hand on purpose: this module is the suite's ONE hand-derived reference of
F, ∇F, H·V and H, the independent route the kernels generated from the symbolic derivation are validated
against (``verify.kernels.matrix.validate``); it is itself checked against SymPy's entrywise derivatives
and central differences (tests/test_matrix_references_agree.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..conventions import get_convention
from ..errors import UsageError
from ..numbers import check_depth
from .reduction import check_ab, solve_scalar_many


def _t(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


def ab_float(convention: str, lam: float, depth: int) -> tuple[float, float]:
    """(a, b) of a named convention at λ and depth L, as floats; λ must be finite and > 0."""
    depth = check_depth(depth)
    lam = float(lam)
    if not math.isfinite(lam) or lam <= 0:
        raise UsageError(f"λ must be finite and > 0, got {lam!r}")
    conv = get_convention(convention)
    return float(conv.a), float(conv.b_over_lam(depth)) * lam


def _as_coef(v, name: str, batch: int | None) -> np.ndarray | float:
    arr = np.asarray(v, dtype=float)
    if arr.ndim == 0:
        check_ab(arr, 1.0) if name == "a" else check_ab(1.0, arr)
        return float(arr)
    if batch is None or arr.shape != (batch,):
        raise UsageError(f"{name} must be a scalar or have shape ({batch},), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise UsageError(f"{name} must be finite and > 0 (λ > 0)")
    return arr[:, None, None]


def validate(Ws: Sequence[np.ndarray], M: np.ndarray, a=1.0, b=1.0):
    """Check shapes chain, values are finite, a, b > 0; returns float arrays and coefficients.

    Coefficients given per instance (shape (N,)) come back shaped (N, 1, 1) for broadcasting.
    """
    if len(Ws) == 0:
        raise UsageError("depth must be >= 1 (got no layers)")
    Ws = [np.asarray(W, dtype=float) for W in Ws]
    M = np.asarray(M, dtype=float)
    nd = Ws[0].ndim
    if nd not in (2, 3) or any(W.ndim != nd for W in Ws):
        raise UsageError("layers must all be matrices (d_l, d_(l-1)) or all batched (N, d_l, d_(l-1))")
    batch = Ws[0].shape[0] if nd == 3 else None
    if nd == 3 and any(W.shape[0] != batch for W in Ws):
        raise UsageError("batched layers must share the batch size")
    if M.ndim not in (2, nd) or (M.ndim == 3 and M.shape[0] != batch):
        raise UsageError(f"target shape {M.shape} does not match the layers")
    for l in range(1, len(Ws)):
        if Ws[l].shape[-1] != Ws[l - 1].shape[-2]:
            raise UsageError(f"layer {l + 1} has {Ws[l].shape[-1]} columns but layer {l} has "
                             f"{Ws[l - 1].shape[-2]} rows")
    if Ws[0].shape[-1] != M.shape[-1] or Ws[-1].shape[-2] != M.shape[-2]:
        raise UsageError(f"product shape ({Ws[-1].shape[-2]}, {Ws[0].shape[-1]}) != target {M.shape[-2:]}")
    if not np.all(np.isfinite(M)) or any(not np.all(np.isfinite(W)) for W in Ws):
        raise UsageError("layers and target must be finite (no NaN/inf)")
    return Ws, M, _as_coef(a, "a", batch), _as_coef(b, "b", batch)


def _eye_like(W: np.ndarray, n: int) -> np.ndarray:
    eye = np.eye(n)
    return np.broadcast_to(eye, W.shape[:-2] + (n, n)).copy() if W.ndim == 3 else eye


def prefix_suffix(Ws: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(A, B) with A[l] = W_L⋯W_(l+1), B[l] = W_(l−1)⋯W_1 (0-based l; identities at the ends)."""
    L = len(Ws)
    B = [_eye_like(Ws[0], Ws[0].shape[-1])]
    for l in range(1, L):
        B.append(Ws[l - 1] @ B[l - 1])
    A = [None] * L
    A[L - 1] = _eye_like(Ws[-1], Ws[-1].shape[-2])
    for l in range(L - 2, -1, -1):
        A[l] = A[l + 1] @ Ws[l + 1]
    return A, B


def product(Ws: Sequence[np.ndarray]) -> np.ndarray:
    """W_L⋯W_1."""
    P = Ws[0]
    for W in Ws[1:]:
        P = W @ P
    return P


def _sq(X: np.ndarray) -> np.ndarray:
    return np.sum(X * X, axis=(-1, -2))


def objective(Ws: Sequence[np.ndarray], M: np.ndarray, a=1.0, b=1.0) -> np.ndarray:
    """F at each instance (scalar array, or shape (N,) when batched)."""
    Ws, M, a, b = validate(Ws, M, a, b)
    a_, b_ = np.squeeze(a), np.squeeze(b)
    return a_ / 2 * _sq(product(Ws) - M) + b_ / 2 * sum(_sq(W) for W in Ws)


def objective_unchecked(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float) -> np.ndarray:
    """``objective`` without validation, for inner loops on validated finite layers (a, b floats): the same
    arithmetic, so the same value."""
    return a / 2 * _sq(product(Ws) - M) + b / 2 * sum(_sq(W) for W in Ws)


def gradient(Ws: Sequence[np.ndarray], M: np.ndarray, a=1.0, b=1.0) -> list[np.ndarray]:
    """∇_l F = a·A_lᵀ (P − M) B_lᵀ + b·W_l for every layer."""
    Ws, M, a, b = validate(Ws, M, a, b)
    return gradient_unchecked(Ws, M, a, b)


def gradient_unchecked(Ws: Sequence[np.ndarray], M: np.ndarray, a, b) -> list[np.ndarray]:
    """``gradient`` without validation, for inner loops (a, b scalars or shaped (N, 1, 1)).

    Same formula as ``gradient``; identities at the ends of the partial products are skipped.
    """
    return gradient_from_prefix(Ws, prefix_products(Ws), M, a, b)


def prefix_products(Ws: Sequence[np.ndarray]) -> list[np.ndarray]:
    """[W_1, W_2·W_1, …, W_L⋯W_1] (the last is the product, computed as ``product`` does)."""
    out = [Ws[0]]
    for W in Ws[1:]:
        out.append(W @ out[-1])
    return out


def gradient_from_prefix(Ws: Sequence[np.ndarray], pre: Sequence[np.ndarray], M: np.ndarray, a,
                         b) -> list[np.ndarray]:
    """``gradient_unchecked`` given ``prefix_products(Ws)`` (a descent step reuses the products it already
    formed for the objective): ∇_l F = a·A_lᵀ R B_lᵀ + b·W_l, B_l = pre[l − 1], R = pre[L − 1] − M.
    ``a`` and ``b`` may also be lists with one array per layer, already broadcast to the layer's shape (the same
    products per entry; a loop over many steps saves NumPy's broadcasting of an (N, 1, 1) factor)."""
    L = len(Ws)
    R = pre[L - 1] - M
    A: list[np.ndarray | None] = [None] * L
    acc = Ws[L - 1]
    for l in range(L - 2, -1, -1):  # A[l] = W_L⋯W_(l+1) (A[L−1] = I is skipped)
        A[l] = acc
        if l > 0:
            acc = acc @ Ws[l]
    out = []
    for l in range(L):
        X = R if A[l] is None else _t(A[l]) @ R
        X = X if l == 0 else X @ _t(pre[l - 1])
        out.append((a[l] if isinstance(a, list) else a) * X + (b[l] if isinstance(b, list) else b) * Ws[l])
    return out


def _chain(mats: list[np.ndarray]) -> np.ndarray:
    """mats[0] @ mats[1] @ ... (left to right)."""
    out = mats[0]
    for m in mats[1:]:
        out = out @ m
    return out


def hvp(Ws: Sequence[np.ndarray], M: np.ndarray, Vs: Sequence[np.ndarray], a=1.0, b=1.0) -> list[np.ndarray]:
    """Hessian-vector product: the directional derivative of ∇F along V = (V_1..V_L).

    δ(∇_l F) = a·(δA_lᵀ R B_lᵀ + A_lᵀ δR B_lᵀ + A_lᵀ R δB_lᵀ) + b·V_l with δR = Σ_k A_k V_k B_k
    and δA_l, δB_l the product-rule variations of the partial products.
    """
    Ws, M, a, b = validate(Ws, M, a, b)
    Vs = [np.asarray(V, dtype=float) for V in Vs]
    if len(Vs) != len(Ws) or any(V.shape != W.shape for V, W in zip(Vs, Ws)):
        raise UsageError("direction must have one array per layer with the layer's shape")
    L = len(Ws)
    A, B = prefix_suffix(Ws)
    R = product(Ws) - M
    dR = sum(A[k] @ Vs[k] @ B[k] for k in range(L))
    out = []
    for l in range(L):
        dA = np.zeros_like(A[l])
        for k in range(l + 1, L):  # A_l = W_L⋯W_(l+1): vary W_k
            dA = dA + _chain([A[k], Vs[k]] + [Ws[j] for j in range(k - 1, l, -1)]) \
                if k - 1 > l else dA + A[k] @ Vs[k]
        dB = np.zeros_like(B[l])
        for k in range(l):  # B_l = W_(l−1)⋯W_1: vary W_k
            dB = dB + _chain([Ws[j] for j in range(l - 1, k, -1)] + [Vs[k], B[k]]) \
                if l - 1 > k else dB + Vs[k] @ B[k]
        out.append(a * (_t(dA) @ R @ _t(B[l]) + _t(A[l]) @ dR @ _t(B[l]) + _t(A[l]) @ R @ _t(dB))
                   + b * Vs[l])
    return out


def hessian(Ws: Sequence[np.ndarray], M: np.ndarray, a=1.0, b=1.0) -> np.ndarray:
    """Dense Hessian, parameters ordered layer by layer, each row-major: (P, P) for one instance,
    (N, P, P) for batched layers (a, b scalars or shape (N,); M shared or batched).

    H = a·JᵀJ + b·I + a·(second-order blocks): J_l[(r,c),(i,j)] = A_l[r,i]·B_l[j,c] is the
    Jacobian of P; for layers k > l the block is H[(k,i,j),(l,p,q)] = a·(A_kᵀ R B_lᵀ)[i,q]·C[j,p]
    with C = W_(k−1)⋯W_(l+1) (the identity when k = l + 1); no such term on diagonal blocks.
    """
    Ws, M, a, b = validate(Ws, M, a, b)
    if Ws[0].ndim == 3:
        n = Ws[0].shape[0]
        a_v = np.broadcast_to(np.reshape(a, -1), (n,))
        b_v = np.broadcast_to(np.reshape(b, -1), (n,))
        M_v = np.ascontiguousarray(np.broadcast_to(M, (n,) + M.shape[-2:]))
        return hessian_stack(Ws, M_v, np.array(a_v, dtype=float), np.array(b_v, dtype=float))
    return hessian_one(Ws, M, a, b)


def data_hessian(Ws: Sequence[np.ndarray], M: np.ndarray, a=1.0) -> np.ndarray:
    """Dense Hessian of the data term (a/2)||P − M||² alone (one instance): ``hessian`` without b·I, for
    objectives with other penalties (e.g. per-layer weights)."""
    Ws, M, a, _ = validate(Ws, M, a, 1.0)
    if Ws[0].ndim != 2:
        raise UsageError("data_hessian takes one instance (unbatched layers)")
    return hessian_one(Ws, M, a, 0.0)


def hessian_stack(Ws: Sequence[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``hessian`` of every instance of a validated stack: layers (N, d_l, d_(l−1)), M (N, d_L, d_0), a and b of
    shape (N,); returns (N, P, P). The one hand-derived formula: H = a·JᵀJ + b·I plus, for layers k > l, the
    blocks a·(A_kᵀ R B_lᵀ)[i,q]·C[j,p], C = W_(k−1)⋯W_(l+1), grown from the left factor. A stacked matmul runs
    the same BLAS kernel on every matrix of the stack and the rest is elementwise, so each instance's Hessian
    does not depend on the rest of the stack (``tests/test_route_newton_stacked.py``)."""
    L = len(Ws)
    n = Ws[0].shape[0]
    A, B = prefix_suffix(Ws)
    R = product(Ws) - M
    a3, b3 = a[:, None, None], b[:, None, None]
    sizes = [W.shape[1] * W.shape[2] for W in Ws]
    offs = [0]
    for size in sizes:
        offs.append(offs[-1] + size)
    m = M.shape[1] * M.shape[2]
    # outer products by broadcasting (one multiplication per entry, as einsum "ri,jc->rcij" / "iq,jp->ijpq")
    J = np.concatenate([(A[l][:, :, None, :, None] * _t(B[l])[:, None, :, None, :]).reshape(n, m, -1)
                        for l in range(L)], axis=2)
    H = a3 * (_t(J) @ J) + b3 * np.eye(offs[-1])
    for k in range(1, L):
        AR = _t(A[k]) @ R  # G below is (A_kᵀ R) B_lᵀ, evaluated left to right
        Cs: list[np.ndarray] = [np.eye(Ws[k - 1].shape[1])[None]]  # C(l) = C(l + 1) @ W_(l+1)
        if k >= 2:
            Cs.insert(0, Ws[k - 1])
            for l in range(k - 3, -1, -1):
                Cs.insert(0, Cs[0] @ Ws[l + 1])
        for l in range(k):
            C = Cs[l]
            G = AR @ _t(B[l])  # (N, d_k, d_(l−1))
            blk = a3 * (G[:, :, None, None, :] * C[:, None, :, :, None]).reshape(n, sizes[k], sizes[l])
            H[:, offs[k]:offs[k + 1], offs[l]:offs[l + 1]] += blk
            H[:, offs[l]:offs[l + 1], offs[k]:offs[k + 1]] += _t(blk)
    return H


def hessian_one(Ws: list[np.ndarray], M: np.ndarray, a: float, b: float) -> np.ndarray:
    """``hessian`` of one validated instance (inner loops validate once, then call this): ``hessian_stack`` of a
    stack of one."""
    return hessian_stack([W[None] for W in Ws], M[None], np.array([a], dtype=float), np.array([b], dtype=float))[0]


def flatten(Ws: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate layers row-major (the Hessian's parameter order); batched → (N, n)."""
    if Ws[0].ndim == 3:
        return np.concatenate([W.reshape(W.shape[0], -1) for W in Ws], axis=1)
    return np.concatenate([W.ravel() for W in Ws])


def unflatten(x: np.ndarray, dims: Sequence[int]) -> list[np.ndarray]:
    """Inverse of ``flatten`` for widths dims = (d_0, d_1, .., d_L)."""
    out, pos = [], 0
    for l in range(1, len(dims)):
        n = dims[l] * dims[l - 1]
        out.append(x[..., pos:pos + n].reshape(x.shape[:-1] + (dims[l], dims[l - 1])))
        pos += n
    return out


def orbit_tangent(Ws: Sequence[np.ndarray]) -> np.ndarray:
    """Columns spanning the tangent of the orbit W_l ↦ Q_l W_l Q_(l−1)ᵀ (Q_0 = Q_L = I).

    A skew K_l on each hidden space gives the tangent vector W_l ↦ K_l W_l − W_l K_(l−1).
    Returns the (n × #generators) matrix of these vectors (not orthonormalized).
    """
    L = len(Ws)
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    cols = []
    for h in range(1, L):  # hidden space h has width dims[h], acted on by Q_h
        d = dims[h]
        for i in range(d):
            for j in range(i + 1, d):
                K = np.zeros((d, d))
                K[i, j], K[j, i] = 1.0, -1.0
                vec = [np.zeros_like(W) for W in Ws]
                vec[h - 1] = K @ Ws[h - 1]          # layer h maps into space h
                vec[h] = -Ws[h] @ K                 # layer h+1 maps out of space h
                cols.append(flatten(vec))
    n = sum(W.size for W in Ws)
    return np.array(cols).T if cols else np.zeros((n, 0))


# ----------------------------------------------------------------------------------------------
# Global minimizers from the SVD of M


@dataclass
class EndToEnd:
    """The end-to-end minimizer P = U·diag(s)·Vᵀ with s_i the scalar minimizer at σ_i.

    ``tie[i]``: σ_i sits on the exceptional set (0 and x* both global for that σ_i);
    ``gap[i]``: the relative value gap of the scalar problem (small = near tie).
    """

    U: np.ndarray
    sigma: np.ndarray
    V: np.ndarray
    s: np.ndarray
    tie: np.ndarray
    gap: np.ndarray
    P: np.ndarray
    value: float

    @property
    def rank(self) -> int:
        return int(np.count_nonzero(self.s > 0))

    @property
    def on_exceptional_set(self) -> bool:
        return bool(np.any(self.tie))


def check_target(M: np.ndarray) -> np.ndarray:
    """A finite real matrix."""
    M = np.asarray(M, dtype=float)
    if M.ndim != 2 or M.size == 0:
        raise UsageError(f"target must be a non-empty matrix, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise UsageError("target must be finite (no NaN/inf)")
    return M


def end_to_end_minimizer(M: np.ndarray, depth: int, a: float, b: float,
                         svd: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                         tie_choice: str = "nonzero") -> EndToEnd:
    """Solve min_P (a/2)||P − M||² + (bL/2)Σ s_i(P)^(2/L) singular value by singular value.

    ``svd`` = (U, σ, V) with M = U diag(σ) Vᵀ may be given exactly (e.g. to place σ_i on the
    exceptional set); ``tie_choice`` ('nonzero' or 'zero') picks the branch where σ_i is tied.
    """
    depth = check_depth(depth)
    a, b = check_ab(a, b)
    if tie_choice not in ("nonzero", "zero"):
        raise UsageError("tie_choice must be 'nonzero' or 'zero'")
    if svd is None:
        M = check_target(M)
        U, sig, Vt = np.linalg.svd(M, full_matrices=False)
        V = Vt.T
    else:
        U, sig, V = (np.asarray(x, dtype=float) for x in svd)
        if np.any(sig < 0) or not np.all(np.isfinite(sig)):
            raise UsageError("singular values must be finite and >= 0")
        M = check_target(U @ np.diag(sig) @ V.T) if M is None else check_target(M)
    sols = solve_scalar_many([float(x) for x in sig], depth, a, b)  # solve_scalar per σ, bit for bit, in one call
    s = np.array([(min(so.minimizers) if tie_choice == "zero" else max(so.minimizers)) for so in sols])
    tie = np.array([so.tie for so in sols], dtype=bool)
    gap = np.array([so.gap for so in sols])
    P = (U * s) @ V.T
    value = float(sum(so.value for so in sols) + a / 2 * (np.sum(M * M) - np.sum(sig ** 2)))
    return EndToEnd(U, sig, V, s, tie, gap, P, value)


def haar_orthogonal(rng: np.random.Generator, n: int) -> np.ndarray:
    """A Haar-random orthogonal n×n matrix (QR of a Gaussian with the sign fix)."""
    Z = rng.standard_normal((n, n))
    Q, Rr = np.linalg.qr(Z)
    return Q * np.sign(np.where(np.diag(Rr) == 0, 1.0, np.diag(Rr)))


def _rotate_tied_blocks(U, sig, V, rng, rel: float = 1e-12):
    """Rotate singular vectors within groups of (numerically) equal singular values."""
    U, V = U.copy(), V.copy()
    i = 0
    while i < len(sig):
        j = i + 1
        while j < len(sig) and abs(sig[j] - sig[i]) <= rel * max(sig[i], 1e-300):
            j += 1
        if j - i > 1:
            Q = haar_orthogonal(rng, j - i)
            U[:, i:j] = U[:, i:j] @ Q
            V[:, i:j] = V[:, i:j] @ Q
        i = j
    return U, V


@dataclass
class Construction:
    """A constructed global minimizer, or the reason the construction is outside the claim."""

    Ws: list[np.ndarray] | None
    e2e: EndToEnd
    widths: tuple[int, ...]
    outside: str | None = None
    notes: list[str] = field(default_factory=list)


def construct_minimizer(M: np.ndarray, depth: int, a: float, b: float, widths: Sequence[int] | None,
                        rng: np.random.Generator, svd=None, tie_choice: str = "nonzero",
                        e2e: EndToEnd | None = None) -> Construction:
    """A global minimizer W_l = Q_l diag(s^(1/L)) Q_(l−1)ᵀ with Q_0 = V, Q_L = U (random hidden Q_l).

    ``widths`` are the hidden widths (d_1..d_(L−1)); each must be >= rank of the end-to-end
    minimizer, otherwise the result is marked outside (the reduction assumes no bottleneck).
    Singular vectors of tied singular values are rotated randomly (exercises repeated σ).
    """
    depth = check_depth(depth)
    widths = tuple(int(w) for w in (widths or ()))
    if len(widths) != depth - 1 or any(w <= 0 for w in widths):
        raise UsageError(f"depth {depth} needs {depth - 1} positive hidden widths, got {widths}")
    if e2e is None:
        e2e = end_to_end_minimizer(M, depth, a, b, svd=svd, tie_choice=tie_choice)
    r = e2e.rank
    if widths and min(widths) < r:
        return Construction(None, e2e, widths, outside=(
            f"hidden width {min(widths)} < rank {r} of the end-to-end minimizer: the SVD reduction "
            "assumes widths >= rank (bottleneck case is outside the claim)"))
    order = np.argsort(-e2e.s, kind="stable")[:r]
    U, V = _rotate_tied_blocks(e2e.U[:, order], e2e.sigma[order], e2e.V[:, order], rng)
    root = e2e.s[order] ** (1.0 / depth)
    Qs = [V] + [haar_orthogonal(rng, w)[:, :r] for w in widths] + [U]
    Ws = [(Qs[l + 1] * root) @ Qs[l].T for l in range(depth)]
    if r == 0:
        dims = [e2e.V.shape[0]] + list(widths) + [e2e.U.shape[0]]
        Ws = [np.zeros((dims[l + 1], dims[l])) for l in range(depth)]
    return Construction(Ws, e2e, widths)
