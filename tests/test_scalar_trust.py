"""Scalar claim kinds never give a silent wrong verdict (issue 9, items 6 and 7, scalar part).

Each test here failed on the code before the fix: a claim verified for all L from a few depths, float64
refuting what exact tiers contradict, truncated multiplicities, an untested spectrum at 0, `.hypothesis/`
written into the user's directory, and dishonest sources.
"""
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sympy as sp

import proofs
from proofs.kamber_parhi_2026.formulas import tau
from verify.claims import RunContext, Tier, Verdict, get_profile, run_claim
from verify.claims import threshold_numeric as threshold_mod
from verify.claims.minimizer import minimizer_claim
from verify.claims.scalar_spectrum import scalar_spectrum_claim
from verify.claims.threshold import threshold_claim
from verify.conventions import get_convention
from verify.errors import UsageError
from verify.symbolic.scalar import L_sym as L, a, b, lam_star, mabs, rho

QUICK = RunContext(seed=0, profile=get_profile("quick"))
STANDARD = RunContext(seed=0, profile=get_profile("standard"))
GOOD_NONZERO = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1)]
REPO = Path(__file__).resolve().parents[1]


def _check(claim, name_part, tier=None):
    found = [c for c in claim.checks if name_part in c.name and (tier is None or c.tier is tier)]
    assert len(found) == 1, [c.name for c in claim.checks]
    return found[0]


# 1. A claim quantified over all L, right only at small depths ------------------------------------------------

WRONG_FROM_6 = tau() + sp.Max(0, L - 5) * mabs  # equals τ for L ≤ 5, wrong for every L ≥ 6


def test_claim_right_only_below_depth_6_is_not_verified_at_quick_and_sentinels_refute_it():
    r = run_claim(threshold_claim("t", "s", "test", WRONG_FROM_6), QUICK)
    assert r.verdict is Verdict.REFUTED
    by_name = {c.name: c for c in r.checks}
    per_depth = by_name["derived threshold equals the claim at each depth"]
    assert per_depth.verdict is Verdict.VERIFIED and per_depth.scope.startswith("depths 3–5")
    general = by_name["derived threshold equals the claim for every depth"]
    assert general.verdict is Verdict.INCONCLUSIVE and "could not reduce" in general.summary
    assert general.scope == "all L ≥ 3 (L as a symbol)"
    hp = by_name["bisection on λ over all stationary points"]
    assert hp.verdict is Verdict.REFUTED and hp.counterexample["depth"] == 6
    assert "sentinel" in hp.scope and "64" in hp.scope


def test_claim_right_only_below_depth_6_is_refuted_by_the_exact_tier_at_standard():
    claim = threshold_claim("t", "s", "test", WRONG_FROM_6)
    per_depth = _check(claim, "at each depth", Tier.SYMBOLIC).execute(STANDARD)
    assert per_depth.verdict is Verdict.REFUTED and per_depth.counterexample["depth"] == 6
    general = _check(claim, "for every depth").execute(STANDARD)
    assert general.verdict is Verdict.INCONCLUSIVE


def test_verified_for_all_depths_needs_the_general_proof():
    claim = threshold_claim("t", "s", "test", tau())
    general = _check(claim, "for every depth").execute(QUICK)
    assert general.verdict is Verdict.VERIFIED and general.scope == "all L ≥ 3 (L as a symbol)"
    wrong = _check(threshold_claim("t", "s", "test", tau() * (1 + sp.Rational(1, 10**6))), "for every depth")
    assert wrong.execute(QUICK).verdict is Verdict.REFUTED


def test_explicit_depths_have_no_general_claim_and_say_which_depths():
    claim = threshold_claim("t", "s", "test", tau(), depths=(3, 4))
    assert not [c for c in claim.checks if "every depth" in c.name]
    r = run_claim(claim, QUICK)
    assert r.verdict is Verdict.VERIFIED
    assert all(c.scope and "depths 3–4" in c.scope for c in r.checks)


# 2. Float64 never refutes on its own ---------------------------------------------------------------------------

ZERO = sp.sqrt(2) + sp.sqrt(3) - sp.sqrt(5 + 2 * sp.sqrt(6))  # exactly 0; about 1e-16 in float64


