"""Rigorous branch-and-bound over the bounded L5 regions of F_c(X) = c·||XXᵀ − M||_F² (docs/mathematics.md §L5).

Exact rational interval arithmetic (python-flint ``fmpq`` endpoints: no rounding at all) over boxes in
X's entries, for one instance M = diag(λ) at a time. For each box the region tests (R1a, R1b, R2,
R3″, in the precedence of ``verify.landscape.symmetric.classify_region``) are evaluated as
certainly-in / certainly-out / undecided, and the region's inequality as holds / fails / undecided on
the box. A box that is certainly outside a region is pruned for it; a box whose inequality is
undecided is bisected. The outcome for each region is

- ``certified``: every box that may meet the region satisfies its inequality (a proof for the instance);
- ``violated``: a box lies certainly inside the region and its inequality fails on all of it (the box
  and the exact margin at its midpoint are returned);
- ``undecided``: the box budget ran out first (the caller reports inconclusive).

Why these instances are representative. For an orthogonal Q, F(QX; QMQᵀ) = F(X; M) and every region
test and ‖∇F‖ are unchanged, so M = diag(λ) loses nothing; X ↦ sX, M ↦ s²M scales λ_min(∇²F) and
every κ1, κ2 by s², ‖∇F‖ and κ3 by s³, ρ by s, and everything is linear in c, so λ_1 = 1 loses
nothing either. Hence n = r = 1 with λ = 1 covers every n = r = 1 instance, and n = 2, r = 1 with
λ = (1, μ) covers every n = 2, r = 1 instance with λ_2/λ_1 = μ (likewise n = 3, r = 1 with
λ = (1, μ_2, μ_3)). The sign symmetries x_i ↦ −x_i (r = 1) and X = [[a, 0], [b, d]] with
a, b, d ≥ 0 (n = r = 2: right rotation, then the reflections diag(±1) on both sides) reduce the
domain to the boxes [0, 2]^k, which contain the bounded part ||XXᵀ||_F ≤ 2||M||_F of every region
(||X||_F² ≤ √r·||XXᵀ||_F ≤ 2√r·||M||_F ≤ 2√(rn) ≤ 4 for the shapes here, as every λ_i ≤ 1).

What is covered: r = 1 (n = 1, 2, 3): R1a and R1b (λ_min(∇²F) ≤ −κ1), R2 (λ_min(∇²F) ≥ κ2; for r = 1 the
orbit tangent is {0}), R3′ (||∇F|| ≥ κ3) and the part of R3″ (||∇F|| ≥ κ3″) inside the box.
n = r = 2: R3′ only (R1a is unbounded there, R2 needs the tangent complement at the nearest
minimizer, and R3″ is near-tight as λ_2 → λ_1); R1a, R2 and R3″ are still used to decide which
points belong to R3′. R3″ is proved for every instance at the symbolic tier.

Tight constants (κ1 with R1a's fraction at n = r = 1, κ3″ at r = p = 1) close exactly because the
region's own inequality is used on its boxes (on R1a: s = ||x||² ≤ fraction·λ_1 and x_i² ≤ s; on
R3″: s > 2||M||), which is valid for every point of the box that lies in the region.

The constants are ``verify.landscape.symmetric.region_constants`` (the suite's one copy) in exact
SymPy arithmetic, scaled by the claimed factors, then turned into exact rationals: κ1, κ2, the R1a
fraction, ρ1², ρ2² and κ3² are rational whenever λ is rational with λ_1 = 1; κ3″² and 2||M|| are
enclosed between rationals, and so is √λ_2 (the saddle's position), by integer square roots.
"""
from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy as sp
from flint import fmpq

from ..errors import UsageError
from .rational_intervals import Iv, iv_sum, leading_minors, principal_minors, sqrt_enclosure

HOLDS, FAILS, UNKNOWN = 1, -1, 0
IN, OUT, MAYBE = 1, -1, 0


