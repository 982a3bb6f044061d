"""Global minimizers of the deep matrix problem built exactly (rational) or to high precision, with gauges.

A nonzero global minimizer (hidden widths ≥ rank, off the exceptional set) is W_l = O_l·Δ_l·O_(l−1)ᵀ with
Δ_l the d_l × d_(l−1) diagonal of the layer singular values ρ_i = s_i^(1/L), orthogonal O_l on every space and
the target M = O_L·Σ·O_0ᵀ (docs/mathematics.md §K2, §K3). Exact instances choose the ρ_i rationally and
derive σ_i from scalar stationarity, σ = ρ^L + (b/a)·ρ^(2−L); the conditions making each direction's choice
(kept or dropped) the global one are checked exactly here:
- L ≥ 3 with b = a·ρ*^(2L−2)/(L−2): the nonzero root is global iff ρ > ρ*, and 0 is the unique global minimizer
  of (a/2)(x − σ)² + (bL/2)x^(2/L) iff σ < min_ρ>0 [ρ^L/2 + (bL/(2a))·ρ^(2−L)] = ρ*^L·(L−1)/(L−2) (the minimum
  is at ρ = ρ*);
- L = 2 (soft threshold s = max(σ − b/a, 0)): kept iff σ > b/a.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from ..conventions import Convention
from ..highprec.eigen import symmetric_eigenvalues
from .instances import cayley_orthogonal, reference_b
from .matrix_hessian_exact import expand_second_order, exact_hessian, real_field
from .reduction import critical_value, solve_scalar_mp


def _padded(rhos, rows: int, cols: int, zero, ctor):
    return ctor(rows, cols, lambda i, j: rhos[i] if i == j and i < len(rhos) else zero)


def gauge_point(rhos, sigma, dims: tuple[int, ...], gauges: list[sp.Matrix]):
    """(layers, target) W_l = O_l Δ_l O_(l−1)ᵀ, M = O_L Σ O_0ᵀ as SymPy matrices (entries exact or Float)."""
    L = len(dims) - 1
    Ws = [gauges[l + 1] * _padded(rhos, dims[l + 1], dims[l], 0, sp.Matrix) * gauges[l].T for l in range(L)]
    M = gauges[L] * _padded(sigma, dims[L], dims[0], 0, sp.Matrix) * gauges[0].T
    return Ws, M


def float_gauge_layers(rhos: list[sp.Float], dims: tuple[int, ...], gauges: list[sp.Matrix]) -> list[sp.Matrix]:
    """The layers W_l = O_(l+1)·Δ_l·O_lᵀ of ``gauge_point`` at Float layer singular values, entry by entry:
    W_l[i, j] = Σ_k (O_(l+1)[i, k]·O_l[j, k])·ρ_k, the rational coefficient exact, each product and the sum in
    SymPy Float arithmetic. The same numbers, bit for bit, as ``gauge_point`` with symbols ρ_k then xreplace by
    the Floats (the symbolic product's entry is Σ_k c_k·ρ_k with exactly these c_k; at most two terms, and a
    rounded sum of two terms does not depend on their order), without SymPy's symbolic matrix products (tests)."""
    out = []
    for l in range(len(dims) - 1):
        left, right = gauges[l + 1], gauges[l]
        kmax = min(len(rhos), dims[l + 1], dims[l])

        def entry(i: int, j: int, left=left, right=right, kmax=kmax) -> sp.Expr:
            terms = [(left[i, k] * right[j, k]) * rhos[k] for k in range(kmax) if left[i, k] * right[j, k] != 0]
            return sp.Add(*terms)
        out.append(sp.Matrix(dims[l + 1], dims[l], entry))
    return out


@dataclass
class ExactCase:
    """One rational global minimizer: its layers, target, (a, b) and the vocabulary values of §K8."""

    name: str
    depth: int
    Ws: list[sp.Matrix]
    M: sp.Matrix
    a: sp.Rational
    b: sp.Rational
    rhos: tuple[sp.Rational, ...]
    sigma: tuple[sp.Rational, ...]
    gauge: str
    values: dict[sp.Symbol, sp.Rational]

    def describe(self) -> dict[str, Any]:
        return {"dims": [self.Ws[0].cols] + [W.rows for W in self.Ws], "a": str(self.a), "b": str(self.b),
                "rho": [str(r) for r in self.rhos], "sigma": [str(s) for s in self.sigma], "gauge": self.gauge}

    def hessian(self) -> tuple[sp.Matrix, sp.Matrix]:
        return exact_hessian(self.Ws, self.M, self.a, self.b)


def _gauges(kind: str, dims: tuple[int, ...], rng: np.random.Generator) -> list[sp.Matrix]:
    if kind == "rotated":
        return [cayley_orthogonal(rng, d) for d in dims]
    if kind == "sign flips":
        return [sp.diag(*[int(rng.choice([-1, 1])) for _ in range(d)]) for d in dims]
    return [sp.eye(d) for d in dims]


