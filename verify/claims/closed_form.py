"""Claimed numbers and closed forms: exact reading of claimed constants, and float64/mpmath evaluators
derived from one SymPy expression.

Closed forms (τ, the critical value σ_c, the trace) each live in one place as a SymPy expression or a
generic function; the evaluators here are *derived* from that expression by ``lambdify``, never written
out again, so an error in the one transcription reaches every tier.
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import sympy as sp

from ..numbers import to_mpf


def exact(x) -> sp.Expr:
    """A claimed number as an exact SymPy number. A float is read as the simplest number within its
    rounding (``sp.nsimplify``: 1.000001 -> 1000001/1000000, 2/3 computed in floats -> 2/3), so that
    ``lambda L: 2/L`` claims 2/L; SymPy numbers and ints are taken as they are."""
    if isinstance(x, sp.Basic):
        return x
    return sp.nsimplify(x) if isinstance(x, float) else sp.sympify(x)


def mp_of(x, dps: int) -> mpmath.mpf:
    """A claimed number at ``dps`` + 10 digits (exact rationals divided at that precision)."""
    x = exact(x)
    with mpmath.workdps(dps + 10):
        return mpmath.mpf(x.p) / x.q if x.is_Rational else to_mpf(x, dps + 5)


class Evaluators:
    """Float64 and high-precision evaluators of one SymPy closed form f(x_1..x_k).

    ``mp(*args, dps=...)`` gives f to dps + 20 digits with every argument converted to mpf at that precision
    (integers never reach Python float division), by ``formula_values.precise_value`` (an Arb ball when narrow,
    else SymPy's adaptive evalf), so a claimed formula that cancels at a fixed precision is still evaluated right.
    Where f has no real value there, the compiled mpmath function's own value is returned (its complex number, or
    its exception), as the callers expect.
    """

    def __init__(self, expr: sp.Expr, args: Sequence[sp.Symbol]) -> None:
        self.expr = expr
        self.args = tuple(args)
        self._mp = sp.lambdify(self.args, expr, "mpmath")
        self._fl = sp.lambdify(self.args, expr, "math")

    def mp(self, *values, dps: int) -> mpmath.mpf:
        from .formula_values import precise_value
        from .scalar_common import ClaimValueError

        work = dps + 20
        with mpmath.workdps(work):
            args = [v if isinstance(v, mpmath.mpf) else mp_of(v, dps + 10) for v in values]
            try:
                return precise_value(self.expr, dict(zip(self.args, args)), work, "the claimed formula")
            except ClaimValueError:
                return +self._mp(*args)

    def float(self, *values) -> float:
        return float(self._fl(*(float(v) for v in values)))
