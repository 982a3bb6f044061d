"""L7 (docs/mathematics.md §L7): the checks of one ``li.invariance.*`` claim, each with the scope its
verdict covers. The claims' statements, source and resolutions live in ``proofs.li_2019.invariance``.
"""
from __future__ import annotations

from verify.claims.base import Check, Tier
from verify.claims.invariance_examples import SPECS, GroupFactory
from verify.claims.invariance_numeric import (
    covariance_check, derivatives_check, fixed_points_check, orbit_tangent_check,
)
from verify.claims.invariance_spectrum import hp_spectrum_check, spectrum_check
from verify.claims.invariance_symbolic import symbolic_check
from verify.claims.scope import scoped


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
        Check("inertia-high-precision", Tier.HIGH_PRECISION, scoped(hp_spectrum_check(spec, group, eig_inv), lambda ctx: (
            f"one seeded instance ({size}) at {ctx.dps} digits, "
            f"{'3 of' if ctx.profile.level == 0 else 'all'} the constructed stationary points x "
            f"{max(1, min(ctx.profile.hp_instances, 2 if ctx.profile.level == 0 else 6))} exact elements"))),
    ]
    return tuple(checks)
