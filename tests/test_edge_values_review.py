"""Edge values a builder accepts end in a verdict, never in a crashed check (found by this stop's fuzzing of the
builders): a claimed threshold or exceptional value of 0 or below, a tiny penalty, an irrational power, a claimed
threshold of 0 in a problem claim. A wrong claim is refuted by the tiers that can test it; a tier that has nothing to
test at such a value says inconclusive, with the reason."""
from __future__ import annotations

import textwrap

import pytest
import sympy as sp

import proofs.kamber_parhi_2026.matrix as kp
import proofs.kamber_parhi_2026.weights as kw
from verify.claimfile import load_claim_file
from verify.claims import RunContext, Verdict, get_profile

CTX = RunContext(seed=0, profile=get_profile("quick"))


def _results(claim, names=None):
    out = {c.name: c.execute(CTX) for c in claim.checks if names is None or c.name in names}
    assert all(r.error is None for r in out.values()), {n: r.error[-300:] for n, r in out.items() if r.error}
    return out


def _from_file(tmp_path, body: str):
    path = tmp_path / "claim.toml"
    path.write_text(textwrap.dedent(body))
    (claim,) = load_claim_file(str(path))
    return claim


def test_a_problem_threshold_claimed_as_zero_is_refuted_at_every_tier(tmp_path):
    """The symbolic refutation once built its counterexample with 'claimed' twice (TypeError)."""
    claim = _from_file(tmp_path, '''
        [[claim]]
        id = "t.zero"
        kind = "threshold"
        statement = "x"
        source = "y"
        formula = "0"
        problem = { loss = "(p - m)**2 / 2", penalty = "lam * abs(w)" }
        depths = [2, 3]
        ''')
    assert {r.verdict for r in _results(claim).values()} == {Verdict.REFUTED}


@pytest.mark.parametrize("threshold", ["0", "-tau"])
def test_a_collapse_threshold_that_is_not_positive_is_refuted_by_the_float64_checks(tmp_path, threshold):
    """λ* ≤ 0 claims collapse at every λ > 0; the float64 checks draw λ on the scale 1 there (λ = α·λ* was ≤ 0, and
    building the problem raised) and find nonzero minimizers."""
    claim = _from_file(tmp_path, f'''
        [[claim]]
        id = "t.collapse"
        kind = "matrix.collapse"
        statement = "x"
        source = "y"
        threshold = "{threshold}"
        ''')
    res = _results(claim, {"rank of the global minimizer on random targets", "descent never beats 0 above the threshold"})
    assert {r.verdict for r in res.values()} == {Verdict.REFUTED}


def test_a_matrix_exceptional_value_of_zero_or_below_is_refuted_not_a_crash(tmp_path):
    """σ_c = 0: the certified check refutes it (no positive singular value there) where its dyadic bounds raised;
    σ_c = −1: the float64 tie check has no target to test (inconclusive), the exact tiers refute."""
    zero = _from_file(tmp_path, '''
        [[claim]]
        id = "t.u0"
        kind = "matrix.uniqueness"
        statement = "x"
        source = "y"
        exceptional = "0"
        ''')
    assert _results(zero, {"certified tie at σ_c, unique minimizer off it"})[
        "certified tie at σ_c, unique minimizer off it"].verdict is Verdict.REFUTED
    negative = _from_file(tmp_path, '''
        [[claim]]
        id = "t.u1"
        kind = "matrix.uniqueness"
        statement = "x"
        source = "y"
        exceptional = "-1"
        ''')
    res = _results(negative)
    assert res["float64 matrix objective ties at σ_c"].verdict is Verdict.INCONCLUSIVE
    assert res["exact two minimizers on the exceptional set"].verdict is Verdict.REFUTED


