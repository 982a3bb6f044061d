"""The symbolic scalar engine against independent routes (mpmath by hand, finite differences, float)."""
import itertools

import mpmath
import numpy as np
import pytest
import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau, tau_at
from verify.conventions import CONVENTIONS
from verify.highprec import scalar as hp
from verify.kernels.scalar import scalar_kernels, stationary_radii_batch
from verify.numbers import digits_of_agreement, to_mpf
from verify.queries import threshold_summary
from verify.symbolic.scalar import (L_sym, balanced_model, derive_spectrum, derive_threshold, exact_ratio,
                                    full_model, general_depth_ratio, lam_star, mabs)


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_symbolic_derivatives_match_finite_differences(L):
    """SymPy gradient and Hessian (compiled) vs mpmath finite differences of F written by hand."""
    rng = np.random.default_rng(L)
    kern = scalar_kernels(L)
    w = rng.normal(size=L)
    m, a, b = 0.7, 2.0, 0.3
    with mpmath.workdps(40):
        wm = [mpmath.mpf(float(x)) for x in w]
        f = lambda *v: hp.objective(list(v), mpmath.mpf(m), mpmath.mpf(a), mpmath.mpf(b))  # noqa: E731
        g_fd = [mpmath.diff(f, wm, tuple(int(i == j) for j in range(L))) for i in range(L)]
        H_fd = [[mpmath.diff(f, wm, tuple(int(i == k) + int(j == k) for k in range(L))) for j in range(L)]
                for i in range(L)]
    g = kern.gradient(w[None, :], m, a, b)[0]
    H = kern.hessian(w[None, :], m, a, b)[0]
    scale = 1 + np.abs(H).max()
    assert np.allclose(g, np.array(g_fd, float), rtol=0, atol=1e-12 * scale)
    assert np.allclose(H, np.array(H_fd, float), rtol=0, atol=1e-12 * scale)


def test_finite_difference_check_catches_a_dropped_term():
    """The cross-check above must fail on a wrong derivative (here the regularizer's b is dropped)."""
    L, m, a, b = 3, 0.7, 2.0, 0.3
    fm = full_model(L)
    wrong = sp.lambdify([*fm.w, sp.Symbol("m_t", real=True), sp.Symbol("a", positive=True),
                         sp.Symbol("b", positive=True)], [sp.diff(fm.objective, fm.w[0]) - sp.Symbol("b", positive=True) * fm.w[0]])
    w = [0.3, -1.1, 0.8]
    with mpmath.workdps(30):
        f = lambda *v: hp.objective(list(v), mpmath.mpf(m), mpmath.mpf(a), mpmath.mpf(b))  # noqa: E731
        fd = float(mpmath.diff(f, [mpmath.mpf(x) for x in w], (1, 0, 0)))
    assert abs(wrong(*w, m, a, b)[0] - fd) > 1e-3


def test_hand_hessian_matches_symbolic_exactly_at_rationals():
    """mpmath's hand-derived Hessian vs the SymPy Hessian substituted with exact rationals."""
    L = 4
    fm = full_model(L)
    vals = [sp.Rational(3, 7), sp.Rational(-5, 4), sp.Rational(2, 3), sp.Rational(9, 8)]
    sym = fm.hessian.subs({**dict(zip(fm.w, vals)), sp.Symbol("m_t", real=True): sp.Rational(7, 10),
                           sp.Symbol("a", positive=True): 2, sp.Symbol("b", positive=True): sp.Rational(1, 3)})
    with mpmath.workdps(50):
        H = hp.hessian([to_mpf(v, 50) for v in vals], mpmath.mpf(7) / 10, mpmath.mpf(2), mpmath.mpf(1) / 3)
        for i, j in itertools.product(range(L), repeat=2):
            assert digits_of_agreement(H[i, j], to_mpf(sym[i, j], 50)) > 45 or sym[i, j] == 0


@pytest.mark.parametrize("L", [3, 4, 7, 16, 32])
def test_threshold_derivation_up_to_depth_32(L):
    d = derive_threshold(L)
    assert d.kind == "jump"
    # b* = a·τ/L: the paper's τ is exact under conventions with a per-layer penalty λ/L
    assert exact_ratio(d.b_star, sp.Symbol("a", positive=True) * tau(mabs, L)) == sp.Rational(1, L)


def test_general_depth_ratio_is_exact_for_every_L():
    a = sp.Symbol("a", positive=True)
    assert general_depth_ratio(a * tau() / L_sym) == 1
    assert general_depth_ratio(a * tau() / L_sym * (1 + sp.Rational(1, 10**6))) != 1


def test_special_depths_say_what_happens():
    assert derive_threshold(1).kind == "none" and derive_threshold(1).b_star is None
    d2 = derive_threshold(2)
    assert d2.kind == "continuous" and d2.b_star == sp.Symbol("a", positive=True) * mabs
    assert tau_at(mabs, 1) is None
    assert tau_at(mabs, 2) == 2 * mabs  # 0^0 read as its limit 1


