"""Seeded random instances shared by claim kinds: exact targets and regularization values."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy as sp


class Targets(Sequence):
    """Drawn targets ±mant·10^e, held as exact integer fractions num/den (den a power of 10).

    ``floats`` are the float64 values, num/den rounded once (Python's int/int division is correctly rounded,
    as is ``float`` of the same SymPy Rational); ``targets[i]`` is the exact ``sp.Rational``, built only when
    an exact or high-precision route asks for it (the float64 tiers need it only at a few probes).
    """

    def __init__(self, num: Sequence[int], den: Sequence[int]) -> None:
        self.num, self.den = tuple(num), tuple(den)
        self.floats = np.array([p / q for p, q in zip(self.num, self.den)], dtype=float)

    def __len__(self) -> int:
        return len(self.num)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        return sp.Rational(self.num[i], self.den[i])

    def abs(self) -> "Targets":
        """|m| per target."""
        return Targets([abs(p) for p in self.num], self.den)

    def subset(self, keep: np.ndarray) -> "Targets":
        """The targets where the boolean mask ``keep`` is true."""
        idx = np.flatnonzero(keep)
        return Targets([self.num[i] for i in idx], [self.den[i] for i in idx])


def draw_targets(rng: np.random.Generator, n: int, lo_exp: float = -3.0, hi_exp: float = 3.0,
                 signed: bool = True) -> Targets:
    """n targets with 6 significant digits, log-uniform in [10^lo, 10^hi], random sign (``Targets``).

    Target i is ±mant_i·10^(⌊e_i⌋ − 5), drawn as three vectors in this order: n exponents e = uniform(lo, hi),
    n mantissas integers(100000, 1000000), then (signed) n signs random() < 0.5. ``random_targets`` returns
    the same targets as SymPy Rationals."""
    E = rng.uniform(lo_exp, hi_exp, n)
    M = rng.integers(100000, 1000000, n)
    S = rng.random(n) < 0.5 if signed else np.zeros(n, dtype=bool)
    num, den = [], []
    for e, mant, neg in zip(np.floor(E).astype(int).tolist(), M.tolist(), S.tolist()):
        digits = e - 5
        p, q = (mant * 10**digits, 1) if digits >= 0 else (mant, 10**-digits)
        num.append(-p if neg else p)
        den.append(q)
    return Targets(num, den)


def random_targets(rng: np.random.Generator, n: int, lo_exp: float = -3.0, hi_exp: float = 3.0,
                   signed: bool = True) -> list[sp.Rational]:
    """n exact rational targets with 6 significant digits, log-uniform in [10^lo, 10^hi], random sign.

    Exact rationals serve every tier: SymPy and mpmath take them without rounding, float64 rounds once.
    """
    return list(draw_targets(rng, n, lo_exp, hi_exp, signed))


def targets_per_depth(hp_instances: int, n_depths: int) -> int:
    """High-precision targets per depth: a budget of about 12·hp_instances spread over the depths,
    at most hp_instances and at least 2 per depth (thorough's 32 depths would otherwise cost 32²
    bisections per claim)."""
    return max(2, min(hp_instances, (12 * hp_instances) // max(n_depths, 1)))


def instances_per_depth(instances: int, n_depths: int) -> int:
    """Float64 instances per depth: a budget of about 10·instances spread over the depths, at most
    ``instances`` per depth (companion-matrix roots cost O(L³) per instance at large depth)."""
    return max(100, min(instances, (10 * instances) // max(n_depths, 1)))


#: the float64 tiers cover profile depths up to this one; the exact and high-precision tiers cover all
#: (companion-matrix roots of the degree-(2L−2) stationary polynomial cost O(L³) per instance)
NUMERIC_MAX_DEPTH = 12


def numeric_depths(profile_depths: list[int], explicit: bool) -> list[int]:
    """Depths for a float64 tier: all explicitly requested ones, else the profile's up to NUMERIC_MAX_DEPTH."""
    return list(profile_depths) if explicit else [L for L in profile_depths if L <= NUMERIC_MAX_DEPTH]
