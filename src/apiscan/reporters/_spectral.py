"""Our result as Spectral's diagnostics, shared by the spectral-json and spectral-stylish formats.

What Spectral does, and so what tools reading its output expect (checked against Spectral's
formatters and test fixtures):
- `path` is the array of raw keys; array indices are strings ("0"), as Spectral's traversal
  yields them.
- `range` is 0-based line/character; `source` is the absolute file path.
- severity 0 error, 1 warn, 2 info, 3 hint; ignored results are not printed at all, so suppressed
  findings are left out.
- Files that fail to parse appear as ordinary results with code `parser` (and unresolvable `$ref`s
  as `invalid-ref`), which is how Spectral users see such failures; our other scan errors follow
  the same route under `apiscan-<kind>`.
- Results are sorted by source, position, code, then path.
"""

from __future__ import annotations

from apiscan.models.findings import Finding, ScanError, ScanResult
from apiscan.reporters._common import absolute_path, finding_path, pointer_to_path

ERROR_CODES = {"parse": "parser", "ref": "invalid-ref"}


def _range(line: int | None, column: int | None, end_line: int | None = None,
           end_column: int | None = None) -> dict:
    start_line = (line or 1) - 1
    start_char = (column or 1) - 1 if line is not None else 0
    if end_line is not None and end_line >= (line or 1):
        end = {"line": end_line - 1, "character": (end_column or 1) - 1 if end_column is not None else start_char}
    else:
        end = {"line": start_line, "character": start_char}
    return {"start": {"line": start_line, "character": start_char}, "end": end}


def _from_finding(f: Finding, root: str, doc_urls: dict[str, str]) -> dict:
    loc = f.location
    out = {
        "code": f.rule_id,
        "path": list(finding_path(f)),
        "message": f.message,
        "severity": f.severity.spectral_number,
        "range": _range(loc.line, loc.column, loc.end_line, loc.end_column),
        "source": absolute_path(loc.file, root),
    }
    if f.rule_id in doc_urls:
        out["documentationUrl"] = doc_urls[f.rule_id]
    return out


def _from_error(e: ScanError, root: str) -> dict:
    return {
        "code": ERROR_CODES.get(e.kind, f"apiscan-{e.kind}"),
        "path": list(pointer_to_path(e.pointer or "")),
        "message": e.message,
        "severity": 0,
        "range": _range(e.line, e.column),
        "source": absolute_path(e.file, root),
    }


def _sort_key(d: dict) -> tuple:
    start = d["range"]["start"]
    return (d["source"], start["line"], start["character"], d["code"], d["path"])


def diagnostics(result: ScanResult) -> list[dict]:
    """Spectral-shaped results for every active finding and every scan error, in Spectral's order."""
    doc_urls = {r.id: r.help_uri for r in result.rules if r.help_uri}
    out = [_from_finding(f, result.root, doc_urls) for f in result.findings if f.suppression is None]
    out += [_from_error(e, result.root) for e in result.errors]
    out.sort(key=_sort_key)
    return out
