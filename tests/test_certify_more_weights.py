"""kp.weights.classification (slice D2): the exact tier compares β with the claimed threshold and fold by Arb balls,
so a difference far below what 50 digits resolve is still decided; a threshold off by 1e-45 is refuted exactly."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import weights as W
from verify.claims.base import Tier, Verdict
from verify.claims.context import PROFILES, RunContext
from verify.claims.weights_classification import _cmp

QUICK = RunContext(profile=PROFILES["quick"])
TINY = sp.Rational(1, 10**60)


def test_cmp_decides_below_the_50_digit_resolution():
    x = sp.root(2, 3) * sp.Rational(5, 3)
    assert _cmp(x + TINY, x) == 1 and _cmp(x, x + TINY) == -1
    assert _cmp(sp.sqrt(8), 2 * sp.sqrt(2)) == 0  # equal by SymPy, no ball needed


def test_cmp_undecided_raises_rather_than_guessing():
    x = sp.root(2, 3)
    close = sp.Rational(str(sp.N(x, 1100)))  # within 1e-1000 of x, beyond 2000 bits: never a guessed sign
    with pytest.raises(ArithmeticError):
        _cmp(close, x)


def test_threshold_off_by_1e45_refuted_exactly():
    claim = W.classification_claim(threshold=W.DEFAULT_THRESHOLD * (1 + sp.Rational(1, 10**45)))
    symbolic = next(c for c in claim.checks if c.tier is Tier.SYMBOLIC)
    r = symbolic.execute(QUICK)
    assert r.error is None, r.error
    assert r.verdict is Verdict.REFUTED, r.summary
