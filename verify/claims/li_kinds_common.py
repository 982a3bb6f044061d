"""What every factory of the symmetric, sensing and invariance kinds does with its plain inputs: exact
parsing of claimed constants, the texts of a declaration, and the filling of parameter placeholders.

A declaration (``proofs/li_2019``, a claim file, a user's script) hands a factory its statement, source
and resolutions as text. A text may name a parameter as ``{name}`` (e.g. ``"c = {c}"``): the factory
replaces it by the exact value it parsed, so a report always shows the constant the checks used.
Only the names of that factory's parameters are replaced; any other brace (a set ``{XK : K skew}``)
is left as written.
"""
from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

import sympy as sp

from ..errors import UsageError
from ..numbers import parse_rational

#: What a claim built by these factories records as its paper unless the declaration names one.
USER_PAPER = "user claim"


#: The range of a problem's scale constants (c, b, a bound factor) that the float64 and 50-digit tiers evaluate: far
#: outside it their Hessians and eigen-solvers overflow or underflow (c = 1e400 made SVDs fail; c = 1e-300 made the
#: float64 completeness check refute a true claim).
SCALE_RANGE = (sp.Rational(1, 10 ** 100), sp.Integer(10) ** 100)


def positive_rational(value: Any, name: str) -> sp.Rational:
    """``value`` (decimal or fraction string, int, Rational) read exactly; it must be > 0 and in ``SCALE_RANGE``."""
    q = parse_rational(value, name)
    if q <= 0:
        raise UsageError(f"{name} must be positive, got {q}")
    if not SCALE_RANGE[0] <= q <= SCALE_RANGE[1]:
        raise UsageError(f"{name} = {sp.N(q, 6)} is outside [1e-100, 1e100], the range the numeric tiers evaluate")
    return q


def bounded_rational(value: Any, name: str, largest: int = 10 ** 100, smallest: sp.Rational | None = None
                     ) -> sp.Rational:
    """``value`` read exactly (``parse_rational``): 0, or of size between ``smallest`` (default 1/``largest``) and
    ``largest``, where the numeric tiers can evaluate it (perturb = 1e300 made SVDs fail, an exponent of 1e30 ran the
    symbolic check for minutes)."""
    q = parse_rational(value, name)
    low = sp.Rational(1, largest) if smallest is None else smallest
    if q != 0 and not low <= abs(q) <= largest:
        raise UsageError(f"{name} = {sp.N(q, 6)} is outside the sizes the numeric tiers evaluate: 0, or between "
                         f"{float(low):g} and {float(largest):g}")
    return q


def positive_factor(name: str, value: Any) -> sp.Rational:
    """A perturbation factor read exactly: strings, ints and Rationals via ``parse_rational``; a float by its
    exact binary value (it is already a float; nothing is rounded further). It must be > 0 and in ``SCALE_RANGE``."""
    if isinstance(value, bool):
        raise UsageError(f"factor for {name} must be a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise UsageError(f"factor for {name} must be a finite positive number, got {value!r}")
        q = sp.Rational(value)
    else:
        q = parse_rational(value, f"factor for {name}")
    if q <= 0:
        raise UsageError(f"factor for {name} must be a finite positive number, got {value!r}")
    if not SCALE_RANGE[0] <= q <= SCALE_RANGE[1]:
        raise UsageError(f"factor for {name} = {sp.N(q, 6)} is outside [1e-100, 1e100], the range the numeric tiers "
                         "evaluate")
    return q


def fill(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with each ``{name}`` of ``values`` replaced by ``str(value)``; other braces untouched."""
    for name, value in values.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def declared_texts(statement: Any, source: Any, resolutions: Sequence[str], paper: Any,
                   values: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments ``statement``, ``source``, ``resolutions``, ``paper`` of a ``Claim``: checked
    to be text (a non-empty statement and source) and with the parameter placeholders filled."""
    for what, text in (("statement", statement), ("source", source)):
        if not isinstance(text, str) or not text.strip():
            raise UsageError(f"a claim needs a non-empty {what} (a string), got {text!r}")
    if isinstance(resolutions, str) or not all(isinstance(r, str) for r in resolutions):
        raise UsageError("resolutions must be a sequence of strings")
    if not isinstance(paper, str):
        raise UsageError(f"paper must be a string, got {paper!r}")
    return dict(statement=fill(statement, values), source=fill(source, values),
                resolutions=tuple(fill(r, values) for r in resolutions), paper=paper)
