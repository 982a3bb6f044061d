"""Runs on any concurrent.futures.Executor, a Dask cluster included (issue 14, item 2).

The unit of work is one check of one claim; a claim is shipped to the executor pickled (cloudpickle);
the same seed gives the same verdicts and numbers as ``jobs=1`` whatever executor runs the checks.
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import os
import sys
import textwrap

import pytest

from verify import executors, runner
from verify.api import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile, run_claims
from verify.cli import main
from verify.errors import UsageError

QUICK = RunContext(seed=3, profile=get_profile("quick"))

#: A claim file exercising what must cross to a worker: module-level functions of a file that is not
#: importable there, closures, a figure written by a check, a refuted claim with a shrinker.
CLAIMS_PY = textwrap.dedent('''
    import os
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    def draw(key, verdict):
        def run(ctx):
            x = float(ctx.rng(key).standard_normal())
            path = ctx.artifact_path(key + ".txt")
            figures = []
            if path is not None:
                path.write_text(f"{x!r}")
                figures = ["figures/" + key + ".txt"]
            return CheckResult(verdict, f"draw {x!r}", instances=1, worst_margin=repr(x), figures=figures,
                               details={"x": x})
        return run

    def smallest(ctx):
        return {"n": int(ctx.rng("shrink").integers(1, 100))}

    def claims():
        return [
            Claim("e.one", "true", "test", (Check("a", Tier.NUMERIC, draw("e.one.a", Verdict.VERIFIED)),
                                          Check("b", Tier.HIGH_PRECISION, draw("e.one.b", Verdict.VERIFIED)))),
            Claim("e.bad", "false", "test", (Check("a", Tier.NUMERIC, draw("e.bad.a", Verdict.VERIFIED)),
                                           Check("b", Tier.NUMERIC, draw("e.bad.b", Verdict.REFUTED))),
                  shrink=smallest),
            Claim("e.two", "true", "test", (Check("a", Tier.SYMBOLIC, draw("e.two.a", Verdict.VERIFIED)),)),
        ]
''')


def _claims() -> list[Claim]:
    """Claims built in code, with closures (plain pickle cannot carry them)."""
    def draw(key: str, verdict: Verdict):
        return lambda ctx: CheckResult(verdict, "draw", instances=1,
                                       details={"x": float(ctx.rng(key).random()), "pid": os.getpid()})
    return [Claim("c.one", "s", "test", (Check("a", Tier.NUMERIC, draw("a", Verdict.VERIFIED)),
                                        Check("b", Tier.NUMERIC, draw("b", Verdict.VERIFIED)))),
            Claim("c.bad", "s", "test", (Check("a", Tier.NUMERIC, draw("c", Verdict.REFUTED)),),
                  shrink=lambda ctx: {"n": int(ctx.rng("s").integers(0, 1000))})]


def _numbers(result) -> list:
    """Verdicts and numbers of a run, without timings and pids."""
    out = []
    for r in result.results:
        d = json.loads(json.dumps(r.to_json(), default=repr))
        d.pop("seconds")
        if d["minimal_counterexample"]:
            d["minimal_counterexample"].pop("seconds")
        for e in d["evidence"]:
            e.pop("seconds")
            e["details"].pop("pid", None)
        out.append(d)
    return out


def _report(path) -> dict:
    """report.json without what differs between two runs of the same seed: timings and provenance."""
    doc = json.loads((path / "report.json").read_text())
    doc.pop("provenance")
    for c in doc["claims"]:
        c.pop("seconds")
        c.pop("reproduce", None)
        if c.get("minimal_counterexample"):
            c["minimal_counterexample"].pop("seconds")
        for e in c["evidence"]:
            e.pop("seconds")
    doc.get("summary", {}).pop("wall_seconds", None)
    return doc


def test_any_executor_gives_the_numbers_of_jobs_1():
    claims = _claims()
    one = runner.run(claims, QUICK, jobs=1)
    with cf.ThreadPoolExecutor(max_workers=3) as pool:
        threads = runner.run(claims, QUICK, executor=pool)
    assert _numbers(one) == _numbers(threads)
    assert [str(r.verdict) for r in threads.results] == ["verified", "refuted"]
    assert threads.results[1].minimal_counterexample["n"] == one.results[1].minimal_counterexample["n"]
    assert all(r.claim is c for r, c in zip(threads.results, claims))  # the caller's objects come back
    assert threads.jobs == 3 and threads.extra["executor"] == "ThreadPoolExecutor"


class _Recording(cf.ThreadPoolExecutor):
    """A thread pool that records the (claim, task) of each submit."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.tasks: list[int] = []

    def submit(self, fn, /, *args, **kwargs):
        self.tasks.append(args[1])
        return super().submit(fn, *args, **kwargs)


