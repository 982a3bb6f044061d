"""Float64 sampling and adversarial search for the worst margin of each L5 region (R1a, R1b, R2, R3', R3'').

Points are drawn near every stationary point (at log-uniform distances scaled by the region radii),
just inside the R1a boundary (σ_r rescaled), just outside the R3'' boundary (XXᵀ rescaled) and at
random scales; then, for every region, Powell's method minimizes the region's margin from the
``starts`` lowest-margin sampled points of that region (deterministic: seeded by the run's seed).
The result is cached per (seed, profile, c, factors) so the high-precision tier can re-evaluate the
worst points the numeric tier found without repeating the search.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..kernels.symmetric import Instance, index_sets, random_orthogonal, random_spectrum, stationary_point
from .symmetric import PointReport, RegionEvaluator, constants, in_scope

REGIONS = ("R1a", "R1b", "R2", "R3'", "R3''")


@dataclass
class Found:
    """One evaluated point: where it came from, the instance, the point and its report."""

    how: str
    inst: Instance
    X: np.ndarray
    rep: PointReport

    def to_json(self) -> dict[str, Any]:
        return {"region": self.rep.region, "how": self.how, "X": self.X.tolist(), "lambda": self.inst.lam.tolist(),
                "U": self.inst.U.tolist(), "r": self.inst.r, "value": float(self.rep.value),
                "bound": float(self.rep.bound), "margin": float(self.rep.margin)}


@dataclass
class SearchResult:
    """Per region the ``keep`` lowest-margin points, counts, per-route minima and the scope covered."""

    worst: dict[str, list[Found]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    by_route: dict[str, float] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)
    sizes: set = field(default_factory=set)
    instances: int = 0
    starts: int = 0
    maxfev: int = 0

    def record(self, found: Found, keep: int = 3) -> None:
        region = found.rep.region
        self.counts[region] = self.counts.get(region, 0) + 1
        key = f"{region} ({found.how.split()[0]})"
        self.by_route[key] = min(self.by_route.get(key, math.inf), float(found.rep.margin))
        lst = self.worst.setdefault(region, [])
        lst.append(found)
        lst.sort(key=lambda f: f.rep.margin)
        del lst[keep:]


#: shapes (n, r, p) searched at each level: small ones first, so quick covers n = r, p = r, p > r and r = 1, 2
SHAPES = {
    0: ((2, 1, 1), (2, 1, 2), (2, 2, 2), (3, 1, 2), (3, 2, 3)),
    1: ((2, 1, 1), (2, 1, 2), (2, 2, 2), (3, 1, 2), (3, 2, 3), (3, 2, 2), (3, 3, 3), (4, 1, 4), (4, 2, 3),
        (4, 3, 4)),
    2: tuple((n, r, p) for n in (2, 3, 4) for r in range(1, n + 1) for p in range(r, n + 1)) * 2,
}


def budget(level: int, search_steps: int) -> tuple[tuple[tuple[int, int, int], ...], int, int, int]:
    """(shapes (n, r, p), points per stationary point, Powell starts per region and instance, evaluations per start)."""
    return SHAPES[level], (8, 16, 80)[level], (3, 3, 6)[level], min(search_steps, (60, 150, 3000)[level])


def _boundary_samples(rng: np.random.Generator, inst: Instance, K, count: int) -> list[np.ndarray]:
    """Points just inside R1a (σ_r² = f·λ_r·(1 − u)) and just outside R3'' (||XXᵀ|| = 2||M||(1 + u))."""
    n, r = inst.n, inst.r
    out = []
    normM = float(np.linalg.norm(inst.lam))
    for _ in range(count):
        u = math.exp(rng.uniform(math.log(1e-4), 0.0))
        Y = rng.standard_normal((n, r))
        P, s, Qt = np.linalg.svd(Y, full_matrices=False)
        s = s * math.sqrt(inst.lam[0]) / s[0]
        s[r - 1] = math.sqrt(K.r1a_frac * inst.lam[r - 1] * (1 - u))
        out.append((P * s) @ Qt)
        Z = rng.standard_normal((n, r))
        out.append(Z * math.sqrt(2 * normM * (1 + u) / np.linalg.norm(Z @ Z.T)))
    return out


def _search(seed: int, level: int, search_steps: int, c: float, factors: tuple[tuple[str, float], ...]
            ) -> SearchResult:
    from scipy.optimize import minimize

    fac = dict(factors)
    rng = np.random.default_rng([seed, 0x4C35])
    shapes, per_centre, starts, maxfev = budget(level, search_steps)
    res = SearchResult(starts=starts, maxfev=maxfev)
    for n, r, p in shapes:
        inst = Instance(random_spectrum(rng, n, p), random_orthogonal(rng, n), r)
        reason = in_scope(inst)
        if reason:
            res.outside.append(f"n={inst.n} r={inst.r} p={inst.p}: {reason}")
            continue
        res.instances += 1
        res.sizes.add((inst.n, inst.r, inst.p))
        K = constants(inst, c).scaled(**fac)
        n, r = inst.n, inst.r
        pts = []
        for S in index_sets(inst):
            Xs = stationary_point(inst, S, random_orthogonal(rng, r))
            for _ in range(per_centre):
                Ed = rng.standard_normal((n, r))
                Ed /= np.linalg.norm(Ed)
                base = K.rho1 if len(S) == r and S != tuple(range(r)) else K.rho2
                pts.append(Xs + base * math.exp(rng.uniform(math.log(1e-2), math.log(30))) * Ed)
        pts += [rng.standard_normal((n, r)) * math.sqrt(inst.lam[0]) * s for s in (0.5, 1, 2, 4)]
        pts += _boundary_samples(rng, inst, K, 4)
        evaluate = RegionEvaluator(inst, K)
        reps = [evaluate(X) for X in pts]
        for X, rep in zip(pts, reps):
            res.record(Found("sampled", inst, X, rep))
        for region in REGIONS:
            cands = sorted((rep.margin, i) for i, rep in enumerate(reps) if rep.region == region)[:starts]
            for _, i in cands:
                best: list[Any] = [math.inf, None]
                seen: dict[bytes, float] = {}  # Powell's line searches revisit points: the same value again

                def obj(x, region=region):
                    key = x.tobytes()
                    if key in seen:
                        return seen[key]
                    Xp = x.reshape(n, r)
                    rp = evaluate(Xp, only=region)
                    if rp is None:  # outside the region: its margin is not needed
                        seen[key] = 10.0
                        return 10.0
                    if rp.margin < best[0]:
                        best[0], best[1] = rp.margin, (Xp.copy(), rp)
                    seen[key] = rp.margin
                    return rp.margin

                minimize(obj, pts[i].ravel(), method="Powell",
                         options={"maxfev": maxfev, "xtol": 1e-10, "ftol": 1e-12})
                if best[1] is not None:
                    res.record(Found("adversarial (Powell)", inst, best[1][0], best[1][1]))
    # outside the claim: deliberately one r > p instance and one with tied eigenvalues
    for lam, r in ((np.array([1.0, 0.5, 0.0]), 3), (np.array([1.0, 1.0, 0.3]), 1)):
        res.outside.append(f"λ={lam.tolist()} r={r}: {in_scope(Instance(lam, random_orthogonal(rng, 3), r))}")
    return res


@functools.lru_cache(maxsize=16)
def _cached(seed: int, level: int, search_steps: int, c: float, factors: tuple) -> SearchResult:
    return _search(seed, level, search_steps, c, factors)


def region_search(seed: int, level: int, search_steps: int, c: float, factors: dict[str, float]) -> SearchResult:
    """The (cached) search for one run: same arguments, same points."""
    return _cached(seed, level, search_steps, float(c), tuple(sorted((k, float(v)) for k, v in factors.items())))
