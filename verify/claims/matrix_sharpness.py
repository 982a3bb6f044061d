"""Sharpness (largest Hessian eigenvalue) at the global minimizers of the deep matrix problem (docs/mathematics.md §K8).

F(W) = (a/2)||W_L⋯W_1 − M||² + (b/2)Σ||W_l||². At a nonzero global minimizer (off the exceptional set, hidden
widths ≥ its rank) the layers are balanced with singular values ρ_i = s_i^(1/L), s_i the scalar minimizer at σ_i.
The suite's closed form, written once in ``derived_sharpness``:

    λ_max = max{ L·a·ρ^(2L−2) − (L−2)·b,  2b,  a·h_(L−1)(ρ², ρ₂²) + b + a·(σ₂ − ρ₂^L)·h_(L−2)(ρ², ρ₂²)/ρ^(L−2) }

with ρ = ρ_1, ρ₂ = ρ_2 (0 when the minimizer drops the second direction or it does not exist), σ₂ = σ_2(M)
(0 if absent) and h_n(x, y) = Σ_(k=0..n) x^k y^(n−k). The checks never use it: exact Hessians by expanding the
definition at rational minimizers (symbolic), working-precision eigenvalues at 50-digit minimizers (high precision), Arb
enclosures of the whole Hessian at certified minimizers (certified, ``verify.claims.certified_sharpness``),
float64 eigenvalues of the hand-derived Hessian at random gauges (numeric).
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import get_convention
from ..errors import UsageError
from ..landscape.deep_matrix import construct_minimizer, end_to_end_minimizer, hessian
from ..landscape.instances import reference_b, target_from_spectrum
from ..landscape.matrix_hessian_exact import charpoly, largest_root_interval, root_position
from ..landscape.matrix_hessian_minimizers import ExactCase, exact_cases, hp_instance
from ..landscape.reduction import critical_value
from ..problems.symbols import LAM
from ..symbolic.scalar import L_sym, a as A_SYM, b as B_SYM, mabs, rho
from .base import CheckResult, Claim, Tier, Verdict
from .closed_form import exact
from .context import RunContext
from .formula_values import float_route_disagrees, float_route_inconclusive, precise_value
from .matrix_common import EPS, NEAR_TIE_GAP, guarded_check, positive_constant

RHO2 = sp.Symbol("rho2", nonnegative=True)
M2 = sp.Symbol("m2", nonnegative=True)
MAX_H_DEGREE = 64
#: the symbols a claim is evaluated at, in the order of ``Claimed.mp`` / ``Claimed.float``
VOCABULARY = (rho, RHO2, mabs, M2, A_SYM, B_SYM)


class h(sp.Function):  # noqa: N801 -- the name users write in formulas
    """h(x, y, n) = Σ_(k=0..n) x^k·y^(n−k), the complete homogeneous polynomial of degree n in x, y (0 for n < 0);
    written out as soon as n is an integer, so h(x, x, n) = (n + 1)·x^n needs no limit."""

    nargs = 3

    @classmethod
    def eval(cls, x, y, n):
        if n.is_number and not n.is_Integer:  # 3/2, 1.5, sqrt(2): no such sum (a claim's L-dependent n: _check_degrees)
            raise UsageError(f"h(x, y, n): n must be a whole number, got {n}")
        if n.is_Integer:
            if n < 0:
                return sp.Integer(0)
            if n > MAX_H_DEGREE:
                raise UsageError(f"h(x, y, n): n = {n} exceeds {MAX_H_DEGREE}")
            return sp.Add(*[x ** k * y ** (n - k) for k in range(int(n) + 1)])
        return None


def matrix_sharpness_names() -> dict[str, sp.Expr]:
    """Names in matrix sharpness formulas: rho (ρ_1, the largest layer singular value of the minimizer), rho2 (ρ_2,
    0 when the minimizer drops the second singular direction of M or M has none), m (σ_1(M)), m2 (σ_2(M), 0 if
    absent), L, a, b, lam."""
    return {"rho": rho, "rho2": RHO2, "m": mabs, "m2": M2, "L": L_sym, "a": A_SYM, "b": B_SYM, "lam": LAM}


def matrix_sharpness_functions() -> dict[str, Callable[..., sp.Expr]]:
    """Functions matrix sharpness formulas may call besides the parser's defaults (Max, Min, sqrt, ...): h."""
    return {"h": h}


