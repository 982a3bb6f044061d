"""Symbolic derivatives and stationary-point spectra of F_c(X) = c·||XXᵀ − M||_F².

Everything is differentiated entrywise (sp.diff on the entries of X), never with SymPy's
matrix calculus, and each derivative is compared with an independent numeric route by
``verify.highprec.symmetric``.

Derived spectrum (by hand, in the eigenbasis of M; confirmed here by factoring the
characteristic polynomial for small n, r with a symbolic Cayley rotation): at the stationary
point X = U_S Λ_S^{1/2} Ψ, s = |S|, the Hessian quadratic form splits into independent blocks
  8c·λ_i                    i ∈ S                      (D_{i,k(i)})
  4c(λ_i + λ_i'), 0         i < i' in S                (2×2 block [λ_i, √λ_iλ_i'; √λ_iλ_i', λ_i'])
  4c(λ_i − λ_j)             i ∈ S, j ∉ S               (D_{j,k(i)})
  −4c·λ_j   (r − s times)   j ∉ S                      (D_{j,k}, k an empty column)
  0         (s(r − s))      i ∈ S, k an empty column   (D_{i,k}: orbit directions)
which accounts for s + s(s−1) + s(n−s) + (n−s)(r−s) + s(r−s) = nr eigenvalues.
"""
from __future__ import annotations

import functools
import itertools
from typing import Any, Sequence

import sympy as sp

from ..cache import disk_cached
from ..errors import UsageError
from .exact_linalg import diagonal_blocks, factored_block_charpoly, linear_factor_root, nsimplify_cached


def spectrum_closed_form(lam: Sequence[Any], S: Sequence[int], r: int, c: Any) -> list[Any]:
    """The Hessian spectrum at X = U_S Λ_S^{1/2} Ψ as a list of nr values (see module docstring).

    Works for SymPy expressions, mpf and floats alike (only +, −, × are used).
    """
    n = len(lam)
    S = list(S)
    if len(S) > r or len(set(S)) != len(S) or any(not 0 <= i < n for i in S):
        raise UsageError(f"S must be distinct indices in 0..{n - 1} with |S| <= r={r}, got {S}")
    out = [8 * c * lam[i] for i in S]
    for i, k in itertools.combinations(S, 2):
        out += [4 * c * (lam[i] + lam[k]), 0 * c]
    notS = [j for j in range(n) if j not in S]
    out += [4 * c * (lam[i] - lam[j]) for i in S for j in notS]
    out += [-4 * c * lam[j] for j in notS for _ in range(r - len(S))]
    out += [0 * c] * (len(S) * (r - len(S)))
    return out


def saddle_curvature_closed_form(lam: Sequence[Any], S: Sequence[int], r: int, c: Any) -> Any:
    """Most negative Hessian eigenvalue at a saddle S: −4c·max_{j∉S} λ_j if |S| < r, else
    4c(min_{i∈S} λ_i − max_{j∉S} λ_j)."""
    notS = [lam[j] for j in range(len(lam)) if j not in S]
    top_out = max(notS)
    if len(S) < r:
        return -4 * c * top_out
    return 4 * c * (min(lam[i] for i in S) - top_out)


def uniform_saddle_bound(lam: Sequence[Any], r: int, c: Any) -> Any:
    """κ_saddle = 4c(λ_m − λ_{r+1}), m = min(r, p), λ_{n+1} := 0: every saddle has λ_min ≤ −κ, tight."""
    p = sum(1 for x in lam if x > 0)
    m = min(r, p)
    nxt = lam[r] if r < len(lam) else 0 * c
    return 4 * c * (lam[m - 1] - nxt)


def min_positive_at_minimum(lam: Sequence[Any], r: int, c: Any) -> Any:
    """Smallest positive Hessian eigenvalue at a global minimum (distinct positive λ)."""
    p = sum(1 for x in lam if x > 0)
    m = min(r, p)
    vals = [8 * c * lam[m - 1]]
    if m < len(lam):
        vals.append(4 * c * (lam[m - 1] - lam[m]))
    return min(vals)


