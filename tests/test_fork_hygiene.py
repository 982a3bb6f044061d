"""No fork of a multi-threaded process (Python ≥ 3.12 warns: the child can deadlock on a lock another
thread held, which in a run is a hang of ``verify run``): the live display has no refresh thread, forked
workers start no watchdog thread where prctl works, a failed Dask connection leaves no event-loop thread,
and a bounded evaluation in a process with other threads is forked by a single-threaded server."""
from __future__ import annotations

import functools
import io
import operator
import os
import socket
import sys
import threading

import mpmath
import pytest
import sympy as sp

from verify import executors, runner
from verify.api import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile
from verify.claims import scalar_common as sc
from verify.errors import UsageError
from verify.progress import LiveProgress

QUICK = RunContext(seed=3, profile=get_profile("quick"))


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def other_thread():
    """One more Python thread for the duration of a test (as in a Dask worker or a user's program)."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, name="someone-else", daemon=True)
    thread.start()
    yield thread
    stop.set()
    thread.join()


@pytest.fixture
def forks(monkeypatch):
    """Every os.fork of this process, recorded with the names of the threads alive at that moment."""
    seen: list[set[str]] = []
    real = os.fork

    def recording() -> int:
        seen.append({t.name for t in threading.enumerate()})
        return real()
    monkeypatch.setattr(os, "fork", recording)
    return seen


def _claims() -> list[Claim]:
    def run(ctx) -> CheckResult:
        ctx_progress = getattr(ctx, "progress", None)
        if ctx_progress is not None:
            ctx_progress("units", 1, 1)
        return CheckResult(Verdict.VERIFIED, "ok", instances=1, details={"pid": os.getpid()})
    return [Claim(f"f.{k}", "s", "test", (Check("a", Tier.NUMERIC, run),)) for k in range(3)]


def test_live_display_starts_no_thread():
    before = threading.active_count()
    live = LiveProgress(_Tty())
    live.begin(_claims(), "quick", 2)
    try:
        assert threading.active_count() == before
        live.check_started(0, 0)
        live.check_progress(0, 0, "units", 1, 2)
        live.check_finished(0, 0, None)
    finally:
        live.end()
    assert threading.active_count() == before


def test_workers_fork_a_single_threaded_runner_under_the_live_display(forks):
    """--jobs 2 on a terminal: at each fork only the threads that were there before the run."""
    before = {t.name for t in threading.enumerate()}
    stream = _Tty()
    result = runner.run(_claims(), QUICK, jobs=2, progress=LiveProgress(stream))
    assert [r.verdict for r in result.results] == [Verdict.VERIFIED] * 3 and result.jobs == 2
    assert os.getpid() not in {r.checks[0].details["pid"] for r in result.results}
    assert forks and all(names <= before for names in forks), forks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_worker_starts_no_watchdog_thread_where_prctl_works():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read)
            runner._die_with_parent(os.getppid())
            os.write(write, str(threading.active_count()).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as f:
        count = f.read()
    os.waitpid(pid, 0)
    assert count == b"1"


def test_unreachable_scheduler_leaves_no_thread():
    pytest.importorskip("distributed")
    before = {t.ident for t in threading.enumerate()}
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UsageError, match="cannot reach a Dask scheduler"):
        executors.dask_executor(f"dask://127.0.0.1:{port}", timeout=0.5)
    left = [t for t in threading.enumerate() if t.ident not in before]
    for t in left:
        t.join(timeout=2)
    assert not [t.name for t in left if t.is_alive()]


M = sp.Symbol("m")
FORMULA = sp.exp(M) * sp.sin(M) + M ** sp.Rational(1, 3)


def _expected(dps: int) -> mpmath.mpf:
    """FORMULA at m = 7/3 by mpmath directly (an independent route from SymPy's evalf)."""
    with mpmath.workdps(dps + 10):
        m = mpmath.mpf(7) / 3
        return mpmath.exp(m) * mpmath.sin(m) + mpmath.cbrt(m)


@pytest.mark.parametrize("threaded", [False, True])
def test_bounded_evaluation_gives_the_same_value_forked_or_served(threaded, request, forks):
    if threaded:
        request.getfixturevalue("other_thread")
    value = sc._evalf_bounded(FORMULA, {M: sp.Rational(7, 3)}, 30)
    with mpmath.workdps(40):
        assert abs(mpmath.mpf(str(value)) - _expected(30)) <= mpmath.mpf(10) ** -28
    assert forks == ([] if threaded else [{"MainThread"} | {t.name for t in threading.enumerate()}])


def test_served_evaluation_keeps_the_budget_and_the_error_kinds(other_thread, forks, monkeypatch):
    """In a threaded process: a runaway evaluation is undecided after the budget (and the server
    still answers after it), a ValueError-kind failure is a ValueError, a dead child is undecided."""
    monkeypatch.setattr(sc, "EVAL_SECONDS", 1.0)
    with pytest.raises(sc.ClaimUndecided, match="took over 1 s"):
        sc._evalf_bounded(sp.sin(sp.exp(sp.exp(sp.exp(M)))), {M: sp.Integer(3)}, 30)
    with pytest.raises(ValueError, match="ZeroDivisionError"):
        sc._bounded(functools.partial(operator.truediv, 1, 0), "(test)")
    with pytest.raises(sc.ClaimUndecided, match="failed in the worker process"):
        sc._bounded(functools.partial(os._exit, 3), "(test)")
    assert sc._bounded(functools.partial(operator.add, 2, 3), "(test)") == 5
    assert forks == []


def test_an_interrupted_request_leaves_no_stale_answer(other_thread, monkeypatch):
    """A request interrupted before its answer is read (Ctrl-C) ends that server: the next request
    gets its own answer, not the pending one."""
    real = sc.pickle.dumps
    sc._bounded(functools.partial(operator.add, 1, 1), "(test)")  # a server is running
    server = sc._Server.proc

    def interrupted_once(obj, *args, **kwargs):
        data = real(obj, *args, **kwargs)
        if isinstance(obj, tuple) and len(obj) == 2 and isinstance(obj[0], bytes):  # the request, sent...
            monkeypatch.setattr(sc.pickle, "dumps", real)
            server.stdin.write(len(data).to_bytes(8, "big") + data)
            server.stdin.flush()
            raise KeyboardInterrupt  # ...and Ctrl-C before its answer is read
        return data
    monkeypatch.setattr(sc.pickle, "dumps", interrupted_once)
    with pytest.raises(KeyboardInterrupt):
        sc._bounded(functools.partial(operator.add, 2, 2), "(test)")
    assert sc._Server.proc is None and server.poll() is not None
    assert sc._bounded(functools.partial(operator.add, 3, 4), "(test)") == 7
