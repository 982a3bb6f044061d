"""The float64 spectrum tier's sign-pattern reduction for the deep scalar problem (kp.hessian_spectrum).

F(D_t·w) = F(w) for t ∈ {±1}^L with ∏t = 1 (the product w_L⋯w_1 and Σw_l² are unchanged), so
∇²F(D_t·w) = D_t·∇²F(w)·D_t: the Hessians at the sign patterns of one balanced point are orthogonally similar
and share their eigenvalues (docs/mathematics.md §K4).
"""
from __future__ import annotations

import numpy as np

from ..kernels.scalar import ScalarKernels

#: rows per depth whose eigenvalues are also computed from their own Hessian (cross-check of the reduction)
SIGN_SAMPLE = 32
SIGN_SYMMETRY_NOTE = ("F(D_t·w) = F(w) for t ∈ {±1}^L with ∏t = 1, so H(D_t·w) = D_t·H(w)·D_t (orthogonal similarity): "
                      "each pattern's float64 Hessian is checked to equal D_t·H(canonical)·D_t bit for bit, and takes "
                      "the canonical pattern's eigenvalues; a sample of rows is also eigensolved on its own")


def eigs_by_sign_symmetry(kern: ScalarKernels, H: np.ndarray, S: np.ndarray, found: np.ndarray, idx: np.ndarray,
                          radius: np.ndarray, m: np.ndarray, aa: float, bb: np.ndarray) -> tuple[np.ndarray, int]:
    """Ascending float64 eigenvalues of every row of H (the Hessian at w = ρ_i·s, row signs S, ∏s = sign m_i),
    eigensolving one canonical pattern c = (1, …, 1, sign m_i) per instance instead of every row.

    Proof of the reduction: with t = s∘c (∏t = 1), F(D_t·w) = F(w) (the product and Σw_l² are unchanged), hence
    H(ρs) = D_t·H(ρc)·D_t, an orthogonal similarity: the same eigenvalues. The product-rule kernel is sign-exact
    (IEEE products only change sign under a sign flip), so this holds bit for bit on the computed matrices, which
    is checked for every row; if it did not hold, every row is eigensolved on its own. A deterministic sample of
    rows (at most SIGN_SAMPLE, evenly spaced) is eigensolved on its own as well and must agree with the canonical
    eigenvalues to the eigensolver's backward error (ArithmeticError otherwise: never a silent verdict); those rows
    keep their own eigenvalues. Returns (eigenvalues per row, number of rows eigensolved on their own).
    """
    L = S.shape[1]
    C = np.ones((len(found), L))
    C[:, -1] = np.where(m[found] < 0, -1.0, 1.0)
    Hc = kern.hessian(radius[found][:, None] * C, m[found], aa, bb[found])
    pos = np.searchsorted(found, idx)
    T = S * C[pos]
    if not np.array_equal(H, T[:, :, None] * Hc[pos] * T[:, None, :]):
        return np.linalg.eigvalsh(H), len(H)
    eig_c = np.linalg.eigvalsh(Hc)
    eig = eig_c[pos]
    pick = np.unique(np.linspace(0, len(H) - 1, min(len(H), SIGN_SAMPLE)).round().astype(int))
    own = np.linalg.eigvalsh(H[pick])
    bound = 32 * L * np.finfo(float).eps * np.abs(own).max(axis=1)
    if np.any(np.abs(own - eig[pick]).max(axis=1) > bound):
        raise ArithmeticError(f"depth {L}: eigenvalues at a sign pattern differ from the canonical pattern's beyond "
                              "the eigensolver's backward error, although the Hessians are orthogonally similar")
    eig[pick] = own
    return eig, len(pick)
