"""Matrix sensing vs matrix factorization (Li et al. 2019; docs/mathematics.md §L6).

F(X) = c ||X X^T - M||_F^2 and G(X) = c ||A(X X^T) - y||^2 with y = A(M), X in R^{n x r}.
A: Sym(n) -> R^m, A(Z)_k = <A_k, Z> / sqrt(m), A_k = (B_k + B_k^T)/2 with B_k iid N(0,1) entries, so
E ||A(Z)||^2 = ||Z||_F^2 for symmetric Z. A is stored as the m x n^2 matrix of rows vec(A_k)/sqrt(m) (or
vec(A_k)·m^-p where a claim states another power p: its operator is built as stated).

Hand-derived (row-major vec(X), index i*r + a), E = X X^T - M, D a direction:
  grad F = 4c E X,                 hess F[D,D] = c (2 ||X D^T + D X^T||^2 + 4 <E, D D^T>),
  grad G = 4c A*A(E) X,            hess G[D,D] = c (2 ||A(X D^T + D X^T)||^2 + 4 <A*A(E), D D^T>).
As matrices: hess F = c (2 J^T J + 4 E (x) I_r), hess G = c (2 (AJ)^T (AJ) + 4 A*A(E) (x) I_r), with J
the Jacobian of D -> X D^T + D X^T.

Hessian-distance bound (derived by the suite; the paper's abstract states only that the landscape
results extend to matrix sensing). With delta_k the restricted-isometry constant over
symmetric matrices of rank <= k and rho = rank(E):
  ||hess G(X) - hess F(X)||_2 <= c (8 delta_{2r} ||X||_2^2 + 4 delta_{rho+1} ||E||_F).
Proof: the quadratic forms differ by c(2(||AS||^2 - ||S||^2) + 4<(A*A - I)E, D D^T>), S = XD^T + DX^T.
rank S <= 2r and ||S||_F <= 2 ||X||_2 ||D||_F give the first term; <W, D D^T> <= ||W||_2 ||D||_F^2 and
||W||_2 = max_|v|=1 |<AE, A(vv^T)> - <E, vv^T>| <= delta_{rho+1} ||E||_F by polarization give the second.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np

from .errors import UsageError
from .highprec.eigen import symmetric_eigenvalues

Array = np.ndarray


@dataclass(frozen=True)
class Measurement:
    """A linear measurement operator on n x n matrices: rows[k] = vec(A_k) * scale (row-major)."""

    rows: Array | None
    n: int
    name: str
    gram_matrix: Array | None = None

    @classmethod
    def from_gram(cls, K: Array, n: int, name: str) -> "Measurement":
        """An operator known through A*A only (all of G, its gradient and Hessian depend on A*A alone)."""
        return cls(None, n, name, K)

    @property
    def m(self) -> int:
        return -1 if self.rows is None else self.rows.shape[0]

    @property
    def _via_gram(self) -> bool:
        """Route products through the n^2 x n^2 Gram matrix A*A: always when only A*A is known, and for
        float operators with more measurements than n^2 (then A*A costs m n^4 once and every later product
        n^4 instead of m n^2 per column). Both routes are the same linear map; they differ by roundoff."""
        return self.gram_matrix is not None or (self.rows.dtype != object and self.rows.shape[0] > self.n * self.n)

    def normal(self, Z: Array) -> Array:
        """A*A(Z) as an n x n matrix."""
        if self._via_gram:
            return (self._gram @ Z.reshape(self.n * self.n)).reshape(self.n, self.n)
        return self.adjoint(self.apply(Z))

    def quad(self, J: Array) -> Array:
        """(A J)^T (A J) for a matrix J with n^2 rows."""
        if self._via_gram:
            return J.T @ self._gram @ J
        AJ = self.rows @ J
        return AJ.T @ AJ

    def apply(self, Z: Array) -> Array:
        """A(Z) for Z of shape (..., n, n)."""
        return Z.reshape(Z.shape[:-2] + (self.n * self.n,)) @ self.rows.T

    def adjoint(self, v: Array) -> Array:
        """A*(v) = sum_k v_k A_k (scaled), an n x n symmetric matrix."""
        return (v @ self.rows).reshape(self.n, self.n)

    @functools.cached_property
    def _gram(self) -> Array:
        return self.gram_matrix if self.gram_matrix is not None else self.rows.T @ self.rows

    def gram(self) -> Array:
        """A*A as an n^2 x n^2 matrix on row-major vec (computed once)."""
        return self._gram


def _check_int(v: object, name: str, low: int = 1) -> int:
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < low:
        raise UsageError(f"{name} must be an integer >= {low}, got {v!r}")
    return int(v)


def gaussian_measurements(n: int, m: int, rng: np.random.Generator, power: Fraction = Fraction(1, 2)) -> Measurement:
    """m symmetrized Gaussian measurements scaled by m^-power (power 1/2, the default: isotropic in expectation on
    Sym(n), E||A(Z)||² = ||Z||_F²; another power is the operator a claim with that normalization describes)."""
    n, m = _check_int(n, "n"), _check_int(m, "m")
    B = rng.standard_normal((m, n, n))
    A = (B + B.transpose(0, 2, 1)) / 2
    if power == Fraction(1, 2):
        return Measurement(A.reshape(m, n * n) / np.sqrt(m), n, f"gaussian m={m}")
    with mpmath.workdps(30):
        scale = float(mpmath.mpf(m) ** (-mpmath.mpf(power.numerator) / power.denominator))
    if not np.isfinite(scale) or scale == 0:
        raise UsageError(f"m^-{power} at m = {m} is not a finite non-zero float64")
    return Measurement(A.reshape(m, n * n) * scale, n, f"gaussian m={m}, scaled m^-{power}")


def isotropy_test(A: Measurement) -> tuple[float, float]:
    """(r, p) for a Gaussian operator from ``gaussian_measurements``: r = ||A||_F²/D, the mean of E||A(Z)||²/||Z||²
    over an orthonormal basis of Sym(n) (D = n(n+1)/2), and the two-sided tail probability of m·||A||_F² under
    χ²(m·D), its exact law when the scaling is isotropic (each ||A_k||_F² is χ²(D) for A_k = (B_k + B_kᵀ)/2)."""
    D = A.n * (A.n + 1) // 2
    total = float(np.sum(np.square(A.rows)))
    with mpmath.workdps(30):
        k, x = mpmath.mpf(A.m * D) / 2, mpmath.mpf(A.m) * mpmath.mpf(total) / 2
        lower = mpmath.gammainc(k, 0, x, regularized=True)
        upper = mpmath.gammainc(k, x, mpmath.inf, regularized=True)
        tail = float(min(1, 2 * min(lower, upper)))
    return total / D, tail


def sym_basis(n: int) -> Array:
    """Orthonormal (Frobenius) basis of Sym(n): E_ii and (E_ij + E_ji)/sqrt(2), shape (n(n+1)/2, n, n)."""
    return _sym_basis(n).copy()


@functools.lru_cache(maxsize=32)
def _sym_basis(n: int) -> Array:
    out = []
    for i, j in itertools.combinations_with_replacement(range(n), 2):
        B = np.zeros((n, n))
        if i == j:
            B[i, i] = 1.0
        else:
            B[i, j] = B[j, i] = 1 / np.sqrt(2)
        out.append(B)
    return np.array(out)


def basis_measurements(n: int, scale: float = 1.0) -> Measurement:
    """The full orthonormal measurement basis of Sym(n) times ``scale`` (scale 1: A*A = identity on Sym)."""
    n = _check_int(n, "n")
    if not np.isfinite(scale):
        raise UsageError("scale must be finite")
    B = sym_basis(n)
    return Measurement(scale * B.reshape(len(B), n * n), n, "orthonormal basis")


def spectral_norm(H: Array) -> float:
    """||H||_2, the largest singular value: np.linalg.norm(H, 2) is this same LAPACK value behind generic
    axis handling that costs as much as the SVD itself at these sizes."""
    return np.linalg.svd(H, compute_uv=False)[0]


def check_instance(X: Array, M: Array) -> tuple[Array, Array]:
    """Validate X (n x r) and M (n x n symmetric PSD up to roundoff), finite."""
    X, M = np.asarray(X), np.asarray(M)
    if X.dtype != object:
        if X.ndim != 2 or 0 in X.shape or not np.all(np.isfinite(X)):
            raise UsageError(f"X must be a finite non-empty n x r matrix, got shape {X.shape}")
        if M.shape != (X.shape[0], X.shape[0]) or not np.all(np.isfinite(M)):
            raise UsageError(f"M must be a finite {X.shape[0]} x {X.shape[0]} matrix, got shape {M.shape}")
        if np.abs(M - M.T).max() > 1e-12 * max(1.0, np.abs(M).max()):
            raise UsageError("M must be symmetric")
    return X, M


# ---------------------------------------------------------------- F and G

def jacobian(X: Array) -> Array:
    """J (n^2 x nr) of D -> X D^T + D X^T: J[(i,j),(k,a)] = X[i,a] d_jk + d_ik X[j,a]."""
    n, r = X.shape
    one = X[0, 0] * 0 + 1
    I = np.eye(n, dtype=X.dtype) * one
    T = X[:, None, None, :] * I[None, :, :, None] + I[:, None, :, None] * X[None, :, None, :]
    return T.reshape(n * n, n * r)


def _kron_identity(W: Array, r: int, one: object) -> Array:
    """W (x) I_r, the entries W[i, j] * I_r[a, b] at (i r + a, j r + b): np.kron's own product, without its
    generic set-up (a real cost at this size; the same floats). ``one`` is 1 in X's number type."""
    n = W.shape[0]
    I = np.eye(r, dtype=W.dtype) * one
    return (W[:, None, :, None] * I[None, :, None, :]).reshape(n * r, n * r)


