"""kp.sharpness.matrix at the certified tier (slice D2): Arb enclosures of the whole Hessian's largest eigenvalue at
certified minimizers. The Arb Hessian is checked against the exact expansion of the definition (an independent
route); a claim off by 1e-45 relative, within the 50-digit check's tolerance, is refuted here; the second eigenvalue
claimed as the largest is refuted; Max/Min claims are enclosed rigorously."""
from __future__ import annotations

import flint
import numpy as np
import sympy as sp

from verify.certified.arb import to_arb, workprec
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.claims.certified_sharpness import enclose_claim, matrix_hessian_ball
from verify.claims.matrix_sharpness import RHO2, derived_sharpness, matrix_sharpness_claim
from verify.landscape.matrix_hessian_exact import exact_hessian

CERT = "certified enclosure of the largest eigenvalue at certified minimizers"
HP = "largest high-precision eigenvalue at 50-digit minimizers"
CTX = RunContext(seed=0, profile=get_profile("quick"))


def _run(name: str, **kw):
    (check,) = [c for c in matrix_sharpness_claim("t.s", "test", "test", **kw).checks if c.name == name]
    r = check.execute(CTX)
    assert r.error is None, r.error
    return r


def test_arb_hessian_contains_the_exact_hessian_of_the_definition():
    rng = np.random.default_rng(5)
    dims = (3, 2, 2)
    Ws = [sp.Matrix(dims[l + 1], dims[l], lambda i, j, l=l: sp.Rational(int(rng.integers(-5, 6)), 4))
          for l in range(2)]
    M = sp.Matrix(2, 3, lambda i, j: sp.Rational(int(rng.integers(-9, 10)), 3))
    a, b = sp.Rational(2), sp.Rational(3, 7)
    grad_x, H_x = exact_hessian(Ws, M, a, b)
    with workprec(200):
        conv = [flint.arb_mat([[to_arb(sp.Rational(x)) for x in W.row(i)] for i in range(W.rows)]) for W in Ws]
        Mb = flint.arb_mat([[to_arb(sp.Rational(x)) for x in M.row(i)] for i in range(M.rows)])
        grad, H = matrix_hessian_ball(conv, Mb, to_arb(a), to_arb(b))
        # x ∈ ball ⇔ 0 ∈ ball − x (the subtraction rounds outward by at most 2^-200)
        assert all((g - _q(gx)).contains(0) for g, gx in zip(grad, grad_x))
        assert H.nrows() == H_x.rows == 10
        assert all((H[i, j] - _q(H_x[i, j])).contains(0) for i in range(10) for j in range(10))
        assert max(float(H[i, j].rad()) for i in range(10) for j in range(10)) < 1e-55


def _q(x) -> flint.fmpq:
    x = sp.Rational(x)
    return flint.fmpq(int(x.p), int(x.q))


def test_max_and_min_are_enclosed_rigorously():
    x, y = sp.symbols("x y")
    with workprec(100):
        v = enclose_claim(sp.Max(x, 2 * y) + sp.Min(1, x), {x: to_arb(3), y: to_arb(sp.Rational(7, 4))})
        assert v.contains(to_arb(sp.Rational(7, 2) + 1)) and v.rad() < flint.arb(2) ** -90


def test_derived_sharpness_certified():
    r = _run(CERT)
    assert r.tier is Tier.CERTIFIED and r.verdict is Verdict.VERIFIED, r.summary
    assert str(r.strength) == "certified" and r.digits == 70.0 and r.instances == 4
    regimes = {row["regime"] for row in r.details["rows"]}
    assert regimes == {"two kept", "one kept, one dropped", "dropped near the threshold"}
    assert all(row["top_cluster_count"] == 1 for row in r.details["rows"])  # the largest eigenvalue is simple


def test_off_by_1e45_refuted_at_the_certified_tier_only():
    scale = 1 + sp.Rational(1, 10**45)
    r = _run(CERT, scale=scale)
    assert r.verdict is Verdict.REFUTED and r.counterexample["top_cluster_count"] == 1, r.summary
    assert _run(HP, scale=scale).verdict is Verdict.VERIFIED  # 10^-40 tolerance at 50 digits


def test_second_eigenvalue_claimed_as_largest_refuted():
    # the scalar blocks alone (K4 at ρ_1, 2b): an eigenvalue, but not the largest where the pair block dominates
    diag_and_2b = sp.Max(*[t for t in derived_sharpness().args if not t.has(RHO2)])
    r = _run(CERT, formula=diag_and_2b)
    assert r.verdict is Verdict.REFUTED and "largest eigenvalue lies in" in r.summary
