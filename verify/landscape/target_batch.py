"""Targets M = U·diag(σ)·Vᵀ of ``target_from_spectrum`` drawn one by one, formed together.

A check that interleaves its own draws (a spectrum, a λ) with each target's cannot draw all targets at once
without changing the random stream. ``TargetDraws`` takes each target's Gaussian draws where
``target_from_spectrum`` would make them (U's rows×rows matrix, then V's cols×cols one: ``haar_orthogonal``
twice) and forms all targets later as stacks: one QR call per stack (LAPACK per matrix, as one call each),
the sign fix and U·diag(σ)·Vᵀ as array operations, so every target equals ``target_from_spectrum``'s bit for
bit (tests/test_route_target_batch.py).
"""
from __future__ import annotations

import numpy as np

from .instances import _haar_stack


class TargetDraws:
    """Collects the draws of targets of one shape rows×cols; ``targets()`` forms them in draw order."""

    def __init__(self, rows: int, cols: int) -> None:
        self.rows, self.cols = int(rows), int(cols)
        self._zu: list[np.ndarray] = []
        self._zv: list[np.ndarray] = []
        self._sigma: list[np.ndarray] = []

    def draw(self, rng: np.random.Generator, sigma) -> int:
        """Make ``target_from_spectrum(rng, rows, cols, sigma)``'s draws now; returns the target's index."""
        sigma = np.asarray(sigma, dtype=float)
        if sigma.ndim != 1 or len(sigma) > min(self.rows, self.cols):
            raise ValueError(f"need at most {min(self.rows, self.cols)} singular values, got shape {sigma.shape}")
        if self._sigma and len(sigma) != len(self._sigma[0]):
            raise ValueError("all targets of one TargetDraws have the same number of singular values")
        self._zu.append(rng.standard_normal((self.rows, self.rows)))
        self._zv.append(rng.standard_normal((self.cols, self.cols)))
        self._sigma.append(sigma.copy())
        return len(self._sigma) - 1

    def targets(self) -> list[np.ndarray]:
        """The targets U·diag(σ)·Vᵀ, in draw order."""
        if not self._sigma:
            return []
        k = len(self._sigma[0])
        U = _haar_stack(np.stack(self._zu))[:, :, :k]
        V = _haar_stack(np.stack(self._zv))[:, :, :k]
        return [(u * s) @ v.T for u, s, v in zip(U, self._sigma, V)]
