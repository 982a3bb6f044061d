"""Shared Arb (python-flint) helpers for the certified tier.

Every quantity here is a ball [mid ± rad] that rigorously contains the true value; a decision is made
only when the balls separate. Inputs reach Arb exactly (rationals, strings, mpmath mantissa/exponent
pairs), never through ``float``. Precision is set only inside ``workprec``, which restores it.

``enclose`` puts a claimed SymPy formula on balls (``NotReal`` when the balls prove it has no real value).
``interval_newton`` validates a box around a guessed root; ``isolate_roots`` is a 1-D interval Newton root isolator: on [lo, hi] it returns boxes each proved to
hold exactly one root (N(X) = c − f(c)/f'(X) ⊂ int X, Moore's theorem) and proves every other part of
[lo, hi] root-free (0 ∉ f(X), or N(X) ∩ X = ∅).
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterator

import flint
import mpmath
import sympy as sp

from ..errors import UsageError

arb = flint.arb
fmpq = flint.fmpq


class CertificationFailed(ArithmeticError):
    """The interval computation could not decide (balls overlap, isolation undecided): inconclusive."""


class NotEnclosable(ValueError):
    """A formula uses something the certified tier cannot enclose (its verdict is inconclusive)."""


#: Arb's working precision (flint.ctx.prec) is one per process, shared by threads: precision blocks are
#: serialized so that a thread never computes at, or restores, another thread's precision
_PREC_LOCK = threading.RLock()


@contextlib.contextmanager
def workprec(bits: int) -> Iterator[int]:
    """Run a block at ``bits`` of Arb precision and restore the previous precision afterwards (one thread at a
    time: see ``_PREC_LOCK``; nesting in one thread is fine)."""
    if isinstance(bits, bool) or not isinstance(bits, int) or bits < 2:
        raise UsageError(f"Arb precision must be an integer ≥ 2 bits, got {bits!r}")
    with _PREC_LOCK:
        old = flint.ctx.prec
        flint.ctx.prec = bits
        try:
            yield bits
        finally:
            flint.ctx.prec = old


def bits_for_digits(digits: int, guard: int = 32) -> int:
    """Bits of working precision for ``digits`` decimal digits plus ``guard`` bits."""
    return int(digits * 3.3219280948873623) + 1 + guard


def to_fmpq(x: object) -> fmpq:
    """An exact rational from int / str / Fraction / SymPy Rational / mpmath mpf / exact arb / fmpq.

    Strings are read exactly (``verify.numbers.parse_rational``); an mpf by its mantissa and exponent.
    Floats are refused (they are not what a user typed); so is anything inexact.
    """
    from ..numbers import parse_rational

    if isinstance(x, fmpq):
        return x
    if isinstance(x, bool) or isinstance(x, float):
        raise UsageError(f"pass numbers exactly (str, int, Rational), got {type(x).__name__} {x!r}")
    if isinstance(x, flint.fmpz) or isinstance(x, int):
        return fmpq(int(x))
    if isinstance(x, Fraction):
        return fmpq(x.numerator, x.denominator)
    if isinstance(x, sp.Rational):
        return fmpq(int(x.p), int(x.q))
    if isinstance(x, mpmath.mpf):
        f = _mpf_fraction(x)
        return fmpq(f.numerator, f.denominator)
    if isinstance(x, arb):
        f = arb_exact_fraction(x)
        return fmpq(f.numerator, f.denominator)
    if isinstance(x, str):
        r = parse_rational(x, "number")
        return fmpq(int(r.p), int(r.q))
    raise UsageError(f"cannot convert {type(x).__name__} {x!r} to an exact rational")


def _mpf_fraction(x: mpmath.mpf) -> Fraction:
    sign, man, exp, _ = x._mpf_
    if not man and exp:  # nan / inf
        raise UsageError(f"not a finite number: {x}")
    v = Fraction(int(man)) * (Fraction(2) ** int(exp))
    return -v if sign else v


def to_arb(x: object) -> arb:
    """A ball containing ``x`` exactly: exact rationals by ``to_fmpq``; an arb is returned as is."""
    if isinstance(x, arb):
        return x
    return arb(to_fmpq(x))


def arb_exact_fraction(x: arb) -> Fraction:
    """The exact value of an exact (radius 0) finite arb as a Fraction."""
    man, exp = x.man_exp()
    man, exp = int(man), int(exp)
    return Fraction(man << exp) if exp >= 0 else Fraction(man, 1 << -exp)


def ball_bounds(x: arb) -> tuple[Fraction, Fraction]:
    """Exact rational bounds lo ≤ x ≤ hi of a finite ball (midpoint ∓ radius, both exact dyadics)."""
    if not x.is_finite():
        raise CertificationFailed(f"the ball {x} is not finite")
    mid = arb_exact_fraction(x.mid())
    rad = arb_exact_fraction(x.rad())
    return mid - rad, mid + rad


def _ilog10_floor(v: Fraction) -> int:
    """floor(log10(v)) for v > 0, exactly."""
    e = int((v.numerator.bit_length() - v.denominator.bit_length()) * 0.30102999566398120)  # within ±1
    while Fraction(10) ** e > v:
        e -= 1
    while Fraction(10) ** (e + 1) <= v:
        e += 1
    return e


def round_decimal(v: Fraction, digits: int, up: bool) -> str:
    """``v`` rounded to ``digits`` significant digits, downward (up=False) or upward, as a decimal string."""
    if v == 0:
        return "0"
    e = _ilog10_floor(abs(v))
    shift = e - digits + 1
    scaled = v / (Fraction(10) ** shift)
    n = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    sign = "-" if n < 0 else ""
    s = str(abs(n))
    exp = shift + len(s) - 1
    return f"{sign}{s[0]}.{s[1:] or '0'}e{exp}"


def arb_to_decimal_pair(ball: arb, digits: int) -> tuple[str, str]:
    """Decimal strings (lo, hi) with lo ≤ every point of ``ball`` ≤ hi, ``digits`` significant digits,
    rounded outward (exact rational arithmetic: no rounding inward anywhere)."""
    lo, hi = ball_bounds(ball)
    return round_decimal(lo, digits, up=False), round_decimal(hi, digits, up=True)


def decimal_pair(ball: arb, digits: int) -> tuple[str, str]:
    """Alias of ``arb_to_decimal_pair``."""
    return arb_to_decimal_pair(ball, digits)


def rel_width(ball: arb) -> Fraction:
    """(hi − lo)/min(|lo|, |hi|) of a ball not containing 0, exactly (inf when it contains 0)."""
    lo, hi = ball_bounds(ball)
    if lo <= 0 <= hi:
        return Fraction(10) ** 100000
    return (hi - lo) / min(abs(lo), abs(hi))


def interval(lo: Fraction, hi: Fraction) -> arb:
    """A ball containing [lo, hi] (exactly [lo, hi] when both are dyadic with the same small exponent)."""
    return arb(fmpq(lo.numerator, lo.denominator)).union(arb(fmpq(hi.numerator, hi.denominator)))


# --- SymPy expressions enclosed in Arb ----------------------------------------------------------------------

#: SymPy functions Arb encloses rigorously by a method of the same meaning (real and complex balls alike)
_ELEMENTARY = ((sp.sin, "sin"), (sp.cos, "cos"), (sp.tan, "tan"), (sp.atan, "atan"), (sp.sinh, "sinh"),
               (sp.cosh, "cosh"), (sp.tanh, "tanh"))


def sympy_to_arb(expr: sp.Expr, subs: dict[sp.Symbol, arb] | None = None, complex_: bool = False) -> arb:
    """A ball containing the real value of ``expr`` (SymPy) at ``subs`` (symbol → ball), at the current precision;
    with ``complex_``, a complex ball (``flint.acb``) containing its value on SymPy's principal branches.

    Handles rationals, + · powers (integer, rational and ball exponents of positive bases), sqrt, exp, log,
    π, e, |·| (what closed-form thresholds use) and sin, cos, tan, atan, sinh, cosh, tanh. Anything else (floats,
    other functions) raises ``NotEnclosable``: the certified tier never guesses a value.
    """
    subs = subs or {}
    lift = flint.acb if complex_ else (lambda x: x)
    if complex_:
        subs = {k: flint.acb(v) for k, v in subs.items()}

    def ev(e: sp.Expr) -> arb:
        if e in subs:
            return subs[e]
        if isinstance(e, sp.Rational):
            return lift(arb(fmpq(int(e.p), int(e.q))))
        if e is sp.pi:
            return lift(arb.pi())
        if e is sp.E:
            return lift(arb.const_e())
        if complex_ and e is sp.I:
            return flint.acb(0, 1)
        if isinstance(e, sp.Add):
            out = lift(arb(0))
            for t in e.args:
                out += ev(t)
            return out
        if isinstance(e, sp.Mul):
            out = lift(arb(1))
            for t in e.args:
                out *= ev(t)
            return out
        if isinstance(e, sp.Pow):
            base = ev(e.base)
            if isinstance(e.exp, sp.Integer):
                n = int(e.exp)
                return base ** n if n >= 0 else 1 / base ** (-n)
            if e.exp == sp.Rational(1, 2):
                return base.sqrt()
            expo = ev(e.exp)
            return base ** expo  # nan unless the base is certainly positive: caught by the caller
        if isinstance(e, sp.exp):
            return ev(e.args[0]).exp()
        if isinstance(e, sp.log) and len(e.args) == 1:
            return ev(e.args[0]).log()
        if isinstance(e, sp.Abs):
            return lift(abs(ev(e.args[0])))
        for kind, method in _ELEMENTARY:
            if isinstance(e, kind):
                return getattr(ev(e.args[0]), method)()
        raise NotEnclosable(f"the certified tier cannot enclose {type(e).__name__} ({sp.sstr(e)[:60]})")

    return ev(sp.sympify(expr))


class NotReal(ArithmeticError):
    """Balls prove a claimed formula has no real value here (a real power or log of a negative number, a pole):
    a claimed eigenvalue, threshold or sharpness that is no real number is wrong."""


def enclose(expr: sp.Expr, values: dict[sp.Symbol, arb]) -> arb:
    """A finite ball holding the real value of a claimed formula at ``values`` (``sympy_to_arb``).

    ``NotReal`` when the balls prove a subexpression has no real value (base < 0 under a non-integer power, log of a
    number ≤ 0, division by an exact 0); ``NotEnclosable`` when the formula uses what the balls cannot enclose or a
    value is not decided (a base that may be ≤ 0): the certified check is then inconclusive, never verified."""
    e = sp.sympify(expr)
    if e.has(sp.I):  # SymPy writes √(negative number) as I·√(…): no real value when Im is certainly ≠ 0
        imag = sp.im(e)
        if not imag.has(sp.I, sp.im, sp.re) and not enclose(imag, values).contains(0):
            raise NotReal(f"{sp.sstr(e)[:60]}: a nonzero imaginary part")
        raise NotEnclosable(f"the certified tier cannot enclose the complex expression {sp.sstr(e)[:60]}")
    for node in sp.preorder_traversal(e):
        if isinstance(node, sp.Pow):
            base = sympy_to_arb(node.base, values)
            if not node.exp.is_Integer and base < 0:
                _not_real_overall(e, values, f"{sp.sstr(node)[:60]}: a non-integer power of a negative number")
            if node.exp.is_negative and base.is_exact() and base == 0:
                raise NotReal(f"{sp.sstr(node)[:60]}: division by 0")
        elif isinstance(node, sp.log):
            x = sympy_to_arb(node.args[0], values)
            if x.is_exact() and x == 0:
                raise NotReal(f"{sp.sstr(node)[:60]}: the logarithm of 0")
            if x < 0:
                _not_real_overall(e, values, f"{sp.sstr(node)[:60]}: the logarithm of a negative number")
    x = sympy_to_arb(e, values)
    if not x.is_finite():
        raise NotEnclosable(f"the claimed formula has no finite real enclosure here ({sp.sstr(expr)[:60]})")
    return x


def exact_ball(x: object) -> arb:
    """An exact number as a ball: an mpf by its mantissa and exponent (radius 0), anything else by ``to_arb``."""
    if isinstance(x, mpmath.mpf):
        sign, man, exp, _ = x._mpf_
        if not man and exp:
            raise UsageError(f"not a finite number: {x}")
        return arb((-int(man) if sign else int(man), int(exp)))
    return to_arb(x)


def narrow_value(expr: sp.Expr, values: dict[sp.Symbol, object], digits: int) -> mpmath.mpf | None:
    """``expr`` at ``values`` (symbol → mpf, int or SymPy Rational, each read exactly) as an mpf rounded to ``digits``
    digits, taken from its Arb ball at digits + 10 digits when the ball's radius is at most 10^-digits of its
    midpoint. None otherwise: a formula that cancels widens its ball instead of giving a wrong number, and what the
    balls cannot enclose (or no finite real value) is left to the caller's exact route."""
    balls = {s: exact_ball(v) for s, v in values.items()}
    with workprec(bits_for_digits(digits + 10)):
        try:
            ball = sympy_to_arb(expr, balls)
        except (NotEnclosable, ValueError, ZeroDivisionError):
            return None
        if not ball.is_finite() or not (ball.rad() == 0 or ball.rad() <= abs(ball.mid()) * arb(10) ** -digits):
            return None
        man, exp = ball.mid().man_exp()
    with mpmath.workdps(digits):
        return mpmath.mpf((int(man), int(exp)))