def test_stationary_set_is_complete():
    """Newton from random starts (float64, no balancedness assumed) lands only on the classes mpmath lists."""
    rng = np.random.default_rng(1)
    for L in (2, 3, 4):
        kern = scalar_kernels(L)
        m, a, b = -1.7, 2.0, 0.2
        with mpmath.workdps(30):
            classes = hp.stationary_classes(L, mpmath.mpf("-1.7"), mpmath.mpf(2), mpmath.mpf("0.2"))
        radii = sorted(float(c.rho) for c in classes)
        found = 0
        for _ in range(60):
            w = rng.normal(scale=1.5, size=L)
            for _ in range(100):
                g = kern.gradient(w[None], m, a, b)[0]
                H = kern.hessian(w[None], m, a, b)[0]
                try:
                    w = w - np.linalg.solve(H, g)
                except np.linalg.LinAlgError:
                    break
                if np.linalg.norm(g) < 1e-13:
                    break
            if np.linalg.norm(kern.gradient(w[None], m, a, b)[0]) < 1e-10:
                found += 1
                assert np.ptp(np.abs(w)) < 1e-8, "stationary points are balanced"
                assert min(abs(abs(w[0]) - r) for r in radii) < 1e-8
        assert found > 20


@pytest.mark.parametrize("L", [3, 4, 6])
def test_radii_match_polyroots(L):
    """Bracketed roots vs mpmath.polyroots of a·ρ^(2L−2) − a|m|ρ^(L−2) + b (small degree)."""
    with mpmath.workdps(40):
        m, a, b = mpmath.mpf("2.3"), mpmath.mpf(1), mpmath.mpf("0.3")
        ours = hp.nonzero_stationary_radii(L, m, a, b)
        coeffs = [a] + [0] * (L - 1) + [-a * m] + [0] * (L - 3) + [b]
        roots = mpmath.polyroots(coeffs, maxsteps=200, extraprec=100)
        positive = sorted(r.real for r in roots if abs(r.imag) < 1e-30 and r.real > 0)
        assert len(ours) == len(positive)
        for x, y in zip(ours, positive):
            assert digits_of_agreement(x, y) > 35
    floats = stationary_radii_batch(L, np.array([2.3]), 1.0, 0.3)[0]
    assert np.allclose(floats, [float(r) for r in ours], rtol=1e-10)


GRID = [(L, sign, conv) for L in range(1, 13) for sign in (1, -1) for conv in CONVENTIONS]


@pytest.mark.parametrize("L,sign,conv", [g for i, g in enumerate(GRID) if i % 4 == 0])
def test_threshold_command_agrees_to_40_digits(L, sign, conv):
    """verify threshold: exact derivation vs independent bisection, ≥ 40 digits (default subset)."""
    out = threshold_summary(L, str(sign * sp.Rational(37, 10)), conv, 50, reference=tau_at)
    if L == 1:
        assert out["threshold"] is None and out["kind"] == "none"
        return
    assert float(out["digits"]) >= 40


@pytest.mark.slow
@pytest.mark.parametrize("L,sign,conv", GRID)
def test_threshold_command_full_grid(L, sign, conv):
    out = threshold_summary(L, str(sign * sp.Rational(37, 10)), conv, 50, reference=tau_at)
    assert L == 1 or float(out["digits"]) >= 40


def test_spectrum_derivation_matches_mpmath():
    """Closed-form spectrum vs mpmath eigenvalues of the hand-derived Hessian at a computed minimizer."""
    L = 4
    spec = derive_spectrum(L)
    a_s, b_s, r_s = sp.symbols("a b rho", positive=True)
    with mpmath.workdps(50):
        m, a, b = mpmath.mpf(3), mpmath.mpf(2), mpmath.mpf("0.5")
        cls = [c for c in hp.global_minimizers(L, m, a, b)][0]
        assert cls.rho > 0
        eig = hp.hessian_eigenvalues(cls.point([1, -1, -1, 1]), m, a, b)
        closed = sorted(to_mpf(e.subs({a_s: 2, b_s: sp.Rational(1, 2), r_s: sp.Float(cls.rho, 50)}), 50)
                        for e, k in spec.eigenvalues for _ in range(k))
        for x, y in zip(eig, closed):
            assert digits_of_agreement(x, y) > 45


def test_balanced_model_is_phi():
    model = balanced_model(3)
    assert sp.simplify(model.phi - model.D - model.R) == 0
    assert lam_star(3, CONVENTIONS["A1"]) is not None


def _kernel_vs_hand(L):
    """Compiled SymPy gradient/Hessian vs the hand product rule (mpmath) at a random point."""
    rng = np.random.default_rng(L)
    w = rng.uniform(0.7, 1.3, L) * rng.choice([-1, 1], L)
    kern = scalar_kernels(L)
    g = kern.gradient(w[None], -1.3, 2.0, 0.4)[0]
    H = kern.hessian(w[None], -1.3, 2.0, 0.4)[0]
    with mpmath.workdps(30):
        args = ([mpmath.mpf(float(x)) for x in w], mpmath.mpf(-1.3), mpmath.mpf(2), mpmath.mpf(0.4))
        g_hand = np.array([float(x) for x in hp.gradient(*args)])
        H_hand = np.array(hp.hessian(*args).tolist(), dtype=float)
    scale = np.abs(H_hand).max()
    assert np.abs(g - g_hand).max() <= 64 * L * np.finfo(float).eps * scale
    assert np.abs(H - H_hand).max() <= 64 * L * np.finfo(float).eps * scale


def test_full_model_depth_12():
    _kernel_vs_hand(12)


@pytest.mark.slow
def test_full_model_depth_32():
    _kernel_vs_hand(32)
    assert derive_spectrum(32).eigenvalues[0][1] == 31
