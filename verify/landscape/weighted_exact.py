"""Exact classification of the critical points of the weighted scalar problem (docs/mathematics.md §K9).

F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σ_l c_l·w_l², with exact a, m, c_l and b such that b^L·∏c_l is rational.
Derived here from F alone (entrywise derivatives, exact arithmetic in a polynomial ring over the c_l's
domain), without the balanced reduction:

* w_l·∂F/∂w_l = a(P − m)P + b·c_l·w_l² (checked by expansion), so at a critical point with every w_l ≠ 0,
  w_l² = q_l(t) := a(m − t)t/(b·c_l) with t = P, and t² = ∏q_l(t): t is a real root of
  N(t) = (a(m − t)t)^L − b^L·∏c_l·t² other than 0, with q_l(t) > 0. A critical point with some w_l = 0
  is 0 (for j ≠ l, ∂F/∂w_j = b·c_j·w_j there, checked by substitution).
* inertia: D·H·D with D = diag(w) is congruent to H (Sylvester), and its entries reduce, monomial by
  monomial, to polynomials in t (even exponents: ∏q_l^(e/2); all odd: t·∏q_l^((e−1)/2)). The signs of the
  characteristic polynomial's coefficients at the root (certified by root isolation) give the inertia
  (Descartes' rule is exact for a real-rooted polynomial).
* a singular PSD Hessian: the only critical point of the coercive F is its global minimum; otherwise, when
  the ray direction w is in the null space, F((1 + s)w) decides: a first nonzero derivative of odd order
  means no local extremum (a non-strict saddle). Anything else is undecided (None).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import gmpy2
import mpmath
import sympy as sp
from sympy.polys.constructor import construct_domain
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import ring

from ..cache import disk_cached

T = sp.Symbol("t", real=True)
S = sp.Symbol("s", real=True)
X = sp.Symbol("x", real=True)


@dataclass(frozen=True)
class ExactPoint:
    """A critical point: product t (0 for the origin), its objective, inertia (n+, n0, n−) and kind
    ("minimum", "strict saddle", "non-strict saddle", or None when undecided)."""

    t: float
    poly: sp.Poly | None
    interval: tuple[sp.Rational, sp.Rational] | None
    objective_poly: sp.Poly | None
    inertia: tuple[int, int, int]
    kind: str | None
    multiplicity: int


def _integer_coeffs(poly: sp.Poly) -> list[int]:
    """poly's coefficients (highest first) times the positive lcm of their denominators: integers, and a
    polynomial with the same sign everywhere."""
    coeffs = [sp.Rational(cf) for cf in poly.all_coeffs()]
    den = 1
    for cf in coeffs:
        den = den * int(cf.q) // gmpy2.gcd(den, int(cf.q))
    return [int(cf.p) * (int(den) // int(cf.q)) for cf in coeffs]


def _sign_at(ints: Sequence[int], x: "gmpy2.mpq") -> int:
    """Sign of Σ ints[i]·x^(d−i) at the rational x = p/q, exactly: Horner on q^d times the value (q > 0)."""
    p, q = x.numerator, x.denominator
    acc, qk = gmpy2.mpz(ints[0]), gmpy2.mpz(1)
    for cf in ints[1:]:
        qk *= q
        acc = acc * p + cf * qk
    return (acc > 0) - (acc < 0)


class _Root:
    """A simple real root of a rational polynomial, isolated in [lo, hi] and narrowed by exact bisection; signs
    of polynomials there, certified (zero: a common factor with a root in [lo, hi]; otherwise interval
    arithmetic on the narrowed interval must exclude 0)."""

    def __init__(self, poly: sp.Poly, lo, hi) -> None:
        self.sqf = sp.Poly(sp.quo(poly, sp.gcd(poly, poly.diff(T))), T)
        self.lo, self.hi = sp.Rational(lo), sp.Rational(hi)
        self._narrow(120)

    def _narrow(self, steps: int) -> None:
        if self.lo == self.hi:
            return
        # an endpoint that is a root belongs to a neighbouring isolating interval: step inside, keeping our root
        if self.sqf.eval(self.lo) == 0 or self.sqf.eval(self.hi) == 0:
            lo, hi = self.lo, self.hi
            for k in range(1, 400):
                d = (hi - lo) / 2 ** k
                lo2 = lo + d if self.sqf.eval(lo) == 0 else lo
                hi2 = hi - d if self.sqf.eval(hi) == 0 else hi
                if self.sqf.eval(lo2) != 0 and self.sqf.eval(hi2) != 0 and self.sqf.count_roots(lo2, hi2) == 1:
                    self.lo, self.hi = lo2, hi2
                    break
            else:
                raise ArithmeticError("could not separate the root from its interval's endpoints")
        # exact bisection in gmpy2 rationals (the same numbers as SymPy's Rationals, without their overhead)
        ints = _integer_coeffs(self.sqf)
        lo, hi = gmpy2.mpq(int(self.lo.p), int(self.lo.q)), gmpy2.mpq(int(self.hi.p), int(self.hi.q))
        s_lo = _sign_at(ints, lo)
        for _ in range(steps):
            mid = (lo + hi) / 2
            v = _sign_at(ints, mid)
            if v == 0:
                lo = hi = mid
                break
            if v == s_lo:
                lo = mid
            else:
                hi = mid
        self.lo = sp.Rational(int(lo.numerator), int(lo.denominator))
        self.hi = sp.Rational(int(hi.numerator), int(hi.denominator))

    def sign(self, g: sp.Expr | sp.Poly) -> int:
        gp = g if isinstance(g, sp.Poly) else sp.Poly(sp.expand(g), T)
        if gp.is_zero:
            return 0
        if self.lo == self.hi:
            return int(sp.sign(gp.eval(self.lo)))
        common = sp.Poly(sp.gcd(gp, self.sqf), T)
        if common.degree() > 0 and common.count_roots(self.lo, self.hi) > 0:
            return 0
        coeffs = gp.all_coeffs()
        for _ in range(8):
            iv = mpmath.iv
            saved, iv.prec = iv.prec, 600  # the interval context's own precision (mp.dps is not touched)
            try:
                x_lo, x_hi = iv.mpf(self.lo.p) / self.lo.q, iv.mpf(self.hi.p) / self.hi.q
                x = iv.mpf([x_lo.a, x_hi.b])
                acc = iv.mpf(0)
                for cf in coeffs:
                    acc = acc * x + iv.mpf(cf.p) / cf.q
            finally:
                iv.prec = saved
            if acc.a > 0:
                return 1
            if acc.b < 0:
                return -1
            self._narrow(200)
        raise ArithmeticError("interval evaluation did not separate the polynomial from 0 at the root")


def _reduce(expr: sp.Expr, ws: Sequence[sp.Symbol], q: Sequence[sp.Expr]) -> sp.Expr:
    """A polynomial in w reduced with w_l² = q_l(t), w_1⋯w_L = t (each monomial all even or all odd)."""
    poly = sp.Poly(sp.expand(expr), *ws)
    out = sp.Integer(0)
    for exps, coeff in poly.terms():
        par = {e % 2 for e in exps}
        if len(par) != 1:
            raise ArithmeticError(f"monomial with mixed parities {exps}: not reducible to t")
        if par == {0}:
            out += coeff * sp.prod([ql ** (e // 2) for ql, e in zip(q, exps)])
        else:
            out += coeff * T * sp.prod([ql ** ((e - 1) // 2) for ql, e in zip(q, exps)])
    return sp.expand(out)


def _constant_sign(value: sp.Expr) -> int:
    """Sign of an exact real constant (rationals and radicals of the instance): zero only when SymPy's automatic
    evaluation makes it exactly 0; otherwise SymPy's sign, an error if undecided."""
    value = sp.expand(value)
    if value == 0:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    raise ArithmeticError(f"the sign of {value} is undecided")


