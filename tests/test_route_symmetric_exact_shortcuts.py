"""Exact shortcuts of the L3/L4 symbolic checks against the direct SymPy computations they replace."""
from __future__ import annotations

import itertools

import sympy as sp

from verify.symbolic.exact_linalg import diagonal_blocks
from verify.symbolic.symmetric import factored_charpoly, stationary_hessian_eigenframe

x = sp.Symbol("x")


def test_block_charpoly_equals_factor_of_full_charpoly_on_eigenframe_hessians() -> None:
    c = sp.Rational(1, 4)
    for n, r in ((2, 1), (2, 2), (3, 2)):
        for k in range(r + 1):
            for S in itertools.combinations(range(n), k):
                H = stationary_hessian_eigenframe(n, r, S, c, rotate=False)
                assert factored_charpoly(H, x) == sp.factor(H.charpoly(x).as_expr())


def test_block_charpoly_on_permuted_blocks_and_dense_matrices() -> None:
    a, b = sp.symbols("a b", positive=True)
    blocks = sp.diag(sp.Matrix([[a, b], [b, a]]), sp.Matrix([[a ** 2]]), sp.Matrix([[1, a, 0], [a, 2, b], [0, b, 3]]))
    perm = [3, 0, 5, 1, 4, 2]
    P = sp.Matrix(6, 6, lambda i, j: 1 if perm[i] == j else 0)
    H = P * blocks * P.T
    assert sorted(map(len, diagonal_blocks(H))) == [1, 2, 3]
    assert sp.expand(factored_charpoly(H, x) - H.charpoly(x).as_expr()) == 0
    dense = sp.Matrix([[2, 1, 1], [1, a, 1], [1, 1, b]])
    assert diagonal_blocks(dense) == [[0, 1, 2]]
    assert factored_charpoly(dense, x) == sp.factor(dense.charpoly(x).as_expr())
    # a one-sided nonzero (not symmetric) still joins its block
    U = sp.Matrix([[1, a], [0, 2]])
    assert diagonal_blocks(U) == [[0, 1]]


def test_flint_eigenframe_equals_sympy_ring_route() -> None:
    import pytest

    from verify.symbolic import symmetric as ss
    from verify.symbolic import symmetric_flint

    if not symmetric_flint.available():
        pytest.skip("python-flint without fmpq_mpoly: the SymPy ring route is the only one")
    c = sp.Rational(1, 4)
    for rotate in (True, False):
        for n, r in ((2, 1), (2, 2), (3, 2)):
            _, _, hess = ss.derivatives(n, r, c)
            for k in range(r + 1):
                for S in itertools.combinations(range(n), k):
                    R, values, (P, d, Q, e) = ss._ring_stationary_values(n, r, S, rotate)
                    ring = ss.eigenframe_ring(hess, values, P, d, Q, e, R, n, r)
                    assert ss.stationary_hessian_eigenframe.uncached(n, r, S, c, rotate) == ring


def test_exact_rank_and_zero_test_agree_with_simplify_route() -> None:
    from verify.symbolic.exact_linalg import exact_rank, is_zero_exactly

    c = sp.Rational(1, 4)
    for n, r in ((2, 2), (3, 2), (3, 3)):
        for p in range(1, n + 1):
            for k in range(min(r, p) + 1):
                S = tuple(range(p - k, p))
                H = stationary_hessian_eigenframe(n, r, S, c, rotate=False)
                H = H.xreplace({sp.Symbol(f"sigma_{j + 1}", positive=True): 0 for j in range(p, n)})
                assert exact_rank(H) == H.rank(simplify=True)
    s, t = sp.symbols("s t", positive=True)
    singular = sp.Matrix([[s, t], [s ** 2 * t, s * t ** 2]])
    assert exact_rank(singular) == 1 and exact_rank(sp.Matrix([[s, t], [t, s]])) == 2
    assert is_zero_exactly(sp.Matrix([(s + t) ** 2 - s ** 2 - 2 * s * t - t ** 2, 0]))
    assert not is_zero_exactly(sp.Matrix([s - t, 0]))
    # entries outside Q(σ) take SymPy's simplify route
    assert exact_rank(sp.Matrix([[sp.sin(s) ** 2 + sp.cos(s) ** 2, 1], [1, 1]])) == 1
    assert is_zero_exactly(sp.Matrix([sp.sin(s) ** 2 + sp.cos(s) ** 2 - 1]))


def test_flint_stationary_gradient_equals_sympy_ring_route() -> None:
    from verify.symbolic import symmetric as ss

    c = sp.Rational(1, 4)
    for n, r in ((2, 2), (3, 2)):
        _, grad, _ = ss.derivatives(n, r, c)
        for S in ((), (0,), (1, 2)[: min(r, n - 1)], (0, 1)):
            for scale in (sp.Integer(1), sp.Rational(3, 2)):
                R, values, _ = ss._ring_stationary_values(n, r, S, True, scale)
                ring = sp.Matrix(n, r, lambda a, k: ss._eval_poly(grad[a, k], list(values), values, R).as_expr())
                assert ss.stationary_gradient(n, r, S, c, rotate=True, scale=scale) == ring


