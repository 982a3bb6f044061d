"""The balanced reduction of a scalar problem, with its preconditions proved (SymPy, exact).

F(w) = loss(P, m) + Σ_l penalty_l(w_l), P = w_L⋯w_1. At a stationary point with every w_l ≠ 0,
w_l·∂F/∂w_l = ℓ'(P)·P + h_l(w_l) = 0 with h_l(w) = w·penalty_l'(w): h_l(|w_l|) is the same for every l.
When each h_l is strictly increasing on w > 0 this fixes |w_l| = γ_l·ρ, and the L-variable problem reduces
to one variable ρ > 0 (docs/mathematics.md §P1). ``reduce`` proves every precondition or raises
``ReductionRefused`` naming the one that failed; ``Reduction.proof`` lists what was proved, for reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import sympy as sp

from ..cache import disk_cached
from ..errors import UsageError
from ..numbers import check_depth
from .proving import prove, show_point, smoothness_obstacle, witness
from .scalar import ScalarProblem
from .symbols import DEPTH, LAM, LAYER, M, MABS, P, RHO, W

_WP = sp.Symbol("w", positive=True)
"""A layer weight restricted to w > 0 (penalties are even, so w > 0 says everything)."""


class ReductionRefused(UsageError):
    """The problem's balanced reduction could not be justified: which precondition failed, and why."""


@dataclass(frozen=True)
class Reduction:
    """The proved one-variable reduction of a problem at one depth (see the module docstring).

    Every nonzero stationary point, and every nonzero global minimizer, is w_l = γ_l·ρ·s_l with s ∈ {±1}^L,
    ∏s = sign m, ρ in (0, rho_max]; φ(ρ) is F there (m > 0 WLOG, in MABS = |m|); the roots ρ > 0 of
    ``stationary`` are exactly the nonzero stationary radii.
    """

    problem: ScalarProblem
    depth: int
    scales: tuple[sp.Expr, ...]
    phi: sp.Expr
    phi_at_zero: sp.Expr
    stationary: sp.Expr
    rho_max: sp.Expr
    lam_linear: bool
    smooth_at_zero: bool
    proof: tuple[str, ...]


def _refuse(problem: ScalarProblem, depth: int, what: str) -> ReductionRefused:
    return ReductionRefused(f"the problem ({problem.label()}) cannot be reduced at depth L = {depth}: {what}")


def _check_loss(problem: ScalarProblem, depth: int) -> list[str]:
    loss = problem.loss
    obstacle = smoothness_obstacle(loss, P)
    if obstacle is not None:
        raise _refuse(problem, depth, f"precondition 1 (loss twice differentiable in p) not proved: {obstacle}")
    d1 = sp.diff(loss, P)
    d2 = sp.diff(loss, P, 2)
    convex = prove(d2, "nonnegative")
    if convex is not True:
        point = witness(d2, "negative")
        at = f" at {show_point(point)}" if point else ""
        why = (f"∂²loss/∂p² = {sp.simplify(d2)} is negative{at}" if point is not None
               else f"∂²loss/∂p² = {sp.simplify(d2)} could not be proved ≥ 0")
        raise _refuse(problem, depth, f"precondition 1 (loss convex in p) fails: {why}")
    at_target = sp.simplify(d1.subs(P, M))
    if prove(at_target, "zero") is not True:
        raise _refuse(problem, depth, f"precondition 1 (loss minimized at p = m) fails: ∂loss/∂p at p = m is "
                                      f"{at_target}, not 0")
    flipped = sp.simplify(loss.xreplace({P: -P, M: -M}) - loss)
    if prove(flipped, "zero") is not True:
        raise _refuse(problem, depth, f"precondition 1 (sign symmetry loss(−p, −m) = loss(p, m)) fails: "
                                      f"loss(−p, −m) − loss(p, m) = {flipped}")
    return [f"loss {problem.loss_text}: infinitely differentiable in p; ∂²loss/∂p² = {sp.simplify(d2)} ≥ 0 "
            "(convex in p); ∂loss/∂p = 0 at p = m (so loss ≥ loss(m, m)); loss(−p, −m) = loss(p, m) (proved)"]


