"""The exact log-combination test (verify.symbolic.log_identity) against the route it replaces, SymPy's simplify,
on the every-depth threshold proofs: where the new test says 0, simplify says 0 too; perturbed claims are not 0."""
from __future__ import annotations

import sympy as sp

from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import threshold as threshold_claims
from verify.conventions import get_convention
from verify.symbolic.log_identity import log_combination_vanishes
from verify.symbolic.scalar import L_sym, _general_depth_ratio, _monomial_in_m, a, general_depth_ratio, mabs

k = sp.Symbol("k", integer=True, nonnegative=True)


def _raw_log_ratio(claimed_b: sp.Expr, a_value: sp.Expr, start: int) -> sp.Expr:
    """log(b*(L)/b_claim(L)) with L = k + start, logs expanded: the input of general_depth_ratio's decision."""
    Lk = k + start
    x = mabs * (Lk - 2) / (Lk - 1)
    b_general = a_value * (mabs - x) * x ** ((Lk - 2) / Lk)
    # L = k + start first, as general_depth_ratio does (its force rewrites need bases proved positive on k ≥ 0)
    return sp.expand_log(sp.log(b_general / _monomial_in_m(claimed_b.subs(L_sym, Lk))), force=True)


def _claimed_b(conv_name: str, formula: sp.Expr) -> sp.Expr:
    conv = get_convention(conv_name)
    return conv.b_num * formula / (L_sym if conv.b_per_depth else 1)


CATALOGUE = [("A1", tau()), ("A2", tau()), ("S", tau() / L_sym), ("S2", tau() / L_sym), ("B", tau() / (2 * L_sym))]
PERTURBED = [("A1", tau() * (1 + sp.Rational(1, 10**6))), ("A2", 2 * tau()), ("S", tau()),
             ("A1", tau() * L_sym / (L_sym + 1)), ("B", tau() * mabs ** sp.Rational(1, 10**3))]


def test_catalogue_log_ratios_vanish_as_simplify_says():
    for name, formula in CATALOGUE:
        conv = get_convention(name)
        for start in (3, 4):
            raw = _raw_log_ratio(_claimed_b(name, formula), sp.sympify(conv.a), start)
            assert sp.simplify(raw) == 0  # the replaced route
            assert log_combination_vanishes(raw), (name, start)


def test_perturbed_log_ratios_are_not_shown_zero():
    for name, formula in PERTURBED:
        conv = get_convention(name)
        claimed = _monomial_in_m(_claimed_b(name, formula).subs(L_sym, k + 3))
        assert claimed is not None, name
        raw = _raw_log_ratio(_claimed_b(name, formula), sp.sympify(conv.a), 3)
        assert sp.simplify(raw) != 0
        assert not log_combination_vanishes(raw), name


def test_general_depth_ratio_equals_the_simplify_route():
    """The ratio general_depth_ratio returns is the one the simplify-only route returned (1 for the catalogue,
    the same expression for a perturbed claim, which the fast test leaves to simplify)."""
    def simplify_route(claimed_b, a_value, start):
        log_ratio = sp.simplify(_raw_log_ratio(claimed_b, a_value, start))
        if log_ratio.has(mabs) or log_ratio.has(a):
            return None
        return sp.simplify(sp.exp(log_ratio).subs(k, L_sym - start))

    for name, formula in CATALOGUE + PERTURBED[:2]:
        conv = get_convention(name)
        cb = _claimed_b(name, formula)
        _general_depth_ratio.cache_clear()
        assert general_depth_ratio(cb, conv.a, 3) == simplify_route(cb, sp.sympify(conv.a), 3), name


def test_elimination_zero_equals_the_simplify_route():
    for name, formula in CATALOGUE + PERTURBED[:3]:
        conv = get_convention(name)
        cb = _claimed_b(name, formula)
        shifted = sp.expand_log(threshold_claims._log_ratio_at(sp.sympify(conv.a), cb).subs(L_sym, k + 3), force=True)
        threshold_claims._elimination_zero.cache_clear()
        assert threshold_claims.elimination_confirms(conv, cb, 3) == (sp.simplify(shifted) == 0), name


