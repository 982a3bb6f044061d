"""S1 problem core: parsing, conventions as problems, the proved reduction and its refusals, kernels."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from verify.conventions import CONVENTIONS
from verify.errors import UsageError
from verify.kernels.problem import problem_kernels
from verify.kernels.scalar import scalar_kernels
from verify.problems import ReductionRefused, convention_problem, parse_problem, reduce, resolve_problem
from verify.problems.symbols import LAM, M, MABS, P, RHO, W
from verify.symbolic import scalar as ss
from verify.symbolic.problem import problem_model


# -- parsing ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("loss, penalty, key, name", [
    ("(p - w)**2", "lam*w**2", "problem.loss", "'w'"),
    ("(p - m)**2 * L", "lam*w**2", "problem.loss", "'L'"),
    ("(p - m)**2", "lam*w**2 + m", "problem.penalty", "'m'"),
    ("(p - m)**2", "lam*p", "problem.penalty", "'p'"),
    ("(p - m)**2", "lam*x**2", "problem.penalty", "'x'"),
    ("(p - m", "lam*w**2", "problem.loss", "never closed"),
    ("(p - m)**2", "__import__('os')", "problem.penalty", "dunder"),
])
def test_parse_errors_name_the_key_and_the_name(loss, penalty, key, name):
    with pytest.raises(UsageError) as info:
        parse_problem(loss, penalty)
    assert str(info.value).startswith(key) and name in str(info.value)


def test_parse_is_exact():
    problem = parse_problem("(p - m)**2 * 0.5", "0.1 * lam * abs(w)**1.5")
    assert problem.loss == (P - M) ** 2 / 2
    assert problem.penalty == sp.Rational(1, 10) * LAM * sp.Abs(W) ** sp.Rational(3, 2)
    assert not problem.penalty.atoms(sp.Float)


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_convention_problems_match_the_conventions_table(name):
    """(a/2)(p − m)² and (b/2)·w² with b = k(L)·λ, read from verify.conventions (an independent table)."""
    conv = CONVENTIONS[name]
    problem = convention_problem(name.lower())
    assert problem.convention == name and problem.label().startswith(f"convention {name} (loss = ")
    assert problem.to_json()["convention"] == name
    for depth in (1, 2, 5):
        a_val, b_val = conv.ab(LAM, depth)
        loss = problem.loss
        pen = problem.penalty.subs(ss.L_sym, depth)
        assert sp.simplify(loss - a_val / 2 * (P - M) ** 2) == 0
        assert sp.simplify(pen - b_val / 2 * W**2) == 0


def test_resolve_problem_exactly_one_route():
    assert resolve_problem("S").convention == "S"
    assert resolve_problem(loss="(p-m)**2", penalty="lam*w**2").convention is None
    for kwargs, words in [({}, "no problem"), ({"loss": "(p-m)**2"}, "problem.penalty is missing"),
                          ({"penalty": "w**2"}, "problem.loss is missing"),
                          ({"convention": "A1", "loss": "(p-m)**2"}, "not both"),
                          ({"convention": "Z9"}, "unknown convention")]:
        with pytest.raises(UsageError, match=words):
            resolve_problem(**kwargs)


# -- the reduction -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, depth", [("A1", 1), ("A1", 3), ("A1", 6), ("B", 2), ("B", 4)])
def test_convention_reduction_matches_the_balanced_model(name, depth):
    """φ from the problem route equals verify.symbolic.scalar's D + R at (a, b) of the convention."""
    red = reduce(convention_problem(name), depth)
    a_val, b_val = CONVENTIONS[name].ab(LAM, depth)
    bm = ss.balanced_model(depth)
    assert sp.expand(red.phi - bm.phi.subs({ss.a: a_val, ss.b: b_val})) == 0
    assert red.scales == (1,) * depth
    assert red.lam_linear and red.smooth_at_zero
    assert sp.simplify(red.rho_max - MABS ** sp.Rational(1, depth)) == 0
    # stationary radii: φ'(ρ) = 0  ⇔  stationary(ρ) = 0 for ρ > 0
    assert sp.simplify(red.stationary * depth / RHO - sp.diff(red.phi, RHO)) == 0
    assert red.proof and all(isinstance(line, str) and line for line in red.proof)


