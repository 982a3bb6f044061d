"""The scalar reduction's high-precision roots: Newton with p' (the route ``solve_scalar_mp`` takes) against
mpmath's findroot secant (the route it replaced), an independent cross-check at 70 digits."""
import random

import mpmath
import pytest

from verify.landscape.reduction import _newton_root_mp, solve_scalar_mp


def _cases(n: int = 120):
    rnd = random.Random(13)
    for _ in range(n):
        yield (rnd.randint(3, 16), mpmath.mpf(rnd.randint(100, 10000)) / 1000, mpmath.mpf(rnd.choice([1, 2])),
               mpmath.mpf(rnd.uniform(0.001, 3.0)))


def test_newton_roots_agree_with_findroot():
    import numpy as np

    checked = 0
    for L, sigma, a, b in _cases():
        with mpmath.workdps(70):
            p = lambda t: a * t ** (2 * L - 2) - a * sigma * t ** (L - 2) + b
            coeffs = [0.0] * (2 * L - 1)
            coeffs[0], coeffs[L], coeffs[-1] = float(a), -float(a * sigma), float(b)
            for r in np.roots(coeffs):
                if r.real > 0 and abs(r.imag) <= 1e-12 * abs(r):
                    x0 = mpmath.mpf(float(r.real))
                    new = _newton_root_mp(x0, L, a, sigma, b)
                    old = mpmath.findroot(p, x0)
                    assert abs(new - old) <= mpmath.mpf(10) ** -65 * abs(old)
                    checked += 1
    assert checked > 50


def test_newton_rejects_a_non_root():
    with mpmath.workdps(70):  # σ = 0: p = aρ^(2L−2) + b > 0 has no positive root
        with pytest.raises((ValueError, ZeroDivisionError)):
            _newton_root_mp(mpmath.mpf("0.5"), 5, mpmath.mpf(1), mpmath.mpf(0), mpmath.mpf(1))


def test_solve_scalar_mp_near_tie_still_ties():
    from verify.landscape.reduction import critical_value_mp

    for L in (3, 5, 8):
        with mpmath.workdps(80):
            sc = critical_value_mp(L, 2, 1, 60)
        assert solve_scalar_mp(sc, L, 2, 1, 50).tie


def test_companion_roots_bit_identical_to_np_roots():
    import numpy as np

    from verify.landscape.reduction import _roots

    rng = np.random.default_rng(5)
    for _ in range(2000):
        L = int(rng.integers(3, 20))
        c = np.zeros(2 * L - 1)
        c[0], c[-1] = rng.uniform(0.1, 3), rng.uniform(1e-3, 5)
        c[L] = -c[0] * rng.uniform(0, 10)
        assert _roots(c).tobytes() == np.roots(c).tobytes()
    assert _roots(np.array([1.0, -3.0, 2.0, 0.0])).tolist() == np.roots([1.0, -3.0, 2.0, 0.0]).tolist()  # np.roots path


def test_solve_scalar_many_bit_identical_to_solve_scalar():
    import dataclasses

    import numpy as np

    from verify.landscape.reduction import solve_scalar, solve_scalar_many

    rng = np.random.default_rng(9)
    for _ in range(400):
        L, a, b = int(rng.integers(1, 14)), float(rng.choice([1.0, 2.0])), float(rng.uniform(0.001, 5))
        sig = list(np.sort(rng.uniform(0, 8, size=int(rng.integers(1, 6))))[::-1])
        if rng.random() < 0.3:
            sig[-1] = 0.0
        if rng.random() < 0.3 and len(sig) > 1:
            sig[1] = sig[0]
        one = [dataclasses.astuple(solve_scalar(s, L, a, b)) for s in sig]
        assert [dataclasses.astuple(r) for r in solve_scalar_many(sig, L, a, b)] == one
    assert solve_scalar_many([], 5, 1.0, 1.0) == []
