"""Matrix sharpness (docs/mathematics.md §K8): the derived closed form verified at three tiers, perturbed claims
(wrong constant, wrong exponents, forgotten blocks, irrational value) refuted at each tier, usage errors, and
expected values from outside the code under test."""
import numpy as np
import pytest
import sympy as sp

from verify.claims import RunContext, Verdict, get_profile
from verify.claims.matrix_sharpness import (
    M2, RHO2, derived_sharpness, h, matrix_sharpness_claim, matrix_sharpness_functions, matrix_sharpness_names,
)
from verify.errors import UsageError
from verify.expressions import parse_expression
from verify.landscape.deep_matrix import construct_minimizer, end_to_end_minimizer, hessian
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

CTX = RunContext(seed=0, profile=get_profile("quick"))
DIAG = L * a * rho ** (2 * L - 2) - (L - 2) * b
PAIR = a * h(rho ** 2, RHO2 ** 2, L - 1) + b + a * (M2 - RHO2 ** L) * h(rho ** 2, RHO2 ** 2, L - 2) / rho ** (L - 2)


def _tiers(formula=None, **kw):
    """The λ_max checks, one per tier, executed alone (the trace-relation checks, "both meanings …", are
    tests/test_matrix_sharpness_trace.py's)."""
    claim = matrix_sharpness_claim("t.sharp", "test", "test", formula=formula, **kw)
    results = [c.execute(CTX) for c in claim.checks if not c.name.startswith("both meanings")]
    assert all(r.error is None for r in results), [r.error for r in results]
    return {str(r.tier): r for r in results}


def test_derived_form_verified_at_every_tier():
    tiers = _tiers()
    assert {t: c.verdict for t, c in tiers.items()} == {
        "symbolic": Verdict.VERIFIED, "high-precision": Verdict.VERIFIED, "certified": Verdict.VERIFIED,
        "numeric": Verdict.VERIFIED}
    assert all(c.scope for c in tiers.values())
    assert tiers["high-precision"].digits >= 40


GATE = sp.Min(1, RHO2 * 10 ** 9)  # 1 at every kept ρ₂ (≥ ρ* ≫ 1e-9 here), 0 at a dropped direction
PERTURBED = {
    "constant": dict(scale=sp.Rational(101, 100)),
    "constant below": dict(scale=sp.Rational(999, 1000)),
    "exponent of the own block": dict(formula=sp.Max(L * a * rho ** (2 * L - 1) - (L - 2) * b, 2 * b, PAIR)),
    "exponent of the pair block": dict(formula=sp.Max(DIAG, 2 * b, a * h(rho ** 2, RHO2 ** 2, L - 1) + b + a * (
        M2 - RHO2 ** L) * h(rho ** 2, RHO2 ** 2, L - 2) / rho ** (L - 1))),
    "scalar spectrum only (K4 at ρ_1)": dict(formula=sp.Max(DIAG, 2 * b)),
    "forgets the dropped-direction block": dict(formula=sp.Max(DIAG, 2 * b, PAIR * GATE)),
}


@pytest.mark.parametrize("name", list(PERTURBED))
def test_perturbed_claims_refuted_at_every_tier(name):
    tiers = _tiers(**PERTURBED[name])
    assert {t: c.verdict for t, c in tiers.items()} == {
        "symbolic": Verdict.REFUTED, "high-precision": Verdict.REFUTED, "certified": Verdict.REFUTED,
        "numeric": Verdict.REFUTED}, name
    assert all(c.counterexample for c in tiers.values())


def test_forgotten_width_block_is_what_refutes():
    # the gate changes nothing where both directions are kept: the refutation comes from a dropped direction
    tiers = _tiers(**PERTURBED["forgets the dropped-direction block"])
    assert tiers["symbolic"].counterexample["case"] == "dropped near threshold"
    assert "dropped" in tiers["numeric"].counterexample["regime"] or tiers["numeric"].counterexample["depth"] == 2


def test_irrational_claim_refuted_exactly():
    tiers = _tiers(scale=sp.sqrt(2) / sp.Rational(141421356, 100000000))  # 1 + 3.7e-9
    assert tiers["symbolic"].verdict is Verdict.REFUTED
    assert "isolating interval" in tiers["symbolic"].summary


def test_lam_and_convention():
    # under S, b = λ: the same closed form written with lam in place of b is verified (exact tier), and under B
    # (b = 2λ) it is refuted
    lam_form = derived_sharpness().subs(b, matrix_sharpness_names()["lam"])
    for conv, verdict in (("S", Verdict.VERIFIED), ("B", Verdict.REFUTED)):
        claim = matrix_sharpness_claim("t", "s", "s", formula=lam_form, convention=conv)
        assert claim.checks[0].execute(CTX).verdict is verdict, conv


def test_usage_errors():
    with pytest.raises(UsageError, match="x"):
        matrix_sharpness_claim("t", "s", "s", formula=sp.Symbol("x") * a)
    with pytest.raises(UsageError):
        matrix_sharpness_claim("t", "s", "s", scale=0)
    with pytest.raises(UsageError):
        matrix_sharpness_claim("t", "s", "s", convention="Z9")
    with pytest.raises(UsageError):
        matrix_sharpness_claim("t", "s", "s", formula="L*a")
    with pytest.raises(UsageError, match="exceeds"):
        h(rho, RHO2, 1000)


