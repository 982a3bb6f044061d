"""Checks of the no-spurious-minima regime of matrix sensing, n = 2, r = 1 (docs/mathematics.md §L6).

Claim-level checks built on verify.sensing_search: ``operator_search_check`` (numeric search over every
operator on Sym(2), counterexamples confirmed at high precision) and ``family_check`` (the explicit family,
certified at ctx.dps digits). Both take the claim's c (c_q) and its regime delta_2r < minima_q.
"""
from __future__ import annotations

from typing import Callable

import mpmath
import sympy as sp

from .claims import CheckResult, RunContext, Verdict
from .sensing_search import certify, family, family_nu_for, search


def search_starts(ctx: RunContext) -> int:
    """Local searches per profile (quick, standard, thorough)."""
    return (12, 32, 128)[min(ctx.profile.level, 2)]


def operator_search_check(c_q: sp.Rational, minima_q: sp.Rational) -> Callable[[RunContext], CheckResult]:
    """Search every operator on Sym(2) (n = 2, r = 1) for a strict spurious minimum with delta < delta0."""
    def run(ctx: RunContext) -> CheckResult:
        starts = search_starts(ctx)
        cands = search(ctx.rng("sensing.operator-search"), starts)
        d0 = minima_q
        tol = (f"candidate counts when delta < claimed {minima_q} at {ctx.dps} digits and, after Newton "
               f"at {ctx.dps + 10} digits (|grad| <= 1e-{ctx.dps - 5} of scale), hess G > 1e-{ctx.dps // 4} ||hess G|| and "
               "G > 1e-6 c||M||^2 (global minimum 0); candidates keep a 1e-3 relative margin from the Hessian boundary")
        details = {"regime": f"delta_2r < {minima_q}", "searches": starts, "candidates": len(cands),
                   "smallest_delta_found": cands[0].delta if cands else None,
                   "deltas_found": [round(c.delta, 4) for c in cands[:12]]}
        base = dict(instances=len(cands), tolerance=tol, details=details,
                    scope=f"n = 2, r = 1: every operator on Sym(2) (3 measurements) and every point, through the "
                          f"complete reduced parametrization of verify.sensing_search; {starts} local searches; "
                          "delta_2r = delta_full exact at this size")
        below = [c for c in cands if c.delta < float(d0)]
        if not cands:
            return CheckResult(Verdict.INCONCLUSIVE, "no search converged", **base)
        if below:
            cert = certify(below[0], ctx.dps, mpmath.mpf(c_q.p) / c_q.q)
            details["certificate"] = cert.reason
            if cert.ok and cert.delta < mpmath.mpf(d0.p) / d0.q:
                return CheckResult(Verdict.REFUTED, f"an operator with delta_2r = {mpmath.nstr(cert.delta, 6)} < "
                                                    f"{minima_q} has a strict spurious local minimum "
                                                    f"(G = {mpmath.nstr(cert.g_value_rel, 6)} c||M||^2 > 0 = min G), "
                                                    f"confirmed at {ctx.dps} digits",
                                   counterexample=cert.as_dict(), worst_margin=f"{float(cert.delta) - float(d0):.6f}", **base)
            return CheckResult(Verdict.INCONCLUSIVE, f"float64 candidate with delta {below[0].delta:.4f} not confirmed "
                                                     f"at {ctx.dps} digits: {cert.reason}", **base)
        return CheckResult(Verdict.VERIFIED, f"{starts} adversarial searches over operators on Sym(2): the smallest "
                                             f"delta_2r admitting a strict spurious minimum found is "
                                             f"{cands[0].delta:.4f} >= claimed {minima_q}",
                           worst_margin=f"{cands[0].delta - float(d0):.6f}", **base)
    return run


def family_check(c_q: sp.Rational, minima_q: sp.Rational) -> Callable[[RunContext], CheckResult]:
    """Certify the explicit spurious-minimum family at ctx.dps digits; refute when a member has delta < delta0."""
    def run(ctx: RunContext) -> CheckResult:
        d0 = minima_q
        cm = mpmath.mpf(c_q.p) / c_q.q
        nus = ["1/10", "9/20"]
        if d0 > sp.Rational(1, 2):
            nus.append(str(family_nu_for(min((d0 + sp.Rational(1, 2)) / 2, sp.Rational(9, 10)))))
        certs = [(nu, certify(family(nu), ctx.dps, cm)) for nu in nus]
        rows = [{"nu": nu, "certified": c.ok, "delta_2r": mpmath.nstr(c.delta, 12),
                 "hessian_eigenvalues/c": [mpmath.nstr(v, 8) for v in c.hess_eigs],
                 "G/(c||M||^2)": mpmath.nstr(c.g_value_rel, 8)} for nu, c in certs]
        tol = (f"{ctx.dps} digits: Newton to |grad| <= 1e-{ctx.dps - 5} of scale, hess G > 1e-{ctx.dps // 4} ||hess G||, "
               "G > 1e-6 c||M||^2; delta_2r = max |eig(A*A) - 1| at the same precision")
        base = dict(instances=len(certs), tolerance=tol, details={"family": rows},
                    scope="explicit operators on Sym(2) (n = 2, r = 1) of verify.sensing_search.family: strict "
                          "spurious minima for every delta_2r > 1/2; none exists in the family at delta_2r <= 1/2")
        failed = [(nu, c.reason) for nu, c in certs if not c.ok]
        if failed:
            return CheckResult(Verdict.INCONCLUSIVE, f"family member(s) not certified at {ctx.dps} digits: "
                                                     + "; ".join(f"nu = {nu}: {why}" for nu, why in failed), **base)
        inside = [(nu, c) for nu, c in certs if c.delta < mpmath.mpf(d0.p) / d0.q]
        if inside:
            nu, c = inside[0]
            return CheckResult(Verdict.REFUTED, f"the operator of the family at nu = {nu} has delta_2r = "
                                                f"{mpmath.nstr(c.delta, 8)} < {minima_q} and a strict "
                                                f"spurious local minimum, certified at {ctx.dps} digits",
                               counterexample=c.as_dict(), digits=float(ctx.dps), **base)
        return CheckResult(Verdict.VERIFIED, f"{len(certs)} certified spurious minima of the explicit family all "
                                             f"have delta_2r > 1/2 >= claimed {minima_q}",
                           digits=float(ctx.dps), **base)
    return run
