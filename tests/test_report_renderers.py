"""HTML and JUnit renderers of the JSON report: escaping, figure inlining, verdict mapping."""
from __future__ import annotations

import base64
import copy
import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from verify.errors import UsageError
from verify.report.html import render_html
from verify.report.junit import render_junit

HOSTILE = "<script>alert(1)</script> & \"quoted\" 'single'"


def tiny_png() -> bytes:
    """A 1x1 red PNG built by hand (signature, IHDR, IDAT, IEND), independent of matplotlib."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + \
        chunk(b"IEND", b"")


def make_report() -> dict:
    """A hand-built version-1 report: one verified, one refuted, one inconclusive claim."""
    return {
        "schema": "dmf-verify/report", "schema_version": 1,
        "provenance": {
            "verify_version": "0.1.0", "python": "3.11.7", "platform": "Linux-x86_64",
            "packages": {"sympy": "1.14.0", "mpmath": "1.3.0"},
            "sympy_ground_types": "python", "seed": 1234, "profile": "quick", "dps": 50,
            "started": "2026-11-24T03:00:00.123456+00:00", "wall_seconds": 12.5,
            "command": "verify run --profile quick",
        },
        "summary": {"verified": 1, "refuted": 1, "inconclusive": 1, "total": 3},
        "claims": [
            {
                "id": "K1-threshold", "paper": "kamber-parhi",
                "statement": "tau(m, L) is the collapse threshold", "source": "abstract",
                "resolutions": ["normalization A2"], "verdict": "verified",
                "tiers": {"symbolic": "verified", "numeric": "verified"}, "seconds": 1.25,
                "evidence": [
                    {"check": "symbolic-jump", "tier": "symbolic", "verdict": "verified",
                     "summary": "jump point equals tau for L=1..5", "digits": 48.7,
                     "instances": 5, "worst_margin": "1.0e-48", "tolerance": "exact",
                     "counterexample": None, "details": {"depths": [1, 2, 3]},
                     "figures": ["figures/k1.png"], "seconds": 1.0},
                    {"check": "numeric-batch", "tier": "numeric", "verdict": "verified",
                     "summary": "200 instances", "digits": 12.1, "instances": 200,
                     "worst_margin": "0.031", "tolerance": "1e-9 relative (float64, cond 1e3)",
                     "counterexample": None, "details": {}, "figures": [], "seconds": 0.25},
                ],
            },
            {
                "id": "K2-sharpness", "paper": "kamber-parhi", "statement": HOSTILE,
                "source": "Theorem 2 <b>bold</b>", "resolutions": [HOSTILE], "verdict": "refuted",
                "tiers": {"high-precision": "refuted"}, "seconds": 0.5,
                "evidence": [
                    {"check": "hp-hessian", "tier": "high-precision", "verdict": "refuted",
                     "summary": "Hessian eigenvalue below the bound at L=3", "digits": 30.0,
                     "instances": 8, "worst_margin": "-0.0123", "tolerance": "1e-40 relative",
                     "counterexample": {"L": 3, "lambda": "0.5", "note": HOSTILE},
                     "details": {"eigenvalues": ["-0.0123", "2.5"]}, "figures": [],
                     "seconds": 0.5},
                ],
            },
            {
                "id": "LI-1", "paper": "li", "statement": "balanced minimizers\x00 exist",
                "source": "Li et al., Lemma 1", "resolutions": [], "verdict": "inconclusive",
                "tiers": {"numeric": "inconclusive"}, "seconds": 3.0,
                "evidence": [
                    {"check": "search", "tier": "numeric", "verdict": "inconclusive",
                     "summary": "near-tied eigenvalues beyond float64", "digits": None,
                     "instances": 20, "worst_margin": "1e-17", "tolerance": "1e-12",
                     "counterexample": None, "details": {}, "figures": [], "seconds": 3.0,
                     "error": "Traceback <module>\nValueError: x < y"},
                ],
            },
        ],
    }


class TagCollector(HTMLParser):
    """Every start tag with its attributes, and all text, as a browser would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse_html(page: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(page)
    collector.close()
    return collector


@pytest.fixture
def report_dir(tmp_path: Path) -> Path:
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "k1.png").write_bytes(tiny_png())
    return tmp_path


# -- HTML ------------------------------------------------------------------------------------

