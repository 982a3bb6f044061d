"""The balanced-point routes of the scalar spectrum against the routes they replace.

- High precision: ``eigen.scalar_hessian_eigenvalues`` takes the eigenvalues of the detected form
  D_s(c·11ᵀ + (d − c)·I)D_s at balanced points; expected values from Householder + QL (``structured=False``, the
  route it replaces) and from mpmath's eigsy of ``verify.highprec.scalar.hessian``.
- Certified: ``symmetric_eigen_enclosures`` with the ``balanced_basis`` guess; expected values from the enclosures
  with Arb's approximate eigensolver (the route it replaces) and the 60-digit eigsy reference.
"""
from __future__ import annotations

import random

import flint
import gmpy2
import mpmath
import pytest

from verify.certified.spectrum import balanced_basis, hessian_ball, symmetric_eigen_enclosures, to_arb, workprec
from verify.highprec import eigen, scalar as hp

PREC = 300


def _balanced_points(L: int, rng: random.Random, m, a, b) -> list[list]:
    """The stationary balanced point (largest radius, random signs with ∏s = 1), a non-stationary balanced
    point and 0."""
    signs = [rng.choice([-1, 1]) for _ in range(L - 1)]
    signs.append(1 if signs.count(-1) % 2 == 0 else -1)
    out = [[mpmath.mpf(0)] * L, [mpmath.mpf("0.83") * s for s in signs]]
    radii = hp.nonzero_stationary_radii(L, m, a, b)
    if radii:
        out.append([radii[-1] * s for s in signs])
    return out


@pytest.mark.parametrize("L", [1, 2, 3, 4, 7, 12, 16, 32, 64])
def test_balanced_eigenvalues_match_householder_ql(L: int) -> None:
    rng = random.Random(L)
    with mpmath.workdps(60):
        m, a, b = mpmath.mpf(3) / 7, mpmath.mpf(1), mpmath.mpf("0.0013")
        for w in _balanced_points(L, rng, m, a, b):
            got = eigen.scalar_hessian_eigenvalues(w, m, a, b)
            want = eigen.scalar_hessian_eigenvalues(w, m, a, b, structured=False)
            top = max(abs(x) for x in want)
            assert len(got) == L
            assert all(abs(x - y) <= top * mpmath.mpf(10) ** -58 for x, y in zip(got, want))


@pytest.mark.parametrize("L", [2, 3, 5, 9])
def test_balanced_eigenvalues_match_eigsy(L: int) -> None:
    rng = random.Random(100 + L)
    with mpmath.workdps(60):
        m, a, b = -mpmath.mpf(7) / 3, mpmath.mpf(2), mpmath.mpf("0.05")
        for w in _balanced_points(L, rng, m, a, b):
            want = sorted(mpmath.eigsy(hp.hessian(w, m, a, b), eigvals_only=True))
            got = eigen.scalar_hessian_eigenvalues(w, m, a, b)
            top = max(abs(x) for x in want)
            assert all(abs(x - y) <= top * mpmath.mpf(10) ** -56 for x, y in zip(got, want))


def test_unbalanced_points_take_householder_ql() -> None:
    with mpmath.workdps(60):
        m, a, b = mpmath.mpf(3) / 7, mpmath.mpf(1), mpmath.mpf("0.013")
        for w in ([mpmath.mpf("0.5"), mpmath.mpf("0.7"), mpmath.mpf("-0.9")], [mpmath.mpf(1), mpmath.mpf(0)]):
            assert eigen.scalar_hessian_eigenvalues(w, m, a, b) == \
                eigen.scalar_hessian_eigenvalues(w, m, a, b, structured=False)


def test_a_matrix_off_the_balanced_form_is_refused() -> None:
    """Equal |w_l| but an entry off the form by far more than the acceptance bound: no structured answer."""
    with mpmath.workdps(60), eigen.gmpy2_precision(mpmath.mp.prec):
        w = [gmpy2.mpfr(1)] * 3
        A = [[gmpy2.mpfr(2 if i == j else 1) for j in range(3)] for i in range(3)]
        assert eigen._balanced_eigenvalues(A, w) == [1, 1, 4]
        A[2][0] = A[0][2] = gmpy2.mpfr(1) + gmpy2.mpfr(10) ** -50
        assert eigen._balanced_eigenvalues(A, w) is None


