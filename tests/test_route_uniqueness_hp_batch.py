"""kp.uniqueness's 50-digit check solves each depth's problems in one batch: the same rows and verdicts as the
one-instance-at-a-time loop it replaces (written out below), and a σ_c that fails part-way fails where it did."""
from __future__ import annotations

import mpmath
import pytest
import sympy as sp

from verify.claims import RunContext, Verdict, get_profile
from verify.claims.closed_form import mp_of
from verify.claims.matrix_uniqueness import hp_switch_check
from verify.conventions import CONVENTIONS, get_convention
from verify.landscape.reduction import critical_value_exact, solve_scalar_mp
from verify.numbers import dec


def _old_rows(sigma_c, ctx):
    """The loop as it was: per instance, σ_c then three ``solve_scalar_mp``; stops at the first bad row."""
    rng = ctx.rng("kp.uniqueness.hp")
    dps = ctx.dps
    delta = mpmath.mpf(10) ** -(dps // 2)
    rows = []
    for L in ctx.profile.depths:
        if L < 3:
            continue
        for _ in range(ctx.profile.hp_instances):
            conv = get_convention(str(rng.choice(list(CONVENTIONS))))
            lam = sp.Rational(int(rng.integers(1, 5000)), 1000)
            a, b = conv.ab(lam, L)
            with mpmath.workdps(dps + 20):
                sc = mp_of(sigma_c(L, a, b), dps + 10)
                at = solve_scalar_mp(sc, L, a, b, dps)
                below = solve_scalar_mp(sc * (1 - delta), L, a, b, dps)
                above = solve_scalar_mp(sc * (1 + delta), L, a, b, dps)
            row = {"depth": L, "convention": conv.name, "lambda": str(lam), "sigma_c": dec(sc, 30),
                   "tie_at": at.tie, "gap_at": dec(at.gap, 5), "x_below": dec(below.x, 8), "x_above": dec(above.x, 8)}
            rows.append(row)
            if not (at.tie and len(at.minimizers) == 2 and below.x == 0 and not below.tie
                    and above.x > 0 and not above.tie):
                return rows, row
    return rows, None


@pytest.mark.parametrize("scale", [1, sp.Rational(1000001, 1000000)])
def test_batched_hp_check_matches_the_loop(scale):
    ctx = RunContext(seed=3, profile=get_profile("quick"))
    sigma_c = lambda L, a, b: scale * critical_value_exact(L, a, b)  # noqa: E731
    got = hp_switch_check(sigma_c)(ctx)
    rows, bad = _old_rows(sigma_c, ctx)
    if bad is None:
        assert got.verdict is Verdict.VERIFIED and got.details["rows"] == rows[:30] and got.instances == len(rows)
    else:
        assert got.verdict is Verdict.REFUTED and got.counterexample == bad


def test_sigma_c_failing_part_way():
    """An instance before the failing one that refutes still refutes; with none, the failure propagates."""
    ctx = RunContext(seed=3, profile=get_profile("quick"))
    calls = []

    def failing(scale):
        def sigma_c(L, a, b):
            calls.append(L)
            if len(calls) == 3:
                raise ValueError("no σ_c here")
            return scale * critical_value_exact(L, a, b)
        return sigma_c

    assert hp_switch_check(failing(sp.Rational(11, 10)))(ctx).verdict is Verdict.REFUTED
    calls.clear()
    with pytest.raises(ValueError, match="no σ_c here"):
        hp_switch_check(failing(1))(ctx)
