"""Tolerant reading of Azure API Management policy XML.

APIM stores policies as XML but accepts C# policy expressions — `@(...)` and `@{...}` — with raw
`"`, `<` and `&&` inside attribute values and text, so real policy files are often not
well-formed. We first try a strict parse; when it fails we escape the body of every expression
(balanced, C#-string aware) and parse again. A recovered document is reported to the caller so
it can record a `policy-xml-recovered` note; only a document that still fails is an error.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from apiscan.sources.gateways.apigee_xml import XmlError, parse_xml

MAX_EXPRESSION_CHARS = 200_000


def _expression_end(text: str, start: int) -> int | None:
    """Index just past the expression opening at text[start] ('(' or '{'), or None if unbalanced.

    Skips C# string literals ("...", @"...", $"..."), char literals and comments so that brackets
    inside them do not count."""
    opener = text[start]
    closer = ")" if opener == "(" else "}"
    depth = 0
    i = start
    n = len(text)
    limit = min(n, start + MAX_EXPRESSION_CHARS)
    while i < limit:
        c = text[i]
        if c == '"':
            verbatim = i > 0 and text[i - 1] == "@"
            i += 1
            while i < limit:
                if verbatim and text[i] == '"':
                    if i + 1 < limit and text[i + 1] == '"':
                        i += 2
                        continue
                    break
                if not verbatim and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == '"' or (not verbatim and text[i] == "\n"):
                    break
                i += 1
        elif c == "'":
            j = text.find("'", i + 1 + (text[i + 1] == "\\" if i + 1 < n else 0))
            if 0 < j - i <= 8:
                i = j
        elif c == "/" and i + 1 < n and text[i + 1] == "/":
            nl = text.find("\n", i)
            i = nl if nl != -1 else limit
            continue
        elif c == "/" and i + 1 < n and text[i + 1] == "*":
            end = text.find("*/", i + 2)
            i = end + 1 if end != -1 else limit
        elif c == opener:
            depth += 1
        elif c == closer:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _escape(body: str) -> str:
    return body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def escape_expressions(text: str) -> tuple[str, int]:
    """Escape XML-special characters inside every `@(...)`/`@{...}`; returns (text, count)."""
    out = []
    i = 0
    count = 0
    while True:
        j = text.find("@", i)
        if j == -1 or j + 1 >= len(text):
            out.append(text[i:])
            break
        if text[j + 1] not in "({":
            out.append(text[i : j + 1])
            i = j + 1
            continue
        end = _expression_end(text, j + 1)
        if end is None:
            out.append(text[i : j + 1])
            i = j + 1
            continue
        out.append(text[i:j])
        out.append("@" + _escape(text[j + 1 : end]))
        count += 1
        i = end
    return "".join(out), count


def parse_policy_xml(text: str, file: str) -> tuple[ET.Element, bool]:
    """(root, recovered). Raises XmlError when even the escaped text is not XML."""
    try:
        return parse_xml(text, file), False
    except XmlError as first:
        if "DTD" in first.message or "limit" in first.message:
            raise
        escaped, count = escape_expressions(text)
        if not count:
            raise
        try:
            return parse_xml(escaped, file), True
        except XmlError:
            raise first from None
