"""Claim kind: the collapse threshold of the deep scalar problem is a given closed form.

A claim states λ*(m, L) = formula(|m|, L) under a convention for some depths (or ``formula=None``:
the minimizer never collapses). Four independent routes judge it:
- symbolic: λ* derived exactly per depth by elimination (``derive_threshold``), plus general L (proved for
  every L ≥ 3, with its derivation step by step);
- certified: Arb enclosures of λ* with every stationary point isolated and the minimizer proved on both
  sides (``verify.certified.threshold``, ``verify.claims.certified_scalar``);
- high precision: bracketing in λ on the objective's values at *all* stationary points (mpmath);
- numeric: float64 kernels decide which point is global at λ_claim·(1 ∓ δ) on random targets.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable, Sequence

import mpmath
import sympy as sp

from ..conventions import Convention, get_convention
from ..errors import UsageError
from ..highprec import scalar as hp
from ..numbers import dec, digits_of_agreement, to_mpf
from ..symbolic.log_identity import forcing_is_sound, log_combination_vanishes
from ..symbolic.scalar import (L_sym, a as a_sym, b as b_sym, derive_threshold, exact_ratio, general_depth_ratio,
                               lam_star, mabs, rho)
from .base import Check, CheckResult, Claim, Tier, Verdict
from .context import RunContext
from .property_exact import exact_sign
from .derivation import step
from .sampling import random_targets, targets_per_depth
from .scope import depth_text
from .scalar_common import (MAX_DEPTH, ClaimUndecided, ClaimValueError, claim_depths, claim_depths_in, claimed_formula,
                            claimed_values, formula_at, sentinels)
from .shrinking import depth_target_shrinker
from .threshold_numeric import _numeric

def _ab_of_lam(conv: Convention, depth: int):
    k = conv.b_over_lam(depth)
    a_mp = mpmath.mpf(int(conv.a))
    k_mp = mpmath.mpf(k.p) / k.q

    def f(lam):
        return a_mp, k_mp * lam
    return f


#: targets at which the symbolic tier compares derived and claimed thresholds numerically (exactly read)
PROBES = (sp.Rational(7, 3), sp.Rational(2, 11))


def _too_large(expr: sp.Expr) -> bool:
    """True for integer powers of sums beyond degree 64: expanding them is the runaway cost of simplify."""
    return any(p.exp.is_Integer and abs(int(p.exp)) > 64 and p.base.is_Add for p in expr.atoms(sp.Pow))


def _compare(derived: sp.Expr, claimed: sp.Expr, dps: int) -> tuple[str, dict]:
    """("equal" | "differs" | "undecided", evidence) for two closed forms in |m| at one depth.

    Numbers first: both evaluated at the PROBES to dps + 10 digits (the claim by ``claimed_values``,
    which survives cancellation); a difference beyond 10^(−dps/2) relative is certain. Then an exact
    proof: expansion, or the ratio reduced to 1 via powers and logarithms (``exact_ratio``).
    """
    for probe in PROBES:
        d = to_mpf(derived.subs(mabs, probe), dps + 10)
        try:
            c = claimed_values(claimed, mabs, [probe], dps + 10)[0]
        except ClaimValueError as exc:
            return "differs", {"m": str(probe), "claimed": str(exc)}
        if digits_of_agreement(d, c) < dps / 2:
            return "differs", {"m": str(probe), "derived_value": dec(d, 25), "claimed_value": dec(c, 25)}
    if _too_large(claimed):
        return "undecided", {"reason": "the claimed formula has a power of a sum beyond degree 64; "
                                       "it was not expanded (numerically equal at the probes)"}
    if sp.expand(derived - claimed) == 0:
        return "equal", {}
    ratio = exact_ratio(derived, sp.sqrtdenest(claimed))
    if ratio == 1:
        return "equal", {}
    return "undecided", {"reason": "SymPy could not prove equality (numerically equal at the probes)"}


def _symbolic(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    def run(ctx: RunContext) -> CheckResult:
        rows, bad = {}, None
        undecided = {}
        chosen = claim_depths_in(ctx, depths, min_depth)
        for L in chosen:
            derived = lam_star(L, conv)
            if formula is None or derived is None:
                ok = formula is None and derived is None
                rows[L] = "no collapse" if derived is None else f"λ* = {derived}"
                if not ok and bad is None:
                    bad = {"depth": L, "derived": str(derived), "claimed": str(formula),
                           "derivation": list(derive_threshold(L).steps)}
                continue
            claimed = formula_at(formula, L)
            outcome, evidence = _compare(derived, claimed, ctx.dps)
            rows[L] = f"λ* = {derived}"
            if outcome == "differs":
                bad = {"depth": L, "derived": str(derived), "claimed": str(claimed), **evidence,
                       "derivation": list(derive_threshold(L).steps)}
                break
            if outcome == "undecided":
                undecided[L] = evidence["reason"]
        details = {"convention": conv.name, "per_depth": {str(k): v for k, v in rows.items()}}
        n = len(rows)
        scope = f"{depth_text(list(rows))}, exact per depth"
        if bad is not None:
            return CheckResult(Verdict.REFUTED, f"derived threshold differs from the claim at depth {bad['depth']}",
                               instances=n, counterexample=bad, details=details, scope=scope)
        if undecided:
            return CheckResult(Verdict.INCONCLUSIVE,
                               f"SymPy could not decide equality at depths {sorted(undecided)} (numerically equal)",
                               instances=n, details={**details, "undecided": {str(k): v for k, v in undecided.items()}},
                               scope=scope)
        return CheckResult(Verdict.VERIFIED, f"exact equality at {depth_text(list(rows))}", instances=n,
                           digits=float("inf"), details=details, scope=scope,
                           proved_for=f"every m ≠ 0 (|m| a symbol) at {depth_text(list(rows))}, convention {conv.name}")
    return run


def _general(conv: Convention, formula: sp.Expr | None, min_depth: int):
    """The claim for symbolic L ≥ max(3, min_depth): b*(L)/b_claimed(L) must reduce to 1."""
    start = max(3, min_depth)

    def run(ctx: RunContext) -> CheckResult:
        scope = f"all L ≥ {start} (L as a symbol)"
        if formula is None:
            return CheckResult(Verdict.REFUTED, f"for every L ≥ {start} the derivation gives a collapse at "
                               "b*(L) = a(|m| − x)x^((L−2)/L) > 0, x = |m|(L−2)/(L−1), contrary to \"no collapse\"",
                               instances=1, scope=scope, counterexample={"depth": start})
        claimed_b = conv.b_num * formula / (L_sym if conv.b_per_depth else 1)
        ratio = general_depth_ratio(claimed_b, conv.a, start)
        if ratio is None:
            return CheckResult(Verdict.INCONCLUSIVE,
                               f"for general L ≥ {start}, SymPy could not reduce b*(L)/b_claimed(L) to a function of "
                               "L alone: the claim is established only at the depths the other checks list",
                               instances=1, scope=scope)
        details = {"general_L_ratio_b*/b_claimed": str(ratio)}
        if ratio == 1 or sp.simplify(ratio - 1) == 0:
            if not elimination_confirms(conv, claimed_b, start):
                return CheckResult(Verdict.INCONCLUSIVE, f"for every L ≥ {start}, b*(L)/b_claimed(L) simplifies to 1 "
                                   "with b*(L) written out, but SymPy did not confirm that the symbolic-L elimination "
                                   "gives that b*(L): not shown as a proof", instances=1, details=details, scope=scope)
            return CheckResult(Verdict.VERIFIED, f"for every L ≥ {start}, b*(L)/b_claimed(L) simplifies to 1",
                               instances=1, digits=float("inf"), details=details, scope=scope,
                               proved_for=f"every integer L ≥ {start}, every m ≠ 0 (convention {conv.name}: "
                                          f"a = {conv.a}, b = k(L)·λ)",
                               derivation=general_derivation(conv, claimed_b, start))
        if L_sym not in ratio.free_symbols:
            # simplify not reaching 1 proves nothing (2(cos π/7 + cos 3π/7 + cos 5π/7) is 1, and simplify does not
            # see it): ratio − 1 refutes only when its sign is proved nonzero (strict evalf, ``exact_sign``)
            if exact_sign(ratio - 1) in (0, None):
                return CheckResult(Verdict.INCONCLUSIVE, f"for every L ≥ {start} the ratio b*(L)/b_claimed(L) is the "
                                   f"constant {ratio}, which SymPy could neither prove equal to 1 nor tell apart from "
                                   "1", instances=1, details=details, scope=scope)
            return CheckResult(Verdict.REFUTED, f"for every L ≥ {start} the ratio b*(L)/b_claimed(L) is the constant "
                               f"{ratio} ≠ 1", instances=1, details=details, scope=scope,
                               counterexample={"depth": start, "general_L_ratio_b*/b_claimed": str(ratio)})
        for L in range(start, MAX_DEPTH + 1):
            value = to_mpf(ratio.subs(L_sym, L), ctx.dps)
            if digits_of_agreement(value, mpmath.mpf(1)) < ctx.dps / 2:
                return CheckResult(Verdict.REFUTED, f"for general L the ratio b*(L)/b_claimed(L) is {ratio}, "
                                   f"{dec(value, 15)} at L = {L}", instances=1, details=details, scope=scope,
                                   counterexample={"depth": L, "general_L_ratio_b*/b_claimed": str(ratio),
                                                   "ratio_at_depth": dec(value, 25)})
        return CheckResult(Verdict.INCONCLUSIVE, f"for general L the ratio b*(L)/b_claimed(L) is {ratio}: not "
                           f"simplified to 1, equal to 1 numerically at L = {start}…{MAX_DEPTH}",
                           instances=1, details=details, scope=scope)
    return run


#: appended to the scope of a check that corroborates the certified one
CORROBORATES = ("; corroborates the certified check (same statement at the same depths, certified there) and "
                "the symbolic proof")


@lru_cache(maxsize=None)
def _symbolic_L_elimination() -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """φ, b(ρ) from φ' = 0, the tie (φ(ρ) − φ(0))/ρ² at that b, its root x = ρ^L and b*, all with L a symbol
    (derived by SymPy once, for the printed derivation; the proof is ``general_depth_ratio``)."""
    phi = a_sym / 2 * (rho**L_sym - mabs) ** 2 + b_sym * L_sym / 2 * rho**2
    dphi = sp.diff(phi, rho)
    slope = sp.expand(sp.diff(dphi, b_sym))  # φ' is linear in b: b = −φ'|_{b=0} / slope
    if slope != 0 and not slope.has(b_sym):
        b_rho = sp.factor(-sp.expand(dphi.subs(b_sym, 0)) / slope)
    else:
        b_rho = sp.factor(sp.solve(dphi, b_sym)[0])
    tie = sp.factor(sp.powsimp(sp.expand((phi - phi.subs(rho, 0)).subs(b_sym, b_rho) / rho**2)))
    X = sp.Symbol("X", positive=True)
    x = _positive_root(sp.expand(tie).subs(rho**L_sym, X), X)
    b_star = sp.powdenest(b_rho.subs(rho, x ** (1 / L_sym)), force=True)
    return phi, b_rho, tie, x, b_star


def _positive_root(expr: sp.Expr, X: sp.Symbol) -> sp.Expr:
    """The positive solution X of expr = 0 (X a positive symbol). The tie's numerator is c2·X² + c1·X, whose roots
    are 0 (excluded, X > 0) and −c1/c2 (``factor``ed: the expression ``sp.solve`` returns, without its general machinery); any other
    shape is left to ``sp.solve``."""
    num = sp.numer(sp.together(expr))
    try:
        poly = sp.Poly(num, X)
    except sp.PolynomialError:
        poly = None
    if poly is not None and poly.degree() == 2 and poly.nth(0) == 0 and poly.nth(2) != 0:
        root = sp.factor(-poly.nth(1) / poly.nth(2))
        if root.is_positive is not False:  # sp.solve's rule for a positive unknown (here m(L−2)/(L−1) > 0, L ≥ 3)
            return root
    return sp.solve(expr, X)[0]


def _elimination_log_ratio(conv: Convention, claimed_b: sp.Expr) -> sp.Expr:
    """log(b*/b_claim) with b* from the symbolic-L elimination (``_symbolic_L_elimination``), logs expanded."""
    return _log_ratio_at(sp.sympify(conv.a), claimed_b)


@lru_cache(maxsize=64)
def _log_ratio_at(a_value: sp.Expr, claimed_b: sp.Expr) -> sp.Expr:
    """``_elimination_log_ratio`` for a = a_value, once per process per (a, claim): conventions that share a and
    the claimed b*(L) (A1 and S2; S, B and A2 in the catalogue) share this exact derivation."""
    b_star = _symbolic_L_elimination()[4]
    return sp.expand_log(sp.log(b_star.subs(a_sym, a_value) / claimed_b), force=True)


def elimination_confirms(conv: Convention, claimed_b: sp.Expr, start: int) -> bool:
    """True when the printed derivation is itself a proof: log(b*/b_claim), b* from SymPy's elimination with L a
    symbol, simplifies to 0 with L = k + start (k ≥ 0 an integer). ``general_depth_ratio`` compares the claim with
    the closed form b*(L) written out; this ties that closed form to the derivation shown in the report."""
    return _elimination_zero(sp.sympify(conv.a), claimed_b, start)


@lru_cache(maxsize=64)
def _elimination_zero(a_value: sp.Expr, claimed_b: sp.Expr, start: int) -> bool:
    """``elimination_confirms`` for a = a_value, simplified once per process per (a, claim, start)."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    b_star = _symbolic_L_elimination()[4]
    quotient = (b_star.subs(a_sym, a_value) / claimed_b).subs(L_sym, k + start)
    if not forcing_is_sound(quotient):  # expand_log(force=True) would be no identity: not shown
        return False
    shifted = sp.expand_log(sp.log(quotient), force=True)
    return log_combination_vanishes(shifted) or sp.simplify(shifted) == 0


