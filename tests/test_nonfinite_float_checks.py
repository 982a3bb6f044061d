"""Float64 tiers read a claimed value that is no finite number (NaN from inf/inf or a square root of a negative
number, inf from overflow) as a mismatch or as undecided, never as agreement: ``max`` and ``>`` pass a NaN over
silently, and each check below once verified a wrong claim that way (review of this round)."""
from __future__ import annotations

import sympy as sp

from verify import invariance as inv
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

QUICK = RunContext(seed=0, profile=get_profile("quick"))
TOP = L * a * rho ** (2 * L - 2) + (2 - L) * b


def _numeric(claim, name: str = "") -> list:
    return [c.execute(QUICK).verdict for c in claim.checks if c.tier is Tier.NUMERIC and name in c.name]


def test_scalar_spectrum_with_non_finite_float_values_is_refuted_by_the_float_tier() -> None:
    from verify.claims.scalar_spectrum import scalar_spectrum_claim

    # +1 for |m| > 1 (inf/inf in float64); and a term with no real value for |m| > 1
    for top in (TOP + mabs ** 100000 / (1 + mabs ** 100000), TOP + sp.sqrt(1 - mabs) - sp.sqrt(sp.Abs(1 - mabs))):
        claim = scalar_spectrum_claim("t.nan", "wrong", "test", [(2 * b, L - 1), (top, 1)], [(b, L)], depths=(3, 4))
        assert _numeric(claim) == [Verdict.REFUTED]


def _one(lam) -> object:
    """Exactly 1 for SymPy and mpmath numbers; inf/inf = NaN in float64."""
    big = (10 ** 6 * lam[0]) ** 400
    return big / big


def test_li_spectrum_closed_forms_that_are_nan_in_float64_are_refuted() -> None:
    from verify.claims.symmetric_kinds import symmetric_spectrum_claim
    from verify.symbolic.symmetric import min_positive_at_minimum, spectrum_closed_form, uniform_saddle_bound

    for wrong in (dict(saddle_bound=lambda lam, r, c: 2 * uniform_saddle_bound(lam, r, c) * _one(lam)),
                  dict(min_positive=lambda lam, r, c: 3 * min_positive_at_minimum(lam, r, c) * _one(lam)),
                  dict(spectrum=lambda lam, S, r, c: [v + _one(lam) for v in spectrum_closed_form(lam, S, r, c)])):
        claim = symmetric_spectrum_claim("t.nan", "wrong", "test", c="1/4", **wrong)
        assert _numeric(claim) == [Verdict.REFUTED], list(wrong)


def test_covariance_that_overflows_in_float64_is_not_verified() -> None:
    from verify.claims.invariance_checks import invariance_example_claim

    claim = invariance_example_claim("t.nan", "scaling", "test", example="real-phase",
                                     group=lambda e: inv.scaling_group(e.objective.dim, 1e100))
    assert _numeric(claim, "covariance") == [Verdict.INCONCLUSIVE]
