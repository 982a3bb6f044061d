"""The region search's per-instance evaluator against the per-call definition it replaced, bit for bit.

``evaluate_reference`` is the earlier ``verify.landscape.symmetric.evaluate`` (one call per point: SVD-based
orbit distances one orbit at a time, the einsum Hessian, the tangent complement also at r = 1).
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from verify.kernels.symmetric import (HessianBuilder, Instance, gradient, hessian_matrix, index_sets,
                                      nearest_on_orbit, orbit_distance, orbit_tangent, orthonormal_complement,
                                      random_orthogonal, random_spectrum, stationary_point)
from verify.landscape.symmetric import (PointReport, RegionEvaluator, _basis, classify_region, constants, evaluate,
                                        full_rank_saddles)

SHAPES = [(1, 1, 1), (2, 1, 1), (2, 1, 2), (2, 2, 2), (3, 1, 2), (3, 2, 3), (3, 2, 2), (3, 3, 3), (4, 1, 4),
          (4, 2, 3), (4, 3, 4)]


def evaluate_reference(X: np.ndarray, inst: Instance, K) -> PointReport:
    c, M, r = K.c, inst.M, inst.r
    sv = np.linalg.svd(X, compute_uv=False)
    sr = sv[r - 1] if len(sv) >= r else 0.0
    Btop = _basis(inst, tuple(range(r)))
    saddles = full_rank_saddles(inst)
    region = classify_region(sr ** 2, inst.lam[r - 1],
                             lambda: min((orbit_distance(X, _basis(inst, S)) for S in saddles), default=None),
                             lambda: orbit_distance(X, Btop), lambda: float(np.linalg.norm(X @ X.T)),
                             float(np.linalg.norm(inst.lam)), K)
    if region in ("R1a", "R1b"):
        lmin = float(np.linalg.eigvalsh(hessian_matrix(X, M, c))[0])
        return PointReport(region, (-lmin - K.kappa1) / K.kappa1, -lmin, K.kappa1)
    if region == "R2":
        Xh = nearest_on_orbit(X, Btop)
        H = hessian_matrix(X, M, c)
        scale = max(1.0, float(np.linalg.norm(Xh)))
        Q = orthonormal_complement(orbit_tangent(Xh), X.size, 1e-10 * scale)
        lmin = float(np.linalg.eigvalsh(Q.T @ H @ Q)[0])
        return PointReport("R2", (lmin - K.kappa2) / K.kappa2, lmin, K.kappa2)
    gnorm = float(np.linalg.norm(gradient(X, M, c)))
    if region == "R3''":
        return PointReport("R3''", (gnorm - K.kappa3_far) / K.kappa3_far, gnorm, K.kappa3_far)
    return PointReport("R3'", (gnorm - K.kappa3) / K.kappa3, gnorm, K.kappa3)


def _points(rng: np.random.Generator, inst: Instance, K, per: int) -> list[np.ndarray]:
    n, r = inst.n, inst.r
    pts = []
    for S in index_sets(inst):
        Xs = stationary_point(inst, S, random_orthogonal(rng, r))
        for _ in range(per):
            E = rng.standard_normal((n, r))
            pts.append(Xs + K.rho1 * math.exp(rng.uniform(-5, 4)) * E / np.linalg.norm(E))
    pts += [rng.standard_normal((n, r)) * s for s in (0.2, 0.5, 1, 2)]
    # on the thresholds, where the shortcut tests must defer to the SVD: σ_r² = f·λ_r(1 ± 1e-12), and
    # distance ρ(1 ± 1e-12) from a stationary point (radial: the orbit's nearest point is X_S itself)
    for u in (-1e-12, 0.0, 1e-12):
        Pm, sv, Qt = np.linalg.svd(rng.standard_normal((n, r)), full_matrices=False)
        sv[r - 1] = math.sqrt(K.r1a_frac * inst.lam[r - 1] * (1 + u))
        pts.append((Pm * sv) @ Qt)
        for S in index_sets(inst):
            Xs = stationary_point(inst, S, np.eye(r))
            rho = K.rho1 if len(S) == r and S != tuple(range(r)) else K.rho2
            if np.any(Xs):
                pts.append(Xs * (1 + rho * (1 + u) / np.linalg.norm(Xs)))
    return pts


@pytest.mark.parametrize("n,r,p", SHAPES)
def test_evaluator_equals_reference_bit_for_bit(n: int, r: int, p: int) -> None:
    rng = np.random.default_rng([n, r, p, 13])
    seen = set()
    for c, factors in ((0.25, {}), (1.5, {"rho1": 3.0, "rho2": 1.25})):
        inst = Instance(random_spectrum(rng, n, p), random_orthogonal(rng, n), r)
        K = constants(inst, c).scaled(**factors)
        E = RegionEvaluator(inst, K)
        pts = _points(rng, inst, K, 20)
        for X in pts:
            ref = evaluate_reference(X, inst, K)
            assert E(X) == ref and evaluate(X, inst, K) == ref
            seen.add(ref.region)
            for other in ("R1a", "R2", "R3'"):
                assert E(X, only=other) == (ref if other == ref.region else None)
        assert list(E.regions(np.array(pts))) == [E.region(X) for X in pts]
    assert len(seen) >= 3


def test_hessian_builder_equals_hessian_matrix() -> None:
    rng = np.random.default_rng(5)
    for n in range(1, 6):
        for r in range(1, n + 1):
            h = HessianBuilder(n, r)
            for _ in range(20):
                X = rng.standard_normal((n, r)) * rng.uniform(0.1, 3)
                M = rng.standard_normal((n, n))
                M = M + M.T
                assert np.array_equal(h(X, M, 0.3), hessian_matrix(X, M, 0.3))



def _scatter_add_hessian(X: np.ndarray, M: np.ndarray, c: float) -> np.ndarray:
    """The replaced ``HessianBuilder`` route: the outer product, then T2 and T3 scatter-added by index arrays."""
    n, r = X.shape
    idx = np.arange((n * r) ** 2).reshape(n, r, n, r)
    pairs = [(a, k, l) for a in range(n) for k in range(r) for l in range(r)]
    t2 = np.array([idx[a, k, a, l] for a, k, l in pairs], dtype=np.intp)
    g = np.array([l * r + k for _, k, l in pairs], dtype=np.intp)
    triples = [(a, b, k) for a in range(n) for b in range(n) for k in range(r)]
    t3 = np.array([idx[a, k, b, k] for a, b, k in triples], dtype=np.intp)
    rr = np.array([a * n + b for a, b, _ in triples], dtype=np.intp)
    H = np.multiply.outer(X, X).transpose(0, 3, 2, 1).reshape(-1)
    H[t2] += (X.T @ X).reshape(-1)[g]
    H[t3] += (X @ X.T - M).reshape(-1)[rr]
    return (4 * c) * H.reshape(n * r, n * r)


def test_hessian_builder_bits_with_exact_zeros_and_reuse() -> None:
    """Bit for bit (signed zeros included) against the scatter-add route it replaced and equal in value to
    ``hessian_matrix``, at points with exact zero entries; a returned Hessian is not overwritten by the
    builder's next call (its buffer is reused)."""
    rng = np.random.default_rng(11)
    for n in range(1, 5):
        for r in range(1, n + 1):
            h = HessianBuilder(n, r)
            for _ in range(10):
                X = rng.standard_normal((n, r)) * (rng.random((n, r)) < 0.6)
                X[rng.random((n, r)) < 0.2] *= -1.0
                M = rng.standard_normal((n, n))
                M = M + M.T
                first = h(X, M, 0.25)
                keep = first.copy()
                assert first.tobytes() == _scatter_add_hessian(X, M, 0.25).tobytes()
                assert np.array_equal(first, hessian_matrix(X, M, 0.25))
                h(rng.standard_normal((n, r)), M, 0.25)
                assert first.tobytes() == keep.tobytes()


