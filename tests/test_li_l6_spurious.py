"""li.sensing, no spurious minima: a claimed regime delta_2r < delta0 is refuted beyond 1/2, kept below.

The counterexample operators are re-derived here by an independent route: G written out as a SymPy
polynomial from explicit measurement matrices, exact derivatives, exact eigenvalues of A*A.
"""
from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from proofs.li_2019.sensing import sensing_claim
from verify import sensing_search as ss
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.errors import UsageError

CTX = RunContext(seed=0, profile=get_profile("quick"))
NEW = ("spurious-minima-operator-search", "spurious-minima-family-high-precision")


def _run(claim, names=NEW, ctx=CTX):
    return {c.name: c.execute(ctx) for c in claim.checks if c.name in names}


def _exact(measurements, x, z):
    """G/c, its gradient and Hessian at x (exact), G at z, and delta_2r of the best scaling (exact)."""
    x1, x2 = sp.symbols("x1 x2", real=True)
    X = sp.Matrix([x1, x2])
    E = X * X.T - z * z.T
    G = sum(sum(Ak[i, j] * E[i, j] for i in range(2) for j in range(2)) ** 2 for Ak in measurements)
    at = {x1: x[0], x2: x[1]}
    grad = [sp.simplify(sp.diff(G, v).subs(at)) for v in (x1, x2)]
    hess = sp.hessian(G, (x1, x2)).subs(at).applyfunc(sp.simplify)
    # A*A on Sym(2) in the orthonormal coordinates (Z11, sqrt2 Z12, Z22)
    rows = sp.Matrix([[Ak[0, 0], sp.sqrt(2) * Ak[0, 1], Ak[1, 1]] for Ak in measurements])
    K = rows.T * rows
    if K.has(sp.Float):     # printed decimals: eigenvalues numerically at 30 digits
        K = K.evalf(30)
        with mpmath.workdps(30):
            ev = mpmath.eigsy(mpmath.matrix([[mpmath.mpf(str(v)) for v in row] for row in K.tolist()]), eigvals_only=True)
            lo, hi = sp.Float(str(min(ev)), 30), sp.Float(str(max(ev)), 30)
    else:
        ev = list(K.eigenvals())
        lo, hi = min(ev, key=lambda v: float(v)), max(ev, key=lambda v: float(v))
    return G, grad, hess, sp.simplify(G.subs(at)), sp.simplify(G.subs({x1: z[0], x2: z[1]})), (hi - lo) / (hi + lo)


def test_audit_operator_delta_091_has_a_strict_spurious_minimum():
    """3 measurements I, E22, 2(E12 + E21), M = E11: x = (0, 1/sqrt2) is a strict local minimum with G > 0."""
    meas = [sp.eye(2), sp.Matrix([[0, 0], [0, 1]]), sp.Matrix([[0, 2], [2, 0]])]
    x, z = (0, 1 / sp.sqrt(2)), sp.Matrix([1, 0])
    _, grad, hess, gx, gz, delta = _exact(meas, x, z)
    assert grad == [0, 0]
    assert hess == sp.diag(14, 8)                      # strictly positive definite
    assert gx == sp.Rational(1, 2) and gz == 0         # spurious: above the global minimum 0
    assert sp.simplify(delta - (13 + sp.sqrt(5)) / (19 - sp.sqrt(5))) == 0
    assert 0.90 < float(delta) < 0.91
    # the suite's certifier, fed the same operator, agrees with the exact values
    rows = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 2 * np.sqrt(2), 0.0]])
    cert = ss.certify(ss.Candidate(rows.T @ rows, np.array([1.0, 0.0]), np.array([0.0, 0.7]), "audit"), 40)
    assert cert.ok, cert.reason
    assert abs(cert.delta - mpmath.mpf(float(delta))) < 1e-14
    with mpmath.workdps(40):
        assert abs(cert.x[1] - 1 / mpmath.sqrt(2)) < mpmath.mpf(10) ** -30


def test_family_matches_exact_derivation():
    """A1 = I, A2 = diag(1,-1)/sqrt3, A3 = (E12+E21)/sqrt(2 nu): Hessian diag(2/nu - 4, 16/3), G = 1."""
    for nu in (sp.Rational(1, 10), sp.Rational(9, 20)):
        meas = [sp.eye(2), sp.diag(1, -1) / sp.sqrt(3), sp.Matrix([[0, 1], [1, 0]]) / sp.sqrt(2 * nu)]
        _, grad, hess, gx, gz, delta = _exact(meas, (0, 1 / sp.sqrt(2)), sp.Matrix([1, 0]))
        assert grad == [0, 0] and gz == 0 and gx == 1
        assert hess == sp.diag(2 / nu - 4, sp.Rational(16, 3))
        assert sp.simplify(delta - (3 - 2 * nu) / (3 + 2 * nu)) == 0
        code = ss.family(str(nu))
        rows = np.array([[float(v) for v in (Ak[0, 0], sp.sqrt(2) * Ak[0, 1], Ak[1, 1])] for Ak in meas])
        assert np.allclose(code.H, rows.T @ rows, rtol=1e-14, atol=0)
        assert abs(code.delta - float(delta)) < 1e-14
    assert ss.family_nu_for(sp.Rational(3, 5)) == sp.Rational(3, 8)   # (3 - 3/4)/(3 + 3/4) = 3/5


