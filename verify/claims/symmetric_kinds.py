"""The claim kinds of symmetric factorization F_c(X) = c·||XXᵀ − M||_F² (docs/mathematics.md §L1–§L5).

Each factory takes a declaration (id, statement, source, resolutions, paper) and the claimed quantities
as plain data, parses and validates them (a malformed value is a ``UsageError`` at construction), and
wires the three tiers' checks with the scope each verdict covers. The checks themselves live in
``symmetric_basic`` (invariance, stationary set), ``symmetric_spectra`` (spectra, null spaces) and
``symmetric_regions`` (the three regions); the catalogue's declarations are ``proofs.li_2019.symmetric``.

Statements, sources and resolutions may name a parameter as ``{name}`` (``{c}``, ``{claimed_c}``, ...): it
is replaced by the exact value parsed (see ``li_kinds_common.fill``).

Claimed closed forms: ``spectrum`` and ``min_positive`` are callables (a multiset indexed by the
stationary point's index set, a minimum over a case split); ``saddle_bound``, ``null_dim`` and
``min_null_dim`` are a callable OR a formula (text, parsed safely, or a SymPy expression) in named
symbols, see ``SADDLE_BOUND_NAMES``, ``NULL_DIM_NAMES`` and ``MIN_NULL_DIM_NAMES``.
"""
from __future__ import annotations

import numbers
from typing import Any, Callable, Mapping, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..errors import UsageError
from ..expressions import parse_expression
from . import symmetric_basic as basic
from . import symmetric_spectra as spectra
from .base import Check, CheckResult, Claim, Tier
from .context import RunContext
from .li_kinds_common import USER_PAPER, bounded_rational, declared_texts, positive_factor, positive_rational
from .scope import scoped

FAMILIES = basic.FAMILIES

#: Names a claimed ``saddle_bound`` formula may use: c, λ_m (m = min(r, p)) and λ_{m+1} (0 beyond n).
SADDLE_BOUND_NAMES: Mapping[str, sp.Symbol] = {
    "c": sp.Symbol("c", positive=True), "lam_m": sp.Symbol("lam_m", positive=True),
    "lam_next": sp.Symbol("lam_next", nonnegative=True)}
#: Names a claimed ``null_dim`` formula may use: n, r, p = rank M, s = |S|.
NULL_DIM_NAMES: Mapping[str, sp.Symbol] = {k: sp.Symbol(k, integer=True, nonnegative=True) for k in "nrps"}
#: Names a claimed ``min_null_dim`` formula may use: r.
MIN_NULL_DIM_NAMES: Mapping[str, sp.Symbol] = {"r": NULL_DIM_NAMES["r"]}


def _formula(value: str | sp.Expr, names: Mapping[str, sp.Symbol], what: str) -> sp.Expr:
    """A claimed formula: text parsed safely over ``names``, or a SymPy expression whose free symbols are
    among ``names`` (matched by name, so a plain ``Symbol("s")`` is the s of ``names``)."""
    if isinstance(value, str):
        try:
            return parse_expression(value, names)
        except UsageError as exc:
            raise UsageError(f"{what}: {exc}") from None
    unknown = sorted(s.name for s in value.free_symbols if not isinstance(s, sp.Symbol) or s.name not in names)
    if unknown:
        raise UsageError(f"{what}: unknown names {unknown}; a formula may use {sorted(names)}")
    return value.xreplace({s: names[s.name] for s in value.free_symbols})


