"""What both routes of the sharpness claim share: the formula's symbol λ, the claim evaluated at a point
(exactly at working digits, or as a float64 function), the depths a check runs at, the fraction of the
threshold at which λ is drawn, the verdict for a claim that is no finite real number there, the comparison
of the largest eigenvalue with the claim (mpmath and float64 tallies, the shrinker's and the confirmation's
test) and the three checks themselves.

In one place so that the convention route (``verify.claims.sharpness_convention``) and the user-problem
route (``verify.claims.sharpness_problem``) read and evaluate a claim the same way.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from ..numbers import dec
from ..symbolic.scalar import L_sym
from .base import Check, CheckResult, Tier, Verdict
from .context import RunContext
from .formula_values import float_route_disagrees, float_route_inconclusive, real_value
from .scalar_common import ClaimUndecided, ClaimValueError


#: λ (the claims' "lam"); the same object as verify.problems.symbols.LAM (SymPy symbols are equal by name
#: and assumptions)
LAM = sp.Symbol("lam", positive=True)


def fraction_below(rng: np.random.Generator) -> float:
    """A fraction of the threshold in (0.02, 0.98): λ well inside the nonzero phase, near it included."""
    return round(float(rng.uniform(0.02, 0.98)), 6)


def chosen_depths(ctx: RunContext, depths: Sequence[int] | None, min_depth: int,
                  cap: int | None = None) -> list[int]:
    """The claim's own depths, or else the profile's depths from ``min_depth`` up to ``cap``."""
    if depths is not None:
        return list(depths)
    return [L for L in ctx.profile.depths if L >= min_depth and (cap is None or L <= cap)]


@lru_cache(maxsize=256)
def _at_depth(formula: sp.Expr, depth: int) -> sp.Expr:
    """The claim with L = depth (the same expression for every instance at that depth: built once)."""
    return sp.sympify(formula).subs(L_sym, depth)


def claimed_mp(formula: sp.Expr, depth: int, values: dict, work: int) -> mpmath.mpf:
    """The claim at depth L and the given symbol values (mpf), by SymPy's adaptive evalf at ``work`` digits."""
    try:
        expr = _at_depth(formula, depth)
    except TypeError:  # an unhashable formula object: build it here
        expr = sp.sympify(formula).subs(L_sym, depth)
    at = {s: sp.Float(v, work) for s, v in values.items() if s in expr.free_symbols}
    if expr.free_symbols - set(at):  # the names were validated when the claim was built: a route's omission
        raise RuntimeError(f"no value for {sorted(map(str, expr.free_symbols - set(at)))} in the sharpness formula")
    return real_value(expr, at, work, "the claimed sharpness")


def refuted_value(L: int, m: object, lam: mpmath.mpf, name: str, why: str, count: int, scope: str) -> CheckResult:
    """REFUTED: at depth L, target m and λ the claim is no finite real number (``why`` says what it is)."""
    return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {why}", instances=count, scope=scope,
                       counterexample={"depth": L, "m": str(m), "lambda": dec(lam, 30), "problem": name,
                                       "claimed": why})


def float_claim(formula: sp.Expr, depth: int, symbols: Sequence[sp.Symbol]) -> Callable[..., np.ndarray]:
    """The claim at depth L as a NumPy function of ``symbols`` (float64; mismatches are confirmed in mpmath). Its
    ``disagrees(args, values)`` probes those values against the formula's exact value (``float_route_disagrees``,
    relative to the values themselves: the largest eigenvalue is ||H|| at a minimizer)."""
    expr = sp.sympify(formula).subs(L_sym, depth)
    fn = sp.lambdify(list(symbols), expr, "numpy")

    def f(*args):
        with np.errstate(all="ignore"):
            return np.broadcast_to(np.asarray(fn(*args), dtype=float), np.shape(args[0])).copy()

    f.disagrees = lambda args, values: float_route_disagrees(expr, symbols, args, values, values)
    return f


def largest_differs(eig: Sequence[mpmath.mpf], claimed: mpmath.mpf, digits: int) -> bool:
    """True when the largest eigenvalue and the claim differ by more than 10^-digits·||H||."""
    return abs(eig[-1] - claimed) > max(abs(e) for e in eig) * mpmath.mpf(10) ** -digits


