"""Error paths found by a review of this round, each a rule of the project: an input the tool cannot take is a usage
error naming it (never "refuted", never a wrong message); a broken check or a failing counterexample search is an
internal error, not a verdict; a claim file's claims are never reported under a paper's name."""
from __future__ import annotations

import textwrap

import pytest
import sympy as sp

from verify.claims import RunContext, get_profile, run_claim
from verify.claims.base import Check, CheckResult, Claim, Tier, Verdict
from verify.errors import UsageError

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def test_h_beyond_its_degree_limit_is_a_usage_error_when_the_claim_is_built() -> None:
    from verify.claims.matrix_sharpness import RHO2, h, matrix_sharpness_claim
    from verify.symbolic.scalar import L_sym as L, rho

    with pytest.raises(UsageError, match="depth 2.*exceeds 64"):
        matrix_sharpness_claim("t.h", "s", "test", formula=h(rho, RHO2, L + 70))


def test_h_of_a_degree_that_is_not_a_whole_number_is_a_usage_error() -> None:
    """h(x, y, n) is a sum over k = 0..n: a number n that is not whole has none, and an n in L must be whole at every
    depth (L/2 is not at odd L). Both were once accepted and the checks then read the undefined value as the claim
    being false (refuted, exit 1)."""
    from verify.claims.matrix_sharpness import RHO2, h, matrix_sharpness_claim
    from verify.symbolic.scalar import L_sym as L, a, rho

    for n in (sp.Rational(3, 2), sp.Float(1.5), sp.sqrt(2)):
        with pytest.raises(UsageError, match="n must be a whole number"):
            h(rho, RHO2, n)
    for n in (L / 2, sp.sqrt(L), a, L * rho):
        with pytest.raises(UsageError, match="not a whole number at every depth"):
            matrix_sharpness_claim("t.h", "s", "test", formula=h(rho, RHO2, n))
    matrix_sharpness_claim("t.h", "s", "test", formula=h(rho, RHO2, L * (L - 1) / 2))  # whole at every L


def test_h_of_a_fractional_degree_in_a_claim_file_exits_2_with_one_line(tmp_path, capsys) -> None:
    from verify.cli import main

    f = tmp_path / "h.toml"
    f.write_text('[[claim]]\nid = "x.h"\nstatement = "s"\nsource = "me"\nkind = "matrix.sharpness"\n'
                 'formula = "h(rho, rho2, 1.5)"\n')
    code = main(["check", str(f), "--profile", "quick", "--out", str(tmp_path / "r"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "h(x, y, n)" in err and "formula" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("value, message", [(sp.Integer(10) ** -400, r"outside \[1e-100, 1e100\]"),
                                            (sp.Integer(10) ** 400, r"outside \[1e-100, 1e100\]"),
                                            (sp.Float("1e300"), r"outside \[1e-100, 1e100\]"),
                                            (0, "finite and > 0"), (sp.Symbol("x"), "finite and > 0")])
def test_claimed_constants_are_judged_exactly(value, message) -> None:
    from verify.claims.matrix_common import positive_constant

    with pytest.raises(UsageError, match=message):
        positive_constant(value, "constant")
    assert positive_constant(sp.Rational(1, 3), "constant") == sp.Rational(1, 3)


def test_a_verdict_that_is_not_a_verdict_is_a_crash() -> None:
    check = Check("c", Tier.NUMERIC, lambda ctx: CheckResult("refuted", "no", instances=1))
    result = run_claim(Claim("t.bad", "s", "test", (check,)), QUICK)
    assert result.checks[0].verdict is Verdict.INCONCLUSIVE and result.checks[0].error and result.crashed


def test_a_failing_counterexample_search_is_an_internal_error() -> None:
    def shrink(ctx):
        raise RuntimeError("shrinker bug")

    check = Check("c", Tier.NUMERIC, lambda ctx: CheckResult(Verdict.REFUTED, "no", instances=1))
    result = run_claim(Claim("t.shrink", "s", "test", (check,), shrink=shrink), QUICK)
    assert result.verdict is Verdict.REFUTED and result.crashed
    assert "shrinker bug" in result.minimal_counterexample["error"]


def test_a_claim_files_claims_are_never_the_papers(tmp_path) -> None:
    from verify.claimfile import load_claim_file

    f = tmp_path / "mine.py"
    f.write_text(textwrap.dedent('''
        from verify.api import threshold_claim, tau
        from verify.claims.base import Check, CheckResult, Claim, Tier, Verdict
        def ok(ctx):
            return CheckResult(Verdict.VERIFIED, "trust me", instances=1)
        def claims():
            return [threshold_claim("mine.t", "2 tau", "me", 2 * tau, depths=(3,), paper="Kamber & Parhi 2026"),
                    Claim("kp.fake", "s", "Kamber & Parhi 2026", (Check("c", Tier.SYMBOLIC, ok),),
                          paper="Kamber & Parhi 2026")]
    '''))
    assert [c.paper for c in load_claim_file(f)] == ["user claim", "user claim"]
