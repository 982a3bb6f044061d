"""The paper's printed formulas, transcribed once (claims under test, never expected values)."""
from __future__ import annotations

import sympy as sp

from verify.symbolic.scalar import L_sym, mabs


def tau(m: sp.Expr = mabs, L: sp.Expr = L_sym) -> sp.Expr:
    """τ(m, L) = ( |m| / ((1 − q/2)·(1 − q)^((q−1)/(2−q))) )^(2−q), q = 2/L (as printed)."""
    q = 2 / sp.sympify(L)
    return (m / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 - q)


def tau_at(m: sp.Expr, depth: int) -> sp.Expr | None:
    """τ at a concrete depth; None at L = 1 where the formula divides by zero (q = 2).

    At L = 2 the factor (1 − q)^((q−1)/(2−q)) is 0^0; it is read as 1, its limit as q → 1.
    """
    if depth == 1:
        return None
    if depth == 2:
        return sp.Integer(2) * m
    return sp.simplify(tau(m, sp.Integer(depth)))