def null_dim_closed_form(n: int, r: int, p: int, s: int) -> int:
    """dim ker ∇²F at a stationary point with |S| = s: s(s−1)/2 + s(r−s) + (r−s)(n−p) (distinct λ)."""
    return s * (s - 1) // 2 + s * (r - s) + (r - s) * (n - p)


def tangent_dim_closed_form(r: int, s: int) -> int:
    """dim {XK : K skew} at rank-s X: s(s−1)/2 + s(r−s)."""
    return s * (s - 1) // 2 + s * (r - s)


# ---------------------------------------------------------------- entrywise calculus

@functools.lru_cache(maxsize=None)
def entry_symbols(n: int, r: int) -> tuple[sp.Matrix, sp.Matrix]:
    """X = (x_a_k) n×r and a generic symmetric M = (m_a_b)."""
    X = sp.Matrix(n, r, lambda a, k: sp.Symbol(f"x_{a}_{k}", real=True))
    M = sp.Matrix(n, n, lambda a, b: sp.Symbol(f"m_{min(a, b)}_{max(a, b)}", real=True))
    return X, M


@functools.lru_cache(maxsize=None)
def _derivatives_ring(n: int, r: int, c: sp.Rational) -> tuple:
    """(Q[x, m], F, its gradient entries, its Hessian entries) as ring elements, x row-major then the m_ab
    (a ≤ b): F expanded and differentiated in the polynomial ring (exact)."""
    from sympy.polys.rings import ring

    X, M = entry_symbols(n, r)
    xs = list(X)  # row-major
    ms = [M[a, b] for a in range(n) for b in range(a, n)]
    Rg, *gens = ring(xs + ms, sp.QQ)
    at = dict(zip(xs + ms, gens))
    Xr = [[at[X[a, k]] for k in range(r)] for a in range(n)]
    Rr = [[sum((Xr[a][k] * Xr[b][k] for k in range(r)), Rg(0)) - at[M[a, b]] for b in range(n)] for a in range(n)]
    Fr = Rg(c) * sum((Rr[a][b] ** 2 for a in range(n) for b in range(n)), Rg(0))
    gr = [Fr.diff(gens[i]) for i in range(n * r)]
    hr = [[g.diff(gens[j]) for j in range(n * r)] for g in gr]
    return Rg, Fr, gr, hr


@functools.lru_cache(maxsize=None)
def derivatives(n: int, r: int, c: sp.Rational) -> tuple[sp.Expr, sp.Matrix, sp.Matrix]:
    """F, the gradient (n×r) and the row-major nr×nr Hessian, by entrywise differentiation.

    F is expanded and differentiated in the polynomial ring Q[x, m] (``_derivatives_ring``: exact; the
    entries are the same expanded SymPy expressions as ``sp.expand(F.diff(x))``, compared in the tests, at a
    tenth of the cost).
    """
    X, M = entry_symbols(n, r)
    R = X * X.T - M
    F = c * sum(R[i, j] ** 2 for i in range(n) for j in range(n))
    _, _, gr, hr = _derivatives_ring(n, r, c)
    grad = sp.Matrix(n, r, [g.as_expr() for g in gr])
    hess = sp.Matrix(n * r, n * r, lambda i, j: hr[i][j].as_expr())
    return F, grad, hess


def gradient_identity_residual(n: int, r: int, c: sp.Rational) -> sp.Matrix:
    """∇F (entrywise) − 4c(XXᵀ − M)X, expanded: the zero matrix iff the closed form is right."""
    X, M = entry_symbols(n, r)
    _, grad, _ = derivatives(n, r, c)
    return (grad - 4 * c * (X * X.T - M) * X).applyfunc(sp.expand)


