"""High-precision tiers never take a fixed-precision value of a claimed formula on trust
(``formula_values.precise_value``: an Arb ball when narrow, else SymPy's adaptive evalf). First the spectrum tier,
then every other claim kind that evaluates a user's formula in mpmath (found by a review of the code).

The spectrum tier: each claimed eigenvalue is enclosed in an Arb ball and taken only when the ball is narrow, else
SymPy's adaptive evalf decides. A claim off by
10⁻³ through a term that cancels catastrophically at the working precision is refuted. Before, a compiled mpmath
value at dps + 5 digits was taken as is, and the fallback was SymPy's subs, which adds Floats at their own precision:
|exp(t) − 1|/t with t = ρ·10⁻¹⁰⁰ is 0 by both routes, and the wrong claim read as right.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.spectrum_values import _numbers, _numbers_mp
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

T = rho / 10 ** 100
ONE = sp.sqrt((sp.exp(T) - 1) ** 2 / T ** 2)  # ≈ 1 + 10⁻¹⁰⁰ρ/2; sp.expand makes it 10¹⁰⁰·|exp(T) − 1|/ρ
TOP = L * a * rho ** (2 * L - 2) + (2 - L) * b  # the catalogue's largest eigenvalue at a nonzero minimizer
GOOD = [(2 * b, L - 1), (TOP, 1)]
OFF = [(2 * b, L - 1), (TOP + sp.Rational(1, 1000) * ONE, 1)]


def _args(work: int) -> tuple:
    return (mpmath.mpf(2), mpmath.mpf(1) / 3, mpmath.mpf(5) / 7, mpmath.mpf("1.2345"))


def test_the_trap_is_real_at_fixed_precision() -> None:
    one = sp.expand(ONE)
    with mpmath.workdps(75):
        fixed = sp.lambdify(rho, one, "mpmath")(mpmath.mpf("1.2345"))
        subs = one.subs(rho, sp.Float("1.2345", 70))
    assert fixed == 0 and subs == 0
    assert abs(one.evalf(30, subs={rho: sp.Float("1.2345", 70)}) - 1) < sp.Float("1e-25")


def test_claimed_value_of_a_cancelling_formula_is_its_true_value() -> None:
    work = 70
    spec = [(sp.expand(e.subs(L, 4)), 1) for e, _ in OFF[1:]]
    with mpmath.workdps(work):
        args = _args(work)
        values = {s: sp.Float(v, work) for s, v in zip((a, b, mabs, rho), args)}
        got = _numbers_mp(spec, args, work)[0]
        want = _numbers(spec, values, work)[0]
        top = _numbers([(TOP.subs(L, 4), 1)], values, work)[0]
    assert abs(got - want) <= mpmath.mpf(10) ** -(work - 3) * abs(want)
    assert abs(got - top - mpmath.mpf(1) / 1000) < mpmath.mpf(10) ** -50


def test_high_precision_tier_refutes_the_cancelling_claim_and_verifies_the_right_one() -> None:
    ctx = RunContext(seed=0, profile=get_profile("quick"))
    for spec, want in ((OFF, Verdict.REFUTED), (GOOD, Verdict.VERIFIED)):
        claim = scalar_spectrum_claim("t.spectrum.cancel", "s", "test", spec, [(b, L)], depths=(3, 4))
        results = [c.execute(ctx) for c in claim.checks if c.tier is Tier.HIGH_PRECISION]
        assert results and all(r.verdict is want for r in results), [r.summary for r in results]


def test_closed_form_evaluators_see_through_cancellation() -> None:
    """``Evaluators.mp`` (claimed thresholds and sharpness of the matrix claims) gives the true value of a formula
    that is 0 at a fixed precision, and the compiled value where the ball is narrow."""
    from verify.claims.closed_form import Evaluators

    s = sp.Symbol("s", positive=True)
    t = s / 10 ** 100
    trap = sp.expand(sp.sqrt((sp.exp(t) - 1) ** 2 / t ** 2))  # 10¹⁰⁰·|exp(t) − 1|/s ≈ 1
    with mpmath.workdps(90):
        assert sp.lambdify(s, trap, "mpmath")(mpmath.mpf(3)) == 0
    value = Evaluators(s ** 2 + trap / 1000, (s,)).mp(mpmath.mpf(3), dps=50)
    plain = Evaluators(sp.sqrt(s) + sp.Rational(1, 3), (s,)).mp(2, dps=50)
    with mpmath.workdps(80):
        assert abs(value - mpmath.mpf("9.001")) < mpmath.mpf(10) ** -60
        assert abs(plain - (mpmath.sqrt(2) + mpmath.mpf(1) / 3)) < mpmath.mpf(10) ** -68


# -- the other claim kinds that evaluate a user's formula in mpmath ---------------------------------------------------

def _trap(x: sp.Symbol) -> sp.Expr:
    """≈ 1 (to 10⁻¹⁰⁰), and 0 at any fixed precision below about 100 digits."""
    big = sp.Integer(10) ** 100
    return big * sp.Abs(sp.exp(x / big) - 1) / x


def _verdicts(claim, ctx, tiers=(Tier.HIGH_PRECISION,), skip: str = "\0") -> list:
    return [c.execute(ctx).verdict for c in claim.checks if c.tier in tiers and skip not in c.name]


QUICK = RunContext(seed=0, profile=get_profile("quick"))


def test_saddle_bound_that_cancels_is_refuted_at_high_precision() -> None:
    from verify.claims.symmetric_kinds import SADDLE_BOUND_NAMES as N, symmetric_spectrum_claim

    c, lm, ln = N["c"], N["lam_m"], N["lam_next"]
    for bound, want in ((4 * c * (lm - ln), Verdict.VERIFIED), (4 * c * (lm - ln) + _trap(lm) / 1000, Verdict.REFUTED)):
        claim = symmetric_spectrum_claim("t.saddles", "spectra", "test", c="1/4", saddle_bound=bound)
        got = _verdicts(claim, QUICK, skip="finite differences")
        assert got and all(v is want for v in got), got


def test_step_rule_that_cancels_is_refuted_at_high_precision() -> None:
    from verify.claims.convergence import DEFAULT_STEP, convergence_claim

    wrong = f"{DEFAULT_STEP} + 2*10**100*abs(exp(c/10**100) - 1)/c"  # the true step is the default + 2: GD diverges
    for rule, want in ((DEFAULT_STEP, Verdict.VERIFIED), (wrong, Verdict.REFUTED)):
        got = _verdicts(convergence_claim("t.conv", "gd converges", "test", c="1/4", step_rule=rule), QUICK)
        assert got and all(v is want for v in got), got


def test_matrix_sharpness_that_cancels_is_refuted_at_high_precision() -> None:
    from verify.claims.matrix_sharpness import derived_sharpness, matrix_sharpness_claim

    # off by 10⁻³: the largest-eigenvalue check refutes (the trace bounds λ_max ≤ trace ≤ n·λ_max still hold);
    # off by 10⁶: the trace check refutes too
    for formula, skip, want in ((derived_sharpness(), "\0", Verdict.VERIFIED),
                                (derived_sharpness() + _trap(mabs) / 1000, "trace", Verdict.REFUTED),
                                (derived_sharpness() + 10 ** 6 * _trap(mabs), "\0", Verdict.REFUTED)):
        got = _verdicts(matrix_sharpness_claim("t.sharp", "s", "test", formula=formula), QUICK, skip=skip)
        assert got and all(v is want for v in got), (formula, got)


def test_symbolic_convergence_tier_keeps_an_irrational_step_exact() -> None:
    """``nsimplify`` once turned η·(1 + e⁻⁵⁰) into a nearby rational, and the exact conditions were checked for that
    other step; now the step stays exact, and an irrational step is outside the exact interval check."""
    from verify.claims.convergence import DEFAULT_STEP, STEP_NAMES, _step_exact, convergence_claim, parse_step_rule

    rule = f"({DEFAULT_STEP})*(1 + exp(-50))"  # η·L = 1 + 2·10⁻²² > 1
    exact = parse_step_rule(rule).xreplace({STEP_NAMES["c"]: sp.Rational(1, 4), STEP_NAMES["lam1"]: 1,
                                            STEP_NAMES["F0"]: 16})
    got = _step_exact(parse_step_rule(rule), sp.Rational(1, 4), 1, 16)
    assert not got.is_Rational and sp.simplify(got - exact) == 0
    claim = convergence_claim("t.conv", "gd converges", "test", c="1/4", step_rule=rule)
    assert all(v is not Verdict.VERIFIED for v in _verdicts(claim, QUICK, tiers=(Tier.SYMBOLIC,)))


def test_exact_numbers_are_evaluated_through_deep_cancellation() -> None:
    """``to_mpf`` (and ``mp_of``, which uses it) of an exact number: SymPy's default ceiling of 100 extra digits
    returned 0 for 10²⁰⁰·(exp(10⁻²⁰⁰) − 1), which is 1 + 5·10⁻²⁰¹."""
    from verify.claims.closed_form import mp_of
    from verify.numbers import to_mpf

    big = sp.Integer(10) ** 200
    one = big * (sp.exp(1 / big) - 1)
    assert sp.N(one, 55) != 1  # the trap
    for value in (to_mpf(one, 50), mp_of(one, 50)):
        with mpmath.workdps(60):
            assert abs(value - 1) < mpmath.mpf(10) ** -50


def test_float64_spectrum_tier_does_not_verify_a_claim_it_cannot_evaluate() -> None:
    """The float64 tier's values of the cancelling claim are those of the right claim: it says so (inconclusive),
    where it once verified the wrong claim; the right claim stays verified."""
    for spec, want in ((OFF, Verdict.INCONCLUSIVE), (GOOD, Verdict.VERIFIED)):
        claim = scalar_spectrum_claim("t.spectrum.cancel", "s", "test", spec, [(b, L)], depths=(3, 4))
        got = [c.execute(QUICK).verdict for c in claim.checks if c.tier is Tier.NUMERIC]
        assert got == [want], got


def test_float64_matrix_sharpness_tiers_do_not_verify_a_claim_they_cannot_evaluate() -> None:
    """Off by 10⁻³ through a term that is 0 in float64: the float64 largest-eigenvalue check says it cannot judge
    (it once verified); off by 10⁶: the float64 trace check says so too."""
    from verify.claims.matrix_sharpness import derived_sharpness, matrix_sharpness_claim

    for formula, want in ((derived_sharpness(), Verdict.VERIFIED),
                          (derived_sharpness() + _trap(mabs) / 1000, Verdict.INCONCLUSIVE),
                          (derived_sharpness() + 10 ** 6 * _trap(mabs), Verdict.INCONCLUSIVE)):
        got = _verdicts(matrix_sharpness_claim("t.sharp", "s", "test", formula=formula), QUICK, tiers=(Tier.NUMERIC,))
        assert got and all(v is want for v in got), (formula, got)


def test_collapse_threshold_that_cancels_in_float64_is_judged_by_exact_routes() -> None:
    """λ*·(1 + 10⁻³·trap): the float64 rank and descent checks see λ* itself (the trap is 0 in float64) and once
    verified the wrong claim; now they say they cannot judge, and the 50-digit check refutes."""
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.matrix_kinds import matrix_collapse_claim

    for threshold, numeric, hp in ((tau(), Verdict.VERIFIED, Verdict.VERIFIED),
                                   (tau() * (1 + _trap(mabs) / 1000), Verdict.INCONCLUSIVE, Verdict.REFUTED)):
        claim = matrix_collapse_claim("t.collapse", "s", "test", threshold=threshold)
        got = _verdicts(claim, QUICK, tiers=(Tier.NUMERIC,), skip="certified")
        assert got and all(v is numeric for v in got), (threshold, got)
        assert all(v is hp for v in _verdicts(claim, QUICK)), threshold