def _q(x: Any) -> fmpq:
    """An exact SymPy rational (or int) as fmpq. An exact expression is taken as the rational it simplifies to
    only when x − that rational simplifies to 0 (``nsimplify`` alone would round an irrational to a nearby
    rational); a float, or anything not proved rational, is a usage error here."""
    if isinstance(x, int):
        return fmpq(x)
    if not isinstance(x, sp.Rational):
        guess = sp.nsimplify(x) if isinstance(x, sp.Basic) and not x.has(sp.Float) else None
        if not isinstance(guess, sp.Rational) or sp.simplify(x - guess) != 0:
            raise UsageError(f"region constant {x} is not proved rational; normalize the instance to λ_1 = 1")
        x = guess
    return fmpq(int(x.p), int(x.q))


@dataclass(frozen=True)
class Instance:
    """M = diag(lam) (exact, λ_1 = 1, decreasing, ≥ 0) and rank r; ``name`` for reports."""

    lam: tuple[sp.Rational, ...]
    r: int

    @property
    def n(self) -> int:
        return len(self.lam)

    @property
    def name(self) -> str:
        return f"n={self.n} r={self.r} λ=({', '.join(str(x) for x in self.lam)})"


def make_instance(lam: Any, r: int) -> Instance:
    """Validated instance: (n, r) in {(1, 1), (2, 1), (3, 1), (2, 2)}, exact λ_1 = 1 > λ_2 > … ≥ 0
    (positive ones distinct), p ≥ r."""
    vals = tuple(sp.Rational(str(x)) if not isinstance(x, sp.Rational) else x for x in lam)
    shape = (len(vals), r)
    if shape not in ((1, 1), (2, 1), (3, 1), (2, 2)):
        raise UsageError(f"the branch-and-bound covers (n, r) in (1, 1), (2, 1), (3, 1), (2, 2), not {shape}")
    pos = [x for x in vals if x > 0]
    if vals[0] != 1 or any(x < 0 for x in vals) or any(a <= b for a, b in zip(pos, pos[1:])) \
            or list(vals[:len(pos)]) != pos:
        raise UsageError(f"λ must be normalized to λ_1 = 1 > λ_2 > … > λ_p > 0 = … (scaling covers the rest), "
                         f"got {vals}")
    if sum(1 for x in vals if x > 0) < r:
        raise UsageError("p = rank M < r is outside the L5 claim")
    return Instance(vals, r)


@dataclass(frozen=True)
class Constants:
    """Exact rational forms of the (scaled) constants the branch-and-bound needs."""

    c: fmpq
    kappa1: fmpq
    kappa2: fmpq
    r1a: fmpq          # R1a: σ_r² ≤ r1a (= fraction·λ_r)
    rho1_sq: fmpq
    rho2_sq: fmpq
    kappa3_sq: fmpq
    kappa3_far_sq: Iv  # (2||M||)³·4c²/√r is irrational in general: a rational enclosure
    two_norm_lo: fmpq  # a rational lower bound of 2||M||_F


def exact_constants(inst: Instance, c: sp.Rational, factors: Mapping[str, sp.Rational]) -> Constants:
    """``region_constants`` in SymPy (exact), scaled by ``factors``, as rationals."""
    from ..landscape.symmetric import region_constants

    K = region_constants(list(inst.lam), inst.r, c, sp.sqrt).scaled(**dict(factors))
    far = sp.expand(K.kappa3_far ** 2)
    far_iv = Iv(_q(far)) if isinstance(far, sp.Rational) else sqrt_enclosure(_q(sp.expand(far ** 2)))
    two_norm = sqrt_enclosure(4 * sum(_q(x) ** 2 for x in inst.lam)).lo
    return Constants(c=_q(c), kappa1=_q(K.kappa1), kappa2=_q(K.kappa2), r1a=_q(K.r1a_frac * inst.lam[inst.r - 1]),
                     rho1_sq=_q(sp.expand(K.rho1 ** 2)), rho2_sq=_q(sp.expand(K.rho2 ** 2)),
                     kappa3_sq=_q(sp.expand(K.kappa3 ** 2)), kappa3_far_sq=far_iv, two_norm_lo=two_norm)


