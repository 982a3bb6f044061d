"""The paper's printed formulas, transcribed once (claims under test, never expected values).

τ is written out only in ``tau``; the float64 and mpmath evaluators (``tau_evaluators``) are derived
from that expression by ``lambdify``, so an error in the transcription reaches every tier.
"""
from __future__ import annotations

import functools

import sympy as sp

from verify.claims.closed_form import Evaluators
from verify.symbolic.scalar import L_sym, mabs


def tau(m: sp.Expr = mabs, L: sp.Expr = L_sym) -> sp.Expr:
    """τ(m, L) = ( |m| / ((1 − q/2)·(1 − q)^((q−1)/(2−q))) )^(2−q), q = 2/L (as printed)."""
    q = 2 / sp.sympify(L)
    return (m / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 - q)


@functools.lru_cache(maxsize=1)
def tau_evaluators() -> Evaluators:
    """τ(|m|, L) as float64 and mpmath functions of (|m|, L), derived from ``tau()``.

    At L = 2 the factor (1 − q)^((q−1)/(2−q)) is 0^0, which both float64 and mpmath evaluate to 1 (its limit);
    L = 1 divides by zero and is outside the formula.
    """
    return Evaluators(tau(), (mabs, L_sym))


@functools.lru_cache(maxsize=1)
def _tau_limit_at_depth2() -> sp.Expr:
    """lim_{L→2} τ(|m|, L), computed by SymPy from the transcribed formula."""
    return sp.limit(tau(mabs, L_sym), L_sym, 2)


def tau_at(m: sp.Expr, depth: int) -> sp.Expr | None:
    """τ at a concrete depth; None at L = 1 where the formula divides by zero (q = 2).

    At L = 2 the factor (1 − q)^((q−1)/(2−q)) is 0^0; τ is read as its limit L → 2 (taken from ``tau``,
    not written out again), which is 2|m|.
    """
    if depth == 1:
        return None
    if depth == 2:
        return _tau_limit_at_depth2().subs(mabs, m)
    return tau(m, sp.Integer(depth))
