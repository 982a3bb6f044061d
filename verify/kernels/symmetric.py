"""Batched float64 kernels for F_c(X) = c·||XXᵀ − M||_F² (Li et al. 2019, symmetric case).

Plain numpy (einsum) rather than lambdify: the gradient 4c(XXᵀ − M)X and the Hessian operator
H(D) = 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] are the formulas derived and checked entrywise in
``verify.symbolic.symmetric``; they hold for every (n, r), whereas lambdified entry formulas would
need one code generation per shape. Vectorization of D is row-major: index (a, k) ↦ a·r + k.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..errors import UsageError

EPS = float(np.finfo(float).eps)


# ---------------------------------------------------------------- input validation

def check_instance(M: np.ndarray, X: np.ndarray | None = None, *, psd: bool = True) -> None:
    """Raise UsageError unless M is a finite symmetric (PSD when ``psd``) n×n array and X is n×r."""
    M = np.asarray(M)
    if M.ndim < 2 or M.shape[-1] != M.shape[-2]:
        raise UsageError(f"M must be square, got shape {M.shape}")
    if not np.all(np.isfinite(M)):
        raise UsageError("M contains NaN or infinity")
    scale = max(1.0, float(np.max(np.abs(M))))
    if np.max(np.abs(M - np.swapaxes(M, -1, -2))) > 1e-12 * scale:
        raise UsageError("M must be symmetric")
    if psd and np.min(np.linalg.eigvalsh(M)) < -1e-12 * scale:
        raise UsageError("M must be positive semidefinite (indefinite M is outside the setting)")
    if X is not None:
        X = np.asarray(X)
        if X.ndim < 2 or X.shape[-2] != M.shape[-1]:
            raise UsageError(f"X must be n×r with n = {M.shape[-1]}, got shape {X.shape}")
        if X.shape[-1] < 1:
            raise UsageError("X must have at least one column (r >= 1)")
        if not np.all(np.isfinite(X)):
            raise UsageError("X contains NaN or infinity")


def check_c(c: float) -> float:
    """The normalization c must be a finite positive number."""
    c = float(c)
    if not np.isfinite(c) or c <= 0:
        raise UsageError(f"c must be a finite positive number, got {c!r}")
    return c


# ---------------------------------------------------------------- objective and derivatives

def objective(X: np.ndarray, M: np.ndarray, c: float) -> np.ndarray:
    """F_c(X) = c·||XXᵀ − M||_F², batched over leading axes."""
    R = X @ np.swapaxes(X, -1, -2) - M
    return c * np.sum(R * R, axis=(-1, -2))


def gradient(X: np.ndarray, M: np.ndarray, c: float) -> np.ndarray:
    """∇F_c(X) = 4c(XXᵀ − M)X, batched."""
    return 4 * c * ((X @ np.swapaxes(X, -1, -2) - M) @ X)


def hessian_apply(X: np.ndarray, M: np.ndarray, c: float, D: np.ndarray) -> np.ndarray:
    """H(D) = 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] (operator form), batched."""
    Xt = np.swapaxes(X, -1, -2)
    Dt = np.swapaxes(D, -1, -2)
    return 4 * c * ((X @ Dt + D @ Xt) @ X + (X @ Xt - M) @ D)


def hessian_matrix(X: np.ndarray, M: np.ndarray, c: float) -> np.ndarray:
    """The nr×nr Hessian: H[(a,k),(b,l)] = 4c[X_al X_bk + δ_ab (XᵀX)_lk + (XXᵀ − M)_ab δ_kl]."""
    X = np.asarray(X, dtype=float)
    n, r = X.shape[-2], X.shape[-1]
    batch = X.shape[:-2]
    Xt = np.swapaxes(X, -1, -2)
    G = Xt @ X
    R = X @ Xt - M
    eye_n = np.eye(n)
    eye_r = np.eye(r)
    H = (np.einsum("...al,...bk->...akbl", X, X)
         + np.einsum("ab,...lk->...akbl", eye_n, G)
         + np.einsum("...ab,kl->...akbl", R, eye_r))
    return 4 * c * H.reshape(*batch, n * r, n * r)


class HessianBuilder:
    """``hessian_matrix`` for one unbatched n×r shape, with the index pattern of its sparse terms built once.

    H = 4c[T1 + T2 + T3] with T1[(a,k),(b,l)] = X_al X_bk (dense), T2 = δ_ab (XᵀX)_lk and
    T3 = (XXᵀ − M)_ab δ_kl: T1 is one outer product, T2 and T3 are added in place at their nonzero entries
    only, in the same order (T1 + T2) + T3, so every entry is the same floating-point sum as in ``hessian_matrix`` (adding the zeros
    it adds changes nothing). For the many single-point calls of the region search.
    """

    def __init__(self, n: int, r: int) -> None:
        self.n, self.r = n, r
        idx = np.arange((n * r) ** 2).reshape(n, r, n, r)
        pairs = [(a, k, l) for a in range(n) for k in range(r) for l in range(r)]
        self._t2 = np.array([idx[a, k, a, l] for a, k, l in pairs], dtype=np.intp)
        self._g = np.array([l * r + k for _, k, l in pairs], dtype=np.intp)
        triples = [(a, b, k) for a in range(n) for b in range(n) for k in range(r)]
        self._t3 = np.array([idx[a, k, b, k] for a, b, k in triples], dtype=np.intp)
        self._r = np.array([a * n + b for a, b, _ in triples], dtype=np.intp)

    def __call__(self, X: np.ndarray, M: np.ndarray, c: float) -> np.ndarray:
        """The nr×nr Hessian at one X (n×r float64), equal entry for entry to ``hessian_matrix(X, M, c)``."""
        H = np.multiply.outer(X, X).transpose(0, 3, 2, 1).reshape(-1)
        Xt = X.T
        H[self._t2] += (Xt @ X).reshape(-1)[self._g]
        H[self._t3] += (X @ Xt - M).reshape(-1)[self._r]
        N = self.n * self.r
        return (4 * c) * H.reshape(N, N)


def solve_gradient_batch(X0: np.ndarray, M: np.ndarray, c: float, scale: np.ndarray,
                         max_iter: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Levenberg–Marquardt on ∇F(X) = 0 for a batch of starts X0 (B, n, r) with M (B, n, n).

    Minimizes ||∇F||² with the exact Jacobian (the Hessian H, symmetric): δ = −(HᵀH + μ·max diag(HᵀH)·I)⁻¹Hᵀg,
    accepted when ||∇F|| decreases (μ ÷ 3), else rejected (μ × 4). It is a root finder, so it converges to
    saddles and maxima as well as minima. A start stops when ||∇F|| ≤ 1e-13·scale (scale: per start, e.g.
    4cλ₁^1.5; a 100× margin under the callers' 1e-11 and ≈ 10³·eps: pushing on to 1e-14 costs 4× the steps
    in stalls at rounding level and changed no classification in a trial), after 12 rejections in a row
    (no decrease left) or after ``max_iter`` steps.
    All starts advance together (one batched solve per step). Returns (X, ||∇F(X)||); the caller judges
    convergence by its own threshold.
    """
    X = np.array(X0, dtype=float)
    B, n, r = X.shape
    N = n * r
    M = np.broadcast_to(M, (B, n, n))
    scale = np.broadcast_to(np.asarray(scale, dtype=float), (B,))
    g = gradient(X, M, c).reshape(B, N)
    gn = np.linalg.norm(g, axis=1)
    mu = np.full(B, 1e-3)
    rejects = np.zeros(B, dtype=int)
    active = np.flatnonzero(gn > 1e-13 * scale)
    eye = np.eye(N)
    for _ in range(max_iter):
        if active.size == 0:
            break
        Xa, Ma = X[active], M[active]
        J = hessian_matrix(Xa, Ma, c)
        Jt = np.swapaxes(J, -1, -2)
        A = Jt @ J
        damp = mu[active] * np.maximum(np.max(np.diagonal(A, axis1=-2, axis2=-1), axis=-1), 1e-300)
        rhs = -(Jt @ g[active][..., None])
        step = np.linalg.solve(A + damp[:, None, None] * eye, rhs)[..., 0]
        Xn = Xa + step.reshape(-1, n, r)
        gnew = gradient(Xn, Ma, c).reshape(-1, N)
        gnn = np.linalg.norm(gnew, axis=1)
        ok = np.isfinite(gnn) & (gnn < gn[active])
        acc, rej = active[ok], active[~ok]
        X[acc], g[acc], gn[acc] = Xn[ok], gnew[ok], gnn[ok]
        mu[acc] = np.maximum(mu[acc] / 3, 1e-15)
        rejects[acc] = 0
        mu[rej] *= 4
        rejects[rej] += 1
        active = active[(gn[active] > 1e-13 * scale[active]) & (rejects[active] < 12)]
    return X, gn


