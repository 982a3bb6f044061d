"""The collapse threshold by Newton on the tie equations, accepted only when the objective compared at all
stationary points changes winner across λ(1 ∓ tol/4), agrees with the bracketing route it replaces first
(``tie_newton=False``, kept as the fallback) and with the closed form, at the same working digits."""
import mpmath
import pytest
import sympy as sp

from verify.claims.threshold import _ab_of_lam
from verify.conventions import get_convention
from verify.highprec import scalar as hp
from verify.numbers import digits_of_agreement, to_mpf
from verify.symbolic.scalar import lam_star, mabs


@pytest.mark.parametrize("conv", ["A1", "S", "B", "A2", "S2"])
def test_tie_newton_agrees_with_bracketing_and_closed_form(conv):
    c = get_convention(conv)
    for L in (3, 4, 7, 12, 40):
        for m in ("0.0013", "-0.37", "123.4", "-987.6"):
            with mpmath.workdps(70):
                ab = _ab_of_lam(c, L)
                cand = hp._tie_newton(L, mpmath.mpf(m), ab)
                assert cand is not None  # the fast route is the one taken
                new = hp.threshold_by_bisection(L, mpmath.mpf(m), ab)
                old = hp.threshold_by_bisection(L, mpmath.mpf(m), ab, tie_newton=False)
                exact = to_mpf(lam_star(L, c).subs(mabs, abs(sp.Rational(m))), 90)
                assert new == cand[0]
                assert digits_of_agreement(new, old) >= 67
                assert digits_of_agreement(new, exact) >= 68


def test_a_wrong_candidate_is_not_accepted(monkeypatch):
    """A candidate off the true collapse fails the all-stationary-points bracket and the bracketing decides."""
    c = get_convention("A1")
    with mpmath.workdps(70):
        ab = _ab_of_lam(c, 5)
        good = hp.threshold_by_bisection(5, mpmath.mpf("2.5"), ab)
        monkeypatch.setattr(hp, "_tie_newton", lambda *args: (good * (1 + mpmath.mpf(10) ** -40), mpmath.mpf(1), None))
        again = hp.threshold_by_bisection(5, mpmath.mpf("2.5"), ab)
    assert digits_of_agreement(again, good) >= 67


def test_float_start_falls_back_when_float64_overflows():
    with mpmath.workdps(60):
        m = mpmath.mpf(10) ** 400
        ab = lambda lam: (mpmath.mpf(1), lam)  # noqa: E731
        cand = hp._tie_newton(4, m, ab)
        assert cand is not None and cand[2] is None  # no float64 start: the working-precision start was used
        lam = hp.threshold_by_bisection(4, m, ab)
        old = hp.threshold_by_bisection(4, m, ab, tie_newton=False)
    assert lam == cand[0] and digits_of_agreement(lam, old) >= 57


def test_float_hints_only_move_the_start():
    """Radii warm-started from float64 equal the cold ones to working precision (each root stays bracketed)."""
    with mpmath.workdps(60):
        for L in (3, 5, 12):
            for m, b in (("2.5", "0.01"), ("-0.37", "0.0001"), ("900", "3")):
                m_mp, a, b_mp = mpmath.mpf(m), mpmath.mpf(2), mpmath.mpf(b)
                hints = hp.float_hints(L, m_mp, a, b_mp)
                cold = hp.nonzero_stationary_radii(L, m_mp, a, b_mp)
                warm = hp.nonzero_stationary_radii(L, m_mp, a, b_mp, hints)
                assert hints is not None and len(cold) == len(warm) == 2
                assert all(abs(x - y) <= 8 * mpmath.eps * x for x, y in zip(cold, warm))
        assert hp.float_hints(2, mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf("0.1")) is None
        assert hp.float_hints(4, mpmath.mpf(1), mpmath.mpf(1), mpmath.mpf(100)) is None  # no nonzero radius
