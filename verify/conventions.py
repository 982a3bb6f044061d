"""Normalizations (a, b) of the deep factorization objective.

F(W) = (a/2)·||W_L⋯W_1 − M||_F² + (b/2)·Σ_l ||W_l||_F², with a > 0 and b = k(L)·λ linear in λ.
Each named convention (docs/mathematics.md, "Conventions of the deep objective") fixes a and the coefficient k(L). The convention is the
*definition* of the objective, shared by every route; nothing derived lives here.
"""
from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .errors import UsageError


@dataclass(frozen=True)
class Convention:
    """A named normalization: F = (a/2)||P − M||² + (b/2)Σ||W_l||², b = b_over_lam(L)·λ."""

    name: str
    objective: str
    a: sp.Rational
    b_num: sp.Rational
    b_per_depth: bool

    def b_over_lam(self, depth: int) -> sp.Rational:
        """k(L) with b = k(L)·λ, exact."""
        return self.b_num / depth if self.b_per_depth else self.b_num

    def ab(self, lam: sp.Expr, depth: int) -> tuple[sp.Expr, sp.Expr]:
        """(a, b) at regularization λ and depth L, exact."""
        return self.a, self.b_over_lam(depth) * lam

    def lam_from_b(self, b: sp.Expr, depth: int) -> sp.Expr:
        """Invert b = k(L)·λ."""
        return b / self.b_over_lam(depth)


CONVENTIONS: dict[str, Convention] = {
    c.name: c
    for c in (
        Convention("A1", "||W_L⋯W_1 − M||² + (λ/L)·Σ||W_l||²", sp.Integer(2), sp.Integer(2), True),
        Convention("A2", "½||W_L⋯W_1 − M||² + (λ/(2L))·Σ||W_l||²", sp.Integer(1), sp.Integer(1), True),
        Convention("S", "½||W_L⋯W_1 − M||² + (λ/2)·Σ||W_l||²", sp.Integer(1), sp.Integer(1), False),
        Convention("S2", "||W_L⋯W_1 − M||² + λ·Σ||W_l||²", sp.Integer(2), sp.Integer(2), False),
        Convention("B", "½||W_L⋯W_1 − M||² + λ·Σ||W_l||²", sp.Integer(1), sp.Integer(2), False),
    )
}

DEFAULT_CONVENTION = "A1"


def get_convention(name: str | Convention) -> Convention:
    """Look a convention up by name (case-insensitive); unknown names raise UsageError."""
    if isinstance(name, Convention):
        return name
    key = str(name).strip().upper()
    if key not in CONVENTIONS:
        raise UsageError(f"unknown convention {name!r}; known: {', '.join(CONVENTIONS)}")
    return CONVENTIONS[key]
