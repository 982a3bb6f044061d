"""Every check can fail: cross-checks and landscape checks shown REFUTED on a wrong input.

Each test first runs the check as declared (it must verify, so the test shows the check *reacts*), then makes
its input wrong and asserts REFUTED. Two kinds of wrong input:

* a perturbed claim through the builder's public parameters (``sensing_claim(...)``, ``invariance_claim(group=...)``),
  where the check depends on the perturbed part;
* for internal cross-checks (hand derivatives against finite differences or SymPy), the hand-derived function is
  monkeypatched, in the module namespace where the check looks it up, to return a slightly wrong value.

Per-process caches that could hold a result computed with (or without) a patched function are replaced by fresh
ones for the duration of the test, so the tests are order-independent.
"""
from __future__ import annotations

import dataclasses

import mpmath
import numpy as np
import pytest
import sympy as sp
from sympy.polys.domains import QQ

from proofs.li_2019.invariance import invariance_claim
from proofs.li_2019.sensing import sensing_claim
from verify import invariance as inv
from verify import invariance_models
from verify import sensing as sen
from verify.claims import RunContext, Verdict, get_profile
from verify.claims import sensing_common

CTX = RunContext(seed=0, profile=get_profile("quick"))


def _run(claim, name):
    """Run only the check called ``name`` of ``claim`` (exactly one must exist)."""
    (check,) = [c for c in claim.checks if c.name == name]
    return check.execute(CTX)


@pytest.fixture
def fresh_sensing_cache(monkeypatch):
    """A fresh instance cache for the L6 checks (instances carry cached Hessian distances computed with
    ``sen.g_hess``/``sen.f_hess``), so a patched derivative is seen and no other test sees its results."""
    monkeypatch.setattr(sensing_common, "_INSTANCES", {})


# ------------------------------------------------------------------------------------------- li.sensing

def _scaled(fn, factor):
    def wrong(*args, **kwargs):
        return fn(*args, **kwargs) * factor
    return wrong


@pytest.mark.parametrize("target", ["g_hess", "f_hess", "g_grad", "f_grad"])
def test_sensing_derivatives_vs_fd_refutes_a_wrong_hand_derivative(monkeypatch, fresh_sensing_cache, target):
    """derivatives-vs-fd compares ``sen.g_grad/g_hess/f_grad/f_hess`` (looked up in ``verify.sensing`` at call
    time) with central differences of ``sen.g_value``/``sen.f_value`` (and of the hand gradients for the Hessian).
    Multiplying one hand derivative by 1.001 makes it differ from the differences by ~1e-3 relative, far above
    the 1e-6 tolerance: refuted. (A wrong gradient is also caught: its FD comparison uses the values.)"""
    claim = sensing_claim()
    assert _run(claim, "derivatives-vs-fd").verdict is Verdict.VERIFIED
    monkeypatch.setattr(sen, target, _scaled(getattr(sen, target), 1.001))
    res = _run(claim, "derivatives-vs-fd")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["worst"] > 1e-4


@pytest.mark.parametrize("target", ["g_hess", "f_hess", "g_grad", "f_grad"])
def test_sensing_derivatives_vs_sympy_refutes_a_wrong_hand_derivative(monkeypatch, target):
    """derivatives-vs-sympy evaluates ``sen.g_grad/g_hess/f_grad/f_hess`` at an exact point and compares them with
    SymPy's exact derivatives of G and F (built independently in ``exact_derivatives``). A hand derivative scaled
    by 1.001 is off by 1e-3 relative against the 1e-12 tolerance: refuted."""
    claim = sensing_claim()
    assert _run(claim, "derivatives-vs-sympy").verdict is Verdict.VERIFIED
    monkeypatch.setattr(sen, target, _scaled(getattr(sen, target), 1.001))
    res = _run(claim, "derivatives-vs-sympy")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["worst"] > 1e-4


