"""Notebook display of results (``_repr_html_``): a verdict table, escaped, with no scripts or network."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .base import CheckResult, ClaimResult

COLOURS = {"verified": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700"}


def verdict_badge(verdict: object) -> str:
    text = str(verdict)
    return f'<b style="color:{COLOURS.get(text, "inherit")}">{html.escape(text)}</b>'


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _check_row(c: "CheckResult") -> str:
    digits = "" if c.digits is None else f"{c.digits:.1f}"
    cells = (_cell(c.tier), _cell(c.name), verdict_badge(c.verdict), _cell(c.summary), digits,
             _cell(c.instances), _cell(c.worst_margin), _cell(c.scope))
    return "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"


def claim_result_html(result: "ClaimResult") -> str:
    """One claim: id, verdict, statement, source, then one row per check with its evidence."""
    claim = result.claim
    head = ("<tr>" + "".join(f"<th>{h}</th>" for h in ("tier", "check", "verdict", "summary", "digits",
                                                       "instances", "worst margin", "scope")) + "</tr>")
    rows = "".join(_check_row(c) for c in result.checks)
    counter = ""
    if result.minimal_counterexample:
        counter = f"<p>minimal counterexample: <code>{_cell(result.minimal_counterexample)}</code></p>"
    return (f"<div><p><code>{_cell(claim.id)}</code>: {verdict_badge(result.verdict)}"
            f"{' (a check crashed: internal error)' if result.crashed else ''}</p>"
            f"<p>{_cell(claim.statement)}</p><p><i>{_cell(claim.source)}</i></p>"
            f"<table>{head}{rows}</table>{counter}</div>")


def results_table_html(results: Sequence["ClaimResult"], caption: str = "") -> str:
    """Many claims: one row each (id, verdict, statement, seconds)."""
    rows = "".join(
        f"<tr><td><code>{_cell(r.claim.id)}</code></td><td>{verdict_badge(r.verdict)}</td>"
        f"<td>{_cell(r.claim.statement)}</td><td>{r.seconds:.1f}</td></tr>" for r in results)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<table>{cap}<tr><th>claim</th><th>verdict</th><th>statement</th><th>seconds</th></tr>"
            f"{rows}</table>")
