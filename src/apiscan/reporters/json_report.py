"""The ScanResult as JSON: the source of truth every other format can be re-rendered from.

`render` writes `ScanResult.to_dict()`; `load_result` reads it back for `apiscan report`, so a
scheduled audit scans once and renders many times. A saved file is untrusted input like any
other: a malformed one gives a ValueError naming the entry at fault, never a traceback, and keys
added by a newer apiscan are ignored rather than fatal.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from apiscan.models.findings import (
    DocumentInfo,
    Finding,
    Location,
    RuleInfo,
    ScanError,
    ScanResult,
    Subject,
    Suppression,
)
from apiscan.reporters._jsonout import dumps

MAX_RESULT_CHARS = 512 * 1024 * 1024  # a saved result larger than this is not one we wrote


def _jsonable(value: Any) -> Any:
    """Last resort for evidence values json cannot write: sets in a stable order, others as text."""
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def render(result: ScanResult, *, color: bool = False) -> str:
    """Indented JSON in the model's own key order (stable across runs); `color` is ignored."""
    return dumps(result.to_dict(), default=_jsonable)


# --------------------------------------------------------------------------- loading


def _known(cls: type, data: Any, where: str) -> dict:
    if not isinstance(data, dict):
        raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _location(data: Any, where: str) -> dict:
    loc = _known(Location, data, where)
    _require(loc, ("file",), where)
    if not isinstance(loc["file"], str) or not isinstance(loc.get("pointer", ""), str):
        raise ValueError(f"{where}: 'file' and 'pointer' must be strings")
    for key in ("line", "column", "end_line", "end_column"):
        value = loc.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"{where}.{key}: expected a positive integer, got {value!r}")
    return loc


def _require(data: dict, keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in data]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(repr(k) for k in missing)}")


def _list(data: dict, key: str) -> list:
    value = data.get(key, [])
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"'{key}': expected a list, got {type(value).__name__}")
    return value


def _clean_finding(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected an object, got {type(raw).__name__}")
    _require(raw, ("rule_id", "severity", "message", "location"), where)
    out = dict(raw)
    out["location"] = _location(raw["location"], f"{where}.location")
    for key in ("rule_id", "message"):
        if not isinstance(raw[key], str):
            raise ValueError(f"{where}.{key}: expected a string")
    if raw.get("subject"):
        out["subject"] = _known(Subject, raw["subject"], f"{where}.subject")
        _require(out["subject"], ("kind", "key"), f"{where}.subject")
    if raw.get("suppression"):
        out["suppression"] = _known(Suppression, raw["suppression"], f"{where}.suppression")
        _require(out["suppression"], ("kind",), f"{where}.suppression")
    related = raw.get("related") or []
    if not isinstance(related, list):
        raise ValueError(f"{where}.related: expected a list")
    out["related"] = [_location(r, f"{where}.related[{i}]") for i, r in enumerate(related)]
    if not isinstance(raw.get("path", []), list):
        raise ValueError(f"{where}.path: expected a list")
    if not isinstance(raw.get("evidence", {}), dict):
        raise ValueError(f"{where}.evidence: expected an object")
    return out


def _build(data: dict) -> ScanResult:
    cleaned: dict[str, Any] = {
        "tool": data.get("tool", "apiscan"),
        "version": data.get("version", ""),
        "root": data.get("root", ""),
        "skipped": _list(data, "skipped"),
        "stats": data.get("stats") or {},
    }
    cleaned["documents"] = []
    for i, d in enumerate(_list(data, "documents")):
        doc = _known(DocumentInfo, d, f"documents[{i}]")
        _require(doc, ("file", "kind"), f"documents[{i}]")
        cleaned["documents"].append(doc)
    cleaned["findings"] = [_clean_finding(f, f"findings[{i}]") for i, f in enumerate(_list(data, "findings"))]
    cleaned["errors"] = []
    for i, e in enumerate(_list(data, "errors")):
        err = _known(ScanError, e, f"errors[{i}]")
        _require(err, ("file", "message"), f"errors[{i}]")
        if not isinstance(err["file"], str) or not isinstance(err["message"], str):
            raise ValueError(f"errors[{i}]: 'file' and 'message' must be strings")
        for key in ("line", "column"):
            value = err.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"errors[{i}].{key}: expected a positive integer, got {value!r}")
        cleaned["errors"].append(err)
    cleaned["rules"] = []
    for i, r in enumerate(_list(data, "rules")):
        rule = _known(RuleInfo, r, f"rules[{i}]")
        _require(rule, ("id",), f"rules[{i}]")
        cleaned["rules"].append(rule)

    # Entries are now shape-checked one by one; a value can still be wrong (an unknown severity),
    # so each is built on its own and a failure names the entry rather than escaping bare.
    def build(factory, items, key):
        out = []
        for i, item in enumerate(items):
            try:
                out.append(factory(item))
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"{key}[{i}]: {exc}") from None
        return out

    return ScanResult(
        tool=str(cleaned["tool"]),
        version=str(cleaned["version"]),
        root=str(cleaned["root"]),
        documents=build(lambda d: DocumentInfo(**d), cleaned["documents"], "documents"),
        findings=build(Finding.from_dict, cleaned["findings"], "findings"),
        errors=build(ScanError.from_dict, cleaned["errors"], "errors"),
        rules=build(RuleInfo.from_dict, cleaned["rules"], "rules"),
        skipped=[str(s) for s in cleaned["skipped"]],
        stats=cleaned["stats"] if isinstance(cleaned["stats"], dict) else {},
    )


def load_result(text: str | bytes) -> ScanResult:
    """Parse a saved `apiscan lint -f json` result. Raises ValueError saying what is wrong and where."""
    if len(text) > MAX_RESULT_CHARS:
        raise ValueError(f"saved result is too large ({len(text)} characters)")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 JSON: {exc.reason}") from None
    if not isinstance(data, dict):
        raise ValueError(f"not an apiscan result: expected a JSON object, got {type(data).__name__}")
    if "findings" not in data and "errors" not in data:
        raise ValueError("not an apiscan result: neither 'findings' nor 'errors' is present")
    return _build(data)
