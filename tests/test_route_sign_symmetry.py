"""The float64 spectrum tier eigensolves one canonical sign pattern per instance; every pattern's Hessian is
D_t·H(canonical)·D_t bit for bit (checked), and the reduction agrees with eigensolving every row."""
import numpy as np
import pytest

from verify.claims.spectrum_numeric import _random_patterns
from verify.claims.spectrum_sign_symmetry import SIGN_SAMPLE, eigs_by_sign_symmetry as _eigs_by_sign_symmetry
from verify.kernels.scalar import scalar_kernels, stationary_radii_batch
from verify.symbolic.scalar import sign_patterns


def _rows(L, n=6, per=5, seed=0):
    rng = np.random.default_rng(seed)
    m = rng.uniform(0.5, 4, n) * rng.choice([-1.0, 1.0], n)
    aa = 2.0
    bb = aa * np.abs(m) ** (2 - 2 / L) * rng.uniform(0.01, 0.2, n)
    radii = stationary_radii_batch(L, np.abs(m), aa, bb)
    found = np.array([i for i in range(n) if len(radii[i])], dtype=int)
    largest = np.zeros(n)
    largest[found] = [radii[i][-1] for i in found]
    idx = np.repeat(found, per)
    S = np.vstack([_random_patterns(rng, L, per) for _ in found]).astype(float)
    S[:, -1] *= np.where(m[idx] < 0, -1.0, 1.0)
    kern = scalar_kernels(L)
    H = kern.hessian(largest[idx][:, None] * S, m[idx], aa, bb[idx])
    return kern, H, S, found, idx, largest, m, aa, bb


@pytest.mark.parametrize("L", [2, 3, 5, 8, 12])
def test_reduction_matches_eigensolving_every_row(L):
    kern, H, S, found, idx, largest, m, aa, bb = _rows(L)
    eig, n_own = _eigs_by_sign_symmetry(kern, H, S, found, idx, largest, m, aa, bb)
    ref = np.linalg.eigvalsh(H)
    norm = np.abs(ref).max(axis=1)
    assert n_own == min(len(H), SIGN_SAMPLE)
    assert np.all(np.abs(eig - ref).max(axis=1) <= 32 * L * np.finfo(float).eps * norm)


def test_every_pattern_is_an_exact_sign_similarity():
    L = 6
    kern = scalar_kernels(L)
    pats = np.array(list(sign_patterns(L, -1)), float)
    r, m, aa, b = 1.3, -2.5, 2.0, 0.07
    H = kern.hessian(r * pats, np.full(len(pats), m), aa, np.full(len(pats), b))
    c = np.ones(L)
    c[-1] = -1.0
    Hc = kern.hessian((r * c)[None], m, aa, b)[0]
    T = pats * c
    assert np.array_equal(H, T[:, :, None] * Hc[None] * T[:, None, :])


def test_falls_back_to_every_row_when_the_symmetry_does_not_hold_bitwise():
    kern, H, S, found, idx, largest, m, aa, bb = _rows(4, seed=3)
    H = H.copy()
    H[0, 0, 0] *= 1 + 1e-9  # no longer exactly similar: every row is eigensolved on its own
    eig, n_own = _eigs_by_sign_symmetry(kern, H, S, found, idx, largest, m, aa, bb)
    assert n_own == len(H) and np.array_equal(eig, np.linalg.eigvalsh(H))
