"""report.json against its shipped JSON Schema (verify/report/report.schema.json)."""
from __future__ import annotations

import datetime as dt
import json
from importlib import resources

import jsonschema
import pytest

from verify.claims import Check, CheckResult, Claim, RunContext, Tier, Verdict, get_profile
from verify.report.document import build_document, to_json_text
from verify.report.provenance import provenance
from verify.runner import run


def _schema() -> dict:
    return json.loads(resources.files("verify.report").joinpath("report.schema.json").read_text())


def _claim(cid: str, fn) -> Claim:
    return Claim(id=cid, statement="s", source="test", checks=(Check("c", Tier.NUMERIC, fn),))


def _crash(ctx):
    raise ZeroDivisionError("x")


@pytest.fixture(scope="module")
def document() -> dict:
    claims = [
        _claim("demo.ok", lambda ctx: CheckResult(Verdict.VERIFIED, "fine", digits=float("inf"), instances=2)),
        _claim("demo.bad", lambda ctx: CheckResult(Verdict.REFUTED, "off", instances=1, worst_margin="-0.5",
                                                   counterexample={"L": 3, "m": "2"}, tolerance="1e-9 relative")),
        _claim("demo.crash", _crash),
    ]
    ctx = RunContext(seed=3, profile=get_profile("quick"))
    res = run(claims, ctx)
    prov = provenance(3, "quick", ctx.dps, dt.datetime.now(dt.timezone.utc), res.wall_seconds, "verify check x")
    return json.loads(to_json_text(build_document(res, prov)))


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(_schema())


def test_a_report_with_every_outcome_validates(document):
    jsonschema.Draft202012Validator(_schema()).validate(document)
    assert {c["verdict"] for c in document["claims"]} == {"verified", "refuted", "inconclusive"}


def test_a_misspelt_key_does_not_validate(document):
    bad = json.loads(json.dumps(document))
    bad["claims"][0]["verdcit"] = bad["claims"][0].pop("verdict")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(_schema()).validate(bad)


def test_strength_fields_validate_and_are_required():
    from verify.claims.derivation import step
    import sympy

    def proved(ctx):
        L = sympy.Symbol("L", integer=True)
        return CheckResult(Verdict.VERIFIED, "identity", proved_for="every integer L >= 3",
                           derivation=[step("write the power", sympy.Eq(L**2, L * L))],
                           figures=["figures/x.png"], captions={"figures/x.png": "margin against instance"})

    claim = Claim(id="demo.proved", statement="s", source="test",
                  checks=(Check("p", Tier.SYMBOLIC, proved), Check("n", Tier.NUMERIC, lambda ctx: CheckResult(
                      Verdict.VERIFIED, "sampled", instances=3), corroborates=True)))
    ctx = RunContext(seed=0, profile=get_profile("quick"))
    res = run([claim], ctx)
    prov = provenance(0, "quick", ctx.dps, dt.datetime.now(dt.timezone.utc), res.wall_seconds, "verify run")
    doc = json.loads(to_json_text(build_document(res, prov)))
    validator = jsonschema.Draft202012Validator(_schema())
    validator.validate(doc)
    entry = doc["claims"][0]
    assert entry["strength"] == "proved"
    assert entry["evidence"][0]["derivation"][0]["mathml"].startswith("<m")
    assert entry["evidence"][1]["strength"] == "sampled" and entry["evidence"][1]["corroborates"] is True
    for key in ("strength", "proved_for", "derivation", "corroborates", "captions"):
        bad = json.loads(json.dumps(doc))
        del bad["claims"][0]["evidence"][0][key]
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(bad)
    bad = json.loads(json.dumps(doc))
    bad["claims"][0]["strength"] = "probable"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(bad)
