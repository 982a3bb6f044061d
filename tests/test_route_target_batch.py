"""``TargetDraws`` against ``target_from_spectrum`` (the per-target route it replaces in kp.collapse's rank check):
the same random stream, the same targets bit for bit, with other draws interleaved between targets."""
import numpy as np
import pytest

from verify.landscape.instances import target_from_spectrum
from verify.landscape.target_batch import TargetDraws


@pytest.mark.parametrize("rows,cols,k", [(4, 3, 3), (3, 3, 3), (2, 5, 2), (5, 4, 2), (1, 1, 1)])
def test_target_draws_are_target_from_spectrum(rows, cols, k):
    r1, r2 = np.random.default_rng(rows * 10 + cols), np.random.default_rng(rows * 10 + cols)
    draws, want = TargetDraws(rows, cols), []
    for i in range(40):
        sig = np.sort(r1.uniform(0.5, 8.0, size=k))[::-1]  # interleaved draws, as in the checks
        assert np.array_equal(sig, np.sort(r2.uniform(0.5, 8.0, size=k))[::-1])
        if i % 3 == 1:
            sig[-1] = 0.0
        if i % 3 == 2 and k > 1:
            sig[1] = sig[0]
        assert draws.draw(r1, sig) == i
        want.append(target_from_spectrum(r2, rows, cols, sig))
    assert r1.bit_generator.state == r2.bit_generator.state
    got = draws.targets()
    assert len(got) == len(want)
    assert all(g.shape == w.shape and g.tobytes() == w.tobytes() for g, w in zip(got, want))


def test_target_draws_empty_and_validation():
    assert TargetDraws(4, 3).targets() == []
    d = TargetDraws(4, 3)
    with pytest.raises(ValueError):
        d.draw(np.random.default_rng(0), [1.0, 2.0, 3.0, 4.0])
    d.draw(np.random.default_rng(0), [3.0, 2.0])
    with pytest.raises(ValueError):
        d.draw(np.random.default_rng(0), [3.0, 2.0, 1.0])
