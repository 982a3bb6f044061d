"""Run overhead outside the checks (slice S6): what the parent loads before forking its workers."""
from __future__ import annotations

import subprocess
import sys


def test_warm_loads_the_checks_modules_but_not_the_bench_or_its_jit_backends():
    code = ("import sys, proofs; from verify import workers; claims = proofs.catalogue(); "
            "workers.SHARED_DERIVATIONS = (); workers.warm(claims); "
            "print(sorted(m for m in sys.modules if m.startswith(workers.WARM_SKIP) or m in ('numba', 'jax'))); "
            "print('verify.claims.threshold' in sys.modules, 'verify.symbolic.scalar' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]" and out[1] == "True True"
