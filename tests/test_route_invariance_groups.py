"""verify.invariance: the GL(h)-insertion matrix by Kronecker products (broadcast) against the route it replaced,
the column-by-column images of unit vectors: equal entries."""
from __future__ import annotations

import numpy as np

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
