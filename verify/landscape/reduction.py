"""The scalar problem each singular value reduces to, solved by enumerating stationary points.

g(x) = (a/2)(x − σ)² + (bL/2)|x|^q, q = 2/L, x ≥ 0, σ ≥ 0. Writing x = ρ^L (balanced layers ρ),
g'(ρ) = Lρ·[aρ^(L−2)(ρ^L − σ) + b], so for L ≥ 3 the nonzero stationary points are the positive
roots of p(ρ) = aρ^(2L−2) − aσρ^(L−2) + b. The global minimizer is the candidate (0 or a root)
with the least value; near ties are re-decided with mpmath. L = 1 (ridge) and L = 2 (soft
threshold) are strictly convex, with closed forms.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import gmpy2
import mpmath
import numpy as np
import sympy as sp
from mpmath.libmp import from_man_exp

from ..errors import UsageError
from ..highprec.eigen import gmpy2_precision
from ..numbers import check_depth, to_mpf

# Relative gap between the two best local values below which float64 cannot decide which
# candidate is global (values are O(aσ²), rounding in g is ~1e-16 relative; 1e-9 leaves margin
# for the root error, which enters g only at second order since g' = 0 there).
FLOAT_TIE_GAP = 1e-9


def check_ab(a: float, b: float) -> tuple[float, float]:
    """Validate the normalization: finite a > 0 and b > 0 (b = 0 is outside: no regularization)."""
    out = []
    for name, v in (("a", a), ("b", b)):
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise UsageError(f"{name} must be a number, got {v!r}") from None
        if not math.isfinite(f) or f <= 0:
            raise UsageError(f"{name} must be finite and > 0 (λ > 0), got {v!r}")
        out.append(f)
    return out[0], out[1]


def check_sigma(sigma: float) -> float:
    """A singular value: finite and >= 0."""
    s = float(sigma)
    if not math.isfinite(s) or s < 0:
        raise UsageError(f"singular value must be finite and >= 0, got {sigma!r}")
    return s


def scalar_value(x, sigma, depth: int, a, b):
    """g(x) = (a/2)(x − σ)² + (bL/2)|x|^(2/L); works for floats, arrays and mpf."""
    if isinstance(x, mpmath.mpf) or isinstance(sigma, mpmath.mpf):
        q = mpmath.mpf(2) / depth
        return a / 2 * (x - sigma) ** 2 + b * depth / 2 * abs(x) ** q
    return a / 2 * (x - sigma) ** 2 + b * depth / 2 * np.abs(x) ** (2.0 / depth)


@dataclass(frozen=True)
class ScalarSolution:
    """Global minimizer(s) of g on x >= 0.

    ``x``: the minimizer (the nonzero one if ``tie``); ``minimizers``: all global minimizers
    (two on the exceptional set); ``gap``: g(other local min) − g(global), relative to aσ²/2
    (inf when there is a single local min); ``tie``: decided at high precision.
    """

    x: float
    minimizers: tuple[float, ...]
    value: float
    gap: float
    tie: bool
    stationary: tuple[float, ...]


def _float_coeffs(sigma: float, depth: int, a: float, b: float) -> np.ndarray:
    """p's coefficients, highest degree first: aρ^(2L−2) − aσρ^(L−2) + b."""
    coeffs = np.zeros(2 * depth - 1)
    coeffs[0] = a
    coeffs[depth] -= a * sigma  # degree L−2 sits at index (2L−2) − (L−2) = L
    coeffs[-1] += b
    return coeffs


def _companion(coeffs: np.ndarray) -> np.ndarray:
    """The companion matrix ``np.roots`` builds: ones on the first subdiagonal, −coeffs[1:]/coeffs[0] on top."""
    n = len(coeffs) - 1
    A = np.zeros((n, n))
    A.flat[n::n + 1] = 1.0
    A[0, :] = -coeffs[1:] / coeffs[0]
    return A