def _sparse_matmul(S: Array, D: Array) -> Array:
    """S @ D for object (mpmath) arrays where S has many exact zeros (J^T, Sym(n)'s basis).

    Each entry sums S[i, k] D[k, j] over the non-zero S[i, k] only, in increasing k as the dense product
    does; adding an exact zero changes nothing, so the result equals S @ D digit for digit. D @ S for a
    sparse S is _sparse_matmul(S.T, D.T).T (the same products in the same order)."""
    out = np.empty((S.shape[0], D.shape[1]), dtype=object)
    for i in range(S.shape[0]):
        ks = [k for k in range(S.shape[1]) if S[i, k] != 0]
        if not ks:
            out[i] = S[i] @ D
            continue
        acc = D[ks[0]] * S[i, ks[0]]            # array * scalar: an mpf first would format the array's repr
        for k in ks[1:]:
            acc = acc + D[k] * S[i, k]
        out[i] = acc
    return out


def f_value(X: Array, M: Array, c: float) -> float:
    E = X @ X.T - M
    return c * (E * E).sum()


def f_grad(X: Array, M: Array, c: float) -> Array:
    # array * c (not c * array): an mpmath c would first try to convert the whole array, formatting its repr
    return ((X @ X.T - M) * (4 * c)) @ X


def f_hess(X: Array, M: Array, c: float) -> Array:
    J = jacobian(X)
    E = X @ X.T - M
    JJ2 = 2 * _sparse_matmul(J.T, J) if X.dtype == object else 2 * J.T @ J    # the float route as it was
    return (JJ2 + 4 * _kron_identity(E, X.shape[1], X[0, 0] * 0 + 1)) * c