def _eq(lhs: sp.Expr, rhs: object) -> sp.Equality:
    """lhs = rhs as a printed step: unevaluated (SymPy's ``Eq`` would otherwise try to decide it, at a cost)."""
    return sp.Eq(lhs, rhs, evaluate=False)


def general_derivation(conv: Convention, claimed_b: sp.Expr, start: int) -> list[dict[str, str]]:
    """The symbolic-L proof, step by step (docs/mathematics.md §K1)."""
    phi, b_rho, tie, x, b_star = _symbolic_L_elimination()
    log_ratio = _elimination_log_ratio(conv, claimed_b)
    B = sp.Symbol("b^*", positive=True)
    return [
        step("Every stationary point is balanced, |w_l| = ρ with the product's sign that of m; there "
             "F equals φ(ρ) (b = k(L)·λ, m written for |m|)", _eq(sp.Function("phi")(rho), phi)),
        step("φ'(ρ) = 0 with ρ > 0 is linear in b", _eq(b_sym, b_rho)),
        step("0 and ρ tie, φ(ρ) = φ(0), at that b: divided by ρ² > 0", _eq(tie, 0)),
        step("its only positive solution", _eq(rho**L_sym, x)),
        step("so the jump happens at", _eq(B, b_star)),
        step(f"the claim under {conv.name}, as b = k(L)·λ", _eq(sp.Symbol("b_claim", positive=True), claimed_b)),
        step(f"logarithms, expanded with L a symbol (L ≥ {start})", _eq(sp.log(B / sp.Symbol("b_claim")),
                                                                         log_ratio)),
        step(f"with L = k + {start} (k ≥ 0 an integer) it reduces to 0 exactly (checked by the verdict): "
             f"b*(L) = b_claim(L) for every L ≥ {start}", "log(b*/b_claim) = 0"),
    ]


