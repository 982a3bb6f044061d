"""The collapse threshold λ* of a user problem, from its proved reduction (docs/mathematics.md §P2).

With a penalty linear in λ, φ_λ(ρ) = A(ρ) + λ·B(ρ), B(ρ) = ∂φ/∂λ > 0 for ρ > 0 (penalties are positive off 0),
B(0) = 0. Some ρ > 0 has φ_λ(ρ) < φ_λ(0) iff λ < R(ρ) = (A(0) − A(ρ))/B(ρ), so
λ* = sup{λ : some ρ > 0 has φ_λ(ρ) < φ_λ(0)} = sup_{ρ>0} R(ρ).
R(ρ) ≤ 0 for large ρ (A(0) − A bounded above, B → ∞), so the supremum is R(0+) or R at a critical point ρ* > 0
(R'(ρ*) = 0 ⇔ φ'_λ(ρ*) = 0 at λ = R(ρ*): a stationary point with φ_λ(ρ*) = φ_λ(0)). Kinds: R(0+) = ∞ — "none";
the supremum at an interior ρ* — "jump"; at ρ → 0+ — "continuous". Substituting ρ = t^q (q clears the
denominators of ρ's exponents) makes R'(ρ) = 0 a polynomial equation when the loss is polynomial: its factors
are solved exactly (binomials, or quasi-homogeneous factors via real roots of a rational polynomial), and the
candidates compared; where that fails the critical points are isolated at the requested |m| and digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from math import lcm

import mpmath
import sympy as sp

from ..cache import disk_cached
from ..errors import UsageError
from .proving import prove
from .reduction import SYMPY_FAILURES, reduce
from .scalar import ScalarProblem
from .symbols import LAM, M, MABS, P, RHO

T = sp.Symbol("t", positive=True)
"""ρ = t^q: the variable in which R'(ρ) = 0 is polynomial for polynomial losses."""

_GRID = 2000
"""Grid points on (0, ρ_max] to bracket the critical points of R when R'(ρ) = 0 is not polynomial."""


@dataclass(frozen=True)
class ProblemThreshold:
    """The collapse threshold λ*(|m|) of a problem at one depth.

    kind: "jump" (at λ* the origin and a point with ρ* > 0 are both global minimizers), "continuous" (the
    nonzero minimizer shrinks to 0 as λ → λ*), "none" (0 is never a global minimizer for m ≠ 0).
    ``exact``: λ* in MABS when the elimination gives a closed form (CRootOf counts as closed), else None.
    λ* = max(R(0+), R at the positive roots of ``critical``): ``ratio`` is R in t (ρ = t^power),
    ``limit_at_zero`` is R(0+), ``critical`` is the numerator of dR/dt (a polynomial in t when ``polynomial``).
    """

    depth: int
    kind: str
    exact: sp.Expr | None
    steps: tuple[str, ...]
    ratio: sp.Expr
    limit_at_zero: sp.Expr
    critical: sp.Expr
    power: int
    polynomial: bool
    t_max: sp.Expr

    def value(self, mabs, digits: int) -> "mpmath.mpf | None":
        """λ* at |m| = mabs (exact: a Rational, int, or an mpf read exactly) to ``digits`` digits; None for
        kind "none", 0 at m = 0. The result is an mpf valid at ``mpmath.workdps(digits + 10)``."""
        if self.kind == "none":
            return None
        m = abs(_exact_number(mabs))
        if m == 0:
            return mpmath.mpf(0)
        with mpmath.workdps(digits + 10):
            if self.exact is not None:
                return _mpf(self.exact.xreplace({MABS: m}), digits)
            return _numeric_sup(self, m, digits)[0]


def _exact_number(x) -> sp.Rational:
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        if not isinstance(man, int) and not hasattr(man, "__index__"):
            raise UsageError(f"|m| must be finite, got {x}")
        value = sp.Integer(int(man)) * sp.Integer(2) ** int(exp)
        return -value if sign else value
    if isinstance(x, float):
        raise UsageError("|m| must be exact (a Rational or a decimal string), not a float")
    value = sp.Rational(x)
    if not value.is_Rational:
        raise UsageError(f"|m| must be a rational number, got {x!r}")
    return value


