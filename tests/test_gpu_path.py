"""The GPU path (generated JAX from the matrix program), run on jax's CPU device here."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from verify.errors import UsageError
from verify.kernels import backends
from verify.kernels.matrix import build_matrix_kernels, compile_matrix_kernels, random_instances, validate
from verify.symbolic.matrix import derive

pytestmark = pytest.mark.skipif(not backends.available("jaxgen"), reason="jax not installed")


@pytest.mark.parametrize("depth,widths", [(1, (2, 3)), (3, (2, 3, 2, 4))])
def test_jax_path_validates_against_the_reference(depth, widths):
    ok, err, tol = validate(compile_matrix_kernels(depth, widths, "jaxgen"), np.random.default_rng(31))
    assert ok and err <= tol, (err, tol)


def test_jax_path_from_a_wrong_derivation_is_caught():
    der = derive(2, (2, 3, 2))
    blocks = dict(der.blocks)
    blocks[(1, 0)] = blocks[(1, 0)][1:]
    ok, err, _ = validate(build_matrix_kernels(dataclasses.replace(der, blocks=blocks), "jaxgen"),
                          np.random.default_rng(32))
    assert not ok and err > 1e-3


def test_device_array_api_names_its_device_and_stays_float64():
    from verify.kernels.jax_program import JaxHessian, describe_device
    from verify.kernels.program import build_program
    jh = JaxHessian(build_program(derive(2, (2, 2, 2))), device="cpu")
    assert describe_device(jh.device).startswith("cpu")
    k = compile_matrix_kernels(2, (2, 2, 2), "numpy")
    Ws, M, a, b = random_instances(k, np.random.default_rng(33), 4)
    H = jh(Ws, M, a, b)
    assert H.dtype == np.float64 and H.shape == (4, 8, 8)
    assert np.allclose(np.asarray(H), k.hessian(Ws, M, a, b), rtol=0, atol=1e-13)


def test_unknown_or_absent_device_is_a_usage_error():
    from verify.kernels.jax_program import resolve_device
    with pytest.raises(UsageError):
        resolve_device("tpu9")
    import jax
    if not any(d.platform in ("gpu", "cuda", "rocm") for d in jax.devices()):
        with pytest.raises(UsageError, match="no gpu"):
            resolve_device("gpu")
