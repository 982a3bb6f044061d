"""Load a user's claim file: a declarative TOML file (strict) or a Python module (trusted code).

TOML files are read as UTF-8 (at most 1 MiB), parsed with floats kept exact, validated against
the shipped JSON Schema ``claim-file.schema.json`` (draft 2020-12) and only then built into
claims. Anything the loader does not understand (an unknown or misspelt key, a wrong type, a
missing key, an unknown kind, a bad id, a number it cannot read exactly, a formula outside the
whitelist or its budgets) is a one-line ``UsageError`` naming the claim and the key; nothing is
ignored or replaced by a default. A claim's ``problem`` table (a loss and a penalty) is parsed and its
reduction proved when the claim is built: a problem the suite cannot justify is a UsageError too, so
it never gets a verdict. The format is documented in ``docs/claim-files.md``.

A ``.py`` file is imported: it runs with the user's privileges, so load only files you trust.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..claims import Claim
from ..claims.base import CLAIM_ID
from ..errors import UsageError
from .kinds import BUILDERS
from .python import load_python
from .reading import MAX_BYTES, parse_toml, read_text
from .schema import SCHEMA_FILE, claim_file_schema, claim_label, id_rule, show, validate_document

__all__ = ["load_claim_file", "load_toml", "load_python", "claim_file_schema", "SCHEMA_FILE", "MAX_BYTES",
           "validate_claim_data"]


def validate_claim_data(doc: dict[str, Any], name: str = "claim file") -> None:
    """Check parsed claim-file data against the schema; a one-line UsageError for the first problem."""
    validate_document(doc, name)
    for i, table in enumerate(doc["claim"]):
        if not CLAIM_ID.fullmatch(table["id"]):  # the schema's '$' also matches before a final newline
            raise UsageError(f"{name}: {claim_label(table, i)}: id {show(table['id'], 60)} is not allowed; "
                             f"{id_rule()}")


def load_toml(path: Path) -> list[Claim]:
    """Claims declared in a TOML claim file, after reading, parsing and validating all of it."""
    doc = parse_toml(read_text(path), path)
    validate_claim_data(doc, str(path))
    claims = []
    for i, table in enumerate(doc["claim"]):
        label = claim_label(table, i)
        try:
            claims.append(BUILDERS[table["kind"]](table))
        except UsageError as exc:
            raise UsageError(f"{path}: {label}: {exc}") from None
        except (ValueError, TypeError, ArithmeticError) as exc:
            raise UsageError(f"{path}: {label}: {type(exc).__name__}: {str(exc)[:160]}") from None
    return claims


def load_claim_file(path: str | Path) -> list[Claim]:
    """Claims declared in a .toml or .py file; ids must be unique. Errors are one-line UsageErrors."""
    try:
        return _load(Path(path))
    except UsageError as exc:
        raise UsageError(one_line(str(exc))) from None


def one_line(message: str) -> str:
    """``message`` with control characters (a newline in a file name or a user's text) escaped."""
    if message.isprintable():
        return message
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in message)


def _load(p: Path) -> list[Claim]:
    if p.is_dir():
        raise UsageError(f"{p}: is a directory, not a claim file")
    if not p.is_file():
        raise UsageError(f"claim file not found: {p}")
    if p.suffix == ".toml":
        claims = load_toml(p)
    elif p.suffix == ".py":
        claims = load_python(p)
    else:
        raise UsageError(f"{p}: claim files are .toml or .py")
    ids = [c.id for c in claims]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise UsageError(f"{p}: duplicate claim id(s): {', '.join(dupes)}")
    return claims