def test_sensing_derivatives_vs_sympy_refutes_one_wrong_hessian_entry(monkeypatch):
    """One symmetric pair of Hessian entries of G off by 1e-6 (absolute) is a relative difference many orders of
    magnitude above the 1e-12 tolerance: refuted."""
    claim = sensing_claim()
    orig = sen.g_hess

    def wrong(*args, **kwargs):
        H = np.array(orig(*args, **kwargs), dtype=float)
        H[0, 1] += 1e-6
        H[1, 0] += 1e-6
        return H
    monkeypatch.setattr(sen, "g_hess", wrong)
    res = _run(claim, "derivatives-vs-sympy")
    assert res.verdict is Verdict.REFUTED, res.summary


def test_sensing_strict_saddles_refutes_a_regime_that_is_too_large(fresh_sensing_cache):
    """Claimed bound coefficients (0, 0) put every saddle of F in the 'guaranteed strict' regime at every m. With
    m = 5 < n(n+1)/2 measurements (n = 6, r = 2) that is false: Newton from F's saddle S=[0] reaches a
    stationary point of G where G = 0 (a global minimizer of G, lambda_min(hess G) ~ 0), so the saddle is not
    strict for G although the claimed regime guarantees it: refuted. With the derived (8, 4) the m = 5 operator
    is outside the regime, and the m = 8000 one keeps its saddles strict: verified."""
    res = _run(sensing_claim(m_sizes=(8000, 5)), "strict-saddles")
    assert res.verdict is Verdict.VERIFIED, res.summary
    res = _run(sensing_claim(m_sizes=(8000, 5), bound_coefficients=("0", "0")), "strict-saddles")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.counterexample["m"] == 5
    assert abs(res.counterexample["lambda_min_G_at_G_stationary"]) < 1e-9


def test_sensing_global_minima_refutes_a_minima_constant_that_is_too_large(fresh_sensing_cache):
    """minima_delta = 1000 claims no spurious local minimum for any operator the ensemble holds. The suite derives
    spurious minima beyond delta_2r = 1/2 (docs §L6), and at m = 10 (delta_full far above 1) descent finds one:
    |grad G| ~ 0 with positive orbit-complement curvature at G > 0, certified, and now inside the claimed regime:
    refuted. With the default 1/5 the same minimum lies outside the regime and the claim verifies."""
    res = _run(sensing_claim(m_sizes=(8000, 10)), "global-minima")
    assert res.verdict is Verdict.VERIFIED, res.summary
    assert res.details["spurious_minima_outside_the_regime"], "the m = 10 spurious minimum must be seen"
    res = _run(sensing_claim(m_sizes=(8000, 10), minima_delta="1000"), "global-minima")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.counterexample["m"] == 10 and res.counterexample["spurious_local_min_value"] > 0


def test_sensing_global_minima_refutes_wrong_curvature_at_the_minimizers(monkeypatch, fresh_sensing_cache):
    """At F's minimizers the check requires lambda_perp(hess G) >= (1 - delta_T) lambda_perp(hess F) (derived:
    hess G = 2c (AJ)^T(AJ) there). A hand Hessian of G scaled by 1/2 violates it at m = 8000 (delta_T ~ 0.1):
    refuted."""
    claim = sensing_claim(m_sizes=(8000,))
    assert _run(claim, "global-minima").verdict is Verdict.VERIFIED
    monkeypatch.setattr(sen, "g_hess", _scaled(sen.g_hess, 0.5))
    res = _run(claim, "global-minima")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.counterexample["lambda_perp_G"] < res.counterexample["lambda_perp_F"]


def test_sensing_newton_saddle_high_precision_refutes_a_regime_that_is_too_large(fresh_sensing_cache):
    """With bound coefficients (0, 0) the high-precision check picks the smallest m <= 2000, here m = 5, and S=[0];
    its 50-digit Newton reaches G's stationary point there, whose lambda_min is ~1e-47 (G ~ 1e-62: a global
    minimizer of G, not a strict saddle): refuted. With the derived (8, 4) it picks m = 500, where the saddle is
    strict: verified."""
    res = _run(sensing_claim(m_sizes=(500, 5)), "newton-saddle-high-precision")
    assert res.verdict is Verdict.VERIFIED, res.summary
    assert res.details["m"] == 500
    res = _run(sensing_claim(m_sizes=(500, 5), bound_coefficients=("0", "0")), "newton-saddle-high-precision")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["m"] == 5


