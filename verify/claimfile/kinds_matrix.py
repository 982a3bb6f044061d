"""Build the deep matrix claim kinds (``matrix.*``) from validated ``[[claim]]`` tables.

The factories live in ``verify.claims.matrix_kinds`` (and ``verify.claims.matrix_sharpness``) and are
imported when a claim is built. Formulas are parsed by the whitelist walker over the names of each key:
``exceptional`` (σ_c) in L, a, b; ``exponent`` in L; ``layer_weights`` (c_l) in l, L; ``threshold``
(λ* of one singular value) in m (= σ), L, tau; ``formula`` (matrix sharpness) in the names of
``verify.claims.matrix_sharpness.matrix_sharpness_names`` (rho, rho2, m, m2, L, a, b, lam) and the function h.
Numbers are read exactly.
"""
from __future__ import annotations

from typing import Any, Callable

import sympy as sp

from ..claims import Claim
from ..conventions import DEFAULT_CONVENTION
from ..expressions import DEFAULT_FUNCTIONS
from ..symbolic.scalar import L_sym, a, b
from .kinds import KeyProblem, exact_number, factory, formula, positive_number, threshold_names

MODULE = "verify.claims.matrix_kinds"


def layer_names() -> dict[str, sp.Expr]:
    """Names in ``layer_weights``: l (the layer index 1..L) and L."""
    from ..problems.symbols import LAYER

    return {"l": LAYER, "L": L_sym}


def _text(t: dict[str, Any]) -> tuple[str, str, str]:
    return t["id"], t["statement"].strip(), t["source"].strip()


def _optional(t: dict[str, Any], key: str, names: Callable[[], dict[str, sp.Expr]]) -> dict[str, sp.Expr]:
    """``{key: the parsed formula}`` when the key is present, else ``{}`` (the factory's default applies)."""
    return {key: formula(t[key], key, names())} if key in t else {}


def _plain(x: sp.Rational) -> int | sp.Rational:
    """An exact integer as a Python int (the matrix checks' float64 tiers take ints as they are; a SymPy
    Rational reaches them as an exact SymPy number), any other value as the exact Rational."""
    return int(x) if x.is_Integer else x


def _numbers(t: dict[str, Any], *keys: str) -> dict[str, int | sp.Rational]:
    return {k: _plain(positive_number(t, k)) for k in keys if k in t}


def _uniqueness(t: dict[str, Any]) -> Claim:
    if "critical_scale" in t and "exceptional" in t:  # documented as a factor on the derived σ_c only
        raise KeyProblem("critical_scale", "is a factor on the derived sigma_c and applies only when 'exceptional' "
                                           "is absent; with 'exceptional', write the factor into the formula")
    params = {**_optional(t, "exceptional", lambda: {"L": L_sym, "a": a, "b": b}), **_numbers(t, "critical_scale"),
              **_optional(t, "layer_weights", layer_names)}
    return factory("matrix.uniqueness", MODULE, "matrix_uniqueness_claim")(*_text(t), **params)


def _balancedness(t: dict[str, Any]) -> Claim:
    params = _numbers(t, "rate", "balance")
    return factory("matrix.balancedness", MODULE, "matrix_balancedness_claim")(*_text(t), **params)


def _layer_norms(t: dict[str, Any]) -> Claim:
    params = {"exponent": formula(t["exponent"], "exponent", {"L": L_sym}),
              **_optional(t, "layer_weights", layer_names),
              **{k: _plain(exact_number(t[k], k)) for k in ("weight_exponent",) if k in t}}
    return factory("matrix.layer_norms", MODULE, "matrix_layer_norms_claim")(*_text(t), **params)


def _trace(t: dict[str, Any]) -> Claim:
    params = _numbers(t, "constant", "bound_constant")
    return factory("matrix.trace", MODULE, "matrix_trace_claim")(*_text(t), **params)


def _collapse(t: dict[str, Any]) -> Claim:
    params = {"threshold": formula(t["threshold"], "threshold", threshold_names()), "convention": t.get("convention", DEFAULT_CONVENTION),
              **_optional(t, "layer_weights", layer_names)}
    return factory("matrix.collapse", MODULE, "matrix_collapse_claim")(*_text(t), **params)


def _sharpness(t: dict[str, Any]) -> Claim:
    params: dict[str, Any] = {**_numbers(t, "scale"), "convention": t.get("convention", DEFAULT_CONVENTION)}
    module = "verify.claims.matrix_sharpness"
    if "formula" in t:
        names = factory("matrix.sharpness", module, "matrix_sharpness_names")()
        functions = {**DEFAULT_FUNCTIONS, **factory("matrix.sharpness", module, "matrix_sharpness_functions")()}
        params["formula"] = formula(t["formula"], "formula", names, functions)
    return factory("matrix.sharpness", module, "matrix_sharpness_claim")(*_text(t), **params)


MATRIX_BUILDERS: dict[str, Callable[[dict[str, Any]], Claim]] = {
    "matrix.uniqueness": _uniqueness, "matrix.balancedness": _balancedness, "matrix.layer_norms": _layer_norms,
    "matrix.trace": _trace, "matrix.collapse": _collapse, "matrix.sharpness": _sharpness,
}
"""matrix kind -> builder of a Claim from a table that passed the schema."""