def derived_sharpness() -> sp.Expr:
    """The suite's closed form of the largest Hessian eigenvalue at nonzero global minimizers (L ≥ 2), §K8.

    Three blocks: the top singular direction's own block (the scalar spectrum of K4 at ρ), 2b (its other
    eigenvalue, which only matters at L = 2), and the block coupling directions 1 and 2: for ρ₂ > 0 its top
    eigenvalue a·h_(L−1)(ρ², ρ₂²) + b·(1 + h_(L−2)(ρ², ρ₂²)/(ρρ₂)^(L−2)), with b/ρ₂^(L−2) = a(σ₂ − ρ₂^L) by
    stationarity; the same expression at ρ₂ = 0 is the top eigenvalue a·ρ^(2L−2) + b + a·σ₂·ρ^(L−2) of the block
    coupling direction 1 with a dropped (zero) direction 2.
    """
    L = L_sym
    diag = L * A_SYM * rho ** (2 * L - 2) - (L - 2) * B_SYM
    pair = (A_SYM * h(rho ** 2, RHO2 ** 2, L - 1) + B_SYM
            + A_SYM * (M2 - RHO2 ** L) * h(rho ** 2, RHO2 ** 2, L - 2) / rho ** (L - 2))
    return sp.Max(diag, 2 * B_SYM, pair)


def subs_holding_max(expr: sp.Expr, old: sp.Symbol, new: sp.Expr) -> sp.Expr:
    """``expr.subs(old, new)``, except that a Max/Min whose arguments still hold symbols is rebuilt unevaluated.

    Why: evaluating Max(x, y, …) of symbolic arguments makes SymPy search for arguments that dominate others
    (``_find_localzeros``: factor_terms and assumption queries), 30–70 ms per depth for the derived sharpness,
    and only ever drops an argument it proves never to be the largest. The unevaluated Max is the same function:
    at numbers it is evaluated (``xreplace`` rebuilds it; lambdify prints max/min), and a Max of numbers alone is
    evaluated here."""
    if not expr.has(sp.Max, sp.Min):
        return expr.subs(old, new)
    args = [subs_holding_max(x, old, new) for x in expr.args]
    if isinstance(expr, (sp.Max, sp.Min)) and any(x.free_symbols for x in args):
        return expr.func(*args, evaluate=False)
    return expr.func(*args)


def _check_formula(formula: Any) -> sp.Expr:
    if not isinstance(formula, sp.Expr):
        raise UsageError(f"formula must be a SymPy expression, got {type(formula).__name__}")
    allowed = set(matrix_sharpness_names().values())
    extra = formula.free_symbols - allowed
    if extra:
        raise UsageError(f"formula uses {', '.join(sorted(map(str, extra)))}; matrix sharpness formulas may use "
                         f"{', '.join(matrix_sharpness_names())}")
    _check_degrees(formula)
    return formula


def _check_degrees(formula: sp.Expr) -> None:
    """Every h(x, y, n) left symbolic has a degree n that is a whole number at every depth: a polynomial in L alone
    with integer values at L = 0..deg n (then at every integer L). Else a UsageError naming it: h(x, y, L/2) has no
    value at odd L, and a check there must not read that as the claim being false."""
    for call in formula.atoms(h):
        n = call.args[2]
        try:
            poly = sp.Poly(n, L_sym)
        except sp.PolynomialError:
            poly = None
        if poly is None or n.free_symbols - {L_sym} \
                or not all(poly.eval(k).is_Integer for k in range(poly.degree() + 1)):
            raise UsageError(f"h(x, y, n): n = {n} is not a whole number at every depth L (n must be an integer "
                             "or an integer-valued polynomial in L)")


