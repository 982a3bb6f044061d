"""kp.uniqueness.width (docs/mathematics.md §K10): the derived width condition verified at every tier; wrong width
conditions refuted at every tier; the bottleneck family checked against a hand derivation; usage errors."""
import numpy as np
import pytest
import sympy as sp

import proofs.kamber_parhi_2026.matrix as kp
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.claims.matrix_widths import CONDITIONS, matrix_width_claim
from verify.errors import UsageError
from verify.landscape.deep_matrix import gradient, objective, product

CTX = RunContext(seed=0, profile=get_profile("quick"))


def _tiers(condition="rank"):
    r = run_claim(matrix_width_claim("t.width", "test", "test", condition=condition), CTX)
    assert not r.crashed, [c.error for c in r.checks]
    return {str(c.tier): c for c in r.checks}


def test_catalogue_claim_verified_at_every_tier():
    r = run_claim(kp.uniqueness_width_claim(), CTX)
    assert r.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary, c.error) for c in r.checks]
    assert {str(c.tier) for c in r.checks} == {"symbolic", "high-precision", "numeric"}
    assert all(c.scope and c.tolerance for c in r.checks)
    assert "abstract" in r.claim.source and "derived by the suite" in r.claim.source and "§K10" in r.claim.source


@pytest.mark.parametrize("condition", ["widths>=1", "widths>=rank", "widths>=rank M"])
def test_wrong_width_condition_refuted_at_every_tier(condition):
    tiers = _tiers(condition)
    assert {t: c.verdict for t, c in tiers.items()} == {
        "symbolic": Verdict.REFUTED, "high-precision": Verdict.REFUTED, "numeric": Verdict.REFUTED}, condition
    assert all(c.counterexample for c in tiers.values())
    if condition == "widths>=1":  # refuted by the issue's bottleneck: widths (2, 1, 1, 2), M = 3·I, λ = 1 (A1)
        assert all("M = 3I" in c.counterexample["case"] for c in tiers.values())
        assert tiers["symbolic"].counterexample["family"]["distinct products"]


def test_unknown_condition_is_a_usage_error():
    with pytest.raises(UsageError, match="condition must be one of"):
        matrix_width_claim("t", "s", "src", condition="widths >= 2")
    with pytest.raises(UsageError):
        kp.uniqueness_width_claim(condition=None)
    assert "rank" in CONDITIONS
    for kw in ({"statement": ""}, {"source": None}, {"id": "bad id; rm -rf"}, {"resolutions": ("",)}):
        with pytest.raises(UsageError):
            matrix_width_claim(**{"id": "t", "statement": "s", "source": "src", **kw})


def test_bottleneck_family_by_hand():
    # Outside the code under test: A1 with λ = 1, L = 3 gives a = 2, b = 2λ/L = 2/3. Balanced layers ρ along a unit u:
    # W_1 = ρuᵀ, W_2 = ρ, W_3 = ρu, P = ρ³uuᵀ, F(ρ) = (a/2)((ρ³ − 3)² + 9) + (3b/2)ρ² for every unit u;
    # F'(ρ) = 0 ⇔ 2ρ⁴ − 6ρ + 2/3 = 0 ⇔ 3ρ⁴ − 9ρ + 1 = 0 (ρ ≠ 0).
    r = sp.Symbol("r")
    rho = float(max(z for z in sp.Poly(3 * r ** 4 - 9 * r + 1).real_roots() if z > 0).evalf(30))
    a, b, M = 2.0, 2.0 / 3.0, 3.0 * np.eye(2)
    F_hand = a / 2 * ((rho ** 3 - 3) ** 2 + 9) + 3 * b / 2 * rho ** 2
    assert F_hand < a / 2 * 18  # below F(0): the direction is kept
    values, products = [], []
    for theta in np.linspace(0.0, np.pi, 7)[:-1]:
        u = np.array([[np.cos(theta)], [np.sin(theta)]])
        Ws = [rho * u.T, np.array([[rho]]), rho * u]
        values.append(float(objective(Ws, M, a, b)))
        products.append(product(Ws))
        assert max(float(np.abs(G).max()) for G in gradient(Ws, M, a, b)) < 1e-12
    assert np.allclose(values, F_hand, rtol=1e-14, atol=0)
    assert min(np.linalg.norm(p - q) for i, p in enumerate(products) for q in products[:i]) > 1.0
    # the catalogue's numeric tier sees the same value and several products among its descent runs
    numeric = next(c for c in matrix_width_claim("t", "s", "src").checks if str(c.tier) == "numeric")
    row = numeric.execute(CTX).details["rows"][0]
    assert np.isclose(float(row["F* (reduction)"]), F_hand, rtol=1e-12)
    assert float(row["largest product distance / ||M||"]) > 0.1
