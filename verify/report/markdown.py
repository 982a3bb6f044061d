"""Render the report document as Markdown (report.md).

Every claim carries its evidence here as in the JSON: each check's scope and strength, a refuted
claim's counterexamples (the shrunk one included) and the exact command that reproduces it, a
conflict between tiers, a crashed check (an internal error, never a verdict) and the steps of a
proof (in plain text) are all spelt out. The summary table gives each claim's verdict, its strength
and the one line of evidence that matters; open points are listed under the claim they belong to.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Sequence

from .document import MATHEMATICS_DOC, clean_text, crashed_text, shown_strength, tier_conflict_text
from .html import key_evidence

TIERS = ("symbolic", "high-precision", "certified", "numeric")
MARK = {"verified": "✅ verified", "refuted": "❌ refuted", "inconclusive": "⚠️ inconclusive"}
FACTS = ("strength", "proved_for", "scope", "digits", "instances", "worst_margin", "tolerance", "seconds")


def _mark(verdict: object) -> str:
    return MARK.get(str(verdict), f"`{verdict}`" if verdict is not None else "—")


_SPECIAL = re.compile(r"([\\<>&\[\]])")
#: what starts a Markdown block at the start of a line: a heading, a code fence, a list item or rule, a setext
#: underline, a quote, an ordered list item (the number's dot or parenthesis); table rows are kept out by escaping
#: every pipe where lines stay lines (``_quote``, cells)
_BLOCK_START = re.compile(r"^(\s*)(?:([#`~*+=_>-])|(\d+)([.)]))")


def _text(text: object) -> str:
    """Prose from a report as one line of Markdown text: control characters cleaned (U+FFFD), line breaks folded to
    spaces, ``<``, ``>``, ``&``, brackets and backslashes escaped with a backslash, and a block marker at its start
    escaped, so a report's strings (a user's claim file) never become raw HTML, a link, a heading or a code fence."""
    line = _SPECIAL.sub(r"\\\1", " ".join(clean_text(text).splitlines()))
    return _BLOCK_START.sub(lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\" + m.group(4)),
                            line, count=1)


def _cell(text: object) -> str:
    return _text(text).replace("|", "\\|").replace("\n", " ")


def _code_cell(text: object) -> str:
    """Text for a code span in a table cell (a code span shows backslash escapes literally)."""
    return clean_text(text).replace("|", "\\|").replace("\n", " ")


def _quote(text: object) -> str:
    """A block quote, however many lines ``text`` has; its pipes escaped, so that no line pair becomes a table."""
    return "\n".join("> " + _cell(line) for line in str(text).splitlines() or [""])


def _link(path: object) -> str | None:
    """A figure's path as a link target: relative, inside the report set, no scheme; else None."""
    rel = str(path)
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", rel) or rel.startswith("/") or ".." in rel.split("/"):
        return None
    return rel