def _evaluator(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> Callable[..., Any]:
    """``expr`` as a function of ``symbols``, in the arithmetic of its arguments: exact for SymPy numbers
    and integers; for mpf and floats an mpf at the caller's working precision, by ``precise_value`` (never a
    fixed-precision value alone). Where there is no real value, the compiled mpmath function's own answer."""
    from .formula_values import precise_value
    from .scalar_common import ClaimValueError

    inexact = sp.lambdify(list(symbols), expr, modules="mpmath")

    def evaluate(*values: Any) -> Any:
        if all(isinstance(v, (numbers.Integral, sp.Basic)) and not isinstance(v, bool) for v in values):
            return expr.xreplace({k: sp.Integer(int(v)) if isinstance(v, numbers.Integral) else v
                                  for k, v in zip(symbols, values)})
        args = [mpmath.mpf(v) for v in values]
        try:
            return precise_value(expr, dict(zip(symbols, args)), mpmath.mp.dps, "the claimed formula")
        except ClaimValueError:
            return inexact(*args)
    return evaluate


def closed_form(value: Any, names: Mapping[str, sp.Symbol], what: str) -> tuple[Callable | None, sp.Expr | None]:
    """(callable, formula) for a claimed closed form given as a callable, a formula or None (the suite's)."""
    if value is None:
        return None, None
    if isinstance(value, (str, sp.Expr)):
        return None, _formula(value, names, what)
    if callable(value):
        return value, None
    raise UsageError(f"{what} must be a callable or a formula, got {type(value).__name__}")


def _saddle_bound_of(expr: sp.Expr) -> Callable:
    """The callable ``(lam, r, c)`` of a formula in c, lam_m = λ_m (m = min(r, p)), lam_next = λ_{m+1}."""
    f = _evaluator(expr, [SADDLE_BOUND_NAMES[k] for k in ("c", "lam_m", "lam_next")])

    def saddle_bound(lam: Sequence[Any], r: int, c: Any) -> Any:
        m = min(r, sum(1 for x in lam if x > 0))
        return f(c, lam[m - 1], lam[m] if m < len(lam) else 0 * c)
    return saddle_bound


def _null_dim_of(expr: sp.Expr) -> Callable[[int, int, int, int], Any]:
    return _evaluator(expr, [NULL_DIM_NAMES[k] for k in "nrps"])


def _min_null_dim_of(expr: sp.Expr) -> Callable[[int], Any]:
    return _evaluator(expr, [MIN_NULL_DIM_NAMES["r"]])


def _is_number(v: Any) -> bool:
    """A real number in one of the arithmetics the tiers use (SymPy, mpmath, int/float); never a string."""
    if isinstance(v, (bool, str, bytes)) or v is None:
        return False
    if isinstance(v, (int, float, mpmath.mpf, np.floating, np.integer)):
        return True
    if isinstance(v, sp.Expr):  # on exact λ a closed form is a number: no free symbols, not complex
        return not v.free_symbols and v.is_real is not False
    return False


def validate_closed_forms(spectrum: Callable, saddle_bound: Callable, min_positive: Callable,
                           c: sp.Rational) -> None:
    """Malformed claimed closed forms are a UsageError at construction: each callable is called once on
    λ = (3, 2, 1), r = 2 (exact) and must return a sequence of numbers (spectrum) or a number (bounds).
    A wrong *value* or a wrong *length* is not malformed: the tiers refute it."""
    lam = [sp.Integer(3), sp.Integer(2), sp.Integer(1)]
    for name, fn in (("spectrum", spectrum), ("saddle_bound", saddle_bound), ("min_positive", min_positive)):
        if not callable(fn):
            raise UsageError(f"{name} must be a callable, got {type(fn).__name__}")
        try:
            out = fn(lam, (0,), 2, c) if name == "spectrum" else fn(lam, 2, c)
        except Exception as exc:
            raise UsageError(f"{name} raised {type(exc).__name__}: {exc} on λ = (3, 2, 1), r = 2") from None
        if name == "spectrum":
            if isinstance(out, (str, bytes, dict)) or not hasattr(out, "__len__") or not hasattr(out, "__iter__"):
                raise UsageError(f"spectrum must return a list of numbers, got {type(out).__name__}")
            bad = [v for v in out if not _is_number(v)]
            if bad:
                raise UsageError(f"spectrum must return numbers, got {bad[0]!r} ({type(bad[0]).__name__})")
        elif not _is_number(out):
            raise UsageError(f"{name} must return a number, got {out!r} ({type(out).__name__})")


def _bind(fns: tuple[Callable[..., CheckResult], ...], *args: Any) -> tuple[Callable[[RunContext], CheckResult], ...]:
    """Each check function with the claim's quantities bound: ``f(ctx, *args)`` as ``g(ctx)``."""
    return tuple((lambda ctx, fn=fn: fn(ctx, *args)) for fn in fns)


# ====================================================================== L1 invariance

def symmetric_invariance_claim(id: str, statement: str, source: str, *, c: Any, perturb: Any = "1",
                               paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """F(XR) = F(X), ∇F(XR) = ∇F(X)R, ∇²F(XR) = K∇²F(X)Kᵀ (K = I ⊗ Rᵀ) for R ∈ O(r) scaled by ``perturb``
    (1: the orthogonal group; anything else claims invariance under non-orthogonal maps).
    Placeholders: {c}, {perturb}."""
    c = positive_rational(c, "c")
    s = bounded_rational(perturb, "perturb")
    symbolic, highprec, numeric = _bind((basic.symmetry_symbolic, basic.symmetry_highprec, basic.symmetry_numeric),
                                        c, s)
    checks = (
        Check("exact identities, symbolic Cayley rotation", Tier.SYMBOLIC, scoped(symbolic, lambda ctx: (
            f"(n, r) in {[(2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 2)]}, symbolic entries and a "
            "symbolic Cayley rotation (every rotation without eigenvalue −1)"))),
        Check("orbit invariance at 50+ digits", Tier.HIGH_PRECISION, scoped(highprec, lambda ctx: (
            f"{ctx.profile.hp_instances} random (X, M, R), n 2–4, r 1–3, {ctx.dps} digits"))),
        Check("batched float64 orbit invariance", Tier.NUMERIC, scoped(numeric, lambda ctx: (
            f"{4 * max(1, ctx.profile.instances // 4)} random (X, M, R), (n, r) in (2, 1), (3, 2), (4, 3), "
            "(5, 2)"))))
    return Claim(id=id, checks=checks, **declared_texts(statement, source, resolutions, paper,
                                                        {"c": c, "perturb": s}))


# ====================================================================== L2 stationary set

def symmetric_stationary_set_claim(id: str, statement: str, source: str, *, c: Any, exponent: Any = "1/2",
                                   scale: Any = "1", family: str = "subsets", paper: str = USER_PAPER,
                                   resolutions: Sequence[str] = ()) -> Claim:
    """With distinct positive λ, ∇F_c(X) = 0 iff X = scale·U_S Λ_S^{exponent} Ψ, S in ``family`` (one of
    ``FAMILIES``). Placeholders: {c}, {exponent}, {scale}, {family}."""
    c = positive_rational(c, "c")
    e = bounded_rational(exponent, "exponent", largest=100, smallest=sp.Rational(1, 10 ** 100))
    f = bounded_rational(scale, "scale")
    if family not in FAMILIES:
        raise UsageError(f"family must be one of {FAMILIES}, got {family!r}")
    exact = e == sp.Rational(1, 2)
    symbolic, highprec, numeric = _bind((basic.stationary_symbolic, basic.stationary_highprec,
                                         basic.stationary_numeric), c, e, f, family)
    checks = (
        Check("claimed points stationary; r = 1 completeness by SymPy solve", Tier.SYMBOLIC,
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
                  f"{10 if ctx.profile.level == 0 else 25} Levenberg–Marquardt starts each; distinct λ only"))))
    return Claim(id=id, checks=checks, **declared_texts(statement, source, resolutions, paper,
                                                        {"c": c, "exponent": e, "scale": f, "family": family}))


