"""The Hessian of the deep matrix objective by exact expansion of its definition (no derivative formula).

F(W + V) = (a/2)·||(W_L + V_L)⋯(W_1 + V_1) − M||² + (b/2)·Σ||W_l + V_l||² is expanded as a polynomial in
the entries of V, keeping terms of degree ≤ 2 after every matrix product; the degree-1 coefficients are
the gradient and the degree-2 coefficients the Hessian at W. The arithmetic is that of a SymPy domain:
``QQ`` (exact, rational data) or ``RealField`` (high precision). This route shares nothing with the
hand-derived ``verify.landscape.deep_matrix.hessian``: it is the definition, multiplied out. Parameters
are ordered as there (layer by layer, each row-major).
"""
from __future__ import annotations

from typing import Sequence

import sympy as sp
from sympy.polys.domains import QQ, RealField
from sympy.polys.rings import ring

from ..errors import UsageError


class _Quad:
    """A polynomial of total degree ≤ 2 in the entries v_k of V, truncated: c + Σ lin[k]·v_k + Σ quad[(i, j)]·v_i·v_j
    (i ≤ j). Monomials are ints and index pairs, so a product costs O(terms), not O(terms·n) as with monomial
    exponent tuples in a polynomial ring over all n variables."""

    __slots__ = ("c", "lin", "quad")

    def __init__(self, c, lin: dict | None = None, quad: dict | None = None) -> None:
        self.c, self.lin, self.quad = c, lin if lin is not None else {}, quad if quad is not None else {}


def _affine_times(w, k: int, p: _Quad) -> _Quad:
    """(w + v_k)·p truncated to degree 2: w·c + (w·lin + c·v_k) + (w·quad + v_k·lin)."""
    lin = {i: w * x for i, x in p.lin.items()}
    lin[k] = lin[k] + p.c if k in lin else p.c
    quad = {ij: w * x for ij, x in p.quad.items()}
    for i, x in p.lin.items():
        ij = (i, k) if i <= k else (k, i)
        quad[ij] = quad[ij] + x if ij in quad else x
    return _Quad(w * p.c, lin, quad)


def _add_into(acc: _Quad, p: _Quad) -> None:
    acc.c = acc.c + p.c
    for i, x in p.lin.items():
        acc.lin[i] = acc.lin[i] + x if i in acc.lin else x
    for ij, x in p.quad.items():
        acc.quad[ij] = acc.quad[ij] + x if ij in acc.quad else x


def _square(p: _Quad) -> _Quad:
    """p² truncated to degree 2: c² + 2c·lin + (2c·quad + lin⊗lin)."""
    two_c = p.c + p.c
    lin = {i: two_c * x for i, x in p.lin.items()}
    quad = {ij: two_c * x for ij, x in p.quad.items()}
    items = sorted(p.lin.items())
    for u, (i, x) in enumerate(items):
        sq = x * x
        quad[(i, i)] = quad[(i, i)] + sq if (i, i) in quad else sq
        for j, y in items[u + 1:]:
            t = x * y
            t = t + t
            quad[(i, j)] = quad[(i, j)] + t if (i, j) in quad else t
    return _Quad(p.c * p.c, lin, quad)