def test_formula_text_parses_to_the_derived_form():
    text = ("Max(L*a*rho**(2*L-2) - (L-2)*b, 2*b, "
            "a*h(rho**2, rho2**2, L-1) + b + a*(m2 - rho2**L)*h(rho**2, rho2**2, L-2)/rho**(L-2))")
    parsed = parse_expression(text, matrix_sharpness_names(),
                              functions={**dict(__import__("verify.expressions", fromlist=["x"]).DEFAULT_FUNCTIONS),
                                         **matrix_sharpness_functions()})
    for depth in (2, 3, 5):
        assert sp.simplify(parsed.subs(L, depth) - derived_sharpness().subs(L, depth)) == 0


def test_depth_two_by_hand():
    # L = 2 by hand (docs §K8): s_i = σ_i − b/a, ρ_i² = s_i, and the form reduces to
    # max(2aσ_1 − 2b, a(σ_1 + σ_2), 2b) whether direction 2 is kept (σ_2 > b/a) or dropped (σ_2 ≤ b/a)
    A, B = sp.Integer(2), sp.Rational(3, 5)
    for s1, s2 in [(3, 2), (3, sp.Rational(29, 10)), (3, sp.Rational(1, 5)), (sp.Rational(7, 10), sp.Rational(1, 10))]:
        s1, s2 = sp.Rational(s1), sp.Rational(s2)
        r1 = sp.sqrt(s1 - B / A)
        r2 = sp.sqrt(s2 - B / A) if s2 > B / A else 0
        got = derived_sharpness().subs(L, 2).subs({rho: r1, RHO2: r2, mabs: s1, M2: s2, a: A, b: B})
        assert sp.simplify(got - sp.Max(2 * A * s1 - 2 * B, A * (s1 + s2), 2 * B)) == 0


@pytest.mark.parametrize("sigma, bb, expected, block", [
    # largest eigenvalues of the hand-derived dense Hessian (deep_matrix.hessian, widths 2×2×2×2, a = 1, L = 3),
    # recorded from a run of that reference during the derivation; each regime has a different dominant block
    ((3.0, 2.9), 1.5, 10.541102, "pair of kept directions"),
    ((3.0, 2.0), 1.5, 6.033252, "kept direction with a dropped one"),
    ((3.0, 2.0), 0.5, 10.435844, "own block of the top direction"),
])
def test_recorded_reference_values(sigma, bb, expected, block):
    M = np.diag(sigma)
    e2e = end_to_end_minimizer(M, 3, 1.0, bb)
    s = np.sort(e2e.s)[::-1]
    vals = {rho: s[0] ** (1 / 3), RHO2: s[1] ** (1 / 3) if s[1] > 0 else 0, mabs: sigma[0], M2: sigma[1], a: 1, b: bb}
    assert float(derived_sharpness().subs(L, 3).subs(vals)) == pytest.approx(expected, abs=2e-6), block


def test_same_at_every_gauge_and_hidden_width():
    # the sharpness does not depend on the gauge or on the hidden widths (unlike the trace, which grows by b per
    # parameter, §K6)
    rng = np.random.default_rng(5)
    M = np.array([[3.0, 0.4, 0.0], [0.2, 2.7, 0.1]])
    L, A, B = 4, 2.0, 0.3
    e2e = end_to_end_minimizer(M, L, A, B)
    tops, traces = [], []
    for hidden in [(2, 2, 2), (3, 4, 3), (5, 5, 5)]:
        for _ in range(2):
            Ws = construct_minimizer(M, L, A, B, hidden, rng, e2e=e2e).Ws
            H = hessian(Ws, M, A, B)
            tops.append(np.linalg.eigvalsh(H)[-1])
            traces.append(np.trace(H))
    assert np.ptp(tops) < 1e-10 * max(tops)
    assert np.ptp(traces) > 1.0


def test_expansion_route_matches_the_hand_derived_hessian():
    import mpmath

    from verify.landscape.matrix_hessian_exact import exact_hessian, expand_second_order, real_field

    rng = np.random.default_rng(3)
    for depth, dims in [(1, (2, 3)), (2, (3, 3, 2)), (3, (2, 3, 1, 2))]:
        Ws = [sp.Matrix(dims[l + 1], dims[l], lambda i, j: sp.Rational(int(rng.integers(-5, 6)), int(rng.integers(1, 5))))
              for l in range(depth)]
        M = sp.Matrix(dims[-1], dims[0], lambda i, j: sp.Rational(int(rng.integers(-5, 6)), 3))
        _, H = exact_hessian(Ws, M, 2, sp.Rational(1, 3))
        ref = hessian([np.array(W, dtype=float) for W in Ws], np.array(M, dtype=float), 2.0, 1 / 3)
        assert np.max(np.abs(np.array(H, dtype=float) - ref)) <= 1e-13 * np.max(np.abs(ref))
        with mpmath.workdps(40):
            _, Hm = expand_second_order(Ws, M, 2, sp.Rational(1, 3), real_field(40))
            assert max(abs(mpmath.mpf(Hm[i][j]) - mpmath.mpf(H[i, j].p) / H[i, j].q)
                       for i in range(H.rows) for j in range(H.rows)) < mpmath.mpf(10) ** -35 * (1 + np.max(np.abs(ref)))
    with pytest.raises(UsageError):
        exact_hessian([sp.eye(2), sp.eye(3)], sp.eye(2), 1, 1)


def test_formula_without_a_value_is_refuted_not_crashed():
    # sqrt of a negative number at the minimizers: no real value, refuted at every tier (never a crash)
    tiers = _tiers(formula=sp.sqrt(DIAG - 100 * b))
    assert all(c.verdict is Verdict.REFUTED for c in tiers.values())
    assert "no real value" in tiers["symbolic"].summary and "no real value" in tiers["numeric"].summary
