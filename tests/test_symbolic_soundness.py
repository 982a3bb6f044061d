"""The symbolic tier proves only what its exact steps prove (review of this round):
- SymPy's ``force=True`` rewrites assume every base positive (√p·√q/√(pq) → 1 even for p, q < 0): they now run only
  where every base and logarithm is proved positive on the domain (``log_identity.forcing_is_sound``); a claim that
  is wrong where p, q < 0 was "proved" for every L or every m;
- a failure to simplify is not a refutation: 2(cos π/7 + cos 3π/7 + cos 5π/7) = 1 made a right threshold refuted,
  and a rational function written another way made a right Li spectrum refuted."""
from __future__ import annotations

import sympy as sp

from verify.claims import RunContext, Tier, Verdict, get_profile
from verify.symbolic.scalar import L_sym as L, a, b, mabs, rho

QUICK = RunContext(seed=0, profile=get_profile("quick"))


def _branch(p: sp.Expr, q: sp.Expr) -> sp.Expr:
    """√p·√q/√(pq): 1 where p, q > 0, −1 where p, q < 0."""
    return sp.sqrt(p) * sp.sqrt(q) / sp.sqrt(p * q)


def _symbolic(claim) -> list:
    return [(c.name, c.execute(QUICK)) for c in claim.checks if c.tier is Tier.SYMBOLIC]


def test_forcing_is_sound_only_for_bases_proved_positive() -> None:
    from verify.symbolic.log_identity import forcing_is_sound

    k = sp.Symbol("k", integer=True, nonnegative=True)
    assert forcing_is_sound(mabs ** sp.Rational(1, 3) * ((k + 1) / (k + 3)) ** (k / (k + 2)) * sp.log(mabs * (k + 2)))
    assert not forcing_is_sound(_branch(sp.Rational(129, 2) - L, sp.Rational(131, 2) - L))
    assert not forcing_is_sound(sp.log(5 - mabs))


def test_a_threshold_wrong_beyond_a_branch_cut_is_not_proved() -> None:
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.threshold import threshold_claim

    wrong_for_large_L = tau() * _branch(sp.Rational(129, 2) - L, sp.Rational(131, 2) - L)  # −τ for L ≥ 66
    wrong_for_large_m = tau() * _branch(5 - mabs, 6 - mabs)  # −τ for |m| > 6
    for formula in (wrong_for_large_L, wrong_for_large_m):
        for name, r in _symbolic(threshold_claim("t.t", "s", "test", formula)):
            if "every depth" in name or formula is wrong_for_large_m:
                assert r.verdict is not Verdict.VERIFIED and r.proved_for is None, (name, r.summary)


def test_a_sharpness_wrong_beyond_a_branch_cut_is_not_proved() -> None:
    from verify.claims.sharpness import sharpness_claim
    from verify.problems.scalar import convention_problem

    true = L * a * rho ** (2 * L - 2) - (L - 2) * b
    wrong = true * _branch(3 - rho, 4 - rho)  # −true for ρ > 4
    results = _symbolic(sharpness_claim("t.s", "s", "test", convention_problem("A1"), wrong, min_depth=3))
    assert results and all(r.verdict is not Verdict.VERIFIED for _, r in results)


def test_a_constant_that_is_one_but_does_not_simplify_is_not_refuted() -> None:
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.threshold import threshold_claim

    one = 2 * (sp.cos(sp.pi / 7) + sp.cos(3 * sp.pi / 7) + sp.cos(5 * sp.pi / 7))
    results = _symbolic(threshold_claim("t.t", "s", "test", tau() * one))
    assert results and all(r.verdict is not Verdict.REFUTED for _, r in results)
    wrong = _symbolic(threshold_claim("t.t", "s", "test", tau() * (1 + sp.Rational(1, 10 ** 30))))
    assert any(r.verdict is Verdict.REFUTED for _, r in wrong)


def test_li_spectrum_written_as_another_rational_function_is_verified() -> None:
    from verify.claims.symmetric_kinds import symmetric_spectrum_claim
    from verify.symbolic.symmetric import spectrum_closed_form

    def rewritten(lam, S, r, c):
        out = spectrum_closed_form(lam, S, r, c)
        if S:  # 8c·λ_i written as 8c(λ_i² − 1)/(λ_i + 1) + 8c
            out[0] = 8 * c * (lam[S[0]] ** 2 - 1) / (lam[S[0]] + 1) + 8 * c
        return out

    results = _symbolic(symmetric_spectrum_claim("t.l", "s", "test", c=1, spectrum=rewritten))
    assert results and all(r.verdict is Verdict.VERIFIED for _, r in results)


def test_region_margin_signs_are_never_read_from_evalf_noise() -> None:
    """An exact margin whose sign strict evalf cannot resolve is undecided (it was read from the noise of a
    60-digit evaluation), one it resolves has that sign, and an exact 0 is 0."""
    from verify.claims.region_proofs import _sym_sign

    assert _sym_sign(sp.sqrt(2) - 1) == 1 and _sym_sign(1 - sp.sqrt(3)) == -1
    assert _sym_sign(sp.sqrt(8) - 2 * sp.sqrt(2)) == 0
    assert _sym_sign(sp.Rational(1, 10 ** 60)) == 1  # tiny but exact: strict evalf resolves it
    hidden_zero = 2 * (sp.cos(sp.pi / 7) + sp.cos(3 * sp.pi / 7) + sp.cos(5 * sp.pi / 7)) - 1
    assert _sym_sign(hidden_zero) in (0, None)


def test_a_positive_base_with_negative_factors_is_not_split() -> None:
    """−(−m − 1)³ is positive, but force rewrites split √ of it into factors that are not: such a base is not proved
    positive (a claim equal to −τ through it was once proved for every depth)."""
    from proofs.kamber_parhi_2026.formulas import tau
    from verify.claims.threshold import threshold_claim
    from verify.symbolic.log_identity import forcing_is_sound, provably_positive

    assert not provably_positive(-(-mabs - 1) ** 3) and provably_positive((mabs + 1) ** 3)
    assert not forcing_is_sound(sp.sqrt(-(-mabs - 1) ** 3))

    def f(n, c):
        return (-(-mabs - c) ** n) ** sp.Rational(1, 2) / (mabs + c) ** sp.Rational(n, 2)

    one = f(3, 1) * f(3, 2) / f(5, 3)  # 1 for m > 0; force rewrites would make it −1
    for name, r in _symbolic(threshold_claim("t.t", "s", "test", -tau() * one)):
        assert r.verdict is not Verdict.VERIFIED, (name, r.summary)


def test_a_claim_that_cannot_be_evaluated_in_budget_is_undecided_not_a_crash() -> None:
    from verify.claims.base import Check, Claim
    from verify.claims import run_claim
    from verify.errors import ClaimUndecided

    def run(ctx):
        raise ClaimUndecided("evaluating the claimed formula took over 5 s")

    result = run_claim(Claim("t.u", "s", "test", (Check("c", Tier.HIGH_PRECISION, run),)), QUICK)
    assert result.checks[0].verdict is Verdict.INCONCLUSIVE and not result.crashed
