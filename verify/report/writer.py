"""Publish a report set (report.json, report.md, report.html, junit.xml, figures/) atomically as a set.

A run writes into a fresh private staging directory beside the output directory (same file
system): ``.<name>.stage-<random>``. ``publish`` renders every format there, then swaps the whole
directory in with one ``renameat2(RENAME_EXCHANGE)`` (or, where the system has none, two renames
with a roll-back), under an exclusive lock so concurrent runs into one directory serialize. A
reader therefore sees the previous set or the new one, never a mix; a crash, Ctrl-C or a full disk
leaves the previous set untouched and no stray files (a staging directory orphaned by SIGKILL is
removed by the next run into the same place).

The output directory is replaced as a whole, so it must hold nothing but a report set (and
nested report sets of other runs, which are carried over): a directory with files this tool did
not write (``--out .`` in a source tree) is refused with a UsageError before the run starts.
Documented in docs/report-schema.md.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any

from ..errors import UsageError, VerifyError
from . import atomic, sets
from .document import to_json_text
from .sets import MANIFEST, MANIFEST_SCHEMA, REPORT_FILES, foreign_entries

__all__ = ["MANIFEST", "REPORT_FILES", "ReportStage", "ReportWriteError", "foreign_entries", "python_reproducer",
           "run_document", "write_reports", "write_run"]


class ReportWriteError(VerifyError, OSError):
    """The report set could not be written or published (full disk, permissions); the previous
    set is untouched. ``errno`` is that of the underlying OSError; ``str()`` is one line."""

    def __init__(self, message: str, cause: OSError) -> None:
        super().__init__(message)
        self.errno = cause.errno

    def __str__(self) -> str:
        return str(self.args[0])


def _write_error(verb: str, out_dir: Path | str, exc: OSError) -> ReportWriteError:
    return ReportWriteError(f"cannot {verb} the report into {out_dir}: {exc.strerror or exc}; "
                            "the previous report is untouched", exc)


class ReportStage:
    """A private directory for one run's report set, published into ``out_dir`` as a whole.

    Use as a context manager: checks write figures under ``path`` during the run (pass it as
    ``RunContext.out_dir``), then ``publish(doc)`` renders and swaps the set in. Leaving the
    ``with`` block by any exception (KeyboardInterrupt included) deletes ``path`` and leaves
    ``out_dir`` as it was.
    """

    path: Path

    def __init__(self, out_dir: Path | str, *, adopt: Iterable[str] = ()) -> None:
        """``adopt``: paths relative to ``out_dir`` that the caller wrote there itself (figures of
        a run made outside a stage); they count as ours when deciding whether ``out_dir`` may be
        replaced."""
        if not isinstance(out_dir, (str, os.PathLike)) or not str(out_dir).strip():
            raise UsageError(f"report directory must be a non-empty path, got {out_dir!r}")
        self.out_dir = Path(out_dir)
        self._created: list[Path] = []
        self._lock_fd: int | None = None
        self._published = False
        self._closed = False
        self._adopted = {str(a) for a in adopt}
        target = self._resolve_target(self.out_dir)
        self._target = target
        self._parent = target.parent
        self._name = target.name
        self._make_parents()
        try:
            with self._lock():
                self._recover()
                self._check_replaceable()
                self.path = self._make_stage()
        except OSError as exc:
            self._remove_created_parents()
            raise UsageError(f"cannot write the report directory {self.out_dir}: {exc.strerror or exc}") from None
        except BaseException:
            self._remove_created_parents()
            raise

    # -- validation ------------------------------------------------------------------------

    @staticmethod
    def _resolve_target(out: Path) -> Path:
        """The real location to replace (a symlinked output directory is followed)."""
        target = Path(os.path.realpath(out))
        if os.path.lexists(out) and not target.is_dir():
            raise UsageError(f"the report directory {out} exists and is not a directory")
        if target.parent == target:
            raise UsageError(f"the report directory {out} is a file-system root; choose a subdirectory")
        cwd = Path(os.path.realpath(os.getcwd()))
        if cwd == target or target in cwd.parents:
            raise UsageError(f"the report directory {out} contains the current directory; a report set "
                             "replaces its directory as a whole, so choose a new or report-only directory")
        return target

    def _make_parents(self) -> None:
        missing = [p for p in [self._parent, *self._parent.parents] if not p.exists()]
        try:
            self._parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UsageError(f"cannot create the report directory {self.out_dir}: "
                             f"{exc.strerror or exc}") from None
        self._created = missing  # deepest first, removed again if the run is abandoned
        if not os.access(self._parent, os.W_OK | os.X_OK):
            raise UsageError(f"cannot write the report directory {self.out_dir}: "
                             f"{self._parent} is not writable")

    def _check_replaceable(self) -> None:
        """Refuse a directory with files that are not ours, or one that cannot be renamed."""
        target = self._target
        if not target.exists():
            return
        foreign = foreign_entries(target, self._adopted)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise UsageError(f"the report directory {self.out_dir} holds files dmf-verify did not write "
                             f"({shown}); a report set replaces its directory as a whole, so choose a "
                             "new, empty or report-only directory")
        if os.stat(target).st_dev != os.stat(self._parent).st_dev:
            raise UsageError(f"the report directory {self.out_dir} is a mount point; choose a "
                             "subdirectory of it")
        for root, dirs, _ in os.walk(target):
            if not os.access(root, os.W_OK | os.X_OK):
                raise UsageError(f"the previous report in {root} is not writable, so it cannot be replaced")

    # -- staging ---------------------------------------------------------------------------

    def _lock(self) -> atomic.FileLock:
        return sets.lock(self._parent, self._name)

    def _make_stage(self) -> Path:
        for _ in range(100):
            path = self._parent / atomic.random_name(f".{self._name}.stage-")
            try:
                os.mkdir(path, atomic.DIR_MODE)
            except FileExistsError:
                continue
            except OSError as exc:
                raise UsageError(f"cannot write the report directory {self.out_dir}: "
                                 f"{exc.strerror or exc}") from None
            self._lock_fd = atomic.try_lock_dir(path)  # marks the stage as alive for other runs
            return path
        raise UsageError(f"cannot create a staging directory beside {self.out_dir}")

    def _recover(self) -> None:
        sets.recover(self._parent, self._name)

    # -- publishing ------------------------------------------------------------------------

    def publish(self, doc: dict) -> list[Path]:
        """Render every format into ``path``, then swap the whole set into ``out_dir`` atomically.

        Returns the paths of the four report files under ``out_dir``. Raises ReportWriteError
        (an OSError) when a file cannot be written or the swap fails; the previous set is then
        untouched and the staging directory is removed.
        """
        if self._published or self._closed:
            raise RuntimeError("a ReportStage publishes once, inside its with block")
        from .html import render_html
        from .junit import render_junit
        from .markdown import render_markdown
        from .plots import evidence_plots

        try:
            plots = evidence_plots(doc)
            texts = {"report.json": to_json_text(doc), "report.md": render_markdown(doc, plots),
                     "report.html": render_html(doc, self.path, plots), "junit.xml": render_junit(doc)}
            try:
                for plot in plots:
                    path = self.path / plot["file"]
                    path.parent.mkdir(parents=True, exist_ok=True)
                    atomic.write_new(path, plot["png"])
                for name, text in texts.items():
                    atomic.write_new(self.path / name, text)
                self._write_manifest()
                atomic.fsync_dir(self.path)
            except OSError as exc:
                raise _write_error("write", self.out_dir, exc) from exc
            try:
                with self._lock():
                    self._recover()
                    self._check_replaceable()
                    self._swap_in()
            except OSError as exc:
                raise _write_error("publish", self.out_dir, exc) from exc
        except BaseException:
            self.close()
            raise
        self._published = True
        self.close()
        return [self.out_dir / name for name in REPORT_FILES]

    def _write_manifest(self) -> None:
        files = []
        for root, _, names in os.walk(self.path):
            rel_root = Path(root).relative_to(self.path)
            files += [(rel_root / n).as_posix() for n in names]
        manifest = {"schema": MANIFEST_SCHEMA, "files": sorted(files)}
        atomic.write_new(self.path / MANIFEST, json.dumps(manifest, indent=1) + "\n")

    def _swap_in(self) -> None:
        """Put the staged set at the output path; the previous set ends at ``path`` or ``.old-``.

        Nested sets of other runs are moved into the new set first (under their locks, once no run
        into them is under way) and moved back if the swap fails.
        """
        target, stage = self._target, self.path
        if not os.path.lexists(target):
            os.rename(stage, target)
            atomic.fsync_dir(self._parent)
            return
        os.chmod(stage, stat.S_IMODE(os.stat(target).st_mode))  # keep the directory's own mode
        with sets.nested_held(target) as nested:
            moved: list[str] = []
            swapped = False
            try:
                for name in nested:
                    os.rename(target / name, stage / name)
                    moved.append(name)
                old = self._swap(target, stage)
                swapped = True
            except BaseException:
                if not swapped:
                    for name in reversed(moved):
                        os.rename(stage / name, target / name)
                raise
        atomic.fsync_dir(self._parent)
        shutil.rmtree(old, ignore_errors=True)

    def _swap(self, target: Path, stage: Path) -> Path:
        """Exchange ``stage`` and ``target``; returns where the previous set now is."""
        if atomic.exchange(stage, target):
            return stage
        old = self._parent / atomic.random_name(f".{self._name}.old-")
        os.rename(target, old)
        try:
            os.rename(stage, target)
        except BaseException:
            os.rename(old, target)
            raise
        return old

    # -- clean-up --------------------------------------------------------------------------

    def close(self) -> None:
        """Delete the staging directory (if still there) and release its lock; idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if not self._published and os.path.lexists(self.path):
                shutil.rmtree(self.path, ignore_errors=True)
        finally:
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
        if not self._published:
            self._remove_created_parents()

    def _remove_created_parents(self) -> None:
        for p in self._created:
            try:
                p.rmdir()
            except OSError:
                break
        self._created = []

    def __enter__(self) -> "ReportStage":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def write_reports(doc: dict, out_dir: Path | str, figures_dir: Path | str | None = None) -> list[Path]:
    """Publish ``doc`` as a complete report set in ``out_dir`` (atomically as a set).

    For callers that ran checks outside a ``ReportStage``: the figures ``doc`` cites are copied
    from ``figures_dir`` (default ``out_dir``, where such a run wrote them) into the new set.
    """
    source = Path(figures_dir if figures_dir is not None else out_dir)
    cited = {f for c in doc.get("claims") or [] for e in c.get("evidence") or [] for f in e.get("figures") or []}
    with ReportStage(out_dir, adopt=cited) as stage:
        for rel in sorted(cited):
            rel_path = Path(rel)
            if rel_path.is_absolute() or ".." in rel_path.parts or not (source / rel_path).is_file():
                continue
            dest = stage.path / rel_path
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                atomic.write_new(dest, (source / rel_path).read_bytes())
            except OSError as exc:
                raise _write_error("write", out_dir, exc) from exc
        return stage.publish(doc)


