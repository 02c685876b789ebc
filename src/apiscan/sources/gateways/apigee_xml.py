"""Safe XML reading for gateway exports (Apigee bundles, Azure APIM policies).

Exports are untrusted: a DTD could define entity bombs or reach external files, so any document
that declares one is refused before the parser sees it, and sizes are bounded. The standard
library parser is enough once DTDs are out of the way, and keeps the dependency list short.
Errors carry file, line and column so the caller can report them and go on with the next file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

MAX_XML_BYTES = 4 * 1024 * 1024

from apiscan.sources.document import DocumentError

_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)


class XmlError(DocumentError):
    """A file that is not usable XML, with where it went wrong."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}:{self.column or 1}"
        return f"{where}: {self.message}"


def decode_xml_bytes(raw: bytes, file: str) -> str:
    """Bytes to text: UTF-8 (BOM tolerated) or UTF-16 with a BOM; anything else is an error."""
    if len(raw) > MAX_XML_BYTES:
        raise XmlError(file, f"XML file is {len(raw)} bytes, over the {MAX_XML_BYTES}-byte limit")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise XmlError(file, f"invalid UTF-16 text at byte {exc.start}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise XmlError(file, f"not UTF-8 text (invalid byte at offset {exc.start})", line) from None


_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)


def parse_xml(text: str, file: str) -> ET.Element:
    """Parse XML text into an element tree, refusing DTDs. Raises XmlError."""
    if len(text) > MAX_XML_BYTES:
        raise XmlError(file, f"XML text is over the {MAX_XML_BYTES}-character limit")
    text = text.lstrip("\ufeff")
    match = _DTD.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        raise XmlError(file, "DTD or entity declarations are not allowed in an export", line)
    # The declaration may name an encoding other than the one we decoded with; the text is
    # already decoded, so drop it rather than let the parser second-guess us.
    text = _DECL.sub("", text, count=1)
    if not text.strip():
        raise XmlError(file, "empty XML document")
    parser = ET.XMLParser()
    try:
        parser.feed(text)
        return parser.close()
    except ET.ParseError as exc:
        line, column = getattr(exc, "position", (None, None))
        message = str(exc).split(":")[0]
        raise XmlError(file, f"not well-formed XML: {message}", line, (column or 0) + 1) from None


def local(tag: object) -> str:
    """An element's tag without a namespace (`{ns}Name` → `Name`); comments give ''."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def text_of(elem: ET.Element | None, default: str = "") -> str:
    if elem is None or elem.text is None:
        return default
    return elem.text.strip()


def child(elem: ET.Element | None, name: str) -> ET.Element | None:
    """First direct child with this local name (case-sensitive, as Apigee and APIM are)."""
    if elem is None:
        return None
    for c in elem:
        if local(c.tag) == name:
            return c
    return None


def children(elem: ET.Element | None, name: str) -> list[ET.Element]:
    if elem is None:
        return []
    return [c for c in elem if local(c.tag) == name]
