"""What a verdict covers: scope lines for ``CheckResult.scope``, written once for every kind."""
from __future__ import annotations

from typing import Callable, Sequence

from .base import CheckResult
from .context import RunContext


def depth_text(depths: Sequence[int]) -> str:
    """'depths 3–5', 'depth 2', 'depths 3, 5, 8' (no depths: 'no depths')."""
    ds = sorted(set(int(d) for d in depths))
    if not ds:
        return "no depths"
    if len(ds) == 1:
        return f"depth {ds[0]}"
    if ds == list(range(ds[0], ds[-1] + 1)):
        return f"depths {ds[0]}–{ds[-1]}"
    return "depths " + ", ".join(map(str, ds))


def scoped(run: Callable[[RunContext], CheckResult],
           describe: Callable[[RunContext], str]) -> Callable[[RunContext], CheckResult]:
    """The check ``run`` with ``CheckResult.scope`` filled by ``describe(ctx)`` unless it set one itself."""

    def wrapped(ctx: RunContext) -> CheckResult:
        result = run(ctx)
        if result.scope is None:
            result.scope = describe(ctx)
        return result

    return wrapped
