"""Review regression: a user problem whose reduction fails at some depth a claim may be judged at is a usage
error when the claim is built (before: a verdict at the depths where it holds, then a crash, exit 3)."""
import pytest
import sympy as sp

from verify.claims.property import property_claim
from verify.claims.sharpness import sharpness_claim
from verify.errors import UsageError
from verify.problems import parse_problem
from verify.problems.reduction import prove_claim_depths
from verify.symbolic.scalar import rho

# c = 4 − L: > 0 at L ≤ 3, 0 at L = 4 (h ≡ 0), < 0 beyond: the reduction holds only at depths 1–3
SHRINKING = parse_problem("(p - m)**2 / 2", "lam * (4 - L) * w**2")
NOT_REDUCIBLE = parse_problem("(p - m)**2 / 2", "lam * (w**2 - w**4)")
RANGES = dict(m_range=(sp.Integer(1), sp.Integer(2)), lam_range=(sp.Rational(1, 10), sp.Integer(1)))


def test_every_default_depth_is_proved():
    with pytest.raises(UsageError, match="depth L = 4"):
        prove_claim_depths(SHRINKING, None, 3)
    prove_claim_depths(SHRINKING, (2, 3), 3)  # the claim's own depths, where it holds


@pytest.mark.parametrize("build", [
    lambda: property_claim("p", "s", "t", SHRINKING, "stationary", "product <= m", **RANGES),
    lambda: sharpness_claim("s", "s", "t", SHRINKING, rho),
    lambda: sharpness_claim("s", "s", "t", NOT_REDUCIBLE, rho, depths=(3,)),
])
def test_claims_on_an_unjustified_problem_are_refused_when_built(build):
    with pytest.raises(UsageError, match="cannot be reduced"):
        build()


def test_claim_file_threshold_is_refused_when_built(tmp_path):
    from verify.claimfile import load_claim_file

    f = tmp_path / "c.toml"
    f.write_text('[[claim]]\nid = "r"\nkind = "threshold"\nstatement = "s"\nsource = "t"\nformula = "m"\n'
                 'problem = { loss = "(p - m)**2 / 2", penalty = "lam * (4 - L) * w**2" }\n')
    with pytest.raises(UsageError, match="claim 'r': .*cannot be reduced at depth L = 4"):
        load_claim_file(f)
