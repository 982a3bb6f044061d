"""Review of the renderers (issues 11 and 14): a report file may come from anywhere, so a refuted or
inconclusive verdict never shows a strength, whatever the file says; the schema refuses such a file;
hostile text in a claim's statement, summary or derivation never becomes markup."""
from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib import resources

import jsonschema
import pytest

from verify.report.html import render_html
from verify.report.junit import render_junit
from verify.report.markdown import render_markdown


def _check(verdict: str, strength: str | None, **more) -> dict:
    return {"check": f"{verdict} check", "tier": "symbolic", "verdict": verdict, "summary": "s", "digits": None,
            "instances": 1, "worst_margin": None, "tolerance": None, "counterexample": None, "details": {},
            "figures": [], "scope": "depths 2-3", "captions": {}, "strength": strength, "proved_for": None,
            "derivation": [], "corroborates": False, "seconds": 0.1, **more}


def _claim(cid: str, verdict: str, strength: str | None, evidence: list[dict]) -> dict:
    return {"id": cid, "paper": "P", "statement": f"statement of {cid}", "source": "stated in the abstract",
            "resolutions": [], "verdict": verdict, "strength": strength, "tiers": {"symbolic": verdict},
            "evidence": evidence, "minimal_counterexample": None, "tier_conflict": False, "crashed": False,
            "seconds": 0.1, "reproduce": f"verify run --only {cid}"}


def _doc(claims: list[dict]) -> dict:
    counts = {v: sum(c["verdict"] == v for c in claims) for v in ("verified", "refuted", "inconclusive")}
    return {"schema": "dmf-verify/report", "schema_version": 3,
            "provenance": {"seed": 0, "profile": "quick", "dps": 50},
            "summary": {**counts, "total": len(claims), "crashed": 0, "tier_conflicts": 0}, "claims": claims}


#: a file that claims strengths for verdicts that cannot carry one
LYING = _doc([_claim("x.refuted", "refuted", "proved", [_check("refuted", "proved")]),
              _claim("x.open", "inconclusive", "certified", [_check("inconclusive", "certified")]),
              _claim("x.ok", "verified", "agreement", [_check("verified", "agreement")])])


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.strength_badges: list[str] = []
        self._in_badge = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        self._in_badge = "strength" in (attrs.get("class") or "").split()

    def handle_data(self, data):
        if self._in_badge:
            self.strength_badges.append(data)
            self._in_badge = False


def test_html_shows_no_strength_for_a_refuted_or_inconclusive_verdict():
    page = _Tags()
    page.feed(render_html(LYING, None))
    # the one verified claim: its badge in the summary and in its section, and its check's badge
    assert page.strength_badges == ["agreement"] * 3
    assert "proved" not in page.strength_badges and "certified" not in page.strength_badges


def test_markdown_and_junit_show_no_strength_for_a_refuted_or_inconclusive_verdict():
    md = render_markdown(LYING)
    rows = {line.split("|")[1].strip(" `"): line.split("|")[3].strip() for line in md.splitlines()
            if line.startswith("| `x.")}
    assert rows == {"x.refuted": "—", "x.open": "—", "x.ok": "**agreement**"}
    headings = [line for line in md.splitlines() if line.startswith("## `x.")]
    assert headings[0].endswith("refuted**") or "·" not in headings[0]
    assert all("·" not in h for h in headings[:2]) and headings[2].endswith("· agreement")
    assert "- strength: proved" not in md and "- strength: certified" not in md
    root = ET.fromstring(render_junit(LYING))
    props = {case.get("name"): {p.get("name"): p.get("value") for p in case.iter("property")}
             for case in root.iter("testcase")}
    assert props["x.refuted"]["strength"] == "none" and props["x.open"]["strength"] == "none"
    assert props["x.refuted"]["strength.refuted check"] == "none"
    assert props["x.ok"]["strength"] == "agreement"
    assert "(proved)" not in render_junit(LYING) and "(certified)" not in render_junit(LYING)


