"""Forked local worker processes: they inherit the claims (and the modules ``warm`` loaded) from the
parent, receive indices only, ignore SIGINT (the parent handles Ctrl-C and terminates them) and end when
the parent dies (``PR_SET_PDEATHSIG`` on Linux, a watchdog elsewhere). See ``verify.runner``."""
from __future__ import annotations

import concurrent.futures as cf
import gc
import importlib
import inspect
import multiprocessing
import os
import pickle
import pkgutil
import signal
import sys
import threading
import time
from contextlib import contextmanager, nullcontext
from typing import Any, Callable, Iterator, Sequence

from . import executors
from .claims import Claim, RunContext
from .claims.context import progress_sink
from .executors import SHRINK, WHOLE, WorkerDied
from .progress import RunProgress, safely

_WORK: tuple[Sequence[Claim], RunContext, Any] | None = None  # set in each forked worker by _init_worker


def _die_with_parent(parent: int) -> None:
    """Make this worker end when ``parent`` dies: PR_SET_PDEATHSIG on Linux, else a watchdog thread.

    The thread only where prctl is unavailable: a worker may fork in turn (a bounded evaluation in
    ``verify.claims.scalar_common``), and a fork of a multi-threaded process can deadlock the child."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            if libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            time.sleep(0.5)

    threading.Thread(target=watch, name="verify-parent-watchdog", daemon=True).start()


def _init_worker(claims: Sequence[Claim], ctx: RunContext, parent: int, events: Any = None) -> None:
    """Worker start-up (forked, so ``claims`` are the parent's objects, not copies rebuilt by id)."""
    global _WORK
    _WORK = (claims, ctx, events)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _die_with_parent(parent)


def throttled(emit: Callable[[str, int, int], None], period: float = 0.1) -> Callable[[str, int, int], None]:
    """``emit`` at most every ``period`` seconds, and always for the last unit (done ≥ total)."""
    last = [0.0]

    def sink(task: str, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - last[0] >= period:
            last[0] = now
            emit(task, done, total)
    return sink


def _run_index(i: int, j: int) -> tuple[int, int, bytes | None]:
    """Worker side: run task ``j`` of claim ``i`` of the inherited list; the pickled result, or None when
    it does not pickle (the parent then reruns that task in its own process)."""
    assert _WORK is not None, "worker not initialised"
    claims, ctx, events = _WORK

    @contextmanager
    def reporting(k: int) -> Iterator[None]:
        """Check ``k`` runs: tell the parent when it starts, how far it is, and when it ends."""
        sink = None
        if events is not None:
            events.put(("start", i, k))
            sink = throttled(lambda task, done, total: events.put(("progress", i, k, task, done, total)), 0.25)
        with progress_sink(sink):
            yield
        if events is not None:
            events.put(("finished", i, k))

    if j == WHOLE:
        value = executors.run_task(claims[i], j, ctx, reporting)
    else:
        with reporting(j) if j >= 0 else nullcontext():
            value = executors.run_task(claims[i], j, ctx)
    try:
        return i, j, pickle.dumps(value)
    except Exception:
        return i, j, None


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


#: Packages whose modules checks import lazily: loaded once before forking, so every worker has them.
WARM_PACKAGES = ("verify.claims", "verify.symbolic", "verify.highprec", "verify.kernels", "verify.certified",
                 "verify.landscape", "verify.problems", "proofs")


#: Modules of those packages that no check imports: ``verify bench`` and its optional JIT backends
#: (numba, JAX). Warming them would load numba or JAX into every run's parent for nothing.
WARM_SKIP = ("verify.kernels.bench", "verify.kernels.numba_program", "verify.kernels.numba_generated",
             "verify.kernels.jax_program")


#: Per-depth derivations many claims share (cached per process): (module, function, deepest depth
#: worth deriving ahead, since the float64 tiers stop at 12). Derived before forking for the profile's
#: depths when a check's module uses the function, so that no worker derives them again.
SHARED_DERIVATIONS = (("verify.symbolic.scalar", "derive_threshold", 32),
                      ("verify.symbolic.scalar", "derive_spectrum", 12),
                      ("verify.certified.threshold", "reduced", 12))

#: Per-run work several claims share, cached per process: ``fn(ctx)`` for the run's context. Done once before
#: forking when the function of some check refers to it (``kp.uniqueness``, ``kp.balancedness`` and
#: ``kp.layer_norms`` share one multi-start descent search, about 0.7 s of CPU at standard), so that no two
#: workers repeat it. Deterministic given the seed and profile (the search draws from its own named stream).
SHARED_PER_RUN = (("verify.claims.matrix_common", "all_searched"),)

#: Libraries the catalogue's checks import lazily to draw figures (about 0.5 s of CPU per process): imported
#: before forking, so each worker does not load them again. No backend is chosen here (the checks choose Agg).
WARM_LIBRARIES = ("matplotlib.figure", "matplotlib.backends.backend_agg")


def _used_by(claims: Sequence[Claim], module: str) -> bool:
    """True when the module of some check's function refers to ``module`` or to a function of it."""
    users = {getattr(check.run, "__module__", None) for c in claims for check in c.checks}
    target = sys.modules.get(module)
    for name in users:
        values = vars(sys.modules[name]).values() if name in sys.modules else ()
        if any(v is target or getattr(v, "__module__", None) == module for v in values):
            return True
    return False


def _refers_to(claims: Sequence[Claim], fn: Any) -> bool:
    """True when the module of some check's own function (under any ``functools.wraps`` wrapper) holds ``fn``."""
    for c in claims:
        for check in c.checks:
            module = sys.modules.get(getattr(inspect.unwrap(check.run), "__module__", None) or "")
            if module is not None and any(v is fn for v in vars(module).values()):
                return True
    return False


def warm(claims: Sequence[Claim], depths: Sequence[int] = (), ctx: RunContext | None = None) -> float:
    """Load, in this process, what every worker would otherwise load again: the modules of the packages
    checks import lazily (``WARM_PACKAGES`` and ``WARM_LIBRARIES``, when some check is the suite's; not
    ``WARM_SKIP``) and of every check's function, then the shared per-depth derivations
    (``SHARED_DERIVATIONS``) at ``depths`` where a check uses them, and with ``ctx`` the shared per-run work
    (``SHARED_PER_RUN``) where a check's function refers to it. Forked workers inherit all of it (with
    the catalogue, already loaded). Returns the seconds spent. What fails here is left to fail, or not,
    where a check needs it: warming never changes a result, only where it is computed (every cached
    derivation is deterministic)."""
    start = time.perf_counter()
    names: list[str] = []
    users = {getattr(check.run, "__module__", None) or "" for c in claims for check in c.checks}
    suite = any(u.split(".")[0] in ("verify", "proofs") for u in users)  # else nothing of ours to load
    for package in WARM_PACKAGES if suite else ():
        try:
            module = importlib.import_module(package)
        except Exception:
            continue
        names.extend(info.name for info in pkgutil.walk_packages(getattr(module, "__path__", []), package + "."))
    names = [n for n in names if not n.startswith(WARM_SKIP)] + sorted(users) + list(WARM_LIBRARIES if suite else ())
    for name in dict.fromkeys(n for n in names if n and n not in sys.modules):
        try:
            importlib.import_module(name)
        except Exception:
            pass
    for module, attr, deepest in SHARED_DERIVATIONS:
        fn = getattr(sys.modules.get(module), attr, None)
        if fn is None or not _used_by(claims, module):
            continue
        for depth in depths:
            if 1 <= depth <= deepest:
                try:
                    fn(depth)
                except Exception:
                    pass
    for module, attr in SHARED_PER_RUN if ctx is not None else ():
        fn = getattr(sys.modules.get(module), attr, None)
        if fn is not None and _refers_to(claims, fn):
            try:
                fn(ctx)
            except Exception:
                pass
    return time.perf_counter() - start


def _drain(events: Any, tracker: RunProgress) -> None:
    """Relay the workers' start and progress messages to the display (a SimpleQueue: a worker writes
    its messages before its result, so a final drain sees every one)."""
    try:
        while not events.empty():
            message = events.get()
            if message[0] == "start":
                safely(tracker.check_started, message[1], message[2])
            elif message[0] == "finished":
                safely(tracker.check_finished, message[1], message[2], None)
            else:
                safely(tracker.check_progress, *message[1:])
    except (OSError, ValueError, EOFError):
        return


def run_pool(claims: list[Claim], ctx: RunContext, workers: int, context, tasks: list[tuple[int, int]],
             collected: Any, inline: Callable[..., Any]) -> None:
    """Run the tasks in ``workers`` forked processes; on any exit path (Ctrl-C included) stop them."""
    events = context.SimpleQueue() if collected.tracker.wants_inner else None
    # Everything the parent holds (the catalogue, derivations, SymPy's caches) moves to the collector's permanent
    # generation before the workers fork: their collections then never traverse it (nor touch its pages,
    # copy-on-write). Unfrozen when the pool ends.
    gc.freeze()
    pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                  initargs=(claims, ctx, os.getpid(), events))

    def submit(i: int, j: int) -> cf.Future:
        # Workers are forked during a submit; block SIGINT meanwhile so that none is born with
        # Python's SIGINT handler (a Ctrl-C then is delivered to this process after the fork).
        old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            return pool.submit(_run_index, i, j)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    try:
        pending = {submit(i, j): (i, j) for i, j in tasks}
        while pending:
            done, _ = cf.wait(pending, timeout=0.25 if events is not None else None,
                              return_when=cf.FIRST_COMPLETED)
            if events is not None:
                _drain(events, collected.tracker)
            for fut in done:
                i, j = pending.pop(fut)
                try:
                    _, _, payload = fut.result()
                except cf.process.BrokenProcessPool as exc:
                    unfinished = list(dict.fromkeys([claims[i].id] + [claims[a].id for a, _ in pending.values()]))
                    raise WorkerDied(f"a worker process died (out of memory, a signal, or a check that ended its "
                                     f"process) while running {', '.join(unfinished[:5])}"
                                     f"{' and others' if len(unfinished) > 5 else ''}") from exc
                value = inline(claims, ctx, i, j, collected) if payload is None else pickle.loads(payload)
                if collected.take(i, j, value):
                    pending[submit(i, SHRINK)] = (i, SHRINK)
        if events is not None:
            _drain(events, collected.tracker)
    except BaseException:
        _terminate(pool)
        raise
    finally:
        if events is not None:
            events.close()
        gc.unfreeze()
    pool.shutdown(wait=True)
