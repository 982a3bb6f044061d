"""Build claims from validated ``[[claim]]`` tables, one builder per kind (matrix kinds: kinds_matrix).

The tables have passed the JSON Schema (keys, types, ranges), so a builder only turns values
into exact objects: formulas through the whitelist walker of ``verify.expressions`` (no eval,
no sympify of user text), numbers through ``verify.numbers.parse_rational``, a ``problem`` table
through ``verify.problems.parse_problem``. Every error names the claim and the key.

The factories of the newer kinds are imported when a claim of that kind is built (``factory``),
so the loader works, and names the missing piece, in an installation without one of them.
"""
from __future__ import annotations

import importlib
from decimal import Decimal
from typing import Any, Callable

import sympy as sp

from ..claims import Claim
from ..claims.minimizer import minimizer_claim
from ..claims.scalar_spectrum import scalar_spectrum_claim
from ..claims.scalar_uniqueness import scalar_uniqueness_claim
from ..claims.threshold import threshold_claim
from ..conventions import DEFAULT_CONVENTION
from ..errors import UsageError
from ..expressions import parse_expression
from ..numbers import parse_rational
from ..symbolic.scalar import L_sym, a, b, mabs, rho
from .schema import show


class KeyProblem(UsageError):
    """A problem with the value of one key (the loader adds the file and claim)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"key {key!r}: {message}")


class KindUnavailable(RuntimeError):
    """The factory of a kind cannot be imported: a fault of the installation, never the user's (exit 3)."""


def factory(kind: str, module: str, name: str) -> Callable[..., Claim]:
    """The claim factory ``module.name`` of ``kind``, imported now; a clear error when it is missing.

    Only the factory's own module being absent, or the name missing in it, is translated; an import
    error raised *inside* an existing module propagates unchanged (a bug there is not hidden).
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module.startswith(exc.name):
            raise
        raise KindUnavailable(f"claims of kind {kind!r} cannot be built: module {module} is not part of this "
                              f"installation") from None
    try:
        return getattr(mod, name)
    except AttributeError:
        raise KindUnavailable(f"claims of kind {kind!r} cannot be built: {module} has no {name}") from None


def _tau() -> sp.Expr:
    from proofs.kamber_parhi_2026.formulas import tau

    return tau()


def threshold_names() -> dict[str, sp.Expr]:
    """Names in threshold and uniqueness formulas: m (= |m|), L and the paper's τ(|m|, L)."""
    return {"m": mabs, "L": L_sym, "tau": _tau()}


def spectrum_names() -> dict[str, sp.Expr]:
    """Names in spectrum formulas: a, b (the convention's weights), rho (= |w_l|), m, L."""
    return {"a": a, "b": b, "rho": rho, "m": mabs, "L": L_sym}


def sharpness_names(convention: bool) -> dict[str, sp.Expr]:
    """Names in sharpness formulas: rho, m (= |m|), L, lam; for a convention also its weights a, b."""
    from ..problems.symbols import LAM

    names = {"rho": rho, "m": mabs, "L": L_sym, "lam": LAM}
    return {**names, "a": a, "b": b} if convention else names


def formula(text: str, key: str, names: dict[str, sp.Expr],
            functions: dict[str, Callable[..., sp.Expr]] | None = None) -> sp.Expr:
    """A formula string parsed by the whitelist walker (``functions``: the default ones, or these); errors
    name the key."""
    try:
        return parse_expression(text, names) if functions is None else parse_expression(text, names, functions)
    except UsageError as exc:
        raise KeyProblem(key, str(exc)) from None


def exact_number(value: Any, key: str) -> sp.Rational:
    """A TOML integer, a TOML float (kept as its decimal text) or a number string, exactly."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise KeyProblem(key, f"must be a finite number, got {value}")
        value = str(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    try:
        return parse_rational(value, key)
    except UsageError as exc:
        raise KeyProblem(key, str(exc).removeprefix(f"{key}: ").removeprefix(f"{key} ")) from None


def positive_number(t: dict[str, Any], key: str, what: str = "") -> sp.Rational:
    """``t[key]`` read exactly; it must be > 0."""
    value = exact_number(t[key], key)
    if value <= 0:
        raise KeyProblem(key, f"{what or key} must be > 0, got {show(t[key])}")
    return value


def number_range(t: dict[str, Any], key: str) -> tuple[sp.Rational, sp.Rational]:
    """``[low, high]`` read exactly, 0 < low <= high."""
    low, high = (exact_number(v, f"{key}[{i}]") for i, v in enumerate(t[key]))
    if low > high:
        raise KeyProblem(key, f"low must be <= high, got [{show(t[key][0])}, {show(t[key][1])}]")
    if low <= 0:
        raise KeyProblem(key, f"low must be > 0, got {show(t[key][0])}")
    return low, high


def scalar_problem(t: dict[str, Any]):
    """The claim's problem: its ``problem`` table parsed, or its convention (default A1) as a problem."""
    from ..problems import convention_problem, parse_problem

    if "problem" in t:
        return parse_problem(t["problem"]["loss"], t["problem"]["penalty"])
    return convention_problem(t.get("convention", DEFAULT_CONVENTION))


