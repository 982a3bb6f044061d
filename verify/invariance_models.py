"""The examples of the invariance theory (Li et al. 2019; docs/mathematics.md §L7): real and complex phase
retrieval and the two-layer linear network with GL(h) inserted between the layers, each an ``Objective`` with
hand-derived gradient and Hessian, its symmetry group and its constructed stationary points. The identities
they are checked against are in ``verify.invariance`` (which re-exports these constructors). Every example's
arithmetic uses only +, *, @ and ** so the same code runs on float64 arrays and on object arrays of mpmath
numbers (the high-precision tier).
"""
from __future__ import annotations

import itertools
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from .errors import UsageError
from .invariance import (
    Array, Example, Objective, check_matrix, check_point, gl_insertion_group, sign_group, u1_group,
)


def _sqrt(a: Array) -> Array:
    return a ** 0.5


def real_phase_retrieval(A: Array, z: Array) -> Example:
    """f(x) = sum_k ((a_k.x)^2 - y_k)^2 with y_k = (a_k.z)^2; symmetry x -> -x.

    grad = 4 sum r_k (a_k.x) a_k, hess = sum (12 (a_k.x)^2 - 4 y_k) a_k a_k^T, r_k = (a_k.x)^2 - y_k.
    """
    A = check_matrix(A, "A")
    n = A.shape[1]
    z = check_point(z, n, "z")
    y = (A @ z) ** 2

    def f(x: Array) -> float:
        return ((A @ x) ** 2 - y) @ ((A @ x) ** 2 - y)

    def grad(x: Array) -> Array:
        b = A @ x
        return 4 * (A.T @ ((b * b - y) * b))

    def hess(x: Array) -> Array:
        b = A @ x
        return A.T @ ((12 * b * b - 4 * y)[:, None] * A)

    def sym_f(xs: Sequence[sp.Symbol]) -> sp.Expr:
        Am, zz = _exact(A), sp.Matrix([_exact_scalar(v) for v in z])
        X = sp.Matrix(xs)
        return sum(((Am[k, :] * X)[0] ** 2 - (Am[k, :] * zz)[0] ** 2) ** 2 for k in range(Am.rows))

    obj = Objective("real phase retrieval", n, f, grad, hess, sym_f)
    return Example(obj, sign_group(n), (("0", 0 * z), ("z (global min)", z), ("-z (global min)", -z)))


def realify(fc: Callable[[Array], object], n: int) -> Callable[[Array], object]:
    """Turn a function of a complex n-vector into one of its real representation (Re x, Im x)."""
    return lambda v: fc(v[:n] + 1j * v[n:])


