"""JavaScript regular expressions as Python ones.

Spectral rulesets are written for JavaScript's engine: `$` matches only at the very end, `\\d` and
`\\w` are ASCII, named groups are `(?<n>...)`, and literals come as `/body/flags`.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FLAG_MAP = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def parse_js_literal(text: str) -> tuple[str, str]:
    """`/re/gi` → ('re', 'gi'); anything else is a plain pattern with no flags."""
    if len(text) >= 2 and text.startswith("/"):
        end = text.rfind("/")
        if end > 0 and re.fullmatch(r"[dgimsuyv]*", text[end + 1:]):
            return text[1:end], text[end + 1:]
    return text, ""


def _translate(body: str, multiline: bool) -> str:
    out = []
    i = 0
    in_class = False
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "/":
                out.append("/")
            elif nxt == "u" and i + 2 < len(body) and body[i + 2] == "{":
                end = body.find("}", i)
                out.append("\\U" + body[i + 3:end].rjust(8, "0"))
                i = end + 1
                continue
            elif nxt == "c" and i + 2 < len(body):
                out.append("\\x%02x" % (ord(body[i + 2]) % 32))
                i += 3
                continue
            else:
                out.append(body[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
            elif c == "[":
                out.append("\\[")
                i += 1
                continue
            out.append(c)
        elif c == "[":
            in_class = True
            if body[i + 1:i + 2] == "]":  # JS `[]` matches nothing; `[^]` matches anything
                out.append("(?!)")
                i += 2
                in_class = False
                continue
            if body[i + 1:i + 3] == "^]":
                out.append("[\\s\\S]")
                i += 3
                in_class = False
                continue
            out.append(c)
        elif c == "(" and body[i + 1:i + 3] == "?<" and body[i + 3:i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        elif c == "\\k" and False:  # pragma: no cover
            pass
        elif c == "$" and not multiline:
            out.append(r"(?!\n)\Z" if False else r"\Z")
        else:
            out.append(c)
        i += 1
    return "".join(out).replace("\\k<", "(?P=").replace("(?P=", "(?P=")


@lru_cache(maxsize=4096)
def compile_js_regex(body: str, flags: str = "") -> re.Pattern:
    """Compile a JavaScript pattern. Raises re.error with the original text on failure."""
    py_flags = re.ASCII if "u" not in flags else 0
    for f in flags:
        py_flags |= _FLAG_MAP.get(f, 0)
    translated = _translate(body, "m" in flags)
    translated = re.sub(r"\(\?P=(\w+)>", r"(?P=\1)", translated)
    try:
        return re.compile(translated, py_flags)
    except re.error as exc:
        raise re.error(f"invalid regular expression /{body}/{flags}: {exc.msg}") from None


def compile_pattern(text: str) -> re.Pattern:
    """A Spectral `pattern` option: either `/body/flags` or a bare pattern."""
    body, flags = parse_js_literal(text)
    return compile_js_regex(body, flags)
