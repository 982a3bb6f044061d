"""Straight-line numba kernels generated from a Program, for small P (imported only when numba is present).

At P ≤ 16 the interpreter (``numba_program``) spends most of each instance decoding its op and entry
tables: at L = 2, d = 2 a Hessian is 64 entries of one or two products each. Here the same program is
emitted as scalar code, one statement per workspace entry and per Hessian entry, written row by row in
the interpreter's order of operations (so both give the same Hessian bit for bit; the first term stores,
later terms add left to right, diagonal constants last). Compile time grows with the code (measured
about 1 s at P = 8 and 7 s at P = 16), hence ``UNROLL_MAX_PARAMS``. Where the derivation cache is on
(``verify.cache``), the source is written once into its directory so numba's on-disk cache serves later
processes, and only there does ``numba_program``'s 'auto' pick this path; a forced 'unrolled' elsewhere is
compiled in memory.
"""
from __future__ import annotations

import functools
import importlib.util
import sys
from typing import Callable

import numpy as np
import sympy as sp

from .program import Program

#: The unrolled kernel is generated for P ≤ UNROLL_MAX_PARAMS (compile time: see the module docstring).
UNROLL_MAX_PARAMS = 16


def supported(prog: Program) -> bool:
    """Whether ``prog`` gets an unrolled kernel: blocks that tile H row-major, P ≤ UNROLL_MAX_PARAMS, and
    coefficients that are polynomials in a, b (evaluated per instance inside the kernel)."""
    if prog._unrolled_supported is None:  # decided once per program (SymPy tests cost more than a small batch)
        prog._unrolled_supported = (
            prog.groups is not None and _n_params(prog) <= UNROLL_MAX_PARAMS
            and all(sp.sympify(c).is_polynomial(prog.a, prog.b) and sp.sympify(c).free_symbols <= {prog.a, prog.b}
                    for c in prog.coeff_exprs))
    return prog._unrolled_supported


def _n_params(prog: Program) -> int:
    last = prog.blocks[-1]
    return int(last[1] + last[4] * last[5])


def source(prog: Program) -> str:
    """Python source of ``kern(X_0..X_L, A, B, out, sink)``: X_l (N, d_(l+1), d_l) the layers, X_L = M, A and B (N,)
    the instances' a and b, out (N, P, P) (with ``sink``, every instance is written over out[0])."""
    L, w = prog.depth, prog.widths
    shapes = [(w[l + 1], w[l]) for l in range(L)] + [(w[-1], w[0])]
    lines: list[str] = []
    value: dict[tuple[int, int, int], str] = {}
    for s, (r, c) in enumerate(shapes):
        for i in range(r):
            for j in range(c):
                value[s, i, j] = f"x{s}_{i}_{j}"
                lines.append(f"x{s}_{i}_{j} = X{s}[n, {i}, {j}]")
    at_n = {prog.a: sp.Symbol("a_n"), prog.b: sp.Symbol("b_n")}
    lines += ["a_n = A[n]", "b_n = B[n]"] + [f"c{k} = float({sp.pycode(sp.sympify(c).subs(at_n))})"
                                            for k, c in enumerate(prog.coeff_exprs)]
    for op in prog.ops.tolist():
        kind, dst = op[0], op[1]
        if kind == 0:  # S[dst] = op(S[x]) @ op(S[y]), r×k @ k×c
            x, tx, y, ty, r, k, c = op[2:9]
            for i in range(r):
                for j in range(c):
                    terms = [f"{value[(x, p, i) if tx else (x, i, p)]} * {value[(y, j, p) if ty else (y, p, j)]}"
                             for p in range(k)]
                    value[dst, i, j] = f"s{dst}_{i}_{j}"
                    # from 0.0 as the interpreter's accumulator (0.0 + −0.0 is +0.0: the same bits)
                    lines.append(f"s{dst}_{i}_{j} = 0.0 + " + " + ".join(terms))
        else:  # S[dst] (+)= C[ci]·op(S[src]); src < 0: the identity
            src, ts, ci, r, c, acc = op[2:8]
            for i in range(r):
                for j in range(c):
                    if src < 0:
                        term = f"c{ci}" if i == j else "0.0"
                    else:
                        term = f"c{ci} * {value[(src, j, i) if ts else (src, i, j)]}"
                    rhs = f"{value[dst, i, j]} + {term}" if acc else term
                    value[dst, i, j] = f"s{dst}_{i}_{j}"
                    lines.append(f"s{dst}_{i}_{j} = {rhs}")
    blocks, entries, groups = prog.blocks.tolist(), prog.entries.tolist(), prog.groups.tolist()
    for g in range(len(groups) - 1):
        b0, b1 = groups[g], groups[g + 1]
        ro, _, r1, c1 = blocks[b0][:4]
        for i in range(r1):
            for j in range(c1):
                row = ro + i * c1 + j
                for co, r2, c2, e0, e1 in (blocks[bi][1:2] + blocks[bi][4:8] for bi in range(b0, b1)):
                    for p in range(r2):
                        for q in range(c2):
                            terms = [f"{value[sa, i, p]} * {value[sb, j, q]}" if kind == 0 else
                                     f"{value[sa, i, q]} * {value[sb, p, j]}"
                                     for kind, sa, sb, _ in entries[e0:e1] if kind != 2]
                            rhs = " + ".join(terms) if terms else "0.0"
                            if p == i and q == j:
                                rhs += "".join(f" + c{ci}" for kind, ci, _, _ in entries[e0:e1] if kind == 2)
                            lines.append(f"o[{row}, {co + p * c2 + q}] = {rhs}")
    args = ", ".join(f"X{s}" for s in range(L + 1))
    body = "\n        ".join(lines)
    return (f"import numba\n\n\n@numba.njit(cache=__CACHE__, fastmath=False)\ndef kern({args}, A, B, out, sink):\n"
            f"    for n in range(A.shape[0]):\n        o = out[0] if sink else out[n]\n        {body}\n")


