"""Certified Hessian spectra of the deep scalar problem at certified global minimizers (docs/mathematics.md §K4, §P3).

Everything here runs on Arb balls (python-flint): a ball is a midpoint and a radius, and every operation returns a
ball that contains the exact result for every input inside its arguments. Three layers:

1. The minimizer (``certify_scalar_minimizer``): every critical point of F(w) = (a/2)(w_L⋯w_1 − m)² + (b/2)Σw_l²
   (b > 0) is balanced (§K3), w = ρ·s with ∏s = sign m; ``verify.certified.scalar.certify_minimizer`` isolates
   every stationary radius on [0, R] by interval Newton and compares φ(ρ) with φ(0) by balls (L ≥ 2; L = 1 is a
   strictly convex quadratic). The global minimizer is 0 or ρ₊·s, ρ₊ the best stationary radius.
2. The Hessian, entry by entry from the objective (H_ii = a·P_i² + b, H_ij = a·P_i·P_j + a(P − m)·P_ij), at the
   ball ρ₊·s (``hessian_ball``): no closed form of the claim enters.
3. Eigenvalue enclosures in the style of Rump (``symmetric_eigen_enclosures``): an approximate orthonormal
   eigenbasis Q (mpmath ``eigsy``, no error bound needed), then rigorously ε ≥ ‖QᵀQ − I‖₂ and r ≥ ‖QᵀHQ − D‖₂ by
   Frobenius norms of ball matrices. Weyl: the k-th smallest eigenvalue of QᵀHQ is within r of d_k; Ostrowski:
   it is θ_k·λ_k(H) with θ_k ∈ [1 − ε, 1 + ε]. So λ_k(H) ∈ (d_k ± r)/(1 ± ε), index by index: a cluster of
   overlapping enclosures disjoint from the others holds exactly as many eigenvalues as it has indices.

``enclose`` evaluates a claimed SymPy formula on balls (``verify.certified.arb.sympy_to_arb``: exact rationals in,
no float on the way). Shared helpers (``workprec``, ``to_arb``, ``enclose``, ``NotReal``) live in
``verify.certified.arb`` and are re-exported here.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Sequence

import flint
import mpmath

from .arb import (CertificationFailed, NotEnclosable, NotReal, arb_exact_fraction, arb_to_decimal_pair, enclose,
                  interval_newton, to_arb, workprec)
from .scalar import certify_minimizer

__all__ = ["NotEnclosable", "NotReal", "enclose", "to_arb", "workprec", "certify_scalar_minimizer", "hessian_ball",
           "symmetric_eigen_enclosures", "balanced_basis", "block_basis", "clusters", "judge_spectrum", "judge_largest", "interval_newton", "approx_root"]


@dataclass(frozen=True)
class ScalarMinimizer:
    """The certified global minimizer of the scalar problem at one (L, |m|, a, b).

    ``kind``: "nonzero" (ρ₊·s, every sign pattern with ∏s = sign m), "zero", or "undecided" (``why`` says why: a
    near tie or a near fold that the balls do not resolve). ``rho``: a ball holding ρ₊ (None at 0 when g has no
    positive root); ``gap``: a ball holding φ(ρ₊) − φ(0)."""

    kind: str
    rho: flint.arb | None
    gap: flint.arb | None
    why: str


def approx_root(g, dg, start: flint.arb, prec: int) -> flint.arb:
    """Floating Newton from ``start`` on midpoints (no bound claimed; ``interval_newton`` certifies afterwards)."""
    x = flint.arb(start.mid())
    for _ in range(4 * prec):
        step = flint.arb((g(x) / dg(x)).mid())
        x = flint.arb((x - step).mid())
        if step == 0 or abs(step) <= abs(x) * flint.arb(2) ** (-prec + 8):
            break
    return x


def certify_scalar_minimizer(L: int, m_abs: flint.arb, a: flint.arb, b: flint.arb, prec: int) -> ScalarMinimizer:
    """The global minimizer of F at depth L, certified (call inside ``workprec(prec)``; |m|, a, b > 0 balls).

    L ≥ 2: ``verify.certified.scalar.certify_minimizer`` (the one implementation: every stationary radius isolated
    by interval Newton on [0, R], φ compared by balls), read as a ``ScalarMinimizer`` (``rho``/``gap``: the best
    nonzero stationary point, the largest radius ρ₊ when 0 wins); what it cannot decide is "undecided".
    ``prec`` is kept for callers; the precision is the enclosing ``workprec``'s."""
    if L == 1:  # F = (a/2)(w − m)² + (b/2)w²: strictly convex, w = a|m|/(a + b) (sign of m)
        return ScalarMinimizer("nonzero", a * m_abs / (a + b), None, "L = 1: strictly convex quadratic")
    try:
        cert = certify_minimizer(L, m_abs, a, b)
    except CertificationFailed as exc:
        return ScalarMinimizer("undecided", None, None, str(exc))
    point = cert.minimizer if cert.minimizer is not None else (cert.stationary[-1] if cert.stationary else None)
    rho, gap = (point.rho, point.gap) if point is not None else (None, None)
    return ScalarMinimizer(cert.kind, rho, gap, cert.reason)


