"""Units of work of a run and how they cross to an executor's workers.

A run is split into tasks: one per (claim, check) for a claim long enough to be worth spreading over
the workers (then a shrink task for it if it is refuted, once all its checks are back), and one
``WHOLE`` task for any other claim (its checks in order in one worker, so they share that process's
caches, then its shrinker). ``verify.runner.plan`` decides.

Two ways to carry a task to a worker:

- forked local workers (``verify.runner``) inherit the claim list and receive indices only;
- any other ``concurrent.futures.Executor`` (a Dask client's ``get_executor()``, a process pool with
  the ``spawn`` start method, a remote cluster) receives the claim itself, pickled once per claim with
  cloudpickle, which carries closures and lambdas (the catalogue's checks are closures) by value. A
  ``.py`` claim file's module is not importable on a worker, so it is registered to travel by value
  too. Rebuilding claims by id on the worker was rejected: a claim built in code has no source to
  rebuild it from, and a rebuilt claim could silently differ from the one the caller passed.

Every random draw comes from ``RunContext.rng(key)``, so the verdicts and numbers do not depend on the
executor, the worker count or the order tasks finish in. Figures a check writes on a worker go to a
private directory there and come back as bytes with the result, so a worker need not share a file
system with the caller.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, ContextManager

from .claims import Check, CheckResult, Claim, ClaimResult, RunContext, Verdict
from .errors import UsageError

#: The check index of a claim's shrink task (its minimal counterexample).
SHRINK = -1
#: The check index of a task that runs a whole claim: its checks in order, then its shrinker if refuted.
WHOLE = -2


class WorkerDied(RuntimeError):
    """A worker ended without returning its task's result (an internal error, exit code 3)."""

#: Claim-file modules ``verify.claimfile`` registers under this prefix (not importable on a worker).
_CLAIMFILE_PREFIX = "_verify_claimfile_"


def run_check(check: Check, ctx: RunContext) -> CheckResult:
    """``check.execute(ctx)``; a check calling ``sys.exit`` is a crash of that check, not of the run
    (``Check.execute`` turns every ``Exception`` into a crash; ``SystemExit`` is not one)."""
    try:
        return check.execute(ctx)
    except SystemExit as exc:
        crash = CheckResult(Verdict.INCONCLUSIVE, f"check crashed: the check called sys.exit({exc.code!r})",
                            error=f"SystemExit: {exc.code!r} raised while running check {check.name!r}")
        crash.name, crash.tier, crash.corroborates = check.name, check.tier, check.corroborates
        return crash


def run_shrink(claim: Claim, ctx: RunContext) -> dict[str, Any] | None:
    """A refuted claim's minimal counterexample (``claim.shrink``), timed; a shrinker that fails says so
    and the refutation stands (as in ``verify.claims.run_claim``)."""
    if claim.shrink is None:
        return None
    start = time.perf_counter()
    try:
        found = claim.shrink(ctx)
    except (Exception, SystemExit) as exc:
        found = {"error": f"shrinking failed: {type(exc).__name__}: {exc}"}
    if found is not None:
        found["seconds"] = round(time.perf_counter() - start, 3)
    return found


def run_whole(claim: Claim, ctx: RunContext,
              around: Callable[[int], ContextManager[Any]] | None = None) -> tuple[list[CheckResult], dict | None]:
    """Every check of ``claim`` in declaration order (each inside ``around(j)``, for progress), then
    its shrinker if the claim is refuted: (check results, minimal counterexample)."""
    checks = []
    for j, check in enumerate(claim.checks):
        with around(j) if around is not None else nullcontext():
            checks.append(run_check(check, ctx))
    refuted = ClaimResult(claim, checks).verdict is Verdict.REFUTED
    return checks, run_shrink(claim, ctx) if refuted else None


#: One task at a time per process. mpmath's working precision (``mp.workdps``) and python-flint's
#: ``ctx.prec`` are process-wide, so two checks in threads of one process (a thread pool, a Dask
#: worker with several threads, the parent rerunning a task while a thread pool runs others) would
#: change each other's precision and so their numbers. Forked workers run one task each anyway.
TASK_LOCK = threading.RLock()


def run_task(claim: Claim, index: int, ctx: RunContext,
             around: Callable[[int], ContextManager[Any]] | None = None) -> Any:
    """Task ``index`` of ``claim``: its check ``index``; its shrinker for ``SHRINK``; the whole claim
    for ``WHOLE`` (``run_whole``). Tasks of one process run one at a time (``TASK_LOCK``)."""
    with TASK_LOCK:
        if index == SHRINK:
            return run_shrink(claim, ctx)
        if index == WHOLE:
            return run_whole(claim, ctx, around)
        return run_check(claim.checks[index], ctx)


# ---------------------------------------------------------------- shipping claims to any executor

def _cloudpickle():
    try:
        import cloudpickle
    except ImportError:
        return None
    return cloudpickle