@dataclass
class Outcome:
    """Per region: "certified", "violated" or "undecided"; the boxes used; a violating box if any."""

    instance: str
    status: dict[str, str]
    boxes: int
    violation: dict[str, Any] | None = None
    undecided: dict[str, int] = field(default_factory=dict)
    #: the smallest exact ||∇F||²/κ3² at box midpoints certainly in R3′: the constant cannot be raised beyond √ of it
    r3_ratio_sq_upper: fmpq | None = None

    def to_json(self) -> dict[str, Any]:
        return {"instance": self.instance, "status": dict(self.status), "boxes": self.boxes,
                "violation": self.violation, "undecided": dict(self.undecided),
                "r3_ratio_sq_upper": None if self.r3_ratio_sq_upper is None else str(self.r3_ratio_sq_upper)}


def _regions_checked(inst: Instance) -> tuple[str, ...]:
    if inst.r == 2:  # R3'' at n = r = 2 is near-tight as λ_2 → λ_1 (N ∝ I): too slow to settle by boxes
        return ("R3'",)
    if inst.n >= 2 and inst.lam[1] > 0:
        return ("R1a", "R1b", "R2", "R3'", "R3''")
    return ("R1a", "R2", "R3'", "R3''")


class _Model:
    """Interval quantities of one instance on a box (coordinates in the eigenbasis, see the module doc)."""

    def __init__(self, inst: Instance, K: Constants) -> None:
        self.inst, self.K = inst, K
        self.n, self.r = inst.n, inst.r
        self.lams = [_q(x) for x in inst.lam]
        self.roots = [sqrt_enclosure(x) for x in self.lams]   # √λ_i, exact when λ_i is a rational square
        self.mu = self.lams[1] if inst.n >= 2 else fmpq(0)
        self.t = self.roots[1] if inst.n >= 2 else Iv(0)
        self.normM_sq4 = 4 * sum(x * x for x in self.lams)
        self.saddles = [j for j in range(1, self.n) if self.lams[j] > 0]   # S = {j}, |S| = r = 1, j ≠ 1
        self.dim = 3 if self.r == 2 else self.n

    # ---- r = 1, x = Σ x_i u_i with x_i ≥ 0
    def _r1(self, box: tuple[Iv, ...]) -> dict[str, Any]:
        K = self.K
        q = tuple(x.sqr() for x in box)
        s = iv_sum(q)
        # s − x_i² as Σ_(j≠i) x_j²: endpoint sums are exact, so [s.lo − q_i.lo, s.hi − q_i.hi] is that sum
        rest = [Iv(s.lo - qi.lo, s.hi - qi.hi) for qi in q]
        # squared distances to the saddles √λ_j·u_j and to the minimizer u_1, in centred form
        d_saddle = [_le(rest[j] + (box[j] - self.roots[j]).sqr(), K.rho1_sq) for j in self.saddles]
        r1b = IN if IN in d_saddle else (OUT if all(d == OUT for d in d_saddle) else MAYBE)
        mem = {"R1a": _le(s, K.r1a), "R1b": r1b, "R2": _le(rest[0] + (box[0] - 1).sqr(), K.rho2_sq),
               "R3''": _gt(s.sqr(), self.normM_sq4)}
        # s − λ_i = Σ_(j≠i) x_j² + (x_i − √λ_i)(x_i + √λ_i): tight near the minimizer and the saddles
        s_l = tuple(rest[i] + (box[i] - self.roots[i]) * (box[i] + self.roots[i]) for i in range(self.n))
        return {"s": s, "q": q, "x": box, "mem": mem, "s_l": s_l}

    def _hess_r1(self, s_l: tuple[Iv, ...], q: tuple[Iv, ...], x: tuple[Iv, ...], shift: fmpq) -> list[list[Iv]]:
        """∇²F + shift·I = 4c(2xxᵀ + sI − M) + shift·I (r = 1) as a symmetric matrix; s_l[i] ∋ s − λ_i."""
        c4 = 4 * self.K.c
        A = [[Iv(0)] * self.n for _ in range(self.n)]
        for i in range(self.n):
            A[i][i] = c4 * (2 * q[i] + s_l[i]) + shift
            for j in range(i + 1, self.n):
                A[i][j] = A[j][i] = (2 * c4) * (x[i] * x[j])
        return A

    def grad_sq(self, Q: dict[str, Any]) -> Iv:
        """||∇F||² on the box of ``Q`` (computed once per box: R3′, R3″ and the midpoint ratio all use it)."""
        g = Q.get("grad_sq")
        if g is None:
            g = Q["grad_sq"] = self._grad_sq_r1(Q["s_l"], Q["q"])
        return g

    def _grad_sq_r1(self, s_l: tuple[Iv, ...], q: tuple[Iv, ...]) -> Iv:
        """||∇F||² = 16c² Σ_i x_i²(s − λ_i)², ∇F = 4c(xxᵀ − M)x."""
        return (16 * self.K.c * self.K.c) * iv_sum(tuple(q[i] * s_l[i].sqr() for i in range(self.n)))

    # ---- n = r = 2, X = [[a, 0], [b, d]]
    def _r2(self, box: tuple[Iv, ...]) -> dict[str, Any]:
        K = self.K
        a, b, d = box
        a2, b2, d2 = a.sqr(), b.sqr(), d.sqr()
        tr = a2 + b2 + d2
        ad2 = (a * d).sqr()
        g11, g12, g22 = a2 + b2, b * d, d2   # XᵀX = [[a² + b², bd], [bd, d²]] (also ||XXᵀ|| = ||XᵀX||)
        n_sq = g11.sqr() + 2 * g12.sqr() + g22.sqr()
        tau = K.r1a
        # σ_2² > τ ⟺ tr − 2τ > 0 and det(XᵀX − τI) = (ad)² − τ·tr + τ² > 0
        dd = ad2 - tau * tr + tau * tau
        if (tr.lo - 2 * tau > 0) and dd.lo > 0:
            r1a = OUT
        elif tr.hi - 2 * tau <= 0 or dd.hi <= 0:
            r1a = IN
        else:
            r1a = MAYBE
        # dist² to the minimizer orbit = ||X||² + 1 + μ − 2||BᵀX||_*, ||BᵀX||_*² = (a + td)² + μb² (B = diag(1, √μ))
        u = a + self.t * d
        if u.lo > 0:
            # centred: with w = √(u² + μb²) ∈ [u, u + μb²/(2u)], dist² ∈ [(a−1)² + (d−√μ)² + b² − μb²/u, … + b²]
            base = (a - 1).sqr() + (d - self.t).sqr() + b2
            mb2 = self.mu * b2
            lower = base.lo - mb2.hi / u.lo
            r2 = IN if base.hi <= K.rho2_sq else (OUT if lower > K.rho2_sq else MAYBE)
        else:
            P = tr + (1 + self.mu - K.rho2_sq)
            Q = 4 * (u.sqr() + self.mu * b2)
            if P.hi <= 0 or P.sqr().hi <= Q.lo:
                r2 = IN
            elif P.lo > 0 and P.lo * P.lo > Q.hi:
                r2 = OUT
            else:
                r2 = MAYBE
        mem = {"R1a": r1a, "R1b": OUT, "R2": r2, "R3''": _gt(n_sq, self.normM_sq4)}
        # ∇F = 4c(XXᵀ − M)X; XXᵀ = [[a², ab], [ab, b² + d²]]
        e11, e12, e22 = (a - 1) * (a + 1), a * b, b2 + (d - self.t) * (d + self.t)
        y = (e11 * a + e12 * b, e12 * d, e12 * a + e22 * b, e22 * d)
        grad_sq = (16 * K.c * K.c) * (y[0].sqr() + y[1].sqr() + y[2].sqr() + y[3].sqr())
        return {"mem": mem, "grad_sq": grad_sq}

    def quantities(self, box: tuple[Iv, ...]) -> dict[str, Any]:
        return self._r2(box) if self.r == 2 else self._r1(box)

    def inequality(self, region: str, Q: dict[str, Any]) -> tuple[int, fmpq]:
        """HOLDS / FAILS / UNKNOWN for the region's inequality on the box's points of that region, and a
        lower bound of its margin relative to the constant (the search looks at the lowest first)."""
        K = self.K
        if region == "R3''":
            g = self.grad_sq(Q)
            g_lo = g.lo
            if self.r == 1:
                # on R3'': s = ||xxᵀ|| > 2||M|| ≥ 2λ_1 = 2 > λ_i, so ||∇F||² ≥ 16c²·s(s − 1)², increasing in s
                sc = max(Q["s"].lo, K.two_norm_lo)
                g_lo = max(g_lo, 16 * K.c * K.c * sc * (sc - 1) ** 2)
            low = g_lo / K.kappa3_far_sq.hi - 1
            if g_lo >= K.kappa3_far_sq.hi:
                return HOLDS, low
            return (FAILS if g.hi < K.kappa3_far_sq.lo else UNKNOWN), low
        if region == "R3'":
            g = self.grad_sq(Q)
            low = g.lo / K.kappa3_sq - 1
            if g.lo >= K.kappa3_sq:
                return HOLDS, low
            return (FAILS if g.hi < K.kappa3_sq else UNKNOWN), low
        s_l, q, x = Q["s_l"], Q["q"], Q["x"]
        if region == "R1a":
            # on R1a: s ≤ r1a and x_i² ≤ s (constraint propagation; exact, so the tight case closes)
            s = Q["s"].clamp_hi(K.r1a)
            if s is None:
                return HOLDS, fmpq(0)
            q = tuple(Iv(qi.lo, min(qi.hi, s.hi)) for qi in q)
            s_l = tuple(s - lam for lam in self.lams)
            if self.n == 1:
                q = (s,)
        if region in ("R1a", "R1b"):
            # λ_min(∇²F) ≤ −κ1 ⟺ A = ∇²F + κ1·I is not positive definite: a principal minor ≤ 0 shows it;
            # all leading minors > 0 (Sylvester) show the opposite
            A = self._hess_r1(s_l, q, x, K.kappa1)
            low = max(-A[i][i].hi for i in range(self.n)) / K.kappa1
            if any(m.hi <= 0 for m in principal_minors(A)):
                return HOLDS, low
            return (FAILS if all(m.lo > 0 for m in leading_minors(A)) else UNKNOWN), low
        # R2: λ_min(∇²F) ≥ κ2 ⟺ A = ∇²F − κ2·I is positive semidefinite ⟺ every principal minor ≥ 0
        A = self._hess_r1(s_l, q, x, -K.kappa2)
        low = min(A[i][i].lo for i in range(self.n)) / K.kappa2
        minors = principal_minors(A)
        if all(m.lo >= 0 for m in minors):
            return HOLDS, low
        return (FAILS if any(m.hi < 0 for m in minors) else UNKNOWN), low


