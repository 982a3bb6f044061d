"""Symbolic tier of the property kind: exact points, exact quantities, exact sign decisions.

At exact rational (m, λ) (the corners of the ranges, and a draw at the standard and thorough profiles) and depths
up to SYMBOLIC_MAX_DEPTH:

- points: the nonzero stationary radii are the roots ρ > 0 of S1's reduced stationary equation
  (``Reduction.stationary``). With ρ = t^q (q the least common denominator of ρ's exponents) its numerator must be
  a polynomial in t with rational coefficients; its positive real roots are then exact algebraic numbers (SymPy
  ``real_roots``: rationals, radicals or CRootOf). Otherwise the tier says it does not apply (inconclusive).
  Random points are exact rationals already.
- quantities: from S1's ``problem_model`` (objective, gradient, Hessian) at w_l = γ_l·t^q; a polynomial in t is
  reduced modulo t's minimal polynomial first, so an exact zero (the gradient at a stationary point) is exactly 0.
- signs: a nonzero algebraic value's sign by SymPy's certified evaluation (strict evalf); a value evalf cannot
  separate from 0 is proved 0 by its minimal polynomial (under a time budget, else undecided).
- Hessian eigenvalues are never computed: "hess_min ≥ c" is decided from the characteristic polynomial
  χ(x) = det(xI − (H − cI)) of the symmetric H − cI, whose roots are real, so Descartes' rule of signs counts its
  positive and negative roots exactly. This needs a relation that isolates one eigenvalue quantity
  (κ·hess_min + R OP 0 with κ a nonzero rational number and R free of eigenvalue quantities; for == one side must
  be the quantity itself); otherwise the tier says it does not apply.
- membership: global minimizers by exact comparison of the objective (ties kept); local minima by the exact
  inertia of the Hessian (positive definite: yes; a negative eigenvalue: no; singular: undecided), the point 0 of a
  penalty not differentiable at 0 undecided.
"""
from __future__ import annotations

import functools
import time
from typing import Callable

import sympy as sp
from sympy.core.evalf import PrecisionExhausted

from ..symbolic.scalar import L_sym, mabs
from .base import CheckResult, Verdict
from .context import RunContext
from .property import (EIGEN_QUANTITIES, QSYM, SYMBOLIC_MAX_DEPTH, Instance, Judged, PointResult, PropertySpec,
                       LAM_SYM, excluded_reason, plan, random_points, summarize)
from .scope import depth_text

#: seconds the exact tier may spend (times 1 + the profile level) before it stops, inconclusive
TIME_BUDGET = 60.0
T = sp.Symbol("t", positive=True)
X = sp.Symbol("x")


class NotApplicable(Exception):
    """The exact route does not apply to this claim or instance (said in the result, never a verdict)."""


class _Algebraic:
    """Exact arithmetic at t = root: canonical forms modulo the root's minimal polynomial, certified signs."""

    def __init__(self, root: sp.Expr | None) -> None:
        self.root = root
        self.minpoly = None
        if root is not None and not root.is_Rational:
            base = root.poly.as_expr() if isinstance(root, sp.CRootOf) else sp.minimal_polynomial(root, X)
            self.minpoly = sp.Poly(base.subs(X, T) if base.has(X) else base.subs(next(iter(base.free_symbols)), T), T)

    def reduce(self, expr: sp.Expr) -> sp.Expr:
        """expr (in T) reduced modulo the minimal polynomial when it is a polynomial in t over Q (else as is):
        a value that is exactly 0 at the root becomes the number 0."""
        expr = sp.sympify(expr)
        if self.minpoly is None or T not in expr.free_symbols:
            return expr
        try:
            poly = sp.Poly(sp.expand(expr), T, domain="QQ")
        except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, sp.GeneratorsNeeded):
            return expr
        return sp.rem(poly, self.minpoly).as_expr()

    def value(self, expr: sp.Expr) -> sp.Expr:
        """expr (in T) at t = root, reduced first."""
        expr = self.reduce(expr)
        return expr if self.root is None else expr.subs(T, self.root)


