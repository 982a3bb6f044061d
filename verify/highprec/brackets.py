"""Root finding on brackets, generic over the number type (mpmath mpf, or gmpy2 mpfr at the same precision, which
takes the same steps): a safeguarded Newton on a sign change, and the halving/doubling search for the bracket of
a collapse threshold. Shared by ``verify.highprec.scalar``, ``scalar_tie_mpfr`` and the user-problem routes."""
from __future__ import annotations

from typing import Callable

import mpmath
from mpmath import mpf


def bracket_collapse(nonzero_wins: Callable, start):
    """(lo, hi) with ``nonzero_wins(lo)`` and not ``nonzero_wins(hi)``, by halving and doubling from ``start`` (mpf or
    gmpy2 mpfr); None when 4000 halvings or doublings do not find it."""
    lo = hi = start
    for _ in range(4000):
        if nonzero_wins(lo):
            break
        lo /= 2
    for _ in range(4000):
        if not nonzero_wins(hi):
            break
        hi *= 2
    return None if not nonzero_wins(lo) or nonzero_wins(hi) else (lo, hi)


def _solve_newton_bracket(g: Callable[[mpf], mpf], dg: Callable[[mpf], mpf], lo: mpf, hi: mpf,
                          hint: mpf | None = None, eps=None, prec: int | None = None) -> mpf:
    """The root of g in [lo, hi] (g(lo)·g(hi) ≤ 0, g monotone there) by Newton safeguarded by bisection.

    Newton is tried from both ends of the current bracket (from the end with the smaller |g| first): a convex
    g is approached monotonically from one side only, and the root may sit within ulps of one end. A Newton
    point is taken when it lies strictly inside the bracket and its step is at most half the step before the
    previous one (the rtsafe rule); otherwise the bracket is bisected. Every step keeps the sign change, so
    the answer stays bracketed; it stops at a bracket of a few ulps or a Newton step below one ulp.
    Quadratic convergence keeps the count of g evaluations near log2(precision in bits) instead of the
    precision in bits that bisection (or Illinois stalled on the steep ρ^(2L−2)) needs.
    ``hint``: a point believed near the root (the root of a nearby problem); when strictly inside the bracket it
    replaces the end on its side (the sign change is kept), so Newton starts next to the root.
    ``eps``, ``prec``: the unit roundoff and bits (default mpmath's; gmpy2 mpfr numbers take the same steps).
    """
    eps, prec = (mpmath.eps if eps is None else eps), (mpmath.mp.prec if prec is None else prec)
    glo, ghi = g(lo), g(hi)
    if glo == 0:
        return lo
    if ghi == 0:
        return hi
    if (glo > 0) == (ghi > 0):
        raise ArithmeticError(f"no sign change on the bracket [{float(lo):.8g}, {float(hi):.8g}]")
    rising = ghi > 0
    if hint is not None and lo < hint < hi:
        gh = g(hint)
        if gh == 0:
            return hint
        if (gh > 0) == rising:
            hi, ghi = hint, gh
        else:
            lo, glo = hint, gh
    # g' at an end is computed when Newton is first tried from that end (often only one end is): the same values
    dlo = dhi = None
    dx = dx_old = hi - lo
    tiny = 4 * eps
    for _ in range(4 * prec + 64):
        if hi - lo <= tiny * max(abs(lo), abs(hi)):
            return (lo + hi) / 2
        ends = sorted(((abs(glo), lo, glo, 0), (abs(ghi), hi, ghi, 1)), key=lambda e: e[0])
        x = None
        for _, end, g_end, side in ends:
            if side == 0:
                if dlo is None:
                    dlo = dg(lo)
                d_end = dlo
            else:
                if dhi is None:
                    dhi = dg(hi)
                d_end = dhi
            if d_end == 0:
                continue
            step = g_end / d_end
            if abs(step) <= eps * abs(end):
                return end
            cand = end - step
            if lo < cand < hi and 2 * abs(step) <= abs(dx_old):
                x, new_dx = cand, step
                break
        if x is None:
            new_dx = (hi - lo) / 2
            x = lo + new_dx
        dx_old, dx = dx, new_dx
        gx = g(x)
        if gx == 0:
            return x
        if (gx > 0) == rising:
            hi, ghi, dhi = x, gx, None
        else:
            lo, glo, dlo = x, gx, None
    return (lo + hi) / 2
