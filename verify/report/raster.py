"""Small raster charts for the report's evidence plots, drawn with Pillow straight into a PNG.

Why not matplotlib: the evidence plots are a few bar, point and line charts, and matplotlib's artist
machinery (tick objects, two draws for a tight bounding box) spent about 2 s of CPU per report on
them, a quarter of a standard run's time outside its checks. Pillow (a dependency of matplotlib, so
always present with the core install) draws the same marks, text and axes in a few milliseconds.

A ``Chart`` collects marks in data coordinates (bars, points, lines, horizontal rules, text), then
``png()`` lays out the axes around the tick and axis labels (measured in the chart's font, so nothing
is clipped), draws at twice the final size and halves it (anti-aliasing), and encodes a PNG. Sizes
follow matplotlib's conventions: a figure of ``width × height`` inches at ``dpi`` pixels per inch,
font sizes, marker areas and line widths in points (1/72 inch).
"""
from __future__ import annotations

import importlib.util
import io
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

#: Drawn at this multiple of the final size, then reduced: smooth edges without an anti-aliasing rasterizer.
SCALE = 2
#: matplotlib's default colour cycle ("tab10"), for series without a colour of their own.
CYCLE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
         "#17becf")
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _font_path() -> str | None:
    """DejaVu Sans as matplotlib ships it (found without importing matplotlib), else None."""
    try:
        spec = importlib.util.find_spec("matplotlib")
    except (ImportError, ValueError):
        return None
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
        if path.is_file():
            return str(path)
    return None


@lru_cache(maxsize=None)
def font(pixels: int):
    """The chart font at ``pixels`` pixels (DejaVu Sans; Pillow's own scalable default otherwise)."""
    from PIL import ImageFont

    path = _font_path()
    if path is not None:
        return ImageFont.truetype(path, pixels, layout_engine=ImageFont.Layout.BASIC)
    return ImageFont.load_default(size=pixels)


def nice_ticks(lo: float, hi: float, most: int) -> list[float]:
    """At most ``most`` round tick values (1, 2, 2.5 or 5 × 10^k apart) inside [lo, hi]."""
    span = hi - lo
    if not (math.isfinite(span) and span > 0):
        return [lo]
    raw = span / max(most - 1, 1)
    base = 10.0 ** math.floor(math.log10(raw))
    step = next((m * base for m in (1, 2, 2.5, 5, 10) if m * base >= raw), 10 * base)
    first = math.ceil(lo / step - 1e-9)
    ticks = [k * step for k in range(first, math.floor(hi / step + 1e-9) + 1)]
    return [0.0 if abs(t) < step * 1e-9 else t for t in ticks]


