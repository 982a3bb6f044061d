"""The deep matrix claim kinds as factories of plain data (docs/mathematics.md §K2–§K7, §K9, §Figures).

Objective F(W) = (a/2)||W_L⋯W_1 − M||_F² + (b/2)Σ_l c_l·||W_l||_F², (a, b) from a named convention, c_l = 1
unless per-layer weights are declared. A claim file, the API or ``proofs/`` declares a claim by calling one
of these with its id, statement, source and the claimed closed forms (SymPy expressions in the public
symbols, exact numbers); the checks live in ``verify.claims.matrix_*``. Every claimed constant is a
parameter, so a perturbed claim runs through the same checks.

Public symbols: ``L`` (depth, ``verify.symbolic.scalar.L_sym``), ``m`` (|m|, ``mabs``), ``a``, ``b``
(``verify.symbolic.scalar.a, b``), ``l`` (layer index, ``matrix_weights.LAYER``); symbols with these names
and other assumptions are read as them.
"""
from __future__ import annotations

from typing import Callable, Mapping, Sequence

import sympy as sp

from ..conventions import get_convention
from ..errors import UsageError
from ..landscape.reduction import critical_value_exact
from ..symbolic.scalar import L_sym, a as A_SYM, b as B_SYM, mabs
from .base import Check, Claim, Tier
from .closed_form import Evaluators, exact
from .matrix_balance import (
    balance_exact_check, critical_balance_check, flow_identity_check, flow_rate_check, gd_step_check, saddle_balance_check,
)
from .certified_matrix_checks import certified_collapse_check
from .matrix_collapse import ClaimedThreshold, descent_numeric, edges_hp, rank_hp, rank_numeric
from .matrix_common import guarded_check, positive_constant
from .matrix_figures import Figure1, figure1, figure1_hp, figure2, figure3
from .matrix_layer_norms import (
    ExponentInL, layer_norm_hp, layer_norm_numeric, layer_norm_symbolic, weighted_hp, weighted_numeric, weighted_symbolic,
)
from .matrix_trace import (
    spectrum_check, trace_at_minimizers, trace_bound_symbolic, trace_compiled, trace_numeric, trace_symbolic,
)
from .matrix_trace_formula import trace_at_minimizer, trace_formula, trace_lower_bound
from .matrix_uniqueness import (certified_uniqueness_check, descent_uniqueness, exact_tie_check, hp_switch_check,
                                numeric_tie_check)
from .matrix_weights import LAYER, LayerWeights, layer_weights_from, reduction_exact, reduction_numeric

#: what a claim not from the catalogue records as its paper
USER_PAPER = "user claim"
#: a claimed multiple of the threshold: a number, or a function of the depth L returning one
Multiple = object | Callable[[int], object]


