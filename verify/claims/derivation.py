"""Steps of a symbolic proof, kept printable: a sentence and the formula as plain text and MathML.

A check that proves an identity for every parameter in a range records how, so the report can show
the derivation in readable mathematics (``CheckResult.derivation``) rather than only its verdict.
"""
from __future__ import annotations

from typing import Any


def step(say: str, formula: Any = None) -> dict[str, str]:
    """One derivation step: ``say`` in words and ``formula`` (a SymPy expression, relation or string).

    SymPy objects are printed here, once, as plain text (``sstr``) and presentation MathML, so the
    report never parses formulas back.
    """
    out = {"say": say, "plain": "", "mathml": ""}
    if formula is None:
        return out
    if isinstance(formula, str):
        out["plain"] = formula
        return out
    import sympy

    if isinstance(formula, sympy.Equality):  # sstr gives Eq(a, b); a report reads a = b
        out["plain"] = f"{sympy.sstr(formula.lhs)} = {sympy.sstr(formula.rhs)}"
    else:
        out["plain"] = sympy.sstr(formula)
    try:
        out["mathml"] = sympy.mathml(formula, printer="presentation")
    except Exception:  # a printer gap leaves the plain form, which always exists
        out["mathml"] = ""
    return out
