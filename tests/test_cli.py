"""The verify command: outputs, exit codes, reports, reproducibility, atomic writes."""
import json
import os

import pytest

from verify.cli import main
from verify.report import atomic


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_threshold_json_keys_and_exact_ratio(capsys):
    code, out, _ = run_cli(capsys, "threshold", "--depth", "4", "--target", "-0.7", "--convention", "B",
                           "--json", "--digits", "30")
    data = json.loads(out)
    assert code == 0
    assert {"threshold", "tau", "ratio", "digits"} <= set(data)
    assert data["ratio_exact"] == "1/8"  # B: λ* = τ/(2L)
    assert float(data["digits"]) >= 30
    assert all(isinstance(data[k], str) for k in ("threshold", "tau", "ratio", "digits"))


@pytest.mark.parametrize("depth", ["1", "2"])
def test_special_depths_do_not_crash(capsys, depth):
    code, out, _ = run_cli(capsys, "threshold", "--depth", depth, "--target", "3", "--json")
    assert code == 0
    assert json.loads(out)["note"]


def test_minimizers_at_threshold_are_two(capsys):
    code, out, _ = run_cli(capsys, "minimizers", "--depth", "5", "--target", "-3", "--lam", "threshold", "--json")
    data = json.loads(out)
    assert code == 0 and data["unique"] is False
    products = sorted(float(x["product"]) for x in data["minimizers"])
    assert products[1] == 0 and products[0] < 0  # 0 and a product with the sign of m
    objectives = [x["objective"] for x in data["minimizers"]]
    assert objectives[0][:45] == objectives[1][:45]  # equal objective to the printed precision


def test_minimizers_away_from_threshold_unique(capsys):
    code, out, _ = run_cli(capsys, "minimizers", "--depth", "3", "--target", "3", "--lam", "4", "--json")
    data = json.loads(out)
    assert code == 0 and data["unique"] is True
    assert len(data["hessian_eigenvalues"]) == 3
    eig = [float(x) for x in data["hessian_eigenvalues"]]
    assert eig == sorted(eig)
    assert all(isinstance(x, str) for x in data["minimizers"][0]["w"])


@pytest.mark.parametrize("argv", [
    ["threshold", "--depth", "0", "--target", "1"],
    ["threshold", "--depth", "-3", "--target", "1"],
    ["threshold", "--depth", "two", "--target", "1"],
    ["threshold", "--depth", "3", "--target", "nan"],
    ["threshold", "--depth", "3", "--target", "-inf"],
    ["threshold", "--depth", "3", "--target", "1", "--digits", "10"],
    ["threshold", "--depth", "3", "--target", "1", "--digits", "1000000"],
    ["threshold", "--depth", "3", "--target", "1", "--convention", "nope"],
    ["minimizers", "--depth", "3", "--target", "1", "--lam", "0"],
    ["minimizers", "--depth", "3", "--target", "1", "--lam", "-2"],
    ["minimizers", "--depth", "3", "--target", "1", "--lam", "nan"],
    ["run", "--only", "no.such.claim", "--profile", "quick"],
    ["run", "--profile", "enormous"],
    ["run", "--seed", "-1"],
    ["run", "--jobs", "0"],
    ["bogus"],
])
def test_bad_input_exits_2_with_one_line(capsys, argv):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("verify: error:")
    assert "Traceback" not in err


def _strip_times(doc):
    doc = json.loads(json.dumps(doc))
    doc.pop("provenance")
    for c in doc["claims"]:
        c.pop("seconds")
        for e in c["evidence"]:
            e.pop("seconds")
    return doc


def test_run_writes_reports_and_is_reproducible(tmp_path, capsys):
    args = ["run", "--profile", "quick", "--only", "kp.threshold.depth1", "--only", "kp.uniqueness.scalar", "--seed", "7"]
    code1, out, _ = run_cli(capsys, *args, "--out", str(tmp_path / "a"))
    code2, _, _ = run_cli(capsys, *args, "--out", str(tmp_path / "b"))
    assert code1 == code2 == 0
    assert "verified" in out
    a = json.loads((tmp_path / "a" / "report.json").read_text())
    b = json.loads((tmp_path / "b" / "report.json").read_text())
    assert a["provenance"]["seed"] == 7 and a["provenance"]["sympy_ground_types"]
    for claim in a["claims"]:
        assert {"id", "statement", "source", "verdict", "evidence"} <= set(claim)
        tiers = {e["tier"] for e in claim["evidence"]}  # a claim may also have a certified check (issue 11)
        assert {"symbolic", "high-precision", "numeric"} <= tiers <= {"symbolic", "high-precision", "certified",
                                                                      "numeric"}
    assert _strip_times(a) == _strip_times(b)
    assert (tmp_path / "a" / "report.md").read_text().startswith("# dmf-verify report")
    assert not list((tmp_path / "a").glob("*.part"))


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    target.write_text("old")

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", boom)
    with pytest.raises(OSError):
        atomic.write_atomic(target, "new" * 1000)
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["report.json"]


def test_list(capsys):
    code, out, _ = run_cli(capsys, "list")
    assert code == 0 and "kp.threshold" in out
