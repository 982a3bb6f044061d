"""Progress that tells the truth (issue 14, item 3): instances done out of total inside long checks, a time
left weighted by each claim's expected cost, quiet when stderr is not a terminal."""
from __future__ import annotations

import io
import json
import time

import pytest

from verify import progress as P
from verify import runner
from verify.api import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile
from verify.claims.context import progress_sink

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def _counting(cid: str, n: int = 5) -> Claim:
    """A claim whose one check reports each of its n instances."""
    def run(ctx: RunContext) -> CheckResult:
        for k in range(1, n + 1):
            ctx.progress("instances", k, n)
        return CheckResult(Verdict.VERIFIED, "counted", instances=n)
    return Claim(cid, "s", "test", (Check("count", Tier.NUMERIC, run),))


class Recorder(P.RunProgress):
    wants_inner = True

    def begin(self, claims, profile, workers):
        super().begin(claims, profile, workers)
        self.events = []

    def check_started(self, i, j):
        super().check_started(i, j)
        self.events.append(("start", i, j))

    def check_progress(self, i, j, task, done, total):
        super().check_progress(i, j, task, done, total)
        self.events.append(("progress", i, j, task, done, total))

    def claim_finished(self, done, total, result, elapsed):
        self.events.append(("claim", done, total, result.claim.id))


def test_progress_is_a_noop_without_a_listener_and_cheap():
    QUICK.progress("instances", 1, 10)
    start = time.perf_counter()
    for k in range(100_000):
        QUICK.progress("instances", k, 100_000)
    assert time.perf_counter() - start < 1.0  # about 0.2 µs a call here; a loop may call it per batch


def test_progress_never_raises():
    def broken(task, done, total):
        raise RuntimeError("display gone")
    with progress_sink(broken):
        QUICK.progress("instances", 1, 2)
        QUICK.progress("instances", "not a number", object())  # bad arguments are dropped, not raised


@pytest.mark.parametrize("jobs", [1, 2])
def test_instances_done_reach_the_display(jobs):
    """In this process and from forked workers: every check starts, and its last count arrives."""
    rec = Recorder()
    r = runner.run([_counting("p.a"), _counting("p.b", 7)], QUICK, jobs=jobs, progress=rec)
    assert all(x.verdict is Verdict.VERIFIED for x in r.results)
    assert {e[1:] for e in rec.events if e[0] == "start"} == {(0, 0), (1, 0)}
    last = {(e[1], e[2]): e[3:] for e in rec.events if e[0] == "progress"}
    assert last == {(0, 0): ("instances", 5, 5), (1, 0): ("instances", 7, 7)}
    assert sorted(e[1] for e in rec.events if e[0] == "claim") == [1, 2]


def test_whole_claim_tasks_report_each_check():
    """Claims run whole in a worker (four short claims on two workers) still report each check's start,
    its instances and its end, and each check counts once in the work done."""
    rec = Recorder()
    claims = [_counting(f"w.{k}", 3 + k) for k in range(4)]
    runner.run(claims, QUICK, jobs=2, progress=rec)
    assert {e[1:] for e in rec.events if e[0] == "start"} == {(k, 0) for k in range(4)}
    last = {(e[1], e[2]): e[3:] for e in rec.events if e[0] == "progress"}
    assert last == {(k, 0): ("instances", 3 + k, 3 + k) for k in range(4)}
    assert rec.checked == {(k, 0) for k in range(4)} and rec.done_cost == pytest.approx(rec.costs.total)


def test_cost_model_uses_the_measured_table_and_the_median_for_unknown_claims():
    table = json.loads(P.COSTS_FILE.read_text())["profiles"]["standard"]["claims"]
    known = "kp.threshold" if "kp.threshold" in table else sorted(table)[0]
    entry = table[known]
    checks = tuple(Check(name, Tier.NUMERIC, lambda ctx: None) for name in entry["checks"])
    model = P.CostModel([Claim(known, "s", "t", checks), Claim("new.claim", "s", "t", (checks[0],))], "standard")
    assert model.claim[0] == pytest.approx(max(entry["seconds"], 0.01))
    assert sum(model.check[0]) == pytest.approx(model.claim[0])
    seconds = sorted(c["seconds"] for c in table.values())
    mid = len(seconds) // 2
    median = seconds[mid] if len(seconds) % 2 else (seconds[mid - 1] + seconds[mid]) / 2
    assert model.claim[1] == pytest.approx(median)


