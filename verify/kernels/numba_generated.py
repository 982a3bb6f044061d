"""numba kernels generated from a Program, one per size (imported only when numba is present).

The interpreter (``numba_program``) decodes its op and entry tables at run time, with loop bounds it
reads from them. Two styles of generated code spare it, in the interpreter's order of operations (so
all give the same Hessian bit for bit; products accumulate from 0.0, the first term of an entry
stores, later terms add left to right, diagonal constants last):

- 'unrolled' (P ≤ ``UNROLL_MAX_PARAMS``): straight-line scalar code, one statement per workspace entry
  and per Hessian entry. At L = 2, d = 2 a Hessian is 64 entries of one or two products each, and the
  interpreter spends most of an instance decoding. Compile time grows with P² (measured about 1 s at
  P = 8 and 7 s at P = 16).
- 'looped' (at most ``LOOP_MAX_OPS`` workspace ops): one loop nest per workspace op and per block of H,
  with the widths as constant bounds, so that LLVM unrolls and vectorizes the short runs (widths ≤ 5) that
  the interpreter runs with loop overhead. Compile time grows with the number of ops, not with the
  widths (measured cold: 1.3–3.5 s at L = 2 with 14 ops, 6–9 s at L = 3 with 43, 19–22 s at L = 4 with
  86), hence the cap on ops; its gain shrinks with the width (1.1× at d = 8), hence the cap on widths.

NaN results aside (their sign and payload bits may differ between paths, as they do between the
interpreter's own paths), "bit for bit" includes the sign of zero. Where the derivation cache is on
(``verify.cache``), the source is written once into its directory so numba's on-disk cache serves later
processes; ``numba_program``'s 'auto' picks these paths there, or where this process has compiled the
program's kernel already. A forced one elsewhere is compiled in memory.
"""
from __future__ import annotations

import functools
import importlib.util
import sys
from typing import Callable

import numpy as np
import sympy as sp

from .program import Program

#: The unrolled kernel is generated for P ≤ UNROLL_MAX_PARAMS, the looped one for programs of at most
#: LOOP_MAX_OPS workspace ops (L ≤ 3 for the squared loss; compile times: see the module docstring) and
#: widths ≤ LOOP_MAX_WIDTH: single-thread at N = 1000 it measured 1.4–4.8× the interpreter at d = 3–5, but
#: only 1.1× at d = 8, not worth its 2–12 s compile there.
UNROLL_MAX_PARAMS = 16
LOOP_MAX_OPS = 48
LOOP_MAX_WIDTH = 5
STYLES = ("unrolled", "looped")


def _generatable(prog: Program) -> bool:
    """Blocks that tile H row-major, tables whose every shape agrees with the widths (the generated code has
    no bounds checks and takes its bounds from the tables), and coefficients that are polynomials in a, b
    (evaluated per instance inside the kernel)."""
    if prog._generatable_memo is None:  # decided once per program (SymPy tests cost more than a small batch)
        prog._generatable_memo = (
            prog.groups is not None and _slot_shapes(prog) is not None
            and all(sp.sympify(c).is_polynomial(prog.a, prog.b) and sp.sympify(c).free_symbols <= {prog.a, prog.b}
                    for c in prog.coeff_exprs))
    return prog._generatable_memo


def supported(prog: Program, style: str = "unrolled") -> bool:
    """Whether ``prog`` gets a kernel of ``style``: 'unrolled' at P ≤ UNROLL_MAX_PARAMS, 'looped' with at most
    LOOP_MAX_OPS workspace ops and widths ≤ LOOP_MAX_WIDTH."""
    if style == "unrolled":
        return _n_params(prog) <= UNROLL_MAX_PARAMS and _generatable(prog)
    if style == "looped":
        return len(prog.ops) <= LOOP_MAX_OPS and max(prog.widths) <= LOOP_MAX_WIDTH and _generatable(prog)
    raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")


def requirements(style: str) -> str:
    """What a program needs for ``style`` (the message of a refused forced path)."""
    size = (f"P ≤ {UNROLL_MAX_PARAMS}" if style == "unrolled" else
            f"at most {LOOP_MAX_OPS} workspace ops and widths ≤ {LOOP_MAX_WIDTH}")
    return (f"the {style} path needs blocks that tile H, op and entry tables consistent with the widths, "
            f"coefficients polynomial in a and b, and {size}")


