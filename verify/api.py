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

User problems (issue 10): ``parse_problem(loss, penalty)`` makes a problem from two formulas (loss in p, m;
penalty in w, lam, l, L), ``convention_problem("A1")`` writes a convention as one. ``problem_threshold_claim``,
``problem_minimizer_claim``, ``sharpness_claim`` (largest Hessian eigenvalue at the global minimizers) and
``property_claim`` (a relation at the stationary points, global minimizers, local minima or random points)
take such a problem; the deep matrix kinds with plain-data parameters are ``matrix_uniqueness_claim``,
``matrix_balancedness_claim``, ``matrix_layer_norms_claim`` and ``matrix_sharpness_claim`` (``verify.claims``),
loaded on first use. See docs/claim-files.md. The kinds of issue 12 are exported the same way:
``matrix_width_claim`` (where uniqueness ends), ``weighted_balancedness_claim`` and
``weights_classification_claim`` (per-layer weights), ``deep_linear_claim`` and ``convergence_claim`` (Li et al.).

Every factory takes the claim's ``id``, ``statement`` and ``source`` (required; keyword-only for the
matrix and symmetric ones, e.g. ``matrix_layer_norm_claim(id="me.k5", statement="...", source="my note",
exponent=lambda L: 1 / L)``). The matrix and symmetric kinds are the catalogue's (``proofs/``), loaded on
first use, but a claim built with your parameters is reported under your id, statement and source with
paper "user claim", never as the paper's. Their closed forms are callables, e.g. ``saddle_bound(lam, r,
c)`` with λ sorted in decreasing order. Write a new kind by building a ``Claim`` from ``Check`` objects
whose ``run(ctx)`` returns a ``CheckResult``.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Sequence

import sympy as sp

from .claims import Check, CheckResult, Claim, ClaimResult, RunContext, Tier, Verdict, get_profile, run_claim
from .claims.minimizer import minimizer_claim
from .claims.scalar_spectrum import scalar_spectrum_claim
from .claims.scalar_uniqueness import scalar_uniqueness_claim
from .claims.threshold import threshold_claim
from .conventions import CONVENTIONS, Convention, get_convention
from .errors import UsageError
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

#: What a user's claim built from a catalogue factory records as its paper.
USER_PAPER = "user claim"


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"a claim needs a non-empty {what} (a string), got {value!r}")
    return value


def _catalogue_factory(name: str):
    """The public factory ``name``: the catalogue's construction with the caller's parameters, under the
    caller's id, statement and source (an altered claim is the user's, never reported as the paper's)."""
    module, attr = _CATALOGUE_FACTORIES[name]

    def factory(*args: Any, id: str, statement: str, source: str, resolutions: Sequence[str] = (),
                **params: Any) -> Claim:
        import importlib

        _text(statement, "statement")
        _text(source, "source")
        resolutions = tuple(resolutions)
        if not all(isinstance(r, str) for r in resolutions):
            raise UsageError("resolutions must be a sequence of strings")
        built = getattr(importlib.import_module(module), attr)(*args, **params)
        return dataclasses.replace(built, id=id, statement=statement, source=source, paper=USER_PAPER,
                                   resolutions=resolutions)

    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = (f"A claim of the kind ``{module}.{attr}`` with your parameters, reported under your "
                       f"``id``, ``statement`` and ``source`` (required keyword arguments) and paper "
                       f"{USER_PAPER!r}; the other arguments are those of ``{attr}``.")
    return factory


matrix_trace_claim = _catalogue_factory("matrix_trace_claim")
matrix_layer_norm_claim = _catalogue_factory("matrix_layer_norm_claim")
matrix_collapse_claim = _catalogue_factory("matrix_collapse_claim")
symmetric_spectrum_claim = _catalogue_factory("symmetric_spectrum_claim")
symmetric_stationary_set_claim = _catalogue_factory("symmetric_stationary_set_claim")
symmetric_regions_claim = _catalogue_factory("symmetric_regions_claim")
symmetric_null_space_claim = _catalogue_factory("symmetric_null_space_claim")


