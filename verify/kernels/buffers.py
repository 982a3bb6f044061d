"""Output buffers for the kernels' allocating calls, reused once the arrays built on them are freed.

A fresh ``np.empty`` is backed by untouched pages, and the first store to each page faults: measured 4–6 GB/s,
a fraction of the store bandwidth (issue 13), so an allocating Hessian call at small d spends more time in page
faults than in arithmetic. XLA's allocator, behind the JAX peer, keeps freed buffers and hands them out again.
``empty`` does the same: the array it returns lives on a buffer from a pool of buffers written before, and when
that array and every view of it are freed the buffer goes back to the pool (``_Lease.__del__``). Only buffers of
the same size are reused, and at most ``POOL_BYTES`` are kept. Below ``POOL_MIN_BYTES`` glibc already reuses a
freed block of the same size without new page faults (measured: an allocating call costs what a call into ``out=``
does at P ≤ 16), and the pool's bookkeeping (about 20 µs a call) would cost more than it saves.
"""
from __future__ import annotations

import threading

import numpy as np

#: Bytes of freed buffers kept for reuse (larger buffers are never pooled).
POOL_BYTES = 512 << 20
#: Smaller arrays come from ``np.empty`` (glibc's mmap threshold tops out at 32 MiB; above it every allocation is
#: fresh pages).
POOL_MIN_BYTES = 8 << 20

_lock = threading.Lock()
_pool: dict[int, list[np.ndarray]] = {}
_held = [0]


class _Lease:
    """Owner of one pooled buffer for as long as an array is built on it (``__array_interface__``)."""

    __slots__ = ("raw", "__array_interface__")

    def __init__(self, raw: np.ndarray, shape: tuple[int, ...]):
        self.raw = raw
        self.__array_interface__ = {"shape": shape, "typestr": "<f8", "data": (raw.ctypes.data, False),
                                    "version": 3}

    def __del__(self) -> None:
        try:
            _give_back(self.raw)
        except Exception:  # noqa: BLE001 - at interpreter shutdown the module's globals may be gone
            pass


def _give_back(raw: np.ndarray) -> None:
    with _lock:
        if _held[0] + raw.nbytes <= POOL_BYTES:
            _pool.setdefault(raw.nbytes, []).append(raw)
            _held[0] += raw.nbytes


def empty(shape: tuple[int, ...]) -> np.ndarray:
    """An uninitialized C-contiguous float64 array of ``shape``, on a reused buffer where the pool has one."""
    nbytes = 8 * int(np.prod(shape, dtype=np.int64))
    if nbytes < POOL_MIN_BYTES:
        return np.empty(shape)
    with _lock:
        free = _pool.get(nbytes)
        raw = free.pop() if free else None
        if raw is not None:
            _held[0] -= nbytes
    if raw is None:
        if nbytes > POOL_BYTES:
            return np.empty(shape)
        raw = np.empty(nbytes // 8)
    return np.asarray(_Lease(raw, tuple(int(s) for s in shape)))


def release() -> None:
    """Drop every pooled buffer (their memory goes back to the allocator)."""
    with _lock:
        _pool.clear()
        _held[0] = 0
