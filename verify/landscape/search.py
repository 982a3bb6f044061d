"""Multi-start descent on groups of instances: batched gradient descent, then a Newton polish.

The result of every run is kept (minimizers, other local minima, stalls at 0); callers decide
what each run is by comparing its objective with the constructed global value.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .deep_matrix import EndToEnd, end_to_end_minimizer, flatten, gradient, objective
from .descent import gradient_descent, step_size
from .instances import Instance
from .newton_stacked import newton_polish_many


@dataclass
class Run:
    """One descent run: final layers, objective and gradient norm (relative to the layer scale)."""

    Ws: list[np.ndarray]
    value: float
    grad: float


@dataclass
class Searched:
    """An instance, its constructed end-to-end minimizer and the descent runs on it."""

    inst: Instance
    e2e: EndToEnd
    runs: list[Run] = field(default_factory=list)

    def global_runs(self, rel: float) -> list[Run]:
        """Runs whose objective is within ``rel`` (relative) of the constructed global value."""
        scale = max(abs(self.e2e.value), 1e-300)
        return [r for r in self.runs if abs(r.value - self.e2e.value) <= rel * scale]


def multistart(rng: np.random.Generator, insts: list[Instance], starts: int, steps: int,
               polish: int = 10) -> list[Searched]:
    """Descent from ``starts`` random points per instance; all instances share depth and dims."""
    dims = insts[0].dims
    L = insts[0].depth
    n = len(insts) * starts
    Ms = np.repeat(np.stack([i.M for i in insts]), starts, axis=0)
    a = np.repeat([i.a for i in insts], starts)
    b = np.repeat([i.b for i in insts], starts)
    eta = np.repeat([step_size(i.M, L, i.a, i.b) for i in insts], starts)
    smax = np.repeat([max(np.linalg.norm(i.M, 2), 1e-3) for i in insts], starts)
    std = smax ** (1.0 / L) / np.sqrt(np.mean(dims)) * rng.uniform(0.5, 1.5, size=n)
    W0 = [std[:, None, None] * rng.standard_normal((n, dims[l + 1], dims[l])) for l in range(L)]
    Wf = gradient_descent(W0, Ms, a, b, eta, steps, monotone=True)
    # the Newton polish of every finite run at once (``newton_polish`` per run, the same iterates)
    finite = np.all([np.all(np.isfinite(W), axis=(1, 2)) for W in Wf], axis=0)
    idx = np.flatnonzero(finite)
    Wp = newton_polish_many([W[idx] for W in Wf], Ms[idx], a[idx], b[idx], steps=polish) if idx.size else []
    pos = {int(j): p for p, j in enumerate(idx)}
    out = []
    for k, inst in enumerate(insts):
        s = Searched(inst, end_to_end_minimizer(inst.M, L, inst.a, inst.b))
        for j in range(k * starts, (k + 1) * starts):
            if j not in pos:
                continue
            Ws = [W[pos[j]] for W in Wp]
            g = flatten(gradient(Ws, inst.M, inst.a, inst.b))
            scale = max(np.linalg.norm(flatten(Ws)), 1.0) * max(inst.a * np.linalg.norm(inst.M), inst.b, 1e-300)
            s.runs.append(Run(Ws, float(objective(Ws, inst.M, inst.a, inst.b)), float(np.linalg.norm(g) / scale)))
        out.append(s)
    return out
