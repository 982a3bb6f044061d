"""verify.invariance.symbolic_defects (one substitution per group element, Hessian identity on j >= i) against
the full entrywise comparison it replaced, on true symmetries and on maps that are not symmetries."""
from __future__ import annotations

import numpy as np
import sympy as sp

from verify import invariance as inv
from verify.claims.invariance_examples import EXAMPLES, SPECS


def _reference(obj, Gs):
    """The full d x d comparison, substituting x -> Gx anew for every polynomial."""
    xs = sp.symbols(f"x0:{obj.dim}", real=True)
    R, *gens = sp.ring(xs, sp.QQ)
    f = R(sp.expand(obj.sym_f(xs)))
    d = len(gens)
    grad = [f.diff(v) for v in gens]
    H = [[g.diff(v) for v in gens] for g in grad]
    q = lambda v: sp.QQ.convert(sp.Rational(v))  # noqa: E731

    def subs(p, G):
        return p.compose([(gens[i], sum((q(G[i, j]) * gens[j] for j in range(d)), R.zero)) for i in range(d)])
    out = {"value": 0, "gradient": 0, "hessian": 0, "tangent": 0}
    for G in Gs:
        Gi = G.inv()
        out["value"] += subs(f, G) != f
        out["gradient"] += any(subs(grad[i], G) != sum((q(Gi[j, i]) * grad[j] for j in range(d)), R.zero)
                               for i in range(d))
        HGi = [[sum((H[i][k] * q(Gi[k, j]) for k in range(d)), R.zero) for j in range(d)] for i in range(d)]
        out["hessian"] += any(subs(H[i][j], G) != sum((q(Gi[k, i]) * HGi[k][j] for k in range(d)), R.zero)
                              for i in range(d) for j in range(d))
    return out


def test_symbolic_defects_equal_the_full_comparison():
    rng = np.random.default_rng(0)
    for key in EXAMPLES:
        for ex in SPECS[key].build_symbolic(rng):
            d = ex.objective.dim
            true = ex.group.exact_sample(np.random.default_rng(1), 2)
            wrong = [sp.eye(d) * 2, sp.diag(*([1] * (d - 1) + [sp.Rational(3, 2)])),
                     sp.eye(d) + sp.Matrix(d, d, lambda i, j: int(j == i + 1))]
            for Gs in (true, wrong):
                got = inv.symbolic_defects(ex.objective, Gs)
                assert got == _reference(ex.objective, Gs), (key, got)
            assert inv.symbolic_defects(ex.objective, true)["hessian"] == 0
            assert inv.symbolic_defects(ex.objective, wrong)["hessian"] >= 1


def test_deep_linear_hessian_blocks_equal_kron():
    """The deep-linear Hessian's diagonal blocks are exactly 2 kron(W2^T W2, I_n) and 2 kron(I_m, W1 W1^T)."""
    rng = np.random.default_rng(4)
    U, V = np.linalg.qr(rng.standard_normal((3, 3)))[0], np.linalg.qr(rng.standard_normal((3, 3)))[0]
    ex = inv.deep_linear(U, np.array([3.2, 2.1, 1.3]), V, 2)
    d1 = 2 * 3
    for _ in range(50):
        x = rng.standard_normal(ex.objective.dim)
        W1, W2 = x[:d1].reshape(2, 3), x[d1:].reshape(3, 2)
        H = ex.objective.hess(x)
        assert np.array_equal(H[:d1, :d1], 2 * np.kron(W2.T @ W2, np.eye(3)))
        assert np.array_equal(H[d1:, d1:], 2 * np.kron(np.eye(3), W1 @ W1.T))
        assert np.array_equal(H[d1:, :d1], H[:d1, d1:].T)
        assert np.allclose(H, inv.fd_hessian(ex.objective.grad, x, 1e-5), atol=1e-6)