def _le(v: Iv, bound: fmpq) -> int:
    return IN if v.hi <= bound else (OUT if v.lo > bound else MAYBE)


def _gt(v: Iv, bound: fmpq) -> int:
    return IN if v.lo > bound else (OUT if v.hi <= bound else MAYBE)


ORDER = ("R1a", "R1b", "R2", "R3''")


def _status(mem: dict[str, int], region: str) -> tuple[bool, bool]:
    """(the box may meet the region, the box lies certainly inside it), in classify_region's precedence."""
    if region == "R3'":
        return all(mem[k] != IN for k in ORDER), all(mem[k] == OUT for k in ORDER)
    higher = ORDER[:ORDER.index(region)]
    possible = mem[region] != OUT and all(mem[k] != IN for k in higher)
    certain = mem[region] == IN and all(mem[k] == OUT for k in higher)
    return possible, certain


def _point_ratio(model: _Model, Qm: dict[str, Any]) -> fmpq | None:
    """Exact ||∇F||²/κ3² at a point (quantities ``Qm``) if it lies certainly in R3′ (else None)."""
    if not _status(Qm["mem"], "R3'")[1]:
        return None
    g = model.grad_sq(Qm)
    return g.hi / model.K.kappa3_sq


def _point_violation(model: _Model, region: str, Qm: dict[str, Any]) -> bool:
    """True when the point lies certainly in ``region`` and its inequality fails there (exact arithmetic)."""
    return _status(Qm["mem"], region)[1] and model.inequality(region, Qm)[0] == FAILS


