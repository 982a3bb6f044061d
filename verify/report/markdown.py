"""Render the report document as Markdown (report.md).

Every claim carries its evidence here as in the JSON: each check's scope, a refuted claim's
counterexamples (the shrunk one included) and the exact command that reproduces it, a conflict
between tiers and a crashed check (an internal error, never a verdict) are all spelt out.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .document import MATHEMATICS_DOC, crashed_text, tier_conflict_text

TIERS = ("symbolic", "high-precision", "numeric")
MARK = {"verified": "✅ verified", "refuted": "❌ refuted", "inconclusive": "⚠️ inconclusive"}
FACTS = ("scope", "digits", "instances", "worst_margin", "tolerance", "seconds")


def _mark(verdict: object) -> str:
    return MARK.get(str(verdict), f"`{verdict}`" if verdict is not None else "—")


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _quote(text: object) -> str:
    """A block quote, however many lines ``text`` has."""
    return "\n".join("> " + line for line in str(text).splitlines() or [""])


def _fence(body: str, lang: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside ``body``."""
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, body.rstrip("\n"), fence]


def _ids(claims: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"`{c.get('id')}`" for c in claims)


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def render_markdown(doc: Mapping[str, Any]) -> str:
    """The whole report as Markdown: counts, a summary table, open points, each claim's evidence."""
    p = doc.get("provenance") or {}
    s = doc.get("summary") or {}
    claims = [c for c in doc.get("claims") or [] if isinstance(c, Mapping)]
    lines = [
        "# dmf-verify report", "",
        f"**{s.get('verified', 0)} verified, {s.get('refuted', 0)} refuted, "
        f"{s.get('inconclusive', 0)} inconclusive** of {s.get('total', len(claims))} claims — profile "
        f"`{p.get('profile')}`, seed `{p.get('seed')}`, {p.get('dps')} digits, {p.get('wall_seconds')} s wall.",
        "",
    ]
    crashed = [c for c in claims if crashed_text(c)]
    conflicts = [c for c in claims if tier_conflict_text(c)]
    if crashed:
        lines += [f"**Internal error:** a check crashed in {len(crashed)} claim(s) "
                  f"({_ids(crashed)}); a crash is not a verdict.", ""]
    if conflicts:
        lines += [f"**Tiers disagree** in {len(conflicts)} claim(s) "
                  f"({_ids(conflicts)}); see each claim below.", ""]
    lines += ["| claim | verdict | " + " | ".join(TIERS) + " | seconds |",
              "|---|---|" + "---|" * len(TIERS) + "---|"]
    for c in claims:
        tiers = c.get("tiers") or {}
        verdict = _mark(c.get("verdict"))
        if tier_conflict_text(c):
            verdict += " (tiers disagree)"
        if crashed_text(c):
            verdict += " (internal error)"
        lines.append(f"| `{_cell(c.get('id'))}` | {verdict} | "
                     + " | ".join(_mark(tiers.get(t)) if t in tiers else "—" for t in TIERS)
                     + f" | {c.get('seconds')} |")
    lines += _open_points(claims)
    for c in claims:
        lines += _claim(c)
    lines += ["", "## Provenance", "", *_fence(_json(p), "json"), ""]
    return "\n".join(lines)


def _open_points(claims: list[Mapping[str, Any]]) -> list[str]:
    """Each resolution once, naming the claims it belongs to."""
    owners: dict[str, list[str]] = {}
    for c in claims:
        for r in c.get("resolutions") or []:
            ids = owners.setdefault(str(r), [])
            if str(c.get("id")) not in ids:
                ids.append(str(c.get("id")))
    if not owners:
        return []
    lines = ["", "## Open points the suite resolved", "",
             f"Where a source leaves a point open, the suite fixes it as below; `{MATHEMATICS_DOC}` in the "
             "dmf-verify repository states, claim by claim, what the paper states, what the suite derived "
             "and how each open point was resolved.", ""]
    for note, ids in owners.items():
        lines.append(f"- {', '.join(f'`{i}`' for i in ids)}: {note}")
    return lines


def _claim(c: Mapping[str, Any]) -> list[str]:
    lines = ["", f"## `{c.get('id')}` — {_mark(c.get('verdict'))}", "", _quote(c.get("statement")), "",
             f"*Source:* {c.get('source')}", ""]
    for warning in (tier_conflict_text(c), crashed_text(c)):
        if warning:
            lines += [f"**{warning}**", ""]
    if c.get("resolutions"):
        lines += [f"*Open points resolved (see `{MATHEMATICS_DOC}`):*", ""]
        lines += [f"- {r}" for r in c["resolutions"]] + [""]
    if c.get("minimal_counterexample") is not None:
        lines += ["**Minimal counterexample** (shrunk):", "", *_fence(_json(c["minimal_counterexample"]), "json"), ""]
    if c.get("reproduce"):
        lines += ["**Reproduce:**", "", *_fence(str(c["reproduce"]), "sh"), ""]
    for e in c.get("evidence") or []:
        if isinstance(e, Mapping):
            lines += _check(e)
    return lines


def _check(e: Mapping[str, Any]) -> list[str]:
    lines = [f"### {e.get('tier')}: {e.get('check')} — {_mark(e.get('verdict'))}", "", str(e.get("summary")), ""]
    lines += [f"- {k.replace('_', ' ')}: {e.get(k)}" for k in FACTS if e.get(k) not in (None, "")]
    if e.get("counterexample") is not None:
        lines += ["", "Counterexample:", "", *_fence(_json(e["counterexample"]), "json")]
    if e.get("error"):
        lines += ["", "Internal error (the check crashed; not a verdict):", "", *_fence(str(e["error"]).strip())]
    if e.get("details"):
        lines += ["", "<details><summary>details</summary>", "", *_fence(_json(e["details"]), "json"), "",
                  "</details>"]
    for f in e.get("figures") or []:
        lines += ["", f"![{e.get('check')}]({f})"]
    lines.append("")
    return lines
