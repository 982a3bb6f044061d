"""S2: the high-precision route for user problems (verify.highprec.problem).

Expected values come from outside the module: the convention route ``verify.highprec.scalar`` (closed-form
stationary equation, hand-derived product-rule Hessian), Hessians and thresholds derived by hand in this
file, and the definition of stationarity (the full L-dimensional gradient vanishes). Tolerances: results
are computed at 40 digits and compared to 30 (10 digits of slack for finite differences at raised
precision and for the Newton stopping rule at a few ulps).
"""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp
from mpmath import mpf

from verify.errors import UsageError
from verify.highprec import problem as hp
from verify.highprec import scalar as hs
from verify.numbers import digits_of_agreement
from verify.problems import convention_problem, parse_problem

DPS = 40
AGREE = 30
A1 = convention_problem("A1")
L1 = parse_problem("(p - m)**2 / 2", "lam * abs(w)")


def _num(text: str) -> mpf:
    q = sp.Rational(text)
    return mpf(q.p) / q.q


def _close(x: mpf, y: mpf, scale: mpf = mpf(1)) -> bool:
    return abs(x - y) <= mpf(10) ** (-AGREE) * max(abs(x), abs(y), scale)


@pytest.mark.parametrize(("depth", "m", "lam"), [
    (1, "3/2", "0.3"), (2, "-7/3", "2"), (3, "3/2", "2.03"), (5, "-7/3", "0.4"), (4, "3/2", "2.5"),
])
def test_a1_stationary_points_and_minimizers_match_the_convention_route(depth: int, m: str, lam: str) -> None:
    with mpmath.workdps(DPS):
        mm, ll = _num(m), _num(lam)
        a, b = mpf(2), 2 * ll / depth
        mine = hp.stationary_points(A1, depth, mm, ll)
        ref = hs.stationary_classes(depth, mm, a, b)
        assert len(mine) == len(ref)
        for p, r in zip(mine, ref):
            assert _close(p.rho, r.rho) and _close(p.product, r.product) and _close(p.objective, r.objective)
        best = hp.global_minimizers(A1, depth, mm, ll)
        best_ref = hs.global_minimizers(depth, mm, a, b)
        assert [mpmath.nstr(p.rho, 20) for p in best] == [mpmath.nstr(c.rho, 20) for c in best_ref]


def test_both_nonzero_radii_are_found_near_the_threshold() -> None:
    """A1, L = 3 just below and above λ*: 0, the saddle radius and the minimizer radius (3 points)."""
    with mpmath.workdps(DPS):
        m = mpf(3) / 2
        lam_star = hp.threshold(A1, 3, m)
        for lam in (lam_star * (1 - mpf(10) ** -12), lam_star * (1 + mpf(10) ** -12)):
            pts = hp.stationary_points(A1, 3, m, lam)
            radii = hs.nonzero_stationary_radii(3, m, mpf(2), 2 * lam / 3)
            assert len(pts) == 3 and pts[0].rho == 0
            assert all(_close(p.rho, r) for p, r in zip(pts[1:], radii))
        below = hp.global_minimizers(A1, 3, m, lam_star * (1 - mpf(10) ** -20))
        above = hp.global_minimizers(A1, 3, m, lam_star * (1 + mpf(10) ** -20))
        assert [p.rho > 0 for p in below] == [True] and [p.rho > 0 for p in above] == [False]
        assert [p.rho > 0 for p in hp.local_minima(A1, 3, m, lam_star)] == [False, True]


def test_a1_hessian_matches_the_hand_derived_route() -> None:
    with mpmath.workdps(DPS):
        w = [mpf("0.7"), mpf("-1.3"), mpf("0.9"), mpf("1.1")]
        m, lam = mpf(-7) / 3, mpf("0.4")
        H = hp.hessian(A1, 4, w, m, lam)
        ref = hs.hessian(w, m, mpf(2), 2 * lam / 4)
        assert all(_close(H[i, j], ref[i, j]) for i in range(4) for j in range(4))
        grad = hp.gradient(A1, 4, w, m, lam)
        assert all(_close(g, r) for g, r in zip(grad, hs.gradient(w, m, mpf(2), 2 * lam / 4)))
        eig = hp.hessian_eigenvalues(A1, 4, w, m, lam)
        assert eig == sorted(eig)
        assert all(_close(e, r) for e, r in zip(eig, hs.hessian_eigenvalues(w, m, mpf(2), 2 * lam / 4)))


@pytest.mark.parametrize("k", ["1/2", "3/2"])
def test_lp_hessian_matches_hand_formula(k: str) -> None:
    """(p−m)²/2 + lam·Σ|w|^k: H_ii = P_i² + lam·k(k−1)|w_i|^(k−2), H_ij = P_i·P_j + (P − m)·P_ij."""
    prob = parse_problem("(p - m)**2 / 2", f"lam * abs(w)**({k})")
    with mpmath.workdps(DPS):
        kk = mpf(int(k[0])) / 2
        w = [mpf("0.8"), mpf("-1.2"), mpf("-0.6")]
        m, lam = mpf(3) / 2, mpf("0.35")
        H = hp.hessian(prob, 3, w, m, lam)
        P = w[0] * w[1] * w[2]
        for i in range(3):
            Pi = P / w[i]
            assert _close(H[i, i], Pi**2 + lam * kk * (kk - 1) * abs(w[i]) ** (kk - 2))
            for j in range(i + 1, 3):
                assert _close(H[i, j], Pi * (P / w[j]) + (P - m) * P / (w[i] * w[j]))