def complex_phase_retrieval(A: Array, z: Array) -> Example:
    """f(x) = sum_k (|(Ax)_k|^2 - y_k)^2, y = |Az|^2, x in C^n; symmetry U(1), in R^{2n}.

    With v = (Re x, Im x): (Ax)_k = p_k.v + i q_k.v, P = [Re A, -Im A], Q = [Im A, Re A];
    grad = 4(P^T(r Pv) + Q^T(r Qv)), hess = 4 P^T r P + 4 Q^T r Q + 8 sum g_k g_k^T, g_k = p_k (p_k.v) + q_k (q_k.v).
    """
    A = np.asarray(A)
    if A.dtype != object:
        A = check_matrix(A, "A", allow_complex=True).astype(complex)
    n = A.shape[1]
    zc = np.asarray(z)
    if zc.shape != (n,):
        raise UsageError(f"z must have shape ({n},), got {zc.shape}")
    if zc.dtype != object and not np.all(np.isfinite(zc)):
        raise UsageError("z contains NaN or infinity")
    Ar = np.vectorize(lambda c: c.real, otypes=[object if A.dtype == object else float])(A)
    Ai = np.vectorize(lambda c: c.imag, otypes=[object if A.dtype == object else float])(A)
    P = np.hstack([Ar, -Ai])
    Q = np.hstack([Ai, Ar])
    zr = np.concatenate([np.vectorize(lambda c: c.real, otypes=[zc.dtype if zc.dtype == object else float])(zc),
                         np.vectorize(lambda c: c.imag, otypes=[zc.dtype if zc.dtype == object else float])(zc)])
    y = (P @ zr) ** 2 + (Q @ zr) ** 2

    def fc(x: Array) -> float:
        b = A @ x
        r = np.abs(b) ** 2 - y
        return float(np.real(r @ r)) if A.dtype != object else r @ r

    def grad(v: Array) -> Array:
        p, q = P @ v, Q @ v
        r = p * p + q * q - y
        return 4 * (P.T @ (r * p) + Q.T @ (r * q))

    def hess(v: Array) -> Array:
        p, q = P @ v, Q @ v
        r = p * p + q * q - y
        Gk = P * p[:, None] + Q * q[:, None]
        return 4 * (P.T @ (r[:, None] * P) + Q.T @ (r[:, None] * Q)) + 8 * (Gk.T @ Gk)

    def sym_f(xs: Sequence[sp.Symbol]) -> sp.Expr:
        Pm, Qm = _exact(P), _exact(Q)
        Z, X = sp.Matrix([_exact_scalar(v) for v in zr]), sp.Matrix(xs)
        return sum(((Pm[k, :] * X)[0] ** 2 + (Qm[k, :] * X)[0] ** 2
                    - (Pm[k, :] * Z)[0] ** 2 - (Qm[k, :] * Z)[0] ** 2) ** 2 for k in range(Pm.rows))

    obj = Objective("complex phase retrieval", 2 * n, realify(fc, n), grad, hess, sym_f)
    return Example(obj, u1_group(n), (("0", 0 * zr), ("z (global min)", zr), ("e^{i} z (global min)", _rot(zr, n))))


def _rot(v: Array, n: int) -> Array:
    """e^{i theta} x in the real representation for theta with cos = 3/5, sin = 4/5 (exact)."""
    c, s = 3 * (v[0] * 0 + 1) / 5, 4 * (v[0] * 0 + 1) / 5
    return np.concatenate([c * v[:n] - s * v[n:], s * v[:n] + c * v[n:]])


