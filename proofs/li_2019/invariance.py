"""L7 — invariance theory of Li et al. 2019, one claim per example (docs/mathematics.md §L7).

The abstract states the general theory and names phase retrieval and deep linear networks as examples;
the identities checked are derived by the suite (verify.invariance).

Three claims rather than one, so a report says which example holds and which does not:
``li.invariance.real-phase`` (x -> -x), ``li.invariance.complex-phase`` (U(1) on C^n, real
representation R^{2n}) and ``li.invariance.deep-linear`` (GL(h) insertions W1 -> G W1,
W2 -> W2 G^-1). Each claim has the same checks: exact SymPy covariance, finite-difference
validation of the hand derivatives, batched float64 covariance, fixed points, orbit tangents
(continuous groups), Hessian spectrum (eigenvalues for orthogonal groups, only the inertia for
GL), and a 50-digit certification of the zero band of the inertia. ``invariance_claim`` takes the
group and the claimed eigenvalue behaviour as parameters so tests can hand it a wrong one. This module
declares the claims (ids, statements, source, parameters, resolutions); the kind is
``verify.claims.invariance_checks.invariance_example_claim``, the examples and checks
``verify.claims.invariance_*``.
"""
from __future__ import annotations

from verify.claims import Claim
from verify.claims.invariance_checks import invariance_example_claim
from verify.claims.invariance_examples import EXAMPLES, GroupFactory

from . import PAPER

SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: the invariance theory, with phase retrieval and "
          "deep linear networks as examples; the covariance, fixed-point, orbit-tangent and inertia identities "
          "checked here are derived by the suite (docs/mathematics.md §L7)")

STATEMENTS = {
    "real-phase": ("Real phase retrieval f(x) = sum_k ((a_k.x)^2 - y_k)^2 is invariant under x -> -x; "
                   "gradients and Hessians are covariant, the fixed point 0 is stationary, and (the group "
                   "being orthogonal) Hessian eigenvalues at x and -x coincide."),
    "complex-phase": ("Complex phase retrieval f(x) = sum_k (|a_k^H x|^2 - y_k)^2 is U(1)-invariant; in R^{2n} "
                      "gradients and Hessians are covariant, 0 is stationary, the orbit tangent i x lies "
                      "in the Hessian null space at every stationary point, and eigenvalues are invariant."),
    "deep-linear": ("A two-layer linear network f(W1, W2) = ||W2 W1 - M||_F^2 is invariant under GL(h) "
                    "insertions (G W1, W2 G^-1); gradients and Hessians are covariant (Hessians by "
                    "congruence), W = 0 is stationary, orbit tangents (xi W1, -W2 xi) lie in the Hessian "
                    "null space at stationary points, and only the inertia of the Hessian is invariant: "
                    "its eigenvalues move."),
}


RESOLUTIONS = (
    "Group actions are linear maps of the real parameter vector: complex vectors use (Re x, Im x); "
    "network weights use row-major (vec W1, vec W2).",
    "Covariance is G^{-T} (gradient) and congruence G^{-T} H G^{-1} (Hessian), derived from "
    "differentiating f(Gx) = f(x); stationarity of fixed points needs Fix(G^T) = {0}, checked.",
    "Inertia zero tolerance: |eig| <= 1e-9 ||H|| (float64), certified at ctx.dps digits.",
)


def invariance_claim(example: str, *, group: GroupFactory | None = None,
                     eigenvalues_invariant: bool | None = None) -> Claim:
    """The L7 claim for ``example``; ``group`` replaces the symmetry, ``eigenvalues_invariant`` the
    claimed spectral behaviour (default: True for the orthogonal groups, False for GL)."""
    return invariance_example_claim(
        f"li.invariance.{example}", STATEMENTS, SOURCE, example=example, group=group,
        eigenvalues_invariant=eigenvalues_invariant, paper=PAPER, resolutions=RESOLUTIONS)


def claims() -> list[Claim]:
    """The three L7 claims, one per example."""
    return [invariance_claim(e) for e in EXAMPLES]
