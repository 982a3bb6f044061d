"""The monotone descent loop reuses partial products; its iterates equal the plain formulation's bit for bit."""
from __future__ import annotations

import numpy as np

from verify.landscape.deep_matrix import gradient_unchecked, objective, product, validate
from verify.landscape.descent import gradient_descent


def _reference(Ws0, M, a, b, eta, steps):
    """The monotone loop as first written: gradient, step, F at the new point from scratch, accept or halve η."""
    Ws, M, a_c, b_c = validate(Ws0, M, a, b)
    Ws = [W.copy() for W in Ws]
    eta_v = np.broadcast_to(np.asarray(eta, dtype=float), (Ws[0].shape[0],)).copy()
    a_ = np.asarray(a, dtype=float).reshape(-1)
    b_ = np.asarray(b, dtype=float).reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        f = objective(Ws, M, a, b)
        for _ in range(steps):
            G = gradient_unchecked(Ws, M, a_c, b_c)
            new = [W - eta_v[:, None, None] * g for W, g in zip(Ws, G)]
            fn = a_ / 2 * np.sum((product(new) - M) ** 2, axis=(-1, -2)) + \
                b_ / 2 * sum(np.sum(W * W, axis=(-1, -2)) for W in new)
            ok = np.isfinite(fn) & (fn <= f)
            f = np.where(ok, fn, f)
            eta_v = np.where(ok, eta_v, eta_v / 2)
            Ws = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
    return Ws


def test_monotone_descent_identical_to_reference():
    rng = np.random.default_rng(7)
    for L, n in ((1, 5), (2, 7), (4, 9)):
        dims = (3,) + (4,) * (L - 1) + (2,)
        W0 = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
        M = rng.standard_normal((n, 2, 3)) * 3
        a = rng.uniform(0.5, 2.0, size=n)
        b = rng.uniform(0.05, 0.5, size=n)
        eta = np.where(np.arange(n) % 2 == 0, 0.02, 5.0)  # large steps: rejections and η halvings
        got = gradient_descent(W0, M, a, b, eta, 300, monotone=True)
        want = _reference(W0, M, a, b, eta, 300)
        for g, w in zip(got, want):
            assert np.array_equal(g, w)
        got = gradient_descent(W0, M[0], 1.5, 0.2, 0.01, 200, monotone=True)
        want = _reference(W0, M[0], 1.5, 0.2, 0.01, 200)
        assert all(np.array_equal(g, w) for g, w in zip(got, want))


def test_weighted_minimize_many_equals_one_by_one():
    from verify.claims.matrix_weights import weighted_minimize, weighted_minimize_many
    rng = np.random.default_rng(11)
    dims, c = (3, 2, 2), [1.0, 2.5]
    groups = []
    for _ in range(3):
        starts = [[rng.standard_normal((dims[l + 1], dims[l])) for l in range(2)] for _ in range(2)]
        groups.append((starts, rng.standard_normal((2, 3)), float(rng.uniform(0.5, 2)), float(rng.uniform(0.1, 0.5)),
                       float(rng.uniform(0.01, 0.05))))
    many = weighted_minimize_many(groups, c, steps=60)
    for g, got in zip(groups, many):
        want = weighted_minimize(g[0], g[1], g[2], g[3], c, steps=60, eta=g[4])
        for (Wg, fg, gg), (Ww, fw, gw) in zip(got, want):
            assert fg == fw and gg == gw and all(np.array_equal(x, y) for x, y in zip(Wg, Ww))


def test_width_cases_grouped_descent_equals_per_case():
    from verify.claims.matrix_widths import FIXED_CASES, _descend_grouped, _prepare_numeric
    prepared = _prepare_numeric(np.random.default_rng(5), 3)
    finals = _descend_grouped(prepared, 40)
    for case, (a, b, M, _sup, eta, W0, _Q), got in zip(FIXED_CASES, prepared, finals):
        want = gradient_descent(W0, np.broadcast_to(M, (3,) + M.shape), a, b, eta, 40, monotone=True)
        assert all(np.array_equal(x, y) for x, y in zip(got, want)), case.name


def _reference_plain(Ws0, M, a, b, eta, steps):
    """The fixed-step loop as first written (a non-finite step freezes its instance)."""
    Ws, M, a_c, b_c = validate(Ws0, M, a, b)
    eta_v = np.broadcast_to(np.asarray(eta, dtype=float), (Ws[0].shape[0],)).copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            G = gradient_unchecked(Ws, M, a_c, b_c)
            new = [W - eta_v[:, None, None] * g for W, g in zip(Ws, G)]
            if all(np.isfinite(np.sum(W)) for W in new):
                Ws = new
                continue
            ok = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in new], axis=0)
            Ws = [np.where(ok[:, None, None], Wn, W) for Wn, W in zip(new, Ws)]
    return Ws


def test_plain_descent_identical_to_reference():
    rng = np.random.default_rng(3)
    n, dims = 8, (3, 3, 3, 3)
    W0 = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(3)]
    M = rng.standard_normal((3, 3)) * 2
    eta = np.where(np.arange(n) % 3 == 0, 2.0, 0.01)  # some instances blow up and freeze
    got = gradient_descent(W0, M, 1.0, 0.1, eta, 200)
    want = _reference_plain(W0, M, 1.0, 0.1, eta, 200)
    assert all(np.array_equal(g, w) for g, w in zip(got, want))


def _hessian_reference(Ws, M, a, b):
    """The dense Hessian as first written (einsum outer products, one chain per block)."""
    from verify.landscape.deep_matrix import _chain, prefix_suffix
    L = len(Ws)
    A, B = prefix_suffix(Ws)
    R = product(Ws) - M
    sizes = [W.size for W in Ws]
    offs = np.concatenate([[0], np.cumsum(sizes)])
    J = np.concatenate([np.einsum("ri,jc->rcij", A[l], B[l]).reshape(M.size, -1) for l in range(L)], axis=1)
    H = a * (J.T @ J) + b * np.eye(int(offs[-1]))
    for k in range(L):
        for l in range(k):
            C = _chain([Ws[j] for j in range(k - 1, l, -1)]) if k - 1 > l else np.eye(Ws[l].shape[0])
            G = A[k].T @ R @ B[l].T
            blk = a * np.einsum("iq,jp->ijpq", G, C).reshape(sizes[k], sizes[l])
            H[offs[k]:offs[k + 1], offs[l]:offs[l + 1]] += blk
            H[offs[l]:offs[l + 1], offs[k]:offs[k + 1]] += blk.T
    return H


def test_hessian_identical_to_reference():
    from verify.landscape.deep_matrix import hessian_one
    rng = np.random.default_rng(2)
    for dims in ((3, 3), (2, 1, 2), (2, 3, 3, 2), (3, 2, 1, 2, 3), (2, 3, 4, 3, 3, 2)):
        for _ in range(5):
            Ws = [rng.standard_normal((dims[l + 1], dims[l])) for l in range(len(dims) - 1)]
            M = rng.standard_normal((dims[-1], dims[0]))
            assert np.array_equal(hessian_one(Ws, M, 1.3, 0.2), _hessian_reference(Ws, M, 1.3, 0.2))