def test_roots_of_factored_equals_factor_list_route_as_multisets() -> None:
    from verify.symbolic.symmetric import _roots_by_factor_list, roots_of_factored

    s, t = sp.symbols("s t", positive=True)
    key = sp.default_sort_key
    cases = [(x - 1) * (x ** 2 - 2), (x ** 2 - 1) * (x - 3) ** 2, 3 * (x - s) ** 2 * (x + 2),
             sp.expand((x - 1) * (x - 2)), x, sp.Integer(5), x ** 2 + 1, (2 * x - s) * (t * x + 1)]
    c = sp.Rational(1, 4)
    for n, r in ((2, 2), (3, 2)):
        for k in range(r + 1):
            for S in itertools.combinations(range(n), k):
                cases.append(factored_charpoly(stationary_hessian_eigenframe(n, r, S, c, rotate=False), x))
    for poly in cases:
        fast, slow = roots_of_factored(poly, x), _roots_by_factor_list(poly, x)
        assert (fast is None) == (slow is None)
        if fast is not None:
            assert sorted(fast, key=key) == sorted(slow, key=key)


def test_ring_derivatives_equal_sympy_diff_and_expand() -> None:
    from verify.symbolic.symmetric import derivatives, entry_symbols

    for n, r in ((1, 1), (2, 1), (2, 2), (3, 2)):
        for c in (sp.Rational(1, 4), sp.Rational(3, 7)):
            F, grad, hess = derivatives(n, r, c)
            X, _ = entry_symbols(n, r)
            xs = list(X)
            ref_grad = sp.Matrix(n, r, [sp.expand(F.diff(v)) for v in xs])
            assert grad == ref_grad
            assert hess == sp.Matrix(n * r, n * r, lambda i, j: sp.expand(ref_grad[i].diff(xs[j])))


def test_factor_polynomial_equals_sympy_factor() -> None:
    """``factor_polynomial`` (Poly.factor_list, no Expr passes) builds the same expression as ``sp.factor``:
    rational contents, negative leading coefficients, repeated and constant factors, the eigenframe blocks at
    several c, and the claim's closed forms perturbed."""
    from verify.symbolic.exact_linalg import factor_polynomial

    s1, s2, s3 = (sp.Symbol(f"sigma_{i}", positive=True) for i in (1, 2, 3))
    polys = [x - s1 ** 2 / 2, -x + 3 * s2 ** 2 - s1 ** 2, (x - s1 ** 2 + s2 ** 2) ** 2 * (2 * x + s3) / 7,
             x ** 2 - (s1 ** 2 + s2 ** 2) * x + s1 ** 2 * s2 ** 2, sp.Rational(-3, 4) * x ** 3 + x,
             x ** 2 - 2 * s1 ** 2 * x / 3 - s2 ** 4, (x + 1) * (x - 1) * (x ** 2 + s1), x - 5, 4 * x]
    for c in (sp.Rational(1, 4), sp.Rational(1, 3), sp.Rational(5, 7), sp.Integer(2)):
        for n, r in ((2, 1), (2, 2), (3, 1), (3, 2)):
            for k in range(r + 1):
                for S in itertools.combinations(range(n), k):
                    H = stationary_hessian_eigenframe(n, r, S, c)
                    polys += [H.extract(b, b).charpoly(x).as_expr() for b in diagonal_blocks(H)]
    for p in polys:
        want = sp.factor(p)
        got = factor_polynomial(p)
        assert got == want and str(got) == str(want), (p, got, want)


def test_linear_factor_root_equals_poly_and_cancel() -> None:
    """The memoized root of each factor is the one the inline Poly/all_coeffs/cancel route computed."""
    from verify.symbolic.exact_linalg import linear_factor_root

    s1, s2 = sp.symbols("sigma_1 sigma_2", positive=True)
    facs = [x - s1 ** 2 / 3 + s2 ** 2, 2 * x + s1 ** 2, x, sp.Integer(7), x ** 2 - s1, -x + 4 * s1 * s2 - 1]
    for c in (sp.Rational(1, 4), sp.Rational(2, 3)):
        for n, r in ((2, 1), (2, 2), (3, 2)):
            for k in range(r + 1):
                for S in itertools.combinations(range(n), k):
                    poly = factored_charpoly(stationary_hessian_eigenframe(n, r, S, c), x)
                    facs += [arg.as_base_exp()[0] for arg in sp.Mul.make_args(poly)]
    for fac in facs:
        p = sp.Poly(fac, x)
        degree, root = linear_factor_root(fac, x)
        assert degree == p.degree()
        if degree == 1:
            a, b = p.all_coeffs()
            want = sp.cancel(-b / a)
            assert root == want and str(root) == str(want)
        else:
            assert root is None