@pytest.mark.parametrize("L,m,a_,b_", [(1, "3/2", 2, "1/7"), (2, "-7/3", 2, "1/5"), (3, "3/2", 2, "1/6"),
                                       (8, "-7/3", 2, "1/40"), (16, "3/2", 2, "1/90")])
def test_certified_enclosures_with_the_balanced_basis(L: int, m: str, a_, b_) -> None:
    """Every enclosure from the balanced basis holds the 60-digit eigsy eigenvalue, is no wider than Arb's
    eigensolver route's by more than a factor 4, and meets that route's enclosure; at 0 as well."""
    m_f, a_f, b_f = flint.fmpq(*map(int, m.split("/"))), flint.fmpq(a_), flint.fmpq(*map(int, b_.split("/")))
    rng = random.Random(L)
    signs = [rng.choice([-1, 1]) for _ in range(L - 1)]
    signs.append((1 if signs.count(-1) % 2 == 0 else -1) * (1 if m_f > 0 else -1))
    with mpmath.workdps(60):
        m_mp, a_mp, b_mp = (mpmath.mpf(int(x.p)) / int(x.q) for x in (m_f, a_f, b_f))
        radii = hp.nonzero_stationary_radii(L, abs(m_mp), a_mp, b_mp) if L > 1 else [a_mp * abs(m_mp) / (a_mp + b_mp)]
        points = [([mpmath.mpf(0)] * L, [1] * L)] + ([([radii[-1] * s for s in signs], signs)] if radii else [])
        refs = [sorted(mpmath.eigsy(hp.hessian(w, m_mp, a_mp, b_mp), eigvals_only=True)) for w, _ in points]
    with workprec(PREC):
        for (w, s), ref in zip(points, refs):
            H = hessian_ball([to_arb(x) for x in w], flint.arb(m_f), flint.arb(a_f), flint.arb(b_f))
            new = symmetric_eigen_enclosures(H, PREC, balanced_basis(s))
            old = symmetric_eigen_enclosures(H, PREC)
            assert len(new) == len(old) == L
            for e, o, r in zip(new, old, ref):
                assert e.overlaps(o)
                assert e.overlaps(flint.arb(to_arb(r).mid(), to_arb(abs(r) * mpmath.mpf(10) ** -55 + 10 ** -70).abs_upper()))
                assert e.rad() <= 4 * o.rad() + flint.arb(2) ** (-PREC)


def test_a_wrong_guess_falls_back_to_an_eigensolver() -> None:
    """The guess is only tried: a basis that does not diagonalize H still yields tight, correct enclosures."""
    with workprec(PREC):
        H = flint.arb_mat([[2, 1, 0], [1, 2, 1], [0, 1, 2]])  # eigenvalues 2 − √2, 2, 2 + √2
        enc = symmetric_eigen_enclosures(H, PREC, flint.arb_mat([[1, 0, 0], [0, 1, 0], [0, 0, 1]]))
        r2 = flint.arb(2).sqrt()
        for e, x in zip(enc, (2 - r2, flint.arb(2), 2 + r2)):
            assert e.overlaps(x) and e.rad() < flint.arb(2) ** (-PREC // 2)


def test_expanded_spectra_are_cached_copies_equal_to_a_fresh_expansion() -> None:
    """``_expand_spectrum`` (cached per process) against the uncached expansion it wraps; callers get fresh lists."""
    import sympy as sp

    from verify.claims.spectrum_values import _expand_spectrum, _expand_uncached
    from verify.symbolic.scalar import L_sym, a, b, rho

    spec = [(2 * b, L_sym - 1), (L_sym * a * rho ** (2 * L_sym - 2) + (2 - L_sym) * b, 1), (b, 0)]
    for depth in (1, 2, 5, 12):
        first = _expand_spectrum(spec, depth)
        assert first == list(_expand_uncached(spec, depth))
        first.append((sp.Integer(0), 1))
        assert _expand_spectrum(spec, depth) == list(_expand_uncached(spec, depth))
