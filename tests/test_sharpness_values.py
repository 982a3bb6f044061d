"""The sharpness kind's evaluation of a claimed formula: no value is a refutation, a tool fault is not."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from verify.claims.scalar_common import ClaimValueError
from verify.claims.sharpness_common import claim_differs, claimed_mp
from verify.symbolic.scalar import mabs, rho


def test_a_complex_claim_is_a_claim_value_error():
    with pytest.raises(ClaimValueError):
        claimed_mp(sp.sqrt(rho - 2), 3, {rho: mpmath.mpf(1)}, 30)


def test_a_missing_value_is_a_fault_of_the_tool_not_a_refutation():
    """The names were validated when the claim was built: a route that omits one has a bug (a crash, which
    Check.execute reports as inconclusive with an error), never 'the claim differs'."""
    with pytest.raises(RuntimeError):
        claimed_mp(rho + mabs, 3, {rho: mpmath.mpf(1)}, 30)
    with pytest.raises(RuntimeError):
        claim_differs(rho + mabs, 3, {rho: mpmath.mpf(1)}, [mpmath.mpf(1)])


def test_a_claim_with_no_real_value_differs():
    assert claim_differs(sp.sqrt(rho - 2), 3, {rho: mpmath.mpf(1)}, [mpmath.mpf(1)])
