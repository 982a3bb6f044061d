"""A scalar problem as data: F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L).

A problem is named either by a convention of ``verify.conventions`` (A1, A2, S, S2, B) or by two formulas
read by the safe parser ``verify.expressions.parse_expression``: the loss in ``p`` and ``m``, one layer's
penalty in ``w``, ``lam``, ``l`` and ``L``. What may be derived from a problem (the balanced reduction,
thresholds, kernels) lives in ``verify.problems.reduction``, ``verify.symbolic.problem`` and
``verify.kernels.problem``.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from ..conventions import get_convention
from ..errors import UsageError
from ..expressions import parse_expression
from .symbols import LOSS_NAMES, PENALTY_NAMES


@dataclass(frozen=True)
class ScalarProblem:
    """F(w) = loss(w_L⋯w_1, m) + Σ_l penalty(w_l; lam, l, L); frozen and hashable (a cache key)."""

    loss_text: str
    penalty_text: str
    loss: sp.Expr
    penalty: sp.Expr
    convention: str | None = None

    def label(self) -> str:
        """A one-line name for reports, e.g. "convention A1 (loss = (p - m)**2, penalty = lam/L * w**2)"."""
        formulas = f"loss = {self.loss_text}, penalty = {self.penalty_text}"
        return f"convention {self.convention} ({formulas})" if self.convention else formulas

    def to_json(self) -> dict:
        """{"convention": ..., "loss": ..., "penalty": ...} (no "convention" key for a user problem)."""
        out: dict = {"convention": self.convention} if self.convention else {}
        out.update(loss=self.loss_text, penalty=self.penalty_text)
        return out


CONVENTION_FORMULAS = MappingProxyType({
    "A1": ("(p - m)**2", "lam/L * w**2"),
    "A2": ("(p - m)**2/2", "lam/(2*L) * w**2"),
    "S": ("(p - m)**2/2", "lam/2 * w**2"),
    "S2": ("(p - m)**2", "lam * w**2"),
    "B": ("(p - m)**2/2", "lam * w**2"),
})
"""Each named convention (a/2)(P − M)² + (b/2)Σw², b = k(L)·λ, written as a loss and a penalty."""

_ROLES = {
    "loss": (LOSS_NAMES, PENALTY_NAMES, "the loss is a formula in p (the product w_L⋯w_1) and m (the target)"),
    "penalty": (PENALTY_NAMES, LOSS_NAMES,
                "the penalty is one layer's penalty, a formula in w (that layer's weight), lam, l (the layer "
                "index) and L (the depth)"),
}


def _parse(role: str, text: object) -> sp.Expr:
    """One formula of a problem; errors name the key ``problem.<role>`` and the offending name."""
    names, other, meaning = _ROLES[role]
    key = f"problem.{role}"
    if not isinstance(text, str):
        raise UsageError(f"{key}: expected a formula as a string, got {type(text).__name__} {str(text)[:40]!r}")
    try:
        return parse_expression(text, names)
    except UsageError as exc:
        try:
            widened = parse_expression(text, {**names, **other})
        except UsageError:
            raise type(exc)(f"{key}: {exc}") from None
        wrong = sorted(str(s) for s in widened.free_symbols if s in set(other.values()) and s not in
                       set(names.values()))
        if not wrong:
            raise type(exc)(f"{key}: {exc}") from None
        listed = ", ".join(repr(n) for n in wrong)
        verb = "is" if len(wrong) == 1 else "are"
        raise UsageError(f"{key}: {listed} {verb} not allowed in the {role} ({meaning}); "
                         f"got {text!r}") from None


def parse_problem(loss: str, penalty: str) -> ScalarProblem:
    """A user problem from its two formulas (exact: numbers are read as rationals, never floats)."""
    return ScalarProblem(loss, penalty, _parse("loss", loss), _parse("penalty", penalty))


def convention_problem(name: str) -> ScalarProblem:
    """A named convention (A1, A2, S, S2, B; case-insensitive) as a problem; unknown names: UsageError."""
    convention = get_convention(name)
    loss, penalty = CONVENTION_FORMULAS[convention.name]
    parsed = parse_problem(loss, penalty)
    return ScalarProblem(loss, penalty, parsed.loss, parsed.penalty, convention.name)


def resolve_problem(convention: str | None = None, loss: str | None = None,
                    penalty: str | None = None) -> ScalarProblem:
    """Exactly one of: a convention, or both loss and penalty; anything else is a UsageError naming what
    is missing or extra."""
    if convention is not None:
        extra = [k for k, v in (("loss", loss), ("penalty", penalty)) if v is not None]
        if extra:
            raise UsageError(f"give either a convention or a problem (loss and penalty), not both: "
                             f"convention {convention!r} with {' and '.join(extra)}")
        return convention_problem(convention)
    if loss is None and penalty is None:
        raise UsageError("no problem given: name a convention, or give both a loss and a penalty")
    if loss is None:
        raise UsageError("problem.loss is missing: a problem needs both a loss and a penalty")
    if penalty is None:
        raise UsageError("problem.penalty is missing: a problem needs both a loss and a penalty")
    return parse_problem(loss, penalty)