def hessian_identity_residual(n: int, r: int, c: sp.Rational) -> sp.Matrix:
    """Hessian (entrywise) minus the operator form 4c[(XDᵀ + DXᵀ)X + (XXᵀ − M)D] applied to D = E_bl."""
    X, M = entry_symbols(n, r)
    _, _, hess = derivatives(n, r, c)
    out = sp.zeros(n * r, n * r)
    for b, l in itertools.product(range(n), range(r)):
        D = sp.zeros(n, r)
        D[b, l] = 1
        HD = 4 * c * ((X * D.T + D * X.T) * X + (X * X.T - M) * D)
        for a, k in itertools.product(range(n), range(r)):
            out[a * r + k, b * r + l] = sp.expand(hess[a * r + k, b * r + l] - HD[a, k])
    return out


# ---------------------------------------------------------------- rotations and stationary points

def cayley(params: Sequence[sp.Expr], k: int) -> sp.Matrix:
    """Q = (I − A)(I + A)⁻¹ with A skew built from k(k−1)/2 parameters: rational and orthogonal."""
    if len(params) != k * (k - 1) // 2:
        raise UsageError(f"cayley({k}) needs {k * (k - 1) // 2} parameters, got {len(params)}")
    A = sp.zeros(k, k)
    for (i, j), t in zip(itertools.combinations(range(k), 2), params):
        A[i, j], A[j, i] = t, -t
    I = sp.eye(k)
    return ((I - A) * (I + A).adjugate() / (I + A).det()).applyfunc(sp.cancel)


def rotation_symbols(k: int, name: str) -> list[sp.Symbol]:
    return [sp.Symbol(f"{name}_{i}_{j}", real=True) for i, j in itertools.combinations(range(k), 2)]


@functools.lru_cache(maxsize=None)
def root_symbols(n: int) -> tuple[sp.Symbol, ...]:
    """σ_i > 0 with λ_i = σ_i² (keeps Λ^{1/2} rational)."""
    return tuple(sp.Symbol(f"sigma_{i + 1}", positive=True) for i in range(n))


def stationary_substitution(n: int, r: int, S: tuple[int, ...], exponent: sp.Rational = sp.Rational(1, 2),
                            rotate: bool = True) -> tuple[dict, sp.Matrix, sp.Matrix]:
    """Substitution x ↦ U_S Λ_S^{exponent} Ψ, m ↦ UΛUᵀ with symbolic Cayley U, Ψ; returns (subs, U, Ψ)."""
    sig = root_symbols(n)
    lam = [s ** 2 for s in sig]
    U = cayley(rotation_symbols(n, "u"), n) if rotate else sp.eye(n)
    Psi = cayley(rotation_symbols(r, "v"), r) if rotate else sp.eye(r)
    s = len(S)
    Xs = sp.zeros(n, r)
    if s:
        B = U[:, list(S)] * sp.diag(*[lam[i] ** exponent for i in S])
        Xs = B * Psi[:s, :]
    Msym = U * sp.diag(*lam) * U.T
    X, M = entry_symbols(n, r)
    subs = {X[a, k]: Xs[a, k] for a in range(n) for k in range(r)}
    subs.update({M[a, b]: Msym[a, b] for a in range(n) for b in range(a, n)})
    return subs, U, Psi


def stationary_gradient(n: int, r: int, S: tuple[int, ...], c: sp.Rational,
                        exponent: sp.Rational = sp.Rational(1, 2), rotate: bool = True,
                        scale: sp.Rational = sp.Integer(1)) -> sp.Matrix:
    """The entrywise gradient at X = scale·U_S Λ_S^{exponent} Ψ (zero matrix iff stationary).

    For exponent 1/2 the evaluation is done on numerators in Q[σ, u, v] (x ↦ P_S Σ Q/(de) and
    m ↦ PΛPᵀ/d² share the denominator d³e³ in every monomial x³ or m·x), so the returned matrix
    is the numerator: zero exactly when the gradient is. Other exponents go through SymPy cancel.
    """
    _, grad, _ = derivatives(n, r, c)
    if sp.Rational(exponent) != sp.Rational(1, 2):
        subs, _, _ = stationary_substitution(n, r, S, exponent, rotate)
        X, _ = entry_symbols(n, r)
        subs = {k: (v * scale if k in set(X) else v) for k, v in subs.items()}
        return grad.xreplace(subs).applyfunc(sp.cancel)
    from . import symmetric_flint

    R, values, _ = _ring_stationary_values(n, r, S, rotate, scale)
    gens = list(values)
    if symmetric_flint.available():  # the same evaluation in FLINT (exact; compared in the tests)
        terms = [_poly_terms(sp.sympify(g), tuple(gens)) if g != 0 else () for g in grad]
        vals = symmetric_flint.evaluate(terms, gens, values, R)
        return sp.Matrix(n, r, [v.as_expr() for v in vals])
    return sp.Matrix(n, r, lambda a, k: _eval_poly(grad[a, k], gens, values, R).as_expr())