def g_value(A: Measurement, X: Array, M: Array, c: float) -> float:
    E = X @ X.T - M
    if A.rows is None:
        return c * (E * A.normal(E)).sum()
    res = A.apply(E)
    return c * (res @ res)


def g_grad(A: Measurement, X: Array, M: Array, c: float) -> Array:
    return (A.normal(X @ X.T - M) * (4 * c)) @ X


def g_hess(A: Measurement, X: Array, M: Array, c: float) -> Array:
    W = A.normal(X @ X.T - M)
    if X.dtype == object and A.gram_matrix is not None:
        # J^T K J at mpmath precision from J's non-zero entries: 2n - 1 of n^2 per column
        J = jacobian(X)
        JKJ = _sparse_matmul(J.T, _sparse_matmul(J.T, A.gram_matrix).T).T
    else:
        JKJ = A.quad(jacobian(X))
    return (2 * JKJ + 4 * _kron_identity(W, X.shape[1], X[0, 0] * 0 + 1)) * c


# ---------------------------------------------------------------- stationary points of F

@dataclass(frozen=True)
class StationaryPoint:
    label: str
    X: Array
    support: tuple[int, ...]
    global_min: bool


def factorization_stationary_points(U: Array, lam: Array, r: int, psi: Array | None = None) -> list[StationaryPoint]:
    """X = U_S Lambda_S^{1/2} (zero-padded to r columns) Psi for every S of positive eigenvalues, |S| <= r."""
    lam = np.asarray(lam, dtype=float)
    n = U.shape[0]
    pos = [i for i in range(len(lam)) if lam[i] > 0]
    top = tuple(sorted(pos, key=lambda i: -lam[i])[:min(r, len(pos))])
    out = []
    for size in range(0, min(r, len(pos)) + 1):
        for S in itertools.combinations(pos, size):
            X = np.zeros((n, r))
            X[:, :size] = U[:, list(S)] * np.sqrt(lam[list(S)])[None, :]
            if psi is not None:
                X = X @ psi
            is_min = tuple(sorted(S)) == tuple(sorted(top))
            out.append(StationaryPoint(f"S={list(S)}" + (" (global min)" if is_min else ""), X, S, is_min))
    return out


