"""Terminal output (issue 14, item 5), the default --jobs (issue 13), write_report (issue 14, item 4) and
``verify threshold --certify`` (issue 11)."""
from __future__ import annotations

import json
import os
import re
import textwrap
from decimal import Decimal

import pytest
from rich.cells import cell_len

import proofs
from verify import runner
from verify.api import Check, CheckResult, Claim, Tier, Verdict, run_claims
from verify.cli import main

CLAIMS_PY = textwrap.dedent('''
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    def fixed(verdict):
        return lambda ctx: CheckResult(verdict, str(verdict), instances=1)

    def claims():
        return [
            Claim("ok.one", "true", "test", (Check("c", Tier.NUMERIC, fixed(Verdict.VERIFIED)),
                                           Check("d", Tier.SYMBOLIC, fixed(Verdict.VERIFIED)))),
            Claim("ok.two.with.a.longer.id", "true", "test", (Check("c", Tier.NUMERIC, fixed(Verdict.VERIFIED)),)),
            Claim("bad", "false", "test", (Check("c", Tier.HIGH_PRECISION, fixed(Verdict.REFUTED)),)),
        ]
''')


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_is_an_aligned_table_with_whole_words(capsys):
    code, out, _ = _cli(capsys, "list")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "paper", "statement"] and set(lines[1]) == {"-"}
    assert "\x1b" not in out  # not a terminal: plain text
    assert max(cell_len(line) for line in lines) <= 120  # and 120 columns wide (combining marks take none)
    column = lines[0].index("statement")
    statements: dict[str, str] = {}
    current = None
    for line in lines[2:]:
        if line[:column].strip():
            current = line.split()[0]
            statements[current] = line[column:]
        else:
            statements[current] += " " + line[column:]
    catalogue = proofs.catalogue()
    assert list(statements) == [c.id for c in catalogue]
    for c in catalogue:  # wrapped only between words: the words read back exactly
        assert statements[c.id].split() == c.statement.split(), c.id


def test_run_summary_is_aligned_with_strength(tmp_path, capsys):
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    code, out, _ = _cli(capsys, "check", f, "--out", tmp_path / "r", "--quiet", "--jobs", "1")
    lines = out.splitlines()
    head = lines[0]
    assert code == 1 and head.split() == ["claim", "verdict", "strength", "symbolic", "high-precision", "numeric",
                                          "s"]
    rows = {line.split()[0]: line for line in lines[2:5]}
    for name, values in {"ok.one": ("verified", "sampled"), "bad": ("refuted", "—")}.items():
        row = rows[name]
        assert row[head.index("verdict"):].split()[0] == values[0]
        assert row[head.index("strength"):].split()[0] == values[1]
    assert rows["ok.two.with.a.longer.id"][head.index("symbolic"):].split()[0] == "—"  # no symbolic check
    assert lines[5].startswith("2 verified, 1 refuted, 0 inconclusive (3 claims")


@pytest.mark.parametrize("command,needles", [
    ([], ["conventions", "A1", "S2", "profiles:", "quick", "thorough", "--jobs", "exit codes"]),
    (["run"], ["profiles:", "standard", "(default: standard", "(default: 0)", "(default: 50)", "cores",
               "--executor", "dask://HOST:PORT", "exit codes"]),
    (["check"], ["conventions", "profiles:", "(default: reports/<file name>/)", "cores"]),
    (["threshold"], ["conventions", "½||W_L⋯W_1 − M||²", "A1 (default)", "(default: 50)", "--certify"]),
    (["minimizers"], ["conventions", "B ", "(default: 50)"]),
    (["list"], ["exit codes"]),
])
def test_help_lists_conventions_profiles_and_defaults(capsys, command, needles):
    code, out, _ = _cli(capsys, *command, "--help")
    flat = " ".join(out.split())
    assert code == 0 and all(" ".join(n.split()) in flat for n in needles), [n for n in needles if n not in flat]