class Claimed:
    """The claimed sharpness scale·formula, evaluated exactly, in mpmath or in float64 at one depth."""

    def __init__(self, formula: sp.Expr, scale: sp.Expr, convention: str):
        self.expr = scale * formula
        self.conv = get_convention(convention)

    @functools.lru_cache(maxsize=64)
    def at_depth(self, depth: int) -> sp.Expr:
        """The claim at depth L with λ written through b; Max/Min with symbolic arguments left unevaluated
        (``subs_holding_max``: the same function of the symbols, without SymPy's symbolic pruning of Max)."""
        lam_per_b = 1 / self.conv.b_over_lam(depth)
        return subs_holding_max(subs_holding_max(self.expr, L_sym, sp.Integer(depth)), LAM, lam_per_b * B_SYM)

    def exact(self, depth: int, values: dict[sp.Symbol, sp.Expr]) -> sp.Expr:
        """The claimed value at exact data; NaN when the formula has no value there (a pole, an incomparable Max)."""
        try:
            return self.at_depth(depth).xreplace(values)
        except UsageError:  # the user's formula is outside what the tool takes: never "no value"
            raise
        except (ValueError, TypeError, ZeroDivisionError):
            return sp.nan

    @functools.lru_cache(maxsize=64)
    def _fn(self, depth: int, module: str):
        return sp.lambdify(VOCABULARY, self.at_depth(depth), module)

    def mp(self, depth: int, values: Sequence[Any]) -> mpmath.mpf:
        """The claimed value at the caller's working precision (``precise_value``: never a fixed-precision value
        alone); NaN where the formula has no real value."""
        from .scalar_common import ClaimValueError

        try:
            at = dict(zip(VOCABULARY, (mpmath.mpf(v) for v in values)))
            return precise_value(self.at_depth(depth), at, mpmath.mp.dps, "the claimed sharpness")
        except UsageError:
            raise
        except (ClaimValueError, ValueError, TypeError, ZeroDivisionError):  # h(x, y, n) with n not an integer
            return mpmath.nan

    #: instances per depth at which a float64 tier probes its values of the claim against the exact value
    FLOAT_PROBES = 3

    def float_disagrees(self, depth: int, values: Sequence[float], value: float, scale: float) -> dict | None:
        """Where the float64 value of the claim at ``values`` is not its value (``float_route_disagrees``, relative
        to ``scale`` = ||H||); None where it is, or where the float value is not finite (refuted by the tier)."""
        return float_route_disagrees(self.at_depth(depth), VOCABULARY, [np.array([float(v)]) for v in values],
                                     np.array([value]), np.array([scale]), probes=1)

    def float(self, depth: int, values: Sequence[float]) -> float:
        """The claimed value in float64; NaN where the formula has no real value."""
        try:
            v = self._fn(depth, "math")(*values)
            return float(v) if not isinstance(v, complex) else float("nan")
        except UsageError:
            raise
        except (ValueError, TypeError, ZeroDivisionError, OverflowError, NameError):
            return float("nan")


#: the deepest depth any check of the claim reaches (the largest cap passed to ``_depths``)
MAX_CHECKED_DEPTH = 8


def _depths(ctx: RunContext, caps: tuple[int, int, int]) -> list[int]:
    cap = caps[min(ctx.profile.level, 2)]
    return [L for L in ctx.profile.depths if 2 <= L <= cap] or [2]


# ----------------------------------------------------------------------------------------------
# symbolic tier: exact Hessians at rational minimizers


