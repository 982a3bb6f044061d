"""Reports show strength, derivations, captions and evidence plots (issues 11 and 14): HTML, Markdown,
JUnit, the notebook display and ``write_run``."""
from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import sympy
from test_report_renderers import parse_html

from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile
from verify.claims.derivation import step
from verify.report.html import render_html
from verify.report.junit import render_junit
from verify.report.markdown import render_markdown
from verify.report.mathml import safe_mathml
from verify.report.writer import run_document, write_run
from verify.runner import run

L = sympy.Symbol("L", integer=True, positive=True)


def tiny_png() -> bytes:
    """A 1x1 PNG built by hand (independent of matplotlib)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def _proved(ctx: RunContext) -> CheckResult:
    return CheckResult(Verdict.VERIFIED, "b*/b_claimed simplifies to 1 for every L", instances=1, digits=float("inf"),
                       proved_for="every integer L ≥ 3",
                       derivation=[step("the ratio of the two thresholds", (L - 1)**2 / (3 * L)),
                                   step("which is 1 after cancelling", "b*/b = 1")],
                       details={"per_depth": {"3": "λ* = 3*2**(2/3)*m**(4/3)/4"},
                                "samples": [{"depth": 3, "digits": "inf"}, {"depth": 4, "digits": 61.5},
                                            {"depth": 5, "digits": 58.0}]})


def _drawn(ctx: RunContext) -> CheckResult:
    path = ctx.artifact_path("evidence_demo.png")
    figures, captions = [], {}
    if path is not None:
        path.write_bytes(tiny_png())
        figures = ["figures/evidence_demo.png"]
        captions = {figures[0]: "The objective against the product: two global minimizers of equal value."}
    return CheckResult(Verdict.VERIFIED, "sampled 300 instances", instances=300, worst_margin="0.25",
                       figures=figures, captions=captions)


def _refuted(ctx: RunContext) -> CheckResult:
    return CheckResult(Verdict.REFUTED, "the claimed constant is 5 % too high", instances=4, worst_margin="-0.05",
                       counterexample={"L": 3, "m": "2", "lambda": "1.05"})


def claims() -> list[Claim]:
    return [
        Claim("demo.proved", "τ is the threshold for every depth L ≥ 3", "derived by the suite",
              (Check("identity", Tier.SYMBOLIC, _proved),
               Check("float64 sweep", Tier.NUMERIC, _drawn, corroborates=True)), paper="Demo 2026",
              resolutions=("normalization: convention A1",)),
        Claim("demo.sampled", "the minimizer is unique off the exceptional set", "stated in the abstract",
              (Check("identity", Tier.SYMBOLIC, _proved), Check("float64 sweep", Tier.NUMERIC, _drawn)),
              paper="Demo 2026", resolutions=("the exceptional set is λ = τ",)),
        Claim("demo.refuted", "the constant is 1.05", "stated in the abstract",
              (Check("float64 sweep", Tier.NUMERIC, _refuted),), paper="Other 2019"),
    ]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> tuple[Path, dict, object]:
    figures = tmp_path_factory.mktemp("drawn")
    result = run(claims(), RunContext(seed=5, profile=get_profile("quick"), out_dir=str(figures)))
    out = tmp_path_factory.mktemp("reports") / "set"
    paths = write_run(result, out)
    assert [p.name for p in paths] == ["report.json", "report.md", "report.html", "junit.xml"]
    return out, json.loads((out / "report.json").read_text()), result


parse = parse_html  # every start tag with its attributes, and all text


# -- report.json --------------------------------------------------------------------------------

def test_write_run_report_validates_and_holds_strength(run_dir):
    out, doc, _ = run_dir
    schema = json.loads(resources.files("verify.report").joinpath("report.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["demo.proved"]["strength"] == "proved"          # the float64 sweep corroborates
    assert by_id["demo.sampled"]["strength"] == "sampled"        # the sweep is a check it rests on
    assert by_id["demo.refuted"]["strength"] is None
    assert doc["provenance"]["seed"] == 5 and doc["provenance"]["profile"] == "quick"
    assert by_id["demo.proved"]["reproduce"].startswith("verify.api.run_claims([<claim demo.proved>]")
    assert (out / "figures" / "evidence_demo.png").read_bytes() == tiny_png()
    assert list((out / "figures" / "evidence").glob("*.png"))


def test_write_run_replaces_its_own_set(run_dir, tmp_path):
    out, _, result = run_dir
    again = write_run(result, out, command="verify run --only demo")
    assert json.loads(again[0].read_text())["provenance"]["command"] == "verify run --only demo"
    doc = run_document(result, command="verify run --only demo")
    assert doc["claims"][0]["reproduce"].startswith("verify run --only demo.proved --seed 5")


# -- HTML ---------------------------------------------------------------------------------------

def test_html_parses_and_shows_every_claim_with_its_strength(run_dir):
    out, doc, _ = run_dir
    page = (out / "report.html").read_text()
    parsed = parse(page)
    tags = [t for t, _ in parsed.tags]
    assert "script" not in tags and "<script" not in page.lower()
    summary = page[page.index('<table class="summary">'):page.index("</table>", page.index('<table class="summary">'))]
    rows = parse(summary)
    row_text = "".join(rows.text)
    for c in doc["claims"]:
        assert c["id"] in row_text and c["statement"] in row_text
    assert re.search(r"demo\.proved.*?verified.*?proved", row_text, re.S)
    assert re.search(r"demo\.sampled.*?verified.*?sampled", row_text, re.S)
    strengths = [a.get("class") for t, a in rows.tags if t == "span" and "strength" in (a.get("class") or "")]
    assert strengths == ["badge strength s-proved", "badge strength s-sampled"]
    # navigation: each summary row links to its claim's section; a CSS-only filter
    links = {a["href"][1:] for t, a in rows.tags if t == "a"}
    sections = {a["id"] for t, a in parsed.tags if t == "section" and "claim" in a.get("class", "").split()}
    assert links == sections and len(links) == 3
    radios = {a["id"] for t, a in parsed.tags if t == "input" and a.get("type") == "radio"}
    assert {"filter-refuted", "filter-inconclusive", "filter-open"} <= radios


def test_html_derivation_is_mathml_and_details_are_not_reprs(run_dir):
    out, _, _ = run_dir
    page = (out / "report.html").read_text()
    parsed = parse(page)
    tags = [t for t, _ in parsed.tags]
    assert "math" in tags and "msup" in tags and "mfrac" in tags
    text = "".join(parsed.text)
    assert "the ratio of the two thresholds" in text and "b*/b = 1" in text   # plain fallback as code
    assert "every integer L ≥ 3" in text                                        # proved_for shown
    assert "corroborating" in text
    assert "{'" not in text and '{"' not in text                                # no dict repr in prose
    assert "<code>λ* = 3*2**(2/3)*m**(4/3)/4</code>" in page                    # a SymPy string stays code
    assert "The objective against the product: two global minimizers of equal value." in text
    captions = [d for d in parsed.text if "evidence_demo.png" in d]
    assert not captions                                                         # never a bare file name
    assert "Digits of agreement" in text or "digits of agreement" in text       # an evidence plot


def test_html_default_caption_is_a_sentence(run_dir):
    _, doc, _ = run_dir
    bare = json.loads(json.dumps(doc))
    for c in bare["claims"]:
        for e in c["evidence"]:
            e["captions"] = {}
    page = render_html(bare, None)
    assert "Figure (not inlined): Figure drawn by the numeric check “float64 sweep” of claim demo.proved" in page


def test_mathml_is_rebuilt_from_allowed_elements_only():
    hostile = ('<mrow><mi>x</mi><script>alert(1)</script><mi onclick="x()" href="javascript:1">y</mi>'
               '<mfenced open="[" close="]"><mn>1</mn><mn>2</mn></mfenced></mrow>')
    out = safe_mathml(hostile)
    assert out.startswith('<math display="block">') and "script" not in out and "onclick" not in out
    assert "href" not in out and "mfenced" not in out
    assert "<mo fence=\"true\">[</mo>" in out and "<mo separator=\"true\">,</mo>" in out
    assert safe_mathml("<mrow><mi>x</mrow>") is None and safe_mathml("") is None
    assert "\u2062" in safe_mathml("<mrow><mi>a</mi><mo>&InvisibleTimes;</mo><mi>b</mi></mrow>")
    doc = {"schema": "dmf-verify/report", "schema_version": 3, "claims": [
        {"id": "x", "verdict": "verified", "strength": "proved", "evidence": [
            {"check": "c", "verdict": "verified", "derivation": [
                {"say": "broken", "plain": "a + b", "mathml": "<mrow><mi>a</mrow>"},
                {"say": "hostile", "plain": "c", "mathml": "<img src=x onerror=alert(1)>"}]}]}]}
    page = render_html(doc, None)
    assert "<pre class=\"formula\">a + b</pre>" in page and "onerror" not in page and "<img" not in page


# -- Markdown, JUnit, notebook ------------------------------------------------------------------

def test_markdown_summary_strength_open_points_and_steps(run_dir):
    out, _, _ = run_dir
    md = (out / "report.md").read_text()
    assert "| claim | verdict | strength | evidence that matters | seconds |" in md
    assert re.search(r"\| `demo\.proved` \| ✅ verified \| \*\*proved\*\* \|", md)
    assert re.search(r"\| `demo\.refuted` \| ❌ refuted \| — \|", md)
    section = md[md.index("## Open points the suite resolved"):]
    assert section.index("### `demo.proved`") < section.index("- normalization: convention A1") \
        < section.index("### `demo.sampled`") < section.index("- the exceptional set is λ = τ")
    assert "Derivation:" in md and "1. the ratio of the two thresholds" in md and "b*/b = 1" in md
    assert "proved for: every integer L ≥ 3" in md
    assert "](figures/evidence/" in md
    assert "*The objective against the product: two global minimizers of equal value.*" in md


def test_junit_strength_properties(run_dir):
    out, _, _ = run_dir
    root = ET.fromstring((out / "junit.xml").read_text())
    cases = {c.get("name"): c for c in root.iter("testcase")}
    props = {n: {p.get("name"): p.get("value") for p in c.find("properties")} for n, c in cases.items()}
    assert props["demo.proved"]["strength"] == "proved"
    assert props["demo.sampled"]["strength"] == "sampled"
    assert props["demo.refuted"]["strength"] == "none"
    assert props["demo.proved"]["strength.float64 sweep"] == "sampled (corroborating)"
    assert cases["demo.proved"].find("system-out").text.startswith("claim demo.proved: verified (proved)")


def test_notebook_display_shows_strength(run_dir):
    _, _, result = run_dir
    page = result.results[0]._repr_html_()
    assert ">proved</span>" in page and "corroborating" in page and "every integer L ≥ 3" in page
    assert ">sampled</span>" in result._repr_html_()


def test_renderers_read_a_version_2_report_without_strength(run_dir):
    _, doc, _ = run_dir
    old = json.loads(json.dumps(doc))
    old["schema_version"] = 2
    for c in old["claims"]:
        c.pop("strength")
        for e in c["evidence"]:
            for key in ("strength", "proved_for", "derivation", "corroborates", "captions"):
                e.pop(key)
    page = render_html(old, None)
    assert "demo.proved" in page and 'class="badge strength' not in page
    assert "demo.proved" in render_markdown(old) and "demo.proved" in render_junit(old)


# -- evidence plots -------------------------------------------------------------------------------

def test_evidence_plots_come_from_the_data_with_captions():
    from verify.report.plots import digits_by_depth, evidence_plots, iterations_against_bound

    lingering = {"id": "demo.linger", "evidence": [{"check": "adversarial", "details": {"adversarial": {
        "deltas": [1e-2, 1e-4, 1e-6], "iterations": [285.0, 395.0, 506.0], "slope_bound": 47.4,
        "slope_predicted": 23.95}}}]}
    plot = iterations_against_bound(lingering)
    assert plot["png"].startswith(b"\x89PNG") and plot["claim"] == "demo.linger"
    assert "bound" in plot["caption"] and "3 starts" in plot["caption"]
    assert plot["file"] == "figures/evidence/demo.linger-iterations-against-bound.png"
    nothing = {"id": "demo.none", "evidence": [{"check": "c", "details": {"samples": [{"depth": 3, "digits": 50}]}}]}
    assert digits_by_depth(nothing) is None and iterations_against_bound(nothing) is None   # one point: no plot
    doc = {"claims": [nothing, {"id": "x", "evidence": [{"check": "c", "digits": "inf"}, {"check": "d", "digits": "inf"}]}]}
    assert evidence_plots(doc) == []                     # every check exact, no margins: nothing to plot
