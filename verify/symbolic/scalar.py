"""The deep scalar factorization problem, derived with SymPy.

F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σ w_l², and at balanced layers |w_l| = ρ with the product's sign
matching m: φ(ρ) = D(ρ) + R(ρ), D = (a/2)(ρ^L − |m|)², R = (bL/2)ρ². Everything here is exact;
results are cached per depth. Symbols: ``mabs`` = |m| > 0, ``a``, ``b`` > 0, ``rho`` > 0.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp

from ..cache import disk_cached
from ..numbers import check_depth
from .log_identity import forcing_is_sound, log_combination_vanishes

rho, mabs, a, b = sp.symbols("rho m a b", positive=True)
m_signed = sp.Symbol("m_t", real=True)
X = sp.Symbol("X", positive=True)
L_sym = sp.Symbol("L", integer=True, positive=True)


@dataclass(frozen=True)
class BalancedModel:
    """φ(ρ) = D + R with φ', φ'' and the equation of the nonzero stationary points."""

    depth: int
    D: sp.Expr
    R: sp.Expr
    phi: sp.Expr
    dphi: sp.Expr
    d2phi: sp.Expr
    stationary: sp.Expr  # zero exactly at the nonzero stationary points ρ > 0 (L ≥ 2)


@dataclass(frozen=True)
class FullModel:
    """The L-variable objective with its gradient and Hessian (target ``m_signed``)."""

    depth: int
    w: tuple[sp.Symbol, ...]
    objective: sp.Expr
    gradient: tuple[sp.Expr, ...]
    hessian: sp.Matrix


@lru_cache(maxsize=None)
def balanced_model(depth: int) -> BalancedModel:
    """φ(ρ) and its derivatives at depth L.

    φ' = aLρ^(L−1)(ρ^L − |m|) + bLρ by the chain rule (L ≥ 2): the very expression ``sp.diff(φ, ρ)`` returns
    (tests compare them), without SymPy's generic differentiation of the square; φ'' = d/dρ of it."""
    L = check_depth(depth)
    D = a / 2 * (rho**L - mabs) ** 2
    R = b * L / 2 * rho**2
    phi = D + R
    dphi = a * L * rho ** (L - 1) * (rho**L - mabs) + b * L * rho if L >= 2 else sp.diff(phi, rho)
    d2phi = sp.diff(dphi, rho)
    stationary = sp.expand(dphi / (L * rho)) if L >= 2 else dphi
    return BalancedModel(L, D, R, phi, dphi, d2phi, stationary)


@lru_cache(maxsize=None)
@disk_cached
def full_model(depth: int) -> FullModel:
    """F(w_1..w_L) with gradient and Hessian (L variables): by the product rule (``_product_rule``), by
    ``sp.diff`` at L = 1."""
    L = check_depth(depth)
    w = sp.symbols(f"w1:{L + 1}", real=True)
    P = sp.Mul(*w)
    F = a / 2 * (P - m_signed) ** 2 + b / 2 * sp.Add(*(wi**2 for wi in w))
    if L == 1:
        grad = (sp.diff(F, w[0]),)
        return FullModel(L, tuple(w), F, grad, sp.Matrix([[sp.diff(grad[0], w[0])]]))
    grad, upper = _product_rule(w, P)
    H = sp.Matrix(L, L, lambda i, j: upper[(min(i, j), max(i, j))])
    return FullModel(L, tuple(w), F, grad, H)


def _product_rule(w: tuple[sp.Symbol, ...], P: sp.Expr) -> tuple[tuple[sp.Expr, ...], dict[tuple[int, int], sp.Expr]]:
    """∇F and the upper Hessian of F = (a/2)(P − m)² + (b/2)Σw_l², P = ∏w_l, L ≥ 2, by the product rule:
    ∂_iF = a·P_i·(P − m) + b·w_i, ∂_i∂_iF = a·P_i² + b, ∂_i∂_jF = a·P_i·P_j + a·P_ij·(P − m) (i < j), with
    P_i = ∏_{k≠i} w_k, P_ij = ∏_{k≠i,j} w_k. SymPy's canonical Add/Mul make these the very expressions that
    ``sp.diff`` returns (tests compare them), at a fraction of the cost (no generic differentiation)."""
    L = len(w)
    Pi = [sp.Mul(*(w[k] for k in range(L) if k != i)) for i in range(L)]
    grad = tuple(a * Pi[i] * (P - m_signed) + b * w[i] for i in range(L))
    upper = {}
    for i in range(L):
        upper[(i, i)] = a * Pi[i] ** 2 + b
        for j in range(i + 1, L):
            Pij = sp.Mul(*(w[k] for k in range(L) if k != i and k != j))
            upper[(i, j)] = a * Pi[i] * Pi[j] + a * Pij * (P - m_signed)
    return grad, upper


