"""The report as a JSON-able document (schema ``dmf-verify/report``, version 3).

Layout: {schema, schema_version, provenance, summary, claims: [ClaimResult.to_json()]}; each claim
entry holds id, paper, statement, source, resolutions, verdict, tiers, tier_conflict, crashed,
minimal_counterexample, reproduce, seconds and ``evidence`` (one entry per check: check, tier,
verdict, summary, scope, digits, instances, worst_margin, tolerance, counterexample, details,
figures, captions, strength, proved_for, derivation, corroborates, seconds[, error]); each
claim also has ``strength`` (version 3). Documented in docs/report-schema.md.
"""
from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Mapping
from typing import Any

SCHEMA = "dmf-verify/report"
SCHEMA_VERSION = 3
#: versions the renderers read (version 1 lacks scope, tier_conflict, crashed, claim_file_sha256;
#: version 2 lacks strength, proved_for, derivation, corroborates, captions)
READABLE_VERSIONS = (1, 2, 3)
#: the project's statement of the mathematics: what each paper states, what the suite derived,
#: each open point and how the suite resolved it
MATHEMATICS_DOC = "docs/mathematics.md"
#: verdict strengths, weakest first (verify.claims.base.Strength)
STRENGTHS = ("sampled", "agreement", "certified", "proved")


#: Characters no renderer writes as they are: C0 controls but tab, newline and carriage return; DEL and the C1 controls
#: (U+009B alone starts a terminal escape sequence); lone surrogates. A terminal that shows a report would run them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(value: object) -> str:
    """A report's string for a renderer: None → '', control characters and lone surrogates → U+FFFD."""
    return "" if value is None else _CONTROL.sub("\ufffd", str(value))


def _clean(x: Any) -> Any:
    """JSON-safe: infinities become strings, tuples lists, unknown objects their str()."""
    if isinstance(x, float):
        return x if math.isfinite(x) else ("inf" if x > 0 else "-inf" if x < 0 else "nan")
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if x is None or isinstance(x, (str, int, bool)):
        return x
    if hasattr(x, "item"):
        return _clean(x.item())
    return str(x)


def reproducer(claim_id: str, provenance: Mapping[str, Any]) -> str:
    """The command line that reruns one claim with the same seed, profile and precision.

    Every argument is quoted with ``shlex.quote``, so pasting it into a POSIX shell runs exactly
    this command whatever the claim id or the claim file's path contain.
    """
    claim_file = provenance.get("claim_file")
    head = ["verify", "check", str(claim_file)] if claim_file else ["verify", "run"]
    args = head + ["--only", str(claim_id), "--seed", str(provenance["seed"]),
                   "--profile", str(provenance["profile"]), "--digits", str(provenance["dps"])]
    return shlex.join(args)


def shown_strength(item: Mapping[str, Any]) -> str | None:
    """The strength a renderer shows for a claim or a check of a report: only for a verified one and
    only a known strength (a report file may come from anywhere: a refuted or inconclusive verdict
    never shows a strength, whatever the file says)."""
    value = item.get("strength")
    return value if item.get("verdict") == "verified" and value in STRENGTHS else None


def tier_conflict_text(claim: Mapping[str, Any]) -> str | None:
    """"tiers disagree: …" for a claim whose tiers contradict each other (one refutes what another
    verifies), naming each tier's verdict; None otherwise."""
    if not claim.get("tier_conflict"):
        return None
    tiers = claim.get("tiers") or {}
    if isinstance(tiers, Mapping) and tiers:
        shown = ", ".join(f"{t} {v}" for t, v in tiers.items())
    else:
        shown = "see the evidence"
    return f"tiers disagree: {shown}"


def crashed_text(claim: Mapping[str, Any]) -> str | None:
    """"internal error in check X — not a verdict" for a claim with a check that crashed."""
    evidence = [e for e in claim.get("evidence") or [] if isinstance(e, Mapping)]
    names = [str(e.get("check") or "?") for e in evidence if e.get("error")]
    if not names and not claim.get("crashed"):
        return None
    shrink = claim.get("minimal_counterexample")
    if not names and isinstance(shrink, Mapping) and shrink.get("error"):
        return "internal error in the search for a minimal counterexample — the refutation stands"
    label = "check" if len(names) == 1 else "checks"
    return f"internal error in {label} {', '.join(names) or '?'} — not a verdict"


def build_document(run_result, provenance: dict) -> dict:
    """The JSON document of a run: provenance, counts, and every claim with its evidence."""
    claims = []
    for r in run_result.results:
        entry = _clean(r.to_json())
        entry["reproduce"] = reproducer(r.claim.id, provenance)
        claims.append(entry)
    summary = dict(run_result.counts())
    summary.setdefault("crashed", sum(1 for c in claims if c.get("crashed")))
    summary.setdefault("tier_conflicts", sum(1 for c in claims if c.get("tier_conflict")))
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "provenance": provenance,
        "summary": summary,
        "claims": claims,
    }


def to_json_text(document: dict) -> str:
    return json.dumps(_clean(document), indent=2, ensure_ascii=False) + "\n"
