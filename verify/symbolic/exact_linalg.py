"""Exact linear algebra over Q(σ) for the symbolic checks of the symmetric problem (L3, L4).

Block structure (``diagonal_blocks``), rank and zero tests by exact elimination in the field of rational
functions (SymPy's ``DomainMatrix``) instead of ``simplify``-based pivoting; entries that are not rational
functions keep SymPy's ``simplify`` route.
"""
from __future__ import annotations

import functools
from typing import Any

import sympy as sp


def diagonal_blocks(H: sp.Matrix) -> list[list[int]]:
    """The index sets of H's diagonal blocks: connected components of the graph i ~ j iff H[i, j] ≠ 0 or
    H[j, i] ≠ 0 (structural zeros only). Permuting rows and columns alike to these components makes H block
    diagonal, so det(xI − H) is the product of the blocks' characteristic polynomials."""
    N = H.rows
    parent = list(range(N))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(N):
        for j in range(i + 1, N):
            if H[i, j] != 0 or H[j, i] != 0:
                parent[find(i)] = find(j)
    blocks: dict[int, list[int]] = {}
    for i in range(N):
        blocks.setdefault(find(i), []).append(i)
    return sorted(blocks.values())


def _domain_matrix(A: sp.Matrix) -> Any:
    """A as a DomainMatrix over the field of fractions of its entries' ring (Q(σ) here), or None when the
    entries are not rational functions (SymPy's EX domain, whose zero test is heuristic)."""
    from sympy.polys.matrices import DomainMatrix

    dm = DomainMatrix.from_Matrix(A)
    if dm.domain.is_EX or dm.domain.is_EXRAW:
        return None
    return dm.to_field()


def exact_rank(H: sp.Matrix) -> int:
    """Rank of H over Q(σ) by exact Gaussian elimination in the field of rational functions (no
    heuristic ``simplify`` in the pivot tests); entries that are not rational functions fall back to
    SymPy's ``rank(simplify=True)``."""
    dm = _domain_matrix(H)
    return H.rank(simplify=True) if dm is None else dm.rank()


def is_zero_exactly(A: sp.Matrix) -> bool:
    """Whether every entry of A is the zero rational function (exact; ``simplify`` for other entries)."""
    dm = _domain_matrix(A)
    if dm is None:
        return all(sp.simplify(z) == 0 for z in A)
    return dm.is_zero_matrix


def factor_polynomial(expr: sp.Expr) -> sp.Expr:
    """``sp.factor`` of a polynomial expression, built as ``sp.factor`` builds it (the content times the product
    of the irreducible factors of ``Poly.factor_list`` over Q, generators in SymPy's default order), without
    its Expr-level ``together``/``gcd_terms`` passes, which leave a polynomial as it is but cost most of the
    time (``tests/test_route_symmetric_exact_shortcuts.py`` compares the two for structural equality)."""
    from sympy.core.mul import _keep_coeff

    coeff, factors = sp.Poly(expr).factor_list()
    return _keep_coeff(sp.sympify(coeff), sp.Mul(*(f.as_expr() if k == 1 else f.as_expr() ** k for f, k in factors)))


@functools.lru_cache(maxsize=4096)
def nsimplify_cached(value: sp.Expr) -> sp.Expr:
    """``sp.nsimplify(value)``, once per distinct value in a process: the L2 completeness check canonicalizes
    the same few algebraic numbers (±√λ_i) on the solver's side and on the claim's side, and nsimplify's
    numeric identification (PSLQ) is most of that check's time. nsimplify is a deterministic function of its
    argument, so the cache returns exactly what a fresh call would."""
    return sp.nsimplify(value)


@functools.lru_cache(maxsize=4096)
def linear_factor_root(factor: sp.Expr, x: sp.Symbol) -> tuple[int, sp.Expr | None]:
    """(degree of ``factor`` in x, its root −b/a canceled when it is a·x + b, else None). Once per distinct
    factor in a process: the factored characteristic polynomials of the L3 check share a few factors across
    their index sets (16 distinct among 71 at the standard sizes); the result is a deterministic function of
    the factor, the same a fresh ``Poly``/``cancel`` gives."""
    p = sp.Poly(factor, x)
    if p.degree() != 1:
        return p.degree(), None
    a, b = p.all_coeffs()
    return 1, sp.cancel(-b / a)


@functools.lru_cache(maxsize=4096)
def factored_block_charpoly(entries: tuple, size: int, x: sp.Symbol) -> sp.Expr:
    """``factor_polynomial`` of det(xI − B) for the size×size block B with row-major ``entries``, once per
    distinct block in a process (the eigenframe Hessians of different index sets share most of their blocks);
    a deterministic function of the block, so the same expression a fresh computation gives."""
    return factor_polynomial(sp.Matrix(size, size, entries).charpoly(x).as_expr())
