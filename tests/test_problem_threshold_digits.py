"""Acceptance (issue 10): the λ-threshold of a user problem to ≥ 40 digits by two independent routes.

Problem: loss (p − m)²/2, penalty lam·|w|^k, k ∈ {1, 1/2, 3/2}, depths 2–8, targets m = 3/2 and (slow run) −7/3
(the sign symmetry: λ* depends on |m|), at 60 digits.
Routes: S2's ``verify.highprec.problem.threshold`` (sup of the gap ratio along the ray, mpmath, from the
user's formulas) against (a) the closed form derived by hand, ρ^L = |m|·2(L−k)/(2L−k),
λ* = ρ^(L−k)(|m| − ρ^L)/k (evaluated here in mpmath: an outside route), and (b) S1's symbolic
``derive_problem_threshold(...).value``. The convention A1 through the problem route is checked against
the convention route ``verify.highprec.scalar.threshold_by_bisection`` (a = 2, b = 2λ/L). A perturbed
closed form (2L − 2 → 2L − 3 in the ℓ1 radius) is shown to disagree at every depth, so the check can fail.

Tolerance: 40 digits at 60 working digits. Both mpmath routes are accurate to about 57–60 digits here
(an interior maximum is flat, the L = 2 limit converges geometrically); 40 leaves 17 digits for rounding
in the closed forms and in the convention route's L = 2 bisection.
"""
from __future__ import annotations

from functools import lru_cache

import mpmath
import pytest
import sympy as sp
from mpmath import mpf

from verify.highprec import problem as hp
from verify.highprec.scalar import threshold_by_bisection
from verify.numbers import digits_of_agreement
from verify.problems import convention_problem, parse_problem

DIGITS = 60
REQUIRED = 40
TARGETS = (sp.Rational(3, 2), pytest.param(sp.Rational(-7, 3), marks=pytest.mark.slow))
"""The second target (a negative m: λ* depends on |m|) doubles the time, so it runs with ``-m slow``."""
EXPONENTS = ("1", "1/2", "3/2")
DEPTHS = range(2, 9)


def _problem(k: str):
    return parse_problem("(p - m)**2 / 2", f"lam * abs(w)**({k})")


@lru_cache(maxsize=None)
def _highprec(k: str, depth: int, target: sp.Rational) -> mpf:
    with mpmath.workdps(DIGITS):
        return hp.threshold(_problem(k), depth, mpf(target.p) / target.q)


def _hand(k: str, depth: int, target: sp.Rational, radius_numerator=lambda L, k: 2 * (L - k)) -> mpf:
    """ρ^L = |m|·2(L−k)/(2L−k), λ* = ρ^(L−k)(|m| − ρ^L)/k (hand-derived; not the code under test)."""
    with mpmath.workdps(DIGITS + 10):
        kk = mpf(sp.Rational(k).p) / sp.Rational(k).q
        m = abs(mpf(target.p) / target.q)
        L = depth
        rho_L = m * radius_numerator(L, kk) / (2 * L - kk)
        rho = rho_L ** (1 / mpf(L))
        return rho ** (L - kk) * (m - rho_L) / kk


@pytest.mark.parametrize("target", TARGETS, ids=str)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("k", EXPONENTS)
def test_threshold_agrees_with_hand_formula(k: str, depth: int, target: sp.Rational) -> None:
    assert digits_of_agreement(_highprec(k, depth, target), _hand(k, depth, target)) >= REQUIRED


@pytest.mark.parametrize("target", TARGETS, ids=str)
@pytest.mark.parametrize("depth", DEPTHS)
@pytest.mark.parametrize("k", EXPONENTS)
def test_threshold_agrees_with_symbolic_route(k: str, depth: int, target: sp.Rational) -> None:
    from verify.symbolic.problem import derive_problem_threshold

    with mpmath.workdps(DIGITS + 10):
        symbolic = derive_problem_threshold(_problem(k), depth).value(abs(target), DIGITS)
    assert digits_of_agreement(_highprec(k, depth, target), symbolic) >= REQUIRED


@pytest.mark.parametrize("depth", DEPTHS)
def test_perturbed_closed_form_is_far_off(depth: int) -> None:
    """2L − 2 → 2L − 3 in the ℓ1 radius ρ^L = |m|(2L−2)/(2L−1): the high-precision value rejects it."""
    target = sp.Rational(3, 2)
    wrong = _hand("1", depth, target, radius_numerator=lambda L, k: 2 * L - 3)
    assert digits_of_agreement(_highprec("1", depth, target), wrong) < 4


@pytest.mark.parametrize("depth", range(2, 7))
def test_convention_a1_through_the_problem_route(depth: int) -> None:
    """A1 as a problem ("(p - m)**2", "lam/L * w**2") vs the convention route's bisection (a = 2, b = 2λ/L)."""
    with mpmath.workdps(DIGITS):
        m = mpf(7) / 3
        general = hp.threshold(convention_problem("A1"), depth, m)
        convention = threshold_by_bisection(depth, m, lambda lam: (mpf(2), 2 * lam / depth))
    assert digits_of_agreement(general, convention) >= REQUIRED
