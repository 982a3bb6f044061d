"""Tests of the L6 sensing claim and its machinery: verified as stated, refuted when perturbed."""
from __future__ import annotations

from fractions import Fraction

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


@pytest.mark.parametrize("scale", ["1.000001", "1/2", "0", "sqrt(2)/2"])
def test_wrong_basis_scale_refuted_at_every_tier(scale):
    """G = F needs scale² = 1: the symbolic identity, the float64 comparison and the 50-digit one each use the
    claimed scale (the float64 and 50-digit tiers once compared the unscaled basis and verified any scale)."""
    names = {"full-basis-equals-F", "hessian-distance", "hessian-distance-high-precision"}
    res = _checks(sensing_claim(basis_scale=scale), names)
    assert {name: res[name].verdict for name in names} == dict.fromkeys(names, Verdict.REFUTED)


def test_a_scale_below_float64_resolution_is_refuted_at_high_precision():
    """1 + 10⁻³⁰ rounds to 1 in float64 (that tier verifies what it can see); the 50-digit tier refutes it."""
    res = _checks(sensing_claim(basis_scale="1+10**-30"), {"full-basis-equals-F", "hessian-distance-high-precision"})
    assert res["full-basis-equals-F"].verdict is Verdict.REFUTED
    assert res["hessian-distance-high-precision"].verdict is Verdict.REFUTED
    assert res["hessian-distance-high-precision"].details["basis_relative_gap"].startswith("2.0")


def test_the_50_digit_tier_judges_the_basis_scale_without_small_operators():
    """With every m > 500 the 50-digit distance check has no operator to re-evaluate, but the basis needs none."""
    res = _checks(sensing_claim(basis_scale="2", m_sizes=(8000,)), {"hessian-distance-high-precision"})
    assert res["hessian-distance-high-precision"].verdict is Verdict.REFUTED


def test_a_basis_scale_beyond_float64_is_left_to_the_exact_tiers_not_a_crash():
    """1e200: its square overflows in float64, so the float64 comparison is inconclusive; the symbolic and 50-digit
    tiers refute it."""
    names = {"full-basis-equals-F", "hessian-distance", "hessian-distance-high-precision"}
    res = _checks(sensing_claim(basis_scale="1e200"), names)
    assert {name: res[name].verdict for name in names} == {
        "full-basis-equals-F": Verdict.REFUTED, "hessian-distance": Verdict.INCONCLUSIVE,
        "hessian-distance-high-precision": Verdict.REFUTED}
    assert all(r.error is None for r in res.values())


def test_a_hand_gradient_that_is_wrongly_zero_is_refuted_by_the_difference_check(monkeypatch):
    """||g − g_fd|| / ||g|| is 0/0-prone where the hand gradient is 0: the difference is then taken relative to the
    finite differences (1 for a wrong zero), so a zero gradient is refuted, never dropped as nan."""
    from verify.claims import sensing_common

    monkeypatch.setattr(sensing_common, "_INSTANCES", {})
    monkeypatch.setattr(sen, "g_grad", lambda A, X, M, c: np.zeros_like(X))
    res = _checks(sensing_claim(), {"derivatives-vs-fd"})
    assert res["derivatives-vs-fd"].verdict is Verdict.REFUTED


def test_minus_one_is_a_true_basis_scale():
    """scale = −1 gives G = F (only scale² enters): verified, not refuted, at every tier that compares the basis."""
    names = {"full-basis-equals-F", "hessian-distance", "hessian-distance-high-precision"}
    res = _checks(sensing_claim(basis_scale="-1"), names)
    assert {name: res[name].verdict for name in names} == dict.fromkeys(names, Verdict.VERIFIED)


@pytest.mark.parametrize("power", ["1", "51/100", "0"])
def test_wrong_gaussian_normalization_refuted_symbolically_and_on_the_sampled_operators(power):
    """m^-power with power ≠ 1/2 is not isotropic: refuted exactly (symbolic m) and by the sampled operators' exact
    chi-square law (the operators are built with the claimed power). The high-precision checks test the bound and
    the saddles on those operators, which hold whatever the normalization: that tier does not decide it."""
    names = {"gaussian-isotropy", "gaussian-isotropy-sampled"}
    res = _checks(sensing_claim(gaussian_scale_power=power), names)
    assert res["gaussian-isotropy"].verdict is Verdict.REFUTED
    assert res["gaussian-isotropy-sampled"].verdict is Verdict.REFUTED
    assert res["gaussian-isotropy-sampled"].counterexample["two_sided_p"] < 1e-9


def test_the_isotropy_statistic_by_an_independent_route():
    """The mean ratio is tr(A*A on Sym(n))/D from the Gram matrix in the orthonormal basis, and the tail is
    SciPy's chi-square law; a claimed power 1 scales the sampled operator by m^-1/2 more than the isotropic one."""
    from scipy.stats import chi2

    n, m = 4, 60
    A = sen.gaussian_measurements(n, m, np.random.default_rng(3))
    basis = sen.sym_basis(n).reshape(-1, n * n)
    D = len(basis)
    ratio, tail = sen.isotropy_test(A)
    assert ratio == pytest.approx(np.trace(basis @ A.gram() @ basis.T) / D, rel=1e-12)
    x, k = m * ratio * D, m * D
    assert tail == pytest.approx(2 * min(chi2.cdf(x, k), chi2.sf(x, k)), rel=1e-9)
    A1 = sen.gaussian_measurements(n, m, np.random.default_rng(3), Fraction(1))
    assert np.allclose(A1.rows, A.rows / np.sqrt(m), rtol=1e-15, atol=0)
    assert sen.isotropy_test(A1)[1] < 1e-100


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
    lambda: sensing_claim(gaussian_scale_power="64"),      # G scales as 8000^(1 − 128) ~ 1e-496
    lambda: sensing_claim(gaussian_scale_power="-60"),
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