# ====================================================================== L3 spectra

def symmetric_spectrum_claim(id: str, statement: str, source: str, *, c: Any, spectrum: Callable | None = None,
                             saddle_bound: Callable | str | sp.Expr | None = None,
                             min_positive: Callable | None = None, claimed_c: Any = None,
                             paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """Closed-form Hessian spectra at every stationary point, strict saddles and the uniform bound.

    ``spectrum(lam, S, r, c)`` and ``min_positive(lam, r, c)`` are callables; ``saddle_bound`` is a callable
    ``(lam, r, c)`` or a formula in ``SADDLE_BOUND_NAMES``. None: the suite's derived closed form. They are
    evaluated at ``claimed_c`` (default: c, the objective's). Placeholders: {c}, {claimed_c}."""
    from ..symbolic.symmetric import min_positive_at_minimum, spectrum_closed_form, uniform_saddle_bound

    c = positive_rational(c, "c")
    cc = positive_rational(claimed_c, "claimed_c") if claimed_c is not None else c
    bound_fn, bound_expr = closed_form(saddle_bound, SADDLE_BOUND_NAMES, "saddle_bound")
    spectrum = spectrum or spectrum_closed_form
    saddle_bound = bound_fn or (_saddle_bound_of(bound_expr) if bound_expr is not None else uniform_saddle_bound)
    min_positive = min_positive or min_positive_at_minimum
    validate_closed_forms(spectrum, saddle_bound, min_positive, cc)
    symbolic, highprec, numeric = _bind((spectra.saddles_symbolic, spectra.saddles_highprec,
                                         spectra.saddles_numeric), c, cc, spectrum, saddle_bound, min_positive)
    checks = (
        Check("factored characteristic polynomial at every stationary point", Tier.SYMBOLIC, symbolic),
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
            "stationary point; distinct λ only"))))
    return Claim(id=id, checks=checks, **declared_texts(statement, source, resolutions, paper,
                                                        {"c": c, "claimed_c": cc}))


# ====================================================================== L4 null space

