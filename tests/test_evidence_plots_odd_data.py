"""Evidence plots (matplotlib, layout fitted before one draw): valid PNGs of the figure size at 90 dpi,
every plot kind, awkward data (one value, a zero on a log axis, 300 decades, non-ASCII labels), and
everything drawn inside the image (the layout is measured, not cropped afterwards)."""
from __future__ import annotations

import io

import pytest

from verify.report.plots import evidence_plots, margin_by_instance, margin_overview

pytest.importorskip("matplotlib")
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


def _margins_are_white(image, border: int = 2) -> bool:
    """Nothing drawn in the outer ``border`` pixels: the fitted layout kept every label inside."""
    grey = image.convert("L")
    w, h = grey.size
    strips = [grey.crop((0, 0, w, border)), grey.crop((0, h - border, w, h)),
              grey.crop((0, 0, border, h)), grey.crop((w - border, 0, w, h))]
    return all(min(strip.tobytes()) >= 250 for strip in strips)


def test_every_plot_is_a_png_of_the_figure_size_at_90_dpi():
    plots = evidence_plots(_doc())
    assert len(plots) == 12                                          # MAX_PLOTS
    files = {p["file"] for p in plots}
    assert {"figures/evidence/digits-per-check.png", "figures/evidence/margin-per-check.png"} <= files
    for plot in plots:
        image = _image(plot["png"])
        if plot["claim"] is None:                                    # 9 in wide, 0.9 in + 0.26 in per row
            assert image.size == (810, round((0.9 + 0.26 * 40) * 90))
        else:
            assert image.size == (576, 288)                          # 6.4 × 3.2 in
        assert len(set(image.convert("L").tobytes())) > 10           # drawn, anti-aliased, not blank
        assert _margins_are_white(image)


def test_lingering_plot_has_its_three_lines():
    doc = _doc(0)
    plots = evidence_plots(doc)
    assert [p["file"] for p in plots] == ["figures/evidence/demo.linger-iterations-against-bound.png"]
    image = _image(plots[0]["png"])
    assert image.size == (576, 288) and _margins_are_white(image)


def test_one_value_or_a_zero_does_not_break_the_axes():
    single = {"id": "one", "evidence": [{"check": "c", "details": {"rows": [{"margin": 0.5}, {"margin": 0.5}]}}]}
    _image(margin_by_instance(single)["png"])                        # zero span: widened, not divided by 0
    zero = [{"id": "z", "evidence": [{"check": "a", "worst_margin": "0"}, {"check": "b", "worst_margin": "1e-300"},
                                     {"check": "c", "worst_margin": "-2.5"}]}]
    plot = margin_overview(zero)
    image = _image(plot["png"])
    assert _margins_are_white(image)
    rgb = image.convert("RGB").tobytes()
    reds = sum(1 for k in range(0, len(rgb), 3) if rgb[k] > 180 and rgb[k + 1] < 80 and rgb[k + 2] < 80)
    assert reds > 10                                                 # the negative margin is drawn in red


def test_300_decades_keep_a_log_axis_whose_view_is_the_data():
    """A log locator's step below 1e-300 underflows to 0; the fitted axis keeps only ticks in the view."""
    from verify.report import plots

    seen = {}
    fit = plots._fit

    def spy(fig, ax):
        fit(fig, ax)
        seen["xlim"], seen["ticks"] = ax.get_xlim(), list(ax.get_xticks())

    claims = [{"id": f"c{i}", "evidence": [{"check": "a", "worst_margin": f"1e-{i * 60}"}]} for i in range(6)]
    try:
        plots._fit = spy
        plot = margin_overview(claims)
    finally:
        plots._fit = fit
    assert seen["xlim"] == pytest.approx((1e-301, 1e3), rel=1e-9)
    assert seen["ticks"] and all(1e-301 * (1 - 1e-9) <= t <= 1e3 * (1 + 1e-9) for t in seen["ticks"])
    assert _margins_are_white(_image(plot["png"]))


def test_non_ascii_and_long_labels_fit():
    claims = [{"id": "ünïcödé.λ·ρ*" + "x" * 70, "evidence": [{"check": "δ → 0 ∀ε", "digits": 12.5,
                                                              "worst_margin": "-3e-5"},
                                                             {"check": "Σ σᵢ²", "digits": "inf", "worst_margin": "7"}]}]
    for plot in evidence_plots({"claims": claims}):
        assert _margins_are_white(_image(plot["png"]))
