"""L7 examples (docs/mathematics.md §L7): how ``li.invariance.*`` builds real/complex phase retrieval
and the two-layer linear network from seeded randomness, in float64, at high precision and as small
non-degenerate integer copies for the symbolic tier.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import mpmath
import numpy as np
import sympy as sp

from verify import invariance as inv

EXAMPLES = ("real-phase", "complex-phase", "deep-linear")

GroupFactory = Callable[[inv.Example], inv.GroupAction]


@dataclass(frozen=True)
class ExampleSpec:
    """How to build an example from ctx randomness: numeric data, a small integer symbolic copy."""

    key: str
    build: Callable[[np.random.Generator, bool], inv.Example]
    build_symbolic: Callable[[np.random.Generator], list[inv.Example]]
    eigenvalues_invariant: bool


def _real_phase(rng: np.random.Generator, hp: bool) -> inv.Example:
    A, z = rng.standard_normal((16, 4)), rng.standard_normal(4)
    if hp:
        return inv.real_phase_retrieval(_mp(A), _mp(z))
    return inv.real_phase_retrieval(A, z)


def _complex_phase(rng: np.random.Generator, hp: bool) -> inv.Example:
    A = rng.standard_normal((12, 3)) + 1j * rng.standard_normal((12, 3))
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    if hp:
        return inv.complex_phase_retrieval(_mpc(A), _mpc(z))
    return inv.complex_phase_retrieval(A, z)


def _deep_linear(rng: np.random.Generator, hp: bool) -> inv.Example:
    gu, gv = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    s = np.array([3.0, 2.0, 1.0]) + rng.uniform(0, 0.5, 3)
    if hp:
        U, _ = mpmath.qr(mpmath.matrix(gu.tolist()))
        V, _ = mpmath.qr(mpmath.matrix(gv.tolist()))
        return inv.deep_linear(_obj(U), _mp(s), _obj(V), 2)
    U, V = np.linalg.qr(gu)[0], np.linalg.qr(gv)[0]
    return inv.deep_linear(U, s, V, 2)


# Symbolic examples. A degenerate example has more symmetries than the claim names (one nonzero per row
# of A lets every coordinate keep its own sign or phase; real rows admit conjugation; a symmetric M admits
# (W1, W2) -> (W2^T, W1^T)) and would accept maps that are not symmetries of the generic problem. So the
# symbolic tier checks a fixed generic example AND a seeded one drawn non-degenerate by construction:
# no zero entry, rows pairwise independent (over C: distinct ratios a_k1/a_k2, one of them not real),
# M invertible and not symmetric.

_NONZERO = np.array([-3, -2, -1, 1, 2, 3])


def _draw_nonzero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    return rng.choice(_NONZERO, size=shape)


def _ratios(A: np.ndarray) -> list[complex]:
    return [complex(a) / complex(b) for a, b in A]


def nondegenerate_real(A: np.ndarray) -> bool:
    """No zero entry and pairwise independent rows (3 x 2)."""
    if not np.all(A != 0):
        return False
    return len(set(_ratios(A))) == len(A)


def nondegenerate_complex(A: np.ndarray) -> bool:
    """No zero entry, distinct row ratios (pairwise C-independent rows), one ratio not real."""
    if not np.all(A != 0):
        return False
    r = _ratios(A)
    return len(set(r)) == len(r) and any(abs(v.imag) > 0 for v in r)


def nondegenerate_target(M: np.ndarray) -> bool:
    """Invertible and not symmetric."""
    return round(float(np.linalg.det(M))) != 0 and not np.array_equal(M, M.T)


def _sym_real(rng: np.random.Generator) -> list[inv.Example]:
    fixed = inv.real_phase_retrieval(np.array([[1, 2], [3, -1], [2, 3]]), np.array([1, -2]))
    while True:
        A = _draw_nonzero(rng, (3, 2))
        if nondegenerate_real(A):
            return [fixed, inv.real_phase_retrieval(A, _draw_nonzero(rng, (2,)))]


def _sym_complex(rng: np.random.Generator) -> list[inv.Example]:
    fixed = inv.complex_phase_retrieval(np.array([[1 + 2j, 2 - 1j], [3 + 1j, 1 + 1j], [-1 + 1j, 2 + 3j]]),
                                        np.array([1 - 2j, 1 + 1j]))
    while True:
        A = rng.integers(-3, 4, (3, 2)) + 1j * rng.integers(-3, 4, (3, 2))
        if nondegenerate_complex(A):
            z = _draw_nonzero(rng, (2,)) + 1j * _draw_nonzero(rng, (2,))
            return [fixed, inv.complex_phase_retrieval(A, z)]


def _sym_deep(rng: np.random.Generator) -> list[inv.Example]:
    # the symbolic tier needs only f: M = U diag(1) I with an integer U (stationary points unused here)
    fixed = inv.deep_linear(np.array([[3.0, 1.0], [-1.0, 2.0]]), np.ones(2), np.eye(2), 2)
    while True:
        U = _draw_nonzero(rng, (2, 2)).astype(float)
        if nondegenerate_target(U):
            return [fixed, inv.deep_linear(U, np.ones(2), np.eye(2), 2)]


SPECS = {
    "real-phase": ExampleSpec("real-phase", _real_phase, _sym_real, True),
    "complex-phase": ExampleSpec("complex-phase", _complex_phase, _sym_complex, True),
    "deep-linear": ExampleSpec("deep-linear", _deep_linear, _sym_deep, False),
}


def _mp(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(a)


def _mpc(a: np.ndarray) -> np.ndarray:
    return np.vectorize(lambda v: mpmath.mpc(float(v.real), float(v.imag)), otypes=[object])(a)


def _obj(m: mpmath.matrix) -> np.ndarray:
    return np.array(m.tolist(), dtype=object)


def exact_to_mp(G: sp.Matrix) -> np.ndarray:
    """An exact SymPy matrix as an object array of mpmath numbers (exact rationals rounded once)."""
    qs = [[sp.Rational(v) for v in row] for row in G.tolist()]
    return np.array([[mpmath.mpf(int(q.p)) / int(q.q) for q in row] for row in qs], dtype=object)


def group_for(spec: ExampleSpec, ex: inv.Example, factory: GroupFactory | None) -> inv.GroupAction:
    """The group acting on ``ex``: ``factory(ex)`` when a (perturbed) group is given, else the example's own."""
    return factory(ex) if factory is not None else ex.group

