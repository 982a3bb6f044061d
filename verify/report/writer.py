"""Write every report format into one directory, each file atomically."""
from __future__ import annotations

from pathlib import Path

from .atomic import write_atomic
from .document import to_json_text
from .markdown import render_markdown


def write_reports(doc: dict, out_dir: Path | str) -> list[Path]:
    """report.json, report.md, report.html and junit.xml in ``out_dir``; returns the paths written."""
    out = Path(out_dir)
    written = [write_atomic(out / "report.json", to_json_text(doc)),
               write_atomic(out / "report.md", render_markdown(doc))]
    try:
        from .html import render_html
        from .junit import render_junit
    except ImportError:
        return written
    written.append(write_atomic(out / "report.html", render_html(doc, out)))
    written.append(write_atomic(out / "junit.xml", render_junit(doc)))
    return written