def _grow(model: _Model, region: str, mid: tuple[Iv, ...], width: fmpq) -> tuple[Iv, ...]:
    """The largest box mid ± width/2^k (k ≥ 2) that is certainly in ``region`` and fails on all of it; the
    point itself when none is (a point of exact rationals is a certificate too)."""
    h = width / 4
    while h > fmpq(1, 2 ** 40):
        box = tuple(Iv(m.lo - h, m.lo + h) for m in mid)
        Q = model.quantities(box)
        if _status(Q["mem"], region)[1] and model.inequality(region, Q)[0] == FAILS:
            return box
        h /= 4
    return mid


def branch_and_bound(inst: Instance, c: sp.Rational, factors: Mapping[str, sp.Rational],
                     max_boxes: int = 20000, min_width: fmpq = fmpq(1, 2 ** 30)) -> Outcome:
    """Certify, refute or leave undecided each bounded region's inequality for one instance (module doc).

    Best-first: the box whose pending inequality has the lowest margin bound is split first, so a
    violation is met early; certification needs every box settled, whatever the order.
    """
    K = exact_constants(inst, c, factors)
    model = _Model(inst, K)
    checked = _regions_checked(inst)
    status = {r: "certified" for r in checked}
    undecided: dict[str, int] = {}
    box0 = tuple(Iv(0, 2) for _ in range(model.dim))
    tie = itertools.count(1)  # unique second key: boxes themselves are never compared
    heap: list[tuple[fmpq, int, tuple[Iv, ...], tuple[str, ...]]] = [(fmpq(0), 0, box0, checked)]
    boxes = 0
    best: fmpq | None = None
    while heap:
        _, _, box, pending = heapq.heappop(heap)
        boxes += 1
        Q = model.quantities(box)
        still, low = [], None
        for region in pending:
            possible, certain = _status(Q["mem"], region)
            if not possible:
                continue
            verdict, margin = model.inequality(region, Q)
            if verdict == HOLDS:
                continue
            if verdict == FAILS and certain:
                status[region] = "violated"
                return Outcome(inst.name, status, boxes, violation=_violation(model, region, box),
                               r3_ratio_sq_upper=best)
            still.append(region)
            low = margin if low is None else min(low, margin)
        if not still:
            continue
        widths = [b.hi - b.lo for b in box]
        # the midpoint, exactly: a violation there is certified at once (then grown into a box)
        mid = tuple(Iv((b.lo + b.hi) / 2) for b in box)
        Qm = model.quantities(mid)
        for region in still:
            if _point_violation(model, region, Qm):
                status[region] = "violated"
                return Outcome(inst.name, status, boxes, r3_ratio_sq_upper=best, violation=_violation(
                    model, region, _grow(model, region, mid, max(widths))))
        if "R3'" in still:
            ratio = _point_ratio(model, Qm)
            if ratio is not None and (best is None or ratio < best):
                best = ratio
        k = max(range(len(box)), key=lambda i: widths[i])
        if widths[k] <= min_width or boxes >= max_boxes:
            rest = [still] + ([p for *_, p in heap] if boxes >= max_boxes else [])
            for regions in rest:
                for region in regions:
                    undecided[region] = undecided.get(region, 0) + 1
                    status[region] = "undecided"
            if boxes >= max_boxes:
                break
            continue
        m = (box[k].lo + box[k].hi) / 2
        for half in (Iv(box[k].lo, m), Iv(m, box[k].hi)):
            heapq.heappush(heap, (low, next(tie), box[:k] + (half,) + box[k + 1:], tuple(still)))
    return Outcome(inst.name, status, boxes, undecided=undecided, r3_ratio_sq_upper=best)


