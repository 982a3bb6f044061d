"""Schedule claims: select, run (in-process, in forked worker processes, or on any executor), time,
and collect results.

In parallel, a claim expected to be long is split into one task per check (``verify.executors``), so
it spreads over the workers (its shrinker runs once all its checks are back); any other claim is one
task, so its checks share one process's caches (``plan``). Tasks start longest first (expected seconds
from ``verify/claim_costs.json``), which shortens the wall time of a parallel run.

Local workers run the very ``Claim`` objects the caller passed: they are forked from this process
after the claim list is in memory (and after the modules checks import are loaded: ``warm``), inherit
both, and receive only indices. Nothing is rebuilt from the catalogue or re-imported from a claim
file, so a claim built in code (closures included) runs as written, whatever ``jobs`` is. Where
``fork`` is unavailable the claims run in this process. An ``executor`` (any
``concurrent.futures.Executor``, such as a Dask client's ``get_executor()``) receives each claim
pickled with cloudpickle instead (see ``verify.executors``).

Every random draw comes from ``RunContext.rng(key)``, so results do not depend on the executor, the
number of workers or the order tasks finish in. Workers ignore SIGINT (the parent handles Ctrl-C and
terminates them) and end when the parent dies (``PR_SET_PDEATHSIG`` on Linux, a watchdog elsewhere).
"""
from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import fnmatch
import os
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from .claims import Claim, CheckResult, ClaimResult, RunContext, Verdict, run_claim
from .claims.context import progress_sink
from .errors import UsageError
from . import executors
from .executors import SHRINK, WHOLE, WorkerDied, executor_workers, pack_claim, remote_task, unpack_result
from .progress import CallbackProgress, CostModel, RunProgress, safely
from .workers import _die_with_parent, _fork_context, run_pool, throttled, warm  # noqa: F401 (re-exported)

#: More worker processes than this is a usage error (a typo such as --jobs 1000 must not fork 1000).
MAX_JOBS = 256

_GLOB = set("*?[")


@dataclass(frozen=True)
class ClaimSource:
    """Where claims come from: the built-in catalogue (path None) or a claim file."""

    path: str | None = None

    def load(self) -> list[Claim]:
        if self.path is None:
            import proofs

            return proofs.catalogue()
        from .claimfile import load_claim_file

        return load_claim_file(self.path)


def selector(ids: Sequence[str], only: Sequence[str]) -> Callable[[str], bool]:
    """A predicate on claim ids for the ``--only`` entries ``only``.

    An entry with a glob character (``*``, ``?``, ``[``) is an ``fnmatch`` pattern over whole ids
    (``kp.threshold*``). Any other entry names the claim with exactly that id, else every claim under
    the prefix ``entry + '.'`` (so ``kp`` is the family and a reproducer names exactly one claim).
    An entry that matches no id is a usage error.
    """
    wants = []
    for entry in only:
        if not isinstance(entry, str) or not entry.strip():
            raise UsageError(f"--only needs a claim id, an id prefix or a pattern, got {entry!r}")
        wants.append(entry.strip())
    exact = {w for w in wants if w in set(ids)}

    def matches(cid: str, want: str) -> bool:
        if _GLOB & set(want):
            return fnmatch.fnmatchcase(cid, want)
        return cid == want if want in exact else cid.startswith(want + ".")

    unknown = [w for w in wants if not any(matches(cid, w) for cid in ids)]
    if unknown:
        raise UsageError(f"unknown claim id(s): {', '.join(unknown)}; see 'verify list' ({len(ids)} claims)")
    return lambda cid: any(matches(cid, w) for w in wants)


def split_only(values: Sequence[str] | None, option: str = "--only") -> list[str]:
    """``--only a,b --only c`` → ``[a, b, c]`` (comma-separated and repeatable); an empty entry is a
    usage error (``--only "$IDS"`` with nothing in it must not run everything)."""
    parts = [part.strip() for v in values or () for part in v.split(",")]
    if any(not p for p in parts):
        raise UsageError(f"{option} needs claim ids, id prefixes or patterns, got an empty one in "
                         f"{', '.join(repr(v) for v in values or ())}")
    return parts


