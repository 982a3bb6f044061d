"""li.deep_linear (docs/mathematics.md §L9): the default claim verifies at every tier; a wrong classification,
a wrong null-space dimension, a wrong orbit relation or GL invariance at b > 0 is refuted at every tier;
malformed parameters are usage errors. Expected values here come from hand computation, not from the code."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from proofs.li_2019.deep_linear import claims as declared, deep_linear_landscape_claim
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.claims.deep_linear import deep_linear_claim
from verify.claims.deep_linear_exact import inertia
from verify.errors import UsageError
from verify.landscape import deep_linear as dl
from verify.landscape.deep_matrix import data_hessian

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def _run(claim, names: set[str]) -> dict[str, Verdict]:
    out = {}
    for check in claim.checks:
        if check.name in names:
            res = check.execute(QUICK)
            assert res.error is None, res.error
            assert res.scope, check.name
            out[check.name] = res.verdict
    return out


def test_default_claim_verified_at_every_tier():
    (claim,) = declared()
    assert claim.id == "li.deep_linear"
    tiers = {}
    for check in claim.checks:
        res = check.execute(QUICK)
        assert res.error is None, res.error
        assert res.verdict is Verdict.VERIFIED, (check.name, res.summary)
        tiers.setdefault(check.tier, []).append(check.name)
    assert set(tiers) == {Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC}


CLASSIFY = {"symbolic-classification", "hp-classification", "numeric-classification"}
NULL = {"symbolic-classification", "hp-classification", "numeric-null-orbit"}
REGULARIZED = {"symbolic-regularized", "hp-regularized", "numeric-regularized"}


@pytest.mark.parametrize("kwargs, names", [
    ({"zero_saddle_strict_depths": (2, 3)}, CLASSIFY),        # W = 0 claimed a strict saddle at L = 3
    ({"zero_saddle_strict_depths": ()}, CLASSIFY),            # W = 0 claimed non-strict at L = 2
    ({"top_saddle_strict_depths": (2, 3)}, CLASSIFY),         # top-1 point claimed strict at L = 3
    ({"inversion_saddles_strict": False}, CLASSIFY),
    ({"null_offset": 1}, NULL),                               # wrong null-space dimension
    ({"orbit_equals_null": True}, NULL),                      # orbit tangent claimed to fill the null space
    ({"regularized_group": "GL"}, REGULARIZED),               # GL invariance claimed at b > 0
])
def test_perturbed_claim_refuted_at_each_tier(kwargs, names):
    verdicts = _run(deep_linear_landscape_claim(**kwargs), names)
    assert set(verdicts) == names
    assert all(v is Verdict.REFUTED for v in verdicts.values()), verdicts


def test_orbit_never_equal_refuted_at_each_tier():
    # widths = r (e.g. (2, 2, 2), rank 2): the orbit tangent fills the null space, by hand in test_counts_by_hand
    verdicts = _run(deep_linear_landscape_claim(orbit_equals_null=False), NULL)
    assert all(v is Verdict.REFUTED for v in verdicts.values()), verdicts


@pytest.mark.parametrize("kwargs", [
    {"zero_saddle_strict_depths": (1,)}, {"zero_saddle_strict_depths": "2"}, {"top_saddle_strict_depths": (2.0,)},
    {"inversion_saddles_strict": 1}, {"null_offset": 0.5}, {"null_offset": True}, {"orbit_equals_null": "yes"},
    {"regularized_group": "SO"}, {"b": "0"}, {"b": "-1/10"}, {"b": "nan"},
])
def test_malformed_parameters_are_usage_errors(kwargs):
    with pytest.raises(UsageError):
        deep_linear_claim("x.deep", "s", "src", **kwargs)


def test_placeholders_filled():
    claim = deep_linear_claim("x.deep", "b = {b}, group {regularized_group}", "src", b="0.25")
    assert claim.statement == "b = 1/4, group O"


# ------------------------------------------------------------------ hand-computed facts (independent of the code)

def test_zero_point_hessian_by_hand():
    """At W = 0, L = 2, widths (2, 2, 2), M = diag(3, 1): f = ½||W2 W1 − M||², so the Hessian is the bilinear form
    −2⟨M, V2 V1⟩: eigenvalues ±3, ±1, each twice (hidden width 2). At L = 3 every second derivative vanishes."""
    M = np.diag([3.0, 1.0])
    e = np.sort(np.linalg.eigvalsh(data_hessian([np.zeros((2, 2))] * 2, M, 1.0)))
    assert np.allclose(e, [-3, -3, -1, -1, 1, 1, 3, 3])
    assert np.allclose(data_hessian([np.zeros((2, 2))] * 3, M, 1.0), 0)


def test_exact_inertia_by_descartes():
    assert inertia(sp.diag(2, -1, 0, 0, 5)) == (2, 1, 2)
    assert inertia(sp.Matrix([[0, 1], [1, 0]])) == (1, 1, 0)


@pytest.mark.parametrize("widths, r, null, orbit", [
    ((2, 2, 2), 2, 4, 4),            # params 8, rank-2 variety dim 4; gl(2) acts freely
    ((3, 3, 3), 2, 10, 8),           # params 18, variety 2(3+3-2) = 8; stabilizer gl(1): 9 - 1
    ((3, 3, 3, 3), 3, 18, 18),       # widths = r: (L-1) r^2 both
    ((2, 3, 3, 2, 2), 2, 21, 20),    # params 6+9+6+4 = 25, variety 4; orbit 8+8+4
])
def test_counts_by_hand(widths, r, null, orbit):
    c = dl.derived_counts(widths, r)
    assert (c["null"], c["orbit"], c["null"] - c["orbit"]) == (null, orbit, c["excess"])


def test_flat_direction_outside_the_orbit():
    """widths (3, 3, 3), rank 2: adding t·e3 e3ᵀ to W1 keeps f = 0 (W2 kills e3) though it leaves the row space
    of W1, so it is a null direction the GL orbit tangent (row space of ξW1 = that of W1) cannot contain."""
    M = np.diag([2.0, 1.0, 0.0])
    W1 = np.diag([np.sqrt(2), 1.0, 0.0])
    W2 = W1.copy()
    E = np.zeros((3, 3))
    E[2, 2] = 1.0
    for t in (0.5, 3.0):
        assert np.allclose((W2 @ (W1 + t * E)), M)
