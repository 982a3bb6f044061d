"""certified.regions reads its constants exactly: an irrational constant is refused, never rounded to a nearby
rational by nsimplify (which reads 1 + π·10⁻³⁰ as 1)."""
from __future__ import annotations

import pytest
import sympy as sp
from flint import fmpq

from verify.certified.regions import _q
from verify.errors import UsageError


def test_rational_constants_are_read_exactly():
    assert _q(5) == fmpq(5)
    assert _q(sp.Rational(3, 7)) == fmpq(3, 7)
    assert _q(sp.sqrt(2) ** 2) == fmpq(2)
    assert _q((sp.sqrt(3) + 1) * (sp.sqrt(3) - 1)) == fmpq(2)  # (√3)² − 1, rational only after simplification


@pytest.mark.parametrize("value", [1 + sp.pi / 10**30, sp.pi / 3, sp.sqrt(2), sp.Float("0.5"), 0.1])
def test_irrational_or_float_constants_are_refused(value):
    with pytest.raises(UsageError, match="not proved rational"):
        _q(value)