def test_a_perturbed_problem_is_told_apart() -> None:
    """S (b = λ, a = 1) is not A1 at the same (m, λ): the comparison above can fail. (A2 would not do: it
    is A1 halved, with the same stationary points.)"""
    with mpmath.workdps(DPS):
        m, lam = mpf(3) / 2, mpf("0.3")
        wrong = hp.stationary_points(convention_problem("S"), 3, m, lam)
        assert len(wrong) == 3
        ref = hs.stationary_classes(3, m, mpf(2), 2 * lam / 3)
        assert not all(_close(p.rho, r.rho) for p, r in zip(wrong[1:], ref[1:]))


def test_l1_points_are_stationary_and_the_threshold_is_where_the_minimizer_jumps() -> None:
    """Every nonzero point found has ∇F = 0 (the definition); the global minimizer changes at λ*."""
    with mpmath.workdps(DPS):
        m = mpf(3) / 2
        lam_star = hp.threshold(L1, 3, m)
        pts = hp.stationary_points(L1, 3, m, lam_star * (1 - mpf(10) ** -3))
        assert len(pts) == 3
        for p in pts[1:]:
            assert max(abs(g) for g in hp.gradient(L1, 3, p.w, m, lam_star)) < mpf(10) ** -3
            assert max(abs(g) for g in hp.gradient(L1, 3, p.w, m, lam_star * (1 - mpf(10) ** -3))) \
                < mpf(10) ** -AGREE
        assert hp.global_minimizers(L1, 3, m, lam_star * (1 - mpf(10) ** -25))[0].rho > 0
        assert hp.global_minimizers(L1, 3, m, lam_star * (1 + mpf(10) ** -25))[0].rho == 0
        tie = hp.global_minimizers(L1, 3, m, lam_star, tie_digits=AGREE)
        assert len(tie) == 2 and tie[0].rho == 0


def test_per_layer_penalty_matches_the_rescaled_balanced_problem() -> None:
    """lam·l·|w| at L = 3: w_l = γ_l·u_l with c̄ = 6^(1/3) gives the balanced lam·c̄·|u|, so λ* is the ℓ1
    value (hand formula) divided by c̄; the points found are stationary for the layered F itself."""
    prob = parse_problem("(p - m)**2 / 2", "lam * l * abs(w)")
    with mpmath.workdps(DPS):
        m, L = mpf(3) / 2, 3
        rho_L = m * (2 * L - 2) / (2 * L - 1)
        hand = rho_L ** (mpf(L - 1) / L) * (m - rho_L) / mpf(6) ** (mpf(1) / 3)
        lam_star = hp.threshold(prob, L, m)
        assert digits_of_agreement(lam_star, hand) >= AGREE
        lam = lam_star / 2
        nonzero = [p for p in hp.stationary_points(prob, L, m, lam) if p.rho > 0]
        assert len(nonzero) == 2
        for p in nonzero:
            assert max(abs(g) for g in hp.gradient(prob, L, p.w, m, lam)) < mpf(10) ** -AGREE


def test_depth_one_and_zero_target() -> None:
    with mpmath.workdps(DPS):
        assert digits_of_agreement(hp.threshold(L1, 1, mpf(-3) / 2), mpf(3) / 2) >= AGREE  # soft thresholding
        assert hp.threshold(convention_problem("B"), 1, mpf(3) / 2) is None  # ℓ2 at L = 1 never collapses
        assert hp.threshold(A1, 3, mpf(0)) == 0
        assert digits_of_agreement(hp.threshold(A1, 2, mpf(7) / 3), mpf(14) / 3) >= AGREE  # continuous, 2|m|
        soft = hp.stationary_points(L1, 1, mpf(3) / 2, mpf(1))
        assert len(soft) == 1 and _close(soft[0].rho, mpf(1) / 2)  # 0 is not critical: φ'(0+) = λ − |m| < 0


def test_bad_inputs_are_usage_errors() -> None:
    with mpmath.workdps(DPS):
        with pytest.raises(UsageError, match="lam·g"):
            hp.threshold(parse_problem("(p - m)**2 / 2", "(lam + 1) * w**2"), 3, mpf(1))
        with pytest.raises(UsageError, match="w_l ≠ 0"):
            hp.hessian(A1, 2, [mpf(0), mpf(1)], mpf(1), mpf(1))
        with pytest.raises(UsageError, match="needs 3 weights"):
            hp.hessian(A1, 3, [mpf(1), mpf(1)], mpf(1), mpf(1))