@pytest.mark.parametrize("exceptional", ["-1", "-tau"])
def test_a_scalar_exceptional_value_below_zero_is_inconclusive_where_it_cannot_be_tested(tmp_path, exceptional):
    claim = _from_file(tmp_path, f'''
        [[claim]]
        id = "t.s"
        kind = "uniqueness"
        statement = "x"
        source = "y"
        exceptional = "{exceptional}"
        depths = [3]
        ''')
    res = _results(claim)
    assert res["global minimizers at and near λ_e"].verdict is Verdict.INCONCLUSIVE
    assert res["float64 ties at λ_e, strict winners elsewhere"].verdict is Verdict.INCONCLUSIVE
    assert res["tie of 0 and ρ* at λ_e, exactly"].verdict is Verdict.REFUTED


@pytest.mark.parametrize("lam", [sp.Rational(1, 10 ** 30), sp.Rational(1, 10 ** 90)])
def test_figure1_at_a_tiny_penalty_is_verified_not_refuted(lam):
    """At λ = 1e-30 the barrier between the minima at 0 and ρ₊ lies far below the grid's step (at 1e-90 the
    solver's float64 radius of it underflows): the grid cannot show the minimum at 0, which φ''(0) = bL > 0 makes
    one. The float64 check once refuted this true figure; the grid is now asked only for ρ₊ there."""
    res = _results(kp.figures_claim(fig1_lam=lam), {"figure 1", "figure 1 at high precision"})
    assert {r.verdict for r in res.values()} == {Verdict.VERIFIED}


def test_an_irrational_balance_power_is_refuted_at_high_precision_not_a_crash():
    res = _results(kw.balancedness_claim(power=sp.sqrt(2)))
    assert {str(r.tier): r.verdict for r in res.values()}["high-precision"] is Verdict.REFUTED


@pytest.mark.parametrize("build", [
    lambda: __import__("proofs.li_2019.symmetric", fromlist=["x"]).stationary_points_claim(c="1e-300"),
    lambda: __import__("proofs.li_2019.symmetric", fromlist=["x"]).symmetry_claim(c="1e400"),
    lambda: __import__("proofs.li_2019.sensing", fromlist=["x"]).sensing_claim(c="1e300"),
    lambda: __import__("proofs.li_2019.convergence", fromlist=["x"]).convergence_claim(c="1e-400"),
])
def test_a_scale_constant_far_outside_float64s_comfort_is_a_usage_error(build):
    """c = 1e-300 once made the float64 completeness check refute a true claim, and c = 1e400 made SVDs fail in
    several checks: scale constants are read in [1e-100, 1e100], and the error names the key."""
    from verify.errors import UsageError

    with pytest.raises(UsageError, match=r"^c = .* is outside \[1e-100, 1e100\]"):
        build()


@pytest.mark.parametrize("build, key", [
    (lambda: kp.layer_norm_claim(exponent=sp.oo), "exponent at L = 1"),
    (lambda: kp.layer_norm_claim(exponent=sp.I), "exponent at L = 1"),
    (lambda: kp.layer_norm_claim(exponent=lambda depth: sp.Integer(10) ** 400), "exponent at L = 1"),
    (lambda: kp.figures_claim(fig1_m=1e300), "figure 1 m"),
    (lambda: kp.uniqueness_claim(critical_scale="1e300"), "critical_scale"),
    (lambda: __import__("proofs.li_2019.symmetric", fromlist=["x"]).symmetry_claim(perturb="1e300"), "perturb"),
    (lambda: __import__("proofs.li_2019.symmetric", fromlist=["x"]).stationary_points_claim(exponent="1e30"),
     "exponent"),
])
def test_a_value_the_numeric_tiers_cannot_evaluate_is_a_usage_error_naming_it(build, key):
    """Each of these was accepted and then crashed checks or ran one for minutes (this stop's fuzzing)."""
    from verify.errors import UsageError

    with pytest.raises(UsageError, match=f"^{key}"):
        build()


def test_the_bounds_leave_ordinary_values_alone():
    """Small exponents, negative or zero perturbations and scales are claims like any other (judged, not refused)."""
    from proofs.li_2019.symmetric import stationary_points_claim, symmetry_claim

    stationary_points_claim(exponent="1/200")
    stationary_points_claim(scale="-2")
    symmetry_claim(perturb="0")
    kp.layer_norm_claim(exponent=2 / sp.Symbol("L"))
