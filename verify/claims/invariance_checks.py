"""L7 (docs/mathematics.md §L7): the invariance-example kind. ``invariance_example_claim`` validates the
example and the claimed spectral behaviour and wires the checks, each with the scope its verdict covers;
the catalogue's declarations (statements, source, resolutions) are ``proofs.li_2019.invariance``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from verify.claims.base import Check, Claim, Tier
from verify.claims.invariance_examples import EXAMPLES, SPECS, GroupFactory
from verify.claims.li_kinds_common import USER_PAPER, declared_texts
from verify.claims.invariance_numeric import (
    covariance_check, derivatives_check, fixed_points_check, orbit_tangent_check,
)
from verify.claims.invariance_spectrum import hp_spectrum_check, spectrum_check
from verify.claims.invariance_symbolic import symbolic_check
from verify.claims.scope import scoped
from verify.errors import UsageError


def invariance_checks(example: str, group: GroupFactory | None, eig_inv: bool) -> tuple[Check, ...]:
    """The L7 checks for ``example`` (a key of SPECS) with the given group and claimed eigenvalue behaviour."""
    spec = SPECS[example]
    pts = "the constructed stationary points" + ("" if example == "real-phase" else " and their moved copies")
    size = {"real-phase": "A 16 x 4 Gaussian", "complex-phase": "A 12 x 3 complex Gaussian",
            "deep-linear": "M 3 x 3 with distinct singular values, h = 2"}[example]
    checks = [
        Check("symbolic-covariance", Tier.SYMBOLIC, symbolic_check(spec, group)),
        Check("derivatives-vs-fd", Tier.NUMERIC, scoped(derivatives_check(spec), lambda ctx: (
            f"one seeded instance ({size}), {5 if ctx.profile.level == 0 else 20} random points"))),
        Check("covariance", Tier.NUMERIC, scoped(covariance_check(spec, group), lambda ctx: (
            f"one seeded instance ({size}), {max(20, ctx.profile.instances // 4)} sampled group elements, "
            "one random point each"))),
        Check("fixed-points-stationary", Tier.NUMERIC, scoped(fixed_points_check(spec, group), lambda ctx: (
            f"one seeded instance ({size}), fixed subspace of 8 sampled elements, the constructed stationary points"))),
    ]
    if example != "real-phase":
        checks.append(Check("orbit-tangent-null", Tier.NUMERIC, scoped(orbit_tangent_check(spec, group), lambda ctx: (
            f"one seeded instance ({size}), every Lie generator, {pts} (2 elements)"))))
    checks += [
        Check("hessian-spectrum", Tier.NUMERIC, scoped(spectrum_check(spec, group, eig_inv), lambda ctx: (
            f"one seeded instance ({size}), the constructed stationary points and 3 random points x "
            f"{3 if ctx.profile.level == 0 else 10} sampled elements"))),
        Check("inertia-high-precision", Tier.HIGH_PRECISION,
              scoped(hp_spectrum_check(spec, group, eig_inv), lambda ctx: (
            f"one seeded instance ({size}) at {ctx.dps} digits, "
            f"{'3 of' if ctx.profile.level == 0 else 'all'} the constructed stationary points x "
            f"{max(1, min(ctx.profile.hp_instances, 2 if ctx.profile.level == 0 else 6))} exact elements"))),
    ]
    return tuple(checks)


def invariance_example_claim(id: str, statement: str | Mapping[str, str], source: str, *, example: str,
                             group: GroupFactory | None = None, eigenvalues_invariant: bool | None = None,
                             paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """The invariance identities of ``example`` (one of ``EXAMPLES``) under its symmetry group, or under
    ``group`` (a callable: example -> ``verify.invariance.GroupAction``; there is no declarative form of a
    group action). ``eigenvalues_invariant``: the claimed spectral behaviour; None = the example's own
    (True for the orthogonal groups, False for GL); a value given is stated after the statement as
    "[perturbed: eigenvalues claimed invariant | to move]". ``statement`` may be a mapping example ->
    statement (one declaration for every example). Placeholder: {example}."""
    if not isinstance(example, str) or example not in SPECS:
        raise UsageError(f"unknown invariance example {example!r}; known: {', '.join(EXAMPLES)}")
    if isinstance(statement, Mapping):
        if example not in statement:
            raise UsageError(f"no statement for invariance example {example!r}")
        statement = statement[example]
    if eigenvalues_invariant is not None and not isinstance(eigenvalues_invariant, bool):
        raise UsageError(f"eigenvalues_invariant must be True, False or None, got {eigenvalues_invariant!r}")
    if group is not None and not callable(group):
        raise UsageError(f"group must be a callable (example -> GroupAction), got {type(group).__name__}")
    eig_inv = SPECS[example].eigenvalues_invariant if eigenvalues_invariant is None else eigenvalues_invariant
    if eigenvalues_invariant is not None:
        statement = f"{statement} [perturbed: eigenvalues claimed {'invariant' if eig_inv else 'to move'}]"
    return Claim(id=id, checks=invariance_checks(example, group, eig_inv),
                 **declared_texts(statement, source, resolutions, paper, {"example": example}))
