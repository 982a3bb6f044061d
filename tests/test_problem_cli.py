"""verify threshold / minimizers with --loss/--penalty: exit codes, refused reductions, JSON keys, values."""
import json

import mpmath
import pytest

from verify.cli import main

L1 = ["--loss", "(p - m)**2 / 2", "--penalty", "lam * abs(w)"]
#: the keys of `verify threshold --json` on the convention route before issue 10
THRESHOLD_KEYS = {"depth", "target", "convention", "kind", "threshold", "bisection", "tau", "ratio", "digits",
                  "threshold_exact", "ratio_exact", "derivation"}
MINIMIZER_KEYS = {"depth", "target", "lambda", "convention", "a", "b", "minimizers", "unique", "hessian_eigenvalues",
                  "eigenvalue_resolution", "eigenvalue_working_digits", "note"}


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv,msg", [
    (["threshold", "--depth", "3", "--target", "1", "--loss", "(p - m)**2"], "--loss needs --penalty"),
    (["threshold", "--depth", "3", "--target", "1", "--penalty", "lam*w**2"], "--penalty needs --loss"),
    (["minimizers", "--depth", "3", "--target", "1", "--lam", "1", "--loss", "(p - m)**2"], "--loss needs --penalty"),
    (["threshold", "--depth", "3", "--target", "1", "--convention", "A1", *L1], "mutually exclusive"),
    (["minimizers", "--depth", "3", "--target", "1", "--lam", "1", "--convention", "S", "--loss", "p"],
     "mutually exclusive"),
    (["threshold", "--depth", "3", "--target", "1", "--loss", "(p - w)**2", "--penalty", "lam*w**2"],
     "'w' is not allowed in the loss"),
])
def test_problem_options_usage_errors(capsys, argv, msg):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("verify: error:") and err.count("\n") == 1 and msg in err


@pytest.mark.parametrize("penalty,why", [
    ("lam * w", "even"),            # not even in w: the sign symmetry the reduction needs fails
    ("lam * (w**2 - w**4)", ""),    # w·penalty'(w) is not increasing: balancedness is not forced
])
@pytest.mark.parametrize("command", ["threshold", "minimizers"])
def test_a_refused_reduction_exits_2_without_a_verdict(capsys, penalty, why, command):
    extra = ["--lam", "1/2"] if command == "minimizers" else []
    code, out, err = run_cli(capsys, command, "--depth", "3", "--target", "1", *extra,
                             "--loss", "(p - m)**2 / 2", "--penalty", penalty, "--json")
    assert code == 2 and out == ""  # no number, no verdict
    assert err.count("\n") == 1 and "cannot be reduced" in err and why in err


def _hand_threshold(L: int, m: mpmath.mpf) -> mpmath.mpf:
    """λ* for (p − m)²/2 + lam·|w| derived by hand (the integrator): X^((L−1)/L)·(m − X), X = m(2L−2)/(2L−1)."""
    X = m * (2 * L - 2) / (2 * L - 1)
    return X ** (mpmath.mpf(L - 1) / L) * (m - X)


@pytest.mark.parametrize("depth", [2, 5])
def test_threshold_json_for_an_l1_penalty(capsys, depth):
    code, out, _ = run_cli(capsys, "threshold", "--depth", str(depth), "--target", "-7/3", *L1, "--json",
                           "--digits", "30")
    data = json.loads(out)
    assert code == 0
    assert THRESHOLD_KEYS | {"problem"} <= set(data)
    assert data["problem"] == {"loss": "(p - m)**2 / 2", "penalty": "lam * abs(w)"}
    assert data["convention"] is None and data["tau"] is None  # τ is the paper's, for its convention only
    assert data["kind"] == "jump" and float(data["digits"]) >= 30
    with mpmath.workdps(40):
        expected = _hand_threshold(depth, mpmath.mpf(7) / 3)
        for key in ("threshold", "bisection"):
            assert abs(mpmath.mpf(data[key]) - expected) <= mpmath.mpf(10) ** -28 * expected, key


def test_convention_json_names_its_problem(capsys):
    code, out, _ = run_cli(capsys, "threshold", "--depth", "3", "--target", "1", "--json", "--digits", "20")
    assert code == 0 and json.loads(out)["problem"] == {"convention": "A1", "loss": "(p - m)**2",
                                                         "penalty": "lam/L * w**2"}


def test_minimizers_json_for_an_l1_penalty(capsys):
    """Below λ* the minimizer is balanced and nonzero; above it, 0 (no Hessian there: |w| has a kink)."""
    with mpmath.workdps(30):
        star = _hand_threshold(3, mpmath.mpf(3) / 2)  # ≈ 0.256
    assert 0.33 < star < 0.34
    code, out, _ = run_cli(capsys, "minimizers", "--depth", "3", "--target", "3/2", "--lam", "1/4", *L1, "--json",
                           "--digits", "20")
    data = json.loads(out)
    assert code == 0 and MINIMIZER_KEYS | {"problem"} <= set(data)
    assert data["a"] is None and data["b"] is None and data["unique"] is True
    (entry,) = data["minimizers"]
    w = [abs(float(x)) for x in entry["w"]]
    assert min(w) > 0.5 and max(w) - min(w) < 1e-15  # balanced
    assert len(entry["hessian_eigenvalues"]) == 3
    code, out, _ = run_cli(capsys, "minimizers", "--depth", "3", "--target", "3/2", "--lam", "0.35", *L1, "--json",
                           "--digits", "20")
    data = json.loads(out)
    (entry,) = data["minimizers"]
    assert float(entry["product"]) == 0 and entry["hessian_eigenvalues"][0].startswith("undefined")


@pytest.mark.parametrize("lam", ["2", "1/10"])  # 0 global (smooth penalty: a Hessian at 0), then a nonzero one
def test_minimizers_of_a_convention_written_as_a_problem_match_the_convention_route(capsys, lam):
    """B = (p − m)²/2 + lam·Σw², given as --loss/--penalty, through the general route vs --convention B."""
    common = ["minimizers", "--depth", "2", "--target", "3/2", "--lam", lam, "--json", "--digits", "20"]
    _, out, _ = run_cli(capsys, *common, "--convention", "B")
    conv = json.loads(out)
    _, out, _ = run_cli(capsys, *common, "--loss", "(p - m)**2/2", "--penalty", "lam * w**2")
    user = json.loads(out)
    for a, b in zip(conv["minimizers"], user["minimizers"], strict=True):
        for key in ("product", "objective"):
            assert mpmath.almosteq(mpmath.mpf(a[key]), mpmath.mpf(b[key]), 1e-18), key
        for x, y in zip(a["hessian_eigenvalues"], b["hessian_eigenvalues"], strict=True):
            assert mpmath.almosteq(mpmath.mpf(x), mpmath.mpf(y), 1e-18)