@functools.lru_cache(maxsize=4096)
def exact_sign(value: sp.Expr) -> int | None:
    """-1, 0 or 1 for a real closed form, or None when it cannot be decided in budget."""
    value = sp.sympify(value)
    if value.is_Rational:
        return int(sp.sign(value))
    for digits in (30, 80, 200):
        try:
            v = value.evalf(digits, strict=True)
        except PrecisionExhausted:
            continue
        re, im = v.as_real_imag()
        if im != 0 and abs(im) > abs(re):
            return None
        if re.is_Float or re.is_Rational:
            if re != 0:
                return 1 if re > 0 else -1
    try:
        from .scalar_common import _bounded

        poly = _bounded(functools.partial(sp.minimal_polynomial, value, X), "(minimal polynomial)")
    except Exception:  # noqa: BLE001 - no proof within the budget
        return None
    return 0 if sp.Poly(poly, X).degree() == 1 and poly.subs(X, 0) == 0 else None


def _eigen_estimate(name: str, chi_h: sp.Poly, alg: _Algebraic) -> str:
    """The eigenvalue quantity to 12 digits, for reports (the decision itself never uses it)."""
    try:
        coeffs = [complex(sp.N(alg.value(k), 30)).real for k in chi_h.all_coeffs()]
        import numpy as np

        roots = sorted(np.roots(coeffs).real)
        return f"{(roots[-1] if name == 'hess_max' else roots[0]):.12g}"
    except (TypeError, ValueError):
        return "?"


def _counts(chi_h: sp.Poly, c: sp.Expr, alg: _Algebraic) -> tuple[int, int, int] | None:
    """(negative, zero, positive) eigenvalue counts of H − cI from χ_H, the characteristic polynomial of H."""
    shifted = sp.Poly(chi_h.as_expr().subs(X, X + c), X) if c != 0 else chi_h
    coeffs = [alg.value(k) for k in reversed(shifted.all_coeffs())]  # c_0, c_1, ..., c_n
    signs = [exact_sign(k) for k in coeffs]
    if any(s is None for s in signs):
        return None
    zero = next(i for i, s in enumerate(signs) if s != 0)
    rest = signs[zero:]
    nonzero = [s for s in rest if s != 0]
    pos = sum(1 for a, b in zip(nonzero, nonzero[1:]) if a != b)
    alt = [s * (-1) ** i for i, s in enumerate(rest) if s != 0]
    neg = sum(1 for a, b in zip(alt, alt[1:]) if a != b)
    return neg, zero, pos


def _eigen_predicate(name: str, relation: str, chi_h: sp.Poly, c: sp.Expr, alg: _Algebraic) -> bool | None:
    """Is the extreme eigenvalue ``name`` ≥ c (relation ">=") or ≤ c ("<=")?"""
    counts = _counts(chi_h, c, alg)
    if counts is None:
        return None
    neg, zero, pos = counts
    if name in ("hess_min", "hess_min_orbit"):
        return neg == 0 if relation == ">=" else neg + zero >= 1
    return pos + zero >= 1 if relation == ">=" else pos == 0