def symmetric_null_space_claim(id: str, statement: str, source: str, *, c: Any,
                               null_dim: Callable | str | sp.Expr | None = None,
                               min_null_dim: Callable | str | sp.Expr | None = None,
                               paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """{XK : K skew} ⊆ ker ∇²F at every stationary point; dim ker = ``null_dim(n, r, p, s)`` (s = |S|); at
    global minima with p ≥ r, dim ker = ``min_null_dim(r)``. Each is a callable or a formula (in
    ``NULL_DIM_NAMES`` / ``MIN_NULL_DIM_NAMES``); None: the suite's derived dimension, r(r−1)/2 at minima.
    Placeholders: {c}."""
    from ..symbolic.symmetric import null_dim_closed_form

    c = positive_rational(c, "c")
    dim_fn, dim_expr = closed_form(null_dim, NULL_DIM_NAMES, "null_dim")
    min_fn, min_expr = closed_form(min_null_dim, MIN_NULL_DIM_NAMES, "min_null_dim")
    null_dim = dim_fn or (_null_dim_of(dim_expr) if dim_expr is not None else null_dim_closed_form)
    min_null_dim = min_fn or (_min_null_dim_of(min_expr) if min_expr is not None else (lambda r: r * (r - 1) // 2))
    symbolic, highprec, numeric = _bind((spectra.null_symbolic, spectra.null_highprec, spectra.null_numeric),
                                        c, null_dim, min_null_dim)
    checks = (
        Check("exact nullity over Q(σ), tangent in kernel", Tier.SYMBOLIC, scoped(symbolic, lambda ctx: (
            f"(n, r) in {[(2, 1), (2, 2), (3, 2)] if ctx.profile.level >= 1 else [(2, 1), (2, 2)]}, every "
            "rank p and |S|, symbolic σ"))),
        Check("mpmath null spaces at stationary points", Tier.HIGH_PRECISION, scoped(highprec, lambda ctx: (
            f"{ctx.profile.hp_instances} random instances (n ≤ 3), every stationary point, {ctx.dps} digits; "
            "λ = (1, 1 − 1e-20, 1/2)"))),
        Check("batched float64 null-space dimensions", Tier.NUMERIC, scoped(numeric, lambda ctx: (
            f"{max(6, ctx.profile.instances // 10)} random instances (n ≤ 5), every stationary point; "
            "distinct λ only"))))
    return Claim(id=id, checks=checks, **declared_texts(statement, source, resolutions, paper, {"c": c}))


# ====================================================================== L5 three regions

def symmetric_regions_claim(id: str, statement: str, source: str, *, c: Any,
                            factors: Mapping[str, Any] | None = None, paper: str = USER_PAPER,
                            resolutions: Sequence[str] = ()) -> Claim:
    """R1 (λ_min ≤ −κ1), R2 (λ_min on the orbit complement ≥ κ2), R3 (||∇F|| ≥ κ3, κ3'') with the suite's
    constants (``verify.landscape.symmetric.region_constants``), each multiplied by ``factors[name]``
    (exact, > 0). Placeholders: {c}."""
    from ..landscape.symmetric import RegionConstants
    from .region_proofs import symbolic_check
    from .symmetric_regions import certified_check, highprec_check, landscape_figure, numeric_check

    c = positive_rational(c, "c")
    if factors is not None and not isinstance(factors, dict):
        raise UsageError(f"factors must be a dict of constant name -> factor, got {type(factors).__name__}")
    unknown = set(factors or {}) - (set(RegionConstants.__dataclass_fields__) - {"c"})
    if unknown:
        raise UsageError(f"unknown region constants {sorted(unknown)}")
    fac = {k: positive_factor(k, v) for k, v in (factors or {}).items()}
    checks = (
        Check("proof identities, sufficient conditions, exact margins at analytic worst points",
              Tier.SYMBOLIC, lambda ctx: symbolic_check(ctx, c, fac)),
        Check("margins in mpmath at centres, analytic probes and the search's worst points",
              Tier.HIGH_PRECISION, lambda ctx: highprec_check(ctx, c, fac)),
        Check("exact interval branch-and-bound over the bounded regions (small n, r)",
              Tier.CERTIFIED, lambda ctx: certified_check(ctx, c, fac)),
        Check("sampling, adversarial search of every region, analytic probes", Tier.NUMERIC,
              lambda ctx: numeric_check(ctx, c, fac, lambda: landscape_figure(
                  ctx, float(c), {k: float(v) for k, v in fac.items()}))))
    return Claim(id=id, checks=checks, **declared_texts(statement, source, resolutions, paper, {"c": c}))
