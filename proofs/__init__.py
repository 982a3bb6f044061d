"""The claim catalogue: one module per paper, each exposing ``claims() -> list[Claim]``.

Modules are discovered, not registered by hand, so adding a paper is adding a file.
"""
from __future__ import annotations

import importlib
import pkgutil

from verify.claims import Claim


def paper_modules() -> list[str]:
    """Names of the catalogue modules, sorted."""
    return sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))


def catalogue() -> list[Claim]:
    """Every claim of every paper, in module order; claim ids must be unique."""
    claims: list[Claim] = []
    for name in paper_modules():
        module = importlib.import_module(f"{__name__}.{name}")
        claims.extend(module.claims())
    seen: set[str] = set()
    for c in claims:
        if c.id in seen:
            raise RuntimeError(f"duplicate claim id {c.id!r} in the catalogue")
        seen.add(c.id)
    return claims
