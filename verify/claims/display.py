"""Notebook display of results (``_repr_html_``): a verdict table with each verdict's strength,
escaped, with no scripts or network."""
from __future__ import annotations

import html
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from .base import CheckResult, ClaimResult

COLOURS = {"verified": "#1a7f37", "refuted": "#cf222e", "inconclusive": "#9a6700"}
STRENGTH_HELP = {
    "sampled": "no counterexample on the sampled instances (float64)",
    "agreement": "independent routes agree to the stated digits (high precision)",
    "certified": "rigorous for the stated instances (exact or interval arithmetic)",
    "proved": "exact, for every parameter in the stated range",
}


def verdict_badge(verdict: object) -> str:
    text = str(verdict)
    return f'<b style="color:{COLOURS.get(text, "inherit")}">{html.escape(text)}</b>'


def strength_badge(strength: object) -> str:
    """``proved`` / ``certified`` / ``agreement`` / ``sampled`` with what it means as a tooltip; '' if none."""
    if strength is None:
        return ""
    text = str(strength)
    return (f'<span title="{html.escape(STRENGTH_HELP.get(text, ""))}" '
            f'style="border:1px solid currentColor;border-radius:0.7em;padding:0 0.4em">{html.escape(text)}</span>')


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _check_row(c: "CheckResult") -> str:
    digits = "" if c.digits is None else f"{c.digits:.1f}"
    strength = strength_badge(c.strength) + (" <i>(corroborating)</i>" if c.corroborates else "")
    cells = (_cell(c.tier), _cell(c.name), verdict_badge(c.verdict), strength, _cell(c.summary), digits,
             _cell(c.instances), _cell(c.worst_margin), _cell(c.proved_for or c.scope))
    return "<tr>" + "".join(f"<td>{x}</td>" for x in cells) + "</tr>"


def claim_result_html(result: "ClaimResult") -> str:
    """One claim: id, verdict and strength, statement, source, then one row per check with its evidence."""
    claim = result.claim
    head = ("<tr>" + "".join(f"<th>{h}</th>" for h in ("tier", "check", "verdict", "strength", "summary",
                                                       "digits", "instances", "worst margin",
                                                       "scope / proved for")) + "</tr>")
    rows = "".join(_check_row(c) for c in result.checks)
    counter = ""
    if result.minimal_counterexample:
        items = "".join(f"<dt>{_cell(k)}</dt><dd>{_cell(v)}</dd>" for k, v in result.minimal_counterexample.items())
        counter = f"<p>minimal counterexample:</p><dl>{items}</dl>"
    return (f"<div><p><code>{_cell(claim.id)}</code>: {verdict_badge(result.verdict)} "
            f"{strength_badge(result.strength)}"
            f"{' (a check crashed: internal error)' if result.crashed else ''}</p>"
            f"<p>{_cell(claim.statement)}</p><p><i>{_cell(claim.source)}</i></p>"
            f"<table>{head}{rows}</table>{counter}</div>")


def results_table_html(results: Sequence["ClaimResult"], caption: str = "") -> str:
    """Many claims: one row each (id, verdict, strength, statement, seconds)."""
    rows = "".join(
        f"<tr><td><code>{_cell(r.claim.id)}</code></td><td>{verdict_badge(r.verdict)}</td>"
        f"<td>{strength_badge(r.strength)}</td>"
        f"<td>{_cell(r.claim.statement)}</td><td>{r.seconds:.1f}</td></tr>" for r in results)
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (f"<table>{cap}<tr><th>claim</th><th>verdict</th><th>strength</th><th>statement</th><th>seconds</th></tr>"
            f"{rows}</table>")