def _slot_shapes(prog: Program) -> dict[int, tuple[int, int]] | None:
    """The shape of every workspace slot, from the widths and the ops; None when an op, block or entry
    disagrees with them (a tampered program: the interpreter's padded workspace tolerates it, generated code
    would read out of bounds)."""
    w = prog.widths
    if len(w) != prog.depth + 1 or prog.n_slots < prog.depth + 1:
        return None
    shape = dict(enumerate(_input_shapes(prog)))

    def of(slot: int, transposed: int) -> tuple[int, int] | None:
        r_c = shape.get(slot)
        return None if r_c is None else (r_c[::-1] if transposed else r_c)

    for kind, dst, *args in prog.ops.tolist():
        if not prog.depth < dst < prog.n_slots:
            return None
        if kind == 0:
            x, tx, y, ty, r, k, c = args
            if of(x, tx) != (r, k) or of(y, ty) != (k, c) or shape.get(dst, (r, c)) != (r, c):
                return None
        elif kind == 1:
            src, ts, ci, r, c, acc = args[:6]
            if (r != c if src < 0 else of(src, ts) != (r, c)) or not 0 <= ci < len(prog.coeff_exprs) \
                    or (dst not in shape if acc else shape.get(dst, (r, c)) != (r, c)):
                return None
        else:
            return None
        shape[dst] = (r, c)
    dims = _input_shapes(prog)[:-1]
    offset = dict(zip((int(x) for x in np.cumsum([0] + [r * c for r, c in dims])), dims))
    if _n_params(prog) != sum(r * c for r, c in dims):
        return None
    for ro, co, r1, c1, r2, c2, e0, e1 in prog.blocks.tolist():
        if offset.get(ro) != (r1, c1) or offset.get(co) != (r2, c2) or not 0 <= e0 <= e1 <= len(prog.entries):
            return None
        for kind, sa, sb, _ in prog.entries[e0:e1].tolist():
            if kind == 0:
                ok = shape.get(sa) == (r1, r2) and shape.get(sb) == (c1, c2)
            elif kind == 1:
                ok = shape.get(sa) == (r1, c2) and shape.get(sb) == (r2, c1)
            else:
                ok = kind == 2 and (r1, c1) == (r2, c2) and 0 <= sa < len(prog.coeff_exprs)
            if not ok:
                return None
    return shape


def _n_params(prog: Program) -> int:
    last = prog.blocks[-1]
    return int(last[1] + last[4] * last[5])


def _input_shapes(prog: Program) -> list[tuple[int, int]]:
    w = prog.widths
    return [(w[l + 1], w[l]) for l in range(prog.depth)] + [(w[-1], w[0])]


def _coefficient_lines(prog: Program) -> list[str]:
    """Statements setting c0, c1, ... from the instance's a and b."""
    at_n = {prog.a: sp.Symbol("a_n"), prog.b: sp.Symbol("b_n")}
    return ["a_n = A[n]", "b_n = B[n]"] + [f"c{k} = float({sp.pycode(sp.sympify(c).subs(at_n))})"
                                          for k, c in enumerate(prog.coeff_exprs)]


def _module(prog: Program, setup: list[str], body: list[str]) -> str:
    """The module text of ``kern(X_0..X_L, A, B, out, sink)`` running ``body`` per instance n (``o`` its Hessian);
    the widths are named in it, so that programs of other widths never share a compiled kernel."""
    args = ", ".join(f"X{s}" for s in range(prog.depth + 1))
    head = "".join(f"    {line}\n" for line in setup)
    return (f"# widths {tuple(int(x) for x in prog.widths)}\n"
            "import numba\nimport numpy as np\n\n\n@numba.njit(cache=__CACHE__, fastmath=False)\n"
            f"def kern({args}, A, B, out, sink):\n{head}"
            "    for n in range(A.shape[0]):\n        o = out[0] if sink else out[n]\n"
            + "".join(f"        {line}\n" for line in body))


def source(prog: Program, style: str = "unrolled") -> str:
    """Python source of ``kern(X_0..X_L, A, B, out, sink)`` in ``style``: X_l (N, d_(l+1), d_l) the layers, X_L = M,
    A and B (N,) the instances' a and b, out (N, P, P) (with ``sink``, every instance is written over out[0])."""
    if style == "looped":
        return _looped_source(prog)
    if style != "unrolled":
        raise ValueError(f"unknown style {style!r}; expected one of {STYLES}")
    lines: list[str] = []
    value: dict[tuple[int, int, int], str] = {}
    for s, (r, c) in enumerate(_input_shapes(prog)):
        for i in range(r):
            for j in range(c):
                value[s, i, j] = f"x{s}_{i}_{j}"
                lines.append(f"x{s}_{i}_{j} = X{s}[n, {i}, {j}]")
    lines += _coefficient_lines(prog)
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
    return _module(prog, [], lines)


