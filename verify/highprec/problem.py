"""A user's scalar problem at high precision, by a route independent of the symbolic one.

F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L) is evaluated from the user's two formulas only
(``problem.loss`` and ``problem.penalty``, compiled to mpmath by ``sympy.lambdify``); every derivative is
a finite difference of those formulas at raised precision (``mpmath.diffs``), assembled by the chain and
product rules. From the proved reduction (``verify.problems.reduce``) this module takes only its
theorem, never its derivations: every nonzero stationary point is w_l = γ_l·ρ·s_l with ∏s_l = sign m and
ρ in (0, rho_max] (``Reduction.scales``, ``Reduction.rho_max``); a nonzero global minimizer is one of them.

Stationary radii are roots of φ'(ρ), φ(ρ) = F(γ·ρ·s). They are isolated by sampling, which is
high-precision agreement, not a certificate: Δφ(ρ) = φ(ρ) − F(0) is sampled on a geometric grid of
``POINTS_PER_DECADE`` points per decade from rho_max·1.01 down to rho_max·10^(−D), D = dps/2 within [20, 60]
(Δφ is computed with the loss drop at raised precision, so samples near 0 are not rounding noise).
Each discrete local extremum of the samples marks cells that hold a sign change of φ' (for a single
extremum per cell: the samples then have a discrete extremum at one end of its cell). A sign change of φ'
between grid points is bracketed and refined by Newton safeguarded by bisection to working precision. Two
roots inside one cell (near a fold in λ, where a local minimum and maximum of φ merge) are caught twice
over: when the cell's difference quotient of Δφ has the sign opposite to φ' at its ends (by the mean value
theorem φ' changes sign twice inside), and when the sampled slope of φ comes close to 0 without changing
sign (a near miss over three cells); in both cases the extremum of φ' between (a sign change of φ'') is
found by bisection and, when φ' has the other sign there, splits the cell into two brackets. Checked for
(p − m)²/2 + lam·|w|^k, k ∈ {1/2, 1, 3/2}, L = 2..6: two radii at λ = λ_fold·(1 − 10^(−e)) and none at
λ_fold·(1 + 10^(−e)) for e ∈ {1, 2, 3, 5, 8, 13, 21, 30} at 40 digits (240 cases). Missed, by construction: radii below
rho_max·10^(−D); several extrema of φ' within three cells; a double root exactly at a fold (φ' touches 0).

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
on the grid above with D = 20 decades; a supremum approached as ρ → 0 (a continuous transition: the
nonzero branch shrinks into 0, e.g. L = 2 with an ℓ2 penalty, or L = 1 with ℓ1) is the limit of T along
ρ_j = ρ_min·10^(−j), taken when successive differences shrink geometrically and their tail is within the
tolerance (a convergence test, not a bound); maxima passed on the way are refined too. T growing without
bound means the minimizer never collapses (None). Working with T avoids the half-digit loss of the
objective gap, which is quadratic in the distance to a continuous transition.

All functions take mpf arguments and work at the caller's ``mpmath.workdps``; none sets ``mp.dps``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import sympy as sp
from mpmath import mpf

from ..errors import UsageError
from ..problems import ScalarProblem, reduce
from ..problems.symbols import DEPTH, LAM, LAYER, M, MABS, P, W
from .scalar import _solve_newton_bracket

POINTS_PER_DECADE = 24
"""Grid density of the radius scans (cell ratio 10^(1/24) ≈ 1.10)."""
MIN_DECADES = 20
MAX_DECADES = 60
"""The stationary scan reaches rho_max·10^(−D), D = dps/2 clipped to [MIN_DECADES, MAX_DECADES] (the cap
keeps 1000-digit scans near a second); the threshold's scan of T reaches MIN_DECADES, then follows T to 0."""


@dataclass(frozen=True)
class ProblemPoint:
    """A stationary point: radius ρ, product w_L⋯w_1, objective F(w), and w for one sign pattern."""

    rho: mpf
    product: mpf
    objective: mpf
    w: tuple[mpf, ...]


@dataclass(frozen=True)
class _Compiled:
    depth: int
    loss: Callable
    penalty: Callable
    layer_dependent: bool
    scales: tuple[Callable, ...]
    scale_keys: tuple[sp.Expr, ...]
    rho_max: Callable