def exact_instance_check(case: ExactCase, value: sp.Expr) -> tuple[Verdict, str, dict[str, Any]]:
    """Decide exactly whether ``value`` is the largest eigenvalue of the case's Hessian."""
    grad, H = case.hessian()
    if any(g != 0 for g in grad):
        raise ArithmeticError(f"the constructed point ({case.name}) is not stationary: the construction is wrong")
    cp = charpoly(H)
    lo, hi = largest_root_interval(cp)
    row: dict[str, Any] = {"parameters": H.rows, "largest eigenvalue": sp.Float((lo + hi) / 2, 20).__str__(),
                           "claimed": str(value)[:200]}
    value = sp.nsimplify(value) if value.is_Float else value
    if not value.is_number or value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.is_real is not True:
        return Verdict.REFUTED, f"the claimed formula has no real value at this minimizer (got {value})", row
    if value.is_Rational:
        mult, above = root_position(cp, value)
        row.update({"multiplicity": mult, "eigenvalues above": above})
        if mult == 0:
            return Verdict.REFUTED, f"the claimed value {value} is not an eigenvalue (largest ≈ {row['largest eigenvalue']})", row
        if above:
            return Verdict.REFUTED, f"{above} eigenvalue(s) exceed the claimed value {value}", row
        return Verdict.VERIFIED, "exact", row
    approx = sp.N(value, 60)
    if approx < lo or approx > hi:
        return Verdict.REFUTED, (f"the claimed value ≈ {sp.N(value, 20)} lies outside the exact isolating interval "
                                 f"of the largest eigenvalue [{sp.N(lo, 20)}, {sp.N(hi, 20)}]"), row
    return Verdict.INCONCLUSIVE, (f"the claimed value {value} is irrational at a rational minimizer; it agrees with "
                                  "the largest eigenvalue to 40 digits but is not compared exactly"), row


