"""Atomic figure output: a check saves a matplotlib figure without leaving half files.

During a run ``RunContext.out_dir`` is the run's private staging directory (see
``verify.report.writer.ReportStage``), so a figure never overwrites the published report's.
Files are created with mode 0o666 reduced by the umask, like any file the user writes.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..claims.context import RunContext
from .atomic import FILE_MODE, random_name


def save_figure(fig, ctx: RunContext, name: str, tight: bool = True) -> list[str]:
    """Save ``fig`` as PNG under the report's figures/ directory; returns [relative name] or [].

    ``tight`` crops to the drawn content, which costs a second, measuring draw of the figure (~0.1 s for a
    one-axes figure); a figure whose default layout already holds its labels passes ``tight=False``."""
    import matplotlib.pyplot as plt

    path = ctx.artifact_path(name)
    if path is None:
        plt.close(fig)
        return []
    tmp = path.with_name(random_name(f".{path.name}.") + ".part")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fig.savefig(fh, format="png", dpi=110, bbox_inches="tight" if tight else None)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        plt.close(fig)
    return [str(Path("figures") / name)]
