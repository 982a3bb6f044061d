"""Claim kind: a property that holds at a set of points of a scalar problem.

A claim states: for the scalar problem F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; λ, l, L) (a convention, or a
user problem), at every depth L of the claim and every (m, λ) with m ∈ m_range and λ ∈ lam_range, the relation
"lhs OP rhs" holds at every point of a set. Semantics, precisely:

- **(m, λ)**: m is the target, taken positive (``reduce`` proves the loss sign-symmetric, so a negative target
  gives the same values of every quantity, the product's sign aside); the ranges are closed intervals of positive
  exact rationals. Each depth is checked at the two corners (m_lo, λ_lo) and (m_hi, λ_hi), then at draws
  log-uniform in each range (independent, rounded to 6 significant digits, exact rationals), from
  ``ctx.rng("property:<id>:<tier>")``: the same seed gives the same draws.
- **point sets**: ``stationary``: 0 (a stationary point for L ≥ 2; for a penalty not differentiable at 0 it is a
  critical point in the sense of subgradients) and every nonzero stationary point; ``global_minimizers``: the
  stationary points of least objective; ``local_minima``: the stationary points that are local minima;
  ``random``: 4 points per (L, m, λ), w_l = ±ρ̃·r_l with independent fair signs, ρ̃ = |m|^(1/L) rounded to 6 digits
  (the scale of a balanced point of product m) and r_l = e^u, u uniform on [−ln 4, ln 4], rounded to 4 digits
  (exact rationals), a function of (claim id, L, m, λ) only, so that every tier and the shrinker judge the same
  points. Nonzero stationary points come in orbits of 2^(L−1) sign patterns w_l = γ_l·ρ·s_l, ∏s = +1
  (``verify.problems.reduction``); every quantity below is the same on an orbit (a sign flip of two layers is an
  orthogonal change of coordinates that fixes F), so one representative is judged per orbit.
- **quantities** at a point w: ``objective`` F(w); ``product`` w_L⋯w_1; ``grad_norm`` ‖∇F(w)‖₂; ``hess_min``,
  ``hess_max`` the extreme eigenvalues and ``trace`` the trace of the Hessian; ``layer_norm_sum``, ``_max``,
  ``_min``: Σ|w_l|, max |w_l|, min |w_l| (a scalar layer's Frobenius norm is |w_l|); ``hess_min_orbit``: the
  smallest Hessian eigenvalue on the complement of the tangent space of the point's symmetry orbit. The symmetries
  of a scalar problem (sign flips) form a finite group: the orbit is discrete, its tangent space is {0}, and
  hess_min_orbit = hess_min. For a penalty not differentiable at 0 the gradient and Hessian quantities are defined
  only where every w_l ≠ 0: a point with some w_l = 0 (in practice the point 0) is excluded for a relation that
  uses them, and the scope says how many points were excluded.
- **relation**: "lhs <= rhs", "lhs >= rhs" or "lhs == rhs" over the quantities and m (= |m|), L, lam. "==" needs a
  relative tolerance τ ∈ (0, 1): it holds when |lhs − rhs| ≤ τ·max(|lhs|, |rhs|). Strict < and > are refused
  (numerically they cannot be told from ≤ and ≥).
- **margin** (``worst_margin``): relative, (rhs − lhs)/max(|lhs|, |rhs|) for ≤, (lhs − rhs)/max(|lhs|, |rhs|) for
  ≥, τ − |lhs − rhs|/max(|lhs|, |rhs|) for ==; 0 when both sides are 0. Negative means violated.

Three tiers judge it. Symbolic (``property_exact``): at exact rational (m, λ), the nonzero stationary radii are the
positive real roots of S1's reduced stationary equation when it is a polynomial after ρ = t^q (SymPy real_roots,
exact algebraic numbers), and the relation is decided by exact sign determination; otherwise the tier says it
does not apply. High precision (``property_highprec``): the points from ``verify.highprec.scalar`` (conventions,
hand-derived) or ``verify.highprec.problem`` (user problems), every quantity with an absolute error band, the
relation decided by interval arithmetic. Numeric (``property_numeric``): float64 kernels of S1, stationary radii by
sign changes of φ′ along the reduction's rays, each float64 violation confirmed at high precision before it
counts. A refutation is shrunk (``shrink``): smallest depth, then simplest m, then simplest λ that still fail.
"""
from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import mpmath
import numpy as np
import sympy as sp
from mpmath.ctx_iv import MPIntervalContext