def test_default_jobs_is_the_available_cores(tmp_path, capsys, monkeypatch):
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert runner.default_jobs() == min(expected, runner.MAX_JOBS)
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    for cores, used in ((1, 1), (64, 4)):  # never more workers than the 4 checks
        monkeypatch.setattr(runner, "default_jobs", lambda: cores)
        _cli(capsys, "check", f, "--out", tmp_path / str(cores), "--quiet")
        assert json.loads((tmp_path / str(cores) / "report.json").read_text())["provenance"]["jobs"] == used


def test_write_report(tmp_path):
    def draw(ctx):
        path = ctx.artifact_path("w.txt")
        if path is not None:
            path.write_text("figure")
        return CheckResult(Verdict.VERIFIED, "drawn", instances=1, figures=["figures/w.txt"] if path else [])
    claims = [Claim("w.one", "a statement", "test", (Check("c", Tier.NUMERIC, draw),))]
    result = run_claims(claims, profile="quick", seed=4)
    paths = result.write_report(tmp_path / "a")
    assert {p.name for p in paths} >= {"report.json", "report.md", "report.html", "junit.xml"}
    doc = json.loads((tmp_path / "a" / "report.json").read_text())
    assert [c["id"] for c in doc["claims"]] == ["w.one"] and doc["provenance"]["seed"] == 4
    published = run_claims(claims, profile="quick", seed=4, out_dir=tmp_path / "b")
    published.write_report(tmp_path / "c")  # the figures of the first report come along
    assert (tmp_path / "c" / "figures" / "w.txt").read_text() == "figure"


def _tau_over_L(m: int, L: int) -> Decimal:
    """λ* under convention S at 80 digits, from the paper's τ (README: τ is λ* for A1, τ/L under S),
    τ(m, L) = (|m| / ((1 − q/2)(1 − q)^((q−1)/(2−q))))^(2−q), q = 2/L, evaluated here in mpmath."""
    import mpmath

    with mpmath.workdps(80):
        q = mpmath.mpf(2) / L
        tau = (abs(m) / ((1 - q / 2) * (1 - q) ** ((q - 1) / (2 - q)))) ** (2 - q)
        return Decimal(mpmath.nstr(tau / L, 75, min_fixed=-1, max_fixed=1))


#: λ* for L = 3, m = 3 under convention S, as printed (50 digits) in README.md's worked example.
README_THRESHOLD_S_3_3 = Decimal("1.7170713638299978017120633179095155133738603811819")


def test_threshold_certify(capsys):
    code, out, _ = _cli(capsys, "threshold", "--depth", "3", "--target", "3", "--convention", "S", "--certify",
                        "--json")
    data = json.loads(out)
    lo, hi = Decimal(data["enclosure"]["lo"]), Decimal(data["enclosure"]["hi"])
    reference = _tau_over_L(3, 3)
    assert abs(reference - README_THRESHOLD_S_3_3) < Decimal("1e-49")  # the reference is the README's value
    assert code == 0 and lo <= reference <= hi and hi - lo < Decimal("1e-45") * reference
    code, out, _ = _cli(capsys, "threshold", "--depth", "3", "--target", "3", "--convention", "S", "--certify")
    line = next(x for x in out.splitlines() if x.strip().startswith("enclosure:"))
    assert re.fullmatch(r"\s*enclosure: \[\S+, \S+\]", line)
    assert "threshold:" in out and "bisection:" in out  # today's output is still there


def test_threshold_certify_of_a_user_problem_is_a_usage_error(capsys):
    """--certify covers the named conventions only: with --loss/--penalty it is refused, never ignored."""
    code, out, err = _cli(capsys, "threshold", "--depth", "3", "--target", "3", "--loss", "(p - m)**2/2",
                          "--penalty", "lam*w**2/2", "--certify")
    assert code == 2 and not out and err.count("\n") == 1 and "--certify" in err and "--convention" in err