def _violation(model: _Model, region: str, box: tuple[Iv, ...]) -> dict[str, Any]:
    """The certified violating box, with what fails at its midpoint (exact) and the relative margin there
    (the region's own margin, as in ``verify.landscape.symmetric.evaluate``; mpmath, for display only)."""
    import mpmath

    mid = tuple(Iv((b.lo + b.hi) / 2) for b in box)
    Q = model.quantities(mid)
    K = model.K
    out: dict[str, Any] = {"region": region, "box": [[str(b.lo), str(b.hi)] for b in box],
                           "midpoint": [str(m.lo) for m in mid], "coordinates": _coordinate_names(model)}
    with mpmath.workdps(30):
        def mp(x: fmpq) -> mpmath.mpf:
            return mpmath.mpf(int(x.p)) / int(x.q)

        if region in ("R3'", "R3''"):
            g = model.grad_sq(Q)
            k_sq = K.kappa3_sq if region == "R3'" else K.kappa3_far_sq.lo
            out["fails"] = f"||∇F||² = {g.lo} < κ² (exact)"
            margin = mpmath.sqrt(mp(g.lo) / mp(k_sq)) - 1
        else:
            shift = K.kappa1 if region in ("R1a", "R1b") else -K.kappa2
            A = [[x.lo for x in row] for row in model._hess_r1(Q["s_l"], Q["q"], Q["x"], shift)]
            name = "∇²F + κ1·I" if shift == K.kappa1 else "∇²F − κ2·I"
            out["fails"] = f"{name} at the midpoint = {[[str(x) for x in row] for row in A]} (exact)"
            lmin = min(mpmath.eigsy(mpmath.matrix([[mp(x) for x in row] for row in A]), eigvals_only=True))
            margin = -lmin / mp(K.kappa1) if region in ("R1a", "R1b") else lmin / mp(K.kappa2)
        out["midpoint_margin_float"] = float(margin)
    out["why"] = ("the box (or point) lies certainly inside the region and the inequality fails on all of it "
                  "(exact rational interval arithmetic)")
    return out


