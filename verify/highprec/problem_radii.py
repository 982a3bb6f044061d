"""Root isolation on a user problem's ray: every stationary radius ρ, a root of φ'(ρ), φ(ρ) = F(γ·ρ·s).

The radii are isolated by sampling, which is high-precision agreement, not a certificate: Δφ(ρ) = φ(ρ) − F(0)
is sampled on a geometric grid of ``POINTS_PER_DECADE`` points per decade from rho_max·1.01 down to
rho_max·10^(−D), D = dps/2 within [20, 60] (Δφ is computed with the loss drop at raised precision, so
samples near 0 are not rounding noise). Each discrete local extremum of the samples marks cells that hold a
sign change of φ' (for a single extremum per cell: the samples then have a discrete extremum at one end of
its cell). A sign change of φ' between grid points is bracketed and refined by Newton safeguarded by
bisection to working precision. Two roots inside one cell (near a fold in λ, where a local minimum and
maximum of φ merge) are caught twice over: when the cell's difference quotient of Δφ has the sign opposite
to φ' at its ends (by the mean value theorem φ' changes sign twice inside), and when the sampled slope of φ
comes close to 0 without changing sign (a near miss over three cells); in both cases the extremum of φ'
between (a sign change of φ'') is found by bisection and, when φ' has the other sign there, splits the cell
into two brackets. Checked for (p − m)²/2 + lam·|w|^k, k ∈ {1/2, 1, 3/2}, L = 2..6: two radii at
λ = λ_fold·(1 − 10^(−e)) and none at λ_fold·(1 + 10^(−e)) for e ∈ {1, 2, 3, 5, 8, 13, 21, 30} at 40 digits
(240 cases). Missed, by construction: radii below rho_max·10^(−D); several extrema of φ' within three
cells; a double root exactly at a fold (φ' touches 0).

All functions take mpf arguments and work at the caller's ``mpmath.workdps``; none sets ``mp.dps``.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import gmpy2
import mpmath
from mpmath import mpf

from .problem_ray import Ray
from .eigen import gmpy2_precision
from .problem_ray_mpfr import Inexact, drops, from_mpf
from .brackets import _solve_newton_bracket

POINTS_PER_DECADE = 24
"""Grid density of the radius scans (cell ratio 10^(1/24) ≈ 1.10)."""
MIN_DECADES = 20
MAX_DECADES = 60
"""The stationary scan reaches rho_max·10^(−D), D = dps/2 clipped to [MIN_DECADES, MAX_DECADES] (the cap
keeps 1000-digit scans near a second); the threshold's scan of T reaches MIN_DECADES, then follows T to 0."""


def radius_grid(top: mpf, decades: int | None = None) -> list[mpf]:
    """Geometric radii from top·10^(−D) up to top, ascending (see the module docstring)."""
    decades = decades if decades is not None else min(MAX_DECADES, max(MIN_DECADES, mpmath.mp.dps // 2))
    return [top / q for q in _ratio_powers(mpmath.mp.prec, decades * POINTS_PER_DECADE)]


@lru_cache(maxsize=64)
def _ratio_powers(prec: int, n: int) -> tuple[mpf, ...]:
    """ratio^n, ratio^(n−1), …, 1 with ratio = 10^(1/POINTS_PER_DECADE), at ``prec`` bits (once per precision;
    the same numbers as computing them at each call)."""
    with mpmath.workprec(prec):
        ratio = mpf(10) ** (mpf(1) / POINTS_PER_DECADE)
        return tuple(ratio ** (n - i) for i in range(n + 1))


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


def stationary_radii(ray: Ray) -> list[mpf]:
    """Every root of φ' on the grid's range found by the scan of the module docstring, ascending."""
    if ray.m == 0:
        return []  # the reduction: m = 0 has no nonzero stationary point
    radii = radius_grid(ray.rho_max * mpf("1.01"))
    samples = drops(ray, radii)  # ray.drop at each radius (in MPFR where that gives the same bits)
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

    extrema, misses = _scan_marks(radii, samples)
    for i in extrema:
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
    for a, b in misses:
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


def _scan_marks(radii: Sequence[mpf], samples: Sequence[mpf]) -> tuple[list[int], list[tuple[int, int]]]:
    """``_discrete_extrema(samples)`` and ``_near_misses(radii, samples)``, run on exact mpfr copies at the working
    precision (the same code: its differences, quotients and products round correctly in both libraries, so
    the marks are the same; gmpy2 compares and subtracts without mpmath's Python layer)."""
    prec = mpmath.mp.prec
    with gmpy2_precision(prec):
        one = gmpy2.mpfr(1)
        try:
            rs, xs = [from_mpf(r, one) for r in radii], [from_mpf(x, one) for x in samples]
        except Inexact:
            rs = None
        if rs is not None and all(gmpy2.is_finite(x) for x in xs):
            return _discrete_extrema(xs), _near_misses(rs, xs)
    return _discrete_extrema(samples), _near_misses(radii, samples)


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

