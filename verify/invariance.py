"""Invariance theory (Li et al. 2019; docs/mathematics.md §L7): what a linear symmetry f(Gx) = f(x) forces.

The abstract states the general theory with phase retrieval and deep linear networks as examples; the
identities below are derived by the suite from differentiating f(Gx) = f(x).

Identities checked here, for a group of invertible matrices G acting on R^d:
  gradient covariance  grad f(Gx) = G^{-T} grad f(x);
  Hessian covariance   hess f(Gx) = G^{-T} hess f(x) G^{-1}  (a congruence: Sylvester keeps the
                       inertia; eigenvalues are kept only when G is orthogonal);
  fixed points         Gx = x for all G  =>  grad f(x) lies in Fix(G^T); stationary if that is {0};
  orbit tangents       hess f(x) xi x = -xi^T grad f(x) for a Lie-algebra element xi, so at a
                       stationary point every orbit tangent xi x is in the Hessian null space.
Examples (``verify.invariance_models``, re-exported here): real and complex phase retrieval, deep linear
networks with GL insertions. Every example's arithmetic uses only +, *, @ and ** so the same code runs on float64 arrays and on
object arrays of mpmath numbers (the high-precision tier).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Callable, Sequence

import flint
import numpy as np
import sympy as sp

from .errors import UsageError

Array = np.ndarray


@dataclass(frozen=True)
class Objective:
    """A smooth f: R^d -> R with hand-derived gradient and Hessian callables."""

    name: str
    dim: int
    f: Callable[[Array], float]
    grad: Callable[[Array], Array]
    hess: Callable[[Array], Array]
    sym_f: Callable[[Sequence[sp.Symbol]], sp.Expr] | None = None


@dataclass(frozen=True)
class GroupAction:
    """A group of invertible d x d matrices: float samples, exact (SymPy) samples, Lie generators."""

    name: str
    dim: int
    sample: Callable[[np.random.Generator, int], list[Array]]
    exact_sample: Callable[[np.random.Generator, int], list[sp.Matrix]]
    generators: tuple[Array, ...] = ()
    exact_generators: tuple[sp.Matrix, ...] = ()

    @property
    def continuous(self) -> bool:
        return bool(self.generators)


@dataclass(frozen=True)
class Example:
    """An objective, its symmetry group and labelled stationary points (built by construction)."""

    objective: Objective
    group: GroupAction
    stationary: tuple[tuple[str, Array], ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- input validation

def check_point(x: object, dim: int, name: str = "x") -> Array:
    """A finite real vector of length ``dim`` (UsageError otherwise)."""
    arr = np.asarray(x)
    if arr.dtype == object:
        if arr.shape != (dim,):
            raise UsageError(f"{name} must have shape ({dim},), got {arr.shape}")
        return arr
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise UsageError(f"{name} must be a real numeric vector")
    if arr.shape != (dim,):
        raise UsageError(f"{name} must have shape ({dim},), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise UsageError(f"{name} contains NaN or infinity")
    return arr.astype(float)


def check_matrix(a: object, name: str, ndim: int = 2, allow_complex: bool = False) -> Array:
    """A finite numeric array with ``ndim`` dimensions, none of them empty (UsageError otherwise)."""
    arr = np.asarray(a)
    if arr.dtype == object:
        if arr.ndim != ndim or 0 in arr.shape:
            raise UsageError(f"{name} must be a non-empty {ndim}-d array, got shape {arr.shape}")
        return arr
    if not np.issubdtype(arr.dtype, np.number):
        raise UsageError(f"{name} must be numeric")
    if np.iscomplexobj(arr) and not allow_complex:
        raise UsageError(f"{name} must be real")
    if arr.ndim != ndim or 0 in arr.shape:
        raise UsageError(f"{name} must be a non-empty {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise UsageError(f"{name} contains NaN or infinity")
    return arr.astype(complex if np.iscomplexobj(arr) else float)


def check_group_element(g: object, dim: int) -> Array:
    """An invertible finite d x d real matrix (UsageError otherwise)."""
    arr = check_matrix(g, "group element")
    if arr.shape != (dim, dim):
        raise UsageError(f"group element must be {dim}x{dim}, got {arr.shape}")
    if np.linalg.cond(arr) > 1e12:
        raise UsageError("group element is singular or too ill-conditioned (cond > 1e12)")
    return arr


# ---------------------------------------------------------------- finite differences

def fd_gradient(f: Callable[[Array], float], x: Array, h: float = 1e-5) -> Array:
    """Central-difference gradient, error O(h^2 |f'''|)."""
    g = np.zeros_like(x, dtype=float)
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def fd_hessian(grad: Callable[[Array], Array], x: Array, h: float = 1e-5) -> Array:
    """Central differences of the analytic gradient, symmetrized."""
    cols = []
    for i in range(x.size):
        e = np.zeros_like(x, dtype=float)
        e[i] = h
        cols.append((grad(x + e) - grad(x - e)) / (2 * h))
    H = np.array(cols).T
    return (H + H.T) / 2


def derivative_errors(obj: Objective, x: Array) -> tuple[float, float]:
    """Relative errors of the hand gradient and Hessian against finite differences at ``x``."""
    x = check_point(x, obj.dim)
    scale = 1.0 + float(np.linalg.norm(x))
    h = 1e-5 * scale
    g, H = obj.grad(x), obj.hess(x)
    gerr = np.linalg.norm(g - fd_gradient(obj.f, x, h)) / max(np.linalg.norm(g), np.linalg.norm(H) * scale, 1e-300)
    herr = np.linalg.norm(H - fd_hessian(obj.grad, x, h)) / max(np.linalg.norm(H), 1e-300)
    return float(gerr), float(herr)


# ---------------------------------------------------------------- covariance identities

def covariance_defects(obj: Objective, G: Array, x: Array) -> dict[str, float]:
    """Relative defects of f(Gx)=f(x), grad f(Gx)=G^-T grad f(x), hess f(Gx)=G^-T hess f(x) G^-1.

    Each defect is divided by the size of the terms involved (so roundoff gives ~1e-15).
    """
    G = check_group_element(G, obj.dim)
    x = check_point(x, obj.dim)
    Gi = np.linalg.inv(G)
    gx = G @ x
    f0, f1 = obj.f(x), obj.f(gx)
    g0, g1 = obj.grad(x), obj.grad(gx)
    H0, H1 = obj.hess(x), obj.hess(gx)
    gpred = Gi.T @ g0
    Hpred = Gi.T @ H0 @ Gi
    fscale = max(abs(f0), abs(f1), 1e-300)
    gscale = max(np.linalg.norm(g1), np.linalg.norm(gpred), np.linalg.norm(H1) * np.linalg.norm(gx), 1e-300)
    hscale = max(np.linalg.norm(H1), np.linalg.norm(Hpred), 1e-300)
    return {
        "value": float(abs(f1 - f0) / fscale),
        "gradient": float(np.linalg.norm(g1 - gpred) / gscale),
        "hessian": float(np.linalg.norm(H1 - Hpred) / hscale),
    }


def fixed_subspace(Gs: Sequence[Array], tol: float = 1e-10) -> Array:
    """Orthonormal basis (columns) of {x : Gx = x for every G in Gs} (null space of stacked G - I)."""
    d = Gs[0].shape[0]
    stack = np.vstack([G - np.eye(d) for G in Gs])
    _, s, vt = np.linalg.svd(stack)
    rank = int(np.sum(s > tol * max(1.0, s[0] if s.size else 1.0)))
    return vt[rank:].T


def tangent_identity_defect(obj: Objective, xi: Array, x: Array) -> float:
    """Relative defect of hess f(x) xi x = -xi^T grad f(x) (derivative of covariance along e^{t xi})."""
    H, g = obj.hess(x), obj.grad(x)
    lhs, rhs = H @ (xi @ x), -xi.T @ g
    scale = max(np.linalg.norm(H, 2) * np.linalg.norm(xi @ x), np.linalg.norm(xi, 2) * np.linalg.norm(g), 1e-300)
    return float(np.linalg.norm(lhs - rhs) / scale)


@dataclass(frozen=True)
class Inertia:
    """Counts of positive, negative and zero eigenvalues; ``ambiguous`` counts the grey band."""

    pos: int
    neg: int
    zero: int
    ambiguous: int

    def as_tuple(self) -> tuple[int, int, int]:
        return (self.pos, self.neg, self.zero)


def inertia(eigs: Array, scale: float, zero_tol: float = 1e-9, clear_tol: float = 1e-6) -> Inertia:
    """Classify eigenvalues: |l| <= zero_tol*scale zero, |l| > clear_tol*scale signed, else ambiguous.

    float64 symmetric eigensolvers have backward error ~ d*eps*||H|| (~1e-14 here), so 1e-9 leaves
    five orders of margin for exact zeros; anything in (1e-9, 1e-6]*||H|| cannot be trusted either way.
    """
    e = np.asarray(eigs, dtype=float)
    zero = np.abs(e) <= zero_tol * scale
    clear = np.abs(e) > clear_tol * scale
    return Inertia(int(np.sum(clear & (e > 0))), int(np.sum(clear & (e < 0))), int(np.sum(zero)),
                   int(np.sum(~zero & ~clear)))


def is_orthogonal(G: Array, tol: float = 1e-12) -> bool:
    return bool(np.linalg.norm(G.T @ G - np.eye(G.shape[0])) <= tol * G.shape[0])


def spectrum_shift(obj: Objective, G: Array, x: Array) -> dict[str, object]:
    """Inertia of hess f at x and at Gx, and the largest eigenvalue shift relative to ||hess f(x)||."""
    H0, H1 = obj.hess(x), obj.hess(G @ x)
    e0, e1 = np.linalg.eigvalsh(H0), np.linalg.eigvalsh(H1)
    scale = max(np.abs(e0).max(), np.abs(e1).max(), 1e-300)
    return {
        "inertia_x": inertia(e0, scale), "inertia_gx": inertia(e1, scale),
        "shift": float(np.abs(e1 - e0).max() / scale), "scale": float(scale),
        "eig_x": e0, "eig_gx": e1,
    }


# ---------------------------------------------------------------- symbolic route

def symbolic_defects(obj: Objective, Gs: Sequence[sp.Matrix], xis: Sequence[sp.Matrix] = (),
                     hessian: bool = True) -> dict[str, int]:
    """Count exact (SymPy) failures of invariance, gradient/Hessian covariance and the tangent identity.

    f is built from exact data by ``obj.sym_f`` and read into SymPy's sparse polynomial ring over QQ, then held
    as a python-flint ``fmpq_mpoly`` (exact, in C); derivatives are scalar partial derivatives (no matrix
    calculus), x -> Gx is a simultaneous linear substitution (``compose``), and every residual is a polynomial
    in canonical form that must be exactly 0.
    """
    if obj.sym_f is None:
        raise UsageError(f"{obj.name} has no symbolic form")
    xs = sp.symbols(f"x0:{obj.dim}", real=True)
    f = _flint_poly(obj.name, obj.sym_f(xs), xs)
    ctx = f.context()
    gens = ctx.gens()
    zero = ctx.constant(0)
    d = len(gens)
    grad = [f.derivative(i) for i in range(d)]
    H = [[g.derivative(j) for j in range(d)] for g in grad] if hessian else None

    def q(v: sp.Expr) -> flint.fmpq:
        r = sp.Rational(v)
        return flint.fmpq(int(r.p), int(r.q))

    def exact(A: sp.Matrix) -> list[list[flint.fmpq]]:
        """A's entries as flint rationals, converted once per matrix."""
        return [[q(A[i, j]) for j in range(d)] for i in range(d)]

    out = {"value": 0, "gradient": 0, "hessian": 0, "tangent": 0}
    for G in Gs:
        Gq, Gi = exact(G), exact(G.inv())
        # x -> Gx: one linear substitution for every polynomial below
        lin = [sum((Gq[i][j] * gens[j] for j in range(d) if Gq[i][j] != 0), zero) for i in range(d)]
        if f.compose(*lin) != f:
            out["value"] += 1
        # grad f(Gx) = G^{-T} grad f(x)
        if any(grad[i].compose(*lin) != sum((Gi[j][i] * grad[j] for j in range(d)), zero) for i in range(d)):
            out["gradient"] += 1
        # hess f(Gx) = G^{-T} hess f(x) G^{-1}; both sides are exactly symmetric (H[i][j] and H[j][i] are the
        # same polynomial), so the entries j >= i decide the identity
        if H is not None:
            HGi = [[sum((H[i][k] * Gi[k][j] for k in range(d) if Gi[k][j] != 0), zero) for j in range(d)]
                   for i in range(d)]
            if any(H[i][j].compose(*lin) != sum((Gi[k][i] * HGi[k][j] for k in range(d) if Gi[k][i] != 0), zero)
                   for i in range(d) for j in range(i, d)):
                out["hessian"] += 1
    for xi in xis:
        Hx = H if H is not None else [[g.derivative(j) for j in range(d)] for g in grad]
        xiX = [sum((q(xi[i, j]) * gens[j] for j in range(d) if xi[i, j] != 0), zero) for i in range(d)]
        # hess f(x) xi x + xi^T grad f(x) = 0
        if any(sum((Hx[i][k] * xiX[k] for k in range(d)), zero)
               + sum((q(xi[k, i]) * grad[k] for k in range(d) if xi[k, i] != 0), zero) != 0 for i in range(d)):
            out["tangent"] += 1
    return out


def _flint_poly(name: str, f_expr: sp.Expr, xs: Sequence[sp.Symbol]) -> "flint.fmpq_mpoly":
    """f as a python-flint polynomial over QQ in ``xs``: SymPy's sparse ring reads the expression tree (ring
    arithmetic, no ``expand``), then its terms go to flint. UsageError if f is not polynomial over QQ."""
    try:
        R = sp.ring(xs, sp.QQ)[0]
        fr = R(f_expr)
    except (sp.polys.polyerrors.PolynomialError, sp.polys.polyerrors.CoercionFailed, ValueError) as exc:
        raise UsageError(f"{name}: the symbolic objective is not a polynomial with rational "
                         f"coefficients ({exc})") from exc
    ctx = flint.fmpq_mpoly_ctx.get(tuple(f"x{i}" for i in range(len(xs))), "lex")
    dom = R.domain
    return ctx.from_dict({m: flint.fmpq(int(dom.numer(c)), int(dom.denom(c))) for m, c in fr.terms()})


def rational_matrix(a: Array) -> sp.Matrix:
    """Exact SymPy copy of a float matrix (each float is an exact binary rational)."""
    return sp.Matrix([[sp.Rational(float(v)) for v in row] for row in np.atleast_2d(a)])


# ---------------------------------------------------------------- groups

def _finite(name: str, mats: list[Array]) -> GroupAction:
    d = mats[0].shape[0]
    exact = [sp.Matrix(m.astype(int).tolist()) if np.all(m == np.round(m)) else rational_matrix(m) for m in mats]
    return GroupAction(name, d, lambda rng, k: [mats[i % len(mats)] for i in range(k)],
                       lambda rng, k: [exact[i % len(exact)] for i in range(k)])


def sign_group(d: int) -> GroupAction:
    """{I, -I}: the symmetry x -> -x of real phase retrieval."""
    return _finite("x -> -x", [-np.eye(d), np.eye(d)])


def scaling_group(d: int, s: float) -> GroupAction:
    """x -> s x (a deliberately wrong 'symmetry' for falsification tests)."""
    if not np.isfinite(s) or s == 0:
        raise UsageError("scaling factor must be finite and non-zero")
    return _finite(f"x -> {s:g} x", [s * np.eye(d)])


def _j(n: int) -> Array:
    z, i = np.zeros((n, n)), np.eye(n)
    return np.block([[z, -i], [i, z]])


def u1_group(n: int) -> GroupAction:
    """U(1) acting on C^n as x -> e^{i theta} x, in the real representation (Re x, Im x) of R^{2n}."""
    J = _j(n)

    def sample(rng: np.random.Generator, k: int) -> list[Array]:
        return [np.cos(t) * np.eye(2 * n) + np.sin(t) * J for t in rng.uniform(0, 2 * np.pi, k)]

    def exact(rng: np.random.Generator, k: int) -> list[sp.Matrix]:
        # rational points of the circle: cos = (1-t^2)/(1+t^2), sin = 2t/(1+t^2)
        out = []
        for _ in range(k):
            t = sp.Rational(int(rng.integers(-9, 10)), int(rng.integers(1, 8)))
            c, s = (1 - t**2) / (1 + t**2), 2 * t / (1 + t**2)
            out.append(c * sp.eye(2 * n) + s * sp.Matrix(J.astype(int)))
        return out

    return GroupAction("U(1): x -> e^{i theta} x", 2 * n, sample, exact, (J,), (sp.Matrix(J.astype(int)),))


def insertion_matrix(G: Array, h: int, n: int, m: int) -> Array:
    """Matrix of (W1, W2) -> (G W1, W2 G^{-1}) on x = (vec W1, vec W2): blockdiag(G ⊗ I_n, I_m ⊗ G^{-T}) for the
    row-major vec (the columns are the images of the unit vectors: the entries of G and G^{-1} themselves)."""
    Gi = np.linalg.inv(G)
    d1, d2 = h * n, m * h
    T = np.zeros((d1 + d2, d1 + d2))
    T[:d1, :d1] = (G[:, None, :, None] * np.eye(n)[None, :, None, :]).reshape(d1, d1)      # G ⊗ I_n
    T[d1:, d1:] = (np.eye(m)[:, None, :, None] * Gi.T[None, :, None, :]).reshape(d2, d2)   # I_m ⊗ G^{-T}
    return T


def gl_insertion_group(h: int, n: int, m: int, cond_max: float = 10.0) -> GroupAction:
    """GL(h) inserted between the layers of a two-layer linear network: W1 -> G W1, W2 -> W2 G^-1."""
    for v, nm in ((h, "h"), (n, "n"), (m, "m")):
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise UsageError(f"{nm} must be a positive integer, got {v!r}")

    def sample(rng: np.random.Generator, k: int) -> list[Array]:
        out: list[Array] = []
        while len(out) < k:
            G = np.eye(h) + 0.6 * rng.standard_normal((h, h)) / np.sqrt(h)
            G = G @ np.diag(np.exp(rng.uniform(-0.7, 0.7, h)))  # unbalanced rescaling
            if np.linalg.cond(G) <= cond_max:
                out.append(insertion_matrix(G, h, n, m))
        return out

    def exact(rng: np.random.Generator, k: int) -> list[sp.Matrix]:
        out: list[sp.Matrix] = []
        while len(out) < k:
            G = sp.eye(h) + sp.Matrix(h, h, [sp.Rational(int(v), 2) for v in rng.integers(-2, 3, h * h)])
            if G.det() == 0:
                continue
            # row-major vec: vec(G W1) = (G kron I_n) vec W1, vec(W2 G^-1) = (I_m kron G^-T) vec W2
            T = sp.diag(sp.kronecker_product(G, sp.eye(n)), sp.kronecker_product(sp.eye(m), G.inv().T))
            out.append(T)
        return out

    gens, egens = [], []
    for i, j in itertools.product(range(h), range(h)):
        E = np.zeros((h, h))
        E[i, j] = 1.0
        # derivative of the action at G = I along E: (E W1, -W2 E)
        gens.append(np.block([[np.kron(E, np.eye(n)), np.zeros((h * n, m * h))],
                              [np.zeros((m * h, h * n)), -np.kron(np.eye(m), E.T)]]))
        egens.append(sp.Matrix(gens[-1].astype(int).tolist()))
    return GroupAction("GL(h) insertion", h * n + m * h, sample, exact, tuple(gens), tuple(egens))


#: the examples live in ``verify.invariance_models`` (which imports this module); re-exported here, lazily
_MODELS = ("real_phase_retrieval", "realify", "complex_phase_retrieval", "deep_linear")


def __getattr__(name: str):
    if name in _MODELS:
        from . import invariance_models
        return getattr(invariance_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
