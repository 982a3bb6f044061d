"""Small exact provers used by the reduction: positivity, smoothness, and counterexample search.

Each prover answers True (proved), False (disproved) or None (undecided); callers refuse on anything but a
proof. SymPy's assumption system is the judge (symbols carry real/positive assumptions), after a few
normal forms (simplify, factor, numerator and denominator separately).
"""
from __future__ import annotations

import itertools

import sympy as sp

_NONSMOOTH = (sp.Abs, sp.sign, sp.Heaviside, sp.DiracDelta, sp.Min, sp.Max, sp.Piecewise, sp.floor,
              sp.ceiling)
_SMOOTH_FUNCTIONS = (sp.exp, sp.sin, sp.cos)
_WITNESS_VALUES = (sp.Rational(1, 10), sp.Rational(1, 2), sp.Integer(1), sp.Integer(2), sp.Integer(3),
                   sp.Integer(5), sp.Integer(10))


def _positive_coefficients(expr: sp.Expr) -> bool | None:
    """True when expr is a nonzero polynomial in positive symbols with every coefficient positive
    (then it is positive wherever they are); None otherwise."""
    gens = sorted(expr.free_symbols, key=str)
    if not gens or not all(g.is_positive for g in gens) or not expr.is_polynomial(*gens):
        return None
    coefficients = sp.Poly(expr, *gens).coeffs()
    return True if coefficients and all(c.is_positive for c in coefficients) else None


def _forms(expr: sp.Expr):
    yield expr
    cheap = sp.factor(sp.together(expr))
    yield cheap
    yield sp.fraction(cheap)
    simple = sp.simplify(expr)
    yield simple
    yield sp.fraction(sp.together(simple))


def prove(expr: sp.Expr, relation: str) -> bool | None:
    """Decide ``expr relation 0`` (relation: "positive", "nonnegative", "zero") for every value of its
    symbols that their assumptions allow: True proved, False disproved, None undecided."""
    attr = {"positive": "is_positive", "nonnegative": "is_nonnegative", "zero": "is_zero"}[relation]
    expr = sp.sympify(expr)
    for form in _forms(expr):
        if isinstance(form, tuple):
            num, den = form
            if relation == "zero":
                value = num.is_zero if den.is_nonzero else None
            else:
                num_ok = getattr(num, attr) or _positive_coefficients(num)
                den_ok = den.is_positive or _positive_coefficients(den)
                value = True if (num_ok and den_ok) else None
        else:
            value = getattr(form, attr)
        if value is not None:
            return bool(value)
    return None


def witness(expr: sp.Expr, bad: str, symbols: dict[sp.Symbol, tuple[sp.Expr, ...]] | None = None) \
        -> dict[sp.Symbol, sp.Expr] | None:
    """A point (from a small grid of rationals) where ``expr`` is ``bad`` ("negative" or "nonpositive"), or
    None. Positive symbols take the grid values, real ones also their negatives; ``symbols`` overrides."""
    free = sorted(expr.free_symbols, key=str)
    if len(free) > 3:
        return None
    grids = []
    for s in free:
        if symbols and s in symbols:
            grids.append(symbols[s])
        elif s.is_positive:
            grids.append(_WITNESS_VALUES)
        elif s.is_integer:
            grids.append((sp.Integer(1), sp.Integer(2), sp.Integer(3)))
        else:
            grids.append(_WITNESS_VALUES + tuple(-v for v in _WITNESS_VALUES) + (sp.Integer(0),))
    for values in itertools.product(*grids):
        point = dict(zip(free, values))
        value = expr.xreplace(point)
        if not value.is_number:
            continue
        number = sp.N(value, 30)
        if not number.is_real:
            continue
        if (bad == "negative" and number < 0) or (bad == "nonpositive" and number <= 0):
            return point
    return None


def show_point(point: dict[sp.Symbol, sp.Expr]) -> str:
    return ", ".join(f"{s} = {v}" for s, v in sorted(point.items(), key=lambda kv: str(kv[0])))


def smoothness_obstacle(expr: sp.Expr, var: sp.Symbol) -> str | None:
    """None when ``expr`` is proved infinitely differentiable in ``var`` (for all values its assumptions
    allow): built from +, ·, exp, sin, cos, nonnegative integer powers, and other powers or log of
    arguments proved positive. Otherwise the first obstacle, in words."""
    for sub in sp.preorder_traversal(expr):
        if not isinstance(sub, sp.Basic) or not sub.has(var) or sub.is_Symbol:
            continue
        if isinstance(sub, _NONSMOOTH):
            return f"{sub} is not differentiable everywhere in {var}"
        if isinstance(sub, (sp.Add, sp.Mul)) or isinstance(sub, _SMOOTH_FUNCTIONS):
            continue
        if isinstance(sub, sp.Pow):
            base, exp = sub.base, sub.exp
            if exp.has(var) and prove(base, "positive") is not True:
                return f"{sub}: a power with a variable exponent needs a base proved positive"
            if base.has(var) and not (exp.is_integer and exp.is_nonnegative) \
                    and prove(base, "positive") is not True:
                return f"{sub}: the base {base} is not proved positive (the power may be singular there)"
            continue
        if isinstance(sub, sp.log):
            if prove(sub.args[0], "positive") is not True:
                return f"{sub}: the argument {sub.args[0]} is not proved positive"
            continue
        return f"{sub}: smoothness of {type(sub).__name__} is not established"
    return None
