"""What produced a report: versions, platform, SymPy ground types, seed, profile, timing."""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata as md
import platform
import subprocess
import sys
from pathlib import Path

import verify

PACKAGES = ("sympy", "mpmath", "numpy", "scipy", "matplotlib", "hypothesis", "python-flint",
            "gmpy2", "numba", "symengine", "jax", "torch")


def package_versions() -> dict[str, str]:
    out = {}
    for name in PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def ground_types() -> str:
    """SymPy's ground types (python, gmpy or flint): they change exact arithmetic backends."""
    try:
        from sympy.external.gmpy import GROUND_TYPES

        return str(GROUND_TYPES)
    except ImportError:  # older SymPy
        from sympy.polys.domains import GROUND_TYPES  # type: ignore

        return str(GROUND_TYPES)


def _git(*args: str) -> str | None:
    root = Path(verify.__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def git_commit() -> str | None:
    out = _git("rev-parse", "--short", "HEAD")
    return out.strip() or None if out is not None else None


def git_dirty() -> bool | None:
    """True when the engine or the catalogue (verify/, proofs/) differs from the commit: the commit alone
    does not say what ran. None outside a git checkout (an installed package)."""
    out = _git("status", "--porcelain", "--untracked-files=no", "--", "verify", "proofs")
    return None if out is None else bool(out.strip())


def file_sha256(path: str | Path) -> str:
    """SHA-256 (hex) of a file's bytes: identifies exactly which claim file a report checked."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def provenance(seed: int, profile: str, dps: int, started: dt.datetime, wall_seconds: float,
               command: str, jobs: int = 1, claim_file: str | None = None,
               claim_file_sha256: str | None = None) -> dict:
    """What produced a report. ``claim_file_sha256`` is best computed from the bytes the loader read;
    when not given for a claim file, it is computed from the file now (null if it cannot be read)."""
    if claim_file is not None and claim_file_sha256 is None:
        try:
            claim_file_sha256 = file_sha256(claim_file)
        except OSError:
            claim_file_sha256 = None
    return {
        "verify_version": verify.__version__,
        "git_commit": git_commit(),
        "git_dirty": git_dirty(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": package_versions(),
        "sympy_ground_types": ground_types(),
        "seed": seed,
        "profile": profile,
        "dps": dps,
        "jobs": jobs,
        "started": started.isoformat(timespec="seconds"),
        "wall_seconds": round(wall_seconds, 2),
        "command": command,
        "claim_file": claim_file,
        "claim_file_sha256": claim_file_sha256,
    }