class _Decider:
    """The relation at exact points; ``eigen`` is (quantity, op, side) when it isolates an eigenvalue quantity."""

    def __init__(self, spec: PropertySpec) -> None:
        self.spec = spec
        eig = spec.used & EIGEN_QUANTITIES
        self.eigen = None
        if not eig:
            return
        if len(eig) > 1:
            raise NotApplicable(f"the relation uses {sorted(eig)}: the exact route isolates one eigenvalue quantity")
        name = next(iter(eig))
        q = QSYM[name]
        if spec.op == "==":
            if spec.lhs == q and q not in spec.rhs.free_symbols:
                self.eigen = (name, "==", spec.rhs)
            elif spec.rhs == q and q not in spec.lhs.free_symbols:
                self.eigen = (name, "==", spec.lhs)
            else:
                raise NotApplicable("an == relation with an eigenvalue quantity needs that quantity alone on one side")
            return
        d = sp.expand(spec.lhs - spec.rhs)
        kappa = sp.diff(d, q)
        if not kappa.is_Rational or kappa == 0 or q in sp.diff(d, q).free_symbols:
            raise NotApplicable(f"the relation is not of the form κ·{name} + R with a rational κ ≠ 0")
        c = -(d - kappa * q) / kappa  # κ·Q + R OP 0  <=>  Q OP' c
        op = spec.op if kappa > 0 else {"<=": ">=", ">=": "<="}[spec.op]
        self.eigen = (name, op, sp.expand(c))

    def decide(self, inst: Instance, vals: dict[str, sp.Expr], chi_h: sp.Poly | None, alg: _Algebraic) -> Judged:
        subs = {QSYM[k]: v for k, v in vals.items()}
        subs.update({mabs: inst.m, L_sym: inst.depth, LAM_SYM: inst.lam})
        tol = self.spec.tolerance
        if self.eigen is not None:
            name, op, side = self.eigen
            c = sp.sympify(side).subs(subs)
            if op == "==":
                s = exact_sign(alg.value(c))
                if s is None:
                    return Judged("undecided", None, name, str(c), "the sign of the right side is undecided")
                lo, hi = (c, c) if s == 0 else (c * (1 - tol), c / (1 - tol)) if s > 0 else (c / (1 - tol), c * (1 - tol))
                a, b = _eigen_predicate(name, ">=", chi_h, lo, alg), _eigen_predicate(name, "<=", chi_h, hi, alg)
                ok = None if a is None or b is None else a and b
            else:
                ok = _eigen_predicate(name, op, chi_h, c, alg)
            shown = f"{name} ≈ {_eigen_estimate(name, chi_h, alg)}"
            if ok is None:
                return Judged("undecided", None, shown, _short(alg.value(c)),
                              "a characteristic polynomial coefficient's sign")
            return Judged("holds" if ok else "violated", None, shown, _short(alg.value(c)))
        lhs_t, rhs_t = sp.sympify(self.spec.lhs).subs(subs), sp.sympify(self.spec.rhs).subs(subs)
        lhs, rhs = alg.value(lhs_t), alg.value(rhs_t)
        if self.spec.op in ("<=", ">="):
            s = exact_sign(alg.value(rhs_t - lhs_t if self.spec.op == "<=" else lhs_t - rhs_t))
            if s is None:
                return Judged("undecided", None, _short(lhs), _short(rhs), "sign not decided exactly")
            return Judged("holds" if s >= 0 else "violated", _margin(lhs, rhs, self.spec.op, tol), _short(lhs),
                          _short(rhs))
        sl, sr, sd = exact_sign(lhs), exact_sign(rhs), exact_sign(alg.value(lhs_t - rhs_t))
        if sl is None or sr is None or sd is None:
            return Judged("undecided", None, _short(lhs), _short(rhs), "sign not decided exactly")
        s1 = exact_sign(alg.value(tol * sl * lhs_t - sd * (lhs_t - rhs_t)))
        s2 = exact_sign(alg.value(tol * sr * rhs_t - sd * (lhs_t - rhs_t)))
        if s1 is None or s2 is None:
            return Judged("undecided", None, _short(lhs), _short(rhs), "sign not decided exactly")
        return Judged("holds" if max(s1, s2) >= 0 else "violated", _margin(lhs, rhs, "==", tol), _short(lhs),
                      _short(rhs))


def _short(x: sp.Expr) -> str:
    text = str(x)
    return text if len(text) <= 60 else str(sp.N(x, 20))


def _margin(lhs: sp.Expr, rhs: sp.Expr, op: str, tol) -> float | None:
    try:
        l, r = float(sp.N(lhs, 20)), float(sp.N(rhs, 20))
    except (TypeError, ValueError):
        return None
    scale = max(abs(l), abs(r))
    if scale == 0:
        return 0.0 if op != "==" else float(tol)
    return (r - l) / scale if op == "<=" else (l - r) / scale if op == ">=" else float(tol) - abs(l - r) / scale


