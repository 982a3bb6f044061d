"""Bottleneck widths: the deep matrix problem when a hidden width is below the rank the minimizer wants
(docs/mathematics.md §K10).

With widths d_0..d_L the product P = W_L⋯W_1 has rank ≤ k := min_l d_l, and at fixed P of rank ≤ k the least
penalty is L·Σ s_i(P)^(2/L) (balanced layers), so the end-to-end problem is

    min over rank P ≤ k of (a/2)||P − M||² + (bL/2)·Σ_i s_i(P)^(2/L).

By von Neumann's trace inequality P shares singular vectors with M, and the problem becomes: keep a set S of at
most k singular directions of M, each at its scalar minimizer x_i* (dropping direction i costs aσ_i²/2, keeping
it g_i(x_i*)). This module enumerates the optimal sets S (exactly, at high precision, in float64) and builds the
global minimizers of a tied bottleneck; it never uses the claimed width condition.
"""
from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from typing import Any, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..conventions import get_convention
from .reduction import solve_scalar, solve_scalar_mp_many


@dataclass(frozen=True)
class WidthCase:
    """A target M = U·diag(σ)·Vᵀ (σ exact rationals, padded with zeros to min(d_0, d_L)), widths d_0..d_L, a
    convention and λ (exact)."""

    name: str
    dims: tuple[int, ...]
    sigma: tuple[sp.Rational, ...]
    convention: str
    lam: sp.Rational

    @property
    def depth(self) -> int:
        return len(self.dims) - 1

    @property
    def k(self) -> int:
        """The rank bound min_l d_l of the end-to-end product."""
        return min(self.dims)

    def ab(self) -> tuple[sp.Rational, sp.Rational]:
        a, b = get_convention(self.convention).ab(self.lam, self.depth)
        return sp.Rational(a), sp.Rational(b)

    def describe(self) -> dict[str, Any]:
        return {"case": self.name, "depth": self.depth, "dims": list(self.dims), "sigma": [str(s) for s in self.sigma],
                "convention": self.convention, "lambda": str(self.lam)}


#: The fixed cases every tier decides. "bottleneck tie" is the issue's example: widths (2, 1, 1, 2), M = 3·I,
#: λ = 1 under A1 (off the (L, λ) exceptional set: σ = 3 is far above σ_c).
FIXED_CASES = (
    WidthCase("bottleneck tie (2,1,1,2), M = 3I", (2, 1, 1, 2), (sp.Integer(3), sp.Integer(3)), "A1", sp.Integer(1)),
    WidthCase("bottleneck gap (2,1,1,2), M = diag(3, 2)", (2, 1, 1, 2), (sp.Integer(3), sp.Integer(2)), "A1",
              sp.Integer(1)),
    WidthCase("bottleneck, one kept (2,1,1,2), M = diag(3, 1/10)", (2, 1, 1, 2), (sp.Integer(3), sp.Rational(1, 10)),
              "A1", sp.Integer(1)),
    WidthCase("wide (2,2,2,2), M = 3I", (2, 2, 2, 2), (sp.Integer(3), sp.Integer(3)), "A1", sp.Integer(1)),
    WidthCase("bottleneck tie (3,2,2,3), M = 2I", (3, 2, 2, 3), (sp.Integer(2),) * 3, "A1", sp.Integer(1)),
    WidthCase("bottleneck tie L=2 (2,1,2), M = 3I", (2, 1, 2), (sp.Integer(3), sp.Integer(3)), "S", sp.Integer(1)),
    WidthCase("bottleneck L=4 (3,2,1,2,3), M = diag(3, 3, 1)", (3, 2, 1, 2, 3),
              (sp.Integer(3), sp.Integer(3), sp.Integer(1)), "A2", sp.Rational(1, 2)),
)


@dataclass
class Supports:
    """The optimal kept sets of the rank-≤ k reduction: ``optimal`` (sets of indices with the least value),
    ``kept`` (indices whose scalar minimizer is nonzero), ``x`` (the scalar minimizers), ``gap`` (value gap between
    the best and the best non-optimal set, relative to the value scale; inf if there is none)."""

    optimal: list[tuple[int, ...]]
    kept: tuple[int, ...]
    x: list[Any]
    value: Any
    gap: Any

    @property
    def unique(self) -> bool:
        return len(self.optimal) == 1


def _enumerate(drop: Sequence[Any], keep: Sequence[Any], kept: tuple[int, ...], k: int, equal, scale) -> Supports:
    """Every subset S ⊆ kept with |S| ≤ k; value Σ_(i∉S) drop_i + Σ_(i∈S) keep_i. ``equal(u, v)`` decides ties."""
    values = []
    for size in range(0, min(k, len(kept)) + 1):
        for S in itertools.combinations(kept, size):
            values.append((S, sum(keep[i] if i in S else drop[i] for i in range(len(drop)))))
    best = min(v for _, v in values)
    optimal = [S for S, v in values if equal(v, best)]
    others = [v - best for S, v in values if S not in optimal]
    gap = min(others) / scale if others else float("inf")
    return Supports(optimal, kept, [], best, gap)


