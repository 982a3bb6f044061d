"""What a run shows while it runs: claims done out of total, the time left, and inside long checks the
units (instances) done out of total.

The time left is weighted by each claim's expected cost (``claim_costs.json``: seconds measured per
claim and per check in a real run of each profile; a claim not listed counts as the profile's median
claim). Once some work is done, the estimate is the elapsed time scaled by the expected work left over
the expected work done, so a slower or faster machine calibrates itself.

``live_progress`` is a rich display on a terminal; ``LineProgress`` prints one line per finished claim
(for logs, where stderr is not a terminal); ``RunProgress`` shows nothing. Nothing here may fail a run:
the runner calls every method through ``safely``.

Regenerate the cost table from a run's report: ``python -m verify.progress PROFILE REPORT.json``.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from .claims import CheckResult, Claim, ClaimResult

COSTS_FILE = Path(__file__).with_name("claim_costs.json")


@lru_cache(maxsize=1)
def _cost_table() -> dict[str, Any]:
    try:
        return json.loads(COSTS_FILE.read_text())["profiles"]
    except (OSError, ValueError, KeyError):
        return {}


class CostModel:
    """Expected seconds per claim and per check for one profile (``claim_costs.json``)."""

    def __init__(self, claims: Sequence[Claim], profile: str) -> None:
        table = _cost_table()
        known = (table.get(profile) or table.get("standard") or {}).get("claims", {})
        median = statistics.median([c["seconds"] for c in known.values()]) if known else 1.0
        self.claim: list[float] = []
        self.check: list[list[float]] = []
        for claim in claims:
            entry = known.get(claim.id)
            total = max(float(entry["seconds"]), 0.01) if entry else max(median, 0.01)
            measured = (entry or {}).get("checks", {})
            names = [c.name for c in claim.checks]
            if names and all(n in measured for n in names) and sum(measured[n] for n in names) > 0:
                parts = [max(float(measured[n]), 0.001) for n in names]
            else:
                parts = [1.0] * len(names)
            scale = total / sum(parts) if parts else 0.0
            self.claim.append(total)
            self.check.append([p * scale for p in parts])

    @property
    def total(self) -> float:
        return sum(self.claim)


class RunProgress:
    """The runner's events; this base class shows nothing."""

    wants_inner = False  # True: the runner relays RunContext.progress calls from workers

    def begin(self, claims: Sequence[Claim], profile: str, workers: int) -> None:
        self.claims = list(claims)
        self.costs = CostModel(self.claims, profile)
        self.workers = max(workers, 1)
        self.start = time.perf_counter()
        self.done_cost = 0.0
        self.running: dict[tuple[int, int], float] = {}  # task → fraction done
        self.checked: set[tuple[int, int]] = set()  # checks finished

    def check_started(self, i: int, j: int) -> None:
        if j >= 0:  # a shrinker (j < 0) has no expected cost of its own
            self.running.setdefault((i, j), 0.0)

    def check_progress(self, i: int, j: int, task: str, done: int, total: int) -> None:
        if total > 0 and j >= 0:
            self.running[(i, j)] = min(max(done / total, 0.0), 1.0)

    def check_finished(self, i: int, j: int, result: CheckResult | None) -> None:
        """Check ``j`` of claim ``i`` is done (reported by a worker as it happens, or with its result;
        the second report of a check counts once)."""
        self.running.pop((i, j), None)
        if (i, j) not in self.checked:
            self.checked.add((i, j))
            self.done_cost += self.costs.check[i][j]

    def claim_finished(self, done: int, total: int, result: ClaimResult, elapsed: float) -> None:
        pass

    def end(self) -> None:
        pass

    def eta(self) -> float:
        """Seconds left: elapsed × (expected work left / expected work done), or before any work is
        done, the expected work over the workers."""
        done = self.done_cost + sum(self.costs.check[i][j] * f for (i, j), f in self.running.items())
        left = max(self.costs.total - done, 0.0)
        elapsed = time.perf_counter() - self.start
        if done > 0.02 * self.costs.total and elapsed > 0.5:
            return elapsed * left / done
        return left / self.workers


def safely(call: Callable[..., Any], *args: Any) -> None:
    """Progress is optional: a display that fails (a closed stderr) never fails the run."""
    try:
        call(*args)
    except Exception:
        pass