def _roots(coeffs: np.ndarray) -> np.ndarray:
    """``np.roots(coeffs)`` for float coefficients: when the leading and the constant coefficient are nonzero
    (always here: a, b > 0) np.roots strips nothing and returns eigvals of exactly this companion matrix, so
    the same LAPACK call on the same matrix gives the same roots, bit for bit, without np.roots' generic
    preparation (a third of a solve's time at these sizes); np.roots itself otherwise."""
    if len(coeffs) < 2 or not coeffs[0] or not coeffs[-1]:
        return np.roots(coeffs)
    return np.linalg.eigvals(_companion(coeffs))


def _positive_roots_float(sigma: float, depth: int, a: float, b: float,
                          roots: np.ndarray | None = None) -> list[float]:
    """Positive real roots ρ of p(ρ) = aρ^(2L−2) − aσρ^(L−2) + b, Newton-polished (``roots``: p's complex
    roots when already computed)."""
    if roots is None:
        roots = _roots(_float_coeffs(sigma, depth, a, b))
    out = []
    scale = max(1.0, sigma ** (1.0 / depth))
    for r in roots[~(roots.real <= 0)]:  # the loop's own test, vectorized first (NaN parts pass it, as there)
        if abs(r.imag) > 1e-6 * scale or r.real <= 0:
            continue
        rho = float(r.real)
        for _ in range(4):
            p = a * rho ** (2 * depth - 2) - a * sigma * rho ** (depth - 2) + b
            dp = a * (2 * depth - 2) * rho ** (2 * depth - 3) - a * sigma * (depth - 2) * rho ** max(depth - 3, 0)
            if dp == 0:
                break
            rho -= p / dp
        out.append(rho)
    return out


def solve_scalar(sigma: float, depth: int, a: float, b: float, dps: int = 50) -> ScalarSolution:
    """Global minimizer(s) of g(x) over x >= 0 by comparing all stationary points."""
    depth = check_depth(depth)
    a, b = check_ab(a, b)
    return _solve_checked(check_sigma(sigma), depth, a, b, dps)


def solve_scalar_many(sigmas, depth: int, a: float, b: float, dps: int = 50) -> list[ScalarSolution]:
    """``solve_scalar`` at each σ (one depth, a, b): the same solutions, bit for bit. For L ≥ 3 the companion
    matrices of all σ go to one stacked ``eigvals`` call (LAPACK's geev per matrix, as one call each would),
    which spares the per-call overhead that dominates at these sizes."""
    sigmas = list(sigmas)
    return solve_scalar_batch(sigmas, depth, a, [b] * len(sigmas), dps)


def solve_scalar_batch(sigmas, depth: int, a: float, bs, dps: int = 50) -> list[ScalarSolution]:
    """``solve_scalar(σ_i, depth, a, b_i)`` for paired lists σ, b (one depth and a): the same solutions, bit for
    bit, with the companion matrices of all pairs in one stacked ``eigvals`` call (as ``solve_scalar_many``):
    for checks that solve many (σ, λ) pairs at one depth."""
    depth = check_depth(depth)
    sigmas, bs = list(sigmas), list(bs)
    if len(sigmas) != len(bs):
        raise UsageError(f"solve_scalar_batch needs one b per σ, got {len(sigmas)} σ and {len(bs)} b")
    pairs = [check_ab(a, b) for b in bs]
    sigmas = [check_sigma(s) for s in sigmas]
    if depth <= 2 or not sigmas:
        return [_solve_checked(s, depth, aa, bb, dps) for s, (aa, bb) in zip(sigmas, pairs)]
    coeffs = [_float_coeffs(s, depth, aa, bb) for s, (aa, bb) in zip(sigmas, pairs)]
    roots = np.linalg.eigvals(np.stack([_companion(c) for c in coeffs]))
    return [_solve_checked(s, depth, aa, bb, dps, r) for s, (aa, bb), r in zip(sigmas, pairs, roots)]


