"""The collapse threshold λ* of a user problem at high precision: the supremum of the gap ratio on the ray.

The threshold uses no grid in λ. Let penalty = lam·g(w, l, L), A(ρ) = loss on the ray, B(ρ) = Σ_l g_l
(γ_l·ρ·s_l), D(ρ) = A(0) − A(ρ), T(ρ) = D(ρ)/B(ρ), and λ* = sup S, S = {λ > 0: some w ≠ 0 has
F_λ(w) ≤ F_λ(0)}. Claim: λ* = sup_{ρ>0} T(ρ). Proof: g_l(0) = 0 and h_l = w·g_l' > 0 on w > 0 give
g_l > 0 for w ≠ 0, so B > 0 and F_λ(γρs) ≤ F_λ(0) ⟺ λ ≤ T(ρ): every T(ρ) > 0 lies in S. Conversely, if
F_λ(w) ≤ F_λ(0) with w ≠ 0, then a global minimizer w* of F_λ (it exists) is nonzero, or 0 is one and so
is w; a nonzero global minimizer lies on the ray (the reduction), at some ρ with F_λ(γρs) ≤ F_λ(0), so
λ ≤ T(ρ). S is an interval (0, λ*] as F_λ(w) grows with λ and F_λ(0) does not. The scales are evaluated
at lam = 1: with c_l proportional to lam, γ_l = (c̄/c_l)^(1/k) does not depend on it. An interior
maximum of T is a stationary radius of φ at λ* (T' = 0 ⟺ A' + T·B' = 0); it is refined by Newton on
N = A'·B + D·B' (T' = −N/B², N' = A''·B + D·B''), and T, flat there, keeps full precision. T is sampled
on the grid of ``verify.highprec.problem_radii`` with D = 20 decades; a supremum approached as ρ → 0 (a
continuous transition: the nonzero branch shrinks into 0, e.g. L = 2 with an ℓ2 penalty, or L = 1 with
ℓ1) is the limit of T along ρ_j = ρ_min·10^(−j), taken when successive differences shrink geometrically
and their tail is within the tolerance (a convergence test, not a bound); maxima passed on the way are
refined too. T growing without bound means the minimizer never collapses (None). Working with T avoids
the half-digit loss of the objective gap, which is quadratic in the distance to a continuous transition.

All functions take mpf arguments and work at the caller's ``mpmath.workdps``; none sets ``mp.dps``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

import mpmath
import sympy as sp
from mpmath import mpf

from ..errors import UsageError
from ..problems import ScalarProblem
from ..problems.symbols import LAM
from .problem_radii import MIN_DECADES, POINTS_PER_DECADE, radius_grid
from .problem_ray import Ray
from .brackets import _solve_newton_bracket


@lru_cache(maxsize=128)
def _check_lam_linear(problem: ScalarProblem) -> None:
    if sp.simplify(problem.penalty / LAM).has(LAM):
        raise UsageError(f"a collapse threshold in lam needs penalty = lam·g(w, l, L); the penalty "
                         f"{problem.penalty_text!r} is not of that form")


def threshold(problem: ScalarProblem, depth: int, m: mpf, rel_tol: mpf | None = None) -> mpf | None:
    """λ*: the largest λ at which some w ≠ 0 ties or beats 0, = sup_{ρ>0} T(ρ) (module docstring).

    Returns 0 for m = 0 (0 is the global minimizer at every λ > 0) and None when T grows without bound
    as ρ → 0 (the minimizer never collapses). ``rel_tol`` (default 10^(3−dps)) bounds the estimated tail
    of the limit at a continuous transition; an interior maximum is refined to working precision.
    """
    _check_lam_linear(problem)
    m = mpf(m)
    if m == 0:
        return mpf(0)
    tol = rel_tol if rel_tol is not None else mpf(10) ** (3 - mpmath.mp.dps)
    ray = Ray(problem, depth, m, mpf(1))  # penalty at λ = 1 is g; the scales do not depend on λ

    def T(r: mpf) -> mpf:
        return ray.loss_drop(r) / ray.pen_sum(r)

    def N(r: mpf) -> tuple[mpf, mpf]:
        """(N, N') with T' = −N/B²: N = A'·B + D·B', N' = A''·B + D·B''."""
        a1, a2, _ = ray.loss_derivs(r)
        b1, b2 = ray.pen_derivs(r)
        B, Dr = ray.pen_sum(r), ray.loss_drop(r)
        return a1 * B + Dr * b1, a2 * B + Dr * b2

    top = ray.rho_max * mpf(10) ** (mpf(2) / POINTS_PER_DECADE)  # two cells above rho_max
    for _ in range(12):
        radii = radius_grid(top, MIN_DECADES)
        values = [T(r) for r in radii]
        if values[-1] < values[-2]:
            break
        top *= 2  # T still rising at the top: the maximizer is a stationary radius, so ≤ rho_max in theory
    else:
        raise ArithmeticError("T(ρ) keeps rising beyond 2^12·rho_max: cannot locate the threshold")
    best = max(values)
    noise = mpmath.ldexp(abs(best), 20 - mpmath.mp.prec)
    candidates = []
    for i in range(1, len(values) - 1):
        if values[i] >= values[i - 1] and values[i] >= values[i + 1] and values[i] >= best - abs(best) / 1000:
            if values[i] - min(values[i - 1], values[i + 1]) <= noise:
                candidates.append(values[i])  # flat to rounding over two cells: nothing left to refine
            else:
                candidates.append(_refine_max(T, N, radii[i - 1], radii[i], radii[i + 1]))
    if values[0] >= values[1]:
        limit, peaks = _limit_at_zero(T, radii[0], tol)
        if limit is None:
            return None
        candidates += [limit] + [_refine_max(T, N, a, b, c) for a, b, c in peaks]
    lam_star = max(candidates) if candidates else best
    return lam_star if lam_star > 0 else mpf(0)


def _refine_max(T: Callable[[mpf], mpf], N: Callable[[mpf], tuple[mpf, mpf]], a: mpf, b: mpf, c: mpf) -> mpf:
    """max T near the grid point b (a < b < c): Newton on N (T' = −N/B²) in the sub-bracket where N goes
    from − to +; T at the root. Without a clean sign change of N (a top flat to rounding), golden-section
    search on T over [a, c] down to a bracket of 2^(−prec/2)·c, enough as T is flat at its maximum."""
    last: dict = {}

    def g(x: mpf) -> mpf:
        last["x"], last["v"] = x, N(x)
        return last["v"][0]

    def dg(x: mpf) -> mpf:
        return last["v"][1] if last.get("x") == x else N(x)[1]

    na, nb, nc = N(a)[0], N(b)[0], N(c)[0]
    if na <= 0 <= nb:
        return T(_solve_newton_bracket(g, dg, a, b))
    if nb <= 0 <= nc:
        return T(_solve_newton_bracket(g, dg, b, c))
    return _golden_max(T, a, c)


def _golden_max(T: Callable[[mpf], mpf], a: mpf, c: mpf) -> mpf:
    ratio = (mpmath.sqrt(5) - 1) / 2
    x1, x2 = c - ratio * (c - a), a + ratio * (c - a)
    f1, f2 = T(x1), T(x2)
    stop = mpmath.ldexp(c, -(mpmath.mp.prec // 2) - 4)
    best = max(f1, f2)
    while c - a > stop:
        if f1 < f2:
            a, x1, f1 = x1, x2, f2
            x2 = a + ratio * (c - a)
            f2 = T(x2)
        else:
            c, x2, f2 = x2, x1, f1
            x1 = c - ratio * (c - a)
            f1 = T(x1)
        best = max(best, f1, f2)
    return best


def _limit_at_zero(T: Callable[[mpf], mpf], r0: mpf, tol: mpf) \
        -> tuple[mpf | None, list[tuple[mpf, mpf, mpf]]]:
    """lim T(ρ) as ρ → 0+ along ρ_j = r0·10^(−j), and the local maxima the sequence passes on the way.

    The limit is returned, with its geometric tail δ·q/(1 − q) added (q the signed ratio of successive
    differences δ), once |q| ≤ 0.9 and that tail is below tol·|T| (after a maximum, the upper estimate
    T + |δ|·|q|/(1 − |q|) once that lies below the maximum); None when T grows without bound (five
    differences in a row not shrinking while T more than doubles); ArithmeticError when neither shows
    within the budget. The maxima are returned as radius triples (ρ_{j+1}, ρ_j, ρ_{j−1}) around a sample
    above both neighbours (beyond rounding), for refinement: an interior maximum of T below the grid.
    """
    radii, values = [r0], [T(r0)]
    peaks: list[tuple[mpf, mpf, mpf]] = []
    delta_prev = None
    growth = 0
    for _ in range(8 * mpmath.mp.dps + 200):
        radii.append(radii[-1] / 10)
        values.append(T(radii[-1]))
        cur, prev = values[-1], values[-2]
        delta = cur - prev
        if len(values) >= 3:
            noise = mpmath.ldexp(abs(prev), 20 - mpmath.mp.prec)
            if prev - cur > noise and prev - values[-3] > noise:
                peaks.append((radii[-1], radii[-2], radii[-3]))
        if delta_prev is not None and delta_prev != 0:
            ratio = delta / delta_prev
            q = abs(ratio)
            if q <= mpf("0.9") and abs(delta) * q / (1 - q) <= tol * abs(cur):
                return cur + delta * ratio / (1 - ratio), peaks  # the geometric tail, an estimate within tol
            if q <= mpf("0.9") and peaks:
                bound = cur + abs(delta) * q / (1 - q)
                if bound < max(values) - mpmath.ldexp(abs(cur), 20 - mpmath.mp.prec):
                    return bound, peaks  # the limit settles below a maximum already passed: that one counts
            if q >= 1 and delta > 0:
                growth += 1
                if growth >= 5 and cur > 2 * abs(prev) > 0:
                    return None, peaks
            else:
                growth = 0
        if delta == 0:
            return cur, peaks
        delta_prev = delta
    raise ArithmeticError("T(ρ) has no numerically settled limit as ρ → 0 within the sampling budget")
