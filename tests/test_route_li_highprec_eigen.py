"""The high-precision tiers of li.deep_linear and li.invariance.* take Hessian eigenvalues from
verify.highprec.eigen instead of mpmath.eigsy: the two routes agree on those Hessians (with their zero
eigenvalues) far inside the zero bands the checks use."""
from __future__ import annotations

import mpmath
import numpy as np

from verify.claims import deep_linear_numeric as dn
from verify.claims.invariance_examples import SPECS
from verify.highprec.eigen import symmetric_eigenvalues
from verify.landscape import deep_linear as dl


def _agree(H, dps):
    e_ref = mpmath.eigsy(H, eigvals_only=True)
    e_ref = sorted(e_ref[i] for i in range(e_ref.rows))
    e = symmetric_eigenvalues(H)
    sc = max(abs(v) for v in e_ref)
    assert len(e) == len(e_ref)
    assert max(abs(a - b) for a, b in zip(e, e_ref)) <= mpmath.mpf(10) ** (-(dps - 2)) * sc
    return e


def test_deep_linear_hp_hessians():
    rng = np.random.default_rng(0)
    with mpmath.workdps(60):
        for widths in ((3, 3, 2), (2, 3, 3, 2), (2, 2, 2, 2, 2)):
            L = len(widths) - 1
            sig = [mpmath.mpf("2.5"), mpmath.mpf("1.25")]
            U, V = dn._mp_frame(rng, widths[-1]), dn._mp_frame(rng, widths[0])
            M = dn._mp_cols(U, (0, 1)) * mpmath.diag(sig) * dn._mp_cols(V, (0, 1)).T
            frames = [dn._mp_frame(rng, w) for w in widths[1:-1]]
            for S in dl.subsets(2):
                H = dl.mp_hessian(dn._mp_gl(rng, dn._mp_balanced(U, sig, V, S, frames, L)), M)
                e = _agree(H, 60)
                if S == (0, 1):   # a minimizer: a null space of the derived dimension
                    sc = max(abs(v) for v in e)
                    assert sum(1 for v in e if abs(v) <= mpmath.mpf(10) ** -50 * sc) == dl.derived_counts(widths, 2)["null"]


def test_invariance_hp_hessians():
    for key in ("real-phase", "complex-phase", "deep-linear"):
        with mpmath.workdps(50):
            ex = SPECS[key].build(np.random.default_rng(1), True)
            for _, xs in ex.stationary:
                _agree(mpmath.matrix(ex.objective.hess(xs).tolist()), 50)


def test_sensing_hp_matrices():
    """li.sensing's high-precision tiers: hess G - hess F and hess G at a Gaussian operator, and the Gram matrix."""
    from verify import sensing as sen
    rng = np.random.default_rng(2)
    A = sen.gaussian_measurements(6, 50, rng)
    X = rng.standard_normal((6, 2))
    M = X @ X.T + 0.1 * np.outer(*(2 * [rng.standard_normal(6)]))
    with mpmath.workdps(60):
        mp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
        Amp, Xm, Mm = sen.measurement_mp(A), mp(X), mp(M)
        c = mpmath.mpf(1) / 4
        _agree(mpmath.matrix((sen.g_hess(Amp, Xm, Mm, c) - sen.f_hess(Xm, Mm, c)).tolist()), 60)
        _agree(mpmath.matrix(sen.g_hess(Amp, Xm, Mm, c).tolist()), 60)
        _agree(mpmath.matrix(Amp.gram().tolist()), 60)
