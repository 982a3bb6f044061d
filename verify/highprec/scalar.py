"""The deep scalar problem at high precision, by a route independent of SymPy.

F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σ w_l², evaluated directly from its definition; gradient and
Hessian by the product rule (hand-derived, prefix/suffix products, no division).

Stationary points, completely: w_l·∂F/∂w_l = a(P − m)P + b·w_l² is the same for every l, so at a
stationary point (b > 0) all w_l² are equal: w = ρ·s with ρ ≥ 0, s ∈ {±1}^L. With σ = ∏s, ρ > 0
solves g(ρ) = a·ρ^(L−2)(ρ^L − σm) + b = 0 (L ≥ 2). For σm < 0, g > 0: no roots. For σm = |m| and
L ≥ 3, g'(ρ) = a·ρ^(L−3)((2L−2)ρ^L − (L−2)|m|) has one positive zero ρ_c, so g has at most one root
in (0, ρ_c] and one in [ρ_c, |m|^(1/L)] (g = b > 0 at both ends): each is bracketed and solved.
All functions take mpf arguments and must be called inside ``mpmath.workdps``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import mpmath
from mpmath import mpf

from .brackets import _solve_newton_bracket, bracket_collapse


def _products(w: Sequence[mpf]) -> tuple[mpf, list[mpf]]:
    """P = ∏w and P_i = ∏_{k≠i} w_k, without dividing (exact at zeros)."""
    n = len(w)
    prefix = [mpf(1)] * (n + 1)
    suffix = [mpf(1)] * (n + 1)
    for i in range(n):
        prefix[i + 1] = prefix[i] * w[i]
        suffix[n - 1 - i] = suffix[n - i] * w[n - 1 - i]
    return prefix[n], [prefix[i] * suffix[i + 1] for i in range(n)]


def _product(w: Sequence[mpf]) -> mpf:
    """P = ∏w, multiplied in the order of ``_products``' prefix (the same value, without the P_i)."""
    P = mpf(1)
    for x in w:
        P = P * x
    return P


def objective(w: Sequence[mpf], m: mpf, a: mpf, b: mpf) -> mpf:
    P = _product(w)
    return a / 2 * (P - m) ** 2 + b / 2 * mpmath.fsum(x * x for x in w)


def gradient(w: Sequence[mpf], m: mpf, a: mpf, b: mpf) -> list[mpf]:
    """∂F/∂w_i = a(P − m)P_i + b·w_i."""
    P, Pi = _products(w)
    return [a * (P - m) * Pi[i] + b * w[i] for i in range(len(w))]


def hessian(w: Sequence[mpf], m: mpf, a: mpf, b: mpf) -> mpmath.matrix:
    """H_ii = a·P_i² + b, H_ij = a·P_i·P_j + a(P − m)·P_ij (i ≠ j), P_ij = ∏_{k≠i,j} w_k."""
    n = len(w)
    P, Pi = _products(w)
    H = mpmath.matrix(n, n)
    for i in range(n):
        H[i, i] = a * Pi[i] ** 2 + b
        for j in range(i + 1, n):
            Pij = mpf(1)
            for k in range(n):
                if k != i and k != j:
                    Pij *= w[k]
            H[i, j] = H[j, i] = a * Pi[i] * Pi[j] + a * (P - m) * Pij
    return H


def hessian_eigenvalues(w: Sequence[mpf], m: mpf, a: mpf, b: mpf) -> list[mpf]:
    """Eigenvalues of the Hessian, ascending (symmetric eigensolver at working precision)."""
    E = mpmath.eigsy(hessian(w, m, a, b), eigvals_only=True)
    return sorted(E[i] for i in range(len(w)))