def _inertia_from_charpoly(coeffs: Sequence[int], n: int) -> tuple[int, int, int]:
    """(n+, n0, n−) from the signs of det(xI − K)'s coefficients (highest first), K real symmetric."""
    zeros = 0
    for c in reversed(coeffs):
        if c != 0:
            break
        zeros += 1
    nz = [c for c in coeffs if c != 0]
    pos = sum(1 for u, v in zip(nz, nz[1:]) if u * v < 0)
    return pos, zeros, n - pos - zeros


def _kind(inertia: tuple[int, int, int]) -> str | None:
    pos, zero, neg = inertia
    if neg > 0:
        return "strict saddle"
    return "minimum" if zero == 0 else None


A_ = sp.Symbol("a", positive=True)
M_ = sp.Symbol("m", real=True)
B_ = sp.Symbol("b", positive=True)


Terms = tuple[tuple[tuple[int, int, int, int, int], object], ...]
"""A polynomial in a, m, b^±1, t, s as ((e_a, e_m, e_b, e_t, e_s), coefficient) pairs; a coefficient is (p, q)
for p/q when the c_l are rational, else a SymPy number."""


@functools.lru_cache(maxsize=32)
@disk_cached
def _generic_derivation(L: int, c: tuple[sp.Expr, ...]) -> dict:
    """The depth-L derivation with a, m, b left as symbols (c_l exact): the identities proved for every a, m, b,
    the origin's Hessian, the product polynomial, the reduced D·H·D, F and F((1 + s)w). Derived once per
    (L, c) in a process, in the polynomial ring K[a, m, b, 1/b, t, s, w_1..w_L] over the c_l's domain K (exact
    ring arithmetic: derivatives, products and Berkowitz's division-free characteristic polynomial, no SymPy
    expression is expanded); ``classify`` evaluates the results at an instance's a, m, b."""
    dom, cs = construct_domain(list(c), field=True)
    R, a, m, b, ib, t, s, *ws = ring(["a", "m", "b", "ib", "t", "s"] + [f"w{l + 1}" for l in range(L)], dom)
    P = R.one
    for w in ws:
        P *= w
    half = dom.from_sympy(sp.Rational(1, 2))
    F = a * half * (P - m) ** 2 + b * half * sum((cl * w ** 2 for cl, w in zip(cs, ws)), R.zero)
    grad = [F.diff(w) for w in ws]
    H = [[g.diff(w) for w in ws] for g in grad]
    for l, w in enumerate(ws):
        if w * grad[l] - (a * (P - m) * P + b * cs[l] * w ** 2) != 0:
            raise ArithmeticError(f"w_{l + 1}·∂F/∂w_{l + 1} identity fails")
    lines = ["w_l·∂F/∂w_l = a(P − m)P + b·c_l·w_l² (expanded)"]
    if L >= 2:
        for l in range(L):
            for j in range(L):
                if j != l and _at_zero(R, grad[j], [l]) - b * cs[j] * ws[j] != 0:
                    raise ArithmeticError("a critical point with one zero layer is not 0")
        lines.append("w_l = 0 ⇒ ∂F/∂w_j = b·c_j·w_j (j ≠ l): the only such critical point is 0")
    q = [a * (m - t) * t * ib * dom.quo(dom.one, cl) for cl in cs]

    def terms(e) -> Terms:
        return _terms(e, dom)

    def charpoly(rows) -> list:
        return [terms(cf) for cf in DomainMatrix(rows, (L, L), R.to_domain()).charpoly()]

    K = None
    if L >= 2:
        K = [[_reduce_ring(R, ws[i] * ws[k] * H[i][k], q) for k in range(L)] for i in range(L)]
    along = R.zero
    for d, Fd in sorted(_homogeneous_parts(R, F).items()):
        along += (1 + s) ** d * _reduce_ring(R, Fd, q)
    along_terms = terms(along)
    top = max((k[4] for k, _ in along_terms), default=0)
    return {
        "lines": lines, "H00": terms(H[0][0]) if L == 1 else None,
        "H0": charpoly([[_at_zero(R, e, range(L)) for e in row] for row in H]) if L >= 2 else None,
        "N": terms((a * (m - t) * t) ** L - b ** L * _product(cs, dom) * t ** 2),
        "K_rows": [terms(sum(row, R.zero)) for row in K] if L >= 2 else None,
        "cpK": charpoly(K) if L >= 2 else None,
        "F": terms(_reduce_ring(R, F, q)),
        "along": [tuple((k[:4] + (0,), v) for k, v in along_terms if k[4] == n) for n in range(top + 1)],
    }


