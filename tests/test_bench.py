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


@pytest.mark.parametrize("argv", [["--depths", "0"], ["--widths", "a"], ["--backends", "cuda"],
                                  ["--peers", "tensorflow"], ["-n", "0"]])
def test_main_bad_arguments_exit_2(argv, capsys):
    assert main(argv + ["--peers", ""] if "--peers" not in argv else argv) == 2
    assert "error:" in capsys.readouterr().err  # usage errors go to stderr, one line


def test_run_bench_rejects_bad_n():
    with pytest.raises(UsageError):
        run_bench(depths=[1], widths=[1], n=0, backends=["numpy"], peers=[])
