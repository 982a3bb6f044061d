"""L6 — matrix sensing inherits the factorization landscape (Li et al. 2019; docs/mathematics.md §L6).

The extension to matrix sensing is stated in the abstract; every constant and regime here is derived by
the suite. One claim, ``li.sensing``: with G(X) = c ||A(X X^T) - A(M)||^2 and Gaussian A of decreasing
size m (so increasing restricted-isometry constant delta), (i) the full orthonormal basis gives G = F
exactly, (ii) 1/sqrt(m) makes the symmetrized Gaussian ensemble isotropic, (iii) the sensing Hessian
is within c (8 delta_{2r} ||X||_2^2 + 4 delta_{rho+1} ||E||_F) of the factorization Hessian (bound
derived in verify.sensing), (iv) saddles stay strict in the regime that bound guarantees and (v) G has
no spurious local minimum for delta_2r below a claimed constant (default 1/5): checked by descent on the
Gaussian operators and by an adversarial search over every operator on Sym(2) (n = 2, r = 1, where
delta_2r is exact), with an explicit counterexample family at every delta_2r > 1/2 (verify.sensing_search).
``sensing_claim`` takes the claimed constants (c, bound coefficients, normalizations, regime) as
parameters so tests can perturb them. This module declares the claim (id, statement, source, default
constants, resolutions); the kind, its parsing and its checks are ``verify.claims.sensing_checks``.
``{c}`` and the like in a text are filled with the exact value the kind parsed.
"""
from __future__ import annotations

from verify.claims import Claim
from verify.claims.sensing_checks import sensing_landscape_claim

from . import PAPER

SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: the landscape results extend to matrix sensing; "
          "the Hessian-distance bound, the strict-saddle and no-spurious-minima regimes and the counterexample "
          "family are derived by the suite (docs/mathematics.md §L6)")
DEFAULT_M = (8000, 2000, 500, 150, 50, 20)

STATEMENT = ("For G(X) = c||A(XX^T) - A(M)||^2 (c = {c}) with a restricted isometry of constant delta: "
             "||hess G(X) - hess F(X)||_2 <= c({a} delta_2r ||X||_2^2 + {b} delta_(rho+1) ||XX^T - M||_F); "
             "F's saddles stay strict where lambda_min(hess F) exceeds that bound; G has no spurious local "
             "minimum when delta_2r < {minima_delta}: verified on Gaussian operators (n = {n}, r = {r}) and by an "
             "adversarial search over every operator with n = 2, r = 1 (a regime, not a proof for all n, r); "
             "the full orthonormal measurement basis gives G = F.")
RESOLUTIONS = (
    "c = {c} is a parameter; every Hessian number scales with it.",
    "A(Z)_k = <A_k, Z> m^-{gaussian_scale_power}, A_k = (B_k + B_k^T)/2, B_k iid N(0,1): isotropic "
    "(E||A Z||^2 = ||Z||^2).",
    "Orthonormal basis of Sym(n) (E_ii, (E_ij+E_ji)/sqrt 2) scaled by {basis_scale}: no 1/sqrt(m) there.",
    "delta is estimated (sampling + truncated power iteration + exact subspace refinement): a lower bound; "
    "delta_full = ||A*A - I|| on Sym(n) is an exact upper bound; a bound is verified at the estimate "
    "and refuted only beyond delta_full.",
    "Strict-saddle regime: lambda_min(hess F) + bound(delta_full) < 0 (rigorous by Weyl).",
    "No-spurious-minima regime: delta_2r < {minima_delta} (the paper's constant is not at hand). It is not true for "
    "every delta < 1: for n = 2, r = 1 the suite derives an explicit operator family with a strict spurious "
    "minimum at every delta_2r > 1/2 (docs/mathematics.md §L6; e.g. measurements I, E22, 2(E12 + E21), "
    "delta = (13 + sqrt5)/(19 - sqrt5) ~ 0.909 after the best scaling, M = E11, x = (0, 1/sqrt2)), and searches "
    "adversarially over all operators on Sym(2) for one inside the claimed regime.",
    "Instances: n = {n}, r = {r}, rank M = r with distinct eigenvalues, m in {m_sizes}.",
)


def sensing_claim(*, c: str = "1/4", bound_coefficients: tuple[str, str] = ("8", "4"), basis_scale: str = "1",
                  gaussian_scale_power: str = "1/2", n: int = 6, r: int = 2,
                  m_sizes: tuple[int, ...] = DEFAULT_M, minima_delta: str = "1/5") -> Claim:
    """The L6 claim; every claimed constant is a parameter (exact decimal or fraction strings)."""
    return sensing_landscape_claim(
        "li.sensing", STATEMENT, SOURCE, c=c, bound_coefficients=bound_coefficients, basis_scale=basis_scale,
        gaussian_scale_power=gaussian_scale_power, n=n, r=r, m_sizes=m_sizes, minima_delta=minima_delta,
        paper=PAPER, resolutions=RESOLUTIONS)


def claims() -> list[Claim]:
    """The L6 claim with its default constants."""
    return [sensing_claim()]