def select(claims: Sequence[Claim], only: Sequence[str] | None) -> list[Claim]:
    """The claims named by ``only`` (see ``selector``), in their original order; all when empty."""
    if not only:
        return list(claims)
    keep = selector([c.id for c in claims], only)
    return [c for c in claims if keep(c.id)]


@dataclass
class RunResult:
    """Results in the order the claims were given, with wall time and the worker count used."""

    results: list[ClaimResult]
    wall_seconds: float
    ctx: RunContext
    jobs: int = 1
    extra: dict = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {"verified": 0, "refuted": 0, "inconclusive": 0}
        for r in self.results:
            out[str(r.verdict)] += 1
        out["total"] = len(self.results)
        return out

    @property
    def crashed(self) -> list[ClaimResult]:
        """Results with a check that raised: internal errors of the tool, never verdicts."""
        return [r for r in self.results if r.crashed]

    def write_report(self, out_dir: str | Path) -> list[Path]:
        """Write this run's report set (report.json, .md, .html, junit.xml, figures/) into ``out_dir``,
        atomically as a set; returns the files written (``verify.report.writer.write_run``)."""
        from .report.writer import write_run

        figures = self.extra.get("report_dir") or self.ctx.out_dir  # a published run's figures live there
        return write_run(self, out_dir, started=self.extra.get("started"), command=self.extra.get("command"),
                         figures_dir=figures)

    def _repr_html_(self) -> str:
        from .claims.display import results_table_html

        c = self.counts()
        return results_table_html(self.results, caption=(
            f"{c['verified']} verified, {c['refuted']} refuted, {c['inconclusive']} inconclusive of {c['total']}; "
            f"seed {self.ctx.seed}, profile {self.ctx.profile.name}, {self.wall_seconds:.1f} s on {self.jobs} job(s)"))


def run_one(claim: Claim, ctx: RunContext) -> ClaimResult:
    """``run_claim``, except that a check calling ``sys.exit`` is a crash of that claim, not the end
    of the run (``Check.execute`` turns every ``Exception`` into a crash; ``SystemExit`` is not one)."""
    try:
        return run_claim(claim, ctx)
    except SystemExit as exc:
        crash = CheckResult(Verdict.INCONCLUSIVE, f"check crashed: the claim called sys.exit({exc.code!r})",
                            error=f"SystemExit: {exc.code!r} raised while running claim {claim.id}")
        crash.name = "(claim)"
        return ClaimResult(claim, [crash])


Progress = Callable[[int, int, ClaimResult, float], None]