def _solve_checked(sigma: float, depth: int, a: float, b: float, dps: int,
                   roots: np.ndarray | None = None) -> ScalarSolution:
    """``solve_scalar`` on validated inputs (``roots``: p's complex roots when already computed, L ≥ 3)."""
    scale = max(a * sigma * sigma / 2, np.finfo(float).tiny)
    if depth == 1:
        x = a * sigma / (a + b)
        return ScalarSolution(x, (x,), float(scalar_value(x, sigma, 1, a, b)), math.inf, False, (x,))
    if depth == 2:
        x = max(sigma - b / a, 0.0)
        return ScalarSolution(x, (x,), float(scalar_value(x, sigma, 2, a, b)), math.inf, False, (x,))
    xs = [0.0] + [r ** depth for r in _positive_roots_float(sigma, depth, a, b, roots)]
    v0 = float(scalar_value(0.0, sigma, depth, a, b))
    if len(xs) == 1:
        return ScalarSolution(0.0, (0.0,), v0, math.inf, False, tuple(xs))
    # candidates: 0 and the largest root (p has 0 or 2 positive roots by Descartes' rule of signs;
    # the smaller one is a local max of g)
    x_plus = max(xs[1:])
    vp = float(scalar_value(x_plus, sigma, depth, a, b))
    gap = abs(v0 - vp) / scale
    if gap >= FLOAT_TIE_GAP:
        x = 0.0 if v0 < vp else x_plus
        return ScalarSolution(x, (x,), min(v0, vp), gap, False, tuple(xs))
    mp = solve_scalar_mp(mpmath.mpf(sigma), depth, mpmath.mpf(a), mpmath.mpf(b), dps)
    minimizers = tuple(float(m) for m in mp.minimizers)
    return ScalarSolution(float(mp.x), minimizers, float(mp.value), float(mp.gap), mp.tie,
                          tuple(float(s) for s in mp.stationary))


@dataclass(frozen=True)
class ScalarSolutionMP:
    """``ScalarSolution`` at high precision (mpf fields)."""

    x: mpmath.mpf
    minimizers: tuple
    value: mpmath.mpf
    gap: mpmath.mpf
    tie: bool
    stationary: tuple


def solve_scalar_mp(sigma, depth: int, a, b, dps: int = 50) -> ScalarSolutionMP:
    """As ``solve_scalar`` at ``dps`` digits; a tie is a gap below 10^-(dps−10).

    Inputs may be mpf, int, exact SymPy numbers or decimal strings (converted at full precision:
    pass exact values, not mpf rounded at a lower precision, when a tie must be seen).
    """
    depth = check_depth(depth)
    with mpmath.workdps(dps + 20):
        sigma, a, b = (_to_mp(v, dps + 20) for v in (sigma, a, b))
        if depth <= 2:
            return _solve_mp(sigma, depth, a, b, dps, None, None)
        coeffs = _mp_coeffs(sigma, depth, a, b)
        return _solve_mp(sigma, depth, a, b, dps, coeffs, _roots(_float_array(coeffs)))


def solve_scalar_mp_many(problems, depth: int, dps: int = 50) -> list[ScalarSolutionMP]:
    """``solve_scalar_mp(σ, depth, a, b, dps)`` for each (σ, a, b) in ``problems`` (one depth): the same solutions,
    bit for bit. The float64 estimates of all p's roots come from one stacked ``eigvals`` call (LAPACK's geev per
    companion matrix, exactly the matrices ``solve_scalar_mp`` builds), which spares the per-call overhead that
    dominates at these sizes; each root is then refined at ``dps`` + 20 digits as in ``solve_scalar_mp``."""
    depth = check_depth(depth)
    problems = list(problems)
    with mpmath.workdps(dps + 20):
        conv = [tuple(_to_mp(v, dps + 20) for v in p) for p in problems]
        if depth <= 2 or not conv:
            return [_solve_mp(s, depth, a, b, dps, None, None) for s, a, b in conv]
        coeffs = [_mp_coeffs(s, depth, a, b) for s, a, b in conv]
        floats = [_float_array(c) for c in coeffs]
        stack = [i for i, f in enumerate(floats) if f[0] and f[-1]]  # as ``_roots``: np.roots for the others
        roots: list = [None] * len(floats)
        if stack:
            for i, r in zip(stack, np.linalg.eigvals(np.stack([_companion(floats[i]) for i in stack]))):
                roots[i] = r
        for i, f in enumerate(floats):
            if roots[i] is None:
                roots[i] = _roots(f)
        return [_solve_mp(s, depth, a, b, dps, c, r) for (s, a, b), c, r in zip(conv, coeffs, roots)]


