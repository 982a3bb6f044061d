"""The fast path of ``verify.highprec.scalar.threshold_by_bisection`` in gmpy2 mpfr at mpmath's working precision.

The same computation as the mpmath route — Newton on the tie equations from the float64 start (``_tie_newton``),
then the objective compared at *all* stationary points at λ(1 ∓ tol/4) (``stationary_classes``, radii by
Newton safeguarded by bisection inside each proved bracket) — with every operation in mpfr: +, −, ×, ÷ are the
same correctly rounded operations as mpmath's at the same precision; integer and fractional powers are correctly
rounded here where mpmath's may differ in the last bit, so λ can differ from the mpmath route by rounding (far
below the bisection tolerance 10^−(dps−3)). a and b at each λ come from the convention's ``ab_of_lam`` itself
(called on the exact mpf value of λ). Returns None whenever the mpmath route would not accept its candidate either
way it could (Newton not settling, no sign change of the gap): the caller then runs the mpmath route unchanged.
Call inside ``mpmath.workdps``.
"""
from __future__ import annotations

from typing import Callable, Sequence

import gmpy2
import mpmath
from mpmath import mpf

from .brackets import _solve_newton_bracket, bracket_collapse


def _context(prec: int):
    """A gmpy2 context of ``prec`` bits, round to nearest, entered with ``with`` (the global one is untouched)."""
    if tuple(int(x) for x in gmpy2.version().split(".")[:2]) >= (2, 2):
        return gmpy2.context(gmpy2.get_context(), precision=prec, round=gmpy2.RoundToNearest)
    return gmpy2.local_context(gmpy2.context(), precision=prec, round=gmpy2.RoundToNearest)


def to_mpfr(x: mpf) -> gmpy2.mpfr:
    """An mpf as an mpfr, exactly: with the mantissa's own precision when it has more bits than the context (an mpf
    made at a higher precision, as ``verify.numbers.to_mpf`` gives), so that, as in mpmath, an operation rounds only
    its result. ArithmeticError when it is not finite."""
    sign, man, exp, bc = x._mpf_ if isinstance(x, mpf) else mpf(x)._mpf_
    if not man:
        if exp:
            raise ArithmeticError("not a finite number")
        return gmpy2.mpfr(0)
    with _context(max(int(bc), gmpy2.get_context().precision)):
        v = gmpy2.mul_2exp(gmpy2.mpfr(int(man)), int(exp))
        return -v if sign else v


def to_mpf(x: gmpy2.mpfr) -> mpf:
    """An mpfr as an mpf, exactly."""
    if gmpy2.is_zero(x):
        return mpf(0)
    if not gmpy2.is_finite(x):
        raise ArithmeticError("not a finite number")
    man, exp = x.as_mantissa_exp()
    return mpf((int(man), int(exp)))


def _solve(g: Callable, dg: Callable, lo, hi, hint, eps, prec: int):
    """``verify.highprec.brackets._solve_newton_bracket`` on mpfr numbers (the same steps)."""

    return _solve_newton_bracket(g, dg, lo, hi, hint, eps=eps, prec=prec)


def _radii(L: int, mab, a, b, hints: Sequence | None, eps, prec: int) -> list:
    """``nonzero_stationary_radii`` (L ≥ 3, |m| > 0) in mpfr."""
    values: dict = {}

    def g(r):
        v = values.get(r)
        if v is None:
            v = values[r] = a * r ** (L - 2) * (r**L - mab) + b
        return v

    def dg(r):
        return a * r ** (L - 3) * ((2 * L - 2) * r**L - (L - 2) * mab)

    inv_L = gmpy2.mpfr(1) / L
    rc = ((L - 2) * mab / (2 * L - 2)) ** inv_L
    gc = g(rc)
    if gc > 0:
        return []
    if gc == 0:
        return [rc]
    hi = mab ** inv_L
    step = eps
    while g(hi) <= 0:
        hi *= 1 + step
        step *= 2
    low_hint, high_hint = hints if hints is not None and len(hints) == 2 else (None, None)
    return [_solve(g, dg, gmpy2.mpfr(0), rc, low_hint, eps, prec), _solve(g, dg, rc, hi, high_hint, eps, prec)]


def _objective(P, r, L: int, m, a, b):
    """F at w = ρ·s with product P (``verify.highprec.scalar._balanced_objective``)."""
    return a / 2 * (P - m) ** 2 + b / 2 * (r * r * L)


def _product(r, signs: Sequence[int]):
    """∏(ρ·s_l), multiplied left to right as ``verify.highprec.scalar._product`` does."""
    P = gmpy2.mpfr(1)
    for s in signs:
        P = P * (r * s)
    return P


