"""kp.weights.classification's float64 tier: the vectorized Hessian and the float threshold/fold evaluation give
the very numbers of the routes they replaced (bit for bit on random inputs)."""
from __future__ import annotations

import numpy as np
import sympy as sp

from verify.claims.weights_classification import Rule, _hessian
from verify.symbolic.scalar import L_sym

A, M = sp.Symbol("a", positive=True), sp.Symbol("m", positive=True)


def _loop_hessian(w, m, a, b, c):
    L = len(w)
    P = float(np.prod(w))
    Pi = np.array([np.prod(np.delete(w, i)) for i in range(L)])
    H = a * np.outer(Pi, Pi)
    for i in range(L):
        for j in range(L):
            if i != j:
                H[i, j] += a * (P - m) * float(np.prod(np.delete(w, [i, j])))
        H[i, i] += b * c[i]
    return H


def test_vectorized_hessian_is_bitwise_the_loop() -> None:
    rng = np.random.default_rng(7)
    for _ in range(600):
        L = int(rng.integers(1, 13))
        w = rng.standard_normal(L) * rng.uniform(0.1, 3)
        if rng.random() < 0.1:
            w[int(rng.integers(L))] = 0.0
        m, b, c = float(rng.standard_normal()), float(rng.uniform()), rng.uniform(0.2, 5, L)
        assert np.array_equal(_hessian(w, m, 2.0, b, c), _loop_hessian(w, m, 2.0, b, c))


def test_float_values_equal_the_exact_route() -> None:
    from verify.claims.weights_classification import CLASSES, KINDS

    kinds = {k: KINDS[0] for k in CLASSES}
    from verify.symbolic.scalar import mabs
    from verify.claims.weights_classification import A_SYM

    star = A_SYM * mabs * (mabs * (L_sym - 2) / (L_sym - 1)) ** ((L_sym - 2) / L_sym) / (L_sym - 1)
    fold = L_sym * A_SYM * mabs * (mabs * (L_sym - 2) / (2 * L_sym - 2)) ** ((L_sym - 2) / L_sym) / (2 * L_sym - 2)
    rule = Rule(kinds, star, fold, 1)
    rng = np.random.default_rng(3)
    for _ in range(150):
        L = int(rng.integers(2, 13))
        m = sp.Rational(str(float(np.exp(rng.uniform(np.log(0.1), np.log(10.0))))))
        a = sp.Integer(int(rng.choice([1, 2])))
        want = tuple(float(sp.N(v, 20)) for v in rule.values(L, m, a))
        assert rule.float_values(L, m, a) == want
