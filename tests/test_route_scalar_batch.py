"""Batched scalar solves against the per-problem calls they replace: ``solve_scalar_mp_many`` against
``solve_scalar_mp`` and ``solve_scalar_batch`` against ``solve_scalar``, field by field and bit for bit (the
float64 root estimates come from one stacked ``eigvals`` call instead of one call per problem)."""
import dataclasses

import mpmath
import numpy as np
import pytest
import sympy as sp

from verify.errors import UsageError
from verify.landscape.reduction import (critical_value_mp, solve_scalar, solve_scalar_batch, solve_scalar_mp,
                                        solve_scalar_mp_many)


def _fields(sol):
    return [repr(v) for v in dataclasses.astuple(sol)]


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8, 12])
def test_solve_scalar_mp_many_bit_identical_to_solve_scalar_mp(depth):
    rng = np.random.default_rng(depth)
    dps = 50
    with mpmath.workdps(dps + 20):
        problems = []
        for _ in range(40):
            a = mpmath.mpf(int(rng.choice([1, 2])))
            b = mpmath.mpf(int(rng.integers(1, 3000))) / 1000
            problems.append((mpmath.mpf(int(rng.integers(0, 9000))) / 1000, a, b))
        if depth >= 3:  # ties and near ties: the exceptional σ_c and σ_c(1 ± 1e-25)
            sc = critical_value_mp(depth, 2, 1, dps + 10)
            problems += [(sc, 2, 1), (sc * (1 + mpmath.mpf(10) ** -25), 2, 1), (sc * (1 - mpmath.mpf(10) ** -25), 2, 1)]
        problems += [(sp.Rational(3), sp.Integer(2), sp.Rational(1, 7)), ("2.5", 1, "0.25"), (4, 1, 1)]
    one = [_fields(solve_scalar_mp(s, depth, a, b, dps)) for s, a, b in problems]
    assert [_fields(r) for r in solve_scalar_mp_many(problems, depth, dps)] == one
    if depth >= 3:
        assert solve_scalar_mp_many(problems[-6:-3], depth, dps)[0].tie  # the tie is still seen in a batch
    assert solve_scalar_mp_many([], depth, dps) == []


def test_solve_scalar_mp_many_other_digits():
    problems = [(mpmath.mpf(k) / 7, 2, mpmath.mpf(k) / 50) for k in range(1, 30)]
    for dps in (20, 80):
        one = [_fields(solve_scalar_mp(s, 6, a, b, dps)) for s, a, b in problems]
        assert [_fields(r) for r in solve_scalar_mp_many(problems, 6, dps)] == one


def test_solve_scalar_batch_bit_identical_to_solve_scalar():
    rng = np.random.default_rng(21)
    for _ in range(200):
        L, a = int(rng.integers(1, 14)), float(rng.choice([1.0, 2.0]))
        n = int(rng.integers(1, 9))
        sig = list(rng.uniform(0, 8, size=n))
        bs = list(rng.uniform(0.001, 5, size=n))
        if rng.random() < 0.3:
            sig[-1] = 0.0
        one = [dataclasses.astuple(solve_scalar(s, L, a, b)) for s, b in zip(sig, bs)]
        assert [dataclasses.astuple(r) for r in solve_scalar_batch(sig, L, a, bs)] == one
    assert solve_scalar_batch([], 5, 1.0, []) == []


def test_solve_scalar_batch_validates():
    with pytest.raises(UsageError):
        solve_scalar_batch([1.0, 2.0], 3, 1.0, [1.0])
    with pytest.raises(UsageError):
        solve_scalar_batch([1.0], 3, 1.0, [0.0])
    with pytest.raises(UsageError):
        solve_scalar_batch([-1.0], 3, 1.0, [1.0])