def _met(ctx: RunContext) -> CheckResult:
    return CheckResult(Verdict.VERIFIED, "met", instances=1)


def test_one_task_per_check():
    """A lone claim's checks are separate tasks on the executor (they may run on different workers)."""
    claim = Claim("two.checks", "s", "test", (Check("a", Tier.NUMERIC, _met), Check("b", Tier.NUMERIC, _met)))
    with _Recording(2) as pool:
        r = runner.run([claim], QUICK, executor=pool)
    assert sorted(pool.tasks) == [0, 1]
    assert r.results[0].verdict is Verdict.VERIFIED and [c.name for c in r.results[0].checks] == ["a", "b"]


def _third(dps: int):
    """A check computing 1/3 at ``dps`` digits 20 times (mp.workdps, as the house rules ask), yielding
    the thread between setting the precision and using it."""
    def run(ctx: RunContext) -> CheckResult:
        import time

        import mpmath

        seen = set()
        for _ in range(20):
            with mpmath.mp.workdps(dps):
                time.sleep(0.001)
                seen.add(str(mpmath.mpf(1) / 3))
        return CheckResult(Verdict.VERIFIED, "1/3", instances=1, details={"values": sorted(seen)})
    return run


def test_threads_of_one_process_never_share_a_working_precision():
    """mpmath's and flint's precision are process-wide: two checks in threads of one process (a thread
    pool, a Dask worker with several threads) must not run at once, or each computes at the other's
    precision (review: 1/3 came back at 15 and 55 digits from both checks)."""
    claims = [Claim(f"p{k}", "s", "test", (Check("a", Tier.HIGH_PRECISION, _third(15 + 40 * k)),)) for k in range(2)]
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        r = runner.run(claims, QUICK, executor=pool)
    assert [[len(v) for v in x.checks[0].details["values"]] for x in r.results] == [[17], [57]]


def test_not_an_executor_is_a_usage_error():
    with pytest.raises(UsageError, match="concurrent.futures.Executor"):
        runner.run(_claims(), QUICK, executor="dask://localhost:8786")


@pytest.mark.parametrize("text", ["localhost:8786", "dask://", "dask://host", "dask://host:", "dask://:8786",
                                  "dask://host:0", "dask://host:65536", "dask://host:80x", "dask://a/b:1",
                                  "dask://host:８７", "tcp://host:8786"])
def test_malformed_addresses_are_usage_errors(text):
    with pytest.raises(UsageError, match="dask://HOST:PORT"):
        executors.parse_executor_address(text)


def test_addresses():
    assert executors.parse_executor_address("dask://127.0.0.1:8786") == "tcp://127.0.0.1:8786"
    assert executors.parse_executor_address("dask://[::1]:8786") == "tcp://[::1]:8786"
    assert executors.parse_executor_address("dask://sched.example.org:1") == "tcp://sched.example.org:1"


