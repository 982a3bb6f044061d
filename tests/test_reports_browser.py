"""The HTML report in a real browser (headless Chromium): it renders, and its summary prints in fewer
than 10 pages for a catalogue-sized report (issue 14). Slow and needs chromium and poppler's
pdftotext: not part of the default run, skipped where they are absent."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from verify.report.html import render_html
from verify.report.plots import evidence_plots

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None or shutil.which("pdftotext") is None,
                                 reason="needs headless chromium and pdftotext")]

STATEMENT = ("Under convention A1, for depth L ≥ 3 and m ≠ 0, the global minimizer of the scalar problem is "
             "nonzero for λ < τ and 0 for λ > τ, with τ(m, L) = (|m|/((1 − q/2)(1 − q)^((q−1)/(2−q))))^(2−q), "
             "q = 2/L; at λ = τ there are exactly two global minimizers with equal objective.")


def catalogue_sized(n: int = 45) -> dict:
    verdicts = ["verified"] * (n - 4) + ["refuted", "inconclusive", "refuted", "inconclusive"]
    strengths = ["proved", "certified", "agreement", "sampled"]
    claims = []
    for i, verdict in enumerate(verdicts):
        strength = strengths[i % 4] if verdict == "verified" else None
        evidence = [{"check": f"check {j}", "tier": "high-precision", "verdict": verdict,
                     "summary": "independent routes agree on every instance of the sweep over depths 3–12 " * 2,
                     "strength": strength, "digits": 40.0 + i + j, "instances": 14, "worst_margin": f"{1e-3 * (j + 1)}",
                     "details": {"samples": [{"depth": d, "digits": 50 + d} for d in range(3, 8)]},
                     "derivation": [], "figures": [], "captions": {}, "corroborates": False}
                    for j in range(3)]
        claims.append({"id": f"family{i % 3}.claim.{i}", "paper": "Kamber & Parhi 2026", "statement": STATEMENT,
                       "source": "stated in the abstract", "resolutions": [], "verdict": verdict,
                       "strength": strength, "tiers": {"high-precision": verdict}, "evidence": evidence,
                       "seconds": 1.0, "reproduce": f"verify run --only family.claim.{i}"})
    counts = {v: verdicts.count(v) for v in ("verified", "refuted", "inconclusive")}
    return {"schema": "dmf-verify/report", "schema_version": 3,
            "provenance": {"seed": 0, "profile": "standard", "dps": 50, "wall_seconds": 70.0},
            "summary": {**counts, "total": n}, "claims": claims}


def _chromium(*args: str) -> None:
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", *args],
                   check=True, capture_output=True, timeout=120)


def test_first_page_renders_and_summary_prints_in_under_10_pages(tmp_path: Path):
    doc = catalogue_sized()
    page = tmp_path / "report.html"
    page.write_text(render_html(doc, tmp_path, evidence_plots(doc)), encoding="utf-8")
    shot, pdf = tmp_path / "shot.png", tmp_path / "report.pdf"
    _chromium(f"--screenshot={shot}", "--window-size=1280,2000", page.as_uri())
    assert shot.stat().st_size > 20_000                      # something was drawn, not a blank page
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    pages = []
    for i in range(1, 200):
        out = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), str(pdf), "-"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            break
        pages.append(out.stdout)
    summary_pages = next(i for i, text in enumerate(pages) if "Evidence at a glance" in text
                         or "Appendix: the evidence" in text)
    assert 1 <= summary_pages < 10, summary_pages
    summary = "".join(pages[:summary_pages])
    for claim in doc["claims"]:
        assert claim["id"] in summary
    assert summary.count("proved") >= 10 and summary.count("sampled") >= 10
