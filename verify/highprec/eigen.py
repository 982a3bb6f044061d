"""Symmetric eigenvalues at the caller's working precision, on plain lists (no ``mpmath.matrix``).

Why: ``mpmath.eigsy`` spends most of its time in ``mpmath.matrix`` indexing (~2·10³ Python calls per
12×12 matrix), not in arithmetic. The same backward-stable algorithm family — Householder reduction to a
symmetric tridiagonal T = QᵀHQ, then the implicit QL iteration with Wilkinson shifts (Numerical Recipes'
tred2/tqli, eigenvalues only) — on lists of ``gmpy2.mpfr`` at the precision of ``mpmath.mp.prec`` is
10–30× faster. Errors: both steps are orthogonal similarity transforms in floating point, so each computed
eigenvalue is an exact eigenvalue of H + E with ||E|| ≲ c·n·2^(−prec)·||H|| (the same bound as eigsy).
The route is independent of SymPy and of every closed form; the tests cross-check it against eigsy.

``scalar_hessian`` is the deep scalar problem's Hessian by the product rule (the same formulas as
``verify.highprec.scalar.hessian``: H_ii = a·P_i² + b, H_ij = a·P_i·P_j + a(P − m)·P_ij), built with
prefix/suffix products in O(L²) instead of O(L³) and without division (exact at zero layers).

Inputs are mpf (or anything mpmath converts exactly); outputs are mpf at the working precision. Call inside
``mpmath.workdps``/``workprec``; nothing here sets a global precision (gmpy2 runs in a local context).
"""
from __future__ import annotations

from typing import Sequence

import gmpy2
import mpmath
from mpmath import mpf

__all__ = ["gmpy2_precision", "scalar_hessian", "scalar_hessian_eigenvalues", "symmetric_eigenvalues"]


def _working_context():
    """A gmpy2 context at mpmath's working precision, entered locally (``gmpy2_precision``)."""
    return gmpy2_precision(mpmath.mp.prec)


def gmpy2_precision(prec: int):
    """A gmpy2 context of ``prec`` bits to enter with ``with`` (the global gmpy2 context is untouched;
    ``local_context`` is deprecated from gmpy2 2.2 on, where a context is itself a context manager)."""
    if hasattr(gmpy2, "get_context") and tuple(int(x) for x in gmpy2.version().split(".")[:2]) >= (2, 2):
        return gmpy2.context(gmpy2.get_context(), precision=prec)
    return gmpy2.local_context(gmpy2.context(), precision=prec)


def _to_mpfr(x) -> gmpy2.mpfr:
    """An mpf as an mpfr, exactly (its mantissa has at most mp.prec bits; the context holds that many)."""
    sign, man, exp, _ = mpmath.mpf(x)._mpf_
    v = gmpy2.mul_2exp(gmpy2.mpfr(man), exp)
    return -v if sign else v


def _to_mpf(x: gmpy2.mpfr) -> mpf:
    """An mpfr as an mpf, exactly (then rounded to the working precision, which is the mpfr's precision)."""
    if gmpy2.is_zero(x):
        return mpf(0)
    man, exp = x.as_mantissa_exp()
    return mpf((int(man), int(exp)))


def _tridiagonalize(A: list[list]) -> tuple[list, list]:
    """Householder reduction of the symmetric A (lower triangle used, overwritten) to diagonal d and
    subdiagonal e (e[i] couples i and i + 1, e[n−1] = 0): tred2 without the eigenvector accumulation."""
    n = len(A)
    zero = gmpy2.mpfr(0)
    d, e = [zero] * n, [zero] * n
    for i in range(n - 1, 0, -1):
        l = i - 1
        h = zero
        if l > 0:
            row = A[i]
            scale = sum((abs(row[k]) for k in range(l + 1)), zero)
            if scale == 0:
                e[i] = row[l]
            else:
                for k in range(l + 1):
                    row[k] /= scale
                    h += row[k] * row[k]
                f = row[l]
                g = -gmpy2.copy_sign(gmpy2.sqrt(h), f)
                e[i] = scale * g
                h -= f * g
                row[l] = f - g
                f = zero
                for j in range(l + 1):
                    g = zero
                    for k in range(j + 1):
                        g += A[j][k] * row[k]
                    for k in range(j + 1, l + 1):
                        g += A[k][j] * row[k]
                    e[j] = g / h
                    f += e[j] * row[j]
                hh = f / (h + h)
                for j in range(l + 1):
                    f = row[j]
                    e[j] = g = e[j] - hh * f
                    Aj = A[j]
                    for k in range(j + 1):
                        Aj[k] -= f * e[k] + g * row[k]
        else:
            e[i] = A[i][l]
        d[i] = h
    for i in range(n):
        d[i] = A[i][i]
    sub = e[1:] + [zero]
    return d, sub