@functools.lru_cache(maxsize=None)
def _ring_and_cayley(n: int, r: int, rotate: bool) -> tuple:
    """Ring R = Q[σ, u, v], its σ generators, the Cayley numerators and denominators (P, d, Q, e) of U = P/d
    and Ψ = Q/e, and M's numerators PΛPᵀ·e²: everything that does not depend on S, built once per (n, r)
    (ring elements are immutable values; callers only combine them)."""
    from sympy.polys.rings import ring

    sig = root_symbols(n)
    us = rotation_symbols(n, "u") if rotate else []
    vs = rotation_symbols(r, "v") if rotate else []
    R, *gens = ring([*sig, *us, *vs], sp.QQ)
    sg, ug, vg = gens[:n], gens[n:n + len(us)], gens[n + len(us):]
    P, d = _cayley_numerator(R, ug, n)
    Q, e = _cayley_numerator(R, vg, r)
    Mn = [[sum((P[a][i] * sg[i] ** 2 * P[b][i] for i in range(n)), R(0)) * e ** 2 for b in range(n)]
          for a in range(n)]
    return R, sg, P, d, Q, e, Mn


def _ring_stationary_values(n: int, r: int, S: tuple[int, ...], rotate: bool, scale=sp.Integer(1)):
    """Ring R = Q[σ, u, v], numerator values x ↦ scale·P_S Σ_S Q_s, m ↦ PΛPᵀ·e², and the Cayley
    numerators and denominators (P, d, Q, e) of U = P/d and Ψ = Q/e (see callers)."""
    R, sg, P, d, Q, e, Mn = _ring_and_cayley(n, r, bool(rotate))
    Xn = [[sum((P[a][i] * sg[i] * Q[q][k] for q, i in enumerate(S)), R(0)) * R(scale) for k in range(r)]
          for a in range(n)]
    X, M = entry_symbols(n, r)
    values = {X[a, k]: Xn[a][k] for a in range(n) for k in range(r)}
    values.update({M[a, b]: Mn[a][b] for a in range(n) for b in range(a, n)})
    return R, values, (P, d, Q, e)


@disk_cached
def stationary_hessian_eigenframe(n: int, r: int, S: tuple[int, ...], c: sp.Rational,
                                  rotate: bool = True) -> sp.Matrix:
    """Kᵀ H(X_S) K with K = U ⊗ Ψᵀ (row-major), H differentiated at the rotated point.

    Computed in the polynomial ring Q[σ, u, v] on numerators: U = P/d, Ψ = Q/e (Cayley), so
    X_S = P_S Σ_S Q_s/(de), M = PΛPᵀ/d², H = H_num/(d²e²) (H is quadratic in X, linear in M) and
    KᵀHK = (P⊗Qᵀ)ᵀ H_num (P⊗Qᵀ)/(d⁴e⁴), divided exactly at the end. Equivariance (L1) predicts
    the rotation parameters cancel; the result is returned as a SymPy matrix.
    """
    from . import symmetric_flint

    _, _, hess = derivatives(n, r, c)
    R, values, (P, d, Q, e) = _ring_stationary_values(n, r, S, rotate)
    gens_xm = list(values)
    N = n * r
    if symmetric_flint.available():  # the same ring arithmetic in FLINT (exact; compared in the tests)
        terms = [[_poly_terms(sp.sympify(hess[i, j]), tuple(gens_xm)) if hess[i, j] != 0 else ()
                  for j in range(N)] for i in range(N)]
        return symmetric_flint.eigenframe(terms, gens_xm, values, P, d, Q, e, R, n, r)
    return eigenframe_ring(hess, values, P, d, Q, e, R, n, r)


