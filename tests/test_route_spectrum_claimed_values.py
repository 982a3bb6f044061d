"""kp.hessian_spectrum's high-precision helpers: claimed eigenvalues from mpf arguments (Arb balls, else adaptive
evalf) agree with SymPy's adaptive evalf at the same values to working precision, and sign patterns indexed directly are
those of ``sign_patterns`` in the same order."""
from __future__ import annotations

import mpmath
import sympy as sp

from verify.claims.spectrum_values import _numbers, _numbers_mp, _pattern
from verify.symbolic.scalar import a, b, mabs, rho, sign_patterns


def test_pattern_indexing_matches_sign_patterns() -> None:
    for L in range(1, 14):
        for sign in (1, -1):
            every = list(sign_patterns(L, sign, 4096))
            assert [_pattern(L, sign, k) for k in range(len(every))] == every


def test_claimed_values_from_balls_match_evalf() -> None:
    L = 7
    spec = [(2 * b, L - 1), (L * a * rho ** (2 * L - 2) + (2 - L) * b, 1), (sp.sqrt(mabs) * b / 3 + sp.pi, 2),
            (sp.Max(a, b) - sp.Rational(1, 7), 1)]
    work = 60
    with mpmath.workdps(work):
        args = (mpmath.mpf(2), mpmath.mpf(1) / 3, mpmath.mpf(5) / 7, mpmath.mpf("1.2345"))
        values = {a: sp.Float(args[0], work), b: sp.Float(args[1], work), mabs: sp.Float(args[2], work),
                  rho: sp.Float(args[3], work)}
        want = _numbers(spec, values, work)
        got = _numbers_mp(spec, args, work)
        assert len(got) == len(want) == sum(k for _, k in spec)
        assert all(abs(x - y) <= mpmath.mpf(10) ** -(work - 2) * max(abs(x), 1) for x, y in zip(want, got))



def test_threshold_display_equals_simplify_at_every_symbolic_depth() -> None:
    """The symbolic tier shows the derived eigenvalues at (b*, ρ*) through ``_shown`` instead of ``simplify``:
    the same text at every depth any profile reaches (L ≤ 12)."""
    from verify.claims.scalar_spectrum import _shown
    from verify.symbolic.scalar import derive_spectrum, derive_threshold

    for L in range(3, 13):
        t = derive_threshold(L)
        if t.kind != "jump":
            continue
        d = derive_spectrum(L)
        for e, _ in d.eigenvalues:
            x = sp.expand(e).subs({b: t.b_star, rho: t.rho_star})
            assert str(_shown(x)) == str(sp.simplify(x))
        for e, _ in d.at_zero:
            x = sp.expand(e).subs({b: t.b_star})
            assert str(_shown(x)) == str(sp.simplify(x))
