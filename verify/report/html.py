"""Self-contained HTML rendering of a JSON report (schema dmf-verify/report, versions 1 to 3).

One file, no scripts, no external requests: inline CSS, figures inlined as base64 PNG data URIs,
formulas as MathML. The first page is a summary: per claim its statement, its verdict with its
strength and the one line of evidence that matters; then, as an appendix, one section per claim
with every check's evidence. A CSS-only filter (radio buttons, no script) shows only refuted or
inconclusive claims; print CSS puts the summary first and the evidence after a page break.

The page is a Jinja2 template (``report.html.j2``, autoescaped); the pieces that recurse (details,
counterexamples) are built here as escaped markup. All text from the report (claim statements may
come from users) is escaped; MathML is rebuilt from allowed elements only (``mathml.safe_mathml``).
"""
from __future__ import annotations

import base64
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from ..errors import UsageError
from .document import (MATHEMATICS_DOC, READABLE_VERSIONS, SCHEMA, STRENGTHS, clean_text, crashed_text,
                       shown_strength, tier_conflict_text)
from ..claims.display import STRENGTH_HELP
from .mathml import safe_mathml

VERDICTS = ("verified", "refuted", "inconclusive")
TIER_ORDER = ("symbolic", "high-precision", "certified", "numeric")
MAX_FIGURE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 200
KEY_LINE_CHARS = 220
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FORMULA = re.compile(r"\*\*|[A-Za-z_]\w*\(|sqrt|\bRational\b")


def render_html(report: Mapping[str, Any], figures_dir: Path | None,
                plots: Sequence[Mapping[str, Any]] | None = None) -> str:
    """The report as one self-contained HTML page.

    ``figures_dir`` is the directory the figure paths in the report are relative to (the
    report's output directory, where save_figure wrote ``figures/<name>.png``); with None,
    figures are listed by caption and not inlined. ``plots``: evidence plots drawn from the report
    (``verify.report.plots.evidence_plots``), each {"file", "caption", "claim" (id or None), "png"}.
    """
    check_report(report)
    claims = [c for c in report.get("claims") or [] if isinstance(c, Mapping)]
    base = Path(figures_dir) if figures_dir is not None else None
    plots = [p for p in plots or [] if isinstance(p, Mapping)]
    counts = {v: sum(1 for c in claims if c.get("verdict") == v) for v in VERDICTS}
    views = [_claim_view(i, c, base, [p for p in plots if p.get("claim") == c.get("id")])
             for i, c in enumerate(claims)]
    open_count = counts["refuted"] + counts["inconclusive"]
    filters = [{"key": "all", "label": "all", "count": len(claims)},
               {"key": "refuted", "label": "refuted", "count": counts["refuted"]},
               {"key": "inconclusive", "label": "inconclusive", "count": counts["inconclusive"]},
               {"key": "open", "label": "refuted or inconclusive", "count": open_count},
               {"key": "verified", "label": "verified", "count": counts["verified"]}]
    return _template().render(
        claims=views, counts=counts, verdicts=VERDICTS, filters=filters,
        warnings=_warnings(report, claims, counts), run_line=_run_line(report.get("provenance"), claims),
        overview=[_plot_figure(p) for p in plots if p.get("claim") is None],
        provenance=_provenance(report.get("provenance")), mathematics_doc=MATHEMATICS_DOC,
        verdict_class=_verdict_class, strength_help=STRENGTH_HELP,
    )


@lru_cache(maxsize=1)
def _template():
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.finalize = lambda value: value if isinstance(value, Markup) else clean_text(value)
    return env.get_template("report.html.j2")


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
    return html.escape(clean_text(value), quote=True)


def _m(text: str) -> Markup:
    return Markup(text)


def _verdict_class(verdict: object) -> str:
    return f"v-{verdict}" if verdict in VERDICTS else "v-unknown"


def _number(value: object, digits: int) -> str:
    """A number with ``digits`` decimals; other values as text; missing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return clean_text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return clean_text(value)
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def _anchor(index: int, claim_id: object) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", str(claim_id))[:60]
    return f"claim-{index}-{slug}"


def _shorten(text: str, limit: int = KEY_LINE_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word boundary (never mid-word)."""
    line = " ".join(clean_text(text).split())
    if len(line) <= limit:
        return line
    cut = line[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + " …"


def value_html(value: object, depth: int = 0) -> Markup:
    """A JSON value as readable markup: objects as definition lists, lists of objects as tables,
    formulas as code; never a Python or JSON repr in running text."""
    if isinstance(value, Mapping):
        if not value:
            return _m('<span class="muted">none</span>')
        if depth > 6:
            return _m(f"<pre>{esc(json.dumps(value, ensure_ascii=False, default=str))}</pre>")
        items = "".join(f"<dt>{esc(_label(k))}</dt><dd>{value_html(v, depth + 1)}</dd>" for k, v in value.items())
        return _m(f'<dl class="kv">{items}</dl>')
    if isinstance(value, (list, tuple)):
        if not value:
            return _m('<span class="muted">none</span>')
        if all(isinstance(v, Mapping) for v in value):
            return _rows_table(value, depth)
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value) and len(value) <= 40:
            return _m(", ".join(str(_scalar(v)) for v in value))
        return _m("<ol>" + "".join(f"<li>{value_html(v, depth + 1)}</li>" for v in value[:MAX_ROWS]) + "</ol>"
                  + _more(len(value)))
    return _scalar(value)


