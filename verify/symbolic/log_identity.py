"""Σ cᵢ·log(uᵢ) ≡ 0, decided by exact polynomial arithmetic instead of ``simplify`` (a sufficient test).

The every-depth threshold proofs reduce b*(L)/b_claim(L) = 1 to log(b*/b_claim) = 0 with L = k + start, k ≥ 0
an integer: after ``expand_log`` a sum of rational functions of k times logarithms of positive rationals and of
polynomials in k, |m| (and a). Each logarithm's argument u is written exactly as c·∏pⱼ^eⱼ (SymPy's
``factor_list`` over Q: c a rational, pⱼ irreducible integer polynomials), each pⱼ proved positive on the domain
(all coefficients positive and one monomial in strictly positive symbols only), and c > 0 split into primes,
so log u = Σ eⱼ·log pⱼ + Σ e_p·log p. Replacing every log pⱼ and log p by a fresh symbol leaves a rational
function in those symbols and k; if its numerator expands to 0 the sum is identically 0 for every k ≥ 0 and
every positive |m|, a. When any step does not apply (an argument not of that shape, a factor not proved
positive, a numerator that does not vanish), the answer is False: "not shown", and the caller falls back to
``simplify``. Constants are split by trial division up to ``FACTOR_LIMIT`` only (a cofactor above it is a base of
its own), so a claim's large constant cannot stall the test. The test is sound, not complete (log 4 − 2·log 2 is found, log(u) − log(u) with u not a
polynomial is not).
"""
from __future__ import annotations

from fractions import Fraction

import sympy as sp
from sympy.polys.fields import sfield


def _positive_on_domain(poly: sp.Poly) -> bool:
    """True when every coefficient is positive and some monomial uses only strictly positive symbols (or is the
    constant), with every generator a symbol ≥ 0: then the polynomial is > 0 wherever its symbols are."""
    gens = poly.gens
    if not all(isinstance(g, sp.Symbol) and g.is_nonnegative for g in gens):
        return False
    if not all(c > 0 for c in poly.coeffs()):
        return False
    return any(all(e == 0 or g.is_positive for g, e in zip(gens, mon)) for mon in poly.monoms())


#: Trial division bound for splitting a rational constant: factoring a claim's large constant (a product of two
#: 25-digit primes) would otherwise take minutes. A cofactor left unsplit is a base of its own.
FACTOR_LIMIT = 10 ** 5


def _prime_logs(q: Fraction, sign: int, out: dict) -> None:
    """Add sign·log q (q > 0 rational) to ``out`` as Σ e_p·log p over the factors p of q: primes up to
    ``FACTOR_LIMIT`` and a cofactor above it. Any positive bases keep the test sound (a formal 0 in the log
    symbols is 0 for their values); only its completeness needs them to be multiplicatively independent."""
    for n, s in ((q.numerator, sign), (q.denominator, -sign)):
        for p, e in sp.factorint(n, limit=FACTOR_LIMIT).items():
            out[("prime", int(p))] = out.get(("prime", int(p)), 0) + s * e


def _log_terms(arg: sp.Expr) -> dict | None:
    """log(arg) as {basis: integer coefficient} (basis: ("prime", p) or ("poly", irreducible p(symbols))), or None
    when arg is not a positive rational times a product of powers of polynomials proved positive."""
    if arg.is_Rational:
        if not arg > 0:
            return None
        out: dict = {}
        _prime_logs(Fraction(int(arg.p), int(arg.q)), 1, out)
        return out
    syms = sorted(arg.free_symbols, key=str)
    if not syms or not all(s.is_nonnegative for s in syms):
        return None
    num, den = sp.fraction(sp.together(arg))
    out = {}
    for part, sign in ((num, 1), (den, -1)):
        try:
            poly = sp.Poly(part, *syms)
        except sp.PolynomialError:
            return None
        if poly.is_zero or not poly.domain.is_Exact or not (poly.domain.is_ZZ or poly.domain.is_QQ):
            return None
        content, factors = poly.factor_list()
        content = sp.Rational(poly.domain.to_sympy(content))
        if not content > 0:
            return None
        _prime_logs(Fraction(int(content.p), int(content.q)), sign, out)
        for factor, e in factors:
            if not _positive_on_domain(factor):
                return None
            key = ("poly", factor.as_expr())
            out[key] = out.get(key, 0) + sign * e
    return out


def provably_positive(e: sp.Expr) -> bool:
    """True when e > 0 wherever its symbols lie (each ≥ 0 by its assumptions), proved *factor by factor*, because
    the force rewrites split products and powers: a product whose every factor is, a real power of a base that is
    (whatever the exponent: −(−m − 1)³ is positive, but √ of it splits into factors that are not), the exponential
    of a real number; a symbol, number or sum that SymPy's assumptions prove positive; or a rational function whose
    numerator and denominator are a positive constant times polynomials proved positive (``_log_terms``). False:
    not shown."""
    if isinstance(e, sp.Mul):
        return all(provably_positive(f) for f in e.args)
    if isinstance(e, sp.Pow):
        return e.exp.is_extended_real is True and provably_positive(e.base)
    if isinstance(e, sp.exp):
        return e.args[0].is_extended_real is True
    if isinstance(e, (sp.Symbol, sp.Number, sp.Add, sp.NumberSymbol)) and e.is_positive:
        return True
    if e.has(sp.log, sp.exp) or not e.free_symbols:
        return False
    try:
        return _log_terms(e) is not None
    except (sp.PolynomialError, TypeError, ValueError):
        return False


def forcing_is_sound(expr: sp.Expr) -> bool:
    """True when SymPy's ``force=True`` rewrites of ``expr`` (powsimp, powdenest, expand_power_base, expand_log: each
    assumes every base and every logarithm's argument positive, so √p·√q → √(pq) even for p, q < 0) are identities
    here: every base of a non-integer power and every logarithm's argument is ``provably_positive``."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow) and not node.exp.is_Integer and not provably_positive(node.base):
            return False
        if isinstance(node, sp.log) and not provably_positive(node.args[0]):
            return False
    return True


def log_combination_vanishes(expr: sp.Expr) -> bool:
    """True when ``expr``, a combination of logarithms with coefficients free of logarithms, is proved identically
    0 for every value of its symbols (each ≥ 0 by its assumptions) by the exact test of the module docstring;
    False when not shown (never a claim that it is nonzero)."""
    logs = expr.atoms(sp.log)
    basis: dict = {}
    mapping = {}
    for lg in logs:
        if lg.args[0].has(sp.log):
            return False
        terms = _log_terms(lg.args[0])
        if terms is None:
            return False
        value = sp.Integer(0)
        for key, coeff in terms.items():
            if coeff:
                value += coeff * basis.setdefault(key, sp.Dummy(f"log{len(basis)}"))
        mapping[lg] = value
    rest = expr.xreplace(mapping)
    if rest.has(sp.log):
        return False
    try:  # a rational function in k, |m|, … and the log symbols, reduced in Q(generators): 0 decides
        _, value = sfield(rest)
    except (sp.PolynomialError, sp.polys.polyerrors.CoercionFailed, ValueError):
        return False
    return value == 0
