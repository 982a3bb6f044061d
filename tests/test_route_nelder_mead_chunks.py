"""verify.nelder_mead.minimize_nm against one uninterrupted SciPy Nelder-Mead run (the route it replaces).

The chunked run restarts SciPy from its own final simplex and skips whole periods of a simplex that recurs;
its (x, f) must equal the single run's bit for bit: on li.sensing's operator search (where runs get stuck on
a recurring simplex near a double eigenvalue), on objectives with many ties (restarts that would reorder
tied vertices) and with budgets that end inside an iteration.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from verify import sensing_search as ss
from verify.claims.context import RunContext, get_profile
from verify import nelder_mead
from verify.nelder_mead import minimize_nm


def _single(fun, x0: np.ndarray, **opts) -> tuple[bytes, float]:
    res = minimize(fun, x0, method="Nelder-Mead", options=opts)
    return res.x.tobytes(), float(res.fun)


def test_operator_search_starts_equal_the_single_run_and_stuck_runs_stop_early() -> None:
    rng = RunContext(seed=0, profile=get_profile("standard")).rng("sensing.operator-search")
    skipped = 0
    for _ in range(32):
        p0 = np.array([rng.normal(-0.3, 0.7), rng.uniform(-1.5, 1.5), rng.normal(1.0, 1.0),
                       rng.normal(0.0, 0.5), rng.uniform(0.5, 3.0)])
        x, f, early = minimize_nm(ss._objective, p0, **ss.NM_OPTIONS)
        assert (x.tobytes(), f) == _single(ss._objective, p0, **ss.NM_OPTIONS)
        skipped += early
    assert skipped >= 3          # starts 10, 11 and 26 of this seed recur on one simplex from ~800 iterations


def _stuck_start() -> np.ndarray:
    """Start 10 of the standard operator search (seed 0): its simplex recurs from about iteration 820 on."""
    rng = RunContext(seed=0, profile=get_profile("standard")).rng("sensing.operator-search")
    for _ in range(11):
        p0 = np.array([rng.normal(-0.3, 0.7), rng.uniform(-1.5, 1.5), rng.normal(1.0, 1.0),
                       rng.normal(0.0, 0.5), rng.uniform(0.5, 3.0)])
    return p0


@pytest.mark.parametrize("maxiter,maxfev,first,chunk", [(4000, 8000, 600, 50), (4000, 3001, 600, 50),
                                                        (1500, 8000, 700, 13), (4000, 2222, 100, 2),
                                                        (900, 1700, 800, 7)])
def test_skipped_periods_end_where_the_single_run_ends(maxiter: int, maxfev: int, first: int, chunk: int) -> None:
    """Budgets ending on either limit, inside an iteration or at its start, at every phase of the period."""
    p0 = _stuck_start()
    opts = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": maxiter, "maxfev": maxfev}
    for extra in range(4):
        o = {**opts, "maxfev": opts["maxfev"] + extra}
        x, f, _ = minimize_nm(ss._objective, p0, first=first, chunk=chunk, **o)
        assert (x.tobytes(), f) == _single(ss._objective, p0, **o)


def _kink(p: np.ndarray) -> float:
    """A kink evaluated with rounding-like noise: long runs, many restarts."""
    a, b = 1 + p[0] ** 2, 1 + p[1] ** 2 + 1e-9 * math.sin(1e9 * p[2])
    return abs(a - b) + 1e-3 * (p[0] ** 2 + p[1] ** 2 + p[2] ** 2)


@pytest.mark.parametrize("maxiter,maxfev,first,chunk", [(300, 2000, 20, 7), (400, 555, 5, 3), (150, 10_000, 1, 2)])
def test_chunked_runs_equal_the_single_run(maxiter: int, maxfev: int, first: int, chunk: int) -> None:
    rng = np.random.default_rng(maxiter + maxfev)
    for _ in range(6):
        x0 = rng.normal(size=3)
        opts = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": maxiter, "maxfev": maxfev}
        x, f, _ = minimize_nm(_kink, x0, first=first, chunk=chunk, **opts)
        assert (x.tobytes(), f) == _single(_kink, x0, **opts)


def test_a_restart_that_would_reorder_ties_falls_back_to_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nelder_mead, "_restart_keeps_order", lambda sim, fsim: False)
    p0 = _stuck_start()
    x, f, early = minimize_nm(ss._objective, p0, **ss.NM_OPTIONS)
    assert not early and (x.tobytes(), f) == _single(ss._objective, p0, **ss.NM_OPTIONS)


def test_bad_chunking_is_refused() -> None:
    with pytest.raises(ValueError):
        minimize_nm(_kink, np.zeros(3), xatol=1e-8, fatol=1e-8, maxiter=10, maxfev=10, chunk=1)
