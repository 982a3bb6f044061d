"""Minimal counterexamples of the property kind: smallest depth, then simplest m, then simplest λ.

Greedy and deterministic: starting from the first failing instance of a seeded high-precision scan (it
depends only on the claim and the run's seed, profile and digits, never on which tier or worker refuted first), each coordinate in turn is replaced by the simplest value that still fails, judged at
high precision (30 digits, ``property_highprec.confirm``). "Simplest" orders exact rationals p/q in the claimed
range by height max(|p|, q), then value; the range's endpoints are tried too.
"""
from __future__ import annotations

from typing import Any, Callable

import sympy as sp

from .context import RunContext
from .property import Instance, PropertySpec, plan

MAX_TRIES = 24
MAX_HEIGHT = 24


def simple_values(lo: sp.Rational, hi: sp.Rational, limit: int = MAX_TRIES) -> list[sp.Rational]:
    """Rationals in [lo, hi] by increasing height max(|p|, q), then value; the endpoints after height 24."""
    out: list[sp.Rational] = []
    for h in range(1, MAX_HEIGHT + 1):
        found = set()
        for q in range(1, h + 1):
            for p in (h,) if q < h else range(1, h + 1):
                x = sp.Rational(p, q)
                if x.q == q and lo <= x <= hi:
                    found.add(x)
        out += sorted(found)
        if len(out) >= limit:
            break
    for x in (lo, hi):
        if x not in out:
            out.append(x)
    return out[:limit + 2]


def shrinker(spec: PropertySpec) -> Callable[[RunContext], dict[str, Any] | None]:
    from .property_highprec import confirm

    def fails(inst: Instance) -> bool:
        return confirm(spec, inst, 30)[0] == "violated"

    def start(ctx: RunContext) -> Instance | None:
        for inst in plan(spec, ctx, "shrink-scan", 8, spec.chosen_depths(ctx)):
            if fails(inst):
                return inst
        return None

    def shrink(ctx: RunContext) -> dict[str, Any] | None:
        inst = start(ctx)
        if inst is None:
            return None
        tried = 0
        for L in sorted(d for d in spec.chosen_depths(ctx) if d < inst.depth):
            tried += 1
            if fails(Instance(L, inst.m, inst.lam)):
                inst = Instance(L, inst.m, inst.lam)
                break
        for m in simple_values(*spec.m_range):
            if m == inst.m or _height(m) >= _height(inst.m):
                continue
            tried += 1
            if fails(Instance(inst.depth, m, inst.lam)):
                inst = Instance(inst.depth, m, inst.lam)
                break
        for lam in simple_values(*spec.lam_range):
            if lam == inst.lam or _height(lam) >= _height(inst.lam):
                continue
            tried += 1
            if fails(Instance(inst.depth, inst.m, lam)):
                inst = Instance(inst.depth, inst.m, lam)
                break
        _, found = confirm(spec, inst, 30)
        point, judged = found
        return {**spec.base_example(inst), "point": point.label, "w": list(point.w), "lhs": judged.lhs,
                "rhs": judged.rhs, "candidates_tried": tried,
                "reproduce": f'the same claim with depths = [{inst.depth}], m_range = ["{inst.m}", "{inst.m}"], '
                             f'lam_range = ["{inst.lam}", "{inst.lam}"]'}
    return shrink


def _height(x: sp.Rational) -> int:
    return max(abs(int(x.p)), int(x.q))
