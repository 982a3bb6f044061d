"""Worker processes and signals, in real subprocesses (issue 9, item 7 "Faults").

Before: with --jobs > 1, Ctrl-C waited for every claim to finish (and idle workers printed
tracebacks), and SIGKILL of the parent left the workers running for minutes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or sys.platform == "win32", reason="POSIX signals")

# Each slow check writes a mark named after its worker's pid, then sleeps far longer than a test waits.
SLOW_PY = textwrap.dedent('''
    import os, pathlib, time
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    MARKS = pathlib.Path(os.environ["VERIFY_TEST_MARKS"])

    def slow(ctx):
        (MARKS / f"slow-{os.getpid()}").write_text("")
        time.sleep(120)
        return CheckResult(Verdict.VERIFIED, "slept", instances=1)

    def fast(ctx):
        (MARKS / f"fast-{os.getpid()}").write_text("")
        return CheckResult(Verdict.VERIFIED, "fast", instances=1)

    def claims():
        return [Claim("slow.1", "s", "test", (Check("sleep", Tier.NUMERIC, slow),)),
                Claim("fast", "s", "test", (Check("fast", Tier.NUMERIC, fast),)),
                Claim("slow.2", "s", "test", (Check("sleep", Tier.NUMERIC, slow),)),
                Claim("slow.3", "s", "test", (Check("sleep", Tier.NUMERIC, slow),))]
''')


def _start(tmp_path: Path, *extra: str, new_session: bool = False, popen=subprocess.Popen
           ) -> tuple[subprocess.Popen, Path]:
    marks = tmp_path / "marks"
    marks.mkdir()
    f = tmp_path / "slow.py"
    f.write_text(SLOW_PY)
    env = dict(os.environ, VERIFY_TEST_MARKS=str(marks))
    proc = popen([sys.executable, "-m", "verify", "check", str(f), "--jobs", "2", "--quiet",
                  "--out", str(tmp_path / "out" / "rep"), *extra],
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                 start_new_session=new_session, cwd=tmp_path)
    return proc, marks


def _wait_for(marks: Path, prefixes: tuple[str, ...], proc: subprocess.Popen, timeout: float = 120) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [p.name for p in marks.iterdir()]
        if all(any(n.startswith(p) for n in names) for p in prefixes):
            return [int(n.split("-")[1]) for n in names]
        if proc.poll() is not None:
            pytest.fail(f"verify ended early ({proc.returncode}): {proc.communicate()}")
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"no marks {prefixes} after {timeout} s")


def _alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


def _no_report(tmp_path: Path) -> None:
    left = [p for p in tmp_path.rglob("*") if p.name.startswith(("report.", "junit")) or ".stage-" in p.name
            or p.name.endswith(".part")]
    assert left == []


@pytest.mark.parametrize("to_group", [False, True], ids=["parent", "process-group"])
def test_ctrl_c_with_jobs_stops_promptly(tmp_path, to_group, popen_interruptible):
    """SIGINT to the parent (or to the whole group, as a terminal does) while two workers sleep and a
    third claim waits: exit 130 within seconds, one line, no traceback, no report, no workers left."""
    proc, marks = _start(tmp_path, new_session=to_group, popen=popen_interruptible)
    workers = _wait_for(marks, ("slow-", "fast-"), proc)
    time.sleep(0.5)  # the worker that ran the fast claim is idle again
    sent = time.monotonic()
    if to_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=20)
        assert time.monotonic() - sent < 15
        assert proc.returncode == 130
        assert err == "verify: interrupted\n", err
        _no_report(tmp_path)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers)
    finally:
        _reap(proc, workers)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_die_with_a_killed_parent(tmp_path):
    proc, marks = _start(tmp_path)
    workers = _wait_for(marks, ("slow-",), proc)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(p) for p in workers), "workers outlived their killed parent"
    finally:
        _reap(proc, workers)


def test_watchdog_ends_an_orphan_where_prctl_is_missing():
    """The portable fallback alone (as on macOS): a worker whose parent is gone exits within a second."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            sys.platform = "darwin"  # this forked copy only: skip prctl
            from verify import runner

            runner._die_with_parent(os.getppid() + 1_000_000)  # "the parent" is not ours: it is gone
            time.sleep(10)
        finally:
            os._exit(0)
    start = time.monotonic()
    _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 1 and time.monotonic() - start < 5


def _reap(proc: subprocess.Popen, workers: list[int]) -> None:
    """Leave nothing running whatever the outcome: the verify process and the workers it forked."""
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in workers:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