def _not_real_overall(expr: sp.Expr, values: dict[sp.Symbol, arb], where: str) -> None:
    """A part of ``expr`` is certainly not real (``where``): NotReal when the whole formula, enclosed in complex balls
    on SymPy's principal branches, certainly has a nonzero imaginary part; else NotEnclosable (complex parts can
    cancel, as in √(m − c)·√(m − c − 1) + √((c − m)(c + 1 − m)) = 0 for m < c, and balls cannot prove Im = 0)."""
    try:
        z = sympy_to_arb(expr, values, complex_=True)
    except (NotEnclosable, ValueError, ZeroDivisionError):
        z = None
    if z is not None and z.imag.is_finite() and not z.imag.contains(0):
        raise NotReal(f"{where}, and the formula's value is not real")
    raise NotEnclosable(f"{where}: the formula may still be real (its complex parts may cancel); the balls cannot "
                        "decide")


# --- interval Newton root isolation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RootBox:
    """A box [lo, hi] proved to contain exactly one root, and a tight ball ``root`` around it."""

    lo: Fraction
    hi: Fraction
    root: arb


@dataclass
class Isolation:
    """Roots of f on [lo, hi]: ``roots`` (each proved unique in its box), the number of boxes proved
    root-free (``excluded``, by 0 ∉ f(X) or N(X) ∩ X = ∅), and ``undecided`` boxes (none when complete)."""

    lo: Fraction
    hi: Fraction
    roots: list[RootBox] = field(default_factory=list)
    excluded: int = 0
    undecided: list[tuple[Fraction, Fraction]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.undecided


def _box(lo: Fraction, hi: Fraction) -> arb:
    """A ball ⊇ [lo, hi] for dyadic endpoints: equal to it when the radius fits Arb's 30-bit radius mantissa
    (power-of-two widths, as from [0, 2^j]); otherwise the radius is rounded up."""
    mid = (lo + hi) / 2
    rad = (hi - lo) / 2
    return arb(_mag(mid), _mag(rad))


def _mag(r: Fraction) -> tuple[int, int]:
    """A dyadic r = n / 2^k as (n, −k) for Arb's exact (mantissa, exponent) form."""
    k = r.denominator.bit_length() - 1
    if r.denominator != 1 << k:
        raise ValueError("box radii must be dyadic")
    return (r.numerator, -k)


def _newton(f: Callable[[arb], arb], df: Callable[[arb], arb], X: arb) -> arb | None:
    """N(X) = c − f(c)/f'(X) with c = mid X, or None when f'(X) contains 0."""
    d = df(X)
    if d.contains(0) or not d.is_finite():
        return None
    c = X.mid()
    return c - f(c) / d


def refine_root(f: Callable[[arb], arb], df: Callable[[arb], arb], X: arb, steps: int = 200) -> arb:
    """Contract a box holding a unique root by interval Newton (X ← N(X) ∩ X) until it stops shrinking."""
    for _ in range(steps):
        N = _newton(f, df, X)
        if N is None:
            break
        try:
            Y = N.intersection(X)
        except ValueError:  # cannot happen for a box proved to hold a root; keep X
            break
        if not Y.rad() < X.rad():
            return Y
        X = Y
    return X


def interval_newton(f: Callable[[arb], arb], df: Callable[[arb], arb], center: arb, half_width: arb,
                    steps: int = 60) -> arb | None:
    """A ball X = [mid(center) ± half_width] proved to hold exactly one root of f, contracted, or None.

    Proof (Moore): f'(X) ∌ 0 and N(X) = c − f(c)/f'(X) ⊂ X, c = mid X: X holds a root, unique since f is
    monotone on X. ``center`` is only a guess (a float-quality Newton iterate is fine): nothing about it is
    trusted. Call inside ``workprec``."""
    X = arb(center.mid(), half_width.upper())
    N = _newton(f, df, X)
    if N is None or not N.is_finite() or not X.contains(N):
        return None
    return refine_root(f, df, N.intersection(X), steps)


#: where ``isolate_roots`` splits a box, as a fraction of its width (not 1/2: see there)
_SPLIT = Fraction(33, 64)


def _dyadic(x: Fraction) -> tuple[int, int]:
    """A dyadic x = n / 2^k (k ≥ 0) as (n, k)."""
    x = Fraction(x)
    k = x.denominator.bit_length() - 1
    if x.denominator != 1 << k:
        raise ValueError("box radii must be dyadic")
    return x.numerator, k


def _dyadic_box(lo: tuple[int, int], hi: tuple[int, int]) -> arb:
    """``_box`` of dyadic ends (n, k) in integer arithmetic: the same ball (mid = (lo + hi)/2, rad = (hi − lo)/2,
    exact dyadics) without Fraction's gcds."""
    (n1, k1), (n2, k2) = lo, hi
    k = max(k1, k2)
    a_, b_ = n1 << (k - k1), n2 << (k - k2)
    return arb((a_ + b_, -(k + 1)), (b_ - a_, -(k + 1)))


def _dyadic_split(lo: tuple[int, int], hi: tuple[int, int]) -> tuple[int, int]:
    """lo + (hi − lo)·_SPLIT (= 33/64) for dyadic ends (n, k), exactly."""
    (n1, k1), (n2, k2) = lo, hi
    k = max(k1, k2)
    a_, b_ = n1 << (k - k1), n2 << (k - k2)
    return 31 * a_ + 33 * b_, k + 6


def _fraction(x: tuple[int, int]) -> Fraction:
    return Fraction(x[0], 1 << x[1])


def isolate_roots(f: Callable[[arb], arb], df: Callable[[arb], arb], lo: Fraction, hi: Fraction,
                  max_depth: int = 400, max_boxes: int = 20000, exhaustive: bool = False) -> Isolation:
    """All roots of f in [lo, hi] (dyadic ends), each in a box with a proof of existence and uniqueness,
    every other box proved root-free; boxes not decided within ``max_depth`` bisections are ``undecided``.

    An isolation with an undecided box is incomplete whatever else it finds, so by default the search stops at the
    first one (the boxes not yet visited are listed as undecided too): balls too wide to decide a whole region
    would otherwise split it into ~``max_boxes`` boxes. ``exhaustive`` visits every box.
    Box ends are kept as exact dyadics (n, k) = n/2^k in integers (``_dyadic_box``, ``_dyadic_split``): the same
    boxes and balls as with Fractions, without their gcds.
    Call inside ``workprec``; f and df map a ball to a ball containing the function's range over it.
    """
    out = Isolation(lo, hi)
    stack = [(_dyadic(lo), _dyadic(hi), 0)]
    seen = 0
    while stack:
        a_, b_, depth = stack.pop()
        seen += 1
        X = _dyadic_box(a_, b_)
        fX = f(X)
        if fX.is_finite() and not fX.contains(0):
            out.excluded += 1
            continue
        dX = df(X)
        c = X.mid()
        mean_value = f(c) + dX * (X - c)  # f(X) ⊂ f(c) + f'(X)(X − c): tighter than the natural form on small boxes
        if mean_value.is_finite() and not mean_value.contains(0):
            out.excluded += 1
            continue
        N = _newton(f, df, X)
        if N is not None and N.is_finite():
            if not N.overlaps(X):
                out.excluded += 1
                continue
            # the root lies in N(X) ⊂ int X; X may be wider than [a, b] (Arb rounds a long radius up), so the
            # box is claimed only when N(X) lies inside (a, b) too (exact bounds)
            n_lo, n_hi = ball_bounds(N)
            fa, fb = _fraction(a_), _fraction(b_)
            if X.contains_interior(N) and fa < n_lo and n_hi < fb:
                out.roots.append(RootBox(fa, fb, refine_root(f, df, N.intersection(X))))
                continue
        if depth >= max_depth or seen >= max_boxes:
            out.undecided.append((_fraction(a_), _fraction(b_)))
            if not exhaustive:
                out.undecided += [(_fraction(p), _fraction(q)) for p, q, _ in stack]
                break
            continue
        # split off-centre: a root at a dyadic point (ρ = 1 at rational instances) would otherwise sit on a box
        # edge at every level, where N(X) ⊂ int X never holds and the box stays undecided
        mid = _dyadic_split(a_, b_)
        stack.append((mid, b_, depth + 1))
        stack.append((a_, mid, depth + 1))
    out.roots.sort(key=lambda r: r.lo)
    return out


def dyadic_above(x: Fraction, root: int = 1) -> Fraction:
    """The least power of two p = 2^j (j any integer) with p^root ≥ x > 0: p ≥ x^(1/root), exactly.

    A root domain [0, p] then has exact dyadic box endpoints.
    """
    if x <= 0:
        raise ValueError("dyadic_above needs x > 0")
    p = Fraction(1)
    while p**root < x:
        p *= 2
    while (p / 2) ** root >= x:
        p /= 2
    return p
