"""The earlier route to ``verify.symbolic.matrix.derive``: SymPy differentiates F(W + tV) in t, and the
terms are read back from the expanded matrix expressions. Slow (about L^3.5), kept as an independent
cross-check of the word calculus in ``verify.symbolic.matrix_terms`` at small sizes.
"""
from __future__ import annotations

import functools

import sympy as sp

from .matrix import (
    BlockTerm, Chain, LinComb, MatrixDerivation, _at_zero, _chain_to_expr, _directional, _shifted, _symbols,
    check_widths,
)


def _terms(expr: sp.MatrixExpr, index: dict[sp.MatrixSymbol, int]) -> list[tuple[sp.Expr, Chain]]:
    """Split an expanded matrix expression into (coefficient, factor chain) terms."""
    expr = sp.expand(expr.doit())
    out = []
    for term in (expr.args if isinstance(expr, sp.MatAdd) else (expr,)):
        if isinstance(term, sp.ZeroMatrix) or term == 0:
            continue
        if isinstance(term, sp.MatMul):
            coeff, mats = term.as_coeff_matrices()
        else:
            coeff, mats = sp.Integer(1), [term]
        chain = []
        for m in mats:
            tr = isinstance(m, sp.Transpose)
            base = m.arg if tr else m
            if base not in index:
                raise RuntimeError(f"unexpected factor {m} in derivative term {term}")
            chain.append((index[base], tr))
        out.append((coeff, tuple(chain)))
    return out


def _flip(chain: Chain) -> Chain:
    """Chain of the transpose: (F1⋯Fm)ᵀ = Fmᵀ⋯F1ᵀ."""
    return tuple((i, not tr) for i, tr in reversed(chain))


def _gradient_from_first(first_terms, L: int) -> list[list[tuple[sp.Expr, Chain]]]:
    """Matrix calculus on tr(A V_l B): ∂/∂V_l = AᵀBᵀ; on tr(A V_lᵀ B): ∂/∂V_l = B A."""
    grads: list[list[tuple[sp.Expr, Chain]]] = [[] for _ in range(L)]
    for c, chain in first_terms:
        pos = [j for j, (i, _) in enumerate(chain) if i > L]
        if len(pos) != 1:
            raise RuntimeError(f"first derivative term is not linear in V: {chain}")
        j = pos[0]
        i, tr = chain[j]
        A, B = chain[:j], chain[j + 1:]
        grads[i - L - 1].append((c, B + A if tr else _flip(A) + _flip(B)))
    return grads


def _merge(terms: list[tuple[sp.Expr, Chain, Chain, bool]]) -> list[BlockTerm]:
    """Group c·A V B terms sharing A (sum the B's), then terms sharing B (sum the A's).

    Fewer, fatter terms: the dense-Hessian kernels write one outer product per term.
    """
    by_left: dict[tuple, list] = {}
    for c, A, B, tr in terms:
        by_left.setdefault((A, tr), []).append((c, B))
    by_right: dict[tuple, list] = {}
    for (A, tr), rights in by_left.items():
        if len(rights) == 1:
            (c, B), = rights
            by_right.setdefault((((sp.Integer(1), B),), tr), []).append((c, A))
        else:
            by_right.setdefault((_simplify_comb(rights), tr), []).append((sp.Integer(1), A))
    return [BlockTerm(_simplify_comb(lefts), right, tr) for (right, tr), lefts in by_right.items()]


def _simplify_comb(comb) -> LinComb:
    acc: dict[Chain, sp.Expr] = {}
    for c, chain in comb:
        acc[chain] = acc.get(chain, 0) + c
    return tuple((sp.simplify(c), ch) for ch, c in acc.items() if c != 0)


@functools.lru_cache(maxsize=16)
def derive_sympy(depth: int, widths: tuple[int, ...]) -> MatrixDerivation:
    """The same structure as ``derive``, by SymPy differentiation of F(W + tV) in t (the earlier route, about
    L^3.5 in time: 6.6 s at L = 8). Kept as an independent cross-check of ``derive`` at small sizes."""
    depth, widths = check_widths(depth, widths)
    W, V, M, a, b = _symbols(depth, widths)
    L = depth
    atoms = (*W, M, *V)
    index = {s: i for i, s in enumerate(atoms)}
    der = MatrixDerivation(depth, widths, W, V, M, a, b, {})
    der._first = _directional(der, order=1)
    first_terms = []
    for tr_term in sp.Add.make_args(der.first):
        coeff, rest = tr_term.as_coeff_Mul()
        scal, traces = [], []
        for f in sp.Mul.make_args(rest):
            (traces if isinstance(f, sp.Trace) else scal).append(f)
        if len(traces) != 1:
            raise RuntimeError(f"unexpected first-derivative term {tr_term}")
        for c2, chain in _terms(traces[0].arg, index):
            first_terms.append((coeff * sp.Mul(*scal) * c2, chain))
    grad_terms = _gradient_from_first(first_terms, L)
    der._gradient = tuple(_chain_to_expr(g, atoms) for g in grad_terms)
    der.gradient_terms = tuple(_simplify_comb(g) for g in grad_terms)
    t = sp.Symbol("t")
    shift = _shifted((W, V), t)
    hvps, hvp_terms, blocks = [], [], {}
    for l in range(L):
        d1 = _at_zero(der._gradient[l].xreplace(shift).doit().diff(t), t)
        terms = _terms(d1, index)
        hvps.append(_chain_to_expr(terms, atoms))
        hvp_terms.append(_simplify_comb(terms))
        for c, chain in terms:
            pos = [j for j, (i, _) in enumerate(chain) if i > L]
            if len(pos) != 1:
                raise RuntimeError(f"HVP term is not linear in V: {chain}")
            j = pos[0]
            i, tr = chain[j]
            k = i - L - 1
            blocks.setdefault((l, k), []).append((c, chain[:j], chain[j + 1:], tr))
    der._hvp = tuple(hvps)
    der.hvp_terms = tuple(hvp_terms)
    der.blocks = {key: _merge(v) for key, v in sorted(blocks.items())}
    return der