def claim_differs(formula: sp.Expr, depth: int, values: dict, eig: Sequence[mpmath.mpf]) -> bool:
    """The shrinkers' test at 40 digits: the claim is no finite real number (True), could not be evaluated
    within the budget (False: unknown), or differs from the largest eigenvalue by more than 10^-25·||H||."""
    try:
        c = claimed_mp(formula, depth, values, 40)
    except ClaimValueError:
        return True
    except ClaimUndecided:
        return False
    return largest_differs(eig, c, 25)


def balanced_flips(rng: np.random.Generator, n: int, depth: int) -> np.ndarray:
    """n random sign patterns s ∈ {±1}^L with s_1·…·s_L = 1: D_s W keeps the end-to-end product, so the
    flipped point is a minimizer too (one draw of n×L signs)."""
    flips = rng.choice([-1.0, 1.0], size=(n, depth))
    flips[:, -1] = np.prod(flips[:, :-1], axis=1)
    return flips


class MpmathTally:
    """The high-precision tier's comparisons: the largest eigenvalue at working precision against the claim at
    each minimizer, agreement to ``need`` digits relative to ||H|| required (eigenvalues at ``work`` digits).

    ``label`` names the problem in a value refutation (``refuted_value``); ``ident`` ({"convention": …} or
    {"problem": …}) names it in a counterexample."""

    def __init__(self, formula: sp.Expr, work: int, need: int, scope: str, label: str, ident: dict) -> None:
        self.formula, self.work, self.need, self.scope = formula, work, need, scope
        self.label, self.ident = label, ident
        self.worst, self.count = float("inf"), 0

    def judge(self, depth: int, m: object, lam: mpmath.mpf, rho_value: mpmath.mpf, values: dict,
              eig: Sequence[mpmath.mpf], signs: list | None = None) -> CheckResult | None:
        """None when the claim at ``values`` matches the largest of ``eig`` (ascending); else REFUTED at
        (depth, m, λ, ρ) (and the sign pattern, when given). Inside ``mpmath.workdps(work)``.

        The claim is evaluated by SymPy's adaptive evalf (``claimed_mp``) for agreement and refutation alike: a
        fixed-precision evaluation (a compiled mpmath function) can agree with the eigenvalue on a claim that
        cancels catastrophically, e.g. c + ((1 + t)² − 1 − t²)/(2t)/1000 with t = ρ·10^−100."""
        scale = max(abs(e) for e in eig)
        try:
            c = claimed_mp(self.formula, depth, values, self.work)
        except ClaimValueError as exc:
            return refuted_value(depth, m, lam, self.label, str(exc), self.count + 1, self.scope)
        self.count += 1
        diff = abs(eig[-1] - c)
        dig = float(-mpmath.log10(diff / scale)) if diff else float(self.work)
        self.worst = min(self.worst, dig)
        if dig < self.need:
            where = {"depth": depth, "m": str(m), "lambda": dec(lam, 30), **self.ident, "rho": dec(rho_value, 30)}
            if signs is not None:
                where["signs"] = signs
            return CheckResult(
                Verdict.REFUTED, f"depth {depth}: the largest Hessian eigenvalue is {dec(eig[-1], 20)}, the claim "
                f"gives {dec(c, 20)}", digits=dig, instances=self.count, scope=self.scope,
                tolerance=f"agreement to {self.need} digits relative to ||H||",
                counterexample={**where, "eigenvalues": [dec(e, 25) for e in eig], "claimed": dec(c, 25)})
        return None

    def verified(self) -> CheckResult:
        """VERIFIED over every minimizer judged."""
        return CheckResult(Verdict.VERIFIED, f"the largest eigenvalue at working precision matches the claim to "
                           f"≥ {self.worst:.1f} digits at {self.count} minimizers", digits=self.worst, instances=self.count,
                           scope=self.scope,
                           tolerance=f"≥ {self.need} digits relative to ||H|| (working precision {self.work})")


