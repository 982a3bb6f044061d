"""Li et al. 2019, claims L1–L5 for F_c(X) = c·||XXᵀ − M||_F² (docs/mathematics.md §L1–§L5): declarations.

Only the paper's abstract is at hand: each claim's ``source`` says what the abstract states and what
the suite derived (closed-form spectra, null-space dimensions, region constants).

Each claim is built by a factory whose claimed quantities (transform, exponent, family of index
sets, closed-form spectra, bounds, null-space dimension, region constants, the c the constants are
stated for) are parameters, so tests can perturb them and watch the claim come out refuted. The
checks themselves live in ``verify.claims.symmetric_basic`` (L1, L2), ``verify.claims.symmetric_spectra``
(L3, L4) and ``verify.claims.symmetric_regions`` (L5).
"""
from __future__ import annotations

import math
from typing import Any, Callable

import sympy as sp

from verify.claims import Check, CheckResult, Claim, RunContext, Tier
from verify.claims import symmetric_basic as basic
from verify.claims import symmetric_spectra as spectra
from verify.claims.symmetric_basic import FAMILIES
from verify.errors import UsageError
from verify.numbers import parse_rational
from verify.claims.scope import scoped

from . import PAPER

SOURCE = "Li, Lu, Arora, Haupt, Liu, Wang, Zhao 2019, IEEE TIT"


def _c(c: Any) -> sp.Rational:
    c = parse_rational(c, "c")
    if c <= 0:
        raise UsageError(f"c must be positive, got {c}")
    return c


def _bind(fns: tuple[Callable[..., CheckResult], ...], *args: Any) -> tuple[Callable[[RunContext], CheckResult], ...]:
    """Each check function with the claim's quantities bound: ``f(ctx, *args)`` as ``g(ctx)``."""
    return tuple((lambda ctx, fn=fn: fn(ctx, *args)) for fn in fns)


# ====================================================================== L1 symmetry

def symmetry_claim(c: Any = "1/4", perturb: Any = "1") -> Claim:
    """L1: F(XR) = F(X), ∇F(XR) = ∇F(X)R, ∇²F(XR) = K∇²F(X)Kᵀ (K = I ⊗ Rᵀ), for R ∈ O(r).

    ``perturb`` multiplies R (1 = the claim; anything else claims invariance under non-orthogonal maps).
    """
    c = _c(c)
    s = parse_rational(perturb, "perturb")
    symbolic, highprec, numeric = _bind((basic.symmetry_symbolic, basic.symmetry_highprec, basic.symmetry_numeric),
                                        c, s)

    return Claim(
        id="li.symmetry",
        statement="F_c(XR) = F_c(X) for all R ∈ O(r); ∇F_c(XR) = ∇F_c(X)R, ∇²F_c(XR) = (I⊗Rᵀ)∇²F_c(X)(I⊗R) "
                  "(row-major vec), hence the Hessian spectrum is constant on orbits.",
        source=SOURCE + ": the rotational symmetry X ↦ XR is stated in the abstract; the equivariance of ∇F and "
                        "∇²F (and the constant spectrum on orbits) is derived by the suite; docs/mathematics.md §L1",
        checks=(Check("exact identities, symbolic Cayley rotation", Tier.SYMBOLIC, scoped(symbolic, lambda ctx: (
                    f"(n, r) in {[(2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 2)]}, symbolic entries and a "
                    "symbolic Cayley rotation (every rotation without eigenvalue −1)"))),
                Check("orbit invariance at 50+ digits", Tier.HIGH_PRECISION, scoped(highprec, lambda ctx: (
                    f"{ctx.profile.hp_instances} random (X, M, R), n 2–4, r 1–3, {ctx.dps} digits"))),
                Check("batched float64 orbit invariance", Tier.NUMERIC, scoped(numeric, lambda ctx: (
                    f"{4 * max(1, ctx.profile.instances // 4)} random (X, M, R), (n, r) in (2, 1), (3, 2), (4, 3), "
                    "(5, 2)")))),
        resolutions=(f"c = {c} (F_c = c·||XXᵀ − M||²; invariance holds for every c)",),
        paper=PAPER,
    )


# ====================================================================== L2 stationary points