def eigenframe_ring(hess: sp.Matrix, values: dict, P: list, d, Q: list, e, R, n: int, r: int) -> sp.Matrix:
    """``stationary_hessian_eigenframe``'s product Kᵀ H_num K/(d⁴e⁴) in the SymPy ring R (the route without
    python-flint, and the tests' reference for the FLINT route)."""
    gens_xm = list(values)
    N = n * r
    H = [[_eval_poly(hess[i, j], gens_xm, values, R) for j in range(N)] for i in range(N)]
    K = [[P[a][b] * Q[l][k] for b in range(n) for l in range(r)] for a in range(n) for k in range(r)]
    HK = [[sum((H[i][m] * K[m][j] for m in range(N) if H[i][m]), R(0)) for j in range(N)] for i in range(N)]
    den = d ** 4 * e ** 4
    out = sp.zeros(N, N)
    for i in range(N):
        for j in range(N):
            num = sum((K[m][i] * HK[m][j] for m in range(N)), R(0))
            out[i, j] = num.exquo(den).as_expr() if num else sp.Integer(0)
    return out


def orbit_residual_numerators(n: int, r: int, c: sp.Rational, s: sp.Rational) -> dict[str, list]:
    """Numerators of F(XR) − F(X), ∇F(XR) − ∇F(X)·R and ∇²F(XR) − K_R ∇²F(X) K_Rᵀ (K_R = I ⊗ Rᵀ), R = s·Q.

    Q = (I − K)(I + K)⁻¹ = P/d is the Cayley rotation with free skew K (t parameters), P = (I − K)·adj(I + K)
    and d = det(I + K). Every derived entry p (from ``derivatives``) is a polynomial of degree ≤ D in x, so
    d^D·p(XR) = Σ_k d^(D−k)·p_k(s·XP) (p_k: the part of degree k in x) is a polynomial. Each residual is
    multiplied by d^D (D = 4, 3, 2 or the largest degree found) and compared in Q[x, m, t] exactly; d is a
    nonzero polynomial, so a numerator vanishes iff the rational residual does. One pass of ring arithmetic
    replaces an entrywise SymPy ``cancel`` of rational functions (same statement, ≈ 40× less CPU).
    Returns {"F": [num], "gradient": [n·r nums], "Hessian": [(nr)² nums]} (ring elements; zero ⇔ identity).
    """
    from sympy.polys.rings import ring

    X, M = entry_symbols(n, r)
    xs = list(X)
    ms = [M[a, b] for a in range(n) for b in range(a, n)]
    ts = rotation_symbols(r, "t")
    R, *gens = ring([*xs, *ms, *ts], sp.QQ)
    nx, nm = len(xs), len(ms)
    xg, mg, tg = gens[:nx], gens[nx:nx + nm], gens[nx + nm:]
    P, d = _cayley_numerator(R, tg, r)
    sr = R(sp.Rational(s))
    Y = [sr * sum((xg[a * r + j] * P[j][k] for j in range(r)), R(0)) for a in range(n) for k in range(r)]

    def xdeg(p) -> int:
        return max((sum(mon[:nx]) for mon in p.monoms()), default=0)

    def at_rotated(p, D: int):
        """d^D·p(XR), a polynomial (D ≥ the x-degree of p)."""
        dpow = [R(1)]
        for _ in range(D):
            dpow.append(dpow[-1] * d)
        acc = R(0)
        for mon, co in p.terms():
            term = R(co) * dpow[D - sum(mon[:nx])]
            for y, ex in zip(Y, mon[:nx]):
                if ex:
                    term *= y ** ex
            for g, ex in zip(mg, mon[nx:nx + nm]):
                if ex:
                    term *= g ** ex
            acc += term
        return acc

    N = n * r
    # the derived entries, lifted from Q[x, m] into Q[x, m, t] (same generators first, t appended)
    _, Fr, gr, hr = _derivatives_ring(n, r, c)
    pad = (0,) * len(ts)

    def lift(p):
        return R({mon + pad: co for mon, co in p.items()}) if p else R(0)

    Fp = lift(Fr)
    Gp = [lift(g) for g in gr]
    Hp = [[lift(hr[i][j]) for j in range(N)] for i in range(N)]
    DF = max(4, xdeg(Fp))
    DG = max(3, *(xdeg(g) for g in Gp))
    DH = max(2, *(xdeg(h) for row in Hp for h in row))
    out = {"F": [at_rotated(Fp, DF) - d ** DF * Fp]}
    out["gradient"] = [at_rotated(Gp[a * r + k], DG)
                       - d ** (DG - 1) * sr * sum((Gp[a * r + j] * P[j][k] for j in range(r)), R(0))
                       for a in range(n) for k in range(r)]
    # (K_R H K_Rᵀ)[(a,k),(b,l)] = Σ_{k',l'} R[k',k] H[(a,k'),(b,l')] R[l',l]; R = s·P/d
    PH = [[sum((P[kk][k] * Hp[a * r + kk][j] for kk in range(r)), R(0)) for j in range(N)]
          for a in range(n) for k in range(r)]
    out["Hessian"] = [at_rotated(Hp[i][b * r + l], DH)
                      - d ** (DH - 2) * sr ** 2 * sum((PH[i][b * r + ll] * P[ll][l] for ll in range(r)), R(0))
                      for i in range(N) for b in range(n) for l in range(r)]
    return out


