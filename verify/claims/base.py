"""The claim model: a claim declares a statement and the checks that establish it.

A check runs at one of four tiers (symbolic, high precision, certified, numeric) and returns a
``CheckResult`` holding its verdict and the evidence behind it. A claim's verdict is
refuted if any check refutes it, verified if every check verifies it, else inconclusive.

A verified check also says how strong it is (``Strength``): proved for every parameter in a
stated range, certified for the stated instances, agreement of independent routes to N digits, or
sampled. The tier caps the strength a check may claim, so sampling never reads as a proof.
"""
from __future__ import annotations

import enum
import re
import time
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..errors import ClaimUndecided, UsageError
from .context import RunContext

#: Claim ids are safe to paste into a shell and to use in file names and URLs.
CLAIM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+/-]{0,99}")


class Verdict(str, enum.Enum):
    VERIFIED = "verified"
    REFUTED = "refuted"
    INCONCLUSIVE = "inconclusive"

    def __str__(self) -> str:
        return self.value


class Tier(str, enum.Enum):
    SYMBOLIC = "symbolic"
    HIGH_PRECISION = "high-precision"
    CERTIFIED = "certified"
    NUMERIC = "numeric"

    def __str__(self) -> str:
        return self.value


class Strength(str, enum.Enum):
    """How strong a verified check is, weakest first.

    sampled: no counterexample on N instances; agreement: independent routes agree to N digits;
    certified: rigorous for the stated instances (exact arithmetic or interval enclosures);
    proved: an exact identity or inequality for every parameter in the stated range (``proved_for``).
    """

    SAMPLED = "sampled"
    AGREEMENT = "agreement"
    CERTIFIED = "certified"
    PROVED = "proved"

    def __str__(self) -> str:
        return self.value

    @property
    def rank(self) -> int:
        return _STRENGTH_ORDER.index(self)


_STRENGTH_ORDER = (Strength.SAMPLED, Strength.AGREEMENT, Strength.CERTIFIED, Strength.PROVED)

#: the strongest a check of each tier may claim: floats sample, 50 digits agree, only exact or
#: interval computations certify, and only a symbolic tier proves
_TIER_CAP = {Tier.NUMERIC: Strength.SAMPLED, Tier.HIGH_PRECISION: Strength.AGREEMENT,
             Tier.CERTIFIED: Strength.CERTIFIED, Tier.SYMBOLIC: Strength.PROVED}


def weakest(strengths: Iterable[Strength | None]) -> Strength | None:
    """The weakest of ``strengths`` (None when there are none)."""
    present = [s for s in strengths if s is not None]
    return min(present, key=lambda s: s.rank) if present else None


def default_strength(tier: Tier | None, digits: float | None, proved_for: str | None) -> Strength:
    """The strength a verified check has when it does not say: symbolic is proved only with a stated
    range (else certified for its instances), high precision is agreement only with digits (else
    sampled), certified is certified, numeric is sampled."""
    if tier is Tier.SYMBOLIC:
        return Strength.PROVED if proved_for else Strength.CERTIFIED
    if tier is Tier.HIGH_PRECISION:
        return Strength.AGREEMENT if digits is not None else Strength.SAMPLED
    if tier is Tier.CERTIFIED:
        return Strength.CERTIFIED
    return Strength.SAMPLED


def settle_strength(result: "CheckResult", tier: Tier) -> Strength | None:
    """The strength a result may carry: None unless verified; never above its tier's cap; proved
    only with ``proved_for``; agreement only with ``digits``."""
    if result.verdict is not Verdict.VERIFIED:
        return None
    s = result.strength or default_strength(tier, result.digits, result.proved_for)
    if s is Strength.PROVED and not result.proved_for:
        s = Strength.CERTIFIED
    if s is Strength.AGREEMENT and result.digits is None:
        s = Strength.SAMPLED
    cap = _TIER_CAP[tier]
    return s if s.rank <= cap.rank else cap


def combine(verdicts: Iterable[Verdict]) -> Verdict:
    """Refuted beats everything; verified needs every part verified (and at least one part)."""
    vs = list(verdicts)
    if any(v is Verdict.REFUTED for v in vs):
        return Verdict.REFUTED
    if vs and all(v is Verdict.VERIFIED for v in vs):
        return Verdict.VERIFIED
    return Verdict.INCONCLUSIVE


