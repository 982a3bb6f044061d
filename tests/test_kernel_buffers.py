"""Pooled output buffers (verify/kernels/buffers.py): an array is never handed out while another live array uses
its memory, a freed array's buffer is reused, and the kernels' allocating calls give the same Hessians."""
from __future__ import annotations

import gc

import numpy as np
import pytest

from verify.kernels import buffers
from verify.kernels.matrix import compile_matrix_kernels, random_instances


@pytest.fixture
def pooled(monkeypatch):
    monkeypatch.setattr(buffers, "POOL_MIN_BYTES", 0)
    buffers.release()
    yield
    buffers.release()


def test_live_arrays_never_share_a_buffer(pooled):
    a = buffers.empty((4, 5))
    b = buffers.empty((4, 5))
    a[:] = 1.0
    b[:] = 2.0
    assert not np.shares_memory(a, b) and a.sum() == 20.0
    view = a[1:3]
    del a
    gc.collect()
    c = buffers.empty((4, 5))  # a's buffer is still held by its view
    c[:] = 3.0
    assert not np.shares_memory(c, view) and float(view.sum()) == 10.0


def test_a_freed_buffer_is_reused_and_the_pool_is_bounded(pooled, monkeypatch):
    a = buffers.empty((6, 7))
    address = a.__array_interface__["data"][0]
    del a
    gc.collect()
    b = buffers.empty((42,))  # same size, another shape
    assert b.__array_interface__["data"][0] == address and b.shape == (42,) and b.flags.c_contiguous
    del b
    monkeypatch.setattr(buffers, "POOL_BYTES", 8 * 42 - 1)
    buffers.release()
    c = buffers.empty((42,))
    del c
    gc.collect()
    assert buffers._held[0] == 0  # above the cap: not kept


def test_allocating_hessian_calls_match_calls_into_out(pooled):
    k = compile_matrix_kernels(2, (2, 3, 2), "numpy")
    Ws, M, a, b = random_instances(k, np.random.default_rng(3), 9)
    first = k.hessian(Ws, M, a, b).copy()
    for _ in range(3):  # each call reuses the buffer the previous result left
        assert np.array_equal(k.hessian(Ws, M, a, b), first)
    out = np.empty_like(first)
    assert np.array_equal(k.hessian(Ws, M, a, b, out=out), first)
    assert type(k.hessian(Ws, M, a, b).base).__name__ == "_Lease"
