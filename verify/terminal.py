"""The command's terminal output: help texts (conventions, profiles, defaults) and plain, aligned tables
(rich, rendered without colour or escape codes; long statements wrap between words)."""
from __future__ import annotations

import io
import os
import re
import shutil
import sys
import textwrap
from typing import Any, Sequence

from .report.document import shown_strength


def _conventions_text() -> str:
    from .conventions import CONVENTIONS

    return "\n".join(f"  {name:<3} {c.objective}" for name, c in CONVENTIONS.items())


def _profiles_text() -> str:
    from .claims import PROFILES

    return "\n".join(f"  {name:<9} scalar depths {p.depths[0]}-{p.depths[-1]}, {p.instances} random instances per "
                     f"numeric check, {p.hp_instances} per high-precision check"
                     f"{' (the default)' if name == 'standard' else ''}" for name, p in PROFILES.items())


EXIT_CODES = ("exit codes: 0 nothing refuted, 1 a claim refuted, 2 usage error, 3 internal error "
              "(or a check crashed), 130 interrupted")


def epilog(*parts: str) -> str:
    """The text after a command's options: conventions, profiles, defaults and exit codes, as asked."""
    blocks = []
    if "conventions" in parts:
        blocks.append("conventions (docs/mathematics.md; M the target, W_l the layers, λ > 0):\n" + _conventions_text())
    if "profiles" in parts:
        blocks.append("profiles:\n" + _profiles_text())
    if "run" in parts:
        from .runner import default_jobs

        blocks.append(f"defaults: --profile standard, --seed 0, --digits 50, --jobs {default_jobs()} (the cores "
                      f"available here), progress on stderr (live on a terminal, one line per claim otherwise).\n"
                      f"The same seed gives the same verdicts and numbers whatever --jobs or --executor is.")
    blocks.append(EXIT_CODES)
    return "\n\n".join(wrap(b) for b in blocks)


def wrap(text: str, width: int = 100) -> str:
    """``text`` with each line wrapped at ``width`` columns between words (list items keep their indent)."""
    out = []
    for line in text.split("\n"):
        item = re.match(r"\s+\S+\s+", line)  # a list item "  name  text": continue under its text
        indent = " " * (len(item.group(0)) if item else len(line) - len(line.lstrip()))
        out.append(textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                                 break_on_hyphens=False) if line.strip() else line)
    return "\n".join(out)


def table_lines(table: Any, width: int) -> list[str]:
    """A rich table rendered as plain lines (no colour, no escape codes), at most ``width`` columns."""
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, force_terminal=False, no_color=True,
            highlight=False, emoji=False, markup=False, soft_wrap=False).print(table)
    return [line.rstrip() for line in buf.getvalue().splitlines()]


def terminal_width(default: int) -> int:
    """The terminal's width on a terminal; else COLUMNS where set; else ``default`` (a pipe, a file)."""
    try:
        if sys.stdout.isatty():
            return max(shutil.get_terminal_size((default, 24)).columns, 60)
    except (AttributeError, ValueError, OSError):
        pass
    try:
        return max(int(os.environ["COLUMNS"]), 60)
    except (KeyError, ValueError):
        return default


def plain_table(*columns: str, wrap: str | None = None) -> Any:
    """A rich table in plain text: a header underlined with ASCII dashes, columns apart, no borders;
    the ``wrap`` column wraps at word boundaries (rich folds only a word longer than the column)."""
    from rich.box import Box
    from rich.table import Table

    rule_under_header = Box("    \n    \n -- \n    \n    \n    \n    \n    \n", ascii=True)
    table = Table(box=rule_under_header, show_edge=False, pad_edge=False, padding=(0, 1))
    for name in columns:
        if name == wrap:
            table.add_column(name, overflow="fold", ratio=1, min_width=20)
        else:
            table.add_column(name, no_wrap=True, justify="right" if name == "s" else "left")
    return table


TIERS = ("symbolic", "high-precision", "certified", "numeric")


def summary_lines(doc: dict) -> list[str]:
    """A run's summary: one row per claim (verdict, strength, the verdict of each tier, seconds), then
    the counts."""
    tiers = [t for t in TIERS if any(t in c["tiers"] for c in doc["claims"])] or list(TIERS[:1])
    table = plain_table("claim", "verdict", "strength", *tiers, "s")
    for c in doc["claims"]:
        table.add_row(c["id"], c["verdict"], shown_strength(c) or "—", *(c["tiers"].get(t, "—") for t in tiers),
                      f"{c['seconds']:.1f}")
    s = doc["summary"]
    return table_lines(table, width=1000) + [
        f"{s['verified']} verified, {s['refuted']} refuted, {s['inconclusive']} inconclusive "
        f"({s['total']} claims, {doc['provenance']['wall_seconds']} s)"]


def catalogue_lines(claims: Sequence[Any]) -> list[str]:
    """``verify list``: id, paper and statement of each claim, the statement wrapped between words."""
    table = plain_table("id", "paper", "statement", wrap="statement")
    for c in claims:
        table.add_row(c.id, c.paper, " ".join(c.statement.split()))
    return table_lines(table, width=terminal_width(120))
