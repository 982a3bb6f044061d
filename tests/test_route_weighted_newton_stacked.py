"""The batched Newton polish of ``weighted_minimize_many`` (``matrix_weights._newton_many``) against the
one-instance route it replaced (pseudo-inverse Newton on F_c with ``weighted_hessian``, one instance at a time):
the same points, values and gradient norms bit for bit."""
from __future__ import annotations

import math

import numpy as np
import pytest

from verify.claims.matrix_weights import (
    _newton_many, weighted_gradient, weighted_hessian, weighted_minimize_many, weighted_objective,
)
from verify.landscape.deep_matrix import flatten, unflatten


def _newton_one(Ws, M, a, b, c):
    """The replaced route, as it was: one instance, dense ``weighted_hessian``, same accept/stop rules."""
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    x, f = flatten(Ws), weighted_objective(Ws, M, a, b, c)
    for _ in range(12):
        if not np.all(np.isfinite(x)):
            break
        W = unflatten(x, dims)
        g = flatten(weighted_gradient(W, M, a, b, c))
        H = weighted_hessian(W, M, a, b, c)
        if not (np.all(np.isfinite(H)) and np.all(np.isfinite(g))):
            break
        xn = x + np.linalg.lstsq(H, -g, rcond=1e-10)[0]
        fn = weighted_objective(unflatten(xn, dims), M, a, b, c)
        if not math.isfinite(fn) or fn > f + 1e-14 * max(abs(f), 1.0):
            break
        x, f = xn, fn
    W = unflatten(x, dims)
    return W, f, float(np.linalg.norm(flatten(weighted_gradient(W, M, a, b, c))))


def _same(x, y) -> bool:
    return np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True)


@pytest.mark.parametrize("dims,c", [((3, 2, 2), [1.0, 2.0]), ((3, 2, 3, 2), [0.5, 1.0, 3.0]),
                                    ((3, 3, 2, 2, 2), [1.0, 1.5, 2.0, 0.25]), ((2, 2, 2), [1.0, 1.0])])
def test_newton_many_equals_one_by_one(dims, c):
    rng = np.random.default_rng(7)
    n = 30
    L = len(dims) - 1
    Ws = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    Ms = rng.standard_normal((n, dims[-1], dims[0]))
    a = rng.uniform(0.5, 2.0, n)
    b = rng.uniform(0.1, 0.7, n)
    # a few starts near a critical point (short descent first), others far away, one non-finite
    for _ in range(200):
        G = weighted_gradient(Ws, Ms, a[:, None, None], b[:, None, None], c)
        Ws = [np.where(np.arange(n)[:, None, None] < n // 2, W - 0.02 * g, W) for W, g in zip(Ws, G)]
    Ws[0][-1, 0, 0] = np.inf
    pts, fs, gns = _newton_many(Ws, Ms, a, b, c)
    for i in range(n):
        W, f, gn = _newton_one([W[i] for W in Ws], Ms[i], float(a[i]), float(b[i]), c)
        assert all(_same(P[i], Q) for P, Q in zip(pts, W))
        assert _same(fs[i], f) and _same(gns[i], gn)


def test_weighted_minimize_many_equals_replaced_route():
    rng = np.random.default_rng(3)
    c = [1.0, 2.0, 0.5]
    dims = (3, 2, 3, 2)
    groups = []
    for _ in range(5):
        M = rng.standard_normal((2, 3))
        starts = [[0.5 * rng.standard_normal((dims[l + 1], dims[l])) for l in range(3)] for _ in range(2)]
        groups.append((starts, M, float(rng.uniform(0.5, 1.5)), float(rng.uniform(0.1, 0.5)), 0.02))
    many = weighted_minimize_many(groups, c, steps=300)
    # the Newton polish, replayed one by one from the same descended points, gives the same results
    L = 3
    Ws = [np.stack([s[l] for g in groups for s in g[0]]) for l in range(L)]
    Ms = np.repeat(np.stack([g[1] for g in groups]), 2, axis=0)
    a = np.repeat([g[2] for g in groups], 2)[:, None, None]
    b = np.repeat([g[3] for g in groups], 2)[:, None, None]
    for _ in range(300):
        Ws = [W - 0.02 * gr for W, gr in zip(Ws, weighted_gradient(Ws, Ms, a, b, c))]
    flat = [r for got in many for r in got]
    for i, (W, f, gn) in enumerate(flat):
        Wr, fr, gr = _newton_one([X[i] for X in Ws], Ms[i], float(a[i, 0, 0]), float(b[i, 0, 0]), c)
        assert np.isfinite(f) and np.isfinite(gn)
        assert all(_same(P, Q) for P, Q in zip(W, Wr)) and f == fr and gn == gr