from ..errors import UsageError
from ..expressions import parse_relation
from ..numbers import check_depth, dec, parse_rational
from ..symbolic.scalar import L_sym, mabs
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext

POINT_SETS = ("stationary", "global_minimizers", "local_minima", "random")
QUANTITIES = frozenset({"objective", "product", "grad_norm", "hess_min", "hess_max", "trace", "layer_norm_sum",
                        "layer_norm_max", "layer_norm_min", "hess_min_orbit"})
#: quantities defined only where the penalty is differentiable (twice, for the Hessian ones)
GRADIENT_QUANTITIES = frozenset({"grad_norm"})
HESSIAN_QUANTITIES = frozenset({"hess_min", "hess_max", "trace", "hess_min_orbit"})
EIGEN_QUANTITIES = frozenset({"hess_min", "hess_max", "hess_min_orbit"})

QSYM = {name: sp.Symbol(name, real=True) for name in sorted(QUANTITIES)}
LAM_SYM = sp.Symbol("lam", positive=True)  # equal to verify.problems.symbols.LAM (same name and assumptions)
RELATION_NAMES = {**QSYM, "m": mabs, "L": L_sym, "lam": LAM_SYM}
OPERATORS = {sp.Le: "<=", sp.Ge: ">=", sp.Eq: "=="}

RANDOM_POINTS = 4
#: the symbolic tier decides exactly at depths up to this one (charpolys of L×L algebraic matrices beyond it)
SYMBOLIC_MAX_DEPTH = 6


@dataclass(frozen=True)
class Instance:
    """One (L, m, λ), exact."""

    depth: int
    m: sp.Rational
    lam: sp.Rational

    def to_json(self) -> dict[str, Any]:
        return {"depth": self.depth, "m": str(self.m), "lam": str(self.lam)}


@dataclass(frozen=True)
class PropertySpec:
    """A validated property claim: what every tier reads."""

    id: str
    problem: Any  # verify.problems.scalar.ScalarProblem
    points: str
    relation: str
    op: str
    lhs: sp.Expr
    rhs: sp.Expr
    tolerance: sp.Rational | None
    m_range: tuple[sp.Rational, sp.Rational]
    lam_range: tuple[sp.Rational, sp.Rational]
    depths: tuple[int, ...] | None
    used: frozenset = field(default_factory=frozenset)

    @property
    def needs_gradient(self) -> bool:
        return bool(self.used & (GRADIENT_QUANTITIES | HESSIAN_QUANTITIES))

    @property
    def needs_hessian(self) -> bool:
        return bool(self.used & HESSIAN_QUANTITIES)

    def chosen_depths(self, ctx: RunContext) -> list[int]:
        return list(self.depths) if self.depths is not None else [L for L in ctx.profile.depths if L >= 2]

    def describe_ranges(self) -> str:
        return f"m ∈ [{self.m_range[0]}, {self.m_range[1]}], λ ∈ [{self.lam_range[0]}, {self.lam_range[1]}]"

    def base_example(self, inst: Instance) -> dict[str, Any]:
        return {**inst.to_json(), "problem": self.problem.to_json(), "points": self.points,
                "relation": self.relation, "tolerance": None if self.tolerance is None else str(self.tolerance)}


# -- building ------------------------------------------------------------------------------------


