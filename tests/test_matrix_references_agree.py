"""The suite's one hand-derived matrix reference (verify.landscape.deep_matrix) against an independent route:
SymPy differentiating the objective entry by entry at a rational point (exact), and its batched forms against
its single-instance forms."""
import numpy as np
import pytest
import sympy as sp

from verify.landscape import deep_matrix


def _rational_point(rng, dims):
    L = len(dims) - 1
    q = lambda shape: sp.Matrix(*shape, lambda i, j: sp.Rational(int(rng.integers(-40, 41)), 16))
    return [q((dims[l + 1], dims[l])) for l in range(L)], q((dims[-1], dims[0]))


@pytest.mark.parametrize("dims", [(2, 3), (3, 2, 2), (2, 3, 2, 3)])
def test_reference_matches_sympy_entrywise_derivatives(dims):
    rng = np.random.default_rng(len(dims))
    L = len(dims) - 1
    Ws_q, M_q = _rational_point(rng, dims)
    Vs_q, _ = _rational_point(rng, dims)
    a, b = sp.Integer(2), sp.Rational(3, 10)
    syms = [sp.Matrix(dims[l + 1], dims[l], lambda i, j, l=l: sp.Symbol(f"w{l}_{i}{j}")) for l in range(L)]
    flat = [w for W in syms for w in W]  # row-major per layer, layer by layer: the reference's order
    P = syms[0]
    for W in syms[1:]:
        P = W * P
    F = a / 2 * sum(x ** 2 for x in P - M_q) + b / 2 * sum(w ** 2 for w in flat)
    at = dict(zip(flat, [v for W in Ws_q for v in W]))
    dF = [sp.diff(F, w) for w in flat]
    grad = [g.xreplace(at) for g in dF]
    H = sp.Matrix(len(flat), len(flat), lambda i, j: sp.diff(dF[i], flat[j]).xreplace(at))
    v = sp.Matrix([x for V in Vs_q for x in V])
    hv = H * v

    f = lambda Xs: [np.array(X.tolist(), dtype=float) for X in Xs]  # rationals with denominator 16: exact in float64
    Ws, Vs, M = f(Ws_q), f(Vs_q), np.array(M_q.tolist(), dtype=float)
    H_ref = deep_matrix.hessian(Ws, M, 2.0, 0.3)
    g_ref = deep_matrix.flatten(deep_matrix.gradient(Ws, M, 2.0, 0.3))
    hv_ref = deep_matrix.flatten(deep_matrix.hvp(Ws, M, Vs, 2.0, 0.3))
    H_ex = np.array(H.tolist(), dtype=float)
    # every entry is a sum of ≤ 2·max(d)·P products of ≤ 2L float64 factors: rounding ≲ (2L + max d)·eps relative
    # to the largest term; 64× that bound relative to max|H| (b = 0.3 is the only inexact input, ~eps relative)
    tol = 64 * (2 * L + max(dims)) * np.finfo(float).eps
    assert np.abs(H_ref - H_ex).max() <= tol * np.abs(H_ex).max()
    assert np.abs(g_ref - np.array(grad, dtype=float)).max() <= tol * max(np.abs(np.array(grad, dtype=float)).max(), 1)
    hv_ex = np.array(hv, dtype=float).ravel()
    assert np.abs(hv_ref - hv_ex).max() <= tol * np.abs(H_ex).max() * np.abs(np.array(v, dtype=float)).sum()
    F_ex = float(F.xreplace(at))
    assert abs(float(deep_matrix.objective(Ws, M, 2.0, 0.3)) - F_ex) <= tol * abs(F_ex)


def test_perturbed_reference_is_caught():
    # the comparison above can fail: a Hessian off by 1e-6 in one entry exceeds its tolerance
    dims = (2, 2, 2)
    rng = np.random.default_rng(5)
    Ws = [rng.standard_normal((2, 2)) for _ in range(2)]
    M = rng.standard_normal((2, 2))
    H = deep_matrix.hessian(Ws, M, 2.0, 0.3)
    bad = H.copy()
    bad[0, 1] += 1e-6 * np.abs(H).max()
    tol = 64 * (2 * 2 + max(dims)) * np.finfo(float).eps
    assert np.abs(bad - H).max() > tol * np.abs(H).max()


@pytest.mark.parametrize("dims", [(2, 3), (3, 2, 2), (2, 3, 2, 3)])
def test_batched_forms_match_single_instances(dims):
    rng = np.random.default_rng(10 + len(dims))
    L, n = len(dims) - 1, 3
    Ws = [rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    M = rng.standard_normal((n, dims[-1], dims[0]))
    a, b = np.array([2.0, 1.0, 2.0]), np.array([0.3, 0.7, 1.1])
    H = deep_matrix.hessian(Ws, M, a, b)
    G = deep_matrix.gradient(Ws, M, a, b)
    F = deep_matrix.objective(Ws, M, a, b)
    for i in range(n):
        one = [W[i] for W in Ws]
        assert np.array_equal(H[i], deep_matrix.hessian(one, M[i], a[i], b[i]))
        assert np.allclose(deep_matrix.flatten([g[i] for g in G]),
                           deep_matrix.flatten(deep_matrix.gradient(one, M[i], a[i], b[i])), rtol=1e-15, atol=0)
        assert F[i] == pytest.approx(float(deep_matrix.objective(one, M[i], a[i], b[i])), rel=1e-15)
