"""The suite's closed forms of the Hessian trace of the deep matrix objective (docs/mathematics.md §K6),
written once, with the claimed constants as parameters so a perturbed claim runs through the same checks.

F(W) = (a/2)||W_L⋯W_1 − M||_F² + (b/2)Σ||W_l||_F²; A_l = W_L⋯W_(l+1) (A_L = I), B_l = W_(l−1)⋯W_1 (B_1 = I).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import sympy as sp

from .closed_form import exact
from .matrix_common import fro2


def width_term(dims: Sequence[int]) -> int:
    """Σ_l d_l·d_(l−1): the number of parameters, which the regularizer adds (times b) to the trace."""
    return sum(int(dims[l]) * int(dims[l + 1]) for l in range(len(dims) - 1))


def trace_formula(Ws: Sequence[Any], a: Any, b: Any, constant: Any = 1) -> Any:
    """Claimed exact trace at any point: constant·a·Σ_l ||A_l||_F²·||B_l||_F² + b·Σ_l d_l·d_(l−1).

    F is quadratic in each coordinate w = (W_l)_ij with ∂²F/∂w² = a·||A_l e_i||²·||e_jᵀB_l||² + b. Works on
    SymPy matrices (exact, ``constant`` read exactly), on NumPy arrays (float64) and on python-flint arb matrices
    (balls at the caller's precision, ``constant`` enclosed rigorously; ``a``, ``b`` balls).
    """
    if isinstance(Ws[0], (sp.MatrixBase, np.ndarray)):
        symbolic = isinstance(Ws[0], sp.MatrixBase)
        eye, mul, norm2 = (sp.eye if symbolic else np.eye), (lambda x, y: x @ y), fro2
        k = exact(constant) if symbolic else float(constant)
        dims = [Ws[0].shape[1]] + [W.shape[0] for W in Ws]
    else:  # arb_mat: no @, no shape
        import flint

        from ..certified.arb import enclose

        def eye(n: int) -> Any:
            out = flint.arb_mat(n, n)
            for i in range(n):
                out[i, i] = 1
            return out

        mul, k = (lambda x, y: x * y), enclose(exact(constant), {})  # a ball, also for sqrt(2) or pi
        norm2 = lambda X: sum((X[i, j] * X[i, j] for i in range(X.nrows()) for j in range(X.ncols())),  # noqa: E731
                              flint.arb(0))  # x·x, not x**2: arb's power of a ball around 0 is nan
        dims = [Ws[0].ncols()] + [W.nrows() for W in Ws]
    L = len(Ws)
    data = 0
    for l in range(L):
        A = eye(dims[-1])
        for j in range(L - 1, l, -1):
            A = mul(A, Ws[j])
        B = eye(dims[0])
        for j in range(l):
            B = mul(Ws[j], B)
        data += norm2(A) * norm2(B)
    return k * a * data + b * width_term(dims)


def balanced_layers(s: np.ndarray, dims: Sequence[int]) -> list[np.ndarray]:
    """The aligned balanced point with end-to-end singular values s: W_l = diag(s^(1/L)) padded to d_l × d_(l−1)."""
    L = len(dims) - 1
    root = s[s > 0] ** (1.0 / L)
    Ws = []
    for l in range(L):
        W = np.zeros((dims[l + 1], dims[l]))
        W[np.arange(root.size), np.arange(root.size)] = root
        Ws.append(W)
    return Ws


def trace_at_minimizer(s: np.ndarray, dims: tuple[int, ...], a: float, b: float, constant: float = 1.0) -> float:
    """The claimed trace at a minimizer with end-to-end singular values s: ``trace_formula`` at the aligned
    balanced point with those singular values (layer singular values s^(1/L), K3 and K5), i.e.
    a·[(d_0 + d_L)·S_(L−1) + Σ_(l=2)^(L−1) S_(L−l)·S_(l−1)] + b·Σ d_l d_(l−1), S_k = Σ_i s_i^(2k/L)."""
    return trace_formula(balanced_layers(np.asarray(s, dtype=float), dims), a, b, constant)


def trace_lower_bound(s: Sequence[Any], dims: tuple[int, ...], a: Any, b: Any, bound_constant: Any = 1.0) -> Any:
    """The suite's lower bound at minimizers: bound_constant·a·(d_0 + d_L + L − 2)·Σ s_i^(2−2/L) + b·Σ d_l d_(l−1)
    (from S_α·S_β ≥ S_(α+β) for the middle layers); tight iff rank P* ≤ 1 or L ≤ 2. Exact (``bound_constant`` read
    exactly) when ``a`` is a SymPy expression, float64 otherwise."""
    L = len(dims) - 1
    if isinstance(a, sp.Basic):
        k, power = exact(bound_constant), 2 - sp.Rational(2, L)
        data = dims[0] * dims[1] if L == 1 else (dims[0] + dims[-1] + L - 2) * sum(x ** power for x in s)
        return k * a * data + b * width_term(dims)
    if L == 1:
        return bound_constant * a * dims[0] * dims[1] + b * width_term(dims)
    s = np.asarray(s, dtype=float)
    s = s[s > 0]
    return bound_constant * a * (dims[0] + dims[-1] + L - 2) * float(np.sum(s ** (2.0 - 2.0 / L))) + b * width_term(dims)
