"""The certified tier decides only on what the balls prove (review of this round):
- the resolution gate of the spectrum and sharpness judgements is decided exactly on the dyadic radius and midpoint:
  in floats a ball beyond 10³⁰⁸ gave inf/inf = NaN, NaN passed the gate, and a wrong claim whose ball merely
  overlapped the enclosure was verified;
- a part of a formula that is certainly not real refutes only when the whole formula, in complex balls, certainly
  is not real: complex parts can cancel (such a claim was refuted although its value is real)."""
from __future__ import annotations

import sympy as sp

from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

QUICK = RunContext(seed=0, profile=get_profile("quick"))
ZERO = sp.exp(1000) * (sp.log(6) - sp.log(2) - sp.log(3))  # exactly 0, with a ball ~10⁴³⁴ wide at any precision
SHARP = L * a * rho ** (2 * L - 2) - (L - 2) * b


def _certified(claim) -> list:
    return [c.execute(QUICK).verdict for c in claim.checks if c.tier is Tier.CERTIFIED]


def test_a_huge_ball_that_overlaps_is_not_a_match() -> None:
    from verify.claims.sharpness import sharpness_claim
    from verify.problems.scalar import convention_problem

    for formula, want in ((SHARP + 1, Verdict.REFUTED), (SHARP + 1 + ZERO, Verdict.INCONCLUSIVE),
                          (2 * SHARP + ZERO, Verdict.INCONCLUSIVE), (SHARP, Verdict.VERIFIED)):
        got = _certified(sharpness_claim("t.s", "s", "test", convention_problem("A1"), formula, depths=(3,)))
        assert got == [want], (formula, got)


def test_a_huge_ball_in_a_spectrum_is_not_a_match() -> None:
    from verify.claims.scalar_spectrum import scalar_spectrum_claim

    nonzero = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)]
    got = _certified(scalar_spectrum_claim("t.s", "s", "test", nonzero=nonzero, at_zero=[(2 * b + ZERO, L)],
                                           depths=(3,)))
    assert got == [Verdict.INCONCLUSIVE], got


def test_complex_parts_that_cancel_are_not_refuted_and_a_complex_claim_is() -> None:
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.threshold import threshold_claim

    c = 10 ** 9  # for |m| < c: √(m − c)·√(m − c − 1) = −√((c − m)(c + 1 − m)), so the sum below is exactly 0
    zero = sp.sqrt(mabs - c) * sp.sqrt(mabs - c - 1) + sp.sqrt((c - mabs) * (c + 1 - mabs))
    assert _certified(threshold_claim("t.t", "s", "test", tau() + zero, depths=(3,))) == [Verdict.INCONCLUSIVE]
    assert _certified(threshold_claim("t.t", "s", "test", tau() + sp.sqrt(mabs - c), depths=(3,))) == [Verdict.REFUTED]