class LineProgress(RunProgress):
    """One line per finished claim on ``stream`` with the cost-weighted time left (for logs)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream

    def claim_finished(self, done: int, total: int, result: ClaimResult, elapsed: float) -> None:
        stream = self.stream or sys.stderr
        if stream is None:  # no stderr at all (fd 2 closed): print(file=None) would write to stdout
            return
        try:
            print(f"[{done}/{total}] {result.claim.id:<32} {str(result.verdict):<12} {result.seconds:6.1f} s"
                  f"   elapsed {elapsed:6.1f} s, about {self.eta():5.0f} s left", file=stream, flush=True)
        except (OSError, ValueError):  # stderr closed or a broken pipe
            pass


class CallbackProgress(RunProgress):
    """Adapts a plain callable ``(done, total, result, elapsed)`` (the runner's older interface)."""

    def __init__(self, callback: Callable[[int, int, ClaimResult, float], None]) -> None:
        self.callback = callback

    def claim_finished(self, done: int, total: int, result: ClaimResult, elapsed: float) -> None:
        self.callback(done, total, result, elapsed)


class LiveProgress(RunProgress):
    """A rich live display on a terminal: claims done/total with a bar over the expected work and the
    time left; below it one line per running check, with its units done out of total when it says."""

    wants_inner = True

    def __init__(self, stream: TextIO | None = None) -> None:
        from rich.console import Console

        self.console = Console(file=stream or sys.stderr)

    def begin(self, claims: Sequence[Claim], profile: str, workers: int) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        super().begin(claims, profile, workers)
        # Redrawn on each event by _refresh, with no refresh thread: the runner's forks (worker
        # processes, bounded evaluations) then fork a single-threaded process (no deadlock risk).
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(bar_width=30),
                            TextColumn("{task.fields[info]}"), console=self.console, transient=True,
                            auto_refresh=False)
        self.overall = self.bar.add_task(f"claims 0/{len(self.claims)}", total=max(self.costs.total, 1e-9),
                                         info="")
        self.rows: dict[tuple[int, int], Any] = {}
        self.index = {c.id: i for i, c in enumerate(self.claims)}
        self.finished = 0
        self.bar.start()
        self.bar.refresh()

    def _row(self, i: int, j: int) -> Any:
        row = self.rows.get((i, j))
        if row is None and (i, j) not in self.checked:
            claim = self.claims[i]
            what = claim.checks[j].name if j >= 0 else "shrinking the counterexample"
            row = self.rows[(i, j)] = self.bar.add_task(f"  {claim.id} · {what}"[:60], total=None, info="")
        return row

    def _refresh(self) -> None:
        elapsed = time.perf_counter() - self.start
        done = self.done_cost + sum(self.costs.check[i][j] * f for (i, j), f in self.running.items())
        self.bar.update(self.overall, completed=min(done, self.costs.total),
                        description=f"claims {self.finished}/{len(self.claims)}",
                        info=f"{elapsed:4.0f} s elapsed, about {self.eta():4.0f} s left")
        self.bar.refresh()

    def check_started(self, i: int, j: int) -> None:
        super().check_started(i, j)
        self._row(i, j)
        self._refresh()

    def check_progress(self, i: int, j: int, task: str, done: int, total: int) -> None:
        super().check_progress(i, j, task, done, total)
        row = self._row(i, j)
        if row is not None:
            self.bar.update(row, total=max(total, 1), completed=min(done, total), info=f"{done}/{total} {task}")
        self._refresh()

    def check_finished(self, i: int, j: int, result: CheckResult | None) -> None:
        super().check_finished(i, j, result)
        row = self.rows.pop((i, j), None)
        if row is not None:
            self.bar.remove_task(row)
        self._refresh()

    def claim_finished(self, done: int, total: int, result: ClaimResult, elapsed: float) -> None:
        self.finished = done
        for key in [k for k in self.rows if k[0] == self.index.get(result.claim.id) and k[1] < 0]:
            self.bar.remove_task(self.rows.pop(key))
        self._refresh()

    def end(self) -> None:
        bar = getattr(self, "bar", None)
        if bar is not None:
            bar.stop()


def for_stderr(quiet: bool = False, stream: TextIO | None = None) -> RunProgress:
    """The display for a command: nothing with ``quiet`` or without a stderr; live on a terminal; else
    one line per claim."""
    stream = stream or sys.stderr
    if quiet or stream is None:  # None: started with fd 2 closed; never fall back to stdout
        return RunProgress()
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError, OSError):
        tty = False
    return LiveProgress(stream) if tty else LineProgress(stream)


def cost_table(report: dict[str, Any]) -> dict[str, Any]:
    """A profile's entry of claim_costs.json from a run's report.json (seconds per claim and check)."""
    return {"source": {"commit": report["provenance"].get("git_commit"),
                       "wall_seconds": report["provenance"].get("wall_seconds"),
                       "jobs": report["provenance"].get("jobs")},
            "claims": {c["id"]: {"seconds": round(c["seconds"], 2),
                                 "checks": {e["check"]: round(e["seconds"], 2) for e in c["evidence"]}}
                       for c in report["claims"]}}


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m verify.progress PROFILE REPORT.json``: replace that profile's costs in claim_costs.json."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m verify.progress PROFILE REPORT.json", file=sys.stderr)
        return 2
    profile, path = args
    report = json.loads(Path(path).read_text())
    if report["provenance"].get("profile") != profile:
        print(f"{path} is a {report['provenance'].get('profile')} run, not {profile}", file=sys.stderr)
        return 2
    data = json.loads(COSTS_FILE.read_text())
    data["profiles"][profile] = cost_table(report)
    COSTS_FILE.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