def test_local_minima_at_zero() -> None:
    """A1, L = 2, λ < λ* = 2|m|: 0 is a saddle (H(0) = [[λ, −2m], [−2m, λ]] indefinite); ℓ1 at L = 2:
    0 is a strict local minimum (the penalty grows like |w|, the loss changes by O(|w|²))."""
    with mpmath.workdps(DPS):
        m = mpf(3) / 2
        assert [p.rho > 0 for p in hp.local_minima(A1, 2, m, mpf(1))] == [True]
        assert [p.rho > 0 for p in hp.local_minima(L1, 2, m, mpf("0.1"))] == [False, True]
        assert [p.rho for p in hp.global_minimizers(L1, 3, mpf(0), mpf("0.1"))] == [0]
        cubic = parse_problem("(p - m)**2 / 2", "lam * abs(w)**3")
        # L = 3: F − F(0) ≈ t³(3λ − m) along t·(1, 1, 1), so 0 is no minimum for λ < m/3; H(0) = 0 (degenerate)
        assert [p.rho > 0 for p in hp.local_minima(cubic, 3, m, mpf("0.1"))] == [True]
        # L = 2: H(0) = [[0, −m], [−m, 0]] is indefinite
        assert [p.rho > 0 for p in hp.local_minima(cubic, 2, m, mpf("0.1"))] == [True]


def test_golden_section_fallback_finds_a_flat_maximum() -> None:
    with mpmath.workdps(DPS):
        top = hp._golden_max(lambda x: 3 - (x - mpf(1) / 3) ** 2, mpf("0.2"), mpf("0.5"))
        assert digits_of_agreement(top, mpf(3)) >= DPS - 3


def test_limit_at_zero_reports_a_maximum_it_passes() -> None:
    """T(ρ) = ρ/(ρ² + 10⁻⁶)/1000 peaks at ρ = 10⁻³ (value 1/2) and tends to 0: the maximum is handed back
    for refinement and the limit stops at an upper estimate below it; T = 1/ρ is reported as unbounded."""
    with mpmath.workdps(DPS):
        def T(x: mpf) -> mpf:
            return x / (x**2 + mpf(10) ** -6) / 1000

        limit, peaks = hp._limit_at_zero(T, mpf(1), mpf(10) ** (3 - DPS))
        assert limit < mpf(1) / 2 and len(peaks) == 1
        N = lambda x: (-mpmath.diff(T, x), -mpmath.diff(T, x, 2))  # noqa: E731  (T' = −N/B², B = 1)
        assert digits_of_agreement(hp._refine_max(T, N, *peaks[0]), mpf(1) / 2) >= AGREE
        assert hp._limit_at_zero(lambda x: 1 / x, mpf(1), mpf(10) ** (3 - DPS))[0] is None


@pytest.mark.parametrize(("k", "depth"), [("1/2", 2), ("3/2", 4)])
def test_lp_stationary_radii_match_the_hand_count_and_equation(k: str, depth: int) -> None:
    """(p−m)²/2 + lam·Σ|w|^k, L > k: on the ray ρ^(1−k)·φ'(ρ)/L = g(ρ) = ρ^(L−k)(ρ^L − m) + kλ, which falls
    then rises (its minimum at ρ_c^L = m(L−k)/(2L−k)): two radii for λ below the fold
    λ_f = ρ_c^(L−k)(m − ρ_c^L)/k, none above. Checked at λ_f·(1 ∓ 10⁻²) (at L = 4, k = 3/2 both radii then lie
    in one grid cell) and λ_f·(1 ∓ 10⁻¹²) (radii 10⁻⁶ apart)."""
    prob = parse_problem("(p - m)**2 / 2", f"lam * abs(w)**({k})")
    with mpmath.workdps(DPS):
        kk, m, L = _num(k), mpf(3) / 2, depth
        rc_L = m * (L - kk) / (2 * L - kk)
        fold = rc_L ** ((L - kk) / L) * (m - rc_L) / kk
        cases = [(fold / 3, 2)] + [(fold * (1 + sign * mpf(10) ** -e), count)
                                   for e in (2, 12) for sign, count in ((-1, 2), (1, 0))]
        for lam, count in cases:
            radii = [p.rho for p in hp.stationary_points(prob, L, m, lam) if p.rho > 0]
            assert len(radii) == count
            for r in radii:
                assert abs(r ** (L - kk) * (r**L - m) + kk * lam) < mpf(10) ** -AGREE * m * lam


def test_tiny_target_keeps_its_own_scale() -> None:
    """m = 10⁻²⁰⁰ (F ~ 10⁻⁴⁰⁰): ties are judged relative to F itself, not to an absolute floor; λ* scales as
    the hand formula says."""
    with mpmath.workdps(DPS):
        m = mpf(10) ** -200
        lam_star = hp.threshold(L1, 3, m)
        rho_L = m * 4 / 5
        assert digits_of_agreement(lam_star, rho_L ** (mpf(2) / 3) * (m - rho_L)) >= AGREE
        best = hp.global_minimizers(L1, 3, m, lam_star * mpf("0.9"))
        assert len(best) == 1 and best[0].rho > 0
