"""Honest cold-JIT timing of every compiled entry point of the numba kernels (for `verify bench`).

numba caches compiled code on disk (``cache=True``), so a warm process pays little and a fresh
clone pays the full compile. This module measures both in child processes: first with an empty
``NUMBA_CACHE_DIR`` (cold: each entry point's first call compiles it — the parallel ones
included), then again in a second process with that cache populated (what every later process
pays). The interpreter is generic, so its costs do not depend on the depth or the widths; the generated
kernels (``numba_generated``: 'unrolled' and 'looped') are generated per size and probed at L = 2, d = 2
(P = 8). The unrolled compile grows with P (about 7 s at P = 16), the looped one with the number of ops
(6–9 s at L = 3); each bench row's ``setup s`` includes the compile of the kernel it runs.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from verify.kernels import numba_program as na
from verify.kernels.program import build_program
from verify.symbolic.matrix import derive
rows = {"import_s": time.perf_counter() - t0}
prog = build_program(derive(2, (2, 2, 2)))
rng = np.random.default_rng(0)
N = 8
Ws = [rng.standard_normal((N, 2, 2)) for _ in range(2)]
M = rng.standard_normal((N, 2, 2))
a, b = np.ones(N), np.ones(N)
for ep in na.ENTRY_POINTS:
    out = np.empty((N, 8, 8))
    t0 = time.perf_counter()
    na.hessian(prog, Ws, M, a, b, out, path=ep)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    na.hessian(prog, Ws, M, a, b, out, path=ep)
    rows[ep] = [first, time.perf_counter() - t0]
print("JIT-PROBE " + json.dumps(rows))
"""


def _probe(cache_dir: str, timeout: float) -> dict:
    # the unrolled kernel's source goes to the derivation cache: a private one per probe pair, on even under pytest
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, VERIFY_CACHE="on",
               VERIFY_CACHE_DIR=os.path.join(cache_dir, "verify"))
    proc = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True,
                          timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("JIT-PROBE "):
            return json.loads(line[len("JIT-PROBE "):])
    raise RuntimeError(f"JIT probe failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")


def cold_jit(timeout: float = 900.0) -> list[dict]:
    """One row per entry point: cold first-call seconds (empty cache), cached first-call seconds
    (second process, populated cache) and a warm call; plus a row for importing numba."""
    with tempfile.TemporaryDirectory(prefix="verify-numba-cache-") as cache:
        cold = _probe(cache, timeout)
        cached = _probe(cache, timeout)
    rows = [{"impl": "numba: import", "kind": "jit", "cold_s": cold["import_s"],
             "cached_s": cached["import_s"], "warm_s": 0.0}]
    for ep in (k for k in cold if k != "import_s"):
        rows.append({"impl": f"numba: {ep}", "kind": "jit", "cold_s": cold[ep][0],
                     "cached_s": cached[ep][0], "warm_s": cold[ep][1]})
    return rows