@dataclass
class CheckResult:
    """Verdict and evidence of one check.

    ``digits``: digits of agreement between independent routes (worst case).
    ``instances``: how many instances were tried.
    ``worst_margin``: the smallest normalized margin seen (negative = violated), as a string.
    ``tolerance``: the tolerance used and why (scale and conditioning).
    ``counterexample``: for a refutation, the data that reproduces it.
    ``figures``: PNG file names, relative to the report directory (see RunContext.artifact_path).
    ``scope``: what the verdict covers, e.g. "depths 3–12, 8 targets" or "all L ≥ 3 (symbolic proof)";
    a check verified at a few depths never reads as verified for every depth.
    ``error``: set when the check crashed (an internal error of the tool, never a refutation).
    ``strength``: how strong a verified verdict is (settled by ``Check.execute``; see ``Strength``).
    ``proved_for``: the parameter range an exact proof covers, e.g. "every integer L ≥ 3, m ≠ 0".
    ``captions``: figure file name → a caption saying what the figure shows.
    ``derivation``: the proof's steps, each {"say": sentence, "plain": formula, "mathml": formula},
    built with ``verify.claims.derivation.step``.
    """

    verdict: Verdict
    summary: str
    digits: float | None = None
    instances: int | None = None
    worst_margin: str | None = None
    tolerance: str | None = None
    counterexample: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)
    figures: list[str] = field(default_factory=list)
    scope: str | None = None
    name: str = ""
    tier: Tier | None = None
    seconds: float = 0.0
    error: str | None = None
    strength: Strength | None = None
    proved_for: str | None = None
    derivation: list[dict[str, str]] = field(default_factory=list)
    corroborates: bool = False
    captions: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = {
            "check": self.name,
            "tier": str(self.tier) if self.tier else None,
            "verdict": str(self.verdict),
            "summary": self.summary,
            "digits": None if self.digits is None else round(float(self.digits), 2),
            "instances": self.instances,
            "worst_margin": self.worst_margin,
            "tolerance": self.tolerance,
            "counterexample": self.counterexample,
            "details": self.details,
            "figures": list(self.figures),
            "captions": dict(self.captions),
            "scope": self.scope,
            "strength": None if self.strength is None else str(self.strength),
            "proved_for": self.proved_for,
            "derivation": [dict(d) for d in self.derivation],
            "corroborates": self.corroborates,
            "seconds": round(self.seconds, 3),
        }
        if self.error:
            d["error"] = self.error
        return d


@dataclass(frozen=True)
class Check:
    """One way of establishing a claim, at one tier.

    ``corroborates``: True for a cross-check of a statement another, stronger check of the same
    claim establishes (say float64 sampling beside a certified enclosure). It still refutes; it does
    not lower the claim's headline strength.
    """

    name: str
    tier: Tier
    run: Callable[[RunContext], CheckResult]
    corroborates: bool = False

    def execute(self, ctx: RunContext) -> CheckResult:
        """Run the check, timing it; an internal error becomes an inconclusive result that says so."""
        start = time.perf_counter()
        try:
            result = self.run(ctx)
        except ClaimUndecided as exc:  # the claimed formula's value is unknown within the budget: no verdict
            result = CheckResult(Verdict.INCONCLUSIVE, f"undecided: {exc}", instances=0,
                                 scope="no verdict: the claimed formula could not be evaluated within the budget")
        except Exception as exc:  # a crash must never read as verified
            result = CheckResult(
                Verdict.INCONCLUSIVE,
                f"check crashed: {type(exc).__name__}: {exc}",
                error="".join(traceback.format_exception(exc))[-4000:],
            )
        if not isinstance(result, CheckResult):  # a broken check is an internal error, not a verdict
            result = CheckResult(
                Verdict.INCONCLUSIVE,
                f"check crashed: it returned {type(result).__name__}, not a CheckResult",
                error=f"check {self.name!r} returned {result!r:.200} instead of a CheckResult",
            )
        elif not isinstance(result.verdict, Verdict):  # e.g. the string "refuted": never read as a verdict
            result = CheckResult(
                Verdict.INCONCLUSIVE,
                f"check crashed: its verdict is {result.verdict!r:.60}, not a Verdict",
                error=f"check {self.name!r} returned the verdict {result.verdict!r:.200} instead of a Verdict",
            )
        if result.verdict is Verdict.VERIFIED and result.instances == 0:
            result = CheckResult(Verdict.INCONCLUSIVE, f"nothing was checked (0 instances): {result.summary}",
                                 instances=0, details=result.details, tolerance=result.tolerance)
        result.name = self.name
        result.tier = self.tier
        result.strength = settle_strength(result, self.tier)
        result.corroborates = self.corroborates
        result.seconds = time.perf_counter() - start
        return result


