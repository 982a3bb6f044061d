"""The ring arithmetic of ``verify.symbolic.symmetric.stationary_hessian_eigenframe`` in python-flint.

The same polynomials in Q[σ, u, v] as the SymPy ring route (``sympy.polys.rings``), multiplied by FLINT's
``fmpq_mpoly`` (C) instead of Python dictionaries: exact, so the result is the same polynomial, converted
back to the SymPy ring at the end. Needs python-flint ≥ 0.7 (multivariate polynomials); without it
``available()`` is False and the caller keeps the SymPy ring route (the tests compare the two).
"""
from __future__ import annotations

from typing import Any

import sympy as sp

try:  # python-flint < 0.7 has no multivariate polynomials
    import flint
    _HAVE_MPOLY = hasattr(flint, "fmpq_mpoly_ctx")
except ImportError:  # pragma: no cover - python-flint is a core dependency
    _HAVE_MPOLY = False


def available() -> bool:
    """Whether python-flint's ``fmpq_mpoly`` is there."""
    return _HAVE_MPOLY


def _ctx(R) -> Any:
    return flint.fmpq_mpoly_ctx.get(tuple(str(s) for s in R.symbols), "lex")


def _to_flint(p, ctx) -> Any:
    """A SymPy ring element (QQ coefficients) as an fmpq_mpoly with the same variables in the same order."""
    return ctx.from_dict({mon: flint.fmpq(int(c.numerator), int(c.denominator)) for mon, c in p.items()})


def _to_ring(p, R):
    """An fmpq_mpoly back in the SymPy ring R."""
    return R.from_dict({mon: R.domain(int(c.p), int(c.q)) for mon, c in p.to_dict().items()})


def _eval_terms(terms: tuple, gens: list, values: dict, ctx) -> Any:
    """Σ coeff·Π values[g]^e over the (monomial, coefficient) terms of a polynomial in gens."""
    acc = ctx.from_dict({})
    for mon, coeff in terms:
        q = sp.Rational(coeff)
        term = ctx.constant(flint.fmpq(int(q.p), int(q.q)))
        for g, ex in zip(gens, mon):
            if ex:
                term = term * values[g] ** ex
        acc += term
    return acc


def eigenframe(hess_terms: list[list[tuple]], gens_xm: list, values: dict, P: list, d, Q: list, e, R,
               n: int, r: int) -> sp.Matrix:
    """Kᵀ H_num K/(d⁴e⁴) with K = P ⊗ Qᵀ (row-major), exactly as the SymPy ring route computes it.

    ``hess_terms[i][j]`` are the terms of the derived Hessian entry in ``gens_xm`` (x and m symbols),
    ``values`` the ring numerators they take, P/d and Q/e the Cayley matrices (ring elements of R).
    """
    ctx = _ctx(R)
    fv = {g: _to_flint(values[g], ctx) for g in gens_xm}
    N = n * r
    H = [[_eval_terms(hess_terms[i][j], gens_xm, fv, ctx) for j in range(N)] for i in range(N)]
    Pf = [[_to_flint(v, ctx) for v in row] for row in P]
    Qf = [[_to_flint(v, ctx) for v in row] for row in Q]
    K = [[Pf[a][b] * Qf[l][k] for b in range(n) for l in range(r)] for a in range(n) for k in range(r)]
    zero = ctx.from_dict({})
    HK = [[sum((H[i][m] * K[m][j] for m in range(N) if H[i][m] != 0), zero) for j in range(N)] for i in range(N)]
    den = _to_flint(d, ctx) ** 4 * _to_flint(e, ctx) ** 4
    out = sp.zeros(N, N)
    for i in range(N):
        for j in range(N):
            num = sum((K[m][i] * HK[m][j] for m in range(N)), zero)
            out[i, j] = _to_ring(num / den, R).as_expr() if num != 0 else sp.Integer(0)
    return out


def evaluate(terms_list: list[tuple], gens: list, values: dict, R) -> list:
    """Each polynomial (given by its terms in gens) at the ring values, returned as elements of R."""
    ctx = _ctx(R)
    fv = {g: _to_flint(values[g], ctx) for g in gens}
    return [_to_ring(_eval_terms(terms, gens, fv, ctx), R) for terms in terms_list]
