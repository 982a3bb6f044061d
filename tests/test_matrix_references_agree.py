"""The two hand-derived matrix routes (kernels.reference, landscape.deep_matrix) agree with each other."""
import numpy as np
import pytest

from verify.kernels import reference
from verify.landscape import deep_matrix


@pytest.mark.parametrize("dims", [(2, 3), (3, 2, 2), (2, 3, 2, 3)])
def test_hand_routes_agree(dims):
    rng = np.random.default_rng(len(dims))
    L = len(dims) - 1
    Ws = [rng.standard_normal((dims[l + 1], dims[l])) for l in range(L)]
    Vs = [rng.standard_normal(W.shape) for W in Ws]
    M = rng.standard_normal((dims[-1], dims[0]))
    a, b = 2.0, 0.3
    batch = [W[None] for W in Ws]
    A, B = np.array([a]), np.array([b])  # the batched route takes per-instance coefficients
    H1 = reference.hessian(batch, M[None], A, B)[0]
    H2 = deep_matrix.hessian(Ws, M, a, b)
    tol = 64 * L * np.finfo(float).eps * np.abs(H1).max()
    assert np.abs(H1 - H2).max() <= tol
    g1 = np.concatenate([g[0].ravel() for g in reference.gradient(batch, M[None], A, B)])
    g2 = np.concatenate([g.ravel() for g in deep_matrix.gradient(Ws, M, a, b)])
    assert np.abs(g1 - g2).max() <= tol
    hv1 = np.concatenate([h[0].ravel() for h in reference.hvp(batch, M[None], [V[None] for V in Vs], A, B)])
    hv2 = np.concatenate([h.ravel() for h in deep_matrix.hvp(Ws, M, Vs, a, b)])
    assert np.abs(hv1 - hv2).max() <= tol * (1 + max(np.abs(V).max() for V in Vs))
