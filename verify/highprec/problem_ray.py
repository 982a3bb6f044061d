"""A user's scalar problem on its ray, at high precision: F, φ and their derivatives from the definition.

F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L) is evaluated from the user's two formulas only
(``problem.loss`` and ``problem.penalty``, compiled to mpmath by ``sympy.lambdify``); every derivative is
a finite difference of those formulas at raised precision (``mpmath.diffs``), assembled by the chain and
product rules. From the proved reduction (``verify.problems.reduce``) this module takes only its
theorem, never its derivations: every nonzero stationary point is w_l = γ_l·ρ·s_l with ∏s_l = sign m and
ρ in (0, rho_max] (``Reduction.scales``, ``Reduction.rho_max``), so ``Ray`` gives φ(ρ) = F(γ·ρ·s) and the
pieces of it the root scan (``verify.highprec.problem_radii``) and the threshold
(``verify.highprec.problem_threshold``) need. Both read F through this one class, so neither has a
formula of its own.

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


def derivatives(f: Callable[[mpf], mpf], x: mpf, n: int, scale: mpf | None = None) -> list[mpf]:
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


class Ray:
    """F and its derivatives at fixed (m, λ), on the ray w_l = γ_l·ρ·s_l of the representative signs."""

    def __init__(self, problem: ScalarProblem, depth: int, m: mpf, lam: mpf) -> None:
        c = _compile(problem, depth)
        self._pens: dict[int, Callable[[mpf], mpf]] = {}
        self.problem, self.c, self.L, self.m, self.lam = problem, c, depth, mpf(m), mpf(lam)
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
        # per group: its penalty callable, γ_l·s_l (s_l = ±1, so (γ_l·s_l)·ρ rounds as γ_l·ρ·s_l), count, penalty(0)
        self._pen_terms = [(self.pen(l), g * s, n, z) for (l, g, s, n), z in zip(self.groups, self.pen0)]

    def loss(self, p: mpf) -> mpf:
        return _real(self.c.loss(p, self.m), "the loss")

    def pen(self, l: int) -> Callable[[mpf], mpf]:
        """penalty_l as a callable of w_l (built once per layer: lam and L are fixed on the ray)."""
        if l not in self._pens:
            lam, lf, Lf, penalty = self.lam, mpf(l), mpf(self.L), self.c.penalty
            self._pens[l] = lambda x: _real(penalty(x, lam, lf, Lf), "the penalty")
        return self._pens[l]

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
        return mpmath.fsum([n * (f(gs * rho) - z) for f, gs, n, z in self._pen_terms])

    def drop(self, rho: mpf) -> mpf:
        """φ(ρ) − F(0), accurate also where both are close."""
        return self.pen_sum(rho) - self.loss_drop(rho)

    def loss_derivs(self, rho: mpf) -> tuple[mpf, mpf, mpf]:
        """(A', A'', p) for A(ρ) = loss(p(ρ)): A' = ℓ'·L·p/ρ, A'' = ℓ''·(L·p/ρ)² + ℓ'·L(L−1)·p/ρ²."""
        p = mpmath.fprod(self.point(rho))
        _, d1, d2 = derivatives(self.loss, p, 2, abs(self.m))
        L = self.L
        return d1 * L * p / rho, d2 * (L * p / rho) ** 2 + d1 * L * (L - 1) * p / rho**2, p

    def pen_derivs(self, rho: mpf) -> tuple[mpf, mpf]:
        """(B', B'') for B(ρ) = Σ_l penalty_l(γ_l·ρ·s_l)."""
        d1 = d2 = mpf(0)
        for l, g, s, n in self.groups:
            _, e1, e2 = derivatives(self.pen(l), g * rho * s, 2)
            d1 += n * g * s * e1
            d2 += n * g * g * e2
        return d1, d2

    def dphi(self, rho: mpf) -> tuple[mpf, mpf]:
        """(φ'(ρ), φ''(ρ))."""
        a1, a2, _ = self.loss_derivs(rho)
        b1, b2 = self.pen_derivs(rho)
        return a1 + b1, a2 + b2
