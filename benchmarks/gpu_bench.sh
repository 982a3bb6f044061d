#!/usr/bin/env bash
# The prepared GPU benchmark of issue 13 (item 3): run as is, from the repository root, on a machine
# with an NVIDIA GPU:
#
#     bash benchmarks/gpu_bench.sh [OUT_DIR]        # default: $OUT, else ./bench-gpu
#
# Measures, in one run, for L in {2,3,4,6} x d in {2,4,8} at N = 10^4 (float64): the generated JAX
# path (backend jaxgen: the suite's matrix program traced into one jitted function) against
# jax.jit(jax.vmap(jax.hessian(f))) and torch.func.vmap(torch.func.hessian(f)) on the same GPU, with
# a device-resident fill of the (N, P, P) output as the memory floor and the data-sheet bandwidth
# beside it (override: VERIFY_GPU_GBPS=4800). Needs numpy, sympy, mpmath and a CUDA build of jax
# (torch optional): no install of this package is needed, the tree is put on PYTHONPATH.
# Writes OUT_DIR/bench-gpu.json (rows, goals, misses), OUT_DIR/bench-gpu.md (tables) and
# OUT_DIR/gpu.txt (nvidia-smi). Expected to take a few minutes on an H200, mostly XLA compiles
# (an estimate: never run on a GPU yet).
set -euo pipefail
OUT_DIR=${1:-${OUT:-bench-gpu}}
mkdir -p "$OUT_DIR"
PY=${PYTHON:-python3}
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
# JAX and PyTorch share the GPU in one process: JAX must not take 75 % of it up front.
export XLA_PYTHON_CLIENT_PREALLOCATE=false XLA_PYTHON_CLIENT_MEM_FRACTION=${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.5}
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv > "$OUT_DIR/gpu.txt" 2>&1 || true
"$PY" - <<'PY'
import jax
gpus = [d for d in jax.devices() if d.platform in ("gpu", "cuda", "rocm")]
print("jax", jax.__version__, "devices:", jax.devices())
if not gpus:
    raise SystemExit("gpu_bench: jax sees no GPU (a CUDA build of jax is needed)")
PY
BW=()
if [[ -n "${VERIFY_GPU_GBPS:-}" ]]; then BW=(--device-bandwidth "$VERIFY_GPU_GBPS"); fi
set -o pipefail
"$PY" -m verify.bench --device gpu --depths 2,3,4,6 --widths 2,4,8 -n 10000 \
    --backends jaxgen --peers jax,torch --repeats 5 "${BW[@]}" \
    --json "$OUT_DIR/bench-gpu.json" 2>&1 | tee "$OUT_DIR/bench-gpu.md"