def _note(cover: bool, only_depth1: bool) -> str:
    if only_depth1:
        return "; corroborates the symbolic proof at L = 1 (no collapse for every m ≠ 0 and λ > 0)"
    return CORROBORATES if cover else ""


def _high_precision(conv: Convention, formula: sp.Expr | None, depths, min_depth: int, note: str = ""):
    def run(ctx: RunContext) -> CheckResult:
        work = ctx.dps + 20
        # bisection/Illinois stop at 10^-(work-3) relative; agreement to ctx.dps digits is required,
        # and a difference above 10^-(ctx.dps) relative is a refutation (17 digits of headroom).
        chosen = claim_depths_in(ctx, depths, min_depth)
        extra = sentinels(chosen, max(min_depth, 1)) if depths is None else []
        rng = ctx.rng(f"threshold-hp:{conv.name}")
        per = targets_per_depth(ctx.profile.hp_instances, len(chosen))
        plan = [(L, random_targets(rng, per)) for L in chosen] + [(L, random_targets(rng, 1)) for L in extra]
        scope = f"{depth_text(chosen)} ({per} targets each)" if chosen else "no profile depths"
        if extra:
            scope += f"; sentinel {depth_text(extra)} (1 target each)"
        scope += note
        worst = float("inf")
        count, samples = 0, []
        for L, targets in plan:
            for m in targets:
                with mpmath.workdps(work):
                    lam_bis = hp.threshold_by_bisection(L, to_mpf(m, work), _ab_of_lam(conv, L))
                    try:
                        claimed = None if formula is None else claimed_values(formula_at(formula, L), mabs,
                                                                               [abs(m)], work)[0]
                    except ClaimValueError as exc:
                        return CheckResult(Verdict.REFUTED, f"depth {L}, m = {m}: {exc}", instances=count + 1,
                                           scope=scope, counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                                                        "lambda_bisection": dec(lam_bis, ctx.dps)})
                count += 1
                if lam_bis is None or claimed is None:
                    if (lam_bis is None) != (claimed is None):
                        return CheckResult(
                            Verdict.REFUTED, f"depth {L}: collapse {'absent' if lam_bis is None else 'present'} "
                            "in the objective, contrary to the claim", instances=count, scope=scope,
                            counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                            "lambda_bisection": None if lam_bis is None else dec(lam_bis, ctx.dps),
                                            "lambda_claimed": None if claimed is None else dec(claimed, ctx.dps)})
                    continue
                d = digits_of_agreement(lam_bis, claimed)
                worst = min(worst, d)
                if len(samples) < 6:
                    samples.append({"depth": L, "m": str(m), "lambda": dec(lam_bis, ctx.dps), "digits": round(d, 1)})
                if d < ctx.dps:
                    return CheckResult(
                        Verdict.REFUTED, f"depth {L}, m = {m}: bisection and claim agree to {d:.1f} digits only "
                        f"(relative difference {dec(abs(lam_bis - claimed) / abs(claimed), 3)})",
                        digits=d, instances=count, scope=scope,
                        tolerance=f"agreement to {ctx.dps} digits required (working precision {work})",
                        counterexample={"depth": L, "m": str(m), "convention": conv.name,
                                        "lambda_bisection": dec(lam_bis, ctx.dps + 5),
                                        "lambda_claimed": dec(claimed, ctx.dps + 5),
                                        "relative_difference": dec(abs(lam_bis - claimed) / abs(claimed), 5)})
        summary = (f"bisection on λ agrees with the claim to ≥ {worst:.1f} digits on {count} instances"
                   if worst != float("inf") else f"no collapse found on {count} instances, as claimed")
        return CheckResult(Verdict.VERIFIED, summary, digits=None if worst == float("inf") else worst,
                           instances=count, scope=scope,
                           tolerance=f"≥ {ctx.dps} digits of agreement; λ found at {work} digits",
                           details={"samples": samples})
    return run