def _ring_det(B: list[list]) -> Any:
    """det B by cofactor expansion along the first row (ring elements; k ≤ 4 here)."""
    k = len(B)
    if k == 1:
        return B[0][0]
    out = None
    for j in range(k):
        if not B[0][j]:
            continue
        minor = [row[:j] + row[j + 1:] for row in B[1:]]
        term = B[0][j] * _ring_det(minor)
        out = (term if j % 2 == 0 else -term) if out is None else (out + term if j % 2 == 0 else out - term)
    return out if out is not None else B[0][0] * 0


def _cayley_numerator(R, params, k: int):
    """Numerator P = (I − A)·adj(I + A) and denominator d = det(I + A) of the Cayley matrix
    (I − A)(I + A)⁻¹ = P/d in ring R, A skew with the given parameters above the diagonal (ring arithmetic:
    the same polynomials as expanding the generic symbolic adjugate and substituting)."""
    A = [[R(0)] * k for _ in range(k)]
    for (i, j), t in zip(itertools.combinations(range(k), 2), params):
        A[i][j], A[j][i] = t, -t
    one = R(1)
    B = [[(one if i == j else R(0)) + A[i][j] for j in range(k)] for i in range(k)]
    IA = [[(one if i == j else R(0)) - A[i][j] for j in range(k)] for i in range(k)]
    if k == 1:
        adj = [[one]]
    else:
        adj = [[_ring_det([row[:i] + row[i + 1:] for m, row in enumerate(B) if m != j])
                * (1 if (i + j) % 2 == 0 else -1) for j in range(k)] for i in range(k)]
    P = [[sum((IA[i][m] * adj[m][j] for m in range(k)), R(0)) for j in range(k)] for i in range(k)]
    return P, _ring_det(B)


@functools.lru_cache(maxsize=4096)
def _poly_terms(expr: sp.Expr, gens: tuple) -> tuple:
    """The (monomial, coefficient) terms of expr in gens; cached: the same derived entries and Cayley
    numerators are evaluated for every index set S."""
    return tuple(sp.Poly(expr, *gens).terms())


def _eval_poly(expr: sp.Expr, gens: list, values: dict, R):
    """Evaluate a polynomial SymPy expression at ring elements (no Expr-level cancellation)."""
    expr = sp.sympify(expr)
    if expr == 0:
        return R(0)
    acc = R(0)
    for mon, coeff in _poly_terms(expr, tuple(gens)):
        term = R(coeff)
        for g, ex in zip(gens, mon):
            if ex:
                term = term * values[g] ** ex
        acc += term
    return acc


