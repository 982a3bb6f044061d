"""The symbolic Hessian blocks compiled to a small matrix program (int tables, no numba needed).

A ``Program`` evaluates every block factor A, B of verify.symbolic.matrix ``blocks`` from the
layers with shared prefix products, as rows of int64 op tables over a workspace of matrix slots
(slot l = W_{l+1} for l < L, slot L = M). A compiled interpreter
(verify.kernels.numba_program) runs it per instance and writes the dense Hessian.

Ops (``ops`` rows, 9 ints):
    (0, dst, x, tx, y, ty, r, k, c)   S[dst] = op(S[x]) @ op(S[y])   (op = transpose if flag; r×k @ k×c)
    (1, dst, src, ts, ci, r, c, acc, 0)  S[dst] (+)= C[ci]·op(S[src])   (src = −1: the identity)
Block entries (``entries`` rows, 4 ints), for block rows (ro, co, r1, c1, r2, c2, e0, e1):
    (0, sA, sBt, 0)  H[i,j,p,q] += S[sA][i,p]·S[sBt][j,q]     (hvp term A V B, with Bt = Bᵀ)
    (1, sA, sB, 0)   H[i,j,p,q] += S[sA][i,q]·S[sB][p,j]      (hvp term A Vᵀ B)
    (2, ci, 0, 0)    H[i,j,i,j] += C[ci]
C (N, n_coef) holds the scalar coefficients (polynomials in a, b), evaluated by ``coefficients``.
``groups`` (from ``row_groups``) marks where each row block's run of blocks starts, so that writers
can produce H row by row; None when the blocks do not tile H (then H must be zeroed first).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..symbolic.matrix import Chain, LinComb, MatrixDerivation

Operand = tuple[int, bool]  # (slot, transposed)


@dataclass
class Program:
    depth: int
    widths: tuple[int, ...]
    dmax: int
    n_slots: int
    ops: np.ndarray
    blocks: np.ndarray
    entries: np.ndarray
    coeff_exprs: list[sp.Expr]
    a: sp.Symbol
    b: sp.Symbol
    groups: np.ndarray | None = None
    # per-program memos, never copied by dataclasses.replace (a tampered copy must not run the original's code)
    _fn: object = field(default=None, init=False, compare=False, repr=False)
    _generated: dict = field(default_factory=dict, init=False, compare=False, repr=False)  # style -> kernel
    _generatable_memo: bool | None = field(default=None, init=False, compare=False, repr=False)

    def coefficients(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """C (N, n_coef): every coefficient at the instances' a, b."""
        if self._fn is None:
            self._fn = sp.lambdify([self.a, self.b], self.coeff_exprs, modules="numpy")
        vals = self._fn(a, b)
        return np.ascontiguousarray(np.stack([np.broadcast_to(np.asarray(v, dtype=float), a.shape)
                                              for v in vals], axis=1))