def test_html_escapes_all_user_text(report_dir):
    page = render_html(make_report(), report_dir)
    assert "<script" not in page.lower()
    assert "<b>bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    parsed = parse_html(page)
    tags = {tag for tag, _ in parsed.tags}
    assert "script" not in tags and "b" not in tags
    text = "".join(parsed.text)
    assert HOSTILE in text                       # shown literally, as text
    assert "Theorem 2 <b>bold</b>" in text
    assert "\x00" not in page                    # control characters replaced


def test_html_inlines_figures_as_data_uris(report_dir):
    page = render_html(make_report(), report_dir)
    images = [attrs for tag, attrs in parse_html(page).tags if tag == "img"]
    assert len(images) == 1
    src = images[0]["src"]
    prefix = "data:image/png;base64,"
    assert src.startswith(prefix)
    assert base64.b64decode(src[len(prefix):]) == tiny_png()
    # nothing in the page points outside it
    for tag, attrs in parse_html(page).tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith(("data:", "#")), (tag, attrs)


def test_html_without_figures_dir_and_refused_figures(report_dir, tmp_path):
    assert "not inlined" in render_html(make_report(), None)
    assert "<img" not in render_html(make_report(), None)
    report = make_report()
    figures = report["claims"][0]["evidence"][0]["figures"]
    (tmp_path / "secret.png").write_bytes(tiny_png())
    (report_dir / "figures" / "fake.png").write_bytes(b"GIF89a not a png")
    figures[:] = ["figures/missing.png", "../secret.png", str(tmp_path / "secret.png"),
                  "figures/fake.png"]
    page = render_html(report, report_dir / "figures" / "..")
    assert "<img" not in page
    assert "file not found" in page
    assert page.count("path outside the report directory") == 2
    assert "not a PNG file" in page


def test_html_summary_counts_and_sections(report_dir):
    page = render_html(make_report(), report_dir)
    assert "3 claims" in page
    for verdict in ("verified", "refuted", "inconclusive"):
        assert f"1 {verdict}</span>" in page
    assert "differs" not in page
    parsed = parse_html(page)
    links = [attrs["href"] for tag, attrs in parsed.tags if tag == "a" and attrs["href"] != "#summary"]
    ids = {attrs.get("id") for tag, attrs in parsed.tags
           if tag == "section" and "claim" in attrs.get("class", "").split()}
    assert len(links) == 3 and {link[1:] for link in links} == ids
    # the summary table: one row per claim, with its statement; tiers in the fixed order per claim
    summary = page[page.index('<table class="summary">'):page.index("</table>", page.index('<table class="summary">'))]
    assert summary.count('class="claim-row') == 3 and "tau(m, L) is the collapse threshold" in summary
    tiers = page[page.index("Tiers: symbolic"):]
    assert tiers.index("symbolic") < tiers.index("numeric")
    assert "<details" not in page         # the full evidence is visible (and printable), not folded
    assert "Counterexample" in page and "<dt>lambda</dt><dd>0.5</dd>" in page
    assert "{" not in "".join(parsed.text[parsed.text.index("Counterexample"):][:8])   # no dict repr in prose
    assert "seed" in page and "1234" in page and "sympy 1.14.0" in page
    assert "48.7" in page and "1e-9 relative (float64, cond 1e3)" in page


def test_html_flags_a_summary_that_disagrees_with_claims(report_dir):
    report = make_report()
    report["summary"]["verified"] = 3
    assert "differs" in render_html(report, report_dir)


@pytest.mark.parametrize("render", [lambda r: render_html(r, None), render_junit])
def test_renderers_refuse_other_documents(render):
    with pytest.raises(UsageError, match="not a dmf-verify report"):
        render({"schema": "other"})
    bad_version = make_report()
    bad_version["schema_version"] = 4
    with pytest.raises(UsageError, match="schema_version"):
        render(bad_version)
    with pytest.raises(UsageError, match="JSON object"):
        render([])


def test_renderers_survive_sparse_claims():
    report = {"schema": "dmf-verify/report", "schema_version": 1,
              "claims": [{"id": "X"}, {"id": "Y", "verdict": "verified", "evidence": [{}]}]}
    page = render_html(report, None)
    assert "No checks recorded" in page and "No provenance recorded" in page
    root = ET.fromstring(render_junit(report))
    assert root.get("tests") == "2" and root.get("skipped") == "1"


# -- JUnit -----------------------------------------------------------------------------------