def _mpf(expr: sp.Expr, digits: int) -> mpmath.mpf:
    """expr (a real number) as an mpf at the current working precision."""
    value = sp.N(expr, digits + 15)
    if not value.is_real:
        value = sp.re(value)
    return mpmath.mpf(sp.Float(value, digits + 15)._mpf_)


def _rho_power(expr: sp.Expr) -> int | None:
    """q with every exponent of ρ in (1/q)·Z, or None when ρ occurs other than in rational powers."""
    q = 1
    for sub in sp.preorder_traversal(expr):
        if isinstance(sub, sp.Pow) and sub.base == RHO:
            if not sub.exp.is_Rational:
                return None
            q = lcm(q, int(sub.exp.q))
    return q


def _quasi_homogeneous_roots(f: sp.Expr, weight: int) -> list[sp.Expr] | None:
    """Roots t > 0 of a factor quasi-homogeneous in (t, |m|) with weights (1, weight): t = |m|^(1/weight)·u,
    u a positive real root of f(u, 1) (exact CRootOf); None when f is not of that form."""
    try:
        poly = sp.Poly(f, T, MABS)
    except sp.PolynomialError:
        return None
    degrees = {a + weight * b for a, b in poly.monoms()}
    if len(degrees) != 1 or not poly.free_symbols <= {T, MABS}:
        return None
    u = sp.Poly(f.xreplace({MABS: sp.Integer(1)}), T)
    if not all(c.is_Rational for c in u.coeffs()):
        return None
    return [r for r in u.real_roots() if r.is_positive]


def _factor_roots(factor: sp.Expr, weight: int) -> tuple[list[sp.Expr] | None, str]:
    """Exact positive roots in t of one factor of the critical polynomial (None: could not solve)."""
    if not factor.has(T):
        if prove(factor, "positive") is True or prove(-factor, "positive") is True:
            return [], f"{factor} ≠ 0"
        return None, f"{factor}: sign not decided"
    if prove(factor, "positive") is True or prove(-factor, "positive") is True:
        return [], f"{factor} has one sign for t > 0: no root"
    poly = sp.Poly(factor, T)
    terms = poly.terms()
    if len(terms) == 2:
        ((n,), a), ((j,), b) = terms
        quotient = sp.simplify(-b / a)
        if prove(quotient, "positive") is True:
            root = sp.simplify(quotient ** sp.Rational(1, n - j))
            return [root], f"{factor} = 0 ⇔ t^{n - j} = {quotient}"
        if prove(-quotient, "positive") is True:
            return [], f"{factor} has no positive root"
        return None, f"{factor}: sign of {quotient} not decided"
    roots = _quasi_homogeneous_roots(factor, weight)
    if roots is not None:
        found = [sp.simplify(MABS ** sp.Rational(1, weight)) * r for r in roots]
        return found, f"{factor} is quasi-homogeneous: t = |m|^(1/{weight})·u with u among {roots}"
    return None, f"{factor}: no closed form found"


def _greater(x: sp.Expr, y: sp.Expr) -> bool | None:
    """x > y for every |m| > 0: True, False (x ≤ y for all), None (undecided)."""
    if y == sp.oo:
        return False
    decided = prove(x - y, "positive")
    if decided is True:
        return True
    if prove(y - x, "nonnegative") is True:
        return False
    ratio = sp.simplify(x / y) if y != 0 else None
    if ratio is not None and not ratio.free_symbols and prove(y, "positive") is True:
        value = sp.N(ratio - 1, 60)
        if abs(value) > sp.Float("1e-45"):
            return bool(value > 0)
    return None