def stationary_points_claim(c: Any = "1/4", exponent: Any = "1/2", scale: Any = "1",
                            family: str = "subsets") -> Claim:
    """L2: with distinct positive λ, ∇F_c(X) = 0 iff X = scale·U_S Λ_S^{exponent} Ψ, S in ``family``.

    The claim is exponent 1/2, scale 1, family "subsets"; the parameters exist to be perturbed.
    """
    c = _c(c)
    e = parse_rational(exponent, "exponent")
    f = parse_rational(scale, "scale")
    if family not in FAMILIES:
        raise UsageError(f"family must be one of {FAMILIES}, got {family!r}")
    exact = e == sp.Rational(1, 2)
    symbolic, highprec, numeric = _bind((basic.stationary_symbolic, basic.stationary_highprec,
                                         basic.stationary_numeric), c, e, f, family)

    return Claim(
        id="li.stationary_points",
        statement="For M = UΛUᵀ ⪰ 0 with distinct positive eigenvalues, X is a stationary point of F_c iff "
                  "X = U_S Λ_S^{1/2} Ψ for an index set S ⊆ {i : λ_i > 0}, |S| ≤ r, ΨΨᵀ = I_|S|; "
                  "the global minima are S = {1..min(r, p)}.",
        source=SOURCE + ": the abstract states that all stationary points are identified explicitly; the form "
                        "U_SΛ_S^{1/2}Ψ (and its completeness) is derived by the suite; docs/mathematics.md §L2",
        checks=(Check("claimed points stationary; r = 1 completeness by SymPy solve", Tier.SYMBOLIC,
                      scoped(symbolic, lambda ctx: (
                          "claimed points: (n, r) in " + ("(2, 1)" if not exact else "(2, 1), (2, 2)"
                                                          + (", (3, 1), (3, 2)" if ctx.profile.level >= 1 else ""))
                          + "; completeness (all complex solutions, X = 0 included): r = 1, n in "
                          + ("2–4" if ctx.profile.level >= 1 else "2–3") + ", random rational λ"))),
                Check("gradient at claimed points at 50+ digits", Tier.HIGH_PRECISION, scoped(highprec, lambda ctx: (
                    f"{ctx.profile.hp_instances} random instances, n ≤ 4, every claimed S, {ctx.dps} digits"))),
                Check("completeness: solve ∇F = 0 from random starts and classify", Tier.NUMERIC,
                      scoped(numeric, lambda ctx: (
                          f"{(6, 20, 60)[ctx.profile.level]} random instances (n ≤ 4; p = r, p > r, p < r), "
                          f"{10 if ctx.profile.level == 0 else 25} Levenberg–Marquardt starts each; distinct λ only")))),
        resolutions=(f"c = {c} (the stationary set does not depend on c)",
                     "distinct positive eigenvalues assumed; ties are outside the claim"),
        paper=PAPER,
    )


# ====================================================================== L3 spectra, L4 null space

def strict_saddles_claim(c: Any = "1/4", spectrum: Callable | None = None, saddle_bound: Callable | None = None,
                         min_positive: Callable | None = None, claimed_c: Any = None) -> Claim:
    """L3: closed-form Hessian spectra at every stationary point, strictness of saddles, uniform bound.

    ``spectrum(lam, S, r, c)``, ``saddle_bound(lam, r, c)``, ``min_positive(lam, r, c)`` are the claimed
    closed forms (defaults: the derived ones), evaluated at ``claimed_c`` (default: c, the objective's).
    """
    from verify.symbolic.symmetric import min_positive_at_minimum, spectrum_closed_form, uniform_saddle_bound

    c = _c(c)
    cc = _c(claimed_c) if claimed_c is not None else c
    spectrum = spectrum or spectrum_closed_form
    saddle_bound = saddle_bound or uniform_saddle_bound
    min_positive = min_positive or min_positive_at_minimum
    spectra.validate_closed_forms(spectrum, saddle_bound, min_positive, cc)
    symbolic, highprec, numeric = _bind((spectra.saddles_symbolic, spectra.saddles_highprec,
                                         spectra.saddles_numeric), c, cc, spectrum, saddle_bound, min_positive)

    return Claim(
        id="li.strict_saddles",
        statement="At X = U_SΛ_S^{1/2}Ψ the Hessian spectrum is {8cλ_i}_{i∈S} ∪ {4c(λ_i+λ_i'), 0}_{i<i'∈S} ∪ "
                  "{4c(λ_i−λ_j)}_{i∈S, j∉S} ∪ {−4cλ_j (×(r−|S|))}_{j∉S} ∪ {0 (×|S|(r−|S|))}. Every non-minimal "
                  "stationary point is a strict saddle; the uniform bound max over saddles of λ_min is "
                  "−4c(λ_m − λ_{r+1}), m = min(r, p), λ_{n+1} = 0 (tight; cases p = r, p > r, p < r); the smallest "
                  "positive eigenvalue at a global minimum is min(8cλ_m, 4c(λ_m − λ_{m+1})).",
        source=SOURCE + ": the abstract states that the stationary points other than global minima are strict "
                        "saddles; the closed-form spectra, the uniform saddle bound and the smallest positive "
                        "eigenvalue at a minimum are derived by the suite; docs/mathematics.md §L3",
        checks=(Check("factored characteristic polynomial at every stationary point", Tier.SYMBOLIC, symbolic),
                Check("SymPy derivatives vs mpmath finite differences", Tier.HIGH_PRECISION,
                      scoped(lambda ctx: spectra.derivative_crosscheck(ctx, c), lambda ctx: (
                          f"(n, r) in {[(2, 1), (2, 2)] + ([(3, 2)] if ctx.profile.level >= 1 else [])}, one random "
                          "point each (independent of the claimed closed forms)"))),
                Check("mpmath spectra, uniform bound, near-tied eigenvalues", Tier.HIGH_PRECISION,
                      scoped(highprec, lambda ctx: (
                          f"{ctx.profile.hp_instances} random instances (n ≤ 3; p = r, p > r, p < r), every "
                          f"stationary point, {ctx.dps} digits; λ = (1, 1 − 1e-20, 1/2)"))),
                Check("batched float64 spectra on random instances", Tier.NUMERIC, scoped(numeric, lambda ctx: (
                    f"{max(6, ctx.profile.instances // 10)} random instances (n ≤ 5; p = r, p > r, p < r), every "
                    "stationary point; distinct λ only")))),
        resolutions=(f"objective c = {c}; constants stated for general c and evaluated at c = {cc}",
                     "distinct positive eigenvalues assumed (ties: U_S not unique; outside the claim)"),
        paper=PAPER,
    )


