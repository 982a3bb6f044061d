"""JUnit XML rendering of a JSON report (schema dmf-verify/report, versions 1 to 3), for CI dashboards.

One <testsuite> per paper, one <testcase> per claim (classname = paper, name = claim id,
time = seconds). Refuted claims carry a <failure>; a claim with a crashed check and nothing refuted
carries an <error> (an internal error of the tool, not a verdict); other inconclusive claims a
<skipped>; verified claims pass. The failure or error body holds the evidence as text: each check's
scope and margins, the counterexamples (the shrunk one included) and the command that reproduces
the claim; every test case's <system-out> holds the same text. Each test case has a <properties>
block with the claim's verdict and strength (``strength`` is "proved", "certified", "agreement",
"sampled", or "none" when the claim is not verified) and each check's strength
(``strength.<check>``); a verified claim's strength is also in its system-out's first line.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .document import clean_text, crashed_text, shown_strength, tier_conflict_text
from .html import check_report

MAX_MESSAGE = 2000
# Characters XML 1.0 cannot carry at all; they are replaced so the output always parses.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PROVENANCE_KEYS = ("verify_version", "git_commit", "python", "platform", "sympy_ground_types", "seed",
                    "profile", "dps", "started", "wall_seconds", "command", "claim_file",
                    "claim_file_sha256")


def render_junit(report: Mapping[str, Any]) -> str:
    """The report as a JUnit XML document (UTF-8 text with an XML declaration)."""
    check_report(report)
    claims = [c for c in report.get("claims") or [] if isinstance(c, Mapping)]
    provenance = report.get("provenance") if isinstance(report.get("provenance"), Mapping) else {}
    papers: dict[str, list[Mapping[str, Any]]] = {}
    for claim in claims:
        papers.setdefault(_clean(claim.get("paper")) or "dmf-verify", []).append(claim)

    root = ET.Element("testsuites", name="dmf-verify")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for paper, members in papers.items():
        suite = _suite(paper, members, provenance)
        for key in totals:
            totals[key] += float(suite.get(key)) if key == "time" else int(suite.get(key))
        root.append(suite)
    root.set("tests", str(totals["tests"]))
    root.set("failures", str(totals["failures"]))
    root.set("errors", str(totals["errors"]))
    root.set("skipped", str(totals["skipped"]))
    root.set("time", f"{totals['time']:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _clean(value: object) -> str:
    """Text safe for XML and for a terminal: None becomes '', control characters and characters XML cannot hold
    become U+FFFD."""
    return _NOT_XML.sub("\ufffd", clean_text(value))


def _seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        return 0.0
    return float(value) if value != float("inf") else 0.0


def _timestamp(started: object) -> str | None:
    """ISO time without zone or fraction (the form JUnit schemas expect), or None."""
    try:
        return datetime.fromisoformat(str(started)).replace(tzinfo=None, microsecond=0).isoformat()
    except ValueError:
        return None


def _suite(paper: str, claims: list[Mapping[str, Any]],
           provenance: Mapping[str, Any]) -> ET.Element:
    failures = sum(1 for c in claims if c.get("verdict") == "refuted")
    errors = sum(1 for c in claims if c.get("verdict") not in ("refuted", "verified") and _crashed(c))
    skipped = sum(1 for c in claims if c.get("verdict") not in ("refuted", "verified")) - errors
    time_total = sum(_seconds(c.get("seconds")) for c in claims)
    suite = ET.Element("testsuite", name=paper, tests=str(len(claims)), failures=str(failures),
                       errors=str(errors), skipped=str(skipped), time=f"{time_total:.3f}")
    stamp = _timestamp(provenance.get("started"))
    if stamp:
        suite.set("timestamp", stamp)
    properties = ET.SubElement(suite, "properties")
    for key in _PROVENANCE_KEYS:
        if provenance.get(key) is not None:
            ET.SubElement(properties, "property", name=key, value=_clean(provenance[key]))
    packages = provenance.get("packages")
    if isinstance(packages, Mapping):
        for name, version in sorted(packages.items()):
            ET.SubElement(properties, "property", name=f"package.{_clean(name)}",
                          value=_clean(version))
    for claim in claims:
        suite.append(_testcase(paper, claim))
    return suite


def _crashed(claim: Mapping[str, Any]) -> bool:
    """A check crashed: the claim is not refuted, but CI must show an error, not a skip."""
    return bool(claim.get("crashed")) or \
        any(isinstance(e, Mapping) and e.get("error") for e in claim.get("evidence") or [])


def _testcase(paper: str, claim: Mapping[str, Any]) -> ET.Element:
    case = ET.Element("testcase", classname=paper, name=_clean(claim.get("id")),
                      time=f"{_seconds(claim.get('seconds')):.3f}")
    evidence = [e for e in claim.get("evidence") or [] if isinstance(e, Mapping)]
    verdict = claim.get("verdict")
    text = _evidence_text(claim, evidence)
    properties = ET.SubElement(case, "properties")
    ET.SubElement(properties, "property", name="verdict", value=_clean(verdict))
    ET.SubElement(properties, "property", name="strength", value=_clean(shown_strength(claim) or "none"))
    for e in evidence:
        ET.SubElement(properties, "property", name=f"strength.{_clean(e.get('check'))}",
                      value=_clean(shown_strength(e) or "none") + (" (corroborating)" if e.get("corroborates") else ""))
    if verdict == "refuted":
        deciding = [e for e in evidence if e.get("verdict") == "refuted"] or evidence
        message = "; ".join(_clean(e.get("summary")) for e in deciding) or "refuted"
        conflict = tier_conflict_text(claim)
        if conflict:
            message = f"{message} ({conflict})"
        failure = ET.SubElement(case, "failure", message=_one_line(message), type="refuted")
        failure.text = text
    elif verdict != "verified" and _crashed(claim):
        crashed = [e for e in evidence if e.get("error")]
        summaries = "; ".join(_clean(e.get("summary")) for e in crashed)
        message = _clean(crashed_text(claim)) + (f": {summaries}" if summaries else "")
        error = ET.SubElement(case, "error", type="check-crashed", message=_one_line(message))
        error.text = text
    elif verdict != "verified":
        open_checks = [e for e in evidence if e.get("verdict") != "verified"] or evidence
        reason = "; ".join(_clean(e.get("summary")) for e in open_checks)
        label = "inconclusive" if verdict == "inconclusive" else f"verdict {_clean(verdict)!r}"
        ET.SubElement(case, "skipped", message=_one_line(f"{label}: {reason}" if reason else label))
    out = ET.SubElement(case, "system-out")
    out.text = text
    errors = [e for e in evidence if e.get("error")]
    if errors:
        err = ET.SubElement(case, "system-err")
        err.text = "\n\n".join(f"{_clean(e.get('check'))}:\n{_clean(e.get('error'))}"
                               for e in errors)
    return case


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_MESSAGE else line[:MAX_MESSAGE - 3] + "..."


def _evidence_text(claim: Mapping[str, Any], evidence: list[Mapping[str, Any]]) -> str:
    """Plain-text evidence of one claim: statement, source, then one paragraph per check."""
    strength = f" ({shown_strength(claim)})" if shown_strength(claim) else ""
    lines = [f"claim {_clean(claim.get('id'))}: {_clean(claim.get('verdict'))}{strength}",
             f"statement: {_clean(claim.get('statement'))}",
             f"source: {_clean(claim.get('source'))}"]
    lines += [f"resolution: {_clean(r)}" for r in claim.get("resolutions") or []]
    lines += [_clean(w) for w in (tier_conflict_text(claim), crashed_text(claim)) if w]
    if claim.get("minimal_counterexample") is not None:
        dump = json.dumps(claim["minimal_counterexample"], sort_keys=True, ensure_ascii=False, default=str)
        lines.append(f"minimal counterexample (shrunk): {_clean(dump)}")
    if claim.get("reproduce"):
        lines.append(f"reproduce: {_clean(claim['reproduce'])}")
    for e in evidence:
        lines.append("")
        strength = f" ({shown_strength(e)})" if shown_strength(e) else ""
        corroborating = " [corroborating]" if e.get("corroborates") else ""
        lines.append(f"[{_clean(e.get('tier'))}] {_clean(e.get('check'))}: "
                     f"{_clean(e.get('verdict'))}{strength}{corroborating} - {_clean(e.get('summary'))}")
        for key in ("proved_for", "scope", "digits", "instances", "worst_margin", "tolerance", "seconds"):
            if e.get(key) is not None:
                lines.append(f"  {key}: {_clean(e.get(key))}")
        for i, step in enumerate([s for s in e.get("derivation") or [] if isinstance(s, Mapping)], 1):
            formula = f": {_clean(step.get('plain'))}" if step.get("plain") else ""
            lines.append(f"  step {i}. {_clean(step.get('say'))}{formula}")
        if e.get("counterexample") is not None:
            dump = json.dumps(e["counterexample"], sort_keys=True, ensure_ascii=False, default=str)
            lines.append(f"  counterexample: {_clean(dump)}")
        if e.get("error"):
            lines.append("  internal error (the check crashed; not a verdict): see system-err")
        for fig in e.get("figures") or []:
            lines.append(f"  figure: {_clean(fig)}")
    return "\n".join(lines)