def nonzero_stationary_radii(depth: int, m: mpf, a: mpf, b: mpf,
                             hints: Sequence[mpf] | None = None, mpfr: bool = False) -> list[mpf]:
    """All ρ > 0 with g(ρ) = 0 for the sign pattern with σ = sign(m) (see module docstring).

    ``hints``: the two radii of a nearby problem (a warm start for the root finder; never changes which roots are
    found, each stays bracketed by its own interval). ``mpfr``: the same steps in gmpy2 mpfr at this precision
    (``scalar_tie_mpfr.stationary_radii``; equal up to the rounding of powers), when the inputs allow."""
    L = depth
    mab = abs(m)
    if mab == 0:
        return []
    if L == 1:
        return [abs(a * m / (a + b))]
    if L == 2:
        r2 = mab - b / a
        return [mpmath.sqrt(r2)] if r2 > 0 else []
    if mpfr:
        from .scalar_tie_mpfr import stationary_radii

        found = stationary_radii(L, m, a, b, hints)
        if found is not None:
            return found

    values: dict[mpf, mpf] = {}

    def g(r: mpf) -> mpf:  # memoized: g(ρ_c) and g at the widened top are asked for again by the brackets
        v = values.get(r)
        if v is None:
            v = values[r] = a * r ** (L - 2) * (r**L - mab) + b
        return v

    def dg(r: mpf) -> mpf:  # g'(ρ) = a·ρ^(L−3)·((2L−2)ρ^L − (L−2)|m|)
        return a * r ** (L - 3) * ((2 * L - 2) * r**L - (L - 2) * mab)

    rc, hi = _fold_and_top(L, mab, mpmath.mp.prec)
    gc = g(rc)
    if gc > 0:
        return []
    if gc == 0:
        return [rc]
    # g(|m|^(1/L)) = b > 0 exactly, but ρ^L − |m| rounds to about ±ulp·|m|, which outweighs a tiny b;
    # widen the upper end by growing relative steps until g is positive there as computed
    step = mpmath.eps
    while g(hi) <= 0:
        hi *= 1 + step
        step *= 2
    low_hint, high_hint = hints if hints is not None and len(hints) == 2 else (None, None)
    return [_solve_newton_bracket(g, dg, mpf(0), rc, low_hint), _solve_newton_bracket(g, dg, rc, hi, high_hint)]


@lru_cache(maxsize=4096)
def _fold_and_top(L: int, mab: mpf, prec: int) -> tuple[mpf, mpf]:
    """ρ_c = ((L−2)|m|/(2L−2))^(1/L) and |m|^(1/L) at ``prec`` bits: free of a and b, once per target."""
    return ((L - 2) * mab / (2 * L - 2)) ** (mpf(1) / L), mab ** (mpf(1) / L)


@dataclass(frozen=True)
class StationaryClass:
    """Stationary points w = ρ·s sharing ρ and the product sign: 2^(L−1) points when ρ > 0."""

    rho: mpf
    product: mpf
    objective: mpf

    def point(self, signs: Sequence[int]) -> list[mpf]:
        return [self.rho * s for s in signs]


def canonical_signs(depth: int, m: mpf) -> list[int]:
    """All +1 except the last layer carrying sign(m) (a representative sign pattern)."""
    return [1] * (depth - 1) + [(-1 if m < 0 else 1)]


def stationary_classes(depth: int, m: mpf, a: mpf, b: mpf,
                       hints: Sequence[mpf] | None = None, mpfr: bool = False) -> list[StationaryClass]:
    """Every stationary point of F, grouped by (ρ, product); objective evaluated from F itself.
    ``hints``, ``mpfr``: as for ``nonzero_stationary_radii``."""
    out = []
    signs = canonical_signs(depth, m)
    if depth >= 2 or m == 0:
        out.append(StationaryClass(mpf(0), mpf(0), _balanced_objective(mpf(0), mpf(0), depth, m, a, b)))
    for r in nonzero_stationary_radii(depth, m, a, b, hints, mpfr):
        w = [r * s for s in signs]
        P = _product(w)
        out.append(StationaryClass(r, P, _balanced_objective(P, r, depth, m, a, b)))
    return out


def _balanced_objective(P: mpf, r: mpf, depth: int, m: mpf, a: mpf, b: mpf) -> mpf:
    """``objective(w)`` at w = ρ·s, P = ``_product(w)``: the same number (w_l² = ρ·ρ; fsum of L of them = L·ρ·ρ)."""
    return a / 2 * (P - m) ** 2 + b / 2 * (r * r * depth)


def float_hints(depth: int, m: mpf, a: mpf, b: mpf) -> list[mpf] | None:
    """The two nonzero stationary radii in float64 (bisection on g), as warm starts for
    ``nonzero_stationary_radii`` (each root stays bracketed there; a hint only moves Newton's start), or None
    when L < 3, there are not two, or float64 cannot represent the problem."""
    if depth < 3:
        return None
    L = depth
    try:
        M, af, bf = abs(float(m)), float(a), float(b)
        rc = ((L - 2) * M / (2 * L - 2)) ** (1 / L)
        top = M ** (1 / L)

        def g(r: float) -> float:
            return af * r ** (L - 2) * (r**L - M) + bf

        if not (M > 0 and g(rc) < 0 < g(top)):
            return None
        return [mpf(_float_root(g, 0.0, rc)), mpf(_float_root(g, rc, top))]
    except (ArithmeticError, ValueError, OverflowError):
        return None


