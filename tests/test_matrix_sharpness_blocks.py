"""The block structure behind §K8, from the definition: at the diagonal minimizer W_l = diag(ρ_1, ρ_2) (2×2
layers, target from stationarity) the Hessian (SymPy second derivatives of F, no hand formula) does not couple the
off-diagonal entries with the diagonal ones, and the off-diagonal block has eigenvalues 0 (×(L−1), the orbit),
2b (×(L−1)) and μ± = a·h_(L−1)(ρ_1², ρ_2²) + b·(1 ± h_(L−2)(ρ_1², ρ_2²)/(ρ_1ρ_2)^(L−2)). Depth 2 with symbolic
ρ, a, b; depths 3–7 at rational data through the exact expansion of the definition (the two routes agree on the
entries, tests/test_matrix_sharpness.py checks the expansion against the hand-derived Hessian)."""
import pytest
import sympy as sp

from verify.claims.matrix_common import sym_layers, sym_objective
from verify.claims.matrix_sharpness import h
from verify.landscape.matrix_hessian_exact import exact_hessian

t = sp.Symbol("t")
a, b, p, q = sp.symbols("a b p q", positive=True)


def _pair_block(L, pv, qv, av, bv):
    Ws = sym_layers((2,) * (L + 1))
    M = sp.diag(pv ** L + bv / av * pv ** (2 - L), qv ** L + bv / av * qv ** (2 - L))
    F = sym_objective(Ws, M, av, bv)
    point = {}
    for W in Ws:
        point.update({W[0, 0]: pv, W[1, 1]: qv, W[0, 1]: 0, W[1, 0]: 0})
    pair = [W[0, 1] for W in Ws] + [W[1, 0] for W in Ws]
    diag = [W[0, 0] for W in Ws] + [W[1, 1] for W in Ws]
    H = sp.Matrix(2 * L, 2 * L, lambda i, j: sp.expand(sp.diff(F, pair[i], pair[j]).xreplace(point)))
    cross = [sp.expand(sp.diff(F, x, y).xreplace(point)) for x in pair for y in diag]
    grad = [sp.simplify(sp.diff(F, x).xreplace(point)) for x in pair + diag]
    return H, cross, grad


def _expected(L, pv, qv, av, bv):
    ratio = h(pv ** 2, qv ** 2, L - 2) / (pv * qv) ** (L - 2)
    mu_plus = av * h(pv ** 2, qv ** 2, L - 1) + bv * (1 + ratio)
    mu_minus = av * h(pv ** 2, qv ** 2, L - 1) + bv * (1 - ratio)
    return t ** (L - 1) * (t - 2 * bv) ** (L - 1) * (t - mu_plus) * (t - mu_minus)


def test_depth_two_symbolic():
    H, cross, grad = _pair_block(2, p, q, a, b)
    assert all(c == 0 for c in cross) and all(g == 0 for g in grad)
    assert sp.expand(H.charpoly(t).as_expr() - sp.expand(_expected(2, p, q, a, b))) == 0


def _pair_block_exact(L, pv, qv, av, bv):
    """The same block from the exact expansion of the definition (rational data; parameters row-major per layer:
    entry (0, 1) of layer l is 4l + 1, entry (1, 0) is 4l + 2)."""
    Ws = [sp.diag(pv, qv) for _ in range(L)]
    M = sp.diag(pv ** L + bv / av * pv ** (2 - L), qv ** L + bv / av * qv ** (2 - L))
    grad, H = exact_hessian(Ws, M, av, bv)
    pair = [4 * l + 1 for l in range(L)] + [4 * l + 2 for l in range(L)]
    diag = [4 * l for l in range(L)] + [4 * l + 3 for l in range(L)]
    return H.extract(pair, pair), [H[i, j] for i in pair for j in diag], list(grad)


@pytest.mark.parametrize("L, pv, qv", [(3, sp.Rational(3, 2), sp.Rational(7, 5)), (4, sp.Rational(5, 4), sp.Rational(1, 2)),
                                       (5, sp.Rational(6, 5), sp.Rational(6, 5)),
                                       (7, sp.Rational(11, 10), sp.Rational(3, 2))])
def test_rational_depths(L, pv, qv):
    av, bv = sp.Integer(2), sp.Rational(1, 3)
    H, cross, grad = _pair_block_exact(L, pv, qv, av, bv)
    assert all(c == 0 for c in cross) and all(g == 0 for g in grad)
    assert sp.expand(H.charpoly(t).as_expr() - sp.expand(_expected(L, pv, qv, av, bv))) == 0


@pytest.mark.parametrize("L", [2, 3, 4, 6])
def test_block_of_a_dropped_direction(L):
    # direction 2 dropped (ρ_2 = 0, σ_2 below its threshold): the block of entries (0, 1), (1, 0) of all layers has
    # eigenvalues 0 and 2b (once per hidden space) and a·ρ^(2L−2) + b ± a·σ_2·ρ^(L−2)
    av, pv = sp.Integer(2), sp.Rational(5, 4)
    bv = av / (L - 2) if L >= 3 else av / 2           # ρ* = 1 for L ≥ 3
    sigma2 = sp.Rational(L - 1, L - 2) * sp.Rational(9, 10) if L >= 3 else bv / av / 3
    Ws = [sp.diag(pv, 0) for _ in range(L)]
    M = sp.diag(pv ** L + bv / av * pv ** (2 - L), sigma2)
    grad, H = exact_hessian(Ws, M, av, bv)
    pair = [4 * l + 1 for l in range(L)] + [4 * l + 2 for l in range(L)]
    diag = [4 * l for l in range(L)] + [4 * l + 3 for l in range(L)]
    assert all(g == 0 for g in grad) and all(H[i, j] == 0 for i in pair for j in diag)
    top = av * pv ** (2 * L - 2) + bv
    expected = t ** (L - 1) * (t - 2 * bv) ** (L - 1) * (t - top - av * sigma2 * pv ** (L - 2)) * (
        t - top + av * sigma2 * pv ** (L - 2))
    assert sp.expand(H.extract(pair, pair).charpoly(t).as_expr() - sp.expand(expected)) == 0
