"""Kamber & Parhi (2026), "On the Loss Landscape Geometry of Regularized Deep Matrix
Factorization: Uniqueness and Sharpness". Scalar claims in ``scalar``, matrix claims in ``matrix``, per-layer
weights in ``weights`` (parts not yet written are skipped)."""
from __future__ import annotations

from verify.claims import Claim

from .._parts import collect_parts

PAPER = "Kamber & Parhi 2026"


def claims() -> list[Claim]:
    return collect_parts(__name__, ("scalar", "matrix", "weights"))
