"""Li et al. 2019, claims L1–L5 for F_c(X) = c·||XXᵀ − M||_F² (docs/mathematics.md §L1–§L5): declarations.

Only the paper's abstract is at hand: each claim's ``source`` says what the abstract states and what
the suite derived (closed-form spectra, null-space dimensions, region constants).

Each claim is the paper's sentence plus its parameters. The claimed quantities (transform, exponent,
family of index sets, closed-form spectra, bounds, null-space dimension, region constants, the c the
constants are stated for) are parameters, so tests can perturb them and watch the claim come out
refuted. The kinds, with their parsing and checks, live in ``verify.claims.symmetric_kinds``;
``{c}`` and the like in a text are filled with the exact value the kind parsed.
"""
from __future__ import annotations

from typing import Any, Callable

from verify.claims import Claim
from verify.claims.symmetric_kinds import (
    symmetric_invariance_claim, symmetric_null_space_claim, symmetric_regions_claim, symmetric_spectrum_claim,
    symmetric_stationary_set_claim,
)

from . import PAPER

SOURCE = "Li, Lu, Arora, Haupt, Liu, Wang, Zhao 2019, IEEE TIT"
C = "1/4"

SYMMETRY = ("F_c(XR) = F_c(X) for all R ∈ O(r); ∇F_c(XR) = ∇F_c(X)R, ∇²F_c(XR) = (I⊗Rᵀ)∇²F_c(X)(I⊗R) "
            "(row-major vec), hence the Hessian spectrum is constant on orbits.")
SYMMETRY_SOURCE = (SOURCE + ": the rotational symmetry X ↦ XR is stated in the abstract; the equivariance of ∇F "
                   "and ∇²F (and the constant spectrum on orbits) is derived by the suite; docs/mathematics.md §L1")

STATIONARY = ("For M = UΛUᵀ ⪰ 0 with distinct positive eigenvalues, X is a stationary point of F_c iff "
              "X = U_S Λ_S^{1/2} Ψ for an index set S ⊆ {i : λ_i > 0}, |S| ≤ r, ΨΨᵀ = I_|S|; "
              "the global minima are S = {1..min(r, p)}.")
STATIONARY_SOURCE = (SOURCE + ": the abstract states that all stationary points are identified explicitly; the "
                     "form U_SΛ_S^{1/2}Ψ (and its completeness) is derived by the suite; docs/mathematics.md §L2")

SADDLES = ("At X = U_SΛ_S^{1/2}Ψ the Hessian spectrum is {8cλ_i}_{i∈S} ∪ {4c(λ_i+λ_i'), 0}_{i<i'∈S} ∪ "
           "{4c(λ_i−λ_j)}_{i∈S, j∉S} ∪ {−4cλ_j (×(r−|S|))}_{j∉S} ∪ {0 (×|S|(r−|S|))}. Every non-minimal "
           "stationary point is a strict saddle; the uniform bound max over saddles of λ_min is "
           "−4c(λ_m − λ_{r+1}), m = min(r, p), λ_{n+1} = 0 (tight; cases p = r, p > r, p < r); the smallest "
           "positive eigenvalue at a global minimum is min(8cλ_m, 4c(λ_m − λ_{m+1})).")
SADDLES_SOURCE = (SOURCE + ": the abstract states that the stationary points other than global minima are strict "
                  "saddles; the closed-form spectra, the uniform saddle bound and the smallest positive "
                  "eigenvalue at a minimum are derived by the suite; docs/mathematics.md §L3")

NULL_SPACE = ("At every stationary point the orbit tangent {XK : K skew} lies in ker ∇²F_c; dim ker = "
              "s(s−1)/2 + s(r−s) + (r−s)(n−p) (s = |S|), so at global minima with p ≥ r the kernel IS the "
              "tangent (dim r(r−1)/2); it is strictly larger (by (r−s)(n−p)) exactly when s < r and p < n: at "
              "such saddles, and at the global minima when r > p.")
NULL_SPACE_SOURCE = (SOURCE + ": the abstract states that the Hessian null space is characterized through the "
                     "invariance group; the dimension formula is derived by the suite; docs/mathematics.md §L4")

REGIONS = ("For distinct positive λ and p ≥ r, with γ = λ_r − λ_{r+1}, δ = γ (n > r) or 2λ_r (n = r), g the "
           "smallest gap of (λ_1..λ_p, 0): R1 = {σ_r(X)² ≤ λ_r/6} ∪ {dist(X, saddle orbit, |S| = r) ≤ "
           "γ/(18√λ_1)} has λ_min(∇²F) ≤ −2cγ; R2 = {dist(X, X*) ≤ δ/(14√λ_1)} has ∇²F ≥ 2cδ on the "
           "complement of the orbit tangent at the nearest minimizer; R3 (the rest) has ||∇F|| ≥ "
           "min(2cδρ2, 2cgρ1, 2c(λ_r/8)^{3/2}) when ||XXᵀ|| ≤ 2||M||, and ≥ 2c(2||M||)^{3/2}r^{−1/4} beyond.")