def _points(spec: PropertySpec, inst: Instance):
    """[(label, w exact in T, _Algebraic)] of the candidates (every stationary point, one per orbit) or random."""
    from ..problems.reduction import reduce
    from ..problems.symbols import LAM, MABS, RHO

    L = inst.depth
    if spec.points == "random":
        return [(f"random point {k + 1}", tuple(w), _Algebraic(None))
                for k, w in enumerate(random_points(spec, inst))], True
    red = reduce(spec.problem, L)
    eq = sp.sympify(red.stationary).subs({MABS: inst.m, LAM: inst.lam})
    exps = [p.exp for p in eq.atoms(sp.Pow) if p.base == RHO]
    if any(not e.is_Rational for e in exps):
        raise NotApplicable("the stationary equation has a non-rational power of ρ")
    q = functools.reduce(sp.ilcm, [int(e.q) for e in exps], 1)
    num, den = sp.fraction(sp.together(sp.expand(eq.subs(RHO, T**q))))
    try:
        poly = sp.Poly(num, T, domain="QQ")
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, sp.GeneratorsNeeded):
        raise NotApplicable("the stationary equation is not a polynomial with rational coefficients after "
                            f"ρ = t^{q}") from None
    if poly.degree() > 60:
        raise NotApplicable(f"the stationary polynomial has degree {poly.degree()} (> 60)")
    scales = [sp.sympify(g).subs(LAM, inst.lam) for g in red.scales]
    pts = [("the point 0", tuple(sp.Integer(0) for _ in range(L)), _Algebraic(None))]
    for root in sp.real_roots(poly):
        if exact_sign(root) != 1:
            continue
        alg = _Algebraic(root)
        if exact_sign(alg.value(den)) == 0:
            continue
        w = tuple(g * T**q for g in scales)
        pts.append((f"the stationary point of radius ρ = {sp.N(root ** q, 15)}", w, alg))
    return pts, red.smooth_at_zero


def _model_values(spec: PropertySpec, inst: Instance, w, alg: _Algebraic):
    from ..problems.symbols import LAM, M
    from ..symbolic.problem import problem_model

    model = problem_model(spec.problem, inst.depth)
    at = dict(zip(model.w, w))
    at.update({M: inst.m, LAM: inst.lam})
    vals: dict[str, sp.Expr] = {}
    used = spec.used
    if "objective" in used:
        vals["objective"] = alg.reduce(model.objective.subs(at))
    if "product" in used:
        vals["product"] = alg.reduce(sp.Mul(*w))
    absw = [alg.reduce(sp.Abs(x)) for x in w]
    for name, fn in (("layer_norm_sum", lambda: sp.Add(*absw)), ("layer_norm_max", lambda: sp.Max(*absw)),
                     ("layer_norm_min", lambda: sp.Min(*absw))):
        if name in used:
            vals[name] = fn()
    chi = None
    if spec.needs_gradient:
        H = model.hessian.subs(at)
        if "grad_norm" in used:
            vals["grad_norm"] = sp.sqrt(alg.reduce(sp.Add(*[g.subs(at) ** 2 for g in model.gradient])))
        if "trace" in used:
            vals["trace"] = alg.reduce(H.trace())
        if used & EIGEN_QUANTITIES:
            chi = sp.Poly(sp.expand(H.charpoly(X).as_expr()), X)
    return vals, chi