def factored_charpoly(H: sp.Matrix, x: sp.Symbol) -> sp.Expr:
    """det(xI − H), factored over Q(σ): the product of the factored characteristic polynomials of H's
    diagonal blocks (``diagonal_blocks``; exact, and far cheaper than factoring the whole degree-nr
    polynomial: the eigenframe Hessians split into blocks of size ≤ 2)."""
    return sp.Mul(*(factored_block_charpoly(tuple(H.extract(b, b)), len(b), x) for b in diagonal_blocks(H)))


def roots_of_factored(poly: sp.Expr, x: sp.Symbol) -> list[sp.Expr] | None:
    """Roots with multiplicity when every factor is linear in x; None otherwise.

    ``poly`` is a product of powers of factors (``factored_charpoly``): when each factor is linear in x its
    root is read off directly (in the product's order); a factor of higher degree sends the whole product
    through ``factor_list`` (which splits it further if it can), and None means it does not split.
    """
    roots: list[sp.Expr] = []
    for arg in sp.Mul.make_args(poly):
        fac, mult = arg.as_base_exp()
        if not (mult.is_Integer and mult > 0):
            fac, mult = arg, sp.Integer(1)
        degree, root = linear_factor_root(fac, x)
        if degree == 0:
            continue
        if degree != 1:
            return _roots_by_factor_list(poly, x)
        roots += [root] * int(mult)
    return roots


def _roots_by_factor_list(poly: sp.Expr, x: sp.Symbol) -> list[sp.Expr] | None:
    """``roots_of_factored`` through a full factorization in x."""
    roots: list[sp.Expr] = []
    for fac, mult in sp.factor_list(poly, x)[1]:
        p = sp.Poly(fac, x)
        if p.degree() == 0:
            continue
        if p.degree() != 1:
            return None
        a, b = p.all_coeffs()
        roots += [sp.cancel(-b / a)] * mult
    return roots


def match_multisets(found: list[sp.Expr], claimed: list[sp.Expr]) -> tuple[list, list]:
    """Pair symbolically equal entries; returns (unmatched found, unmatched claimed). Entries are compared as rational
    functions (``cancel``: 8c(λ² − 1)/(λ + 1) + 8c is 8cλ, which ``expand`` does not see)."""
    rest = [sp.expand(e) for e in claimed]
    left = []
    for f in found:
        fe = sp.expand(f)
        for idx, e in enumerate(rest):
            if sp.cancel(fe - e) == 0:
                del rest[idx]
                break
        else:
            left.append(f)
    return left, rest


def solve_rank_one_stationary(lam: Sequence[sp.Rational]) -> tuple[list[tuple[sp.Expr, ...]], int]:
    """All complex solutions of ∇F = 0 for r = 1, M = diag(λ) with rational λ, and the number of spurious ones.

    Uses the Gröbner-based ``solve_poly_system`` (the system is zero-dimensional for distinct λ_i ≠ 0), then
    substitutes every solution back: SymPy's generic ``solve`` was seen to return false and to drop true
    solutions of the parametric r = 2 system, so nothing it returns is trusted unverified.
    """
    n = len(lam)
    xs = sp.symbols(f"y0:{n}")
    X = sp.Matrix(n, 1, xs)
    eqs = [sp.expand(e) for e in (X * X.T - sp.diag(*lam)) * X]
    sols = sp.solve_poly_system(eqs, *xs) or []
    good, spurious = [], 0
    for sol in sols:
        vals = dict(zip(xs, sol))
        # xreplace (numbers for symbols: what subs does here, without its sympify and sorting passes); expand
        # settles the usual case (sums of rational multiples of square roots) exactly, simplify the rest
        if all(sp.expand(z) == 0 or sp.simplify(z) == 0 for z in (e.xreplace(vals) for e in eqs)):
            good.append(tuple(nsimplify_cached(v) for v in sol))
        else:
            spurious += 1
    return good, spurious