def symbolic_check(claimed: Claimed) -> Callable[[RunContext], CheckResult]:
    """Exact: at rational global minimizers (several regimes, rotated by rational orthogonal gauges and sign flips)
    the Hessian, expanded from the definition, has the claimed value as its largest eigenvalue."""
    def run(ctx: RunContext) -> CheckResult:
        depths = _depths(ctx, (4, 5, 5))
        rows = []
        for L in depths:
            for case in exact_cases(L, claimed.conv, VOCABULARY):
                verdict, summary, row = exact_instance_check(case, claimed.exact(L, case.values))
                rows.append({"depth": L, "case": case.name, **row})
                if verdict is not Verdict.VERIFIED:
                    return CheckResult(verdict, f"L={L}, {case.name}: {summary}", instances=len(rows),
                                       counterexample={"depth": L, "case": case.name, **case.describe(), **row}
                                       if verdict is Verdict.REFUTED else None, details={"rows": rows},
                                       tolerance="exact (rational arithmetic, Sturm root counting)",
                                       scope=f"stopped at the first decided instance: depth {L}, case {case.name!r}")
        return CheckResult(
            Verdict.VERIFIED,
            "exact: at every rational minimizer the claimed value is a root of the Hessian's characteristic "
            "polynomial and no eigenvalue exceeds it (exact root counting); gradients vanish exactly",
            instances=len(rows), tolerance="exact (rational arithmetic, Sturm root counting)", details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, {len(rows)} rational minimizers (close, spread and repeated "
                  "pairs; a dropped direction near the threshold; L = 2: the 2b regime), widths 3 × 3 × 2 × … × 2, "
                  "rational rotations and sign flips")
    return run


# ----------------------------------------------------------------------------------------------
# high-precision tier


def hp_check(claimed: Claimed) -> Callable[[RunContext], CheckResult]:
    """Eigenvalues at working precision (verify.highprec.eigen) of the Hessian (expanded from the definition at ``dps + 20`` digits) at minimizers built
    to ``dps`` digits from the scalar reduction, random spectra and λ, rational orthogonal gauges."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("kp.sharpness.matrix.hp")
        depths = _depths(ctx, (4, 4, 5))
        per_depth = max(2, ctx.profile.hp_instances // 2)
        worst, rows = mpmath.inf, []
        for L in depths:
            for k in range(per_depth):
                inst = hp_instance(rng, L, claimed.conv, k, ctx.dps)
                if inst is None:
                    continue
                with mpmath.workdps(ctx.dps + 20):
                    lam_max = inst.lam_max
                    value = claimed.mp(L, inst.vocabulary)
                    scale = max(abs(inst.norm), mpmath.mpf(1))
                    tol = mpmath.mpf(10) ** (-(ctx.dps - 10)) * scale
                    err = abs(lam_max - value) if mpmath.isfinite(value) else mpmath.inf
                    digits = (float(-mpmath.log10(err / scale)) if err > 0 else float(ctx.dps + 20)) \
                        if mpmath.isfinite(err) else 0.0
                worst = min(worst, digits)
                row = {"depth": L, "regime": inst.regime, "sigma": [mpmath.nstr(x, 12) for x in inst.sigma],
                       "b": mpmath.nstr(inst.b, 12), "largest eigenvalue": mpmath.nstr(lam_max, 20),
                       "claimed": mpmath.nstr(value, 20), "digits": round(digits, 1)}
                rows.append(row)
                if err > tol:
                    what = mpmath.nstr(value, 25) if mpmath.isfinite(value) else "no real value (the formula is undefined)"
                    return CheckResult(Verdict.REFUTED, f"L={L}: largest Hessian eigenvalue {mpmath.nstr(lam_max, 25)} "
                                       f"≠ claimed {what} at a {ctx.dps}-digit minimizer",
                                       instances=len(rows), counterexample=row, digits=digits,
                                       tolerance=f"10^-({ctx.dps}-10)·max(||H||, 1)",
                                       scope=f"stopped at the first counterexample (depth {L}, instance {len(rows)})")
        return CheckResult(
            Verdict.VERIFIED, f"the largest eigenvalue at working precision equals the claim at {len(rows)} minimizers built to "
            f"{ctx.dps} digits", instances=len(rows), digits=float(worst) if rows else None,
            tolerance=f"10^-({ctx.dps}-10)·max(||H||, 1): the point carries {ctx.dps}+20 digits, the eigensolver is "
                      "backward stable at the working precision", details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, {per_depth} random targets per depth (3×2, random spectrum and λ, "
                  "regimes: two kept directions, one kept and one dropped), rational rotations")
    return run


# ----------------------------------------------------------------------------------------------
# numeric tier


def _sign_flip(Ws: list[np.ndarray], rng: np.random.Generator) -> list[np.ndarray]:
    """A sign gauge W_l → D_l W_l D_(l−1) on the hidden spaces (D diagonal ±1)."""
    Ds = [np.ones(Ws[0].shape[1])] + [rng.choice([-1.0, 1.0], size=W.shape[0]) for W in Ws[:-1]] + [np.ones(Ws[-1].shape[0])]
    return [Ds[l + 1][:, None] * W * Ds[l][None, :] for l, W in enumerate(Ws)]


def _numeric_instance(rng: np.random.Generator, L: int, conv, k: int):
    """A random target in one of four regimes; returns (M, a, b, dims, regime) or None off the claim."""
    regime = ("distinct", "close pair", "dropped near threshold", "repeated")[k % 4]
    lo = 1 if regime == "distinct" else 2  # the other regimes need a second singular value
    d0, dL = int(rng.integers(lo, 4)), int(rng.integers(lo, 4))
    n = min(d0, dL)
    a = float(conv.a)
    sig = np.sort(rng.uniform(1.0, 5.0, size=n))[::-1]
    b = float(rng.uniform(0.05, 0.8)) * reference_b(L, a, float(sig[0]))
    if n >= 2 and regime == "close pair":
        sig[1] = sig[0] * (1 - float(10 ** rng.uniform(-4, -1)))
    elif n >= 2 and regime == "repeated":
        sig[1] = sig[0]
    elif n >= 2 and regime == "dropped near threshold":  # σ_1 just above its threshold, σ_2 just below
        b = float(rng.uniform(0.8, 0.99)) * reference_b(L, a, float(sig[0]))
        edge = b / a if L == 2 else critical_value(L, a, b)
        sig[1] = min(sig[0], edge) * (1 - float(10 ** rng.uniform(-3, -0.5)))
        sig[2:] = np.minimum(sig[2:], sig[1])
    rank = n
    dims = (d0,) + tuple(int(x) for x in rng.integers(max(rank, 1), 5, size=L - 1)) + (dL,)
    M = target_from_spectrum(rng, dL, d0, np.sort(sig)[::-1])
    return M, a, b, dims, regime


def numeric_check(claimed: Claimed) -> Callable[[RunContext], CheckResult]:
    """float64: the largest eigenvalue of the hand-derived dense Hessian at constructed global minimizers (Haar
    gauges, sign flips; widths 1–4) equals the claim and is the same at every gauge tried."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("kp.sharpness.matrix.numeric")
        depths = _depths(ctx, (5, 6, 8))
        n = max(24, ctx.profile.instances // 10)
        worst, done, skipped, rows = 0.0, 0, 0, []
        probed: dict[int, int] = {}
        for i in range(n):
            L = depths[(i // 4) % len(depths)]
            M, a, b, dims, regime = _numeric_instance(rng, L, claimed.conv, i)
            e2e = end_to_end_minimizer(M, L, a, b)
            if e2e.rank == 0 or np.any(e2e.gap < NEAR_TIE_GAP):
                skipped += 1
                continue
            values = []
            for g in range(3):
                c = construct_minimizer(M, L, a, b, dims[1:-1], rng, e2e=e2e)
                Ws = c.Ws if g < 2 else _sign_flip(c.Ws, rng)
                H = hessian(Ws, M, a, b)
                ev = np.linalg.eigvalsh(H)
                values.append((float(ev[-1]), float(np.max(np.abs(ev))), H.shape[0]))
            s = np.sort(e2e.s)[::-1]
            sig = np.sort(e2e.sigma)[::-1]
            voc = (float(s[0] ** (1.0 / L)), float(s[1] ** (1.0 / L)) if s.size > 1 and s[1] > 0 else 0.0,
                   float(sig[0]), float(sig[1]) if sig.size > 1 else 0.0, a, b)
            claim_v = claimed.float(L, voc)
            hn, dim = max(v[1] for v in values), values[0][2]
            probed[L] = probed.get(L, 0) + 1
            if probed[L] <= claimed.FLOAT_PROBES:
                route = claimed.float_disagrees(L, voc, claim_v, hn)
                if route is not None:
                    return float_route_inconclusive(f"L={L}", route, done)
            # eigvalsh backward error ≲ dim·eps·||H||; H's entries are products of ≤ 2L factors of the
            # Newton-polished constructed point (relative error a few eps each): 100·dim·eps·||H|| covers both
            tol = 100 * dim * EPS * hn
            spread = max(v[0] for v in values) - min(v[0] for v in values)
            err = max(abs(v[0] - claim_v) for v in values) if np.isfinite(claim_v) else np.inf
            worst = max(worst, err / tol)
            done += 1
            row = {"depth": L, "dims": list(dims), "regime": regime, "a": a, "b": repr(b),
                   "sigma": [repr(float(x)) for x in sig], "largest eigenvalues (3 gauges)": [repr(v[0]) for v in values],
                   "claimed": repr(claim_v)}
            if len(rows) < 12:
                rows.append(row)
            if spread > tol:
                return CheckResult(Verdict.REFUTED, f"L={L}: the largest eigenvalue differs between gauges of one "
                                   f"minimizer ({spread:.3e} > {tol:.1e})", instances=done, counterexample=row,
                                   tolerance=f"100·n·eps·||H|| = {tol:.2e}", scope=f"stopped at instance {done} (depth {L})")
            if err > tol:
                what = repr(claim_v) if np.isfinite(claim_v) else "no real value (the formula is undefined)"
                return CheckResult(Verdict.REFUTED, f"L={L}, dims {dims} ({regime}): largest Hessian eigenvalue "
                                   f"{values[0][0]!r} ≠ claimed {what}", instances=done, counterexample=row,
                                   tolerance=f"100·n·eps·||H|| = {tol:.2e}", scope=f"stopped at instance {done} (depth {L})")
        return CheckResult(
            Verdict.VERIFIED, f"float64: the largest eigenvalue of the dense Hessian equals the claim at {done} "
            f"constructed minimizers, the same at three gauges each ({skipped} instances near a tie or collapsed "
            "skipped)", instances=done, worst_margin=f"{worst:.3f} of tolerance",
            tolerance="100·n·eps·||H||: eigvalsh backward error (≲ n·eps·||H||) plus rounding of the constructed point",
            details={"rows": rows},
            scope=f"depths {depths[0]}–{depths[-1]}, {done} random targets (distinct, close, repeated, dropped near "
                  "the threshold), widths 1–4, two Haar gauges and a sign flip each")
    return run


# ----------------------------------------------------------------------------------------------
# the claim


def matrix_sharpness_claim(id: str, statement: str, source: str, *, formula: sp.Expr | None = None, scale: Any = 1,
                           convention: str = "A1", trace_constant: Any = 1, paper: str = "user claim",
                           resolutions: Sequence[str] = ()) -> Claim:
    """Declare "at every nonzero global minimizer (L ≥ 2, off the exceptional set, hidden widths ≥ its rank) the
    largest Hessian eigenvalue equals scale·formula; with the trace (§K6's closed form, its data term times
    ``trace_constant``) it satisfies λ_max ≤ trace ≤ n·λ_max, both the same at every gauge". ``formula`` in the
    names of ``matrix_sharpness_names`` (and ``h``); None = the suite's ``derived_sharpness``. ``convention`` fixes
    (a, b) as functions of λ and L."""
    from .certified_sharpness import certified_sharpness_check
    from .certified_sharpness_trace import certified_trace_check
    from .matrix_sharpness_trace import hp_trace_check, numeric_trace_check, symbolic_trace_check

    scale = positive_constant(scale, "scale")
    trace_constant = positive_constant(trace_constant, "trace_constant")
    conv = get_convention(convention)
    claimed = Claimed(_check_formula(derived_sharpness() if formula is None else formula), exact(scale), conv.name)
    for depth in range(2, MAX_CHECKED_DEPTH + 1):  # h(x, y, n) beyond its degree limit is the user's error, now
        try:
            claimed.at_depth(depth)
        except UsageError as exc:
            raise UsageError(f"formula at depth {depth}: {exc}") from None
    checks = (
        guarded_check("exact Hessian at rational minimizers: the claim is its largest eigenvalue", Tier.SYMBOLIC,
                      symbolic_check(claimed)),
        guarded_check("largest high-precision eigenvalue at 50-digit minimizers", Tier.HIGH_PRECISION, hp_check(claimed)),
        guarded_check("certified enclosure of the largest eigenvalue at certified minimizers", Tier.CERTIFIED,
                      certified_sharpness_check(claimed, VOCABULARY, _depths)),
        guarded_check("largest float64 eigenvalue at constructed minimizers, three gauges each", Tier.NUMERIC,
                      numeric_check(claimed)),
        guarded_check("both meanings, exact: λ_max ≤ trace (K6) ≤ n·λ_max, spectrum gauge-invariant", Tier.SYMBOLIC,
                      symbolic_trace_check(claimed, VOCABULARY, trace_constant, _depths)),
        guarded_check("both meanings at 50 digits: λ_max ≤ trace (K6) ≤ n·λ_max, two gauges", Tier.HIGH_PRECISION,
                      hp_trace_check(claimed, trace_constant, _depths)),
        guarded_check("both meanings in float64: λ_max ≤ trace (K6) ≤ n·λ_max, three gauges", Tier.NUMERIC,
                      numeric_trace_check(claimed, trace_constant, _depths, _numeric_instance, _sign_flip)),
        guarded_check("both meanings, certified: trace (K6) and λ_max ≤ trace ≤ n·λ_max at certified minimizers",
                      Tier.CERTIFIED, certified_trace_check(claimed, VOCABULARY, trace_constant, _depths)),
    )
    return Claim(id, statement, source, checks, tuple(resolutions), paper)
