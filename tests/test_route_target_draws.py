"""The float64 threshold tiers: targets drawn without SymPy are the documented draws and the
same floats as SymPy's; the structured float64 radii stop at the Newton step and are accurate to about an ulp."""
import mpmath
import numpy as np
import sympy as sp

import pytest

from verify.claims.sampling import Targets, draw_targets, random_targets
from verify.claims.scalar_common import claimed_floats
from verify.highprec import scalar as hp
from verify.kernels.scalar import _companion_radii, stationary_radii_batch
from verify.symbolic.scalar import mabs


def _reference_targets(rng, n, signed=True):
    """The SymPy construction from the documented draws: n exponents, n mantissas, then n signs."""
    E = rng.uniform(-3.0, 3.0, n)
    M = rng.integers(100000, 1000000, n)
    S = rng.random(n) < 0.5 if signed else [False] * n
    out = []
    for e, mant, neg in zip(E, M, S):
        digits = int(np.floor(e)) - 5
        x = sp.Rational(int(mant)) * sp.Integer(10) ** digits if digits >= 0 else sp.Rational(int(mant), 10**-digits)
        out.append(-x if neg else x)
    return out


def test_draws_values_floats_and_stream_match_the_sympy_route():
    r1, r2, r3 = (np.random.default_rng(11) for _ in range(3))
    t = draw_targets(r1, 5000)
    ref = _reference_targets(r2, 5000)
    assert list(t) == ref and random_targets(r3, 5000) == ref
    assert np.array_equal(t.floats, np.array([float(x) for x in ref]))
    assert np.array_equal(t.abs().floats, np.array([float(abs(x)) for x in ref]))
    assert r1.random() == r2.random() == r3.random()  # the generator is left in the same state
    keep = np.arange(5000) % 3 == 0
    assert list(t.subset(keep)) == [x for x, k in zip(ref, keep) if k]
    assert t[2:5] == ref[2:5]


def test_claimed_floats_same_for_targets_and_rationals():
    t = draw_targets(np.random.default_rng(3), 400).abs()
    expr = sp.Rational(4, 27) * mabs ** sp.Rational(4, 3)
    assert np.array_equal(claimed_floats(expr, mabs, t), claimed_floats(expr, mabs, list(t)))
    assert isinstance(t, Targets)


def test_structured_radii_accurate_to_an_ulp_and_match_companion():
    rng = np.random.default_rng(1)
    for L in (3, 4, 6, 12):
        n = 120
        m = np.exp(rng.uniform(-7, 7, n))
        a = np.ones(n)
        x = m * (L - 2) / (L - 1)
        b = (m - x) * x ** ((L - 2) / L) * np.exp(rng.uniform(-3, 0.5, n))
        ours = stationary_radii_batch(L, m, a, b)
        comp = _companion_radii(L, m, a, b)
        for i in range(n):
            assert len(ours[i]) == len(comp[i])
            assert np.allclose(ours[i], comp[i], rtol=1e-9, atol=0)
            with mpmath.workdps(40):
                exact = hp.nonzero_stationary_radii(L, mpmath.mpf(m[i]), mpmath.mpf(1), mpmath.mpf(b[i]))
                for r, e in zip(ours[i], exact):
                    assert abs(mpmath.mpf(r) - e) <= 2 * np.spacing(float(e))


@pytest.mark.parametrize("signed", [True, False])
def test_unsigned_targets_are_positive_and_match_the_sympy_route(signed):
    r1, r2 = np.random.default_rng(7), np.random.default_rng(7)
    t = draw_targets(r1, 2000, signed=signed)
    assert list(t) == _reference_targets(r2, 2000, signed) and r1.random() == r2.random()
    assert signed or all(x > 0 for x in t)


def test_other_generators_give_the_same_construction():
    r1, r2 = (np.random.Generator(np.random.MT19937(5)) for _ in range(2))
    t = draw_targets(r1, 300)
    assert list(t) == _reference_targets(r2, 300) and r1.random() == r2.random()