# ------------------------------------------------------------------------------------------- li.invariance.*

def _wrong_hessian_model(monkeypatch, name: str, factor: float = 1.001):
    """Patch the example constructor ``verify.invariance_models.<name>`` (what ``inv.<name>`` resolves to, lazily,
    at every call) so the built objective's hand Hessian is multiplied by ``factor``."""
    orig = getattr(invariance_models, name)

    def wrong(*args, **kwargs):
        ex = orig(*args, **kwargs)
        obj = ex.objective
        bad = dataclasses.replace(obj, hess=lambda x: obj.hess(x) * factor)
        return dataclasses.replace(ex, objective=bad)
    monkeypatch.setattr(invariance_models, name, wrong)


def _wrong_gradient_model(monkeypatch, name: str, factor: float = 1.001):
    orig = getattr(invariance_models, name)

    def wrong(*args, **kwargs):
        ex = orig(*args, **kwargs)
        obj = ex.objective
        bad = dataclasses.replace(obj, grad=lambda x: obj.grad(x) * factor)
        return dataclasses.replace(ex, objective=bad)
    monkeypatch.setattr(invariance_models, name, wrong)


MODELS = {"real-phase": "real_phase_retrieval", "complex-phase": "complex_phase_retrieval",
          "deep-linear": "deep_linear"}


@pytest.mark.parametrize("example", list(MODELS))
def test_invariance_derivatives_vs_fd_refutes_a_wrong_hand_hessian(monkeypatch, example):
    """derivatives-vs-fd compares the example's hand Hessian with central differences of its hand gradient. A
    Hessian scaled by 1.001 is 1e-3 off relative against the 1e-6 tolerance: refuted."""
    claim = invariance_claim(example)
    assert _run(claim, "derivatives-vs-fd").verdict is Verdict.VERIFIED
    _wrong_hessian_model(monkeypatch, MODELS[example])
    res = _run(claim, "derivatives-vs-fd")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["worst_hessian"] > 1e-4


@pytest.mark.parametrize("example", list(MODELS))
def test_invariance_derivatives_vs_fd_refutes_a_wrong_hand_gradient(monkeypatch, example):
    """A hand gradient scaled by 1.001 disagrees with central differences of f by 1e-3 relative: refuted (the
    Hessian, compared with differences of the wrong gradient, is off too)."""
    claim = invariance_claim(example)
    _wrong_gradient_model(monkeypatch, MODELS[example])
    res = _run(claim, "derivatives-vs-fd")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["worst_gradient"] > 1e-5


def _group(name: str, dim: int, mats, generators=()):
    """A GroupAction from float matrices (a fixed finite list, or a callable rng -> one sampled element) and Lie
    generators; its exact samples are the float matrices as rationals (not used by the checks tested here)."""
    def sample(rng, k):
        return [mats(rng) if callable(mats) else mats[i % len(mats)] for i in range(k)]

    def exact(rng, k):
        return [inv.rational_matrix(G) for G in sample(rng, k)]
    return inv.GroupAction(name, dim, sample, exact, tuple(generators),
                           tuple(inv.rational_matrix(xi) for xi in generators))


def _first_coordinate_sign(ex):
    """x1 -> -x1 alone: not a symmetry of real phase retrieval (rows of A mix the coordinates)."""
    d = ex.objective.dim
    R = np.eye(d)
    R[0, 0] = -1.0
    return _group("x1 -> -x1", d, [R, np.eye(d)])


def _first_coordinate_phase(ex):
    """x1 -> e^{i theta} x1, other coordinates fixed: not a symmetry of complex phase retrieval. In the real
    representation (Re x, Im x) of R^{2n} it rotates the plane (0, n); its generator is that plane's J."""
    d = ex.objective.dim
    n = d // 2
    J1 = np.zeros((d, d))
    J1[n, 0], J1[0, n] = 1.0, -1.0

    def element(rng):
        t = rng.uniform(0, 2 * np.pi)
        return np.eye(d) + np.sin(t) * J1 + (np.cos(t) - 1) * (J1 @ -J1)
    return _group("x1 -> e^{i theta} x1", d, element, (J1,))


