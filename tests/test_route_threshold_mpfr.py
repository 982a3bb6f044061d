"""The threshold bisection's tie Newton and acceptance in gmpy2 mpfr (verify.highprec.scalar_tie_mpfr) against the
mpmath route it runs before (``mpfr=False``): the same λ up to rounding — in practice bit for bit — at the same
working digits; where the mpfr route does not accept, the mpmath route decides."""
from __future__ import annotations

import random

import mpmath
import pytest
from mpmath import mpf

from verify.claims.threshold import _ab_of_lam
from verify.conventions import get_convention
from verify.highprec import scalar as hp
from verify.highprec.scalar_tie_mpfr import tie_threshold, to_mpf, to_mpfr, _context
from verify.numbers import digits_of_agreement


@pytest.mark.parametrize("conv", ["A1", "A2", "S", "S2", "B"])
def test_mpfr_route_equals_the_mpmath_route(conv):
    c = get_convention(conv)
    rnd = random.Random(conv)
    same = total = 0
    for dps in (40, 90):
        for L in (3, 4, 5, 8, 12, 16, 32, 64):
            for _ in range(3):
                m = mpf(rnd.choice([-1, 1]) * rnd.randint(1, 10**6)) / rnd.randint(1, 10**3)
                with mpmath.workdps(dps):
                    ab = _ab_of_lam(c, L)
                    new = hp.threshold_by_bisection(L, m, ab)
                    old = hp.threshold_by_bisection(L, m, ab, mpfr=False)
                    assert digits_of_agreement(new, old) >= dps - 3
                    same += new == old
                    total += 1
    assert same >= total - 2  # differences, if any, are last-bit roundings of a power


def test_a_candidate_the_objective_does_not_confirm_is_refused():
    c = get_convention("A1")
    with mpmath.workdps(70):
        ab = _ab_of_lam(c, 5)
        m = mpf("2.5")
        lam_f, rho_f, low_f = hp._tie_start(5, 2.5, 2.0, float(ab(mpf(1))[1]))
        assert tie_threshold(5, m, ab, mpf(10) ** -67, (lam_f, rho_f, low_f)) is not None
        # b(λ) = k·λ·(1 + 10^-40) off λ = 1: the tie Newton (which reads k at λ = 1) lands 10^-40 off the collapse,
        # far beyond tol, and the objective compared at all stationary points refuses it
        wrong = lambda lam: (mpf(2), ab(lam)[1] * (1 + (mpf(10) ** -40 if lam != 1 else 0)))  # noqa: E731
        assert tie_threshold(5, m, wrong, mpf(10) ** -67, (lam_f, rho_f, low_f)) is None


def test_conversions_are_exact():
    with mpmath.workdps(90):
        for x in (mpf(0), mpf("1e-300"), -mpf(2) / 3, mpf(10) ** 400, mpmath.pi):
            with _context(mpmath.mp.prec):
                assert to_mpf(to_mpfr(x)) == x


def test_overflowing_float_start_uses_the_mpmath_route():
    with mpmath.workdps(60):
        m = mpf(10) ** 400
        ab = lambda lam: (mpf(1), lam)  # noqa: E731
        lam = hp.threshold_by_bisection(4, m, ab)
        assert lam == hp.threshold_by_bisection(4, m, ab, mpfr=False)


def test_mpfr_radii_and_minimizers_equal_the_mpmath_ones():
    rnd = random.Random(5)
    same = total = 0
    for dps in (30, 70):
        with mpmath.workdps(dps):
            for _ in range(120):
                L = rnd.choice([3, 4, 5, 7, 12, 16, 32, 64])
                m = mpf(rnd.choice([-1, 1]) * rnd.randint(1, 10**6)) / rnd.randint(1, 10**3)
                a = mpf(rnd.choice([1, 2]))
                b = a * abs(m) ** (2 - mpf(2) / L) / L * mpf(rnd.randint(1, 4000)) / 1000
                hints = hp.float_hints(L, m, a, b)
                new = hp.nonzero_stationary_radii(L, m, a, b, hints, mpfr=True)
                old = hp.nonzero_stationary_radii(L, m, a, b, hints)
                assert len(new) == len(old)
                for x, y in zip(new, old):
                    assert digits_of_agreement(x, y) >= dps - 3
                same += new == old
                total += 1
                mins_new = hp.global_minimizers(L, m, a, b, hints=hints, mpfr=True)
                mins_old = hp.global_minimizers(L, m, a, b, hints=hints)
                assert [(c.rho, c.product) for c in mins_new] == [(c.rho, c.product) for c in mins_old] or new != old
    assert same >= total - 3


def test_radii_inputs_beyond_the_precision_keep_to_mpmath():
    with mpmath.workdps(60):
        m = mpmath.pi  # made at 60 digits
    with mpmath.workdps(30):
        a, b = mpf(2), mpf("0.001")
        assert hp.nonzero_stationary_radii(5, m, a, b, mpfr=True) == hp.nonzero_stationary_radii(5, m, a, b)


@pytest.mark.parametrize("conv", ["A1", "S", "B"])
def test_depth2_bisection_in_mpfr_equals_the_mpmath_one(conv):
    """L = 2 (continuous collapse): the bisection in mpfr uses only correctly rounded +, −, ×, ÷, √, squares: the
    very λ of the mpmath bisection."""
    from verify.numbers import to_mpf as exact_mpf
    import sympy as sp

    rnd = random.Random(conv)
    for dps in (40, 90):
        for _ in range(8):
            m = sp.Rational(rnd.choice([-1, 1]) * rnd.randint(1, 10**6), rnd.randint(1, 10**3))
            with mpmath.workdps(dps):
                ab = _ab_of_lam(get_convention(conv), 2)
                mm = exact_mpf(m, dps)
                assert hp.threshold_by_bisection(2, mm, ab) == hp.threshold_by_bisection(2, mm, ab, mpfr=False)