@lru_cache(maxsize=128)
def _compile(problem: ScalarProblem, depth: int) -> _Compiled:
    """The user's formulas as mpmath callables, and the reduction's scales and rho_max (no derivations)."""
    red = reduce(problem, depth)
    loss = sp.lambdify((P, M), problem.loss, "mpmath")
    penalty = sp.lambdify((W, LAM, LAYER, DEPTH), problem.penalty, "mpmath")
    scales = tuple(sp.lambdify((MABS, LAM), s, "mpmath") for s in red.scales)
    rho_max = sp.lambdify((MABS, LAM), red.rho_max, "mpmath")
    return _Compiled(depth, loss, penalty, problem.penalty.has(LAYER), scales, tuple(red.scales), rho_max)


def _real(x, what: str) -> mpf:
    if isinstance(x, mpmath.mpc):
        if x.imag != 0:
            raise ArithmeticError(f"{what} evaluates to the complex number {mpmath.nstr(x, 10)}")
        x = x.real
    return mpf(x)


def _derivs(f: Callable[[mpf], mpf], x: mpf, n: int, scale: mpf | None = None) -> list[mpf]:
    """f(x), f'(x), …, f⁽ⁿ⁾(x) by central differences at raised precision (mpmath.diffs).

    The step is h = max(|x|, scale)·2^(−prec−20) (mpmath's own ``relative`` option scales the step by
    1/|x|, the wrong way). Penalties get scale None: the step is relative to x, every sample stays on
    the same side of 0 as x, where penalties such as |w|^(1/2) are analytic (x must be nonzero). The
    loss, twice differentiable everywhere, gets the scale |m|: a step relative to a tiny product p
    would lose log2(|m|/|p|) bits per order to cancellation.
    """
    h = mpmath.ldexp(max(abs(x), scale) if scale is not None else abs(x), -mpmath.mp.prec - 20)
    if h == 0:
        h = mpmath.ldexp(mpf(1), -mpmath.mp.prec - 20)
    return list(mpmath.diffs(f, x, n, h=h))


