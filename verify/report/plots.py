"""Evidence plots drawn from a report's own data (report.json), for readers who would rather look.

- digits of agreement per check (the whole run) and against depth (a claim's samples);
- worst margin per check (the whole run) and against instance (a claim's rows with a margin);
- iterations against the bound (a convergence claim's measured lingering against its slope bound).

Nothing is recomputed: every point is a number the report already holds, read from strings with
``float`` only for drawing (the report keeps the exact strings). A plot is drawn only where there are
at least two points. Figures are drawn with matplotlib's object API on the Agg canvas (no pyplot
state, no display), small and at most ``MAX_PLOTS`` per report. Each is drawn once: its ticks are fixed
and its margins measured from the laid-out text before the draw (``_fit``) instead of cropping to a tight
box afterwards, which costs a second draw.
"""
from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Iterator

MAX_PLOTS = 12
MAX_BARS = 40
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _num(value: object) -> float | None:
    """A finite float from a number or a string that is only a number; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str) and _NUMBER.match(value.strip()):
        x = float(value.strip())
    else:
        return None
    return x if math.isfinite(x) else None


def _is_inf(value: object) -> bool:
    return value == "inf" or (isinstance(value, float) and value == math.inf)


DPI = 90
_OVERVIEW_WIDTH = 9.0  # inches: a whole-run plot (its row labels take up to ~3 in of it)
_PAD = 0.08  # inches of white border around the drawn content


def _png(fig) -> bytes:
    """The figure as PNG, in one draw: its layout was fitted beforehand (``_fit``), not cropped afterwards
    (``bbox_inches="tight"`` would draw everything twice); no metadata chunk."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _figure(width: float = 6.4, height: float = 3.2):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=DPI)
    return fig, fig.add_subplot(1, 1, 1)


