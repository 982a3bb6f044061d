"""Symbolic derivatives of the deep matrix factorization objective, kept as matrix products.

    F(W_1..W_L) = (a/2)·||W_L⋯W_1 − M||_F² + (b/2)·Σ_l ||W_l||_F²,   W_l ∈ R^{d_l × d_{l−1}}

Derivatives are sums of products of whole matrices (never per entry, which does not scale with width),
derived by matrix calculus on words of factors (``verify.symbolic.matrix_terms``: linear in the number of
terms, depth 32 in well under a second); the earlier route, SymPy differentiating F(W + tV) in the scalar t
(``verify.symbolic.matrix_sympy``, about L^3.5), is kept as an independent cross-check at small sizes:

- ``derive(depth, widths)`` -> ``MatrixDerivation`` (cached) with
  ``objective`` (scalar SymPy expression of Traces), ``first`` = d/dt F(W+tV)|₀,
  ``second`` = d²/dt² F(W+tV)|₀ (the Hessian bilinear form V ↦ Vᵀ H V),
  ``gradient[l]`` (matrix expression, d_l × d_{l−1}, from tr(A V B) ↦ AᵀBᵀ, tr(A Vᵀ B) ↦ B A),
  ``hvp[l]`` = d/dt ∇_l F(W+tV)|₀ (matrix expression linear in V), and
  ``blocks[(l, k)]``: the Hessian block ∂²F/∂W_l∂W_k as a list of ``BlockTerm``
  (A, B, transposed) meaning  H[l,k][i,j,p,q] = A[i,p]·B[q,j]   (hvp_l ∋ A V_k B) or
  A[i,q]·B[p,j] (hvp_l ∋ A V_kᵀ B); A and B are linear combinations Σ c·(factor chain), an empty
  chain being the identity. ``gradient_terms`` / ``hvp_terms`` hold the same sums as data
  (coefficient, chain) for code generation; factor (i, transposed) indexes ``atoms``
  = (W_1..W_L, M, V_1..V_L).
  Layers are 0-based in code (layer l of the maths is index l−1).
- Cross-checks, each returning ``CrossCheck(ok, max_rel_err, tolerance, detail)``:
  ``check_against_entries`` (per-entry SymPy differentiation, exact rationals, small sizes) and
  ``check_against_finite_differences`` (mpmath central differences at high precision).
  Both take the candidate derivatives as arguments so a wrong derivative can be fed in and
  caught, e.g. ``sympy_direct_gradient`` — SymPy 1.14's own ``F.diff(W_l)``, which returns 0
  for a sum of traces.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from . import matrix_terms as words

Factor = tuple[int, bool]  # (atom index, transposed); atoms: W_1..W_L = 0..L-1, M = L, V_l = L+1+l
Chain = tuple[Factor, ...]
LinComb = tuple[tuple[sp.Expr, Chain], ...]


@dataclass(frozen=True)
class BlockTerm:
    """One term A ⊗ B of a Hessian block (see module docstring).

    ``left`` and ``right`` are linear combinations Σ c·chain of factor chains (the empty chain
    is the identity); ``transposed`` says whether the HVP term reads A V_k B or A V_kᵀ B.
    """

    left: LinComb
    right: LinComb
    transposed: bool


@dataclass(frozen=True)
class CrossCheck:
    """Outcome of comparing a candidate derivative with an independent route."""

    ok: bool
    max_rel_err: float
    tolerance: float
    detail: str = ""


@dataclass
class MatrixDerivation:
    """Symbols and structured derivatives of F for one (depth, widths); see module docstring.

    ``blocks``, ``gradient_terms`` and ``hvp_terms`` are the structure (built eagerly, cheap at any depth);
    the SymPy expressions ``objective``, ``first``, ``second``, ``gradient`` and ``hvp`` are built from it on
    first use (``first`` and ``second`` by SymPy differentiation, for the cross-checks at small sizes).
    """

    depth: int
    widths: tuple[int, ...]
    W: tuple[sp.MatrixSymbol, ...]
    V: tuple[sp.MatrixSymbol, ...]
    M: sp.MatrixSymbol
    a: sp.Symbol
    b: sp.Symbol
    blocks: dict[tuple[int, int], list[BlockTerm]]
    gradient_terms: tuple[LinComb, ...] = ()
    hvp_terms: tuple[LinComb, ...] = ()
    _objective: sp.Expr | None = field(default=None, repr=False)
    _first: sp.Expr | None = field(default=None, repr=False)
    _second: sp.Expr | None = field(default=None, repr=False)
    _gradient: tuple[sp.MatrixExpr, ...] | None = field(default=None, repr=False)
    _hvp: tuple[sp.MatrixExpr, ...] | None = field(default=None, repr=False)

    @property
    def objective(self) -> sp.Expr:
        """F as Σ c·Trace(products)."""
        if self._objective is None:
            self._objective = sum((c * sp.Trace(X) for c, X in _trace_parts(self.W, self.M, self.a, self.b)),
                                  sp.Integer(0))
        return self._objective

    @property
    def first(self) -> sp.Expr:
        """d/dt F(W + tV) at t = 0, by SymPy (computed on first use)."""
        if self._first is None:
            self._first = _directional(self, order=1)
        return self._first

    @property
    def second(self) -> sp.Expr:
        """d²/dt² F(W + tV) at t = 0 (computed on first use: a few seconds at depth 6)."""
        if self._second is None:
            self._second = _directional(self, order=2)
        return self._second

    @property
    def gradient(self) -> tuple[sp.MatrixExpr, ...]:
        """∇_l F as SymPy matrix expressions (d_l × d_{l−1}), built from ``gradient_terms``."""
        if self._gradient is None:
            self._gradient = tuple(_chain_to_expr(g, self.atoms) for g in self.gradient_terms)
        return self._gradient

    @property
    def hvp(self) -> tuple[sp.MatrixExpr, ...]:
        """d/dt ∇_l F(W + tV) at t = 0 as SymPy matrix expressions, built from ``hvp_terms``."""
        if self._hvp is None:
            self._hvp = tuple(_chain_to_expr(h, self.atoms) for h in self.hvp_terms)
        return self._hvp

    @property
    def atoms(self) -> tuple[sp.MatrixSymbol, ...]:
        """Atom table that factor indices refer to: W_1..W_L, M, V_1..V_L."""
        return (*self.W, self.M, *self.V)

    @property
    def n_params(self) -> int:
        """P = Σ d_l·d_{l−1}."""
        return sum(self.widths[l + 1] * self.widths[l] for l in range(self.depth))

    def chain_expr(self, chain: Chain) -> sp.MatrixExpr | None:
        """The SymPy matrix product of a factor chain (None for the empty chain = identity)."""
        if not chain:
            return None
        mats = [self.atoms[i].T if tr else self.atoms[i] for i, tr in chain]
        return mats[0] if len(mats) == 1 else sp.MatMul(*mats)


def check_widths(depth: object, widths: Sequence[object]) -> tuple[int, tuple[int, ...]]:
    """Validate depth L ≥ 1 and widths (d_0..d_L), all positive integers."""
    if isinstance(depth, bool) or not isinstance(depth, (int, np.integer)) or depth < 1:
        raise UsageError(f"depth must be a positive integer, got {depth!r}")
    depth = int(depth)
    try:
        ws = tuple(int(w) for w in widths)
        if any(isinstance(w, bool) or int(w) != w for w in widths):
            raise ValueError
    except (TypeError, ValueError):
        raise UsageError(f"widths must be positive integers, got {widths!r}") from None
    if len(ws) != depth + 1:
        raise UsageError(f"depth {depth} needs {depth + 1} widths (d_0..d_L), got {len(ws)}")
    if any(w < 1 for w in ws):
        raise UsageError(f"widths must be positive integers, got {ws}")
    return depth, ws


def _symbols(depth: int, widths: tuple[int, ...]):
    W = tuple(sp.MatrixSymbol(f"W{l + 1}", widths[l + 1], widths[l]) for l in range(depth))
    V = tuple(sp.MatrixSymbol(f"V{l + 1}", widths[l + 1], widths[l]) for l in range(depth))
    M = sp.MatrixSymbol("M", widths[-1], widths[0])
    a, b = sp.symbols("a b", positive=True)
    return W, V, M, a, b


def _product(mats: Sequence[sp.MatrixExpr]) -> sp.MatrixExpr:
    """W_L⋯W_1 for mats = (W_1..W_L)."""
    return mats[0] if len(mats) == 1 else sp.MatMul(*reversed(mats))


def _trace_parts(W, M, a, b) -> list[tuple[sp.Expr, sp.MatrixExpr]]:
    """F as Σ c·tr(X): (a/2)·tr(RᵀR) + (b/2)·Σ tr(W_lᵀW_l), R = W_L⋯W_1 − M."""
    R = _product(W) - M
    return [(a / 2, R.T * R)] + [(b / 2, w.T * w) for w in W]


def _at_zero(expr: sp.MatrixExpr, t: sp.Symbol) -> sp.MatrixExpr:
    return expr.subs(t, 0).doit()


def _shifted(pair: tuple, t: sp.Symbol) -> dict:
    W, V = pair
    return {w: w + t * v for w, v in zip(W, V)}


def _directional(der: MatrixDerivation, order: int) -> sp.Expr:
    """d^order/dt^order F(W + tV) at t = 0 as Σ c·Trace(products)."""
    t = sp.Symbol("t")
    shift = _shifted((der.W, der.V), t)
    total = sp.Integer(0)
    for c, X in _trace_parts(der.W, der.M, der.a, der.b):
        Xt = X.xreplace(shift).doit()
        for _ in range(order):
            Xt = Xt.diff(t)
        Xt = sp.expand(_at_zero(Xt, t))
        for term in (Xt.args if isinstance(Xt, sp.MatAdd) else (Xt,)):
            if not isinstance(term, sp.ZeroMatrix):
                total += c * sp.Trace(term)
    return total


def _chain_to_expr(terms, atoms) -> sp.MatrixExpr:
    out = []
    for c, chain in terms:
        mats = [atoms[i].T if tr else atoms[i] for i, tr in chain]
        out.append(c * (mats[0] if len(mats) == 1 else sp.MatMul(*mats)))
    return sp.MatAdd(*out).doit() if len(out) > 1 else out[0]


def _coef(c: tuple, a: sp.Symbol, b: sp.Symbol) -> sp.Expr:
    """q_1 + q_a·a + q_b·b as a SymPy expression (exact rationals)."""
    q1, qa, qb = (sp.Rational(x.numerator, x.denominator) for x in c)
    return q1 + qa * a + qb * b


@functools.lru_cache(maxsize=64)
def derive(depth: int, widths: tuple[int, ...]) -> MatrixDerivation:
    """Structured gradient, HVP and Hessian blocks for depth L and widths (d_0..d_L).

    By matrix calculus on words (``verify.symbolic.matrix_terms``): linear in the number of terms, about L²
    words of length ≤ 3L for the Hessian, so depth 32 takes well under a second. The SymPy route it replaced
    (``verify.symbolic.matrix_sympy.derive_sympy``) is kept as an independent cross-check for small sizes.
    """
    depth, widths = check_widths(depth, widths)
    W, V, M, a, b = _symbols(depth, widths)
    grad = words.gradient_words(depth)
    hvp = words.hvp_words(depth, grad)
    comb = lambda found: tuple((_coef(c, a, b), ch) for ch, c in found.items())  # noqa: E731
    blocks = {}
    for key, raw in sorted(words.block_terms(depth, hvp).items()):
        blocks[key] = [BlockTerm(tuple((_coef(c, a, b), ch) for c, ch in left),
                                 tuple((_coef(c, a, b), ch) for c, ch in right), tr)
                       for left, right, tr in words.merge_block(raw)]
    return MatrixDerivation(depth, widths, W, V, M, a, b, blocks,
                            tuple(comb(g) for g in grad), tuple(comb(h) for h in hvp))


def sympy_direct_gradient(der: MatrixDerivation) -> tuple[sp.MatrixExpr, ...]:
    """SymPy's own matrix calculus ``F.diff(W_l)``: wrong in SymPy 1.14 (a sum of traces gives 0).

    Kept as a known-bad candidate that the cross-checks must reject.
    """
    out = []
    for l, w in enumerate(der.W):
        g = der.objective.diff(w)
        out.append(sp.ZeroMatrix(*w.shape) if g == 0 else g)
    return tuple(out)


# --- exact and high-precision evaluation -----------------------------------------------------

def random_point(der: MatrixDerivation, rng: np.random.Generator, denom: int = 64,
                 with_directions: int = 2) -> dict[sp.MatrixSymbol, sp.ImmutableMatrix]:
    """Random exact rational values for W, M (and directions V, U) plus a, b."""

    def mat(shape):
        num = rng.integers(-2 * denom, 2 * denom + 1, size=shape)
        return sp.ImmutableMatrix(shape[0], shape[1], [sp.Rational(int(x), denom) for x in num.ravel()])

    vals: dict = {w: mat(w.shape) for w in der.W}
    vals[der.M] = mat(der.M.shape)
    for k in range(with_directions):
        for l, v in enumerate(der.V):
            key = v if k == 0 else sp.MatrixSymbol(f"U{l + 1}", *v.shape)
            vals[key] = mat(v.shape)
    vals[der.a] = sp.Rational(int(rng.integers(1, 8)), int(rng.integers(1, 8)))
    vals[der.b] = sp.Rational(int(rng.integers(1, 8)), int(rng.integers(1, 8)))
    return vals


def exact_value(expr, vals: dict):
    """Evaluate a structured (matrix or scalar) expression exactly at rational values."""
    out = expr.xreplace(vals).doit()
    if isinstance(out, sp.MatrixExpr) and not isinstance(out, sp.MatrixBase):
        out = out.as_explicit()
    if isinstance(out, sp.MatrixBase):
        return sp.ImmutableMatrix(out)
    return sp.Rational(out)


def _explicit(der: MatrixDerivation):
    """Entry symbols for each W_l and M, and F as an explicit polynomial of them."""
    Ws = [sp.Matrix(w.shape[0], w.shape[1], lambda i, j, l=l: sp.Symbol(f"w{l + 1}_{i}_{j}"))
          for l, w in enumerate(der.W)]
    Mm = sp.Matrix(*der.M.shape, lambda i, j: sp.Symbol(f"m_{i}_{j}"))
    P = Ws[0]
    for w in Ws[1:]:
        P = w * P
    R = P - Mm
    F = der.a / 2 * sum(x ** 2 for x in R) + der.b / 2 * sum(x ** 2 for w in Ws for x in w)
    return Ws, Mm, F


def _rel_err(x, y) -> float:
    x, y = mpmath.mpf(x), mpmath.mpf(y)
    scale = max(abs(x), abs(y))
    return 0.0 if scale == 0 else float(abs(x - y) / scale)


def check_against_entries(der: MatrixDerivation, rng: np.random.Generator,
                          gradient: Sequence[sp.MatrixExpr] | None = None,
                          blocks: dict | None = None, points: int = 2) -> CrossCheck:
    """Compare gradient and Hessian blocks with per-entry SymPy differentiation, exactly.

    Exact rationals on both sides, so the tolerance is 0. Small sizes only (P ≤ 40).
    """
    if der.n_params > 40:
        raise UsageError(f"per-entry check is for small sizes (P ≤ 40), got P = {der.n_params}")
    gradient = der.gradient if gradient is None else gradient
    blocks = der.blocks if blocks is None else blocks
    Ws, Mm, F = _explicit(der)
    flat = [x for w in Ws for x in w]
    g_entries = [sp.diff(F, x) for x in flat]
    H_entries = sp.hessian(F, flat)
    worst, bad = 0.0, []
    for _ in range(points):
        vals = random_point(der, rng, with_directions=0)
        sub = {der.a: vals[der.a], der.b: vals[der.b]}
        for w_sym, w_ent in zip(der.W, Ws):
            sub.update({w_ent[i, j]: vals[w_sym][i, j] for i in range(w_ent.rows) for j in range(w_ent.cols)})
        sub.update({Mm[i, j]: vals[der.M][i, j] for i in range(Mm.rows) for j in range(Mm.cols)})
        g_ref = [g.xreplace(sub) for g in g_entries]
        H_ref = H_entries.xreplace(sub)
        g_cand = [x for g in gradient for x in exact_value(g, vals)]
        H_cand = blocks_to_dense_exact(der, blocks, vals)
        for u, v in zip(g_ref, g_cand):
            worst = max(worst, _rel_err(u, v))
        for u, v in zip(H_ref, H_cand):
            worst = max(worst, _rel_err(u, v))
    ok = worst == 0.0
    if not ok:
        bad.append("gradient or Hessian differs from per-entry differentiation")
    return CrossCheck(ok, worst, 0.0, "; ".join(bad) or "exact agreement")


def blocks_to_dense_exact(der: MatrixDerivation, blocks: dict, vals: dict) -> sp.Matrix:
    """Assemble the dense P×P Hessian from block terms at exact values (row-major per layer)."""
    dims = [(der.widths[l + 1], der.widths[l]) for l in range(der.depth)]
    offs = np.cumsum([0] + [r * c for r, c in dims])
    H = sp.zeros(int(offs[-1]), int(offs[-1]))

    def chain_val(chain, n):
        out = sp.eye(n)
        for i, tr in chain:
            m = vals[der.atoms[i]]
            out = out * (m.T if tr else m)
        return out

    def comb_val(comb, n):
        return _sum_mats([sp.sympify(c).xreplace(vals) * chain_val(ch, n) for c, ch in comb])

    for (l, k), terms in blocks.items():
        (r1, c1), (r2, c2) = dims[l], dims[k]
        for term in terms:
            A = comb_val(term.left, r1)
            B = comb_val(term.right, r2 if term.transposed else c2)
            for i in range(r1):
                for j in range(c1):
                    for p in range(r2):
                        for q in range(c2):
                            v = A[i, q] * B[p, j] if term.transposed else A[i, p] * B[q, j]
                            H[offs[l] + i * c1 + j, offs[k] + p * c2 + q] += v
    return H


def _sum_mats(mats):
    out = mats[0]
    for m in mats[1:]:
        out = out + m
    return out


def _mp_objective(der: MatrixDerivation, vals: dict, shifts: Sequence[tuple]) -> mpmath.mpf:
    """F evaluated directly in mpmath at W + Σ h·D (an independent route: the definition)."""
    Ws = []
    for l, w in enumerate(der.W):
        m = mpmath.matrix(vals[w].tolist())
        for h, dirs in shifts:
            m = m + h * mpmath.matrix(dirs[l].tolist())
        Ws.append(m)
    P = Ws[0]
    for w in Ws[1:]:
        P = w * P
    R = P - mpmath.matrix(vals[der.M].tolist())
    a, b = mpmath.mpf(sp.Rational(vals[der.a]).p) / sp.Rational(vals[der.a]).q, \
        mpmath.mpf(sp.Rational(vals[der.b]).p) / sp.Rational(vals[der.b]).q
    sq = lambda m: mpmath.fsum(x ** 2 for x in m)  # noqa: E731
    return a / 2 * sq(R) + b / 2 * mpmath.fsum(sq(w) for w in Ws)


def _to_mpf(x: sp.Expr) -> mpmath.mpf:
    x = sp.Rational(x)
    return mpmath.mpf(x.p) / x.q


def check_against_finite_differences(der: MatrixDerivation, rng: np.random.Generator,
                                     gradient: Sequence[sp.MatrixExpr] | None = None,
                                     hvp: Sequence[sp.MatrixExpr] | None = None,
                                     dps: int = 50, points: int = 2,
                                     use_second: bool = True) -> CrossCheck:
    """Compare ⟨∇F, V⟩, ⟨U, H V⟩ (and d²F[V,V]) with mpmath central differences.

    Working precision 2·dps, step h = 10^(−dps/2): truncation C·h² = C·10^(−dps) (C: ratio of
    higher derivatives of the polynomial F, ≲ 10^6 at test sizes) and rounding 10^(−2·dps)/h² =
    10^(−dps); the tolerance 10^(−dps/2) leaves ≥ dps/2 − 6 digits of slack and still rejects any
    error above 10^(−dps/2) relative (a dropped term is O(1)).
    """
    gradient = der.gradient if gradient is None else gradient
    hvp = der.hvp if hvp is None else hvp
    tol = 10.0 ** (-dps / 2)
    worst = 0.0
    with mpmath.workdps(2 * dps):
        h = mpmath.mpf(10) ** (-(dps // 2))
        for _ in range(points):
            vals = random_point(der, rng)
            Vd = [vals[v] for v in der.V]
            Ud = [vals[sp.MatrixSymbol(f"U{l + 1}", *v.shape)] for l, v in enumerate(der.V)]
            f = lambda *s: _mp_objective(der, vals, s)  # noqa: E731
            fd1 = (f((h, Vd)) - f((-h, Vd))) / (2 * h)
            g_pair = sum(sum(exact_value(g, vals).multiply_elementwise(v)) for g, v in zip(gradient, Vd))
            worst = max(worst, _rel_err(fd1, _to_mpf(g_pair)))
            fd_mixed = (f((h, Ud), (h, Vd)) - f((h, Ud), (-h, Vd)) - f((-h, Ud), (h, Vd))
                        + f((-h, Ud), (-h, Vd))) / (4 * h * h)
            h_pair = sum(sum(exact_value(hv, vals).multiply_elementwise(u)) for hv, u in zip(hvp, Ud))
            worst = max(worst, _rel_err(fd_mixed, _to_mpf(h_pair)))
            if use_second:
                fd2 = (f((h, Vd)) - 2 * f() + f((-h, Vd))) / (h * h)
                worst = max(worst, _rel_err(fd2, _to_mpf(exact_value(der.second, vals))))
    return CrossCheck(worst <= tol, worst, tol,
                      f"max relative error {worst:.3g} vs central differences at {dps} digits")