# ---------------------------------------------------------------- instances

def random_orthogonal(rng: np.random.Generator, k: int, batch: tuple[int, ...] = ()) -> np.ndarray:
    """Haar-distributed orthogonal k×k matrices (QR of a Gaussian with the sign fix)."""
    Z = rng.standard_normal((*batch, k, k))
    Q, R = np.linalg.qr(Z)
    d = np.sign(np.diagonal(R, axis1=-2, axis2=-1))
    d[d == 0] = 1
    return Q * d[..., None, :]


def random_spectrum(rng: np.random.Generator, n: int, p: int, min_gap: float = 0.05) -> np.ndarray:
    """Distinct decreasing eigenvalues λ_1 > … > λ_p > 0 (relative gaps ≥ min_gap), then n − p zeros."""
    if not 0 <= p <= n:
        raise UsageError(f"rank p must be in 0..n, got p={p}, n={n}")
    steps = min_gap + rng.random(p)
    lam = np.cumsum(steps[::-1])[::-1]
    lam = lam / lam[0] if p else lam
    return np.concatenate([lam, np.zeros(n - p)])


@dataclass(frozen=True)
class Instance:
    """M = U diag(λ) Uᵀ with its eigen-decomposition (λ decreasing)."""

    lam: np.ndarray
    U: np.ndarray
    r: int

    @property
    def n(self) -> int:
        return len(self.lam)

    @property
    def p(self) -> int:
        return int(np.sum(self.lam > 0))

    @property
    def M(self) -> np.ndarray:
        return (self.U * self.lam) @ self.U.T