def _first_layer_only(ex):
    """W1 -> G W1 with W2 unchanged (no compensating G^-1): not a symmetry of ||W2 W1 - M||^2. h = 2, n = m = 3."""
    h, n, m = 2, 3, 3
    d1 = h * n
    assert ex.objective.dim == d1 + m * h

    def element(rng):
        G = np.eye(h) + 0.3 * rng.standard_normal((h, h))
        T = inv.insertion_matrix(G, h, n, m)
        T[d1:, d1:] = np.eye(m * h)
        return T
    gens = []
    for i in range(h):
        for j in range(h):
            E = np.zeros((h, h))
            E[i, j] = 1.0
            xi = np.zeros((d1 + m * h, d1 + m * h))
            xi[:d1, :d1] = np.kron(E, np.eye(n))
            gens.append(xi)
    return _group("W1 -> G W1 (W2 kept)", d1 + m * h, element, gens)


WRONG_GROUPS = {"real-phase": _first_coordinate_sign, "complex-phase": _first_coordinate_phase,
                "deep-linear": _first_layer_only}


@pytest.mark.parametrize("example", list(WRONG_GROUPS))
def test_invariance_fixed_points_stationary_refutes_a_wrong_group(example):
    """fixed-points-stationary: for a true symmetry, grad f at a fixed point lies in Fix(G^T). The claimed groups
    here (one coordinate's sign, one coordinate's phase, the first layer alone) are not symmetries and have a
    nontrivial fixed subspace (x1 = 0; x1 = 0; W1 = 0, W2 free) on which the gradient has a component outside
    Fix(G^T) (e.g. grad_W1 = -2 W2^T M at W1 = 0): refuted. The constructed stationary points are untouched."""
    assert _run(invariance_claim(example), "fixed-points-stationary").verdict is Verdict.VERIFIED
    res = _run(invariance_claim(example, group=WRONG_GROUPS[example]), "fixed-points-stationary")
    assert res.verdict is Verdict.REFUTED, res.summary
    assert res.details["fixed_dim"] > 0


@pytest.mark.parametrize("example", ["complex-phase", "deep-linear"])
def test_invariance_orbit_tangent_null_refutes_a_wrong_group(example):
    """orbit-tangent-null checks hess f(x) xi x = -xi^T grad f(x) (the derivative of f(e^{t xi} x) = f(x)) and that
    xi x is in the Hessian null space at stationary points. The wrong generators (one coordinate's phase; the
    first layer alone) are not symmetry directions: the identity fails at random points: refuted."""
    assert _run(invariance_claim(example), "orbit-tangent-null").verdict is Verdict.VERIFIED
    res = _run(invariance_claim(example, group=WRONG_GROUPS[example]), "orbit-tangent-null")
    assert res.verdict is Verdict.REFUTED, res.summary


@pytest.mark.parametrize("example", ["complex-phase", "deep-linear"])
def test_invariance_orbit_tangent_null_refutes_a_wrong_hand_hessian(monkeypatch, example):
    """With the true group, a hand Hessian scaled by 1.001 breaks hess f(x) xi x = -xi^T grad f(x) at random points
    by 1e-3 relative (tolerance 1e-9): refuted."""
    claim = invariance_claim(example)
    _wrong_hessian_model(monkeypatch, MODELS[example])
    res = _run(claim, "orbit-tangent-null")
    assert res.verdict is Verdict.REFUTED, res.summary


@pytest.mark.parametrize("example", ["complex-phase", "deep-linear"])
def test_invariance_orbit_tangent_null_refutes_a_hessian_off_its_null_space(monkeypatch, example):
    """A hand Hessian plus 1e-6 ||H|| I (eigenvalues shifted, no null space left) puts the orbit tangents outside
    the Hessian null space at the stationary points (||H xi x|| ~ 1e-6 ||H|| ||xi x|| > 1e-9): refuted."""
    orig = getattr(invariance_models, MODELS[example])

    def wrong(*args, **kwargs):
        ex = orig(*args, **kwargs)
        obj = ex.objective

        def hess(x):
            H = obj.hess(x)
            return H + 1e-6 * np.linalg.norm(H, 2) * np.eye(H.shape[0])
        return dataclasses.replace(ex, objective=dataclasses.replace(obj, hess=hess))
    monkeypatch.setattr(invariance_models, MODELS[example], wrong)
    res = _run(invariance_claim(example), "orbit-tangent-null")
    assert res.verdict is Verdict.REFUTED, res.summary


