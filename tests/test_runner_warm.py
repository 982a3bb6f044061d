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


def test_warm_runs_the_shared_matrix_search_once_for_the_claims_that_use_it_and_only_for_them():
    """kp.uniqueness, kp.balancedness and kp.layer_norms share one descent search per depth: the parent runs it
    before forking (the workers inherit the cache), for the run's seed and profile; a run of other claims does not
    pay for it."""
    code = ("import proofs; from verify import workers; from verify.claims import RunContext; "
            "from verify.claims.context import PROFILES; from verify.claims import matrix_common as mc; "
            "claims = {c.id: c for c in proofs.catalogue()}; workers.WARM_PACKAGES = (); "
            "ctx = RunContext(seed=7, profile=PROFILES['quick']); "
            "workers.warm([claims['kp.collapse'], claims['kp.threshold']], (), ctx); "
            "print(mc._searched.cache_info().currsize); "
            "workers.warm([claims['kp.balancedness']], (), ctx); "
            "n = mc._searched.cache_info().currsize; misses = mc._searched.cache_info().misses; "
            "mc.all_searched(ctx); print(n, n == len(mc.matrix_depths(ctx)), mc._searched.cache_info().misses == misses)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "0" and out[1].split()[1:] == ["True", "True"]