def test_schema_refuses_a_strength_on_a_refuted_or_inconclusive_verdict():
    schema = json.loads(resources.files("verify.report").joinpath("report.schema.json").read_text())
    validator = jsonschema.Draft202012Validator({"$schema": schema["$schema"], "$defs": schema["$defs"],
                                                 "$ref": "#/$defs/claim"})
    honest = copy.deepcopy(LYING["claims"])
    for claim in honest:
        if claim["verdict"] != "verified":
            claim["strength"] = None
            claim["evidence"][0]["strength"] = None
        validator.validate(claim)
    for path in (("strength",), ("evidence", 0, "strength")):
        bad = copy.deepcopy(honest[0])
        target = bad
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = "sampled"
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)


HOSTILE_MATHML = [
    '<mtext><img src=x onerror="alert(1)"></mtext>',            # not XML: shown as plain text
    '<mtext>&lt;img src=x onerror=alert(1)&gt;</mtext>',         # an escaped tag must stay text
    '<mi>x</mi><annotation-xml encoding="text/html"><script>alert(1)</script></annotation-xml>',
    '<mtext><![CDATA[<script>alert(1)</script>]]></mtext>',
    '<mi xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script>y</mi>',
    '<mstyle style="background:url(javascript:alert(1))" href="javascript:alert(1)"><mi>z</mi></mstyle>',
    '<math><mi>a</mi></math><script>alert(1)</script>',
    '<maction actiontype="statusline"><mi>a</mi><mtext>b</mtext></maction>',
]


@pytest.mark.parametrize("mathml", HOSTILE_MATHML)
def test_hostile_derivation_and_summary_never_become_markup(mathml):
    text = '</p><script>alert(1)</script><a href="javascript:alert(1)" onclick="x()">'
    check = _check("verified", "proved", summary=text, proved_for=text,
                   derivation=[{"say": text, "plain": text, "mathml": mathml}],
                   captions={"figures/a.png": text}, figures=["figures/a.png"])
    doc = _doc([_claim("h.ok", "verified", "proved", [check]) | {"statement": text, "paper": text}])
    page = render_html(doc, None)
    tags = _Tags()
    tags.feed(page)
    names = {t for t, _ in tags.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "annotation-xml", "maction"}
    assert [t for t, _ in tags.tags].count("style") == 1  # the report's own stylesheet
    assert all(not k.startswith("on") for _, attrs in tags.tags for k in attrs)
    assert not any("javascript:" in (v or "") for _, attrs in tags.tags for v in attrs.values())
    assert all(attrs.get("href", "#").startswith("#") for t, attrs in tags.tags if t == "a")
    assert "<script" not in page.lower()


def test_markdown_never_passes_a_reports_text_through_as_html_or_a_link():
    """report.md is often turned into HTML (pandoc, an editor's preview) with raw HTML allowed: the
    report's strings are escaped, and a figure path that is not inside the report set is not linked."""
    from markdown_it import MarkdownIt

    text = '<script>alert(1)</script><img src=x onerror=alert(1)> [click](javascript:alert(1)) a & b \\ c'
    check = _check("verified", "proved", summary=text, proved_for=text, figures=["javascript:alert(1)", "figures/a.png"],
                   captions={"figures/a.png": text}, derivation=[{"say": text, "plain": "x", "mathml": ""}])
    claim = _claim("m.ok", "verified", "proved", [check]) | {"statement": text, "source": text, "resolutions": [text]}
    md = render_markdown(_doc([claim]))
    page = MarkdownIt("commonmark").render(md)  # raw HTML enabled, as in many converters
    tags = _Tags()
    tags.feed(page)
    names = [t for t, _ in tags.tags]
    assert "script" not in names and all(not k.startswith("on") for _, a in tags.tags for k in a)
    assert [a.get("src") for t, a in tags.tags if t == "img"] == ["figures/a.png"]
    assert not any("javascript:" in (a.get(k) or "") for _, a in tags.tags for k in ("href", "src"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "a &amp; b \\ c" in page  # shown as text
