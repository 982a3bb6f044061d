"""Smoke test of the benchmark on one tiny size (no peers needed)."""
from __future__ import annotations

import json

import pytest

from verify.bench import format_table, main, run_bench
from verify.errors import UsageError


def test_run_bench_tiny():
    rows = run_bench(depths=[2], widths=[2], n=10, backends=["numpy"], peers=[], repeats=1)
    kinds = {r["kind"]: r for r in rows}
    assert set(kinds) == {"bound", "backend"}
    ours = kinds["backend"]
    assert ours["P"] == 8 and ours["n"] == 10
    assert ours["valid"] and ours["inst_per_s"] > 0 and ours["seconds"] > 0
    assert ours["ratio_vs_fastest_peer"] is None  # no peer measured
    assert kinds["bound"]["bytes_per_s"] > 0
    assert "numpy" in format_table(rows)


def test_missing_backend_is_a_skipped_row(monkeypatch):
    from verify.kernels import backends
    monkeypatch.setattr(backends, "available", lambda name: name == "numpy")
    rows = run_bench(depths=[1], widths=[2], n=5, backends=["numpy", "numba"], peers=[], repeats=1)
    skipped = [r for r in rows if "skipped" in r]
    assert [r["impl"] for r in skipped] == ["numba"]
    assert "skipped" in format_table(rows)


def test_main_prints_and_writes_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    code = main(["--depths", "1", "--widths", "2", "-n", "5", "--backends", "numpy", "--peers", "",
                 "--repeats", "1", "--json", str(path)])
    assert code == 0
    assert "| L | d |" in capsys.readouterr().out
    assert json.loads(path.read_text())["rows"]


BAD_ARGUMENTS = [
    ["--depths", "0"], ["--widths", "a"], ["--backends", "cuda"], ["--peers", "tensorflow"], ["-n", "0"],
    # each of these was a traceback or a hang (issue 9, item 7)
    ["--seed", "-1"], ["-n", "100000000000"], ["--widths", "1000"], ["--depths", "1000"],
    ["--depths", "\uff19"], ["--depths", "1,,2"], ["--backends", ","], ["--json", "/"], ["--json", "/dev/null"],
    ["-n", "abc"], ["--repeats", "-1"], ["--bogus"], ["--seed", "1_0"],
]


@pytest.mark.parametrize("argv", BAD_ARGUMENTS, ids=lambda a: " ".join(a))
def test_main_bad_arguments_exit_2_with_one_line(argv, capsys):
    tail = ["--peers", ""] if "--peers" not in argv else []
    assert main(argv + tail) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify bench: error:") and err.count("\n") == 1, err


def test_json_target_that_is_not_a_regular_file_is_never_replaced(tmp_path, capsys):
    target = tmp_path / "adir"
    target.mkdir()
    assert main(["--depths", "1", "--widths", "1", "-n", "2", "--peers", "", "--repeats", "1",
                 "--backends", "numpy", "--json", str(target)]) == 2
    assert target.is_dir()


def test_failing_peer_is_a_skipped_row_not_a_traceback(monkeypatch):
    import verify.bench as bench

    def broken(*args, **kwargs):
        raise RuntimeError("peer exploded")
    monkeypatch.setattr(bench, "_peer_available", lambda name: True)
    monkeypatch.setattr(bench, "_jax_peer", broken)
    rows = run_bench(depths=[1], widths=[1], n=3, backends=["numpy"], peers=["jax"], repeats=1)
    peer = [r for r in rows if r["kind"] == "peer"]
    assert peer and "peer exploded" in peer[0]["skipped"]


def test_run_bench_rejects_bad_n():
    with pytest.raises(UsageError):
        run_bench(depths=[1], widths=[1], n=0, backends=["numpy"], peers=[])


def test_fast_calls_get_more_samples_and_slow_calls_the_given_repeats(monkeypatch):
    import time

    from verify.kernels import bench_peers
    monkeypatch.setattr(bench_peers, "SAMPLE_BUDGET_S", 0.02)
    calls = []
    assert bench_peers.best(lambda: calls.append(1), 3) >= 0 and len(calls) > 3  # fast: until the budget is spent
    calls.clear()
    bench_peers.best(lambda: (calls.append(1), time.sleep(0.011)), 3)
    assert len(calls) == 3  # 3 calls already exceed the budget
    monkeypatch.setattr(bench_peers, "MAX_CALLS", 50)
    calls.clear()
    bench_peers.best(lambda: calls.append(1), 3)
    assert len(calls) == 50  # at most MAX_CALLS
