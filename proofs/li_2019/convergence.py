"""L8 — global convergence of gradient descent (Li et al. 2019; docs/mathematics.md §L8): declaration.

The abstract says the landscape "implies strong global convergence guarantees for popular iterative algorithms
with arbitrary initial solutions". Which algorithm, which step size and which iteration bound are the suite's:
gradient descent with η = 1/L, L = 18c(λ_1 + √(F_0/c)) the Hessian bound on the initial sublevel set, and an
iteration bound assembled from the L5 region constants (κ3 in R3, κ2 in R2; R1 measured, escaped by
perturbation). The kind, its parsing and its checks are ``verify.claims.convergence``; ``{c}`` and the like in
a text are filled with the exact value the kind parsed.
"""
from __future__ import annotations

from verify.claims import Claim
from verify.claims.convergence import convergence_claim as convergence_kind

from . import PAPER

STEP_RULE = "1/(18*c*(lam1 + sqrt(F0/c)))"

STATEMENT = ("Gradient descent X <- X - eta grad F_c on F_c(X) = c||XX^T - M||^2 (c = {c}), eta = {step_rule} "
             "(lam1 = lambda_1, F0 = F_c(X_0)), decreases F by at least (eta/2)||grad F||^2 per step and, from "
             "random initializations, converges to a global minimizer (XX^T = the best rank-r approximation of M), "
             "never to a strict saddle. With the L5 constants, the iterates outside R1 with F - F* > eps number at "
             "most {bound_factor}*(N3 + N2): N3 = 2(F0 - F*)/(eta kappa3m^2) in R3 (kappa3m = min(kappa3, "
             "kappa3'')), N2 = floor(log(gap at R2 entry/eps)/log(1/(1 - eta kappa2))) + 1 in R2, where each step "
             "contracts the gap by (1 - eta kappa2)^(1/{bound_factor}). Near a saddle's stable manifold plain GD "
             "lingers about log(1/delta)/log(1 + eta kappa) iterations (kappa >= kappa1); perturbed GD escapes.")
SOURCE = ("Li et al. 2019 (IEEE TIT), stated in the abstract: the landscape \"implies strong global convergence "
          "guarantees for popular iterative algorithms with arbitrary initial solutions\"; the algorithm, step size, "
          "iteration bound and adversarial starts are derived by the suite (docs/mathematics.md §L8, from the §L5 "
          "region constants)")
RESOLUTIONS = (
    "c = {c}; every constant carries the factor c.",
    "Step size: eta = {step_rule}; L = 18c(lambda_1 + sqrt(F0/c)) bounds the Hessian on {sigma_1^2 <= (3/2)B^2} "
    "(B^2 = lambda_1 + sqrt(F0/c) bounds sigma_1^2 on the sublevel set), which contains every step's segment "
    "when eta <= 1/L (proved).",
    "Proved: the descent lemma, N3 (given kappa3 on R3', which L5 tests but does not prove) and N2 (R2 gives "
    "the Polyak-Lojasiewicz inequality gap <= ||grad F||^2/(2 kappa2)). Only measured: the number of R1 "
    "iterates of plain GD (no bound exists: near a stable manifold it grows like log(1/delta)).",
    "The bound is loose where kappa3 is small (N3 is 10^6 or more on the catalogue's instances); the R2 count "
    "is within a factor ~4 of N2 (the proved rate eta kappa2 against the observed 4 eta kappa2).",
    "Random initializations: Gaussian X_0 at scales 1e-3, 1, 2; never a saddle is an almost-sure statement: "
    "from a start exactly on a saddle's stable manifold plain GD converges to that saddle (shown).",
    "Perturbed GD (Jin et al.'s scheme): a uniform ball perturbation of radius rho1/10 when ||grad F|| <= "
    "sqrt(2 kappa2 eps)/4; escape is measured, not bounded.",
    "Matrix sensing (L6): with G in place of F the same argument holds where li.sensing's bounds keep the "
    "regions' signs, i.e. when c(8 delta_2r ||X||_2^2 + 4 delta_(rho+1)||XX^T - M||) is below kappa1 and "
    "kappa2 on R1 and R2 and the gradient error stays below kappa3 on R3, with L enlarged by the same Hessian "
    "bound; stated, not checked here.",
    "p >= r and distinct positive eigenvalues (the L5 assumptions); other instances are outside the claim.",
)


def convergence_claim(c: str = "1/4", step_rule: str = STEP_RULE, bound_factor: str = "1") -> Claim:
    """L8: GD with ``step_rule`` and the region-constant bound times ``bound_factor`` (1 is what is proved)."""
    return convergence_kind("li.convergence", STATEMENT, SOURCE, c=c, step_rule=step_rule,
                            bound_factor=bound_factor, paper=PAPER, resolutions=RESOLUTIONS)


def claims() -> list[Claim]:
    """The L8 claim with its default constants."""
    return [convergence_claim()]