def pack_claim(claim: Claim) -> bytes:
    """``claim`` as bytes a worker in another process (or machine) can rebuild.

    cloudpickle where installed (it ships with Dask), with claim-file modules sent by value; else plain
    pickle, and a claim that plain pickle cannot carry is a usage error naming the fix."""
    cp = _cloudpickle()
    if cp is None:
        try:
            return pickle.dumps(claim)
        except Exception as exc:
            raise UsageError(f"claim {claim.id} cannot be sent to the executor's workers without cloudpickle "
                             f"({type(exc).__name__}: {exc}); install it: pip install 'dmf-verify[dask]'") from None
    for name, module in list(sys.modules.items()):
        if name.startswith(_CLAIMFILE_PREFIX) and module is not None:
            try:
                cp.register_pickle_by_value(module)
            except (ValueError, TypeError):
                pass
    try:
        return cp.dumps(claim)
    except Exception as exc:
        raise UsageError(f"claim {claim.id} cannot be sent to the executor's workers: "
                         f"{type(exc).__name__}: {exc}") from None


_UNPACKED: dict[str, Claim] = {}  # per worker process: claims already rebuilt, by payload digest


def _unpack_claim(payload: bytes) -> Claim:
    key = hashlib.sha256(payload).hexdigest()
    claim = _UNPACKED.get(key)
    if claim is None:
        if len(_UNPACKED) > 64:
            _UNPACKED.clear()
        claim = _UNPACKED[key] = pickle.loads(payload)
    return claim


def _files_under(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def remote_task(payload: bytes, index: int, ctx: RunContext) -> bytes | None:
    """Executor side of a task: rebuild the claim, run task ``index``, and return the pickled
    (result, figures written) or None when the result does not pickle (the caller then reruns the
    task in its own process). A module-level function, so any executor can pickle it by reference."""
    claim = _unpack_claim(payload)
    with tempfile.TemporaryDirectory(prefix="verify-task-") as tmp:
        local = replace(ctx, out_dir=tmp) if ctx.out_dir is not None else ctx
        value = run_task(claim, index, local)
        files = _files_under(Path(tmp)) if ctx.out_dir is not None else {}
    try:
        return pickle.dumps((value, files, os.getpid()))
    except Exception:
        cp = _cloudpickle()
        if cp is not None:
            try:
                return cp.dumps((value, files, os.getpid()))
            except Exception:
                pass
        return None


def unpack_result(data: bytes, ctx: RunContext) -> tuple[CheckResult | dict[str, Any] | None, int]:
    """The caller's side of ``remote_task``: the result, with its figures written into ``ctx.out_dir``;
    and the worker's pid."""
    value, files, pid = pickle.loads(data)
    if ctx.out_dir is not None:
        for rel, content in files.items():
            dest = Path(ctx.out_dir) / rel
            if ".." in Path(rel).parts or Path(rel).is_absolute():
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)
    return value, pid


# ---------------------------------------------------------------- --executor ADDRESS

DASK_HINT = "pip install 'dmf-verify[dask]'"


def parse_executor_address(text: str) -> str:
    """``dask://HOST:PORT`` → the scheduler address ``tcp://HOST:PORT``; anything else a usage error."""
    if not isinstance(text, str) or not text.startswith("dask://"):
        raise UsageError(f"--executor must be dask://HOST:PORT (a Dask scheduler), got {text!r}")
    rest = text[len("dask://"):]
    host, sep, port = rest.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if (not sep or not host or not port.isascii() or not port.isdigit() or not 1 <= int(port) <= 65535
            or any(c in host for c in "/@?# ") or not host.isascii()):
        raise UsageError(f"--executor must be dask://HOST:PORT with a port 1-65535, got {text!r}")
    return f"tcp://{'[' + host + ']' if ':' in host else host}:{int(port)}"


def _closing_client(Client: type) -> type:
    """``Client`` that stops its event-loop thread when it fails to connect. Dask's own leaves the
    thread ("IO loop") running; a later fork in this process (``--jobs``, a bounded evaluation) would
    then fork a multi-threaded process, which can deadlock the child."""

    class ClosingClient(Client):  # type: ignore[misc,valid-type]
        def start(self, **kwargs: Any) -> None:
            try:
                super().start(**kwargs)
            except BaseException:
                runner = getattr(self, "_loop_runner", None)
                if runner is not None:
                    try:
                        runner.stop()
                    except Exception:
                        pass
                raise
    return ClosingClient


def dask_executor(text: str, timeout: float = 10.0):
    """A ``concurrent.futures.Executor`` on the Dask scheduler named by ``dask://HOST:PORT``, and the
    client to close afterwards. Dask missing, or a scheduler that does not answer, is a usage error."""
    address = parse_executor_address(text)
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(f"--executor dask://... needs Dask's distributed scheduler: {DASK_HINT}") from None
    try:
        client = _closing_client(Client)(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise UsageError(f"--executor {text}: cannot reach a Dask scheduler at {address} "
                         f"({type(exc).__name__}: {' '.join(str(exc).split())[:200]})") from None
    return client.get_executor(), client


def executor_workers(executor: object) -> int | None:
    """How many workers an executor runs, where it says (a local pool, a Dask client), else None."""
    client = getattr(executor, "_client", None)
    if client is not None and hasattr(client, "scheduler_info"):
        try:
            return sum(int(w.get("nthreads", 1)) for w in client.scheduler_info()["workers"].values()) or None
        except Exception:
            return None
    n = getattr(executor, "_max_workers", None)
    return n if isinstance(n, int) else None
