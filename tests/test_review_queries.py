"""Review regression: `verify threshold` for a user problem cross-checks a "no collapse" derivation too."""
import mpmath

import verify.highprec.problem as hpp
from verify.problems import parse_problem
from verify.queries import problem_threshold_summary

CUBIC = parse_problem("(p - m)**2 / 2", "lam * abs(w)**3")  # degree 3 > L = 2: no collapse (§P2)


def test_no_collapse_agrees_with_the_independent_route():
    out = problem_threshold_summary(2, "3/2", CUBIC, 20)
    assert out["kind"] == "none" and out["bisection"] is None and "does not collapse" in out["note"]


def test_no_collapse_contradicted_by_the_independent_route_is_reported(monkeypatch):
    """Before the fix a "none" derivation was printed without running the mpmath route at all."""
    monkeypatch.setattr(hpp, "threshold", lambda problem, depth, m, rel_tol=None: mpmath.mpf(1))
    out = problem_threshold_summary(2, "3/2", CUBIC, 20)
    assert out["digits"] == "0.0" and "disagree" in out["note"] and out["bisection"] is not None