def _product(values, dom):
    out = dom.one
    for v in values:
        out *= v
    return out


def _at_zero(R, e, layers):
    """e with w_l = 0 for l in ``layers`` (0-based; the w's are the ring's generators from index 6 on)."""
    return R.from_dict({mon: cf for mon, cf in e.terms() if not any(mon[6 + l] for l in layers)})


def _homogeneous_parts(R, e) -> dict:
    """e = Σ_d e_d, e_d homogeneous of degree d in w."""
    parts: dict[int, dict] = {}
    for mon, cf in e.terms():
        parts.setdefault(sum(mon[6:]), {})[mon] = cf
    return {d: R.from_dict(p) for d, p in parts.items()}


def _reduce_ring(R, e, q):
    """``_reduce`` in the ring: each monomial's w's replaced with w_l² = q_l(t), w_1⋯w_L = t, then b·(1/b) = 1."""
    t, n = R.gens[4], len(q)
    out = R.zero
    for mon, cf in e.terms():
        par = {x % 2 for x in mon[6:]}
        if len(par) > 1:
            raise ArithmeticError(f"monomial with mixed parities {mon[6:]}: not reducible to t")
        term = R.from_dict({mon[:6] + (0,) * n: cf})
        for ql, x in zip(q, mon[6:]):
            term *= ql ** (x // 2)
        out += term * t if par == {1} else term
    return _cancel_b(R, out)


def _cancel_b(R, e):
    """e with every b^i·(1/b)^j written as b^(i−j) or (1/b)^(j−i)."""
    out: dict = {}
    for mon, cf in e.terms():
        k = min(mon[2], mon[3])
        key = mon[:2] + (mon[2] - k, mon[3] - k) + mon[4:]
        out[key] = out.get(key, R.domain.zero) + cf
    return R.from_dict({k: v for k, v in out.items() if v})


def _terms(e, dom) -> Terms:
    """A ring element (w-free) as ``Terms``: b and 1/b merged into one signed exponent of b."""
    out: dict = {}
    for mon, cf in e.terms():
        if any(mon[6:]):
            raise ArithmeticError("a derived quantity still depends on w")
        key = (mon[0], mon[1], mon[2] - mon[3], mon[4], mon[5])
        out[key] = out.get(key, dom.zero) + cf
    rational = dom == sp.QQ
    return tuple((k, (int(dom.numer(v)), int(dom.denom(v))) if rational else dom.to_sympy(v))
                 for k, v in sorted(out.items()) if v)


def _terms_expr(terms: Terms) -> sp.Expr:
    """``Terms`` as a SymPy expression in the symbols a, m, b, t, s."""
    return sp.Add(*[(sp.Rational(*cf) if isinstance(cf, tuple) else cf)
                    * A_ ** ea * M_ ** em * B_ ** eb * T ** et * S ** es for (ea, em, eb, et, es), cf in terms])


class _Instance:
    """``Terms`` evaluated at exact a, m (rational) and b (b^k rational, or any exact number)."""

    def __init__(self, a: sp.Expr, m: sp.Expr, b: sp.Expr) -> None:
        self.a, self.m, self.b = sp.sympify(a), sp.sympify(m), sp.sympify(b)
        self.q = {"a": _mpq(self.a), "m": _mpq(self.m)}
        self._bpow: dict[int, object] = {}

    def _b(self, k: int):
        if k not in self._bpow:
            v = self.b ** k
            self._bpow[k] = _mpq(v) if v.is_Rational else v
        return self._bpow[k]

    def coefficients(self, terms: Terms) -> dict[int, sp.Expr]:
        """{e_t: coefficient} (terms free of s): exact rationals by gmpy2, else SymPy expanded (as the
        substitute-and-expand route gives them)."""
        exact: dict[int, object] = {}
        symbolic: dict[int, list] = {}
        qa, qm = self.q["a"], self.q["m"]
        for (ea, em, eb, et, _), cf in terms:
            bk = self._b(eb)
            if qa is not None and qm is not None and isinstance(cf, tuple) and not isinstance(bk, sp.Basic):
                exact[et] = exact.get(et, 0) + gmpy2.mpq(*cf) * qa ** ea * qm ** em * bk
            else:
                cfe = sp.Rational(*cf) if isinstance(cf, tuple) else cf
                symbolic.setdefault(et, []).append(cfe * self.a ** ea * self.m ** em * self.b ** eb)
        out = {}
        for et in sorted(set(exact) | set(symbolic)):
            v = exact.get(et, 0)
            v = sp.Rational(int(v.numerator), int(v.denominator)) if v else sp.Integer(0)
            if et in symbolic:
                v = sp.expand(sp.Add(v, *symbolic[et]))
            if v != 0:
                out[et] = v
        return out

    def constant(self, terms: Terms) -> sp.Expr:
        return self.coefficients(terms).get(0, sp.Integer(0))

    def poly(self, terms: Terms) -> sp.Poly:
        """The polynomial in t (the same Poly as ``sp.Poly(expand(value), t)``)."""
        co = self.coefficients(terms)
        return sp.Poly.from_dict({(k,): v for k, v in co.items()} or {(0,): sp.Integer(0)}, T)


def _mpq(v: sp.Expr):
    return gmpy2.mpq(int(v.p), int(v.q)) if v.is_Rational else None


def _derivation(L: int, a: sp.Expr, m: sp.Expr, b: sp.Expr, c: Sequence[sp.Expr]) -> dict:
    """The depth-L derivation at exact a, m, b, c_l as SymPy expressions: ``_generic_derivation`` (proved for
    symbolic a, m, b) with the instance's values substituted into its results."""
    d = _generic_derivation(L, tuple(sp.sympify(v) for v in c))
    sub = {A_: a, M_: m, B_: b}

    def at(e):
        return sp.expand(_terms_expr(e).xreplace(sub)) if e is not None else None

    out = {"lines": list(d["lines"])}
    for key in ("H00", "N", "F"):
        out[key] = at(d[key])
    for key in ("H0", "K_rows", "cpK", "along"):
        out[key] = [at(e) for e in d[key]] if d[key] is not None else None
    return out


def classify(L: int, m: sp.Rational, a: sp.Rational, b: sp.Expr, c: Sequence[sp.Expr]) -> tuple[list[ExactPoint], list[str]]:
    """Every critical point of F (origin first, then by |t|), each with its exact inertia and kind; and the
    derivation lines proved on the way."""
    d = _generic_derivation(L, tuple(sp.sympify(v) for v in c))
    at = _Instance(a, m, b)
    lines = list(d["lines"])
    points: list[ExactPoint] = []
    if L >= 2:
        coeffs = [_constant_sign(at.constant(cf)) for cf in d["H0"]]
        inertia = _inertia_from_charpoly(coeffs, L)
        points.append(ExactPoint(0.0, None, None, None, inertia, _kind(inertia), 1))
    N = at.poly(d["N"])
    if not all(cf.is_Rational for cf in N.all_coeffs()):
        raise ArithmeticError(f"b^L·∏c_l is not rational ({N}): exact root isolation needs it")
    while N.eval(0) == 0:
        N = sp.Poly(sp.quo(N, sp.Poly(T, T)), T)
    lines.append(f"nonzero critical products t: real roots of {sp.sstr(N.as_expr())} with a(m − t)t > 0")
    Fred = at.poly(d["F"])
    cpK = [at.poly(cf) for cf in d["cpK"]] if L >= 2 else None
    nonzero = []
    for (lo, hi), mult in N.intervals():
        root = _Root(N, lo, hi)
        if root.sign(a * (m - T) * T) <= 0:
            continue
        if L == 1:  # H = a + b·c_1 does not depend on w
            inertia = _inertia_from_charpoly([1, -_constant_sign(at.constant(d["H00"]))], 1)
        else:
            inertia = _inertia_from_charpoly([root.sign(cf) for cf in cpK], L)
        kind = _kind(inertia)
        if kind is None and L >= 2 and all(root.sign(at.poly(r)) == 0 for r in d["K_rows"]):
            # the ray direction w spans the null space: F((1 + s)w) − F(w) with a first nonzero odd-order term
            first = next((n for n in range(1, len(d["along"])) if root.sign(at.poly(d["along"][n])) != 0), None)
            if first is not None and first % 2 == 1:
                kind = "non-strict saddle"
        nonzero.append(ExactPoint(float((root.lo + root.hi) / 2), N, (root.lo, root.hi), Fred, inertia, kind, mult))
    points += sorted(nonzero, key=lambda p: abs(p.t))
    if len(points) == 1 and points[0].kind is None:
        p0 = points[0]
        points[0] = ExactPoint(p0.t, p0.poly, p0.interval, p0.objective_poly, p0.inertia, "minimum", p0.multiplicity)
        lines.append("the only critical point of the coercive F is its global minimum")
    return points, lines


def objective_sign_vs(p: ExactPoint, value: sp.Expr) -> int:
    """Sign of F(p) − value, certified (p a nonzero critical point, value exact rational)."""
    return _Root(p.poly, *p.interval).sign(p.objective_poly.as_expr() - value)