def tick_label(value: float, step: float) -> str:
    """A tick value as matplotlib writes it: plain decimals for ordinary steps, else 1.5e-12 style."""
    if value == 0:
        return "0"
    if 1e-4 <= abs(step) < 1e6:
        decimals = max(0, -math.floor(math.log10(abs(step)) + 1e-9))
        if step * 10 ** decimals % 1 > 1e-6:  # a step such as 2.5 × 10^k needs one more digit
            decimals += 1
        return f"{value:.{decimals}f}"
    mantissa, exponent = f"{value:.3e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def decade_label(exponent: int) -> str:
    """10^k with a superscript exponent (10⁻⁵)."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


@dataclass
class Chart:
    """One chart of ``width × height`` inches: add marks, then ``png()``. Data coordinates throughout;
    ``xlog`` puts x on a log scale; ``categories`` (labels, drawn top to bottom at y = 0, 1, …) replace
    the numeric y axis."""

    width: float = 6.4
    height: float = 3.2
    dpi: int = 90
    xlog: bool = False
    categories: Sequence[str] | None = None
    xlabel: str = ""
    ylabel: str = ""
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    xgrid: bool = False
    legend: str | None = None  # "lower right", "best", or None
    marks: list[tuple] = field(default_factory=list)

    # -- marks -----------------------------------------------------------------------------------

    def bars(self, ys: Sequence[float], values: Sequence[float], colours: Sequence[str]) -> None:
        """Horizontal bars from x = 0 to each value, 0.8 of a row high."""
        for y, v, c in zip(ys, values, colours):
            self.marks.append(("bar", y, v, c))

    def points(self, xs: Sequence[float], ys: Sequence[float], colours: Sequence[str] | str, area: float,
               label: str | None = None) -> None:
        """Round markers of ``area`` square points (matplotlib's scatter ``s``)."""
        cs = [colours] * len(xs) if isinstance(colours, str) else list(colours)
        self.marks.append(("points", list(xs), list(ys), cs, area, label))

    def line(self, xs: Sequence[float], ys: Sequence[float], colour: str, style: str = "-", width: float = 1.5,
             marker: float = 0.0, label: str | None = None) -> None:
        """A polyline (``style`` "-", "--" or ":"), with round markers of diameter ``marker`` points."""
        self.marks.append(("line", list(xs), list(ys), colour, style, width, marker, label))

    def hline(self, y: float, colour: str, style: str = "-", width: float = 0.8) -> None:
        """A horizontal rule across the axes at data y."""
        self.marks.append(("hline", y, colour, style, width))

    def text(self, x: float, y: float, text: str, size: float = 7) -> None:
        """``text`` starting at (x, y), vertically centred there."""
        self.marks.append(("text", x, y, text, size))

    # -- layout ----------------------------------------------------------------------------------

    def _px(self, points: float) -> int:
        return max(1, round(points * self.dpi / 72 * SCALE))

    def _data(self) -> tuple[list[float], list[float]]:
        xs: list[float] = []
        ys: list[float] = []
        for m in self.marks:
            if m[0] == "bar":
                xs += [0.0, m[2]]
                ys += [m[1] - 0.4, m[1] + 0.4]
            elif m[0] in ("points", "line"):
                xs += m[1]
                ys += m[2]
            elif m[0] == "hline":
                ys.append(m[1])
        return xs, ys

    def _limits(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """(x0, x1) in axis units (log10 of x on a log axis) and (y0, y1): the given limits, else the
        data's widened by 5 % each side (in log units on a log axis); category rows get half a row more."""
        xs, ys = self._data()
        if self.xlim is not None:
            xlim = tuple(math.log10(v) for v in self.xlim) if self.xlog else self.xlim
        else:
            xlim = _padded([math.log10(v) for v in xs if v > 0] if self.xlog else xs)
        if self.ylim is not None:
            ylim = self.ylim
        elif self.categories is not None:
            n = len(self.categories)
            ylim = (-0.5 - 0.05 * n, n - 0.5 + 0.05 * n)
        else:
            ylim = _padded(ys)
        return (float(xlim[0]), float(xlim[1])), (float(ylim[0]), float(ylim[1]))

    def png(self) -> bytes:
        """The chart as PNG bytes."""
        from PIL import Image, ImageDraw

        (x0, x1), (y0, y1) = self._limits()
        W, H = round(self.width * self.dpi) * SCALE, round(self.height * self.dpi) * SCALE
        tick_font, small = font(self._px(10)), font(self._px(7))
        pad, tick = self._px(3.5), self._px(3.5)
        line_h = tick_font.getbbox("0")[3]
        cat_font = small
        if self.categories is not None:
            yticks = [(float(i), str(t)) for i, t in enumerate(self.categories)]
            yfont = cat_font
        else:
            ystep_ticks = nice_ticks(y0, y1, 7)
            step = ystep_ticks[1] - ystep_ticks[0] if len(ystep_ticks) > 1 else 1.0
            yticks = [(t, tick_label(t, step)) for t in ystep_ticks]
            yfont = tick_font
        ywidth = max((yfont.getlength(label) for _, label in yticks), default=0)
        left = pad + (line_h + 2 * pad if self.ylabel else 0) + ywidth + pad + tick
        bottom = tick + pad + line_h + pad + (line_h + 2 * pad if self.xlabel else 0)
        top, right = 2 * pad, 2 * pad + self._px(10) * 1.5
        ax = (round(left), round(top), round(W - right), round(H - bottom))
        if self.xlog:  # decades, thinned to round multiples so that their labels do not collide
            most = max(2, min(9, int((ax[2] - ax[0]) / (tick_font.getlength(decade_label(-300)) * 1.6))))
            xticks = [(k, decade_label(int(k))) for k in nice_ticks(x0, x1, most) if k == int(k)]
        else:
            most = max(3, int((ax[2] - ax[0]) / (self._px(10) * 6)))
            values = nice_ticks(x0, x1, most)
            step = values[1] - values[0] if len(values) > 1 else 1.0
            xticks = [(t, tick_label(t, step)) for t in values]

        def X(v: float) -> float:
            if self.xlog and not v > 0:
                return float(ax[0])
            u = math.log10(v) if self.xlog else v
            return ax[0] + (u - x0) / (x1 - x0) * (ax[2] - ax[0])

        def Xu(u: float) -> float:  # already in axis units (log10 for a log axis)
            return ax[0] + (u - x0) / (x1 - x0) * (ax[2] - ax[0])

        def Y(v: float) -> float:
            frac = (v - y0) / (y1 - y0)
            return ax[1] + frac * (ax[3] - ax[1]) if self.categories is not None else ax[3] - frac * (ax[3] - ax[1])

        texts = [m for m in self.marks if m[0] == "text"]
        reach = max((X(m[1]) + font(self._px(m[4])).getlength(m[3]) for m in texts), default=0.0)
        W = max(W, math.ceil(reach + pad))  # as a tight bounding box would: text beyond the axes widens it
        image = Image.new("RGB", (W, H), "white")
        draw = ImageDraw.Draw(image)
        if self.xgrid:
            for u, _ in xticks:
                draw.line([(Xu(u), ax[1]), (Xu(u), ax[3])], fill="#b0b0b0", width=self._px(0.3))
        legend: list[tuple] = []
        for m in self.marks:
            kind = m[0]
            if kind == "bar":
                _, y, v, c = m
                top_, bottom_ = sorted((Y(y - 0.4), Y(y + 0.4)))
                draw.rectangle([min(X(0), X(v)), top_, max(X(0), X(v)), bottom_], fill=c)
            elif kind == "hline":
                _, y, c, style, width = m
                _dashed(draw, [(ax[0], Y(y)), (ax[2], Y(y))], c, self._px(width), style)
            elif kind == "line":
                _, xs, ys, c, style, width, marker, label = m
                pts = [(X(a), Y(b)) for a, b in zip(xs, ys)]
                _dashed(draw, pts, c, self._px(width), style)
                for p in pts if marker else ():
                    _dot(draw, p, self._px(marker) / 2, c)
                if label:
                    legend.append(("line", c, style, self._px(width), self._px(marker) / 2, label))
            elif kind == "points":
                _, xs, ys, cs, area, label = m
                radius = self._px(math.sqrt(area) / 2)
                for a, b, c in zip(xs, ys, cs):
                    _dot(draw, (X(a), Y(b)), radius, c)
                if label:
                    legend.append(("points", cs[0] if cs else CYCLE[0], "", 0, radius, label))
        for _, x, y, s, size in texts:
            draw.text((X(x), Y(y)), s, fill="black",
                      font=font(self._px(size)), anchor="lm")
        frame = self._px(0.8)
        draw.rectangle([ax[0], ax[1], ax[2], ax[3]], outline="black", width=frame)
        for u, label in xticks:
            xp = Xu(u)
            draw.line([(xp, ax[3]), (xp, ax[3] + tick)], fill="black", width=frame)
            draw.text((xp, ax[3] + tick + pad), label, fill="black", font=tick_font, anchor="mt")
        for v, label in yticks:
            yp = Y(v)
            draw.line([(ax[0] - tick, yp), (ax[0], yp)], fill="black", width=frame)
            draw.text((ax[0] - tick - pad, yp), label, fill="black", font=yfont, anchor="rm")
        if self.xlabel:
            draw.text(((ax[0] + ax[2]) / 2, image.size[1] - pad), self.xlabel, fill="black", font=tick_font, anchor="md")
        if self.ylabel:
            _vertical_text(image, (pad, (ax[1] + ax[3]) / 2), self.ylabel, tick_font)
        if legend and self.legend:
            self._legend(draw, ax, legend, pad)
        image = image.reduce(SCALE)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=3)  # zlib level 3: smaller and faster than 6 here
        return buffer.getvalue()

    def _legend(self, draw, ax: tuple[int, int, int, int], entries: list[tuple], pad: int) -> None:
        """A framed legend in a corner of the axes: the one named, or for "best" the corner with the
        fewest marks under it (matplotlib's order of preference on ties)."""
        f = font(self._px(7))
        row = f.getbbox("Ag")[3] + pad
        sample = self._px(14)
        w = sample + 3 * pad + max(f.getlength(e[5]) for e in entries) + pad
        h = row * len(entries) + pad
        corners = {"upper right": (ax[2] - pad - w, ax[1] + pad), "upper left": (ax[0] + pad, ax[1] + pad),
                   "lower left": (ax[0] + pad, ax[3] - pad - h), "lower right": (ax[2] - pad - w, ax[3] - pad - h)}
        where = corners.get(self.legend or "")
        if where is None:
            where = min(corners.values(), key=lambda c: self._covered(c, w, h, ax))
        lx, ly = where
        draw.rectangle([lx, ly, lx + w, ly + h], fill="white", outline="#cccccc", width=self._px(0.8))
        for k, (kind, c, style, width, radius, label) in enumerate(entries):
            cy = ly + pad + row * k + row / 2 - pad / 2
            if kind == "line":
                _dashed(draw, [(lx + pad, cy), (lx + pad + sample, cy)], c, width, style)
                if radius:
                    _dot(draw, (lx + pad + sample / 2, cy), radius, c)
            else:
                _dot(draw, (lx + pad + sample / 2, cy), radius, c)
            draw.text((lx + 2 * pad + sample, cy), label, fill="black", font=f, anchor="lm")

    def _covered(self, corner: tuple[float, float], w: float, h: float, ax: tuple[int, int, int, int]) -> int:
        """How many data points would fall under a legend box at ``corner`` (pixel estimate)."""
        (x0, x1), (y0, y1) = self._limits()
        count = 0
        for m in self.marks:
            if m[0] not in ("points", "line"):
                continue
            for a, b in zip(m[1], m[2]):
                u = math.log10(a) if self.xlog and a > 0 else (x0 if self.xlog else a)
                px = ax[0] + (u - x0) / (x1 - x0) * (ax[2] - ax[0])
                py = ax[3] - (b - y0) / (y1 - y0) * (ax[3] - ax[1])
                count += corner[0] <= px <= corner[0] + w and corner[1] <= py <= corner[1] + h
        return count


def _padded(values: Sequence[float], margin: float = 0.05) -> tuple[float, float]:
    """[min, max] of ``values`` widened by ``margin`` of its span each side (matplotlib's default)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    if hi - lo <= 1e-12 * max(abs(lo), abs(hi)):
        half = abs(lo) * 0.05 or 0.5
        return lo - half, hi + half
    extra = (hi - lo) * margin
    return lo - extra, hi + extra


def _dot(draw, centre: tuple[float, float], radius: float, colour: str) -> None:
    x, y = centre
    draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)


def _dashed(draw, points: list[tuple[float, float]], colour: str, width: int, style: str) -> None:
    """A polyline: solid, dashed ("--": 3.7 on, 1.6 off, in line widths) or dotted (":": 1 on, 1.65 off)."""
    if len(points) < 2:
        return
    if style not in ("--", ":"):
        draw.line(points, fill=colour, width=width, joint="curve")
        return
    on, off = (3.7 * width, 1.6 * width) if style == "--" else (1.0 * width, 1.65 * width)
    period, travelled = on + off, 0.0  # distance along the whole polyline at the segment's start
    for (ax_, ay), (bx, by) in zip(points, points[1:]):
        length = math.hypot(bx - ax_, by - ay)
        if not (math.isfinite(length) and length > 0):
            continue
        start = math.floor(travelled / period) * period  # the dash under the segment's first point
        while start < travelled + length:
            lo, hi = max(start, travelled) - travelled, min(start + on, travelled + length) - travelled
            if hi > lo:
                t0, t1 = lo / length, hi / length
                draw.line([(ax_ + (bx - ax_) * t0, ay + (by - ay) * t0), (ax_ + (bx - ax_) * t1, ay + (by - ay) * t1)],
                          fill=colour, width=width)
            start += period
        travelled += length


def _vertical_text(image, centre: tuple[float, float], text: str, f) -> None:
    """``text`` rotated a quarter turn (reading upwards), its left edge's centre at ``centre``."""
    from PIL import Image, ImageDraw

    box = f.getbbox(text)
    strip = Image.new("L", (int(box[2]) + 4, int(box[3]) + 4), 0)
    ImageDraw.Draw(strip).text((2, 2), text, fill=255, font=f)
    strip = strip.rotate(90, expand=True)
    x, y = centre
    image.paste((0, 0, 0), (int(x), int(y - strip.size[1] / 2)), strip)
