"""Sharpness (largest Hessian eigenvalue at the global minimizers): convention route, catalogue kp.sharpness,
and perturbed claims refuted at every tier."""
import mpmath
import numpy as np
import pytest
import sympy as sp

import proofs
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.claims.sharpness import LAM, U, sharpness_claim, sign_on
from verify.errors import UsageError
from verify.highprec import scalar as hp
from verify.problems.scalar import convention_problem
from verify.symbolic.scalar import L_sym as L, a, b, rho

CTX = RunContext(seed=0, profile=get_profile("quick"))
A1 = convention_problem("A1")
SHARP = L * a * rho ** (2 * L - 2) - (L - 2) * b


def _run(formula, depths, problem=A1, **kw):
    return run_claim(sharpness_claim("s", "test", "test", problem, formula, depths=depths, **kw), CTX)


def _tiers(r):
    return {str(c.tier): c.verdict for c in r.checks}


def test_hand_computed_instance():
    # L = 3, A1 (a = 2, b = 2λ/3), m = 3/2, λ = 3/2: ρ = 1 solves a·ρ(ρ³ − m) + b = 0 (2·(−1/2) + 1 = 0), and
    # H = [[3, 1, 1], [1, 3, 1], [1, 1, 3]] by hand (H_ii = aρ⁴ + b, H_ij = aρ⁴ + a(ρ³ − m)ρ): eigenvalues 2, 2, 5
    assert np.allclose(np.linalg.eigvalsh(np.array([[3.0, 1, 1], [1, 3, 1], [1, 1, 3]])), [2, 2, 5])
    with mpmath.workdps(40):
        mins = hp.global_minimizers(3, mpmath.mpf(3) / 2, mpmath.mpf(2), mpmath.mpf(1))
        assert len(mins) == 1 and abs(mins[0].rho - 1) < mpmath.mpf(10) ** -35
    assert SHARP.subs({L: 3, a: 2, b: 1, rho: 1}) == 5


def test_catalogue_declaration():
    c = next(c for c in proofs.catalogue() if c.id == "kp.sharpness")
    assert "title" in c.source and "derived by the suite" in c.source and "§P3" in c.source
    text = c.source + " " + " ".join(c.resolutions)
    assert not any(w in text for w in ("theorem", "Thm", "Lemma", "Corollary", "MATH.md"))
    assert {str(ch.tier) for ch in c.checks} == {"symbolic", "high-precision", "certified", "numeric"}


def test_catalogue_formula_verified_at_every_tier():
    r = _run(SHARP, (3, 4, 5))
    assert r.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary, c.error) for c in r.checks]
    assert all(c.scope for c in r.checks)


def test_depth1_single_eigenvalue():
    assert _run(SHARP, (1,)).verdict is Verdict.VERIFIED  # L = 1: L·a − (L−2)·b = a + b


@pytest.mark.parametrize("formula", [
    (L + 1) * a * rho ** (2 * L - 2) - (L - 2) * b,          # wrong constant
    L * a * rho ** (2 * L - 3) - (L - 2) * b,                # wrong exponent
    2 * b,                                                    # the other eigenvalue (the smaller one)
    SHARP * (1 + sp.Rational(1, 10**6)),                      # off by 1e-6
])
def test_perturbed_refuted_at_every_tier(formula):
    r = _run(formula, (3, 4))
    assert set(_tiers(r).values()) == {Verdict.REFUTED}, [(c.name, c.verdict, c.summary) for c in r.checks]
    assert all(c.counterexample for c in r.checks)


def test_perturbed_shrunk():
    r = _run((L + 1) * a * rho ** (2 * L - 2) - (L - 2) * b, (3, 4))
    assert r.minimal_counterexample["depth"] == 3 and r.minimal_counterexample["m"] in ("1", "-1")


def test_depth2_formula_fails_where_2b_is_larger():
    # L = 2: ρ² = |m| − b/a; the two eigenvalues are 2b and 2aρ² = 2(a|m| − b): 2aρ² is the largest only
    # for b < a|m|/2, so the L ≥ 3 formula is wrong at L = 2 on part of the minimizers
    r = _run(SHARP, (2,))
    assert set(_tiers(r).values()) == {Verdict.REFUTED}


def test_depth2_max_is_not_refuted():
    r = _run(sp.Max(SHARP, 2 * b), (2,))
    assert _tiers(r)["high-precision"] is Verdict.VERIFIED and _tiers(r)["numeric"] is Verdict.VERIFIED
    assert _tiers(r)["symbolic"] is Verdict.INCONCLUSIVE  # equal at the probes, not one eigenvalue identically


def test_lambda_form_equivalent():
    # under A1, b = 2λ/L and a = 2: the same claim written with lam
    r = _run(2 * L * rho ** (2 * L - 2) - 2 * (L - 2) * LAM / L, (3, 4))
    assert r.verdict is Verdict.VERIFIED


def test_sign_on_interval():
    assert sign_on(2 - U, sp.Integer(1), sp.Integer(2))[0] == "nonnegative"
    sign, u0 = sign_on(2 - U, sp.Integer(1), sp.Integer(3))
    assert sign == "negative" and 2 < u0 <= 3
    assert sign_on((U - 2) ** 2, sp.Integer(1), sp.oo)[0] == "nonnegative"
    assert sign_on(sp.sqrt(U) - 1, sp.Integer(1), sp.Integer(2))[0] == "undecided"


def test_usage_errors():
    with pytest.raises(UsageError, match="may use only"):
        sharpness_claim("s", "t", "t", A1, rho * sp.Symbol("z"))
    with pytest.raises(UsageError, match="inexact"):
        sharpness_claim("s", "t", "t", A1, sp.Float("0.5") * rho)
    with pytest.raises(UsageError, match="min_depth"):
        sharpness_claim("s", "t", "t", A1, rho, min_depth=0)