def hessian_ball(w: Sequence[flint.arb], m: flint.arb, a: flint.arb, b: flint.arb) -> flint.arb_mat:
    """∇²F at w (balls), from the objective: H_ii = a·P_i² + b, H_ij = a·P_i·P_j + a(P − m)·P_ij, P_i = ∏_{k≠i} w_k,
    P_ij = ∏_{k≠i,j} w_k (signed target m)."""
    n = len(w)
    P = flint.arb(1)
    for x in w:
        P *= x
    Pi = []
    for i in range(n):
        p = flint.arb(1)
        for k in range(n):
            if k != i:
                p *= w[k]
        Pi.append(p)
    H = flint.arb_mat(n, n)
    for i in range(n):
        H[i, i] = a * Pi[i] ** 2 + b
        for j in range(i + 1, n):
            pij = flint.arb(1)
            for k in range(n):
                if k != i and k != j:
                    pij *= w[k]
            H[i, j] = H[j, i] = a * Pi[i] * Pi[j] + a * (P - m) * pij
    return H


def _frobenius_upper(M: flint.arb_mat) -> flint.arb:
    """An exact upper bound of the Frobenius norm of every matrix inside the ball matrix M."""
    s = flint.arb(0)
    for i in range(M.nrows()):
        for j in range(M.ncols()):
            s += M[i, j].abs_upper() ** 2
    return s.sqrt().upper()


def _approx_basis_flint(H: flint.arb_mat) -> tuple[list, flint.arb_mat] | None:
    """Approximate eigenpairs from Arb's QR eigensolver (no bounds), the eigenvectors' real parts orthonormalized by
    modified Gram–Schmidt, twice (Arb's vectors for a repeated eigenvalue span its eigenspace but are far from
    orthogonal); None when a vector collapses."""
    n = H.nrows()
    E, R = flint.acb_mat(H).eig(right=True, algorithm="approx")
    order = sorted(range(n), key=lambda k: float(E[k].real.mid()))
    cols = _orthonormalized([[R[i, k].real.mid() for i in range(n)] for k in order], flint.ctx.prec)
    if cols is None:
        return None
    Q = flint.arb_mat(n, n)
    for j in range(n):
        for i in range(n):
            Q[i, j] = cols[j][i]
    return [E[k] for k in order], Q


def _orthonormalized(cols: list[list[flint.arb]], prec: int) -> list[list[flint.arb]] | None:
    """The columns (exact midpoints) orthonormalized by modified Gram–Schmidt, twice, in plain floating point at
    ``prec`` bits (gmpy2: only an approximate basis is needed, the enclosure's rigour never depends on it); exact
    arbs back; None when a vector collapses below 2^-20."""
    import gmpy2

    def to_mpfr(x: flint.arb) -> gmpy2.mpfr:
        man, exp = x.man_exp()
        return gmpy2.mul_2exp(gmpy2.mpfr(int(man)), int(exp))

    def to_arb_exact(x: gmpy2.mpfr) -> flint.arb:
        if gmpy2.is_zero(x):
            return flint.arb(0)
        man, exp = x.as_mantissa_exp()
        return flint.arb((int(man), int(exp)))

    from ..highprec.eigen import gmpy2_precision

    with gmpy2_precision(prec):
        vs = [[to_mpfr(x) for x in col] for col in cols]
        tiny = gmpy2.mul_2exp(gmpy2.mpfr(1), -20)
        for _ in range(2):
            for j in range(len(vs)):
                v = vs[j]
                for q in vs[:j]:
                    d = sum((x * y for x, y in zip(q, v)), gmpy2.mpfr(0))
                    v = [x - d * y for x, y in zip(v, q)]
                norm = gmpy2.sqrt(sum((x * x for x in v), gmpy2.mpfr(0)))
                if not norm > tiny:
                    return None
                vs[j] = [x / norm for x in v]
        return [[to_arb_exact(x) for x in v] for v in vs]