def stationary_point(inst: Instance, S: tuple[int, ...], Psi: np.ndarray) -> np.ndarray:
    """X = U_S Λ_S^{1/2} Ψ_s with Ψ_s the first |S| rows of an r×r orthogonal Ψ."""
    s = len(S)
    B = inst.U[:, list(S)] * np.sqrt(inst.lam[list(S)])
    if s == 0:
        return np.zeros((inst.n, inst.r))
    return B @ Psi[:s, :]


def index_sets(inst: Instance) -> list[tuple[int, ...]]:
    """Every S ⊆ {i : λ_i > 0} with |S| ≤ r (the claimed stationary set, up to rotation)."""
    pos = range(inst.p)
    return [S for s in range(min(inst.r, inst.p) + 1) for S in itertools.combinations(pos, s)]


def global_min_set(inst: Instance) -> tuple[int, ...]:
    """S* = top min(r, p) indices."""
    return tuple(range(min(inst.r, inst.p)))


# ---------------------------------------------------------------- geometry

def orbit_distance(X: np.ndarray, B: np.ndarray) -> float:
    """min over Ψ (ΨΨᵀ = I) of ||X − BΨ||_F, with B = U_S Λ_S^{1/2}: ||X||² + ||B||² − 2||BᵀX||_*."""
    if B.shape[1] == 0:
        return float(np.linalg.norm(X))
    nuc = float(np.sum(np.linalg.svd(B.T @ X, compute_uv=False)))
    d2 = float(np.sum(X * X) + np.sum(B * B) - 2 * nuc)
    return float(np.sqrt(max(d2, 0.0)))


