"""``Claimed.at_depth`` (Max/Min of symbolic arguments held unevaluated, ``subs_holding_max``) against the route it
replaces, ``expr.subs(L, depth).subs(lam, b/k)``: the same exact values at rational points, the same float64
values, mpmath values equal to the exact value to 40 digits (NaN where the old one had no real value)."""
from __future__ import annotations

import math
import random

import mpmath
import pytest
import sympy as sp

from verify.claims.matrix_sharpness import RHO2, M2, VOCABULARY, Claimed, derived_sharpness, h, subs_holding_max
from verify.problems.symbols import LAM
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

DIAG = L * a * rho ** (2 * L - 2) - (L - 2) * b
PAIR = a * h(rho ** 2, RHO2 ** 2, L - 1) + b + a * (M2 - RHO2 ** L) * h(rho ** 2, RHO2 ** 2, L - 2) / rho ** (L - 2)
FORMULAS = [derived_sharpness(), sp.Max(DIAG, 2 * b), sp.Max(L * a * rho ** (2 * L - 1) - (L - 2) * b, 2 * b, PAIR),
            sp.Max(L, 3) * a * rho, sp.Max(DIAG, 2 * b) * sp.Min(L, 4) + LAM, sp.sqrt(DIAG - 100 * b),
            sp.Max(sp.sqrt(DIAG - 100 * b), b), sp.Max(DIAG, sp.sqrt(b - a * rho)), DIAG + LAM]


def _old(claimed: Claimed, depth: int) -> sp.Expr:
    return claimed.expr.subs(L, depth).subs(LAM, 1 / claimed.conv.b_over_lam(depth) * b)


@pytest.mark.parametrize("conv", ["A1", "S"])
@pytest.mark.parametrize("k", range(len(FORMULAS)))
def test_at_depth_matches_the_subs_route(conv: str, k: int) -> None:
    rng = random.Random(k)
    claimed = Claimed(FORMULAS[k], sp.Rational(3, 2), conv)
    for depth in range(2, 9):
        old = _old(claimed, depth)
        f_old = sp.lambdify(VOCABULARY, old, "math")
        m_old = sp.lambdify(VOCABULARY, old, "mpmath")
        for _ in range(6):
            vals = {rho: sp.Rational(rng.randint(1, 30), 7), RHO2: sp.Rational(rng.randint(0, 20), 9),
                    mabs: sp.Rational(rng.randint(1, 40), 3), M2: sp.Rational(rng.randint(0, 30), 11),
                    a: sp.Integer(2), b: sp.Rational(1, rng.randint(2, 40))}
            args = [vals[s] for s in VOCABULARY]
            try:
                e_old = old.xreplace(vals)
            except (ValueError, TypeError, ZeroDivisionError):  # as ``Claimed.exact``: no value
                e_old = sp.nan
            e_new = claimed.exact(depth, vals)
            assert e_old == e_new or sp.simplify(e_old - e_new) == 0
            with mpmath.workdps(40):
                try:
                    want = m_old(*args)
                    want = mpmath.mpf(want) if mpmath.im(want) == 0 else mpmath.nan
                except (ValueError, TypeError, ZeroDivisionError):
                    want = mpmath.nan
                got = claimed.mp(depth, args)
                # the new route is never a fixed-precision value alone (``precise_value``): it is the exact value
                # to 40 digits, and the compiled route's agrees with it to that route's own rounding (10⁻³⁶)
                assert (mpmath.isnan(want) and mpmath.isnan(got)) or abs(want - got) <= 10 ** -36 * max(1, abs(want))
                if not mpmath.isnan(got):
                    exact = mpmath.mpf(sp.Float(sp.N(e_new, 50), 50)._mpf_)
                    assert abs(got - exact) <= 10 ** -39 * max(1, abs(exact))
            fargs = [float(x) for x in args]
            try:
                fw = f_old(*fargs)
                fw = float(fw) if not isinstance(fw, complex) else math.nan
            except (ValueError, TypeError, ZeroDivisionError, OverflowError):
                fw = math.nan
            fg = claimed.float(depth, fargs)
            assert (math.isnan(fw) and math.isnan(fg)) or fw == fg


def test_a_max_of_numbers_is_evaluated_and_symbolic_ones_are_held() -> None:
    held = subs_holding_max(sp.Max(L, 3) * a + sp.Max(a * L, b), L, sp.Integer(2))
    assert held.has(sp.Max) and not held.has(L)
    assert held.xreplace({a: 1, b: 5}) == 3 + 5
    assert subs_holding_max(sp.Max(L, 3) * a, L, sp.Integer(7)) == 7 * a
