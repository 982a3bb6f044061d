"""Slice S2 (issue 13): the polynomial route of the L1 symbolic check equals the entrywise-cancel route, and
still refutes a non-orthogonal map; see verify.symbolic.symmetric.orbit_residual_numerators."""
from __future__ import annotations

import pytest
import sympy as sp

from proofs.li_2019 import symmetric as li
from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.symbolic.symmetric import (derivatives, entry_symbols, orbit_residual_numerators,
                                       rotation_symbols)

STANDARD = RunContext(seed=0, profile=get_profile("standard"))


def cancel_route(n: int, r: int, s: sp.Rational, which: str) -> list[sp.Expr]:
    """The former route, written out here independently: the Cayley rotation built from its definition
    (I − K)(I + K)⁻¹ with SymPy's inverse, the residual cancelled entry by entry."""
    F, grad, hess = derivatives(n, r, sp.Integer(1))
    X, _ = entry_symbols(n, r)
    K = sp.zeros(r, r)
    for (i, j), t in zip([(i, j) for i in range(r) for j in range(i + 1, r)], rotation_symbols(r, "t")):
        K[i, j], K[j, i] = t, -t
    R = s * (sp.eye(r) - K) * (sp.eye(r) + K).inv()
    XR = X * R
    sub = {X[a, k]: XR[a, k] for a in range(n) for k in range(r)}
    if which == "F":
        return [sp.cancel(F.xreplace(sub) - F)]
    if which == "gradient":
        return list((grad.xreplace(sub) - grad * R).applyfunc(sp.cancel))
    Kr = sp.kronecker_product(sp.eye(n), R.T)
    return list((hess.xreplace(sub) - Kr * hess * Kr.T).applyfunc(sp.cancel))


@pytest.mark.parametrize("n, r, s, which", [
    (2, 2, sp.Integer(1), "F"), (2, 2, sp.Integer(1), "gradient"), (2, 2, sp.Integer(1), "Hessian"),
    (2, 2, sp.Rational(11, 10), "F"), (2, 2, sp.Rational(11, 10), "gradient"),
    (2, 2, sp.Rational(11, 10), "Hessian"), (2, 1, sp.Rational(-3, 2), "Hessian"),
    (3, 2, sp.Rational(11, 10), "F"),
])
def test_numerators_equal_cancelled_residuals(n, r, s, which):
    t = rotation_symbols(r, "t")
    d = 1 + sum(x ** 2 for x in t)  # det(I + K) for r ≤ 2, by hand
    D = {"F": 4, "gradient": 3, "Hessian": 2}[which]
    new = orbit_residual_numerators(n, r, sp.Integer(1), s)[which]
    old = cancel_route(n, r, s, which)
    assert len(new) == len(old)
    for num, ref in zip(new, old):
        assert sp.cancel(num.as_expr() / d ** D - ref) == 0
    assert all(z == 0 for z in new) == (abs(s) == 1)


@pytest.mark.parametrize("perturb, expected", [("1", Verdict.VERIFIED), ("-1", Verdict.VERIFIED),
                                               ("1.000001", Verdict.REFUTED), ("2", Verdict.REFUTED)])
def test_symbolic_symmetry_at_standard(perturb, expected):
    claim = li.symmetry_claim(perturb=perturb)
    [check] = [c for c in claim.checks if c.tier is Tier.SYMBOLIC]
    res = check.execute(STANDARD)
    assert res.error is None and res.verdict is expected
    if expected is Verdict.REFUTED:
        assert any("Hessian" in b for b in res.counterexample["failed"])


def test_batched_lm_reaches_stationary_points_of_every_kind():
    """From the claim's kind of starts, the batched solver ends at ∇F ≈ 0 (checked here with the gradient
    formula 4c(XXᵀ − M)X written out) and reaches saddles as well as minima."""
    import numpy as np

    from verify.kernels.symmetric import (Instance, classify, random_orthogonal, random_spectrum,
                                          solve_gradient_batch)
    rng = np.random.default_rng(3)
    inst = Instance(random_spectrum(rng, 4, 4), random_orthogonal(rng, 4), 2)
    M, c = inst.M, 0.25
    cols = rng.choice([1.0, 1e-3], size=(60, 1, 2)) * rng.choice([0.3, 1.0, 2.0], size=(60, 1, 1))
    X0 = rng.standard_normal((60, 4, 2)) * cols
    scale = 4 * c * inst.lam[0] ** 1.5
    X, gn = solve_gradient_batch(X0, M, c, scale)
    direct = np.linalg.norm((4 * c * (X @ np.swapaxes(X, -1, -2) - M) @ X).reshape(60, -1), axis=1)
    assert np.allclose(gn, direct, rtol=1e-6, atol=1e-15 * scale)
    assert np.all(direct <= 1e-11 * scale)
    kinds = {classify(x, inst, 1e-6)[0] for x in X}
    assert None not in kinds and () in kinds and (0, 1) in kinds and len(kinds) >= 4


def test_stationary_numeric_refutes_a_family_without_saddles_at_standard():
    claim = li.stationary_points_claim(family="prefixes")
    [check] = [c for c in claim.checks if c.tier is Tier.NUMERIC]
    res = check.execute(STANDARD)
    assert res.error is None and res.verdict is Verdict.REFUTED
    assert res.counterexample["family"] == "prefixes"


def test_scipy_fallback_takes_every_start_the_batch_leaves(monkeypatch):
    """A batch that converges nowhere hands every start to SciPy's LM: the check still runs all starts."""
    import numpy as np

    from verify.kernels import symmetric as kern
    monkeypatch.setattr(kern, "solve_gradient_batch", lambda X0, M, c, scale: (X0, np.full(len(X0), np.inf)))
    claim = li.stationary_points_claim()
    [check] = [c for c in claim.checks if c.tier is Tier.NUMERIC]
    res = check.execute(RunContext(seed=0, profile=get_profile("quick")))
    assert res.error is None and res.verdict is Verdict.VERIFIED
    assert res.details["scipy_fallback_solves"] == res.details["starts"] == 60