def _label(key: object) -> str:
    return clean_text(key).replace("_", " ")


def _scalar(value: object) -> Markup:
    if value is None:
        return _m("—")
    if isinstance(value, bool):
        return _m("yes" if value else "no")
    if isinstance(value, (int, float)):
        return _m(esc(_number(value, 6) if isinstance(value, float) else value))
    text = clean_text(value)
    if _FORMULA.search(text):
        return _m(f"<code>{esc(text)}</code>")
    return _m(esc(text))


def _rows_table(rows: Sequence[Mapping[str, Any]], depth: int) -> Markup:
    keys: list[str] = []
    for row in rows[:MAX_ROWS]:
        keys += [str(k) for k in row if str(k) not in keys]
    head = "".join(f"<th>{esc(_label(k))}</th>" for k in keys)
    body = "".join("<tr>" + "".join(f"<td>{value_html(row.get(k), depth + 1) if k in row else ''}</td>"
                                    for k in keys) + "</tr>" for row in rows[:MAX_ROWS])
    return _m(f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
              + _more(len(rows)))


def _more(n: int) -> str:
    return (f'<p class="muted">… and {n - MAX_ROWS} more (all of them are in report.json).</p>'
            if n > MAX_ROWS else "")


# -- the first page ---------------------------------------------------------------------------

def _warnings(report: Mapping[str, Any], claims: list[Mapping[str, Any]], counts: dict) -> list[str]:
    out = []
    crashed = [c for c in claims if crashed_text(c)]
    if crashed:
        out.append(f"Internal error: a check crashed in {len(crashed)} claim(s) "
                   f"({', '.join(str(c.get('id')) for c in crashed)}); a crash is not a verdict.")
    conflicts = [c for c in claims if tier_conflict_text(c)]
    if conflicts:
        out.append(f"Tiers disagree in {len(conflicts)} claim(s) "
                   f"({', '.join(str(c.get('id')) for c in conflicts)}).")
    stated = report.get("summary")
    if isinstance(stated, Mapping):
        expected = {**counts, "total": len(claims)}
        differs = {k: stated.get(k) for k in expected if stated.get(k) != expected[k]}
        if differs:
            shown = ", ".join(f"{k} {v} (the claims give {expected[k]})" for k, v in differs.items())
            out.append(f"The report's own summary differs from its claims: {shown}.")
    return out


def _run_line(provenance: object, claims: list) -> str:
    if not isinstance(provenance, Mapping):
        return ""
    parts = []
    if provenance.get("profile") is not None:
        parts.append(f"profile {provenance['profile']}")
    if provenance.get("seed") is not None:
        parts.append(f"seed {provenance['seed']}")
    if provenance.get("dps") is not None:
        parts.append(f"{provenance['dps']} digits")
    if provenance.get("wall_seconds") is not None:
        parts.append(f"{len(claims)} claims in {provenance['wall_seconds']} s")
    if provenance.get("verify_version"):
        git = provenance.get("git_commit")
        dirty = " (modified)" if provenance.get("git_dirty") else ""
        parts.append(f"dmf-verify {provenance['verify_version']}" + (f", commit {git}{dirty}" if git else ""))
    if provenance.get("started"):
        parts.append(f"started {provenance['started']}")
    if provenance.get("claim_file"):
        parts.append(f"claim file {provenance['claim_file']}")
    return " · ".join(clean_text(p) for p in parts)


def key_evidence(claim: Mapping[str, Any]) -> dict[str, str] | None:
    """The one line of evidence that matters: the refuting check of a refuted claim, the open check
    of an inconclusive one, and the strongest check a verified claim rests on."""
    evidence = [e for e in claim.get("evidence") or [] if isinstance(e, Mapping)]
    if not evidence:
        return None
    verdict = claim.get("verdict")
    if verdict == "refuted":
        pick, label = next((e for e in evidence if e.get("verdict") == "refuted"), evidence[0]), "refuted by"
    elif verdict == "verified":
        resting = [e for e in evidence if not e.get("corroborates")] or evidence
        pick = max(resting, key=lambda e: STRENGTHS.index(shown_strength(e)) if shown_strength(e) else -1)
        label = shown_strength(pick) or "verified by"
    else:
        crashed = [e for e in evidence if e.get("error")]
        pick = crashed[0] if crashed else next((e for e in evidence if e.get("verdict") != "verified"), evidence[0])
        label = "open"
    text = f"{_shorten(str(pick.get('summary') or ''))} ({pick.get('check')}, {pick.get('tier')})"
    headline = shown_strength(claim)
    if headline and headline != shown_strength(pick):
        weakest = next((e for e in resting if shown_strength(e) == headline), None)
        if weakest is not None:
            text += f"; the claim rests also on “{weakest.get('check')}” ({headline})"
    return {"strength": label, "text": text}


