"""Li, Lu, Arora, Haupt, Liu, Wang, Zhao, "Symmetry, Saddle Points, and Global Optimization
Landscape of Nonconvex Matrix Factorization" (IEEE Trans. Inf. Theory, 2019).
Claims L1–L5 in ``symmetric``, L6 in ``sensing``, L7 in ``invariance``, L8 in ``convergence``, L9 in
``deep_linear`` (parts not yet written are skipped)."""
from __future__ import annotations

from verify.claims import Claim

from .._parts import collect_parts

PAPER = "Li et al. 2019"


def claims() -> list[Claim]:
    return collect_parts(__name__, ("symmetric", "sensing", "invariance", "deep_linear", "convergence"))
