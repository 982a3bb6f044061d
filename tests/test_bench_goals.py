"""`verify bench` goals, floors, devices and cold-JIT rows (issue 13)."""
from __future__ import annotations

import json

import pytest

import verify.bench as bench
from verify.bench import _annotate, goal_misses, main, run_bench
from verify.kernels import backends


def _rows(our_s, pre_s, compute_s, jax_s, floor_s, width=8, n=100, one_s=None):
    base = {"depth": 2, "width": width, "P": 2 * width * width, "n": n}
    ours = [{**base, "impl": "numba", "kind": "backend", "seconds": our_s, "inst_per_s": n / our_s,
             "seconds_prealloc": pre_s, "seconds_compute_only": compute_s, "seconds_one_instance": one_s}]
    peers = [{**base, "impl": "jax", "kind": "peer", "device": "cpu (cpu)", "seconds": jax_s,
              "inst_per_s": n / jax_s}]
    floor = {**base, "impl": "floor: touched fill", "kind": "bound", "seconds": floor_s}
    _annotate(ours, peers, floor, "cpu")
    return ours + peers + [floor]


def test_goals_met_carry_ratios_and_no_cause():
    rows = _rows(our_s=0.10, pre_s=0.12, compute_s=0.05, jax_s=2.0, floor_s=0.1)
    r = rows[0]
    assert r["ratios"] == {"jax [cpu (cpu)]": pytest.approx(20.0)}
    assert r["floor_s"] == 0.1 and r["ratio_vs_floor_out"] == pytest.approx(1.2)
    assert [g["met"] for g in r["goals"]] == [True, True]
    assert goal_misses(rows) == []


def test_a_missed_goal_is_listed_with_its_measured_cause():
    # 4x JAX (goal 10x) and 3x the fill with out= (goal 1.5x); compute alone exceeds the fill.
    rows = _rows(our_s=0.5, pre_s=0.3, compute_s=0.25, jax_s=2.0, floor_s=0.1)
    misses = goal_misses(rows)
    assert [m["goal"].split(" ")[1] for m in misses] == ["10×", "1.5×"]
    assert misses[0]["value"] == pytest.approx(4.0) and "compute" in misses[0]["cause"]
    assert misses[1]["value"] == pytest.approx(3.0) and "compute" in misses[1]["cause"]


def test_a_miss_whose_compute_alone_would_meet_the_goal_blames_set_up_allocation_and_stores():
    rows = _rows(our_s=0.5, pre_s=0.1, compute_s=0.05, jax_s=2.0, floor_s=0.01, width=4)
    (miss,) = goal_misses(rows)
    assert miss["cause"].startswith("set-up, allocation and stores") and "40.0× the peer" in miss["cause"]
    assert "one instance" not in miss["cause"]  # not measured in this row
    rows = _rows(our_s=0.5, pre_s=0.1, compute_s=0.05, jax_s=2.0, floor_s=0.01, width=4, one_s=0.03)
    (miss,) = goal_misses(rows)
    assert "a call with one instance (the per-call set-up: input checks, dispatch) takes 0.03 s" in miss["cause"]


def test_a_goal_the_floor_itself_cannot_reach_says_so():
    rows = _rows(our_s=0.05, pre_s=0.05, compute_s=0.04, jax_s=0.2, floor_s=0.04, width=2)
    (miss,) = goal_misses(rows)  # at d = 2 only the JAX goal applies
    assert "unreachable" in miss["cause"]


def test_floor_goal_applies_at_d8_only():
    rows = _rows(our_s=0.01, pre_s=1.0, compute_s=0.01, jax_s=1.0, floor_s=0.01, width=4)
    assert [g["goal"] for g in rows[0]["goals"]] == ["≥ 10× jax (cpu)"]


@pytest.mark.skipif(not backends.available("jaxgen"), reason="jax not installed")
def test_run_bench_names_devices_and_checks_the_generated_jax_path():
    rows = run_bench(depths=[2], widths=[2], n=8, backends=["numpy", "jaxgen"], peers=["jax"], repeats=1)
    by = {(r["kind"], r["impl"]): r for r in rows}
    peer = by[("peer", "jax")]
    assert peer["device"].startswith("cpu") and peer["valid"]
    gen = by[("backend", "jaxgen")]
    assert gen["valid"] and gen["device"].startswith("cpu") and gen["seconds_prealloc"] is None
    assert by[("bound", "floor: touched fill")]["device"].startswith("cpu")
    assert set(by[("backend", "numpy")]["ratios"]) == {f"jax [{peer['device']}]"}