def threshold_disagreement(thresholds: Callable[[int, sp.Rational], tuple]) -> Callable[[tuple[int, str]], bool]:
    """The threshold shrinkers' test on an example (L, m as text), from (λ* found at 40 digits, λ* claimed) =
    ``thresholds(L, m)`` (None: no collapse): one collapses and the other not, or they agree to fewer than 25
    digits. A claim with no value there disagrees; one that cannot be evaluated within the budget does not."""
    def disagrees(example: tuple[int, str]) -> bool:
        L, m_text = example
        try:
            found, claimed = thresholds(L, sp.Rational(m_text))
        except ClaimValueError:
            return True
        except ClaimUndecided:
            return False
        if found is None or claimed is None:
            return (found is None) != (claimed is None)
        return digits_of_agreement(found, claimed) < 25
    return disagrees


def _shrinker(conv: Convention, formula: sp.Expr | None, depths, min_depth: int):
    """Smallest depth and simplest m where bisection (30 digits) and the claim disagree."""
    def thresholds(L: int, m: sp.Rational):
        with mpmath.workdps(40):
            lam = hp.threshold_by_bisection(L, to_mpf(m, 40), _ab_of_lam(conv, L))
            claimed = None if formula is None else claimed_values(formula_at(formula, L), mabs, [abs(m)], 40)[0]
        return lam, claimed

    def pool(ctx: RunContext) -> list[int]:
        chosen = claim_depths_in(ctx, depths, min_depth)
        return sorted(set(chosen) | (set(sentinels(chosen, max(min_depth, 1))) if depths is None else set()))

    def describe(L: int, m_text: str) -> dict:
        with mpmath.workdps(30):
            lam = hp.threshold_by_bisection(L, to_mpf(sp.Rational(m_text), 30), _ab_of_lam(conv, L))
            claimed = None if formula is None else formula_at(formula, L).subs(mabs, abs(sp.Rational(m_text)))
        return {"depth": L, "m": m_text, "convention": conv.name,
                "lambda_true": None if lam is None else dec(lam, 20),
                "lambda_claimed": None if claimed is None else dec(claimed, 20),
                "reproduce": f"verify threshold --depth {L} --target {m_text} --convention {conv.name}"}
    return depth_target_shrinker(pool, threshold_disagreement(thresholds), f"threshold:{conv.name}", describe)


