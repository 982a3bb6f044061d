"""L9 (docs/mathematics.md §L9): the deep linear network as a landscape claim, a factory of plain data.

f(W) = ½||W_L⋯W_1 − M||_F² (a = 1, b = 0), M with distinct nonzero singular values, hidden widths ≥ r = rank M.
The claim: (a) at the partial-SVD stationary points W_l = Q_l Σ_S^(1/L) Q_(l−1)ᵀ (S ⊆ {1..r}) and their GL images,
S = {1..r} is a global minimizer; S with an inversion (i ∈ S, j ∉ S, σ_j > σ_i) is a strict saddle; S a proper
top set {1..k}, k < r (k = 0 is W = 0) is a strict saddle at L = 2 and a non-strict saddle (Hessian ⪰ 0, yet a
descent curve) at L ≥ 3; (b) at a minimizer the Hessian null space has dimension Σ d_l d_(l−1) − r(d_0 + d_L − r),
contains the GL orbit tangent (dimension Σ_hidden r(2d_l − r)) and equals it exactly when no two adjacent widths
both exceed r; (c) with b > 0 the symmetry is only O(d): the null space at a minimizer is the O(d) orbit tangent and
a non-orthogonal GL move changes F. Every claimed item is a parameter so a perturbed claim runs the same checks.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import sympy as sp

from ..errors import UsageError
from ..landscape.deep_linear import derived_counts, has_inversion
from .base import Check, Claim, Tier
from .li_kinds_common import USER_PAPER, declared_texts, positive_rational

GROUPS = ("O", "GL")


@dataclass(frozen=True)
class Claimed:
    """The claimed classification and counts (plain data, parsed)."""

    zero_strict: frozenset[int]
    top_strict: frozenset[int]
    inversion_strict: bool
    null_offset: int
    orbit_equals_null: bool | None
    regularized_group: str
    b: sp.Rational

    def kind(self, S: Sequence[int], r: int, L: int) -> str:
        """'min', 'strict' or 'nonstrict' for the partial-SVD point of index set S at depth L."""
        if len(S) == r:
            return "min"
        if has_inversion(S, r):
            return "strict" if self.inversion_strict else "nonstrict"
        depths = self.zero_strict if len(S) == 0 else self.top_strict
        return "strict" if L in depths else "nonstrict"

    def null_dim(self, widths: Sequence[int], r: int) -> int:
        """Claimed Hessian null dimension at a minimizer."""
        return derived_counts(widths, r)["null"] + self.null_offset

    def orbit_dim(self, widths: Sequence[int], r: int) -> int:
        """Claimed dimension of the GL orbit tangent at a minimizer."""
        return derived_counts(widths, r)["orbit"]

    def orbit_equal(self, widths: Sequence[int], r: int) -> bool:
        """Claimed: the orbit tangent is the whole null space."""
        if self.orbit_equals_null is not None:
            return self.orbit_equals_null
        return derived_counts(widths, r)["excess"] == 0


def _depths(value: object, name: str) -> frozenset[int]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise UsageError(f"{name} must be a sequence of depths (integers >= 2), got {value!r}")
    out = set()
    for d in value:
        if isinstance(d, bool) or not isinstance(d, int) or d < 2:
            raise UsageError(f"{name}: every depth must be an integer >= 2, got {d!r}")
        out.add(d)
    return frozenset(out)


def parse_claimed(zero_saddle_strict_depths, top_saddle_strict_depths, inversion_saddles_strict, null_offset,
                  orbit_equals_null, regularized_group, b) -> Claimed:
    """Validate the plain-data parameters; malformed input is a UsageError naming it."""
    if not isinstance(inversion_saddles_strict, bool):
        raise UsageError(f"inversion_saddles_strict must be True or False, got {inversion_saddles_strict!r}")
    if isinstance(null_offset, bool) or not isinstance(null_offset, int):
        raise UsageError(f"null_offset must be an integer, got {null_offset!r}")
    if orbit_equals_null is not None and not isinstance(orbit_equals_null, bool):
        raise UsageError(f"orbit_equals_null must be True, False or None, got {orbit_equals_null!r}")
    if regularized_group not in GROUPS:
        raise UsageError(f"regularized_group must be one of {', '.join(GROUPS)}, got {regularized_group!r}")
    return Claimed(_depths(zero_saddle_strict_depths, "zero_saddle_strict_depths"),
                   _depths(top_saddle_strict_depths, "top_saddle_strict_depths"), inversion_saddles_strict,
                   null_offset, orbit_equals_null, regularized_group, positive_rational(b, "b"))


def deep_linear_checks(c: Claimed) -> tuple[Check, ...]:
    """The L9 checks at the three tiers, each with the scope its verdict covers."""
    from .deep_linear_exact import exact_classification, exact_identities, exact_regularized
    from .deep_linear_numeric import (
        hp_classification, hp_regularized, numeric_classification, numeric_null_orbit, numeric_regularized,
    )
    return (
        Check("symbolic-stationary-identities", Tier.SYMBOLIC, exact_identities()),
        Check("symbolic-classification", Tier.SYMBOLIC, exact_classification(c)),
        Check("symbolic-regularized", Tier.SYMBOLIC, exact_regularized(c)),
        Check("hp-classification", Tier.HIGH_PRECISION, hp_classification(c)),
        Check("hp-regularized", Tier.HIGH_PRECISION, hp_regularized(c)),
        Check("numeric-classification", Tier.NUMERIC, numeric_classification(c)),
        Check("numeric-null-orbit", Tier.NUMERIC, numeric_null_orbit(c)),
        Check("numeric-regularized", Tier.NUMERIC, numeric_regularized(c)),
    )


def deep_linear_claim(id: str, statement: str, source: str, *, zero_saddle_strict_depths: Sequence[int] = (2,),
                      top_saddle_strict_depths: Sequence[int] = (2,), inversion_saddles_strict: bool = True,
                      null_offset: int = 0, orbit_equals_null: bool | None = None, regularized_group: str = "O",
                      b: str = "1/10", paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """The deep-linear landscape claim. ``zero_saddle_strict_depths``: depths at which W = 0 is claimed a strict
    saddle (elsewhere a non-strict one); ``top_saddle_strict_depths``: the same for the proper top sets {1..k},
    0 < k < r; ``inversion_saddles_strict``: points whose S has an inversion are strict saddles;
    ``null_offset``: added to the derived null dimension at minimizers; ``orbit_equals_null``: None = the GL
    orbit tangent is the null space exactly when no two adjacent widths exceed r, True/False = always/never;
    ``regularized_group``: the symmetry claimed at b > 0 ('O' or 'GL'); ``b``: the weight decay of the contrast
    (exact decimal or fraction, a = 1). Placeholders: {b}, {regularized_group}."""
    c = parse_claimed(zero_saddle_strict_depths, top_saddle_strict_depths, inversion_saddles_strict, null_offset,
                      orbit_equals_null, regularized_group, b)
    texts = declared_texts(statement, source, resolutions, paper, {"b": c.b, "regularized_group": regularized_group})
    return Claim(id=id, checks=deep_linear_checks(c), **texts)