@pytest.mark.skipif(not backends.available("jaxgen"), reason="jax not installed")
def test_gpu_device_absent_is_one_line_exit_2(capsys):
    import jax
    if any(d.platform in ("gpu", "cuda", "rocm") for d in jax.devices()):
        pytest.skip("a GPU is present")
    assert main(["--device", "gpu", "--depths", "1", "--widths", "1", "-n", "2", "--backends", "jaxgen",
                 "--peers", ""]) == 2
    err = capsys.readouterr().err
    assert err.startswith("verify bench: error:") and err.count("\n") == 1


@pytest.mark.parametrize("bw", ["0", "-5", "fast", "4800GB", "\uff14"])
def test_bad_device_bandwidth_is_one_line_exit_2(bw, capsys):
    assert main(["--device-bandwidth", bw, "--peers", "", "--backends", "numpy"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_json_carries_floor_ratios_and_missed(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "_peer_available", lambda name: True)
    monkeypatch.setattr(bench, "_jax_peer", lambda shapes, X, M, a, b, repeats, device="cpu": {
        "setup_s": 0.0, "seconds": 1e-9, "head": None, "device": "cpu (stub)"})
    path = tmp_path / "b.json"
    assert main(["--depths", "1", "--widths", "2", "-n", "3", "--backends", "numpy", "--peers", "jax",
                 "--repeats", "1", "--json", str(path), "--no-cold-jit"]) in (0, 1)
    data = json.loads(path.read_text())
    ours = next(r for r in data["rows"] if r["kind"] == "backend")
    assert ours["floor_s"] > 0 and ours["ratio_vs_floor_out"] > 0
    assert "jax [cpu (stub)]" in ours["ratios"]
    assert data["device"] == "cpu" and isinstance(data["missed"], list)


@pytest.mark.slow  # two fresh processes compile every numba entry point (1-2 minutes)
@pytest.mark.skipif(not backends.available("numba"), reason="numba not installed")
def test_cold_jit_times_every_entry_point():
    from verify.kernels import numba_program as na
    from verify.kernels.bench_jit import cold_jit
    rows = cold_jit()
    assert {r["impl"] for r in rows} == {"numba: import"} | {f"numba: {ep}" for ep in na.ENTRY_POINTS}
    assert all(r["cold_s"] > r["cached_s"] for r in rows if r["impl"] != "numba: import"), rows


@pytest.mark.skipif(not backends.available("jaxgen"), reason="jax not installed")
def test_device_fill_floor_runs_on_jax_cpu():
    from verify.kernels.bench_peers import device_fill_floor, nominal_bandwidth
    bw, on = device_fill_floor((4, 8, 8), "cpu", repeats=1)
    assert bw > 0 and on.startswith("cpu")
    assert nominal_bandwidth("gpu (NVIDIA H200)") == 4.8e12 and nominal_bandwidth("cpu (cpu)") is None


def test_floor_lines_show_the_nominal_bandwidth_beside_the_measured_one():
    from verify.bench import format_floors
    row = {"kind": "bound", "depth": 6, "width": 8, "bytes_per_s": 3.9e12, "device": "gpu (NVIDIA H200)",
           "nominal_bytes_per_s": 4.8e12, "nominal_seconds": 0.0025}
    line = format_floors([row])
    assert "3900.0 GB/s on gpu (NVIDIA H200)" in line and "nominal 4800 GB/s" in line


@pytest.mark.skipif(not backends.available("jaxgen"), reason="jax not installed")
def test_gpu_pipeline_end_to_end_with_the_cpu_standing_in(monkeypatch):
    """Every step of `--device gpu` (device floor, jaxgen on the device, peers, GPU goals), with
    jax's CPU device standing in for the GPU: what a GPU machine runs, minus the GPU."""
    import verify.kernels.jax_program as jp
    real = jp.resolve_device
    monkeypatch.setattr(jp, "resolve_device", lambda device: real("cpu"))
    rows = run_bench(depths=[2], widths=[2], n=6, backends=["numba", "jaxgen"], peers=["jax"], repeats=1,
                     device="gpu", nominal_bandwidth=4.8e12)
    by = {(r["kind"], r["impl"]): r for r in rows}
    assert "skipped" in by[("backend", "numba")]  # CPU backends are not run on a device
    gen = by[("backend", "jaxgen")]
    assert gen["valid"] and [g["goal"] for g in gen["goals"]] == ["≥ 2× jax (gpu)"]
    floor = by[("bound", "floor: touched fill")]
    assert floor["nominal_bytes_per_s"] == 4.8e12 and floor["bytes_per_s"] > 0
    assert by[("peer", "jax")]["valid"]
