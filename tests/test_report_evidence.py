"""Every report format carries the evidence: scope, counterexamples (the shrunk one included), the
exact reproduce command (shell-quoted), tier conflicts and crashes; reports cite only what ships.

Documents are built from small hand-made ClaimResults (no catalogue run).
"""
from __future__ import annotations

import datetime as dt
import json
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from verify.claims.base import CheckResult, Claim, ClaimResult, Tier, Verdict
from verify.report.document import SCHEMA_VERSION, build_document, reproducer, to_json_text
from verify.report.html import render_html
from verify.report.junit import render_junit
from verify.report.markdown import render_markdown
from verify.report.provenance import file_sha256, provenance

CLAIM_FILE = "my claims/$(touch pwned) `id`;.toml"
MINIMAL = {"L": 3, "m": "1/2", "note": "shrunk"}


def check(name: str, tier: Tier, verdict: Verdict, **kw) -> CheckResult:
    result = CheckResult(verdict, kw.pop("summary", f"{name}: {verdict}"), **kw)
    result.name, result.tier, result.seconds = name, tier, 0.25
    return result


def claim(cid: str, **kw) -> Claim:
    return Claim(id=cid, statement=kw.pop("statement", f"statement of {cid}"),
                 source=kw.pop("source", "stated in the abstract"), checks=(), paper="test-paper", **kw)


class Run:
    """The two things build_document reads from a run."""

    def __init__(self, results: list[ClaimResult]) -> None:
        self.results = results

    def counts(self) -> dict[str, int]:
        out = {"verified": 0, "refuted": 0, "inconclusive": 0}
        for r in self.results:
            out[str(r.verdict)] += 1
        return {**out, "total": len(self.results)}


PROVENANCE = {"verify_version": "0.0", "seed": 11, "profile": "quick", "dps": 30, "wall_seconds": 1.5,
              "started": "2026-11-30T20:00:00+00:00", "command": "verify check x", "claim_file": CLAIM_FILE,
              "claim_file_sha256": "ab" * 32}


def results() -> list[ClaimResult]:
    refuted = ClaimResult(claim("kp.threshold.depth3", resolutions=("normalization: convention A1",)), [
        check("exact", Tier.SYMBOLIC, Verdict.VERIFIED, scope="depths 3–5 (symbolic)", instances=3, digits=50.0),
        check("batch", Tier.NUMERIC, Verdict.REFUTED, summary="claimed threshold too large at L = 3",
              scope="200 random targets", instances=200, worst_margin="-0.25",
              counterexample={"L": 3, "m": "2.75"}, tolerance="1e-9 relative"),
    ], minimal_counterexample=dict(MINIMAL))
    crashed = ClaimResult(claim("li.crash+x:y/z", resolutions=("normalization: convention A1",)), [
        check("boom", Tier.HIGH_PRECISION, Verdict.INCONCLUSIVE, summary="check crashed: ZeroDivisionError: x",
              error="Traceback (most recent call last):\nZeroDivisionError: x"),
        check("fine", Tier.NUMERIC, Verdict.VERIFIED, scope="Gaussian operators, 20 draws", instances=20),
    ])
    verified = ClaimResult(claim("kp.ok", resolutions=("region constants chosen by the suite",)), [
        check("exact", Tier.SYMBOLIC, Verdict.VERIFIED, scope="all L ≥ 3 (symbolic proof)", instances=1),
    ])
    return [refuted, crashed, verified]


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(to_json_text(build_document(Run(results()), dict(PROVENANCE))))


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(page: str) -> str:
    parser = Text()
    parser.feed(page)
    return "".join(parser.parts)


def formats(doc: dict) -> dict[str, str]:
    """Each format as the text a reader sees."""
    return {"md": render_markdown(doc), "html": html_text(render_html(doc, None)), "junit": render_junit(doc)}


# -- the JSON document ---------------------------------------------------------------------

def test_document_v2_fields(doc):
    assert doc["schema_version"] == SCHEMA_VERSION == 3
    by_id = {c["id"]: c for c in doc["claims"]}
    assert by_id["kp.threshold.depth3"]["tier_conflict"] is True
    assert by_id["kp.threshold.depth3"]["crashed"] is False
    assert by_id["li.crash+x:y/z"]["crashed"] is True
    assert by_id["kp.threshold.depth3"]["minimal_counterexample"] == MINIMAL
    assert by_id["kp.ok"]["evidence"][0]["scope"] == "all L ≥ 3 (symbolic proof)"
    assert doc["summary"] == {"verified": 1, "refuted": 1, "inconclusive": 1, "total": 3, "crashed": 1,
                              "tier_conflicts": 1}
    assert doc["provenance"]["claim_file_sha256"] == "ab" * 32


# -- evidence in every format --------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "html", "junit"])
def test_refutation_evidence_in_every_format(doc, fmt):
    text = formats(doc)[fmt]
    if fmt == "junit":
        case = ET.fromstring(text).find(".//testcase[@name='kp.threshold.depth3']")
        failure = case.find("failure")
        assert failure is not None and failure.get("type") == "refuted"
        assert "tiers disagree: symbolic verified, numeric refuted" in failure.get("message")
        text = failure.text                        # the evidence is in the failure body itself
    refuted = next(c for c in doc["claims"] if c["id"] == "kp.threshold.depth3")
    assert refuted["reproduce"] in text
    assert "1/2" in text and "shrunk" in text      # the minimal counterexample
    assert "2.75" in text                          # the check's own counterexample
    assert "tiers disagree: symbolic verified, numeric refuted" in text
    for scope in ("depths 3–5 (symbolic)", "200 random targets"):
        assert scope in text


