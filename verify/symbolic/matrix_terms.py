"""Matrix calculus on words: the gradient, HVP and Hessian blocks of the deep matrix objective, derived by
differentiating factor chains directly (no SymPy differentiation), so the structure scales with depth.

    F(W_1..W_L) = (a/2)·||W_L⋯W_1 − M||_F² + (b/2)·Σ_l ||W_l||_F²

A term is a coefficient times a word: a chain of factors (atom, transposed) read left to right as a matrix
product, atoms W_1..W_L = 0..L−1, M = L, V_1..V_L = L+1..2L (``verify.symbolic.matrix``). Words in the
non-commuting letters W_l, W_lᵀ, M, Mᵀ are free, so a polynomial matrix expression has one expansion as a sum
of distinct words: the results below are that expansion, with equal words combined.

- Gradient (matrix calculus on tr(Rᵀ·dR), R = P − M, P = W_L⋯W_1, 0-based layer k):
  ∇_k F = a·(W_L⋯W_(k+2))ᵀ·(P − M)·(W_k⋯W_1)ᵀ + b·W_(k+1), i.e. the words
  a·[W_(k+2)ᵀ⋯W_Lᵀ · W_L⋯W_1 · W_1ᵀ⋯W_kᵀ], −a·[W_(k+2)ᵀ⋯W_Lᵀ · M · W_1ᵀ⋯W_kᵀ], b·[W_(k+1)].
- HVP: d/dt ∇_l F(W + tV) at t = 0 is, by the product rule on each word, the sum over positions holding a
  letter W_j (or W_jᵀ) of the word with that letter replaced by V_j (or V_jᵀ); M does not move.
- Hessian blocks: an HVP word A·V_k·B (or A·V_kᵀ·B) is a term of block (l, k).

Coefficients are exact triples (q_1, q_a, q_b) of Fractions meaning q_1 + q_a·a + q_b·b, combined in plain Python; they
become SymPy expressions only at the end. Cross-checked against SymPy differentiation
(``verify.symbolic.matrix_sympy``) and finite differences in the tests.
"""
from __future__ import annotations

from fractions import Fraction

Factor = tuple[int, bool]
Chain = tuple[Factor, ...]
Coef = tuple[Fraction, Fraction, Fraction]
"""(q_1, q_a, q_b): the coefficient q_1 + q_a·a + q_b·b."""

ZERO: Coef = (Fraction(0), Fraction(0), Fraction(0))
ONE: Coef = (Fraction(1), Fraction(0), Fraction(0))
ONE_A: Coef = (Fraction(0), Fraction(1), Fraction(0))
MINUS_A: Coef = (Fraction(0), Fraction(-1), Fraction(0))
ONE_B: Coef = (Fraction(0), Fraction(0), Fraction(1))


def _add(x: Coef, y: Coef) -> Coef:
    return (x[0] + y[0], x[1] + y[1], x[2] + y[2])


def _accumulate(terms) -> dict[Chain, Coef]:
    """{word: combined coefficient} in first-seen order, zero coefficients dropped."""
    acc: dict[Chain, Coef] = {}
    for c, chain in terms:
        acc[chain] = _add(acc.get(chain, ZERO), c)
    return {ch: c for ch, c in acc.items() if c != ZERO}


def gradient_words(depth: int) -> list[dict[Chain, Coef]]:
    """∇_k F for k = 0..L−1 as {word: coefficient} (see module docstring)."""
    L = depth
    product: Chain = tuple((i, False) for i in reversed(range(L)))
    out = []
    for k in range(L):
        left = tuple((i, True) for i in range(k + 1, L))
        right = tuple((i, True) for i in range(k))
        out.append(_accumulate([
            (ONE_A, left + product + right),
            (MINUS_A, left + ((L, False),) + right),
            (ONE_B, ((k, False),)),
        ]))
    return out


def hvp_words(depth: int, gradient: list[dict[Chain, Coef]]) -> list[dict[Chain, Coef]]:
    """d/dt ∇_l F(W + tV) at t = 0 for each l: every W letter of every gradient word replaced by its V."""
    L = depth
    out = []
    for grad in gradient:
        terms = []
        for chain, c in grad.items():
            for j, (i, tr) in enumerate(chain):
                if i < L:
                    terms.append((c, chain[:j] + ((L + 1 + i, tr),) + chain[j + 1:]))
        out.append(_accumulate(terms))
    return out


def block_terms(depth: int, hvp: list[dict[Chain, Coef]]) -> dict[tuple[int, int], list]:
    """{(l, k): [(coefficient, A, B, transposed)]}: each HVP word A·V_k·B (or A·V_kᵀ·B) of layer l."""
    L = depth
    blocks: dict[tuple[int, int], list] = {}
    for l, words in enumerate(hvp):
        for chain, c in words.items():
            pos = [j for j, (i, _) in enumerate(chain) if i > L]
            if len(pos) != 1:
                raise RuntimeError(f"HVP word is not linear in V: {chain}")
            j = pos[0]
            i, tr = chain[j]
            blocks.setdefault((l, i - L - 1), []).append((c, chain[:j], chain[j + 1:], tr))
    return blocks


def merge_block(terms: list) -> list[tuple[tuple[tuple[Coef, Chain], ...], tuple[tuple[Coef, Chain], ...], bool]]:
    """Group c·A V B terms sharing A (sum the B's), then terms sharing the summed right side (sum the A's).

    Returns [(left comb, right comb, transposed)], combs being ((coefficient, chain), ...). Fewer, fatter
    terms: the dense-Hessian kernels write one outer product per term.
    """
    by_left: dict[tuple, dict[Chain, Coef]] = {}
    for c, A, B, tr in terms:
        rights = by_left.setdefault((A, tr), {})
        rights[B] = _add(rights.get(B, ZERO), c)
    by_right: dict[tuple, dict[Chain, Coef]] = {}
    for (A, tr), rights in by_left.items():
        rights = {B: c for B, c in rights.items() if c != ZERO}
        if not rights:
            continue
        if len(rights) == 1:
            (B, c), = rights.items()
            key, coef = (((ONE, B),), tr), c
        else:
            key, coef = (tuple((c, B) for B, c in rights.items()), tr), ONE
        lefts = by_right.setdefault(key, {})
        lefts[A] = _add(lefts.get(A, ZERO), coef)
    out = []
    for (right, tr), lefts in by_right.items():
        left = tuple((c, A) for A, c in lefts.items() if c != ZERO)
        if left:
            out.append((left, right, tr))
    return out
