"""The same matrix program (verify.kernels.program) as one jitted JAX function: CPU or GPU.

The op tables of a ``Program`` are walked once at trace time, so XLA receives straight-line
batched code: every factor slot is one batched matmul or scaled copy, every Hessian block the sum
of its terms as broadcast outer products (u ⊗ v per term, the diagonal constants as a scaled
identity), and the blocks are concatenated row block by row block into (N, P, P). XLA fuses the
outer products and the concatenation into the kernels that write the output, so the output is
written once, the way the memory floor assumes — on a GPU that is where the time goes.

Imported only when jax is installed (optional extra ``peers``/``fast``). Float64 throughout: every
trace and call runs inside ``jax.enable_x64(True)``; the process-wide setting is left alone.

    jh = JaxHessian(prog, device="cpu")           # or "gpu"
    H = jh(Ws, M, a, b)                           # jax array (N, P, P) on jh.device
    H = jh.to_host(Ws, M, a, b, out=None)         # numpy (N, P, P), optionally into out
"""
from __future__ import annotations

import contextlib
from typing import Sequence

import numpy as np

from ..errors import UsageError
from .program import Program


def _jax():
    try:
        import jax
        import jax.numpy as jnp
    except Exception as exc:  # noqa: BLE001 - a broken optional install counts as absent
        raise UsageError("the JAX path needs the optional package 'jax' "
                         "(pip install 'jax[cpu]', or a CUDA build of jax for a GPU)") from exc
    return jax, jnp


def _x64():
    jax, _ = _jax()
    ctx = getattr(jax, "enable_x64", None)
    if ctx is not None:
        return ctx(True)
    jax.config.update("jax_enable_x64", True)  # older jax without the context manager
    return contextlib.nullcontext()


def resolve_device(device: str):
    """The first jax device of a platform: 'cpu', or 'gpu' (CUDA/ROCm); UsageError when absent."""
    jax, _ = _jax()
    name = str(device).strip().lower()
    if name not in ("cpu", "gpu", "cuda", "rocm"):
        raise UsageError(f"unknown device {device!r}; known: cpu, gpu")
    candidates = ("cuda", "rocm", "gpu") if name == "gpu" else (name,)
    for plat in candidates:
        try:
            devs = jax.devices(plat)
        except RuntimeError:
            continue
        if devs:
            return devs[0]
    raise UsageError(f"jax sees no {name} device here (jax.devices() = "
                     f"{[d.platform for d in jax.devices()]}); a CUDA build of jax is needed for gpu")


def describe_device(dev) -> str:
    """'platform (device kind)', e.g. 'gpu (NVIDIA H200)' or 'cpu (cpu)'."""
    return f"{dev.platform} ({getattr(dev, 'device_kind', '?')})"


def _traced_hessian(prog: Program):
    """f(W_1..W_L, M, C) -> H (N, P, P), to be jitted; see module docstring."""
    _, jnp = _jax()
    L = prog.depth
    dims = [(prog.widths[l + 1], prog.widths[l]) for l in range(L)]
    ops = prog.ops.tolist()
    blocks = {(int(r[0]), int(r[1])): r for r in prog.blocks.tolist()}
    entries = prog.entries.tolist()
    offs = np.cumsum([0] + [r * c for r, c in dims]).tolist()

    def f(*args):
        Ws, M, C = args[:L], args[L], args[L + 1]
        N = M.shape[0]
        S: dict[int, object] = {l: w for l, w in enumerate(Ws)}
        S[L] = M

        def op(s, tr):
            return jnp.swapaxes(S[s], 1, 2) if tr else S[s]

        for kind, dst, x, tx, y, ty, r, k, c in ops:
            if kind == 0:
                S[dst] = jnp.matmul(op(x, tx), op(y, ty))
            else:  # (1, dst, src, ts, ci, r, c, acc, 0)
                src, ts, ci, r_, c_, acc = x, tx, y, ty, r, k
                base = jnp.broadcast_to(jnp.eye(r_, c_), (N, r_, c_)) if src < 0 else op(src, ts)
                v = C[:, ci, None, None] * base
                S[dst] = S[dst] + v if acc else v
        rows = []
        for l in range(L):
            (r1, c1) = dims[l]
            parts = []
            for kk in range(L):
                (r2, c2) = dims[kk]
                blk = blocks.get((offs[l], offs[kk]))
                term = None
                diag = []
                if blk is not None:
                    for kind, sa, sb, _ in entries[blk[6]:blk[7]]:
                        if kind == 0:    # A[i,p]·Bt[j,q]
                            t = S[sa][:, :, None, :, None] * S[sb][:, None, :, None, :]
                        elif kind == 1:  # A[i,q]·B[p,j]
                            t = S[sa][:, :, None, None, :] * jnp.swapaxes(S[sb], 1, 2)[:, None, :, :, None]
                        else:
                            diag.append(sa)
                            continue
                        term = t if term is None else term + t
                if term is None:
                    term = jnp.zeros((N, r1 * c1, r2 * c2), dtype=M.dtype)
                else:
                    term = term.reshape(N, r1 * c1, r2 * c2)
                for ci in diag:
                    term = term + C[:, ci, None, None] * jnp.eye(r1 * c1, dtype=M.dtype)
                parts.append(term)
            rows.append(jnp.concatenate(parts, axis=2) if len(parts) > 1 else parts[0])
        return jnp.concatenate(rows, axis=1) if len(rows) > 1 else rows[0]
    return f


class JaxHessian:
    """A program's dense Hessian as one jitted JAX function on one device (see module docstring)."""

    def __init__(self, prog: Program, device: str = "cpu"):
        jax, _ = _jax()
        self.prog = prog
        self.device = resolve_device(device)
        self.P = sum(prog.widths[l + 1] * prog.widths[l] for l in range(prog.depth))
        self._fn = jax.jit(_traced_hessian(prog))

    def put(self, Ws: Sequence[np.ndarray], M: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple:
        """Inputs (float64) moved to the device once: Ws, M and the coefficient table C."""
        jax, _ = _jax()
        C = self.prog.coefficients(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        with _x64():
            return tuple(jax.device_put(np.ascontiguousarray(x, dtype=np.float64), self.device)
                         for x in (*Ws, M, C))

    def run(self, args: tuple):
        """H (N, P, P) on the device from put(...)'s arguments (asynchronous, like any jax call)."""
        with _x64():
            return self._fn(*args)

    def __call__(self, Ws, M, a, b):
        return self.run(self.put(Ws, M, a, b))

    def to_host(self, Ws, M, a, b, out: np.ndarray | None = None) -> np.ndarray:
        """H as numpy (N, P, P), copied into ``out`` when given."""
        H = np.asarray(self(Ws, M, a, b))
        if out is None:
            return H
        out[...] = H
        return out
