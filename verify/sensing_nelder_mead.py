"""Nelder–Mead for the small searches of verify.sensing_search, in plain Python floats.

The same algorithm, step for step and operation for operation, as SciPy's ``minimize(method="Nelder-Mead")``
(scipy.optimize._optimize._minimize_neldermead, non-adaptive: reflection ρ = 1, expansion χ = 2, contraction
ψ = 1/2, shrink σ = 1/2; initial simplex x0 and x0 with coordinate k scaled by 1.05, or set to 0.00025 when
it is 0; stop when max|x_j − x_0| ≤ xatol and max|f_0 − f_j| ≤ fatol, or at maxiter iterations / maxfev
evaluations). Each vertex update is the same IEEE double expression, the centroid is the same sequential sum
over the rows, and the vertices are ordered as ``np.argsort`` orders them (SciPy's order), so the iterates,
evaluations and result are bit-identical (tests compare it with SciPy on the search's starts). What it saves
is NumPy's per-call overhead on 5-vectors: the search evaluates ~60,000 points.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

Vector = list[float]


class _Budget(Exception):
    """The evaluation budget is spent (SciPy's _MaxFuncCallError)."""


def nelder_mead(f: Callable[[Vector], float], x0: Sequence[float], xatol: float, fatol: float, maxiter: int,
                maxfev: int) -> tuple[np.ndarray, float, int]:
    """Minimize ``f`` (called with a list of floats) from ``x0``: (best vertex, its value, evaluations)."""
    n = len(x0)
    calls = [0]

    def func(x: Vector) -> float:
        if calls[0] >= maxfev:
            raise _Budget
        calls[0] += 1
        return f(list(x))

    x0 = [float(v) for v in x0]
    sim = [list(x0)]
    for k in range(n):
        y = list(x0)
        y[k] = (1 + 0.05) * y[k] if y[k] != 0 else 0.00025
        sim.append(y)
    fsim = [np.inf] * (n + 1)
    try:
        for k in range(n + 1):
            fsim[k] = func(sim[k])
    except _Budget:
        pass
    sim, fsim = _ordered(sim, fsim)
    iterations = 1
    while calls[0] < maxfev and iterations < maxiter:
        try:
            x_0, f_0 = sim[0], fsim[0]
            # all(... <= tol) is NumPy's max(...) <= tol, NaN included (a NaN makes both False)
            if (all(abs(v - w) <= xatol for x in sim[1:] for v, w in zip(x, x_0))
                    and all(abs(f_0 - g) <= fatol for g in fsim[1:])):
                break
            xbar = list(sim[0])
            for x in sim[1:-1]:
                xbar = [a + b for a, b in zip(xbar, x)]
            xbar = [a / n for a in xbar]
            worst = sim[-1]
            xr = [2 * a - b for a, b in zip(xbar, worst)]
            fxr = func(xr)
            shrink = False
            if fxr < fsim[0]:
                xe = [3 * a - 2 * b for a, b in zip(xbar, worst)]
                fxe = func(xe)
                if fxe < fxr:
                    sim[-1], fsim[-1] = xe, fxe
                else:
                    sim[-1], fsim[-1] = xr, fxr
            elif fxr < fsim[-2]:
                sim[-1], fsim[-1] = xr, fxr
            elif fxr < fsim[-1]:
                xc = [1.5 * a - 0.5 * b for a, b in zip(xbar, worst)]
                fxc = func(xc)
                if fxc <= fxr:
                    sim[-1], fsim[-1] = xc, fxc
                else:
                    shrink = True
            else:
                xcc = [0.5 * a + 0.5 * b for a, b in zip(xbar, worst)]
                fxcc = func(xcc)
                if fxcc < fsim[-1]:
                    sim[-1], fsim[-1] = xcc, fxcc
                else:
                    shrink = True
            if shrink:
                for j in range(1, n + 1):
                    sim[j] = [a + 0.5 * (b - a) for a, b in zip(sim[0], sim[j])]
                    fsim[j] = func(sim[j])
            iterations += 1
        except _Budget:
            pass
        sim, fsim = _ordered(sim, fsim)
    return np.array(sim[0]), float(np.min(fsim)), calls[0]


def _ordered(sim: list[Vector], fsim: list[float]) -> tuple[list[Vector], list[float]]:
    """Vertices by increasing value, in ``np.argsort``'s order (SciPy's). Distinct values (no NaN) have one
    order, which Python's sort finds without NumPy's call overhead; ties or NaN go through ``np.argsort``."""
    if len(set(fsim)) == len(fsim) and all(v == v for v in fsim):
        ind = sorted(range(len(fsim)), key=fsim.__getitem__)
    else:
        ind = np.argsort(fsim).tolist()
    return [sim[i] for i in ind], [fsim[i] for i in ind]
