"""L9 — the deep linear network as a landscape claim (Li et al. 2019; docs/mathematics.md §L9).

The abstract names deep linear neural networks as an application of the invariance theory; everything
checked here is derived by the suite. One claim, ``li.deep_linear``, for f(W) = ½||W_L⋯W_1 − M||_F²
(a = 1, b = 0) with M of distinct nonzero singular values and hidden widths ≥ rank M: (a) at every
stationary point the product is a partial SVD U_S Σ_S V_Sᵀ; at the balanced points of every index set S
and their GL images, S = all is a global minimizer, an S with an inversion is a strict saddle, and a
proper top set (W = 0 included) is a strict saddle at L = 2 and a non-strict saddle at L ≥ 3; (b) at a
minimizer the Hessian null space contains the GL orbit tangent, with dimensions counted exactly; (c) with
weight decay b > 0 (Kamber & Parhi's regularized problem) only O(d) remains. The existing
``li.invariance.deep-linear`` (GL insertions, inertia only) is kept as it is. This module declares the
claim; the kind and its checks are ``verify.claims.deep_linear*``.
"""
from __future__ import annotations

from verify.claims import Claim
from verify.claims.deep_linear import deep_linear_claim

from . import PAPER

SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: deep linear neural networks are named as an "
          "application of the invariance theory (stationary points and Hessian null spaces via invariant groups); "
          "the classification of the partial-SVD stationary points, the null-space and orbit-tangent counts and "
          "the weight-decay contrast are derived by the suite (docs/mathematics.md §L9, §L7, §K3)")

STATEMENT = ("For f(W) = 1/2 ||W_L...W_1 - M||_F^2 with M of distinct nonzero singular values and hidden widths >= "
             "r = rank M: at every stationary point (L >= 2) P = W_L...W_1 is a partial SVD U_S Sigma_S V_S^T. At the "
             "balanced points W_l = Q_l Sigma_S^(1/L) Q_(l-1)^T and their GL images: S = {1..r} is a global minimizer; "
             "S with an inversion (i in S, j not in S, sigma_j > sigma_i) is a strict saddle; a proper top set "
             "{1..k}, k < r (W = 0 when k = 0), is a strict saddle at L = 2 and a non-strict saddle (Hessian PSD, "
             "a descent curve f(t) = f - sigma_j t^L + t^(2L)/2) at L >= 3. At a minimizer the Hessian null space has "
             "dimension sum_l d_l d_(l-1) - r(d_0 + d_L - r) and contains the GL orbit tangent "
             "(dimension sum_hidden r(2 d_l - r)); they differ by sum_l (d_l - r)(d_(l-1) - r), so they are equal "
             "exactly when no two adjacent widths exceed r. With weight decay b = {b} (a = 1) the symmetry is only "
             "{regularized_group}(d): at a minimizer the null space is the O(d) orbit tangent and a non-orthogonal "
             "GL move changes F.")

RESOLUTIONS = (
    "Normalization: f = 1/2 ||P - M||^2 (a = 1, b = 0 in docs/mathematics.md §Conventions); the contrast uses "
    "a = 1, b = {b} (convention S with lambda = {b}).",
    "Which stationary points: the suite proves the product is a partial SVD at every stationary point, and "
    "classifies the balanced points of each S and their GL images (Hessian inertia is a GL invariant, §L7). "
    "It does not classify every stationary point (for L >= 3 there are more, e.g. two zero layers); "
    "'local minima are global' is checked only on this family.",
    "Strict: a Hessian eigenvalue below -1e-6 ||H|| (high precision), -1e-7 ||H|| (float64), < 0 exactly "
    "(symbolic); non-strict: no negative eigenvalue (zero band) and f decreasing along the derived curve.",
    "Null dimension at minimizers by a spectral gap; the GL orbit tangent is spanned by (xi_l W_l - W_l xi_(l-1)) "
    "over a basis of each gl(d_l), l hidden.",
)


def deep_linear_landscape_claim(*, zero_saddle_strict_depths: tuple[int, ...] = (2,),
                                top_saddle_strict_depths: tuple[int, ...] = (2,), inversion_saddles_strict: bool = True,
                                null_offset: int = 0, orbit_equals_null: bool | None = None,
                                regularized_group: str = "O", b: str = "1/10") -> Claim:
    """The L9 claim; every claimed item is a parameter (plain data) so tests can perturb it."""
    return deep_linear_claim(
        "li.deep_linear", STATEMENT, SOURCE, zero_saddle_strict_depths=zero_saddle_strict_depths,
        top_saddle_strict_depths=top_saddle_strict_depths, inversion_saddles_strict=inversion_saddles_strict,
        null_offset=null_offset, orbit_equals_null=orbit_equals_null, regularized_group=regularized_group, b=b,
        paper=PAPER, resolutions=RESOLUTIONS)


def claims() -> list[Claim]:
    """The L9 claim with its default constants."""
    return [deep_linear_landscape_claim()]