@pytest.mark.parametrize("delta0", ["1", "0.91", "0.6"])
def test_regime_beyond_one_half_refuted_at_numeric_and_high_precision(delta0):
    """Regression (issue 9): 'no spurious minima for every delta < 1' was verified; it is false."""
    res = _run(sensing_claim(minima_delta=delta0))
    search, family = res[NEW[0]], res[NEW[1]]
    assert search.verdict is Verdict.REFUTED, search.summary
    assert family.verdict is Verdict.REFUTED, family.summary
    for r in (search, family):
        cex = r.counterexample
        assert float(cex["delta_2r"]) < float(sp.Rational(delta0))
        assert float(cex["G(x)/(c||M||^2)"]) > 1e-3
        assert min(float(v) for v in cex["hessian_eigenvalues/c"]) > 0
        assert len(cex["measurements (A_k, G = c sum_k <A_k, xx^T - M>^2)"]) == 3 and cex["M"]


def test_claimed_regime_stays_verified_with_margin():
    res = _run(sensing_claim())
    for name in NEW:
        assert res[name].verdict is Verdict.VERIFIED, res[name].summary
        assert res[name].scope
    assert 0.5 <= res[NEW[0]].details["smallest_delta_found"] < 0.55


def test_search_counterexample_is_an_independent_strict_minimum():
    """The searched operator (measurements as printed) re-checked by SymPy from its printed numbers."""
    res = _run(sensing_claim(minima_delta="0.55"), (NEW[0],))[NEW[0]]
    assert res.verdict is Verdict.REFUTED
    cex = res.counterexample
    meas = [sp.Matrix([[sp.Float(v, 30) for v in row] for row in A]) for A in cex["measurements (A_k, G = c sum_k <A_k, xx^T - M>^2)"]]
    z = sp.Matrix([sp.sqrt(sp.Float(cex["M"][0][0], 30)), sp.sign(sp.Float(cex["M"][0][1], 30)) * sp.sqrt(sp.Float(cex["M"][1][1], 30))])
    x = [sp.Float(v, 30) for v in cex["x"]]
    _, grad, hess, gx, gz, delta = _exact(meas, x, z)
    scale = max(abs(float(v)) for v in hess)
    assert max(abs(float(g)) for g in grad) < 1e-12 * scale      # printed to 20 digits
    assert min(np.linalg.eigvalsh(np.array(hess.tolist(), dtype=float))) > 1e-4 * scale
    assert float(gx) > 0.1 and abs(float(gz)) < 1e-15
    assert float(delta) < 0.55


@pytest.mark.slow
def test_sensing_tiers_each_refute_the_wrong_regime():
    from verify.claims import run_claim
    result = run_claim(sensing_claim(minima_delta="1"), CTX)
    tiers = result.tier_verdicts()
    assert tiers[str(Tier.NUMERIC)] is Verdict.REFUTED
    assert tiers[str(Tier.HIGH_PRECISION)] is Verdict.REFUTED


@pytest.mark.parametrize("bad", [
    lambda: sensing_claim(minima_delta="0"),
    lambda: sensing_claim(minima_delta="-1/5"),
    lambda: sensing_claim(minima_delta="nan"),
    lambda: ss.search(np.random.default_rng(0), 0),
    lambda: ss.family("-1"),
    lambda: ss.family_nu_for(sp.Rational(1, 2)),
])
def test_bad_input_raises_usage_error(bad):
    with pytest.raises(UsageError):
        bad()


def test_gaussian_descent_check_counts_its_regime():
    """The Gaussian check says how many descents were in the regime; none in it is not 'verified'."""
    res = _run(sensing_claim(), ("global-minima",))["global-minima"]
    assert res.verdict is Verdict.VERIFIED and res.details["in_regime_descents"] > 0
    assert "Gaussian" in res.scope
    tiny = _run(sensing_claim(minima_delta="1/100"), ("global-minima",))["global-minima"]
    assert tiny.verdict is Verdict.INCONCLUSIVE and tiny.details["in_regime_descents"] == 0


def test_search_objective_eigenvalues_match_lapack():
    rng = np.random.default_rng(11)
    for _ in range(50):
        N = rng.standard_normal((3, 3))
        N = N + N.T
        lo, hi = ss._extreme_eigs(N.tolist())
        ev = np.linalg.eigvalsh(N)
        assert abs(lo - ev[0]) <= 1e-12 * np.abs(ev).max() and abs(hi - ev[-1]) <= 1e-12 * np.abs(ev).max()


def test_any_regime_above_one_half_refuted_by_the_certified_family():
    """1/2 is sharp for the family: delta0 = 1/2 + 1e-7 is refuted at 50 digits, delta0 = 1/2 is not."""
    above = _run(sensing_claim(minima_delta="0.5000001"), (NEW[1],))[NEW[1]]
    assert above.verdict is Verdict.REFUTED, above.summary
    assert 0.5 < float(above.counterexample["delta_2r"]) < 0.5000001
    at = _run(sensing_claim(minima_delta="1/2"), (NEW[1],))[NEW[1]]
    assert at.verdict is Verdict.VERIFIED, at.summary
