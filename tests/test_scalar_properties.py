"""Property tests of the scalar engine, driven by the public strategies (verify.strategies)."""
import mpmath
import numpy as np
import sympy as sp
from hypothesis import given

from verify.conventions import get_convention
from verify.highprec import scalar as hp
from verify.kernels.scalar import collapse_gaps
from verify.numbers import to_mpf
from verify.strategies import ScalarInstance, scalar_instances
from verify.symbolic.scalar import lam_star, mabs


def _problem(inst: ScalarInstance):
    conv = get_convention(inst.convention)
    m = sp.Rational(inst.target.numerator, inst.target.denominator)
    lam = sp.Rational(inst.ratio.numerator, inst.ratio.denominator) * lam_star(inst.depth, conv).subs(mabs, abs(m))
    a, b = conv.ab(lam, inst.depth)
    return m, a, b


@given(scalar_instances())
def test_three_routes_agree_on_which_point_is_global(inst):
    """Exact position relative to λ* (by construction), mpmath gap sign and float64 gap sign agree."""
    m, a, b = _problem(inst)
    expect_nonzero = inst.ratio < 1
    with mpmath.workdps(40):
        gap = hp.collapse_gap(inst.depth, to_mpf(m, 40), to_mpf(a, 40), to_mpf(b, 40))
    assert (gap is not None and gap > 0) == expect_nonzero
    f0, gaps, _ = collapse_gaps(inst.depth, np.array([float(m)]), float(a), np.array([float(b)]))
    assert (gaps[0] > 0) == expect_nonzero


@given(scalar_instances(depths=(2, 3, 5, 8)))
def test_float_and_mpmath_radii_agree(inst):
    m, a, b = _problem(inst)
    with mpmath.workdps(40):
        exact = hp.nonzero_stationary_radii(inst.depth, to_mpf(m, 40), to_mpf(a, 40), to_mpf(b, 40))
    from verify.kernels.scalar import stationary_radii_batch

    floats = stationary_radii_batch(inst.depth, np.array([abs(float(m))]), float(a), np.array([float(b)]))[0]
    assert len(floats) == len(exact)
    assert np.allclose(floats, [float(r) for r in exact], rtol=1e-8)