def test_junit_maps_verdicts(report_dir):
    xml_text = render_junit(make_report())
    assert xml_text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(xml_text)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) \
        == ("3", "1", "0", "1")  # LI-1 is inconclusive because a check crashed: an error, not a skip
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"kamber-parhi", "li"}
    kp = suites["kamber-parhi"]
    assert (kp.get("tests"), kp.get("failures"), kp.get("skipped")) == ("2", "1", "0")
    assert kp.get("timestamp") == "2026-11-24T03:00:00"
    cases = {c.get("name"): c for s in root for c in s.findall("testcase")}
    assert set(cases) == {"K1-threshold", "K2-sharpness", "LI-1"}

    ok = cases["K1-threshold"]
    assert ok.get("classname") == "kamber-parhi" and float(ok.get("time")) == 1.25
    assert ok.find("failure") is None and ok.find("skipped") is None

    bad = cases["K2-sharpness"]
    failure = bad.find("failure")
    assert failure.get("message") == "Hessian eigenvalue below the bound at L=3"
    assert failure.get("type") == "refuted"
    assert "worst_margin: -0.0123" in failure.text and '"lambda": "0.5"' in failure.text
    assert HOSTILE in bad.find("system-out").text
    assert bad.find("skipped") is None

    unsure = cases["LI-1"]
    error = unsure.find("error")
    assert error.get("type") == "check-crashed" and unsure.find("skipped") is None
    assert unsure.find("failure") is None
    assert "ValueError: x < y" in unsure.find("system-err").text
    assert float(root.get("time")) == pytest.approx(4.75)


def test_junit_properties_and_raw_escaping():
    xml_text = render_junit(make_report())
    assert "<script>" not in xml_text and "\x00" not in xml_text
    suite = ET.fromstring(xml_text).find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["seed"] == "1234" and props["profile"] == "quick" and props["dps"] == "50"
    assert props["package.sympy"] == "1.14.0"
    assert props["command"] == "verify run --profile quick"


def test_junit_is_well_formed_for_any_text():
    report = make_report()
    nasty = "".join(chr(c) for c in range(0, 0x80)) + "\ud800 \ufffe ]]> --> <!-- &amp;"
    for claim in report["claims"]:
        claim["id"] = claim["id"] + nasty
        claim["paper"] = nasty
        for check in claim["evidence"]:
            check["summary"] = nasty
    root = ET.fromstring(render_junit(copy.deepcopy(report)).encode("utf-8"))
    assert len(root.findall("testsuite/testcase")) == 3
    assert "]]> --> <!-- &amp;" in root.find("testsuite/testcase").get("name")
    page = render_html(report, None)
    assert "\x00" not in page and "<!--" not in page
    page.encode("utf-8")   # no lone surrogates left: the page can be written to a file


def test_markdown_keeps_a_claims_text_inside_its_place():
    """A newline-laden source or statement once injected a heading, a table and an unclosed code fence that swallowed
    the rest of report.md: every line break of inline text is folded, block markers at a line's start are escaped and
    the statement's pipes are escaped, so the rendered document has only the tool's own headings and fences."""
    from verify.report.markdown import render_markdown

    report = make_report()
    claim = report["claims"][0]
    claim["source"] = "my notes\n\n# Injected heading\n\n```\nrest of report swallowed"
    claim["statement"] = "a | b\n|---|---|\n| x | y |\n# heading\n~~~\n1. item"
    text = render_markdown(report)
    lines = text.splitlines()
    assert not any(line.startswith("# Injected") or line.startswith("> # ") for line in lines)
    assert "> a \\| b" in lines and "> \\|---\\|---\\|" in lines and "> 1\\. item" in lines
    fences = [line for line in lines if line.startswith("```") or line.startswith("~~~")]
    assert len(fences) % 2 == 0 and all(not line.startswith("~~~") for line in fences)
    assert "*Source:* my notes  # Injected heading  ``` rest of report swallowed" in lines  # one line: inline


@pytest.mark.parametrize("render", ["markdown", "html", "junit"])
def test_no_renderer_writes_terminal_control_characters(render):
    """C0 (but tab and newline), DEL and C1 controls (U+009B starts an escape sequence by itself) become U+FFFD in
    every output, so that printing a report in a terminal runs nothing."""
    from verify.report.markdown import render_markdown

    report = make_report()
    nasty = "bell\x07 esc\x1b[2J csi\x9b2J del\x7f"
    report["claims"][0]["statement"] = report["claims"][0]["source"] = nasty
    report["claims"][0]["evidence"][0]["summary"] = nasty
    out = {"markdown": lambda r: render_markdown(r), "html": lambda r: render_html(r, None),
           "junit": render_junit}[render](report)
    assert not any(ch in out for ch in "\x07\x1b\x9b\x7f") and "\ufffd" in out