def _coordinate_names(model: _Model) -> list[str]:
    if model.r == 2:
        return ["a", "b", "d (X = [[a, 0], [b, d]] in the eigenbasis of M)"]
    return [f"x{i + 1} (coefficient of u{i + 1})" for i in range(model.n)]


#: instances per profile level (λ_1 = 1; see the module doc for what each covers): quick three, standard
#: ten (≈ 0.5 s together), thorough every μ = λ_2/λ_1 in {0, 1/20, …, 19/20} at n = 2, r = 1, μ in
#: {1/10, …, 9/10} at n = r = 2 and seven spectra at n = 3, r = 1 (≈ 3 s; shared 2-core machine).
FAMILIES: dict[int, tuple[tuple[tuple[str, ...], int], ...]] = {
    0: ((("1",), 1), (("1", "9/10"), 1), (("1", "1/2"), 2)),
    1: ((("1",), 1),) + tuple((("1", mu), 1) for mu in ("0", "1/4", "1/2", "3/4", "9/10"))
       + tuple((("1", mu), 2) for mu in ("1/2", "9/10"))
       + ((("1", "1/2", "0"), 1), (("1", "3/5", "1/2"), 1)),
    2: ((("1",), 1),) + tuple((("1", f"{k}/20"), 1) for k in range(20))
       + tuple((("1", f"{k}/10"), 2) for k in range(1, 10))
       + tuple((lam, 1) for lam in (("1", "1/2", "0"), ("1", "1/2", "1/4"), ("1", "3/5", "1/2"),
                                    ("1", "9/10", "1/2"), ("1", "9/10", "4/5"), ("1", "1/4", "1/5"),
                                    ("1", "3/4", "1/4"))),
}


def family(level: int) -> list[Instance]:
    """The instances of one profile level."""
    return [make_instance(lam, r) for lam, r in FAMILIES[min(max(level, 0), 2)]]