def test_the_time_left_is_weighted_by_expected_cost():
    """One expensive claim done of an expensive and a cheap one: little is left, although half the
    claims are (a count-based estimate would say as much again as has passed)."""
    big, small = Claim("big", "s", "t", (Check("a", Tier.NUMERIC, lambda c: None),)), \
        Claim("small", "s", "t", (Check("a", Tier.NUMERIC, lambda c: None),))
    prog = P.RunProgress()
    prog.begin([big, small], "standard", 1)
    prog.costs.claim, prog.costs.check = [9.0, 1.0], [[9.0], [1.0]]
    assert prog.eta() == pytest.approx(10.0)  # nothing done: the expected work
    prog.start -= 9.0  # 9 s have passed
    prog.check_finished(0, 0, CheckResult(Verdict.VERIFIED, "x"))
    assert prog.eta() == pytest.approx(1.0, rel=0.01)
    prog.check_started(1, 0)
    prog.check_progress(1, 0, "instances", 1, 2)  # half the cheap claim's instances
    assert prog.eta() == pytest.approx(9.0 * 0.5 / 9.5, rel=0.01)  # elapsed × left / done


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def test_quiet_and_not_a_terminal_and_a_terminal():
    assert type(P.for_stderr(quiet=True)) is P.RunProgress
    assert isinstance(P.for_stderr(stream=Stream(False)), P.LineProgress)
    assert isinstance(P.for_stderr(stream=Stream(True)), P.LiveProgress)


def test_without_a_stderr_progress_never_goes_to_stdout(monkeypatch, capsys):
    """Started with fd 2 closed, Python's sys.stderr is None and print(file=None) writes to stdout: the
    progress lines then polluted the summary on stdout (review)."""
    monkeypatch.setattr("sys.stderr", None)
    claims = [_counting("n.a"), _counting("n.b")]
    runner.run(claims, QUICK, jobs=1, progress=P.for_stderr())
    runner.run(claims, QUICK, jobs=1, progress=P.LineProgress())
    runner.run(claims, QUICK, jobs=1, progress=runner.stderr_progress)
    assert capsys.readouterr().out == ""


def test_not_a_terminal_gives_one_plain_line_per_claim():
    out = Stream(False)
    runner.run([_counting("l.a"), _counting("l.b")], QUICK, jobs=1, progress=P.for_stderr(stream=out))
    lines = out.getvalue().splitlines()
    assert [line.split()[0] for line in lines] == ["[1/2]", "[2/2]"] and all("s left" in x for x in lines)
    assert "\x1b" not in out.getvalue()  # no escape codes in a log


def test_live_display_runs_and_stops(monkeypatch):
    out = Stream(True)
    live = P.for_stderr(stream=out)
    r = runner.run([_counting("v.a", 50), _counting("v.b")], QUICK, jobs=1, progress=live)
    assert all(x.verdict is Verdict.VERIFIED for x in r.results) and not live.bar.live.is_started


def test_live_display_stops_on_ctrl_c():
    def interrupt(ctx):
        raise KeyboardInterrupt
    live = P.for_stderr(stream=Stream(True))
    with pytest.raises(KeyboardInterrupt):
        runner.run([Claim("k", "s", "t", (Check("c", Tier.NUMERIC, interrupt),))], QUICK, progress=live)
    assert not live.bar.live.is_started


def test_a_failing_display_never_fails_the_run():
    class Broken(P.RunProgress):
        wants_inner = True

        def check_progress(self, *a):
            raise OSError("stderr closed")

        def claim_finished(self, *a):
            raise ValueError("I/O operation on closed file")
    r = runner.run([_counting("b.a")], QUICK, progress=Broken())
    assert r.results[0].verdict is Verdict.VERIFIED
