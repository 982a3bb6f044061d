"""Assemble a paper's claims from its part modules, skipping parts not written yet."""
from __future__ import annotations

import importlib

from verify.claims import Claim


def collect_parts(package: str, parts: tuple[str, ...]) -> list[Claim]:
    """Concatenate ``claims()`` of ``package.part`` for each existing part, in order."""
    out: list[Claim] = []
    for part in parts:
        try:
            module = importlib.import_module(f"{package}.{part}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{package}.{part}":
                continue
            raise
        out.extend(module.claims())
    return out
