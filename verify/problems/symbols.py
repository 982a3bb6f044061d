"""The names a user's problem formulas may use, as SymPy symbols.

The loss is a formula in ``p`` (the end-to-end product w_L⋯w_1) and ``m`` (the target, signed); one
layer's penalty is a formula in ``w`` (that layer's weight), ``lam`` (λ > 0), ``l`` (the layer index
1..L) and ``L`` (the depth). ``DEPTH``, ``RHO`` and ``MABS`` are the very symbols of
``verify.symbolic.scalar`` so that derived expressions and claimed formulas share them.
"""
from __future__ import annotations

from types import MappingProxyType

import sympy as sp

from ..symbolic.scalar import L_sym, mabs, rho

P = sp.Symbol("p", real=True)
"""End-to-end product w_L⋯w_1 (loss)."""
M = sp.Symbol("m", real=True)
"""Target, signed (loss)."""
W = sp.Symbol("w", real=True)
"""One layer's weight (penalty)."""
LAM = sp.Symbol("lam", positive=True)
"""Regularization strength λ > 0 (penalty)."""
LAYER = sp.Symbol("l", integer=True, positive=True)
"""Layer index 1..L (penalty)."""
DEPTH = L_sym
"""Depth L (penalty, claimed formulas)."""
RHO = rho
"""Radius ρ > 0 of the reduction w_l = γ_l·ρ·s_l."""
MABS = mabs
"""|m| > 0 (derived formulas and claims: their "m")."""

LOSS_NAMES = MappingProxyType({"p": P, "m": M})
PENALTY_NAMES = MappingProxyType({"w": W, "lam": LAM, "l": LAYER, "L": DEPTH})