def python_reproducer(profile: str, seed: int, digits: int) -> Callable[[str], str]:
    """How to rerun a claim that lives in the caller's code (not in the catalogue or a claim file)."""
    return lambda cid: (f"verify.api.run_claims([<claim {cid}>], profile={profile!r}, seed={seed}, "
                        f"digits={digits})")


def run_document(run_result: Any, *, command: str | None = None, claim_file: str | None = None,
                 started: dt.datetime | None = None,
                 reproduce: Callable[[str], str] | None = None) -> dict:
    """The report document (report.json) of a finished ``verify.runner.RunResult``.

    Seed, profile, digits and jobs come from the run itself. ``command``: what produced it (the CLI
    passes its command line; default: a ``verify.api.run_claims`` call). ``claim_file``: the claim
    file's path, hashed into the provenance. ``started``: when the run began (default: its end minus
    its wall time). ``reproduce``: claim id → command that reruns it; default, for a run with a
    ``command``, ``verify run``/``verify check`` with the same seed, profile and digits, and without
    one, ``python_reproducer`` (claims built in code are not in the catalogue).
    """
    from .document import build_document
    from .provenance import provenance

    ctx = run_result.ctx
    profile, seed, digits = ctx.profile.name, ctx.seed, ctx.dps
    if started is None:
        started = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=float(run_result.wall_seconds))
    if command is None:
        command = (f"verify.api.run_claims(claims, profile={profile!r}, seed={seed}, digits={digits}, "
                   f"jobs={run_result.jobs})")
        reproduce = reproduce or python_reproducer(profile, seed, digits)
    doc = build_document(run_result, provenance(seed, profile, digits, started, run_result.wall_seconds,
                                                command, run_result.jobs, claim_file=claim_file))
    if reproduce is not None:
        for entry in doc["claims"]:
            entry["reproduce"] = reproduce(entry["id"])
    return doc


def write_run(run_result: Any, out_dir: Path | str, *, command: str | None = None,
              claim_file: str | None = None, started: dt.datetime | None = None,
              reproduce: Callable[[str], str] | None = None,
              figures_dir: Path | str | None = None) -> list[Path]:
    """Write the whole report set (report.json, .md, .html, junit.xml, figures/ with the evidence
    plots) of a finished run into ``out_dir``, atomically as a set; returns the four report files.

    The figures the checks drew are copied from ``figures_dir`` (default: the run's own
    ``ctx.out_dir``, where they were drawn; a run without one drew none). The other arguments are
    those of ``run_document``. Raises UsageError for an output directory that cannot hold a report
    set, ReportWriteError when writing fails (the previous set is then untouched).
    """
    doc = run_document(run_result, command=command, claim_file=claim_file, started=started, reproduce=reproduce)
    source = figures_dir if figures_dir is not None else getattr(run_result.ctx, "out_dir", None)
    if source is None or not Path(source).is_dir():
        source = out_dir
    return write_reports(doc, out_dir, figures_dir=source)
