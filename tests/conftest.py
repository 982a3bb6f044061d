"""Shared pytest configuration: Hypothesis profiles and a headless plotting backend.

Slow tests are deselected by default (pyproject addopts); select them with ``-m slow``.
"""
from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# Kernels compile on first call, so no per-example deadline in any profile.
settings.register_profile(
    "ci", max_examples=25, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

