"""isolate_roots with integer dyadic box ends against the Fraction-based isolation it replaces (kept here as the
reference): the same boxes, the same balls, the same counts."""
from __future__ import annotations

from fractions import Fraction

import flint
import pytest

from verify.certified.arb import (_SPLIT, Isolation, RootBox, _box, _dyadic_box, _dyadic_split, _newton, arb,
                                  ball_bounds, isolate_roots, refine_root, workprec)
from verify.certified.scalar import Poly1, reduced
from verify.symbolic.scalar import a as a_sym, b as b_sym, mabs


def _reference(f, df, lo, hi, max_depth=400, max_boxes=20000, exhaustive=False) -> Isolation:
    """The Fraction-based isolate_roots, as it was."""
    out = Isolation(lo, hi)
    stack = [(Fraction(lo), Fraction(hi), 0)]
    seen = 0
    while stack:
        a_, b_, depth = stack.pop()
        seen += 1
        X = _box(a_, b_)
        fX = f(X)
        if fX.is_finite() and not fX.contains(0):
            out.excluded += 1
            continue
        dX = df(X)
        c = X.mid()
        mean_value = f(c) + dX * (X - c)
        if mean_value.is_finite() and not mean_value.contains(0):
            out.excluded += 1
            continue
        N = _newton(f, df, X)
        if N is not None and N.is_finite():
            if not N.overlaps(X):
                out.excluded += 1
                continue
            n_lo, n_hi = ball_bounds(N)
            if X.contains_interior(N) and a_ < n_lo and n_hi < b_:
                out.roots.append(RootBox(a_, b_, refine_root(f, df, N.intersection(X))))
                continue
        if depth >= max_depth or seen >= max_boxes:
            out.undecided.append((a_, b_))
            if not exhaustive:
                out.undecided += [(p, q) for p, q, _ in stack]
                break
            continue
        mid = a_ + (b_ - a_) * _SPLIT
        stack.append((mid, b_, depth + 1))
        stack.append((a_, mid, depth + 1))
    out.roots.sort(key=lambda r: r.lo)
    return out


def _same(x: Isolation, y: Isolation) -> None:
    assert (x.lo, x.hi, x.excluded, x.undecided) == (y.lo, y.hi, y.excluded, y.undecided)
    assert len(x.roots) == len(y.roots)
    for r, s in zip(x.roots, y.roots):
        assert (r.lo, r.hi) == (s.lo, s.hi)
        assert r.root.mid() == s.root.mid() and r.root.rad() == s.root.rad()


@pytest.mark.parametrize("lo, hi", [(Fraction(0), Fraction(4)), (Fraction(-4), Fraction(4)),
                                    (Fraction(0), Fraction(1, 2)), (Fraction(-3, 8), Fraction(5, 2)),
                                    (Fraction(0), 1 + Fraction(1, 2**40))])
def test_boxes_and_splits_are_the_fraction_ones(lo, hi):
    from verify.certified.arb import _dyadic, _fraction

    with workprec(200):
        for _ in range(12):
            d = (_dyadic(lo), _dyadic(hi))
            X, Y = _dyadic_box(*d), _box(lo, hi)
            assert X.mid() == Y.mid() and X.rad() == Y.rad()
            mid = _dyadic_split(*d)
            assert _fraction(mid) == lo + (hi - lo) * _SPLIT
            lo, hi = (lo, _fraction(mid)) if len(str(hi)) % 2 else (_fraction(mid), hi)


def test_isolations_equal_the_fraction_route():
    cases = [(lambda x: x * x - 2, lambda x: 2 * x, Fraction(-4), Fraction(4), {}),
             (lambda x: x * x + 1, lambda x: 2 * x, Fraction(-4), Fraction(4), {}),
             (lambda x: (x - 1) ** 2, lambda x: 2 * (x - 1), Fraction(0), Fraction(4), {"max_depth": 30}),
             (lambda x: (x - 1) ** 2, lambda x: 2 * (x - 1), Fraction(0), Fraction(4),
              {"max_depth": 12, "exhaustive": True}),
             (lambda x: x - arb(1) / 3, lambda x: flint.arb(1), Fraction(0), 1 + Fraction(1, 2**40), {})]
    with workprec(120):
        for f, df, lo, hi, kw in cases:
            _same(isolate_roots(f, df, lo, hi, **kw), _reference(f, df, lo, hi, **kw))


def test_scalar_stationary_and_tie_isolations_equal_the_fraction_route():
    with workprec(300):
        for L in (3, 4, 7, 12):
            red = reduced(L)
            for m, a, b in ((Fraction(7, 3), 2, Fraction(1, 3)), (Fraction(1000, 3), 1, Fraction(40)),
                            (Fraction(1, 9), 1, Fraction(1, 1000))):
                subs = {a_sym: arb(a), b_sym: arb(flint.fmpq(b.numerator, b.denominator)),
                        mabs: arb(flint.fmpq(m.numerator, m.denominator))}
                for coeffs in (red.g, red.tie):
                    P = Poly1(coeffs, subs)
                    _same(isolate_roots(P, P.deriv, Fraction(0), Fraction(16)),
                          _reference(P, P.deriv, Fraction(0), Fraction(16)))