def exact_cases(depth: int, conv: Convention, symbols: tuple[sp.Symbol, ...]) -> list[ExactCase]:
    """Rational minimizers at depth L ≥ 2 in several regimes, widths (3, 3, 2, …, 2); ``symbols`` are the
    vocabulary symbols (rho, rho2, m, m2, a, b) the values are keyed by."""
    L = depth
    a = sp.Rational(conv.a)
    rng = np.random.default_rng(1000 + L)
    if L >= 3:
        b = a / (L - 2)  # ρ* = 1
        sigma_c = sp.Rational(L - 1, L - 2)
        kept_ok = lambda r: a * r ** (2 * L - 2) > (L - 2) * b  # noqa: E731
        dropped_ok = lambda s: s < sigma_c  # noqa: E731
        plan = [("close pair", (sp.Rational(3, 2), sp.Rational(7, 5)), None, "rotated"),
                ("spread pair", (sp.Integer(2), sp.Rational(21, 20)), None, "sign flips"),
                ("repeated pair", (sp.Rational(6, 5), sp.Rational(6, 5)), None, "identity"),
                ("dropped near threshold", (sp.Rational(11, 10),), sigma_c * sp.Rational(19, 20), "rotated")]
    else:
        b = a / 2
        kept_ok = lambda r: r > 0  # noqa: E731
        dropped_ok = lambda s: s <= b / a  # noqa: E731
        plan = [("close pair", (sp.Rational(3, 2), sp.Rational(7, 5)), None, "rotated"),
                ("spread pair", (sp.Integer(2), sp.Rational(1, 2)), None, "sign flips"),
                ("repeated pair", (sp.Integer(1), sp.Integer(1)), None, "identity"),
                ("dropped near threshold", (sp.Integer(1),), b / a * sp.Rational(9, 10), "rotated"),
                ("2b regime", (sp.Rational(1, 4),), b / a / 10, "identity")]
    dims = (3, 3) + (2,) * (L - 1)
    out = []
    for name, rhos, dropped, gauge in plan:
        if not all(kept_ok(r) for r in rhos) or (dropped is not None and not dropped_ok(dropped)):
            raise ArithmeticError(f"case {name!r} at L={L} is not a global minimizer")
        sigma = tuple(r ** L + b / a * r ** (2 - L) for r in rhos) + ((dropped,) if dropped is not None else ())
        Ws, M = gauge_point(list(rhos), list(sigma), dims, _gauges(gauge, dims, rng))
        rho_1, rho_2 = rhos[0], rhos[1] if len(rhos) > 1 else sp.Integer(0)
        values = dict(zip(symbols, (rho_1, rho_2, sigma[0], sigma[1], a, b)))
        out.append(ExactCase(name, L, Ws, M, a, b, tuple(rhos), sigma, gauge, values))
    return out


@dataclass
class HPInstance:
    """A global minimizer built to high precision and the mpmath spectrum of its Hessian."""

    regime: str
    sigma: tuple
    b: Any
    lam_max: mpmath.mpf
    norm: mpmath.mpf
    grad_residual: mpmath.mpf
    vocabulary: tuple


def hp_instance(rng: np.random.Generator, depth: int, conv: Convention, k: int, dps: int) -> HPInstance | None:
    """Random 2×3 target (regime by k: two kept directions, or one kept and one dropped near the threshold),
    the scalar minimizers by ``solve_scalar_mp`` at dps + 20 digits, rational orthogonal gauges, the Hessian
    expanded from the definition in a dps + 20 digit field and its eigenvalues at that precision
    (``verify.highprec.eigen``: Householder + QL, cross-checked against ``mpmath.eigsy`` in the tests)."""
    L = depth
    a = sp.Rational(conv.a)
    s1 = float(rng.uniform(2.0, 5.0))
    if k % 2 == 0:
        regime = "two kept"
        s2 = s1 * float(rng.uniform(0.7, 0.999))
        b = float(rng.uniform(0.1, 0.6)) * reference_b(L, float(a), s2)
    else:
        regime = "one kept, one dropped"
        b = float(rng.uniform(0.2, 0.7)) * reference_b(L, float(a), s1)
        edge = b / float(a) if L == 2 else critical_value(L, float(a), b)
        s2 = min(s1, edge) * float(rng.uniform(0.8, 0.999))
    b = sp.Rational(f"{b:.10g}")
    sigma = (sp.Rational(f"{s1:.10g}"), sp.Rational(f"{s2:.10g}"))
    work = dps + 20
    dims = (3, 3) + (2,) * (L - 1)
    with mpmath.workdps(work):
        sols = [solve_scalar_mp(s, L, a, b, dps) for s in sigma]
        if any(sol.tie or sol.gap < mpmath.mpf(10) ** -6 for sol in sols) or sols[0].x == 0:
            return None
        rhos = [sol.x ** (mpmath.mpf(1) / L) for sol in sols if sol.x > 0]
        gauges = [cayley_orthogonal(rng, d) for d in dims]
        M = gauges[L] * _padded(list(sigma), dims[L], dims[0], 0, sp.Matrix) * gauges[0].T
        Ws = [W.evalf(work) for W in float_gauge_layers([sp.Float(r, work) for r in rhos], dims, gauges)]
        grad, H = expand_second_order(Ws, M, a, b, real_field(work))
        ev = symmetric_eigenvalues([[mpmath.mpf(x) for x in row] for row in H])
        lam_max = max(ev)
        norm = max(abs(e) for e in ev)
        residual = max(abs(mpmath.mpf(g)) for g in grad)
        voc = (rhos[0], rhos[1] if len(rhos) > 1 else mpmath.mpf(0), mpmath.mpf(sigma[0].p) / sigma[0].q,
               mpmath.mpf(sigma[1].p) / sigma[1].q, mpmath.mpf(a.p) / a.q, mpmath.mpf(b.p) / b.q)
    return HPInstance(regime, voc[2:4], voc[5], lam_max, norm, residual, voc)