# ------------------------------------------------------------------------------------------- kp.uniqueness

UNIQ_DESCENT = "descent from many starts vs constructed minimizer"


def _uniqueness_claim():
    from proofs.kamber_parhi_2026.matrix import uniqueness_claim
    return uniqueness_claim()


def _wrong_e2e(monkeypatch, alter):
    """Patch ``all_searched`` where the descent check looks it up (``verify.claims.matrix_uniqueness``) so every
    instance's constructed end-to-end minimizer is replaced by ``alter(e2e, inst)``. The shared descent runs (an
    lru cache in ``matrix_common``) are neither recomputed nor modified: each Searched is copied."""
    from verify.claims import matrix_uniqueness as mu
    orig = mu.all_searched

    def wrong(ctx, *args, **kwargs):
        return [dataclasses.replace(s, e2e=alter(s.e2e, s.inst)) for s in orig(ctx, *args, **kwargs)]
    monkeypatch.setattr(mu, "all_searched", wrong)


def test_kp_uniqueness_descent_refutes_a_suboptimal_constructed_minimizer(monkeypatch):
    """The check compares polished descent runs with the suite's constructed global minimizer. Replace that
    construction by a slightly wrong one: every nonzero singular value s_i of the end-to-end product scaled by
    1 + 1e-3, with its value computed honestly from the reduction, sum_i (a/2)(s_i - sigma_i)^2 + (bL/2)s_i^(2/L)
    + (a/2)(||M||^2 - sum sigma_i^2). That value exceeds the true minimum (by 1e-7 to 1e-6 relative), so descent runs
    go lower than the 'constructed global minimizer' by more than BEAT_REL = 1e-11: refuted."""
    claim = _uniqueness_claim()
    assert _run(claim, UNIQ_DESCENT).verdict is Verdict.VERIFIED

    def alter(e2e, inst):
        s = np.where(e2e.s > 0, e2e.s * (1 + 1e-3), 0.0)
        a, b, L = inst.a, inst.b, inst.depth
        value = float(np.sum(a / 2 * (s - e2e.sigma) ** 2 + b * L / 2 * s ** (2.0 / L))
                      + a / 2 * (np.sum(inst.M * inst.M) - np.sum(e2e.sigma ** 2)))
        return dataclasses.replace(e2e, s=s, P=(e2e.U * s) @ e2e.V.T, value=value)
    _wrong_e2e(monkeypatch, alter)
    res = _run(claim, UNIQ_DESCENT)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert "lower objective" in res.summary


def test_kp_uniqueness_descent_refutes_a_wrong_constructed_product(monkeypatch):
    """Keep the constructed value, move the constructed product P by 1e-6 relative (first row scaled by 1 + 1e-6):
    the runs that reach the global value now have a product 1e-6 ||M|| away from the 'unique' one (tolerance
    1e-7): 'two global minimizers with different end-to-end products': refuted."""
    claim = _uniqueness_claim()

    def alter(e2e, inst):
        P = np.array(e2e.P, dtype=float)
        P[0] *= 1 + 1e-6 * np.linalg.norm(inst.M) / max(np.linalg.norm(P[0]), 1e-300)
        return dataclasses.replace(e2e, P=P)
    _wrong_e2e(monkeypatch, alter)
    res = _run(claim, UNIQ_DESCENT)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert "different end-to-end products" in res.summary