class _Builder:
    def __init__(self, der: MatrixDerivation):
        self.der = der
        L = der.depth
        self.shapes = [(int(w.shape[0]), int(w.shape[1])) for w in der.W] + \
                      [(int(der.M.shape[0]), int(der.M.shape[1]))]
        self.n_slots = L + 1
        self.ops: list[tuple[int, ...]] = []
        self.chains: dict[Chain, Operand] = {}
        self.coeffs: list[sp.Expr] = []
        self.coeff_index: dict[sp.Expr, int] = {}
        self.mat_cache: dict[tuple, int] = {}

    def coef(self, c) -> int:
        c = sp.sympify(c)
        if c not in self.coeff_index:
            self.coeff_index[c] = len(self.coeffs)
            self.coeffs.append(c)
        return self.coeff_index[c]

    def shape(self, op: Operand) -> tuple[int, int]:
        r, c = self.shapes[op[0]]
        return (c, r) if op[1] else (r, c)

    def new_slot(self, shape: tuple[int, int]) -> int:
        self.shapes.append(shape)
        self.n_slots += 1
        return self.n_slots - 1

    def chain(self, chain: Chain) -> Operand:
        if chain in self.chains:
            return self.chains[chain]
        if len(chain) == 1:
            i, tr = chain[0]
            if i > self.der.depth:
                raise ValueError("direction symbols cannot appear in Hessian factors")
            return (i, tr)
        x, y = self.chain(chain[:-1]), self.chain(chain[-1:])
        (r, k), (_, c) = self.shape(x), self.shape(y)
        dst = self.new_slot((r, c))
        self.ops.append((0, dst, x[0], int(x[1]), y[0], int(y[1]), r, k, c))
        self.chains[chain] = (dst, False)
        return self.chains[chain]

    def comb(self, comb: LinComb, n: int) -> Operand | tuple[str, int]:
        """Operand holding Σ c·chain, or ('eye', coefficient index) for a multiple of I."""
        if len(comb) == 1 and comb[0][1] == ():
            return ("eye", self.coef(comb[0][0]))
        if len(comb) == 1 and sp.sympify(comb[0][0]) == 1:
            return self.chain(comb[0][1])
        key = ("comb", comb, n)
        if key in self.mat_cache:
            return (self.mat_cache[key], False)
        dst = self.new_slot((n, n) if comb[0][1] == () else self.shape(self.chain(comb[0][1])))
        r, c = self.shapes[dst]
        for t, (coef, ch) in enumerate(comb):
            src, ts = (-1, 0) if ch == () else self.chain(ch)
            self.ops.append((1, dst, src, int(ts), self.coef(coef), r, c, int(t > 0), 0))
        self.mat_cache[key] = dst
        return (dst, False)

    def slot(self, value, n: int, transposed: bool) -> int:
        """A slot holding value (or its transpose when ``transposed``), copying only if needed."""
        if isinstance(value, tuple) and value[0] == "eye":
            key = ("eye", value[1], n)
            if key not in self.mat_cache:
                dst = self.new_slot((n, n))
                self.ops.append((1, dst, -1, 0, value[1], n, n, 0, 0))
                self.mat_cache[key] = dst
            return self.mat_cache[key]
        s, t = value
        if bool(t) == transposed:
            return s
        key = ("T", s)
        if key not in self.mat_cache:
            r, c = self.shapes[s]
            dst = self.new_slot((c, r))
            self.ops.append((1, dst, s, 1, self.coef(1), c, r, 0, 0))
            self.mat_cache[key] = dst
        return self.mat_cache[key]


def row_groups(blocks: np.ndarray) -> np.ndarray | None:
    """Start indices of each row block's run of blocks (plus the end), or None when the blocks do
    not tile H row-major (every (l, k) present, sorted by row then column offset)."""
    if blocks.shape[0] == 0:
        return None
    starts = [0] + [i for i in range(1, blocks.shape[0]) if blocks[i, 0] != blocks[i - 1, 0]]
    starts.append(blocks.shape[0])
    P = int(blocks[-1, 1] + blocks[-1, 4] * blocks[-1, 5])
    row = 0
    for g in range(len(starts) - 1):
        run = blocks[starts[g]:starts[g + 1]]
        if int(run[0, 0]) != row:
            return None
        col = 0
        for r in run:
            if int(r[1]) != col:
                return None
            col += int(r[4] * r[5])
        if col != P:
            return None
        row += int(run[0, 2] * run[0, 3])
    return np.array(starts, dtype=np.int64) if row == P else None


def build_program(der: MatrixDerivation) -> Program:
    """Compile the Hessian blocks of a derivation into op tables (see module docstring)."""
    bld = _Builder(der)
    dims = [(der.widths[l + 1], der.widths[l]) for l in range(der.depth)]
    offs = np.cumsum([0] + [r * c for r, c in dims])
    blocks, entries = [], []
    for (l, k), terms in sorted(der.blocks.items()):
        (r1, c1), (r2, c2) = dims[l], dims[k]
        e0 = len(entries)
        for t in terms:
            n_right = r2 if t.transposed else c2
            A, B = bld.comb(t.left, r1), bld.comb(t.right, n_right)
            if isinstance(A, tuple) and A[0] == "eye" and isinstance(B, tuple) and B[0] == "eye":
                entries.append((2, bld.coef(bld.coeffs[A[1]] * bld.coeffs[B[1]]), 0, 0))
                continue
            sa = bld.slot(A, r1, False)
            if t.transposed:
                entries.append((1, sa, bld.slot(B, n_right, False), 0))
            else:
                entries.append((0, sa, bld.slot(B, n_right, True), 0))
        blocks.append((offs[l], offs[k], r1, c1, r2, c2, e0, len(entries)))
    dmax = max(max(s) for s in bld.shapes)
    block_table = np.array(blocks, dtype=np.int64).reshape(-1, 8)
    return Program(der.depth, der.widths, int(dmax), bld.n_slots,
                   np.array(bld.ops, dtype=np.int64).reshape(-1, 9), block_table,
                   np.array(entries, dtype=np.int64).reshape(-1, 4),
                   bld.coeffs, der.a, der.b, row_groups(block_table))
