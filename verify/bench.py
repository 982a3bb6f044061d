"""Benchmark of the batched dense Hessian: our kernels vs JAX / PyTorch, and the bandwidth bound.

For each depth L and width d (all widths d, square M) and N random instances, measures
instances per second of the dense (N, P, P) Hessian, P = L·d², for each backend of
verify.kernels.matrix and each installed peer (float64):

    jax:   jax.jit(jax.vmap(jax.hessian(f)))
    torch: torch.func.vmap(torch.func.hessian(f))

Setup (symbolic derivation, code generation, JIT, tracing) is timed separately from throughput
(best of ``repeats`` warm calls). The bandwidth bound is N·P²·8 bytes divided by the write
bandwidth of a numpy fill of an array of the same size, measured in the same run. Every backend
is validated (verify.kernels.matrix.validate) and every peer compared with it before its number
counts. Entry points: ``run_bench(...) -> list[dict]`` and ``main(argv) -> int``.
"""
from __future__ import annotations

import argparse
import importlib
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
from .kernels.matrix import compile_matrix_kernels, validate
from .report.atomic import write_atomic
from .symbolic.matrix import derive

PEERS = ("jax", "torch")


def _reps(first_call_s: float, repeats: int) -> int:
    """Fewer repeats for calls slower than 5 s (large peers), so the full table stays tractable."""
    return repeats if first_call_s < 5.0 else 1


