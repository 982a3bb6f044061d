"""Claims, checks and verdicts (the declaration layer)."""
from .base import Check, CheckResult, Claim, ClaimResult, Strength, Tier, Verdict, combine, run_claim, weakest
from .context import PROFILES, Profile, RunContext, get_profile

__all__ = [
    "Check", "CheckResult", "Claim", "ClaimResult", "Strength", "Tier", "Verdict", "combine", "run_claim", "weakest",
    "PROFILES", "Profile", "RunContext", "get_profile",
]