def test_sr2_bounds_at_rank_three_decide_as_the_svd() -> None:
    """r = 3: where the min-diagonal / 4·det/tr² bounds of λ_min(XᵀX) decide the R1a test, the SVD's σ_3²
    compares with the threshold the same way (points scaled to sit at, near and far from the threshold)."""
    rng = np.random.default_rng(3)
    decided = 0
    for n, p in ((3, 3), (4, 3), (4, 4)):
        inst = Instance(random_spectrum(rng, n, p), random_orthogonal(rng, n), 3)
        E = RegionEvaluator(inst, constants(inst, 0.25))
        thr = E.K.r1a_frac * E.lam_r
        for _ in range(400):
            X = rng.standard_normal((n, 3)) * rng.uniform(0.05, 2.0, size=3)
            sv = np.linalg.svd(X, compute_uv=False)
            X = X * math.sqrt(thr) / sv[2] * (1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 0))
            sX = float((X * X).sum())
            got = E._sr2(X, sX)
            want = float(np.linalg.svd(X, compute_uv=False)[2]) ** 2
            if math.isinf(got):
                decided += 1
                assert (got < 0) == (want <= thr)
            else:
                assert got == want
    assert decided > 20


def test_rank_two_nuclear_norm_closed_form_decides_as_the_svd() -> None:
    """r = 2: where sqrt(||A||_F² + 2|det A|) decides an orbit-radius comparison, the SVD distance compares the
    same way (points at, near and far from the radii of the minimum's and the saddles' orbits)."""
    rng = np.random.default_rng(9)
    decided = 0
    for n, p in ((2, 2), (3, 3), (4, 3)):
        inst = Instance(random_spectrum(rng, n, p), random_orthogonal(rng, n), 2)
        E = RegionEvaluator(inst, constants(inst, 0.25))
        bases = [_basis(inst, (0, 1))] + [_basis(inst, S) for S in full_rank_saddles(inst)]
        rad = [E.K.rho2] + [E.K.rho1] * (len(bases) - 1)
        for _ in range(300):
            j = int(rng.integers(len(bases)))
            D = rng.standard_normal((n, 2))
            t = rad[j] * (1 + rng.choice([-1, 1]) * 10 ** rng.uniform(-12, 0.5))
            X = bases[j] @ random_orthogonal(rng, 2) + t * D / np.linalg.norm(D)
            sX = float((X * X).sum())
            got = E._orbit_proxies(X, sX)
            want = [orbit_distance(X, B) for B in bases]
            for g, w, rr in zip(got, want, rad):
                if math.isinf(g):
                    decided += 1
                    assert (g < 0) == (w <= rr)
                else:
                    assert g == w or abs(g - w) <= 1e-12 * (1 + w)
    assert decided > 200