#: Public names loaded on first use: name -> (module, attribute).
_LAZY = {
    "parse_problem": ("verify.problems", "parse_problem"),
    "convention_problem": ("verify.problems", "convention_problem"),
    "ScalarProblem": ("verify.problems", "ScalarProblem"),
    "problem_threshold_claim": ("verify.claims.problem_threshold", "problem_threshold_claim"),
    "problem_minimizer_claim": ("verify.claims.problem_minimizer", "problem_minimizer_claim"),
    "sharpness_claim": ("verify.claims.sharpness", "sharpness_claim"),
    "property_claim": ("verify.claims.property", "property_claim"),
    "matrix_uniqueness_claim": ("verify.claims.matrix_kinds", "matrix_uniqueness_claim"),
    "matrix_balancedness_claim": ("verify.claims.matrix_kinds", "matrix_balancedness_claim"),
    "matrix_layer_norms_claim": ("verify.claims.matrix_kinds", "matrix_layer_norms_claim"),
    "matrix_sharpness_claim": ("verify.claims.matrix_sharpness", "matrix_sharpness_claim"),
    "matrix_width_claim": ("verify.claims.matrix_widths", "matrix_width_claim"),
    "weighted_balancedness_claim": ("verify.claims.matrix_weighted_balance", "weighted_balancedness_claim"),
    "weights_classification_claim": ("verify.claims.weights_classification", "weights_classification_claim"),
    "deep_linear_claim": ("verify.claims.deep_linear", "deep_linear_claim"),
    "convergence_claim": ("verify.claims.convergence", "convergence_claim"),
}


def __getattr__(name: str):
    """Lazily loaded: the paper's τ(|m|, L), the problem API and the newer claim kinds (``_LAZY``)."""
    if name == "tau":
        from proofs.kamber_parhi_2026.formulas import tau

        return tau()
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(name)


def run_claims(claims: Sequence[Claim], profile: str = "standard", seed: int = 0, digits: int = 50,
               jobs: int = 1, out_dir: str | Path | None = None, executor: Any = None) -> RunResult:
    """Run exactly these claim objects (``jobs`` worker processes, forked, so claims built in code run
    as written; or on ``executor``, any ``concurrent.futures.Executor`` such as a Dask client's
    ``get_executor()``; the verdicts and numbers depend on neither).
    ``result.write_report(DIR)`` writes the report set afterwards.

    With ``out_dir``, figures are staged during the run and the report set (report.json, .md, .html,
    junit.xml, figures/) is published there atomically; an exception or Ctrl-C leaves the previous set
    untouched. ``result.extra["report"]`` lists the files written.
    """
    claims = list(claims)
    if not all(isinstance(c, Claim) for c in claims):
        raise UsageError("run_claims takes a sequence of Claim objects")
    ctx = RunContext(seed=seed, profile=get_profile(profile), dps=digits)
    if out_dir is None:
        return run(claims, ctx, jobs=jobs, executor=executor)
    import datetime as dt

    from .report.writer import ReportStage, python_reproducer, run_document

    with ReportStage(out_dir) as stage:
        started = dt.datetime.now(dt.timezone.utc)
        result = run(claims, dataclasses.replace(ctx, out_dir=str(stage.path)), jobs=jobs, executor=executor)
        command = f"verify.api.run_claims(claims, profile={profile!r}, seed={seed}, digits={digits}, jobs={jobs})"
        # these claims live in the caller's code, not in the catalogue: reproduce them from Python
        doc = run_document(result, command=command, started=started,
                           reproduce=python_reproducer(profile, seed, digits))
        result.extra["report"] = stage.publish(doc)
    result.extra["report_dir"] = str(out_dir)  # where write_report finds the figures again
    result.ctx = ctx
    return result


__all__ = [
    "Check", "CheckResult", "Claim", "ClaimResult", "RunContext", "Tier", "Verdict", "get_profile", "run_claim",
    "threshold_claim", "scalar_spectrum_claim", "scalar_uniqueness_claim", "minimizer_claim",
    "CONVENTIONS", "Convention", "get_convention", "parse_expression", "run_claims", "RunResult",
    "L", "a", "b", "m", "rho", "sp", "tau", *_CATALOGUE_FACTORIES, *_LAZY,
]
