"""The pytest plugin: claims as test items, their outcomes and reports, the marker, the fixture, usage errors.

Each test builds a scratch project with pytester (a normal test plus a Python claim file with a true,
a wrong and an unsettled claim) and runs pytest on it in-process with the plugin enabled.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

import proofs
from verify.claims import RunContext, get_profile, run_claim
from verify.errors import UsageError

pytest_plugins = ["pytester"]

# Claim ids, statements and counterexample: 1 + ... + n against two closed forms.
# n(n+1)/2 is Gauss's formula; n^2 - n + 1 agrees with the sum at n = 1, 2 and first fails at
# n = 3 (sum 6, formula 7), which is therefore the counterexample the check must report.
CLAIMS_PY = textwrap.dedent('''
    """A user's claim file: one true, one wrong, one unsettled claim."""
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict


    def _closed_form_check(formula):
        def run(ctx):
            for n in range(1, 31):
                total, claimed = sum(range(1, n + 1)), formula(n)
                if total != claimed:
                    return CheckResult(Verdict.REFUTED, f"fails at n = {n}", instances=n,
                                       counterexample={"n": n, "sum": total, "claimed": claimed})
            return CheckResult(Verdict.VERIFIED, "holds for n = 1..30", instances=30)
        return run


    def _unsettled(ctx):
        return CheckResult(Verdict.INCONCLUSIVE,
                           f"margin below float64 resolution (profile {ctx.profile.name}, seed {ctx.seed})")


    def claims():
        return [
            Claim("sum.true", "1 + ... + n = n(n+1)/2", "Gauss",
                  (Check("exact", Tier.SYMBOLIC, _closed_form_check(lambda n: n * (n + 1) // 2)),)),
            Claim("sum.wrong", "1 + ... + n = n^2 - n + 1", "a wrong claim",
                  (Check("exact", Tier.SYMBOLIC, _closed_form_check(lambda n: n * n - n + 1)),)),
            Claim("sum.unsettled", "a claim numerics cannot settle", "test",
                  (Check("margin", Tier.NUMERIC, _unsettled),)),
        ]
''')

NORMAL_PY = "def test_normal():\n    assert 1 + 1 == 2\n"

MARKED_PY = textwrap.dedent('''
    import pytest
    from verify.claims import Verdict
    from claims import claims as build

    CLAIMS = {c.id: c for c in build()}


    @pytest.mark.verify_claim("kp.threshold.depth1")
    def test_marked_true():
        pass


    @pytest.mark.verify_claim("kp.threshold.depth1", "sum.wrong")
    def test_marked_wrong():
        raise RuntimeError("BODY EXECUTED after a refuted claim")


    @pytest.mark.verify_claim("sum.unsettled")
    def test_marked_unsettled():
        raise RuntimeError("BODY EXECUTED after an inconclusive claim")


    def test_fixture_true(verify_claim):
        assert verify_claim(CLAIMS["sum.true"]).verdict is Verdict.VERIFIED
        assert verify_claim("kp.threshold.depth1", seed=3).verdict is Verdict.VERIFIED


    def test_fixture_wrong_raises(verify_claim):
        with pytest.raises(AssertionError, match='"claimed": 7'):
            verify_claim(CLAIMS["sum.wrong"])


    def test_fixture_allow_inconclusive(verify_claim):
        r = verify_claim(CLAIMS["sum.unsettled"], profile="standard", allow_inconclusive=True)
        assert r.verdict is Verdict.INCONCLUSIVE
        assert "profile standard" in r.checks[0].summary


    def test_fixture_unsettled(verify_claim):
        verify_claim(CLAIMS["sum.unsettled"])
''')


def _plugin_args() -> tuple[str, ...]:
    """``-p verify.pytest_plugin`` unless the plugin is installed as an entry point (loading it twice fails)."""
    eps = importlib.metadata.entry_points(group="pytest11")
    return () if any(ep.value == "verify.pytest_plugin" for ep in eps) else ("-p", "verify.pytest_plugin")


def _standin_claimfile() -> types.ModuleType:
    """Stand-in for ``verify.claimfile`` until it lands: import a .py file and call its ``claims()``."""
    mod = types.ModuleType("verify.claimfile")

    def load_claim_file(path):
        path = Path(path)
        if not path.is_file():
            raise UsageError(f"no such claim file: {path}")
        spec = importlib.util.spec_from_file_location(f"_claimfile_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return list(module.claims())

    mod.load_claim_file = load_claim_file
    return mod


@pytest.fixture(scope="module", autouse=True)
def _warm_imports() -> None:
    """Import what the claims import, once, outside the in-process runs: pytester drops modules first
    imported inside a run, and extension modules (numpy.fft) cannot be loaded twice in a process."""
    claim = next(c for c in proofs.catalogue() if c.id == "kp.threshold.depth1")
    run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    if importlib.util.find_spec("verify.claimfile") is None:
        monkeypatch.setitem(sys.modules, "verify.claimfile", _standin_claimfile())
    pytester.makepyfile(claims=CLAIMS_PY, test_normal=NORMAL_PY)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*_plugin_args(), *args)


def test_claim_file_outcomes_and_failure_report(project):
    r = run(project, "--verify-claims=claims.py", "-rfs")
    r.assert_outcomes(passed=2, failed=1, skipped=1)
    out = r.stdout.str()
    r.stdout.fnmatch_lines([
        "*claim sum.wrong: REFUTED*",
        "statement: 1 + ... + n = n^2 - n + 1",
        "*[[]symbolic] exact: refuted - fails at n = 3*",  # [[] is a literal [ in fnmatch
        "counterexample (exact):",
        '*"n": 3,*', '*"sum": 6,*', '*"claimed": 7*',
        "reproduce: verify check claims.py --only sum.wrong --seed 0 --profile quick",
    ])
    assert "FAILED claims.py::sum.wrong" in out
    # the skip reason names the claim and the check, and points at the claim file, not the plugin
    assert re.search(r"SKIPPED \[1\] claims\.py:\d+: claim sum\.unsettled inconclusive: margin \[numeric\]: "
                     r"margin below float64 resolution \(profile quick, seed 0\)", out), out
    assert "Traceback" not in out and "pytest_plugin.py" not in out


def test_strict_seed_and_profile_reach_the_claims(project):
    r = run(project, "--verify-claims", "claims.py", "--verify-strict", "--verify-seed", "7",
            "--verify-profile", "standard", "--verify-digits", "30")
    r.assert_outcomes(passed=2, failed=2)
    r.stdout.fnmatch_lines([
        "reproduce: verify check claims.py --only sum.wrong --seed 7 --profile standard --digits 30",
        "*margin below float64 resolution (profile standard, seed 7)*",
        "(inconclusive fails under --verify-strict)",
    ])


def test_only_and_collect_only(project):
    r = run(project, "--verify-claims=claims.py", "--verify-only", "sum.true,sum.wrong", "--collect-only", "-q")
    lines = r.stdout.lines
    assert "claims.py::sum.true" in lines and "claims.py::sum.wrong" in lines
    assert "test_normal.py::test_normal" in lines
    assert not any("sum.unsettled" in line for line in lines)


def test_catalogue_claim_as_a_test(project):
    r = run(project, "--verify-catalogue", "--verify-only", "kp.threshold.depth1", "-v")
    r.assert_outcomes(passed=2)
    r.stdout.fnmatch_lines(["*verify-catalogue::kp.threshold.depth1 PASSED*"])
    r = run(project, "--verify-catalogue", "--collect-only", "-q")
    collected = [line for line in r.stdout.lines if line.startswith("verify-catalogue::")]
    assert collected == [f"verify-catalogue::{c.id}" for c in proofs.catalogue()]


@pytest.fixture
def marked(project, monkeypatch):
    """The scratch project with marked and fixture-using tests; the catalogue holds one real claim and the
    scratch claims (so the marker and fixture meet a refuted and an inconclusive catalogue claim)."""
    real = [c for c in proofs.catalogue() if c.id == "kp.threshold.depth1"]
    scratch = {}
    exec(compile(CLAIMS_PY, "claims.py", "exec"), scratch)
    monkeypatch.setattr(proofs, "catalogue", lambda: real + scratch["claims"]())
    project.makepyfile(test_marked=MARKED_PY)
    return project


def test_marker_and_fixture(marked):
    r = run(marked, "test_marked.py", "-rfs")
    r.assert_outcomes(passed=4, failed=1, skipped=2)
    out = r.stdout.str()
    assert "BODY EXECUTED" not in out and "During handling" not in out
    r.stdout.fnmatch_lines([
        "verify_claim('sum.wrong') failed before the test body ran:",
        "claim sum.wrong: REFUTED",
        '*"claimed": 7*',
        "reproduce: verify run --only sum.wrong --seed 0 --profile quick",
    ])
    assert "FAILED test_marked.py::test_marked_wrong" in out
    assert re.search(r"SKIPPED \[1\] test_marked\.py:\d+: claim sum\.unsettled inconclusive", out), out
    assert out.count("claim sum.unsettled inconclusive") == 2


def test_marker_and_fixture_strict(marked):
    r = run(marked, "test_marked.py", "--verify-strict")
    r.assert_outcomes(passed=4, failed=3)  # allow_inconclusive=True still passes under --verify-strict
    r.stdout.fnmatch_lines(["E       (inconclusive fails under --verify-strict)",
                            "test_marked.py:*: AssertionError"])
    assert "pytest_plugin.py" not in r.stdout.str()


@pytest.mark.parametrize("args,message", [
    (["--verify-claims=missing.py"], "--verify-claims: no such file: missing.py"),
    (["--verify-catalogue", "--verify-only", "kp.nope"], "--verify-only: unknown claim id(s): kp.nope"),
    (["--verify-only", "sum.true"], "--verify-only needs --verify-catalogue or --verify-claims"),
    (["--verify-catalogue", "--verify-only", "kp.threshold,"], "--verify-only needs claim ids*empty one*"),
    (["--verify-profile", "fast"], "*--verify-profile: invalid choice: 'fast'*"),
    (["--verify-seed", "-1"], "--verify-seed must be a non-negative integer, got -1"),
    (["--verify-digits", "2"], "--verify-digits: digits must be between*got 2"),
    (["--verify-claims=broken.py"], "--verify-claims broken.py:*"),
    (["badmark.py"], "badmark.py::test_x: verify_claim: unknown claim id(s): kp.nope; see 'verify list'"),
])
def test_usage_errors(project, args, message):
    project.makepyfile(broken="raise RuntimeError('oops')\n",
                       badmark="import pytest\n\n@pytest.mark.verify_claim('kp.nope')\ndef test_x():\n    pass\n")
    r = run(project, *args)
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    r.stderr.fnmatch_lines([f"*{message}*"])
    assert "Traceback" not in r.stdout.str() + r.stderr.str()


def test_only_glob_patterns(project):
    """``--verify-only`` follows ``verify --only``: a glob pattern selects a family."""
    r = run(project, "--verify-claims=claims.py", "--verify-only", "sum.*rue,*.wrong", "--collect-only", "-q")
    lines = r.stdout.lines
    assert "claims.py::sum.true" in lines and "claims.py::sum.wrong" in lines
    assert not any("sum.unsettled" in line for line in lines)


CRASH_PY = textwrap.dedent('''
    from verify.claims import Check, Claim, Tier


    def boom(ctx):
        raise ZeroDivisionError("a bug in a check")


    def claims():
        return [Claim("crashes", "a claim whose check crashes", "test", (Check("boom", Tier.NUMERIC, boom),))]
''')


def test_a_crashed_check_fails_never_skips(project):
    """A crash is an internal error: the item fails with the error (it used to be skipped as inconclusive)."""
    project.makepyfile(crash=CRASH_PY, test_crash_fixture=textwrap.dedent('''
        from crash import claims


        def test_fixture(verify_claim):
            verify_claim(claims()[0], allow_inconclusive=True)
    '''))
    r = run(project, "--verify-claims=crash.py", "test_crash_fixture.py", "crash.py")
    r.assert_outcomes(failed=2)
    r.stdout.fnmatch_lines(["*ZeroDivisionError: a bug in a check*",
                            "*a check crashed: an internal error of dmf-verify, not a verdict*"])


def test_plugin_module_imports_no_engine():
    """The entry point loads in every pytest run of the environment: it must not import SymPy or the engine."""
    code = ("import sys, verify.pytest_plugin; heavy = [m for m in ('sympy', 'numpy', 'mpmath', 'verify.claims') "
            "if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == ""


def test_profile_names_match_the_profiles():
    from verify.claims import PROFILES
    from verify.defaults import PROFILE_NAMES

    assert tuple(PROFILES) == PROFILE_NAMES