def _layer_penalties(problem: ScalarProblem, depth: int) -> list[sp.Expr]:
    return [problem.penalty.xreplace({LAYER: sp.Integer(l), DEPTH: sp.Integer(depth)}) for l in range(1, depth + 1)]


def _check_penalty(problem: ScalarProblem, depth: int, pen: sp.Expr, where: str) -> tuple[sp.Expr, str]:
    """Precondition 2 for one layer's penalty; returns h(w) = w·penalty'(w) on w > 0 and the proof line."""
    bad = pen.free_symbols - {W, LAM}
    if bad:
        raise _refuse(problem, depth, f"the penalty{where} has unexpected symbols {sorted(map(str, bad))}")
    positive = pen.xreplace({W: _WP})
    obstacle = smoothness_obstacle(positive, _WP)
    if obstacle is not None:
        raise _refuse(problem, depth, f"precondition 2 (penalty{where} differentiable for w ≠ 0) not proved: "
                                      f"{obstacle}")
    odd_part = sp.simplify(pen.xreplace({W: -W}) - pen)
    if prove(odd_part, "zero") is not True:
        raise _refuse(problem, depth, f"precondition 2 (penalty{where} even in w) fails: penalty(−w) − "
                                      f"penalty(w) = {odd_part}")
    at_zero = pen.xreplace({W: sp.Integer(0)})
    if at_zero.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or prove(at_zero, "zero") is not True:
        raise _refuse(problem, depth, f"precondition 2 (penalty(0) = 0) fails{where}: penalty(0) = {at_zero}")
    right_limit = sp.limit(positive, _WP, 0, "+")
    if prove(right_limit, "zero") is not True:
        raise _refuse(problem, depth, f"precondition 2 (penalty{where} continuous at 0) fails: "
                                      f"penalty(0+) = {right_limit}")
    h = sp.simplify(_WP * sp.diff(positive, _WP))
    dh = sp.simplify(sp.diff(h, _WP))
    if prove(dh, "positive") is not True:
        point = witness(dh, "nonpositive")
        at = f" at {show_point(point)}" if point else ""
        why = (f"h'(w) = {dh} is ≤ 0{at}, so h is not increasing" if point is not None
               else f"h'(w) = {dh} could not be proved > 0 for w, lam > 0")
        raise _refuse(problem, depth, f"precondition 2 (h(w) = w·penalty'(w) strictly increasing on w > 0"
                                      f"{where}) fails: h(w) = {h}; {why}")
    h0 = sp.limit(h, _WP, 0, "+")
    if prove(h0, "nonnegative") is not True:
        raise _refuse(problem, depth, f"precondition 2 fails{where}: h(0+) = {h0} is not ≥ 0")
    line = (f"penalty{where} = {pen}: even; penalty(0) = 0 = penalty(0+); h(w) = w·penalty'(w) = {h} with "
            f"h'(w) = {dh} > 0 for w > 0 (strictly increasing), h(0+) = {h0} (proved)")
    return h, line


