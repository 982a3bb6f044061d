"""``verify run`` asks for one BLAS thread per process (before NumPy loads), unless the user chose a number."""
import os
import subprocess
import sys

SCRIPT = ("import os, sys\nfrom verify import cli\n"
          "code = cli.main(['run', '--help'])\n"
          "print(code, 'numpy' in sys.modules, os.environ.get('OPENBLAS_NUM_THREADS'), os.environ.get('MKL_NUM_THREADS'))")


def _run(env_extra):
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    env.update(env_extra)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    return out.stdout.strip().splitlines()[-1].split()


def test_run_sets_one_blas_thread_before_numpy_loads():
    assert _run({}) == ["0", "True", "1", "1"]


def test_a_users_choice_wins():
    assert _run({"OPENBLAS_NUM_THREADS": "4"}) == ["0", "True", "4", "1"]