def nearest_on_orbit(X: np.ndarray, B: np.ndarray) -> np.ndarray:
    """The point BΨ* nearest to X: Ψ* = polar factor of BᵀX (orthogonal Procrustes)."""
    P, _, Qt = np.linalg.svd(B.T @ X, full_matrices=False)
    return B @ (P @ Qt)


def orbit_tangent(X: np.ndarray) -> np.ndarray:
    """Columns vec(X E) for the basis E = e_k e_lᵀ − e_l e_kᵀ (k < l) of skew r×r matrices."""
    n, r = X.shape
    cols = []
    for k, l in itertools.combinations(range(r), 2):
        K = np.zeros((r, r))
        K[k, l], K[l, k] = 1.0, -1.0
        cols.append((X @ K).reshape(-1))
    return np.array(cols).T if cols else np.zeros((n * r, 0))


def orthonormal_complement(T: np.ndarray, dim: int, tol: float) -> np.ndarray:
    """An orthonormal basis of the complement of span(T) in R^dim (singular values ≤ tol dropped)."""
    if T.shape[1] == 0:
        return np.eye(dim)
    Q, s, _ = np.linalg.svd(T, full_matrices=True)
    rank = int(np.sum(s > tol))
    return Q[:, rank:]


def classify(X: np.ndarray, inst: Instance, tol: float, exponent: float = 0.5,
             scale: float = 1.0) -> tuple[tuple[int, ...] | None, float]:
    """The S with XXᵀ = U_S (scale²·Λ_S^(2·exponent)) U_Sᵀ, i.e. X = scale·U_S Λ_S^exponent Ψ (relative residual ≤ tol;
    the suite's family is exponent ½, scale 1), else None; returns (S, residual)."""
    N = X @ X.T
    D = inst.U.T @ N @ inst.U
    diag = np.diag(D)
    S = tuple(int(i) for i in range(inst.n) if inst.lam[i] > 0 and diag[i] > inst.lam[i] / 2)
    values = scale ** 2 * inst.lam[list(S)] ** (2 * exponent) if (exponent, scale) != (0.5, 1.0) else inst.lam[list(S)]
    target = (inst.U[:, list(S)] * values) @ inst.U[:, list(S)].T
    res = float(np.linalg.norm(N - target) / max(inst.lam[0], EPS))
    return (S if res <= tol and len(S) <= inst.r else None), res


# ---------------------------------------------------------------- verdict helpers

def float_tol(nr: int) -> float:
    """Float64 tolerance relative to ||H||: 100·nr·eps (eigvalsh/matmul backward error for nr×nr)."""
    return 100.0 * nr * EPS


def random_instances(rng: np.random.Generator, count: int, max_n: int = 4,
                     cases: tuple[str, ...] = ("p=r", "p>r", "p<r")) -> list[tuple[str, Instance]]:
    """``count`` instances cycling through the rank cases, n ≤ max_n, distinct positive λ."""
    out = []
    for i in range(count):
        case = cases[i % len(cases)]
        while True:
            n = int(rng.integers(2, max_n + 1))
            r = int(rng.integers(1, n + 1))
            if case == "p=r":
                p = r
            elif case == "p>r":
                if r >= n:
                    continue
                p = int(rng.integers(r + 1, n + 1))
            else:
                if r < 2:
                    continue
                p = int(rng.integers(1, r))
            break
        out.append((case, Instance(random_spectrum(rng, n, p), random_orthogonal(rng, n), r)))
    return out
