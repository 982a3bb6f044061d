"""Seeded random instances shared by claim kinds: exact targets and regularization values."""
from __future__ import annotations

import numpy as np
import sympy as sp


def random_targets(rng: np.random.Generator, n: int, lo_exp: float = -3.0, hi_exp: float = 3.0,
                   signed: bool = True) -> list[sp.Rational]:
    """n exact rational targets with 6 significant digits, log-uniform in [10^lo, 10^hi], random sign.

    Exact rationals serve every tier: SymPy and mpmath take them without rounding, float64 rounds once.
    """
    out = []
    for _ in range(n):
        e = rng.uniform(lo_exp, hi_exp)
        mant = int(rng.integers(100000, 1000000))
        digits = int(np.floor(e)) - 5
        x = sp.Rational(mant) * sp.Integer(10) ** digits if digits >= 0 else sp.Rational(mant, 10**-digits)
        if signed and rng.random() < 0.5:
            x = -x
        out.append(x)
    return out


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
