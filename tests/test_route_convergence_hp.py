"""verify.claims.convergence._hp_run (the 50-digit GD steps in gmpy2 mpfr at mpmath's precision) against the route
it replaced: the same steps in mpmath scalars, kept here verbatim. Both use correctly rounded +, −, ×, /, √ at
the same binary precision, so iterations, region counts, N2, N3, margins and the residual agree to the last
digits printed (compared to 40 significant digits; logarithms may differ in the last bit)."""
from __future__ import annotations

from typing import Any

import mpmath
import pytest
import sympy as sp

from verify.claims.convergence import DEFAULT_STEP, HP_LAM, HP_U, STEP_NAMES, _hp_run, parse_step_rule
from verify.landscape.symmetric import region_constants


def _hp_run_reference(x0: list, lam: tuple, U: list, c: Any, eta: Any, K: Any, eps: Any, tol: Any, max_iter: int,
            b: Any) -> dict[str, Any]:
    """_hp_run as it was: mpmath scalars throughout (kept verbatim as the reference route)."""
    from verify.landscape.convergence import r2_bound, r3_bound, r2_rate
    from verify.landscape.symmetric import classify_region

    # GD is O(n)-equivariant: run in the eigenbasis, y = Uᵀx, M = diag(λ), where the gap has no cancellation:
    # F − F* = c[(y_1² − λ_1)² + y_2²(y_2² − 2λ_2 + 2y_1²)] (each term small near the minimizer)
    v0 = [U[0][a] * x0[0] + U[1][a] * x0[1] for a in range(2)]
    tops = [mpmath.sqrt(lam[0]), mpmath.mpf(0)]
    sad = [mpmath.mpf(0), mpmath.sqrt(lam[1])]
    normM = mpmath.sqrt(lam[0] ** 2 + lam[1] ** 2)

    def F_and_grad(v):
        gap = c * ((v[0] ** 2 - lam[0]) ** 2 + v[1] ** 2 * (v[1] ** 2 - 2 * lam[1] + 2 * v[0] ** 2))
        E = [[v[0] ** 2 - lam[0], v[0] * v[1]], [v[0] * v[1], v[1] ** 2 - lam[1]]]
        return gap, [4 * c * (E[a][0] * v[0] + E[a][1] * v[1]) for a in range(2)]

    def dist(v, w):
        return min(mpmath.sqrt((v[0] - w[0]) ** 2 + (v[1] - w[1]) ** 2),
                   mpmath.sqrt((v[0] + w[0]) ** 2 + (v[1] + w[1]) ** 2))

    theta = r2_rate(K, eta)
    v = v0
    F, G = F_and_grad(v)  # F is the gap F − F* throughout
    Fstar = 0
    dF0 = F
    counts = {"R1": 0, "R2": 0, "R3": 0}
    gap_entry, worst_desc, worst_rate, problem = None, mpmath.inf, mpmath.inf, None
    k = 0
    while F - Fstar > eps and k < max_iter:
        s2 = v[0] ** 2 + v[1] ** 2
        reg = classify_region(s2, lam[0], lambda: dist(v, sad), lambda: dist(v, tops),
                              lambda: s2, normM, K)[:2]
        counts[reg] += 1
        vn = [v[a] - eta * G[a] for a in range(2)]
        Fn, Gn = F_and_grad(vn)
        need = eta / 2 * (G[0] ** 2 + G[1] ** 2)
        margin = (F - Fn - need) / need if need > 0 else mpmath.mpf(0)
        worst_desc = min(worst_desc, margin)
        if not mpmath.isfinite(Fn):
            problem = f"diverged at step {k}"
            break
        if margin < -tol:
            problem = f"descent lemma violated at step {k}: relative margin {mpmath.nstr(margin, 8)}"
            break
        if reg == "R2":
            gap_entry = F - Fstar if gap_entry is None else gap_entry
            if Fn - Fstar > 0 and theta > 0:
                m = mpmath.log((F - Fstar) / (Fn - Fstar)) / -mpmath.log(theta)
                worst_rate = min(worst_rate, m)
                if m < 1 / mpmath.mpf(b.p) * b.q - tol:
                    problem = (f"R2 contraction at step {k}: θ^{mpmath.nstr(m, 8)} per step, claimed "
                               f"θ^{mpmath.nstr(mpmath.mpf(b.q) / b.p, 8)}")
                    break
        v, F, G = vn, Fn, Gn
        k += 1
    bq = mpmath.mpf(b.p) / b.q
    N3 = r3_bound(K, eta, dF0)
    N2 = r2_bound(K, eta, gap_entry if gap_entry is not None else mpmath.mpf(0), eps, mpmath.log)
    if problem is None and counts["R2"] > bq * N2:
        problem = f"{counts['R2']} R2 iterates with gap > ε, bound b·N2 = {mpmath.nstr(bq * N2, 8)}"
    if problem is None and counts["R3"] > bq * N3:
        problem = f"{counts['R3']} R3 iterates, bound b·N3 = {mpmath.nstr(bq * N3, 8)}"
    resid = mpmath.sqrt((v[0] ** 2 - lam[0]) ** 2 + 2 * (v[0] * v[1]) ** 2 + v[1] ** 4)  # ||yyᵀ − λ_1e_1e_1ᵀ||
    return {"iterations": k, "reached": F - Fstar <= eps, "counts": counts, "N2": N2, "N3": N3,
            "worst_descent": worst_desc, "worst_rate": worst_rate, "residual": resid, "problem": problem}