def parse_property_relation(text: str) -> tuple[str, sp.Expr, sp.Expr]:
    """(op, lhs, rhs) of "lhs OP rhs"; UsageError for unknown names (listing the allowed ones) and for < >."""
    try:
        rel = parse_relation(text, RELATION_NAMES)
    except UsageError as exc:
        raise type(exc)(f"property relation: {exc} (quantities: {', '.join(sorted(QUANTITIES))}; "
                        "formula names: m (= |m|), L, lam)") from None
    op = OPERATORS.get(type(rel))
    if op is None:
        raise UsageError(f"property relation {text!r}: use <=, >= or == (a strict < or > cannot be told from "
                         "<= or >= numerically)")
    return op, sp.sympify(rel.lhs), sp.sympify(rel.rhs)


def _range(value: object, name: str) -> tuple[sp.Rational, sp.Rational]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise UsageError(f"{name} must be a pair (low, high), got {value!r}")
    lo, hi = (parse_rational(v, name) for v in value)
    if not 0 < lo <= hi:
        raise UsageError(f"{name} must satisfy 0 < low <= high, got ({lo}, {hi})")
    return lo, hi


def property_claim(id: str, statement: str, source: str, problem: Any, points: str, relation: str,
                   m_range: tuple[sp.Rational, sp.Rational], lam_range: tuple[sp.Rational, sp.Rational],
                   tolerance: sp.Rational | None = None, depths: Sequence[int] | None = None,
                   paper: str = "user claim") -> Claim:
    """Declare "at every point of ``points`` of ``problem``, ``relation`` holds" for L in ``depths`` (default:
    the profile's depths ≥ 2), m in ``m_range`` and λ in ``lam_range`` (see the module docstring).

    Building the claim proves the problem's reduction at every depth it may be judged at (``prove_claim_depths``)
    so that a problem the suite cannot justify is a UsageError here, never a verdict.
    """
    from ..problems.reduction import prove_claim_depths
    from ..problems.scalar import ScalarProblem

    if not isinstance(problem, ScalarProblem):
        raise UsageError(f"problem must be a ScalarProblem (convention_problem or parse_problem), got "
                         f"{type(problem).__name__}")
    if points not in POINT_SETS:
        raise UsageError(f"points must be one of {', '.join(POINT_SETS)}, got {points!r}")
    if not isinstance(relation, str):
        raise UsageError(f"relation must be a text 'lhs <= rhs', got {type(relation).__name__}")
    op, lhs, rhs = parse_property_relation(relation)
    names = lhs.free_symbols | rhs.free_symbols
    used = frozenset(name for name, symbol in QSYM.items() if symbol in names)
    if not used:
        raise UsageError(f"property relation {relation!r} names no quantity at the points; quantities: "
                         f"{', '.join(sorted(QUANTITIES))}")
    if op == "==":
        if tolerance is None:
            raise UsageError("a relation with == needs a relative tolerance (e.g. tolerance = \"1e-10\")")
        tol = parse_rational(tolerance, "tolerance")
        if not 0 < tol < 1:
            raise UsageError(f"tolerance must lie strictly between 0 and 1 (relative), got {tol}")
    else:
        if tolerance is not None:
            raise UsageError(f"tolerance applies only to ==; relation {relation!r} uses {op}")
        tol = None
    m_r, lam_r = _range(m_range, "m_range"), _range(lam_range, "lam_range")
    if depths is not None:
        ds = tuple(check_depth(d) for d in depths)
        if not ds or len(set(ds)) != len(ds):
            raise UsageError(f"depths must be distinct and not empty, got {list(depths)}")
        if min(ds) < 2:
            raise UsageError("property claims cover depths L >= 2 (at L = 1 whether 0 is a stationary point depends "
                             "on (m, λ)); got depth 1")
        depths = tuple(sorted(ds))
    prove_claim_depths(problem, depths, 2)
    spec = PropertySpec(id, problem, points, relation, op, lhs, rhs, tol, m_r, lam_r, depths, used)
    from .property_exact import exact_check
    from .property_highprec import highprec_check
    from .property_numeric import numeric_check

    checks = (
        Check(f"exact decision at exact {points} points", Tier.SYMBOLIC, exact_check(spec)),
        Check(f"interval decision at {points} points found in mpmath", Tier.HIGH_PRECISION, highprec_check(spec)),
        Check(f"float64 kernels at {points} points, violations confirmed in mpmath", Tier.NUMERIC,
              numeric_check(spec)),
    )
    resolutions = ("m is |m| (the problem is sign-symmetric, proved by the reduction); one representative of each "
                   "sign orbit is judged (every quantity is constant on it)",)
    if spec.needs_gradient:
        resolutions += ("for a penalty not differentiable at 0, gradient and Hessian quantities are defined only "
                        "where every w_l ≠ 0; other points are excluded and counted",)
    from .property_shrink import shrinker

    return Claim(id, statement, source, checks, resolutions, paper, shrink=shrinker(spec))


