"""Regressions for defects found in review: each of these once passed a wrong claim or crashed."""
import json

import mpmath
import pytest

from verify.api import L, a, b, rho, scalar_spectrum_claim, scalar_uniqueness_claim, tau, threshold_claim
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.cli import main
from verify.errors import UsageError
from verify.highprec import scalar as hp

CTX = RunContext(seed=0, profile=get_profile("quick"))


def test_no_instances_is_never_verified():
    r = run_claim(threshold_claim("y", "s", "s", tau, min_depth=6), CTX)  # quick depths stop at 5
    empty = [c for c in r.checks if c.instances == 0]  # checks that had no profile depth to look at
    assert empty and all(c.verdict is not Verdict.VERIFIED for c in empty)


def test_wrong_for_general_depth_refuted_even_if_right_at_checked_depths():
    r = run_claim(threshold_claim("g", "s", "s", tau * (1 + (L - 3) * (L - 4) * (L - 5))), CTX)
    assert r.verdict is Verdict.REFUTED


@pytest.mark.parametrize("target,lam,product", [("3", "1e-60", 3), ("1e300", "1", 1e300)])
def test_minimizers_at_extreme_scales_are_stationary(capsys, target, lam, product):
    assert main(["minimizers", "--depth", "3", "--target", target, "--lam", lam, "--json", "--digits", "20"]) == 0
    data = json.loads(capsys.readouterr().out)
    got = float(data["minimizers"][0]["product"])
    assert abs(got - product) <= 1e-6 * product
    with mpmath.workdps(40):
        w = [mpmath.mpf(x) for x in data["minimizers"][0]["w"]]
        g = hp.gradient(w, mpmath.mpf(target), mpmath.mpf(2), mpmath.mpf(2) / 3 * mpmath.mpf(lam))
        scale = abs(mpmath.mpf(target)) ** (mpmath.mpf(5) / 3) + 1
        assert max(abs(x) for x in g) <= mpmath.mpf(10) ** -15 * scale


def test_missing_eigenvalue_refuted_not_crashed():
    r = run_claim(scalar_spectrum_claim("s", "s", "s", [(2 * b, L - 1)], [(b, L)], depths=(3, 4)), CTX)
    assert {str(c.tier): c.verdict for c in r.checks} == {
        "symbolic": Verdict.REFUTED, "high-precision": Verdict.REFUTED, "certified": Verdict.REFUTED,
        "numeric": Verdict.REFUTED}


def test_uniqueness_outside_its_depths_is_a_usage_error():
    with pytest.raises(UsageError):
        scalar_uniqueness_claim("u", "s", "s", tau, depths=(1, 2))


@pytest.mark.parametrize("argv", [
    ["threshold", "--depth", "3", "--target", "1e10000"],
    ["minimizers", "--depth", "3", "--target", "3", "--lam", "1e-10000"],
    ["threshold", "--depth", "65", "--target", "1"],
    ["run", "--only", "kp.threshold.depth1", "--profile", "quick", "--out", "/proc/nope"],
])
def test_more_bad_input_exits_2(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify: error:") and err.count("\n") == 1


def test_negative_exponent_target(capsys):
    assert main(["threshold", "--depth", "3", "--target", "-1e-5", "--json", "--digits", "20"]) == 0
    assert json.loads(capsys.readouterr().out)["target"] == "-1/100000"


def test_claim_file_whose_claims_raise(tmp_path, capsys):
    f = tmp_path / "bad.py"
    f.write_text("def claims():\n    raise RuntimeError('boom')\n")
    assert main(["check", str(f)]) == 2
    assert "claims() failed" in capsys.readouterr().err


def test_spectrum_symbols_still_usable():
    assert (L * a * rho ** (2 * L - 2)).free_symbols == {L, a, rho}