# -- one claim ---------------------------------------------------------------------------------

def _claim_view(index: int, claim: Mapping[str, Any], base: Path | None,
                plots: list[Mapping[str, Any]]) -> dict[str, Any]:
    tiers = claim.get("tiers") or {}
    tiers = tiers if isinstance(tiers, Mapping) else {}
    ordered = [t for t in TIER_ORDER if t in tiers] + sorted(set(map(str, tiers)) - set(TIER_ORDER))
    flags = [m for m, on in (("tiers disagree", tier_conflict_text(claim)),
                             ("internal error", crashed_text(claim))) if on]
    minimal = claim.get("minimal_counterexample")
    return {
        "anchor": _anchor(index, claim.get("id")), "id": claim.get("id"), "paper": claim.get("paper"),
        "statement": claim.get("statement"), "source": claim.get("source"),
        "verdict": claim.get("verdict"), "strength": shown_strength(claim),
        "seconds": _number(claim.get("seconds"), 2), "flags": flags,
        "warnings": [w for w in (tier_conflict_text(claim), crashed_text(claim)) if w],
        "resolutions": list(claim.get("resolutions") or []),
        "tiers": [(t, tiers.get(t)) for t in ordered],
        "minimal_counterexample": value_html(minimal) if minimal is not None else None,
        "reproduce": claim.get("reproduce"), "key": key_evidence(claim),
        "plots": [_plot_figure(p) for p in plots],
        "checks": [_check_view(claim, e, base) for e in claim.get("evidence") or [] if isinstance(e, Mapping)],
    }


def _check_view(claim: Mapping[str, Any], check: Mapping[str, Any], base: Path | None) -> dict[str, Any]:
    facts = [("verdict", check.get("verdict")),
             ("strength", shown_strength(check) or "—"),
             ("proved for", check.get("proved_for")),
             ("scope", check.get("scope") or "—"),
             ("digits", _number(check.get("digits"), 1)),
             ("instances", _number(check.get("instances"), 0)),
             ("worst margin", check.get("worst_margin") or "—"),
             ("tolerance", check.get("tolerance") or "—"),
             ("seconds", _number(check.get("seconds"), 3))]
    steps = []
    for s in check.get("derivation") or []:
        if isinstance(s, Mapping):
            math_markup = safe_mathml(s.get("mathml"))
            steps.append({"say": s.get("say"), "plain": s.get("plain"),
                          "math": Markup(math_markup) if math_markup else None})
    captions = check.get("captions") if isinstance(check.get("captions"), Mapping) else {}
    counterexample = check.get("counterexample")
    return {
        "verdict": check.get("verdict"), "strength": shown_strength(check),
        "name": check.get("check"), "tier": check.get("tier"), "corroborates": bool(check.get("corroborates")),
        "summary": check.get("summary"), "facts": [(k, v) for k, v in facts if v is not None],
        "derivation": steps, "error": check.get("error"),
        "counterexample": value_html(counterexample) if counterexample is not None else None,
        "details": value_html(check.get("details")) if check.get("details") else None,
        "figures": [_figure(path, base, captions.get(str(path)) or _default_caption(claim, check))
                    for path in check.get("figures") or []],
    }


def _default_caption(claim: Mapping[str, Any], check: Mapping[str, Any]) -> str:
    return (f"Figure drawn by the {check.get('tier')} check “{check.get('check')}” of claim "
            f"{claim.get('id')}; the check's summary above says what it shows.")


def _figure(relative: object, base: Path | None, caption: str) -> Markup:
    """A figure inlined as a data URI with its caption, or a note saying why it is not shown."""
    if base is None:
        return _m(f'<p class="muted">Figure (not inlined): {esc(caption)}</p>')
    data, problem = _read_png(base, str(relative))
    if data is None:
        return _m(f'<p class="warning">Figure {esc(relative)}: {esc(problem)}</p>')
    return _png_figure(data, caption)


def _png_figure(data: bytes, caption: str) -> Markup:
    encoded = base64.b64encode(data).decode("ascii")
    return _m(f'<figure><img src="data:image/png;base64,{encoded}" alt="{esc(caption)}">'
              f"<figcaption>{esc(caption)}</figcaption></figure>")


def _plot_figure(plot: Mapping[str, Any]) -> Markup:
    data = plot.get("png")
    if not isinstance(data, bytes) or not data.startswith(_PNG_SIGNATURE):
        return _m("")
    return _png_figure(data, str(plot.get("caption") or "Evidence plot drawn from this report's data."))


def _provenance(provenance: object) -> Markup:
    if not isinstance(provenance, Mapping):
        return _m('<p class="muted">No provenance recorded.</p>')
    rows = []
    for key, value in provenance.items():
        if key == "packages" and isinstance(value, Mapping):
            shown = esc(", ".join(f"{k} {v}" for k, v in sorted(value.items())))
        elif isinstance(value, float):
            shown = esc(_number(value, 3))
        else:
            shown = str(value_html(value))
        rows.append(f"<tr><th>{esc(_label(key))}</th><td>{shown}</td></tr>")
    return _m('<table class="kv">' + "".join(rows) + "</table>")


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