def test_kp_uniqueness_descent_refutes_a_wrong_independent_construction(monkeypatch):
    """The check also builds minimizers with other hidden widths and rotations (``construct_minimizer``, looked up
    in ``verify.claims.matrix_uniqueness``). A construction whose first layer is scaled by 1.001 has another
    objective value (and product) than the constructed global minimizer: refuted."""
    from verify.claims import matrix_uniqueness as mu
    claim = _uniqueness_claim()
    orig = mu.construct_minimizer

    def wrong(*args, **kwargs):
        c = orig(*args, **kwargs)
        if c.Ws is None:
            return c
        return dataclasses.replace(c, Ws=[c.Ws[0] * 1.001] + list(c.Ws[1:]))
    monkeypatch.setattr(mu, "construct_minimizer", wrong)
    res = _run(claim, UNIQ_DESCENT)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert "construction with other widths" in res.summary


# ------------------------------------------------------------------------------------------- kp.hessian_trace

TRACE_SPECTRUM = "spectrum constant across minimizers; null space = orbit tangent"


def _trace_claim():
    from proofs.kamber_parhi_2026.matrix import trace_claim
    return trace_claim()


def test_kp_hessian_trace_spectrum_refutes_a_constructed_point_that_is_not_a_minimizer(monkeypatch):
    """The spectrum check builds minimizers with ``construct_minimizer`` (looked up in
    ``verify.claims.matrix_trace``). Scaling the first layer by 1.001 gives a point that is not stationary: the
    Hessian no longer kills the orbit tangent (H xi W = -xi^T grad F != 0), so the null space is not the orbit
    tangent: refuted."""
    from verify.claims import matrix_trace as mt
    claim = _trace_claim()
    assert _run(claim, TRACE_SPECTRUM).verdict is Verdict.VERIFIED
    orig = mt.construct_minimizer

    def wrong(*args, **kwargs):
        c = orig(*args, **kwargs)
        if c.Ws is None:
            return c
        return dataclasses.replace(c, Ws=[c.Ws[0] * 1.001] + list(c.Ws[1:]))
    monkeypatch.setattr(mt, "construct_minimizer", wrong)
    res = _run(claim, TRACE_SPECTRUM)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert "null space" in res.summary


def test_kp_hessian_trace_spectrum_refutes_a_hessian_without_its_null_space(monkeypatch):
    """A hand Hessian plus 1e-3 ||H|| I (``hessian`` looked up in ``verify.claims.matrix_trace``) has no zero
    eigenvalue, while the orbit tangent has positive dimension: refuted."""
    from verify.claims import matrix_trace as mt
    claim = _trace_claim()
    orig = mt.hessian

    def wrong(*args, **kwargs):
        H = orig(*args, **kwargs)
        return H + 1e-3 * np.max(np.abs(np.linalg.eigvalsh(H))) * np.eye(H.shape[0])
    monkeypatch.setattr(mt, "hessian", wrong)
    res = _run(claim, TRACE_SPECTRUM)
    assert res.verdict is Verdict.REFUTED, res.summary


def test_kp_hessian_trace_spectrum_refutes_spectra_that_move_between_minimizers(monkeypatch):
    """A hand Hessian that depends on the hidden rotation through a null-space-preserving term,
    H + 1e-3 (W_1)_00 H^2/||H|| (same null space, same positivity on its complement), has different spectra at
    the two constructed minimizers: 'Hessian spectra differ between two minimizers': refuted."""
    from verify.claims import matrix_trace as mt
    claim = _trace_claim()
    orig = mt.hessian

    def wrong(Ws, *args, **kwargs):
        H = orig(Ws, *args, **kwargs)
        hn = np.max(np.abs(np.linalg.eigvalsh(H)))
        return H + 1e-3 * (1 + abs(float(Ws[0].flat[0]))) * (H @ H) / hn
    monkeypatch.setattr(mt, "hessian", wrong)
    res = _run(claim, TRACE_SPECTRUM)
    assert res.verdict is Verdict.REFUTED, res.summary
    assert "differ between two minimizers" in res.summary


# ------------------------------------------------------------------------------------------- li.strict_saddles

SADDLES_FD = "SymPy derivatives vs mpmath finite differences"


def _strict_saddles_claim():
    from proofs.li_2019.symmetric import strict_saddles_claim
    return strict_saddles_claim()


