"""Python source generated from the symbolic matrix derivatives (verify.symbolic.matrix).

The derivation gives every derivative as Σ c·(product of W_l, M, V_l and transposes). This module
turns those sums into straight-line code with shared products: each prefix F1⋯Fj of a factor
chain is computed once (SymPy's cse does not share sub-products of flat MatMul arguments), as
batched numpy (arrays (N, rows, cols), ``np.matmul`` / ``np.swapaxes(x, -1, -2)``).

Used by the "numpy" backend. A per-instance numba dialect of this generator, with the block
loops inlined, was measured and dropped: its JIT time grew from 4 s (L=1) to 420 s (L=4). The
numba backend compiles the same block terms to data instead (verify.kernels.program), run by one
generic compiled interpreter (verify.kernels.numba_program).
"""
from __future__ import annotations

import sympy as sp

from ..symbolic.matrix import Chain, LinComb, MatrixDerivation


def _coeff(c: sp.Expr) -> str:
    return f"({sp.pycode(sp.sympify(c))})"


class Emitter:
    """Straight-line batched numpy code with memoized chain prefixes."""

    def __init__(self, der: MatrixDerivation, indent: str = "    "):
        self.der, self.indent = der, indent
        self.lines: list[str] = []
        self.memo: dict[Chain, str] = {}
        self.count = 0
        L = der.depth
        self.names = [f"W{l + 1}" for l in range(L)] + ["M"] + [f"V{l + 1}" for l in range(L)]
        shapes = [w.shape for w in der.W] + [der.M.shape] + [v.shape for v in der.V]
        self.shapes = [(int(r), int(c)) for r, c in shapes]

    def _new(self, expr: str) -> str:
        name = f"x{self.count}"
        self.count += 1
        self.lines.append(f"{self.indent}{name} = {expr}")
        return name

    def atom(self, i: int, tr: bool) -> str:
        key = ((i, tr),)
        if key not in self.memo:
            name = self.names[i]
            if not tr:
                self.memo[key] = name
            else:
                self.memo[key] = self._new(f"np.swapaxes({name}, -1, -2)")
        return self.memo[key]

    def chain(self, chain: Chain) -> str:
        """Variable holding the product of a non-empty chain."""
        if chain in self.memo:
            return self.memo[chain]
        if len(chain) == 1:
            return self.atom(*chain[0])
        head = self.chain(chain[:-1])
        last = self.atom(*chain[-1])
        self.memo[chain] = self._new(f"np.matmul({head}, {last})")
        return self.memo[chain]

    def rows(self, chain: Chain) -> int:
        i, tr = chain[0]
        return self.shapes[i][1 if tr else 0]

    def comb(self, comb: LinComb, n: int) -> str | tuple[str, str]:
        """Variable holding Σ c·chain; ('eye', coeff) when the sum is a multiple of I_n."""
        if len(comb) == 1 and comb[0][1] == ():
            return ("eye", _coeff(comb[0][0]))
        parts = []
        for c, ch in comb:
            mat = f"np.eye({n})" if ch == () else self.chain(ch)
            parts.append(mat if sp.sympify(c) == 1 else f"{_coeff(c)} * {mat}")
        return self._new(" + ".join(parts))

    def materialize(self, value: str | tuple[str, str], n: int) -> str:
        if isinstance(value, tuple):
            return self._new(f"{value[1]} * np.eye({n})")
        return value


def _dims(der: MatrixDerivation) -> list[tuple[int, int]]:
    return [(der.widths[l + 1], der.widths[l]) for l in range(der.depth)]


def _offsets(der: MatrixDerivation) -> list[int]:
    offs = [0]
    for r, c in _dims(der):
        offs.append(offs[-1] + r * c)
    return offs


def numpy_first_order_source(der: MatrixDerivation) -> str:
    """``objective(W1.., M, a, b)``, ``gradient(...)``, ``hvp(W1.., M, V1.., a, b)`` (batched)."""
    L = der.depth
    ws = ", ".join(f"W{l + 1}" for l in range(L))
    vs = ", ".join(f"V{l + 1}" for l in range(L))
    src = [f"def objective({ws}, M, a, b):"]
    em = Emitter(der)
    prod = em.chain(tuple((l, False) for l in reversed(range(L))))
    src += em.lines
    reg = " + ".join(f"np.sum(W{l + 1} ** 2, axis=(-2, -1))" for l in range(L))
    src.append(f"    return 0.5 * a[:, 0, 0] * np.sum(({prod} - M) ** 2, axis=(-2, -1))"
               f" + 0.5 * b[:, 0, 0] * ({reg})")
    for name, terms, args in (("gradient", der.gradient_terms, f"{ws}, M, a, b"),
                              ("hvp", der.hvp_terms, f"{ws}, M, {vs}, a, b")):
        em = Emitter(der)
        outs = [em.comb(t, _dims(der)[l][0]) for l, t in enumerate(terms)]
        outs = [em.materialize(o, _dims(der)[l][0]) for l, o in enumerate(outs)]
        src.append(f"def {name}({args}):")
        src += em.lines
        src.append(f"    return ({', '.join(outs)},)")
    return "\n".join(src) + "\n"


def block_plan(der: MatrixDerivation) -> list[tuple[int, int, list]]:
    """[(l, k, terms)] in a fixed order, one entry per nonzero Hessian block."""
    return [(l, k, terms) for (l, k), terms in sorted(der.blocks.items())]


def numpy_hessian_factor_source(der: MatrixDerivation) -> tuple[str, list]:
    """``factors(W1.., M, a, b)`` returning the A, B arrays of every block term, plus the plan.

    The plan lists (l, k, [(A_index, B_index, transposed) or ('diag', c_index, None)]); a 'diag'
    entry adds c (shape (N, 1, 1)) to the diagonal of the block.
    """
    L = der.depth
    dims = _dims(der)
    em = Emitter(der)
    plan, outs = [], []

    def out(var: str) -> int:
        outs.append(var)
        return len(outs) - 1

    for l, k, terms in block_plan(der):
        entries = []
        for t in terms:
            n_left = dims[l][0]
            n_right = dims[k][0] if t.transposed else dims[k][1]
            A, B = em.comb(t.left, n_left), em.comb(t.right, n_right)
            if isinstance(A, tuple) and isinstance(B, tuple):
                entries.append(("diag", out(em._new(f"{A[1]} * {B[1]} * np.ones_like(a)")), None))
                continue
            A, B = em.materialize(A, n_left), em.materialize(B, n_right)
            entries.append((out(A), out(B), t.transposed))
        plan.append((l, k, entries))
    ws = ", ".join(f"W{l + 1}" for l in range(L))
    src = [f"def factors({ws}, M, a, b):"] + em.lines + [f"    return [{', '.join(outs)}]"]
    return "\n".join(src) + "\n", plan
