"""Shared pytest configuration: Hypothesis profiles, a headless plotting backend, and a Popen for Ctrl-C tests.

Slow tests are deselected by default (pyproject addopts); select them with ``-m slow``.
"""
from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
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



@pytest.fixture
def popen_interruptible():
    """``subprocess.Popen`` for a child that must receive SIGINT as from a terminal. A shell starts background
    jobs with SIGINT ignored, children inherit that, and Python then installs no KeyboardInterrupt handler;
    a handled (not ignored) SIGINT is reset to the default at exec, so the child starts as a foreground one."""
    import signal
    import subprocess

    def popen(*args, **kwargs):
        old = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            return subprocess.Popen(*args, **kwargs)
        finally:
            signal.signal(signal.SIGINT, old)
    return popen
