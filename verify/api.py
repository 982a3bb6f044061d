"""The public API: declare claims about the objectives the suite knows, run them, write reports.

    from verify.api import threshold_claim, m, L, tau, run_claims
    claim = threshold_claim("my.s", "Under S the threshold is τ/L", "my note", tau / L, convention="S")
    result = run_claims([claim], profile="quick", seed=0)

Claim kinds (each checked symbolically, at high precision and numerically where a route exists):

- deep scalar factorization: ``threshold_claim`` (closed-form threshold), ``scalar_spectrum_claim``
  (closed-form spectrum at the minimizers), ``scalar_uniqueness_claim`` (uniqueness off an exceptional
  set), ``minimizer_claim`` (which point is global at a described (L, m, λ));
- deep matrix factorization: ``matrix_trace_claim(constant, bound_constant)`` (exact Hessian trace and a
  lower bound at minimizers), ``matrix_layer_norm_claim(exponent)``, ``matrix_collapse_claim(multiple)``;
- symmetric factorization c‖XXᵀ − M‖²: ``symmetric_spectrum_claim(c, spectrum, saddle_bound,
  min_positive)`` (closed-form spectrum at every stationary point; every saddle has λ_min ≤ −bound),
  ``symmetric_stationary_set_claim(c, exponent, scale, family)`` (the stationary-point set),
  ``symmetric_regions_claim(c, factors)`` (inequalities over the regions R1–R3),
  ``symmetric_null_space_claim(c, null_dim, min_null_dim)``.

The matrix and symmetric factories are the catalogue's own (``proofs/``), loaded on first use; their
closed forms are callables, e.g. ``saddle_bound(lam, r, c)`` with λ sorted in decreasing order. Write a
new kind by building a ``Claim`` from ``Check`` objects whose ``run(ctx)`` returns a ``CheckResult``.
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


_CATALOGUE_FACTORIES = {
    "matrix_trace_claim": ("proofs.kamber_parhi_2026.matrix", "trace_claim"),
    "matrix_layer_norm_claim": ("proofs.kamber_parhi_2026.matrix", "layer_norm_claim"),
    "matrix_collapse_claim": ("proofs.kamber_parhi_2026.matrix", "collapse_claim"),
    "symmetric_spectrum_claim": ("proofs.li_2019.symmetric", "strict_saddles_claim"),
    "symmetric_stationary_set_claim": ("proofs.li_2019.symmetric", "stationary_points_claim"),
    "symmetric_regions_claim": ("proofs.li_2019.symmetric", "regions_claim"),
    "symmetric_null_space_claim": ("proofs.li_2019.symmetric", "null_space_claim"),
}


def __getattr__(name: str):
    """Lazily loaded names: the paper's τ(|m|, L) and the catalogue's matrix/symmetric factories."""
    import importlib

    if name == "tau":
        from proofs.kamber_parhi_2026.formulas import tau

        return tau()
    if name in _CATALOGUE_FACTORIES:
        module, attr = _CATALOGUE_FACTORIES[name]
        return getattr(importlib.import_module(module), attr)
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
    "L", "a", "b", "m", "rho", "sp", "tau", *_CATALOGUE_FACTORIES,
]
