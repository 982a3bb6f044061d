"""The word-calculus derivation of the matrix Hessian structure (verify.symbolic.matrix_terms), checked against
the earlier SymPy route (verify.symbolic.matrix_sympy) and against finite differences of the objective."""
from __future__ import annotations

import dataclasses
import time
from collections import defaultdict

import mpmath
import numpy as np
import pytest
import sympy as sp

from verify.symbolic.matrix import (
    BlockTerm, _mp_objective, blocks_to_dense_exact, check_against_finite_differences, derive, random_point,
)
from verify.symbolic.matrix_sympy import derive_sympy


def _comb(comb) -> dict:
    acc: dict = defaultdict(lambda: sp.Integer(0))
    for c, chain in comb:
        acc[chain] += c
    return {k: sp.expand(v) for k, v in acc.items() if sp.expand(v) != 0}


def _blocks(blocks) -> dict:
    """Each block as Σ c·(A ⊗ B) over single words A, B: the merge undone, so two groupings compare."""
    acc: dict = defaultdict(lambda: sp.Integer(0))
    for key, terms in blocks.items():
        for t in terms:
            for cl, A in t.left:
                for cr, B in t.right:
                    acc[(key, A, B, t.transposed)] += cl * cr
    return {k: sp.expand(v) for k, v in acc.items() if sp.expand(v) != 0}


SIZES = [(1, (2, 3)), (2, (2, 3, 2)), (3, (1, 2, 1, 2))]


@pytest.mark.parametrize("depth,widths", SIZES)
def test_word_calculus_equals_sympy_differentiation(depth, widths):
    new, old = derive(depth, widths), derive_sympy(depth, widths)
    assert [_comb(g) for g in new.gradient_terms] == [_comb(g) for g in old.gradient_terms]
    assert [_comb(h) for h in new.hvp_terms] == [_comb(h) for h in old.hvp_terms]
    assert _blocks(new.blocks) == _blocks(old.blocks)
    assert sum(map(len, new.blocks.values())) == sum(map(len, old.blocks.values()))  # same merge


@pytest.mark.slow
@pytest.mark.parametrize("depth", [4, 5, 6])
def test_word_calculus_equals_sympy_differentiation_deeper(depth):
    new, old = derive(depth, (1,) * (depth + 1)), derive_sympy(depth, (1,) * (depth + 1))
    assert _blocks(new.blocks) == _blocks(old.blocks)
    assert [_comb(h) for h in new.hvp_terms] == [_comb(h) for h in old.hvp_terms]


def test_a_perturbed_block_differs_from_the_sympy_route():
    der = derive(2, (2, 3, 2))
    blocks = dict(der.blocks)
    t = blocks[(0, 1)][0]
    (c, A), *rest = t.left
    blocks[(0, 1)] = [BlockTerm(((c * sp.Rational(1000001, 1000000), A), *rest), t.right, t.transposed),
                      *blocks[(0, 1)][1:]]
    assert _blocks(blocks) != _blocks(derive_sympy(2, (2, 3, 2)).blocks)


def _mixed_fd(der, vals, U, V, h) -> mpmath.mpf:
    """∂²/∂s∂t F(W + sU + tV) at 0 by central differences of the objective's definition (mpmath)."""
    f = lambda *s: _mp_objective(der, vals, s)  # noqa: E731
    return (f((h, U), (h, V)) - f((h, U), (-h, V)) - f((-h, U), (h, V)) + f((-h, U), (-h, V))) / (4 * h * h)


def _blocks_pair(der, blocks, vals, U, V) -> sp.Rational:
    """Uᵀ·H·V with H assembled exactly from the Hessian blocks."""
    H = blocks_to_dense_exact(der, blocks, vals)
    u = [x for m in U for x in m]
    v = [x for m in V for x in m]
    return sum(u[i] * H[i, j] * v[j] for i in range(len(u)) for j in range(len(v)))


@pytest.mark.parametrize("depth,widths", [(3, (2, 1, 2, 1)), (5, (1, 2, 1, 1, 2, 1))])
def test_blocks_match_finite_differences_of_the_objective(depth, widths):
    # Central differences at 80 working digits, h = 1e-20: truncation ~1e-40·C, rounding ~1e-40, so a
    # relative tolerance of 1e-20 leaves 20 digits of slack and rejects any wrong term (O(1) relative).
    der = derive(depth, widths)
    rng = np.random.default_rng(depth)
    vals = random_point(der, rng)
    U = [vals[sp.MatrixSymbol(f"U{l + 1}", *v.shape)] for l, v in enumerate(der.V)]
    V = [vals[v] for v in der.V]
    exact = _blocks_pair(der, der.blocks, vals, U, V)
    with mpmath.workdps(80):
        fd = _mixed_fd(der, vals, U, V, mpmath.mpf(10) ** -20)
        assert abs(fd - mpmath.mpf(exact.p) / exact.q) <= mpmath.mpf(10) ** -20 * max(1, abs(fd))
    wrong = dict(der.blocks)
    t = wrong[(0, 0)][0]
    (c, A), *rest = t.left
    wrong[(0, 0)] = [BlockTerm(((c * sp.Rational(101, 100), A), *rest), t.right, t.transposed), *wrong[(0, 0)][1:]]
    bad = _blocks_pair(der, wrong, vals, U, V)
    with mpmath.workdps(80):
        assert abs(fd - mpmath.mpf(bad.p) / bad.q) > mpmath.mpf(10) ** -20 * max(1, abs(fd))


def test_gradient_and_hvp_match_finite_differences_at_depth_6():
    der = derive(6, (1, 2, 1, 1, 2, 1, 2))
    res = check_against_finite_differences(der, np.random.default_rng(8), dps=20, points=1, use_second=False)
    assert res.ok, res
    wrong = (*der.hvp[:-1], 2 * der.hvp[-1])
    assert not check_against_finite_differences(der, np.random.default_rng(8), hvp=wrong, dps=20, points=1,
                                                use_second=False).ok


def test_depth_32_structure_is_cheap_and_complete():
    derive.cache_clear()
    start = time.perf_counter()
    der = derive(32, (2,) * 33)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed  # issue 13: ≤ 5 s cold (about 0.4 s measured on a loaded 2-core machine)
    assert len(der.blocks) == 32 * 32
    assert all(len(g) == 3 for g in der.gradient_terms)  # a·[..P..], −a·[..M..], b·W_k
    # each hvp word has exactly one V letter; layer l's has (L−l−1) + L + l positions in the P word
    # plus (L−l−1) + l in the M word plus one from b·W_l: 3L − 1 words at every layer
    assert all(len(h) == 3 * 32 - 1 for h in der.hvp_terms)


def test_lazy_expressions_survive_dataclasses_replace():
    der = derive(2, (2, 2, 2))
    copy = dataclasses.replace(der)
    assert copy.gradient == der.gradient and copy.hvp == der.hvp
    assert [g.shape for g in copy.gradient] == [(2, 2), (2, 2)]
