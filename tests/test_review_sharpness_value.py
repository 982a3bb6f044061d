"""Review regression: a sharpness formula that is exactly 0 at a depth is a number, not "no finite real"."""
import pytest
import sympy as sp

from verify.claims.sharpness_common import LAM, claimed_mp
from verify.symbolic.scalar import L_sym, mabs, rho


def test_exact_zero_is_a_finite_real_value():
    at = {rho: 1, mabs: 2, LAM: 1}
    assert claimed_mp((L_sym - 3) * rho, 3, at, 30) == 0
    assert claimed_mp(sp.Integer(0), 2, at, 30) == 0
    assert claimed_mp((L_sym - 3) * rho, 4, at, 30) == 1


def test_non_real_claims_are_still_rejected():
    with pytest.raises(ValueError, match="not a finite real number"):
        claimed_mp(sp.sqrt(-rho), 3, {rho: 1, mabs: 2, LAM: 1}, 30)
    with pytest.raises(ValueError, match="not a finite real number"):
        claimed_mp(1 / (L_sym - 3), 3, {rho: 1, mabs: 2, LAM: 1}, 30)