def global_minimizers(depth: int, m: mpf, a: mpf, b: mpf, tie_digits: int | None = None,
                      hints: Sequence[mpf] | None = None, mpfr: bool = False) -> list[StationaryClass]:
    """Stationary classes whose objective is within 10^(−tie_digits) (relative) of the minimum.

    F is coercive, so its global minimizers are among its stationary points.
    ``tie_digits`` defaults to the working precision less 10 digits; ``hints``, ``mpfr``: as for
    ``nonzero_stationary_radii`` (warm starts only; the radii in gmpy2 mpfr).
    """
    classes = stationary_classes(depth, m, a, b, hints, mpfr)
    best = min(c.objective for c in classes)
    digits = tie_digits if tie_digits is not None else mpmath.mp.dps - 10
    scale = max(abs(best), a * m * m / 2, mpmath.mpf(10) ** (-mpmath.mp.dps))
    tol = scale * mpf(10) ** (-digits)
    return [c for c in classes if c.objective - best <= tol]


def collapse_gap(depth: int, m: mpf, a: mpf, b: mpf) -> mpf | None:
    """F(0) − min over nonzero stationary points of F; None when there are none."""
    vals = [c.objective for c in stationary_classes(depth, m, a, b) if c.rho > 0]
    if not vals:
        return None
    return objective([mpf(0)] * depth, m, a, b) - min(vals)


def _float_root(g: Callable[[float], float], lo: float, hi: float) -> float:
    """The root of g in [lo, hi] (sign change) by bisection in float64: a starting point only."""
    glo = g(lo)
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        gm = g(mid)
        if (gm > 0) == (glo > 0):
            lo, glo = mid, gm
        else:
            hi = mid
    return (lo + hi) / 2


def _tie_step(L: int, M, a, k, rho, lam) -> tuple:
    """The Newton step (Δρ, Δλ) on the tie equations of ``_tie_newton`` at (ρ, λ), in the arithmetic of the
    arguments (float64 or mpf); ZeroDivisionError where the Jacobian is singular."""
    b = k * lam
    u = rho**L - M
    e1 = a * rho ** (L - 2) * u + b
    e2 = a / 2 * u * u + b * L / 2 * rho * rho - a / 2 * M * M
    j11 = a * rho ** (L - 3) * ((2 * L - 2) * rho**L - (L - 2) * M)
    j21, j22 = L * rho * e1, k * L * rho * rho / 2
    det = j11 * j22 - k * j21
    if det == 0:
        raise ZeroDivisionError("singular Jacobian of the tie equations")
    return (k * e2 - e1 * j22) / det, (j21 * e1 - j11 * e2) / det


def _tie_start(L: int, M: float, a: float, k: float) -> tuple[float, float, float]:
    """(λ, ρ, ρ_low) of the tie in float64, by the Newton of ``_tie_newton`` from the natural scale: a start
    for the working-precision iteration and a warm start for the small radius. Raises ArithmeticError (or
    OverflowError) when float64 does not get there."""
    rc = ((L - 2) * M / (2 * L - 2)) ** (1 / L)
    lam = a * M ** (2 - 2 / L) / (L * k)

    def g_at(b: float) -> Callable[[float], float]:
        return lambda r: a * r ** (L - 2) * (r**L - M) + b

    if g_at(k * lam)(rc) >= 0 or g_at(k * lam)(M ** (1 / L)) <= 0:
        raise ArithmeticError("no bracket at the natural scale")
    rho = _float_root(g_at(k * lam), rc, M ** (1 / L))
    for _ in range(100):
        d_rho, d_lam = _tie_step(L, M, a, k, rho, lam)
        t = 1.0
        while not (rho + t * d_rho > rc and lam + t * d_lam > 0):
            t /= 2
            if t < 1e-12:
                raise ArithmeticError("damping failed")
        rho, lam = rho + t * d_rho, lam + t * d_lam
        if abs(d_rho) <= 1e-14 * rho and abs(d_lam) <= 1e-14 * lam:
            g = g_at(k * lam)
            if not g(rc) < 0:  # g(0) = b > 0: the small radius is bracketed by [0, ρ_c]
                raise ArithmeticError("no small radius")
            return lam, rho, _float_root(g, 0.0, rc)
    raise ArithmeticError("float64 Newton did not settle")