def expand_second_order(Ws: Sequence[sp.Matrix], M: sp.Matrix, a, b, domain=QQ) -> tuple[list, list[list]]:
    """(gradient, Hessian) of F at W as nested lists of domain elements.

    ``Ws`` are SymPy matrices (W_l of shape d_l × d_(l−1)) with entries convertible to ``domain``
    (rationals for ``QQ``; mpf or numbers for ``RealField``); ``M`` is d_L × d_0. The products
    (W_l + V_l)·P are multiplied out entry by entry, each truncated to degree 2 in V (``_Quad``); the
    earlier polynomial-ring route (``_expand_second_order_ring``) gives the same coefficients (tests).
    """
    Ws, M = _checked(Ws, M)
    conv = _converter(domain)
    zero = domain.zero
    n = sum(W.rows * W.cols for W in Ws)
    Wv, pos = [], 0
    for W in Ws:
        Wv.append([[(conv(W[i, j]), pos + i * W.cols + j) for j in range(W.cols)] for i in range(W.rows)])
        pos += W.rows * W.cols
    P = [[_Quad(w, {k: domain.one}) for w, k in row] for row in Wv[0]]
    for Wl in Wv[1:]:  # P <- (W_l + V_l)·P, truncated to degree 2
        nxt = []
        for row in Wl:
            out_row = []
            for j in range(len(P[0])):
                acc = _Quad(zero)
                for kk, (w, k) in enumerate(row):
                    _add_into(acc, _affine_times(w, k, P[kk][j]))
                out_row.append(acc)
            nxt.append(out_row)
        P = nxt
    av, bv = conv(a), conv(b)
    half_a, half_b = av / 2, bv / 2
    grad = [zero] * n
    H = [[zero] * n for _ in range(n)]
    F = _Quad(zero)
    for i in range(M.rows):
        for j in range(M.cols):
            r = P[i][j]
            _add_into(F, _square(_Quad(r.c - conv(M[i, j]), r.lin, r.quad)))
    F = _Quad(F.c * half_a, {k: x * half_a for k, x in F.lin.items()}, {ij: x * half_a for ij, x in F.quad.items()})
    for Wl in Wv:  # (b/2)(w + v_k)² = (b/2)w² + b·w·v_k + (b/2)·v_k²
        for row in Wl:
            for w, k in row:
                _add_into(F, _Quad(w * w * half_b, {k: (w + w) * half_b}, {(k, k): domain.one * half_b}))
    for k, x in F.lin.items():
        grad[k] = x
    for (i, j), x in F.quad.items():
        if i == j:
            H[i][i] = 2 * x
        else:
            H[i][j] = H[j][i] = x
    return grad, H


def _checked(Ws: Sequence[sp.Matrix], M: sp.Matrix) -> tuple[list[sp.Matrix], sp.Matrix]:
    """The layers and target as SymPy matrices; UsageError when their shapes do not chain."""
    Ws = [sp.Matrix(W) for W in Ws]
    M = sp.Matrix(M)
    for l in range(1, len(Ws)):
        if Ws[l].shape[1] != Ws[l - 1].shape[0]:
            raise UsageError(f"layer {l + 1} has {Ws[l].shape[1]} columns but layer {l} has {Ws[l - 1].shape[0]} rows")
    if M.shape != (Ws[-1].shape[0], Ws[0].shape[1]):
        raise UsageError(f"target shape {M.shape} does not match the product of the layers")
    return Ws, M


def _converter(domain):
    """Entry -> domain element: exact for QQ; for RealField at its precision (SymPy numbers evaluated there)."""
    if domain is QQ:
        return domain.convert
    return lambda x: domain(sp.Float(x, domain.dps) if not isinstance(x, sp.Basic) else x.evalf(domain.dps))


def _truncate(p, gens_count: int):
    """Drop the monomials of total degree > 2 (their coefficients never reach the Hessian)."""
    return p.ring.from_dict({m: c for m, c in p.items() if sum(m) <= 2}) if gens_count else p