def test_cancelling_formula_equal_to_tau_is_not_refuted():
    claim = threshold_claim("t", "s", "test", tau() + ZERO * (mabs + 1) ** 50, depths=(3, 4))
    r = run_claim(claim, QUICK)
    assert r.verdict is not Verdict.REFUTED
    assert r.tier_verdicts()["numeric"] is Verdict.VERIFIED
    assert r.tier_verdicts()["high-precision"] is Verdict.VERIFIED


def test_unconfirmed_float64_counterexample_is_a_conflict(monkeypatch):
    real = threshold_mod.collapse_gaps

    def flipped(*args):  # a float64 kernel that gets every decision wrong
        f0, gaps, counts = real(*args)
        return f0, -gaps, counts

    monkeypatch.setattr(threshold_mod, "collapse_gaps", flipped)
    check = _check(threshold_claim("t", "s", "test", tau(), depths=(3,)), "float64", Tier.NUMERIC)
    result = check.execute(QUICK)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.summary.startswith("conflict: float64 says")
    assert "high precision says" in result.summary


def test_minimizer_claim_within_float_resolution_at_depth_2_is_not_refuted():
    star = lam_star(2, get_convention("A1")).subs(mabs, 3)
    lam = star * (1 - sp.Rational(1, 10**59))
    r = run_claim(minimizer_claim("m", "s", "test", 2, "3", str(lam), "nonzero"), QUICK)
    tiers = r.tier_verdicts()
    assert r.verdict is not Verdict.REFUTED
    assert tiers["symbolic"] is Verdict.VERIFIED and tiers["high-precision"] is Verdict.VERIFIED
    numeric = [c for c in r.checks if c.tier is Tier.NUMERIC][0]
    assert numeric.verdict is Verdict.INCONCLUSIVE and ("conflict" in numeric.summary or "too close" in numeric.summary)
    assert all(c.scope and c.scope.startswith("one instance: L = 2") for c in r.checks)


def test_minimizer_claim_beyond_working_precision_is_undecided_at_high_precision():
    star = lam_star(2, get_convention("A1")).subs(mabs, 3)
    lam = star * (1 - sp.Rational(1, 10**65))  # below the 60-digit working precision, above 120
    r = run_claim(minimizer_claim("m", "s", "test", 2, "3", str(lam), "nonzero"), QUICK)
    assert r.verdict is not Verdict.REFUTED


# 3. Multiplicities are exact -------------------------------------------------------------------------------------

@pytest.mark.parametrize("mult", [L - sp.Rational(1, 2), sp.Rational(1, 2), -1, L - 4, a])
def test_malformed_multiplicity_is_a_usage_error(mult):
    with pytest.raises(UsageError, match="multiplicity"):
        scalar_spectrum_claim("s", "s", "test", [(2 * b, mult), GOOD_NONZERO[1]], [(b, L)])


def test_malformed_multiplicity_at_zero_and_unknown_symbols_are_usage_errors():
    with pytest.raises(UsageError, match="multiplicity"):
        scalar_spectrum_claim("s", "s", "test", GOOD_NONZERO, [(b, L - sp.Rational(1, 2))], depths=(3,))
    with pytest.raises(UsageError, match="rho"):
        scalar_spectrum_claim("s", "s", "test", GOOD_NONZERO, [(b + rho, L)], depths=(3,))


def test_huge_multiplicity_is_refuted_without_allocating():
    claim = scalar_spectrum_claim("s", "s", "test", [(2 * b, 10**300), GOOD_NONZERO[1]], [(b, L)], depths=(3,))
    start = time.perf_counter()
    r = run_claim(claim, QUICK)
    assert time.perf_counter() - start < 30
    assert {str(c.tier): c.verdict for c in r.checks} == {
        "symbolic": Verdict.REFUTED, "high-precision": Verdict.REFUTED, "certified": Verdict.REFUTED,
        "numeric": Verdict.REFUTED}
    assert not any(c.error for c in r.checks)


