"""ReportStage: a report set is published atomically as a set, readable by others, never mixed.

The documents here are tiny hand-made reports; what is tested is the file-system behaviour:
crashes between steps, Ctrl-C, a full disk, concurrent runs, foreign files, permissions.
"""
from __future__ import annotations

import errno
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from verify.errors import UsageError, VerifyError
from verify.report import atomic
from verify.report.writer import MANIFEST, REPORT_FILES, ReportStage, ReportWriteError, write_reports


def doc(seed: int) -> dict:
    """A minimal valid version-2 report that names its seed and cites one figure."""
    return {
        "schema": "dmf-verify/report", "schema_version": 2,
        "provenance": {"seed": seed, "profile": "quick", "dps": 50, "wall_seconds": 0.1},
        "summary": {"verified": 1, "refuted": 0, "inconclusive": 0, "total": 1},
        "claims": [{"id": "x.claim", "paper": "p", "statement": f"seed {seed}", "source": "derived by the suite",
                    "resolutions": [], "verdict": "verified", "tiers": {"numeric": "verified"},
                    "tier_conflict": False, "crashed": False, "minimal_counterexample": None,
                    "reproduce": "verify run --only x.claim", "seconds": 0.0,
                    "evidence": [{"check": "c", "tier": "numeric", "verdict": "verified", "summary": "ok",
                                  "scope": "one", "figures": ["figures/f.png"], "instances": 1}]}],
    }


def stage_run(out: Path, seed: int) -> list[Path]:
    """What a run does: write a figure into the stage during the run, then publish."""
    with ReportStage(out) as stage:
        (stage.path / "figures").mkdir()
        (stage.path / "figures" / "f.png").write_text(f"figure of seed {seed}")
        return stage.publish(doc(seed))


def seeds_in(out: Path) -> set[str]:
    """The seed each file of the published set belongs to (one value for a consistent set)."""
    seen = {str(json.loads((out / "report.json").read_text())["provenance"]["seed"]),
            (out / "figures" / "f.png").read_text().split()[-1]}
    for name in ("report.md", "report.html", "junit.xml"):
        text = (out / name).read_text()
        seen |= {s for s in ("1", "2", "3", "4", "5", "6", "7", "8") if f"seed {s}" in text}
    return seen


def siblings(parent: Path) -> list[str]:
    return sorted(os.listdir(parent))


def test_publish_creates_the_set_and_replaces_it_whole(tmp_path):
    out = tmp_path / "deep" / "reports"
    paths = stage_run(out, 1)
    assert paths == [out / n for n in REPORT_FILES]
    assert seeds_in(out) == {"1"}
    assert sorted(os.listdir(out)) == sorted([*REPORT_FILES, MANIFEST, "figures"])
    manifest = json.loads((out / MANIFEST).read_text())
    assert "figures/f.png" in manifest["files"] and "report.json" in manifest["files"]
    stage_run(out, 2)
    assert seeds_in(out) == {"2"}
    assert siblings(out.parent) == ["reports"]       # no stage, lock or old set left beside it


def test_figures_of_a_run_never_touch_the_published_set(tmp_path):
    out = tmp_path / "r"
    stage_run(out, 1)
    with ReportStage(out) as stage:
        (stage.path / "figures").mkdir()
        (stage.path / "figures" / "f.png").write_text("figure of seed 2")
        assert seeds_in(out) == {"1"}                  # during the run, the old set is whole
        stage.publish(doc(2))
    assert seeds_in(out) == {"2"}


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two-renames"])
def test_crash_in_the_swap_leaves_the_old_set(tmp_path, monkeypatch, fallback):
    out = tmp_path / "r"
    stage_run(out, 1)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    if fallback:
        monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
        real_rename, calls = os.rename, []

        def rename(src, dst):                      # the 2nd rename (new set in) dies
            calls.append((src, dst))
            if len(calls) == 2:
                raise OSError(errno.EIO, "Input/output error")
            real_rename(src, dst)
        monkeypatch.setattr(os, "rename", rename)
    else:
        def exchange(a, b):
            raise OSError(errno.EIO, "Input/output error")
        monkeypatch.setattr(atomic, "exchange", exchange)
    with pytest.raises(ReportWriteError, match="previous report is untouched"):
        stage_run(out, 2)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert siblings(tmp_path) == ["r"]