def _expand_second_order_ring(Ws: Sequence[sp.Matrix], M: sp.Matrix, a, b, domain=QQ) -> tuple[list, list[list]]:
    """``expand_second_order`` by SymPy's sparse polynomial ring in all n entries of V (the earlier route, kept
    as the tests' cross-check: slower, the same coefficients)."""
    Ws, M = _checked(Ws, M)
    n = sum(W.rows * W.cols for W in Ws)
    R, *gens = ring(",".join(f"v{k}" for k in range(n)), domain)
    conv = _converter(domain)
    Vs, pos = [], 0
    for W in Ws:
        Vs.append([[R(conv(W[i, j])) + gens[pos + i * W.cols + j] for j in range(W.cols)] for i in range(W.rows)])
        pos += W.rows * W.cols
    P = Vs[0]
    for Wl in Vs[1:]:  # P <- (W_l + V_l)·P, truncated to degree 2
        P = [[_truncate(sum((Wl[i][k] * P[k][j] for k in range(len(P))), R.zero), n) for j in range(len(P[0]))]
             for i in range(len(Wl))]
    av, bv = conv(a), conv(b)
    F = R.zero
    for i in range(M.rows):
        for j in range(M.cols):
            r = P[i][j] - R(conv(M[i, j]))
            F += _truncate(r * r, n) * (av / 2)
    for Wl in Vs:
        for row in Wl:
            for x in row:
                F += x * x * (bv / 2)
    grad = [domain.zero] * n
    H = [[domain.zero] * n for _ in range(n)]
    for mono, c in F.items():
        idx = [k for k, e in enumerate(mono) for _ in range(e)]
        if len(idx) == 1:
            grad[idx[0]] = c
        elif len(idx) == 2:
            i, j = idx
            if i == j:
                H[i][i] = 2 * c
            else:
                H[i][j] = H[j][i] = c
    return grad, H


def exact_hessian(Ws: Sequence[sp.Matrix], M: sp.Matrix, a, b) -> tuple[sp.Matrix, sp.Matrix]:
    """(gradient column, Hessian) with exact rational entries (all data rational)."""
    from sympy.polys.matrices import DomainMatrix

    grad, H = expand_second_order(Ws, M, sp.Rational(a), sp.Rational(b), QQ)
    n = len(H)
    # DomainMatrix -> Matrix keeps the QQ entries as the Matrix's internal representation (no sympify per entry)
    return (DomainMatrix([[g] for g in grad], (n, 1), QQ).to_Matrix(),
            DomainMatrix([list(row) for row in H], (n, n), QQ).to_Matrix())


def real_field(dps: int):
    """The SymPy real domain carrying ``dps`` decimal digits (for ``expand_second_order``)."""
    return RealField(dps=dps)


def charpoly(H: sp.Matrix) -> sp.Poly:
    """The characteristic polynomial det(x·I − H) of a rational matrix, exactly (DomainMatrix over QQ)."""
    from sympy.polys.matrices import DomainMatrix

    x = sp.Symbol("x")
    dm = H.to_DM() if hasattr(H, "to_DM") else DomainMatrix.from_Matrix(H)  # to_DM: SymPy ≥ 1.13, no sympify
    coeffs = dm.convert_to(QQ).charpoly()
    return sp.Poly([QQ.to_sympy(c) for c in coeffs], x, domain=QQ)


def largest_root_interval(cp: sp.Poly, width: sp.Rational = sp.Rational(1, 10 ** 40)) -> tuple[sp.Rational, sp.Rational]:
    """An exact isolating interval [lo, hi] of the largest real root of ``cp`` (a symmetric matrix's charpoly has
    only real roots), refined to relative width ``width``."""
    intervals = cp.intervals()
    (lo, hi), _ = max(intervals, key=lambda iv: iv[0][1])
    while hi - lo > width * max(abs(lo), abs(hi), 1):
        lo, hi = cp.refine_root(lo, hi, eps=width * max(abs(lo), abs(hi), 1))
    return sp.Rational(lo), sp.Rational(hi)


def root_position(cp: sp.Poly, value: sp.Rational) -> tuple[int, int]:
    """(multiplicity of ``value`` as a root of ``cp``, number of roots strictly above it), exactly."""
    x = cp.gens[0]
    q, mult = cp, 0
    factor = sp.Poly(x - value, x, domain=QQ)
    while True:
        quo, rem = q.div(factor)
        if not rem.is_zero:
            break
        q, mult = quo, mult + 1
    above = q.count_roots(value, None) if q.degree() > 0 else 0
    return mult, int(above)
