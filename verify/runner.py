"""Schedule claims: select, run (in-process or in worker processes), time, and collect results.

Workers run the very ``Claim`` objects the caller passed: they are forked from this process after the
claim list is in memory, inherit it, and receive only an index into it. Nothing is rebuilt from the
catalogue or re-imported from a claim file, so a claim built in code (closures included) runs as
written, whatever ``jobs`` is. Where ``fork`` is unavailable the claims run in this process.

Every random draw comes from ``RunContext.rng(key)``, so results do not depend on the number of
workers or the order claims finish in. Workers ignore SIGINT (the parent handles Ctrl-C and
terminates them) and end when the parent dies (``PR_SET_PDEATHSIG`` on Linux, a watchdog elsewhere).
"""
from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import multiprocessing
import os
import pickle
import signal
import sys
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .claims import Claim, CheckResult, ClaimResult, RunContext, Verdict, run_claim
from .errors import UsageError

#: More worker processes than this is a usage error (a typo such as --jobs 1000 must not fork 1000).
MAX_JOBS = 256

_GLOB = set("*?[")


class WorkerDied(RuntimeError):
    """A worker process ended without returning its claim's result (an internal error, exit code 3)."""


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


# ---------------------------------------------------------------- worker processes

_WORK: tuple[Sequence[Claim], RunContext] | None = None  # set in each forked worker by _init_worker


def _die_with_parent(parent: int) -> None:
    """Make this worker end when ``parent`` dies: PR_SET_PDEATHSIG on Linux, else a watchdog thread."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="verify-parent-watchdog", daemon=True).start()


def _init_worker(claims: Sequence[Claim], ctx: RunContext, parent: int) -> None:
    """Worker start-up (forked, so ``claims`` are the parent's objects, not copies rebuilt by id)."""
    global _WORK
    _WORK = (claims, ctx)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent(parent)


def _run_index(i: int) -> tuple[int, bytes | None]:
    """Worker side: run claim ``i`` of the inherited list; the pickled (checks, minimal counterexample),
    or None when the result does not pickle (the parent then reruns that claim in its own process)."""
    assert _WORK is not None, "worker not initialised"
    claims, ctx = _WORK
    r = run_one(claims[i], ctx)
    try:
        return i, pickle.dumps((r.checks, r.minimal_counterexample))
    except Exception:
        return i, None


def _fork_context():
    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


def _terminate(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started and terminate the workers."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.terminate()
        except Exception:
            pass
    for p in processes:
        try:
            p.join(timeout=2)
            if p.is_alive():
                p.kill()
        except Exception:
            pass


Progress = Callable[[int, int, ClaimResult, float], None]


def stderr_progress(done: int, total: int, result: ClaimResult, elapsed: float) -> None:
    """One line per finished claim with an estimate of the time left (never fails the run)."""
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


def run(claims: Sequence[Claim], ctx: RunContext, jobs: int = 1, progress: Progress | None = None) -> RunResult:
    """Run ``claims`` with up to ``jobs`` worker processes (1: in this process).

    The workers never outnumber the claims. Verdicts and numbers are those of ``jobs=1``. Where the
    ``fork`` start method is unavailable the claims run in this process; ``extra["jobs_note"]`` says so.
    """
    jobs = check_jobs(jobs)
    claims = list(claims)
    dupes = sorted(cid for cid, n in Counter(c.id for c in claims).items() if n > 1)
    if dupes:
        raise UsageError(f"duplicate claim id(s): {', '.join(dupes)}")
    start = time.perf_counter()
    total = len(claims)
    used = min(jobs, max(total, 1))
    extra: dict = {}
    context = _fork_context() if used > 1 else None
    if used > 1 and context is None:
        extra["jobs_note"] = (f"--jobs {jobs}: worker processes need the 'fork' start method, unavailable "
                              f"on this platform; ran the claims in this process")
        warnings.warn(extra["jobs_note"], RuntimeWarning, stacklevel=2)
        used = 1
    results: list[ClaimResult | None] = [None] * total

    def finished(i: int, r: ClaimResult) -> None:
        results[i] = r
        if progress:
            done = sum(x is not None for x in results)
            progress(done, total, r, time.perf_counter() - start)

    if used == 1:
        for i, c in enumerate(claims):
            finished(i, run_one(c, ctx))
    else:
        _run_pool(claims, ctx, used, context, finished)
    return RunResult([r for r in results if r is not None], time.perf_counter() - start, ctx, used, extra)


def _run_pool(claims: list[Claim], ctx: RunContext, workers: int, context,
              finished: Callable[[int, ClaimResult], None]) -> None:
    """Run ``claims`` in ``workers`` forked processes; on any exit path (Ctrl-C included) stop them."""
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                  initargs=(claims, ctx, os.getpid()))
    try:
        # Workers are forked during the first submit; block SIGINT meanwhile so that none is born
        # with Python's SIGINT handler (a Ctrl-C then is delivered to this process after the fork).
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            futures = {pool.submit(_run_index, i): i for i in range(len(claims))}
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)
        for fut in cf.as_completed(futures):
            try:
                i, payload = fut.result()
            except cf.process.BrokenProcessPool as exc:
                unfinished = [claims[j].id for f, j in futures.items()
                              if not f.done() or f.cancelled() or f.exception() is not None]
                raise WorkerDied(f"a worker process died (out of memory, a signal, or a check that ended its "
                                 f"process) while running {', '.join(unfinished[:5])}"
                                 f"{' and others' if len(unfinished) > 5 else ''}") from exc
            if payload is None:
                finished(i, run_one(claims[i], ctx))
            else:
                checks, minimal = pickle.loads(payload)
                finished(i, ClaimResult(claims[i], checks, minimal))
    except BaseException:
        _terminate(pool)
        raise
    pool.shutdown(wait=True)