def supports_float(sigma: Sequence[float], depth: int, a: float, b: float, k: int) -> Supports:
    """float64: the scalar problems by ``solve_scalar``; sets whose values agree to 1e-9 (relative) are ties."""
    sols = [solve_scalar(float(s), depth, a, b) for s in sigma]
    drop = [a * float(s) ** 2 / 2 for s in sigma]
    keep = [so.value for so in sols]
    kept = tuple(i for i, so in enumerate(sols) if so.x > 0)
    scale = max(sum(drop), 1e-300)
    out = _enumerate(drop, keep, kept, k, lambda u, v: abs(u - v) <= 1e-9 * scale, scale)
    out.x = [so.x for so in sols]
    return out


def supports_mp(sigma: Sequence[Any], depth: int, a: Any, b: Any, k: int, dps: int) -> Supports:
    """High precision: ``solve_scalar_mp`` at ``dps`` digits; ties are value gaps below 10^-(dps−10)."""
    with mpmath.workdps(dps + 20):
        sols = solve_scalar_mp_many([(s, a, b) for s in sigma], depth, dps)
        sig = [mpmath.mpf(sp.Rational(s).p) / sp.Rational(s).q for s in sigma]
        am = mpmath.mpf(sp.Rational(a).p) / sp.Rational(a).q
        drop = [am * s ** 2 / 2 for s in sig]
        keep = [so.value for so in sols]
        kept = tuple(i for i, so in enumerate(sols) if so.x > 0)
        scale = max(sum(drop), mpmath.mpf(10) ** (-dps))
        tol = mpmath.mpf(10) ** (-(dps - 10)) * scale
        out = _enumerate(drop, keep, kept, k, lambda u, v: abs(u - v) <= tol, scale)
        out.x = [so.x for so in sols]
    return out


@functools.lru_cache(maxsize=256)
def scalar_exact(sigma: sp.Rational, depth: int, a: sp.Rational, b: sp.Rational):
    """The scalar minimizer of g(x) = (a/2)(x − σ)² + (bL/2)x^(2/L) exactly: (ρ, minimal polynomial of ρ or None,
    kept). L = 2: ρ² = max(σ − b/a, 0) (soft threshold); L ≥ 3: ρ the largest positive root of
    aρ^(2L−2) − aσρ^(L−2) + b (a CRootOf), kept iff g(ρ^L) < g(0) (decided at 60 digits; a tie raises). A pure
    function of exact inputs, so it is derived once per process (the fixed cases repeat σ, L, a, b)."""
    r = sp.Symbol("r", positive=True)
    if depth == 2:
        x = sigma - b / a
        if x <= 0:
            return sp.Integer(0), None, False
        return sp.sqrt(x), sp.Poly(sp.minimal_polynomial(sp.sqrt(x), r), r), True
    poly = sp.Poly(a * r ** (2 * depth - 2) - a * sigma * r ** (depth - 2) + b, r)
    roots = [z for z in sp.real_roots(poly) if z.is_positive]
    if not roots:
        return sp.Integer(0), None, False
    top = max(roots, key=lambda z: sp.N(z, 60))
    g = lambda x: a / 2 * (x - sigma) ** 2 + b * depth / 2 * x ** sp.Rational(2, depth)  # noqa: E731
    diff = sp.N(g(top ** depth) - g(sp.Integer(0)), 60)
    if abs(diff) < sp.Float(10) ** -50 * (1 + abs(sp.N(g(0), 60))):
        raise ArithmeticError(f"σ = {sigma} is on the exceptional set at L = {depth}: not a case of this claim")
    if diff > 0:
        return sp.Integer(0), None, False
    minimal = sp.Poly(sp.minimal_polynomial(top, r), r)
    return top, minimal, True


def family_layers(rho, dims: Sequence[int], Q, ctor=sp.Matrix, zero=0):
    """Layers of the bottleneck minimizer P = ρ^L·Q·Qᵀ (M = σ·I, Q an n × k matrix with orthonormal columns):
    W_1 = ρ·E_1·Qᵀ, W_l = ρ·E_l·E_(l−1)ᵀ, W_L = ρ·Q·E_(L−1)ᵀ, E_l the d_l × k padded identity (k = min hidden
    width). ``ctor(rows, cols, f)`` builds a matrix (SymPy or mpmath)."""
    L = len(dims) - 1
    k = Q.cols if hasattr(Q, "cols") else Q.shape[1]
    E = lambda d: ctor(d, k, lambda i, j: 1 if i == j else zero)  # noqa: E731
    Ws = [rho * E(dims[1]) * Q.T]
    for l in range(2, L):
        Ws.append(rho * E(dims[l]) * E(dims[l - 1]).T)
    Ws.append(rho * Q * E(dims[L - 1]).T)
    return Ws


def family_numpy(x: float, dims: Sequence[int], Q: np.ndarray) -> list[np.ndarray]:
    """``family_layers`` in float64 with ρ = x^(1/L)."""
    L = len(dims) - 1
    k = Q.shape[1]
    rho = x ** (1.0 / L)
    E = [np.eye(d, k) for d in dims]
    Ws = [rho * E[1] @ Q.T] + [rho * E[l] @ E[l - 1].T for l in range(2, L)] + [rho * Q @ E[L - 1].T]
    return Ws