def _cli(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_executor_usage_errors(tmp_path, capsys, monkeypatch):
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    code, _, err = _cli(capsys, "check", f, "--executor", "dask:/nowhere", "--out", tmp_path / "r")
    assert code == 2 and err.startswith("verify: error: --executor must be dask://HOST:PORT") and err.count("\n") == 1
    code, _, err = _cli(capsys, "check", f, "--executor", "dask://127.0.0.1:1", "--jobs", "2")
    assert code == 2 and "mutually exclusive" in err and err.count("\n") == 1
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the dask extra were not installed
    code, _, err = _cli(capsys, "check", f, "--executor", "dask://127.0.0.1:8786", "--out", tmp_path / "r")
    assert code == 2 and err.count("\n") == 1 and "pip install 'dmf-verify[dask]'" in err
    assert not (tmp_path / "r").exists()


def test_unreachable_scheduler_is_a_usage_error():
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(UsageError, match="cannot reach a Dask scheduler at tcp://127.0.0.1"):
        executors.dask_executor(f"dask://127.0.0.1:{port}", timeout=0.5)


@pytest.fixture
def cluster():
    """An in-process cluster for one test, its threads all ended afterwards: a later test that forks
    (``--jobs``) must not fork a multi-threaded pytest (a deadlock risk, and a DeprecationWarning)."""
    distributed = pytest.importorskip("distributed")
    import threading

    import distributed.utils as dutils

    before = set(threading.enumerate())
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as c:
        yield c
    offload = dutils._offload_executor  # Dask's process-wide thread pool ("Dask-Offload"): replaced by an
    dutils._offload_executor = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="Dask-Offload")
    offload.shutdown(wait=True)  # unstarted one, so that the next cluster still has one
    for thread in set(threading.enumerate()) - before:  # e.g. the profiler ("Profile") ends a moment later
        thread.join(timeout=5)


def test_dask_cluster_gives_the_report_of_jobs_1(tmp_path, capsys, cluster):
    """Issue 14's test: a claim file run on a Dask LocalCluster gives the report.json (timings and
    provenance aside) of --jobs 1, figures written on the workers included."""
    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    code, out1, _ = _cli(capsys, "check", f, "--jobs", "1", "--seed", "5", "--out", tmp_path / "one", "--quiet")
    address = cluster.scheduler_address.replace("tcp://", "dask://")
    code_d, out_d, err = _cli(capsys, "check", f, "--executor", address, "--seed", "5", "--out", tmp_path / "dask",
                              "--quiet")
    assert code == code_d == 1, err  # e.bad is refuted
    assert _report(tmp_path / "one") == _report(tmp_path / "dask")
    assert "refuted: e.bad" in out_d and "minimal counterexample" in out_d
    for key in ("e.one.a", "e.one.b", "e.bad.a", "e.bad.b", "e.two.a"):
        assert (tmp_path / "dask" / "figures" / f"{key}.txt").read_text() == \
            (tmp_path / "one" / "figures" / f"{key}.txt").read_text()


def test_run_claims_on_a_dask_client_executor(cluster):
    distributed = pytest.importorskip("distributed")
    claims = _claims()
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as client:
        on_dask = run_claims(claims, profile="quick", seed=3, executor=client.get_executor())
    one = run_claims(claims, profile="quick", seed=3, jobs=1)
    assert _numbers(on_dask) == _numbers(one) and on_dask.jobs == 2


@pytest.mark.slow
def test_spawned_processes_rebuild_claims_from_a_claim_file(tmp_path):
    """A fresh interpreter (spawn) has none of the parent's modules: the claim file's functions travel
    by value. Slow: each worker imports the suite."""
    import multiprocessing

    from verify.claimfile import load_claim_file

    f = tmp_path / "mine.py"
    f.write_text(CLAIMS_PY)
    claims = load_claim_file(f)
    ctx = RunContext(seed=5, profile=get_profile("quick"), out_dir=str(tmp_path / "figs"))
    with cf.ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = runner.run(claims, ctx, executor=pool)
    local = runner.run(claims, RunContext(seed=5, profile=get_profile("quick"), out_dir=str(tmp_path / "f1")))
    assert _numbers(remote) == _numbers(local)
    assert sorted(p.name for p in (tmp_path / "figs" / "figures").iterdir()) == \
        sorted(p.name for p in (tmp_path / "f1" / "figures").iterdir())


class _Costs:
    """A stand-in for verify.progress.CostModel with chosen expected seconds."""

    def __init__(self, claim: list[float], check: list[list[float]]) -> None:
        self.claim, self.check = claim, check

    @property
    def total(self) -> float:
        return sum(self.claim)


