"""``weighted_exact``'s derivation in the polynomial ring K[a, m, b, 1/b, t, s, w] (evaluated per instance with
gmpy2 rationals) against the SymPy-expression route it replaced: the same points, inertias, kinds and isolating
intervals. Expected values were produced by the replaced route (SymPy ``hessian``/``expand``/``xreplace``)."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import weights as W
from verify.landscape import weighted_exact as we
from verify.symbolic.scalar import L_sym, a as A_SYM, mabs

R = sp.Rational
MIN, SADDLE, FLAT = "minimum", "strict saddle", "non-strict saddle"

# (L, m, a, β = b·c̄, c) -> [(inertia, kind, float(interval lo) or None for the origin)], from the replaced route
CASES = [
    ((1, R(-7), 1, R(2), (1,)), [((1, 0, 0), MIN, -2.3333333333333335)]),
    ((2, R(-8), 2, R(8), (1, 2)), [((1, 0, 1), SADDLE, None), ((2, 0, 0), MIN, -4.0)]),
    ((2, R(5, 2), 1, R(1, 3), (1, 3)), [((1, 0, 1), SADDLE, None), ((2, 0, 0), MIN, 2.1666666666666665)]),
    ((3, R(7, 3), 1, R(5, 4), (1, 2, 3)), [((3, 0, 0), MIN, None), ((2, 0, 1), SADDLE, 0.2016264971455465),
                                           ((3, 0, 0), MIN, 1.134998215320624)]),
    ((3, R(-5, 2), 2, R(1, 3), (1, 2, 3)), [((3, 0, 0), MIN, None), ((2, 0, 1), SADDLE, -0.0002964017085649661),
                                            ((3, 0, 0), MIN, -2.3750827247391273)]),
    ((4, R(3, 2), 1, R(3, 4), (1, 2, 3, 4)), [((4, 0, 0), MIN, None)]),
    ((4, R(-3), 2, R(1, 5), (1, 2, 3, 4)), [((4, 0, 0), MIN, None), ((3, 0, 1), SADDLE, -0.001111935224985637),
                                            ((4, 0, 0), MIN, -2.9416956265653678)]),
    ((3, R(2), 1, R(1, 3), (R(1, 2),) * 3), [((3, 0, 0), MIN, None), ((2, 0, 1), SADDLE, 0.004662157252582094),
                                             ((3, 0, 0), MIN, 1.7218942826413168)]),
]


@pytest.mark.parametrize("case, want", CASES, ids=[f"L{c[0]}-m{c[1]}-beta{c[3]}" for c, _ in CASES])
def test_ring_route_matches_the_replaced_route(case, want):
    L, m, a, beta, c = case
    c = [sp.sympify(x) for x in c]
    points, _ = we.classify(L, m, sp.Integer(a), beta / sp.prod(c) ** R(1, L), c)
    got = [(p.inertia, p.kind, None if p.interval is None else float(p.interval[0])) for p in points]
    assert len(got) == len(want)
    for (gi, gk, glo), (wi, wk, wlo) in zip(got, want):
        assert (gi, gk) == (wi, wk)
        assert (glo is None) == (wlo is None) and (glo is None or glo == pytest.approx(wlo, rel=1e-14))


@pytest.mark.parametrize("L, fold_inertia", [(3, (2, 1, 0)), (4, (3, 1, 0))])
def test_fold_is_a_non_strict_saddle_at_t_1(L, fold_inertia):
    # m = (2L − 2)/(L − 2) makes β_f rational; the replaced route found the fold's point at t = 1 exactly
    mm = R(2 * L - 2, L - 2)
    v = sp.simplify(W.DEFAULT_FOLD.xreplace({mabs: mm, L_sym: L, A_SYM: 1}))
    c = [sp.Integer(l) for l in range(1, L + 1)]
    points, _ = we.classify(L, mm, sp.Integer(1), v / sp.prod(c) ** R(1, L), c)
    assert [(p.inertia, p.kind, p.interval) for p in points] == [
        ((L, 0, 0), MIN, None), (fold_inertia, FLAT, (1, 1))]


def test_irrational_weights_are_classified():
    # c_l = √l (the replaced route's SymPy charpoly could not order the radicals); b^L·∏c_l is rational
    L, c = 3, [sp.sqrt(l) for l in range(1, 4)]
    points, _ = we.classify(L, R(7, 3), sp.Integer(1), R(5, 4) / sp.prod(c) ** R(1, L), c)
    assert [p.kind for p in points] == [MIN, SADDLE, MIN]