def _tql(d: list, e: list) -> list:
    """Eigenvalues of the symmetric tridiagonal (d, e) by implicit QL with Wilkinson shifts (tqli); d is
    overwritten. An off-diagonal entry is negligible when adding it to |d_m| + |d_m+1| changes nothing at the
    working precision (the standard deflation test, scale-free)."""
    n = len(d)
    for l in range(n):
        for it in range(64 * n + 64):
            m = l
            while m < n - 1:
                dd = abs(d[m]) + abs(d[m + 1])
                if abs(e[m]) + dd == dd:
                    break
                m += 1
            if m == l:
                break
            g = (d[l + 1] - d[l]) / (2 * e[l])
            r = gmpy2.hypot(g, 1)
            g = d[m] - d[l] + e[l] / (g + gmpy2.copy_sign(r, g))
            s = c = gmpy2.mpfr(1)
            p = gmpy2.mpfr(0)
            i = m - 1
            deflated = False
            while i >= l:
                f = s * e[i]
                b = c * e[i]
                r = gmpy2.hypot(f, g)
                e[i + 1] = r
                if r == 0:
                    d[i + 1] -= p
                    e[m] = gmpy2.mpfr(0)
                    deflated = True
                    break
                s = f / r
                c = g / r
                g = d[i + 1] - p
                r = (d[i] - g) * s + 2 * c * b
                p = s * r
                d[i + 1] = g + p
                g = c * r - b
                i -= 1
            if deflated:
                continue
            d[l] -= p
            e[l] = g
            e[m] = gmpy2.mpfr(0)
        else:
            raise ArithmeticError("symmetric QL iteration did not converge")
    return d


def symmetric_eigenvalues(H) -> list[mpf]:
    """Eigenvalues of the real symmetric H (an n×n ``mpmath.matrix`` or list of rows), ascending, at the working
    precision ``mpmath.mp.prec``. Only the lower triangle is read."""
    rows = H.tolist() if isinstance(H, mpmath.matrix) else H
    n = len(rows)
    if n == 0:
        return []
    with _working_context():
        A = [[_to_mpfr(rows[i][j]) for j in range(i + 1)] for i in range(n)]
        if n == 1:
            return [_to_mpf(A[0][0])]
        d, e = _tridiagonalize(A)
        values = sorted(_tql(d, e))
        return [_to_mpf(v) for v in values]


def scalar_hessian(w: Sequence[mpf], m: mpf, a: mpf, b: mpf) -> list[list[mpf]]:
    """Hessian of F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σw_l² by the product rule, as a full list of rows of mpf."""
    return _product_rule_hessian([mpmath.mpf(x) for x in w], m, a, b, mpf(1))


def _product_rule_hessian(w: list, m, a, b, one) -> list[list]:
    """H_ii = a·P_i² + b, H_ij = a·P_i·P_j + a(P − m)·P_ij with P_i = ∏_{k≠i} w_k, P_ij = ∏_{k≠i,j} w_k, from
    prefix and suffix products (O(L²), no division), in the arithmetic of ``one`` (mpf, or gmpy2 mpfr in the
    current gmpy2 context)."""
    n = len(w)
    prefix, suffix = [one] * (n + 1), [one] * (n + 1)
    for i in range(n):
        prefix[i + 1] = prefix[i] * w[i]
        suffix[n - 1 - i] = suffix[n - i] * w[n - 1 - i]
    P = prefix[n]
    Pi = [prefix[i] * suffix[i + 1] for i in range(n)]
    r = a * (P - m)
    H = [[one] * n for _ in range(n)]
    for i in range(n):
        H[i][i] = a * Pi[i] ** 2 + b
        between = prefix[i]  # w_0⋯w_(i−1) times w_(i+1)⋯w_(j−1)
        for j in range(i + 1, n):
            H[i][j] = H[j][i] = a * Pi[i] * Pi[j] + r * (between * suffix[j + 1])
            between *= w[j]
    return H