@dataclass(frozen=True)
class ThresholdDerivation:
    """Where the global minimizer of the scalar problem collapses to 0, in terms of b.

    kind: "jump" (L ≥ 3: 0 and a nonzero point are both global at b*), "continuous" (L = 2: the
    nonzero minimizer shrinks to 0 at b*), "none" (L = 1: never collapses).
    ``b_star``: the collapse value of b (expression in |m| and a), None for kind "none".
    ``product_star``: |w_L⋯w_1| of the nonzero minimizer at b* (0 for "continuous").
    ``steps``: the derivation, line by line, for the report.
    """

    depth: int
    kind: str
    b_star: sp.Expr | None
    rho_star: sp.Expr | None
    product_star: sp.Expr | None
    steps: tuple[str, ...] = field(default=())


@lru_cache(maxsize=None)
@disk_cached
def derive_threshold(depth: int) -> ThresholdDerivation:
    """Eliminate b and ρ from φ(ρ) = φ(0), φ'(ρ) = 0 (ρ > 0) at depth L, exactly."""
    L = check_depth(depth)
    model = balanced_model(L)
    if L == 1:
        w_opt = sp.solve(sp.diff(a / 2 * (rho - mabs) ** 2 + b / 2 * rho**2, rho), rho)[0]
        return ThresholdDerivation(
            1, "none", None, None, None,
            (f"L = 1: F is a strictly convex quadratic with minimizer w = {w_opt}, "
             "nonzero for every b > 0 when m ≠ 0: no collapse, no threshold.",),
        )
    if L == 2:
        x_branch = sp.solve(model.stationary, rho**2)
        if not x_branch:
            x_branch = [sp.solve(model.stationary.subs(rho, sp.sqrt(X)), X)[0]]
        x_expr = sp.simplify(x_branch[0])
        b_c = sp.solve(sp.Eq(x_expr, 0), b)[0]
        return ThresholdDerivation(
            2, "continuous", b_c, sp.Integer(0), sp.Integer(0),
            (f"L = 2: nonzero stationary points have ρ² = {x_expr}, which exist iff b < {b_c}.",
             "φ(ρ) = φ(0), φ'(ρ) = 0 has no solution with ρ > 0: there is no jump; the minimizer "
             f"shrinks continuously and reaches 0 at b = {b_c}.",),
        )
    fast = _jump_by_linear_elimination(L, model)
    return fast if fast is not None else _jump_by_solve(L, model)


def _linear_in(expr: sp.Expr, x: sp.Symbol) -> tuple[sp.Expr, sp.Expr] | None:
    """(c1, c0) with expr = c1·x + c0 identically, c1 ≠ 0 free of x; None when expr is not of that form."""
    c1 = sp.expand(sp.diff(expr, x))
    c0 = sp.expand(expr.subs(x, 0))
    if c1 == 0 or c1.has(x) or sp.expand(expr - c1 * x - c0) != 0:
        return None
    return c1, c0


def _jump_by_linear_elimination(L: int, model: BalancedModel) -> ThresholdDerivation | None:
    """The L ≥ 3 elimination with linear algebra only (no solve/factor): φ'(ρ) = 0 is linear in b, and after
    substituting b the equation (φ(ρ) − φ(0))/ρ² = 0 is, up to nonzero factors (positive constants, powers of
    ρ > 0), linear in X = ρ^L. Returns None when either step does not have that form (then ``_jump_by_solve``).
    """
    lin_b = _linear_in(model.stationary, b)
    if lin_b is None:
        return None
    b_of_rho = sp.factor_terms(-lin_b[1] / lin_b[0])
    gap = sp.expand((model.phi - model.phi.subs(rho, 0)) / rho**2)
    reduced = sp.factor_terms(sp.expand(gap.subs(b, b_of_rho)))
    roots: list[sp.Expr] = []
    for factor in sp.Mul.make_args(reduced):
        if not factor.has(rho):
            if not (factor.is_positive or factor.is_negative):
                return None
            continue
        if factor == rho or (factor.is_Pow and factor.base == rho and factor.exp.is_positive):
            continue  # ρ^k ≠ 0 for ρ > 0
        fx = sp.expand(factor).subs(rho**L, X)
        lin_x = _linear_in(fx, X) if not fx.has(rho) else None
        if lin_x is None:
            return None
        roots.append(-lin_x[1] / lin_x[0])
    if len(roots) != 1 or roots[0].is_positive is not True:
        return None
    product = roots[0]
    rho_star = product ** sp.Rational(1, L)
    b_star = b_of_rho.subs(rho, rho_star)
    steps = (
        f"φ'(ρ) = 0, ρ > 0  ⇔  {model.stationary} = 0  ⇔  b = {b_of_rho}",
        f"substituted into (φ(ρ) − φ(0))/ρ² = 0: {reduced} = 0",
        f"unique positive solution ρ^L = {product}",
        f"b* = {b_star}",
    )
    return ThresholdDerivation(L, "jump", b_star, rho_star, product, steps)


