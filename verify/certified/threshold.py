"""Certified collapse thresholds λ* of the deep scalar problem (python-flint Arb), L ≥ 2.

Independent of the mpmath bisection (``verify.highprec.scalar``) and of the closed form
(``verify.symbolic.scalar.derive_threshold``): only the reduced objective φ(ρ) is taken from SymPy.

L ≥ 3 (a jump). A tie of 0 and a nonzero stationary point solves g(ρ, b) = 0 and q(ρ, b) = 0
(``verify.certified.scalar``). g is linear in b: b = B(ρ); q(ρ, B(ρ)) / ρ^v = T(ρ) is a polynomial with
exact coefficients. Interval Newton on [0, R] proves T has exactly one root ρ* (every other box excluded),
so the tie b* = B(ρ*) is unique and λ* = b*/k(L) is enclosed. The direction is then certified at the exact
rationals λ₋ = lo·(1 − ε) and λ₊ = hi·(1 + ε), ε = 10^(−digits): every stationary point is isolated on
[0, R] and the global minimizer is proved nonzero at λ₋ and 0 at λ₊. Since the gap
G(λ) = φ(0) − min φ(nonzero stationary) is continuous where nonzero stationary points exist (an interval
(0, λ_c]) and vanishes only at the unique tie, it has one sign on (0, λ*), certified positive at λ₋, and
one sign on (λ*, λ_c], certified negative at λ₊ — which requires nonzero stationary points to exist at λ₊
(λ₊ ≤ λ_c; the certificate fails otherwise). Above λ_c only 0 is stationary. So the minimizer is nonzero for
every λ < λ* and 0 for every λ > λ*.

L = 2 (continuous). T has no positive root; nonzero stationary points exist iff g(0) = a·(−|m|) + b < 0,
so b* solves g(0, b) = 0 exactly (a rational); φ is strictly convex in x = ρ², so the minimizer is the
nonzero stationary point when one exists and 0 otherwise; the two sides are certified as above.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy as sp

from ..conventions import get_convention
from ..errors import UsageError
from ..numbers import check_depth, check_digits, parse_rational
from ..symbolic.scalar import a as a_sym, b as b_sym, mabs, rho
from .arb import (CertificationFailed, arb, arb_to_decimal_pair, ball_bounds, bits_for_digits, dyadic_above,
                  fmpq, isolate_roots, sympy_to_arb, to_fmpq, workprec)
from .scalar import MinimizerCertificate, Poly1, certify_minimizer, reduced


@dataclass(frozen=True)
class Enclosure:
    """lo ≤ λ* ≤ hi rigorously (decimal strings, rounded outward), relative width ≤ 10^(−digits)."""

    lo: str
    hi: str
    digits: int
    method: str

    def contains(self, x: object) -> bool:
        """True when the exact value of ``x`` (str, int, Rational, mpf, exact arb) lies in [lo, hi]."""
        v = Fraction(*_pq(to_fmpq(x)))
        return Fraction(*_pq(to_fmpq(self.lo))) <= v <= Fraction(*_pq(to_fmpq(self.hi)))


def _pq(q: fmpq) -> tuple[int, int]:
    return int(q.p), int(q.q)


def _frac(q: Fraction) -> fmpq:
    return fmpq(q.numerator, q.denominator)


@dataclass(frozen=True)
class ThresholdCertificate:
    """The certified threshold at one instance and the proofs behind it.

    ``lam``: ball around λ*; ``lo``/``hi``: its exact rational bounds; ``rho``: ball around ρ* (L ≥ 3);
    ``tie_excluded``: boxes of [0, R] proved free of tie radii; ``below``/``above``: the certified global
    minimizer at λ₋ = lo·(1 − eps) (nonzero) and λ₊ = hi·(1 + eps) (zero); ``prec``: Arb bits used.
    """

    convention: str
    depth: int
    m: sp.Rational
    digits: int
    kind: str
    lam: arb
    lo: Fraction
    hi: Fraction
    rho: arb | None
    tie_excluded: int
    eps: Fraction
    below: MinimizerCertificate
    above: MinimizerCertificate
    prec: int
    seconds: float

    def enclosure(self) -> Enclosure:
        lo, hi = arb_to_decimal_pair(self.lam, self.digits + 3)
        return Enclosure(lo, hi, self.digits, method_text(self))


def method_text(c: ThresholdCertificate) -> str:
    """How the enclosure was proved, in one paragraph."""
    if c.kind == "continuous":
        head = ("L = 2: λ* = b*/k with b* = a|m| solving g(0, b) = 0 exactly (nonzero stationary points exist iff "
                "b < a|m|)")
    else:
        head = (f"Arb interval Newton at {c.prec} bits: the tie polynomial T(ρ) (b eliminated exactly from "
                f"φ'(ρ) = 0, φ(ρ) = φ(0)) has exactly one root ρ* in [0, {c.below.radius_bound}] "
                f"({c.tie_excluded} boxes excluded), λ* = B(ρ*)/k(L)")
    return (f"{head}; at λ = lo·(1 − 10^-{c.digits}) the global minimizer is certified nonzero and at "
            f"λ = hi·(1 + 10^-{c.digits}) zero, every stationary point isolated by interval Newton on "
            f"[0, R] ⊇ [0, |m|^(1/L)] (all stationary points are balanced; none has ρ^L ≥ |m|)")


def _instance(convention: str, depth: int, target: object, digits: int):
    conv = get_convention(convention)
    L = check_depth(depth)
    m = parse_rational(target, "target")
    n = check_digits(digits)
    if L == 1:
        raise UsageError("L = 1: the minimizer a·m/(a + b) is nonzero for every λ > 0; there is no threshold "
                         "to certify")
    if m == 0:
        raise UsageError("m = 0: the minimizer is 0 for every λ > 0; there is no threshold to certify")
    return conv, L, m, n


def _side(L: int, m: sp.Rational, a: sp.Rational, k: sp.Rational, lam: Fraction) -> MinimizerCertificate:
    b = _frac(Fraction(int(k.p), int(k.q)) * lam)
    return certify_minimizer(L, to_fmpq(m), to_fmpq(a), b)


@lru_cache(maxsize=None)
def _zero_coefficient_roots(L: int) -> tuple[sp.Expr, ...]:
    """Solutions in b of g(0, b) = 0 (g's constant coefficient), per depth: they depend on neither m nor λ.
    When g(0, b) is linear in b (as derived: b − a·|m| at L = 2) its one solution is −g(0, 0)/(∂g(0, b)/∂b),
    without ``sp.solve``'s general machinery."""
    g0 = reduced(L).g[0]
    slope = sp.diff(g0, b_sym)
    if slope != 0 and not slope.has(b_sym):
        root = sp.cancel(-g0.subs(b_sym, 0) / slope)
        return (root,) if root.is_positive is not False else ()  # b is positive, as sp.solve assumes
    return tuple(sp.solve(g0, b_sym))


def _attempt(conv, L: int, m: sp.Rational, n: int, prec: int) -> ThresholdCertificate:
    start = time.perf_counter()
    a = conv.a
    k = conv.b_over_lam(L)
    red = reduced(L)
    with workprec(prec):
        m_abs = abs(to_fmpq(m))
        subs = {a_sym: arb(to_fmpq(a)), mabs: arb(m_abs)}
        R = dyadic_above(Fraction(int(m_abs.p), int(m_abs.q)), L)  # R^L ≥ |m| > ρ*^L
        if L == 2:
            g0 = _zero_coefficient_roots(L)
            if len(g0) != 1:
                raise CertificationFailed("L = 2: g(0, b) = 0 has no unique solution in b")
            b_star = sp.Rational(g0[0].subs({a_sym: a, mabs: abs(m)}))
            lam_q = b_star / k
            lam = arb(to_fmpq(lam_q))
            rho_ball, excluded, kind = None, 0, "continuous"
        else:
            T = Poly1(red.tie, subs)
            iso = isolate_roots(T, T.deriv, Fraction(0), R)
            if not iso.complete or len(iso.roots) != 1:
                raise CertificationFailed(f"depth {L}: the tie polynomial has {len(iso.roots)} certified root(s) "
                                          f"and {len(iso.undecided)} undecided box(es) in [0, {R}]")
            rho_ball = iso.roots[0].root
            b_star = sympy_to_arb(red.b_of_rho, {**subs, rho: rho_ball})
            if not b_star > 0:
                raise CertificationFailed(f"depth {L}: b(ρ*) is not certainly positive")
            lam = b_star / arb(to_fmpq(k))
            excluded, kind = iso.excluded, "jump"
        lo, hi = ball_bounds(lam)
        if not (lo > 0 and (hi - lo) <= lo * Fraction(1, 10 ** (n + 1))):  # room for the decimal rounding
            raise _TooWide(f"relative width {(hi - lo) / lo if lo > 0 else 'n/a'} at {prec} bits")
        eps = Fraction(1, 10**n)
        below = _side(L, m, a, k, lo * (1 - eps))
        above = _side(L, m, a, k, hi * (1 + eps))
    if below.kind != "nonzero" or above.kind != "zero":
        raise CertificationFailed(f"depth {L}, m = {m}: the global minimizer is {below.kind} just below and "
                                  f"{above.kind} just above the enclosure (expected nonzero, zero)")
    if kind == "jump" and not above.stationary:
        # 0 winning because no nonzero stationary point exists at λ₊ (λ₊ > λ_c) does not prove G(λ₊) < 0: G could
        # touch 0 at λ* without changing sign and the jump would be at λ_c (module docstring)
        raise CertificationFailed(f"depth {L}, m = {m}: no nonzero stationary point just above the enclosure, so "
                                  "the sign change of φ(0) − φ(ρ₊) at λ* is not certified")
    return ThresholdCertificate(conv.name, L, m, n, kind, lam, lo, hi, rho_ball, excluded, eps, below, above,
                                prec, time.perf_counter() - start)


class _TooWide(CertificationFailed):
    pass


@lru_cache(maxsize=512)
def threshold_certificate(convention: str, depth: int, target: sp.Rational, digits: int) -> ThresholdCertificate:
    """The certified threshold at (convention, L, m) to ``digits`` digits (cached).

    Raises ``UsageError`` for L = 1 or m = 0 (no threshold) and ``CertificationFailed`` when the balls
    cannot decide even at raised precision (inconclusive, never a verdict).
    """
    conv, L, m, n = _instance(convention, depth, target, digits)
    last = None
    for guard in (48, 160 + 8 * L, 600 + 16 * L):
        try:
            return _attempt(conv, L, m, n, bits_for_digits(n, guard))
        except _TooWide as exc:
            last = exc
        except CertificationFailed as exc:
            last = exc
    raise CertificationFailed(f"depth {L}, m = {m}, {conv.name}: not certified ({last})")


def certify_threshold(convention: str, depth: int, target: object, digits: int = 50) -> Enclosure:
    """A rigorous enclosure [lo, hi] of the collapse threshold λ*(m, L) under ``convention`` (L ≥ 2, m ≠ 0)
    with relative width ≤ 10^(−digits), and the direction of the collapse certified on both sides."""
    conv, L, m, n = _instance(convention, depth, target, digits)
    return threshold_certificate(conv.name, L, m, n).enclosure()