@functools.lru_cache(maxsize=64)
def _powers_of_ten(dps: int, prec: int) -> tuple[mpmath.mpf, mpmath.mpf]:
    """(10^-(dps + 10), 10^-(dps − 10)) at ``prec`` bits: the value floor and the tie gap of ``_solve_mp``."""
    with mpmath.workprec(prec):
        return mpmath.mpf(10) ** (-(dps + 10)), mpmath.mpf(10) ** (-(dps - 10))


def _mp_coeffs(sigma, depth: int, a, b) -> list:
    """p's coefficients at the working precision, highest degree first: aρ^(2L−2) − aσρ^(L−2) + b."""
    coeffs = [mpmath.mpf(0)] * (2 * depth - 1)
    coeffs[0] = a
    coeffs[depth] -= a * sigma
    coeffs[-1] += b
    return coeffs


def _float_array(coeffs) -> np.ndarray:
    """p's mpf coefficients rounded to float64 (only three can be nonzero: degrees 2L − 2, L − 2 and 0)."""
    depth = (len(coeffs) + 1) // 2
    out = np.zeros(len(coeffs))
    for i in (0, depth, len(coeffs) - 1):
        out[i] = float(coeffs[i])
    return out


def _solve_mp(sigma, depth: int, a, b, dps: int, coeffs, float_roots) -> ScalarSolutionMP:
    """``solve_scalar_mp`` on converted inputs, inside ``workdps(dps + 20)``: ``coeffs`` p's mpf coefficients
    and ``float_roots`` their float64 roots (both None for L ≤ 2)."""
    if depth <= 2:
        x = a * sigma / (a + b) if depth == 1 else max(sigma - b / a, mpmath.mpf(0))
        v = scalar_value(x, sigma, depth, a, b)
        return ScalarSolutionMP(x, (x,), v, mpmath.inf, False, (x,))
    xs = [mpmath.mpf(0)] + [rho ** depth for rho in _positive_roots_mp(coeffs, depth, a, sigma, b, dps, float_roots)]
    floor, tie_gap = _powers_of_ten(dps, mpmath.mp.prec)
    scale = max(a * sigma ** 2 / 2, floor)
    v0 = a / 2 * (xs[0] - sigma) ** 2 + b * depth / 2 * xs[0]  # g(0): |0|^(2/L) is 0, so this is scalar_value's sum
    if len(xs) == 1:
        return ScalarSolutionMP(xs[0], (xs[0],), v0, mpmath.inf, False, tuple(xs))
    x_plus = max(xs[1:])
    vp = scalar_value(x_plus, sigma, depth, a, b)
    gap = abs(v0 - vp) / scale
    if gap < tie_gap:
        return ScalarSolutionMP(x_plus, (mpmath.mpf(0), x_plus), min(v0, vp), gap, True, tuple(xs))
    x = mpmath.mpf(0) if v0 < vp else x_plus
    return ScalarSolutionMP(x, (x,), min(v0, vp), gap, False, tuple(xs))


def _to_mp(v, dps: int) -> mpmath.mpf:
    if isinstance(v, sp.Basic):
        return to_mpf(v, dps)
    if isinstance(v, str):
        return mpmath.mpf(v)
    return mpmath.mpf(v)