def _best(fn: Callable[[], object], repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _peer_available(name: str) -> bool:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken optional install counts as absent
        return False
    return True


def _loss_factory(xp, shapes, a, b):
    """F(x; M) with x the flat parameter vector (layer 1 first, row-major), in numpy-like xp."""
    sizes = [r * c for r, c in shapes]

    def f(x, M):
        Ws, off = [], 0
        for (r, c), s in zip(shapes, sizes):
            Ws.append(x[off:off + s].reshape(r, c))
            off += s
        P = Ws[0]
        for w in Ws[1:]:
            P = w @ P
        reg = sum((w * w).sum() for w in Ws)
        return 0.5 * a * ((P - M) ** 2).sum() + 0.5 * b * reg
    return f


def _jax_peer(shapes, X, M, a, b, repeats):
    os.environ.setdefault("JAX_ENABLE_X64", "1")
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    f = _loss_factory(jnp, shapes, a, b)
    hess = jax.jit(jax.vmap(jax.hessian(f)))
    Xj, Mj = jnp.asarray(X), jnp.asarray(M)
    t0 = time.perf_counter()
    H = hess(Xj, Mj).block_until_ready()
    setup = time.perf_counter() - t0
    secs = _best(lambda: hess(Xj, Mj).block_until_ready(), _reps(setup, repeats))
    return setup, secs, np.asarray(H)


def _torch_peer(shapes, X, M, a, b, repeats):
    import torch

    f = _loss_factory(torch, shapes, a, b)
    hess = torch.func.vmap(torch.func.hessian(f))
    Xt = torch.as_tensor(X, dtype=torch.float64)
    Mt = torch.as_tensor(M, dtype=torch.float64)
    with torch.no_grad():
        t0 = time.perf_counter()
        H = hess(Xt, Mt)
        setup = time.perf_counter() - t0
        secs = _best(lambda: hess(Xt, Mt), _reps(setup, repeats))
    return setup, secs, H.numpy()


def write_bandwidth(shape: tuple[int, ...], repeats: int = 3) -> float:
    """Bytes per second of a numpy fill of a float64 array of ``shape`` (already touched)."""
    arr = np.empty(shape)
    arr.fill(0.0)
    secs = _best(lambda: arr.fill(1.0), repeats)
    return arr.nbytes / secs


def _rel_diff(x: np.ndarray, ref: np.ndarray) -> float:
    return float(np.max(np.abs(x - ref)) / max(np.max(np.abs(ref)), np.finfo(float).tiny))


def run_bench(depths: Sequence[int] = (2, 3, 4, 6), widths: Sequence[int] = (2, 4, 8), n: int = 1000,
              backends: Sequence[str] = ("numpy", "numba"), peers: Sequence[str] = PEERS,
              repeats: int = 3, seed: int = 0,
              progress: Callable[[str], None] | None = None) -> list[dict]:
    """One row per (depth, width, implementation); see module docstring for what is measured.

    Row keys: depth, width, P, n, impl, kind ('backend' | 'peer' | 'bound'), setup_s, seconds,
    inst_per_s, valid, max_rel_err; for backends also seconds_prealloc (writing into a reused,
    already touched ``out``, like the bandwidth probe), ratio_vs_fastest_peer (allocating calls
    on both sides, as the peers allocate) and frac_of_bound = bound time / seconds_prealloc.
    Unavailable backends / peers give a row with kind and ``skipped`` (the reason).
    ``progress`` receives a one-line note after each size (long runs take minutes).
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be a positive integer, got {n!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise UsageError(f"repeats must be a positive integer, got {repeats!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {seed!r}")
    for p in peers:
        if p not in PEERS:
            raise UsageError(f"unknown peer {p!r}; known: {', '.join(PEERS)}")
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
            bw = write_bandwidth((n, P, P), repeats)
            bound_s = n * P * P * 8 / bw
            rows.append({**base, "impl": "bandwidth-bound", "kind": "bound", "setup_s": 0.0,
                         "seconds": bound_s, "inst_per_s": n / bound_s, "bytes_per_s": bw,
                         "valid": True, "max_rel_err": 0.0})
            ours: list[dict] = []
            ref_H = None
            for be in backends:
                if not _bk.available(be):
                    ours.append({**base, "impl": be, "kind": "backend", "skipped": "not installed"})
                    continue
                try:
                    t0 = time.perf_counter()
                    k = compile_matrix_kernels(int(L), ws, be)
                    setup = time.perf_counter() - t0
                except UsageError as exc:
                    ours.append({**base, "impl": be, "kind": "backend", "skipped": str(exc)})
                    continue
                ok, err, tol = validate(k, np.random.default_rng(seed + 1), n=4)
                H = k.hessian(Ws, M, a, b)
                secs = _best(lambda: k.hessian(Ws, M, a, b), repeats)
                pre = _best(lambda: k.hessian(Ws, M, a, b, out=H), repeats)
                ref_H = H.copy() if ref_H is None else ref_H
                ours.append({**base, "impl": be, "kind": "backend", "setup_s": derive_s + setup,
                             "derive_s": derive_s, "compile_s": k.compile_seconds,
                             "seconds": secs, "inst_per_s": n / secs, "valid": ok,
                             "seconds_prealloc": pre,
                             "max_rel_err": err, "tolerance": tol})
            X = np.concatenate([w.reshape(n, -1) for w in Ws], axis=1)
            peer_rows = []
            for p in peers:
                if not _peer_available(p):
                    peer_rows.append({**base, "impl": p, "kind": "peer", "skipped": "not installed"})
                    continue
                runner = _jax_peer if p == "jax" else _torch_peer
                try:
                    setup, secs, peer_H = runner(shapes, X, M, a, b, repeats)
                except Exception as exc:  # noqa: BLE001 - a peer that fails to run is reported, not fatal
                    peer_rows.append({**base, "impl": p, "kind": "peer",
                                      "skipped": f"failed: {type(exc).__name__}: {exc}"[:200]})
                    continue
                diff = _rel_diff(peer_H, ref_H) if ref_H is not None else float("nan")
                # float64 Hessians by different routes agree to ~1e-15 of the largest entry;
                # 1e-10 only flags a broken peer setup (float32, wrong loss), not rounding.
                peer_rows.append({**base, "impl": p, "kind": "peer", "setup_s": setup, "seconds": secs,
                                  "inst_per_s": n / secs, "valid": bool(diff <= 1e-10),
                                  "max_rel_err": diff})
                del peer_H
            measured = [r["inst_per_s"] for r in peer_rows if "inst_per_s" in r]
            fastest = max(measured) if measured else None
            for r in (r for r in ours if "skipped" not in r):
                r["ratio_vs_fastest_peer"] = r["inst_per_s"] / fastest if fastest else None
                r["frac_of_bound"] = bound_s / r["seconds_prealloc"]
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


def format_table(rows: list[dict]) -> str:
    """Markdown table of run_bench rows."""
    head = ("| L | d | P | impl | setup s | Hessian s (N) | inst/s | vs fastest peer | s, out= reused | "
            "of bound | check |\n|---|---|---|---|---|---|---|---|---|---|---|")
    out = [head]
    for r in rows:
        if "skipped" in r:
            out.append(f"| {r['depth']} | {r['width']} | {r['P']} | {r['impl']} | — | — | — | — | — | — | "
                       f"skipped: {r['skipped']} |")
            continue
        ratio = r.get("ratio_vs_fastest_peer")
        frac = r.get("frac_of_bound")
        pre = r.get("seconds_prealloc")
        check = "bound" if r["kind"] == "bound" else \
            f"{'ok' if r['valid'] else 'FAIL'} ({r['max_rel_err']:.1e})"
        out.append(
            f"| {r['depth']} | {r['width']} | {r['P']} | {r['impl']} | {r['setup_s']:.2f} | "
            f"{r['seconds']:.4g} | {r['inst_per_s']:.4g} | "
            f"{'' if ratio is None else f'{ratio:.2f}×'} | {'' if pre is None else f'{pre:.4g}'} | "
            f"{'' if frac is None else f'{frac:.2f}'} | {check} |")
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
        rows = run_bench(depths, widths, args.instances, backends, peers, args.repeats, args.seed,
                         progress=lambda line: print(line, file=sys.stderr, flush=True))
    except UsageError as exc:
        print(f"verify bench: error: {exc}", file=sys.stderr)
        return 2
    print(f"machine: {machine()}")
    print(format_table(rows))
    if args.json:
        write_atomic(args.json, json.dumps({"machine": machine(), "rows": rows}, indent=1, default=float))
    bad = [r for r in rows if r.get("valid") is False]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
