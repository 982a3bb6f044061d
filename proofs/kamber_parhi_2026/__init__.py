"""Kamber & Parhi (2026), "On the Loss Landscape Geometry of Regularized Deep Matrix
Factorization: Uniqueness and Sharpness". Scalar claims in ``scalar``, matrix claims in ``matrix``."""
from __future__ import annotations

import importlib

from verify.claims import Claim

PAPER = "Kamber & Parhi 2026"
_PARTS = ("scalar", "matrix")


def claims() -> list[Claim]:
    out: list[Claim] = []
    for part in _PARTS:
        try:
            module = importlib.import_module(f"{__name__}.{part}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{part}":
                continue
            raise
        out.extend(module.claims())
    return out
