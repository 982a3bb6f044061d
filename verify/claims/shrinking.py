"""Minimal counterexamples by Hypothesis shrinking: smallest depth, simplest numbers.

``find_minimal(strategy, fails, ctx)`` runs ``hypothesis.find`` with a generator seeded from the run's
seed, so the same seed gives the same minimal example; ``depth_target_shrinker`` is the scalar kinds'
shrinker over (depth, simple rational target) built on it. Hypothesis is imported here only, on first use
(shrinking runs only for refuted claims), and it never writes into the user's directory: no example
database, and its storage directory (``.hypothesis/``, where it caches e.g. collected constants) is a
private temporary directory, removed at exit.
"""
from __future__ import annotations

import atexit
import os
import random
import shutil
import sys
import tempfile
from types import ModuleType
from typing import Any, Callable, Sequence

from .context import RunContext

_STORAGE: str | None = None


def _storage() -> str:
    """A private temporary directory for Hypothesis's storage, created once and removed at exit."""
    global _STORAGE
    if _STORAGE is None:
        _STORAGE = tempfile.mkdtemp(prefix="verify-hypothesis-")
        atexit.register(shutil.rmtree, _STORAGE, True)
    return _STORAGE


def _hypothesis():
    """Import Hypothesis; if this is its first import, its default storage is the private directory."""
    if "hypothesis" not in sys.modules and "HYPOTHESIS_STORAGE_DIRECTORY" not in os.environ:
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = _storage()
    import hypothesis

    return hypothesis


def strategies() -> ModuleType:
    """``hypothesis.strategies``, imported on first use with the storage moved out of the current directory."""
    return _hypothesis().strategies


def simple_rationals(max_num: int = 10**4, max_den: int = 100) -> Any:
    """Nonzero rationals p/q as strings (a Hypothesis strategy); Hypothesis shrinks them toward ±1."""
    st = _hypothesis().strategies
    return st.builds(lambda s, p, q: f"{s * p}/{q}" if q != 1 else str(s * p),
                     st.sampled_from([1, -1]), st.integers(1, max_num), st.integers(1, max_den))


def find_minimal(strategy, fails: Callable[[Any], bool], ctx: RunContext,
                 key: str, max_examples: int = 60) -> Any | None:
    """The shrunk example on which ``fails`` is true, or None if none is found in the budget."""
    hyp = _hypothesis()
    from hypothesis import configuration
    from hypothesis.errors import NoSuchExample

    seed = int(ctx.rng(f"shrink:{key}").integers(0, 2**31))
    # whatever the caller configured (a test session's own directory), the search writes only to ours
    previous = getattr(configuration, "__hypothesis_home_directory", None)
    configuration.set_hypothesis_home_dir(_storage())
    try:
        return hyp.find(strategy, fails, random=random.Random(seed),
                        settings=hyp.settings(max_examples=max_examples, database=None, deadline=None,
                                              phases=(hyp.Phase.generate, hyp.Phase.shrink),
                                              suppress_health_check=list(hyp.HealthCheck)))
    except NoSuchExample:
        return None
    finally:
        configuration.set_hypothesis_home_dir(previous)


def depth_target_shrinker(pool: Callable[[RunContext], Sequence[int]], fails: Callable[[tuple[int, str]], bool],
                          key: str, describe: Callable[[int, str], dict],
                          max_examples: int = 60) -> Callable[[RunContext], dict | None]:
    """A claim's shrinker over examples (L, m): L from ``pool(ctx)`` (Hypothesis shrinks toward its first
    depth), m a simple rational as text. The minimal example on which ``fails`` holds, as ``describe(L, m)``;
    None when the pool is empty or no example fails within ``max_examples``."""
    def shrink(ctx: RunContext) -> dict | None:
        st = strategies()
        depths = pool(ctx)
        if not depths:
            return None
        found = find_minimal(st.tuples(st.sampled_from(depths), simple_rationals()), fails, ctx, key,
                             max_examples=max_examples)
        return None if found is None else describe(*found)
    return shrink
