"""li.deep_linear's high-precision tier: ``mp_hessian`` on lists of mpf (each between-layer product once) against
the route it replaced, the mpmath.matrix version kept here verbatim (every entry identical), and
``singular_values`` (largest eigenvalues of [[0, T], [Tᵀ, 0]]) against ``mpmath.svd_r`` on the orbit tangents the
checks use (agreement far inside the 10^-(dps-10) band, identical ranks)."""
from __future__ import annotations

from typing import Sequence

import mpmath
import numpy as np

from verify.claims import deep_linear_numeric as dn
from verify.landscape import deep_linear as dl


def _mp_hessian_reference(Ws: Sequence[mpmath.matrix], M: mpmath.matrix, b=0) -> mpmath.matrix:
    """mp_hessian as it was: mpmath.matrix indexing throughout (kept verbatim as the reference route)."""
    L = len(Ws)
    dims = [Ws[0].cols] + [W.rows for W in Ws]
    R = dl.mp_product(Ws, 0, L, dims[0]) - M
    A = [dl.mp_product(Ws, l + 1, L, dims[l + 1]) for l in range(L)]
    B = [dl.mp_product(Ws, 0, l, dims[0]) for l in range(L)]
    units = [(l, i, j) for l in range(L) for i in range(dims[l + 1]) for j in range(dims[l])]
    # δ_k P for E_ij at layer k: A_k[:, i] B_k[j, :]
    first = [A[l][:, i] * B[l][j, :] for (l, i, j) in units]
    n = len(units)
    H = mpmath.matrix(n, n)
    for x in range(n):
        for y in range(x, n):
            v = sum(first[x][p, q] * first[y][p, q] for p in range(R.rows) for q in range(R.cols))
            (k, i, j), (l, p_, q_) = units[x], units[y]
            if k != l:
                (k, i, j), (l, p_, q_) = max(units[x], units[y]), min(units[x], units[y])
                C = dl.mp_product(Ws, l + 1, k, dims[l + 1])  # W_(k−1)⋯W_(l+1) (0-based layers between)
                c = C[j, p_]
                if c != 0:
                    v += c * sum(R[s, t] * A[k][s, i] * B[l][q_, t] for s in range(R.rows) for t in range(R.cols))
            elif (k, i, j) == (l, p_, q_):
                v += b
            H[x, y] = H[y, x] = v
    return H


def _points(rng, widths, b=0):
    L = len(widths) - 1
    sig = [mpmath.mpf("2.5"), mpmath.mpf("1.25")]
    U, V = dn._mp_frame(rng, widths[-1]), dn._mp_frame(rng, widths[0])
    M = dn._mp_cols(U, (0, 1)) * mpmath.diag(sig) * dn._mp_cols(V, (0, 1)).T
    frames = [dn._mp_frame(rng, w) for w in widths[1:-1]]
    for S in dl.subsets(2):
        yield S, dn._mp_gl(rng, dn._mp_balanced(U, sig, V, S, frames, L)), M


def test_mp_hessian_equals_the_matrix_route():
    rng = np.random.default_rng(4)
    with mpmath.workdps(60):
        for widths in ((3, 3, 2), (2, 3, 3, 2), (2, 2, 2, 2, 2)):
            for b in (0, mpmath.mpf(1) / 10):
                for _, Ws, M in _points(rng, widths):
                    H, ref = dl.mp_hessian(Ws, M, b), _mp_hessian_reference(Ws, M, b)
                    assert H.rows == ref.rows and H.cols == ref.cols
                    assert all(H[i, j] == ref[i, j] for i in range(H.rows) for j in range(H.cols))


def test_singular_values_agree_with_svd_r():
    rng = np.random.default_rng(5)
    dps = 50
    with mpmath.workdps(dps + 10):
        for widths in ((3, 3, 2), (2, 3, 3, 2), (2, 2, 2, 2, 2)):
            for S, Ws, M in _points(rng, widths):
                for skew in (False, True):
                    T = dn._mp_tangent(Ws, skew=skew)
                    ref = sorted(mpmath.svd_r(T, compute_uv=False))
                    sv = dn.singular_values(T)
                    assert len(sv) == len(ref) == min(T.rows, T.cols)
                    smax = max(ref)
                    assert max(abs(a - b) for a, b in zip(sv, ref)) <= mpmath.mpf(10) ** -(dps + 5) * smax
                    band = mpmath.mpf(10) ** (-(dps - 10)) * smax
                    assert sum(1 for x in sv if x > band) == sum(1 for x in ref if x > band)