def _layer_scales(problem: ScalarProblem, depth: int, pens: list[sp.Expr], hs: list[sp.Expr]) \
        -> tuple[tuple[sp.Expr, ...], sp.Expr, str]:
    """Precondition 3: (γ_l), the balanced penalty c̄·g on w > 0, and the proof line."""
    distinct = {sp.simplify(p) for p in pens}
    if len(distinct) == 1:
        balanced = pens[0].xreplace({W: _WP})
        return (sp.Integer(1),) * depth, balanced, "layers: the same penalty for every l (γ_l = 1)"
    prefix = "precondition 3 fails: the penalty depends on the layer l other than through a positive factor " \
             "of a homogeneous penalty: "
    degrees = []
    for l, (pen, h) in enumerate(zip(pens, hs), start=1):
        k = sp.simplify(h / pen.xreplace({W: _WP}))
        if k.has(_WP) or k.has(LAM):
            raise _refuse(problem, depth, prefix + f"at l = {l}, w·penalty'/penalty = {k} is not a constant "
                                                   "(the penalty is not homogeneous in w)")
        degrees.append(k)
    if len({sp.nsimplify(k) for k in degrees}) != 1:
        shown = ", ".join(f"l = {l}: {k}" for l, k in enumerate(degrees, start=1))
        raise _refuse(problem, depth, prefix + f"the degree of homogeneity changes with the layer ({shown})")
    k = degrees[0]
    coefficients = [sp.simplify(p.xreplace({W: sp.Integer(1)})) for p in pens]
    for l, c in enumerate(coefficients, start=1):
        if prove(c, "positive") is not True:
            raise _refuse(problem, depth, prefix + f"the factor c_{l} = {c} is not proved positive")
    shape = sp.simplify(pens[0].xreplace({W: _WP}) / coefficients[0])
    c_bar = sp.simplify(sp.Mul(*coefficients) ** sp.Rational(1, depth))
    scales = tuple(sp.simplify((c_bar / c) ** (1 / k)) for c in coefficients)
    balanced = c_bar * shape
    line = (f"layers: penalty_l = c_l·g(w) with c_l = {problem.penalty.xreplace({W: 1, DEPTH: depth})} "
            f"(l = 1..{depth}, proved > 0) and g(w) = {shape} homogeneous of degree k = {k} on w > 0 "
            f"(w·g' = k·g); w_l = γ_l·u_l with γ_l = (c̄/c_l)^(1/k), c̄ = (∏c_l)^(1/L) = {c_bar}, maps F to the "
            f"balanced problem with penalty c̄·g (∏γ_l = 1: the product is unchanged)")
    return scales, balanced, line


def _twice_differentiable_at_zero(pen: sp.Expr) -> bool:
    """True when the (even) penalty is proved C² on the real line: smooth as written, or, on w > 0, a sum of
    c_i·w^(e_i) with every exponent e_i ≥ 2 (|w|^e is C² for e ≥ 2); False when not proved."""
    if smoothness_obstacle(pen, W) is None:
        return True
    on_positive = sp.expand(pen.xreplace({W: _WP}))
    for term in sp.Add.make_args(on_positive):
        coefficient, power = term.as_independent(_WP, as_Add=False)
        if power == 1 or coefficient.has(_WP):
            return False
        exponent = sp.Integer(1) if power == _WP else power.exp if power.is_Pow and power.base == _WP else None
        if exponent is None or not exponent.is_Rational or exponent < 2:
            return False
    return True


SYMPY_FAILURES = (NotImplementedError, sp.PolynomialError, ArithmeticError, RecursionError)
"""What SymPy raises when it cannot decide or compute something (as opposed to bad input)."""


def reduce(problem: ScalarProblem, depth: int) -> Reduction:
    """The proved balanced reduction of ``problem`` at depth L (cached); ReductionRefused otherwise."""
    if not isinstance(problem, ScalarProblem):
        raise UsageError(f"expected a ScalarProblem, got {type(problem).__name__}")
    return _reduce(problem, check_depth(depth))


CLAIM_DEPTHS = tuple(range(1, 33))
"""Every depth a claim on a user problem may be judged at when it names none: the profiles' depths (1–32) and
the sentinel depths of the high-precision tiers (6, 8, 16)."""


def prove_claim_depths(problem: ScalarProblem, depths: Sequence[int] | None, min_depth: int = 1) -> None:
    """Prove the reduction at every depth a claim on ``problem`` may be judged at (ReductionRefused otherwise),
    so that a problem the suite cannot justify at one of them is a usage error when the claim is built, never a
    verdict at the depths where it can be, followed by a crash at one where it cannot.

    The depths: the claim's own, or else ``CLAIM_DEPTHS`` from ``min_depth``. A penalty that involves neither the
    layer index l nor the depth L makes every precondition independent of the depth (the same loss, the same
    penalty on every layer, γ_l = 1), so one depth proves them all; otherwise each depth is proved.
    """
    if depths is not None:
        chosen = list(depths)
    else:
        chosen = [L for L in CLAIM_DEPTHS if L >= min_depth]
        if not problem.penalty.has(LAYER, DEPTH):
            chosen = [max(3, min_depth)] if chosen else []
    for L in chosen:
        reduce(problem, L)


