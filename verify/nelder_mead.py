"""SciPy's Nelder-Mead, run in chunks of iterations so that a run stuck on a repeating simplex stops early.

A Nelder-Mead run is a deterministic map on its state, the sorted simplex (the vertex values are the
objective's at the vertices). Near a kink of a rounded objective the simplex can collapse to a few
neighbouring floats whose values differ by more than ``fatol``: every iteration then reflects, contracts,
shrinks and lands on the very same simplex, until the evaluation budget is spent. ``minimize_nm`` gives
exactly the (x, f) of ``scipy.optimize.minimize(fun, x0, method="Nelder-Mead", options=...)`` with the same
budget, and stops as soon as that result can no longer change.

How. The first ``first`` iterations run as one SciPy call; the run then continues in calls of ``chunk``
iterations, each restarted from the previous call's final simplex (``initial_simplex``, a documented option).
A restart re-evaluates the vertices (the same values: ``fun`` must be deterministic) and sorts them; it
continues the single run exactly when that sort leaves the simplex as it is, which is checked before every
restart (else the rest of the budget runs as one call from the start). The budgets are carried over:
iterations and evaluations of the single run, not counting the restarts' re-evaluations.
Early stop: when a call of p iterations and e evaluations ends on the simplex it started from, the run is
periodic: the same simplex recurs every p iterations and e evaluations until the budget ends. Whole periods
are skipped while both budgets allow, and the last stretch (less than one period) is run from that simplex
with what is left of the budgets, so it ends exactly where the single run ends, in the same state.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.optimize import minimize

Array = np.ndarray


def minimize_nm(fun: Callable[[Array], float], x0: Array, *, xatol: float, fatol: float, maxiter: int,
                maxfev: int, first: int = 600, chunk: int = 50) -> tuple[Array, float, bool]:
    """(x, f, periods_skipped) of SciPy's Nelder-Mead on ``fun`` from ``x0`` with these options (see module)."""
    if first < 1 or chunk < 2:
        raise ValueError(f"need first >= 1 and chunk >= 2, got {first}, {chunk}")
    tol = {"xatol": xatol, "fatol": fatol}
    res = minimize(fun, x0, method="Nelder-Mead", options={**tol, "maxiter": min(first, maxiter), "maxfev": maxfev})
    passes, fcalls = res.nit - 1, res.nfev
    while res.status == 2 and passes < maxiter - 1:       # this call's iteration limit, budget left
        sim, fsim = res.final_simplex
        if not _restart_keeps_order(sim, fsim):
            # tied vertices a restart would reorder: finish as one uninterrupted run
            res = minimize(fun, x0, method="Nelder-Mead", options={**tol, "maxiter": maxiter, "maxfev": maxfev})
            return res.x, float(res.fun), False
        nv = len(sim)
        res = minimize(fun, sim[0], method="Nelder-Mead",
                       options={**tol, "initial_simplex": sim, "maxiter": min(chunk, maxiter - passes),
                                "maxfev": maxfev - fcalls + nv})
        p, e = res.nit - 1, res.nfev - nv
        passes, fcalls = passes + p, fcalls + e
        if res.status == 2 and passes < maxiter - 1 and res.final_simplex[0].tobytes() == sim.tobytes():
            left_it, left_fev = maxiter - 1 - passes, maxfev - fcalls
            k = min(left_it // p, left_fev // e)        # whole periods the single run still completes
            res = minimize(fun, sim[0], method="Nelder-Mead",
                           options={**tol, "initial_simplex": sim, "maxiter": left_it - k * p + 1,
                                    "maxfev": left_fev - k * e + nv})
            return res.x, float(res.fun), True
    return res.x, float(res.fun), False


def _restart_keeps_order(sim: Array, fsim: Array) -> bool:
    """Whether SciPy's sort of a restarted simplex (np.argsort of the vertex values) leaves it as it is."""
    return np.take(sim, np.argsort(fsim), 0).tobytes() == sim.tobytes()