# -- instances and points ------------------------------------------------------------------------


def _six_digits(x: float) -> sp.Rational:
    """x > 0 rounded to 6 significant digits, exact."""
    e = math.floor(math.log10(x)) - 5
    mant = int(round(x / 10.0**e))
    return sp.Rational(mant) * sp.Integer(10) ** e if e >= 0 else sp.Rational(mant, 10**-e)


def _draw(rng: np.random.Generator, lo: sp.Rational, hi: sp.Rational) -> sp.Rational:
    if lo == hi:
        return lo
    x = _six_digits(math.exp(rng.uniform(math.log(float(lo)), math.log(float(hi)))))
    return min(max(x, lo), hi)


def plan(spec: PropertySpec, ctx: RunContext, tier: str, per_depth: int, depths: Sequence[int]) -> list[Instance]:
    """The corners (m_lo, λ_lo), (m_hi, λ_hi), then log-uniform draws: ``per_depth`` distinct instances per depth."""
    rng = ctx.rng(f"property:{spec.id}:{tier}")
    out = []
    for L in depths:
        seen: list[tuple] = []
        known: set[tuple] = set()
        corners = [(spec.m_range[0], spec.lam_range[0]), (spec.m_range[1], spec.lam_range[1])]
        candidates = iter(corners)
        tries = 0
        while len(seen) < per_depth and tries < 10 * per_depth + 2:
            tries += 1
            pair = next(candidates, None) or (_draw(rng, *spec.m_range), _draw(rng, *spec.lam_range))
            key = (int(pair[0].p), int(pair[0].q), int(pair[1].p), int(pair[1].q))
            if key not in known:
                known.add(key)
                seen.append(pair)
        out += [Instance(L, m, lam) for m, lam in seen]
    return out


def random_points(spec: PropertySpec, inst: Instance) -> list[tuple[sp.Rational, ...]]:
    """RANDOM_POINTS exact points w for ``inst`` (see the module docstring), the same at every tier."""
    key = f"{spec.id}:{inst.depth}:{inst.m}:{inst.lam}"
    rng = RunContext(seed=0).rng(f"property-points:{key}")
    scale = _six_digits(float(inst.m) ** (1.0 / inst.depth))
    out = []
    for _ in range(RANDOM_POINTS):
        w = []
        for _ in range(inst.depth):
            r = sp.Rational(round(math.exp(rng.uniform(-math.log(4), math.log(4))) * 10**4), 10**4)
            w.append((1 if rng.random() < 0.5 else -1) * scale * r)
        out.append(tuple(w))
    return out


# -- judging -------------------------------------------------------------------------------------


@dataclass
class Judged:
    """The relation at one point: status "holds" | "violated" | "undecided", relative margin, side values."""

    status: str
    margin: float | None
    lhs: str
    rhs: str
    reason: str = ""


def _imin(*xs):
    return _IV.mpf([min(mpmath.mpf(x.a) for x in xs), min(mpmath.mpf(x.b) for x in xs)])


