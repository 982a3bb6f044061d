"""Closed intervals with exact rational endpoints (python-flint ``fmpq``) for the certified tier.

No rounding happens anywhere, so an enclosure computed here is rigorous by construction; square roots
are enclosed between rationals by integer square roots. Used by ``verify.certified.regions``.
"""
from __future__ import annotations

import itertools
from typing import Any

from flint import fmpq, fmpz


class Iv:
    """A closed interval [lo, hi] with exact rational endpoints (outward rounding is never needed)."""

    __slots__ = ("lo", "hi")

    def __init__(self, lo: Any, hi: Any = None) -> None:
        self.lo = fmpq(lo) if not isinstance(lo, fmpq) else lo
        self.hi = self.lo if hi is None else (fmpq(hi) if not isinstance(hi, fmpq) else hi)

    def __add__(self, o: Any) -> "Iv":
        if isinstance(o, Iv):
            return _iv(self.lo + o.lo, self.hi + o.hi)
        return Iv(self.lo + o, self.hi + o)

    __radd__ = __add__

    def __sub__(self, o: Any) -> "Iv":
        if isinstance(o, Iv):
            return _iv(self.lo - o.hi, self.hi - o.lo)
        return Iv(self.lo - o, self.hi - o)

    def __rsub__(self, o: Any) -> "Iv":
        return Iv(o - self.hi, o - self.lo)

    def __neg__(self) -> "Iv":
        return _iv(-self.hi, -self.lo)

    def __mul__(self, o: Any) -> "Iv":
        if isinstance(o, Iv):
            a, b, c, d = self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi
            if a > b:
                a, b = b, a
            if c > d:
                c, d = d, c
            return _iv(a if a < c else c, b if b > d else d)
        return Iv(self.lo * o, self.hi * o) if o >= 0 else Iv(self.hi * o, self.lo * o)

    __rmul__ = __mul__

    def sqr(self) -> "Iv":
        """{x² : x ∈ self} (tighter than self·self when the interval contains 0)."""
        a, b = self.lo * self.lo, self.hi * self.hi
        if self.lo >= 0:
            return _iv(a, b)
        if self.hi <= 0:
            return _iv(b, a)
        return _iv(fmpq(0), max(a, b))

    def clamp_hi(self, top: fmpq) -> "Iv | None":
        """self ∩ (−∞, top], or None when empty."""
        if self.lo > top:
            return None
        return Iv(self.lo, min(self.hi, top))

    def __repr__(self) -> str:
        return f"[{self.lo}, {self.hi}]"


def _iv(lo: fmpq, hi: fmpq) -> Iv:
    """Iv(lo, hi) for endpoints that are already fmpq (results of fmpq arithmetic): no conversion."""
    v = object.__new__(Iv)
    v.lo, v.hi = lo, hi
    return v


def sqrt_enclosure(x: fmpq, bits: int = 80) -> Iv:
    """Rational lo ≤ √x ≤ hi, exact when x is the square of a rational (integer square roots)."""
    p, q = int(x.p), int(x.q)
    rp, rq = fmpz(p).isqrt(), fmpz(q).isqrt()
    if rp * rp == p and rq * rq == q:
        return Iv(fmpq(int(rp), int(rq)))
    scale = 2 ** bits
    k = fmpz(p * q * scale * scale).isqrt()
    return Iv(fmpq(int(k), q * scale), fmpq(int(k) + 1, q * scale))


def iv_sum(xs: tuple[Iv, ...]) -> Iv:
    """Σ xs (the empty sum is [0, 0]): the sums of the endpoints (exact, so in any order)."""
    lo = hi = fmpq(0)
    for x in xs:
        lo += x.lo
        hi += x.hi
    return _iv(lo, hi)


def principal_det(A: list[list[Iv]], idx: tuple[int, ...]) -> Iv:
    """Determinant of the principal submatrix on ``idx`` (size ≤ 3), by cofactors."""
    if len(idx) == 1:
        return A[idx[0]][idx[0]]
    if len(idx) == 2:
        i, j = idx
        return A[i][i] * A[j][j] - A[i][j].sqr()
    i, j, k = idx
    return (A[i][i] * (A[j][j] * A[k][k] - A[j][k].sqr()) - A[i][j] * (A[i][j] * A[k][k] - A[j][k] * A[i][k])
            + A[i][k] * (A[i][j] * A[j][k] - A[j][j] * A[i][k]))


def principal_minors(A: list[list[Iv]]) -> list[Iv]:
    """Every principal minor (size ≤ 3): all ≥ 0 ⟺ PSD, any ≤ 0 ⟹ not PD."""
    n = len(A)
    return [principal_det(A, idx) for k in range(1, n + 1) for idx in itertools.combinations(range(n), k)]


def leading_minors(A: list[list[Iv]]) -> list[Iv]:
    """The leading principal minors: all > 0 ⟺ PD (Sylvester)."""
    return [principal_det(A, tuple(range(k))) for k in range(1, len(A) + 1)]
