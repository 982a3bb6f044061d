"""Public Hypothesis strategies for deep matrix factorization targets and problem instances.

Every target is drawn through its SVD, M = U·diag(σ)·Vᵀ, so the spectrum is controlled:

- ``targets(kind=...)``: random targets; ``kind`` is "distinct", "repeated" (a tied pair of
  singular values), "rank-deficient" (trailing zeros) or "any".
- ``scaled_targets(scale=...)``: the same at tiny (1e-6) or huge (1e6) scale.
- ``instances(...)``: a full problem (target, depth, widths, convention, λ, (a, b)); with
  ``bottleneck=True`` some hidden width is below the rank of M (outside the SVD reduction);
  ``scale`` multiplies the spectrum (tiny 1e-6, huge 1e6), λ follows the scale.
- ``near_threshold_instances(...)``: λ within a relative offset ε ∈ {1e-3, 1e-6, 1e-9, 1e-12}
  of the collapse threshold of σ_max, on either side.
- ``scalar_instances(...)``: the deep scalar problem with an exact target and λ = ratio·λ*, so the
  expected global minimizer (nonzero below the threshold, zero above) is known in advance.

Orthogonal factors come from a drawn integer seed (Haar measure), so examples shrink to small
seeds and replay deterministically. Requires ``hypothesis`` (a test dependency).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from hypothesis import strategies as st

from .conventions import CONVENTIONS, get_convention
from .landscape.deep_matrix import haar_orthogonal
from .landscape.instances import Instance, reference_b

KINDS = ("distinct", "repeated", "rank-deficient")


@dataclass(frozen=True)
class Target:
    """A target with its exact construction: M = U·diag(sigma)·Vᵀ (U, V with orthonormal columns)."""

    M: np.ndarray
    U: np.ndarray
    sigma: np.ndarray
    V: np.ndarray
    kind: str


@st.composite
def orthogonal_matrices(draw, n: int) -> np.ndarray:
    """A Haar-random n×n orthogonal matrix from a drawn seed."""
    seed = draw(st.integers(0, 2**32 - 1))
    return haar_orthogonal(np.random.default_rng(seed), n)


@st.composite
def spectra(draw, k: int, kind: str = "any", low: float = 0.5, high: float = 8.0) -> np.ndarray:
    """k singular values in [low, high], descending, of the requested kind."""
    if kind == "any":
        kind = draw(st.sampled_from(KINDS))
    vals = draw(st.lists(st.floats(low, high, allow_nan=False, allow_infinity=False), min_size=k, max_size=k))
    sigma = np.sort(np.array(vals, dtype=float))[::-1]
    if kind == "repeated" and k >= 2:
        sigma[1] = sigma[0]
    elif kind == "rank-deficient" and k >= 2:
        sigma[-draw(st.integers(1, k - 1)):] = 0.0
    return sigma


@st.composite
def targets(draw, kind: str = "any", min_dim: int = 1, max_dim: int = 4,
            low: float = 0.5, high: float = 8.0) -> Target:
    """A random target of shape (rows, cols) in [min_dim, max_dim]² with a spectrum of ``kind``."""
    rows = draw(st.integers(min_dim, max_dim))
    cols = draw(st.integers(min_dim, max_dim))
    k = min(rows, cols)
    if kind == "any":
        kind = draw(st.sampled_from(KINDS if k >= 2 else ("distinct",)))
    sigma = draw(spectra(k, kind, low, high))
    U = draw(orthogonal_matrices(rows))[:, :k]
    V = draw(orthogonal_matrices(cols))[:, :k]
    return Target((U * sigma) @ V.T, U, sigma, V, kind)


def scaled_targets(scale: float, kind: str = "any", max_dim: int = 4) -> st.SearchStrategy[Target]:
    """Targets with singular values in [0.5, 8]·scale (e.g. scale 1e-6 or 1e6)."""
    return targets(kind=kind, max_dim=max_dim, low=0.5 * scale, high=8.0 * scale)


@st.composite
def instances(draw, depths: tuple[int, ...] = (1, 2, 3, 4), kind: str = "any", bottleneck: bool = False,
              conventions: tuple[str, ...] = tuple(CONVENTIONS), max_dim: int = 3,
              alpha: tuple[float, float] = (0.1, 0.8), scale: float = 1.0) -> Instance:
    """A problem instance; b = α·(the b at which σ_max's minimizer reaches 0), λ from the convention.

    Singular values lie in [0.5, 8]·``scale``. Hidden widths are >= rank M unless ``bottleneck``
    (then one hidden width is rank M − 1 >= 1).
    """
    L = draw(st.sampled_from(depths))
    t = draw(targets(kind=kind, min_dim=2 if bottleneck else 1, max_dim=max_dim, low=0.5 * scale, high=8.0 * scale))
    rank = int(np.count_nonzero(t.sigma))
    if bottleneck and (L < 2 or rank < 2):
        L = max(L, 2)
        t = draw(targets(kind="distinct", min_dim=2, max_dim=max_dim, low=0.5 * scale, high=8.0 * scale))
        rank = int(np.count_nonzero(t.sigma))
    conv = get_convention(draw(st.sampled_from(conventions)))
    lo = max(rank, 1)
    hidden = [draw(st.integers(lo, lo + 2)) for _ in range(L - 1)]
    if bottleneck:
        hidden[draw(st.integers(0, L - 2))] = rank - 1
    dims = (t.M.shape[1], *hidden, t.M.shape[0])
    a = float(conv.a)
    smax = float(t.sigma[0]) if t.sigma.size and t.sigma[0] > 0 else 1.0
    b = draw(st.floats(*alpha)) * reference_b(L, a, smax)
    lam = b / float(conv.b_over_lam(L))
    return Instance(t.M, L, dims, conv.name, lam, a, b)


@st.composite
def near_threshold_instances(draw, depths: tuple[int, ...] = (3, 4, 5), max_dim: int = 3):
    """(instance, ε) with b = (1 + ε)·b* where b* puts σ_max exactly at its collapse threshold
    (in exact arithmetic), ε ∈ ±{1e-3, 1e-6, 1e-9, 1e-12}: collapse iff ε > 0."""
    L = draw(st.sampled_from(depths))
    t = draw(targets(kind="distinct", max_dim=max_dim, low=1.0, high=6.0))
    conv = get_convention(draw(st.sampled_from(tuple(CONVENTIONS))))
    eps = draw(st.sampled_from((1e-3, 1e-6, 1e-9, 1e-12))) * draw(st.sampled_from((-1.0, 1.0)))
    a = float(conv.a)
    b = (1 + eps) * reference_b(L, a, float(t.sigma[0]))
    lam = b / float(conv.b_over_lam(L))
    k = min(t.M.shape)
    dims = (t.M.shape[1], *([k] * (L - 1)), t.M.shape[0])
    return Instance(t.M, L, dims, conv.name, lam, a, b), eps


@dataclass(frozen=True)
class ScalarInstance:
    """A deep scalar problem: depth, exact target m, convention and λ = ratio·λ*(m, L) (exact)."""

    depth: int
    target: Fraction
    convention: str
    ratio: Fraction


def scalar_instances(depths: tuple[int, ...] = (3, 4, 5, 6), conventions: tuple[str, ...] = ("A1", "A2", "S", "S2", "B"),
                     min_gap: Fraction = Fraction(1, 1000)) -> st.SearchStrategy[ScalarInstance]:
    """Scalar instances with λ a rational multiple of the collapse threshold, |ratio − 1| ≥ min_gap.

    Targets are simple signed fractions p/q (shrinking toward ±1); the ratio lies in [1/4, 4], so the
    expected global minimizer (nonzero below 1, zero above) is known without computing it.
    """
    fractions = st.builds(Fraction, st.integers(1, 5000), st.integers(1, 50))
    ratios = st.fractions(Fraction(1, 4), Fraction(4), max_denominator=1000).filter(lambda r: abs(r - 1) >= min_gap)
    return st.builds(ScalarInstance, st.sampled_from(depths),
                     st.builds(lambda s, x: s * x, st.sampled_from([1, -1]), fractions),
                     st.sampled_from(conventions), ratios)