def _text(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise UsageError(f"a matrix claim needs a non-empty {what} (a string), got {value!r}")
    return value


def _claim(id: str, statement: str, source: str, paper: str, resolutions: Sequence[str],
           checks: Sequence[Check]) -> Claim:
    for r in resolutions:
        _text(r, "resolution")
    return Claim(id=_text(id, "id"), statement=_text(statement, "statement"), source=_text(source, "source"),
                 paper=_text(paper, "paper"), resolutions=tuple(resolutions), checks=tuple(checks))


def _formula(value: object, names: Mapping[str, sp.Symbol], what: str) -> sp.Expr:
    """A claimed closed form: a SymPy expression (or exact number) in the given public names only."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, sp.Basic)):
        raise UsageError(f"{what} must be a SymPy expression in {', '.join(names)} (or an exact number), got {value!r}")
    expr = sp.sympify(value)
    extra = sorted(str(s) for s in expr.free_symbols if s.name not in names)
    if extra:
        raise UsageError(f"{what} may use only {', '.join(names)}, got {', '.join(extra)} in {expr}")
    return expr.xreplace({s: names[s.name] for s in expr.free_symbols})


def _no_weights(layer_weights: object, kind: str) -> None:
    if layer_weights is not None:
        raise UsageError(f"layer_weights are not supported by {kind} (only by matrix.uniqueness, matrix.layer_norms "
                         "and matrix.collapse, where the exact rescaling to the balanced problem is checked)")


def _weight_checks(weights: LayerWeights | None) -> tuple[Check, ...]:
    if weights is None:
        return ()
    return (Check("per-layer weights: exact rescaling to the balanced problem", Tier.SYMBOLIC,
                  reduction_exact(weights)),
            guarded_check("per-layer weights: rescaling identity at random points", Tier.NUMERIC,
                          reduction_numeric(weights), corroborates=True))


# ----------------------------------------------------------------------------------------------


def matrix_uniqueness_claim(id: str, statement: str, source: str, *, exceptional: sp.Expr | None = None,
                            critical_scale: object = 1, layer_weights: sp.Expr | None = None,
                            paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """Unique end-to-end minimizer off the exceptional set σ_i = σ_c(L, a, b) (L ≥ 3): ``exceptional`` is
    σ_c as a formula in L, a, b (None: the suite's derived σ_c), times ``critical_scale``. With
    ``layer_weights`` c_l, b is the weighted problem's b (its balanced form has b·c̄)."""
    critical_scale = positive_constant(critical_scale, "critical_scale")
    scale = exact(critical_scale)
    weights = layer_weights_from(layer_weights)
    claimed = None if exceptional is None else _formula(exceptional, {"L": L_sym, "a": A_SYM, "b": B_SYM},
                                                        "exceptional")

    def sigma_c(L: int, a: sp.Expr, b: sp.Expr) -> sp.Expr:
        """The claimed σ_c for the balanced problem (a, b): the weighted claim is read at b/c̄."""
        if claimed is None:
            return scale * critical_value_exact(L, a, b)
        b_claim = b if weights is None else b / weights.cbar(L)
        return scale * claimed.xreplace({L_sym: sp.Integer(L), A_SYM: sp.sympify(a), B_SYM: sp.sympify(b_claim)})

    return _claim(id, statement, source, paper, resolutions, (
        guarded_check("exact two minimizers on the exceptional set", Tier.SYMBOLIC, exact_tie_check(sigma_c)),
        guarded_check("exceptional set is exactly σ_c at 50 digits", Tier.HIGH_PRECISION, hp_switch_check(sigma_c)),
        guarded_check("certified tie at σ_c, unique minimizer off it", Tier.CERTIFIED,
                      certified_uniqueness_check(sigma_c)),
        # corroborating: the certified check establishes the same statement (tie at σ_c, one minimizer at σ_c(1 ∓ δ))
        # at the same depths (matrix_depths(ctx, lo=3))
        guarded_check("float64 matrix objective ties at σ_c", Tier.NUMERIC, numeric_tie_check(sigma_c),
                      corroborates=True),
        guarded_check("descent from many starts vs constructed minimizer", Tier.NUMERIC, descent_uniqueness),
    ) + _weight_checks(weights))


def matrix_balancedness_claim(id: str, statement: str, source: str, *, rate: object = 2, balance: object = 1,
                              layer_weights: sp.Expr | None = None, paper: str = USER_PAPER,
                              resolutions: Sequence[str] = ()) -> Claim:
    """W_(l+1)ᵀW_(l+1) = balance·W_lW_lᵀ at critical points; the imbalance decays as exp(−rate·b·t) under
    gradient flow, and one descent step maps D to (1 − rate·ηb)D + η²(G_(l+1)ᵀG_(l+1) − G_lG_lᵀ)."""
    rate = positive_constant(rate, "rate")
    balance = positive_constant(balance, "balance")
    _no_weights(layer_weights, "matrix.balancedness")
    return _claim(id, statement, source, paper, resolutions, (
        guarded_check("exact flow identity dD/dt = −rate·b·D", Tier.SYMBOLIC, flow_identity_check(rate)),
        guarded_check("exact balance at critical points (identity; exact critical points)", Tier.SYMBOLIC,
                      balance_exact_check(balance)),
        # float64 tiers: an exact claimed constant enters as its nearest double
        guarded_check("one-step descent identity on random trajectories", Tier.NUMERIC, gd_step_check(float(rate))),
        guarded_check("imbalance decay along integrated gradient flow", Tier.NUMERIC, flow_rate_check(float(rate))),
        guarded_check("balance and alignment at descent-found critical points", Tier.NUMERIC,
                      critical_balance_check(float(balance))),
        guarded_check("balance at Newton-found critical points (saddles included)", Tier.NUMERIC,
                      saddle_balance_check(float(balance))),
    ))


#: the largest |exponent| a layer-norm claim may have at a checked depth: beyond, s^e overflows float64 for the
#: checks' singular values and the exact identity grows past any budget (1e30 ran for minutes)
MAX_EXPONENT = 100


def _exponent(exponent: object) -> Callable[[int], object]:
    """The claimed exponent e(L) as a function of the depth, checked at every depth a profile reaches (1–32) to be
    a finite real number of size at most ``MAX_EXPONENT`` (a UsageError naming it)."""
    if callable(exponent) and not isinstance(exponent, sp.Basic):
        ex = exponent
    elif isinstance(exponent, sp.Basic):
        ex = ExponentInL(_formula(exponent, {"L": L_sym}, "exponent"))
    else:
        raise UsageError("exponent must be a SymPy expression in L (e.g. 2/L) or a function of the depth L, "
                         f"got {exponent!r}")
    for depth in range(1, 33):
        try:
            value = sp.sympify(ex(depth))
        except Exception:  # noqa: BLE001 - whatever the user's function raises is a usage error naming it
            raise UsageError(f"exponent at L = {depth} cannot be evaluated") from None
        if not (value.is_real and value.is_finite and abs(value) <= MAX_EXPONENT):
            shown = sp.N(value, 6) if value.is_number and value.is_finite else value
            raise UsageError(f"exponent at L = {depth} is {shown}: it must be a finite real number of size at most "
                             f"{MAX_EXPONENT}")
    return ex


def matrix_layer_norms_claim(id: str, statement: str, source: str, *, exponent: object = 2 / L_sym,
                             weight_exponent: object = 1, layer_weights: sp.Expr | None = None,
                             paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """||W_l||_F² = Σ_i s_i^e at every global minimizer, e = ``exponent`` (in L, or a function of L), s_i the
    singular values of the end-to-end minimizer; with ``layer_weights`` c_l: ||W_l||² = (c̄/c_l)^k·Σ s_i^e,
    k = ``weight_exponent`` (the suite derives k = 1, docs/mathematics.md §K9)."""
    ex = _exponent(exponent)
    weights = layer_weights_from(layer_weights)
    if weights is None:
        if exact(weight_exponent) != 1:
            raise UsageError("weight_exponent needs layer_weights (it is the exponent of c̄/c_l)")
        checks = (
            guarded_check("exact identity from scalar stationarity", Tier.SYMBOLIC, layer_norm_symbolic(ex)),
            guarded_check("trace identity vs Schatten sum at 50 digits", Tier.HIGH_PRECISION, layer_norm_hp(ex)),
            guarded_check("layer norms at descent-found and constructed minimizers", Tier.NUMERIC,
                          layer_norm_numeric(ex)),
        )
    else:
        k = exact(weight_exponent)
        if not (k.is_real and k.is_finite and abs(k) <= MAX_EXPONENT):
            raise UsageError(f"weight_exponent must be a finite real number of size at most {MAX_EXPONENT}, got "
                             f"{sp.N(k, 6) if k.is_number and k.is_finite else weight_exponent!r}")
        checks = _weight_checks(weights) + (
            guarded_check("weighted layer norms, exact from stationarity", Tier.SYMBOLIC, weighted_symbolic(ex, weights, k)),
            guarded_check("weighted layer norms at 50 digits", Tier.HIGH_PRECISION, weighted_hp(ex, weights, k)),
            guarded_check("weighted layer norms at minimizers of the weighted objective", Tier.NUMERIC,
                          weighted_numeric(ex, weights, k)),
        )
    return _claim(id, statement, source, paper, resolutions, checks)


def matrix_trace_claim(id: str, statement: str, source: str, *, constant: object = 1, bound_constant: object = 1,
                       layer_weights: sp.Expr | None = None, paper: str = USER_PAPER,
                       resolutions: Sequence[str] = ()) -> Claim:
    """tr ∇²F = constant·a·Σ_l ||A_l||²||B_l||² + b·Σ d_l d_(l−1) at every point; at minimizers ≥
    bound_constant·a·(d_0 + d_L + L − 2)·Σ s_i^(2−2/L) + b·Σ d_l d_(l−1) (tight iff rank ≤ 1 or L ≤ 2); the
    spectrum is the same at every minimizer, its null space the orbit tangent."""
    constant = positive_constant(constant, "constant")
    bound_constant = positive_constant(bound_constant, "bound_constant")
    _no_weights(layer_weights, "matrix.trace")

    def formula(Ws, a, b):
        return trace_formula(Ws, a, b, constant)

    def at_min(s, dims, a, b):  # float64 tier: an exact claimed constant enters as its nearest double
        return trace_at_minimizer(s, dims, a, b, float(constant))

    def bound(s, dims, a, b):
        return trace_lower_bound(s, dims, a, b, float(bound_constant))

    def exact_bound(s, dims, a, b):
        return trace_lower_bound(s, dims, a, b, bound_constant)

    label = f"{constant}·a·Σ_l ||A_l||²||B_l||² + b·Σ d_l d_(l−1)"
    return _claim(id, statement, source, paper, resolutions, (
        guarded_check("exact trace formula (SymPy, entrywise second derivatives)", Tier.SYMBOLIC,
                      trace_symbolic(formula, label)),
        guarded_check("lower bound attained exactly where claimed (balanced points, free singular values)",
                      Tier.SYMBOLIC, trace_bound_symbolic(exact_bound)),
        guarded_check("dense Hessian trace at random points", Tier.NUMERIC, trace_numeric(formula)),
        guarded_check("compiled symbolic kernels: batched Hessian trace", Tier.NUMERIC, trace_compiled(formula)),
        guarded_check("trace and lower bound at constructed minimizers", Tier.NUMERIC, trace_at_minimizers(at_min, bound)),
        guarded_check("spectrum constant across minimizers; null space = orbit tangent", Tier.NUMERIC, spectrum_check),
    ))


def claimed_threshold(threshold: object, convention: str = "A1", multiples: Mapping[str, Multiple] | None = None,
                      weights: LayerWeights | None = None) -> ClaimedThreshold:
    """λ*_conv(σ, L) = multiple_conv(L)·threshold(σ, L) for ``convention`` (multiple 1) and every convention in
    ``multiples``; with weights, in units of the balanced problem (times c̄(L))."""
    expr = _formula(threshold, {"m": mabs, "L": L_sym}, "threshold")
    table: dict[str, Callable[[int], sp.Expr]] = {get_convention(convention).name: lambda L: sp.Integer(1)}
    for name, mult in (multiples or {}).items():
        if not callable(mult):
            mult = positive_constant(mult, f"multiple for {name}")
        table[get_convention(name).name] = mult if callable(mult) else (lambda L, k=exact(mult): k)
    if weights is not None:
        table = {name: (lambda L, f=f: f(L) * weights.cbar(L)) for name, f in table.items()}
    return ClaimedThreshold(Evaluators(expr, (mabs, L_sym)), table)


def matrix_collapse_claim(id: str, statement: str, source: str, *, threshold: sp.Expr, convention: str = "A1",
                          multiples: Mapping[str, Multiple] | None = None, layer_weights: sp.Expr | None = None,
                          paper: str = USER_PAPER, resolutions: Sequence[str] = ()) -> Claim:
    """λ > λ*(σ_max) ⇒ the end-to-end minimizer is 0; below, its rank is #{i: λ < λ*(σ_i)}. ``threshold``:
    λ*(m, L) (m = σ) under ``convention``; ``multiples``: other conventions' λ* as multiples (numbers or functions
    of L) of the same formula, checked too. With ``layer_weights`` c_l the threshold is the weighted problem's
    (penalty (b/2)Σ c_l||W_l||²); it is judged on the balanced problem as c̄(L)·λ*."""
    weights = layer_weights_from(layer_weights)
    t = claimed_threshold(threshold, convention, multiples, weights)
    return _claim(id, statement, source, paper, resolutions, (
        guarded_check("threshold edges at 50 digits, all conventions", Tier.HIGH_PRECISION, edges_hp(t)),
        guarded_check("certified edge of every singular value: rank rule at every λ off the edges", Tier.CERTIFIED,
                      certified_collapse_check(t)),
        # not marked corroborating: the certified check covers the same spectra (``rank_spectra``), but the float64
        # checks below sample other targets, so the headline stays sampled either way
        guarded_check("rank at every singular value's edge at 50 digits", Tier.HIGH_PRECISION, rank_hp(t)),
        guarded_check("rank of the global minimizer on random targets", Tier.NUMERIC, rank_numeric(t)),
        guarded_check("descent never beats 0 above the threshold", Tier.NUMERIC, descent_numeric(t)),
    ) + _weight_checks(weights))


def matrix_figures_claim(id: str, statement: str, source: str, *, tau: sp.Expr, fig1: Figure1, multiple: object = 1,
                         multiples: Mapping[str, Multiple] | None = None, paper: str = USER_PAPER,
                         resolutions: Sequence[str] = ()) -> Claim:
    """Figures 1–3 regenerated and what each shows checked: ``tau`` the paper's τ(m, L), ``multiple`` the claimed
    A1 threshold λ*/τ (where Fig. 2 marks the tie and Fig. 3 the jump), ``multiples`` the other conventions'
    (Fig. 1's regime is judged under its own convention), ``fig1`` where Fig. 1 is drawn."""
    multiple = positive_constant(multiple, "multiple")
    t = claimed_threshold(tau, "A1", {**(multiples or {}), "A1": multiple})
    return _claim(id, statement, source, paper, resolutions, (
        guarded_check("figure 1", Tier.NUMERIC, figure1(fig1, t)),
        guarded_check("figure 1 at high precision", Tier.HIGH_PRECISION, figure1_hp(fig1, t)),
        guarded_check("figure 2", Tier.HIGH_PRECISION, figure2(t)),
        guarded_check("figure 3", Tier.NUMERIC, figure3(t)),
    ))


__all__ = ["LAYER", "USER_PAPER", "Figure1", "claimed_threshold", "matrix_balancedness_claim", "matrix_collapse_claim",
           "matrix_figures_claim", "matrix_layer_norms_claim", "matrix_trace_claim", "matrix_uniqueness_claim"]