def test_li_strict_saddles_sympy_vs_fd_refutes_a_wrong_sympy_hessian(monkeypatch):
    """The check differentiates F entrywise in SymPy (``verify.symbolic.symmetric.derivatives``, imported by
    ``symbolic_agreement`` at call time) and compares with mpmath finite differences of F and the operator-form
    Hessian. A SymPy Hessian scaled by 1001/1000 agrees to ~3 digits, not the >= 40 needed: refuted. (The
    original is lru-cached: the wrapper returns a new matrix and leaves the cached one alone.)"""
    from verify.symbolic import symmetric as ssym
    claim = _strict_saddles_claim()
    assert _run(claim, SADDLES_FD).verdict is Verdict.VERIFIED
    orig = ssym.derivatives

    def wrong(n, r, c):
        F, grad, hess = orig(n, r, c)
        return F, grad, hess * sp.Rational(1001, 1000)
    monkeypatch.setattr(ssym, "derivatives", wrong)
    res = _run(claim, SADDLES_FD)
    assert res.verdict is Verdict.REFUTED, res.summary


def test_li_strict_saddles_sympy_vs_fd_refutes_a_wrong_sympy_gradient(monkeypatch):
    """A SymPy gradient with one entry shifted by the constant 1e-6 agrees with the finite differences of F and
    with the closed-form gradient to ~6 digits, not the >= 40 (closed form) / >= 22 (differences) needed at 50
    digits: refuted."""
    from verify.symbolic import symmetric as ssym
    claim = _strict_saddles_claim()
    orig = ssym.derivatives

    def wrong(n, r, c):
        F, grad, hess = orig(n, r, c)
        grad = grad.copy()
        grad[0, 0] = grad[0, 0] + sp.Rational(1, 10 ** 6)
        return F, grad, hess
    monkeypatch.setattr(ssym, "derivatives", wrong)
    res = _run(claim, SADDLES_FD)
    assert res.verdict is Verdict.REFUTED, res.summary


def test_li_strict_saddles_sympy_vs_fd_refutes_a_wrong_operator_hessian(monkeypatch):
    """The operator-form Hessian (``hessian_mp`` in ``verify.highprec.symmetric``) scaled by 1 + 1e-20 disagrees
    with SymPy's at 20 digits, below the dps - 10 = 40 required: refuted."""
    from verify.highprec import symmetric as hsym
    claim = _strict_saddles_claim()
    orig = hsym.hessian_mp

    def wrong(*args, **kwargs):
        return orig(*args, **kwargs) * (1 + mpmath.mpf(10) ** -20)
    monkeypatch.setattr(hsym, "hessian_mp", wrong)
    res = _run(claim, SADDLES_FD)
    assert res.verdict is Verdict.REFUTED, res.summary


# ------------------------------------------------------------------------------------------- li.deep_linear

DLN_IDENTITIES = "symbolic-stationary-identities"


def _deep_linear_claim():
    from proofs.li_2019.deep_linear import deep_linear_landscape_claim
    return deep_linear_landscape_claim()


@pytest.mark.parametrize("wrong_objective", ["scaled", "weight-decay"])
def test_li_deep_linear_identities_refute_a_wrong_objective(monkeypatch, wrong_objective):
    """The identities W_1^T grad_1 f = P^T(P - M) and grad_L f W_L^T = (P - M)P^T hold for f = 1/2||P - M||^2
    exactly. The check builds f with ``_ring_objective`` (looked up in ``verify.claims.deep_linear_exact``). With
    f scaled by 1001/1000, or with weight decay b = 1/10 added (grad_1 f gains b W_1), the residuals are nonzero
    polynomials: refuted. (No claimed parameter enters this check, so only its derivation can be made wrong.)"""
    from verify.claims import deep_linear_exact as dle
    claim = _deep_linear_claim()
    assert _run(claim, DLN_IDENTITIES).verdict is Verdict.VERIFIED
    orig = dle._ring_objective

    def wrong(R, Ws, M, b=0):
        if wrong_objective == "scaled":
            return orig(R, Ws, M, b) * QQ(1001, 1000)
        return orig(R, Ws, M, sp.Rational(1, 10))
    monkeypatch.setattr(dle, "_ring_objective", wrong)
    res = _run(claim, DLN_IDENTITIES)
    assert res.verdict is Verdict.REFUTED, res.summary
