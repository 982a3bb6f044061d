"""verify.sensing_nelder_mead against SciPy's Nelder-Mead: bit-identical iterates on the operator search's own
starts (the thorough profile's 128), on a function with ties and a small evaluation budget."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize

from verify.sensing_nelder_mead import nelder_mead
from verify.sensing_search import NM_OPTIONS, _objective


def _starts(count: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.array([rng.normal(-0.3, 0.7), rng.uniform(-1.5, 1.5), rng.normal(1.0, 1.0),
                      rng.normal(0.0, 0.5), rng.uniform(0.5, 3.0)]) for _ in range(count)]


def _same(f, x0, **opts):
    ref = minimize(f, x0, method="Nelder-Mead", options=opts)
    x, fun, nfev = nelder_mead(f, x0, **opts)
    assert np.array_equal(x, ref.x) and fun == ref.fun and nfev == ref.nfev


@pytest.mark.parametrize("seed", [0, 1])
def test_identical_to_scipy_on_the_search_objective(seed):
    for x0 in _starts(64, seed):
        _same(_objective, x0, **NM_OPTIONS)


def test_identical_to_scipy_with_ties_zero_coordinates_and_budgets():
    flat = lambda x: float(min(5.0, np.round(np.sum(np.asarray(x) ** 2), 1)))  # noqa: E731 - plateaus, ties
    for x0 in (np.zeros(3), np.array([0.0, 2.0, -1.0]), np.array([3.0, 3.0])):
        for opts in ({"xatol": 1e-8, "fatol": 1e-10, "maxiter": 500, "maxfev": 1000},
                     {"xatol": 1e-8, "fatol": 1e-10, "maxiter": 500, "maxfev": 7},
                     {"xatol": 1e-8, "fatol": 1e-10, "maxiter": 3, "maxfev": 1000}):
            _same(flat, x0, **opts)
            _same(lambda x: float((x[0] - 1) ** 2 + 10 * np.sum(np.asarray(x[1:]) ** 2)), x0, **opts)


def _objective_unfused(p):
    """The search objective as composed before: _reduced, then _extreme_eigs."""
    import math

    from verify.sensing_search import _extreme_eigs, _reduced
    N, _, phi = _reduced(p)
    if abs(math.cos(phi)) < 1e-3:
        return 50.0
    lo, hi = _extreme_eigs(N)
    if lo <= 1e-12 * max(hi, 1e-300):
        return 50.0 - lo
    return math.log(hi / lo)


def test_fused_objective_equals_the_composition():
    rng = np.random.default_rng(7)
    pts = [x + rng.normal(0, s, 5) for x in _starts(200, 3) for s in (0.0, 0.5, 3.0)]
    pts += [np.array([0.0, np.pi / 2, 0.0, 0.0, 1.0]), np.array([60.0, 0.3, 800.0, 2.0, -1.0]),
            np.array([-40.0, 1.0, -800.0, 0.0, 0.0])]
    for p in pts:
        assert _objective(p) == _objective_unfused(p) or (np.isnan(_objective(p)) and np.isnan(_objective_unfused(p)))
