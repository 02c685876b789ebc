"""Message templates: `{{property}}`, `{{error}}`, `{{path}}`, `{{value}}`, `{{description}}`
(Spectral's), and the single-brace forms of our own rule files."""

from __future__ import annotations

import re
from typing import Any

from apiscan.pointer import to_pointer

_VAR = re.compile(r"\{\{\s*(\w+)\s*\}\}|\{(property|error|path|value|description|key)\}")


def print_value(value: Any) -> str:
    """How a value reads inside a message (kept short: messages are not dumps)."""
    if isinstance(value, str):
        text = value
    elif value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, dict):
        text = "Object{}"
    elif isinstance(value, list):
        text = "Array[]"
    else:
        text = "undefined"
    return text if len(text) <= 120 else text[:117] + "..."


def render(template: str | None, *, error: str, path: tuple, value: Any, description: str,
           spectral: bool = False) -> str:
    """Spectral's rule without a message reads its description first; ours read the function's."""
    if not template:
        if spectral:
            return description or error or "Rule failed"
        return error or description or "Rule failed"
    prop = path[-1] if path else ""

    def sub(m: re.Match) -> str:
        name = m.group(1) or m.group(2)
        if name in ("property", "key"):
            return str(prop)
        if name == "error":
            return error
        if name == "path":
            return "#" + to_pointer(path)
        if name == "value":
            return print_value(value)
        if name == "description":
            return description
        return m.group(0)

    return _VAR.sub(sub, template)
