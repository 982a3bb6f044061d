"""Certified (Arb) helpers and certified thresholds of the deep scalar problem.

References come from independent routes: the exact closed form λ*(|m|, L) of ``verify.symbolic.scalar``
evaluated by SymPy at 70 digits, and the mpmath bisection of ``verify.highprec.scalar`` (which compares F
at all stationary points) at 80 digits; never from the certified code under test.
"""
from __future__ import annotations

from fractions import Fraction

import flint
import mpmath
import pytest
import sympy as sp

from verify.certified.arb import (arb_to_decimal_pair, ball_bounds, isolate_roots, round_decimal, sympy_to_arb,
                                  to_arb, workprec, NotEnclosable)
from verify.certified.scalar import certify_minimizer
from verify.certified.threshold import Enclosure, certify_threshold, threshold_certificate
from verify.conventions import CONVENTIONS, get_convention
from verify.errors import UsageError
from verify.highprec import scalar as hp
from verify.symbolic.scalar import lam_star, mabs


def test_workprec_restores_precision_even_on_error():
    before = flint.ctx.prec
    with pytest.raises(RuntimeError):
        with workprec(300):
            assert flint.ctx.prec == 300
            raise RuntimeError("boom")
    assert flint.ctx.prec == before


def test_exact_conversions_never_through_float():
    with workprec(200):
        lo, hi = ball_bounds(to_arb("0.1"))
        assert lo <= Fraction(1, 10) <= hi
        lo, hi = ball_bounds(to_arb(mpmath.mpf("0.5")))
        assert lo == hi == Fraction(1, 2)
        lo, hi = ball_bounds(to_arb(sp.Rational(-7, 3)))
        assert lo <= Fraction(-7, 3) <= hi
    with pytest.raises(UsageError):
        to_arb(0.1)


def test_decimal_pair_is_outward_rounded():
    with workprec(200):
        third = to_arb(sp.Rational(1, 3))
        lo, hi = arb_to_decimal_pair(third, 10)
    assert Fraction(sp.Rational(lo).p, sp.Rational(lo).q) < Fraction(1, 3) < Fraction(sp.Rational(hi).p, sp.Rational(hi).q)
    assert (lo, hi) == ("3.333333333e-1", "3.333333334e-1")
    assert round_decimal(Fraction(-2, 3), 3, up=False) == "-6.67e-1"
    assert round_decimal(Fraction(-2, 3), 3, up=True) == "-6.66e-1"


def test_isolator_proves_roots_and_exclusions():
    with workprec(200):
        iso = isolate_roots(lambda x: x * x - 2, lambda x: 2 * x, Fraction(-4), Fraction(4))
        assert iso.complete and len(iso.roots) == 2 and iso.excluded > 0
        for r, sign in zip(iso.roots, (-1, 1)):
            lo, hi = ball_bounds(r.root)
            assert sign * lo > 0 and min(lo * lo, hi * hi) <= 2 <= max(lo * lo, hi * hi)
            assert hi - lo < Fraction(1, 10**50)
        none = isolate_roots(lambda x: x * x + 1, lambda x: 2 * x, Fraction(-4), Fraction(4))
        assert none.complete and not none.roots


def test_isolator_reports_an_undecided_double_root():
    with workprec(100):
        iso = isolate_roots(lambda x: (x - 1) ** 2, lambda x: 2 * (x - 1), Fraction(0), Fraction(4), max_depth=30)
    assert not iso.complete


def test_sympy_to_arb_encloses_and_refuses():
    with workprec(200):
        lo, hi = ball_bounds(sympy_to_arb(sp.sqrt(2) ** 2 * sp.Rational(1, 3)))
        assert lo <= Fraction(2, 3) <= hi
        with pytest.raises(NotEnclosable):
            sympy_to_arb(sp.besselj(0, sp.Integer(1)))


def _closed_form(conv: str, L: int, m: sp.Rational, dps: int = 70) -> str:
    return str(sp.N(lam_star(L, get_convention(conv)).subs(mabs, abs(m)), dps))


def _bisection(conv: str, L: int, m: sp.Rational, dps: int = 80) -> str:
    c = get_convention(conv)
    k = c.b_over_lam(L)
    with mpmath.workdps(dps):
        lam = hp.threshold_by_bisection(L, mpmath.mpf(m.p) / m.q,
                                        lambda x: (mpmath.mpf(int(c.a)), mpmath.mpf(k.p) / k.q * x))
        return mpmath.nstr(lam, 62, strip_zeros=False)


