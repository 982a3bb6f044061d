"""S1 thresholds and Hessian spectra of user problems, against independent routes (hand formulas, the
convention route of verify.symbolic.scalar, direct numerical maximization, numpy eigenvalues)."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from verify.conventions import CONVENTIONS
from verify.errors import UsageError
from verify.kernels.problem import problem_kernels
from verify.problems import convention_problem, parse_problem
from verify.problems.symbols import LAM, MABS, RHO
from verify.symbolic import scalar as ss
from verify.symbolic.problem import balanced_hessian_eigenvalues, derive_problem_threshold


@pytest.mark.parametrize("depth", [2, 3, 4, 5, 6])
def test_a1_threshold_matches_the_convention_route(depth):
    th = derive_problem_threshold(convention_problem("A1"), depth)
    reference = ss.lam_star(depth, CONVENTIONS["A1"])
    assert sp.simplify(th.exact - reference) == 0
    assert th.kind == ("continuous" if depth == 2 else "jump")


def test_depth_one_ridge_never_collapses_and_depth_two_is_continuous():
    assert derive_problem_threshold(convention_problem("S2"), 1).kind == "none"
    assert derive_problem_threshold(convention_problem("S2"), 1).value(sp.Rational(3, 2), 30) is None
    th = derive_problem_threshold(convention_problem("B"), 2)
    # B at L = 2: b = 2λ, b* = a|m| = |m| (the L = 2 collapse of the convention route): λ* = |m|/2
    assert th.kind == "continuous" and sp.simplify(th.exact - MABS / 2) == 0


def _hand(k: sp.Rational, depth: int) -> tuple[str, sp.Expr | None]:
    """Loss (p − m)²/2, penalty lam·|w|^k, by hand: ρ^L = |m|·2(L−k)/(2L−k), λ* = ρ^(L−k)(|m| − ρ^L)/k
    for L > k (jump); L = k: λ* = R(0+) = |m|/L... (continuous); L < k: none."""
    if depth > k:
        x = MABS * 2 * (depth - k) / (2 * depth - k)
        return "jump", x ** ((depth - k) / depth) * (MABS - x) / k
    if depth == k:
        return "continuous", MABS / depth
    return "none", None


@pytest.mark.parametrize("k", [sp.Integer(1), sp.Rational(1, 2), sp.Rational(3, 2)])
@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_power_penalty_threshold_matches_the_hand_formula(k, depth):
    th = derive_problem_threshold(parse_problem("(p - m)**2/2", f"lam*abs(w)**({k})"), depth)
    kind, formula = _hand(k, depth)
    assert th.kind == kind
    if formula is None:
        assert th.exact is None and th.value(sp.Integer(2), 30) is None
        return
    assert sp.simplify(th.exact - formula) == 0
    with mpmath.workdps(60):
        m = sp.Rational(7, 3)
        got = th.value(m, 50)
        want = mpmath.mpf(sp.N(formula.subs(MABS, m), 70)._mpf_)
        assert abs(got - want) <= mpmath.mpf(10) ** -48 * abs(want)


def test_m_zero_and_exact_inputs():
    th = derive_problem_threshold(parse_problem("(p - m)**2/2", "lam*abs(w)"), 3)
    assert th.value(0, 30) == 0
    with pytest.raises(UsageError, match="float"):
        th.value(1.5, 30)


def test_threshold_needs_a_penalty_linear_in_lam():
    with pytest.raises(UsageError, match="linear in lam"):
        derive_problem_threshold(parse_problem("(p - m)**2", "lam**2*w**2"), 3)


@pytest.mark.parametrize("depth", [2, 3])
def test_per_layer_threshold_is_the_geometric_mean_problem(depth):
    """penalty lam·l·w² ≅ lam·c̄·w², c̄ = (L!)^(1/L): λ* = λ*_{k=2}/c̄ by hand (k = 2 formula above)."""
    th = derive_problem_threshold(parse_problem("(p - m)**2/2", "lam*l*w**2"), depth)
    c_bar = sp.factorial(depth) ** sp.Rational(1, depth)
    _, unit = _hand(sp.Integer(2), depth)
    assert sp.simplify(th.exact - unit / c_bar) == 0
    balanced = parse_problem("(p - m)**2/2", f"lam*({'*'.join(map(str, range(1, depth + 1)))})**(1/{depth})*w**2")
    assert sp.simplify(derive_problem_threshold(balanced, depth).exact - th.exact) == 0


def _sup_ratio(ratio, lo: float, hi: float, digits: int) -> mpmath.mpf:
    """max of ratio on [lo, hi] by a coarse scan, then mpmath.findroot on its derivative (independent of S1)."""
    with mpmath.workdps(digits + 10):
        grid = [mpmath.mpf(lo) + (mpmath.mpf(hi) - lo) * j / 400 for j in range(1, 400)]
        start = max(grid, key=ratio)
        root = mpmath.findroot(lambda r: mpmath.diff(ratio, r), start)
        return ratio(root)


def test_no_closed_form_polynomial_route_agrees_with_direct_maximization():
    """(p − m)²/2 + lam·(w² + |w|) at L = 3: R(ρ) = (m² − (ρ³ − m)²)/(2·3(ρ² + ρ)), maximized directly."""
    th = derive_problem_threshold(parse_problem("(p - m)**2/2", "lam*(w**2 + abs(w))"), 3)
    assert th.exact is None and th.kind == "jump"
    with mpmath.workdps(50):
        m = mpmath.mpf(7) / 3
        ratio = lambda r: (m**2 - (r**3 - m) ** 2) / (6 * (r**2 + r))  # noqa: E731
        want = _sup_ratio(ratio, 0, float(mpmath.cbrt(m)), 40)
        got = th.value(sp.Rational(7, 3), 40)
        assert abs(got - want) <= mpmath.mpf(10) ** -35 * want


def test_non_polynomial_route_agrees_with_direct_maximization():
    """Pseudo-Huber loss with a log penalty at L = 3 (grid + bisection route), 25 digits."""
    th = derive_problem_threshold(parse_problem("sqrt(1 + (p - m)**2)", "lam*log(1 + w**2)"), 3)
    assert th.exact is None and th.kind == "jump"
    with mpmath.workdps(40):
        m = mpmath.mpf(2)
        ratio = lambda r: (mpmath.sqrt(1 + m**2) - mpmath.sqrt(1 + (r**3 - m) ** 2)) / (3 * mpmath.log(1 + r**2))  # noqa: E731
        want = _sup_ratio(ratio, 0, float(mpmath.cbrt(m)), 30)
        got = th.value(2, 25)
        assert abs(got - want) <= mpmath.mpf(10) ** -22 * want


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_a1_spectrum_matches_the_convention_route(depth):
    eig = dict(balanced_hessian_eigenvalues(convention_problem("A1"), depth))
    ref = {sp.simplify(v.subs({ss.a: 2, ss.b: 2 * LAM / depth})): mult
           for v, mult in ss.derive_spectrum(depth).eigenvalues}
    assert {sp.simplify(v): mult for v, mult in eig.items()} == ref


@pytest.mark.parametrize("k, depth", [(sp.Integer(1), 3), (sp.Rational(1, 2), 4), (sp.Rational(3, 2), 2)])
def test_power_penalty_spectrum_matches_numpy(k, depth):
    """Eigenvalues at a balanced stationary point: |m| = ρ^L + λ·k·ρ^(k−L) (stationarity, by hand) and numpy's
    eigvalsh of the float64 kernel Hessian; relative 1e-9 (entries O(1–10), eigvalsh backward stable)."""
    problem = parse_problem("(p - m)**2/2", f"lam*abs(w)**({k})")
    eig = balanced_hessian_eigenvalues(problem, depth)
    rho_v, lam_v = 0.9, 0.3
    m_v = rho_v**depth + lam_v * float(k) * rho_v ** (float(k) - depth)
    predicted = sorted(float(v.subs({RHO: rho_v, LAM: lam_v, MABS: m_v})) for v, mult in eig for _ in range(mult))
    W = np.full((1, depth), rho_v)
    W[0, 0] = -rho_v
    W[0, 1 % depth] *= -1 if depth > 1 else 1
    H = problem_kernels(problem, depth).hessian(W, m_v, lam_v)[0]
    got = np.linalg.eigvalsh(H)
    assert np.allclose(sorted(got), predicted, rtol=1e-9, atol=1e-9 * max(1.0, float(np.abs(got).max())))


def test_per_layer_spectrum_is_refused():
    with pytest.raises(UsageError, match="secular"):
        balanced_hessian_eigenvalues(parse_problem("(p - m)**2/2", "lam*l*w**2"), 3)


def test_threshold_budget_depth_eight():
    """reduce + threshold for depth 8 of the hand-formula family stays cheap (cached afterwards)."""
    import time
    start = time.perf_counter()
    derive_problem_threshold(parse_problem("(p - m)**2/2", "lam*abs(w)**(1/2)"), 8)
    assert time.perf_counter() - start < 5 * math.e


def test_a_perturbed_closed_form_is_told_apart():
    """The derived λ* distinguishes the hand formula from one with a wrong constant in ρ^L (2L − k + 1)."""
    k, depth = sp.Integer(1), 3
    th = derive_problem_threshold(parse_problem("(p - m)**2/2", "lam*abs(w)"), depth)
    x = MABS * 2 * (depth - k) / (2 * depth - k + 1)
    wrong = x ** ((depth - k) / depth) * (MABS - x) / k
    assert sp.simplify(th.exact - wrong) != 0
    with mpmath.workdps(40):
        assert abs(th.value(2, 30) - mpmath.mpf(sp.N(wrong.subs(MABS, 2), 40)._mpf_)) > mpmath.mpf(10) ** -3


def test_exponential_loss_limit_is_decided():
    """exp(p − m) + exp(m − p): R(0+) = 0 (SymPy's limit misjudges it when F(0) is written with cosh)."""
    th = derive_problem_threshold(parse_problem("exp(p - m) + exp(m - p)", "lam*abs(w)"), 3)
    assert th.kind == "jump" and th.limit_at_zero == 0 and th.exact is None
