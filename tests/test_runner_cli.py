"""The verify command's exit codes, --version, --only, --jobs and report publishing (issue 9, items 5, 7).

Exit codes: 0 nothing refuted, 1 refuted, 2 usage error, 3 internal error (an uncaught exception, a check
that crashed with nothing refuted, a report that could not be published), 130 Ctrl-C.
"""
from __future__ import annotations

import errno
import importlib.metadata
import json
import textwrap
from pathlib import Path

import pytest

from verify import cli, executors, runner
from verify.cli import main
from verify.report import writer

CHEAP = "kp.threshold.depth1"

CLAIMS_PY = textwrap.dedent('''
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    def fixed(verdict):
        return lambda ctx: CheckResult(verdict, str(verdict), instances=1)

    def boom(ctx):
        raise ZeroDivisionError("division by zero in a check")

    def claims():
        return [
            Claim("ok.one", "true", "test", (Check("c", Tier.NUMERIC, fixed(Verdict.VERIFIED)),)),
            Claim("ok.two", "true", "test", (Check("c", Tier.NUMERIC, fixed(Verdict.VERIFIED)),)),
            Claim("bad", "false", "test", (Check("c", Tier.NUMERIC, fixed(Verdict.REFUTED)),)),
            Claim("crash", "crashes", "test", (Check("c", Tier.NUMERIC, boom),)),
        ]
''')


@pytest.fixture
def claims_py(tmp_path):
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    return f


def run_cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line(err: str, start: str) -> None:
    assert err.startswith(start) and err.count("\n") == 1 and "Traceback" not in err, err


def test_version(capsys):
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out == f"verify {importlib.metadata.version('dmf-verify')}\n"


def test_help_mentions_exit_codes_and_only_patterns(capsys):
    assert run_cli(capsys, "--help")[1].count("130") == 1
    code, out, _ = run_cli(capsys, "check", "--help")
    assert code == 0 and "kp.threshold*" in out and "Repeatable" in out


def test_only_does_not_swallow_the_file(tmp_path, claims_py, capsys):
    """``verify check --only ID FILE`` failed: --only took FILE as a second id."""
    code, out, err = run_cli(capsys, "check", "--only", "ok.one", claims_py, "--out", tmp_path / "r", "--quiet")
    assert code == 0, err
    assert [c["id"] for c in json.loads((tmp_path / "r" / "report.json").read_text())["claims"]] == ["ok.one"]


@pytest.mark.parametrize("only,ids", [
    (["--only", "ok.*"], ["ok.one", "ok.two"]),
    (["--only", "ok"], ["ok.one", "ok.two"]),
    (["--only", "ok.two,ok.one"], ["ok.one", "ok.two"]),
    (["--only", "ok.two", "--only", "ok.one"], ["ok.one", "ok.two"]),
])
def test_only_families_and_lists(tmp_path, claims_py, capsys, only, ids):
    code, _, err = run_cli(capsys, "check", claims_py, *only, "--out", tmp_path / "r", "--quiet")
    assert code == 0, err
    assert [c["id"] for c in json.loads((tmp_path / "r" / "report.json").read_text())["claims"]] == ids


def test_only_glob_over_the_catalogue(tmp_path, capsys):
    code, out, err = run_cli(capsys, "run", "--profile", "quick", "--only", "kp.threshold.depth[1]",
                             "--out", tmp_path / "r", "--quiet")
    assert code == 0, err
    assert [c["id"] for c in json.loads((tmp_path / "r" / "report.json").read_text())["claims"]] == [CHEAP]


@pytest.mark.parametrize("argv", [
    ["run", "--only", "kp.nope*", "--profile", "quick"],
    ["run", "--jobs", "1000", "--only", CHEAP],
    ["run", "--jobs", "257", "--only", CHEAP],
    ["run", "--jobs", "0"],
    ["run", "--only", CHEAP, "extra-positional"],
    ["run", "--only", "", "--profile", "quick"],
])
def test_bad_only_and_jobs_exit_2(capsys, argv):
    code, _, err = run_cli(capsys, *argv)
    assert code == 2
    _one_line(err, "verify: error:")


def test_jobs_never_exceed_the_claims(tmp_path, claims_py, capsys):
    code, _, err = run_cli(capsys, "check", claims_py, "--only", "ok", "--jobs", "256", "--out", tmp_path / "r",
                           "--quiet")
    assert code == 0, err
    assert json.loads((tmp_path / "r" / "report.json").read_text())["provenance"]["jobs"] == 2