class FloatTally:
    """The numeric tier's comparisons: the largest float64 eigenvalue against the claim per batch of
    minimizers, within 4·(32·L·eps·||H|| + ||H||·|∇F|/(λ_min·ρ)) (rounding of the Hessian, and the residual
    gradient of the float64 minimizer moving the eigenvalues); a mismatch refutes only when ``confirm``
    (mpmath) agrees, else it is a conflict."""

    def __init__(self, scope: str, tolerance: str, ident: dict) -> None:
        self.scope, self.tolerance, self.ident = scope, tolerance, ident
        self.total, self.skipped, self.worst, self.conflicts = 0, 0, np.inf, []

    def judge(self, depth: int, H: np.ndarray, G: np.ndarray, claimed: np.ndarray, m: np.ndarray, lam: np.ndarray,
              rho_values: np.ndarray, confirm: Callable[[float, float], bool],
              route: dict | None = None) -> CheckResult | None:
        """Rows: Hessians H, gradients G, the claim, m, λ and ρ of each minimizer; ``confirm(m, λ)`` re-decides
        the worst mismatch in mpmath. ``route``: where the float64 values of the claim are not its values
        (``float_claim``'s ``disagrees``): INCONCLUSIVE, float64 cannot judge the claim. Else None unless a
        confirmed mismatch refutes."""
        if route is not None:
            return float_route_inconclusive(f"depth {depth}", route, self.total, scope=self.scope,
                                            tolerance=self.tolerance)
        eps = np.finfo(float).eps
        eig = np.linalg.eigvalsh(H)
        norm = np.abs(eig).max(axis=1)
        tol = 4 * (32 * depth * eps * norm + norm * np.linalg.norm(G, axis=1) / (np.abs(eig).min(axis=1) * rho_values))
        err = np.abs(eig[:, -1] - claimed)
        err[~np.isfinite(claimed)] = np.inf
        self.total += len(rho_values)
        self.worst = min(self.worst, float(np.min(1 - err / tol)))
        for j in np.argsort(-(err / tol)):
            if err[j] <= tol[j]:
                break
            where = {"depth": depth, "m": repr(float(m[j])), "lambda": repr(float(lam[j])), **self.ident,
                     "rho": repr(float(rho_values[j])), "largest_eigenvalue": repr(float(eig[j, -1])),
                     "claimed": repr(float(claimed[j]))}
            if confirm(float(m[j]), float(lam[j])):
                return CheckResult(Verdict.REFUTED, f"depth {depth}: float64 largest Hessian eigenvalue "
                                   f"{eig[j, -1]:.12g} vs claimed {claimed[j]:.12g} (confirmed in mpmath)",
                                   instances=self.total, scope=self.scope, tolerance=self.tolerance,
                                   counterexample=where, worst_margin=f"{1 - err[j] / tol[j]:.3e}")
            self.conflicts.append(where)
            break
        return None

    def result(self, skipped_why: str) -> CheckResult:
        """INCONCLUSIVE on a conflict, else VERIFIED (``skipped_why``: why the skipped draws were skipped)."""
        if self.conflicts:
            return CheckResult(Verdict.INCONCLUSIVE, "conflict: float64 says the claim differs from the largest "
                               "eigenvalue, mpmath says it agrees", instances=self.total, scope=self.scope,
                               tolerance=self.tolerance, details={"conflicts": self.conflicts[:5]})
        return CheckResult(Verdict.VERIFIED, f"float64 largest Hessian eigenvalue matches the claim at {self.total} "
                           f"global minimizers ({self.skipped} draws {skipped_why})", instances=self.total,
                           worst_margin=None if self.total == 0 else f"{self.worst:.3e}", scope=self.scope,
                           tolerance=self.tolerance)


def sharpness_checks(symbolic_name: str, symbolic: Callable, high_precision: Callable,
                     numeric: Callable, certified: Callable | None = None,
                     numeric_corroborates: bool = False) -> tuple[Check, ...]:
    """The checks of a sharpness claim (a claimed value beyond the evaluation budget: inconclusive): symbolic,
    high precision, certified (when given) and numeric; ``numeric_corroborates`` marks the float64 check as a
    cross-check of what the high-precision check establishes (same depths and statement)."""
    checks = [
        Check(symbolic_name, Tier.SYMBOLIC, symbolic),
        Check("largest high-precision eigenvalue at global minimizers", Tier.HIGH_PRECISION,
              high_precision),
    ]
    if certified is not None:
        checks.append(Check("certified enclosure of the largest eigenvalue at certified minimizers", Tier.CERTIFIED,
                            certified))
    checks.append(Check("largest float64 eigenvalue at global minimizers", Tier.NUMERIC,
                        numeric, corroborates=numeric_corroborates))
    return tuple(checks)