def _depths(t: dict[str, Any]) -> tuple[int, ...] | None:
    return tuple(t["depths"]) if "depths" in t else None


def _pairs(t: dict[str, Any], key: str) -> list[tuple[sp.Expr, sp.Expr]]:
    names = spectrum_names()
    out = []
    for i, (value, mult) in enumerate(t[key]):
        out.append((formula(value, f"{key}[{i}][0]", names), formula(str(mult), f"{key}[{i}][1]", names)))
    return out


def _text(t: dict[str, Any]) -> tuple[str, str, str]:
    return t["id"], t["statement"].strip(), t["source"].strip()


def _threshold(t: dict[str, Any]) -> Claim:
    raw = t["formula"]
    expr = None if raw.strip() == "none" else formula(raw, "formula", threshold_names())
    if "problem" in t:
        problem = scalar_problem(t)
        min_depth = 3 if expr is not None else 1
        make = factory("threshold", "verify.claims.problem_threshold", "problem_threshold_claim")
        return make(*_text(t), problem, expr, depths=_depths(t), min_depth=min_depth)
    return threshold_claim(*_text(t), expr, t.get("convention", DEFAULT_CONVENTION), depths=_depths(t),
                           min_depth=3 if expr is not None else 1)


def _spectrum(t: dict[str, Any]) -> Claim:
    return scalar_spectrum_claim(*_text(t), _pairs(t, "nonzero"), _pairs(t, "at_zero"),
                                 t.get("convention", DEFAULT_CONVENTION), depths=_depths(t))


def _uniqueness(t: dict[str, Any]) -> Claim:
    expr = formula(t["exceptional"], "exceptional", threshold_names())
    return scalar_uniqueness_claim(*_text(t), expr, t.get("convention", DEFAULT_CONVENTION), depths=_depths(t))


def _minimizer(t: dict[str, Any]) -> Claim:
    target = exact_number(t["target"], "target")
    lam = positive_number(t, "lam", "lambda")
    if "problem" in t:
        problem = scalar_problem(t)
        make = factory("minimizer", "verify.claims.problem_minimizer", "problem_minimizer_claim")
        return make(*_text(t), problem, t["depth"], target, lam, t["expect"])
    return minimizer_claim(*_text(t), t["depth"], target, lam, t["expect"], t.get("convention", DEFAULT_CONVENTION))


def _sharpness(t: dict[str, Any]) -> Claim:
    expr = formula(t["formula"], "formula", sharpness_names(convention="problem" not in t))
    problem = scalar_problem(t)
    make = factory("sharpness", "verify.claims.sharpness", "sharpness_claim")
    return make(*_text(t), problem, expr, depths=_depths(t))


def _property(t: dict[str, Any]) -> Claim:
    tolerance = positive_number(t, "tolerance") if "tolerance" in t else None
    ranges = number_range(t, "m_range"), number_range(t, "lam_range")
    problem = scalar_problem(t)
    make = factory("property", "verify.claims.property", "property_claim")
    return make(*_text(t), problem, t["points"], t["relation"], *ranges, tolerance=tolerance, depths=_depths(t))


def _builders() -> dict[str, Callable[[dict[str, Any]], Claim]]:
    from .kinds_matrix import MATRIX_BUILDERS

    return {"threshold": _threshold, "spectrum": _spectrum, "uniqueness": _uniqueness, "minimizer": _minimizer,
            "sharpness": _sharpness, "property": _property, **MATRIX_BUILDERS}


BUILDERS: dict[str, Callable[[dict[str, Any]], Claim]] = _builders()
"""kind -> builder of a Claim from a table that passed the schema."""