REGIONS_SOURCE = (SOURCE + ": the three regions (negative curvature near strict saddles, strong convexity near "
                  "global minima, large gradient elsewhere) are stated in the abstract; every constant "
                  "and region radius is chosen and derived by the suite (the paper's are not at hand); "
                  "docs/mathematics.md §L5")
REGIONS_RESOLUTIONS = (
    "c = {c}; all constants carry the factor c",
    "the paper's constants are not at hand: the suite's own constants are stated and verified",
    "κ1 (with R1a = {σ_r² ≤ λ_r/6}) and κ3'' are tight (attained at n = r = 1, σ² = λ/6, and at "
    "r = p = 1, X → √(2λ_1)u_1); κ2 has ≥ 12 % slack by its proof; ρ1, ρ2, κ3 are not tight",
    "κ1, κ2, κ3'' are proved for every c and λ (see verify.landscape.symmetric); κ3 on the bounded part of R3 is "
    "a half-of-first-order estimate, not proved: certified by an exact-interval branch-and-bound for n = r = 1 "
    "(every instance) and for n = 2, 3 (r = 1) and n = r = 2 at listed spectra (verify.certified.regions), "
    "sampled beyond; its slack is about 2 (κ3 × 2 is false at λ = (1, 1/2) and (1, 9/10))",
    "p < r and tied eigenvalues are outside this claim (reported, not checked)",
)


def symmetry_claim(c: Any = C, perturb: Any = "1") -> Claim:
    """L1: the O(r) invariance and equivariance; ``perturb`` multiplies R (1 = the claim)."""
    return symmetric_invariance_claim(
        "li.symmetry", SYMMETRY, SYMMETRY_SOURCE, c=c, perturb=perturb, paper=PAPER,
        resolutions=("c = {c} (F_c = c·||XXᵀ − M||²; invariance holds for every c)",))


def stationary_points_claim(c: Any = C, exponent: Any = "1/2", scale: Any = "1", family: str = "subsets") -> Claim:
    """L2: X = scale·U_S Λ_S^{exponent} Ψ, S in ``family``; the claim is 1/2, 1, "subsets"."""
    return symmetric_stationary_set_claim(
        "li.stationary_points", STATIONARY, STATIONARY_SOURCE, c=c, exponent=exponent, scale=scale, family=family,
        paper=PAPER, resolutions=("c = {c} (the stationary set does not depend on c)",
                                  "distinct positive eigenvalues assumed; ties are outside the claim"))


def strict_saddles_claim(c: Any = C, spectrum: Callable | None = None, saddle_bound: Any = None,
                         min_positive: Callable | None = None, claimed_c: Any = None) -> Claim:
    """L3: closed-form spectra ``spectrum(lam, S, r, c)``, ``saddle_bound(lam, r, c)`` (or a formula in c, lam_m,
    lam_next), ``min_positive(lam, r, c)``, evaluated at ``claimed_c``; None: the suite's derived forms."""
    return symmetric_spectrum_claim(
        "li.strict_saddles", SADDLES, SADDLES_SOURCE, c=c, spectrum=spectrum, saddle_bound=saddle_bound,
        min_positive=min_positive, claimed_c=claimed_c, paper=PAPER,
        resolutions=("objective c = {c}; constants stated for general c and evaluated at c = {claimed_c}",
                     "distinct positive eigenvalues assumed (ties: U_S not unique; outside the claim)"))


def null_space_claim(c: Any = C, null_dim: Any = None, min_null_dim: Any = None) -> Claim:
    """L4: dim ker ∇²F = ``null_dim(n, r, p, s)``; ``min_null_dim(r)`` = r(r−1)/2 at global minima with p ≥ r
    (callables or formulas; None: the suite's derived dimensions)."""
    return symmetric_null_space_claim(
        "li.null_space", NULL_SPACE, NULL_SPACE_SOURCE, c=c, null_dim=null_dim, min_null_dim=min_null_dim,
        paper=PAPER, resolutions=("c = {c} (null spaces do not depend on c)", "distinct positive eigenvalues assumed"))


def regions_claim(c: Any = C, factors: dict[str, Any] | None = None) -> Claim:
    """L5: the three regions with the suite's constants, each multiplied by ``factors[name]``."""
    return symmetric_regions_claim("li.regions", REGIONS, REGIONS_SOURCE, c=c, factors=factors, paper=PAPER,
                                   resolutions=REGIONS_RESOLUTIONS)


def claims() -> list[Claim]:
    """L1–L5 at c = 1/4."""
    return [symmetry_claim(), stationary_points_claim(), strict_saddles_claim(), null_space_claim(),
            regions_claim()]


__all__ = ["claims", "symmetry_claim", "stationary_points_claim", "strict_saddles_claim",
           "null_space_claim", "regions_claim"]