def _positive_roots_mp(coeffs, depth: int, a, sigma, b, dps: int, fl: np.ndarray | None = None) -> list:
    """Positive real roots of p at high precision: float roots refined by Newton when they are
    clearly separated and clearly real; otherwise (near a double root) mpmath.polyroots (``fl``: the
    float64 roots of p's coefficients rounded to float, when already computed)."""
    p = lambda t: a * t ** (2 * depth - 2) - a * sigma * t ** (depth - 2) + b
    if fl is None:
        fl = _roots(_float_array(coeffs))
    cands = [r for r in fl[fl.real > 0] if abs(r.imag) <= 1e-3 * abs(r)]  # real part > 0 tested vectorized
    clear = all(abs(r.imag) <= 1e-12 * abs(r) for r in cands) and not (
        len(cands) == 2 and abs(cands[0] - cands[1]) < 1e-4 * abs(cands[0]))
    if clear and np.all(np.isfinite(fl)):
        try:
            return _newton_roots_mp([float(r.real) for r in cands], depth, a, sigma, b)
        except (ValueError, ZeroDivisionError):
            pass
    roots = mpmath.polyroots(coeffs, maxsteps=200, extraprec=4 * (dps + 20))
    return [mpmath.findroot(p, mpmath.re(r)) for r in roots
            if abs(mpmath.im(r)) < mpmath.mpf(10) ** (-(dps // 2)) and mpmath.re(r) > 0]


def _newton_root_mp(t, depth: int, a, sigma, b):
    """A simple positive root of p(ρ) = aρ^(L−2)(ρ^L − σ) + b (L ≥ 3) by Newton from a float64 estimate t.

    p'(ρ) = aρ^(L−3)((2L − 2)ρ^L − (L − 2)σ) is analytic, so each step costs one evaluation of p and p' and
    the error squares (float64's 16 digits reach dps + 20 in about three steps); mpmath's default secant
    needs a second start and converges more slowly. Stopping and acceptance as ``mpmath.findroot``: 20 guard
    bits, |step| < tol·max(1, |ρ|) with tol = eps·2^10, then |p(ρ)|² ≤ tol (ValueError otherwise, as there).
    The iteration runs in gmpy2's MPFR at the same precision (inputs converted exactly, the root handed back
    exactly as an mpf): the same arithmetic, correctly rounded, without mpmath's per-operation overhead.
    """
    return _newton_roots_mp([t], depth, a, sigma, b)[0]


def _newton_roots_mp(starts, depth: int, a, sigma, b) -> list:
    """``_newton_root_mp`` from each estimate in ``starts`` (floats or mpf; same p): a, σ, b converted to MPFR and
    the gmpy2 context entered once for all roots. 20 guard bits over the working precision, as there."""
    prec = mpmath.mp.prec + 20
    tol = gmpy2.mul_2exp(gmpy2.mpfr(1, prec), 11 - prec)  # eps·2^10 at prec bits (mpmath's eps is 2^(1 − prec))
    with gmpy2_precision(prec):
        a, sigma, b = (_to_mpfr(v, prec) for v in (a, sigma, b))
        # a float start converts exactly (53 ≤ prec bits)
        return [_newton_mpfr(gmpy2.mpfr(t, prec) if isinstance(t, float) else _to_mpfr(t, prec),
                             depth, a, sigma, b, tol) for t in starts]


def _newton_mpfr(t, depth: int, a, sigma, b, tol) -> mpmath.mpf:
    """The Newton iteration of ``_newton_root_mp`` in the current gmpy2 context; the root as an exact mpf."""
    for _ in range(100):
        u = t ** (depth - 3)
        tl = u * t ** 3
        dp = a * u * ((2 * depth - 2) * tl - (depth - 2) * sigma)
        if not dp:
            raise ZeroDivisionError("p'(ρ) = 0 at the Newton iterate")
        step = (a * u * t * (tl - sigma) + b) / dp
        t -= step
        if abs(step) < tol * max(1, abs(t)):
            break
    else:
        raise ValueError("Newton did not converge")
    if not gmpy2.is_finite(t) or abs(a * t ** (depth - 2) * (t ** depth - sigma) + b) ** 2 > tol:
        raise ValueError("Newton iterate is not a root within tolerance")
    man, exp = t.as_mantissa_exp()
    return mpmath.mp.make_mpf(from_man_exp(int(man), int(exp)))


def _to_mpfr(x, prec: int):
    """An mpf as an MPFR number, exactly (precision at least the mantissa's bits)."""
    man, exp = (x if isinstance(x, mpmath.mpf) else mpmath.mpf(x)).man_exp
    man = int(man)
    return gmpy2.mul_2exp(gmpy2.mpfr(man, max(prec, man.bit_length(), 2)), int(exp))


_A, _B = sp.symbols("a b", positive=True)


@functools.lru_cache(maxsize=64)
def _critical_value_expr(depth: int) -> sp.Expr:
    """σ_c(a, b) at depth L >= 3 as a SymPy expression in positive symbols a, b: the one place the
    closed form is written. From g(x) = g(0) and g'(x) = 0 with c = b/a: x*^(2−q) = c(L − 2),
    σ_c = x*(L − 1)/(L − 2)."""
    L = sp.Integer(depth)
    x_star = (_B / _A * (L - 2)) ** (L / (2 * (L - 1)))
    return x_star * (L - 1) / (L - 2)


@functools.lru_cache(maxsize=64)
def _critical_value_fns(depth: int):
    """(float64, mpmath) evaluators of ``_critical_value_expr`` derived by lambdify."""
    expr = _critical_value_expr(depth)
    return sp.lambdify((_A, _B), expr, "math"), sp.lambdify((_A, _B), expr, "mpmath")


def critical_value_exact(depth: int, a: sp.Expr, b: sp.Expr) -> sp.Expr | None:
    """σ_c where g has two global minimizers (0 and x* > 0); None for L <= 2 (no such σ)."""
    depth = check_depth(depth)
    if depth <= 2:
        return None
    return _critical_value_expr(depth).subs({_A: sp.sympify(a), _B: sp.sympify(b)})


def critical_value(depth: int, a: float, b: float) -> float | None:
    """σ_c as a float (the expression of ``critical_value_exact``, evaluated in float64)."""
    depth = check_depth(depth)
    a, b = check_ab(a, b)
    if depth <= 2:
        return None
    return float(_critical_value_fns(depth)[0](a, b))


def critical_value_mp(depth: int, a, b, dps: int = 50) -> mpmath.mpf | None:
    """σ_c at ``dps`` digits (the same expression, evaluated by mpmath at dps + 20 digits); inputs
    converted as in ``solve_scalar_mp``."""
    depth = check_depth(depth)
    if depth <= 2:
        return None
    with mpmath.workdps(dps + 20):
        a, b = _to_mp(a, dps + 20), _to_mp(b, dps + 20)
        return +_critical_value_fns(depth)[1](a, b)


def exceptional_instance(depth: int, rho: sp.Rational, a: sp.Rational = sp.Integer(1)):
    """Exact (a, b, σ_c, x*) with rational entries on the exceptional set, L >= 3.

    Choose the balanced layer value ρ* rationally: x* = ρ*^L and b = a·ρ*^(2L−2)/(L−2), so that
    c(L − 2) = ρ*^(2L−2) is a perfect power and σ_c = ``critical_value_exact`` (= ρ*^L (L−1)/(L−2))
    is rational; the tie can then be checked exactly.
    """
    depth = check_depth(depth)
    if depth <= 2:
        raise UsageError("the exceptional set is empty for depth 1 and 2 (strictly convex reduction)")
    rho, a = sp.Rational(rho), sp.Rational(a)
    L = depth
    b = a * rho ** (2 * L - 2) / (L - 2)
    x_star = rho ** L
    sigma_c = critical_value_exact(L, a, b)
    sigma_c = sigma_c if sigma_c.is_Rational else sp.simplify(sigma_c)
    x = sigma_c * sp.Rational(L - 2, L - 1) if sigma_c.is_Rational else None
    if x is None or x ** (2 * L - 2) != (b / a * (L - 2)) ** L:  # x*^(2 − 2/L) = c(L − 2), exactly
        raise ArithmeticError(f"σ_c = {sigma_c} is not the rational critical value for ρ* = {rho}")
    return a, b, sigma_c, x_star
