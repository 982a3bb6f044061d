"""Goals of issue 13 for `verify bench` rows, with causes measured in the same run.

``annotate(ours, peer_rows, floor, device)`` adds to each backend row its floor, the ratios over
the floor and each peer, and, for the goal backend of the device, ``goals``: a list of
{goal, value, value_out, met, cause}. ``goal_misses(rows)`` lists every goal not met. A cause is
derived from the row's own measurements (the floor, the peer, the compute-only pass), never
assumed.
"""
from __future__ import annotations

#: Goals per device (issue 13): (backend measured, peer, minimum ratio of instances/s over the
#: peer, widths it applies to); and on the CPU the floor goal: time with out= ≤ floor_goal[0] × the
#: touched single-thread fill at d = 8.
GOALS = {
    "cpu": {"backend": "numba", "peer_goals": [("jax", 10.0, None)], "floor_goal": (1.5, (8,))},
    "gpu": {"backend": "jaxgen", "peer_goals": [("jax", 5.0, (8,)), ("jax", 2.0, (1, 2, 3, 4))],
            "floor_goal": None},
}


#: What the compute of each numba path is, for causes.
_WORK = {"tiled": "factor products on instance-innermost tiles and their transposition to rows",
         "plain": "per-instance factor products and the u ⊗ v passes over each row",
         "unrolled": "straight-line code generated for the size: the products of every entry",
         "looped": "loop nests generated for the size: the factor products and the u ⊗ v runs of each row"}


def annotate(ours: list[dict], peer_rows: list[dict], floor: dict, device: str) -> None:
    """Ratios against the floor and each peer, and the goals of ``GOALS[device]`` with causes."""
    speeds = {r["impl"]: r["inst_per_s"] for r in peer_rows if "inst_per_s" in r}
    fastest = max(speeds.values()) if speeds else None
    floor_s = floor["seconds"]
    goals = GOALS[device]
    for r in (r for r in ours if "skipped" not in r):
        pre = r.get("seconds_prealloc")
        r["floor_s"] = floor_s
        r["ratio_vs_floor"] = r["seconds"] / floor_s
        r["ratio_vs_floor_out"] = pre / floor_s if pre else None
        r["ratios"] = {f"{p} [{_peer_device(peer_rows, p)}]": r["inst_per_s"] / v for p, v in speeds.items()}
        r["ratio_vs_fastest_peer"] = r["inst_per_s"] / fastest if fastest else None
        r["frac_of_bound"] = floor_s / pre if pre else floor_s / r["seconds"]
        if r["impl"] != goals["backend"]:
            continue
        r["goals"] = []
        for peer, target, only in goals["peer_goals"]:
            if only is not None and r["width"] not in only:
                continue
            if peer not in speeds:
                r["goals"].append({"goal": f"≥ {target:g}× {peer} ({device})", "value": None, "met": None,
                                   "cause": f"{peer} not measured"})
                continue
            value = r["inst_per_s"] / speeds[peer]  # allocating calls on both sides (conservative)
            met = value >= target
            value_out = r["n"] / pre / speeds[peer] if pre else None  # ours writing into out=
            r["goals"].append({"goal": f"≥ {target:g}× {peer} ({device})", "value": value, "met": met,
                               "value_out": value_out,
                               "cause": None if met else _peer_cause(r, speeds[peer], floor_s, target)})
        if goals["floor_goal"] and r["width"] in goals["floor_goal"][1] and pre:
            target = goals["floor_goal"][0]
            value = pre / floor_s
            met = value <= target
            r["goals"].append({"goal": f"≤ {target:g}× touched fill, out= (d = {r['width']})", "value": value,
                               "met": met, "cause": None if met else _floor_cause(r, floor_s)})


def _peer_device(peer_rows: list[dict], name: str) -> str:
    return next((r.get("device", "?") for r in peer_rows if r["impl"] == name), "?")


def _peer_cause(r: dict, peer_inst_per_s: float, floor_s: float, target: float) -> str:
    """Why a size is short of target× the peer, from this run's own measurements."""
    n = r["n"]
    peer_s = n / peer_inst_per_s
    if peer_s / floor_s < target:
        return (f"unreachable here: writing the output alone (the floor, {floor_s:.3g} s) is only "
                f"{peer_s / floor_s:.1f}× faster than the peer ({peer_s:.3g} s)")
    c = r.get("seconds_compute_only")
    if c is not None and peer_s / c < target:
        return (f"compute: the kernel without DRAM stores takes {c:.3g} s of the {r['seconds']:.3g} s call "
                f"({_WORK.get(r.get('compute_path') or '', 'the kernel arithmetic')}); compute alone would be "
                f"only {peer_s / c:.1f}× the peer")
    if c is not None:
        one = r.get("seconds_one_instance")
        setup = (f"; a call with one instance (the per-call set-up: input checks, dispatch) takes {one:.3g} s"
                 if one is not None else "")
        return (f"set-up, allocation and stores: compute alone ({c:.3g} s of the {r['seconds']:.3g} s call) would be "
                f"{peer_s / c:.1f}× the peer{setup}; the call into out= (no page faults) takes "
                f"{r.get('seconds_prealloc') or float('nan'):.3g} s, the rest of it the stores")
    return f"{r['seconds']:.3g} s per call vs {peer_s:.3g} s for the peer"


def _floor_cause(r: dict, floor_s: float) -> str:
    c = r.get("seconds_compute_only")
    pre = r["seconds_prealloc"]
    if c is not None and c >= floor_s:
        return (f"compute: even without DRAM stores the kernel takes {c:.3g} s on one thread, "
                f"{c / floor_s:.2f}× the fill ({floor_s:.3g} s)")
    if c is not None:
        return (f"stores and compute do not overlap fully: compute alone {c:.3g} s, fill {floor_s:.3g} s, "
                f"call with out= {pre:.3g} s")
    return f"call with out= {pre:.3g} s vs fill {floor_s:.3g} s"


def goal_misses(rows: list[dict]) -> list[dict]:
    """Every missed goal: {depth, width, impl, goal, value, cause}."""
    return [{"depth": r["depth"], "width": r["width"], "impl": r["impl"], **g}
            for r in rows for g in r.get("goals", ()) if g["met"] is not True]
