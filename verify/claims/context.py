"""Run profiles and the context every check receives (seed, precision, sizes)."""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..errors import UsageError
from ..numbers import DEFAULT_DIGITS, check_digits


@dataclass(frozen=True)
class Profile:
    """How hard to look: sizes shared by all claims.

    ``depths``: scalar depths L checked symbolically and at high precision.
    ``instances``: random instances per numeric (batched float64) check.
    ``hp_instances``: random instances per high-precision check.
    ``search_steps``: budget of adversarial / descent searches.
    ``level``: 0 quick, 1 standard, 2 thorough, for claims that scale other knobs.
    """

    name: str
    depths: tuple[int, ...]
    instances: int
    hp_instances: int
    search_steps: int
    level: int
    dps: int = DEFAULT_DIGITS


PROFILES: dict[str, Profile] = {
    "quick": Profile("quick", (1, 2, 3, 4, 5), 200, 3, 200, 0),
    "standard": Profile("standard", tuple(range(1, 13)), 2000, 8, 1000, 1),
    "thorough": Profile("thorough", tuple(range(1, 33)), 20000, 32, 5000, 2),
}


def get_profile(name: str) -> Profile:
    if name not in PROFILES:
        raise UsageError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}")
    return PROFILES[name]


#: Where ``RunContext.progress`` reports: a callable (task, done, total), set per thread by the runner
#: while a check runs (``progress_sink``); unset, progress is a no-op.
_SINK = threading.local()


class progress_sink:
    """Route ``RunContext.progress`` calls made in this thread to ``sink`` while the block runs.

    The runner wraps each check in one; a sink that raises is ignored (progress is optional)."""

    def __init__(self, sink: Callable[[str, int, int], None] | None) -> None:
        self.sink = sink

    def __enter__(self) -> "progress_sink":
        self._previous = getattr(_SINK, "fn", None)
        _SINK.fn = self.sink
        return self

    def __exit__(self, *exc: object) -> None:
        _SINK.fn = self._previous


@dataclass(frozen=True)
class RunContext:
    """What a check may read: the seed, the profile and the working precision.

    Randomness comes only from ``rng(key)``, which derives an independent generator from
    (seed, key); results therefore do not depend on the order or process checks run in.
    """

    seed: int = 0
    profile: Profile = field(default_factory=lambda: PROFILES["standard"])
    dps: int = DEFAULT_DIGITS
    out_dir: str | None = None

    def __post_init__(self) -> None:
        check_digits(self.dps)
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise UsageError(f"seed must be a non-negative integer, got {self.seed!r}")

    def rng(self, key: str) -> np.random.Generator:
        """A generator seeded by (seed, key), stable across runs, platforms and processes."""
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:16], "little"))

    def progress(self, task: str, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` units of ``task`` (say "instances") are finished.

        For the live display of long checks; a no-op unless the runner listens. Never raises and
        costs a thread-local lookup when nobody listens, so a loop may call it once per batch."""
        fn = getattr(_SINK, "fn", None)
        if fn is None:
            return
        try:
            fn(str(task), int(done), int(total))
        except Exception:  # progress is optional: a display that fails must not fail the check
            pass

    def artifact_path(self, name: str) -> Path | None:
        """Where a check writes an artifact (a figure) named ``name``; None when not writing files."""
        if self.out_dir is None:
            return None
        path = Path(self.out_dir) / "figures" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def with_profile(self, name: str) -> "RunContext":
        return replace(self, profile=get_profile(name))
