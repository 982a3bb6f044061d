"""Review regressions: claim-file defaults for user problems match the documented ones."""
from pathlib import Path

from verify.claimfile import load_claim_file

CLAIM = """
[[claim]]
id = "u.t"
kind = "threshold"
statement = "s"
source = "test"
problem = {{ loss = "(p - m)**2 / 2", penalty = "lam * w**2" }}
formula = "{formula}"
"""


def _scope(tmp_path: Path, formula: str) -> str:
    from verify.claims import RunContext, get_profile

    f = tmp_path / "c.toml"
    f.write_text(CLAIM.format(formula=formula))
    (claim,) = load_claim_file(f)
    symbolic = claim.checks[0]
    return symbolic.execute(RunContext(profile=get_profile("quick"))).scope


def test_problem_threshold_without_depths_uses_the_documented_default(tmp_path):
    """docs/claim-files.md and the schema: a threshold claim without depths is checked at the profile's depths
    >= 3 (>= 1 for "none"), for a problem table as for a convention. Before the fix the problem route also judged
    depths 1 and 2, and refuted there a formula stated for L >= 3."""
    scope = _scope(tmp_path, "m")  # any formula: only which depths are judged matters here
    assert scope.startswith("depths 3"), scope


def test_problem_threshold_none_keeps_depth_one(tmp_path):
    assert _scope(tmp_path, "none").startswith("depths 1"), _scope(tmp_path, "none")


def test_critical_scale_with_an_exceptional_formula_is_a_usage_error(tmp_path):
    """docs/claim-files.md: critical_scale is a factor on the derived σ_c "when exceptional is absent". Given
    both, the loader multiplied the user's formula by it without saying so; now it names the key."""
    import pytest

    from verify.errors import UsageError

    f = tmp_path / "c.toml"
    f.write_text('[[claim]]\nid = "mu"\nkind = "matrix.uniqueness"\nstatement = "s"\nsource = "test"\n'
                 'exceptional = "(L - 1)/(L - 2)"\ncritical_scale = 2\n')
    with pytest.raises(UsageError, match="claim 'mu': key 'critical_scale': .*only when 'exceptional' is absent"):
        load_claim_file(f)
