"""Spurious local minima of matrix sensing in the smallest case n = 2, r = 1 (docs/mathematics.md §L6).

G(x) = c ||A(x x^T - M)||^2 for x in R^2 and a linear A: Sym(2) -> R^m. G depends on A only through
H = A*A, a 3 x 3 positive definite matrix in the orthonormal coordinates (Z11, sqrt2 Z12, Z22) of Sym(2),
so three measurements (the rows of H^{1/2}) realize every operator. Rank 2r = 2 is all of Sym(2): the
restricted-isometry constant delta_2r(A) is exactly ||H - I||. G's landscape does not change under
A -> tA, so an operator is as good as its best scaling, delta = (kappa - 1)/(kappa + 1), kappa = cond(H),
attained at t = 2/(lambda_max + lambda_min). Every operator here is reported with that scaling.

Reduction (derived by the suite). Rotate the plane so that x = (0, s), s > 0, and scale M and x together so
that M = z z^T, z = (cos phi, sin phi). With e = coords(x x^T - M) = (-cos^2, -sqrt2 cos sin, s^2 - sin^2):
  * grad G = 4c mat(He) x = 0  iff  He = (w, 0, 0); then e^T H e = -w cos^2 > 0 forces w < 0 and cos != 0.
    Scaling H so that w = -1: N = H^{-1} has first column g = -e.
  * hess G = 4c (s^2 [[H22, sqrt2 H23], [sqrt2 H23, 2 H33]] + w E11) in d = (d1, d2); it is positive
    definite iff H22 - H23^2/H33 > 1/s^2, and by Schur complements H22 - H23^2/H33 = 1/(N22 - 2 sin^2),
    i.e. iff N22 < 2 sin^2 phi + s^2 (N > 0 already gives N22 > 2 sin^2 phi).
  * x = 0 is never a local minimum (hess G(0) = -4c mat(H m) has <M, .> < 0), and x = +-z is global.
So a spurious local minimum with a positive definite Hessian (a strict one, certified by second-order
conditions) of an operator with condition number kappa exists iff five numbers (s, phi, N22, N23, N33)
give N > 0 with first column g, N22 < 2 sin^2 phi + s^2 and cond(N) = kappa: the parametrization is
complete for n = 2, r = 1 (the search over it is local, not a proof).
``search`` minimizes log cond(N) over them from random starts. Each candidate is confirmed by
``certify``: the operator is rebuilt, x polished by Newton at high precision on the hand-derived gradient
and Hessian of verify.sensing (a route that does not use the reduction), and G, the Hessian eigenvalues
and delta are evaluated there.

Explicit family (derived by the suite, checked in the tests by an independent SymPy route): measurements
A1 = I, A2 = diag(1, -1)/sqrt3, A3 = (E12 + E21)/sqrt(2 nu), M = E11, x = (0, 1/sqrt2):
G/c = (|x|^2 - 1)^2 + (x1^2 - x2^2 - 1)^2/3 + 2 x1^2 x2^2/nu, grad = 0, G = c, hess = c diag(2/nu - 4, 16/3),
a strict spurious minimum for 0 < nu < 1/2, with delta(nu) = (3 - 2 nu)/(3 + 2 nu) -> 1/2 as nu -> 1/2.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import mpmath
import numpy as np
import sympy as sp

from . import sensing as sen
from .errors import UsageError
from .nelder_mead import minimize_nm
from .numbers import parse_rational

Array = np.ndarray
#: relative margin kept from the Hessian boundary N22 = 2 sin^2 + s^2, so candidates are strict minima
MARGIN = 1e-3
#: SciPy Nelder-Mead of every search: its stopping tolerances and budget (run by verify.nelder_mead, which
#: returns the same result and stops a run early only once the result can no longer change)
NM_OPTIONS = {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 4000, "maxfev": 8000}


def coords_basis(n: int = 2) -> Array:
    """Rows vec(B_k) of the orthonormal basis of Sym(n) used for the coordinates of H (E11, (E12+E21)/sqrt2, E22)."""
    B = sen.sym_basis(n)
    return B.reshape(len(B), n * n)


@dataclass(frozen=True)
class Candidate:
    """An operator H = A*A on Sym(2) (coordinates of coords_basis), M = z z^T and a point x (float64)."""

    H: Array
    z: Array
    x: Array
    label: str

    @property
    def scaled(self) -> Array:
        """H scaled by t = 2/(lambda_max + lambda_min), the scaling with the smallest ||tH - I||."""
        ev = np.linalg.eigvalsh(self.H)
        return self.H * (2 / (ev[0] + ev[-1]))

    @property
    def delta(self) -> float:
        ev = np.linalg.eigvalsh(self.H)
        return float((ev[-1] - ev[0]) / (ev[-1] + ev[0]))


def family(nu: str) -> Candidate:
    """The explicit family of the module docstring (0 < nu < 1/2: strict spurious minimum); nu exact, e.g. "9/20"."""
    nu_q = parse_rational(nu, "nu")
    if nu_q <= 0:
        raise UsageError(f"nu must be positive, got {nu}")
    nu_f = float(nu_q)
    rows = np.array([[1.0, 0.0, 1.0], [1 / np.sqrt(3), 0.0, -1 / np.sqrt(3)], [0.0, 1 / np.sqrt(nu_f), 0.0]])
    return Candidate(rows.T @ rows, np.array([1.0, 0.0]), np.array([0.0, np.sqrt(0.5)]), f"family nu={nu}")


def family_nu_for(delta: sp.Rational) -> sp.Rational:
    """The family member with delta(nu) = (3 - 2 nu)/(3 + 2 nu) equal to ``delta`` (1/2 < delta < 1)."""
    delta = sp.Rational(delta)
    if not sp.Rational(1, 2) < delta < 1:
        raise UsageError(f"the family covers 1/2 < delta < 1, got {delta}")
    return 3 * (1 - delta) / (2 * (1 + delta))


def _extreme_eigs(N: list[list[float]]) -> tuple[float, float]:
    """Smallest and largest eigenvalue of a symmetric 3 x 3 matrix (trigonometric closed form; the search's
    objective only: every candidate is re-evaluated with LAPACK and then at high precision)."""
    a, b, c = N[0][0], N[1][1], N[2][2]
    d, e, f = N[0][1], N[0][2], N[1][2]
    q = (a + b + c) / 3
    p2 = (a - q) ** 2 + (b - q) ** 2 + (c - q) ** 2 + 2 * (d * d + e * e + f * f)
    if p2 <= 0:
        return q, q
    p = math.sqrt(p2 / 6)
    A, B, C = (a - q) / p, (b - q) / p, (c - q) / p
    D, E, F = d / p, e / p, f / p
    r = (A * (B * C - F * F) - D * (D * C - F * E) + E * (D * F - B * E)) / 2
    phi = math.acos(min(1.0, max(-1.0, r))) / 3
    return q + 2 * p * math.cos(phi + 2 * math.pi / 3), q + 2 * p * math.cos(phi)


def _reduced(p: Array) -> tuple[list[list[float]], float, float]:
    ls, phi, u, a, b = p.tolist()
    s = math.exp(min(ls, 50.0))
    c, sn = math.cos(phi), math.sin(phi)
    n22 = 2 * sn * sn + s * s * (1 - MARGIN) / (1 + math.exp(-min(max(u, -700.0), 700.0)))
    col = (c * c, math.sqrt(2) * c * sn, sn * sn - s * s)
    return [[col[0], col[1], col[2]], [col[1], n22, a], [col[2], a, b]], s, phi


def _objective(p: Array) -> float:
    N, _, phi = _reduced(p)
    if abs(math.cos(phi)) < 1e-3:
        return 50.0
    lo, hi = _extreme_eigs(N)
    if lo <= 1e-12 * max(hi, 1e-300):
        return 50.0 - lo
    return math.log(hi / lo)


def search(rng: np.random.Generator, starts: int) -> list[Candidate]:
    """Multistart Nelder-Mead on log cond(N) over the reduced parametrization; candidates by delta, smallest first."""
    if isinstance(starts, bool) or not isinstance(starts, int) or starts < 1:
        raise UsageError(f"starts must be a positive integer, got {starts!r}")
    out = []
    for k in range(starts):
        p0 = np.array([rng.normal(-0.3, 0.7), rng.uniform(-1.5, 1.5), rng.normal(1.0, 1.0),
                       rng.normal(0.0, 0.5), rng.uniform(0.5, 3.0)])
        x, fun, _ = minimize_nm(_objective, p0, **NM_OPTIONS)
        if fun >= 50:
            continue
        rows, s, phi = _reduced(x)
        N = np.array(rows)
        ev = np.linalg.eigvalsh(N)
        if ev[0] <= 1e-10 * ev[-1]:
            continue
        H = np.linalg.inv(N)
        out.append(Candidate((H + H.T) / 2, np.array([np.cos(phi), np.sin(phi)]), np.array([0.0, s]), f"search start {k}"))
    return sorted(out, key=lambda c: c.delta)


@dataclass(frozen=True)
class Certificate:
    """A candidate re-evaluated at ``dps`` digits on the hand-derived G of verify.sensing."""

    ok: bool
    reason: str
    delta: mpmath.mpf
    x: list[mpmath.mpf]
    grad_rel: mpmath.mpf
    hess_eigs: list[mpmath.mpf]
    g_value_rel: mpmath.mpf
    measurements: list[list[list[str]]]
    M: list[list[str]]

    def as_dict(self, digits: int = 20) -> dict:
        s = lambda v: mpmath.nstr(v, digits)  # noqa: E731
        return {"measurements (A_k, G = c sum_k <A_k, xx^T - M>^2)": self.measurements, "M": self.M,
                "delta_2r": s(self.delta), "x": [s(v) for v in self.x], "relative_gradient": mpmath.nstr(self.grad_rel, 3),
                "hessian_eigenvalues/c": [s(v) for v in self.hess_eigs], "G(x)/(c||M||^2)": s(self.g_value_rel),
                "G at the global minimum x = z": "0 (x x^T = M)"}


def certify(cand: Candidate, dps: int, c: mpmath.mpf | None = None) -> Certificate:
    """Confirm at ``dps`` digits that ``cand.x`` is near a strict local minimum of G with G > 0 = min G.

    Newton (least squares) at dps + 10 digits on grad G = 0 from cand.x; the minimum is strict when the
    Hessian's smallest eigenvalue exceeds 10^-(dps//4) of its largest while |grad| <= 10^-(dps-5) of scale
    (the exact stationary point is then within ~10^-(dps-5)/lambda_min of x, which moves the Hessian's
    eigenvalues by orders of magnitude less than 10^-(dps//4)), and spurious when G(x) > 1e-6 c ||M||^2
    (the global minimum is 0). delta is max |eig(tH) - 1| at dps digits.
    """
    with mpmath.workdps(dps + 10):
        cm = mpmath.mpf(1) if c is None else c
        Hs = cand.scaled
        Hm = mpmath.matrix([[mpmath.mpf(float(v)) for v in row] for row in Hs])
        ev = mpmath.eigsy(Hm, eigvals_only=True)
        delta = max(abs(ev[i] - 1) for i in range(ev.rows))
        r2 = 1 / mpmath.sqrt(2)
        Bv = np.array([[1, 0, 0, 0], [0, r2, r2, 0], [0, 0, 0, 1]], dtype=object) * mpmath.mpf(1)
        Hobj = np.array(Hm.tolist(), dtype=object)
        K = Bv.T @ Hobj @ Bv
        A = sen.Measurement.from_gram(K, 2, "sym2 (mp)")
        z = np.array([mpmath.mpf(float(v)) for v in cand.z], dtype=object)
        M = np.outer(z, z)
        X = np.array([[mpmath.mpf(float(v))] for v in cand.x], dtype=object)
        tol = mpmath.mpf(10) ** (-(dps - 5))
        gn = mpmath.inf
        for _ in range(30):
            g = sen.g_grad(A, X, M, cm).ravel()
            Hx = mpmath.matrix(sen.g_hess(A, X, M, cm).tolist())
            scale = mpmath.mnorm(Hx, 1) * max(1, mpmath.norm(mpmath.matrix(X.ravel().tolist())))
            gn = mpmath.norm(mpmath.matrix(g.tolist())) / scale
            if gn <= tol:
                break
            step = mpmath.lu_solve(Hx, -mpmath.matrix(g.tolist()))
            X = X + np.array([[step[0]], [step[1]]], dtype=object)
        Hx = mpmath.matrix(sen.g_hess(A, X, M, cm).tolist())
        he = mpmath.eigsy(Hx, eigvals_only=True)
        he = sorted(he[i] for i in range(he.rows))
        gval = sen.g_value(A, X, M, cm) / (cm * sum(v * v for v in M.ravel()))
        sq = mpmath.sqrtm(Hm)
        meas = [[[mpmath.nstr(v, 20) for v in row] for row in
                 [[sq[k, 0], sq[k, 1] * r2], [sq[k, 1] * r2, sq[k, 2]]]] for k in range(3)]
        if gn > tol:
            ok, why = False, f"Newton did not reach |grad| <= 1e-{dps - 5} of scale ({mpmath.nstr(gn, 3)})"
        elif he[0] <= mpmath.mpf(10) ** (-(dps // 4)) * abs(he[-1]):
            ok, why = False, f"Hessian not clearly positive definite (eigenvalues {mpmath.nstr(he[0], 5)}, {mpmath.nstr(he[-1], 5)})"
        elif gval <= mpmath.mpf("1e-6"):
            ok, why = False, "the stationary point is (numerically) global"
        else:
            ok, why = True, "strict spurious local minimum confirmed"
        Ms = [[mpmath.nstr(v, 20) for v in row] for row in M]
        return Certificate(ok, why, +delta, [X[0, 0], X[1, 0]], gn, [v / cm for v in he], gval, meas, Ms)
