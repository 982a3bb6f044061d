"""The radius scan's samples Δφ(ρ) = φ(ρ) − F(0) in gmpy2 (MPFR) instead of mpmath, with the same bits.

``Ray.drop`` (``verify.highprec.problem_ray``) evaluates the user's two formulas through mpmath, whose Python
layer costs most of a root scan (hundreds of samples per ray). Here the same generated code (SymPy's mpmath
printer, with ``mpf`` bound to ``gmpy2.mpfr``) runs on mpfr numbers at the same precision, in the same order
of operations, with the same adaptive guard bits for the loss drop. It is used only for formulas built from
+, −, ·, ÷, the powers x², x⁻¹, rationals and the formula's symbols: there every step is correctly rounded to
nearest in both libraries (mpmath squares exactly then rounds, and takes 1/x by a correctly rounded division;
x^n for n ≥ 3 it rounds exactly only while n·bits < 1000, so those stay with mpmath), and each sample is the
mpf ``Ray.drop`` gives, bit for bit (checked against it in ``tests/test_route_ray_mpfr.py``). Any other
formula, an input wider than the working precision, and any sample that is not finite go through ``Ray.drop``
unchanged.

Works at the caller's ``mpmath.mp.prec`` in a local gmpy2 context; nothing sets a global precision.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import gmpy2
import mpmath
import sympy as sp
from mpmath import mpf
from mpmath.libmp import from_man_exp

from ..problems import ScalarProblem
from ..problems.symbols import DEPTH, LAM, LAYER, M, P, W
from .eigen import gmpy2_precision
from .problem_ray import Ray

_EXACT_POWERS = frozenset({-1, 1, 2})


def _exact_in_mpfr(expr: sp.Expr) -> bool:
    """Whether every operation of ``expr`` rounds the same in mpmath and MPFR (see the module docstring)."""
    for node in sp.preorder_traversal(expr):
        if node.is_Symbol or node.is_Rational or isinstance(node, (sp.Add, sp.Mul)):
            continue
        if isinstance(node, sp.Pow) and node.exp.is_Integer and int(node.exp) in _EXACT_POWERS:
            continue
        return False
    return True


@lru_cache(maxsize=128)
def _compile_mpfr(problem: ScalarProblem) -> tuple[Callable, Callable] | None:
    """(loss, penalty) over mpfr, or None when a formula is outside ``_exact_in_mpfr``."""
    if not (_exact_in_mpfr(problem.loss) and _exact_in_mpfr(problem.penalty)):
        return None
    names = [{"mpf": _constant}, "mpmath"]  # the mpmath printer's code, with mpf → mpfr
    return (sp.lambdify((P, M), problem.loss, names), sp.lambdify((W, LAM, LAYER, DEPTH), problem.penalty, names))


_SMALL: dict[int, gmpy2.mpfr] = {}


def _constant(v) -> gmpy2.mpfr:
    """``mpf(v)`` of the generated code (the integers of a rational constant): small integers are exact at
    every precision used, so one mpfr each serves all calls; anything else is converted in the context."""
    if isinstance(v, int) and abs(v) < 2 ** 50:
        c = _SMALL.get(v)
        if c is None:
            c = _SMALL[v] = gmpy2.mpfr(v, 53)
        return c
    return gmpy2.mpfr(v)


class Inexact(Exception):
    """An input the mpfr route would round (the mpmath route is used instead)."""


def _mag(x: gmpy2.mpfr) -> int | float:
    """mpmath's ``mag``: x = man·2^exp with bc mantissa bits gives exp + bc (MPFR's exponent); −∞ at 0."""
    return int(gmpy2.get_exp(x)) if x != 0 else float("-inf")


def from_mpf(x: mpf, one: gmpy2.mpfr) -> gmpy2.mpfr:
    """An mpf as an mpfr of the context (at least as many bits as the mpf's mantissa): exact, as
    ``eigen._to_mpfr``, by exact products and quotients (gmpy2's mpfr() and mul_2exp cost more)."""
    sign, man, exp, bc = x._mpf_
    if bc > one.precision:
        raise Inexact  # an input with more bits than the working precision: mpmath's route handles it
    v = one * man
    v = v * (1 << exp) if exp >= 0 else v / (1 << -exp)
    return -v if sign else v


def _to_mpf(x: gmpy2.mpfr, prec: int) -> mpf:
    """An mpfr of ``prec`` bits as an mpf, exactly."""
    if x == 0:
        return mpf(0)
    man, exp = x.as_mantissa_exp()
    return mpmath.mp.make_mpf(from_man_exp(int(man), int(exp), prec, "n"))


def drops(ray: Ray, radii: Sequence[mpf]) -> list[mpf]:
    """``[ray.drop(r) for r in radii]``, computed in MPFR when the problem's formulas allow it."""
    compiled = _compile_mpfr(ray.problem)
    if compiled is None:
        return [ray.drop(r) for r in radii]
    prec = mpmath.mp.prec
    try:
        fast = _MpfrRay(ray, *compiled, prec)
        with fast.context(prec):
            out = fast.drops(radii)
    except Inexact:
        out = None
    if out is None:
        return [ray.drop(r) for r in radii]
    return [_to_mpf(v, prec) for v in out]


class _MpfrRay:
    """The pieces of ``Ray.drop`` over mpfr (the ray's γ, signs, λ, m and penalty(0) converted exactly)."""

    def __init__(self, ray: Ray, loss: Callable, penalty: Callable, prec: int) -> None:
        self.ray, self.loss, self.prec = ray, loss, prec
        self._contexts: dict[int, object] = {}
        with self.context(prec):
            one = self.one = gmpy2.mpfr(1)
            self.m = from_mpf(ray.m, one)
            self.gammas = [(from_mpf(g, one), s > 0) for g, s in zip(ray.gammas, ray.signs)]
            lam, Lf = from_mpf(ray.lam, one), one * ray.L
            self.pens = []
            for (l, g, s, n), z in zip(ray.groups, ray.pen0):
                lf = one * l
                self.pens.append((lambda x, lf=lf: penalty(x, lam, lf, Lf), from_mpf(g * s, one), n, from_mpf(z, one)))
        self.zero_at: dict[int, gmpy2.mpfr] = {}
        self.big = ray.m != 0 and ray.loss0 != 0
        self.mag_loss0_m = int(mpmath.mag(ray.loss0)) - int(mpmath.mag(ray.m)) if self.big else 0

    def context(self, prec: int):
        """A gmpy2 context of ``prec`` bits (one object per precision, entered one at a time)."""
        if prec not in self._contexts:
            self._contexts[prec] = gmpy2_precision(prec)
        return self._contexts[prec]

    def drops(self, radii: Sequence[mpf]) -> list[gmpy2.mpfr] | None:
        out = []
        for r in radii:
            v = self.drop(from_mpf(r, self.one), r)
            if not gmpy2.is_finite(v):
                return None
            out.append(v)
        return out

    def drop(self, rho: gmpy2.mpfr, rho_mpf: mpf) -> gmpy2.mpfr:
        """``Ray.pen_sum(ρ) − Ray.loss_drop(ρ)``, step by step (in the context of ``self.prec`` bits)."""
        prec = self.prec
        pen = gmpy2.fsum([(f(gs * rho) - z) if n == 1 else n * (f(gs * rho) - z) for f, gs, n, z in self.pens])
        p = self.one
        for g, positive in self.gammas:
            x = g * rho
            p = p * x if positive else p * -x
        guard = 20
        if p != 0 and self.big:
            guard += max(0, self.mag_loss0_m - _mag(p))
        while True:
            with self.context(prec + guard):
                zero = self.zero_at.get(prec + guard)
                if zero is None:
                    zero = self.zero_at[prec + guard] = self.loss(self.one * 0, self.m)
                d = zero - self.loss(p, self.m)
                lost = (_mag(zero) - _mag(d)) if d != 0 else None
            if lost is not None and lost + 10 < guard:
                break
            if guard > 8 * prec + 64 * self.ray.L * max(1, -int(mpmath.mag(rho_mpf))):
                break
            guard = 2 * guard + (lost if lost is not None else prec)
        return pen - (+d)
