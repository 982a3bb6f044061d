"""L6 (docs/mathematics.md §L6): the matrix-sensing kind. ``sensing_landscape_claim`` parses the claimed
constants and wires the checks, each with the scope its verdict covers; the catalogue's declaration
(statement, source, resolutions, default constants) is ``proofs.li_2019.sensing``.
"""
from __future__ import annotations

from typing import Sequence

from verify import sensing_minima as sm
from verify.claims.base import Check, Claim, Tier
from verify.claims.li_kinds_common import USER_PAPER, declared_texts
from verify.claims.scope import scoped
from verify.claims.sensing_common import SensingParams, n_instances, sensing_params
from verify.claims.sensing_hessian import (
    fd_check, hessian_distance_check, hp_distance_check, isotropy_sample_check,
)
from verify.claims.sensing_landscape import global_minima_check, hp_saddle_check, strict_saddles_check
from verify.claims.sensing_symbolic import full_basis_check, isotropy_check, sympy_derivatives_check


def sensing_checks(p: SensingParams) -> tuple[Check, ...]:
    """The twelve L6 checks (symbolic, numeric, high-precision) of the claim with parameters ``p``."""
    n, r, mq, cq = p.n, p.r, p.minima_q, p.c
    gauss = f"Gaussian operators (n = {n}, r = {r}, m in {list(p.m_sizes)})"
    checks = (
        Check("full-basis-equals-F", Tier.SYMBOLIC, scoped(full_basis_check(p), lambda ctx: (
            "(n, r) in (2, 1), (3, 1)" + ("" if ctx.profile.level == 0 else ", (3, 2)")
            + ": exact polynomial identity in X and M"))),
        Check("gaussian-isotropy", Tier.SYMBOLIC, scoped(isotropy_check(p), lambda ctx: (
            "n = 3, every m (symbolic), every symmetric Z: exact expectation over iid N(0, 1) entries"))),
        Check("derivatives-vs-sympy", Tier.SYMBOLIC, scoped(sympy_derivatives_check(p), lambda ctx: (
            "n = 3, r = 2, 4 integer measurements, one exact point; the hand formulas are evaluated in float64, "
            "so this is a float comparison at one point (sampled strength)"))),
        Check("derivatives-vs-fd", Tier.NUMERIC, scoped(fd_check(p), lambda ctx: (
            f"n = {n}, r = {r}: the largest and smallest m, one random point each"))),
        Check("gaussian-isotropy-sampled", Tier.NUMERIC, scoped(isotropy_sample_check(p), lambda ctx: (
            f"{gauss}, {n_instances(ctx)} target(s) M: each sampled operator's squared Frobenius norm against its "
            "exact law under isotropy"))),
        Check("hessian-distance", Tier.NUMERIC, scoped(hessian_distance_check(p), lambda ctx: (
            f"{gauss}, {n_instances(ctx)} target(s) M, at every stationary point of F; delta estimated from below "
            "and delta_full exact"))),
        Check("strict-saddles", Tier.NUMERIC, scoped(strict_saddles_check(p), lambda ctx: (
            f"{gauss}, {n_instances(ctx)} target(s) M, at F's saddles where lambda_min(hess F) + "
            "bound(delta_full) < 0"))),
        Check("global-minima", Tier.NUMERIC, scoped(global_minima_check(p), lambda ctx: (
            f"{gauss}, {n_instances(ctx)} target(s) M; {2 + ctx.profile.level} descents per operator; "
            "spurious minima sought only where "
            f"delta_full < {mq} (exact eigenvalue computation)"))),
        Check("spurious-minima-operator-search", Tier.NUMERIC, sm.operator_search_check(cq, mq)),
        Check("newton-saddle-high-precision", Tier.HIGH_PRECISION, scoped(hp_saddle_check(p), lambda ctx: (
            f"one saddle of one target at the smallest m <= 2000 in the guaranteed regime, {ctx.dps} digits"))),
        Check("hessian-distance-high-precision", Tier.HIGH_PRECISION, hp_distance_check(p)),
        Check("spurious-minima-family-high-precision", Tier.HIGH_PRECISION, sm.family_check(cq, mq)),
    )
    return checks


def sensing_landscape_claim(id: str, statement: str, source: str, *, c: str, bound_coefficients: tuple[str, str],
                            basis_scale: str, gaussian_scale_power: str, n: int, r: int,
                            m_sizes: Sequence[int], minima_delta: str, paper: str = USER_PAPER,
                            resolutions: Sequence[str] = ()) -> Claim:
    """G(X) = c||A(XXᵀ) − A(M)||² inherits F's landscape: G = F for the full basis scaled by ``basis_scale``,
    Gaussian A scaled by m^-``gaussian_scale_power`` isotropic, ||∇²G − ∇²F|| ≤ c(a δ_2r ||X||² + b δ_(ρ+1)
    ||XXᵀ − M||_F) with (a, b) = ``bound_coefficients``, strict saddles where that bound allows, no spurious
    local minimum for δ_2r < ``minima_delta``; instances n, r, one Gaussian operator per m in ``m_sizes``.
    Constants are exact decimal or fraction strings. Placeholders: {c}, {a}, {b}, {basis_scale},
    {gaussian_scale_power}, {minima_delta}, {n}, {r}, {m_sizes}."""
    p = sensing_params(c=c, bound_coefficients=bound_coefficients, basis_scale=basis_scale,
                       gaussian_scale_power=gaussian_scale_power, n=n, r=r, m_sizes=m_sizes,
                       minima_delta=minima_delta)
    values = {"c": p.c, "a": p.a, "b": p.b, "basis_scale": p.basis_scale, "gaussian_scale_power": p.gauss_power,
              "minima_delta": p.minima_q, "n": p.n, "r": p.r, "m_sizes": list(p.m_sizes)}
    return Claim(id=id, checks=sensing_checks(p), **declared_texts(statement, source, resolutions, paper, values))