def _tie_newton(depth: int, m: mpf, ab_of_lam: Callable[[mpf], tuple[mpf, mpf]]
                ) -> tuple[mpf, mpf, mpf | None] | None:
    """A candidate (λ, ρ, ρ_low) for the collapse at L ≥ 3: Newton on the two equations of a tie between 0 and
    the nonzero stationary point w = ρ·s (b = k·λ, k = b/λ, a as ``ab_of_lam`` gives them at λ = 1):

        E1 = g(ρ) = a·ρ^(L−2)(ρ^L − |m|) + b = 0          (stationarity)
        E2 = F(ρ·s) − F(0) = (a/2)(ρ^L − |m|)² + (bL/2)ρ² − (a/2)m² = 0   (the tie)

    with Jacobian [[g'(ρ), k], [Lρ·E1, kLρ²/2]] (∂E2/∂ρ = Lρ·g), regular at the tie since ρ > ρ_c there. It
    starts from the float64 solution (``_tie_start``; else from λ0 = a|m|^(2−2/L)/(Lk), the natural scale, and
    the larger stationary radius there), damped to keep ρ > ρ_c and λ > 0; ρ_low (float64, or None) is only a
    warm start for the small stationary radius. Only a candidate: ``threshold_by_bisection`` accepts it only
    when the objective compared at *all* stationary points changes winner across λ(1 ∓ tol/4). None when
    Newton does not settle.
    """
    L = depth
    M = abs(m)
    a, k = ab_of_lam(mpf(1))
    low: mpf | None = None
    try:
        lam_f, rho_f, low_f = _tie_start(L, float(M), float(a), float(k))
        lam, rho, low = mpf(lam_f), mpf(rho_f), mpf(low_f)
    except (ArithmeticError, ValueError, OverflowError, ZeroDivisionError):
        lam = a * M ** (2 - mpf(2) / L) / (L * k)
        radii = nonzero_stationary_radii(L, m, a, k * lam)
        if len(radii) != 2:
            return None
        rho = radii[1]
    rc = ((L - 2) * M / (2 * L - 2)) ** (mpf(1) / L)
    tiny = 4 * mpmath.eps
    for _ in range(4 * mpmath.mp.prec):
        try:
            d_rho, d_lam = _tie_step(L, M, a, k, rho, lam)
        except ZeroDivisionError:
            return None
        t = mpf(1)
        while not (rho + t * d_rho > rc and lam + t * d_lam > 0):
            t /= 2
            if t < mpf(2) ** -60:
                return None
        rho, lam = rho + t * d_rho, lam + t * d_lam
        if t == 1 and abs(d_rho) <= tiny * rho and abs(d_lam) <= tiny * lam:
            return lam, rho, low
    return None