def _approx_basis_mpmath(H: flint.arb_mat, prec: int) -> flint.arb_mat:
    """Approximate orthonormal eigenvectors from mpmath's symmetric eigensolver (slower, robust)."""
    n = H.nrows()
    with mpmath.workprec(prec):
        mid = mpmath.matrix(n, n)
        for i in range(n):
            for j in range(n):
                man, exp = H[i, j].mid().man_exp()
                mid[i, j] = mpmath.ldexp(mpmath.mpf(int(man)), int(exp))
        E, Qm = mpmath.eigsy(mid)
        order = sorted(range(n), key=lambda k: E[k])
        Q = flint.arb_mat(n, n)
        for i in range(n):
            for j, k in enumerate(order):
                Q[i, j] = to_arb(Qm[i, k])
    return Q


def _enclose_with(H: flint.arb_mat, Q: flint.arb_mat) -> list[flint.arb]:
    """λ_k(H) ∈ (d_k ± r)/(1 ± ε) around the basis Q (module docstring), or [] when ε ≥ 1/2."""
    n = H.nrows()
    QT = Q.transpose()
    G = QT * Q
    for i in range(n):
        G[i, i] -= 1
    eps = _frobenius_upper(G)
    if not eps < flint.arb(1) / 2:
        return []
    B = QT * H * Q
    d = [flint.arb(B[k, k].mid()) for k in range(n)]
    for k in range(n):
        B[k, k] -= d[k]
    r = _frobenius_upper(B)
    theta = flint.arb(1, eps)
    # Weyl pairs the k-th smallest eigenvalue of QᵀHQ with the k-th smallest d: sort the (exact) midpoints exactly,
    # never by float (two d closer than 2^-53 relative would be paired with the wrong eigenvalues)
    return [flint.arb(dk.mid(), r) / theta for dk in sorted(d, key=arb_exact_fraction)]


