"""Stationary radii of the deep scalar problem: bracketed Newton (verify.kernels.scalar) against two
independent routes — the companion-matrix eigenvalues (float64) and the mpmath bracketed solver at 30 digits
(verify.highprec.scalar) — on random instances, near folds (double roots) included; perturbed brackets caught."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest

from verify.highprec import scalar as hp
from verify.kernels import scalar as ks

EPS = np.finfo(float).eps
IMAG_TOL = 1e-7  # stationary_radii_batch's default


def _instances(rng: np.random.Generator, L: int, n: int, near_fold: bool) -> tuple[np.ndarray, ...]:
    m = np.exp(rng.uniform(np.log(1e-2), np.log(1e2), n))
    a = np.exp(rng.uniform(-2.0, 2.0, n))
    if near_fold:
        # b at the fold: g(ρ_c) = 0 ⇔ b = a·ρ_c^(L−2)·|m|·L/(2L−2) (ρ_c^L = |m|(L−2)/(2L−2)); then perturbed
        rc = ((L - 2) * m / (2 * L - 2)) ** (1 / L)
        b = a * rc ** (L - 2) * m * L / (2 * L - 2)
        b *= 1 + rng.choice([-1.0, 1.0], n) * 10 ** rng.uniform(-16, -2, n)
    else:
        b = a * m ** (2 - 2 / L) * np.exp(rng.uniform(np.log(1e-6), np.log(2.0), n))
    return m, a, b


def _fold_quantities(L: int, m: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """ρ_c, g(ρ_c), g''(ρ_c) = a·L(L−2)|m|·ρ_c^(L−4) and the size S of g's terms at ρ_c (written out here)."""
    rc = ((L - 2) * m / (2 * L - 2)) ** (1 / L)
    gc = a * rc ** (2 * L - 2) - a * m * rc ** (L - 2) + b
    g2 = a * L * (L - 2) * m * rc ** (L - 4)
    S = a * rc ** (2 * L - 2) + a * m * rc ** (L - 2) + b
    return rc, gc, g2, S


@pytest.mark.parametrize("near_fold", [False, True])
@pytest.mark.parametrize("L", [3, 4, 5, 7, 12])
def test_same_roots_as_companion(L: int, near_fold: bool) -> None:
    """Same root count and values as the companion-matrix eigenvalues.

    Tolerance: a simple root is computed to about cond·eps by either route (cond ≤ 10^4 here), so 10^-10
    relative; near a double root, g is known to about eps·S, so a root moves by up to sqrt(2·eps·S/g''(ρ_c))
    (the fold's curvature): 8× that, relative to ρ_c, is added. Instances whose nearly double root sits at the
    edge of the companion's reality test (|Im ρ| ≤ 1e−7·|ρ|, i.e. 2g(ρ_c)/g''(ρ_c) within a factor 4 of
    (1e−7·ρ_c)²) may be judged real by one route and complex by the other: their counts are not compared.
    """
    rng = np.random.default_rng(1000 * L + near_fold)
    m, a, b = _instances(rng, L, 600, near_fold)
    ours = ks.stationary_radii_batch(L, m, a, b)
    ref = ks._companion_radii(L, m, a, b)
    rc, gc, g2, S = _fold_quantities(L, m, a, b)
    ratio = np.abs(2 * gc / g2) / (IMAG_TOL * rc) ** 2
    edge = (ratio > 0.25) & (ratio < 4)
    compared = 0
    for i in range(len(m)):
        if len(ours[i]) != len(ref[i]):
            assert edge[i], (i, ours[i], ref[i])
            continue
        tol = 1e-10 + 8 * np.sqrt(2 * EPS * S[i] / g2[i]) / rc[i]
        assert np.allclose(ours[i], ref[i], rtol=tol, atol=0), (i, ours[i], ref[i], tol)
        compared += len(ours[i])
    assert compared > 300


@pytest.mark.parametrize("L", [3, 6, 10])
def test_roots_agree_with_mpmath_route(L: int) -> None:
    """Off the fold, the float64 roots agree with the mpmath bracketed solver at 30 digits to 1e-12 relative
    (cond ≲ 10^4 at these instances, times eps)."""
    rng = np.random.default_rng(L)
    m, a, b = _instances(rng, L, 25, near_fold=False)
    ours = ks.stationary_radii_batch(L, m, a, b)
    with mpmath.workdps(30):
        for i in range(len(m)):
            exact = hp.nonzero_stationary_radii(L, mpmath.mpf(m[i]), mpmath.mpf(a[i]), mpmath.mpf(b[i]))
            assert len(exact) == len(ours[i])
            for x, y in zip(ours[i], exact):
                assert abs(x - float(y)) <= 1e-12 * float(y), (i, x, y)


def test_no_roots_and_edge_inputs() -> None:
    """Far above the fold no roots; |m| = 0 no roots; L = 1, 2 and a non-positive b by their own routes."""
    L = 5
    assert [len(r) for r in ks.stationary_radii_batch(L, np.array([1.0, 0.0]), 1.0, np.array([10.0, 1.0]))] == [0, 0]
    assert ks.stationary_radii_batch(1, np.array([2.0]), 1.0, np.array([1.0]))[0] == pytest.approx([1.0])
    assert ks.stationary_radii_batch(2, np.array([2.0]), 1.0, np.array([1.0]))[0] == pytest.approx([1.0])
    # b < 0 is outside the proved structure: the companion route answers (|m| = 0, b = −1 at L = 3:
    # g(ρ) = ρ⁴ − 1, one positive root ρ = 1)
    r = ks.stationary_radii_batch(3, np.array([0.0]), 1.0, np.array([-1.0]))[0]
    assert r == pytest.approx([1.0])


def test_wrong_bracket_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong split point of the brackets (1.5·ρ_c: beyond |m|^(1/L) at L = 6, so both roots fall in one
    bracket) gives wrong roots: the per-call cross-check against the companion eigenvalues raises instead."""
    rng = np.random.default_rng(5)
    m, a, b = _instances(rng, 6, 64, near_fold=False)
    ks.stationary_radii_batch(6, m, a, b)  # the true bracket passes
    true_radius = ks._fold_radius
    monkeypatch.setattr(ks, "_fold_radius", lambda L, mabs: 1.5 * true_radius(L, mabs))
    with pytest.raises(ArithmeticError, match="companion"):
        ks.stationary_radii_batch(6, m, a, b)


def test_wrong_g_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong polynomial in the Newton route (ρ^(L−1) for ρ^(L−2)) is caught by the cross-check."""
    rng = np.random.default_rng(6)
    m, a, b = _instances(rng, 4, 64, near_fold=False)
    monkeypatch.setattr(ks, "_g", lambda L, r, mabs, a, b: a * r ** (L - 1) * (r ** L - mabs) + b)
    with pytest.raises(ArithmeticError, match="companion"):
        ks.stationary_radii_batch(4, m, a, b)
