"""Peers and floors for `verify bench` (verify.bench): JAX and PyTorch Hessians, memory floors.

Every peer runs on a named device and says which: JAX on ``jax.devices(platform)[0]`` (inputs
committed there, so a GPU-enabled jax cannot silently move a "cpu" peer to the GPU), PyTorch on
``torch.device('cpu')`` or ``'cuda'``. Each runner returns the cold first call (trace/compile
included) separately from the best warm call, and the first ``HEAD`` Hessians on the host for the
cross-check (copying N·P² doubles back from a GPU would dwarf the measurement).

Floors: on the CPU a touched single-thread numpy fill of an (N, P, P) float64 array; on a device a
jitted fill of the same shape (write-only, device-resident), with the nominal bandwidth of known
devices (``NOMINAL_BANDWIDTH``, or ``verify bench --device-bandwidth``) reported beside it.
"""
from __future__ import annotations

import importlib
import time
from typing import Callable

import numpy as np

#: Instances copied back to the host for cross-checks.
HEAD = 64

#: Nominal peak memory bandwidth (bytes/s) by jax device_kind / torch device name (vendor data
#: sheets); the bench reports it next to the measured device fill, never instead of it.
NOMINAL_BANDWIDTH = {
    "NVIDIA H200": 4.8e12,
    "NVIDIA H100 80GB HBM3": 3.35e12,
    "NVIDIA H100 PCIe": 2.0e12,
    "NVIDIA A100-SXM4-80GB": 2.04e12,
    "NVIDIA A100-SXM4-40GB": 1.56e12,
    "NVIDIA A100 80GB PCIe": 1.94e12,
}


#: Fast calls are repeated until their calls add up to this many seconds (at most ``MAX_CALLS`` calls).
SAMPLE_BUDGET_S = 0.25
MAX_CALLS = 2000


def best(fn: Callable[[], object], repeats: int) -> float:
    """Best wall time of ``repeats`` calls of fn, and of as many more as fit in ``SAMPLE_BUDGET_S``: on a shared
    machine the best of 3 calls of 50 µs moved by 2× between runs (one preemption, one cold cache is enough), so
    fast calls get more samples. Every backend, peer and floor is timed by this one rule."""
    t_best, spent, calls = float("inf"), 0.0, 0
    while calls < repeats or (spent < SAMPLE_BUDGET_S and calls < MAX_CALLS):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        t_best, spent, calls = min(t_best, dt), spent + dt, calls + 1
    return t_best


def reps(first_call_s: float, repeats: int) -> int:
    """Fewer repeats for calls slower than 5 s (large peers), so the full table stays tractable."""
    return repeats if first_call_s < 5.0 else 1


def available(name: str) -> bool:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a broken optional install counts as absent
        return False
    return True


def loss_factory(shapes, a, b):
    """F(x; M) with x the flat parameter vector (layer 1 first, row-major), for jnp or torch."""
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


def jax_peer(shapes, X, M, a, b, repeats: int, device: str = "cpu") -> dict:
    """jax.jit(jax.vmap(jax.hessian(f))) in float64 on the named device."""
    import jax

    from .jax_program import _x64, describe_device, resolve_device
    dev = resolve_device(device)
    with _x64():
        hess = jax.jit(jax.vmap(jax.hessian(loss_factory(shapes, a, b))))
        Xj, Mj = jax.device_put(X, dev), jax.device_put(M, dev)
        t0 = time.perf_counter()
        H = hess(Xj, Mj).block_until_ready()
        setup = time.perf_counter() - t0
        secs = best(lambda: hess(Xj, Mj).block_until_ready(), reps(setup, repeats))
        head = np.asarray(H[:HEAD])
        on = describe_device(next(iter(H.devices())))
    del H
    return {"setup_s": setup, "seconds": secs, "head": head, "device": on}


def torch_peer(shapes, X, M, a, b, repeats: int, device: str = "cpu") -> dict:
    """torch.func.vmap(torch.func.hessian(f)) in float64 on 'cpu' or 'cuda'."""
    import torch

    dev = torch.device("cuda" if device == "gpu" else "cpu")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("torch sees no CUDA device")
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)
    hess = torch.func.vmap(torch.func.hessian(loss_factory(shapes, a, b)))
    Xt = torch.as_tensor(X, dtype=torch.float64, device=dev)
    Mt = torch.as_tensor(M, dtype=torch.float64, device=dev)

    def call():
        out = hess(Xt, Mt)
        sync()
        return out
    with torch.no_grad():
        t0 = time.perf_counter()
        H = call()
        setup = time.perf_counter() - t0
        secs = best(call, reps(setup, repeats))
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    head = H[:HEAD].cpu().numpy()
    del H
    if dev.type == "cuda":
        torch.cuda.empty_cache()  # hand the memory back for the next size's JAX runs
    return {"setup_s": setup, "seconds": secs, "head": head,
            "device": f"{dev.type} ({name}, torch {torch.__version__}, {torch.get_num_threads()} threads)"}


def cpu_fill_floor(shape: tuple[int, ...], repeats: int = 3) -> float:
    """Bytes/s of a single-thread numpy fill of an already touched float64 array of ``shape``."""
    arr = np.empty(shape)
    arr.fill(0.0)
    secs = best(lambda: arr.fill(1.0), repeats)
    return arr.nbytes / secs


def device_fill_floor(shape: tuple[int, ...], device: str, repeats: int = 3) -> tuple[float, str]:
    """(bytes/s, device) of a jitted write-only fill of a float64 array of ``shape`` on a device."""
    import jax
    import jax.numpy as jnp

    from .jax_program import _x64, describe_device, resolve_device
    dev = resolve_device(device)
    with _x64():
        fill = jax.jit(lambda v: jnp.full(shape, v, dtype=jnp.float64))
        v = jax.device_put(np.float64(1.0), dev)
        fill(v).block_until_ready()
        secs = best(lambda: fill(v).block_until_ready(), repeats)
    return float(np.prod(shape)) * 8 / secs, describe_device(dev)


def nominal_bandwidth(device_text: str) -> float | None:
    """Data-sheet bandwidth (B/s) of a described device, None when it is not in the table."""
    for kind, bw in NOMINAL_BANDWIDTH.items():
        if kind in device_text:
            return bw
    return None