def _looped_source(prog: Program) -> str:
    """The 'looped' style: workspace slots beyond the inputs are arrays allocated once per call; each op and each
    block of H is a loop nest with constant bounds, its statements those of the unrolled style."""
    L = prog.depth
    shape = _slot_shapes(prog)
    if shape is None:
        raise ValueError(requirements("looped"))
    body = [f"s{s} = X{s}[n]" for s in range(L + 1)] + _coefficient_lines(prog)
    for op in prog.ops.tolist():
        kind, dst = op[0], op[1]
        if kind == 0:  # S[dst] = op(S[x]) @ op(S[y]), r×k @ k×c, accumulated from 0.0 as the interpreter does
            x, tx, y, ty, r, k, c = op[2:9]
            body += [f"for i in range({r}):", f"    for j in range({c}):", "        acc = 0.0",
                     f"        for p in range({k}):",
                     f"            acc += s{x}[{'p, i' if tx else 'i, p'}] * s{y}[{'j, p' if ty else 'p, j'}]",
                     f"        s{dst}[i, j] = acc"]
        else:  # S[dst] (+)= C[ci]·op(S[src]); src < 0: the identity
            src, ts, ci, r, c, acc = op[2:8]
            term = f"(c{ci} if i == j else 0.0)" if src < 0 else f"c{ci} * s{src}[{'j, i' if ts else 'i, j'}]"
            body += [f"for i in range({r}):", f"    for j in range({c}):",
                     f"        s{dst}[i, j] = " + (f"s{dst}[i, j] + {term}" if acc else term)]
    blocks, entries, groups = prog.blocks.tolist(), prog.entries.tolist(), prog.groups.tolist()
    for g in range(len(groups) - 1):
        b0, b1 = groups[g], groups[g + 1]
        ro, _, r1, c1 = blocks[b0][:4]
        body += [f"for i in range({r1}):", f"    for j in range({c1}):", f"        row = {ro} + i * {c1} + j"]
        for co, r2, c2, e0, e1 in (blocks[bi][1:2] + blocks[bi][4:8] for bi in range(b0, b1)):
            terms = [f"s{sa}[i, p] * s{sb}[j, q]" if kind == 0 else f"s{sa}[i, q] * s{sb}[p, j]"
                     for kind, sa, sb, _ in entries[e0:e1] if kind != 2]
            body += [f"        for p in range({r2}):", f"            for q in range({c2}):",
                     f"                o[row, {co} + p * {c2} + q] = " + (" + ".join(terms) if terms else "0.0")]
            diagonal = "".join(f" + c{ci}" for kind, ci, _, _ in entries[e0:e1] if kind == 2)
            if diagonal:  # only in diagonal blocks (r2 = r1, c2 = c1): added last, as the interpreter does
                body += [f"        o[row, {co} + i * {c2} + j] = o[row, {co} + i * {c2} + j]{diagonal}"]
    setup = [f"s{s} = np.empty({shape[s]})" for s in range(L + 1, prog.n_slots)]
    return _module(prog, setup, body)


def disk_cached() -> bool:
    """Whether a generated kernel is kept on disk (the derivation cache is on): 'auto' picks a generated path only
    then or where it is compiled already, since its compile (seconds) would otherwise be paid by every process."""
    from .. import cache

    return cache.enabled()


def _in_memory(text: str) -> Callable:
    namespace: dict = {}
    exec(compile(text.replace("__CACHE__", "False"), "<verify unrolled kernel>", "exec"), namespace)
    return namespace["kern"]


@functools.lru_cache(maxsize=32)
def _compile(text: str, style: str = "unrolled") -> Callable:
    """The compiled kernel: from a module in the cache directory (numba's disk cache beside it), or compiled in
    memory when there is none or it cannot be loaded (e.g. numba can write no cache there)."""
    from .. import cache

    path = cache.source_file(style, text.replace("__CACHE__", "True"))
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


def compiled(prog: Program, style: str) -> bool:
    """Whether this program's kernel of ``style`` is already compiled in this process."""
    return prog._generated.get(style) is not None


def hessian(prog: Program, Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray,
            sink: bool = False, style: str = "unrolled") -> None:
    """Dense Hessians of the batch into out (N, P, P) by the generated kernel of ``style`` (``supported(prog,
    style)`` must hold). The kernel indexes without bounds checks, so the shapes are checked here."""
    N, P, w = len(a), _n_params(prog), prog.widths
    shapes = [(N, w[l + 1], w[l]) for l in range(prog.depth)] + [(N, w[-1], w[0])]
    if [x.shape for x in (*Ws, M)] != shapes or np.shape(a) != (N,) or np.shape(b) != (N,) \
            or out.shape[1:] != (P, P) or len(out) < (1 if sink else N) or out.dtype != np.float64:
        raise ValueError(f"{style} kernel: layers and M of shapes {shapes}, a and b of length {N}, out (N, {P}, {P}) "
                         "float64 expected")
    if prog._generated.get(style) is None:  # a new dict: a shallow copy of the program keeps its own memo
        prog._generated = {**prog._generated, style: _compile(source(prog, style), style)}
    prog._generated[style](*(np.ascontiguousarray(x, dtype=np.float64) for x in (*Ws, M, a, b)), out, sink)