def _jump_by_solve(L: int, model: BalancedModel) -> ThresholdDerivation:
    """The L ≥ 3 elimination by SymPy solve and factor (general, slower; the reference for the fast route)."""
    gap = sp.expand((model.phi - model.phi.subs(rho, 0)) / rho**2)
    b_of_rho = sp.solve(model.stationary, b)
    if len(b_of_rho) != 1:
        raise RuntimeError(f"depth {L}: stationary equation not linear in b")
    reduced = sp.factor(gap.subs(b, b_of_rho[0]))
    candidates: list[sp.Expr] = []
    for factor, _ in sp.factor_list(reduced)[1]:
        fx = sp.expand(factor).subs(rho**L, X)
        if fx.has(rho):
            continue
        candidates += [s for s in sp.solve(fx, X) if s.is_positive]
    if len(candidates) != 1:
        raise RuntimeError(f"depth {L}: expected one positive solution for ρ^L, got {candidates}")
    product = sp.simplify(candidates[0])
    rho_star = product ** sp.Rational(1, L)
    b_star = sp.simplify(b_of_rho[0].subs(rho, rho_star))
    steps = (
        f"φ'(ρ) = 0, ρ > 0  ⇔  {model.stationary} = 0  ⇔  b = {b_of_rho[0]}",
        f"substituted into (φ(ρ) − φ(0))/ρ² = 0: {reduced} = 0",
        f"unique positive solution ρ^L = {product}",
        f"b* = {b_star}",
    )
    return ThresholdDerivation(L, "jump", b_star, rho_star, product, steps)


def lam_star(depth: int, convention) -> sp.Expr | None:
    """The collapse value of λ under a convention, exact in |m| (None when there is none)."""
    d = derive_threshold(depth)
    if d.b_star is None:
        return None
    a_conv, _ = convention.ab(sp.Integer(1), depth)
    # b* is a monomial c·|m|^p with an exact c; dividing by k(L) keeps SymPy's canonical form, so no simplify
    # (whose first call also imports sympy.physics.units: 0.4–0.6 s of a cold `verify threshold`)
    return convention.lam_from_b(d.b_star.subs(a, a_conv), depth)


def exact_ratio(expr: sp.Expr, reference: sp.Expr) -> sp.Expr | None:
    """expr/reference when it simplifies to a number free of |m|, else None (undecided). The ``force`` rewrites
    below run only where every base and logarithm is proved positive (``forcing_is_sound``): elsewhere they are no
    identities (√p·√q/√(pq) would become 1 for p, q < 0), and the ratio is simplified without them."""
    ratio = expr / reference
    if not forcing_is_sound(ratio):
        ratio = sp.simplify(ratio)
        return None if ratio.free_symbols else ratio
    ratio = sp.powsimp(sp.powdenest(ratio, force=True), force=True)
    if ratio.is_Rational:  # already decided (simplify of a Rational is itself); spares simplify's cost
        return ratio
    ratio = sp.simplify(ratio)
    if ratio.free_symbols:
        ratio = sp.simplify(sp.exp(sp.expand_log(sp.log(ratio), force=True)))
    return None if ratio.free_symbols else ratio


def _monomial_in_m(expr: sp.Expr) -> sp.Expr | None:
    """expr as c·|m|^p with c, p free of |m| (after denesting square roots), or None.

    b*(L) is such a monomial, so a claim of any other shape cannot have the ratio 1 reduced by logarithms;
    the test is structural and cheap, which keeps the simplification below bounded.
    """
    for candidate in (expr, sp.sqrtdenest(expr)):
        if not forcing_is_sound(candidate):  # the force rewrites below would be no identity
            continue
        flat = sp.powsimp(sp.expand_power_base(candidate, force=True), force=True)
        _, dep = flat.as_independent(mabs, as_Add=False)
        if dep == 1 or dep == mabs or (dep.is_Pow and dep.base == mabs and not dep.exp.has(mabs)):
            return flat
    return None


def general_depth_ratio(claimed_b: sp.Expr, a_value: sp.Expr = a, start: int = 3) -> sp.Expr | None:
    """For symbolic L ≥ start ≥ 3 (L = k + start), b*(L)/claimed_b(L) at a = a_value, simplified via logs,
    or None when it does not reduce to a function of L alone.

    b*(L) = a·(|m| − x)·x^((L−2)/L) with x = |m|(L−2)/(L−1): the general-L form of the per-depth
    elimination (``derive_threshold``), which tests confirm depth by depth. Derived once per process per
    (claimed b, a, start): conventions sharing a and the claimed b*(L) share it.
    """
    if start < 3:
        raise ValueError("the general-L form holds for L ≥ 3")
    return _general_depth_ratio(sp.sympify(claimed_b), sp.sympify(a_value), start)


