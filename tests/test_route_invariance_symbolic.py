"""verify.invariance.symbolic_defects (f read into the ring without expand, then python-flint fmpq_mpoly for the
derivatives, substitutions and residuals) against the route it replaced, SymPy's ring after ``expand``, kept
here verbatim: the same defect counts for the examples' own groups (all 0) and for wrong ones (nonzero)."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pytest
import sympy as sp

from verify import invariance as inv
from verify.claims.invariance_examples import SPECS
from verify.errors import UsageError
from verify.invariance import Objective


def _symbolic_defects_reference(obj: Objective, Gs: Sequence[sp.Matrix], xis: Sequence[sp.Matrix] = (),
                     hessian: bool = True) -> dict[str, int]:
    """symbolic_defects as it was: SymPy ring arithmetic after expand (kept verbatim as the reference route)."""
    if obj.sym_f is None:
        raise UsageError(f"{obj.name} has no symbolic form")
    xs = sp.symbols(f"x0:{obj.dim}", real=True)
    f_expr = obj.sym_f(xs)
    try:
        R, *gens = sp.ring(xs, sp.QQ)
        f = R(sp.expand(f_expr))
    except (sp.polys.polyerrors.PolynomialError, sp.polys.polyerrors.CoercionFailed) as exc:
        raise UsageError(f"{obj.name}: the symbolic objective is not a polynomial with rational "
                         f"coefficients ({exc})") from exc
    d = len(gens)
    grad = [f.diff(v) for v in gens]
    H = [[g.diff(v) for v in gens] for g in grad] if hessian else None

    def q(v: sp.Expr) -> object:
        return sp.QQ.convert(sp.Rational(v))

    def exact(A: sp.Matrix) -> list[list[object]]:
        """A's entries in QQ, converted once per matrix."""
        return [[q(A[i, j]) for j in range(d)] for i in range(d)]

    out = {"value": 0, "gradient": 0, "hessian": 0, "tangent": 0}
    for G in Gs:
        Gq, Gi = exact(G), exact(G.inv())
        # x -> Gx: one linear substitution for every polynomial below
        lin = [sum((Gq[i][j] * gens[j] for j in range(d) if Gq[i][j] != 0), R.zero) for i in range(d)]
        pairs = list(zip(gens, lin))
        if f.compose(pairs) != f:
            out["value"] += 1
        # grad f(Gx) = G^{-T} grad f(x)
        if any(grad[i].compose(pairs) != sum((Gi[j][i] * grad[j] for j in range(d)), R.zero) for i in range(d)):
            out["gradient"] += 1
        # hess f(Gx) = G^{-T} hess f(x) G^{-1}; both sides are exactly symmetric (H[i][j] and H[j][i] are the
        # same polynomial), so the entries j >= i decide the identity
        if H is not None:
            HGi = [[sum((H[i][k] * Gi[k][j] for k in range(d) if Gi[k][j] != 0), R.zero) for j in range(d)]
                   for i in range(d)]
            if any(H[i][j].compose(pairs) != sum((Gi[k][i] * HGi[k][j] for k in range(d) if Gi[k][i] != 0), R.zero)
                   for i in range(d) for j in range(i, d)):
                out["hessian"] += 1
    for xi in xis:
        Hx = H if H is not None else [[g.diff(v) for v in gens] for g in grad]
        xiX = [sum((q(xi[i, j]) * gens[j] for j in range(d) if xi[i, j] != 0), R.zero) for i in range(d)]
        # hess f(x) xi x + xi^T grad f(x) = 0
        if any(sum((Hx[i][k] * xiX[k] for k in range(d)), R.zero)
               + sum((q(xi[k, i]) * grad[k] for k in range(d) if xi[k, i] != 0), R.zero) != 0 for i in range(d)):
            out["tangent"] += 1
    return out


def _wrong_elements(d: int) -> list[sp.Matrix]:
    S = sp.eye(d) * 2
    P = sp.eye(d)
    P[0, 0], P[0, 1] = sp.Rational(1, 2), sp.Rational(1, 3)
    return [S, P]


@pytest.mark.parametrize("key", ["real-phase", "complex-phase", "deep-linear"])
def test_defect_counts_equal_the_ring_route(key):
    for ex in SPECS[key].build_symbolic(np.random.default_rng(3)):
        d = ex.objective.dim
        Gs = ex.group.exact_sample(np.random.default_rng(4), 3) + _wrong_elements(d)
        xis = list(ex.group.exact_generators) + [sp.eye(d)]
        for hessian in (True, False):
            new = inv.symbolic_defects(ex.objective, Gs, xis, hessian=hessian)
            ref = _symbolic_defects_reference(ex.objective, Gs, xis, hessian=hessian)
            assert new == ref
        assert new["value"] >= 1


def test_non_polynomial_objective_is_a_usage_error():
    obj = Objective("bad", 2, lambda x: 0.0, lambda x: x, lambda x: x, lambda xs: sp.sqrt(xs[0]) + xs[1])
    with pytest.raises(UsageError):
        inv.symbolic_defects(obj, [sp.eye(2)])
