"""User problems as data: a loss and a per-layer penalty, their proved reduction, and their symbols.

Public surface: ``ScalarProblem``, ``parse_problem``, ``convention_problem``, ``resolve_problem``
(``verify.problems.scalar``); ``Reduction``, ``reduce``, ``ReductionRefused`` (``verify.problems.reduction``).
Derivations live in ``verify.symbolic.problem``, float64 kernels in ``verify.kernels.problem``.
"""
from .reduction import Reduction, ReductionRefused, reduce
from .scalar import ScalarProblem, convention_problem, parse_problem, resolve_problem

__all__ = ["Reduction", "ReductionRefused", "ScalarProblem", "convention_problem", "parse_problem", "reduce",
           "resolve_problem"]
