"""The high-precision stationary radii and objectives of the scalar problem against the code they replace (kept here
as the reference): memoized g, g' computed only where Newton uses it, ρ_c and |m|^(1/L) once per (L, |m|,
precision), and F at w = ρ·s from ρ·ρ — every number bit for bit the same."""
from __future__ import annotations

import random

import mpmath
from mpmath import mpf

from verify.highprec import scalar as hp


def _reference_solve(g, dg, lo, hi, hint=None):
    glo, ghi = g(lo), g(hi)
    if glo == 0:
        return lo
    if ghi == 0:
        return hi
    rising = ghi > 0
    if hint is not None and lo < hint < hi:
        gh = g(hint)
        if gh == 0:
            return hint
        if (gh > 0) == rising:
            hi, ghi = hint, gh
        else:
            lo, glo = hint, gh
    dlo, dhi = dg(lo), dg(hi)
    dx = dx_old = hi - lo
    tiny = 4 * mpmath.eps
    for _ in range(4 * mpmath.mp.prec + 64):
        if hi - lo <= tiny * max(abs(lo), abs(hi)):
            return (lo + hi) / 2
        ends = sorted(((abs(glo), lo, glo, dlo), (abs(ghi), hi, ghi, dhi)), key=lambda e: e[0])
        x = None
        for _, end, g_end, d_end in ends:
            if d_end == 0:
                continue
            step = g_end / d_end
            if abs(step) <= mpmath.eps * abs(end):
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
            hi, ghi, dhi = x, gx, dg(x)
        else:
            lo, glo, dlo = x, gx, dg(x)
    return (lo + hi) / 2


def _reference_radii(L, m, a, b, hints=None):
    mab = abs(m)

    def g(r):
        return a * r ** (L - 2) * (r**L - mab) + b

    def dg(r):
        return a * r ** (L - 3) * ((2 * L - 2) * r**L - (L - 2) * mab)

    rc = ((L - 2) * mab / (2 * L - 2)) ** (mpf(1) / L)
    gc = g(rc)
    if gc > 0:
        return []
    if gc == 0:
        return [rc]
    hi = mab ** (mpf(1) / L)
    step = mpmath.eps
    while g(hi) <= 0:
        hi *= 1 + step
        step *= 2
    low_hint, high_hint = hints if hints is not None and len(hints) == 2 else (None, None)
    return [_reference_solve(g, dg, mpf(0), rc, low_hint), _reference_solve(g, dg, rc, hi, high_hint)]


def _instances(seed: int, n: int):
    rnd = random.Random(seed)
    for _ in range(n):
        L = rnd.choice([3, 4, 5, 7, 12, 16, 32, 64])
        m = mpf(rnd.choice([-1, 1]) * rnd.randint(1, 10**6)) / rnd.randint(1, 10**3)
        a = mpf(rnd.choice([1, 2]))
        # b around the collapse scale a|m|^(2−2/L)/L, on both sides
        b = a * abs(m) ** (2 - mpf(2) / L) / L * mpf(rnd.randint(1, 4000)) / 1000
        yield L, m, a, b


def test_radii_equal_the_reference_bit_for_bit():
    for dps in (30, 90):
        with mpmath.workdps(dps):
            for L, m, a, b in _instances(dps, 150):
                ours = hp.nonzero_stationary_radii(L, m, a, b)
                assert ours == _reference_radii(L, m, a, b)
                if len(ours) == 2:  # warm starts from a nearby problem, as the bisection passes them
                    b2 = b * (1 + mpf(10) ** -20)
                    assert hp.nonzero_stationary_radii(L, m, a, b2, ours) == _reference_radii(L, m, a, b2, ours)


def test_balanced_objective_equals_the_objective_of_the_point():
    for dps in (15, 50, 90):
        with mpmath.workdps(dps):
            for L, m, a, b in _instances(7 * dps, 150):
                for r in [mpf(0)] + hp.nonzero_stationary_radii(L, m, a, b) + [abs(m) ** (mpf(1) / L) / 3]:
                    w = [r * s for s in hp.canonical_signs(L, m)]
                    P = hp._product(w)
                    assert hp._balanced_objective(P, r, L, m, a, b) == hp.objective(w, m, a, b)
