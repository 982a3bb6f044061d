"""Self-contained HTML rendering of a JSON report (schema dmf-verify/report, versions 1 and 2).

One file, no scripts, no external requests: inline CSS, figures inlined as base64 PNG data URIs.
All text from the report (claim statements may come from users) is escaped.
"""
from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import UsageError
from .document import MATHEMATICS_DOC, READABLE_VERSIONS, SCHEMA, crashed_text, tier_conflict_text

VERDICTS = ("verified", "refuted", "inconclusive")
TIER_ORDER = ("symbolic", "high-precision", "numeric")
MAX_FIGURE_BYTES = 10 * 1024 * 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto;
       max-width: 72em; padding: 0 1em; color: #1f2328; line-height: 1.45; }
h1 { margin-bottom: 0.2em; } h2 { border-bottom: 1px solid #d0d7de; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: 0.25em 0.6em; text-align: left;
         vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f6f8fa; padding: 0.6em; overflow-x: auto; white-space: pre-wrap;
      word-break: break-word; }
.badge { display: inline-block; padding: 0.05em 0.5em; border-radius: 0.8em;
         font-weight: 600; font-size: 0.9em; }
.v-verified { background: #dafbe1; color: #116329; }
.v-refuted { background: #ffebe9; color: #a40e26; }
.v-inconclusive { background: #fff8c5; color: #7d4e00; }
.v-unknown { background: #eaeef2; color: #57606a; }
.v-none { color: #8c959f; }
section.claim { border: 1px solid #d0d7de; border-radius: 6px; padding: 0.2em 1em 1em;
                margin: 1.2em 0; }
div.check { border-left: 4px solid #d0d7de; padding: 0.1em 0 0.1em 0.9em; margin: 1em 0; }
div.check.c-verified { border-color: #2da44e; }
div.check.c-refuted { border-color: #cf222e; }
div.check.c-inconclusive { border-color: #bf8700; }
.statement { font-size: 1.05em; }
.muted { color: #57606a; }
figure { margin: 0.5em 0; } figure img { max-width: 100%; border: 1px solid #d0d7de; }
.warning { background: #fff8c5; padding: 0.4em 0.8em; border-radius: 4px; }
"""


def render_html(report: Mapping[str, Any], figures_dir: Path | None) -> str:
    """The report as one self-contained HTML page.

    ``figures_dir`` is the directory the figure paths in the report are relative to (the
    report's output directory, where save_figure wrote ``figures/<name>.png``); with None,
    figures are listed by name and not inlined.
    """
    check_report(report)
    claims = [c for c in report.get("claims") or [] if isinstance(c, Mapping)]
    base = Path(figures_dir) if figures_dir is not None else None
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'img-src data:; style-src \'unsafe-inline\'">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>dmf-verify report</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>dmf-verify report</h1>",
        _counts(report, claims),
        _summary_table(claims),
        _provenance(report.get("provenance")),
        "<h2>Claims</h2>",
    ]
    parts += [_claim_section(i, claim, base) for i, claim in enumerate(claims)]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def check_report(report: object) -> None:
    """Refuse anything that is not a dmf-verify report of a version this renderer reads."""
    if not isinstance(report, Mapping):
        raise UsageError(f"a report must be a JSON object, got {type(report).__name__}")
    if report.get("schema") != SCHEMA:
        raise UsageError(f"not a dmf-verify report (schema {report.get('schema')!r}, "
                         f"expected {SCHEMA!r})")
    version = report.get("schema_version")
    if isinstance(version, bool) or version not in READABLE_VERSIONS:
        raise UsageError(f"unsupported report schema_version {version!r} "
                         f"(this renderer reads {', '.join(map(str, READABLE_VERSIONS))})")
    if not isinstance(report.get("claims", []), list):
        raise UsageError("report 'claims' must be a list")


# -- small pieces ---------------------------------------------------------------------------

def esc(value: object) -> str:
    """Escaped text for element content or a quoted attribute; control characters and lone
    surrogates (which could not be written as UTF-8) become U+FFFD."""
    text = "" if value is None else str(value)
    return html.escape(_CONTROL.sub("\ufffd", text), quote=True)


def _verdict_class(verdict: object) -> str:
    return f"v-{verdict}" if verdict in VERDICTS else "v-unknown"


def _badge(verdict: object) -> str:
    if verdict is None:
        return '<span class="v-none">&mdash;</span>'
    return f'<span class="badge {_verdict_class(verdict)}">{esc(verdict)}</span>'


def _number(value: object, digits: int) -> str:
    """A number with ``digits`` decimals; other values as text; missing as a dash."""
    if value is None:
        return "&mdash;"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return esc(value)
    if isinstance(value, float) and not math.isfinite(value):
        return esc(value)
    return esc(f"{value:.{digits}f}" if isinstance(value, float) else str(value))


def _json_block(value: object) -> str:
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    return f"<pre>{esc(text)}</pre>"


def _anchor(index: int, claim_id: object) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(claim_id))[:60]
    return f"claim-{index}-{slug}"


def _tiers(claims: list[Mapping[str, Any]]) -> list[str]:
    seen = {str(t) for c in claims for t in (c.get("tiers") or {})}
    return [t for t in TIER_ORDER if t in seen] + sorted(seen - set(TIER_ORDER))


# -- sections -------------------------------------------------------------------------------

def _counts(report: Mapping[str, Any], claims: list[Mapping[str, Any]]) -> str:
    counts = {v: sum(1 for c in claims if c.get("verdict") == v) for v in VERDICTS}
    line = (f'<p class="counts">{len(claims)} claims: '
            + ", ".join(f'<span class="badge {_verdict_class(v)}">{counts[v]} {v}</span>'
                        for v in VERDICTS) + "</p>")
    crashed = [c for c in claims if crashed_text(c)]
    if crashed:
        line += (f'<p class="warning">Internal error: a check crashed in {len(crashed)} claim(s) '
                 f"({esc(', '.join(str(c.get('id')) for c in crashed))}); a crash is not a verdict.</p>")
    conflicts = [c for c in claims if tier_conflict_text(c)]
    if conflicts:
        line += (f'<p class="warning">Tiers disagree in {len(conflicts)} claim(s) '
                 f"({esc(', '.join(str(c.get('id')) for c in conflicts))}).</p>")
    stated = report.get("summary")
    if isinstance(stated, Mapping):
        expected = {**counts, "total": len(claims)}
        differs = {k: stated.get(k) for k in expected if stated.get(k) != expected[k]}
        if differs:
            line += (f'<p class="warning">The report\'s own summary differs from its claims: '
                     f"{esc(json.dumps(differs, sort_keys=True, default=str))}</p>")
    return line


def _summary_table(claims: list[Mapping[str, Any]]) -> str:
    tiers = _tiers(claims)
    head = "".join(f"<th>{esc(t)}</th>" for t in tiers)
    rows = [f"<h2>Summary</h2><table class=\"summary\"><thead><tr><th>Claim</th><th>Paper</th>"
            f"<th>Verdict</th>{head}<th>Seconds</th></tr></thead><tbody>"]
    for i, claim in enumerate(claims):
        tier_verdicts = claim.get("tiers") or {}
        cells = "".join(f"<td>{_badge(tier_verdicts.get(t))}</td>" for t in tiers)
        rows.append(
            f'<tr><td><a href="#{esc(_anchor(i, claim.get("id")))}">{esc(claim.get("id"))}</a>'
            f"</td><td>{esc(claim.get('paper'))}</td><td>{_badge(claim.get('verdict'))}{_flags(claim)}</td>"
            f"{cells}<td class=\"num\">{_number(claim.get('seconds'), 2)}</td></tr>")
    rows.append("</tbody></table>")
    return "\n".join(rows)


def _flags(claim: Mapping[str, Any]) -> str:
    """Short marks beside a verdict: a tier conflict, a crashed check."""
    marks = [m for m, on in (("tiers disagree", tier_conflict_text(claim)),
                             ("internal error", crashed_text(claim))) if on]
    return "".join(f' <span class="muted">({m})</span>' for m in marks)


def _provenance(provenance: object) -> str:
    if not isinstance(provenance, Mapping):
        return "<h2>Provenance</h2><p class=\"muted\">No provenance recorded.</p>"
    rows = []
    for key, value in provenance.items():
        if key == "packages" and isinstance(value, Mapping):
            shown = ", ".join(f"{esc(k)} {esc(v)}" for k, v in sorted(value.items()))
        elif isinstance(value, float):
            shown = _number(value, 3)
        elif isinstance(value, (Mapping, list)):
            shown = esc(json.dumps(value, sort_keys=True, default=str))
        else:
            shown = esc(value)
        rows.append(f"<tr><th>{esc(key)}</th><td>{shown}</td></tr>")
    return "<h2>Provenance</h2><table class=\"kv\">" + "".join(rows) + "</table>"


def _claim_section(index: int, claim: Mapping[str, Any], base: Path | None) -> str:
    verdict = claim.get("verdict")
    out = [f'<section class="claim" id="{esc(_anchor(index, claim.get("id")))}">',
           f"<h3>{esc(claim.get('id'))} {_badge(verdict)}</h3>",
           f'<p class="statement">{esc(claim.get("statement"))}</p>',
           f'<p class="muted">Paper: {esc(claim.get("paper"))} &middot; '
           f'Source: {esc(claim.get("source"))} &middot; '
           f"{_number(claim.get('seconds'), 2)} s</p>"]
    for warning in (tier_conflict_text(claim), crashed_text(claim)):
        if warning:
            out.append(f'<p class="warning"><strong>{esc(warning)}</strong></p>')
    resolutions = [r for r in claim.get("resolutions") or []]
    if resolutions:
        out.append("<h4>Open points resolved</h4><ul>"
                   + "".join(f"<li>{esc(r)}</li>" for r in resolutions) + "</ul>"
                   + f'<p class="muted">What the paper states, what the suite derived and how each open '
                   f"point was resolved: <code>{esc(MATHEMATICS_DOC)}</code> in the dmf-verify repository.</p>")
    tiers = claim.get("tiers") or {}
    if tiers:
        out.append("<p>Tiers: " + " ".join(f"{esc(t)} {_badge(v)}" for t, v in tiers.items())
                   + "</p>")
    if claim.get("minimal_counterexample") is not None:
        out.append("<h4>Minimal counterexample (shrunk)</h4>" + _json_block(claim["minimal_counterexample"]))
    if claim.get("reproduce"):
        out.append(f'<h4>Reproduce</h4><pre class="reproduce">{esc(claim["reproduce"])}</pre>')
    evidence = [e for e in claim.get("evidence") or [] if isinstance(e, Mapping)]
    if not evidence:
        out.append('<p class="muted">No checks recorded.</p>')
    out += [_check_block(check, base) for check in evidence]
    out.append("</section>")
    return "\n".join(out)


def _check_block(check: Mapping[str, Any], base: Path | None) -> str:
    verdict = check.get("verdict")
    css = f"c-{verdict}" if verdict in VERDICTS else "c-unknown"
    out = [f'<div class="check {css}">',
           f"<h4>{_badge(verdict)} {esc(check.get('check'))} "
           f'<span class="muted">[{esc(check.get("tier"))}]</span></h4>',
           f"<p>{esc(check.get('summary'))}</p>"]
    rows = [("tier", esc(check.get("tier"))), ("verdict", _badge(verdict)),
            ("scope", esc(check.get("scope")) or "&mdash;"),
            ("digits", _number(check.get("digits"), 1)),
            ("instances", _number(check.get("instances"), 0)),
            ("worst margin", esc(check.get("worst_margin")) or "&mdash;"),
            ("tolerance", esc(check.get("tolerance")) or "&mdash;"),
            ("seconds", _number(check.get("seconds"), 3))]
    out.append('<table class="kv">'
               + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")
    if check.get("counterexample") is not None:
        out.append("<h5>Counterexample</h5>" + _json_block(check["counterexample"]))
    if check.get("error"):
        out.append("<details><summary>Internal error (the check crashed; not a verdict)</summary>"
                   f"<pre>{esc(check['error'])}</pre></details>")
    if check.get("details"):
        out.append("<details><summary>Details</summary>" + _json_block(check["details"])
                   + "</details>")
    out += [_figure(path, base) for path in check.get("figures") or []]
    out.append("</div>")
    return "\n".join(out)


def _figure(relative: object, base: Path | None) -> str:
    """A figure inlined as a data URI, or a note saying why it is not shown."""
    name = esc(relative)
    if base is None:
        return f'<p class="muted">Figure (not inlined): {name}</p>'
    data, problem = _read_png(base, str(relative))
    if data is None:
        return f'<p class="warning">Figure {name}: {esc(problem)}</p>'
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{encoded}" alt="{name}">'
            f"<figcaption class=\"muted\">{name}</figcaption></figure>")


def _read_png(base: Path, relative: str) -> tuple[bytes | None, str]:
    """The bytes of a PNG inside ``base``; paths leaving ``base`` or non-PNG files are refused."""
    rel = Path(relative)
    if rel.is_absolute() or ".." in rel.parts:
        return None, "path outside the report directory"
    root = base.resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        return None, "path outside the report directory"
    if not path.is_file():
        return None, "file not found"
    if path.stat().st_size > MAX_FIGURE_BYTES:
        return None, f"larger than {MAX_FIGURE_BYTES // (1024 * 1024)} MiB"
    data = path.read_bytes()
    if not data.startswith(_PNG_SIGNATURE):
        return None, "not a PNG file"
    return data, ""