def tie_threshold(depth: int, m: mpf, ab_of_lam: Callable[[mpf], tuple[mpf, mpf]], tol: mpf,
                  start: tuple[float, float, float]) -> mpf | None:
    """λ where 0 and the nonzero stationary point tie (L ≥ 3), accepted only when F(0) − min F(nonzero) over all
    stationary points is > 0 at λ(1 − tol/4) and < 0 at λ(1 + tol/4); None otherwise. ``start``: (λ, ρ, ρ_low)
    in float64 (``verify.highprec.scalar._tie_start``)."""
    from .scalar import _tie_step, canonical_signs

    L = depth
    prec = mpmath.mp.prec
    a_mp, k_mp = ab_of_lam(mpf(1))
    signs = canonical_signs(L, m)
    with _context(prec):
        eps = to_mpfr(mpmath.eps)
        try:
            M, m_r, a, k = to_mpfr(abs(m)), to_mpfr(m), to_mpfr(a_mp), to_mpfr(k_mp)
        except ArithmeticError:
            return None
        lam, rho, low = (gmpy2.mpfr(x) for x in start)
        rc = ((L - 2) * M / (2 * L - 2)) ** (gmpy2.mpfr(1) / L)
        tiny = 4 * eps
        for _ in range(4 * prec):
            try:
                d_rho, d_lam = _tie_step(L, M, a, k, rho, lam)
            except ZeroDivisionError:
                return None
            t = gmpy2.mpfr(1)
            while not (rho + t * d_rho > rc and lam + t * d_lam > 0):
                t /= 2
                if t < gmpy2.mpfr(2) ** -60:
                    return None
            rho, lam = rho + t * d_rho, lam + t * d_lam
            if t == 1 and abs(d_rho) <= tiny * rho and abs(d_lam) <= tiny * lam:
                break
        else:
            return None
        hints = [low, rho]
        tol_r = to_mpfr(tol)
        gaps = []
        for point in (lam * (1 - tol_r / 4), lam * (1 + tol_r / 4)):
            try:
                a_p, b_p = (to_mpfr(v) for v in ab_of_lam(to_mpf(point)))
            except ArithmeticError:
                return None
            radii = _radii(L, M, a_p, b_p, hints, eps, prec)
            if len(radii) == 2:
                hints = radii
            if not radii:
                return None
            zero = _objective(gmpy2.mpfr(0), gmpy2.mpfr(0), L, m_r, a_p, b_p)
            gaps.append(zero - min(_objective(_product(r, signs), r, L, m_r, a_p, b_p) for r in radii))
        if gaps[0] > 0 and gaps[1] < 0:
            return to_mpf(lam)
    return None


def stationary_radii(depth: int, m: mpf, a: mpf, b: mpf, hints: Sequence[mpf | None] | None = None
                     ) -> list[mpf] | None:
    """``verify.highprec.scalar.nonzero_stationary_radii`` (L ≥ 3, m ≠ 0) computed in mpfr at mpmath's precision, as
    mpf; None when an input is not finite (then the caller keeps to mpmath)."""
    prec = mpmath.mp.prec
    with _context(prec):
        try:
            eps = to_mpfr(mpmath.eps)
            mab, a_r, b_r = to_mpfr(abs(m)), to_mpfr(a), to_mpfr(b)
            h = None if hints is None else [None if x is None else to_mpfr(x) for x in hints]
        except ArithmeticError:
            return None
        return [to_mpf(r) for r in _radii(depth, mab, a_r, b_r, h, eps, prec)]


def continuous_threshold(m: mpf, ab_of_lam: Callable[[mpf], tuple[mpf, mpf]], tol: mpf) -> mpf | None:
    """``threshold_by_bisection`` at L = 2 in mpfr: the bracket from the natural scale by halving and doubling, then
    bisection of "a nonzero stationary point ties or beats 0" (objective at every stationary point, a tie within
    10^−(dps−5)·a·m² counting for the nonzero point) — only +, −, ×, ÷, √ and squares, each correctly rounded as in
    mpmath, so the same λ. None where the bracket is not found (the mpmath route then says so)."""
    from .scalar import canonical_signs

    prec = mpmath.mp.prec
    rounding_mp = mpf(10) ** (-mpmath.mp.dps + 5)
    a1, k1 = ab_of_lam(mpf(1))
    start = a1 * abs(m) ** (2 - mpf(2) / 2) / (2 * k1)
    signs = canonical_signs(2, m)
    with _context(prec):
        try:
            m_r, tol_r, rounding, lo = to_mpfr(m), to_mpfr(tol), to_mpfr(rounding_mp), to_mpfr(start)
        except ArithmeticError:
            return None
        zero = gmpy2.mpfr(0)

        def nonzero_wins(lam) -> bool:
            a, b = (to_mpfr(v) for v in ab_of_lam(to_mpf(lam)))
            r2 = abs(m_r) - b / a
            if not r2 > 0:
                return False
            r = gmpy2.sqrt(r2)
            gap = _objective(zero, zero, 2, m_r, a, b) - _objective(_product(r, signs), r, 2, m_r, a, b)
            return gap >= -rounding * a * m_r * m_r

        bracket = bracket_collapse(nonzero_wins, lo)
        if bracket is None:
            return None
        lo, hi = bracket
        for _ in range(100000):
            if hi - lo <= tol_r * hi:
                return to_mpf((lo + hi) / 2)
            mid = (lo + hi) / 2
            if nonzero_wins(mid):
                lo = mid
            else:
                hi = mid
    return None