def deep_linear(U: Array, s: Array, V: Array, h: int) -> Example:
    """f(W1, W2) = ||W2 W1 - M||_F^2, M = U diag(s) V^T (U: m x k, V: n x k orthonormal), W1: h x n.

    x = (vec W1, vec W2) row-major. grad: (2 W2^T E, 2 E W1^T), E = W2 W1 - M. Hessian quadratic form
    2||W2 D1 + D2 W1||^2 + 4<E, D2 D1>, so H11 = 2 W2^T W2 (x) I_n, H22 = 2 I_m (x) W1 W1^T,
    H12[(i,c),(a,b)] = 2 (W2[a,i] W1[b,c] + E[a,c] delta_ib).
    Stationary points by construction: W1 = sqrt(s_S) V_S^T, W2 = U_S sqrt(s_S) for |S| <= h.
    """
    U, V = check_matrix(U, "U"), check_matrix(V, "V")
    s = np.asarray(s)
    if s.dtype != object and (s.ndim != 1 or not np.all(np.isfinite(s))):
        raise UsageError("s must be a finite 1-d array")
    if isinstance(h, bool) or not isinstance(h, int) or h <= 0:
        raise UsageError(f"h must be a positive integer, got {h!r}")
    m, k = U.shape
    n = V.shape[0]
    if V.shape[1] != k or s.shape != (k,):
        raise UsageError("U, s, V shapes disagree")
    M = (U * s[None, :]) @ V.T
    d1 = h * n

    def split(x: Array) -> tuple[Array, Array]:
        return x[:d1].reshape(h, n), x[d1:].reshape(m, h)

    def f(x: Array) -> float:
        W1, W2 = split(x)
        E = W2 @ W1 - M
        return (E * E).sum()

    def grad(x: Array) -> Array:
        W1, W2 = split(x)
        E = W2 @ W1 - M
        return np.concatenate([(2 * W2.T @ E).ravel(), (2 * E @ W1.T).ravel()])

    def hess(x: Array) -> Array:
        W1, W2 = split(x)
        E = W2 @ W1 - M
        one = W1[0, 0] * 0 + 1
        A, B = W2.T @ W2, W1 @ W1.T
        In, Im = np.eye(n) * one, np.eye(m) * one
        t1 = np.einsum("ai,bc->icab", W2, W1) if x.dtype != object else _outer4(W2, W1)
        t2 = np.einsum("ac,ib->icab", E, np.eye(h)) if x.dtype != object else _outer4e(E, h)
        H12 = 2 * (t1 + t2).reshape(d1, m * h)
        # kron(A, I_n) and kron(I_m, B) entrywise (one product per entry, as np.kron), written into one block
        # matrix without np.kron/np.block's Python overhead
        H = np.empty((d1 + m * h, d1 + m * h), dtype=H12.dtype)
        H[:d1, :d1] = 2 * (A[:, None, :, None] * In[None, :, None, :]).reshape(d1, d1)
        H[d1:, d1:] = 2 * (Im[:, None, :, None] * B[None, :, None, :]).reshape(m * h, m * h)
        H[:d1, d1:] = H12
        H[d1:, :d1] = H12.T
        return H

    def sym_f(xs: Sequence[sp.Symbol]) -> sp.Expr:
        W1 = sp.Matrix(h, n, xs[:d1])
        W2 = sp.Matrix(m, h, xs[d1:])
        E = W2 * W1 - _exact(M)
        return sum(e ** 2 for e in E)

    obj = Objective("deep linear network", d1 + m * h, f, grad, hess, sym_f)
    pts: list[tuple[str, Array]] = []
    zero = 0 * np.concatenate([np.zeros(d1, dtype=U.dtype), np.zeros(m * h, dtype=U.dtype)]) if U.dtype != object \
        else np.array([U[0, 0] * 0] * (d1 + m * h), dtype=object)
    pts.append(("W = 0", zero))
    order = list(range(k))
    for size in range(1, min(h, k) + 1):
        for S in itertools.combinations(order, size):
            S = list(S)
            r = _sqrt(s[S])
            W1 = zero[:d1].reshape(h, n).copy()
            W2 = zero[d1:].reshape(m, h).copy()
            W1[:size] = r[:, None] * V[:, S].T
            W2[:, :size] = U[:, S] * r[None, :]
            top = S == order[:size] and size == min(h, k)
            pts.append((f"S={S}" + (" (global min)" if top else ""), np.concatenate([W1.ravel(), W2.ravel()])))
    return Example(obj, gl_insertion_group(h, n, m), tuple(pts))


def _outer4(W2: Array, W1: Array) -> Array:
    m, h = W2.shape
    n = W1.shape[1]
    out = np.empty((h, n, m, h), dtype=object)
    for i, c, a, b in itertools.product(range(h), range(n), range(m), range(h)):
        out[i, c, a, b] = W2[a, i] * W1[b, c]
    return out


def _outer4e(E: Array, h: int) -> Array:
    m, n = E.shape
    out = np.empty((h, n, m, h), dtype=object)
    for i, c, a, b in itertools.product(range(h), range(n), range(m), range(h)):
        out[i, c, a, b] = E[a, c] if i == b else E[a, c] * 0
    return out


def _exact_scalar(v: object) -> sp.Expr:
    if isinstance(v, (int, np.integer)):
        return sp.Integer(int(v))
    return sp.Rational(float(v))


def _exact(a: Array) -> sp.Matrix:
    a = np.atleast_2d(a)
    return sp.Matrix([[_exact_scalar(v) for v in row] for row in a])