@pytest.mark.parametrize("penalty, words", [
    ("lam*w**3", "even in w"),
    ("lam*(w**2 + w)", "even in w"),
    ("lam*(w**2 - w**4/10)", "not increasing"),
    ("lam*abs(w)**(l + 1)", "depends on the layer l"),
    ("lam*w**(l + 1)", "at layer l = 2 even in w"),
    ("lam*(w**2 + 1)", "penalty(0) = 0"),
    ("lam*(w**2 - 1/2*abs(w))", "not increasing"),
])
def test_penalty_refusals_say_which_precondition(penalty, words):
    with pytest.raises(ReductionRefused, match="precondition") as info:
        reduce(parse_problem("(p - m)**2", penalty), 3)
    assert words in str(info.value) and penalty in str(info.value)


@pytest.mark.parametrize("loss, words", [
    ("-(p - m)**2", "convex"),
    ("(p - 2*m)**2", "minimized at p = m"),
    ("(p - m)**2 + p**3", "convex"),
    ("(p - m)**2 + m**3", "sign symmetry"),
    ("abs(p - m)", "twice differentiable"),
])
def test_loss_refusals_say_which_precondition(loss, words):
    with pytest.raises(ReductionRefused, match="precondition 1") as info:
        reduce(parse_problem(loss, "lam*w**2"), 3)
    assert words in str(info.value)


def test_refused_is_a_usage_error():
    assert issubclass(ReductionRefused, UsageError)


def test_nonsmooth_and_nonlinear_flags():
    red = reduce(parse_problem("(p - m)**2/2", "lam*abs(w)"), 3)
    assert not red.smooth_at_zero and red.lam_linear
    assert any("w_l ≠ 0" in line for line in red.proof)
    assert not reduce(parse_problem("(p - m)**2", "lam**2*w**2"), 3).lam_linear
    # |w|^e is twice continuously differentiable at 0 exactly when e ≥ 2
    assert reduce(parse_problem("(p - m)**2", "lam*(abs(w)**3 + w**2)"), 2).smooth_at_zero
    assert not reduce(parse_problem("(p - m)**2", "lam*abs(w)**(3/2)"), 2).smooth_at_zero


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_per_layer_weights_rescale_to_the_geometric_mean(depth):
    """penalty lam·l·w²: γ_l = (c̄/c_l)^(1/2) with ∏γ_l = 1 and φ with c̄ = lam·(L!)^(1/L) (by hand)."""
    red = reduce(parse_problem("(p - m)**2/2", "lam*l*w**2"), depth)
    assert sp.simplify(sp.Mul(*red.scales) - 1) == 0
    c_bar = LAM * sp.factorial(depth) ** sp.Rational(1, depth)
    for l, gamma in enumerate(red.scales, start=1):
        assert sp.simplify(gamma**2 * l * LAM - c_bar) == 0
    by_hand = (RHO**depth - MABS) ** 2 / 2 + depth * c_bar * RHO**2
    assert sp.simplify(red.phi - by_hand) == 0


# -- model and kernels -------------------------------------------------------------------------------------

_PROBLEMS = [
    ("(p - m)**2/2", "lam*abs(w)"),
    ("(p - m)**2/2", "lam*abs(w)**(3/2)"),
    ("sqrt(1 + (p - m)**2)", "lam*log(1 + w**2)"),
    ("(p - m)**2", "lam*l*w**2/L"),
]


