"""The radius scan in MPFR (``verify.highprec.problem_ray_mpfr.drops`` and ``problem_radii._scan_marks``) against
the mpmath route it replaced (``Ray.drop`` at every grid radius, ``_discrete_extrema``/``_near_misses`` on mpf
samples): the same bits, and the mpmath route itself wherever MPFR could round differently."""
from __future__ import annotations

import mpmath
import pytest
from mpmath import mpf

from verify.highprec import problem_radii as prad
from verify.highprec import problem_ray_mpfr as pm
from verify.highprec.problem_ray import Ray
from verify.problems import convention_problem, parse_problem

POLY = [("(p - m)**2/2", "lam*(l)*w**2/2"), ("(p - m)**2/2 + 3*(p - m)**2/7", "lam*w**2/(2*L)"),
        ("(p - m)**2/2", "lam*(l+L)*w**2/(3*l) + lam*w**2/(l + L)")]


def _ray(problem, L: int, m: str, lam: str) -> tuple[Ray, list[mpf]]:
    ray = Ray(problem, L, mpf(m), mpf(lam))
    return ray, prad.radius_grid(ray.rho_max * mpf("1.01"))


@pytest.mark.parametrize("loss, penalty", POLY)
@pytest.mark.parametrize("dps", [30, 60, 110])
def test_mpfr_samples_are_the_mpmath_samples(loss, penalty, dps):
    problem = parse_problem(loss, penalty)
    assert pm._compile_mpfr(problem) is not None
    with mpmath.workdps(dps):
        for L, m, lam in [(1, "2.5", "0.3"), (2, "-1.7", "0.01"), (3, "4.2", "0.5"), (4, "-0.31", "1e-5"), (6, "7", "2")]:
            ray, radii = _ray(problem, L, m, lam)
            got, want = pm.drops(ray, radii), [ray.drop(r) for r in radii]
            assert [x._mpf_ for x in got] == [x._mpf_ for x in want]
            assert prad._scan_marks(radii, want) == (prad._discrete_extrema(want), prad._near_misses(radii, want))


@pytest.mark.parametrize("name", ["A1", "S"])
def test_conventions_take_one_route_or_the_other_with_the_same_samples(name):
    problem = convention_problem(name)
    with mpmath.workdps(60):
        ray, radii = _ray(problem, 3, "1.3", "0.2")
        assert [x._mpf_ for x in pm.drops(ray, radii)] == [ray.drop(r)._mpf_ for r in radii]


def test_other_formulas_and_wider_inputs_use_the_mpmath_route():
    assert pm._compile_mpfr(parse_problem("(p - m)**2/2", "lam*abs(w)")) is None
    # x^n, n ≥ 3: mpmath rounds it exactly only while n·bits < 1000 (a 1-ulp difference at 110 digits for x⁴)
    quartic = parse_problem("(p - m)**2/2 + (p-m)**4/7", "lam*l**2*w**4/3")
    assert pm._compile_mpfr(quartic) is None
    with mpmath.workdps(110):
        ray, radii = _ray(quartic, 4, "-0.31", "1e-5")
        assert [x._mpf_ for x in pm.drops(ray, radii)] == [ray.drop(r)._mpf_ for r in radii]
    problem = parse_problem(*POLY[0])
    with mpmath.workdps(80):
        wide = mpf(1) / 3
    with mpmath.workdps(40):
        ray, radii = _ray(problem, 3, "0.7", "0.1")
        radii[5] = wide  # more bits than the working precision: converted exactly only by mpmath
        assert [x._mpf_ for x in pm.drops(ray, radii)] == [ray.drop(r)._mpf_ for r in radii]


def test_stationary_radii_of_a_fold_pair_are_unchanged():
    # two radii just below a fold (the cell-splitting path), one ray; values from the mpmath route
    problem = parse_problem(*POLY[0])
    with mpmath.workdps(50):
        ray = Ray(problem, 3, mpf(2), mpf("0.3"))
        radii = prad.stationary_radii(ray)
        samples = [ray.drop(r) for r in prad.radius_grid(ray.rho_max * mpf("1.01"))]
        assert [x._mpf_ for x in pm.drops(ray, prad.radius_grid(ray.rho_max * mpf("1.01")))] == [x._mpf_ for x in samples]
        for r in radii:
            assert abs(ray.dphi(r)[0]) < mpf(10) ** -40
