"""Per-layer weights on the ℓ2 penalty (docs/mathematics.md §K9), reduced exactly to the balanced problem.

F_c(W) = (a/2)||W_L⋯W_1 − M||_F² + (b/2)·Σ_l c_l·||W_l||_F², c_l > 0 (Chen–Jiang–Wang 2025's per-layer
weights λ_l = c_l·λ). With c̄ = (∏_l c_l)^(1/L) and γ_l = (c̄/c_l)^(1/2): ∏γ_l = 1 and c_l·γ_l² = c̄, so
W_l = γ_l·U_l keeps the product and F_c(γ·U) = F_bal(U) with the balanced penalty (b·c̄/2)·Σ||U_l||².
Every matrix claim given weights is therefore judged on the balanced problem with b·c̄; the two checks
here establish that reduction (exactly, and numerically on the weighted objective itself).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import sympy as sp

from ..errors import UsageError
from ..landscape.deep_matrix import (data_hessian, flatten, gradient_unchecked, hessian_stack, objective, product,
                                     unflatten)
from ..landscape.instances import random_instance
from ..landscape.descent_stacked import fixed_step_penalized
from ..landscape.newton_stacked import row_norms
from ..symbolic.scalar import L_sym
from .base import CheckResult, Verdict
from .context import PROFILES, RunContext
from .scope import depth_text

#: the layer index l = 1..L in weight formulas; equal to ``verify.problems.symbols.LAYER`` (same name and
#: assumptions, so SymPy treats them as one symbol)
LAYER = sp.Symbol("l", integer=True, positive=True)
#: every depth a profile may use: weights are proved positive for all of them when a claim is built
ALL_DEPTHS = tuple(sorted({L for p in PROFILES.values() for L in p.depths}))
EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class LayerWeights:
    """c_l as a formula in the layer index l and the depth L; ``power`` is the rescaling exponent the checks
    use (1/2, the suite's derivation; a test passes another to see the reduction checks fail)."""

    expr: sp.Expr
    power: sp.Rational = sp.Rational(1, 2)

    def describe(self) -> str:
        return f"c_l = {sp.sstr(self.expr)}"

    def values(self, depth: int) -> tuple[sp.Expr, ...]:
        """(c_1, .., c_L) exactly, each proved > 0 (UsageError otherwise)."""
        return _values(self.expr, depth)

    def cbar(self, depth: int) -> sp.Expr:
        """c̄ = (∏ c_l)^(1/L), exact."""
        return _cbar(self.expr, depth)

    def gammas(self, depth: int) -> tuple[sp.Expr, ...]:
        """γ_l = (c̄/c_l)^power, exact."""
        cb = self.cbar(depth)
        return tuple((cb / c) ** self.power for c in self.values(depth))


def layer_weights_from(value: object, what: str = "layer_weights") -> LayerWeights | None:
    """The declared weights: None, or a SymPy expression / exact number in l and L, proved > 0 at every depth
    1..32 (the depths any profile uses). Symbols named l or L are read as the layer index and the depth."""
    if value is None:
        return None
    if isinstance(value, (bool, float)) or not isinstance(value, (int, sp.Basic)):
        raise UsageError(f"{what} must be a SymPy expression in l and L (or an exact number), got {value!r}")
    expr = sp.sympify(value)
    names = {"l": LAYER, "L": L_sym}
    extra = sorted(str(s) for s in expr.free_symbols if s.name not in names)
    if extra:
        raise UsageError(f"{what} may use only the layer index l and the depth L, got {', '.join(extra)} in {expr}")
    expr = expr.xreplace({s: names[s.name] for s in expr.free_symbols})
    for L in ALL_DEPTHS:
        _values(expr, L)
    return LayerWeights(expr)


@functools.lru_cache(maxsize=512)
def _values(expr: sp.Expr, depth: int) -> tuple[sp.Expr, ...]:
    out = []
    for l in range(1, depth + 1):
        c = expr.xreplace({LAYER: sp.Integer(l), L_sym: sp.Integer(depth)})
        if not (c.is_positive is True and c.is_finite is True):
            c = sp.simplify(c)
        if not (c.is_positive is True and c.is_finite is True):
            raise UsageError(f"layer_weights {expr}: c_{l} = {c} at depth {depth} is not provably finite and > 0 "
                             "(per-layer weights must be positive factors on every layer's penalty)")
        out.append(c)
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _cbar(expr: sp.Expr, depth: int) -> sp.Expr:
    return sp.prod(_values(expr, depth)) ** sp.Rational(1, depth)


def cbar_float(weights: LayerWeights | None, depth: int) -> float:
    return 1.0 if weights is None else float(sp.N(weights.cbar(depth), 30))


# ----------------------------------------------------------------------------------------------
# the weighted objective (float64), from the one hand-derived reference


def weighted_objective(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, c: Sequence[float]) -> float:
    """F_c(W) = (a/2)||P − M||² + (b/2)Σ c_l||W_l||² (one instance)."""
    P = product(Ws)
    return float(a / 2 * np.sum((P - M) ** 2) + b / 2 * sum(cl * np.sum(W * W) for cl, W in zip(c, Ws)))


def weighted_gradient(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, c: Sequence[float]) -> list[np.ndarray]:
    """∇_l F_c = a·A_lᵀ(P − M)B_lᵀ + b·c_l·W_l (single or batched layers)."""
    data = gradient_unchecked(list(Ws), M, a, 0.0)
    return [g + b * cl * W for g, cl, W in zip(data, c, Ws)]


def weighted_hessian(Ws: Sequence[np.ndarray], M: np.ndarray, a: float, b: float, c: Sequence[float]) -> np.ndarray:
    """Dense Hessian of F_c: the data Hessian plus b·c_l on layer l's diagonal block."""
    diag = np.concatenate([np.full(W.size, b * cl) for cl, W in zip(c, Ws)])
    return data_hessian(list(Ws), M, a) + np.diag(diag)


def weighted_minimize(starts: list[list[np.ndarray]], M: np.ndarray, a: float, b: float, c: Sequence[float],
                      steps: int, eta: float) -> list[tuple[list[np.ndarray], float, float]]:
    """Gradient descent on the batch of starts (fixed step; an instance whose step is not finite is frozen),
    then, per run, pseudo-inverse Newton steps accepted only if F_c does not increase; returns (point, F_c,
    ||∇F_c||) per start, all on the weighted objective itself."""
    return weighted_minimize_many([(starts, M, a, b, eta)], c, steps)[0]


def weighted_minimize_many(groups: Sequence[tuple[list[list[np.ndarray]], np.ndarray, float, float, float]],
                           c: Sequence[float], steps: int) -> list[list[tuple[list[np.ndarray], float, float]]]:
    """``weighted_minimize`` for several (starts, M, a, b, η) of one layer shape and weights c, their descents
    stepped together in one batch (per start the same operations as alone, so the same points); one result list
    per group."""
    L = len(groups[0][0][0])
    counts = [len(g[0]) for g in groups]
    Ws = [np.stack([s[l] for g in groups for s in g[0]]) for l in range(L)]
    per = lambda k: np.repeat(np.array([float(g[k]) for g in groups]), counts)[:, None, None]  # noqa: E731
    Ms = np.repeat(np.stack([np.asarray(g[1], dtype=float) for g in groups]), counts, axis=0)
    a, b, eta = per(2), per(3), per(4)
    with np.errstate(over="ignore", invalid="ignore"):  # per layer the gradient of ``weighted_gradient``
        Ws = fixed_step_penalized(Ws, Ms, a, [b * cl for cl in c], eta, steps)
    a_v = np.repeat(np.array([float(g[2]) for g in groups]), counts)
    b_v = np.repeat(np.array([float(g[3]) for g in groups]), counts)
    pts, fs, gns = _newton_many(Ws, Ms, a_v, b_v, c)
    out, k = [], 0
    for n in counts:
        out.append([([W[i] for W in pts], float(fs[i]), float(gns[i])) for i in range(k, k + n)])
        k += n
    return out


def _objective_many(Ws: Sequence[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray,
                    c: Sequence[float]) -> np.ndarray:
    """``weighted_objective`` of each instance of a batch (layers (N, d_l, d_(l−1)), a and b of shape (N,)): the
    same sums in the same order per instance."""
    P = product(list(Ws))
    pen = sum(cl * np.sum(W * W, axis=(1, 2)) for cl, W in zip(c, Ws))
    return a / 2 * np.sum((P - M) ** 2, axis=(1, 2)) + b / 2 * pen


def _newton_many(Ws: list[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray, c: Sequence[float]):
    """Up to 12 pseudo-inverse Newton steps on F_c for every instance of a batch (layers (N, d_l, d_(l−1)), M
    (N, d_L, d_0), a and b of shape (N,)), each accepted only if F_c does not increase; an instance stops at its
    first refused step. Hessians, gradients and objectives of all running instances are formed at once (the
    data Hessian of ``deep_matrix.hessian_stack`` plus b·c_l on layer l's diagonal: per instance the numbers
    of ``weighted_hessian``); one ``np.linalg.lstsq`` per instance. Returns the batched points, F_c and ||∇F_c||."""
    dims = [Ws[0].shape[2]] + [W.shape[1] for W in Ws]
    x = flatten(Ws).copy()
    with np.errstate(over="ignore", invalid="ignore"):
        f = _objective_many(Ws, M, a, b, c)
    diag = b[:, None] * np.concatenate([np.full(W.shape[1] * W.shape[2], cl) for cl, W in zip(c, Ws)])[None, :]
    idx = np.arange(x.shape[1])
    act = np.arange(x.shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(12):
            act = act[np.all(np.isfinite(x[act]), axis=1)]
            if act.size == 0:
                break
            xa = x[act]
            W = unflatten(xa, dims)
            a3, b3 = a[act, None, None], b[act, None, None]
            g = flatten(weighted_gradient(W, M[act], a3, b3, c))
            H = hessian_stack(W, M[act], a[act], np.zeros(act.size))
            H[:, idx, idx] += diag[act]
            ok = np.all(np.isfinite(H), axis=(1, 2)) & np.all(np.isfinite(g), axis=1)
            act, xa, g, H = act[ok], xa[ok], g[ok], H[ok]
            if act.size == 0:
                break
            xn = np.empty_like(xa)
            for i in range(act.size):
                xn[i] = xa[i] + np.linalg.lstsq(H[i], -g[i], rcond=1e-10)[0]
            fn = _objective_many(unflatten(xn, dims), M[act], a[act], b[act], c)
            fa = f[act]
            acc = np.isfinite(fn) & ~(fn > fa + 1e-14 * np.maximum(np.abs(fa), 1.0))
            act = act[acc]
            x[act] = xn[acc]
            f[act] = fn[acc]
    W = unflatten(x, dims)
    with np.errstate(over="ignore", invalid="ignore"):
        gn = row_norms(flatten(weighted_gradient(W, M, a[:, None, None], b[:, None, None], c)))
    return W, f, gn


# ----------------------------------------------------------------------------------------------
# the reduction's two checks


def reduction_exact(weights: LayerWeights) -> Callable[[RunContext], CheckResult]:
    """Symbolic tier: for each depth of the profile, c_l > 0 proved, ∏γ_l = 1 and c_l·γ_l² = c̄ exactly."""
    def run(ctx: RunContext) -> CheckResult:
        rows = []
        for L in ctx.profile.depths:
            c, g, cb = weights.values(L), weights.gammas(L), weights.cbar(L)
            prod_ok = sp.simplify(sp.prod(g) - 1) == 0
            bad = [l + 1 for l in range(L) if sp.simplify(c[l] * g[l] ** 2 - cb) != 0]
            rows.append({"depth": L, "c": [str(x) for x in c], "cbar": str(cb)})
            if not prod_ok or bad:
                what = "∏γ_l ≠ 1 (the product changes)" if not prod_ok else f"c_l·γ_l² ≠ c̄ on layers {bad}"
                return CheckResult(Verdict.REFUTED, f"L={L}: the rescaling W_l = (c̄/c_l)^{weights.power}·U_l is not "
                                   f"exact for {weights.describe()}: {what}", counterexample=rows[-1])
        return CheckResult(
            Verdict.VERIFIED,
            f"exact: {weights.describe()} is > 0 on every layer, and γ_l = (c̄/c_l)^{weights.power} has ∏γ_l = 1 and "
            "c_l·γ_l² = c̄: the weighted problem is the balanced one with b·c̄ (same products, same values)",
            instances=len(rows), tolerance="exact (SymPy)", details={"rows": rows[:12]},
            scope=f"{depth_text(ctx.profile.depths)}, every layer (exact values of c_l)")
    return run


def reduction_numeric(weights: LayerWeights) -> Callable[[RunContext], CheckResult]:
    """Numeric tier: F_c(γ·U) = F_bal(U) with b·c̄ (and the same product) at random points, the weighted
    objective evaluated directly, the balanced one by the hand-derived reference."""
    def run(ctx: RunContext) -> CheckResult:
        rng = ctx.rng("kp.layer_weights.rescaling")
        n, worst, total = (8, 16, 32)[min(ctx.profile.level, 2)], 0.0, 0
        depths = [L for L in ctx.profile.depths if L <= 8]
        for L in depths:
            c = [float(sp.N(x, 30)) for x in weights.values(L)]
            cb = cbar_float(weights, L)
            g = [float(sp.N(x, 30)) for x in weights.gammas(L)]
            for _ in range(n):
                dims = tuple(int(x) for x in rng.integers(1, 4, size=L + 1))
                inst = random_instance(rng, L, dims, float(rng.uniform(0.2, 2.0)))
                Us = [rng.standard_normal((dims[l + 1], dims[l])) for l in range(L)]
                Ws = [gl * U for gl, U in zip(g, Us)]
                fw = weighted_objective(Ws, inst.M, inst.a, inst.b, c)
                fb = float(objective(Us, inst.M, inst.a, inst.b * cb))
                # both are sums of non-negative terms formed in float64 from inputs rounded once (γ_l, c_l, c̄):
                # ~(2L + max d + 4)·eps relative each; 64× leaves room
                tol = 64 * (2 * L + max(dims) + 4) * EPS * max(abs(fb), 1e-300)
                dp = float(np.max(np.abs(product(Ws) - product(Us))))
                # entrywise, a float64 product of L matrices errs by ≤ (L·max d)·eps·(|U_L|⋯|U_1|) (the product of
                # the absolute values, not |P|, which can cancel to ~0), and the rounded γ_l add L·eps: 64× that
                ptol = 64 * L * (max(dims) + 1) * EPS * max(float(np.max(product([np.abs(U) for U in Us]))), 1e-300)
                total += 1
                worst = max(worst, abs(fw - fb) / tol)
                if abs(fw - fb) > tol or dp > ptol:
                    return CheckResult(
                        Verdict.REFUTED, f"L={L}: F_c(γ·U) = {fw!r} but F_bal(U; b·c̄) = {fb!r} (product moved by "
                        f"{dp:.2e}): W_l = (c̄/c_l)^{weights.power}·U_l does not map {weights.describe()} to the "
                        "balanced problem", instances=total,
                        counterexample={**inst.describe(), "weighted": repr(fw), "balanced": repr(fb)})
        return CheckResult(
            Verdict.VERIFIED,
            f"at {total} random points the weighted objective at W_l = γ_l·U_l equals the balanced objective with "
            f"b·c̄ at U, with the same product ({weights.describe()})",
            instances=total, worst_margin=f"{worst:.3f} of tolerance",
            tolerance="64·(2L + max d + 4)·eps·|F|: sums of non-negative float64 terms from once-rounded γ_l, c_l, c̄",
            scope=f"{depth_text(depths)}, {n} random points per depth, widths 1–3, random (a, b); a float64 "
                  "cross-check of the exact rescaling check (c_l·γ_l² = c̄ and ∏γ_l = 1 at every depth of the profile "
                  "give F_c(γ·U) = F_bal(U; b·c̄) identically)")
    return run
