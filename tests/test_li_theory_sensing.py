"""Tests of the L6 sensing claim and its machinery: verified as stated, refuted when perturbed."""
from __future__ import annotations

import numpy as np
import pytest

from proofs.li_2019.sensing import claims, sensing_claim
from verify import sensing as sen
from verify import sensing_rip as rip
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.errors import UsageError

CTX = RunContext(seed=0, profile=get_profile("quick"))


def _checks(claim, names):
    """Run only the named checks (keeps the perturbation tests fast)."""
    return {c.name: c.execute(CTX) for c in claim.checks if c.name in names}


def test_claim_verified_at_quick():
    (claim,) = claims()
    assert claim.id == "li.sensing"
    result = run_claim(claim, CTX)
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary) for c in result.checks]
    table = {c.name: c for c in result.checks}["hessian-distance"].details["table"]
    deltas = {row["m"]: row["delta_2r_est"] for row in table}
    assert deltas[8000] < deltas[500] < deltas[50]   # delta grows as m shrinks


def test_too_tight_bound_refuted():
    """Coefficients (1, 1/2) instead of the derived (8, 4): exceeded even with the upper bound delta_full."""
    res = _checks(sensing_claim(bound_coefficients=("1", "1/2")), {"hessian-distance"})
    assert res["hessian-distance"].verdict is Verdict.REFUTED
    assert res["hessian-distance"].counterexample is not None


@pytest.mark.parametrize("scale", ["1.000001", "1/2"])
def test_wrong_basis_scale_refuted(scale):
    res = _checks(sensing_claim(basis_scale=scale), {"full-basis-equals-F"})
    assert res["full-basis-equals-F"].verdict is Verdict.REFUTED


def test_wrong_gaussian_normalization_refuted():
    """1/m instead of 1/sqrt(m) is not isotropic."""
    res = _checks(sensing_claim(gaussian_scale_power="1"), {"gaussian-isotropy"})
    assert res["gaussian-isotropy"].verdict is Verdict.REFUTED


def test_full_basis_gives_f_numerically():
    rng = np.random.default_rng(5)
    X, L = rng.standard_normal((4, 2)), rng.standard_normal((4, 4))
    M = L @ L.T
    B = sen.basis_measurements(4)
    assert abs(sen.g_value(B, X, M, 0.25) - sen.f_value(X, M, 0.25)) <= 1e-12 * sen.f_value(X, M, 0.25)
    assert np.allclose(sen.g_hess(B, X, M, 0.25), sen.f_hess(X, M, 0.25), rtol=0, atol=1e-12)


def test_g_hessian_against_explicit_loop_definition():
    """Independent route: G coded as an explicit sum over measurement matrices, Hessian by differences."""
    rng = np.random.default_rng(6)
    n, r, m, c = 4, 2, 30, 0.25
    A = sen.gaussian_measurements(n, m, rng)
    mats = A.rows.reshape(m, n, n)
    L = rng.standard_normal((n, 2))
    M = L @ L.T
    X = rng.standard_normal((n, r))

    def G(Y):
        return c * sum(float(np.sum(Ak * (Y @ Y.T - M))) ** 2 for Ak in mats)

    h = 1e-4
    d = n * r
    H = np.zeros((d, d))
    for i in range(d):
        for j in range(d):
            ei, ej = np.zeros(d), np.zeros(d)
            ei[i], ej[j] = h, h
            ei, ej = ei.reshape(n, r), ej.reshape(n, r)
            H[i, j] = (G(X + ei + ej) - G(X + ei - ej) - G(X - ei + ej) + G(X - ei - ej)) / (4 * h * h)
    assert np.linalg.norm(H - sen.g_hess(A, X, M, c)) <= 1e-5 * np.linalg.norm(H)


def test_rip_estimate_matches_exact_when_rank_covers_everything():
    """For k >= n the restricted constant is the full one, computed by an exact eigenproblem."""
    rng = np.random.default_rng(7)
    A = sen.gaussian_measurements(4, 60, rng)
    est = rip.rip_estimate(A, 4, rng, 100, 10)
    exact = sen.full_isometry_constant(A)
    assert est.delta <= exact * (1 + 1e-12)
    assert est.delta >= 0.999 * exact
    low = rip.rip_estimate(A, 1, rng, 100, 10)
    assert low.delta <= exact * (1 + 1e-12)


def test_stationary_points_are_stationary():
    rng = np.random.default_rng(8)
    U = np.linalg.qr(rng.standard_normal((5, 5)))[0]
    lam = np.array([3.0, 1.5, 0.7, 0.0, 0.0])
    M = (U * lam) @ U.T
    pts = sen.factorization_stationary_points(U, lam, 2)
    assert len(pts) == 1 + 3 + 3          # |S| = 0, 1, 2 from three positive eigenvalues
    assert sum(p.global_min for p in pts) == 1
    for p in pts:
        assert np.linalg.norm(sen.f_grad(p.X, M, 0.25)) <= 1e-12 * np.linalg.norm(M)


@pytest.mark.parametrize("bad", [
    lambda: sen.gaussian_measurements(4, 0, np.random.default_rng(0)),
    lambda: sen.gaussian_measurements(0, 5, np.random.default_rng(0)),
    lambda: sen.gaussian_measurements(4, -3, np.random.default_rng(0)),
    lambda: sen.hessian_distance(sen.basis_measurements(3), np.full((3, 1), np.nan), np.eye(3), 0.25),
    lambda: sen.hessian_distance(sen.basis_measurements(3), np.ones((3, 1)), np.eye(4), 0.25),
    lambda: sen.hessian_distance(sen.basis_measurements(3), np.ones((3, 1)), np.triu(np.ones((3, 3))), 0.25),
    lambda: sen.basis_measurements(3, float("inf")),
    lambda: rip.rip_estimate(sen.basis_measurements(3), 0, np.random.default_rng(0), 10, 1),
    lambda: sensing_claim(m_sizes=(100, 0)),
    lambda: sensing_claim(m_sizes=()),
    lambda: sensing_claim(c="nan"),
    lambda: sensing_claim(c="-1/4"),
    lambda: sensing_claim(n=3, r=2),
    lambda: sensing_claim(bound_coefficients=("8", "inf")),
])
def test_bad_input_raises_usage_error(bad):
    with pytest.raises(UsageError):
        bad()


@pytest.mark.parametrize("m", [15, 80, 1000])
def test_derived_bound_holds_at_random_points(m):
    """The bound with delta_full (an exact upper bound on every delta_k) holds at arbitrary X, any m."""
    rng = np.random.default_rng(9 + m)
    n, r, c = 5, 2, 0.25
    A = sen.gaussian_measurements(n, m, rng)
    full = sen.full_isometry_constant(A)
    L = rng.standard_normal((n, 3))
    M = L @ L.T
    for _ in range(5):
        X = rng.standard_normal((n, r))
        hd = sen.hessian_distance(A, X, M, c)
        assert hd.distance <= sen.distance_bound(c, 8, 4, full, full, hd.x_norm2, hd.e_norm) * (1 + 1e-9)
        # the sharper intermediate bound with the exact subspace constants also holds
        assert hd.distance <= c * (8 * hd.tangent_delta * hd.x_norm2 + 4 * hd.w_norm) * (1 + 1e-9)
