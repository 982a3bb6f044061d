"""Values of claimed formulas that a verdict may rest on: never one fixed-precision evaluation alone.

``real_value``: SymPy's adaptive evalf at exact (or exactly binary) arguments. ``precise_value``: an Arb ball of the
formula when it is narrow, else ``real_value``. ``float_route_disagrees``: whether a float64 tier's values of a
formula can be trusted, probed against ``precise_value`` (docs/mathematics.md, "A claimed formula's value at high
precision").
"""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np
import sympy as sp

from .base import CheckResult, Verdict
from .scalar_common import ClaimUndecided, ClaimValueError, _evalf_bounded


def real_value(expr: sp.Expr, at: dict, dps: int, what: str) -> mpmath.mpf:
    """``expr`` at ``at`` (symbol → exact SymPy number or Float, a Float read as the exact binary number it is) by
    SymPy's adaptive evalf (``_evalf_bounded``), rounded to ``dps`` digits. ``expr.subs(at)`` would instead add
    Floats at their own precision, where a formula that cancels loses every digit. ClaimValueError when the value
    is no finite real number (``what`` names the formula), ClaimUndecided beyond the evaluation budget."""
    try:
        x = _evalf_bounded(expr, at, dps)
    except (ZeroDivisionError, OverflowError, ValueError) as exc:
        raise ClaimValueError(f"{what} has no value here ({type(exc).__name__})") from None
    re, im = x.as_real_imag()
    if re.is_zero and im == 0:  # an exact 0 (the formula vanishes identically) is a real number
        return mpmath.mpf(0)
    if im != 0 or not re.is_Float:
        raise ClaimValueError(f"{what} is {x}, not a finite real number")
    with mpmath.workdps(dps):
        return +mpmath.mpf(re._mpf_)


def _exact_number(x: object) -> sp.Expr:
    """An mpf, int or SymPy number as an exact SymPy number (an mpf is the dyadic rational it is)."""
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        if not man and exp:
            raise ClaimValueError(f"not a finite number: {x}")
        return sp.Integer(-int(man) if sign else int(man)) * sp.Rational(2) ** int(exp)
    return sp.sympify(x)


def precise_value(expr: sp.Expr, values: dict, digits: int, what: str) -> mpmath.mpf:
    """A claimed formula at ``values`` (symbol → mpf, int or SymPy number, each read exactly), to ``digits`` digits,
    never from a fixed-precision evaluation alone: from its Arb ball when the ball is that narrow
    (``verify.certified.arb.narrow_value``), else by SymPy's adaptive evalf (``real_value``). Max/Min are taken of
    their arguments' values, each found the same way. ClaimValueError when there is no finite real value,
    ClaimUndecided beyond the evaluation budget."""
    from ..certified.arb import narrow_value

    expr = sp.sympify(expr)
    node = next((n for n in sp.preorder_traversal(expr) if isinstance(n, (sp.Max, sp.Min))), None)
    if node is not None:
        args = [precise_value(arg, values, digits, what) for arg in node.args]
        d = sp.Dummy("minmax")
        with mpmath.workdps(digits):
            chosen = max(args) if isinstance(node, sp.Max) else min(args)
        return precise_value(expr.xreplace({node: d}), {**values, d: chosen}, digits, what)
    used = {s: v for s, v in values.items() if s in expr.free_symbols}
    value = narrow_value(expr, used, digits)
    if value is not None:
        return value
    return real_value(expr, {s: _exact_number(v) for s, v in used.items()}, digits, what)


#: how far a float64 value of a claimed formula may be from its exact value, relative to the scale of the quantity
#: it is compared with, before the float64 route is judged unreliable there: a formula of k well-conditioned
#: operations is within about k·eps (1e-16 each); 1e-8 leaves eight orders of magnitude, so only a formula that
#: loses most of its digits in float64 (catastrophic cancellation, overflow) is caught
FLOAT_ROUTE_TOL = 1e-8


def float_route_disagrees(expr: sp.Expr, symbols: Sequence[sp.Symbol], args: Sequence[np.ndarray],
                          values: np.ndarray, scale: np.ndarray, probes: int = 6) -> dict | None:
    """None when the float64 values ``values`` of a claimed formula at the float points ``args`` (one array per
    symbol, broadcast together) agree with the formula's exact value (``precise_value`` at the same binary numbers,
    30 digits) within FLOAT_ROUTE_TOL·scale at ``probes`` points spread over the batch; else the first
    disagreement, {"at", "float64", "exact"}: the float64 tier then cannot judge the claim (a formula that cancels
    at 16 digits would agree with anything). A point where the float64 value is not finite, or the formula has no
    finite real value, is left to the tier's own comparison."""
    cols = np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in args], np.asarray(values, dtype=float),
                               np.asarray(scale, dtype=float))
    n = cols[0].size
    if n == 0:
        return None
    flat = [c.reshape(-1) for c in cols]
    for i in sorted({int(k * (n - 1) / max(probes - 1, 1)) for k in range(probes)}):
        point = {s: mpmath.mpf(float(c[i])) for s, c in zip(symbols, flat)}
        got, size = float(flat[-2][i]), float(flat[-1][i])
        if not np.isfinite(got):  # the tier reads a non-finite value as a mismatch of its own
            continue
        try:
            exact = float(precise_value(expr, point, 30, "the claimed formula"))
        except (ClaimValueError, ClaimUndecided, OverflowError):
            continue
        if abs(got - exact) > FLOAT_ROUTE_TOL * max(abs(size), abs(exact), 1e-300):
            return {"at": {str(s): float(c[i]) for s, c in zip(symbols, flat)}, "float64": got, "exact": exact}
    return None


def float_route_inconclusive(where: str, route: dict, instances: int, **fields) -> CheckResult:
    """A float64 tier's verdict where its values of the claimed formula are not the formula's values
    (``float_route_disagrees``): INCONCLUSIVE, since float64 can judge such a claim neither way."""
    return CheckResult(Verdict.INCONCLUSIVE, f"{where}: float64 cannot evaluate the claimed formula (it gives "
                       f"{route['float64']!r} where the formula is {route['exact']!r}); the tiers that evaluate it "
                       "exactly or at high precision judge the claim", instances=instances,
                       details={"float64_route": route}, **fields)
