"""Random and exact problem instances for the deep matrix claims.

Targets are built from their SVD, M = U·diag(σ)·Vᵀ, so the spectrum (repeated values, zeros,
values at the threshold) is chosen, not hoped for. Exact instances use rational orthogonal
matrices from the Cayley transform Q = (I − K)(I + K)⁻¹ of a rational skew K.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import sympy as sp

from ..conventions import get_convention
from ..numbers import check_depth
from .deep_matrix import haar_orthogonal
from .reduction import critical_value


def target_from_spectrum(rng: np.random.Generator, rows: int, cols: int, sigma) -> np.ndarray:
    """M = U diag(σ) Vᵀ with Haar-random U, V; len(σ) <= min(rows, cols)."""
    sigma = np.asarray(sigma, dtype=float)
    k = len(sigma)
    U = haar_orthogonal(rng, rows)[:, :k]
    V = haar_orthogonal(rng, cols)[:, :k]
    return (U * sigma) @ V.T


def reference_b(depth: int, a: float, sigma_max: float) -> float:
    """A scale for b: where the largest singular value's minimizer reaches 0 (used only to place
    random instances in an interesting range, never as an expected value).

    L >= 3: b with σ_c(L, a, b) = σ_max; L = 2: b = a·σ_max (soft threshold); L = 1: b = a.
    """
    depth = check_depth(depth)
    if depth == 1:
        return a
    if depth == 2:
        return a * sigma_max
    # σ_c scales like c^(L/(2L−2)); invert from σ_c at c = 1.
    return a * (sigma_max / critical_value(depth, 1.0, 1.0)) ** ((2 * depth - 2) / depth)


@dataclass
class Instance:
    """One problem: target, depth, widths (d_0..d_L), convention, λ and its (a, b)."""

    M: np.ndarray
    depth: int
    dims: tuple[int, ...]
    convention: str
    lam: float
    a: float
    b: float

    def describe(self) -> dict:
        return {"depth": self.depth, "dims": list(self.dims), "convention": self.convention,
                "lambda": repr(self.lam), "sigma": [repr(float(s)) for s in np.linalg.svd(self.M, compute_uv=False)]}


def random_instance(rng: np.random.Generator, depth: int, dims: tuple[int, ...], alpha: float,
                    convention: str | None = None, spread: tuple[float, float] = (1.0, 6.0),
                    kind: str = "distinct") -> Instance:
    """Random target with singular values uniform in ``spread`` (see ``spectrum``); b = α·reference_b."""
    depth = check_depth(depth)
    conv = get_convention(convention or str(rng.choice(["A1", "A2", "S", "S2", "B"])))
    k = min(dims[0], dims[-1])
    sigma = spectrum(rng, k, kind, spread)
    M = target_from_spectrum(rng, dims[-1], dims[0], sigma)
    a = float(conv.a)
    b = alpha * reference_b(depth, a, float(sigma[0]))
    lam = b / float(conv.b_over_lam(depth))
    return Instance(M, depth, tuple(dims), conv.name, lam, a, b)


def random_instances(rng: np.random.Generator, depth: int, dims: tuple[int, ...], count: int,
                     alpha: tuple[float, float], convention: str | None = None,
                     spread: tuple[float, float] = (1.0, 6.0), kinds: Sequence[str] = ("distinct",)) -> list[Instance]:
    """``[random_instance(rng, depth, dims, float(rng.uniform(*alpha)), convention, spread, kinds[i % len(kinds)])
    for i in range(count)]``: the same draws in the same order, so the same instances, with the QR factorizations of
    the Haar matrices (``haar_orthogonal``) and the targets U·diag(σ)·Vᵀ formed as stacks, one LAPACK/BLAS call per
    matrix behind one NumPy call (``tests/test_route_instances_batch.py``)."""
    depth = check_depth(depth)
    rows, cols = dims[-1], dims[0]
    k = min(cols, rows)
    draws = []
    for i in range(count):
        al = float(rng.uniform(*alpha))
        conv = get_convention(convention or str(rng.choice(["A1", "A2", "S", "S2", "B"])))
        sigma = spectrum(rng, k, kinds[i % len(kinds)], spread)
        draws.append((al, conv, sigma, rng.standard_normal((rows, rows)), rng.standard_normal((cols, cols))))
    if not draws:
        return []
    U = _haar_stack(np.stack([d[3] for d in draws]))[:, :, :k]
    V = _haar_stack(np.stack([d[4] for d in draws]))[:, :, :k]
    sig = np.stack([d[2] for d in draws])
    Ms = (U * sig[:, None, :]) @ V.swapaxes(-1, -2)
    out = []
    for (al, conv, sigma, _, _), M in zip(draws, Ms):
        a = float(conv.a)
        b = al * reference_b(depth, a, float(sigma[0]))
        out.append(Instance(M, depth, tuple(dims), conv.name, b / float(conv.b_over_lam(depth)), a, b))
    return out


def _haar_stack(Z: np.ndarray) -> np.ndarray:
    """``haar_orthogonal``'s QR and sign fix on a stack of Gaussian matrices (N, n, n)."""
    Q, R = np.linalg.qr(Z)
    d = np.diagonal(R, axis1=-2, axis2=-1)
    return Q * np.sign(np.where(d == 0, 1.0, d))[:, None, :]


def cayley_orthogonal(rng: np.random.Generator, n: int, size: int = 3) -> sp.Matrix:
    """An exact rational orthogonal n×n matrix: Cayley transform of a random small-integer skew K."""
    K = sp.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            v = sp.Rational(int(rng.integers(-size, size + 1)), int(rng.integers(1, size + 1)))
            K[i, j], K[j, i] = v, -v
    eye = sp.eye(n)
    return (eye - K) * (eye + K).inv()


SPECTRUM_KINDS = ("distinct", "repeated", "rank-deficient")


def spectrum(rng: np.random.Generator, k: int, kind: str, spread: tuple[float, float] = (1.0, 6.0)) -> np.ndarray:
    """k singular values (descending): distinct, with a repeated pair, or with trailing zeros."""
    sigma = np.sort(rng.uniform(*spread, size=k))[::-1]
    if kind == "repeated" and k >= 2:
        sigma[1] = sigma[0]
    elif kind == "rank-deficient" and k >= 2:
        sigma[-1] = 0.0
    elif kind not in SPECTRUM_KINDS:
        raise ValueError(f"unknown spectrum kind {kind!r}")
    return sigma