class _Ray:
    """F and its derivatives at fixed (m, λ), on the ray w_l = γ_l·ρ·s_l of the representative signs."""

    def __init__(self, problem: ScalarProblem, depth: int, m: mpf, lam: mpf):
        c = _compile(problem, depth)
        self.c, self.L, self.m, self.lam = c, depth, mpf(m), mpf(lam)
        if not self.lam > 0:
            raise UsageError(f"lam must be positive, got {mpmath.nstr(self.lam, 10)}")
        mabs = abs(self.m)
        self.signs = [1] * (depth - 1) + [-1 if self.m < 0 else 1]
        self.gammas = [_real(s(mabs, self.lam), "a scale γ_l") for s in c.scales]
        self.rho_max = _real(c.rho_max(mabs, self.lam), "rho_max")
        groups: dict = {}
        for l in range(1, depth + 1):
            key = (c.scale_keys[l - 1], self.signs[l - 1], l if c.layer_dependent else None)
            groups.setdefault(key, [l, 0])[1] += 1
        self.groups = [(l, self.gammas[l - 1], self.signs[l - 1], n) for l, n in groups.values()]
        self.zero = self.objective([mpf(0)] * depth)
        self._loss0_at: dict[int, mpf] = {}
        self.loss0 = self._loss0()
        self.pen0 = [self.pen(l)(mpf(0)) for l, _, _, _ in self.groups]

    def loss(self, p: mpf) -> mpf:
        return _real(self.c.loss(p, self.m), "the loss")

    def pen(self, l: int) -> Callable[[mpf], mpf]:
        lam, lf, Lf = self.lam, mpf(l), mpf(self.L)
        return lambda x: _real(self.c.penalty(x, lam, lf, Lf), "the penalty")

    def point(self, rho: mpf) -> tuple[mpf, ...]:
        return tuple(g * rho * s for g, s in zip(self.gammas, self.signs))

    def objective(self, w: Sequence[mpf]) -> mpf:
        """F(w) from the definition."""
        return self.loss(mpmath.fprod(w)) + mpmath.fsum(self.pen(l)(x) for l, x in enumerate(w, start=1))

    def _loss0(self) -> mpf:
        """loss(0, m) at the current precision (cached per precision)."""
        prec = mpmath.mp.prec
        if prec not in self._loss0_at:
            self._loss0_at[prec] = self.loss(mpf(0))
        return self._loss0_at[prec]

    def loss_drop(self, rho: mpf) -> mpf:
        """loss(0, m) − loss(p(ρ), m), with the cancellation at small ρ undone by raised precision."""
        p = mpmath.fprod(self.point(rho))
        guard = 20  # then raised by the bits a drop ≈ ℓ'(0)·p loses against loss(0) ~ ℓ'(0)·m
        if p != 0 and self.m != 0 and self.loss0 != 0:
            guard += max(0, int(mpmath.mag(self.loss0) - mpmath.mag(self.m) - mpmath.mag(p)))
        while True:
            with mpmath.workprec(mpmath.mp.prec + guard):
                zero = self._loss0()
                d = zero - self.loss(p)
                lost = (mpmath.mag(zero) - mpmath.mag(d)) if d != 0 else None
            if lost is not None and lost + 10 < guard:
                return +d
            if guard > 8 * mpmath.mp.prec + 64 * self.L * max(1, -mpmath.mag(rho)):
                return +d
            guard = 2 * guard + (lost if lost is not None else mpmath.mp.prec)

    def pen_sum(self, rho: mpf) -> mpf:
        """Σ_l (penalty_l(w_l) − penalty_l(0)) on the ray."""
        return mpmath.fsum(n * (self.pen(l)(g * rho * s) - z) for (l, g, s, n), z in zip(self.groups, self.pen0))

    def drop(self, rho: mpf) -> mpf:
        """φ(ρ) − F(0), accurate also where both are close."""
        return self.pen_sum(rho) - self.loss_drop(rho)

    def loss_derivs(self, rho: mpf) -> tuple[mpf, mpf, mpf]:
        """(A', A'', p) for A(ρ) = loss(p(ρ)): A' = ℓ'·L·p/ρ, A'' = ℓ''·(L·p/ρ)² + ℓ'·L(L−1)·p/ρ²."""
        p = mpmath.fprod(self.point(rho))
        _, d1, d2 = _derivs(self.loss, p, 2, abs(self.m))
        L = self.L
        return d1 * L * p / rho, d2 * (L * p / rho) ** 2 + d1 * L * (L - 1) * p / rho**2, p

    def pen_derivs(self, rho: mpf) -> tuple[mpf, mpf]:
        """(B', B'') for B(ρ) = Σ_l penalty_l(γ_l·ρ·s_l)."""
        d1 = d2 = mpf(0)
        for l, g, s, n in self.groups:
            _, e1, e2 = _derivs(self.pen(l), g * rho * s, 2)
            d1 += n * g * s * e1
            d2 += n * g * g * e2
        return d1, d2

    def dphi(self, rho: mpf) -> tuple[mpf, mpf]:
        """(φ'(ρ), φ''(ρ))."""
        a1, a2, _ = self.loss_derivs(rho)
        b1, b2 = self.pen_derivs(rho)
        return a1 + b1, a2 + b2


