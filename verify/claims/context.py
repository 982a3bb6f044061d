"""Run profiles and the context every check receives (seed, precision, sizes)."""
from __future__ import annotations

import hashlib
from pathlib import Path
from dataclasses import dataclass, field, replace

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

    def artifact_path(self, name: str) -> Path | None:
        """Where a check writes an artifact (a figure) named ``name``; None when not writing files."""
        if self.out_dir is None:
            return None
        path = Path(self.out_dir) / "figures" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def with_profile(self, name: str) -> "RunContext":
        return replace(self, profile=get_profile(name))