def _tight(enc: list[flint.arb], prec: int) -> bool:
    """Every enclosure narrower than 2^(−prec/2) relative to the largest |λ| (and at least one)."""
    scale = max((abs(e).upper() for e in enc), default=flint.arb(0))
    return bool(enc) and all(e.rad() <= scale * flint.arb(2) ** (-prec // 2) for e in enc)


def balanced_basis(signs: Sequence[int]) -> flint.arb_mat:
    """The approximate eigenbasis D_s·U of the scalar Hessian at a balanced point w = ρ·s (or at 0, s = 1), for
    ``symmetric_eigen_enclosures``'s ``guess``: U is the Helmert basis (column 0 = 1/√n, column k ≥ 1 =
    (1, …, 1, −k, 0, …)/√(k(k + 1))), an orthonormal basis with 1 first. There D_s·H·D_s = c·11ᵀ + (d − c)·I
    (docs/mathematics.md §K4), whose eigenvectors are 1 and every vector of 1^⊥. Entries are exact midpoints at
    the working precision (the enclosure's ε covers their rounding). Call inside ``workprec``."""
    n = len(signs)
    Q = flint.arb_mat(n, n)
    col0 = (1 / flint.arb(n).sqrt()).mid()
    for i in range(n):
        Q[i, 0] = col0 if signs[i] > 0 else -col0
    for k in range(1, n):
        u = (1 / flint.arb(k * (k + 1)).sqrt()).mid()
        for i in range(k):
            Q[i, k] = u if signs[i] > 0 else -u
        Q[k, k] = (-k * u).mid() if signs[k] > 0 else (k * u).mid()
    return Q


def block_basis(H: flint.arb_mat) -> flint.arb_mat | None:
    """An approximate eigenbasis of the symmetric H assembled block by block, for ``symmetric_eigen_enclosures``'s
    ``guess``: the index sets of the connected components of the graph of H's entries that are not exactly zero
    (an exactly zero ball couples nothing) are eigensolved separately (``_approx_basis_flint`` on each diagonal
    block, size 1 trivially). H is then block diagonal up to a permutation, so the blocks' eigenvectors, placed at
    their indices, are eigenvectors of H. None when a block's basis collapses. Call inside ``workprec``."""
    n = H.nrows()
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i):
            if not H[i, j].is_zero():
                parent[root(i)] = root(j)
    blocks: dict[int, list[int]] = {}
    for i in range(n):
        blocks.setdefault(root(i), []).append(i)
    Q = flint.arb_mat(n, n)
    col = 0
    for idx in blocks.values():
        if len(idx) == 1:
            Q[idx[0], col] = 1
            col += 1
            continue
        sub = flint.arb_mat(len(idx), len(idx))
        for r, i in enumerate(idx):
            for c, j in enumerate(idx):
                sub[r, c] = H[i, j]
        basis = _approx_basis_flint(sub)
        if basis is None:
            return None
        for k in range(len(idx)):
            for r, i in enumerate(idx):
                Q[i, col] = basis[1][r, k]
            col += 1
    return Q


def symmetric_eigen_enclosures(H: flint.arb_mat, prec: int, guess: flint.arb_mat | None = None) -> list[flint.arb]:
    """Balls I_1 … I_n with λ_k(H) ∈ I_k for every symmetric matrix inside H (λ ascending), or [] when no
    approximate eigenbasis is close enough to orthonormal. Call inside ``workprec(prec)``.

    The basis is ``guess`` when given and its enclosures are narrower than 2^(−prec/2) relative (a caller that
    knows H's eigenvectors: ``balanced_basis``, ``block_basis``), else Arb's approximate eigensolver (fast) and,
    when that one's enclosures are wider than 2^(−prec/2) relative, mpmath's symmetric solver; rigour never
    depends on which (the enclosure bounds ‖QᵀQ − I‖ and ‖QᵀHQ − D‖ for whatever Q it is given)."""
    if guess is not None:
        enc = _enclose_with(H, guess)
        if _tight(enc, prec):
            return enc
    basis = _approx_basis_flint(H)
    if basis is not None:
        enc = _enclose_with(H, basis[1])
        if _tight(enc, prec):
            return enc
    return _enclose_with(H, _approx_basis_mpmath(H, prec))


@dataclass(frozen=True)
class Cluster:
    """Consecutive eigenvalue enclosures chained by overlap: ``hull`` holds exactly ``count`` eigenvalues."""

    hull: flint.arb
    count: int


def clusters(enclosures: Sequence[flint.arb]) -> list[Cluster]:
    """Group the ordered enclosures into disjoint clusters (hulls of chains of overlapping balls)."""
    out: list[Cluster] = []
    for ball in sorted(enclosures, key=lambda x: x.lower()):
        if out and out[-1].hull.overlaps(ball):
            out[-1] = Cluster(out[-1].hull.union(ball), out[-1].count + 1)
        else:
            out.append(Cluster(ball, 1))
    # merging may make a hull reach an earlier one: repeat until the hulls are pairwise disjoint
    merged = True
    while merged:
        merged = False
        for i in range(len(out) - 1):
            if out[i].hull.overlaps(out[i + 1].hull):
                out[i:i + 2] = [Cluster(out[i].hull.union(out[i + 1].hull), out[i].count + out[i + 1].count)]
                merged = True
                break
    return out


def relative_width(x: flint.arb) -> float:
    """rad/|mid| of a ball as a float, for reports only (decisions use ``resolved``): computed from the exact
    dyadic radius and midpoint, so a ball beyond float range is not NaN; inf at a midpoint 0 with positive radius
    and for a ball that is not finite."""
    if not x.is_finite():
        return float("inf")
    r, m = arb_exact_fraction(x.rad()), abs(arb_exact_fraction(x.mid()))
    if r == 0:
        return 0.0
    try:
        return float(r / m) if m else float("inf")
    except OverflowError:  # a ratio beyond float range
        return float("inf")


def resolved(x: flint.arb, resolution: float) -> bool:
    """rad ≤ resolution·|mid|, decided exactly on the dyadic radius and midpoint (floats overflow to inf/inf = NaN
    for balls beyond 10³⁰⁸, and NaN passes every comparison); False for a ball that is not finite."""
    if not x.is_finite():
        return False
    return arb_exact_fraction(x.rad()) <= Fraction(resolution) * abs(arb_exact_fraction(x.mid()))


@dataclass(frozen=True)
class SpectrumJudgement:
    """``outcome``: "match" (every claimed value meets exactly one cluster, with the claimed multiplicities, all
    balls resolved to ``resolution``), "differs" (proved: a claimed value meets no enclosure, or a cluster holds
    another number of eigenvalues than the claim puts there) or "undecided"; ``why`` says which."""

    outcome: str
    why: str
    widest: float


def judge_spectrum(claimed: Sequence[tuple[flint.arb, int]], enclosures: Sequence[flint.arb],
                   resolution: float) -> SpectrumJudgement:
    """Compare a claimed multiset {(value ball, multiplicity)} with certified enclosures (see ``SpectrumJudgement``).

    Rigour: every eigenvalue lies in exactly one cluster hull, and a hull holds exactly its count. If the claim
    were true, each claimed value would be an eigenvalue, so inside the one hull its ball meets; the multiplicities
    put into a hull would then add up to its count. A claimed value meeting no hull, or counts that differ, prove
    the claim false."""
    cl = clusters(enclosures)
    widest = max([relative_width(c.hull) for c in cl] + [relative_width(v) for v, _ in claimed] + [0.0])
    assigned = [0] * len(cl)
    undecided = []
    for value, k in claimed:
        hits = [i for i, c in enumerate(cl) if c.hull.overlaps(value)]
        if not hits:
            return SpectrumJudgement("differs", f"the claimed eigenvalue {value.str(12, radius=False)} lies in no "
                                     "eigenvalue enclosure", widest)
        if len(hits) > 1:
            undecided.append(f"the claimed value {value.str(12, radius=False)} meets {len(hits)} clusters")
            continue
        assigned[hits[0]] += k
    if not undecided:
        for c, k in zip(cl, assigned):
            if k != c.count:
                return SpectrumJudgement("differs", f"the cluster {c.hull.str(12, radius=False)} holds exactly "
                                         f"{c.count} eigenvalue(s); the claim puts {k} there", widest)
    if undecided:
        return SpectrumJudgement("undecided", "; ".join(undecided), widest)
    if not all(resolved(x, resolution) for x in [c.hull for c in cl] + [v for v, _ in claimed]):
        return SpectrumJudgement("undecided", f"enclosures of relative width {widest:.1e} are wider than the "
                                 f"resolution {resolution:.0e}", widest)
    return SpectrumJudgement("match", "every claimed value meets one cluster with its multiplicity", widest)


def judge_largest(claimed: flint.arb, enclosures: Sequence[flint.arb], resolution: float) -> SpectrumJudgement:
    """The claim against the enclosure of the largest eigenvalue λ_n ∈ I_n: disjoint balls prove it wrong."""
    top = enclosures[-1]
    widest = max(relative_width(top), relative_width(claimed))
    if not top.overlaps(claimed):
        return SpectrumJudgement("differs", f"the largest eigenvalue lies in {top.str(15)}, the claim is "
                                 f"{claimed.str(15)}", widest)
    if not (resolved(top, resolution) and resolved(claimed, resolution)):
        return SpectrumJudgement("undecided", f"balls of relative width {widest:.1e} exceed the resolution "
                                 f"{resolution:.0e}", widest)
    return SpectrumJudgement("match", "the claim meets the enclosure of the largest eigenvalue", widest)


def ball_text(x: flint.arb, digits: int = 60) -> str:
    """A ball as '[lo, hi]' with ``digits`` significant digits, rounded outward (it contains the ball)."""
    lo, hi = arb_to_decimal_pair(x, digits)
    return f"[{lo}, {hi}]"
