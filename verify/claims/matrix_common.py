"""Shared machinery of the deep matrix checks: sizes per profile, the shared descent search,
and exact helpers for small symbolic matrices.
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np
import sympy as sp

from ..errors import UsageError
from ..numbers import parse_rational
from ..landscape.instances import SPECTRUM_KINDS, random_instances
from ..landscape.search import Searched, multistart
from .base import Check, CheckResult, Tier, Verdict
from .context import RunContext
from .scope import depth_text

EPS = float(np.finfo(float).eps)

# A descent run "is a global minimizer" when its objective is within this relative distance of
# the constructed global value: after the Newton polish gradients are ~1e-15 relative, so values
# agree to ~1e-14; 1e-9 leaves room while separating distinct local minima (instances closer
# than 1e-6 to a tie are excluded).
GLOBAL_REL = 1e-9
# A run "beats" the constructed minimizer only if lower by more than rounding in F (~1e-15 rel).
BEAT_REL = 1e-11
# Scalar-problem relative value gap below which an instance counts as near the exceptional set.
NEAR_TIE_GAP = 1e-6


def guarded_check(name: str, tier: Tier, run: Callable[[RunContext], CheckResult], corroborates: bool = False) -> Check:
    """A check whose 'verified' needs at least one decided instance (else inconclusive); ``corroborates`` as in
    ``Check`` (a cross-check of what a stronger check of the same claim establishes)."""
    @functools.wraps(run)
    def guarded(ctx: RunContext) -> CheckResult:
        result = run(ctx)
        if result.verdict is Verdict.VERIFIED and result.instances == 0:
            result.verdict = Verdict.INCONCLUSIVE
            result.summary = "no instance could be decided (all outside the claim or near a tie): " + result.summary
        return result
    return Check(name, tier, guarded, corroborates=corroborates)


def positive_constant(value: object, name: str) -> object:
    """A claimed constant: a finite positive number (int, float or exact SymPy number), decided on the exact number
    (1e-400 is positive); then within [1e-100, 1e100], where the float64 checks can evaluate it (a UsageError naming
    it: a critical scale of 1e300 made them overflow).
    Returns the constant to claim: a string as the exact number it reads ("1.000001" -> 1000001/1000000), any
    other value as given."""
    if isinstance(value, bool):
        raise UsageError(f"{name} must be a number, got {value!r}")
    if isinstance(value, str):  # read exactly as a decimal or fraction ("0.5", "3/2"), or a UsageError naming it
        number = parse_rational(value, name)
    else:
        try:
            number = sp.sympify(value, strict=True)
        except (sp.SympifyError, TypeError, ValueError):
            raise UsageError(f"{name} must be a number, got {value!r}") from None
    if not number.is_number or number.is_positive is not True or number.is_finite is not True:
        raise UsageError(f"{name} must be finite and > 0, got {value!r}")
    try:
        f = float(number)
    except (OverflowError, TypeError, ValueError):
        f = math.inf
    if not 1e-100 <= f <= 1e100:  # beyond, products and squares in the float64 and 50-digit checks overflow
        raise UsageError(f"{name} = {sp.N(number, 3)} is outside [1e-100, 1e100], the range the float64 checks "
                         "evaluate")
    return number if isinstance(value, str) else value


def matrix_depths(ctx: RunContext, lo: int = 1) -> list[int]:
    """Depths for matrix-level checks: the profile's depths, capped by cost (4/6/8)."""
    cap = (4, 6, 8)[min(ctx.profile.level, 2)]
    return [L for L in ctx.profile.depths if lo <= L <= cap]


def search_sizes(ctx: RunContext) -> tuple[int, int, int]:
    """(instances per depth, starts per instance, descent steps) by profile level."""
    return ((3, 4, 1000), (6, 5, 1500), (16, 8, 4000))[min(ctx.profile.level, 2)]


@functools.lru_cache(maxsize=32)
def _searched(seed: int, profile, depth: int) -> tuple[Searched, ...]:
    """Multi-start descent on random instances of one depth (shared by K2, K3, K5)."""
    ctx = RunContext(seed=seed, profile=profile)
    rng = ctx.rng(f"kp.matrix.search.{depth}")
    n_inst, starts, steps = search_sizes(ctx)
    hidden = int(rng.integers(3, 5))
    dims = (3,) + (hidden,) * (depth - 1) + (3,)
    insts = random_instances(rng, depth, dims, n_inst, (0.15, 0.75), kinds=SPECTRUM_KINDS)
    return tuple(multistart(rng, insts, starts, steps))


def all_searched(ctx: RunContext, lo: int = 1) -> list[Searched]:
    """The shared descent runs of every matrix depth ≥ ``lo`` of the profile."""
    out: list[Searched] = []
    for L in matrix_depths(ctx, lo):
        out.extend(_searched(ctx.seed, ctx.profile, L))
    return out


def search_scope(ctx: RunContext, lo: int = 1) -> str:
    n_inst, starts, steps = search_sizes(ctx)
    return (f"{depth_text(matrix_depths(ctx, lo))}, {n_inst} random 3×3 targets per depth (distinct, repeated, "
            f"rank-deficient spectra), {starts} descent starts each, hidden widths 3–4")


def near_tie(s: Searched) -> bool:
    return bool(np.any(s.e2e.gap < NEAR_TIE_GAP))


def sym_layers(dims: tuple[int, ...], prefix: str = "w") -> list[sp.Matrix]:
    return [sp.Matrix(dims[l + 1], dims[l], lambda i, j, l=l: sp.Symbol(f"{prefix}{l + 1}_{i}{j}"))
            for l in range(len(dims) - 1)]


def sym_product(Ws: list[sp.Matrix]) -> sp.Matrix:
    P = Ws[0]
    for W in Ws[1:]:
        P = W * P
    return P


def fro2(X) -> sp.Expr | float:
    """||X||_F² for a SymPy matrix (exact) or a NumPy array (float)."""
    if isinstance(X, sp.MatrixBase):
        return sum(x ** 2 for x in X)
    return float(np.sum(np.asarray(X) ** 2))


def sym_objective(Ws: list[sp.Matrix], M: sp.Matrix, a, b) -> sp.Expr:
    """F = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||² on symbolic matrices."""
    return a / 2 * fro2(sym_product(Ws) - M) + b / 2 * sum(fro2(W) for W in Ws)