def scalar_hessian_eigenvalues(w: Sequence[mpf], m: mpf, a: mpf, b: mpf, structured: bool = True) -> list[mpf]:
    """Eigenvalues of ``scalar_hessian``, ascending, at the working precision (replaces
    ``verify.highprec.scalar.hessian_eigenvalues`` in the claims: the same Hessian, built and diagonalized in
    gmpy2 at ``mpmath.mp.prec`` bits).

    ``structured``: when every |w_l| is the same (a balanced point, 0 included) the computed Hessian is first
    tested for the form D_s(c·11ᵀ + (d − c)·I)D_s (``_balanced_eigenvalues``); only a matrix that passes takes
    that form's eigenvalues, every other one (and ``structured=False``) goes through Householder + QL."""
    n = len(w)
    if n == 0:
        return []
    with _working_context():
        W = [_to_mpfr(x) for x in w]
        A = _product_rule_hessian(W, _to_mpfr(m), _to_mpfr(a), _to_mpfr(b), gmpy2.mpfr(1))
        if n == 1:
            return [_to_mpf(A[0][0])]
        if structured:
            values = _balanced_eigenvalues(A, W)
            if values is not None:
                return [_to_mpf(v) for v in values]
        d, e = _tridiagonalize(A)
        return [_to_mpf(v) for v in sorted(_tql(d, e))]


def _balanced_eigenvalues(A: list[list], w: list) -> list | None:
    """Eigenvalues of the symmetric A (n ≥ 2, mpfr, in the working gmpy2 context) when it is, up to rounding, of
    the form D_s(c·11ᵀ + (d − c)·I)D_s with s = sign(w) (s = 1 at w = 0); None when |w_l| differ or A is not of
    that form within 64·n·2^(−prec)·(|d| + (n − 1)|c|).

    Why it holds: B = D_s·A·D_s (exact sign flips) is split as B = M + E, M = c·11ᵀ + (d − c)·I with d, c the means
    of B's diagonal and off-diagonal. M's eigenvalues are d − c (×(n − 1), on 1^⊥) and d + (n − 1)c (on 1); D_s
    is orthogonal, so by Weyl's inequality the k-th eigenvalue of A is within ‖E‖₂ ≤ ‖E‖_F of the k-th of M. The
    acceptance bound is of the size of Householder + QL's own backward error (c·n·2^(−prec)·‖A‖), so the result
    is as accurate as that route's. At a balanced point w = ρ·s the scalar Hessian has exactly this form:
    P_i = σ·s_i·ρ^(L−1), P_ij = σ·s_i·s_j·ρ^(L−2) (σ = ∏s), so s_i·s_j·H_ij = a·ρ^(2L−2) + a(P − m)·σ·ρ^(L−2)
    off the diagonal and a·ρ^(2L−2) + b on it (docs/mathematics.md §K4)."""
    n = len(A)
    radius = abs(w[0])
    if any(abs(x) != radius for x in w):
        return None
    s = [1 if radius == 0 or x > 0 else -1 for x in w]
    diag = [A[i][i] for i in range(n)]
    off = [A[i][j] if s[i] == s[j] else -A[i][j] for i in range(n) for j in range(i)]
    d = gmpy2.fsum(diag) / n  # correctly rounded sums: a running sum of n² terms would lose ~log2(n²) bits
    c = gmpy2.fsum(off) / len(off)
    err = gmpy2.fsum([(x - d) ** 2 for x in diag]) + 2 * gmpy2.fsum([(x - c) ** 2 for x in off])
    scale = abs(d) + (n - 1) * abs(c)
    bound = gmpy2.mul_2exp(scale * 64 * n, -gmpy2.get_context().precision)
    if not gmpy2.sqrt(err) <= bound:
        return None
    return sorted([d - c] * (n - 1) + [d + (n - 1) * c])
