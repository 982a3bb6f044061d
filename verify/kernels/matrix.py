"""Batched kernels for the deep matrix factorization objective, compiled from the symbolic result.

    F(W_1..W_L) = (a/2)·||W_L⋯W_1 − M||_F² + (b/2)·Σ_l ||W_l||_F²

Interface (everything a claim needs):

    k = compile_matrix_kernels(depth, widths, backend="auto")   # cached per (L, widths, backend)
    k.objective(Ws, M, a, b)      -> (N,)
    k.gradient(Ws, M, a, b)       -> tuple of L arrays (N, d_l, d_{l-1})
    k.hvp(Ws, M, Vs, a, b)        -> tuple of L arrays (N, d_l, d_{l-1})   (H·V)
    k.hessian(Ws, M, a, b)        -> (N, P, P), P = Σ d_l·d_{l-1}
    ok, max_rel_err, tol = validate(k, rng)   # against the hand-written route, verify.landscape.deep_matrix

Ws is a sequence of L arrays of shape (N, d_l, d_{l-1}) (layer 1 first); M is (N, d_L, d_0) or
(d_L, d_0); a, b are positive floats or arrays of shape (N,). Parameters are flattened layer by
layer, each W_l row-major: index offset_l + i·d_{l−1} + j for entry (i, j) of W_l.

Backends: "numpy" (generated straight-line numpy with shared products; always available),
"lambdify" (SymPy lambdify with cse=True; measured, slower), "numba" (the Hessian blocks compiled to a matrix
program, verify.kernels.program, run per instance by one compiled interpreter; optional), "symengine" (LLVM Lambdify of the explicit
entries; fastest at small P but its compile time grows steeply, so limited to P ≤ 48; optional),
"jaxgen" (the same matrix program traced into one jitted JAX function, verify.kernels.jax_program;
on the CPU here, the route to a GPU; optional). "auto" picks numba when installed, else numpy.
Results count only after ``validate`` agrees with the independent route.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from ..errors import UsageError
from ..symbolic.matrix import MatrixDerivation, check_widths, derive
from . import backends as _bk
from . import buffers
from ..landscape import deep_matrix
from . import codegen

SYMENGINE_MAX_PARAMS = 48


def _exec(src: str, extra: dict | None = None) -> dict:
    ns: dict = {"np": np}
    if extra:
        ns.update(extra)
    exec(compile(src, "<verify.kernels.matrix generated>", "exec"), ns)  # noqa: S102 - our own codegen
    return ns


@dataclass
class MatrixKernels:
    """Compiled kernels for one (depth, widths, backend); see module docstring."""

    depth: int
    widths: tuple[int, ...]
    backend: str
    compile_seconds: float
    _first: dict = field(repr=False)
    _hessian: Callable = field(repr=False)
    source: str = field(default="", repr=False)

    @property
    def n_params(self) -> int:
        return sum(self.widths[l + 1] * self.widths[l] for l in range(self.depth))

    @property
    def shapes(self) -> list[tuple[int, int]]:
        return [(self.widths[l + 1], self.widths[l]) for l in range(self.depth)]

    def _prep(self, Ws, M, a, b, Vs=None):
        if len(Ws) != self.depth:
            raise UsageError(f"expected {self.depth} layer arrays, got {len(Ws)}")
        arrs = [_as_float(w, f"W{l + 1}") for l, w in enumerate(Ws)]
        if all(w.ndim == 2 for w in arrs):
            arrs = [w[None] for w in arrs]
        N = arrs[0].shape[0]
        for l, (w, shp) in enumerate(zip(arrs, self.shapes)):
            if w.shape != (N,) + shp:
                raise UsageError(f"W{l + 1} must have shape (N, {shp[0]}, {shp[1]}), got {w.shape}")
        Mm = _as_float(M, "M")
        mshape = (self.widths[-1], self.widths[0])
        if Mm.shape == mshape:
            Mm = np.broadcast_to(Mm, (N,) + mshape)
        if Mm.shape != (N,) + mshape:
            raise UsageError(f"M must have shape {mshape} or (N, {mshape[0]}, {mshape[1]}), got {Mm.shape}")
        av, bv = _coef(a, "a", N), _coef(b, "b", N)
        out = [arrs, np.ascontiguousarray(Mm), av, bv]
        if Vs is not None:
            if len(Vs) != self.depth:
                raise UsageError(f"expected {self.depth} direction arrays, got {len(Vs)}")
            vs = [_as_float(v, f"V{l + 1}") for l, v in enumerate(Vs)]
            vs = [v[None] if v.ndim == 2 else v for v in vs]
            for l, (v, shp) in enumerate(zip(vs, self.shapes)):
                if v.shape != (N,) + shp:
                    raise UsageError(f"V{l + 1} must have shape (N, {shp[0]}, {shp[1]}), got {v.shape}")
            out.append(vs)
        return out

    def objective(self, Ws, M, a, b) -> np.ndarray:
        """F at each of the N instances, shape (N,)."""
        W, Mm, av, bv = self._prep(Ws, M, a, b)
        return self._first["objective"](*W, Mm, av[:, None, None], bv[:, None, None])

    def gradient(self, Ws, M, a, b) -> tuple[np.ndarray, ...]:
        """∇_{W_l} F for each layer, shapes (N, d_l, d_{l−1})."""
        W, Mm, av, bv = self._prep(Ws, M, a, b)
        g = self._first["gradient"](*W, Mm, av[:, None, None], bv[:, None, None])
        return tuple(np.broadcast_to(x, w.shape).copy() for x, w in zip(g, W))

    def hvp(self, Ws, M, Vs, a, b) -> tuple[np.ndarray, ...]:
        """Hessian-vector product H·V per layer (V given per layer like W)."""
        W, Mm, av, bv, V = self._prep(Ws, M, a, b, Vs)
        h = self._first["hvp"](*W, Mm, *V, av[:, None, None], bv[:, None, None])
        return tuple(np.broadcast_to(x, w.shape).copy() for x, w in zip(h, W))

    def hessian(self, Ws, M, a, b, out: np.ndarray | None = None) -> np.ndarray:
        """Dense Hessian (N, P, P) in the flattening of the module docstring."""
        W, Mm, av, bv = self._prep(Ws, M, a, b)
        N, P = W[0].shape[0], self.n_params
        if out is None:
            out = buffers.empty((N, P, P))  # a reused, already written buffer where one is free
        elif out.shape != (N, P, P) or out.dtype != np.float64 or not out.flags.c_contiguous:
            raise UsageError(f"out must be a C-contiguous float64 array of shape {(N, P, P)}")
        self._hessian([np.ascontiguousarray(w) for w in W], Mm, av, bv, out)
        return out


def _as_float(x, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a real array") from None
    if arr.ndim not in (2, 3):
        raise UsageError(f"{name} must be a matrix or a batch of matrices, got ndim {arr.ndim}")
    if not np.all(np.isfinite(arr)):
        raise UsageError(f"{name} contains NaN or infinity")
    return arr


def _coef(x, name: str, N: int) -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(f"{name} must be a positive number or an array of shape (N,)") from None
    if arr.ndim == 0:  # one number for every instance: checked once, then repeated
        if not (math.isfinite(float(arr)) and float(arr) > 0):
            raise UsageError(f"{name} must be finite and > 0")
        return np.full(N, float(arr))
    if arr.shape != (N,):
        raise UsageError(f"{name} must be a number or have shape ({N},), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise UsageError(f"{name} must be finite and > 0")
    return np.ascontiguousarray(arr)


# --- dense Hessian assembly (numpy / lambdify backends) -----------------------------------------

def _numpy_assembler(der: MatrixDerivation, factors: Callable, plan: list) -> Callable:
    dims = [(der.widths[l + 1], der.widths[l]) for l in range(der.depth)]
    offs = np.cumsum([0] + [r * c for r, c in dims])

    def hessian(W, M, a, b, out):
        N = out.shape[0]
        facs = factors(*W, M, a[:, None, None], b[:, None, None])
        out.fill(0.0)
        for l, k, entries in plan:
            (r1, c1), (r2, c2) = dims[l], dims[k]
            view = out[:, offs[l]:offs[l + 1], offs[k]:offs[k + 1]].reshape(N, r1, c1, r2, c2)
            for ai, bi, tr in entries:
                if ai == "diag":
                    c = np.broadcast_to(facs[bi], (N, 1, 1))[:, 0, 0]
                    idx = np.arange(r1 * c1)
                    out[:, offs[l] + idx, offs[k] + idx] += c[:, None]
                    continue
                A = np.broadcast_to(facs[ai], (N,) + np.shape(facs[ai])[-2:])
                Bt = np.swapaxes(np.broadcast_to(facs[bi], (N,) + np.shape(facs[bi])[-2:]), 1, 2)
                if tr:  # A[i,q]·B[p,j]
                    view += A[:, :, None, None, :] * Bt[:, None, :, :, None]
                else:  # A[i,p]·B[q,j]
                    view += A[:, :, None, :, None] * Bt[:, None, :, None, :]
    return hessian


def _numpy_first(der: MatrixDerivation) -> tuple[dict, str]:
    src = codegen.numpy_first_order_source(der)
    ns = _exec(src)
    return {k: ns[k] for k in ("objective", "gradient", "hvp")}, src


# --- lambdify backend -----------------------------------------------------------------------

def _batched_printer():
    from sympy.printing.numpy import NumPyPrinter

    class BatchedPrinter(NumPyPrinter):
        """Matrix expressions over batches: matmul and last-two-axes transposes."""

        def _print_MatMul(self, expr):
            coeff, mats = expr.as_coeff_matrices()
            s = self._print(mats[0])
            for m in mats[1:]:
                s = f"numpy.matmul({s}, {self._print(m)})"
            return s if coeff == 1 else f"({self._print(coeff)})*{s}"

        def _print_Transpose(self, expr):
            return f"numpy.swapaxes({self._print(expr.arg)}, -1, -2)"

        def _print_Identity(self, expr):
            return f"numpy.eye({expr.rows})"

    return BatchedPrinter({"fully_qualified_modules": True, "inline": True,
                           "allow_unknown_functions": True, "user_functions": {}})


def _lambdify_first(der: MatrixDerivation) -> dict:
    args = [*der.W, der.M, der.a, der.b]
    printer = _batched_printer()
    grad = sp.lambdify(args, list(der.gradient), modules="numpy", cse=True, printer=printer)
    hvp = sp.lambdify([*der.W, der.M, *der.V, der.a, der.b], list(der.hvp), modules="numpy",
                      cse=True, printer=printer)
    first, _ = _numpy_first(der)
    return {"objective": first["objective"], "gradient": lambda *x: tuple(grad(*x)),
            "hvp": lambda *x: tuple(hvp(*x))}


def _lambdify_hessian(der: MatrixDerivation) -> Callable:
    dims = [(der.widths[l + 1], der.widths[l]) for l in range(der.depth)]
    exprs, plan = [], []

    def comb_expr(comb, n):
        parts = [c * (sp.Identity(n) if ch == () else der.chain_expr(ch)) for c, ch in comb]
        return sp.MatAdd(*parts) if len(parts) > 1 else parts[0]

    for (l, k), terms in sorted(der.blocks.items()):
        entries = []
        for t in terms:
            n_right = dims[k][0] if t.transposed else dims[k][1]
            if t.left[0][1] == () and len(t.left) == 1 and t.right[0][1] == () and len(t.right) == 1:
                exprs.append(sp.Mul(t.left[0][0], t.right[0][0]))
                entries.append(("diag", len(exprs) - 1, None))
                continue
            exprs.append(comb_expr(t.left, dims[l][0]))
            exprs.append(comb_expr(t.right, n_right))
            entries.append((len(exprs) - 2, len(exprs) - 1, t.transposed))
        plan.append((l, k, entries))
    fn = sp.lambdify([*der.W, der.M, der.a, der.b], exprs, modules="numpy", cse=True,
                     printer=_batched_printer())
    return _numpy_assembler(der, fn, plan)


# --- numba backend --------------------------------------------------------------------------

def _numba_hessian(der: MatrixDerivation) -> Callable:
    _bk.import_numba()
    from . import numba_program as na
    from .program import build_program

    prog = build_program(der)

    def hessian(W, M, a, b, out):
        na.hessian(prog, W, M, a, b, out)
    return hessian


# --- jaxgen backend (the GPU path, run on the CPU here) ------------------------------------

def _jax_hessian(der: MatrixDerivation) -> Callable:
    _bk.import_jax()
    from .jax_program import JaxHessian
    from .program import build_program

    jh = JaxHessian(build_program(der), device="cpu")

    def hessian(W, M, a, b, out):
        jh.to_host(W, M, a, b, out=out)
    return hessian


# --- symengine backend ----------------------------------------------------------------------

def _symengine_hessian(der: MatrixDerivation) -> Callable:
    se = _bk.import_symengine()
    P = der.n_params
    if P > SYMENGINE_MAX_PARAMS:
        raise UsageError(f"symengine backend is for P ≤ {SYMENGINE_MAX_PARAMS} (explicit entries); "
                         f"got P = {P}")
    from ..symbolic.matrix import blocks_to_dense_exact
    ents = {}
    vals = {}
    for sym in (*der.W, der.M):
        m = sp.Matrix(sym.shape[0], sym.shape[1],
                      lambda i, j, s=sym: sp.Symbol(f"{s.name}_{i}_{j}"))
        vals[sym] = m
        ents[sym] = list(m)
    vals[der.a], vals[der.b] = der.a, der.b
    H = blocks_to_dense_exact(der, der.blocks, vals)
    args = [x for sym in (*der.W, der.M) for x in ents[sym]] + [der.a, der.b]
    fn = se.Lambdify([se.sympify(x) for x in args], [se.sympify(x) for x in H],
                     backend="llvm", cse=True)

    def hessian(W, M, a, b, out):
        N = out.shape[0]
        X = np.concatenate([w.reshape(N, -1) for w in W] + [M.reshape(N, -1), a[:, None], b[:, None]],
                           axis=1)
        out[...] = np.asarray(fn(X)).reshape(N, P, P)
    return hessian


# --- construction ---------------------------------------------------------------------------

def build_matrix_kernels(der: MatrixDerivation, backend: str = "auto") -> MatrixKernels:
    """Compile kernels from a derivation (uncached: tests pass tampered derivations here)."""
    name = _bk.resolve(backend)
    t0 = time.perf_counter()
    first, src = _numpy_first(der)
    if name == "numpy":
        fsrc, plan = codegen.numpy_hessian_factor_source(der)
        hess = _numpy_assembler(der, _exec(fsrc)["factors"], plan)
        src += fsrc
    elif name == "lambdify":
        first = _lambdify_first(der)
        hess = _lambdify_hessian(der)
    elif name == "numba":
        hess = _numba_hessian(der)
    elif name == "jaxgen":
        hess = _jax_hessian(der)
    else:
        hess = _symengine_hessian(der)
    k = MatrixKernels(der.depth, der.widths, name, 0.0, first, hess, src)
    if name in ("numba", "jaxgen"):  # JIT happens on first call: include it in the compile time
        P = k.n_params
        Ws = [np.zeros((1, r, c)) for r, c in k.shapes]
        k.hessian(Ws, np.zeros((1, der.widths[-1], der.widths[0])), 1.0, 1.0, out=np.empty((1, P, P)))
    k.compile_seconds = time.perf_counter() - t0
    return k


@functools.lru_cache(maxsize=64)
def _cached(depth: int, widths: tuple[int, ...], backend: str) -> MatrixKernels:
    return build_matrix_kernels(derive(depth, widths), backend)


def compile_matrix_kernels(depth: int, widths: Sequence[int], backend: str = "auto") -> MatrixKernels:
    """Kernels for depth L and widths (d_0..d_L), cached in-process per (L, widths, backend)."""
    depth, widths = check_widths(depth, widths)
    return _cached(depth, widths, _bk.resolve(backend))


# --- validation against the independent route -----------------------------------------------

def random_instances(kernels: MatrixKernels, rng: np.random.Generator, n: int):
    """N random instances (Ws, M, a, b): Gaussian layers scaled by 1/√d_{l−1}, a, b ∈ [0.5, 2]."""
    Ws = [rng.standard_normal((n, r, c)) / np.sqrt(c) for r, c in kernels.shapes]
    M = rng.standard_normal((n, kernels.widths[-1], kernels.widths[0]))
    return Ws, M, rng.uniform(0.5, 2.0, n), rng.uniform(0.5, 2.0, n)


def tolerance(kernels: MatrixKernels) -> float:
    """Float64 tolerance relative to the largest |entry| of each compared quantity.

    Each entry is a sum of ≤ 2·d_max·(P/d_min) products of ≤ 2L factors of size O(1), so its
    rounding error is ≲ (2L + d_max)·ε times the scale; 50× that leaves room for cancellation.
    """
    return 50.0 * (2 * kernels.depth + max(kernels.widths)) * np.finfo(np.float64).eps


def _rel(x: np.ndarray, ref: np.ndarray) -> float:
    x, ref = np.asarray(x), np.asarray(ref)
    axes = tuple(range(1, ref.ndim))
    scale = np.max(np.abs(ref), axis=axes) if axes else np.abs(ref)
    err = np.max(np.abs(x - ref), axis=axes) if axes else np.abs(x - ref)
    return float(np.max(err / np.maximum(scale, np.finfo(float).tiny)))


def validate(kernels: MatrixKernels, rng: np.random.Generator, n: int = 8) -> tuple[bool, float, float]:
    """Compare all four kernels with the hand-written route on n random instances.

    Returns (ok, max_rel_err, tolerance); also checks H·V (dense) against the HVP kernel and
    the symmetry of H.
    """
    Ws, M, a, b = random_instances(kernels, rng, n)
    Vs = [rng.standard_normal(w.shape) for w in Ws]
    errs = [_rel(kernels.objective(Ws, M, a, b), deep_matrix.objective(Ws, M, a, b))]
    errs += [_rel(g, r) for g, r in zip(kernels.gradient(Ws, M, a, b), deep_matrix.gradient(Ws, M, a, b))]
    hv = kernels.hvp(Ws, M, Vs, a, b)
    errs += [_rel(h, r) for h, r in zip(hv, deep_matrix.hvp(Ws, M, Vs, a, b))]
    H = kernels.hessian(Ws, M, a, b)
    errs.append(_rel(H, deep_matrix.hessian(Ws, M, a, b)))
    errs.append(_rel(np.swapaxes(H, 1, 2), H))
    v = np.concatenate([x.reshape(n, -1) for x in Vs], axis=1)
    errs.append(_rel(np.einsum("npq,nq->np", H, v), np.concatenate([x.reshape(n, -1) for x in hv], axis=1)))
    worst = max(errs)
    tol = tolerance(kernels)
    return bool(np.isfinite(worst) and worst <= tol), worst, tol
