"""Evidence plots drawn with Pillow (verify.report.raster): valid PNGs of the stated size, every plot
kind, awkward data (one value, a zero on a log axis, 300 decades, unicode labels), and no matplotlib."""
from __future__ import annotations

import io
import math
import subprocess
import sys

import pytest

from verify.report import raster
from verify.report.plots import evidence_plots, margin_by_instance, margin_overview

PIL = pytest.importorskip("PIL.Image")


def _image(data: bytes):
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = PIL.open(io.BytesIO(data))
    image.load()
    return image


def _doc(n: int = 30) -> dict:
    claims = []
    for i in range(n):
        evidence = [{"check": f"check {j} · λ, δ and ρ*", "digits": "inf" if j == 0 else 40.0 + i + j,
                     "worst_margin": f"{(-1) ** j * 10.0 ** (-3 * i)}",
                     "details": {"samples": [{"depth": d, "digits": 50 + d + j} for d in range(2, 8)],
                                 "rows": [{"margin": 1e-3 * k - 0.002} for k in range(5)]}} for j in range(3)]
        claims.append({"id": f"demo.claim{i}", "evidence": evidence})
    claims.append({"id": "demo.linger", "evidence": [{"check": "adversarial", "details": {"adversarial": {
        "deltas": [1e-2, 1e-4, 1e-6], "iterations": [285.0, 395.0, 506.0], "slope_bound": 47.4,
        "slope_predicted": 23.95}}}]})
    return {"claims": claims}


def test_every_plot_is_a_png_of_the_figure_size_at_90_dpi():
    plots = evidence_plots(_doc())
    assert len(plots) == 12                                          # MAX_PLOTS
    kinds = {p["file"].rsplit("-", 2)[-2] if p["claim"] else p["file"] for p in plots}
    assert "figures/evidence/digits-per-check.png" in kinds and "figures/evidence/margin-per-check.png" in kinds
    for plot in plots:
        image = _image(plot["png"])
        if plot["claim"] is None:                                    # 7 in wide (wider only for text past the axes)
            assert image.size[0] >= 630 and image.size[1] == round((0.9 + 0.26 * 40) * 90)
        else:
            assert image.size == (576, 288)                          # 6.4 × 3.2 in
        assert len(set(image.convert("L").tobytes())) > 10           # drawn, anti-aliased, not blank


def test_each_kind_draws_marks_and_one_value_or_a_zero_does_not_break_the_axes():
    single = {"id": "one", "evidence": [{"check": "c", "details": {"rows": [{"margin": 0.5}, {"margin": 0.5}]}}]}
    _image(margin_by_instance(single)["png"])                        # zero span: widened, not divided by 0
    zero = [{"id": "z", "evidence": [{"check": "a", "worst_margin": "0"}, {"check": "b", "worst_margin": "1e-300"},
                                     {"check": "c", "worst_margin": "-2.5"}]}]
    plot = margin_overview(zero)
    image = _image(plot["png"])
    rgb = image.convert("RGB").tobytes()
    reds = sum(1 for k in range(0, len(rgb), 3) if rgb[k] > 180 and rgb[k + 1] < 80 and rgb[k + 2] < 80)
    assert reds > 10                                                 # the negative margin is drawn in red


def test_ticks_are_round_and_log_decades_are_thinned():
    assert raster.nice_ticks(0, 10, 6) == [0, 2, 4, 6, 8, 10]
    assert raster.nice_ticks(-0.013, 0.021, 5) == pytest.approx([-0.01, 0.0, 0.01, 0.02])
    decades = raster.nice_ticks(-301, 3, 5)
    assert decades == [-300, -200, -100, 0]
    assert raster.tick_label(2.5, 2.5) == "2.5" and raster.tick_label(20, 10) == "20"
    assert raster.tick_label(3e-12, 1e-12) == "3e-12" and raster.decade_label(-300) == "10⁻³⁰⁰"
    assert all(math.isfinite(t) for t in raster.nice_ticks(1.0, 1.0 + 1e-15, 5))


def test_dashed_and_dotted_lines_end():
    chart = raster.Chart(legend="best", xlabel="x", ylabel="y")
    chart.line([0.0, 1.0, 2.0], [0.0, 1e-17, 2.0], "#cf222e", "--", label="dashed")
    chart.line([0.0, 2.0], [0.0, 0.0], "#57606a", ":", label="dotted")
    chart.hline(1.0, "#8c959f", ":")
    _image(chart.png())


def test_plots_do_not_import_matplotlib():
    code = ("import sys, json; from verify.report.plots import evidence_plots; "
            "from tests.test_speed_s6_plots import _doc; evidence_plots(_doc()); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
