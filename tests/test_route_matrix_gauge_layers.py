"""``float_gauge_layers`` (the high-precision matrix instances' layers, entry by entry) against the route it
replaces: ``gauge_point`` with symbolic singular values, then xreplace by the Floats and evalf: the same SymPy
Floats, bit for bit (mantissa, exponent and precision)."""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from verify.landscape.instances import cayley_orthogonal
from verify.landscape.matrix_hessian_minimizers import float_gauge_layers, gauge_point


@pytest.mark.parametrize("seed", range(12))
def test_layers_equal_the_symbolic_gauge_route_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    L, work = 2 + seed % 4, 70
    dims = (3, 3) + (2,) * (L - 1)
    with mpmath.workdps(work):
        rhos = [mpmath.mpf(rng.uniform(0.5, 3)) ** (mpmath.mpf(1) / L) for _ in range(1 + seed % 2)]
        gauges = [cayley_orthogonal(rng, d) for d in dims]
        Wq, _ = gauge_point([sp.Symbol(f"r{i}") for i in range(len(rhos))], [sp.Rational(3, 2), sp.Rational(1, 3)],
                            dims, gauges)
        sub = {sp.Symbol(f"r{i}"): sp.Float(r, work) for i, r in enumerate(rhos)}
        old = [W.xreplace(sub).evalf(work) for W in Wq]
        new = [W.evalf(work) for W in float_gauge_layers([sp.Float(r, work) for r in rhos], dims, gauges)]
    for A, B in zip(old, new):
        assert A.shape == B.shape
        for x, y in zip(A, B):
            assert type(x) is type(y) and x == y
            if isinstance(x, sp.Float):
                assert x._mpf_ == y._mpf_ and x._prec == y._prec