@lru_cache(maxsize=256)
@disk_cached
def _reduce(problem: ScalarProblem, L: int) -> Reduction:
    try:
        return _derive(problem, L)
    except SYMPY_FAILURES as exc:
        raise _refuse(problem, L, f"a precondition could not be decided (SymPy: {type(exc).__name__}: "
                                  f"{str(exc)[:200]})") from None


def _derive(problem: ScalarProblem, L: int) -> Reduction:
    proof = _check_loss(problem, L)
    pens = _layer_penalties(problem, L)
    lines: dict[sp.Expr, tuple[sp.Expr, str]] = {}
    hs = []
    for l, pen in enumerate(pens, start=1):
        if pen not in lines:
            where = "" if not problem.penalty.has(LAYER) else f" at layer l = {l}"
            lines[pen] = _check_penalty(problem, L, pen, where)
        hs.append(lines[pen][0])
    proof += [line for _, line in lines.values()]
    scales, balanced, layer_line = _layer_scales(problem, L, pens, hs)
    proof.append(layer_line)
    on_ray = balanced.xreplace({_WP: RHO})
    phi = problem.loss.xreplace({P: RHO**L, M: MABS}) + L * on_ray
    phi_at_zero = problem.loss.xreplace({P: sp.Integer(0), M: MABS})
    stationary = sp.diff(problem.loss, P).xreplace({P: RHO**L, M: MABS}) * RHO**L \
        + RHO * sp.diff(on_ray, RHO)
    pen = problem.penalty
    lam_linear = prove(sp.diff(pen, LAM, 2), "zero") is True \
        and prove(pen - LAM * sp.diff(pen, LAM), "zero") is True
    smooth_at_zero = all(_twice_differentiable_at_zero(p) for p in lines)
    proof += [
        "stationary points: w_l·∂F/∂w_l = ℓ'(P)·P + h_l(w_l) = 0 for every l, so h_l(|w_l|) is the same for all "
        "l and, h being strictly increasing, |w_l| = γ_l·ρ; a point with some w_l = 0 has P = 0, then "
        "penalty_j'(w_j) = 0 forces w = 0 (L ≥ 2)",
        "sign and radius: ℓ'(P)·P = −h < 0 with ℓ convex, ℓ'(m) = 0 gives 0 < P·sign(m) < |m|: ∏s_l = sign m and "
        f"ρ < |m|^(1/L) = {MABS ** sp.Rational(1, L)}; m = 0 has no nonzero stationary point",
        "global minimizers exist: F ≥ loss(m, m) + Σ penalty_l and penalty_l(w) ≥ penalty_l(1) + h_l(1)·log|w| "
        "→ ∞ (h_l ≥ h_l(1) > 0 for |w| ≥ 1); a global minimizer with some w_l = 0 has P = 0 and F ≥ F(0), so a "
        "nonzero global minimizer has every w_l ≠ 0, where F is differentiable: it is stationary and on the rays",
        "sign symmetry: flipping w_1 maps F(·; m) to F(·; −m) (loss(−p, −m) = loss(p, m), penalties even): "
        "m > 0 without loss of generality, results in |m|",
    ]
    if not smooth_at_zero:
        proof.append("the penalty is not proved smooth at w = 0: derivatives of F (DiracDelta terms dropped) hold "
                     "where every w_l ≠ 0")
    return Reduction(problem, L, scales, phi, phi_at_zero, stationary, MABS ** sp.Rational(1, L),
                     lam_linear, smooth_at_zero, tuple(proof))
