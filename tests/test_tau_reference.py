"""τ as transcribed, against values simplified by hand from the printed formula (an outside route).

τ(m, L) = (|m| / ((1 − q/2)(1 − q)^((q−1)/(2−q))))^(2−q), q = 2/L. By hand:
- L = 3: q = 2/3, 1 − q/2 = 2/3, (1/3)^(−1/4) = 3^(1/4), so τ(m, 3) = (3|m| / (2·3^(1/4)))^(4/3).
- L = 4: q = 1/2, 1 − q/2 = 3/4, (1/2)^(−1/3) = 2^(1/3), so τ(m, 4) = (4|m| / (3·2^(1/3)))^(3/2).
- L = 2: 0^0 read as its limit 1, so τ(m, 2) = 2|m|.
The README's worked example prints τ(3, 3) = 5.1512140914899934051361899537285465401215811435457.
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau, tau_at, tau_evaluators
from verify.symbolic.scalar import mabs

README_TAU_3_3 = "5.1512140914899934051361899537285465401215811435457"


def _hand(m: mpmath.mpf, L: int) -> mpmath.mpf:
    if L == 3:
        return (3 * m / (2 * mpmath.root(3, 4))) ** (mpmath.mpf(4) / 3)
    if L == 4:
        return (4 * m / (3 * mpmath.cbrt(2))) ** (mpmath.mpf(3) / 2)
    raise ValueError(L)


@pytest.mark.parametrize("L", [3, 4])
@pytest.mark.parametrize("m", ["3", "1/7", "250"])
def test_tau_evaluators_match_hand_simplified_values(L, m):
    with mpmath.workdps(60):
        expected = _hand(mpmath.mpf(sp.Rational(m).p) / sp.Rational(m).q, L)
        got = tau_evaluators().mp(sp.Rational(m), L, dps=50)
        assert abs(got - expected) <= mpmath.mpf(10) ** -48 * abs(expected)
    assert tau_evaluators().float(float(sp.Rational(m)), L) == pytest.approx(float(expected), rel=1e-13)


def test_tau_3_3_matches_the_printed_value():
    with mpmath.workdps(60):
        got = tau_evaluators().mp(3, 3, dps=50)
        assert abs(got - mpmath.mpf(README_TAU_3_3)) < mpmath.mpf(10) ** -48


def test_tau_at_depth_2_is_the_limit_2m_and_depth_1_has_none():
    assert sp.simplify(tau_at(mabs, 2) - 2 * mabs) == 0
    assert tau_at(mabs, 1) is None
    assert sp.simplify(tau_at(mabs, 3) - tau(mabs, sp.Integer(3))) == 0