def test_claim_file_multiplicity_is_strict(tmp_path):
    from verify.claimfile import load_claim_file

    f = tmp_path / "c.toml"
    f.write_text(textwrap.dedent('''
        [[claim]]
        id = "mine.spectrum"
        kind = "spectrum"
        statement = "s"
        source = "test"
        nonzero = [["2*b", "L - 1/2"], ["L*a*rho**(2*L - 2) + (2 - L)*b", "1"]]
        at_zero = [["b", "L"]]
        depths = [3, 4]
    '''))
    with pytest.raises(UsageError, match="multiplicity"):
        load_claim_file(f)


# 4. The spectrum at 0 is tested by the numeric tier too ---------------------------------------------------------

@pytest.mark.parametrize("at_zero", [[(2 * b, L)], [(b, L - 1), (2 * b, 1)], [(b * (1 + sp.Rational(1, 10**6)), L)]])
def test_wrong_spectrum_at_zero_refuted_by_the_numeric_tier(at_zero):
    claim = scalar_spectrum_claim("s", "s", "test", GOOD_NONZERO, at_zero, depths=(3, 4))
    result = _check(claim, "float64", Tier.NUMERIC).execute(QUICK)
    assert result.verdict is Verdict.REFUTED, result.summary
    assert result.counterexample["point"] == "0"


# 5. The shrinker writes nothing into the current directory ------------------------------------------------------

def test_shrinking_writes_no_hypothesis_directory_into_the_cwd(tmp_path):
    script = textwrap.dedent('''
        import sys
        import sympy as sp
        from proofs.kamber_parhi_2026.formulas import tau
        from verify.claims import RunContext, get_profile, run_claim
        from verify.claims.threshold import threshold_claim
        claim = threshold_claim("t", "s", "test", tau() * (1 + sp.Rational(1, 10**6)), depths=(3,))
        assert "hypothesis" not in sys.modules, "hypothesis imported while building a claim"
        r = run_claim(claim, RunContext(seed=0, profile=get_profile("quick")))
        assert r.minimal_counterexample and r.minimal_counterexample.get("depth") == 3, r.minimal_counterexample
    ''')
    env = {k: v for k, v in os.environ.items() if not k.startswith("HYPOTHESIS")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")])
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not (tmp_path / ".hypothesis").exists()
    assert list(tmp_path.iterdir()) == []


# 6. Honest sources ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cid,section", [("kp.threshold", "§K1"), ("kp.threshold.B", "§K1"),
                                         ("kp.threshold.depth2", "§K1"), ("kp.uniqueness.scalar", "§K2"),
                                         ("kp.hessian_spectrum", "§K4")])
def test_scalar_sources_are_honest(cid, section):
    claim = next(c for c in proofs.catalogue() if c.id == cid)
    text = claim.source + " " + " ".join(claim.resolutions)
    assert "MATH.md" not in text
    for word in ("theorem", "Thm", "Lemma", "Corollary"):
        assert word not in text
    assert f"docs/mathematics.md {section}" in claim.source
    assert "stated in the abstract" in claim.source and "derived by the suite" in claim.source


def test_claimed_values_follow_cancellation_where_fixed_precision_agrees_with_itself_on_garbage():
    """(m+1)^60 − expand((m+1)^60) is exactly 0; mpmath at 40 and 80 digits both give τ − 1 − τ = −1 here."""
    from verify.claims.scalar_common import claimed_floats, claimed_values

    f = (tau() + ((mabs + 1) ** 60 - sp.expand((mabs + 1) ** 60))).subs(L, 3)
    m = sp.Rational(178871, 1000)
    expected = sp.N(tau(m, 3), 30)  # τ alone, evaluated by SymPy
    assert abs(claimed_values(f, mabs, [m], 30)[0] - expected) < 1e-25 * expected
    assert abs(claimed_floats(f, mabs, [m, sp.Rational(1, 3)])[0] - float(expected)) < 1e-12 * float(expected)


def test_huge_powers_in_a_claim_do_not_run_away():
    start = time.perf_counter()
    r = run_claim(threshold_claim("t", "s", "test", tau() + (mabs + 1) ** 4000, depths=(3,)), QUICK)
    assert r.verdict is Verdict.REFUTED and not r.crashed
    assert time.perf_counter() - start < 60
