"""Atomic figure output: a check saves a matplotlib figure without leaving half files."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..claims.context import RunContext


def save_figure(fig, ctx: RunContext, name: str) -> list[str]:
    """Save ``fig`` as PNG under the report's figures/ directory; returns [relative name] or []."""
    import matplotlib.pyplot as plt

    path = ctx.artifact_path(name)
    if path is None:
        plt.close(fig)
        return []
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png.part")
    os.close(fd)
    try:
        fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
        plt.close(fig)
    return [str(Path("figures") / name)]
