"""Kamber & Parhi (2026): per-layer weights λ_l = c_l·λ (Chen, Jiang & Wang 2025, cited for balancedness) —
the weighted balancedness and the classification of the weighted scalar problem's critical points
(docs/mathematics.md §K9).

Objective F_c(W) = (a/2)||W_L⋯W_1 − M||_F² + (b/2)Σ_l c_l·||W_l||_F², c_l > 0 (here c_l = l). Declarations only:
statements, sources, resolutions and default constants; each function calls a factory of ``verify.claims``
(where the checks are wired), every claimed constant a parameter so tests can perturb it.
"""
from __future__ import annotations

import sympy as sp

from verify.claims import Claim
from verify.claims.matrix_weighted_balance import weighted_balancedness_claim
from verify.claims.weights_classification import weights_classification_claim

PAPER = "Kamber & Parhi 2026"
DOC = "docs/mathematics.md"

#: the per-layer weights of both claims: c_l = l (every adjacent pair differs)
LAYER = sp.Symbol("l", integer=True, positive=True)
L = sp.Symbol("L", integer=True, positive=True)
M_ABS = sp.Symbol("m", positive=True)
A = sp.Symbol("a", positive=True)
DEFAULT_WEIGHTS = LAYER

#: the suite's derived classification of the weighted scalar problem's critical points
DEFAULT_KINDS = {
    "L1": "minimum",
    "L2.zero.below": "strict saddle",
    "L2.nonzero": "minimum",
    "L2.zero.above": "minimum",
    "zero": "minimum",
    "smaller": "strict saddle",
    "larger": "minimum",
    "fold": "non-strict saddle",
}
#: β* = a·m·ρ*^(L−2)/(L−1), ρ*^L = m(L−2)/(L−1) (for β = b·c̄; the tie of the origin and the larger radius)
DEFAULT_THRESHOLD = A * M_ABS * (M_ABS * (L - 2) / (L - 1)) ** ((L - 2) / L) / (L - 1)
#: β_f = a·m·L/(2L−2)·ρ_f^(L−2), ρ_f^L = m(L−2)/(2L−2) (the two nonzero radii merge; a·m at L = 2)
DEFAULT_FOLD = A * M_ABS * L / (2 * L - 2) * (M_ABS * (L - 2) / (2 * L - 2)) ** ((L - 2) / L)


def balancedness_claim(power: object = 1, rate: object = 2, layer_weights: sp.Expr = DEFAULT_WEIGHTS) -> Claim:
    """Weighted balancedness; ``power`` k in c_(l+1)^k·W_(l+1)ᵀW_(l+1) = c_l^k·W_lW_lᵀ, ``rate`` in
    dD_l/dt = −rate·b·D_l^c."""
    return weighted_balancedness_claim(
        id="kp.weights.balancedness",
        statement="With per-layer weights c_l > 0, at every critical point of F_c (b > 0) "
                  "c_(l+1)·W_(l+1)ᵀW_(l+1) = c_l·W_lW_lᵀ, so the singular values of W_(l+1) are (c_l/c_(l+1))^(1/2) times "
                  "those of W_l and U_l = (c_l/c̄)^(1/2)·W_l are balanced. Under gradient flow the unweighted imbalance "
                  "D_l = W_(l+1)ᵀW_(l+1) − W_lW_lᵀ obeys dD_l/dt = −2b·(c_(l+1)W_(l+1)ᵀW_(l+1) − c_lW_lW_lᵀ), a closed "
                  "linear equation (D_l(t) = e^(−2bct)·D_l(0)) only where c_l = c_(l+1) = c; one descent step of size η "
                  "maps D_l to D_l − 2ηb·D_l^c + η²(G_(l+1)ᵀG_(l+1) − G_lG_lᵀ).",
        source=f"{PAPER}, citing Chen–Jiang–Wang 2025 for balancedness and per-layer weights (from background notes, "
               f"not the abstract); the weighted relation, the flow and descent identities are derived by the suite; "
               f"{DOC} §K9",
        paper=PAPER,
        resolutions=(
            "Weights c_l = l in the catalogue; the symbolic tier proves the identities for free positive c_l.",
            "Stated at every critical point (saddles included), which the exact identity "
            "W_(l+1)ᵀ∇_(l+1)F_c − ∇_lF_c·W_lᵀ = b·D_l^c gives.",
            "No closed decay law for D_l^c with unequal weights: the flow identity is for the unweighted D_l.",
        ),
        layer_weights=layer_weights, power=power, rate=rate,
    )


def classification_claim(kinds: dict | None = None, threshold: sp.Expr = DEFAULT_THRESHOLD,
                         fold: sp.Expr = DEFAULT_FOLD, weight_power: object = 1,
                         layer_weights: sp.Expr = DEFAULT_WEIGHTS) -> Claim:
    """The classification of the weighted scalar problem's critical points; ``kinds`` overrides classes of
    ``DEFAULT_KINDS``, ``threshold``/``fold`` are β*, β_f, read at β = b·c̄^weight_power."""
    return weights_classification_claim(
        id="kp.weights.classification",
        statement="For F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σ c_l·w_l², m ≠ 0, with β = b·c̄, c̄ = (∏c_l)^(1/L): at L = 1 the "
                  "one critical point is the global minimizer; at L = 2, 0 is a strict saddle and the nonzero "
                  "critical points (product sign m) global minimizers when β < a|m|, and 0 the global minimizer when "
                  "β ≥ a|m| (degenerate at equality); at L ≥ 3, 0 is a strict local minimizer (Hessian b·diag(c_l)), "
                  "for β < β_f = a|m|·L/(2L−2)·ρ_f^(L−2), ρ_f^L = |m|(L−2)/(2L−2), the nonzero critical points lie on "
                  "two radii, the smaller strict saddles (one negative eigenvalue) and the larger strict local "
                  "minimizers, global iff β ≤ β* = a|m|·ρ*^(L−2)/(L−1), ρ*^L = |m|(L−2)/(L−1) (0 global iff β ≥ β*); at "
                  "β = β_f the one nonzero radius is a non-strict saddle; above, 0 is the only critical point. Non-strict "
                  "saddles occur only there.",
        source=f"{PAPER}, citing Chen–Jiang–Wang 2025 (a classification of critical points with per-layer weights; from "
               f"background notes, not the abstract); the classification, β* and β_f here are derived by the suite "
               f"(rescaling to the balanced problem with b·c̄, inertia preserved by congruence); {DOC} §K9",
        paper=PAPER,
        resolutions=(
            "Weights c_l = l in the catalogue (the symbolic and 50-digit tiers); the float64 tier draws random c_l.",
            "L = 2 at β = a|m| is a degenerate global minimum (the only critical point), not a non-strict saddle: "
            "non-strict saddles occur only at the fold β = β_f, L ≥ 3.",
            "Each nonzero class stands for its 2^(L−1) sign patterns (product of sign m); they share the kind.",
            "The reduction to β = b·c̄ is §K9's (rescaling w_l = (c̄/c_l)^(1/2)·u_l), checked there and not redone; the "
            "exact tier classifies F in w directly, without the rescaling.",
        ),
        layer_weights=layer_weights, kinds={**DEFAULT_KINDS, **(kinds or {})}, threshold=threshold, fold=fold,
        weight_power=weight_power,
    )


def claims() -> list[Claim]:
    """The per-layer weight claims with their derived constants."""
    return [balancedness_claim(), classification_claim()]
