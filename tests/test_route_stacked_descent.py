"""The stacked monotone descent (equal hidden widths) gives the layer-by-layer loop's iterates bit for bit."""
from __future__ import annotations

import numpy as np
import pytest

from verify.landscape import descent
from verify.landscape.descent import gradient_descent
from verify.landscape.descent_stacked import uniform_hidden


def _both(monkeypatch, *args):
    """(the fast loop, the layer-by-layer loop): a callback keeps ``gradient_descent`` on the latter."""
    got = gradient_descent(*args, monotone=True)
    want = gradient_descent(*args, callback=lambda t, Ws: None, monotone=True)
    return got, want


@pytest.mark.parametrize("L, d0, h, dL", [(3, 3, 4, 3), (4, 2, 1, 2), (5, 3, 3, 2), (6, 3, 4, 3), (3, 3, 2, 1), (4, 2, 3, 1)])
def test_stacked_descent_identical_to_layer_by_layer(monkeypatch, L, d0, h, dL):
    rng = np.random.default_rng(L * 100 + h)
    n = 9
    dims = (d0,) + (h,) * (L - 1) + (dL,)
    W0 = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    assert uniform_hidden(W0)
    M = rng.standard_normal((n, dL, d0)) * 3
    a = rng.uniform(0.5, 2.0, size=n)
    b = rng.uniform(0.05, 0.5, size=n)
    eta = np.where(np.arange(n) % 2 == 0, 0.02, 5.0)  # large steps: rejections, η halvings, non-finite trials
    got, want = _both(monkeypatch, W0, M, a, b, eta, 300)
    assert len(got) == len(want) == L
    assert all(np.array_equal(g, w) for g, w in zip(got, want))
    got, want = _both(monkeypatch, W0, M[0], 1.5, 0.2, 0.01, 200)  # shared target, scalar a, b, η
    assert all(np.array_equal(g, w) for g, w in zip(got, want))


@pytest.mark.parametrize("dims", [(3, 2), (2, 1, 2), (3, 4, 2), (3, 2, 1, 2, 3), (2, 3, 1, 4, 2, 3), (3, 3, 3)])
def test_flat_descent_identical_to_layer_by_layer(monkeypatch, dims):
    """Any widths (``monotone_flat``), and the uniform ones when not stacked."""
    rng = np.random.default_rng(sum(dims) * 10 + len(dims))
    n, L = 9, len(dims) - 1
    W0 = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    M = rng.standard_normal((n, dims[-1], dims[0])) * 3
    a = rng.uniform(0.5, 2.0, size=n)
    b = rng.uniform(0.05, 0.5, size=n)
    eta = np.where(np.arange(n) % 2 == 0, 0.02, 5.0)
    monkeypatch.setattr(descent, "uniform_hidden", lambda Ws: False)
    got, want = _both(monkeypatch, W0, M, a, b, eta, 300)
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))
    got, want = _both(monkeypatch, W0, M[0], 1.5, 0.2, 0.01, 200)
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))


def test_uniform_hidden_shapes():
    z = lambda r, c: np.zeros((2, r, c))  # noqa: E731
    assert uniform_hidden([z(4, 3), z(4, 4), z(3, 4)])
    assert not uniform_hidden([z(4, 3), z(3, 4)])  # L = 2: nothing to stack
    assert not uniform_hidden([z(4, 3), z(2, 4), z(3, 2)])  # hidden widths 4, 2
    assert not uniform_hidden([np.zeros((4, 3)), np.zeros((4, 4)), np.zeros((3, 4))])  # not batched


def test_objective_unchecked_equals_objective():
    from verify.landscape.deep_matrix import objective, objective_unchecked
    rng = np.random.default_rng(5)
    for L in (1, 2, 4):
        dims = (3,) + (4,) * (L - 1) + (2,)
        Ws = [rng.standard_normal((dims[l + 1], dims[l])) for l in range(L)]
        M = rng.standard_normal((2, 3))
        a, b = float(rng.uniform(0.5, 2)), float(rng.uniform(0.05, 0.5))
        assert float(objective_unchecked(Ws, M, a, b)) == float(objective(Ws, M, a, b))