def test_fallback_without_exchange_publishes(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    stage_run(tmp_path / "r", 1)
    stage_run(tmp_path / "r", 2)
    assert seeds_in(tmp_path / "r") == {"2"} and siblings(tmp_path) == ["r"]


def test_exchange_swaps_two_directories(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x").write_text("a")
    if not atomic.exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("no RENAME_EXCHANGE on this system (the two-rename fallback is tested)")
    assert (tmp_path / "b" / "x").read_text() == "a" and not (tmp_path / "a" / "x").exists()


def test_a_killed_run_is_cleaned_up_by_the_next(tmp_path):
    """SIGKILL between the two renames of the fallback leaves the old set moved aside and no
    output directory; a stale staging directory may remain too. The next run repairs both."""
    out = tmp_path / "r"
    stage_run(out, 1)
    os.rename(out, tmp_path / ".r.old-0123456789ab")
    (tmp_path / ".r.stage-abcdef012345" / "figures").mkdir(parents=True)
    with ReportStage(out) as stage:
        assert seeds_in(out) == {"1"}                 # the old set is back before anything else
        assert sorted(siblings(tmp_path)) == sorted(["r", stage.path.name])
        (stage.path / "figures").mkdir()
        (stage.path / "figures" / "f.png").write_text("figure of seed 2")
        stage.publish(doc(2))
    assert siblings(tmp_path) == ["r"] and seeds_in(out) == {"2"}


def test_keyboard_interrupt_inside_the_with_leaves_nothing(tmp_path):
    out = tmp_path / "new" / "r"
    with pytest.raises(KeyboardInterrupt):
        with ReportStage(out) as stage:
            (stage.path / "figures").mkdir()
            (stage.path / "figures" / "f.png").write_text("half a run")
            raise KeyboardInterrupt
    assert siblings(tmp_path) == []                  # not even the parent it created
    stage_run(tmp_path / "old", 1)
    with pytest.raises(KeyboardInterrupt):
        with ReportStage(tmp_path / "old") as stage:
            raise KeyboardInterrupt
    assert siblings(tmp_path) == ["old"] and seeds_in(tmp_path / "old") == {"1"}


@pytest.mark.parametrize("failing", [1, 3, 5])
def test_full_disk_raises_clearly_and_keeps_the_old_set(tmp_path, monkeypatch, failing):
    out = tmp_path / "r"
    stage_run(out, 1)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    real, calls = atomic.write_new, []

    def write_new(path, data):                     # half a file, then ENOSPC
        calls.append(path)
        if len(calls) == failing:
            Path(path).write_bytes(b"half")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, data)
    monkeypatch.setattr(atomic, "write_new", write_new)
    with pytest.raises(ReportWriteError) as info:
        stage_run(out, 2)
    assert isinstance(info.value, VerifyError) and isinstance(info.value, OSError)
    assert info.value.errno == errno.ENOSPC
    assert str(info.value) == (f"cannot write the report into {out}: No space left on device; "
                               "the previous report is untouched")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert siblings(tmp_path) == ["r"]


def test_full_disk_in_a_real_write_call(tmp_path, monkeypatch):
    real = os.write

    def write(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith("report.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)
    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc")
    monkeypatch.setattr(atomic.os, "write", write)
    with pytest.raises(ReportWriteError, match="No space left on device"):
        stage_run(tmp_path / "r", 1)
    assert siblings(tmp_path) == []


def _publish_many(out: str, seed: int, rounds: int) -> None:
    for _ in range(rounds):
        stage_run(Path(out), seed)


def test_concurrent_runs_into_one_directory_never_mix(tmp_path):
    out = tmp_path / "r"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_publish_many, args=(str(out), seed, 6)) for seed in (1, 2, 3, 4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    assert len(seeds_in(out)) == 1
    assert siblings(tmp_path) == ["r"]


def test_two_open_stages_publish_whole_sets(tmp_path):
    out = tmp_path / "r"
    with ReportStage(out) as a, ReportStage(out) as b:
        for stage, seed in ((a, 1), (b, 2)):
            (stage.path / "figures").mkdir()
            (stage.path / "figures" / "f.png").write_text(f"figure of seed {seed}")
        b.publish(doc(2))
        assert seeds_in(out) == {"2"}
        a.publish(doc(1))
        assert seeds_in(out) == {"1"}
    assert siblings(tmp_path) == ["r"]


# -- what may be replaced ------------------------------------------------------------------

def test_foreign_files_are_refused_before_the_run(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("precious")
    with pytest.raises(UsageError, match=r"holds files dmf-verify did not write \(notes.txt\)"):
        ReportStage(out)
    assert (out / "notes.txt").read_text() == "precious" and siblings(tmp_path) == ["mine"]
    (out / "notes.txt").unlink()
    (out / "figures").mkdir()
    (out / "figures" / "data.csv").write_text("1,2")
    with pytest.raises(UsageError, match="figures/data.csv"):
        ReportStage(out)


def test_a_report_json_of_someone_else_is_foreign(tmp_path):
    out = tmp_path / "r"
    out.mkdir()
    (out / "report.json").write_text('{"schema": "theirs"}')
    with pytest.raises(UsageError, match="report.json"):
        ReportStage(out)


def test_a_manifest_protects_files_added_later(tmp_path):
    out = tmp_path / "r"
    stage_run(out, 1)
    (out / "figures" / "mine.png").write_text("added by hand")
    with pytest.raises(UsageError, match="figures/mine.png"):
        ReportStage(out)


def test_foreign_file_appearing_during_the_run(tmp_path):
    out = tmp_path / "r"
    stage_run(out, 1)
    with pytest.raises(UsageError, match="notes.txt"):
        with ReportStage(out) as stage:
            (out / "notes.txt").write_text("written meanwhile")
            stage.publish(doc(2))
    assert seeds_in(out) == {"1"} and (out / "notes.txt").exists()
    assert siblings(tmp_path) == ["r"]


def test_out_dot_and_the_current_directory_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for out in (".", str(tmp_path), ".."):
        with pytest.raises(UsageError, match="current directory"):
            ReportStage(out)
    assert siblings(tmp_path) == []


@pytest.mark.parametrize("bad", ["", "   "])
def test_empty_paths_are_refused(bad):
    with pytest.raises(UsageError, match="non-empty"):
        ReportStage(bad)


def test_a_file_is_not_a_report_directory(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="not a directory"):
        ReportStage(tmp_path / "f")
    with pytest.raises(UsageError, match="cannot create"):
        ReportStage(tmp_path / "f" / "sub")


def test_legacy_report_directory_is_replaced_with_its_stray_part_file(tmp_path):
    """A directory written before manifests (and left with a .part by a crash) is ours."""
    out = tmp_path / "r"
    (out / "figures").mkdir(parents=True)
    (out / "report.json").write_text(json.dumps({"schema": "dmf-verify/report", "schema_version": 1}))
    (out / "report.md").write_text("old")
    (out / ".report.html.k2j3.part").write_text("half")
    (out / "figures" / "old.png").write_text("png")
    stage_run(out, 1)
    assert sorted(os.listdir(out)) == sorted([*REPORT_FILES, MANIFEST, "figures"])
    assert os.listdir(out / "figures") == ["f.png"]


def test_an_empty_existing_directory_is_used(tmp_path):
    (tmp_path / "r").mkdir()
    stage_run(tmp_path / "r", 1)
    assert seeds_in(tmp_path / "r") == {"1"}


def test_a_symlinked_output_directory_stays_a_symlink(tmp_path):
    real = tmp_path / "real"
    stage_run(real, 1)
    (tmp_path / "link").symlink_to(real)
    stage_run(tmp_path / "link", 2)
    assert (tmp_path / "link").is_symlink() and seeds_in(real) == {"2"}
    assert sorted(siblings(tmp_path)) == ["link", "real"]


def test_publish_once(tmp_path):
    with ReportStage(tmp_path / "r") as stage:
        stage.publish(doc(1))
        with pytest.raises(RuntimeError):
            stage.publish(doc(2))


# -- permissions ---------------------------------------------------------------------------

@pytest.fixture
def umask():
    def set_mask(mask: int) -> None:
        os.umask(mask)
    old = os.umask(0o022)
    yield set_mask
    os.umask(old)


def modes(out: Path) -> dict[str, int]:
    return {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")]}


@pytest.mark.parametrize("mask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750),
                                                       (0o077, 0o600, 0o700)])
def test_report_files_respect_the_umask(tmp_path, umask, mask, file_mode, dir_mode):
    umask(mask)
    out = tmp_path / "r"
    stage_run(out, 1)
    assert atomic.current_umask() == mask
    for rel, mode in modes(out).items():
        expected = dir_mode if (out / rel).is_dir() else file_mode
        assert mode == expected, (rel, oct(mode))


def test_replacing_keeps_the_directory_mode(tmp_path, umask):
    out = tmp_path / "r"
    stage_run(out, 1)
    os.chmod(out, 0o751)
    stage_run(out, 2)
    assert stat.S_IMODE(out.stat().st_mode) == 0o751
    assert stat.S_IMODE((out / "report.md").stat().st_mode) == 0o644


def test_figures_and_single_files_respect_the_umask(tmp_path, umask):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from verify.claims.context import RunContext
    from verify.report.figures import save_figure

    umask(0o022)
    fig = plt.figure()
    assert save_figure(fig, RunContext(out_dir=str(tmp_path)), "a.png") == ["figures/a.png"]
    assert stat.S_IMODE((tmp_path / "figures" / "a.png").stat().st_mode) == 0o644
    assert (tmp_path / "figures" / "a.png").read_bytes().startswith(b"\x89PNG")
    assert os.listdir(tmp_path / "figures") == ["a.png"]
    atomic.write_atomic(tmp_path / "bench.json", "{}")
    assert stat.S_IMODE((tmp_path / "bench.json").stat().st_mode) == 0o644


# -- the compatibility entry point ---------------------------------------------------------

def test_write_reports_copies_cited_figures(tmp_path):
    out = tmp_path / "r"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "f.png").write_text("figure of seed 3")
    write_reports(doc(3), out)
    assert seeds_in(out) == {"3"} and siblings(tmp_path) == ["r"]
    write_reports(doc(3), out)                        # again, from its own published figures
    assert seeds_in(out) == {"3"}
    other = tmp_path / "s"                             # a set without figures, then a run that drew one
    bare = doc(4)
    bare["claims"][0]["evidence"][0]["figures"] = []
    write_reports(bare, other)
    (other / "figures").mkdir()
    (other / "figures" / "f.png").write_text("figure of seed 4")
    write_reports(doc(4), other)
    assert seeds_in(other) == {"4"} and siblings(tmp_path) == ["r", "s"]



def nested_sets(out: Path) -> dict[str, set[str]]:
    return {d.name: seeds_in(d) for d in sorted(out.iterdir()) if d.is_dir() and (d / MANIFEST).exists()}


@pytest.mark.parametrize("fallback", [False, True], ids=["exchange", "two-renames"])
def test_nested_report_sets_are_carried_over(tmp_path, monkeypatch, fallback):
    """`verify check` into reports/<file>/ and `verify run` into reports/ keep each other's sets."""
    if fallback:
        monkeypatch.setattr(atomic, "exchange", lambda a, b: False)
    reports = tmp_path / "reports"
    stage_run(reports / "claims", 1)                   # nested first: reports/ is not a set yet
    stage_run(reports, 2)
    assert seeds_in(reports) == {"2"} and nested_sets(reports) == {"claims": {"1"}}
    stage_run(reports / "other", 3)                    # nested into an existing set
    stage_run(reports / "claims", 4)
    stage_run(reports, 5)
    assert seeds_in(reports) == {"5"} and nested_sets(reports) == {"claims": {"4"}, "other": {"3"}}
    assert siblings(tmp_path) == ["reports"]
    assert siblings(reports) == sorted([*REPORT_FILES, MANIFEST, "figures", "claims", "other"])


def test_a_failed_swap_puts_nested_sets_back(tmp_path, monkeypatch):
    reports = tmp_path / "reports"
    stage_run(reports, 1)
    stage_run(reports / "claims", 2)

    def exchange(a, b):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(atomic, "exchange", exchange)
    with pytest.raises(ReportWriteError):
        stage_run(reports, 3)
    monkeypatch.undo()
    assert seeds_in(reports) == {"1"} and nested_sets(reports) == {"claims": {"2"}}
    assert siblings(tmp_path) == ["reports"]


def test_nested_sets_in_the_stage_of_a_killed_run_go_back_home(tmp_path):
    """SIGKILL after the nested sets were moved into the stage and before the swap."""
    reports = tmp_path / "reports"
    stage_run(reports, 1)
    stage_run(reports / "claims", 2)
    stale = tmp_path / ".reports.stage-0123456789ab"
    stale.mkdir()
    (stale / MANIFEST).write_text(json.dumps({"schema": "dmf-verify/report-set", "files": ["report.json"]}))
    (stale / "report.json").write_text("{}")
    os.rename(reports / "claims", stale / "claims")
    with ReportStage(reports):
        assert nested_sets(reports) == {"claims": {"2"}}
        assert not stale.exists()


def test_publishing_waits_for_a_nested_run_under_way(tmp_path):
    import threading

    reports = tmp_path / "reports"
    stage_run(reports, 1)
    done = threading.Event()
    with ReportStage(reports / "claims") as nested:
        (nested.path / "figures").mkdir()
        (nested.path / "figures" / "f.png").write_text("figure of seed 2")
        outer = threading.Thread(target=lambda: (stage_run(reports, 3), done.set()))
        outer.start()
        assert not done.wait(1.0)                     # the outer run waits for the nested one
        nested.publish(doc(2))
    outer.join(30)
    assert done.is_set()
    assert seeds_in(reports) == {"3"} and nested_sets(reports) == {"claims": {"2"}}
    assert siblings(tmp_path) == ["reports"]


def test_an_unusable_parent_is_a_usage_error(tmp_path, monkeypatch):
    def no_lock(self):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))
    monkeypatch.setattr(atomic.FileLock, "__enter__", no_lock)
    with pytest.raises(UsageError, match="Read-only file system"):
        ReportStage(tmp_path / "r")


def test_a_lock_failure_at_publish_is_a_report_write_error(tmp_path, monkeypatch):
    stage_run(tmp_path / "r", 1)
    with ReportStage(tmp_path / "r") as stage:
        def no_space(self):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        monkeypatch.setattr(atomic.FileLock, "__enter__", no_space)
        with pytest.raises(ReportWriteError, match="cannot publish the report"):
            stage.publish(doc(2))
    monkeypatch.undo()
    assert seeds_in(tmp_path / "r") == {"1"} and siblings(tmp_path) == ["r"]


def _killed_run(out: str, between_renames: bool) -> None:
    """A run that dies by SIGKILL: mid-run, or between the two renames of the fallback swap."""
    import signal

    if between_renames:
        atomic.exchange = lambda a, b: False
        real_rename = os.rename

        def rename(src, dst):
            real_rename(src, dst)
            if ".old-" in str(dst):
                os.kill(os.getpid(), signal.SIGKILL)
        os.rename = rename
    with ReportStage(Path(out)) as stage:
        (stage.path / "figures").mkdir()
        (stage.path / "figures" / "f.png").write_text("figure of seed 9")
        if not between_renames:
            os.kill(os.getpid(), signal.SIGKILL)
        stage.publish(doc(9))


@pytest.mark.parametrize("between_renames", [False, True], ids=["mid-run", "between-renames"])
def test_sigkill_leaves_the_old_set_recoverable(tmp_path, between_renames):
    out = tmp_path / "r"
    stage_run(out, 1)
    stage_run(out / "nested", 2)
    proc = multiprocessing.get_context("fork").Process(target=_killed_run, args=(str(out), between_renames))
    proc.start()
    proc.join(60)
    assert proc.exitcode == -9
    assert len(siblings(tmp_path)) > 1                  # the killed run left something behind
    with ReportStage(out):                              # the next run repairs it first
        assert seeds_in(out) == {"1"} and seeds_in(out / "nested") == {"2"}
    assert siblings(tmp_path) == ["r"]


def test_look_alike_run_entries_of_a_user_are_foreign(tmp_path):
    out = tmp_path / "r"
    stage_run(out, 1)
    (out / ".notes.lock").write_text("not an empty lock file")
    (out / ".x.stage-0123456789ab").write_text("a file, not a staging directory")
    with pytest.raises(UsageError) as info:
        ReportStage(out)
    assert ".notes.lock" in str(info.value) and ".x.stage-0123456789ab" in str(info.value)
