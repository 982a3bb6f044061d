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


def _truncate(p, gens_count: int):
    """Drop the monomials of total degree > 2 (their coefficients never reach the Hessian)."""
    return p.ring.from_dict({m: c for m, c in p.items() if sum(m) <= 2}) if gens_count else p


def expand_second_order(Ws: Sequence[sp.Matrix], M: sp.Matrix, a, b, domain=QQ) -> tuple[list, list[list]]:
    """(gradient, Hessian) of F at W as nested lists of domain elements.

    ``Ws`` are SymPy matrices (W_l of shape d_l × d_(l−1)) with entries convertible to ``domain``
    (rationals for ``QQ``; mpf or numbers for ``RealField``); ``M`` is d_L × d_0.
    """
    Ws = [sp.Matrix(W) for W in Ws]
    M = sp.Matrix(M)
    for l in range(1, len(Ws)):
        if Ws[l].shape[1] != Ws[l - 1].shape[0]:
            raise UsageError(f"layer {l + 1} has {Ws[l].shape[1]} columns but layer {l} has {Ws[l - 1].shape[0]} rows")
    if M.shape != (Ws[-1].shape[0], Ws[0].shape[1]):
        raise UsageError(f"target shape {M.shape} does not match the product of the layers")
    n = sum(W.rows * W.cols for W in Ws)
    R, *gens = ring(",".join(f"v{k}" for k in range(n)), domain)
    conv = domain.convert if domain is QQ else (lambda x: domain(sp.Float(x, domain.dps) if not isinstance(x, sp.Basic) else x.evalf(domain.dps)))
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
    grad, H = expand_second_order(Ws, M, sp.Rational(a), sp.Rational(b), QQ)
    return (sp.Matrix([QQ.to_sympy(g) for g in grad]),
            sp.Matrix(len(H), len(H), lambda i, j: QQ.to_sympy(H[i][j])))


def real_field(dps: int):
    """The SymPy real domain carrying ``dps`` decimal digits (for ``expand_second_order``)."""
    return RealField(dps=dps)


def charpoly(H: sp.Matrix) -> sp.Poly:
    """The characteristic polynomial det(x·I − H) of a rational matrix, exactly (DomainMatrix over QQ)."""
    from sympy.polys.matrices import DomainMatrix

    x = sp.Symbol("x")
    coeffs = DomainMatrix.from_Matrix(H).convert_to(QQ).charpoly()
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
