"""What both routes of the sharpness claim share: the formula's symbol λ, the claim evaluated at a point
(exactly at working digits, or as a float64 function), the depths a check runs at, the fraction of the
threshold at which λ is drawn, and the verdict for a claim that is no finite real number there.

In one place so that the convention route (``verify.claims.sharpness_convention``) and the user-problem
route (``verify.claims.sharpness_problem``) read and evaluate a claim the same way.
"""
from __future__ import annotations

from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from ..numbers import dec
from ..symbolic.scalar import L_sym
from .base import CheckResult, Verdict
from .context import RunContext
from .scalar_common import _evalf_bounded


#: λ (the claims' "lam"); the same object as verify.problems.symbols.LAM (SymPy symbols are equal by name
#: and assumptions)
LAM = sp.Symbol("lam", positive=True)


def fraction_below(rng: np.random.Generator) -> float:
    """A fraction of the threshold in (0.02, 0.98): λ well inside the nonzero phase, near it included."""
    return round(float(rng.uniform(0.02, 0.98)), 6)


def chosen_depths(ctx: RunContext, depths: Sequence[int] | None, min_depth: int,
                  cap: int | None = None) -> list[int]:
    """The claim's own depths, or else the profile's depths from ``min_depth`` up to ``cap``."""
    if depths is not None:
        return list(depths)
    return [L for L in ctx.profile.depths if L >= min_depth and (cap is None or L <= cap)]


def claimed_mp(formula: sp.Expr, depth: int, values: dict, work: int) -> mpmath.mpf:
    """The claim at depth L and the given symbol values (mpf), by SymPy's adaptive evalf at ``work`` digits."""
    expr = sp.sympify(formula).subs(L_sym, depth)
    at = {s: sp.Float(v, work) for s, v in values.items() if s in expr.free_symbols}
    if expr.free_symbols - set(at):
        raise UsageError(f"the sharpness formula uses {sorted(map(str, expr.free_symbols - set(at)))}, unknown here")
    x = _evalf_bounded(expr, at, work)
    re, im = x.as_real_imag()
    if re.is_zero and im == 0:  # an exact 0 (the formula vanishes identically at this depth) is a real number
        return mpmath.mpf(0)
    if im != 0 or not re.is_Float:
        raise ValueError(f"the claimed sharpness is {x}, not a finite real number")
    with mpmath.workdps(work):
        return +mpmath.mpf(re._mpf_)


def refuted_value(L: int, m: object, lam: mpmath.mpf, name: str, why: str, count: int, scope: str) -> CheckResult:
    """REFUTED: at depth L, target m and λ the claim is no finite real number (``why`` says what it is)."""
    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {why}", instances=count, scope=scope,
                       counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30), "problem": name,
                                       "claimed": why})


def float_claim(formula: sp.Expr, depth: int, symbols: Sequence[sp.Symbol]) -> Callable[..., np.ndarray]:
    """The claim at depth L as a NumPy function of ``symbols`` (float64; mismatches are confirmed in mpmath)."""
    expr = sp.sympify(formula).subs(L_sym, depth)
    fn = sp.lambdify(list(symbols), expr, "numpy")

    def f(*args):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*args), dtype=float), np.shape(args[0])).copy()
    return f