# ---------------------------------------------------------------- restricted isometry

def subspace_extremes(A: Measurement, spanning: Array) -> tuple[float, float, Array, Array]:
    """Exact min/max of ||A Z||^2/||Z||^2 over the span of ``spanning`` (N, n, n): an eigenproblem."""
    n = A.n
    V = spanning.reshape(len(spanning), n * n)
    U, s, _ = np.linalg.svd(V.T, full_matrices=False)
    basis = U[:, s > 1e-10 * s[0]]
    vals, vecs = np.linalg.eigh(A.quad(basis))
    zmin = (basis @ vecs[:, 0]).reshape(n, n)
    zmax = (basis @ vecs[:, -1]).reshape(n, n)
    return float(vals[0]), float(vals[-1]), zmin, zmax


def full_isometry_constant(A: Measurement) -> float:
    """||A*A - I|| on all of Sym(n): an UPPER bound on every delta_k (exact eigenproblem)."""
    B = sym_basis(A.n)
    vals = np.linalg.eigvalsh(A.quad(B.reshape(len(B), A.n * A.n).T))
    return float(max(abs(vals[0] - 1), abs(vals[-1] - 1)))


# ---------------------------------------------------------------- Hessian distance

@dataclass(frozen=True)
class HessianDistance:
    """||hess G - hess F||_2 at X, the ingredients of the derived bound, and certificates."""

    distance: float
    hess_f_norm: float
    x_norm2: float          # ||X||_2^2
    e_norm: float           # ||X X^T - M||_F
    e_rank: int
    tangent_delta: float    # exact deviation of A on the tangent image {X D^T + D X^T}
    w_norm: float           # ||(A*A - I)(E)||_2
    tangent_extremes: tuple[Array, Array]
    polarization: tuple[Array, ...]


def hessian_distance(A: Measurement, X: Array, M: Array, c: float) -> HessianDistance:
    X, M = check_instance(X, M)
    HF, HG = f_hess(X, M, c), g_hess(A, X, M, c)
    dist = float(spectral_norm(HG - HF))
    n, r = X.shape
    E = X @ X.T - M
    e_norm = float(np.linalg.norm(E))
    ew = np.linalg.eigvalsh(E)
    e_rank = int(np.sum(np.abs(ew) > 1e-10 * max(1.0, np.abs(ew).max())))
    J = jacobian(X)
    imgs = J.T.reshape(n * r, n, n)
    if np.linalg.norm(imgs) > 0:
        lo, hi, zmin, zmax = subspace_extremes(A, imgs)
        tdelta = max(abs(lo - 1), abs(hi - 1))
    else:
        tdelta, zmin, zmax = 0.0, np.zeros((n, n)), np.zeros((n, n))
    W = A.normal(E) - E
    w, V = np.linalg.eigh(W)
    j = int(np.argmax(np.abs(w)))
    pol: tuple[Array, ...] = ()
    if e_norm > 0:
        v = V[:, j]
        Z1, Z2 = E / e_norm, np.outer(v, v)
        pol = (Z1 + Z2, Z1 - Z2)
    return HessianDistance(dist, float(spectral_norm(HF)), float(spectral_norm(X) ** 2), e_norm,
                           e_rank, tdelta, float(np.abs(w).max()), (zmin, zmax), pol)