@dataclass(frozen=True)
class Claim:
    """A statement under test with its provenance and its checks.

    ``resolutions`` records how the suite resolved points the source leaves open
    (normalization, region constants), so the report can say so.
    """

    id: str
    statement: str
    source: str
    checks: tuple[Check, ...]
    resolutions: tuple[str, ...] = ()
    paper: str = ""
    #: optional search for a minimal counterexample, run only when the claim is refuted; a function of the
    #: claim and ctx only (in a split run it is its own task, on any worker, after every check is back)
    shrink: Callable[[RunContext], dict[str, Any] | None] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not CLAIM_ID.fullmatch(self.id):
            raise UsageError(f"claim id {self.id!r} must be ASCII letters, digits and . _ - : + / "
                             f"(starting with a letter or digit, at most 100 characters)")


@dataclass
class ClaimResult:
    """All check results of one claim and the combined verdict."""

    claim: Claim
    checks: list[CheckResult]
    minimal_counterexample: dict[str, Any] | None = None

    @property
    def verdict(self) -> Verdict:
        return combine(c.verdict for c in self.checks)

    @property
    def strength(self) -> Strength | None:
        """The headline strength of a verified claim: the weakest among the checks it rests on (all
        but corroborating ones; all when every check corroborates); None unless verified."""
        if self.verdict is not Verdict.VERIFIED:
            return None
        resting = [c for c in self.checks if not c.corroborates] or self.checks
        return weakest(c.strength for c in resting)

    @property
    def seconds(self) -> float:
        return sum(c.seconds for c in self.checks)

    @property
    def crashed(self) -> bool:
        """True when a check raised, or the search for a minimal counterexample did: an internal error of the tool
        (reported as such; exit code 3 unless something is refuted), never a verdict."""
        shrink = self.minimal_counterexample
        return any(c.error for c in self.checks) or (isinstance(shrink, dict) and "error" in shrink)

    def tier_conflict(self) -> bool:
        """True when one tier refutes what another verifies: reported as a conflict, not hidden."""
        tiers = self.tier_verdicts().values()
        return Verdict.REFUTED in tiers and Verdict.VERIFIED in tiers

    def tier_verdicts(self) -> dict[str, Verdict]:
        out: dict[str, list[Verdict]] = {}
        for c in self.checks:
            out.setdefault(str(c.tier), []).append(c.verdict)
        return {t: combine(vs) for t, vs in out.items()}

    def _repr_html_(self) -> str:
        from .display import claim_result_html

        return claim_result_html(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.claim.id,
            "paper": self.claim.paper,
            "statement": self.claim.statement,
            "source": self.claim.source,
            "resolutions": list(self.claim.resolutions),
            "verdict": str(self.verdict),
            "strength": None if self.strength is None else str(self.strength),
            "tiers": {t: str(v) for t, v in self.tier_verdicts().items()},
            "evidence": [c.to_json() for c in self.checks],
            "minimal_counterexample": self.minimal_counterexample,
            "tier_conflict": self.tier_conflict(),
            "crashed": self.crashed,
            "seconds": round(self.seconds, 3),
        }


def run_claim(claim: Claim, ctx: RunContext) -> ClaimResult:
    """Execute every check of ``claim`` in declaration order; shrink a counterexample if refuted."""
    result = ClaimResult(claim, [check.execute(ctx) for check in claim.checks])
    if result.verdict is Verdict.REFUTED and claim.shrink is not None:
        start = time.perf_counter()
        try:
            found = claim.shrink(ctx)
        except Exception as exc:  # the refutation stands; say why no minimal example came with it
            found = {"error": f"shrinking failed: {type(exc).__name__}: {exc}"}
        if found is not None:
            found["seconds"] = round(time.perf_counter() - start, 3)
        result.minimal_counterexample = found
    return result