@pytest.mark.parametrize("loss, penalty", _PROBLEMS)
def test_kernels_agree_with_sympy(loss, penalty):
    """float64 kernels vs the SymPy model evaluated at 30 digits, at random points with every w_l ≠ 0.

    Relative 1e-12: a handful of float64 operations per entry (depth 3), each within 2^-53 relatively;
    the scale is max(1, |value|) so entries that cancel to ~0 are judged against the Hessian's size.
    """
    problem = parse_problem(loss, penalty)
    depth = 3
    model = problem_model(problem, depth)
    kern = problem_kernels(problem, depth)
    rng = np.random.default_rng(7)
    W = rng.uniform(0.3, 1.7, (4, depth)) * rng.choice([-1, 1], (4, depth))
    m = rng.uniform(-2, 2, 4)
    lam = rng.uniform(0.1, 1.0, 4)
    obj, grad, hess = kern.objective(W, m, lam), kern.gradient(W, m, lam), kern.hessian(W, m, lam)
    for n in range(4):
        point = {**{wi: sp.Float(float(x), 30) for wi, x in zip(model.w, W[n])},
                 M: sp.Float(float(m[n]), 30), LAM: sp.Float(float(lam[n]), 30)}
        want_obj = float(model.objective.evalf(30, subs=point))
        want_grad = np.array([float(g.evalf(30, subs=point)) for g in model.gradient])
        want_hess = np.array(model.hessian.evalf(30, subs=point), dtype=float)
        scale = max(1.0, float(np.abs(want_hess).max()))
        assert abs(obj[n] - want_obj) <= 1e-12 * max(1.0, abs(want_obj))
        assert np.abs(grad[n] - want_grad).max() <= 1e-12 * scale
        assert np.abs(hess[n] - want_hess).max() <= 1e-12 * scale


@pytest.mark.parametrize("depth", [1, 2, 4])
def test_a1_kernels_agree_with_the_convention_kernels(depth):
    """The problem route for A1 vs verify.kernels.scalar at (a, b) = (2, 2λ/L): same F, ∇F, ∇²F."""
    kern = problem_kernels(convention_problem("A1"), depth)
    ref = scalar_kernels(depth)
    rng = np.random.default_rng(depth)
    W = rng.normal(size=(6, depth))
    m = rng.normal(size=6)
    lam = rng.uniform(0.05, 2, 6)
    a_val, b_val = 2.0, 2 * lam / depth
    assert np.allclose(kern.objective(W, m, lam), ref.objective(W, m, a_val, b_val), rtol=1e-13, atol=0)
    assert np.allclose(kern.gradient(W, m, lam), ref.gradient(W, m, a_val, b_val), rtol=1e-12, atol=1e-13)
    assert np.allclose(kern.hessian(W, m, lam), ref.hessian(W, m, a_val, b_val), rtol=1e-12, atol=1e-13)


def test_kernels_shape_errors():
    kern = problem_kernels(convention_problem("S"), 2)
    with pytest.raises(ValueError, match="shape"):
        kern.objective(np.zeros((3, 4)), 1.0, 1.0)


@pytest.mark.parametrize("loss, penalty, depth", [
    ("(p - m)**2/2", "lam*l*w**2", 3),
    ("(p - m)**2/2", "lam*(l + 1)**2*abs(w)**(3/2)", 3),
    ("sqrt(1 + (p - m)**2)", "lam*log(1 + w**2)", 3),
    ("(p - m)**2", "lam/L*w**2", 2),
])
def test_reduction_agrees_with_the_model_on_the_rays(loss, penalty, depth):
    """On w_l = γ_l·ρ·s_l (∏s = 1, m = |m|), F is φ(ρ) and every w_l·∂F/∂w_l equals ``stationary``: the
    model is differentiated entry by entry, the reduction derived in one variable (two routes)."""
    problem = parse_problem(loss, penalty)
    red = reduce(problem, depth)
    model = problem_model(problem, depth)
    signs = [1] * depth
    signs[0] = signs[-1] = -1 if depth > 1 else 1
    ray = {wi: s * g * RHO for wi, s, g in zip(model.w, signs, red.scales)}
    assert sp.simplify(model.objective.xreplace(ray).xreplace({M: MABS}) - red.phi) == 0
    for wi, gi in zip(model.w, model.gradient):
        assert sp.simplify((ray[wi] * gi.xreplace(ray)).xreplace({M: MABS}) - red.stationary) == 0