def distance_bound(c: float, a: float, b: float, delta_2r: float, delta_e: float, x_norm2: float,
                   e_norm: float) -> float:
    """c (a delta_{2r} ||X||_2^2 + b delta_{rho+1} ||E||_F); the derived constants are a = 8, b = 4."""
    return c * (a * delta_2r * x_norm2 + b * delta_e * e_norm)


# ---------------------------------------------------------------- Newton on G

def newton_stationary(A: Measurement, X0: Array, M: Array, c: float, iters: int = 40,
                      tol: float = 1e-13) -> tuple[Array, float, int]:
    """Newton on grad G = 0 with least-squares steps (the Hessian is singular along O(r) orbits).

    Returns (X, relative gradient norm, iterations); the scale is ||hess G(X)|| ||X|| + ||grad G(X0)||.
    """
    X = np.array(X0, dtype=float)
    n, r = X.shape
    scale = 1.0
    for it in range(iters):
        g = g_grad(A, X, M, c).ravel()
        H = g_hess(A, X, M, c)
        scale = max(spectral_norm(H) * max(1.0, np.linalg.norm(X)), 1e-300)
        rel = float(np.linalg.norm(g) / scale)
        if rel <= tol:
            return X, rel, it
        step = np.linalg.lstsq(H, -g, rcond=1e-10)[0]
        X = X + step.reshape(n, r)
    g = g_grad(A, X, M, c).ravel()
    return X, float(np.linalg.norm(g) / scale), iters


def measurement_mp(A: Measurement) -> Measurement:
    """A known through an exact-as-possible A*A: the Gram matrix of A's float rows, each entry the exact sum
    of exact products rounded once to the working mpmath precision (what ``mpmath.fdot`` returns), so the
    high-precision tiers see the same operator as float64.

    Every float64 is an integer times 2^(e_min - 53), e_min the smallest binary exponent among the rows, so
    the Gram matrix is an exact integer matrix product (python-flint ``fmpz_mat``) times 2^(2(e_min - 53)).
    """
    import flint

    nn = A.n * A.n
    rows = np.asarray(A.rows, dtype=float)
    if not np.all(np.isfinite(rows)):
        raise UsageError("measurement rows must be finite")
    mant, expo = np.frexp(rows)
    nz = mant != 0
    if not nz.any():
        K = np.full((nn, nn), mpmath.mpf(0), dtype=object)
        return Measurement.from_gram(K, A.n, A.name + " (mp)")
    emin = int(expo[nz].min())
    shift = emin - 53
    mi = (mant * 2.0 ** 53).astype(np.int64)      # exact: |mant| in [1/2, 1)
    ints = [[int(a) << int(b) for a, b in zip(mrow, erow)]
            for mrow, erow in zip(mi.tolist(), np.where(nz, expo - emin, 0).tolist())]
    R = flint.fmpz_mat(ints)
    G = R.transpose() * R
    K = np.empty((nn, nn), dtype=object)
    for j in range(nn):
        for k in range(j, nn):
            K[j, k] = K[k, j] = mpmath.ldexp(mpmath.mpf(int(G[j, k])), 2 * shift)
    return Measurement.from_gram(K, A.n, A.name + " (mp)")