def _imax(*xs):
    return _IV.mpf([max(mpmath.mpf(x.a) for x in xs), max(mpmath.mpf(x.b) for x in xs)])


_IV = MPIntervalContext()  # a private interval context: its precision is ours to set, nobody else's
_IV_LOCK = threading.Lock()
_IV_MODULES = [{"Abs": abs, "mpf": _IV.mpf, "pi": _IV.pi, "e": _IV.e, "sqrt": _IV.sqrt, "exp": _IV.exp,
                "log": _IV.log, "sin": _IV.sin, "cos": _IV.cos, "Min": _imin, "Max": _imax}, "mpmath"]
_ARGS = [QSYM[n] for n in sorted(QUANTITIES)] + [mabs, L_sym, LAM_SYM]
_SIDES: dict[sp.Expr, Callable] = {}


def _side(expr: sp.Expr) -> Callable:
    if expr not in _SIDES:
        _SIDES[expr] = sp.lambdify(_ARGS, expr, modules=_IV_MODULES)
    return _SIDES[expr]


def _rational_iv(q: sp.Rational):
    return _IV.mpf(int(q.p)) / _IV.mpf(int(q.q))


def judge(spec: PropertySpec, inst: Instance, values: dict[str, tuple[mpmath.mpf, mpmath.mpf]],
          prec_bits: int = 200) -> Judged:
    """Decide the relation by interval arithmetic: quantity q lies in [value − band, value + band], m, λ exact.

    Holds when every value in the intervals satisfies it, violated when none does, undecided otherwise.
    """
    with _IV_LOCK:
        _IV.prec = prec_bits
        return _judge(spec, inst, values)


def _judge(spec: PropertySpec, inst: Instance, values: dict[str, tuple[mpmath.mpf, mpmath.mpf]]) -> Judged:
    args = []
    for name in sorted(QUANTITIES):
        v = values.get(name)
        if v is None:
            args.append(_IV.mpf(0))  # not used by the relation (used ones are always present)
        else:
            x, band = v
            args.append(_IV.mpf([mpmath.mpf(x) - abs(mpmath.mpf(band)), mpmath.mpf(x) + abs(mpmath.mpf(band))]))
    args += [_rational_iv(inst.m), _IV.mpf(inst.depth), _rational_iv(inst.lam)]
    try:
        lo_side, hi_side = _side(spec.lhs)(*args), _side(spec.rhs)(*args)
        l, r = _IV.mpf(lo_side), _IV.mpf(hi_side)
    except (ValueError, ZeroDivisionError, ArithmeticError) as exc:
        return Judged("undecided", None, "?", "?", f"a side of the relation is not a real number there: {exc}")
    la, lb, ra, rb = (mpmath.mpf(x) for x in (l.a, l.b, r.a, r.b))
    lm, rm = (la + lb) / 2, (ra + rb) / 2
    scale = max(abs(lm), abs(rm))
    if spec.op == "<=":
        status = "holds" if lb <= ra else "violated" if la > rb else "undecided"
        margin = (rm - lm) / scale if scale else mpmath.mpf(0)
    elif spec.op == ">=":
        status = "holds" if la >= rb else "violated" if lb < ra else "undecided"
        margin = (lm - rm) / scale if scale else mpmath.mpf(0)
    else:
        tol = mpmath.mpf(int(spec.tolerance.p)) / int(spec.tolerance.q)
        d = l - r
        dmax = max(abs(mpmath.mpf(d.a)), abs(mpmath.mpf(d.b)))
        dmin = mpmath.mpf(0) if mpmath.mpf(d.a) <= 0 <= mpmath.mpf(d.b) else min(abs(mpmath.mpf(d.a)),
                                                                                   abs(mpmath.mpf(d.b)))
        smin = max(min(abs(la), abs(lb)) if la * lb > 0 else mpmath.mpf(0),
                   min(abs(ra), abs(rb)) if ra * rb > 0 else mpmath.mpf(0))
        smax = max(abs(la), abs(lb), abs(ra), abs(rb))
        status = "holds" if dmax <= tol * smin else "violated" if dmin > tol * smax else "undecided"
        margin = tol - abs(lm - rm) / scale if scale else tol
    return Judged(status, float(margin), mpmath.nstr(lm, 20), mpmath.nstr(rm, 20))


