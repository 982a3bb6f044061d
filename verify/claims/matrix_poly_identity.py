"""The balancedness identities in free symbols, in SymPy's sparse polynomial ring instead of ``Expr`` trees.

The identities of §K3 (plain and weighted) are polynomial identities in the layer entries, the target, a, b and the
weights c_l: the gradient by entrywise differentiation of F, then dD/dt + rate·b·D^c (and W_(l+1)ᵀG_(l+1) −
G_lW_lᵀ − b·D^c) must be the zero polynomial. ``sp.ring`` holds each polynomial in its expanded canonical form, so
``== 0`` is the same test as ``sp.expand(...) == 0`` on the same polynomial, at a fraction of the cost
(``tests/test_route_balance_poly_identity.py`` compares the two on correct and wrong constants). Exponents and rates that
are not non-negative integers / rationals return ``None`` (callers keep the ``Expr`` route for them).
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy as sp

Mat = list[list[Any]]


def _mul(X: Mat, Y: Mat) -> Mat:
    return [[sum((X[i][k] * Y[k][j] for k in range(len(Y))), X[0][0].ring.zero) for j in range(len(Y[0]))]
            for i in range(len(X))]


def _tr(X: Mat) -> Mat:
    return [list(c) for c in zip(*X)]


def _lin(*terms: tuple[Any, Mat]) -> Mat:
    """Σ coefficient·matrix, entrywise."""
    rows, cols = len(terms[0][1]), len(terms[0][1][0])
    return [[sum((c * X[i][j] for c, X in terms), terms[0][1][0][0].ring.zero) for j in range(cols)]
            for i in range(rows)]


def _exact_rational(x: object) -> sp.Rational | None:
    e = sp.sympify(x)
    return e if e.is_Rational else None


def _ring_objective(dims: Sequence[int], weighted: bool) -> tuple[Any, dict[str, Any], list[Mat], Mat, list[Any], Any]:
    """F = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ c_l||W_l||² in the sparse polynomial ring over QQ in every entry, m, a, b
    (and c_l when ``weighted``; else c_l = 1): (ring, generators by name, layers, target, weights, F)."""
    L = len(dims) - 1
    names = [[[f"w{l + 1}_{i}{j}" for j in range(dims[l])] for i in range(dims[l + 1])] for l in range(L)]
    mnames = [[f"m_{i}{j}" for j in range(dims[0])] for i in range(dims[-1])]
    cnames = [f"c{l + 1}" for l in range(L)] if weighted else []
    flat = [n for W in names for row in W for n in row] + [n for row in mnames for n in row] + ["a", "b"] + cnames
    R, *gens = sp.ring(",".join(flat), sp.QQ)
    g = dict(zip(flat, gens))
    Ws = [[[g[n] for n in row] for row in W] for W in names]
    M = [[g[n] for n in row] for row in mnames]
    a, b = g["a"], g["b"]
    cs = [g[n] for n in cnames] if weighted else [R.one] * L
    P = Ws[0]
    for W in Ws[1:]:
        P = _mul(W, P)
    F = a / 2 * sum((x * x for row in _lin((R.one, P), (-R.one, M)) for x in row), R.zero) + \
        b / 2 * sum((c * sum((x * x for row in W for x in row), R.zero) for c, W in zip(cs, Ws)), R.zero)
    return R, g, Ws, M, cs, F


def gradient_at(Ws: Sequence[sp.Matrix], M: sp.Matrix, a: object, b: object) -> list[sp.Matrix]:
    """∇_lF at an exact rational point, F = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||², by differentiating F entry
    by entry in the polynomial ring and evaluating the derivative there (no closed form of the gradient)."""
    dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    R, g, Wr, _, _, F = _ring_objective(dims, weighted=False)
    point = {f"w{l + 1}_{i}{j}": W[i, j] for l, W in enumerate(Ws) for i in range(W.shape[0]) for j in range(W.shape[1])}
    point.update({f"m_{i}{j}": M[i, j] for i in range(M.shape[0]) for j in range(M.shape[1])})
    point.update(a=a, b=b)
    values = [(g[name], sp.QQ.convert(sp.Rational(v))) for name, v in point.items()]
    out = []
    for l, W in enumerate(Wr):
        out.append(sp.Matrix([[sp.Rational(F.diff(x).evaluate(values)) for x in row] for row in W]))
    return out


def balance_residuals(dims: Sequence[int], rate: object, power: object = 1,
                      weighted: bool = False) -> list[tuple[int, str, list[sp.Expr]]] | None:
    """For each adjacent pair l (0-based) the nonzero residual entries (as ``Expr``) of the flow identity
    dD/dt + rate·b·D^c (and, ``weighted``, of W_(l+1)ᵀG_(l+1) − G_lW_lᵀ − b·D^c), with F = (a/2)||W_L⋯W_1 − M||² +
    (b/2)Σ c_l||W_l||² (c_l = 1 unless ``weighted``), G = ∇F by entrywise differentiation and
    D^c = c_(l+1)^power·W_(l+1)ᵀW_(l+1) − c_l^power·W_lW_lᵀ. Returns ``None`` when rate is not rational or power
    not a non-negative integer; ``rate=None`` checks only W_(l+1)ᵀG_(l+1) − G_lW_lᵀ = b·D^c. Residual names:
    "flow", "identity"."""
    r = None if rate is None else _exact_rational(rate)
    k = _exact_rational(power)
    if (r is None and rate is not None) or k is None or not k.is_integer or k < 0:
        return None
    L = len(dims) - 1
    R, g, Ws, _, cs, F = _ring_objective(dims, weighted)
    b = g["b"]
    Gs = [[[F.diff(x) for x in row] for row in W] for W in Ws]
    out = []
    for l in range(L - 1):
        X, Y = _mul(_tr(Ws[l + 1]), Ws[l + 1]), _mul(Ws[l], _tr(Ws[l]))
        Dc = _lin((cs[l + 1] ** int(k), X), (-cs[l] ** int(k), Y))
        checks = []
        if weighted or rate is None:
            checks.append(("identity", _lin((R.one, _mul(_tr(Ws[l + 1]), Gs[l + 1])), (-R.one, _mul(Gs[l], _tr(Ws[l]))),
                                            (-b, Dc))))
        if rate is not None:
            dD = _lin((-R.one, _mul(_tr(Gs[l + 1]), Ws[l + 1])), (-R.one, _mul(_tr(Ws[l + 1]), Gs[l + 1])),
                      (R.one, _mul(Gs[l], _tr(Ws[l]))), (R.one, _mul(Ws[l], _tr(Gs[l]))))
            checks.append(("flow", _lin((R.one, dD), (R(r) * b, Dc))))
        for name, res in checks:
            out.append((l, name, [e.as_expr() for row in res for e in row if e != 0]))
    return out