def _grid(top: mpf, decades: int | None = None) -> list[mpf]:
    """Geometric radii from top·10^(−D) up to top, ascending (see the module docstring)."""
    decades = decades if decades is not None else min(MAX_DECADES, max(MIN_DECADES, mpmath.mp.dps // 2))
    ratio = mpf(10) ** (mpf(1) / POINTS_PER_DECADE)
    n = decades * POINTS_PER_DECADE
    return [top / ratio ** (n - i) for i in range(n + 1)]


def _discrete_extrema(values: Sequence[mpf]) -> list[int]:
    """Indices i (interior, or the top end when still falling) where the sampled slope changes sign."""
    out = []
    for i in range(1, len(values) - 1):
        left, right = values[i] - values[i - 1], values[i + 1] - values[i]
        if left == 0 or right == 0 or (left > 0) != (right > 0):
            out.append(i)
    if len(values) > 1 and values[-1] < values[-2]:
        out.append(len(values) - 1)
    return out


def _stationary_radii(ray: _Ray) -> list[mpf]:
    """Every root of φ' on the grid's range found by the scan of the module docstring, ascending."""
    if ray.m == 0:
        return []  # the reduction: m = 0 has no nonzero stationary point
    radii = _grid(ray.rho_max * mpf("1.01"))
    samples = [ray.drop(r) for r in radii]
    cache: dict[int, mpf] = {}

    def slope(i: int) -> mpf:
        if i not in cache:
            cache[i] = ray.dphi(radii[i])[0]
        return cache[i]

    last: dict = {}

    def g(x: mpf) -> mpf:
        last["x"], last["d"] = x, ray.dphi(x)
        return last["d"][0]

    def dg(x: mpf) -> mpf:
        return last["d"][1] if last.get("x") == x else ray.dphi(x)[1]

    roots: dict[tuple, mpf] = {}

    def split_at_turn(a: int, b: int) -> None:
        """φ' has one sign at both ends of [ρ_a, ρ_b]: find its extremum between (φ'' changes sign) and,
        when φ' has the other sign there, the two roots on either side."""
        turn = _bisect_sign(lambda x: ray.dphi(x)[1], radii[a], radii[b])
        if turn is None:
            return
        st = g(turn)
        if st == 0:
            roots[("turn", a)] = turn
        elif (st > 0) != (slope(a) > 0):
            roots[("below", a)] = _solve_newton_bracket(g, dg, radii[a], turn)
            roots[("above", a)] = _solve_newton_bracket(g, dg, turn, radii[b])

    for i in _discrete_extrema(samples):
        cells = [(j, j + 1) for j in (i - 1, i) if 0 <= j and j + 1 < len(radii)]
        for a, b in cells:
            if (a, b) in roots or ("below", a) in roots:
                continue
            sa, sb = slope(a), slope(b)
            mean = samples[b] - samples[a]  # φ'(ξ)·(ρ_b − ρ_a) at some ξ inside (mean value theorem)
            if sa == 0:
                roots[(a, b)] = radii[a]
            elif sb != 0 and (sa > 0) != (sb > 0):
                roots[(a, b)] = _solve_newton_bracket(g, dg, radii[a], radii[b])
            elif sb != 0 and mean != 0 and (mean > 0) != (sa > 0):
                split_at_turn(a, b)  # φ' changes sign twice inside the cell
    for a, b in _near_misses(radii, samples):
        if any(radii[a] <= r <= radii[b] for r in roots.values()):
            continue  # a sign change there is already bracketed
        sa, sb = slope(a), slope(b)
        if sa != 0 and sb != 0 and (sa > 0) == (sb > 0):
            split_at_turn(a, b)
    out: list[mpf] = []
    for r in sorted(roots.values()):
        if not out or r - out[-1] > 4 * mpmath.eps * r:
            out.append(r)
    return out


def _near_misses(radii: Sequence[mpf], samples: Sequence[mpf]) -> list[tuple[int, int]]:
    """Index pairs (a, b) around a cell where the sampled slope of φ comes closest to 0 without changing
    sign: |s_i| at most that of both neighbours, all three of one sign (s_i the difference quotient of
    cell i), and |s_i| within 4 times the change of s to either neighbour (farther from 0, a φ' close to
    a parabola over three cells cannot reach 0). There φ' has an extremum in [ρ_{i−1}, ρ_{i+2}] that may
    cross 0 twice within one cell."""
    s = [(samples[i + 1] - samples[i]) / (radii[i + 1] - radii[i]) for i in range(len(radii) - 1)]
    out = []
    for i in range(1, len(s) - 1):
        if s[i] != 0 and (s[i - 1] > 0) == (s[i] > 0) == (s[i + 1] > 0) \
                and abs(s[i]) <= abs(s[i - 1]) and abs(s[i]) <= abs(s[i + 1]) \
                and abs(s[i]) <= 4 * max(abs(s[i - 1] - s[i]), abs(s[i + 1] - s[i])):
            out.append((i - 1, i + 2))
    return out


def _bisect_sign(f: Callable[[mpf], mpf], lo: mpf, hi: mpf) -> mpf | None:
    """A sign change of f in [lo, hi] by bisection to a relative 2^(−prec/2−8) (φ' at an extremum found
    that closely is exact to rounding: the error is second order), None without a sign change."""
    flo, fhi = f(lo), f(hi)
    if flo == 0:
        return lo
    if fhi == 0:
        return hi
    if (flo > 0) == (fhi > 0):
        return None
    stop = mpmath.ldexp(hi, -(mpmath.mp.prec // 2) - 8)
    while hi - lo > stop:
        mid = (lo + hi) / 2
        fm = f(mid)
        if fm == 0:
            return mid
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def _zero_is_critical(ray: _Ray) -> bool:
    """0 is a critical point: always for L ≥ 2 (∂F/∂w_l at 0 is penalty_l'(0), 0 or a subgradient interval
    around 0 for an even penalty); for L = 1 when φ rises from 0 (sign of φ' at the scan's lowest radius)."""
    if ray.L >= 2 or ray.m == 0:
        return True
    return ray.dphi(_grid(ray.rho_max * mpf("1.01"))[0])[0] >= 0


def stationary_points(problem: ScalarProblem, depth: int, m: mpf, lam: mpf) -> list[ProblemPoint]:
    """The point 0 (when it is critical), then every nonzero stationary radius, ascending.

    Nonzero points are given for one sign pattern (all +1 but the last layer, which carries sign m);
    the others differ by flipping an even number of signs and share ρ, the product and F.
    """
    ray = _Ray(problem, depth, m, lam)
    out = []
    if _zero_is_critical(ray):
        out.append(ProblemPoint(mpf(0), mpf(0), ray.zero, (mpf(0),) * depth))
    for r in _stationary_radii(ray):
        w = ray.point(r)
        out.append(ProblemPoint(r, mpmath.fprod(w), ray.objective(w), w))
    return out


def global_minimizers(problem: ScalarProblem, depth: int, m: mpf, lam: mpf,
                      tie_digits: int | None = None) -> list[ProblemPoint]:
    """The candidates 0 and every nonzero stationary point whose F is within 10^(−tie_digits) (relative to
    max(|F(0)|, |min F|), or absolute when both are 0; default: working digits − 10) of the least. F is
    coercive and bounded below (the reduction's preconditions), so a global minimizer exists, and it is 0
    or a nonzero stationary point on the rays."""
    ray = _Ray(problem, depth, m, lam)
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
    return _Ray(problem, depth, m, lam).objective([mpf(x) for x in w])


def gradient(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> list[mpf]:
    """∂F/∂w_i = ℓ'(P)·P_i + penalty_i'(w_i), P_i = ∏_{k≠i} w_k (every w_l ≠ 0)."""
    ray = _Ray(problem, depth, m, lam)
    w = _checked_point(depth, w)
    P, Pi = _products(w)
    d1 = _derivs(ray.loss, P, 1, abs(ray.m))[1]
    return [d1 * Pi[i] + _derivs(ray.pen(i + 1), w[i], 1)[1] for i in range(depth)]


def hessian(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> mpmath.matrix:
    """H_ii = ℓ''·P_i² + penalty_i''(w_i), H_ij = ℓ''·P_i·P_j + ℓ'·P_ij (i ≠ j), ℓ = loss(·, m) at P.

    The product rule applied to the definition; ℓ', ℓ'' and penalty'' are differences of the user's
    formulas at raised precision. Every w_l must be nonzero.
    """
    ray = _Ray(problem, depth, m, lam)
    w = _checked_point(depth, w)
    n = depth
    P, Pi = _products(w)
    _, d1, d2 = _derivs(ray.loss, P, 2, abs(ray.m))
    H = mpmath.matrix(n, n)
    for i in range(n):
        H[i, i] = d2 * Pi[i] ** 2 + _derivs(ray.pen(i + 1), w[i], 2)[2]
        for j in range(i + 1, n):
            Pij = mpmath.fprod(w[k] for k in range(n) if k != i and k != j)
            H[i, j] = H[j, i] = d2 * Pi[i] * Pi[j] + d1 * Pij
    return H


def hessian_eigenvalues(problem: ScalarProblem, depth: int, w: Sequence[mpf], m: mpf, lam: mpf) -> list[mpf]:
    """Eigenvalues of ``hessian``, ascending (symmetric eigensolver at working precision)."""
    H = hessian(problem, depth, w, m, lam)
    if depth == 1:
        return [H[0, 0]]
    E = mpmath.eigsy(H, eigvals_only=True)
    return sorted(E[i] for i in range(depth))


def _zero_is_local_min(ray: _Ray) -> bool | None:
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
        return ray.dphi(_grid(ray.rho_max * mpf("1.01"))[0])[0] > 0
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
    ray = _Ray(problem, depth, m, lam)
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
    ray = _Ray(problem, depth, m, mpf(1))  # penalty at λ = 1 is g; the scales do not depend on λ

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
        radii = _grid(top, MIN_DECADES)
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