def newton_stationary_mp(A: Measurement, X: Array, M: Array, c: object, tol: object, dps: int,
                         iters: int = 6, with_hessian: bool = False) -> tuple:
    """Regularized Gauss-Newton on grad G = 0 at the current mpmath precision (object arrays).

    The Hessian is singular along O(r) orbits, so each step solves (H^T H + mu I) s = -H^T g with
    mu = ||H||^2 10^-(dps+5). Returns X and |grad G| / (||H||_1 max(1, |X|)); stops below ``tol``. With
    ``with_hessian`` also hess G at the returned X (the last iteration's when it stopped there: not recomputed).
    """
    gn, H = mpmath.inf, None
    for _ in range(iters):
        g = g_grad(A, X, M, c).ravel()
        H = g_hess(A, X, M, c)
        Hm = mpmath.matrix(H.tolist())
        hn = mpmath.mnorm(Hm, 1)
        gn = mpmath.norm(mpmath.matrix(g.tolist())) / (hn * max(1, mpmath.norm(mpmath.matrix(X.ravel().tolist()))))
        if gn < tol:
            break
        mu = hn ** 2 * mpmath.mpf(10) ** (-(dps + 5))
        N = Hm.T * Hm + mu * mpmath.eye(Hm.rows)
        step = mpmath.lu_solve(N, -(Hm.T * mpmath.matrix(g.tolist())))
        X = X + np.array([step[i] for i in range(step.rows)], dtype=object).reshape(X.shape)
        H = None
    if not with_hessian:
        return X, gn
    return X, gn, (H if H is not None else g_hess(A, X, M, c))


def _sym_basis_mp(n: int) -> Array:
    """Rows vec(E_ii) and vec((E_ij + E_ji)/sqrt2), i < j, at the current mpmath precision."""
    r2 = 1 / mpmath.sqrt(2)
    return np.array([[(1 if i == j else r2) if (k, l) in ((i, j), (j, i)) else 0
                      for k in range(n) for l in range(n)]
                     for i in range(n) for j in range(i, n)], dtype=object) * mpmath.mpf(1)


def basis_gap_mp(n: int, scale: object, M: Array) -> object:
    """|G − F|/F at X = 0 for the orthonormal basis of Sym(n) times ``scale``, at the current mpmath precision:
    G(0) = c·Σ_k ⟨scale·B_k, M⟩² against F(0) = c·||M||_F² (c cancels), so the gap is |scale² − 1| exactly."""
    Mm = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(np.asarray(M, dtype=float)).reshape(n * n)
    g = sum((scale * v) ** 2 for v in _sym_basis_mp(n) @ Mm)
    f = sum(v ** 2 for v in Mm)
    return abs(g - f) / f


def hessian_distance_mp(A: Measurement, X: Array, M: Array, c: object, a: object, b: object) -> tuple:
    """At the current mpmath precision: ||hess G - hess F||_2, delta_full = ||A*A - I|| on Sym(n), and the
    derived bound c (a delta ||X||_2^2 + b delta ||E||_F) with delta_full for both deltas.

    Spectral norms are eigenvalues of symmetric matrices (``verify.highprec.eigen``, Householder + QL at the
    working precision); Sym(n)'s orthonormal basis is rebuilt here from
    E_ii and (E_ij + E_ji)/sqrt2 at the working precision, not taken from ``sym_basis``.
    """
    mp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
    Amp, Xm, Mm = measurement_mp(A), mp(X), mp(M)
    basis = _sym_basis_mp(A.n)
    ev = symmetric_eigenvalues(_sparse_matmul(basis, _sparse_matmul(basis, Amp.gram()).T).T.tolist())
    delta = max(abs(v - 1) for v in ev)
    dist = max(abs(v) for v in symmetric_eigenvalues((g_hess(Amp, Xm, Mm, c) - f_hess(Xm, Mm, c)).tolist()))
    xev = symmetric_eigenvalues((Xm.T @ Xm).tolist())
    E = Xm @ Xm.T - Mm
    bound = c * (a * delta * max(xev) + b * delta * mpmath.sqrt(sum(E.ravel() ** 2)))
    return dist, delta, bound


def orbit_complement_min(H: Array, X: Array) -> float:
    """Smallest eigenvalue of H on the orthogonal complement of the orbit tangent {X K : K skew}."""
    n, r = X.shape
    tang = []
    for i, j in itertools.combinations(range(r), 2):
        K = np.zeros((r, r))
        K[i, j], K[j, i] = 1.0, -1.0
        tang.append((X @ K).ravel())
    if tang:
        T = np.array(tang).T
        U, s, _ = np.linalg.svd(T, full_matrices=True)
        rank = int(np.sum(s > 1e-10 * max(1.0, s.max() if s.size else 1.0)))
        P = U[:, rank:]
    else:
        P = np.eye(n * r)
    return float(np.linalg.eigvalsh(P.T @ H @ P)[0])