def _limit_at_zero(ratio: sp.Expr) -> sp.Expr:
    """R(0+): from the lowest-order terms when R is a ratio of polynomials in t, else by SymPy's limit."""
    num, den = sp.fraction(sp.together(ratio))
    if num.is_polynomial(T) and den.is_polynomial(T):
        low_num = sp.Poly(num, T).terms()[-1]
        low_den = sp.Poly(den, T).terms()[-1]
        (i,), a = low_num
        (j,), b = low_den
        if i > j:
            return sp.Integer(0)
        if i == j:
            return sp.simplify(a / b)
        sign = prove(a / b, "positive")
        if sign is not None:
            return sp.oo if sign else -sp.oo
    value = sp.limit(ratio, T, 0, "+")
    if value != sp.oo and value.has(sp.oo, -sp.oo, sp.zoo, sp.nan):
        raise UsageError(f"R(0+) = lim_(ρ→0+) of {ratio} (with ρ = t^q) could not be decided by SymPy: got {value}")
    return value


@lru_cache(maxsize=256)
@disk_cached
def derive_problem_threshold(problem: ScalarProblem, depth: int) -> ProblemThreshold:
    """λ*(|m|) at depth L: exact where the elimination allows, otherwise solvable per |m| by ``value``."""
    red = reduce(problem, depth)
    L = red.depth
    if not red.lam_linear:
        raise UsageError(f"a collapse threshold in lam needs penalty = lam·g(w, l, L); the penalty of "
                         f"({problem.label()}) is not linear in lam")
    A = red.phi.xreplace({LAM: sp.Integer(0)})
    B = sp.diff(red.phi, LAM)
    gain = red.phi_at_zero - A
    steps = [f"penalty linear in lam: φ_λ(ρ) = A(ρ) + λ·B(ρ), A = {A}, B = {B} > 0 for ρ > 0",
             "some ρ > 0 has φ_λ(ρ) < φ_λ(0) iff λ < R(ρ) = (A(0) − A(ρ))/B(ρ): λ* = sup_{ρ>0} R(ρ)"]
    slope = sp.simplify(sp.diff(problem.loss, P).xreplace({P: sp.Integer(0), M: MABS}))
    gains_near_zero = prove(-slope, "positive") is True
    if gains_near_zero:
        steps.append(f"∂loss/∂p at p = 0 is {slope} < 0: A(0) − A(ρ) > 0 for small ρ, so R > 0 somewhere")
    q = _rho_power(gain / B) or 1
    ratio = sp.powsimp(sp.together((gain / B).xreplace({RHO: T**q})), force=False)
    derivative = sp.diff(ratio, T)
    numerator = sp.numer(sp.together(derivative))
    polynomial = _rho_power(gain / B) is not None and numerator.is_polynomial(T)
    critical = sp.expand(numerator) if polynomial else derivative
    limit0 = _limit_at_zero(ratio)
    t_max = MABS ** sp.Rational(1, q * L)
    steps.append(f"R(0+) = {limit0}" + (f" (with ρ = t^{q})" if q > 1 else ""))
    base = dict(ratio=ratio, limit_at_zero=limit0, critical=critical, power=q, polynomial=polynomial,
                t_max=t_max)
    if limit0 == sp.oo:
        steps.append("R(ρ) → ∞ as ρ → 0+: for every λ some ρ > 0 beats 0, the origin is never a global "
                     "minimizer (m ≠ 0): no collapse")
        return ProblemThreshold(L, "none", None, tuple(steps), **base)
    candidates: list[sp.Expr] | None = [] if polynomial else None
    if polynomial:
        steps.append(f"R'(ρ) = 0 ⇔ {sp.factor(critical)} = 0 (t > 0)")
        try:
            for factor, _ in sp.factor_list(critical)[1]:
                roots, note = _factor_roots(factor, q * L)
                steps.append(note)
                if roots is None:
                    candidates = None
                    break
                candidates += roots
        except SYMPY_FAILURES as exc:
            steps.append(f"exact elimination stopped (SymPy: {type(exc).__name__}); solved per |m| instead")
            candidates = None
    else:
        steps.append(f"R'(ρ) = 0 is not polynomial in ρ^(1/q): its roots are isolated per |m| on a grid of {_GRID} "
                     "points of (0, ρ_max], then bisection (numerical, not a proof)")
    exact = None
    kind = None
    if candidates is not None:
        values = [sp.simplify(ratio.xreplace({T: c})) for c in candidates]
        for c, v in zip(candidates, values):
            steps.append(f"critical point ρ^L = {sp.simplify(c ** (q * L))}: R = {v}")
        best, best_interior = limit0, False
        decided = True
        for v in values:
            above, below = _greater(v, best), _greater(best, v)
            if above is True or (above is False and below is False):  # larger, or a tie: v is attained
                best, best_interior = v, True
            elif not (above is False and below is True):
                decided = False
                break
        if decided:
            exact = sp.simplify(best)
            kind = "jump" if best_interior else "continuous"
    if kind is None:
        if limit0 == 0 and gains_near_zero:
            kind = "jump"
            steps.append("R(0+) = 0 < R somewhere: the supremum is attained at an interior ρ* > 0 (jump)")
        else:
            base_threshold = ProblemThreshold(L, "continuous", None, (), **base)
            with mpmath.workdps(40):
                _, interior = _numeric_sup(base_threshold, sp.Integer(1), 30)
            kind = "jump" if interior else "continuous"
            steps.append(f"kind decided at |m| = 1 numerically ({kind}); it may depend on |m|")
    if exact is not None:
        steps.append(f"λ* = {exact} ({kind})")
    else:
        how = ("; the roots of R' = 0 are isolated exactly per rational |m| (SymPy real_roots), or on the grid "
               "when its coefficients are irrational" if polynomial else "")
        steps.append(f"λ* = max(R(0+), R at the positive critical points), solved per |m| ({kind}){how}")
    return ProblemThreshold(L, kind, exact, tuple(steps), **base)


