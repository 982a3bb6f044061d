"""Li et al. 2019 L1–L4: every tier refutes a perturbed claim; wrong claims are refuted, never a crash;
malformed claims are usage errors; sources and scopes are honest."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.li_2019 import symmetric as li
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.errors import UsageError
from verify.symbolic.symmetric import min_positive_at_minimum, spectrum_closed_form, uniform_saddle_bound

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def run_tier(claim, tier: Tier):
    """Results of the claim-dependent checks of one tier (the derivative cross-check is claim-independent)."""
    out = []
    for check in claim.checks:
        if check.tier is tier and "finite differences" not in check.name:
            res = check.execute(QUICK)
            assert res.error is None, res.error
            out.append(res)
    return out


def verdicts(claim, tier: Tier) -> list[Verdict]:
    return [r.verdict for r in run_tier(claim, tier)]


# ---------------------------------------------------------------- L1 symmetry

@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_symmetry_non_orthogonal_map_refuted_at_every_tier(tier):
    assert verdicts(li.symmetry_claim(perturb="1.000001"), tier) == [Verdict.REFUTED]


# ---------------------------------------------------------------- L2 stationary points

def test_family_decides_whether_zero_is_claimed_symbolically():
    """A claim that forgets X = 0 is refuted by the exact (Gröbner) completeness check."""
    res = run_tier(li.stationary_points_claim(family="nonempty"), Tier.SYMBOLIC)[0]
    assert res.verdict is Verdict.REFUTED
    assert any(all(float(v) == 0 for v in m["solution"]) for m in res.counterexample["unexplained"])
    assert verdicts(li.stationary_points_claim(), Tier.SYMBOLIC) == [Verdict.VERIFIED]


def test_family_without_zero_refuted_numerically():
    res = run_tier(li.stationary_points_claim(family="nonempty"), Tier.NUMERIC)[0]
    assert res.verdict is Verdict.REFUTED and res.counterexample["S"] == []


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION])
def test_stationary_wrong_scale_refuted(tier):
    assert verdicts(li.stationary_points_claim(scale="1.000001"), tier) == [Verdict.REFUTED]


def test_stationary_bad_family_is_usage_error():
    with pytest.raises(UsageError):
        li.stationary_points_claim(family="everything")


# ---------------------------------------------------------------- L3 strict saddles

def _extra_zero(lam, S, r, c):
    return list(spectrum_closed_form(lam, S, r, c)) + [0 * c]


def _one_missing(lam, S, r, c):
    return list(spectrum_closed_form(lam, S, r, c))[:-1]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
@pytest.mark.parametrize("spectrum", [_extra_zero, _one_missing], ids=["extra", "missing"])
def test_spectrum_of_wrong_length_refuted_not_crashing(tier, spectrum):
    assert verdicts(li.strict_saddles_claim(spectrum=spectrum), tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_saddle_bound_zero_refuted_not_crashing(tier):
    assert verdicts(li.strict_saddles_claim(saddle_bound=lambda lam, r, c: 0 * c), tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_saddle_bound_off_by_1e_6_refuted(tier):
    claim = li.strict_saddles_claim(saddle_bound=lambda lam, r, c: uniform_saddle_bound(lam, r, c)
                                    * sp.Rational(1000001, 1000000))
    assert verdicts(claim, tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_min_positive_off_by_1e_6_refuted(tier):
    claim = li.strict_saddles_claim(min_positive=lambda lam, r, c: min_positive_at_minimum(lam, r, c)
                                    * sp.Rational(999999, 1000000))
    assert verdicts(claim, tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_wrong_c_refuted_at_every_tier(tier):
    assert verdicts(li.strict_saddles_claim(c="1/4", claimed_c="1/2"), tier) == [Verdict.REFUTED]


@pytest.mark.parametrize("kwargs", [
    {"spectrum": lambda lam, S, r, c: "8c·λ"},
    {"spectrum": lambda lam, S, r, c: None},
    {"spectrum": lambda lam, S, r, c: ["1", "2"]},
    {"spectrum": 3},
    {"saddle_bound": lambda lam, r, c: [1]},
    {"saddle_bound": lambda lam, r, c: "0"},
    {"saddle_bound": lambda lam, r, c: sp.Symbol("kappa")},
    {"spectrum": lambda lam, S, r, c: [sp.I * c]},
    {"min_positive": lambda lam, r, c: None},
    {"min_positive": lambda lam, r: 1},
])
def test_malformed_closed_forms_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        li.strict_saddles_claim(**kwargs)


# ---------------------------------------------------------------- L4 null space

@pytest.mark.parametrize("tier", [Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC])
def test_null_dimension_off_by_one_refuted_at_every_tier(tier):
    from verify.symbolic.symmetric import null_dim_closed_form

    claim = li.null_space_claim(null_dim=lambda n, r, p, s: null_dim_closed_form(n, r, p, s) + (s == r))
    assert verdicts(claim, tier) == [Verdict.REFUTED]


# ---------------------------------------------------------------- sources and scope

@pytest.mark.parametrize("factory, section", [(li.symmetry_claim, "L1"), (li.stationary_points_claim, "L2"),
                                              (li.strict_saddles_claim, "L3"), (li.null_space_claim, "L4"),
                                              (li.regions_claim, "L5")])
def test_sources_cite_shipped_document_and_say_what_is_derived(factory, section):
    src = factory().source
    assert f"docs/mathematics.md §{section}" in src
    assert "abstract" in src and "derived by the suite" in src
    for word in ("MATH.md", "Thm", "Theorem", "Lemma", "Corollary"):
        assert word not in src
