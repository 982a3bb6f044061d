"""What is a report set on disk, what is not ours, and how to repair what a killed run left.

A report set is a directory holding report.json, report.md, report.html, junit.xml, figures/ and
the manifest ``.dmf-verify-report`` that lists them. Beside an output directory ``D`` live, for
the duration of a run, its lock ``.D.lock``, staging directories ``.D.stage-<hex>`` and (only while
the two-rename fallback runs) the previous set ``.D.old-<hex>``.

A report set may contain other report sets (``verify run`` into ``reports/`` and ``verify check``
into ``reports/<file>/``): these *nested sets* and their lock, staging and old entries belong to
other runs; they are carried over into the new set, never deleted or counted as foreign.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import atomic

REPORT_FILES = ("report.json", "report.md", "report.html", "junit.xml")
MANIFEST = ".dmf-verify-report"
MANIFEST_SCHEMA = "dmf-verify/report-set"
FIGURES = "figures"
# names written by versions before the manifest (a stray .part of an interrupted write included)
_LEGACY = re.compile(r"\.(report\.(json|md|html)|junit\.xml)\..+\.part|figures/[^/]+\.png(\.part)?")
# the lock, staging and old entries of a run into the sibling directory <name>
_RUN_ENTRY = re.compile(r"\.(?P<name>.+)\.(lock|(stage|old)-[0-9a-f]{12})")
WAIT_SECONDS = 0.2


def is_dmf_report(path: Path | str) -> bool:
    """``path`` is a dmf-verify report.json."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh).get("schema") == "dmf-verify/report"
    except (OSError, ValueError, AttributeError):
        return False


def is_report_set(path: Path | str) -> bool:
    """``path`` is a real directory holding a report set (with a manifest, or an older one)."""
    path = Path(path)
    return path.is_dir() and not path.is_symlink() and \
        (os.path.lexists(path / MANIFEST) or is_dmf_report(path / "report.json"))


def manifest_files(path: Path | str) -> set[str] | None:
    """The files a set's manifest lists (the manifest included); None without a readable one."""
    try:
        manifest = json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA \
            or not isinstance(manifest.get("files"), list):
        return None
    return {str(f) for f in manifest["files"]} | {MANIFEST}


def _run_entry(entry: os.DirEntry) -> str | None:
    """The set name of a run entry (an empty lock file, a staging or old directory), else None."""
    match = _RUN_ENTRY.fullmatch(entry.name)
    if not match:
        return None
    try:
        if match.group(2) == "lock":
            ok = entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_size == 0
        else:
            ok = entry.is_dir(follow_symlinks=False)
    except OSError:
        return None
    return match["name"] if ok else None


def _carried(out: Path | str) -> dict[str, str]:
    """Top-level entries of ``out`` that belong to nested sets: entry name -> nested set name."""
    carried: dict[str, str] = {}
    try:
        entries = list(os.scandir(out))
    except OSError:
        return carried
    for entry in entries:
        name = _run_entry(entry)
        if name is not None:
            carried[entry.name] = name
        elif entry.is_dir(follow_symlinks=False) and is_report_set(entry.path):
            carried[entry.name] = entry.name
    return carried


def nested_names(out: Path | str) -> set[str]:
    """Names of the nested sets in ``out``: report-set subdirectories, and those whose run has left
    a lock, staging or old entry (a first run into ``out/<name>`` is under way)."""
    return set(_carried(out).values())


