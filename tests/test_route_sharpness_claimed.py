"""The compiled mpmath value of a sharpness claim (``claimed_compiled``, taken by the high-precision tally only where
it agrees with the eigenvalue) against SymPy's adaptive evalf (``claimed_mp``, the route it stands in front of):
the same value to the working precision wherever it gives one, and no value where evalf finds none."""
from __future__ import annotations

import random

import mpmath
import pytest
import sympy as sp

from verify.claims.scalar_common import ClaimValueError
from verify.claims.sharpness_common import LAM, MpmathTally, claimed_compiled, claimed_mp
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

WORK = 60
FORMULAS = [
    L * a * rho ** (2 * L - 2) - (L - 2) * b,  # the catalogue's claim
    a * rho ** (L - 2) * ((2 * L - 2) * rho ** L - (L - 2) * mabs),
    L * a * rho ** (2 * L - 2) - (L - 2) * b * (1 + sp.Rational(1, 10 ** 30)),
    sp.sqrt(L * a * rho ** (2 * L - 2) - 50 * b),  # no real value where the radicand is negative
    sp.Max(2 * b, L * a * rho ** (2 * L - 2) - (L - 2) * b) + LAM - LAM,
    1 / (rho - 1) + a,  # a pole at ρ = 1
    sp.exp(rho) * a,  # risky: evalf only
]


@pytest.mark.parametrize("k", range(len(FORMULAS)))
def test_compiled_value_matches_evalf(k: int) -> None:
    rng = random.Random(k)
    for depth in (3, 5, 8):
        for _ in range(6):
            with mpmath.workdps(WORK):
                values = {rho: mpmath.mpf(rng.choice([1, rng.uniform(0.5, 2)])), mabs: mpmath.mpf(rng.uniform(1, 4)),
                          a: mpmath.mpf(2), b: mpmath.mpf(rng.uniform(0.001, 1)), LAM: mpmath.mpf(rng.uniform(0.01, 1))}
                try:
                    want = claimed_mp(FORMULAS[k], depth, values, WORK)
                except ClaimValueError:
                    want = None
                got = claimed_compiled(FORMULAS[k], depth, values, WORK)
                if k == len(FORMULAS) - 1:
                    assert got is None
                    continue
                if want is None:
                    assert got is None
                elif got is not None:
                    assert abs(got - want) <= max(abs(want), 1) * mpmath.mpf(10) ** -(WORK - 2)


def test_tally_refutes_through_evalf_and_counts_agreement() -> None:
    with mpmath.workdps(WORK):
        values = {rho: mpmath.mpf(1.25), mabs: mpmath.mpf(3), a: mpmath.mpf(2), b: mpmath.mpf("0.1")}
        true = claimed_mp(FORMULAS[0], 4, values, WORK)
        ok = MpmathTally(FORMULAS[0], WORK, WORK - 15, "s", "A1", {"convention": "A1"})
        assert ok.judge(4, 3, mpmath.mpf(1), values[rho], values, [values[b] * 2, true]) is None
        assert ok.count == 1 and ok.worst >= WORK - 15
        wrong = MpmathTally(FORMULAS[2], WORK, WORK - 15, "s", "A1", {"convention": "A1"})
        refuted = wrong.judge(4, 3, mpmath.mpf(1), values[rho], values, [values[b] * 2, true])
        assert refuted is not None and refuted.verdict.value == "refuted"
