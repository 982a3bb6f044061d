"""Build claims from validated ``[[claim]]`` tables, one builder per kind.

The tables have passed the JSON Schema (keys, types, ranges), so a builder only turns values
into exact objects: formulas through the whitelist walker of ``verify.expressions`` (no eval,
no sympify of user text), numbers through ``verify.numbers.parse_rational``. Every error names
the claim and the key.
"""
from __future__ import annotations

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


def _tau() -> sp.Expr:
    from proofs.kamber_parhi_2026.formulas import tau

    return tau()


def threshold_names() -> dict[str, sp.Expr]:
    """Names in threshold and uniqueness formulas: m (= |m|), L and the paper's τ(|m|, L)."""
    return {"m": mabs, "L": L_sym, "tau": _tau()}


def spectrum_names() -> dict[str, sp.Expr]:
    """Names in spectrum formulas: a, b (the convention's weights), rho (= |w_l|), m, L."""
    return {"a": a, "b": b, "rho": rho, "m": mabs, "L": L_sym}


def formula(text: str, key: str, names: dict[str, sp.Expr]) -> sp.Expr:
    """A formula string parsed by the whitelist walker; errors name the key."""
    try:
        return parse_expression(text, names)
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


def _depths(t: dict[str, Any]) -> tuple[int, ...] | None:
    return tuple(t["depths"]) if "depths" in t else None


def _pairs(t: dict[str, Any], key: str) -> list[tuple[sp.Expr, sp.Expr]]:
    names = spectrum_names()
    out = []
    for i, (value, mult) in enumerate(t[key]):
        out.append((formula(value, f"{key}[{i}][0]", names), formula(str(mult), f"{key}[{i}][1]", names)))
    return out


def _threshold(t: dict[str, Any]) -> Claim:
    raw = t["formula"]
    expr = None if raw.strip() == "none" else formula(raw, "formula", threshold_names())
    return threshold_claim(t["id"], t["statement"].strip(), t["source"].strip(), expr,
                           t.get("convention", DEFAULT_CONVENTION), depths=_depths(t),
                           min_depth=3 if expr is not None else 1)


def _spectrum(t: dict[str, Any]) -> Claim:
    return scalar_spectrum_claim(t["id"], t["statement"].strip(), t["source"].strip(), _pairs(t, "nonzero"),
                                 _pairs(t, "at_zero"), t.get("convention", DEFAULT_CONVENTION),
                                 depths=_depths(t))


def _uniqueness(t: dict[str, Any]) -> Claim:
    expr = formula(t["exceptional"], "exceptional", threshold_names())
    return scalar_uniqueness_claim(t["id"], t["statement"].strip(), t["source"].strip(), expr,
                                   t.get("convention", DEFAULT_CONVENTION), depths=_depths(t))


def _minimizer(t: dict[str, Any]) -> Claim:
    target = exact_number(t["target"], "target")
    lam = exact_number(t["lam"], "lam")
    if lam <= 0:
        raise KeyProblem("lam", f"lambda must be > 0, got {show(t['lam'])}")
    return minimizer_claim(t["id"], t["statement"].strip(), t["source"].strip(), t["depth"], target, lam,
                           t["expect"], t.get("convention", DEFAULT_CONVENTION))


BUILDERS: dict[str, Callable[[dict[str, Any]], Claim]] = {
    "threshold": _threshold, "spectrum": _spectrum, "uniqueness": _uniqueness, "minimizer": _minimizer,
}
"""kind -> builder of a Claim from a table that passed the schema."""