@pytest.mark.parametrize("fmt", ["md", "html", "junit"])
def test_crash_is_an_internal_error_in_every_format(doc, fmt):
    text = formats(doc)[fmt]
    if fmt == "junit":
        case = ET.fromstring(text).find(".//testcase[@name='li.crash+x:y/z']")
        error = case.find("error")
        assert case.find("failure") is None and case.find("skipped") is None
        assert error.get("type") == "check-crashed"
        assert error.get("message").startswith("internal error in check boom — not a verdict")
        assert "ZeroDivisionError" in case.find("system-err").text
        text = error.text
    assert "internal error in check boom — not a verdict" in text
    assert "Gaussian operators, 20 draws" in text
    assert "li.crash+x:y/z" in text


def test_junit_counts_a_crash_as_an_error_not_a_failure(doc):
    root = ET.fromstring(render_junit(doc))
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("3", "1", "1", "0")
    props = {p.get("name"): p.get("value") for p in root.find("testsuite/properties")}
    assert props["claim_file_sha256"] == "ab" * 32 and props["claim_file"] == CLAIM_FILE


def test_a_refuted_claim_with_a_crashed_check_is_a_failure_that_names_the_crash():
    r = ClaimResult(claim("kp.both"), [
        check("wrong", Tier.NUMERIC, Verdict.REFUTED, counterexample={"x": 1}),
        check("boom", Tier.SYMBOLIC, Verdict.INCONCLUSIVE, error="Traceback\nKeyError: 'k'")])
    doc = json.loads(to_json_text(build_document(Run([r]), dict(PROVENANCE))))
    case = ET.fromstring(render_junit(doc)).find(".//testcase")
    assert case.find("failure") is not None and case.find("error") is None
    assert "internal error in check boom — not a verdict" in case.find("failure").text
    assert "internal error in check boom — not a verdict" in render_markdown(doc)


# -- citations -----------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["md", "html", "junit"])
def test_reports_cite_only_documents_that_ship(doc, fmt):
    assert "MATH.md" not in formats(doc)[fmt]


def test_open_points_cite_the_mathematics_document_and_name_their_claims(doc):
    root = Path(__file__).resolve().parent.parent
    md = render_markdown(doc)
    start = md.index("## Open points the suite resolved")
    section = md[start:md.index("\n## `", start)]
    assert "docs/mathematics.md" in section
    assert (root / "docs" / "mathematics.md").is_file()        # the cited document ships
    # grouped under each claim's name: no anonymous bullet
    for cid, note in (("kp.threshold.depth3", "normalization: convention A1"),
                      ("li.crash+x:y/z", "normalization: convention A1"),
                      ("kp.ok", "region constants chosen by the suite")):
        head = section.index(f"### `{cid}`")
        nxt = section.find("### ", head + 4)
        assert f"- {note}" in section[head:nxt if nxt > 0 else None]
    bullets = [line for line in section.splitlines() if line.startswith("- ")]
    assert bullets and all(section.rfind("### `", 0, section.index(b)) >= 0 for b in bullets)
    assert "docs/mathematics.md" in html_text(render_html(doc, None))


# -- the reproduce command -----------------------------------------------------------------

IDS = ["kp.threshold.depth3", "a+b:c/d-e.f_9", "x; touch pwned", "$(touch pwned)", "it's `id` & more"]


@pytest.mark.parametrize("cid", IDS)
@pytest.mark.parametrize("claim_file", [None, CLAIM_FILE, "plain.toml"])
def test_reproducer_round_trips_through_the_shell_grammar(cid, claim_file):
    prov = {"seed": 11, "profile": "quick", "dps": 30, "claim_file": claim_file}
    head = ["verify", "check", claim_file] if claim_file else ["verify", "run"]
    expected = head + ["--only", cid, "--seed", "11", "--profile", "quick", "--digits", "30"]
    assert shlex.split(reproducer(cid, prov)) == expected


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
@pytest.mark.parametrize("cid", IDS)
def test_pasting_the_reproducer_into_a_shell_runs_nothing_else(tmp_path, cid):
    """A real shell receives exactly the arguments: `verify` is a function that prints them."""
    command = reproducer(cid, {"seed": 11, "profile": "quick", "dps": 30, "claim_file": CLAIM_FILE})
    script = "verify() { printf '%s\\n' \"$@\"; }\n" + command + "\n"
    out = subprocess.run(["sh", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["check", CLAIM_FILE, "--only", cid, "--seed", "11", "--profile", "quick",
                                       "--digits", "30"]
    assert list(tmp_path.iterdir()) == []             # nothing was created by an injected command


# -- provenance ----------------------------------------------------------------------------

def test_claim_file_sha256_is_recorded(tmp_path):
    path = tmp_path / "claims $(x).toml"
    path.write_bytes(b"abc")
    # FIPS 180-2, appendix B.1: SHA-256("abc")
    known = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert file_sha256(path) == known
    started = dt.datetime(2026, 11, 30, tzinfo=dt.timezone.utc)
    p = provenance(1, "quick", 30, started, 0.5, "verify check x", claim_file=str(path))
    assert p["claim_file"] == str(path) and p["claim_file_sha256"] == known
    assert provenance(1, "quick", 30, started, 0.5, "verify run")["claim_file_sha256"] is None
    given = provenance(1, "quick", 30, started, 0.5, "c", claim_file=str(path), claim_file_sha256="cd" * 32)
    assert given["claim_file_sha256"] == "cd" * 32
    for key in ("verify_version", "git_commit", "python", "platform", "machine", "packages",
                "sympy_ground_types", "seed", "profile", "dps", "jobs", "started", "wall_seconds", "command"):
        assert key in p
