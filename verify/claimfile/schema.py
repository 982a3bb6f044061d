"""The claim-file JSON Schema (draft 2020-12) and one-line messages for what it rejects.

The schema ships with the package as ``verify/claimfile/claim-file.schema.json``; every TOML
claim file is validated against it before any claim is built. jsonschema's own messages are
translated into one line naming the file, the claim id and the key, with a close match for a
misspelt key or kind.
"""
from __future__ import annotations

import difflib
import json
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema

from ..errors import UsageError

SCHEMA_FILE = "claim-file.schema.json"

#: Keys people try that the format deliberately does not have, with what to do instead.
PROBLEM_KEYS = "write the problem as problem = { loss = \"...\", penalty = \"...\" } (see docs/claim-files.md)"
HINTS = {
    "objective": "the objective is fixed by 'convention' (A1, A2, S, S2 or B) or given as a 'problem' table: "
                 + PROBLEM_KEYS,
    "penalty": "the penalty belongs in the problem table: " + PROBLEM_KEYS,
    "regularizer": "the penalty belongs in the problem table: " + PROBLEM_KEYS,
    "loss": "the loss belongs in the problem table: " + PROBLEM_KEYS,
}
#: What a 'problem' key on a kind that has none means.
NO_PROBLEM = "kind {kind!r} is not supported for user problems yet; use kind 'property' (or 'threshold', " \
             "'minimizer', 'sharpness')"
#: Order in which problems of one claim are reported: the kind first, then keys, then values.
_RANK = {"enum": 1, "additionalProperties": 2, "required": 3}


@lru_cache(maxsize=1)
def claim_file_schema() -> dict[str, Any]:
    """The claim-file JSON Schema as a dict (read from the package data)."""
    text = resources.files(__package__).joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def _validator() -> jsonschema.Draft202012Validator:
    schema = claim_file_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def id_rule() -> str:
    """The rule for claim ids, in words."""
    return "an id is " + claim_file_schema()["$defs"]["id"]["description"]


def kind_keys(kind: str) -> dict[str, dict[str, Any]]:
    """The keys a claim of ``kind`` may have: key -> its property schema (with $ref resolved)."""
    defs = claim_file_schema()["$defs"]
    out = {}
    for key, prop in defs[kind]["properties"].items():
        if "$ref" in prop:
            ref = prop["$ref"].rsplit("/", 1)[1]
            prop = {**defs[ref], **{k: v for k, v in prop.items() if k != "$ref"}, "type_description":
                    defs[ref]["description"]}
        out[key] = prop
    return out


def kinds() -> list[str]:
    """The claim kinds the schema knows."""
    return list(claim_file_schema()["$defs"]["kind"]["enum"])


