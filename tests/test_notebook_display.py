"""Results display in notebooks: escaped HTML holding the id, the verdict and the evidence."""
from __future__ import annotations

from html.parser import HTMLParser

from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile, run_claim
from verify.runner import run


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def _claim(verdict: Verdict, cid: str = "demo.one") -> Claim:
    return Claim(id=cid, statement="x < y & <script>alert(1)</script>", source="test",
                 checks=(Check("c", Tier.NUMERIC, lambda ctx: CheckResult(verdict, "margin 0.5", instances=3,
                                                                           worst_margin="0.5")),))


def test_claim_result_html_escapes_and_holds_the_evidence():
    result = run_claim(_claim(Verdict.REFUTED), RunContext(profile=get_profile("quick")))
    page = result._repr_html_()
    parsed = _Text()
    parsed.feed(page)
    text = "".join(parsed.text)
    assert "script" not in parsed.tags and "<script>" not in page
    assert "demo.one" in text and "refuted" in text and "margin 0.5" in text and "0.5" in text


def test_run_result_html_counts_and_seed():
    ctx = RunContext(seed=7, profile=get_profile("quick"))
    res = run([_claim(Verdict.VERIFIED), _claim(Verdict.REFUTED, "demo.two")], ctx)
    page = res._repr_html_()
    assert "1 verified, 1 refuted, 0 inconclusive of 2" in page and "seed 7" in page
