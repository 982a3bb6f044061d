"""Presentation MathML for the HTML report, from the report's own data and never by evaluating text.

Derivation steps carry MathML printed by SymPy when the check ran (``verify.claims.derivation``).
A report file may come from anywhere, so that markup is parsed and rebuilt here from a fixed list of
MathML elements and attributes: anything else (a script, an event handler, a link) is dropped, and
text is escaped again. ``<mfenced>``, which browsers implementing MathML Core do not draw, becomes a
``<mrow>`` with explicit fences. Markup that does not parse yields None: the caller then shows the
plain-text formula as code.
"""
from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

#: presentation MathML elements the report draws (MathML Core plus what SymPy prints)
ELEMENTS = frozenset({
    "math", "mi", "mn", "mo", "ms", "mtext", "mspace", "mrow", "mfrac", "msqrt", "mroot", "msup", "msub",
    "msubsup", "munder", "mover", "munderover", "mstyle", "mpadded", "mphantom", "menclose", "merror",
    "mtable", "mtr", "mtd", "mfenced", "semantics", "annotation", "mmultiscripts", "mprescripts", "none",
})
ATTRIBUTES = frozenset({
    "mathvariant", "stretchy", "fence", "separator", "separators", "open", "close", "linethickness",
    "displaystyle", "scriptlevel", "columnalign", "rowalign", "form", "lspace", "rspace", "largeop",
    "movablelimits", "accent", "accentunder", "notation", "width", "height", "depth", "encoding",
})
MAX_CHARS = 200_000
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")


def _entities(text: str) -> str:
    """Named HTML entities (SymPy prints ``&InvisibleTimes;``) as characters, so XML can parse them;
    unknown names are escaped so they show literally."""
    def one(m: re.Match) -> str:
        name = m.group(1)
        if name in ("amp", "lt", "gt", "quot", "apos"):
            return m.group(0)
        char = html.unescape(m.group(0))
        return char if char != m.group(0) else "&amp;" + name + ";"
    return _ENTITY.sub(one, text)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _rebuild(node: ET.Element) -> ET.Element | None:
    name = _local(node.tag)
    if name not in ELEMENTS:
        return None
    if name == "mfenced":
        return _unfence(node)
    out = ET.Element(name, {k: v for k, v in node.attrib.items() if _local(k) in ATTRIBUTES and "}" not in k})
    out.text = node.text
    for child in node:
        rebuilt = _rebuild(child)
        if rebuilt is not None:
            rebuilt.tail = child.tail
            out.append(rebuilt)
    return out


def _unfence(node: ET.Element) -> ET.Element:
    """``<mfenced open=( close=)>a b</mfenced>`` → ``<mrow><mo>(</mo>a<mo>,</mo>b<mo>)</mo></mrow>``."""
    row = ET.Element("mrow")
    opening = ET.SubElement(row, "mo", {"fence": "true"})
    opening.text = node.get("open", "(")
    separators = [s for s in node.get("separators", ",") if not s.isspace()] or [","]
    children = [c for c in (_rebuild(c) for c in node) if c is not None]
    for i, child in enumerate(children):
        if i:
            sep = ET.SubElement(row, "mo", {"separator": "true"})
            sep.text = separators[min(i - 1, len(separators) - 1)]
        child.tail = None
        row.append(child)
    closing = ET.SubElement(row, "mo", {"fence": "true"})
    closing.text = node.get("close", ")")
    return row


def safe_mathml(markup: object, display: bool = True) -> str | None:
    """``markup`` (presentation MathML, with or without ``<math>``) rebuilt from allowed elements
    only, wrapped in ``<math>``; None when it is empty or does not parse."""
    if not isinstance(markup, str) or not markup.strip() or len(markup) > MAX_CHARS:
        return None
    try:
        root = ET.fromstring(f"<wrap>{_entities(markup.strip())}</wrap>")
    except ET.ParseError:
        return None
    children = list(root)
    if len(children) == 1 and _local(children[0].tag) == "math" and not (root.text or "").strip():
        root = children[0]
    math = ET.Element("math", {"display": "block" if display else "inline"})
    math.text = None if _local(root.tag) == "wrap" else root.text
    for child in root:
        rebuilt = _rebuild(child)
        if rebuilt is not None:
            rebuilt.tail = child.tail
            math.append(rebuilt)
    if not len(math):
        return None
    return ET.tostring(math, encoding="unicode", short_empty_elements=False)