def show(value: Any, limit: int = 40) -> str:
    """A value for a one-line message: short, escaped, TOML-flavoured."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if value.bit_length() > 100:
            return f"an integer with about {int(value.bit_length() * 0.30103) + 1} digits"
        return str(value)
    if isinstance(value, Decimal):
        text = str(value)
        return text if len(text) <= limit else text[:limit - 3] + "..."
    if isinstance(value, str):
        return repr(value if len(value) <= limit else value[:limit - 3] + "...")
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def claim_label(table: Any, index: int) -> str:
    """How messages name a claim: its id when it is a valid id, else its position."""
    ident = table.get("id") if isinstance(table, dict) else None
    schema = claim_file_schema()["$defs"]["id"]
    if isinstance(ident, str) and jsonschema.Draft202012Validator(schema).is_valid(ident) and "\n" not in ident:
        return f"claim {ident!r}"
    return f"claim #{index + 1}"


def validate_document(doc: dict[str, Any], name: str) -> None:
    """Raise a one-line UsageError for the first problem jsonschema finds in a parsed claim file."""
    unique: dict[tuple, jsonschema.ValidationError] = {}
    try:
        for e in _validator().iter_errors(doc):  # a key checked by two subschemas is reported once
            unique.setdefault((tuple(map(str, e.absolute_path)), e.validator), e)
    except RecursionError:  # the reader caps nesting; this is a second line of defence
        raise UsageError(f"{name}: arrays or tables nested too deeply") from None
    errors = list(unique.values())
    if not errors:
        return

    def order(e: jsonschema.ValidationError) -> tuple:
        path = list(e.absolute_path)
        index = path[1] if len(path) >= 2 and isinstance(path[1], int) else -1
        kind_error = path[2:] == ["kind"]
        return (len(path) > 0, index, 0 if kind_error else _RANK.get(e.validator, 9), len(path),
                [str(p) for p in path])

    errors.sort(key=order)
    first = errors[0]
    more = len(errors) - 1
    tail = f" ({more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
    raise UsageError(f"{name}: {_message(first, doc)}{tail}")


def _message(e: jsonschema.ValidationError, doc: dict[str, Any]) -> str:
    path = list(e.absolute_path)
    if not path:
        return _top_level(e)
    if len(path) == 1:
        if e.validator == "type":
            return "'claim' must be an array of tables: write [[claim]] above each claim, not [claim]"
        return "no [[claim]] tables found"
    index = path[1]
    table = doc["claim"][index]
    label = claim_label(table, index)
    if len(path) == 2:
        if e.validator == "type":
            return f"{label} must be a table, got {show(table)}"
        if e.validator == "additionalProperties":
            return f"{label}: {_unknown_keys(e)}"
        if e.validator == "not":  # the only 'not' in the schema: convention and problem together
            return f"{label}: give either 'convention' or 'problem', not both (a problem table states the " \
                   f"objective itself; a convention names one of the suite's)"
        if e.validator == "required":
            missing = [k for k in e.validator_value if k not in table]
            return f"{label}: missing required key{'s' if len(missing) > 1 else ''} " + \
                ", ".join(repr(k) for k in missing)
        return f"{label}: {e.message[:120]}"
    key = path[2]
    if key == "problem" and len(path) == 3 and isinstance(e.instance, dict):
        return f"{label}: {_problem_table(e)}"
    if key == "kind":
        known = kinds()
        close = difflib.get_close_matches(str(table.get("kind")), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"{label}: unknown kind {show(table.get('kind'))}{hint}; known kinds: {', '.join(known)}"
    if key == "id":
        return f"{label}: id {show(table.get('id'), 60)} is not allowed; {id_rule()}"
    kind = table.get("kind")
    prop = kind_keys(kind).get(key, {}) if kind in kinds() else {}
    expected = _expectation(key, prop)
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[3:])
    got = f"{key}{where} = {show(e.instance)}" if where else show(e.instance)
    return f"{label}: key {key!r} must be {expected}, got {got}"


def _expectation(key: str, prop: dict[str, Any]) -> str:
    """What a key's value must be, from the schema's description of its type."""
    if "enum" in prop:
        return "one of " + ", ".join(prop["enum"])
    return prop.get("type_description") or prop.get("description") or "as documented in docs/claim-files.md"


def _problem_table(e: jsonschema.ValidationError) -> str:
    """A problem inside the problem table: an unknown or a missing key."""
    allowed = ["loss", "penalty"]
    if e.validator == "additionalProperties":
        extra = [k for k in e.instance if k not in allowed]
        close = difflib.get_close_matches(extra[0], allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown key {show(extra[0])} in the problem table{hint}; a problem has exactly loss and penalty"
    if e.validator == "required":
        missing = [k for k in e.validator_value if k not in e.instance]
        return (f"the problem table is missing {' and '.join(repr(k) for k in missing)}; "
                f"a problem has both: {PROBLEM_KEYS}")
    return f"the problem table: {e.message[:120]}"


def _unknown_keys(e: jsonschema.ValidationError) -> str:
    allowed = list(e.schema.get("properties", {}))
    extra = [k for k in e.instance if k not in allowed]
    key = extra[0]
    shown = show(key, 40)
    if key == "problem" and isinstance(e.instance.get("kind"), str):
        return f"unknown key {shown}: " + NO_PROBLEM.format(kind=e.instance["kind"])
    if key in ("loss", "penalty", "regularizer") and "problem" not in allowed:
        return f"unknown key {shown}: " + NO_PROBLEM.format(kind=e.instance.get("kind"))
    if key in HINTS:
        return f"unknown key {shown}: {HINTS[key]}"
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; allowed keys: {', '.join(allowed)}"
    others = f" (and {len(extra) - 1} more unknown key{'s' if len(extra) > 2 else ''})" if len(extra) > 1 else ""
    return f"unknown key {shown}{hint}{others}"


def _top_level(e: jsonschema.ValidationError) -> str:
    if e.validator == "additionalProperties":
        extra = [k for k in e.instance if k != "claim"]
        close = difflib.get_close_matches(extra[0], ["claim"], n=1)
        hint = " (did you mean [[claim]]?)" if close else ""
        return (f"unknown top-level key {show(extra[0])}{hint}: a claim file holds only [[claim]] tables")
    if e.validator == "required":
        return "no [[claim]] tables found"
    return f"the file must be a TOML document of [[claim]] tables ({e.message[:80]})"
