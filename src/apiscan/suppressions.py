"""Suppressions: in-spec `x-apiscan-ignore` (a reason is mandatory), per-path ignores from the
configuration, and baselines. Suppressed findings are kept and marked, never dropped.

In a spec, on any object:

```yaml
x-apiscan-ignore:
  - rule: SEC001            # id or name; "*" for every rule
    reason: Public health-check endpoint, reviewed 2026-10
```
or the short form `x-apiscan-ignore: {SEC001: "reason"}`. It covers findings at that object and
everything below it in the same file. An entry without a reason suppresses nothing and is itself
reported (GOV001).
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from pathlib import Path

from apiscan.models import Finding, Suppression
from apiscan.pointer import to_pointer

IGNORE_KEY = "x-apiscan-ignore"


@dataclass
class InlineIgnore:
    file: str  # display name
    pointer: str  # of the object carrying x-apiscan-ignore
    rule: str
    reason: str


def parse_inline(value, file: str, path: tuple) -> tuple[list[InlineIgnore], list[tuple[tuple, str]]]:
    """Entries and problems ((path, message)) of one `x-apiscan-ignore` value."""
    entries: list[InlineIgnore] = []
    problems: list[tuple[tuple, str]] = []
    pointer = to_pointer(path)
    if isinstance(value, dict):
        items = [({"rule": k, "reason": v}, path + (IGNORE_KEY, k)) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(v, path + (IGNORE_KEY, i)) for i, v in enumerate(value)]
    elif isinstance(value, str):
        items = [({"rule": value}, path + (IGNORE_KEY,))]
    else:
        return [], [(path + (IGNORE_KEY,), "x-apiscan-ignore must be a list of {rule, reason} or a mapping rule → reason")]
    for item, where in items:
        if not isinstance(item, dict) or not isinstance(item.get("rule"), str):
            problems.append((where, "x-apiscan-ignore entry needs a `rule`"))
            continue
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            problems.append((where, f"x-apiscan-ignore of {item['rule']} has no reason: a reason is mandatory"))
            continue
        entries.append(InlineIgnore(file, pointer, item["rule"], reason.strip()))
    return entries, problems


def _covers(pointer: str, finding_pointer: str) -> bool:
    return finding_pointer == pointer or finding_pointer.startswith(pointer + "/") or pointer == ""


def _rule_matches(selector: str, finding: Finding) -> bool:
    s = selector.strip().lower()
    return s == "*" or s in (finding.rule_id.lower(), finding.rule_name.lower(), finding.category.lower())


def apply_inline(findings: list[Finding], ignores: list[InlineIgnore]) -> None:
    for f in findings:
        if f.suppression is not None:
            continue
        for ig in ignores:
            if ig.file == f.location.file and _covers(ig.pointer, f.location.pointer) and _rule_matches(ig.rule, f):
                f.suppression = Suppression(kind="inline", reason=ig.reason, source=f"{ig.file}#{ig.pointer}")
                break


def apply_path_ignores(findings: list[Finding], ignore_paths: dict[str, list[str]], relative) -> None:
    """`relative(file)` gives the path the globs are matched against (relative to the config)."""
    if not ignore_paths:
        return
    for f in findings:
        if f.suppression is not None:
            continue
        rel = relative(f.location.file)
        for pattern, rules in ignore_paths.items():
            if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.rstrip("/") + "/*"):
                if any(_rule_matches(r, f) for r in rules):
                    f.suppression = Suppression(kind="config", reason=f"ignore-paths {pattern}", source=pattern)
                    break


# ------------------------------------------------------------------------------ baselines


def write_baseline(findings: list[Finding], path: Path) -> int:
    entries = sorted(
        {(f.fingerprint, f.rule_id, f.location.file, f.location.pointer) for f in findings if f.suppression is None}
    )
    data = {
        "version": 1,
        "tool": "apiscan",
        "findings": [{"fingerprint": fp, "rule": r, "file": fl, "pointer": p} for fp, r, fl, p in entries],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return len(entries)


class BaselineError(Exception):
    pass


def load_baseline(path: Path) -> set[str]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"{path}: not a baseline file ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a baseline file (no `findings` list)")
    return {e["fingerprint"] for e in data["findings"] if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)}


def apply_baseline(findings: list[Finding], fingerprints: set[str], source: str) -> None:
    for f in findings:
        if f.suppression is None and f.fingerprint in fingerprints:
            f.suppression = Suppression(kind="baseline", reason="in baseline", source=source)
