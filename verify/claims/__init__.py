"""Claims, checks and verdicts (the declaration layer)."""
from .base import Check, CheckResult, Claim, ClaimResult, Tier, Verdict, combine, run_claim
from .context import PROFILES, Profile, RunContext, get_profile

__all__ = [
    "Check", "CheckResult", "Claim", "ClaimResult", "Tier", "Verdict", "combine", "run_claim",
    "PROFILES", "Profile", "RunContext", "get_profile",
]