def _member(spec: PropertySpec, inst: Instance, pts, smooth: bool) -> list[tuple[str, tuple, _Algebraic, str]]:
    if spec.points in ("stationary", "random"):
        return [(label, w, alg, "yes") for label, w, alg in pts]
    from ..problems.symbols import LAM, M
    from ..symbolic.problem import problem_model

    model = problem_model(spec.problem, inst.depth)

    def at(w):
        d = dict(zip(model.w, w))
        d.update({M: inst.m, LAM: inst.lam})
        return d

    if spec.points == "global_minimizers":
        F = [alg.value(model.objective.subs(at(w))) for _, w, alg in pts]
        best = min(range(len(F)), key=lambda k: float(sp.N(F[k], 30)))
        signs = [0 if k == best else exact_sign(F[k] - F[best]) for k in range(len(F))]
        if any(s is not None and s < 0 for s in signs):  # the ordering by value was wrong: decide nothing
            return [(label, w, alg, "maybe") for label, w, alg in pts]
        return [(label, w, alg, "yes" if s == 0 else "maybe")
                for (label, w, alg), s in zip(pts, signs) if s is None or s == 0]
    out = []
    for label, w, alg in pts:
        if not smooth and all(x == 0 for x in w):
            out.append((label, w, alg, "maybe"))
            continue
        chi = sp.Poly(sp.expand(model.hessian.subs(at(w)).charpoly(X).as_expr()), X)
        counts = _counts(chi, sp.Integer(0), alg)
        if counts is None or (counts[0] == 0 and counts[1] > 0):
            out.append((label, w, alg, "maybe"))
        elif counts[0] == 0:
            out.append((label, w, alg, "yes"))
    return out


def exact_check(spec: PropertySpec) -> Callable[[RunContext], CheckResult]:
    def run(ctx: RunContext) -> CheckResult:
        allowed = spec.chosen_depths(ctx)
        depths = [L for L in allowed if L <= SYMBOLIC_MAX_DEPTH]
        per = 2 if ctx.profile.level == 0 else 3
        scope = (f"{depth_text(depths)}, {per} exact (m, λ) each ({spec.describe_ranges()}, corners first)"
                 + (f"; depths above {SYMBOLIC_MAX_DEPTH} not covered by this tier" if len(depths) < len(allowed)
                    else ""))
        tol = "exact (algebraic numbers, certified signs)" + (
            f"; == within relative tolerance {spec.tolerance}" if spec.tolerance is not None else "")
        try:
            decider = _Decider(spec)
        except NotApplicable as exc:
            return CheckResult(Verdict.INCONCLUSIVE, f"not applicable: {exc}", instances=0, scope="no exact verdict",
                               tolerance=tol)
        instances = plan(spec, ctx, "exact", per, depths)
        rows = []
        start = time.monotonic()
        for done, inst in enumerate(instances):
            if time.monotonic() - start > TIME_BUDGET * (1 + ctx.profile.level):
                return summarize(spec, rows, done, scope + f"; stopped after {done} of {len(instances)} instances",
                                 tol, undecided_extra=[f"time budget of the exact tier spent after {done} of "
                                                       f"{len(instances)} instances"])
            try:
                pts, smooth = _points(spec, inst)
            except NotApplicable as exc:
                return CheckResult(Verdict.INCONCLUSIVE, f"not applicable at depth {inst.depth}: {exc}", instances=0,
                                   scope="no exact verdict", tolerance=tol)
            for label, w, alg, member in _member(spec, inst, pts, smooth):
                wtext = tuple(_short(alg.value(x)) for x in w)
                why = excluded_reason(spec, smooth, w)
                if why:
                    rows.append((inst, PointResult(label, member, wtext, {}, why), None))
                    continue
                vals, chi = _model_values(spec, inst, w, alg)
                judged = decider.decide(inst, vals, chi, alg)
                point = PointResult(label, member, wtext, {})
                rows.append((inst, point, judged))
                if judged.status == "violated" and member == "yes":
                    result = summarize(spec, rows, len(instances), scope, tol, refuting=(inst, point, judged))
                    result.counterexample["quantities"] = {k: _short(v) for k, v in vals.items()}
                    result.digits = float("inf")
                    return result
        result = summarize(spec, rows, len(instances), scope, tol)
        if result.verdict is Verdict.VERIFIED:
            result.digits = float("inf")
        return result
    return run