def test_refuted_exits_1_even_with_a_crash(tmp_path, claims_py, capsys):
    code, out, err = run_cli(capsys, "check", claims_py, "--out", tmp_path / "r", "--quiet")
    assert code == 1
    assert "refuted: bad" in out
    assert "internal error: a check crashed in crash" in err  # the crash is said, not hidden behind exit 1


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_crashed_check_exits_3_after_writing_the_report(tmp_path, claims_py, capsys, jobs):
    code, out, err = run_cli(capsys, "check", claims_py, "--only", "ok.one,crash", "--jobs", jobs,
                             "--out", tmp_path / "r", "--quiet")
    assert code == 3
    _one_line(err, "verify: internal error: a check crashed in crash")
    doc = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [(c["id"], c["verdict"], c["crashed"]) for c in doc["claims"]] == [
        ("ok.one", "verified", False), ("crash", "inconclusive", True)]
    assert "report:" in out


def test_uncaught_exception_exits_3_with_one_line(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("something\nbroke")
    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    monkeypatch.delenv("VERIFY_TRACEBACK", raising=False)
    code, _, err = run_cli(capsys, "list")
    assert code == 3
    assert err == ("verify: internal error: RuntimeError: something broke "
                   "(please report; set VERIFY_TRACEBACK=1 for the traceback)\n")
    monkeypatch.setenv("VERIFY_TRACEBACK", "1")
    code, _, err = run_cli(capsys, "list")
    assert code == 3 and "Traceback" in err and err.endswith("for the traceback)\n")


def test_uncaught_exception_in_a_run_exits_3_and_leaves_no_report(tmp_path, monkeypatch, capsys):
    def broken(*a, **k):
        raise MemoryError("out of memory")
    monkeypatch.setattr(executors, "run_task", broken)  # the runner's unit of work: one check of one claim
    code, _, err = run_cli(capsys, "run", "--only", CHEAP, "--profile", "quick", "--out", tmp_path / "r")
    assert code == 3
    _one_line(err.splitlines(True)[-1], "verify: internal error: MemoryError: out of memory")
    assert not (tmp_path / "r").exists()


def _previous_report(tmp_path, capsys):
    out = tmp_path / "r"
    assert run_cli(capsys, "run", "--only", CHEAP, "--profile", "quick", "--out", out, "--quiet")[0] == 0
    return out, _files(out)


def _files(out):
    return {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _unchanged(tmp_path, out, before) -> None:
    assert _files(out) == before
    assert not [p for p in tmp_path.rglob("*") if ".stage-" in p.name or ".old-" in p.name
                or p.name.endswith(".part")]


# A claim that draws a figure (its bytes read from a file beside it), then is interrupted if asked.
FIGURE_PY = textwrap.dedent('''
    import pathlib
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    HERE = pathlib.Path(__file__).parent

    def draw(ctx):
        path = ctx.artifact_path("drawn.png")
        path.write_bytes((HERE / "figure-bytes").read_bytes())
        if (HERE / "interrupt").exists():
            raise KeyboardInterrupt
        return CheckResult(Verdict.VERIFIED, "drew", instances=1, figures=["figures/drawn.png"])

    CLAIMS = [Claim("draws", "s", "test", (Check("draw", Tier.NUMERIC, draw),))]
''')


def test_ctrl_c_exits_130_one_line_and_keeps_the_previous_report(tmp_path, capsys):
    """Ctrl-C mid-run: exit 130, one line, and the previous report, figures included, untouched (figures
    used to be written into the published directory during the run)."""
    f = tmp_path / "draw.py"
    f.write_text(FIGURE_PY)
    (tmp_path / "figure-bytes").write_bytes(b"old figure")
    out = tmp_path / "r"
    assert run_cli(capsys, "check", f, "--out", out, "--quiet", "--profile", "quick")[0] == 0
    before = _files(out)
    assert before[Path("figures/drawn.png")] == b"old figure"
    (tmp_path / "figure-bytes").write_bytes(b"new figure")
    (tmp_path / "interrupt").write_text("")
    code, stdout, err = run_cli(capsys, "check", f, "--out", out, "--quiet", "--profile", "quick", "--seed", "3")
    assert code == 130 and err == "verify: interrupted\n" and stdout == ""
    _unchanged(tmp_path, out, before)


def test_full_disk_prints_the_results_and_exits_3(tmp_path, monkeypatch, capsys):
    """A full disk while publishing lost every result: the summary and refutations still reach stdout,
    one line on stderr, exit 3, the previous report is untouched."""
    out, before = _previous_report(tmp_path, capsys)
    real_write_new = writer.atomic.write_new

    def full(path, data):
        if str(path).endswith("report.html"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write_new(path, data)
    monkeypatch.setattr(writer.atomic, "write_new", full)
    code, stdout, err = run_cli(capsys, "run", "--only", CHEAP, "--profile", "quick", "--out", out, "--quiet")
    assert code == 3
    _one_line(err, "verify: error: cannot write the report")
    assert "No space left on device" in err
    assert CHEAP in stdout and "1 verified, 0 refuted" in stdout and "report:" not in stdout
    _unchanged(tmp_path, out, before)


def test_summary_is_printed_before_publishing(tmp_path, monkeypatch, capsys):
    seen = {}
    real = writer.ReportStage.publish

    def publish(self, doc):
        seen["stdout"] = capsys.readouterr().out
        return real(self, doc)
    monkeypatch.setattr(writer.ReportStage, "publish", publish)
    assert run_cli(capsys, "run", "--only", CHEAP, "--profile", "quick", "--out", tmp_path / "r", "--quiet")[0] == 0
    assert "1 verified" in seen["stdout"]


def test_python_claim_file_runs_once_with_jobs_2(tmp_path, capsys):
    """Workers used to re-import a .py claim file; a sys.exit(0) there ended the run with exit 0 and no
    report. Now the module runs once, in the parent, and workers exit only if it does."""
    counter = tmp_path / "imports.txt"
    f = tmp_path / "once.py"
    f.write_text(CLAIMS_PY + textwrap.dedent(f'''
        import multiprocessing, sys
        with open({str(counter)!r}, "a") as fh:
            fh.write("imported\\n")
        if multiprocessing.parent_process() is not None:  # re-imported in a worker
            sys.exit(0)
    '''))
    code, _, err = run_cli(capsys, "check", f, "--only", "ok", "--jobs", "2", "--out", tmp_path / "r", "--quiet")
    assert code == 0, err
    assert counter.read_text() == "imported\n"
    assert len(json.loads((tmp_path / "r" / "report.json").read_text())["claims"]) == 2


def test_claim_file_calling_sys_exit_is_a_usage_error(tmp_path, capsys):
    f = tmp_path / "leaves.py"
    f.write_text("import sys\nsys.exit(0)\n")
    code, _, err = run_cli(capsys, "check", f, "--out", tmp_path / "r")
    assert code == 2
    _one_line(err, "verify: error:")
    assert "sys.exit(0)" in err and not (tmp_path / "r").exists()


def test_without_fork_one_note_and_the_same_report(tmp_path, claims_py, capsys, monkeypatch):
    monkeypatch.setattr(runner, "_fork_context", lambda: None)
    code, _, err = run_cli(capsys, "check", claims_py, "--only", "ok", "--jobs", "2", "--out", tmp_path / "r",
                           "--quiet")
    assert code == 0
    _one_line(err, "verify: note: --jobs 2: worker processes need the 'fork' start method")
    assert json.loads((tmp_path / "r" / "report.json").read_text())["provenance"]["jobs"] == 1


def test_closed_stdout_still_publishes_and_keeps_the_exit_code(tmp_path, claims_py):
    """``verify check FILE | true``: the pipe closes before the summary; the report is still published and
    the exit code still says "refuted" (a broken pipe used to end the command with exit 0)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "verify", "check", str(claims_py), "--only", "ok.one,bad",
                             "--out", str(tmp_path / "r"), "--quiet"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 1, err
    assert "Traceback" not in err and "BrokenPipe" not in err
    assert [c["verdict"] for c in json.loads((tmp_path / "r" / "report.json").read_text())["claims"]] == [
        "verified", "refuted"]


@pytest.mark.parametrize("option, value", [("--digits", "\uff15\uff10"), ("--digits", "1_0"), ("--seed", "\u0661"),
                                           ("--jobs", "\uff12"), ("--seed", "9" * 5000)])
def test_integer_options_take_ascii_digits_only(option, value, capsys):
    """int() accepts full-width and Arabic-Indic digits and '1_0'; the command line must not."""
    from verify.cli import main

    assert main(["run", "--only", "kp.threshold.depth1", "--profile", "quick", option, value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 400, err
