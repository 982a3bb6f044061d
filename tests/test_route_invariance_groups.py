"""verify.invariance: the GL(h)-insertion matrices by Kronecker products against the routes they replaced (the
column-by-column images of unit vectors; SymPy's ``kronecker_product`` for the exact elements): equal entries."""
from __future__ import annotations

import numpy as np
import sympy as sp

from verify import invariance as inv


def _columns_reference(G, h, n, m):
    d = h * n + m * h
    Gi = np.linalg.inv(G)
    T = np.zeros((d, d))
    for j in range(d):
        e = np.zeros(d)
        e[j] = 1.0
        W1, W2 = e[:h * n].reshape(h, n), e[h * n:].reshape(m, h)
        T[:, j] = np.concatenate([(G @ W1).ravel(), (W2 @ Gi).ravel()])
    return T


def test_insertion_matrix_equals_the_column_route():
    rng = np.random.default_rng(3)
    for h, n, m in ((2, 3, 3), (1, 2, 4), (3, 2, 2)):
        for _ in range(5):
            G = np.eye(h) + 0.6 * rng.standard_normal((h, h))
            assert np.array_equal(inv.insertion_matrix(G, h, n, m), _columns_reference(G, h, n, m))


def test_exact_kron_equals_sympy_kronecker_product():
    rng = np.random.default_rng(4)
    for p, q in ((2, 3), (3, 2), (1, 4)):
        A = sp.Matrix(p, p, [sp.Rational(int(v), 2) for v in rng.integers(-3, 4, p * p)])
        B = sp.Matrix(q, q, [sp.Rational(int(v), 3) for v in rng.integers(-3, 4, q * q)])
        assert inv._kron(A, B) == sp.kronecker_product(A, B)
        assert inv._kron(A, sp.eye(q)) == sp.kronecker_product(A, sp.eye(q))
    group = inv.gl_insertion_group(2, 3, 3)
    for T in group.exact_sample(np.random.default_rng(5), 4):
        G = T[:6:3, :6:3]                        # G itself: the (0, 0) entries of its n×n blocks
        ref = sp.diag(sp.kronecker_product(G, sp.eye(3)), sp.kronecker_product(sp.eye(3), G.inv().T))
        assert T == ref
