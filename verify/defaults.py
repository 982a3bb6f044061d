"""Defaults shared by the command line, the pytest plugin and the engine, importable without SymPy."""
from __future__ import annotations

DEFAULT_DIGITS = 50
"""Working digits of the high-precision checks."""

PROFILE_NAMES = ("quick", "standard", "thorough")
"""The run profiles, from the cheapest; ``verify.claims.context.PROFILES`` defines their sizes."""
