"""The fast scalar threshold derivation (linear elimination, no solve/factor/simplify): equal to the solve route,
confirmed by the independent mpmath bisection, and a perturbed model refuted by it."""
from __future__ import annotations

import dataclasses

import mpmath
import pytest
import sympy as sp

from verify.conventions import CONVENTIONS
from verify.highprec import scalar as hp
from verify.symbolic import scalar as s


@pytest.mark.parametrize("depth", [3, 4, 7])
def test_linear_elimination_equals_the_solve_route(depth):
    model = s.balanced_model(depth)
    fast, slow = s._jump_by_linear_elimination(depth, model), s._jump_by_solve(depth, model)
    assert fast is not None
    assert (fast.b_star, fast.rho_star, fast.product_star) == (slow.b_star, slow.rho_star, slow.product_star)


@pytest.mark.slow
@pytest.mark.parametrize("depth", [5, 6, 8, 12, 16, 32])
def test_linear_elimination_equals_the_solve_route_deeper(depth):
    model = s.balanced_model(depth)
    fast, slow = s._jump_by_linear_elimination(depth, model), s._jump_by_solve(depth, model)
    assert (fast.b_star, fast.rho_star, fast.product_star) == (slow.b_star, slow.rho_star, slow.product_star)


def _bisection(depth: int, m: int, a: int = 1) -> mpmath.mpf:
    """b* by the independent route: compare F at all stationary points while bracketing b (b = λ here)."""
    return hp.threshold_by_bisection(depth, mpmath.mpf(m), lambda lam: (mpmath.mpf(a), lam))


@pytest.mark.parametrize("depth", [3, 5, 9])
def test_fast_threshold_agrees_with_the_bisection(depth):
    b_star = s.derive_threshold.__wrapped__.uncached(depth).b_star
    with mpmath.workdps(60):
        value = mpmath.mpf(sp.N(b_star.subs({s.a: 2, s.mabs: 3}), 60)._mpf_)
        # both at 60 digits, the bisection to a relative 10^-57: 50 digits leave room for rounding in either
        assert abs(value - _bisection(depth, 3, a=2)) <= mpmath.mpf(10) ** -50 * value


def test_a_perturbed_model_is_refuted_by_the_bisection():
    # the regularizer with multiplicity L + 1 instead of L: the elimination still runs, the bisection disagrees
    depth = 4
    model = s.balanced_model(depth)
    R = s.b * (depth + 1) / 2 * s.rho**2
    phi = model.D + R
    dphi = sp.diff(phi, s.rho)
    wrong = dataclasses.replace(model, R=R, phi=phi, dphi=dphi, d2phi=sp.diff(phi, s.rho, 2),
                                stationary=sp.expand(dphi / (depth * s.rho)))
    b_wrong = s._jump_by_linear_elimination(depth, wrong).b_star
    with mpmath.workdps(40):
        value = mpmath.mpf(sp.N(b_wrong.subs({s.a: 1, s.mabs: 3}), 40)._mpf_)
        assert abs(value - _bisection(depth, 3)) > mpmath.mpf(10) ** -3 * value


def test_a_model_outside_the_linear_form_falls_back():
    depth = 3
    model = s.balanced_model(depth)
    phi = model.phi + s.b**2 * s.rho**2  # φ'(ρ) = 0 no longer linear in b
    dphi = sp.diff(phi, s.rho)
    odd = dataclasses.replace(model, phi=phi, dphi=dphi, stationary=sp.expand(dphi / (depth * s.rho)))
    assert s._jump_by_linear_elimination(depth, odd) is None


@pytest.mark.parametrize("depth", [2, 3, 6, 12])
def test_lam_star_is_already_in_simplified_form_and_ratio_fast_path_agrees(depth):
    from proofs.kamber_parhi_2026.formulas import tau_at

    for conv in CONVENTIONS.values():
        lam = s.lam_star(depth, conv)
        assert sp.simplify(lam) == lam  # what the dropped simplify would have returned
        tau = tau_at(s.mabs, depth)
        ratio = s.exact_ratio(lam, tau)
        assert ratio.is_Rational and ratio == sp.simplify(sp.powdenest(lam / tau, force=True))


def test_bisection_asks_each_lambda_once():
    seen: list = []
    original = hp.stationary_classes

    def counting(*args):
        seen.append(args[3])
        return original(*args)

    hp.stationary_classes = counting
    try:
        with mpmath.workdps(120):
            _bisection(3, 3)
    finally:
        hp.stationary_classes = original
    assert len(seen) == len(set(seen)) <= 14  # 18 before the per-λ cache, 12 after (measured)


@pytest.mark.parametrize("depth", [3, 6, 12])
def test_warm_start_hints_find_the_same_radii_even_when_misleading(depth):
    with mpmath.workdps(50):
        m, a, b = mpmath.mpf(3), mpmath.mpf(2), mpmath.mpf("0.2")
        cold = hp.nonzero_stationary_radii(depth, m, a, b)
        near = hp.nonzero_stationary_radii(depth, m, a, b, [r * (1 + mpmath.mpf(10) ** -5) for r in cold])
        swapped = hp.nonzero_stationary_radii(depth, m, a, b, cold[::-1])  # each hint outside its own bracket
        wild = hp.nonzero_stationary_radii(depth, m, a, b, [mpmath.mpf(0), mpmath.mpf(10) ** 6])
        for other in (near, swapped, wild):
            assert len(other) == 2
            assert all(abs(x - y) <= mpmath.mpf(10) ** -45 * y for x, y in zip(other, cold))
