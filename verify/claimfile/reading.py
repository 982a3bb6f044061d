"""Read a TOML claim file into plain data: size cap, encoding checks, exact floats.

Every way a file can be unreadable (too large, empty, binary, UTF-16, invalid UTF-8, invalid
TOML, nested past the parser's recursion limit, an integer beyond Python's 4300-digit limit)
becomes one-line ``UsageError``. TOML floats are kept as ``decimal.Decimal`` built from their
text, so ``16.000000000000001`` stays 16000000000000001/10^15 and never passes through float.
"""
from __future__ import annotations

import codecs
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from ..errors import UsageError

MAX_BYTES = 1 << 20
"""Largest accepted TOML claim file (1 MiB); real claim files are a few kilobytes."""

MAX_NESTING = 16
"""Deepest nesting of arrays and tables accepted after parsing (claim files need 5 levels)."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read_text(path: Path) -> str:
    """The file's text, decoded as UTF-8 (a UTF-8 byte-order mark is allowed and dropped)."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror or type(exc).__name__}") from None
    if len(data) > MAX_BYTES:
        raise UsageError(f"{path}: larger than {MAX_BYTES // (1 << 20)} MiB; claim files are small text files")
    if not data.strip():
        raise UsageError(f"{path}: the file is empty; a claim file holds [[claim]] tables")
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise UsageError(f"{path}: the file is {name}-encoded; save it as UTF-8")
    if b"\x00" in data:
        at = data.index(b"\x00")
        looks = "UTF-16 text" if _looks_utf16(data) else "a binary file"
        raise UsageError(f"{path}: NUL byte at offset {at}: this looks like {looks}, "
                         f"not a UTF-8 TOML file")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                         f"claim files are UTF-8 text") from None


def _looks_utf16(data: bytes) -> bool:
    """True when every other byte of the first 64 is NUL, as in ASCII text encoded as UTF-16."""
    head = data[:64]
    return len(head) >= 4 and (all(b == 0 for b in head[1::2]) or all(b == 0 for b in head[0::2]))


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    """Parse TOML text; floats become ``Decimal`` (exact), every failure a one-line UsageError."""
    try:
        doc = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {_first_line(exc)}") from None
    except RecursionError:
        raise UsageError(f"{path}: arrays or tables nested too deeply for the TOML parser") from None
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # Python's 4300-digit int-string limit
            long = re.search(r"[0-9_]{4301,}", text)
            line = f"line {text.count(chr(10), 0, long.start()) + 1}: " if long else ""
            raise UsageError(f"{path}: {line}an integer has more than 4300 digits; numbers in claim files "
                             f"have at most 4000 digits") from None
        raise UsageError(f"{path}: cannot be read: {_first_line(exc)}") from None
    except MemoryError:
        raise UsageError(f"{path}: too large to parse") from None
    _check_nesting(doc, path)
    return doc


def _check_nesting(doc: dict[str, Any], path: Path) -> None:
    """Reject data nested deeper than MAX_NESTING (later comparisons of such values recurse)."""
    stack: list[tuple[Any, int, tuple]] = [(doc, 0, ())]
    while stack:
        value, depth, where = stack.pop()
        if depth > MAX_NESTING:
            keys = [str(k) for k in where if not isinstance(k, int)]
            at = f" (under key {keys[-1]!r:.60})" if keys else ""
            raise UsageError(f"{path}: arrays or tables nested deeper than {MAX_NESTING} levels{at}")
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        for key, child in items:
            if isinstance(child, (dict, list)):
                stack.append((child, depth + 1, where + (key,)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line if len(line) <= 160 else line[:157] + "..."