def test_plan_splits_only_long_claims_and_starts_the_longest():
    noop = lambda ctx: None  # noqa: E731
    claims = [Claim(f"k{i}", "s", "t", tuple(Check(f"c{j}", Tier.NUMERIC, noop) for j in range(n)))
              for i, n in enumerate((3, 2, 1, 2, 0))]
    costs = _Costs([60.0, 10.0, 20.0, 10.0, 0.0], [[10.0, 45.0, 5.0], [5.0, 5.0], [20.0], [1.0, 9.0], []])
    # 2 workers: a claim over 100/4 = 25 s is split; the others run whole, in one worker each
    assert runner.plan(claims, costs, 2) == [(0, 1), (2, executors.WHOLE), (0, 0), (1, executors.WHOLE),
                                             (3, executors.WHOLE), (0, 2)]
    # 8 workers: over 100/16 s, every claim with more than one check is split
    assert sorted(runner.plan(claims, costs, 8)) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, executors.WHOLE),
                                                     (3, 0), (3, 1)]


def test_whole_claim_tasks_with_a_shrinker_match_jobs_1():
    """Six claims of equal expected cost on 2 workers run as whole-claim tasks (6 > 2·2): the same
    numbers and minimal counterexample as in one process."""
    claims = _claims() + [_claims()[0].__class__(f"c.more.{k}", "s", "test", _claims()[0].checks) for k in range(4)]
    assert all(j == executors.WHOLE for _, j in runner.plan(claims, runner.CostModel(claims, "quick"), 2))
    one = runner.run(claims, QUICK, jobs=1)
    two = runner.run(claims, QUICK, jobs=2)
    assert _numbers(one) == _numbers(two) and two.results[1].minimal_counterexample is not None
    assert os.getpid() not in {r.checks[0].details["pid"] for r in two.results}


def test_warm_derives_what_scalar_claims_share_before_forking(monkeypatch):
    """The per-depth scalar derivations are made once in the parent when a check uses them (forked
    workers inherit them); claims that do not use them cost no derivation."""
    from verify import workers

    monkeypatch.setattr(workers, "WARM_PACKAGES", ())  # imports aside: this test is about derivations
    monkeypatch.setattr(workers, "SHARED_DERIVATIONS", (("verify.symbolic.scalar", "derive_threshold", 32),))
    from verify.api import tau, threshold_claim
    from verify.symbolic import scalar

    claim = threshold_claim("w.threshold", "τ under A1", "test", tau, convention="A1")
    assert workers._used_by([claim], "verify.symbolic.scalar")
    assert not workers._used_by(_claims(), "verify.symbolic.scalar")
    workers.warm([claim], depths=(2, 3))
    misses = scalar.derive_threshold.cache_info().misses
    scalar.derive_threshold(3)
    assert scalar.derive_threshold.cache_info().misses == misses  # already derived: a cache hit


SLEEPING_PY = textwrap.dedent('''
    import time
    from verify.claims import Check, CheckResult, Claim, Tier, Verdict

    def slow(ctx):
        time.sleep(8)
        return CheckResult(Verdict.VERIFIED, "slept", instances=1)

    def claims():
        return [Claim("s.one", "s", "test", (Check("a", Tier.NUMERIC, slow),))]
''')


@pytest.mark.slow
def test_ctrl_c_on_a_dask_run_exits_130_with_no_report(tmp_path, cluster, popen_interruptible):
    """Ctrl-C while a check runs on the cluster: one line, exit 130, no report (review, issue 14)."""
    import signal
    import subprocess
    import time

    f = tmp_path / "sleeping.py"
    f.write_text(SLEEPING_PY)
    port = cluster.scheduler_address.rsplit(":", 1)[1]
    proc = popen_interruptible([sys.executable, "-m", "verify.cli", "check", str(f), "--out", str(tmp_path / "r"),
                             "--executor", f"dask://127.0.0.1:{port}"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(4)  # connected, and the check is running on the cluster
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "verify: interrupted"
    assert not (tmp_path / "r").exists()
