"""Benchmark of the batched dense Hessian: our kernels vs JAX / PyTorch, against the memory floor.

For each depth L and width d (all widths d, square M) and N random instances, measures instances
per second of the dense (N, P, P) float64 Hessian, P = L·d², for each backend of
verify.kernels.matrix and each installed peer, on one device (``--device cpu``, the default, or
``gpu``):

    jax:   jax.jit(jax.vmap(jax.hessian(f)))     on jax.devices(platform)[0], named in the row
    torch: torch.func.vmap(torch.func.hessian(f)) on torch's cpu or cuda device, named in the row

On the CPU the floor is a touched single-thread numpy fill of an (N, P, P) array; on a GPU a jitted
fill of the same array on the device (the data-sheet bandwidth is reported beside it). Setup
(derivation, code generation, JIT, tracing) is timed apart from throughput (best of ``repeats`` warm
calls, or of as many as fit in 0.25 s when more do: ``bench_peers.best``); the cold JIT of every
numba entry point, parallel ones included, is measured in fresh processes with an empty numba cache
(verify.kernels.bench_jit). Every backend is validated (verify.kernels.matrix.validate) and every
peer compared with it before its number counts. Each size is checked against the goals of issue 13
(verify.kernels.bench_goals.GOALS); a miss is listed with its measured cause. Entry points:
``run_bench(...) -> list[dict]``, ``goal_misses(rows)`` and ``main(argv) -> int``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .errors import UsageError
from .kernels import backends as _bk
from .kernels import bench_peers as _peers
from .kernels.bench_goals import annotate as _annotate, goal_misses
from .kernels.matrix import compile_matrix_kernels, validate
from .report.atomic import write_atomic
from .symbolic.matrix import derive

PEERS = ("jax", "torch")
DEVICES = ("cpu", "gpu")

_best = _peers.best
_peer_available = _peers.available
_jax_peer = _peers.jax_peer
_torch_peer = _peers.torch_peer


def write_bandwidth(shape: tuple[int, ...], repeats: int = 3) -> float:
    """Bytes per second of a numpy fill of a float64 array of ``shape`` (already touched)."""
    return _peers.cpu_fill_floor(shape, repeats)


def _rel_diff(x: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(x - ref)) / max(np.max(np.abs(ref)), np.finfo(float).tiny))


def _compute_only(k, Ws, M, a, b, repeats: int) -> tuple[float | None, str | None]:
    """(seconds, path) of the numba kernel with every instance written over a cache-resident sink
    (the same single-thread path, no DRAM stores): the compute part of a call, for causes."""
    if k.backend != "numba":
        return None, None
    from .kernels import numba_program as na
    from .kernels.program import build_program
    prog = build_program(derive(k.depth, k.widths))
    N, P = Ws[0].shape[0], k.n_params
    sink = np.empty((min(N, na.TILE), P, P))
    W = [np.ascontiguousarray(w) for w in Ws]
    av, bv = np.full(N, float(a)), np.full(N, float(b))
    path = na.hessian(prog, W, M, av, bv, sink, sink=True)
    return _best(lambda: na.hessian(prog, W, M, av, bv, sink, path=path, sink=True), repeats), path


def _backend_row(be, L, ws, Ws, M, a, b, base, derive_s, repeats, seed, device) -> tuple[dict, np.ndarray | None]:
    """Measure one backend at one size; returns (row, first HEAD Hessians on the host)."""
    if not _bk.available(be):
        return {**base, "impl": be, "kind": "backend", "skipped": "not installed"}, None
    if device != "cpu" and be != "jaxgen":
        return {**base, "impl": be, "kind": "backend", "skipped": f"runs on the CPU, not on {device}"}, None
    try:
        t0 = time.perf_counter()
        k = compile_matrix_kernels(int(L), ws, be)
        setup = time.perf_counter() - t0
    except UsageError as exc:
        return {**base, "impl": be, "kind": "backend", "skipped": str(exc)}, None
    ok, err, tol = validate(k, np.random.default_rng(seed + 1), n=4)
    n = base["n"]
    row = {**base, "impl": be, "kind": "backend", "derive_s": derive_s, "compile_s": k.compile_seconds,
           "valid": ok, "max_rel_err": err, "tolerance": tol, "device": "cpu"}
    if be == "jaxgen":  # device-resident, like the peers: put once, time the jitted call
        from .kernels.jax_program import JaxHessian, describe_device
        from .kernels.program import build_program
        jh = JaxHessian(build_program(derive(int(L), ws)), device=device)
        args = jh.put(Ws, M, np.full(n, a), np.full(n, b))
        t0 = time.perf_counter()
        H = jh.run(args).block_until_ready()
        first = time.perf_counter() - t0
        head = np.asarray(H[:_peers.HEAD])
        del H
        secs = _best(lambda: jh.run(args).block_until_ready(), _peers.reps(first, repeats))
        row.update(setup_s=derive_s + setup + first, seconds=secs, inst_per_s=n / secs,
                   seconds_prealloc=None, device=describe_device(jh.device))
        return row, head
    H = k.hessian(Ws, M, a, b)
    secs = _best(lambda: k.hessian(Ws, M, a, b), repeats)
    pre = _best(lambda: k.hessian(Ws, M, a, b, out=H), repeats)
    one = H[:1]  # a call with one instance: the per-call set-up (input checks, dispatch), for causes
    row.update(setup_s=derive_s + setup, seconds=secs, inst_per_s=n / secs, seconds_prealloc=pre,
               seconds_compute_only=None,
               seconds_one_instance=_best(lambda: k.hessian([w[:1] for w in Ws], M[:1] if np.ndim(M) == 3 else M,
                                                           a, b, out=one), repeats))
    row["seconds_compute_only"], row["compute_path"] = _compute_only(k, Ws, M, a, b, repeats)
    return row, H[:_peers.HEAD].copy()


def _floor_row(base, shape, repeats, device) -> dict:
    if device == "cpu":
        bw, on = _peers.cpu_fill_floor(shape, repeats), "cpu (numpy fill, 1 thread)"
    else:
        bw, on = _peers.device_fill_floor(shape, device, repeats)
    secs = base["n"] * base["P"] ** 2 * 8 / bw
    return {**base, "impl": "floor: touched fill", "kind": "bound", "setup_s": 0.0, "seconds": secs,
            "inst_per_s": base["n"] / secs, "bytes_per_s": bw, "device": on, "valid": True,
            "max_rel_err": 0.0}


def run_bench(depths: Sequence[int] = (2, 3, 4, 6), widths: Sequence[int] = (2, 4, 8), n: int = 1000,
              backends: Sequence[str] = ("numpy", "numba"), peers: Sequence[str] = PEERS,
              repeats: int = 3, seed: int = 0,
              progress: Callable[[str], None] | None = None, device: str = "cpu",
              nominal_bandwidth: float | None = None) -> list[dict]:
    """One row per (depth, width, implementation); see module docstring for what is measured.

    Row keys: depth, width, P, n, impl, kind ('backend' | 'peer' | 'bound'), device, setup_s,
    seconds, inst_per_s, valid, max_rel_err. Backend rows also carry seconds_prealloc (into a
    reused, touched ``out=``; CPU backends), seconds_one_instance (a call into ``out=`` with one instance:
    the per-call set-up; CPU backends), seconds_compute_only and compute_path (numba: the
    single-thread path with a cache-resident sink), floor_s (the size's floor row),
    ratio_vs_floor (seconds / floor_s), ratio_vs_floor_out (seconds_prealloc / floor_s), ratios
    ({peer: our inst/s ÷ the peer's}, allocating calls on both sides as the peers allocate),
    ratio_vs_fastest_peer, frac_of_bound (floor_s / seconds_prealloc) and, for the device's goal
    backend, goals (list of {goal, value, value_out, met, cause}). Unavailable
    backends / peers give a row with ``skipped`` (the reason). ``progress`` gets one line per size.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be a positive integer, got {n!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise UsageError(f"repeats must be a positive integer, got {repeats!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {seed!r}")
    if device not in DEVICES:
        raise UsageError(f"unknown device {device!r}; known: {', '.join(DEVICES)}")
    for p in peers:
        if p not in PEERS:
            raise UsageError(f"unknown peer {p!r}; known: {', '.join(PEERS)}")
    if device != "cpu":
        from .kernels.jax_program import resolve_device
        resolve_device(device)  # UsageError before any work when the device is absent
    rows: list[dict] = []
    rng = np.random.default_rng(seed)
    for L in depths:
        for d in widths:
            ws = (int(d),) * (int(L) + 1)
            t0 = time.perf_counter()
            derive(int(L), ws)
            derive_s = time.perf_counter() - t0
            P = int(L) * int(d) ** 2
            shapes = [(d, d)] * L
            Ws = [rng.standard_normal((n, d, d)) / np.sqrt(d) for _ in range(L)]
            M = rng.standard_normal((n, d, d))
            a, b = 1.0, 0.1
            base = {"depth": int(L), "width": int(d), "P": P, "n": n}
            floor = _floor_row(base, (n, P, P), repeats, device)
            if nominal_bandwidth or (device != "cpu" and _peers.nominal_bandwidth(floor["device"])):
                bw = nominal_bandwidth or _peers.nominal_bandwidth(floor["device"])
                floor["nominal_bytes_per_s"] = bw
                floor["nominal_seconds"] = n * P * P * 8 / bw
            rows.append(floor)
            ours: list[dict] = []
            ref_head = None
            for be in backends:
                try:
                    row, head = _backend_row(be, L, ws, Ws, M, a, b, base, derive_s, repeats, seed, device)
                except (MemoryError, RuntimeError) as exc:  # device out of memory, XLA errors
                    row, head = {**base, "impl": be, "kind": "backend",
                                 "skipped": f"failed: {type(exc).__name__}: {exc}"[:200]}, None
                ours.append(row)
                if ref_head is None and head is not None:
                    ref_head = head
            X = np.concatenate([w.reshape(n, -1) for w in Ws], axis=1)
            peer_rows = []
            for p in peers:
                if not _peer_available(p):
                    peer_rows.append({**base, "impl": p, "kind": "peer", "skipped": "not installed"})
                    continue
                runner = _jax_peer if p == "jax" else _torch_peer
                try:
                    res = runner(shapes, X, M, a, b, repeats, device=device)
                except Exception as exc:  # noqa: BLE001 - a peer that fails to run is reported, not fatal
                    peer_rows.append({**base, "impl": p, "kind": "peer",
                                      "skipped": f"failed: {type(exc).__name__}: {exc}"[:200]})
                    continue
                diff = _rel_diff(res["head"], ref_head) \
                    if ref_head is not None and res.get("head") is not None else float("nan")
                # float64 Hessians by different routes agree to ~1e-15 of the largest entry;
                # 1e-10 only flags a broken peer setup (float32, wrong loss), not rounding.
                peer_rows.append({**base, "impl": p, "kind": "peer", "device": res["device"],
                                  "setup_s": res["setup_s"], "seconds": res["seconds"],
                                  "inst_per_s": n / res["seconds"], "valid": bool(diff <= 1e-10),
                                  "max_rel_err": diff})
            _annotate(ours, peer_rows, floor, device)
            rows += ours + peer_rows
            if progress is not None:
                done = ", ".join(f"{r['impl']} {r['inst_per_s']:.3g}/s" for r in ours + peer_rows
                                 if "inst_per_s" in r)
                progress(f"L={L} d={d} P={P}: {done}")
    return rows


def machine() -> str:
    """One line describing the machine the numbers come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}"


def _f(x, fmt: str, suffix: str = "") -> str:
    return "" if x is None else f"{x:{fmt}}{suffix}"


def format_table(rows: list[dict]) -> str:
    """Markdown table of run_bench rows (floor, backend and peer rows)."""
    head = ("| L | d | P | impl | device | setup s | Hessian s (N) | inst/s | vs fastest peer | s, out= reused | "
            "÷ floor (out=) | check |\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    out = [head]
    for r in rows:
        if r.get("kind") == "jit":
            continue
        if "skipped" in r:
            out.append(f"| {r['depth']} | {r['width']} | {r['P']} | {r['impl']} | — | — | — | — | — | — | — | "
                       f"skipped: {r['skipped']} |")
            continue
        check = "floor" if r["kind"] == "bound" else \
            f"{'ok' if r['valid'] else 'FAIL'} ({r['max_rel_err']:.1e})"
        out.append(
            f"| {r['depth']} | {r['width']} | {r['P']} | {r['impl']} | {r.get('device', '')} | {r['setup_s']:.2f} | "
            f"{r['seconds']:.4g} | {r['inst_per_s']:.4g} | {_f(r.get('ratio_vs_fastest_peer'), '.2f', '×')} | "
            f"{_f(r.get('seconds_prealloc'), '.4g')} | {_f(r.get('ratio_vs_floor_out'), '.2f', '×')} | {check} |")
    return "\n".join(out)


def _goal_text(g: dict) -> str:
    out = "" if g.get("value_out") is None else f"; out= {g['value_out']:.2f}×"
    return f"{g['goal']}: {'met' if g['met'] else 'MISSED'} ({_f(g['value'], '.2f', '×')}{out})"


def format_summary(rows: list[dict]) -> str:
    """One line per size for the goal backend: ratios over each peer and the floor, goals met."""
    out = ["| L | d | P | impl | inst/s | " + "ratio over peers | ÷ floor (alloc) | ÷ floor (out=) | goals |",
           "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if "goals" not in r:
            continue
        ratios = ", ".join(f"{k}: {v:.1f}×" for k, v in r["ratios"].items()) or "—"
        goals = "; ".join(_goal_text(g) for g in r["goals"])
        out.append(f"| {r['depth']} | {r['width']} | {r['P']} | {r['impl']} | {r['inst_per_s']:.4g} | {ratios} | "
                   f"{r['ratio_vs_floor']:.2f}× | {_f(r.get('ratio_vs_floor_out'), '.2f', '×') or '—'} | {goals} |")
    return "\n".join(out)


def format_floors(rows: list[dict]) -> str:
    """One line per size: the measured floor bandwidth, and the nominal one where known."""
    out = []
    for r in rows:
        if r.get("kind") == "bound":
            nominal = r.get("nominal_bytes_per_s")
            out.append(f"- L={r['depth']} d={r['width']}: floor {r['bytes_per_s'] / 1e9:.1f} GB/s on {r['device']}"
                       + ("" if nominal is None else f"; nominal {nominal / 1e9:.0f} GB/s "
                          f"({r['nominal_seconds']:.3g} s for this output)"))
    return "\n".join(out)


def format_jit(rows: list[dict]) -> str:
    """Markdown table of the cold-JIT rows."""
    out = ["| entry point | cold s (empty cache) | first call s (cached) | warm call s |", "|---|---|---|---|"]
    for r in rows:
        if r.get("kind") == "jit":
            out.append(f"| {r['impl']} | {r['cold_s']:.2f} | {r['cached_s']:.3f} | {r['warm_s']:.2g} |")
    return "\n".join(out)


#: Largest depth and width the bench accepts: the symbolic derivation grows about L^3.5 (77 s at
#: L = 16, cold), and the dense output holds N·(L·d²)² doubles.
MAX_DEPTH, MAX_WIDTH = 12, 16
#: The bench refuses a size whose outputs (ours, reused out=, reference, peers: about 4 copies of
#: N·P² doubles) would not fit in this share of physical memory.
MEMORY_SHARE = 0.5


def _ints(text: str, what: str, largest: int) -> list[int]:
    """Comma-separated ASCII integers in 1..largest (``int()`` alone would accept '９' and '1_0')."""
    items = [x.strip() for x in text.split(",")]
    if not items or any(not re.fullmatch(r"[0-9]{1,6}", x) for x in items):
        raise UsageError(f"{what} must be comma-separated integers (ASCII digits), got {text!r}")
    vals = [int(x) for x in items]
    if any(not 1 <= v <= largest for v in vals):
        raise UsageError(f"{what} must lie in 1..{largest}, got {text!r}")
    return vals


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _check_memory(depths: Sequence[int], widths: Sequence[int], n: int) -> None:
    """Refuse, before allocating, a size that cannot fit (instead of a MemoryError traceback)."""
    total = _physical_memory()
    if total is None:
        return
    P = max(depths) * max(widths) ** 2
    need = 4 * n * P * P * 8
    if need > MEMORY_SHARE * total:
        raise UsageError(f"L = {max(depths)}, d = {max(widths)}, n = {n} needs about {need / 2**30:.1f} GiB "
                         f"for the Hessians, more than {MEMORY_SHARE:.0%} of this machine's "
                         f"{total / 2**30:.1f} GiB; lower -n, --depths or --widths")


def _check_writable(path: Path) -> None:
    """Fail before a long run, not after it, when the output cannot be written (or is not a file)."""
    if path.exists() and not path.is_file():
        raise UsageError(f"cannot write {path}: it exists and is not a regular file")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {path}: {parent} is not a writable directory")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse would print the usage block)
        raise UsageError(message)


def _natural(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,18}", text):
        raise argparse.ArgumentTypeError(f"expected a non-negative integer (ASCII digits), got {text!r}")
    return int(text)


def _gbps(text: str) -> float:
    """A bandwidth in GB/s: ASCII decimal digits with an optional fraction, > 0; returns B/s."""
    if not re.fullmatch(r"[0-9]{1,7}(\.[0-9]{1,6})?", text) or float(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a bandwidth in GB/s such as 4800, got {text!r}")
    return float(text) * 1e9


def main(argv: Sequence[str] | None = None) -> int:
    """`verify bench`: print the table (and optionally write JSON). Exit 0, 1 (a backend or peer
    disagrees with the reference), 2 (usage error, one line)."""
    ap = _Parser(prog="verify bench", description=__doc__.splitlines()[0])
    ap.add_argument("--depths", default="2,3,4,6", help=f"comma-separated depths L (1..{MAX_DEPTH})")
    ap.add_argument("--widths", default="2,4,8", help=f"comma-separated widths d (1..{MAX_WIDTH})")
    ap.add_argument("-n", "--instances", type=_natural, default=1000, help="instances per batch")
    ap.add_argument("--backends", default="numpy,numba", help=f"subset of {','.join(_bk.BACKENDS)}")
    ap.add_argument("--peers", default="jax,torch", help="subset of jax,torch ('' for none)")
    ap.add_argument("--repeats", type=_natural, default=3)
    ap.add_argument("--seed", type=_natural, default=0)
    ap.add_argument("--json", help="also write the rows to this JSON file")
    ap.add_argument("--device", default="cpu", choices=DEVICES,
                    help="cpu (default), or gpu: the generated JAX path and the peers on the GPU")
    ap.add_argument("--device-bandwidth", type=_gbps, default=None,
                    help="nominal memory bandwidth in GB/s, reported beside the measured floor "
                         "(default: the data sheet of a known GPU)")
    ap.add_argument("--no-cold-jit", action="store_true",
                    help="skip timing numba's cold JIT in fresh processes (about 1-2 minutes)")
    try:
        args = ap.parse_args(argv)
        if args.json:
            _check_writable(Path(args.json))
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        if not backends:
            raise UsageError("--backends names no backend")
        for b in backends:
            if b not in _bk.BACKENDS:
                raise UsageError(f"unknown backend {b!r}; known: {', '.join(_bk.BACKENDS)}")
        peers = [p.strip() for p in args.peers.split(",") if p.strip()]
        depths = _ints(args.depths, "--depths", MAX_DEPTH)
        widths = _ints(args.widths, "--widths", MAX_WIDTH)
        if args.instances < 1:
            raise UsageError(f"-n must be a positive integer, got {args.instances}")
        _check_memory(depths, widths, args.instances)
        if args.device == "cpu":
            _check_memory(depths, widths, args.instances)
        for p in peers:
            if p not in PEERS:
                raise UsageError(f"unknown peer {p!r}; known: {', '.join(PEERS)}")
        say = (lambda line: print(line, file=sys.stderr, flush=True))
        rows = run_bench(depths, widths, args.instances, backends, peers, args.repeats, args.seed,
                         progress=say, device=args.device, nominal_bandwidth=args.device_bandwidth)
        jit_rows: list[dict] = []
        if "numba" in backends and args.device == "cpu" and not args.no_cold_jit and _bk.available("numba"):
            from .kernels.bench_jit import cold_jit
            say("timing numba's cold JIT in fresh processes (empty cache, then cached) ...")
            jit_rows = cold_jit()
    except UsageError as exc:
        print(f"verify bench: error: {exc}", file=sys.stderr)
        return 2
    misses = goal_misses(rows)
    print(f"machine: {machine()}")
    print(f"device: {args.device}; N = {args.instances}; float64\n")
    print(format_summary(rows) + "\n")
    print(format_table(rows))
    print("\nfloors:\n" + format_floors(rows))
    if jit_rows:
        print("\n" + format_jit(jit_rows))
    print(f"\ngoals missed: {len(misses)}")
    for m in misses:
        value = "" if m["value"] is None else f" ({m['value']:.2f}×)"
        print(f"- L={m['depth']} d={m['width']} {m['impl']}: {m['goal']}{value}: {m['cause']}")
    if args.json:
        write_atomic(args.json, json.dumps({"machine": machine(), "device": args.device, "n": args.instances,
                                            "argv": list(argv) if argv is not None else sys.argv[1:],
                                            "rows": rows, "jit": jit_rows, "missed": misses},
                                           indent=1, default=float))
    bad = [r for r in rows if r.get("valid") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
