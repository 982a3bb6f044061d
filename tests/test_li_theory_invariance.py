"""Tests of the L7 invariance claims: verified as stated, refuted when perturbed, bad input rejected."""
from __future__ import annotations

import numpy as np
import pytest

from proofs.li_2019.invariance import claims, invariance_claim
from verify import invariance as inv
from verify.claims.invariance_examples import EXAMPLES
from verify.claims import RunContext, Verdict, get_profile, run_claim
from verify.errors import UsageError


def _run(claim):
    return run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))


@pytest.mark.parametrize("claim", claims(), ids=lambda c: c.id)
def test_claim_verified_at_quick(claim):
    result = _run(claim)
    assert result.verdict is Verdict.VERIFIED, [(c.name, c.verdict, c.summary) for c in result.checks]


def test_claim_ids():
    assert [c.id for c in claims()] == [f"li.invariance.{e}" for e in EXAMPLES]


def test_wrong_group_refuted():
    """x -> 2x is no symmetry of phase retrieval: symbolic and numeric tiers must both refute."""
    claim = invariance_claim("real-phase", group=lambda ex: inv.scaling_group(ex.objective.dim, 2.0))
    result = _run(claim)
    assert result.verdict is Verdict.REFUTED
    by_name = {c.name: c.verdict for c in result.checks}
    assert by_name["symbolic-covariance"] is Verdict.REFUTED
    assert by_name["covariance"] is Verdict.REFUTED


def test_slightly_wrong_group_refuted():
    """x -> (1 + 1e-6) x: a relative 1e-6 perturbation of the group must still be caught."""
    claim = invariance_claim("complex-phase", group=lambda ex: inv.scaling_group(ex.objective.dim, 1 + 1e-6))
    result = _run(claim)
    by_name = {c.name: c.verdict for c in result.checks}
    assert by_name["symbolic-covariance"] is Verdict.REFUTED
    assert by_name["covariance"] is Verdict.REFUTED


def test_gl_eigenvalue_invariance_refuted():
    """Claiming GL insertions keep Hessian eigenvalues (false: only inertia) must be refuted."""
    result = _run(invariance_claim("deep-linear", eigenvalues_invariant=True))
    by_name = {c.name: c for c in result.checks}
    assert result.verdict is Verdict.REFUTED
    assert by_name["hessian-spectrum"].verdict is Verdict.REFUTED
    assert by_name["inertia-high-precision"].verdict is Verdict.REFUTED
    assert by_name["hessian-spectrum"].details["max_relative_shift"] > 1e-3


def test_orthogonal_eigenvalue_movement_refuted():
    """Claiming U(1) moves eigenvalues contradicts orthogonality: refuted."""
    result = _run(invariance_claim("complex-phase", eigenvalues_invariant=False))
    assert {c.name: c.verdict for c in result.checks}["hessian-spectrum"] is Verdict.REFUTED


def test_congruence_keeps_inertia_not_eigenvalues():
    """Independent route: Sylvester's law on an explicit congruence, eigenvalues from scratch."""
    rng = np.random.default_rng(1)
    H = np.diag([3.0, 1.0, 0.0, -2.0])
    G = np.eye(4) + 0.5 * rng.standard_normal((4, 4))
    Gi = np.linalg.inv(G)
    H2 = Gi.T @ H @ Gi
    e1, e2 = np.linalg.eigvalsh(H), np.linalg.eigvalsh(H2)
    assert inv.inertia(e1, 3.0).as_tuple() == inv.inertia(e2, np.abs(e2).max()).as_tuple() == (2, 1, 1)
    assert np.abs(e1 - e2).max() > 1e-3


def test_dln_hessian_matches_finite_differences():
    rng = np.random.default_rng(2)
    U, V = np.linalg.qr(rng.standard_normal((3, 3)))[0], np.linalg.qr(rng.standard_normal((4, 3)))[0]
    ex = inv.deep_linear(U, np.array([2.0, 1.0, 0.5]), V, 2)
    g, h = inv.derivative_errors(ex.objective, rng.standard_normal(ex.objective.dim))
    assert g < 1e-7 and h < 1e-7


def test_insertion_matrix_matches_kronecker_form():
    """Column-by-column construction vs the closed form (G kron I_n) (+) (I_m kron G^-T)."""
    rng = np.random.default_rng(3)
    G = np.eye(2) + 0.3 * rng.standard_normal((2, 2))
    T = inv.insertion_matrix(G, 2, 3, 4)
    expected = np.block([[np.kron(G, np.eye(3)), np.zeros((6, 8))],
                         [np.zeros((8, 6)), np.kron(np.eye(4), np.linalg.inv(G).T)]])
    assert np.allclose(T, expected, rtol=0, atol=1e-14)


@pytest.mark.parametrize("bad", [
    lambda: inv.real_phase_retrieval(np.full((3, 2), np.nan), np.ones(2)),
    lambda: inv.real_phase_retrieval(np.ones((3, 2)), np.ones(3)),
    lambda: inv.real_phase_retrieval(np.ones((0, 2)), np.ones(2)),
    lambda: inv.complex_phase_retrieval(np.ones((3, 2)), np.array([np.inf, 1.0])),
    lambda: inv.deep_linear(np.eye(2), np.ones(2), np.eye(2), 0),
    lambda: inv.deep_linear(np.eye(2), np.ones(3), np.eye(2), 1),
    lambda: inv.gl_insertion_group(0, 2, 2),
    lambda: inv.scaling_group(3, 0.0),
    lambda: inv.covariance_defects(inv.real_phase_retrieval(np.ones((3, 2)), np.ones(2)).objective,
                                   np.zeros((2, 2)), np.ones(2)),
    lambda: inv.covariance_defects(inv.real_phase_retrieval(np.ones((3, 2)), np.ones(2)).objective,
                                   np.eye(2), np.array([1.0, np.nan])),
    lambda: invariance_claim("no-such-example"),
])
def test_bad_input_raises_usage_error(bad):
    with pytest.raises(UsageError):
        bad()


def test_gl_covariance_property():
    """Hypothesis: for any well-conditioned G in GL(2) and any point, the covariance identities hold."""
    from hypothesis import given, strategies as st
    from hypothesis.extra.numpy import arrays

    rng = np.random.default_rng(4)
    U, V = np.linalg.qr(rng.standard_normal((3, 3)))[0], np.linalg.qr(rng.standard_normal((3, 3)))[0]
    ex = inv.deep_linear(U, np.array([2.0, 1.0, 0.5]), V, 2)
    floats = st.floats(-2, 2, allow_nan=False)

    @given(arrays(float, (2, 2), elements=floats), arrays(float, ex.objective.dim, elements=floats))
    def prop(E, x):
        G = np.eye(2) + 0.4 * E
        if np.linalg.cond(G) > 10:
            return
        d = inv.covariance_defects(ex.objective, inv.insertion_matrix(G, 2, 3, 3), x)
        assert max(d.values()) <= 1e-10

    prop()


def test_inertia_grey_band_is_ambiguous():
    eig = np.array([-1.0, 1e-12, 1e-7, 2.0])
    got = inv.inertia(eig, 2.0)
    assert (got.pos, got.neg, got.zero, got.ambiguous) == (1, 1, 1, 1)