def _fence(body: str, lang: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside ``body``."""
    body = clean_text(body)
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, body.rstrip("\n"), fence]


def _ids(claims: list[Mapping[str, Any]]) -> str:
    return ", ".join(f"`{c.get('id')}`" for c in claims)


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


def _strength(item: Mapping[str, Any]) -> str:
    value = shown_strength(item)
    return f"**{value}**" if value else "—"


def render_markdown(doc: Mapping[str, Any], plots: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The whole report as Markdown: counts, a summary table, open points, each claim's evidence.

    ``plots``: evidence plots already written into the report set (``verify.report.plots``), linked
    with their captions."""
    p = doc.get("provenance") or {}
    s = doc.get("summary") or {}
    claims = [c for c in doc.get("claims") or [] if isinstance(c, Mapping)]
    plots = [x for x in plots or [] if isinstance(x, Mapping)]
    lines = [
        "# dmf-verify report", "",
        f"**{s.get('verified', 0)} verified, {s.get('refuted', 0)} refuted, "
        f"{s.get('inconclusive', 0)} inconclusive** of {s.get('total', len(claims))} claims — profile "
        f"`{p.get('profile')}`, seed `{p.get('seed')}`, {p.get('dps')} digits, {p.get('wall_seconds')} s wall.",
        "",
        "Strength of a verified verdict, weakest first: **sampled** (no counterexample on N float64 instances), "
        "**agreement** (independent routes agree to N digits), **certified** (rigorous for the stated "
        "instances), **proved** (exact, for every parameter in a stated range). A claim shows the weakest "
        "strength among the checks it rests on.",
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
    lines += ["| claim | verdict | strength | evidence that matters | seconds |", "|---|---|---|---|---|"]
    for c in claims:
        verdict = _mark(c.get("verdict"))
        if tier_conflict_text(c):
            verdict += " (tiers disagree)"
        if crashed_text(c):
            verdict += " (internal error)"
        key = key_evidence(c)
        shown = f"{key['strength']}: {key['text']}" if key else "—"
        lines.append(f"| `{_code_cell(c.get('id'))}` | {verdict} | {_strength(c)} | {_cell(shown)} "
                     f"| {c.get('seconds')} |")
    overview = [x for x in plots if x.get("claim") is None]
    if overview:
        lines += ["", "## Evidence at a glance", ""]
        for x in overview:
            lines += _plot(x)
    lines += _open_points(claims)
    for c in claims:
        lines += _claim(c, [x for x in plots if x.get("claim") == c.get("id")])
    lines += ["", "## Provenance", "", *_fence(_json(p), "json"), ""]
    return "\n".join(lines)


def _plot(plot: Mapping[str, Any]) -> list[str]:
    caption = " ".join(str(plot.get("caption") or "Evidence plot drawn from this report's data.").split())
    link = _link(plot.get("file"))
    return ([f"![{_cell(caption)}]({link})", ""] if link else []) + [f"*{_text(caption)}*", ""]


def _open_points(claims: list[Mapping[str, Any]]) -> list[str]:
    """Open points grouped under the claim they belong to (its id and statement)."""
    with_points = [c for c in claims if c.get("resolutions")]
    if not with_points:
        return []
    lines = ["", "## Open points the suite resolved", "",
             f"Where a source leaves a point open, the suite fixes it as below; `{MATHEMATICS_DOC}` in the "
             "dmf-verify repository states, claim by claim, what the paper states, what the suite derived "
             "and how each open point was resolved.", ""]
    for c in with_points:
        statement = " ".join(str(c.get("statement") or "").split())
        lines += [f"### `{c.get('id')}`", "", _quote(statement), ""]
        lines += [f"- {_text(' '.join(str(r).split()))}" for r in c.get("resolutions") or []] + [""]
    return lines


def _claim(c: Mapping[str, Any], plots: Sequence[Mapping[str, Any]] = ()) -> list[str]:
    strength = f" · {shown_strength(c)}" if shown_strength(c) else ""
    lines = ["", f"## `{c.get('id')}` — {_mark(c.get('verdict'))}{strength}", "", _quote(c.get("statement")), "",
             f"*Source:* {_text(c.get('source'))}", ""]
    tiers = c.get("tiers") or {}
    if isinstance(tiers, Mapping) and tiers:
        ordered = [t for t in TIERS if t in tiers] + sorted(set(map(str, tiers)) - set(TIERS))
        lines += ["*Tiers:* " + ", ".join(f"{t} {_mark(tiers.get(t))}" for t in ordered), ""]
    for warning in (tier_conflict_text(c), crashed_text(c)):
        if warning:
            lines += [f"**{_text(warning)}**", ""]
    if c.get("resolutions"):
        lines += [f"*Open points resolved:* {len(c['resolutions'])}, listed under `{c.get('id')}` in "
                  f"“Open points the suite resolved” above (see `{MATHEMATICS_DOC}`).", ""]
    if c.get("minimal_counterexample") is not None:
        lines += ["**Minimal counterexample** (shrunk):", "", *_fence(_json(c["minimal_counterexample"]), "json"), ""]
    if c.get("reproduce"):
        lines += ["**Reproduce:**", "", *_fence(str(c["reproduce"]), "sh"), ""]
    for x in plots:
        lines += _plot(x)
    for e in c.get("evidence") or []:
        if isinstance(e, Mapping):
            lines += _check(e)
    return lines


def _check(e: Mapping[str, Any]) -> list[str]:
    corroborating = " (corroborating)" if e.get("corroborates") else ""
    lines = [f"### {_text(e.get('tier'))}: {_text(e.get('check'))} — {_mark(e.get('verdict'))}{corroborating}",
             "", _text(e.get("summary")), ""]
    facts = {**e, "strength": shown_strength(e)}
    lines += [f"- {k.replace('_', ' ')}: {_text(facts.get(k))}" for k in FACTS if facts.get(k) not in (None, "")]
    steps = [s for s in e.get("derivation") or [] if isinstance(s, Mapping)]
    if steps:
        lines += ["", "Derivation:", ""]
        for i, s in enumerate(steps, 1):
            lines.append(f"{i}. {_text(' '.join(str(s.get('say') or '').split()))}")
            if s.get("plain"):
                lines += ["", *["   " + x for x in _fence(str(s["plain"]))], ""]
    if e.get("counterexample") is not None:
        lines += ["", "Counterexample:", "", *_fence(_json(e["counterexample"]), "json")]
    if e.get("error"):
        lines += ["", "Internal error (the check crashed; not a verdict):", "", *_fence(str(e["error"]).strip())]
    if e.get("details"):
        lines += ["", "<details><summary>details</summary>", "", *_fence(_json(e["details"]), "json"), "",
                  "</details>"]
    captions = e.get("captions") if isinstance(e.get("captions"), Mapping) else {}
    for f in e.get("figures") or []:
        caption = " ".join(str(captions.get(str(f)) or f"Figure drawn by the {e.get('tier')} check "
                                f"“{e.get('check')}”; its summary above says what it shows.").split())
        link = _link(f)
        lines += ["", f"![{_cell(caption)}]({link})" if link else
                  f"Figure `{_cell(f)}` is not linked: not a path inside the report set."]
        lines += ["", f"*{_text(caption)}*"]
    lines.append("")
    return lines
