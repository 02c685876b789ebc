"""Indented JSON, fast. The standard library drops to its pure-Python encoder whenever `indent` is
set, which made a 20,000-finding SARIF log take seconds; orjson (already a dependency) writes the
same text in C. The stdlib stays as the fallback for what orjson refuses (integers past 64 bits).
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

try:
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None

_LEADING = re.compile(r"^((?:  )+)", re.MULTILINE)


def dumps(data: Any, *, tabs: bool = False, default: Callable[[Any], Any] | None = None) -> str:
    """`json.dumps(data, indent=2 or "\\t", ensure_ascii=False)`, byte for byte, plus a final newline."""
    text = None
    if orjson is not None:
        try:
            text = orjson.dumps(data, default=default,
                                option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")
        except (TypeError, orjson.JSONEncodeError):
            text = None
    if text is None:
        text = json.dumps(data, indent=2, ensure_ascii=False, default=default)
    if tabs:
        # Safe line by line: JSON strings cannot hold a raw newline, so each line starts with indent.
        text = _LEADING.sub(lambda m: "\t" * (len(m.group(1)) // 2), text)
    return text + "\n"