def foreign_entries(out: Path | str, adopt: Iterable[str] = ()) -> list[str]:
    """Entries of an existing output directory that dmf-verify did not write (relative paths).

    Ours: the files the set's manifest lists; for a directory written before manifests, the four
    report names (report.json being a dmf-verify report), figures/*.png and stray ``.part`` files
    of an interrupted write; nested sets with their run entries; and the files in ``adopt``.
    """
    out = Path(out)
    adopted = {str(a) for a in adopt}
    listed = manifest_files(out)
    if listed is None and os.path.lexists(out / MANIFEST):
        return [MANIFEST + " (unreadable manifest)"]
    legacy_ok = listed is None and is_dmf_report(out / "report.json")
    dirs_ok = {FIGURES} if listed is None else {p for f in listed for p in _parents(f)}
    dirs_ok |= {p for f in adopted for p in _parents(f)}
    top_carried = set(_carried(out))
    foreign = []
    for root, dirs, names in os.walk(out):
        rel_root = Path(root).relative_to(out)
        carried = top_carried if rel_root == Path(".") else set()
        for d in dirs:
            rel = (rel_root / d).as_posix()
            if d not in carried and (rel not in dirs_ok or os.path.islink(os.path.join(root, d))):
                foreign.append(rel + "/")
        dirs[:] = [d for d in dirs if d not in carried and (rel_root / d).as_posix() in dirs_ok]
        for n in names:
            rel = (rel_root / n).as_posix()
            ours = (rel in listed) if listed is not None else \
                legacy_ok and (rel in REPORT_FILES or bool(_LEGACY.fullmatch(rel)))
            if not ours and n not in carried and rel not in adopted:
                foreign.append(rel)
    return sorted(foreign)


def _parents(rel: str) -> list[str]:
    parts = rel.split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


def run_entries(parent: Path, name: str, kind: str) -> list[Path]:
    """The ``.<name>.<kind>-<hex>`` entries in ``parent`` (kind: stage or old)."""
    pattern = re.compile(rf"\.{re.escape(name)}\.{kind}-[0-9a-f]{{12}}")
    try:
        names = os.listdir(parent)
    except OSError:
        return []
    return [parent / n for n in sorted(names) if pattern.fullmatch(n)]


def lock(parent: Path, name: str) -> atomic.FileLock:
    """The lock serializing runs into ``parent/name``."""
    return atomic.FileLock(parent / f".{name}.lock")


def recover(parent: Path, name: str) -> None:
    """Under ``lock(parent, name)``: finish what a killed run into ``parent/name`` left behind.

    A previous set moved aside (``.old-``) goes back if the output directory is missing, else is
    deleted. A staging directory whose run is gone (its flock is free) is deleted, after the nested
    sets that run had carried into it are moved back home.
    """
    target = parent / name
    for old in run_entries(parent, name, "old"):
        if not os.path.lexists(target):
            os.rename(old, target)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stage in run_entries(parent, name, "stage"):
        fd = atomic.try_lock_dir(stage)
        if fd is None:
            continue
        try:
            if _rescue_nested(stage, target):
                shutil.rmtree(stage, ignore_errors=True)
        finally:
            os.close(fd)


def _rescue_nested(stage: Path, target: Path) -> bool:
    """Move nested sets a killed run had carried into ``stage`` back into ``target``; True when
    nothing of another run is left in ``stage``."""
    own = {f.split("/")[0] for f in manifest_files(stage) or ()}
    clear = True
    for entry in list(os.scandir(stage)):
        if entry.name in own or not (entry.is_dir(follow_symlinks=False) and is_report_set(entry.path)):
            continue
        if target.is_dir() and not os.path.lexists(target / entry.name):
            os.rename(entry.path, target / entry.name)
        else:
            clear = False
    return clear


@contextlib.contextmanager
def nested_held(out: Path) -> Iterator[list[str]]:
    """Hold the locks of every nested set in ``out`` while no run into one of them is under way.

    Yields the names of the nested directories present (to be carried over). Waits, polling, while
    a nested run is alive (its staging directory is locked): it needs its own lock to finish, so
    the locks are released between polls.
    """
    while True:
        names = sorted(nested_names(out))
        held: list[atomic.FileLock] = []
        with contextlib.ExitStack() as stack:
            for name in names:
                held.append(stack.enter_context(lock(out, name)))
            if sorted(nested_names(out)) == names and not any(_alive(out, n) for n in names):
                for name in names:
                    recover(out, name)
                yield [n for n in names if is_report_set(out / n)]
                return
        time.sleep(WAIT_SECONDS)


def _alive(parent: Path, name: str) -> bool:
    return any(atomic.dir_is_locked(stage) for stage in run_entries(parent, name, "stage"))
