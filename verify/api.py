"""The public API: declare claims about the objectives the suite knows, run them, write reports.

    from verify.api import threshold_claim, m, L, tau, run_claims
    claim = threshold_claim("my.s", "Under S the threshold is τ/L", "my note", tau / L, convention="S")
    result = run_claims([claim], profile="quick", seed=0)

Claim kinds (each checked symbolically, at high precision and numerically):
``threshold_claim`` (closed-form threshold), ``scalar_spectrum_claim`` (closed-form spectrum at the
minimizers), ``scalar_uniqueness_claim`` (uniqueness off an exceptional set), ``minimizer_claim``
(which point is global at a described (L, m, λ)). Write a new kind by building a ``Claim`` from
``Check`` objects whose ``run(ctx)`` returns a ``CheckResult``; the catalogue in ``proofs/`` uses this API.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import sympy as sp

from .claims import Check, CheckResult, Claim, ClaimResult, RunContext, Tier, Verdict, get_profile, run_claim
from .claims.minimizer import minimizer_claim
from .claims.scalar_spectrum import scalar_spectrum_claim
from .claims.scalar_uniqueness import scalar_uniqueness_claim
from .claims.threshold import threshold_claim
from .conventions import CONVENTIONS, Convention, get_convention
from .expressions import parse_expression
from .runner import RunResult, run
from .symbolic.scalar import L_sym as L, a, b, mabs as m, rho


def __getattr__(name: str):
    if name == "tau":  # the paper's τ(|m|, L), from the catalogue (loaded lazily)
        from proofs.kamber_parhi_2026.formulas import tau

        return tau()
    raise AttributeError(name)


def run_claims(claims: Sequence[Claim], profile: str = "standard", seed: int = 0, digits: int = 50,
               jobs: int = 1, out_dir: str | Path | None = None) -> RunResult:
    """Run claims in this process (``jobs`` > 1 needs claims importable by id: use the CLI)."""
    ctx = RunContext(seed=seed, profile=get_profile(profile), dps=digits,
                     out_dir=None if out_dir is None else str(out_dir))
    return run(list(claims), ctx, jobs=1 if jobs == 1 else jobs)


__all__ = [
    "Check", "CheckResult", "Claim", "ClaimResult", "RunContext", "Tier", "Verdict", "get_profile", "run_claim",
    "threshold_claim", "scalar_spectrum_claim", "scalar_uniqueness_claim", "minimizer_claim",
    "CONVENTIONS", "Convention", "get_convention", "parse_expression", "run_claims", "RunResult",
    "L", "a", "b", "m", "rho", "sp", "tau",
]
