"""Run overhead outside the checks: what the parent loads before forking its workers."""
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


def test_warm_loads_figure_libraries_and_the_shared_derivations_the_checks_use():
    code = ("import sys, proofs; from verify import workers; claims = proofs.catalogue(); "
            "workers.warm(claims, [3, 4]); "
            "from verify.symbolic import scalar; from verify.certified import scalar as cs; "
            "print(all(m in sys.modules for m in workers.WARM_LIBRARIES), 'matplotlib.pyplot' in sys.modules, "
            "scalar.derive_spectrum.cache_info().currsize, cs.reduced.cache_info().currsize)")
    env = {**__import__("os").environ, "VERIFY_CACHE": "off"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["True", "False", "2", "2"]   # no backend chosen (pyplot not imported)