@lru_cache(maxsize=64)
def _general_depth_ratio(claimed_b: sp.Expr, a_value: sp.Expr, start: int) -> sp.Expr | None:
    """``general_depth_ratio`` (arguments sympified, start checked)."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    Lk = k + start
    # L = k + start before any rewrite, so that the claim's bases are proved positive on the domain (1 − 2/L is not,
    # for a symbol L ≥ 1; (k + 1)/(k + 3) is)
    claimed_b = _monomial_in_m(claimed_b.subs(L_sym, Lk))
    if claimed_b is None:
        return None
    x = mabs * (Lk - 2) / (Lk - 1)
    b_general = a_value * (mabs - x) * x ** ((Lk - 2) / Lk)
    quotient = b_general / claimed_b
    if not forcing_is_sound(quotient):
        return None
    log_ratio = sp.expand_log(sp.log(quotient), force=True)
    if log_combination_vanishes(log_ratio):  # proved 0 exactly (polys), what simplify would reduce it to
        return sp.Integer(1)
    log_ratio = sp.simplify(log_ratio)
    if log_ratio.has(mabs) or log_ratio.has(a):
        return None
    return sp.simplify(sp.exp(log_ratio).subs(k, L_sym - start))


@dataclass(frozen=True)
class SpectrumDerivation:
    """Hessian spectrum of F at a balanced stationary point, in terms of (a, b, ρ).

    At w = ρ·s (signs s, ∏s = sign m), H = D_s(α·11ᵀ + β·I)D_s, so the eigenvalues are β with
    multiplicity L − 1 and β + Lα once. ``patterns_checked`` counts the sign patterns for which
    the structure was confirmed exactly.
    """

    depth: int
    eigenvalues: tuple[tuple[sp.Expr, int], ...]
    at_zero: tuple[tuple[sp.Expr, int], ...]
    patterns_checked: int


def sign_patterns(depth: int, sign: int, limit: int | None = None):
    """Sign vectors s ∈ {±1}^L with ∏s = sign, in a fixed order (at most ``limit``)."""
    count = 0
    for code in range(2 ** (depth - 1)):
        s = [1 - 2 * ((code >> i) & 1) for i in range(depth - 1)]
        prod = 1
        for v in s:
            prod *= v
        s.append(sign * prod)
        yield tuple(s)
        count += 1
        if limit is not None and count >= limit:
            return


def stationary_target(depth: int) -> sp.Expr:
    """|m| as a function of ρ at a nonzero balanced stationary point: ρ^L + b·ρ^(2−L)/a (L ≥ 2),
    (a + b)ρ/a at L = 1 (from ∂F/∂w_l = 0 at w = ρ·s)."""
    L = check_depth(depth)
    return (a + b) * rho / a if L == 1 else rho**L + b * rho ** (2 - L) / a


@lru_cache(maxsize=None)
@disk_cached
def derive_spectrum(depth: int, max_patterns: int = 16) -> SpectrumDerivation:
    """Closed-form Hessian spectrum at balanced stationary points and at 0, exactly.

    m is eliminated through the stationarity condition m = ρ^L + b·ρ^(2−L)/a (positive target;
    a negative target is the same up to the orthogonal sign flip D_s).
    """
    L = check_depth(depth)
    fm = full_model(L)
    H0 = fm.hessian.xreplace({wi: sp.Integer(0) for wi in fm.w}).xreplace({m_signed: mabs})
    at_zero = tuple(sp.Matrix(H0).eigenvals().items())
    m_stat = stationary_target(L)
    checked = 0
    alpha = beta = None
    for s in sign_patterns(L, +1, max_patterns):
        point = {wi: si * rho for wi, si in zip(fm.w, s)}
        H = fm.hessian.xreplace(point).xreplace({m_signed: m_stat})
        if L == 1:
            alpha, beta = sp.Integer(0), sp.simplify(H[0, 0])
        else:
            a_s = sp.expand(H[0, 1] * s[0] * s[1])
            b_s = sp.expand(H[0, 0] - a_s)
            if alpha is None:
                alpha, beta = a_s, b_s
            for i in range(L):
                for j in range(L):
                    target = s[i] * s[j] * (alpha + (beta if i == j else 0))
                    # entries are Laurent polynomials in ρ: expand decides zero exactly
                    if sp.expand(H[i, j] - target) != 0:
                        raise RuntimeError(f"depth {L}: Hessian at pattern {s} lacks the D(α11ᵀ+βI)D form")
        checked += 1
    if L == 1:
        eig = ((sp.simplify(beta), 1),)
    else:
        eig = ((sp.simplify(beta), L - 1), (sp.simplify(beta + L * alpha), 1))
    return SpectrumDerivation(L, eig, at_zero, checked)