def _freeze_ticks(axis) -> None:
    """Fix ``axis``'s major ticks at those its locator picks inside the current view, without minor ticks:
    the labels measured for the layout are then the ones drawn (an automatic locator would pick again for
    the fitted axes' length), and no Tick object is made for a location outside the view. Compared on the
    axis's scale (a log locator's step below the view may underflow to 0); the view is kept as it was."""
    import numpy as np
    from matplotlib.ticker import NullLocator

    view = axis.get_view_interval()
    scale = axis.get_transform()
    locs = np.asarray(axis.get_majorticklocs(), dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo, hi = sorted(scale.transform(np.asarray(view, dtype=float)))
        pos = scale.transform(locs)
    slack = 1e-9 * (hi - lo)
    axis.set_ticks([float(t) for t, p in zip(locs, pos) if np.isfinite(p) and lo - slack <= p <= hi + slack])
    axis.set_view_interval(*view, ignore=True)
    axis.set_minor_locator(NullLocator())


def _fit(fig, ax) -> None:
    """Place the axes so that everything drawn (tick labels, axis labels, offset texts, notes past the
    axes' edge) fits inside the figure with a small border: the extents are measured with the canvas's own
    renderer (``get_tightbbox``, which lays out text without drawing), and those text metrics are then
    reused by the one draw; the figure keeps its size. Notes placed in data coordinates move with the
    axes, so where there are any a second measurement follows the first placement."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    _freeze_ticks(ax.xaxis)
    _freeze_ticks(ax.yaxis)
    renderer = FigureCanvasAgg(fig).get_renderer()  # kept by the canvas: the draw in _png reuses it
    width, height = fig.bbox.width, fig.bbox.height
    pad = _PAD * DPI
    for _ in range(2 if ax.texts else 1):
        drawn, axes = ax.get_tightbbox(renderer), ax.bbox
        left, right = axes.x0 - drawn.x0 + pad, drawn.x1 - axes.x1 + pad
        bottom, top = axes.y0 - drawn.y0 + pad, drawn.y1 - axes.y1 + pad
        fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)


def _slug(text: object) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text))[:60].strip("-") or "x"


def _label(claim: Mapping[str, Any], check: Mapping[str, Any]) -> str:
    text = f"{claim.get('id')} · {check.get('check')}"
    return text if len(text) <= 60 else text[:57] + "…"


# -- the whole run ------------------------------------------------------------------------------

def digits_overview(claims: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Digits of agreement of every check that reports them (exact equality drawn as a full bar)."""
    rows = [(_label(c, e), e.get("digits")) for c in claims for e in c.get("evidence") or []
            if isinstance(e, Mapping) and (_num(e.get("digits")) is not None or _is_inf(e.get("digits")))]
    if len(rows) < 2:
        return None
    rows = rows[:MAX_BARS]
    finite = [_num(d) for _, d in rows if _num(d) is not None]
    if not finite:  # every check exact: the summary table says so, a plot of full bars adds nothing
        return None
    cap = max(finite + [10.0]) * 1.15
    fig, ax = _figure(_OVERVIEW_WIDTH, 0.9 + 0.26 * len(rows))
    ys = range(len(rows))
    values = [cap if _is_inf(d) else _num(d) for _, d in rows]
    colours = ["#0a3069" if _is_inf(d) else "#6e40c9" for _, d in rows]
    ax.barh(list(ys), values, color=colours)
    notes = [" exact" if _is_inf(d) else f" {_num(d):.1f}" for _, d in rows]
    for y, note in zip(ys, notes):
        ax.text(values[y], y, note, va="center", fontsize=7)
    labels = [r[0] for r in rows]
    ax.set_yticks(list(ys), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, cap * 1.12)
    ax.set_xlabel("digits of agreement between independent routes")
    _fit(fig, ax)
    n_exact = sum(1 for _, d in rows if _is_inf(d))
    caption = (f"Digits of agreement per check, for the {len(rows)} checks of this run that report them "
               f"(worst case over each check's instances). Dark bars ({n_exact}) are exact equalities, drawn "
               "to the right edge; the others are the digits to which two independent computations agree.")
    return {"file": "figures/evidence/digits-per-check.png", "caption": caption, "claim": None, "png": _png(fig)}


def margin_overview(claims: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The worst margin of every check whose margin is a plain number (negative = violated)."""
    rows = [(_label(c, e), _num(e.get("worst_margin"))) for c in claims for e in c.get("evidence") or []
            if isinstance(e, Mapping) and _num(e.get("worst_margin")) is not None]
    if len(rows) < 2:
        return None
    rows = rows[:MAX_BARS]
    fig, ax = _figure(_OVERVIEW_WIDTH, 0.9 + 0.26 * len(rows))
    values = [v for _, v in rows]
    sizes = [abs(v) if v else 1e-300 for v in values]
    ax.scatter(sizes, range(len(rows)), c=["#cf222e" if v < 0 else "#2da44e" for v in values], s=22, zorder=3)
    notes = [f"  {v:.3g}" for v in values]
    for y, note in enumerate(notes):
        ax.text(sizes[y], y, note, va="center", fontsize=7)
    ax.set_xscale("log")
    lo, hi = min(sizes), max(sizes)
    ax.set_xlim(lo / 10, hi * 1e3)
    ax.grid(axis="x", linewidth=0.3)
    labels = [r[0] for r in rows]
    ax.set_yticks(list(range(len(rows))), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("|worst normalized margin| (log scale); red: negative")
    _fit(fig, ax)
    bad = sum(1 for v in values if v < 0)
    caption = (f"Worst normalized margin per check, for the {len(rows)} checks whose margin is a number: "
               f"how close the closest instance came to breaking the claim, on a log scale of its size. {bad} "
               "of them are negative (red): an excess the check's stated tolerance absorbs when the check is "
               "verified (rounding level), a violation when it is refuted; see each check's tolerance.")
    return {"file": "figures/evidence/margin-per-check.png", "caption": caption, "claim": None, "png": _png(fig)}


# -- one claim ------------------------------------------------------------------------------------

def _row_lists(value: object, depth: int = 0) -> Iterator[list[Mapping[str, Any]]]:
    """Every list of objects inside ``value`` (details of a check), depth first."""
    if depth > 4:
        return
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        yield value
    if isinstance(value, Mapping):
        for v in value.values():
            yield from _row_lists(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _row_lists(v, depth + 1)


def digits_by_depth(claim: Mapping[str, Any]) -> dict[str, Any] | None:
    """Digits of agreement against depth, from rows that hold both (exact drawn at the top)."""
    series = []
    for e in claim.get("evidence") or []:
        if not isinstance(e, Mapping):
            continue
        for rows in _row_lists(e.get("details")):
            pts = [(_num(r.get("depth")), r.get("digits")) for r in rows if "depth" in r and "digits" in r]
            pts = [(d, g) for d, g in pts if d is not None and (_num(g) is not None or _is_inf(g))]
            if len(pts) >= 2:
                series.append((str(e.get("check")), pts))
    if not series:
        return None
    finite = [_num(g) for _, pts in series for _, g in pts if _num(g) is not None]
    top = max(finite + [10.0]) * 1.15
    fig, ax = _figure()
    n_points = n_exact = 0
    for name, pts in series:
        xs = [d for d, _ in pts]
        ys = [top if _is_inf(g) else _num(g) for _, g in pts]
        ax.scatter(xs, ys, s=16, label=name[:50])
        n_points += len(pts)
        n_exact += sum(1 for _, g in pts if _is_inf(g))
    ax.axhline(top, color="#8c959f", linestyle=":", linewidth=0.8)
    ax.set_ylim(0, top * 1.08)
    ax.set_xlabel("depth L")
    ax.set_ylabel("digits of agreement")
    ax.legend(fontsize=7, loc="lower right")
    caption = (f"{claim.get('id')}: digits of agreement against depth L for {n_points} instances; "
               f"{n_exact} agree exactly (drawn on the dotted line at the top). Each point is an instance "
               "the high-precision check compared with the claim.")
    return _claim_plot(claim, "digits-by-depth", caption, fig)


def margin_by_instance(claim: Mapping[str, Any]) -> dict[str, Any] | None:
    """The margin of each instance, from rows with a numeric ``margin`` (or ``relative_margin``)."""
    for e in claim.get("evidence") or []:
        if not isinstance(e, Mapping):
            continue
        for rows in _row_lists(e.get("details")):
            key = next((k for k in ("margin", "relative_margin", "worst_margin") if any(k in r for r in rows)), None)
            values = [_num(r.get(key)) for r in rows] if key else []
            values = [v for v in values if v is not None]
            if len(values) >= 2:
                fig, ax = _figure()
                ax.plot(range(1, len(values) + 1), values, "o", markersize=3)
                ax.axhline(0, color="#cf222e", linewidth=0.8)
                ax.set_xlabel("instance")
                ax.set_ylabel(key.replace("_", " "))
                caption = (f"{claim.get('id')}: {key.replace('_', ' ')} of each of {len(values)} instances of the "
                           f"check “{e.get('check')}”, in the order drawn; the red line is 0, below which the "
                           "claim would be violated.")
                return _claim_plot(claim, "margin-by-instance", caption, fig)
    return None


def iterations_against_bound(claim: Mapping[str, Any]) -> dict[str, Any] | None:
    """Measured iterations against log(1/δ) beside the claimed slope bound (a lingering run)."""
    for e in claim.get("evidence") or []:
        details = e.get("details") if isinstance(e, Mapping) else None
        found = _lingering(details)
        if found is None:
            continue
        deltas, iterations, bound, predicted = found
        xs = [math.log(1 / d) for d in deltas]
        fig, ax = _figure()
        ax.plot(xs, iterations, "o-", color="#0969da", label="measured iterations")
        x0, y0 = xs[0], iterations[0]
        ax.plot(xs, [y0 + bound * (x - x0) for x in xs], "--", color="#cf222e", label=f"bound: slope {bound:.4g}")
        if predicted is not None:
            ax.plot(xs, [y0 + predicted * (x - x0) for x in xs], ":", color="#57606a",
                    label=f"predicted: slope {predicted:.4g}")
        ax.set_xlabel("log(1/δ)  (δ: distance of the start from the saddle's stable manifold)")
        ax.set_ylabel("iterations")
        ax.legend(fontsize=7)
        caption = (f"{claim.get('id')}: iterations gradient descent spends near a saddle against log(1/δ), "
                   f"for {len(xs)} starts at distance δ from its stable manifold (check “{e.get('check')}”). "
                   "Lines from the first point: the claimed bound on the slope and the predicted slope; the "
                   "measured points grow no faster than the bound.")
        return _claim_plot(claim, "iterations-against-bound", caption, fig)
    return None


def _lingering(details: object) -> tuple[list[float], list[float], float, float | None] | None:
    if not isinstance(details, Mapping):
        return None
    for value in [details, *[v for v in details.values() if isinstance(v, Mapping)]]:
        deltas = value.get("deltas")
        iterations = value.get("iterations")
        bound = _num(value.get("slope_bound"))
        if not (isinstance(deltas, list) and isinstance(iterations, list) and bound is not None):
            continue
        pairs = [(_num(d), _num(i)) for d, i in zip(deltas, iterations)]
        pairs = [(d, i) for d, i in pairs if d is not None and i is not None and d > 0]
        if len(pairs) >= 2:
            return [d for d, _ in pairs], [i for _, i in pairs], bound, _num(value.get("slope_predicted"))
    return None


def _claim_plot(claim: Mapping[str, Any], kind: str, caption: str, fig) -> dict[str, Any]:
    _fit(fig, fig.axes[0])
    return {"file": f"figures/evidence/{_slug(claim.get('id'))}-{kind}.png", "caption": caption,
            "claim": claim.get("id"), "png": _png(fig)}


PER_CLAIM = (digits_by_depth, iterations_against_bound, margin_by_instance)


def evidence_plots(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Every evidence plot for ``report``: {"file", "caption", "claim" (None for the whole run), "png"}.

    A plot that fails to draw is left out (it is a view of data the report holds in full)."""
    claims = [c for c in report.get("claims") or [] if isinstance(c, Mapping)]
    out: list[dict[str, Any]] = []
    makers = [lambda: digits_overview(claims), lambda: margin_overview(claims)]
    makers += [lambda c=c, f=f: f(c) for c in claims for f in PER_CLAIM]
    for make in makers:
        if len(out) >= MAX_PLOTS:
            break
        try:
            plot = make()
        except Exception:  # a drawing problem never blocks the report: the data is in report.json
            plot = None
        if plot is not None:
            out.append(plot)
    return out
