"""λ placement in the high-precision spectrum and sharpness checks: the derived λ* at 20 digits
(verify.claims.scalar_spectrum.placement_threshold) against the independent mpmath bisection, and a wrong
placement is never verified silently."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

import verify.claims.sharpness_convention as sc
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.claims.scalar_spectrum import placement_threshold
from verify.claims.sharpness import sharpness_claim
from verify.claims.threshold import _ab_of_lam
from verify.conventions import CONVENTIONS
from verify.highprec import scalar as hp
from verify.problems.scalar import convention_problem
from verify.symbolic.scalar import L_sym as L, a, b, rho

SHARP = L * a * rho ** (2 * L - 2) - (L - 2) * b


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_placement_matches_bisection(name: str) -> None:
    """20 digits of the derived λ* equal the mpmath bisection of the objective's definition (40 digits) to
    1e−18 relative (20 digits rounded once, plus the bisection's 10^−38); None exactly where it finds none."""
    conv = CONVENTIONS[name]
    for depth in (1, 2, 3, 5, 8):
        for m in (sp.Rational(37, 10), sp.Rational(-2, 11)):
            with mpmath.workdps(40):
                ours = placement_threshold(conv, depth, m)
                ref = hp.threshold_by_bisection(depth, mpmath.mpf(m.p) / m.q, _ab_of_lam(conv, depth))
                assert (ours is None) == (ref is None), (depth, m)
                if ref is not None:
                    assert abs(ours - ref) <= mpmath.mpf("1e-18") * abs(ref), (depth, m, ours, ref)


def test_wrong_placement_is_not_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    """A λ* three times too large puts some test λ = (0.02…0.98)·λ* above the true threshold, where 0 is the
    global minimizer: the high-precision sharpness check says so (inconclusive), never verified."""
    true = sc.placement_threshold
    monkeypatch.setattr(sc, "placement_threshold", lambda conv, depth, m: 3 * true(conv, depth, m))
    claim = sharpness_claim("s", "test", "test", convention_problem("A1"), SHARP, depths=(3, 4, 5))
    r = run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))
    hp_check = next(c for c in r.checks if str(c.tier) == "high-precision")
    assert hp_check.verdict is Verdict.INCONCLUSIVE, (hp_check.verdict, hp_check.summary)
    assert "enumeration disagree" in hp_check.summary