def threshold_claim(id: str, statement: str, source: str, formula: sp.Expr | None,
                    convention: str | Convention = "A1", depths: Sequence[int] | None = None,
                    min_depth: int = 3, resolutions: Sequence[str] = (), paper: str = "") -> Claim:
    """Declare "the scalar minimizer collapses to 0 exactly at λ = formula(|m|, L)".

    ``formula`` is a SymPy expression in ``verify.symbolic.scalar.mabs`` (|m|) and ``L_sym`` (L), or
    None for "never collapses". ``depths`` fixes the depths; by default the claim covers every L ≥ min_depth:
    the profile's depths are checked per depth, L as a symbol by a general check, and a few sentinel depths
    up to 64 at high precision.
    """
    conv = get_convention(convention)
    if isinstance(min_depth, bool) or not isinstance(min_depth, int) or not 1 <= min_depth <= MAX_DEPTH:
        raise UsageError(f"min_depth must be an integer from 1 to {MAX_DEPTH}, got {min_depth!r}")
    depths = claim_depths(depths)
    if formula is not None:
        formula = claimed_formula(formula, "the threshold formula")
    checks = [Check("derived threshold equals the claim at each depth", Tier.SYMBOLIC,
                    _symbolic(conv, formula, depths, min_depth))]
    if depths is None:
        checks.append(Check("derived threshold equals the claim for every depth", Tier.SYMBOLIC,
                            _general(conv, formula, min_depth)))
    certified = depths is None or any(L >= 2 for L in depths)
    if certified:
        from .certified_scalar import threshold_check

        checks.append(Check("certified enclosure of λ* and the minimizer on both sides (Arb)", Tier.CERTIFIED,
                            threshold_check(
                                conv.name, formula, lambda ctx: claim_depths_in(ctx, depths, min_depth), depths is not None,
                                min_depth)))
    # with the certified check present (and the symbolic proof), bisection and float64 sampling re-check the
    # statement it certifies at the same depths: they corroborate and do not set the headline strength
    # at L = 1 only, "no collapse" is proved for every m and λ by the per-depth symbolic check (F is a strictly
    # convex quadratic with minimizer a·m/(a + b) ≠ 0): the numeric tiers re-check that statement
    only_depth1 = formula is None and depths is not None and set(depths) == {1}
    cover = (certified and formula is not None) or only_depth1
    checks += [
        Check("bisection on λ over all stationary points", Tier.HIGH_PRECISION,
              _high_precision(conv, formula, depths, min_depth, _note(cover, only_depth1)),
              corroborates=cover),
        Check("float64 global minimizer on both sides of the threshold", Tier.NUMERIC,
              _numeric(conv, formula, depths, min_depth, _note(cover, only_depth1)),
              corroborates=cover),
    ]
    return Claim(id, statement, source, tuple(checks), tuple(resolutions), paper,
                 shrink=_shrinker(conv, formula, depths, min_depth))