def test_small_identities():
    m = mabs
    assert log_combination_vanishes(sp.log(4) - 2 * sp.log(2))
    assert log_combination_vanishes(sp.log(m * (k + 2) / 3) - sp.log(m) - sp.log(k + 2) + sp.log(3))
    assert log_combination_vanishes((k + 1) * sp.log(6 * m) - (k + 1) * (sp.log(2) + sp.log(3) + sp.log(m)))
    assert not log_combination_vanishes(sp.log(k + 1))
    assert not log_combination_vanishes(sp.log(3) - sp.log(2))
    # not proved positive, or not a polynomial argument: not shown (the caller falls back to simplify)
    assert not log_combination_vanishes(sp.log(k) - sp.log(k + 1) + sp.log(k + 1) - sp.log(k) + sp.log(k - 1))
    assert not log_combination_vanishes(sp.log(m ** k) - k * sp.log(m))


def test_symbolic_L_elimination_equals_the_solve_route():
    """φ' = 0 solved for b and the tie solved for X = ρ^L by linear algebra give the very expressions sp.solve gave."""
    from verify.symbolic.scalar import b as b_sym, rho

    phi = a / 2 * (rho**L_sym - mabs) ** 2 + b_sym * L_sym / 2 * rho**2
    b_rho = sp.factor(sp.solve(sp.diff(phi, rho), b_sym)[0])
    tie = sp.factor(sp.powsimp(sp.expand((phi - phi.subs(rho, 0)).subs(b_sym, b_rho) / rho**2)))
    X = sp.Symbol("X", positive=True)
    x = sp.solve(sp.expand(tie).subs(rho**L_sym, X), X)[0]
    b_star = sp.powdenest(b_rho.subs(rho, x ** (1 / L_sym)), force=True)
    assert threshold_claims._symbolic_L_elimination() == (phi, b_rho, tie, x, b_star)
    # a shape the linear route does not cover goes to sp.solve
    assert threshold_claims._positive_root(X**2 - 4, X) == 2


def test_derivation_steps_print_as_evaluated_equalities_did():
    from verify.claims.derivation import step

    conv = get_convention("A1")
    cb = _claimed_b("A1", tau())
    steps = threshold_claims.general_derivation(conv, cb, 3)
    phi, b_rho, tie, x, b_star = threshold_claims._symbolic_L_elimination()
    assert steps[1] == step("φ'(ρ) = 0 with ρ > 0 is linear in b", sp.Eq(sp.Symbol("b", positive=True), b_rho))
    assert steps[3] == step("its only positive solution", sp.Eq(sp.Symbol("rho", positive=True) ** L_sym, x))
    B = sp.Symbol("b^*", positive=True)
    assert steps[4] == step("so the jump happens at", sp.Eq(B, b_star))


def test_a_large_constant_is_split_by_trial_division_only_and_the_test_stays_sound():
    """A claim's constant with two 25-digit prime factors is not factored (that took minutes): it stays a base of
    its own, which keeps the test sound — identities among the split parts are still found, and an identity that
    needs the unsplit cofactor's primes is 'not shown' (simplify decides), never a false zero."""
    from fractions import Fraction

    from verify.symbolic.log_identity import FACTOR_LIMIT, _prime_logs, log_combination_vanishes

    p, q = sp.nextprime(10 ** 24), sp.nextprime(3 * 10 ** 24)
    out: dict = {}
    _prime_logs(Fraction(4 * p * q, 3), 1, out)
    assert out == {("prime", 2): 2, ("prime", int(p * q)): 1, ("prime", 3): -1} and p * q > FACTOR_LIMIT
    N = sp.Integer(p * q)
    assert log_combination_vanishes(sp.log(4 * N) - 2 * sp.log(2) - sp.log(N))
    assert not log_combination_vanishes(sp.log(N) - sp.log(p) - sp.log(q))  # true, but not shown here
    assert not log_combination_vanishes(sp.log(N) - sp.log(p) - sp.log(q + 1))