def disk_cached() -> bool:
    """Whether a generated kernel is kept on disk (the derivation cache is on): only then does 'auto' pick the
    unrolled path, whose compile (seconds at P = 16) would otherwise be paid again by every process."""
    from .. import cache

    return cache.enabled()


def _in_memory(text: str) -> Callable:
    namespace: dict = {}
    exec(compile(text.replace("__CACHE__", "False"), "<verify unrolled kernel>", "exec"), namespace)
    return namespace["kern"]


@functools.lru_cache(maxsize=32)
def _compile(text: str) -> Callable:
    """The compiled kernel: from a module in the cache directory (numba's disk cache beside it), or compiled in
    memory when there is none or it cannot be loaded (e.g. numba can write no cache there)."""
    from .. import cache

    path = cache.source_file("unrolled", text.replace("__CACHE__", "True"))
    if path is None:
        return _in_memory(text)
    name = f"verify_{path.stem}"
    try:
        spec = importlib.util.spec_from_file_location(name, str(path))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # numba's cache finds the module by name when it loads the compiled code
        spec.loader.exec_module(module)
        return module.kern
    except Exception:  # noqa: BLE001 - a cache that cannot serve is a miss: compile here instead
        sys.modules.pop(name, None)
        return _in_memory(text)


def hessian(prog: Program, Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray,
            sink: bool = False) -> None:
    """Dense Hessians of the batch into out (N, P, P) by the unrolled kernel (``supported(prog)`` must hold). The
    kernel indexes without bounds checks, so the shapes are checked here."""
    N, P, w = len(a), _n_params(prog), prog.widths
    shapes = [(N, w[l + 1], w[l]) for l in range(prog.depth)] + [(N, w[-1], w[0])]
    if [x.shape for x in (*Ws, M)] != shapes or np.shape(b) != (N,) or out.shape[1:] != (P, P) \
            or len(out) < (1 if sink else N) or out.dtype != np.float64:
        raise ValueError(f"unrolled kernel: layers and M of shapes {shapes}, a and b of length {N}, out (N, {P}, {P}) "
                         "float64 expected")
    if prog._unrolled is None:
        prog._unrolled = _compile(source(prog))
    prog._unrolled(*(np.ascontiguousarray(x, dtype=np.float64) for x in (*Ws, M, a, b)), out, sink)