def _setup(c, step_text, start, scale):
    cm = mpmath.mpf(c.p) / c.q
    lam = tuple(mpmath.mpf(x.p) / x.q for x in HP_LAM)
    U = [[mpmath.mpf(x.p) / x.q for x in row] for row in HP_U]
    K = region_constants(list(lam), 1, cm, mpmath.sqrt)
    nz = mpmath.sqrt(start[0] ** 2 + start[1] ** 2)
    x0 = [scale * mpmath.mpf(t) / nz for t in start]
    E = [[x0[a] * x0[b] - mpmath.fsum(U[a][i] * lam[i] * U[b][i] for i in range(2)) for b in range(2)]
         for a in range(2)]
    F0 = cm * mpmath.fsum(E[a][b] ** 2 for a in range(2) for b in range(2))
    fstep = sp.lambdify([STEP_NAMES[k] for k in ("c", "lam1", "F0")], parse_step_rule(step_text), modules="mpmath")
    eta = mpmath.mpf(fstep(cm, lam[0], F0))
    return x0, lam, U, cm, eta, K


@pytest.mark.parametrize("c, step_text, b, start, scale, cap", [
    (sp.Rational(1, 4), DEFAULT_STEP, sp.Integer(1), (0.3, -1.1), 1, 20000),
    (sp.Integer(1), DEFAULT_STEP, sp.Integer(1), (-0.8, 0.2), 1, 20000),
    (sp.Rational(1, 4), DEFAULT_STEP, sp.Rational(1, 5), (0.3, -1.1), 1, 20000),    # b too small: refuted
    (sp.Rational(1, 4), "1/(6*c*lam1)", sp.Integer(1), (1.0, 0.7), 3, 60),          # overshooting step rule
])
def test_hp_run_equals_the_mpmath_reference(c, step_text, b, start, scale, cap):
    with mpmath.workdps(60):
        x0, lam, U, cm, eta, K = _setup(c, step_text, start, scale)
        eps = cm * mpmath.mpf(10) ** -84
        tol = mpmath.mpf(10) ** -45
        new = _hp_run(x0, lam, U, cm, eta, K, eps, tol, cap, b)
        ref = _hp_run_reference(x0, lam, U, cm, eta, K, eps, tol, cap, b)
        for key in ("iterations", "reached", "counts", "N2"):
            assert new[key] == ref[key], key
        assert (new["problem"] is None) == (ref["problem"] is None)
        if ref["problem"] is not None:
            assert new["problem"].split(":")[0] == ref["problem"].split(":")[0]
        for key in ("N3", "worst_descent", "worst_rate", "residual"):
            assert isinstance(new[key], mpmath.mpf)
            assert mpmath.nstr(new[key], 40) == mpmath.nstr(ref[key], 40), key
