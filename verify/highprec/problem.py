"""A user's scalar problem at high precision, by a route independent of the symbolic one: its stationary
points, global minimizers, local minima, gradient, Hessian and collapse threshold.

F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L) is evaluated from the user's two formulas only, every
derivative a finite difference of them at raised precision (``verify.highprec.problem_ray``, which also
gives F on the proved rays w_l = γ_l·ρ·s_l of the reduction). The stationary radii on the ray are isolated
by a geometric grid and safeguarded Newton (``verify.highprec.problem_radii``); the threshold λ* is the
supremum of the gap ratio along the ray, or its limit at 0 (``verify.highprec.problem_threshold``). This
module turns those into points (w, product, F) and judges them: which are global or strict local minima,
and the gradient and Hessian at any point with every w_l ≠ 0, by the product rule on the input formulas.
It is the one entry point the claims and queries import; the pieces stay apart so that each reads alone.

All functions take mpf arguments and work at the caller's ``mpmath.workdps``; none sets ``mp.dps``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import mpmath
from mpmath import mpf

from ..errors import UsageError
from ..problems import ScalarProblem
from .eigen import symmetric_eigenvalues
from .problem_radii import MAX_DECADES, MIN_DECADES, POINTS_PER_DECADE, radius_grid, stationary_radii
from .problem_ray import Ray, derivatives
from .problem_threshold import _golden_max, _limit_at_zero, _refine_max, threshold

# the public API, and the threshold's helpers that the tests exercise through this module
__all__ = ["MAX_DECADES", "MIN_DECADES", "POINTS_PER_DECADE", "ProblemPoint", "global_minimizers", "gradient",
           "hessian", "hessian_eigenvalues", "local_minima", "objective", "stationary_points", "threshold",
           "_golden_max", "_limit_at_zero", "_refine_max"]


@dataclass(frozen=True)
class ProblemPoint:
    """A stationary point: radius ρ, product w_L⋯w_1, objective F(w), and w for one sign pattern."""

    rho: mpf
    product: mpf
    objective: mpf
    w: tuple[mpf, ...]


def _zero_is_critical(ray: Ray) -> bool:
    """0 is a critical point: always for L ≥ 2 (∂F/∂w_l at 0 is penalty_l'(0), 0 or a subgradient interval
    around 0 for an even penalty); for L = 1 when φ rises from 0 (sign of φ' at the scan's lowest radius)."""
    if ray.L >= 2 or ray.m == 0:
        return True
    return ray.dphi(radius_grid(ray.rho_max * mpf("1.01"))[0])[0] >= 0


def stationary_points(problem: ScalarProblem, depth: int, m: mpf, lam: mpf) -> list[ProblemPoint]:
    """The point 0 (when it is critical), then every nonzero stationary radius, ascending.

    Nonzero points are given for one sign pattern (all +1 but the last layer, which carries sign m);
    the others differ by flipping an even number of signs and share ρ, the product and F.
    """
    ray = Ray(problem, depth, m, lam)
    out = []
    if _zero_is_critical(ray):
        out.append(ProblemPoint(mpf(0), mpf(0), ray.zero, (mpf(0),) * depth))
    for r in stationary_radii(ray):
        w = ray.point(r)
        out.append(ProblemPoint(r, mpmath.fprod(w), ray.objective(w), w))
    return out


def global_minimizers(problem: ScalarProblem, depth: int, m: mpf, lam: mpf,
                      tie_digits: int | None = None) -> list[ProblemPoint]:
    """The candidates 0 and every nonzero stationary point whose F is within 10^(−tie_digits) (relative to
    max(|F(0)|, |min F|), or absolute when both are 0; default: working digits − 10) of the least. F is
    coercive and bounded below (the reduction's preconditions), so a global minimizer exists, and it is 0
    or a nonzero stationary point on the rays."""
    ray = Ray(problem, depth, m, lam)
    points = stationary_points(problem, depth, m, lam)
    if not points or points[0].rho != 0:
        points = [ProblemPoint(mpf(0), mpf(0), ray.zero, (mpf(0),) * depth)] + points
    best = min(p.objective for p in points)
    digits = tie_digits if tie_digits is not None else mpmath.mp.dps - 10
    scale = max(abs(best), abs(ray.zero)) or mpf(1)  # relative to the problem's own scale, however small
    tol = scale * mpf(10) ** (-digits)
    return [p for p in points if p.objective - best <= tol]


def _products(w: Sequence[mpf]) -> tuple[mpf, list[mpf]]:
    n = len(w)
    prefix, suffix = [mpf(1)] * (n + 1), [mpf(1)] * (n + 1)
    for i in range(n):
        prefix[i + 1] = prefix[i] * w[i]
        suffix[n - 1 - i] = suffix[n - i] * w[n - 1 - i]
    return prefix[n], [prefix[i] * suffix[i + 1] for i in range(n)]


def _checked_point(depth: int, w: Sequence) -> list[mpf]:
    w = [mpf(x) for x in w]
    if len(w) != depth:
        raise UsageError(f"a point of the depth-{depth} problem needs {depth} weights, got {len(w)}")
    if any(x == 0 for x in w):
        raise UsageError("derivatives of a user problem are taken where every w_l ≠ 0 (the penalty may be "
                         "non-smooth at 0)")
    return w


def objective(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> mpf:
    """F(w) from the definition (any w, zeros allowed)."""
    return Ray(problem, depth, m, lam).objective([mpf(x) for x in w])


def gradient(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> list[mpf]:
    """∂F/∂w_i = ℓ'(P)·P_i + penalty_i'(w_i), P_i = ∏_{k≠i} w_k (every w_l ≠ 0)."""
    ray = Ray(problem, depth, m, lam)
    w = _checked_point(depth, w)
    P, Pi = _products(w)
    d1 = derivatives(ray.loss, P, 1, abs(ray.m))[1]
    return [d1 * Pi[i] + derivatives(ray.pen(i + 1), w[i], 1)[1] for i in range(depth)]


def hessian(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> mpmath.matrix:
    """H_ii = ℓ''·P_i² + penalty_i''(w_i), H_ij = ℓ''·P_i·P_j + ℓ'·P_ij (i ≠ j), ℓ = loss(·, m) at P.

    The product rule applied to the definition; ℓ', ℓ'' and penalty'' are differences of the user's
    formulas at raised precision. Every w_l must be nonzero.
    """
    ray = Ray(problem, depth, m, lam)
    w = _checked_point(depth, w)
    n = depth
    P, Pi = _products(w)
    _, d1, d2 = derivatives(ray.loss, P, 2, abs(ray.m))
    H = mpmath.matrix(n, n)
    for i in range(n):
        H[i, i] = d2 * Pi[i] ** 2 + derivatives(ray.pen(i + 1), w[i], 2)[2]
        for j in range(i + 1, n):
            Pij = mpmath.fprod(w[k] for k in range(n) if k != i and k != j)
            H[i, j] = H[j, i] = d2 * Pi[i] * Pi[j] + d1 * Pij
    return H


def hessian_eigenvalues(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> list[mpf]:
    """Eigenvalues of ``hessian``, ascending (symmetric eigensolver at working precision, ``verify.highprec.eigen``)."""
    H = hessian(problem, depth, w, m, lam)
    if depth == 1:
        return [H[0, 0]]
    return symmetric_eigenvalues(H)


def _zero_is_local_min(ray: Ray) -> bool | None:
    """Whether 0 is a strict local minimum (None: undecided, a degenerate case).

    L = 1: when φ rises from 0 at the scan's lowest radius (the other direction raises loss and penalty).
    L ≥ 2: the loss changes by at most |ℓ'(0)|·|P| + O(P²) near 0, |P| ≤ |w|^L/L^(L/2); a penalty whose second
    difference at 0 grows as the step shrinks (|w|^k, k < 2; every layer has the same degree, §P1) dominates
    it, so 0 is a strict local minimum; for a penalty twice differentiable at 0 the Hessian there is
    diag(penalty_l''(0)) plus ℓ'(0) off the diagonal when L = 2, and positive definiteness decides (a
    singular one, e.g. |w|^3 at L ≥ 3: None).
    """
    if ray.L == 1:
        if ray.m == 0:
            return None
        return ray.dphi(radius_grid(ray.rho_max * mpf("1.01"))[0])[0] > 0
    zero = mpf(0)
    layers = range(1, ray.L + 1) if ray.c.layer_dependent else [1]
    curvature = {}
    for l in layers:
        f = ray.pen(l)
        c = []
        for e in (mpmath.mp.prec // 4, mpmath.mp.prec // 2):
            h = mpmath.ldexp(mpf(1), -e)
            with mpmath.workprec(3 * mpmath.mp.prec):
                c.append((f(h) + f(-h) - 2 * f(zero)) / h**2)
        if c[1] > 4 * abs(c[0]):  # grows as the step shrinks: like |w|^k with k < 2
            return True
        stable = abs(c[1] - c[0]) <= mpmath.ldexp(abs(c[0]), -(mpmath.mp.prec // 8))
        curvature[l] = +c[1] if stable else mpf(0)  # shrinking with the step (|w|^k, k > 2): penalty''(0) = 0
    H = mpmath.matrix(ray.L, ray.L)
    for i in range(ray.L):
        H[i, i] = curvature[i + 1 if ray.c.layer_dependent else 1]
    if ray.L == 2:
        H[0, 1] = H[1, 0] = mpmath.diff(ray.loss, zero)
    E = mpmath.eigsy(H, eigvals_only=True)
    low = min(E[i] for i in range(ray.L))
    scale = max(abs(E[i]) for i in range(ray.L))
    if scale == 0 or abs(low) <= mpf(10) ** (-(mpmath.mp.dps // 2)) * scale:
        return None
    return low > 0


def local_minima(problem: ScalarProblem, depth: int, m: mpf, lam: mpf) -> list[ProblemPoint]:
    """The stationary points that are strict local minima.

    Nonzero points: the Hessian is positive definite, its smallest eigenvalue above 10^(−dps/2)·‖H‖ (a
    degenerate point is not reported). The point 0: see ``_zero_is_local_min``.
    """
    ray = Ray(problem, depth, m, lam)
    out = []
    for pt in stationary_points(problem, depth, m, lam):
        if pt.rho == 0:
            if _zero_is_local_min(ray):
                out.append(pt)
            continue
        E = hessian_eigenvalues(problem, depth, pt.w, m, lam)
        scale = max(abs(e) for e in E)
        if E[0] > mpf(10) ** (-(mpmath.mp.dps // 2)) * scale:
            out.append(pt)
    return out