def threshold_by_bisection(depth: int, m: mpf, ab_of_lam: Callable[[mpf], tuple[mpf, mpf]],
                           rel_tol: mpf | None = None, tie_newton: bool = True, mpfr: bool = True) -> mpf | None:
    """The λ where the global minimizer becomes 0, found by bracketing in λ.

    Works from the objective only: for each λ it compares F at *all* stationary points. Returns
    None when the minimizer never becomes 0 (L = 1) and 0 when m = 0. ``ab_of_lam`` maps λ to
    (a, b) (the convention). For L ≥ 3 a candidate λ from Newton on the tie equations (``_tie_newton``,
    ``tie_newton=True``) is accepted when the objective gap F(0) − min F(nonzero), from all stationary points,
    is > 0 at λ(1 − tol/4) and < 0 at λ(1 + tol/4): that is a bracket of relative width ≤ tol with the winner
    changing inside, what the bracketing below ends with. Otherwise (or ``tie_newton=False``): the gap crosses
    zero transversally and is refined by Newton safeguarded by bisection (the bracket, decided by the sign of the
    gap, is kept throughout; the slope only steers: by the envelope theorem d/dλ min F(nonzero) = ∂F/∂λ =
    (b/λ)·Lρ²/2 at the minimizing ρ, and F(0) does not depend on λ); for L = 2 the nonzero branch vanishes
    continuously and the predicate "a nonzero point beats 0" is bisected. ``mpfr``: these steps run first in gmpy2
    mpfr at the same precision (``scalar_tie_mpfr``; the same λ up to rounding), mpmath where that does not accept.
    """
    if depth == 1:
        return None
    if m == 0:
        return mpf(0)
    tol = rel_tol if rel_tol is not None else mpf(10) ** (-mpmath.mp.dps + 3)

    seen: dict[mpf, tuple[mpf, mpf] | None] = {}
    radii: list = []  # the two radii at the last λ that had them: warm start for the next (λ moves little)

    def evaluate(lam: mpf) -> tuple[mpf, mpf] | None:
        """(gap, best nonzero ρ) at λ, cached per λ: the bracketing, its re-check, Newton's start and each
        slope ask for the same λ again (at L = 3 this halves the stationary-point solves)."""
        if lam not in seen:
            a, b = ab_of_lam(lam)
            classes = stationary_classes(depth, m, a, b, radii[-1] if radii else None)
            nonzero = [c for c in classes if c.rho > 0]
            if len(nonzero) == 2:
                radii.append([c.rho for c in nonzero])
            best = min(nonzero, key=lambda c: c.objective) if nonzero else None
            zero = classes[0].objective  # the class w = 0 (depth ≥ 2): F(0) evaluated by ``objective``
            seen[lam] = None if best is None else (zero - best.objective, best.rho)
        return seen[lam]

    def gap(lam: mpf) -> mpf | None:
        value = evaluate(lam)
        return None if value is None else value[0]

    def slope(lam: mpf) -> mpf:
        _, b = ab_of_lam(lam)
        return -(b / lam) * depth * evaluate(lam)[1] ** 2 / 2

    if depth == 2 and mpfr:
        from .scalar_tie_mpfr import continuous_threshold

        fast = continuous_threshold(m, ab_of_lam, tol)
        if fast is not None:
            return fast
    if depth >= 3 and tie_newton and mpfr:
        from .scalar_tie_mpfr import tie_threshold

        try:
            a1, k1 = ab_of_lam(mpf(1))
            start = _tie_start(depth, float(abs(m)), float(a1), float(k1))
        except (ArithmeticError, ValueError, OverflowError, ZeroDivisionError):
            start = None
        fast = tie_threshold(depth, m, ab_of_lam, tol, start) if start is not None else None
        if fast is not None:
            return fast
    if depth >= 3 and tie_newton:
        found = _tie_newton(depth, m, ab_of_lam)
        if found is not None:
            lam, rho, low = found
            radii.append([low, rho])  # warm starts for the two radii at λ(1 ∓ tol/4)
            below, above = gap(lam * (1 - tol / 4)), gap(lam * (1 + tol / 4))
            if below is not None and above is not None and below > 0 and above < 0:
                return lam

    rounding = mpf(10) ** (-mpmath.mp.dps + 5)

    def nonzero_wins(lam: mpf) -> bool:
        # A tie within rounding counts for the nonzero point: at L = 2 the gap F(0) − F(ρ) = (a/2)ρ⁴
        # vanishes faster than ρ² near the collapse point, so any nonzero stationary point whose
        # objective ties 0 to working precision still marks "not collapsed". At L ≥ 3 this only
        # shifts the initial bracket, which Newton then refines on the smooth gap.
        g = gap(lam)
        if g is None:
            return False
        a, _ = ab_of_lam(lam)
        return g >= -rounding * a * m * m

    # start at the natural scale λ0 = a·|m|^(2−2/L)/(L·k) (b = k·λ): only a starting point, the
    # bracket is then established by sign changes of the objective gap
    a1, k1 = ab_of_lam(mpf(1))
    bracket = bracket_collapse(nonzero_wins, a1 * abs(m) ** (2 - mpf(2) / depth) / (depth * k1))
    if bracket is None:
        raise ArithmeticError("could not bracket the collapse threshold")
    lo, hi = bracket
    for _ in range(100000):
        if hi - lo <= tol * hi:
            return (lo + hi) / 2
        if depth >= 3 and gap(hi) is not None:
            return _solve_newton_bracket(gap, slope, lo, hi)
        mid = (lo + hi) / 2
        if nonzero_wins(mid):
            lo = mid
        else:
            hi = mid
    raise ArithmeticError("threshold bisection did not converge")
