"""L7 symmetry checks: a map that is not a symmetry is refuted at every seed and at every tier.

Regression (issue 9): at seed 0 the complex-phase symbolic example had one nonzero per row, so maps such as
conjugation or a phase on one coordinate passed as symmetries. Wrong maps are built here by hand.
"""
from __future__ import annotations

import numpy as np
import pytest

from proofs.li_2019 import invariance as li7
from proofs.li_2019.invariance import invariance_claim
from verify import invariance as inv
from verify.claims import invariance_examples as l7ex
from verify.claims import RunContext, Verdict, get_profile


def _ctx(seed: int = 0) -> RunContext:
    return RunContext(seed=seed, profile=get_profile("quick"))


def _conj(ex):
    n = ex.objective.dim // 2
    return inv._finite("conjugation", [np.diag([1.0] * n + [-1.0] * n)])


def _phase_on_first(ex):
    """e^{i theta} on x_1 only (cos = 3/5, sin = 4/5): in U(1)^n, not in U(1)."""
    d = ex.objective.dim
    n = d // 2
    G = np.eye(d)
    G[0, 0] = G[n, n] = 0.6
    G[0, n], G[n, 0] = -0.8, 0.8
    return inv._finite("phase on x1 only", [G])


def _swap(ex):
    d = ex.objective.dim
    n = d // 2
    perm = [1, 0] + list(range(2, n)) + [n + 1, n] + list(range(n + 2, d))
    return inv._finite("swap x1, x2", [np.eye(d)[perm]])


def _double(ex):
    return inv.scaling_group(ex.objective.dim, 2.0)


def _sign_on_first(ex):
    G = np.eye(ex.objective.dim)
    G[0, 0] = -1.0
    return inv._finite("x1 -> -x1 only", [G])


def _w1_only(ex):
    """(W1, W2) -> (diag(2, 1) W1, W2): half of a GL insertion (h = 2, n = m = d/4)."""
    d = ex.objective.dim
    n = d // 4
    return inv._finite("W1 -> diag(2,1) W1", [np.diag([2.0] * n + [1.0] * (d - n))])


WRONG_COMPLEX = [_conj, _phase_on_first, _swap, _double]


def _check(claim, name, ctx):
    (check,) = [c for c in claim.checks if c.name == name]
    return check.execute(ctx)


@pytest.mark.parametrize("wrong", WRONG_COMPLEX, ids=lambda f: f.__name__)
def test_complex_phase_non_symmetry_refuted_symbolically_at_default_seed(wrong):
    res = _check(invariance_claim("complex-phase", group=wrong), "symbolic-covariance", _ctx(0))
    assert res.verdict is Verdict.REFUTED, res.summary
    # each example on its own refutes it (neither is degenerate)
    assert all(d["value"] > 0 for d in res.details["defects"])
    assert res.scope


@pytest.mark.parametrize("seed", range(21))
def test_complex_phase_non_symmetries_refuted_symbolically_at_every_seed(seed):
    for wrong in WRONG_COMPLEX:
        res = _check(invariance_claim("complex-phase", group=wrong), "symbolic-covariance", _ctx(seed))
        assert res.verdict is Verdict.REFUTED, (wrong.__name__, res.summary)
        assert all(d["value"] > 0 for d in res.details["defects"]), wrong.__name__


@pytest.mark.parametrize("seed", range(21))
def test_seeded_symbolic_examples_are_not_degenerate(seed):
    """Independent float route: the seeded example's f changes under every wrong map at a random point."""
    rng = np.random.default_rng(100 + seed)
    for key, wrongs in (("complex-phase", WRONG_COMPLEX), ("real-phase", [_sign_on_first, _double]),
                        ("deep-linear", [_w1_only, _double])):
        examples = l7ex.SPECS[key].build_symbolic(_ctx(seed).rng(f"inv.{key}.sym"))
        assert len(examples) == 2
        for ex in examples:
            x = rng.standard_normal(ex.objective.dim)
            for wrong in wrongs:
                (G,) = wrong(ex).sample(rng, 1)
                f0, f1 = ex.objective.f(x), ex.objective.f(G @ x)
                assert abs(f1 - f0) > 1e-6 * abs(f0), (key, wrong.__name__)


def test_nondegeneracy_predicates():
    assert not l7ex.nondegenerate_complex(np.array([[1 + 1j, 0], [0, 3], [0, -2 - 2j]]))   # the old seed-0 example
    assert not l7ex.nondegenerate_complex(np.array([[1, 2], [3, 1], [2, 5]], dtype=complex))  # real rows: conjugation
    assert l7ex.nondegenerate_complex(np.array([[1 + 2j, 2 - 1j], [3 + 1j, 1 + 1j], [-1 + 1j, 2 + 3j]]))
    assert not l7ex.nondegenerate_real(np.array([[1, 2], [2, 4], [1, -1]]))
    assert not l7ex.nondegenerate_target(np.array([[2.0, 1.0], [1.0, 3.0]]))                 # symmetric M


@pytest.mark.parametrize("example, wrong", [("real-phase", _sign_on_first), ("real-phase", _double),
                                            ("complex-phase", _conj), ("deep-linear", _w1_only)],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_wrong_group_refuted_at_symbolic_and_numeric_tiers(example, wrong):
    claim = invariance_claim(example, group=wrong)
    for name in ("symbolic-covariance", "covariance"):
        res = _check(claim, name, _ctx(0))
        assert res.verdict is Verdict.REFUTED, (name, res.summary)


@pytest.mark.parametrize("example, wrong", [("real-phase", _sign_on_first), ("complex-phase", _conj)],
                         ids=lambda v: v if isinstance(v, str) else v.__name__)
def test_wrong_group_refuted_at_high_precision(example, wrong):
    """Orthogonal but wrong maps move the Hessian spectrum at the stationary points: refuted at 50 digits."""
    res = _check(invariance_claim(example, group=wrong), "inertia-high-precision", _ctx(0))
    assert res.verdict is Verdict.REFUTED, res.summary


@pytest.mark.parametrize("example", ["real-phase", "complex-phase"])
def test_eigenvalues_claimed_to_move_under_orthogonal_group_refuted_at_high_precision(example):
    """Regression: the 50-digit tier answered 'inconclusive' to this wrong spectral claim."""
    res = _check(invariance_claim(example, eigenvalues_invariant=False), "inertia-high-precision", _ctx(0))
    assert res.verdict is Verdict.REFUTED, res.summary


def test_gl_eigenvalue_invariance_refuted_at_every_tier_it_reaches():
    claim = invariance_claim("deep-linear", eigenvalues_invariant=True)
    for name in ("hessian-spectrum", "inertia-high-precision"):
        assert _check(claim, name, _ctx(0)).verdict is Verdict.REFUTED


@pytest.mark.parametrize("example", l7ex.EXAMPLES)
def test_every_check_states_its_scope(example):
    claim = invariance_claim(example)
    for c in claim.checks:
        if c.name in ("symbolic-covariance", "covariance", "inertia-high-precision"):
            res = c.execute(_ctx(0))
            assert res.verdict is Verdict.VERIFIED and res.scope, (c.name, res.summary)


def test_sources_are_honest():
    for claim in li7.claims():
        assert "docs/mathematics.md §L7" in claim.source and "stated in the abstract" in claim.source
        assert "MATH.md" not in claim.source.replace("mathematics.md", "")
        for word in ("Thm", "Theorem", "Lemma", "Corollary"):
            assert word not in claim.source