def _rel_width(e: Enclosure) -> Fraction:
    lo, hi = sp.Rational(e.lo), sp.Rational(e.hi)
    return Fraction(int((hi - lo).p), int((hi - lo).q)) / Fraction(int(lo.p), int(lo.q))


TARGETS = (sp.Rational(3), sp.Rational(-7, 2), sp.Rational(1, 1000), sp.Rational(-9995, 10))


@pytest.mark.parametrize("conv", sorted(CONVENTIONS))
@pytest.mark.parametrize("L", [3, 7, 12])
def test_enclosure_contains_closed_form_and_is_narrow(conv, L):
    for m in TARGETS[:2]:
        e = certify_threshold(conv, L, m, 50)
        assert e.contains(_closed_form(conv, L, m))
        assert _rel_width(e) < Fraction(1, 10**45)


def test_enclosure_contains_the_bisection_reference():
    for conv, L, m in (("A1", 4, TARGETS[1]), ("B", 9, TARGETS[0]), ("S2", 12, TARGETS[3])):
        e = certify_threshold(conv, L, m, 50)
        ref = _bisection(conv, L, m)
        assert e.contains(ref), (conv, L, m, e, ref)


@pytest.mark.slow
@pytest.mark.parametrize("conv", sorted(CONVENTIONS))
@pytest.mark.parametrize("L", range(3, 13))
def test_full_grid_against_both_references(conv, L):
    for m in TARGETS:
        e = certify_threshold(conv, L, m, 50)
        assert e.contains(_closed_form(conv, L, m)) and e.contains(_bisection(conv, L, m))
        assert _rel_width(e) < Fraction(1, 10**45)


def test_depth_two_is_continuous_at_a_rational():
    e = certify_threshold("A1", 2, "-5/4", 50)
    assert e.contains("5/2") and "continuous" not in e.lo
    assert threshold_certificate("A1", 2, sp.Rational(-5, 4), 50).kind == "continuous"


def test_sides_are_certified():
    c = threshold_certificate("S", 5, sp.Rational(3), 50)
    assert c.below.kind == "nonzero" and c.above.kind == "zero" and c.eps == Fraction(1, 10**50)
    assert c.below.minimizer is not None and len(c.below.stationary) == 2


def test_minimizer_certificate_far_from_the_threshold():
    lam = sp.Rational(_closed_form("A1", 4, sp.Rational(2), 30)[:12])  # a rational near λ*
    k = get_convention("A1").b_over_lam(4)
    with workprec(200):
        assert certify_minimizer(4, 2, 2, k * lam / 2).kind == "nonzero"
        assert certify_minimizer(4, 2, 2, k * lam * 2).kind == "zero"


@pytest.mark.parametrize("bad", [dict(depth=1, target="3"), dict(depth=4, target="0"),
                                 dict(depth=4, target="3", convention="Z")])
def test_usage_errors(bad):
    kw = {"convention": "A1", "digits": 50, **bad}
    with pytest.raises(UsageError):
        certify_threshold(kw["convention"], kw["depth"], kw["target"], kw["digits"])


def test_contains_refuses_floats():
    e = certify_threshold("A1", 3, "3", 30)
    with pytest.raises(UsageError):
        e.contains(1.5)


@pytest.mark.parametrize("conv, L, m", [("A2", 6, "-5/3"), ("S", 11, "250")])
def test_cli_certify_json_gives_the_enclosure(capsys, conv, L, m):
    import json

    from verify.cli import main

    assert main(["threshold", "--depth", str(L), "--target", m, "--convention", conv, "--certify", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    e = Enclosure(data["enclosure"]["lo"], data["enclosure"]["hi"], 50, data["enclosure_method"])
    assert e.contains(_bisection(conv, L, sp.Rational(m))) and _rel_width(e) < Fraction(1, 10**45)


def test_workprec_is_safe_across_threads():
    import threading

    before = flint.ctx.prec
    seen = []

    def work(bits):
        for _ in range(50):
            with workprec(bits):
                seen.append(flint.ctx.prec == bits)

    threads = [threading.Thread(target=work, args=(b,)) for b in (100, 300, 700)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(seen) and len(seen) == 150 and flint.ctx.prec == before
