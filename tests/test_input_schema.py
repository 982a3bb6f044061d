"""The claim-file JSON Schema: valid, shipped, in step with the docs, the loader and the model."""
import re
from decimal import Decimal
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from verify.claimfile import claim_file_schema, load_claim_file, validate_claim_data
from verify.claimfile.kinds import BUILDERS
from verify.claimfile.reading import parse_toml, read_text
from verify.claims.base import CLAIM_ID
from verify.conventions import CONVENTIONS, DEFAULT_CONVENTION
from verify.errors import UsageError
from verify.numbers import MAX_DEPTH

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "claim-files.md"
EXAMPLE = ROOT / "examples" / "claims.toml"


def test_schema_is_valid_draft_2020_12_and_ships_with_the_package():
    schema = claim_file_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    shipped = resources.files("verify.claimfile").joinpath("claim-file.schema.json")
    assert shipped.is_file()


def test_schema_agrees_with_the_code():
    defs = claim_file_schema()["$defs"]
    assert defs["kind"]["enum"] == list(BUILDERS)
    assert set(defs["convention"]["enum"]) == set(CONVENTIONS)
    assert defs["convention"]["default"] == DEFAULT_CONVENTION
    assert defs["depths"]["items"]["maximum"] == MAX_DEPTH == defs["minimizer"]["properties"]["depth"]["maximum"]
    assert defs["id"]["pattern"] == f"^{CLAIM_ID.pattern}$"


def _schema_type(prop: dict) -> str:
    """The docs' name for a property's type, derived from the schema alone."""
    names = {"id": "id", "text": "string", "kind": "kind", "convention": "convention", "formula": "formula",
             "number": "number", "pairs": "list of [formula, multiplicity]", "problem": "problem table",
             "range": "[number, number]"}
    if "$ref" in prop:
        ref = prop["$ref"].rsplit("/", 1)[1]
        if ref == "points":
            return " \\| ".join(claim_file_schema()["$defs"][ref]["enum"])
        if ref.startswith("depths"):
            items = claim_file_schema()["$defs"][ref]["items"]
            return f"list of integers {items['minimum']}–{items['maximum']}"
        return names[ref]
    if "const" in prop:
        return "kind"
    if "enum" in prop:
        return " \\| ".join(prop["enum"])
    return f"integer {prop['minimum']}–{prop['maximum']}"


def _docs_table() -> dict[str, dict[str, tuple[str, bool, str]]]:
    """kind -> key -> (type, required, default) from the keys table in docs/claim-files.md."""
    text = DOCS.read_text()
    start = text.index("<!-- keys-table")
    rows = []
    for line in text[start:].splitlines()[1:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]])
    header, rows = rows[0], rows[2:]
    assert header[:5] == ["kind", "key", "type", "required", "default"]
    table: dict[str, dict[str, tuple[str, bool, str]]] = {}
    for kind, key, typ, req, default, *_ in rows:
        assert req in ("yes", "no"), req
        table.setdefault(kind, {})[key.strip("`")] = (typ, req == "yes", default)
    return table


def test_docs_keys_table_matches_the_schema():
    docs = _docs_table()
    common = docs.pop("all")
    assert list(docs) == claim_file_schema()["$defs"]["kind"]["enum"]  # documented in the schema's order
    defs = claim_file_schema()["$defs"]
    assert set(docs) == set(defs["kind"]["enum"])
    for kind, own in docs.items():
        documented = {**common, **own}
        schema = defs[kind]
        assert set(documented) == set(schema["properties"]), kind
        assert {k for k, (_, req, _) in documented.items() if req} == set(schema["required"]), kind
        assert schema["additionalProperties"] is False
        for key, (typ, req, default) in documented.items():
            assert typ == _schema_type(schema["properties"][key]), (kind, key)
            if req:
                assert default == "—", (kind, key)
            elif key == "convention":
                assert default == f"`{defs['convention']['default']}`"


def test_docs_name_the_schema_file_and_the_code_warning():
    text = DOCS.read_text()
    assert "verify/claimfile/claim-file.schema.json" in text
    assert "A `.py` claim file is code" in text and "with your privileges" in text
    assert "16000000000000001/10^15" in text


def test_example_validates_against_the_schema():
    doc = parse_toml(read_text(EXAMPLE), EXAMPLE)
    validate_claim_data(doc, str(EXAMPLE))
    jsonschema.Draft202012Validator(claim_file_schema()).validate(doc)
    assert len(load_claim_file(EXAMPLE)) == 3


def test_validation_happens_before_any_claim_is_built(tmp_path, monkeypatch):
    """A bad second claim stops the load before the (valid) first one is built."""
    import verify.claimfile.kinds as kinds

    built = []
    monkeypatch.setitem(kinds.BUILDERS, "threshold", lambda t: built.append(t) or None)
    f = tmp_path / "c.toml"
    f.write_text('[[claim]]\nid = "a"\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformula = "tau"\n'
                 '[[claim]]\nid = "b"\nkind = "threshold"\nstatement = "s"\nsource = "s"\nformul = "tau"\n')
    with pytest.raises(UsageError, match=r"claim 'b': unknown key 'formul' \(did you mean 'formula'\?\)"):
        load_claim_file(f)
    assert built == []


def test_toml_floats_reach_the_schema_as_decimals():
    doc = parse_toml('x = 16.000000000000001\ny = 3\n', Path("t.toml"))
    assert doc["x"] == Decimal("16.000000000000001") and isinstance(doc["x"], Decimal)
    assert isinstance(doc["y"], int)


def test_tomllib_falls_back_to_tomli(monkeypatch):
    """On Python 3.10 there is no tomllib: the reader imports tomli instead (a dependency there)."""
    import importlib
    import sys
    import types

    import verify.claimfile.reading as reading

    real = reading.tomllib
    fake = types.ModuleType("tomli")
    fake.loads = real.loads
    fake.TOMLDecodeError = real.TOMLDecodeError
    monkeypatch.setitem(sys.modules, "tomllib", None)  # import tomllib -> ModuleNotFoundError
    monkeypatch.setitem(sys.modules, "tomli", fake)
    try:
        reloaded = importlib.reload(reading)
        assert reloaded.tomllib is fake
    finally:
        monkeypatch.undo()
        importlib.reload(reading)
    assert reading.tomllib.__name__ == "tomllib" or sys.version_info < (3, 11)