def stderr_progress(done: int, total: int, result: ClaimResult, elapsed: float) -> None:
    """One line per finished claim with an estimate of the time left (never fails the run; nothing
    without a stderr, never on stdout)."""
    if sys.stderr is None:
        return
    try:
        eta = elapsed / max(done, 1) * max(total - done, 0)
        print(f"[{done}/{total}] {result.claim.id:<32} {str(result.verdict):<12} {result.seconds:6.1f} s"
              f"   elapsed {elapsed:6.1f} s, about {eta:5.0f} s left", file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed or a broken pipe: progress is optional
        pass


def check_jobs(jobs: object) -> int:
    """``jobs`` as a worker count: an integer in 1..MAX_JOBS, else a usage error."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= MAX_JOBS:
        raise UsageError(f"--jobs must be an integer from 1 to {MAX_JOBS}, got {jobs!r}")
    return jobs


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity where the system says), at most MAX_JOBS."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_JOBS))


class _Collector:
    """Check results as they arrive, assembled into claim results in declaration order."""

    def __init__(self, claims: list[Claim], tracker: RunProgress, start: float) -> None:
        self.claims, self.tracker, self.start = claims, tracker, start
        self.partial: list[list[CheckResult | None]] = [[None] * len(c.checks) for c in claims]
        self.left = [len(c.checks) for c in claims]
        self.results: list[ClaimResult | None] = [None] * len(claims)
        self.shrinking: dict[int, ClaimResult] = {}
        self.done = 0
        for i, c in enumerate(claims):
            if not c.checks:
                self._finish(i, ClaimResult(c, []))

    def check(self, i: int, j: int, result: CheckResult) -> bool:
        """Record check ``j`` of claim ``i``; True when the claim is complete, refuted and has a shrinker
        (the caller then runs task SHRINK)."""
        self.partial[i][j] = result
        self.left[i] -= 1
        safely(self.tracker.check_finished, i, j, result)
        if self.left[i]:
            return False
        claim_result = ClaimResult(self.claims[i], [r for r in self.partial[i] if r is not None])
        if claim_result.verdict is Verdict.REFUTED and self.claims[i].shrink is not None:
            self.shrinking[i] = claim_result
            safely(self.tracker.check_started, i, SHRINK)
            return True
        self._finish(i, claim_result)
        return False

    def shrunk(self, i: int, minimal: dict | None) -> None:
        claim_result = self.shrinking.pop(i)
        claim_result.minimal_counterexample = minimal
        self._finish(i, claim_result)

    def take(self, i: int, j: int, value: Any) -> bool:
        """Record the value of task (i, j); True when task (i, SHRINK) must run next."""
        if j == SHRINK:
            self.shrunk(i, value)
            return False
        if j == WHOLE:
            checks, minimal = value
            for k, result in enumerate(checks):
                safely(self.tracker.check_finished, i, k, result)
            self._finish(i, ClaimResult(self.claims[i], list(checks), minimal))
            return False
        return self.check(i, j, value)

    def _finish(self, i: int, result: ClaimResult) -> None:
        self.results[i] = result
        self.done += 1
        safely(self.tracker.claim_finished, self.done, len(self.claims), result, time.perf_counter() - self.start)


def _tracker(progress: Progress | RunProgress | None) -> RunProgress:
    if progress is None:
        return RunProgress()
    if isinstance(progress, RunProgress):
        return progress
    return CallbackProgress(progress)


def plan(claims: Sequence[Claim], costs: CostModel, workers: int) -> list[tuple[int, int]]:
    """The tasks of a parallel run, longest expected first: a claim expected to take more than a
    (2·workers)-th of the whole run is split into one task per check (a long claim spreads over the
    workers); any other claim is one ``WHOLE`` task (its checks share one process's caches)."""
    share = costs.total / (2 * max(workers, 1))
    tasks: list[tuple[int, int]] = []
    for i, claim in enumerate(claims):
        if len(claim.checks) > 1 and costs.claim[i] > share:
            tasks.extend((i, j) for j in range(len(claim.checks)))
        elif claim.checks:
            tasks.append((i, WHOLE))
    return sorted(tasks, key=lambda t: -(costs.claim[t[0]] if t[1] == WHOLE else costs.check[t[0]][t[1]]))


def run(claims: Sequence[Claim], ctx: RunContext, jobs: int = 1, progress: Progress | RunProgress | None = None,
        executor: cf.Executor | None = None) -> RunResult:
    """Run ``claims`` with up to ``jobs`` forked worker processes (1: in this process), or on
    ``executor`` (any ``concurrent.futures.Executor``; ``jobs`` is then the executor's business).

    The work is split into tasks by ``plan``; the local workers never outnumber the tasks. Verdicts and numbers are those of ``jobs=1``. Where the ``fork`` start method is
    unavailable the claims run in this process; ``extra["jobs_note"]`` says so. ``progress`` is a
    ``verify.progress.RunProgress`` or a callable ``(done, total, result, elapsed)`` per finished claim.
    """
    jobs = check_jobs(jobs)
    if executor is not None and not isinstance(executor, cf.Executor):
        raise UsageError(f"executor must be a concurrent.futures.Executor, got {type(executor).__name__}")
    claims = list(claims)
    dupes = sorted(cid for cid, n in Counter(c.id for c in claims).items() if n > 1)
    if dupes:
        raise UsageError(f"duplicate claim id(s): {', '.join(dupes)}")
    started = dt.datetime.now(dt.timezone.utc)
    start = time.perf_counter()
    checks = [(i, j) for i, c in enumerate(claims) for j in range(len(c.checks))]
    costs = CostModel(claims, ctx.profile.name)
    extra: dict = {"started": started}
    context = None
    if executor is not None:
        used = executor_workers(executor) or 1
        extra["executor"] = type(executor).__name__
        tasks = plan(claims, costs, used)
    else:
        tasks = plan(claims, costs, min(jobs, max(len(checks), 1)))
        used = min(jobs, max(len(tasks), 1))
        context = _fork_context() if used > 1 else None
        if used > 1 and context is None:
            extra["jobs_note"] = (f"--jobs {jobs}: worker processes need the 'fork' start method, unavailable "
                                  f"on this platform; ran the claims in this process")
            warnings.warn(extra["jobs_note"], RuntimeWarning, stacklevel=2)
            used = 1
    tracker = _tracker(progress)
    safely(tracker.begin, claims, ctx.profile.name, used)
    collected = _Collector(claims, tracker, start)
    try:
        if executor is not None:
            _run_executor(claims, ctx, executor, tasks, collected)
        elif used == 1:
            _run_inline(claims, ctx, checks, collected)
        else:
            extra["warm_seconds"] = round(warm(claims, ctx.profile.depths, ctx), 3)
            run_pool(claims, ctx, used, context, tasks, collected, _inline)
    finally:
        safely(tracker.end)
    return RunResult([r for r in collected.results if r is not None], time.perf_counter() - start, ctx, used, extra)


def _inline(claims: list[Claim], ctx: RunContext, i: int, j: int, collected: _Collector) -> Any:
    """Task (i, j) in this process, its ``RunContext.progress`` calls going to the display."""
    tracker = collected.tracker
    sink = None
    if tracker.wants_inner and j >= 0:
        sink = throttled(lambda task, done, total: safely(tracker.check_progress, i, j, task, done, total))
    if j != WHOLE:
        safely(tracker.check_started, i, j)
    with progress_sink(sink):
        return executors.run_task(claims[i], j, ctx)


def _run_inline(claims: list[Claim], ctx: RunContext, tasks: list[tuple[int, int]], collected: _Collector) -> None:
    for i, j in tasks:  # declaration order: a claim's shrinker runs right after its last check
        if collected.take(i, j, _inline(claims, ctx, i, j, collected)):
            collected.take(i, SHRINK, _inline(claims, ctx, i, SHRINK, collected))


def _run_executor(claims: list[Claim], ctx: RunContext, executor: cf.Executor, tasks: list[tuple[int, int]],
                  collected: _Collector) -> None:
    """Run the tasks on ``executor``, each claim shipped pickled (``verify.executors``). The executor is
    the caller's: it is not shut down here; on Ctrl-C or an error the tasks not yet run are cancelled."""
    payloads: dict[int, bytes] = {}

    def submit(i: int, j: int) -> cf.Future:
        if i not in payloads:
            payloads[i] = pack_claim(claims[i])
        return executor.submit(remote_task, payloads[i], j, ctx)

    pending: dict[cf.Future, tuple[int, int]] = {}
    try:
        for i, j in tasks:
            pending[submit(i, j)] = (i, j)
        while pending:
            done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
            for fut in done:
                i, j = pending.pop(fut)
                try:
                    data = fut.result()
                except cf.CancelledError as exc:
                    raise WorkerDied(f"the executor cancelled a task of {claims[i].id}") from exc
                except Exception as exc:
                    raise WorkerDied(f"a task of {claims[i].id} failed on the executor "
                                     f"({type(exc).__name__}: {' '.join(str(exc).split())[:300]})") from exc
                if data is None:
                    value = _inline(claims, ctx, i, j, collected)
                else:
                    value, _pid = unpack_result(data, ctx)
                if collected.take(i, j, value):
                    pending[submit(i, SHRINK)] = (i, SHRINK)
    except BaseException:
        for fut in pending:
            fut.cancel()
        raise
