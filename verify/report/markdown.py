"""Render the report document as Markdown (report.md)."""
from __future__ import annotations

import json

TIERS = ("symbolic", "high-precision", "numeric")
MARK = {"verified": "✅ verified", "refuted": "❌ refuted", "inconclusive": "⚠️ inconclusive"}


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: dict) -> str:
    p, s = doc["provenance"], doc["summary"]
    lines = [
        "# dmf-verify report", "",
        f"**{s['verified']} verified, {s['refuted']} refuted, {s['inconclusive']} inconclusive** "
        f"of {s['total']} claims — profile `{p['profile']}`, seed `{p['seed']}`, {p['dps']} digits, "
        f"{p['wall_seconds']} s wall.", "",
        "| claim | verdict | " + " | ".join(TIERS) + " | seconds |",
        "|---|---|" + "---|" * len(TIERS) + "---|",
    ]
    for c in doc["claims"]:
        tiers = [MARK.get(c["tiers"].get(t, ""), "—") for t in TIERS]
        lines.append(f"| `{c['id']}` | {MARK[c['verdict']]} | " + " | ".join(tiers) + f" | {c['seconds']} |")
    notes: list[str] = []
    for c in doc["claims"]:
        for r in c["resolutions"]:
            if r not in notes:
                notes.append(r)
    if notes:
        lines += ["", "## Open points the suite resolved", ""] + [f"- {n}" for n in notes]
    for c in doc["claims"]:
        lines += ["", f"## `{c['id']}` — {MARK[c['verdict']]}", "", f"> {c['statement']}", "",
                  f"*Source:* {c['source']}", ""]
        for e in c["evidence"]:
            lines.append(f"### {e['tier']}: {e['check']} — {MARK[e['verdict']]}")
            lines.append("")
            lines.append(e["summary"])
            lines.append("")
            facts = [(k, e.get(k)) for k in ("digits", "instances", "worst_margin", "tolerance", "seconds")]
            lines += [f"- {k.replace('_', ' ')}: {v}" for k, v in facts if v not in (None, "")]
            if e.get("counterexample"):
                lines += ["", "Counterexample:", "", "```json",
                          json.dumps(e["counterexample"], indent=2, ensure_ascii=False), "```"]
            if e.get("error"):
                lines += ["", "```", e["error"].strip(), "```"]
            if e.get("details"):
                lines += ["", "<details><summary>details</summary>", "", "```json",
                          json.dumps(e["details"], indent=2, ensure_ascii=False), "```", "", "</details>"]
            for f in e.get("figures", []):
                lines += ["", f"![{e['check']}]({f})"]
            lines.append("")
    lines += ["", "## Provenance", "", "```json", json.dumps(p, indent=2, ensure_ascii=False), "```", ""]
    return "\n".join(lines)