@dataclass
class PointResult:
    """A point of one instance with its membership ("yes", or "maybe": not decided at this tier) and values."""

    label: str
    member: str
    w: tuple[str, ...]
    values: dict[str, tuple[mpmath.mpf, mpmath.mpf] | None]
    undefined: str = ""


def values_json(values: dict) -> dict[str, str]:
    return {k: (dec(v[0], 20) if v is not None else "undefined") for k, v in sorted(values.items())}


def summarize(spec: PropertySpec, rows: list[tuple[Instance, PointResult, Judged | None]], n_instances: int,
              scope: str, tolerance: str, refuting: tuple[Instance, PointResult, Judged] | None = None,
              undecided_extra: list[str] | None = None, details: dict | None = None) -> CheckResult:
    """The check's verdict from judged points: a (confirmed) violation at a member refutes; any undecided point
    (or a violation at a point whose membership is undecided) makes it inconclusive; else verified."""
    judged = [(i, p, j) for i, p, j in rows if j is not None]
    excluded = [(i, p) for i, p, j in rows if j is None]
    undecided = [(i, p, j) for i, p, j in judged if j.status == "undecided"
                 or (j.status == "violated" and p.member != "yes")]
    margins = [j.margin for _, _, j in judged if j.margin is not None]
    worst = f"{min(margins):.3e}" if margins else None
    scope = scope + f"; {len(judged)} points judged" + (f", {len(excluded)} excluded ({excluded[0][1].undefined})"
                                                       if excluded else "")
    info = dict(details or {})
    if refuting is not None:
        inst, p, j = refuting
        example = {**spec.base_example(inst), "point": p.label, "w": list(p.w), "lhs": j.lhs, "rhs": j.rhs,
                   "quantities": values_json({k: v for k, v in p.values.items() if k in spec.used})}
        return CheckResult(Verdict.REFUTED, f"depth {inst.depth}, m = {inst.m}, λ = {inst.lam}: at {p.label} "
                           f"{spec.relation} fails (lhs {j.lhs}, rhs {j.rhs})", instances=n_instances,
                           worst_margin=worst, tolerance=tolerance, counterexample=example, scope=scope,
                           details=info)
    if undecided or undecided_extra:
        reasons = [f"depth {i.depth}, m = {i.m}, λ = {i.lam}, {p.label}: " +
                   (j.reason or ("violated at a point whose membership is undecided" if j.status == "violated"
                                 else "within the error band")) for i, p, j in undecided[:5]]
        info["undecided"] = reasons + list(undecided_extra or [])[:5]
        count = len(undecided) + len(undecided_extra or [])
        return CheckResult(Verdict.INCONCLUSIVE, f"{count} point(s) too close to call or not decided at this tier",
                           instances=n_instances, worst_margin=worst, tolerance=tolerance, scope=scope, details=info)
    if not judged:
        return CheckResult(Verdict.INCONCLUSIVE, "no point was judged (every point excluded)", instances=0,
                           tolerance=tolerance, scope=scope, details=info)
    return CheckResult(Verdict.VERIFIED, f"{spec.relation} holds at all {len(judged)} {spec.points} points judged",
                       instances=n_instances, worst_margin=worst, tolerance=tolerance, scope=scope, details=info)


def excluded_reason(spec: PropertySpec, smooth_at_zero: bool, w: Sequence) -> str:
    """Why a point is excluded for this relation ('' when it is not): a nonsmooth penalty at some w_l = 0."""
    if spec.needs_gradient and not smooth_at_zero and any(x == 0 for x in w):
        return "the penalty is not differentiable where some w_l = 0; gradient and Hessian quantities undefined"
    return ""
