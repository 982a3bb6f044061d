"""Li et al. 2019 L1–L5: each claim verified at profile quick, perturbed claims refuted, hostile input."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from proofs.li_2019 import symmetric as li
from verify.claims import RunContext, Tier, Verdict, get_profile, run_claim
from verify.errors import UsageError
from verify.kernels.symmetric import (Instance, check_instance, hessian_matrix, random_orthogonal,
                                      stationary_point)
from verify.landscape.symmetric import region_report

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def run_tier(claim, tier: Tier):
    """Results of the checks of one tier that depend on the claimed quantities (the cheap way to
    exercise a perturbed claim); the derivative cross-check is independent of them and skipped."""
    return [c.execute(QUICK) for c in claim.checks if c.tier is tier and "finite differences" not in c.name]


@pytest.mark.parametrize("factory", [li.symmetry_claim, li.stationary_points_claim, li.strict_saddles_claim,
                                     li.null_space_claim, li.regions_claim])
def test_claim_verified_at_quick(factory, tmp_path):
    ctx = RunContext(seed=0, profile=get_profile("quick"), out_dir=str(tmp_path))
    res = run_claim(factory(), ctx)
    assert res.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary, c.error) for c in res.checks]
    json.dumps(res.to_json(), allow_nan=True)
    for c in res.checks:
        for fig in c.figures:
            assert (tmp_path / fig).stat().st_size > 1000
    certified = {"certified"} if factory is li.regions_claim else set()  # the regions' branch-and-bound
    assert {str(c.tier) for c in res.checks} == {"symbolic", "high-precision", "numeric"} | certified
    assert all(c.scope for c in res.checks), [(c.name, c.scope) for c in res.checks]


def test_catalogue_ids():
    ids = [c.id for c in li.claims()]
    assert ids == ["li.symmetry", "li.stationary_points", "li.strict_saddles", "li.null_space", "li.regions"]
    assert all("c = 1/4" in " ".join(c.resolutions) for c in li.claims())


# ---------------------------------------------------------------- falsification

def test_symmetry_under_non_orthogonal_map_refuted():
    claim = li.symmetry_claim(perturb="1.000001")
    for tier in (Tier.HIGH_PRECISION, Tier.NUMERIC):
        assert [r.verdict for r in run_tier(claim, tier)] == [Verdict.REFUTED]


def test_stationary_wrong_exponent_and_scale_refuted():
    hp = run_tier(li.stationary_points_claim(exponent="0.500001"), Tier.HIGH_PRECISION)[0]
    assert hp.verdict is Verdict.REFUTED and hp.counterexample
    sym = run_tier(li.stationary_points_claim(exponent="0.500001"), Tier.SYMBOLIC)[0]
    assert sym.verdict is Verdict.REFUTED
    sym = run_tier(li.stationary_points_claim(scale="1.000001"), Tier.SYMBOLIC)[0]
    assert sym.verdict is Verdict.REFUTED


def test_stationary_incomplete_family_refuted():
    """Claiming only S = {1..k} misses e.g. ±√λ_2 u_2: completeness checks find those points."""
    claim = li.stationary_points_claim(family="prefixes")
    sym = run_tier(claim, Tier.SYMBOLIC)[0]
    assert sym.verdict is Verdict.REFUTED
    num = run_tier(claim, Tier.NUMERIC)[0]
    assert num.verdict is Verdict.REFUTED and "X" in num.counterexample


def test_saddle_bound_off_by_relative_1e6_refuted():
    from verify.symbolic.symmetric import uniform_saddle_bound

    claim = li.strict_saddles_claim(saddle_bound=lambda lam, r, c: uniform_saddle_bound(lam, r, c) * (1 + 1e-6))
    for tier in (Tier.HIGH_PRECISION, Tier.NUMERIC):
        assert [r.verdict for r in run_tier(claim, tier)] == [Verdict.REFUTED]


def test_saddle_bound_off_by_factor_two_refuted():
    from verify.symbolic.symmetric import uniform_saddle_bound

    claim = li.strict_saddles_claim(saddle_bound=lambda lam, r, c: uniform_saddle_bound(lam, r, c) / 2)
    assert [r.verdict for r in run_tier(claim, Tier.NUMERIC)] == [Verdict.REFUTED]


def test_spectrum_wrong_factor_refuted_symbolically():
    from verify.symbolic.symmetric import spectrum_closed_form

    def wrong(lam, S, r, c):  # 4c(λ_i + λ_i') replaced by 2c(λ_i + λ_i'): wrong only when |S| ≥ 2
        out = spectrum_closed_form(lam, S, r, c)
        if len(S) >= 2:
            out[len(S)] = out[len(S)] / 2
        return out

    assert [r.verdict for r in run_tier(li.strict_saddles_claim(spectrum=wrong), Tier.SYMBOLIC)] == [Verdict.REFUTED]


def test_wrong_c_refuted():
    claim = li.strict_saddles_claim(c="1/4", claimed_c="1/2")
    for tier in (Tier.SYMBOLIC, Tier.NUMERIC):
        assert [r.verdict for r in run_tier(claim, tier)] == [Verdict.REFUTED]


def test_min_positive_perturbed_refuted():
    from verify.symbolic.symmetric import min_positive_at_minimum

    claim = li.strict_saddles_claim(min_positive=lambda lam, r, c: min_positive_at_minimum(lam, r, c) * (1 - 1e-6))
    assert [r.verdict for r in run_tier(claim, Tier.NUMERIC)] == [Verdict.REFUTED]


def test_wrong_null_dimension_refuted():
    from verify.symbolic.symmetric import null_dim_closed_form

    claim = li.null_space_claim(null_dim=lambda n, r, p, s: null_dim_closed_form(n, r, p, s) + (s == r))
    for tier in (Tier.SYMBOLIC, Tier.HIGH_PRECISION, Tier.NUMERIC):
        assert [r.verdict for r in run_tier(claim, tier)] == [Verdict.REFUTED]
    claim = li.null_space_claim(min_null_dim=lambda r: r * (r + 1) // 2)
    assert [r.verdict for r in run_tier(claim, Tier.NUMERIC)] == [Verdict.REFUTED]


@pytest.mark.parametrize("factors", [{"kappa1": 2.000002}, {"kappa2": 2.000002}])
def test_region_curvature_constant_too_generous_refuted(factors):
    """κ1 = 2cγ and κ2 = 2cδ are half the exact values at the tight saddle / at the minimum."""
    res = run_tier(li.regions_claim(factors=factors), Tier.HIGH_PRECISION)[0]
    assert res.verdict is Verdict.REFUTED and res.counterexample


def test_region_gradient_constant_too_generous_refuted():
    res = run_tier(li.regions_claim(factors={"kappa3": 3.0}), Tier.NUMERIC)[0]
    assert res.verdict is Verdict.REFUTED
    assert res.counterexample["region"] == "R3'" and res.counterexample["margin"] < 0


def test_region_radius_too_generous_refuted():
    """R2 blown up 40×: it then contains points far from the minimum where the Hessian is not convex."""
    res = run_tier(li.regions_claim(factors={"rho2": 40.0}), Tier.NUMERIC)[0]
    assert res.verdict is Verdict.REFUTED
    sym = run_tier(li.regions_claim(factors={"rho2": 40.0}), Tier.SYMBOLIC)[0]
    assert sym.verdict is Verdict.INCONCLUSIVE  # identities hold, the proof no longer covers the radius


# ---------------------------------------------------------------- independent expectations

def test_closed_form_spectrum_n2_r1_by_hand():
    """n = 2, r = 1, M = diag(λ1, λ2): H = 4c(3x² − λ1 + y², 2xy; 2xy, x² + 3y² − λ2), derived by hand."""
    from verify.symbolic.symmetric import spectrum_closed_form

    lam, c = [3.0, 1.0], 0.25
    for S, X in (((), [0.0, 0.0]), ((0,), [math.sqrt(3), 0.0]), ((1,), [0.0, 1.0])):
        x, y = X
        H = 4 * c * np.array([[3 * x * x - lam[0] + y * y, 2 * x * y], [2 * x * y, x * x + 3 * y * y - lam[1]]])
        assert np.allclose(np.sort(np.linalg.eigvalsh(H)), np.sort(spectrum_closed_form(lam, S, 1, c)))


@settings(max_examples=15)
@given(st.integers(2, 4), st.integers(1, 3), st.integers(0, 2**31 - 1))
def test_spectrum_matches_float64_at_random_stationary_points(n, r, seed):
    from verify.kernels.symmetric import index_sets, random_spectrum
    from verify.symbolic.symmetric import spectrum_closed_form

    r = min(r, n)
    rng = np.random.default_rng(seed)
    inst = Instance(random_spectrum(rng, n, int(rng.integers(1, n + 1))), random_orthogonal(rng, n), r)
    for S in index_sets(inst):
        X = stationary_point(inst, S, random_orthogonal(rng, r))
        e = np.linalg.eigvalsh(hessian_matrix(X, inst.M, 0.25))
        assert np.max(np.abs(e - np.sort(spectrum_closed_form(list(inst.lam), S, r, 0.25)))) < 1e-12


def test_near_tie_resolved_only_in_mpmath():
    res = run_tier(li.strict_saddles_claim(), Tier.HIGH_PRECISION)[0]
    tie = res.details["near_tie"]
    assert tie["float64"]["lambda_2_rounds_to"] == "1.0"
    assert tie["mpmath_digits"] > 25
    assert float(tie["minimum"]["mpmath_eigenvalue"]) > 0 > float(tie["saddle"]["mpmath_eigenvalue"])


# ---------------------------------------------------------------- hostile input and scope

@pytest.mark.parametrize("c", ["nan", "inf", "-1/4", "0", "abc"])
def test_bad_c_raises(c):
    with pytest.raises(UsageError):
        li.strict_saddles_claim(c=c)


def test_bad_factor_raises():
    with pytest.raises(UsageError):
        li.regions_claim(factors={"kappa9": 1.0})
    with pytest.raises(UsageError):
        li.regions_claim(factors={"kappa1": float("nan")})
    with pytest.raises(UsageError):
        li.stationary_points_claim(family="all")


@pytest.mark.parametrize("M, X", [
    (np.array([[1.0, np.nan], [np.nan, 1.0]]), np.zeros((2, 1))),
    (np.eye(2), np.full((2, 1), np.inf)),
    (np.eye(3), np.zeros((2, 1))),
    (np.ones((2, 3)), np.zeros((2, 1))),
    (np.diag([1.0, -0.5]), np.zeros((2, 1))),
    (np.array([[1.0, 2.0], [0.0, 1.0]]), np.zeros((2, 1))),
])
def test_hostile_instances_raise(M, X):
    with pytest.raises(UsageError):
        region_report(M, X)
    with pytest.raises(UsageError):
        check_instance(M, X)


def test_outside_l5_reported_not_crashing():
    out = region_report(np.diag([1.0, 0.5, 0.0]), np.zeros((3, 3)))
    assert out["region"] is None and "p = rank M = 2 < r = 3" in out["outside_claim"]
    out = region_report(np.diag([1.0, 1.0, 0.3]), np.zeros((3, 1)))
    assert out["region"] is None and "repeated" in out["outside_claim"]


def test_derivative_crosscheck_is_a_check():
    names = [c.name for c in li.strict_saddles_claim().checks]
    assert "SymPy derivatives vs mpmath finite differences" in names


def test_symbolic_derivatives_cross_checked_numerically():
    from verify.highprec.symmetric import symbolic_agreement

    d = symbolic_agreement(2, 2, sp.Rational(1, 4), np.random.default_rng(3), 50)
    assert d["gradient_vs_closed_form"] > 45 and d["hessian_vs_operator"] > 45
    assert d["gradient_vs_fd"] > 25 and d["hessian_vs_fd"] > 25  # central differences, h = 1e-16: O(h²)


@pytest.mark.parametrize("values", [["1", "-0.5"], ["0.5", "1"], ["nan", "1"], ["1", "inf"]])
def test_parse_spectrum_rejects_bad_eigenvalues(values):
    from verify.highprec.symmetric import parse_spectrum

    with pytest.raises(UsageError):
        parse_spectrum(values, 50)


def test_parse_spectrum_exact():
    import mpmath

    from verify.highprec.symmetric import parse_spectrum

    lam = parse_spectrum(["1", "0.1"], 50)
    with mpmath.workdps(60):
        assert abs(lam[1] - mpmath.mpf(1) / 10) < mpmath.mpf(10) ** -50
