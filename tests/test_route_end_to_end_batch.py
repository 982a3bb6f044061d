"""``end_to_end_many`` against ``end_to_end_minimizer`` (the per-target route it replaces in the collapse and
figure checks): every field of every result equal, bit for bit."""
import numpy as np
import pytest

from verify.errors import UsageError
from verify.landscape.deep_matrix import end_to_end_minimizer
from verify.landscape.end_to_end_batch import end_to_end_many
from verify.landscape.instances import target_from_spectrum

FIELDS = ("U", "sigma", "V", "s", "tie", "gap", "P", "value")


def _same(x, y) -> bool:
    return all(np.asarray(getattr(x, f)).tobytes() == np.asarray(getattr(y, f)).tobytes()
               and np.asarray(getattr(x, f)).shape == np.asarray(getattr(y, f)).shape for f in FIELDS)


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 7, 12])
def test_end_to_end_many_bit_identical(depth):
    rng = np.random.default_rng(depth)
    a = float(rng.choice([1.0, 2.0]))
    Ms, bs = [], []
    for k in range(60):
        n, m = [(4, 3), (3, 3), (2, 5)][k % 3]
        sig = np.sort(rng.uniform(0.5, 8.0, size=min(n, m)))[::-1]
        if k % 4 == 1:
            sig[-1] = 0.0
        if k % 4 == 2:
            sig[1] = sig[0]
        Ms.append(target_from_spectrum(rng, n, m, sig))
        bs.append(float(rng.uniform(0.01, 4.0)))
    many = end_to_end_many(Ms, depth, a, bs)
    assert all(_same(e, end_to_end_minimizer(M, depth, a, b)) for e, M, b in zip(many, Ms, bs))
    assert [e.rank for e in many] == [end_to_end_minimizer(M, depth, a, b).rank for M, b in zip(Ms, bs)]


def test_end_to_end_many_same_target_many_b():
    M = target_from_spectrum(np.random.default_rng(3), 4, 4, np.array([4.0, 3.0, 2.0, 1.0]))
    bs = list(np.linspace(0.05, 6.0, 40))
    assert all(_same(e, end_to_end_minimizer(M, 3, 2.0, b)) for e, b in zip(end_to_end_many([M] * 40, 3, 2.0, bs), bs))


def test_end_to_end_many_validates():
    M = np.eye(2)
    assert end_to_end_many([], 3, 1.0, []) == []
    for args in (([M], 3, 1.0, []), ([M], 3, 1.0, [0.0]), ([M], 3, -1.0, [1.0]), ([np.array([[np.nan]])], 3, 1.0, [1.0]),
                 ([M], 0, 1.0, [1.0])):
        with pytest.raises(UsageError):
            end_to_end_many(*args)