def _numeric_sup(th: ProblemThreshold, m: sp.Rational, digits: int) -> tuple[mpmath.mpf, bool]:
    """(λ*, attained at an interior point) at |m| = m, at the current working precision."""
    ratio = th.ratio.xreplace({MABS: m})
    r_func = sp.lambdify(T, ratio, "mpmath")
    limit0 = th.limit_at_zero.xreplace({MABS: m})
    best = _mpf(limit0, digits)
    interior = False
    roots: list[mpmath.mpf] = []
    critical = th.critical.xreplace({MABS: m})
    poly = sp.Poly(critical, T) if th.polynomial else None
    if poly is not None and all(c.is_Rational for c in poly.coeffs()):
        roots = [_mpf(r, digits) for r in poly.real_roots() if r.is_positive]  # exact isolation
    else:
        roots = _grid_roots(sp.lambdify(T, critical, "mpmath"), _mpf(th.t_max.xreplace({MABS: m}), digits))
    for r in roots:
        value = r_func(r)
        if value > best:
            best, interior = value, True
    return best, interior


def _grid_roots(f, t_max: mpmath.mpf) -> list[mpmath.mpf]:
    """Roots of f on (0, t_max]: sign changes on a grid of _GRID points, each bisected (numerical)."""
    grid = [t_max * j / _GRID for j in range(1, _GRID + 1)]
    values = [f(t) for t in grid]
    roots = []
    for lo, hi, flo, fhi in zip(grid, grid[1:], values, values[1:]):
        if flo == 0:
            roots.append(lo)
        elif flo * fhi < 0:
            roots.append(_bisect(f, lo, hi, flo))
    return roots


def _bisect(f, lo: mpmath.mpf, hi: mpmath.mpf, flo: mpmath.mpf) -> mpmath.mpf:
    """The root of f in [lo, hi] (a sign change) by bisection to a few ulps of the working precision."""
    while hi - lo > abs(hi) * mpmath.eps * 4:
        mid = (lo + hi) / 2
        fmid = f(mid)
        if fmid == 0:
            return mid
        if (fmid < 0) == (flo < 0):
            lo, flo = mid, fmid
        else:
            hi = mid
    return (lo + hi) / 2

