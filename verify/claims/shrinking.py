"""Minimal counterexamples by Hypothesis shrinking: smallest depth, simplest numbers.

``find_minimal(strategy, fails, ctx)`` runs ``hypothesis.find`` with a generator seeded from the run's
seed, so the same seed gives the same minimal example.
"""
from __future__ import annotations

import random
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, find, settings, strategies as st
from hypothesis.errors import NoSuchExample

from .context import RunContext


def simple_rationals(max_num: int = 10**4, max_den: int = 100) -> st.SearchStrategy[str]:
    """Nonzero rationals p/q as strings; Hypothesis shrinks them toward ±1."""
    return st.builds(lambda s, p, q: f"{s * p}/{q}" if q != 1 else str(s * p),
                     st.sampled_from([1, -1]), st.integers(1, max_num), st.integers(1, max_den))


def find_minimal(strategy: st.SearchStrategy, fails: Callable[[Any], bool], ctx: RunContext,
                 key: str, max_examples: int = 60) -> Any | None:
    """The shrunk example on which ``fails`` is true, or None if none is found in the budget."""
    seed = int(ctx.rng(f"shrink:{key}").integers(0, 2**31))
    try:
        return find(strategy, fails, random=random.Random(seed),
                    settings=settings(max_examples=max_examples, database=None, deadline=None,
                                      phases=(Phase.generate, Phase.shrink),
                                      suppress_health_check=list(HealthCheck)))
    except NoSuchExample:
        return None
