"""Schedule claims: select, run (in-process or in worker processes), time, and collect results.

Workers rebuild claims from a ``ClaimSource`` (the catalogue, or a claim file) and look them up by
id, so closures never cross process boundaries. Every random draw comes from ``RunContext.rng(key)``,
so results do not depend on the number of workers or the order claims finish in.
"""
from __future__ import annotations

import concurrent.futures as cf
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .claims import Claim, ClaimResult, RunContext, run_claim
from .errors import UsageError


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


def select(claims: Sequence[Claim], only: Sequence[str] | None) -> list[Claim]:
    """For each entry of ``only``: the claim with exactly that id, else every claim under the prefix
    ``entry + '.'`` (so a reproducer names exactly one claim); all claims when ``only`` is empty."""
    if not only:
        return list(claims)
    ids = [c.id for c in claims]
    chosen, unknown = [], []
    for want in only:
        exact = [c for c in claims if c.id == want]
        hits = exact or [c for c in claims if c.id.startswith(want + ".")]
        if not hits:
            unknown.append(want)
        chosen += [c for c in hits if c not in chosen]
    if unknown:
        raise UsageError(f"unknown claim id(s): {', '.join(unknown)}; see 'verify list' ({len(ids)} claims)")
    return chosen


@dataclass
class RunResult:
    """Results in catalogue order, with wall time."""

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


def _run_by_id(source: ClaimSource, claim_id: str, ctx: RunContext) -> tuple[str, list, dict | None]:
    """Worker side: rebuild the claim by id, run it, and return only picklable results."""
    claim = next(c for c in source.load() if c.id == claim_id)
    r = run_claim(claim, ctx)
    return claim_id, r.checks, r.minimal_counterexample


Progress = Callable[[int, int, ClaimResult, float], None]


def stderr_progress(done: int, total: int, result: ClaimResult, elapsed: float) -> None:
    """One line per finished claim with an estimate of the time left."""
    eta = elapsed / done * (total - done)
    print(f"[{done}/{total}] {result.claim.id:<32} {str(result.verdict):<12} {result.seconds:6.1f} s"
          f"   elapsed {elapsed:6.1f} s, about {eta:5.0f} s left", file=sys.stderr, flush=True)


def run(claims: Sequence[Claim], ctx: RunContext, jobs: int = 1, source: ClaimSource | None = None,
        progress: Progress | None = None) -> RunResult:
    """Run ``claims`` with ``jobs`` worker processes (1: in this process)."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise UsageError(f"--jobs must be a positive integer, got {jobs!r}")
    start = time.perf_counter()
    results: dict[str, ClaimResult] = {}
    total = len(claims)
    if jobs == 1 or total <= 1:
        for c in claims:
            r = run_claim(c, ctx)
            results[c.id] = r
            if progress:
                progress(len(results), total, r, time.perf_counter() - start)
    else:
        src = source or ClaimSource()
        by_id = {c.id: c for c in claims}
        with cf.ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_run_by_id, src, c.id, ctx): c.id for c in claims}
            for fut in cf.as_completed(futures):
                claim_id, checks, minimal = fut.result()
                r = ClaimResult(by_id[claim_id], checks, minimal)
                results[claim_id] = r
                if progress:
                    progress(len(results), total, r, time.perf_counter() - start)
    ordered = [results[c.id] for c in claims]
    return RunResult(ordered, time.perf_counter() - start, ctx, jobs)
