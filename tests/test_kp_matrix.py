"""Kamber–Parhi matrix claims at profile quick: each verified; perturbed constants refuted."""
from __future__ import annotations

import dataclasses

import pytest
import sympy as sp

from proofs.kamber_parhi_2026 import matrix as kp
from verify.claims import Claim, RunContext, Verdict, get_profile, run_claim
from verify.errors import UsageError


def _ctx(tmp_path=None) -> RunContext:
    return RunContext(seed=0, profile=get_profile("quick"), out_dir=None if tmp_path is None else str(tmp_path))


def _only(claim: Claim, *names: str) -> Claim:
    """The claim restricted to the named checks (keeps falsification tests fast)."""
    checks = tuple(c for c in claim.checks if c.name in names)
    assert len(checks) == len(names), [c.name for c in claim.checks]
    return dataclasses.replace(claim, checks=checks)


def test_catalogue_ids():
    ids = [c.id for c in kp.claims()]
    assert ids == ["kp.uniqueness", "kp.balancedness", "kp.layer_norms", "kp.hessian_trace", "kp.collapse",
                   "kp.figures", "kp.sharpness.matrix", "kp.uniqueness.width"]
    for c in kp.claims():
        assert c.statement and c.source and c.resolutions and c.paper == "Kamber & Parhi 2026"
        # honest sources: what the abstract or a figure states, what the suite derived, and the shipped maths doc
        assert "docs/mathematics.md §" in c.source and "MATH.md" not in c.source
        assert not any(w in c.source for w in ("Thm", "Lemma", "Cor ", "Cor)", "Corollary", "Theorem"))
        assert "abstract" in c.source or "background notes" in c.source
        assert "derived by the suite" in c.source
        assert not any("MATH.md" in r for r in c.resolutions)


@pytest.mark.parametrize("factory", [kp.uniqueness_claim, kp.balancedness_claim, kp.layer_norm_claim,
                                     kp.trace_claim, kp.collapse_claim])
def test_claim_verified_quick(factory):
    result = run_claim(factory(), _ctx())
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary, c.error) for c in result.checks]
    for c in result.checks:
        assert c.tolerance, c.name
        assert c.scope, c.name  # every verdict says what it covers


def test_figures_verified_and_written(tmp_path):
    result = run_claim(kp.figures_claim(), _ctx(tmp_path))
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.summary, c.error) for c in result.checks]
    assert all(c.scope for c in result.checks)
    names = [f for c in result.checks for f in c.figures]
    assert len(names) == 3
    for name in names:
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"


# --- falsification: perturbed constants must come out refuted ------------------------------------

ONE_PPM = sp.Rational(1, 10**6)


@pytest.mark.parametrize("constant", [1 + 1e-6, 1 - 1e-6])
def test_wrong_trace_constant_refuted(constant):
    claim = _only(kp.trace_claim(constant=constant), "exact trace formula (SymPy, entrywise second derivatives)",
                  "dense Hessian trace at random points")
    result = run_claim(claim, _ctx())
    assert result.verdict is Verdict.REFUTED
    assert all(c.verdict is Verdict.REFUTED for c in result.checks)


def test_trace_bound_too_high_refuted():
    # the bound is attained at rank-1 minimizers, so raising it by 1e-6 must fail
    claim = _only(kp.trace_claim(bound_constant=1 + 1e-6), "trace and lower bound at constructed minimizers")
    assert run_claim(claim, _ctx()).verdict is Verdict.REFUTED


@pytest.mark.parametrize("exponent", [lambda L: sp.Rational(2, L) * (1 + ONE_PPM), lambda L: sp.Rational(1, L),
                                      lambda L: sp.Rational(2, L + 1)])
def test_wrong_layer_norm_exponent_refuted(exponent):
    result = run_claim(kp.layer_norm_claim(exponent=exponent), _ctx())
    assert result.verdict is Verdict.REFUTED
    assert result.checks[0].verdict is Verdict.REFUTED  # the exact tier catches it
    assert result.checks[1].verdict is Verdict.REFUTED  # and so does the 50-digit tier


@pytest.mark.parametrize("multiple", [1 + 1e-6, 1 - 1e-6, 2, sp.Rational(1, 3)])
def test_wrong_threshold_multiple_refuted(multiple):
    claim = _only(kp.collapse_claim(multiple=multiple), "threshold edges at 50 digits, all conventions")
    assert run_claim(claim, _ctx()).verdict is Verdict.REFUTED


def test_wrong_threshold_multiple_refuted_by_rank_check():
    claim = _only(kp.collapse_claim(multiple=1.5), "rank of the global minimizer on random targets")
    assert run_claim(claim, _ctx()).verdict is Verdict.REFUTED


def test_wrong_convention_multiple_refuted():
    # τ/L is right under S; claiming τ under S must fail
    claim = _only(kp.collapse_claim(multiples={"S": lambda L: sp.Integer(1)}),
                  "threshold edges at 50 digits, all conventions")
    assert run_claim(claim, _ctx()).verdict is Verdict.REFUTED


@pytest.mark.parametrize("rate", [2 * (1 + 1e-6), 1])
def test_wrong_balancedness_rate_refuted(rate):
    claim = _only(kp.balancedness_claim(rate=rate), "exact flow identity dD/dt = −rate·b·D",
                  "one-step descent identity on random trajectories")
    result = run_claim(claim, _ctx())
    assert all(c.verdict is Verdict.REFUTED for c in result.checks)


def test_wrong_balance_factor_refuted():
    claim = _only(kp.balancedness_claim(balance=1 + 1e-6), "balance and alignment at descent-found critical points",
                  "balance at Newton-found critical points (saddles included)")
    result = run_claim(claim, _ctx())
    assert all(c.verdict is Verdict.REFUTED for c in result.checks)


@pytest.mark.parametrize("scale", [1 + ONE_PPM, 1 - ONE_PPM])
def test_wrong_exceptional_set_refuted(scale):
    claim = _only(kp.uniqueness_claim(critical_scale=scale), "exact two minimizers on the exceptional set",
                  "exceptional set is exactly σ_c at 50 digits")
    result = run_claim(claim, _ctx())
    assert all(c.verdict is Verdict.REFUTED for c in result.checks)


def test_wrong_figure2_tie_refuted():
    claim = _only(kp.figures_claim(multiple=1 + ONE_PPM), "figure 2")
    assert run_claim(claim, _ctx()).verdict is Verdict.REFUTED


@pytest.mark.parametrize("make", [
    lambda: kp.trace_claim(constant=float("nan")),
    lambda: kp.trace_claim(bound_constant=-1),
    lambda: kp.collapse_claim(multiple=0),
    lambda: kp.collapse_claim(multiples={"XX": lambda L: 1}),
    lambda: kp.layer_norm_claim(exponent=0.5),
    lambda: kp.balancedness_claim(rate=float("inf")),
    lambda: kp.uniqueness_claim(critical_scale="abc"),
    lambda: kp.figures_claim(multiple=-2),
])
def test_bad_claim_parameters_raise_usage_error(make):
    with pytest.raises(UsageError):
        make()