def null_space_claim(c: Any = "1/4", null_dim: Callable | None = None, min_null_dim: Callable | None = None) -> Claim:
    """L4: {XK : K skew} ⊆ ker ∇²F at every stationary point; dim ker = ``null_dim(n, r, p, |S|)``;
    at global minima with p ≥ r, dim ker = ``min_null_dim(r)`` = r(r−1)/2 (= the tangent)."""
    from verify.symbolic.symmetric import null_dim_closed_form

    c = _c(c)
    null_dim = null_dim or null_dim_closed_form
    min_null_dim = min_null_dim or (lambda r: r * (r - 1) // 2)
    symbolic, highprec, numeric = _bind((spectra.null_symbolic, spectra.null_highprec, spectra.null_numeric),
                                        c, null_dim, min_null_dim)

    return Claim(
        id="li.null_space",
        statement="At every stationary point the orbit tangent {XK : K skew} lies in ker ∇²F_c; dim ker = "
                  "s(s−1)/2 + s(r−s) + (r−s)(n−p) (s = |S|), so at global minima with p ≥ r the kernel IS the "
                  "tangent (dim r(r−1)/2); it is strictly larger (by (r−s)(n−p)) exactly when s < r and p < n: at "
                  "such saddles, and at the global minima when r > p.",
        source=SOURCE + ": the abstract states that the Hessian null space is characterized through the invariance "
                        "group; the dimension formula is derived by the suite; docs/mathematics.md §L4",
        checks=(Check("exact nullity over Q(σ), tangent in kernel", Tier.SYMBOLIC, scoped(symbolic, lambda ctx: (
                    f"(n, r) in {[(2, 1), (2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 1), (2, 2)]}, every "
                    "rank p and |S|, symbolic σ")),),
                Check("mpmath null spaces at stationary points", Tier.HIGH_PRECISION, scoped(highprec, lambda ctx: (
                    f"{ctx.profile.hp_instances} random instances (n ≤ 3), every stationary point, {ctx.dps} digits; "
                    "λ = (1, 1 − 1e-20, 1/2)"))),
                Check("batched float64 null-space dimensions", Tier.NUMERIC, scoped(numeric, lambda ctx: (
                    f"{max(6, ctx.profile.instances // 10)} random instances (n ≤ 5), every stationary point; "
                    "distinct λ only")))),
        resolutions=(f"c = {c} (null spaces do not depend on c)", "distinct positive eigenvalues assumed"),
        paper=PAPER,
    )


# ====================================================================== L5 three regions

def _factor(name: str, v: Any) -> sp.Rational:
    """A perturbation factor, read exactly: strings/ints/Rationals via ``parse_rational``, a float by its exact
    binary value (it is already a float; nothing is rounded further)."""
    if isinstance(v, bool):
        raise UsageError(f"factor for {name} must be a number, got {v!r}")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise UsageError(f"factor for {name} must be a finite positive number, got {v!r}")
        q = sp.Rational(v)
    else:
        q = parse_rational(v, f"factor for {name}")
    if q <= 0:
        raise UsageError(f"factor for {name} must be a finite positive number, got {v!r}")
    return q


def regions_claim(c: Any = "1/4", factors: dict[str, Any] | None = None) -> Claim:
    """L5: R1 (λ_min ≤ −κ1), R2 (λ_min on the orbit complement ≥ κ2), R3 (||∇F|| ≥ κ3, κ3'') with the suite's
    constants (``verify.landscape.symmetric.region_constants``), each multiplied by ``factors[name]``.

    The checks live in ``verify.claims.symmetric_regions``; the analytic worst points in
    ``verify.landscape.region_probes``.
    """
    from verify.claims.symmetric_regions import highprec_check, landscape_figure, numeric_check, symbolic_check
    from verify.landscape.symmetric import RegionConstants

    c = _c(c)
    if factors is not None and not isinstance(factors, dict):
        raise UsageError(f"factors must be a dict of constant name -> factor, got {type(factors).__name__}")
    unknown = set(factors or {}) - (set(RegionConstants.__dataclass_fields__) - {"c"})
    if unknown:
        raise UsageError(f"unknown region constants {sorted(unknown)}")
    fac = {k: _factor(k, v) for k, v in (factors or {}).items()}

    return Claim(
        id="li.regions",
        statement="For distinct positive λ and p ≥ r, with γ = λ_r − λ_{r+1}, δ = γ (n > r) or 2λ_r (n = r), g the "
                  "smallest gap of (λ_1..λ_p, 0): R1 = {σ_r(X)² ≤ λ_r/6} ∪ {dist(X, saddle orbit, |S| = r) ≤ "
                  "γ/(18√λ_1)} has λ_min(∇²F) ≤ −2cγ; R2 = {dist(X, X*) ≤ δ/(14√λ_1)} has ∇²F ≥ 2cδ on the "
                  "complement of the orbit tangent at the nearest minimizer; R3 (the rest) has ||∇F|| ≥ "
                  "min(2cδρ2, 2cgρ1, 2c(λ_r/8)^{3/2}) when ||XXᵀ|| ≤ 2||M||, and ≥ 2c(2||M||)^{3/2}r^{−1/4} beyond.",
        source=SOURCE + ": the three regions (negative curvature near strict saddles, strong convexity near "
                        "global minima, large gradient elsewhere) are stated in the abstract; every constant "
                        "and region radius is chosen and derived by the suite (the paper's are not at hand); "
                        "docs/mathematics.md §L5",
        checks=(Check("proof identities, sufficient conditions, exact margins at analytic worst points",
                      Tier.SYMBOLIC, lambda ctx: symbolic_check(ctx, c, fac)),
                Check("margins in mpmath at centres, analytic probes and the search's worst points",
                      Tier.HIGH_PRECISION, lambda ctx: highprec_check(ctx, c, fac)),
                Check("sampling, adversarial search of every region, analytic probes", Tier.NUMERIC,
                      lambda ctx: numeric_check(ctx, c, fac, lambda: landscape_figure(
                          ctx, float(c), {k: float(v) for k, v in fac.items()})))),
        resolutions=(f"c = {c}; all constants carry the factor c",
                     "the paper's constants are not at hand: the suite's own constants are stated and verified",
                     "κ1 (with R1a = {σ_r² ≤ λ_r/6}) and κ3'' are tight (attained at n = r = 1, σ² = λ/6, and at "
                     "r = p = 1, X → √(2λ_1)u_1); κ2 has ≥ 12 % slack by its proof; ρ1, ρ2, κ3 are not tight",
                     "κ1, κ2, κ3'' are proved (see verify.landscape.symmetric); κ3 on the bounded part of R3 is a "
                     "half-of-first-order estimate, tested (probes, sampling, search) but not proved",
                     "p < r and tied eigenvalues are outside this claim (reported, not checked)"),
        paper=PAPER,
    )


def claims() -> list[Claim]:
    """L1–L5 at c = 1/4."""
    return [symmetry_claim(), stationary_points_claim(), strict_saddles_claim(), null_space_claim(),
            regions_claim()]


__all__ = ["claims", "symmetry_claim", "stationary_points_claim", "strict_saddles_claim",
           "null_space_claim", "regions_claim"]
