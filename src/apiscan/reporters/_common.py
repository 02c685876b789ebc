"""Helpers every reporter shares: ordering, paths, and making untrusted text safe to print.

Messages carry text lifted from the scanned inputs (titles, keys, values). A spec can hold ANSI
escapes, bidi overrides or raw newlines; printed as-is they would repaint a terminal, hide text in a
review, or forge extra lines in a CI log. So text formats run every such string through `one_line`.
Pure string work only: no file system access, so a saved result renders the same anywhere.
"""

from __future__ import annotations

import functools
import ntpath
import posixpath
import re
import unicodedata
from typing import Iterable

from apiscan.models.findings import Finding, ScanError, ScanResult, Severity

# Highest first: the order summaries and tables list severities in.
SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))

LANDSCAPE_LABEL = "(landscape)"  # the group for findings that point at no file

# C0/C1 controls and DEL, plus the bidi embedding/override/isolate marks used in "Trojan Source".
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": " "}


def _escape_char(match: re.Match) -> str:
    ch = match.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: object) -> str:
    """Text made safe for one terminal/log line: controls and bidi marks shown as visible escapes."""
    return _UNSAFE.sub(_escape_char, str(text))


_UNSAFE_KEEP_LINES = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible_controls(text: object) -> str:
    """Like `one_line` but keeps line breaks, for formats that encode them their own way."""
    return _UNSAFE_KEEP_LINES.sub(_escape_char, str(text))


def display_width(text: str) -> int:
    """Columns a string takes in a terminal, so tables stay aligned with CJK text and accents."""
    if text.isascii():
        return len(text)
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, align: str = "left") -> str:
    gap = max(0, width - display_width(text))
    if align == "right":
        return " " * gap + text
    if align == "center":
        left = (gap + 1) // 2
        return " " * left + text + " " * (gap - left)
    return text + " " * gap


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


def _path_module(path: str):
    return ntpath if (re.match(r"^[A-Za-z]:[\\/]", path) or path.startswith("\\\\")) else posixpath


def is_absolute(path: str) -> bool:
    return bool(path) and _path_module(path).isabs(path)


@functools.lru_cache(maxsize=4096)
def relative_path(file: str, root: str) -> str:
    """The file as the user thinks of it: relative to the scan root when it lies inside it.

    Paths given relative stay as given; absolute ones outside the root stay absolute, because a
    `../..` walk out of the root would read as a path the user never typed.
    """
    if not file:
        return ""
    if not (is_absolute(file) and is_absolute(root)):
        return file.replace("\\", "/") if _path_module(file) is ntpath else file
    mod = _path_module(root)
    if _path_module(file) is not mod:
        return file
    norm_file, norm_root = mod.normpath(file), mod.normpath(root)
    try:
        inside = mod.commonpath([norm_file, norm_root]) == norm_root
    except ValueError:  # different drives
        inside = False
    if not inside:
        return file
    rel = mod.relpath(norm_file, norm_root)
    return rel.replace("\\", "/")


@functools.lru_cache(maxsize=4096)
def absolute_path(file: str, root: str) -> str:
    """The file joined onto the root, for formats (Spectral's) that always print absolute paths."""
    if not file:
        return root
    if is_absolute(file) or not root:
        return file
    mod = _path_module(root)
    return mod.normpath(mod.join(root, file))


def pointer_to_path(pointer: str) -> tuple[str, ...]:
    """Split an RFC 6901 pointer (optionally `#`-prefixed) into raw keys."""
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer:
        return ()
    parts = pointer.split("/")
    if parts[0] == "":
        parts = parts[1:]
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in parts)


def finding_path(finding: Finding) -> tuple[str, ...]:
    """The finding's key path as strings: `Finding.path` when the engine set it, else the pointer's."""
    if finding.path:
        return tuple(str(p) for p in finding.path)
    return pointer_to_path(finding.location.pointer)


def _line_key(line: int | None, column: int | None) -> tuple:
    # Findings with no line (whole-document or inventory findings) go after located ones.
    return (line is None, line or 0, column or 0)


def finding_sort_key(finding: Finding) -> tuple:
    loc = finding.location
    return (loc.file, *_line_key(loc.line, loc.column), -int(finding.severity), finding.rule_id,
            loc.pointer, finding.message)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_sort_key)


def sorted_errors(errors: Iterable[ScanError]) -> list[ScanError]:
    return sorted(errors, key=lambda e: (e.file, *_line_key(e.line, e.column), e.kind, e.message))


def file_order(files: Iterable[str], root: str) -> list[str]:
    """Files in the order of the names the user sees, the no-file (landscape) group last."""
    return sorted(set(files), key=lambda f: (f == "", relative_path(f, root), f))


def group_by_file(findings: Iterable[Finding], root: str = "") -> dict[str, list[Finding]]:
    """Findings grouped by file (see `file_order`), each group in line order."""
    groups: dict[str, list[Finding]] = {}
    for f in sorted_findings(findings):
        groups.setdefault(f.location.file, []).append(f)
    return {file: groups[file] for file in file_order(groups, root)}


def position(line: int | None, column: int | None) -> str:
    if line is None:
        return "-"
    return f"{line}:{column}" if column is not None else str(line)


def error_where(error: ScanError, root: str) -> str:
    """`file:line:col` (or `file#pointer`) with the file shown relative to the root."""
    out = relative_path(error.file, root) or LANDSCAPE_LABEL
    if error.line is not None:
        out += f":{error.line}"
        if error.column is not None:
            out += f":{error.column}"
    elif error.pointer:
        out += f"#{error.pointer}"
    return out


def severity_breakdown(result: ScanResult) -> str:
    """`3 high, 9 medium`: the non-zero active counts, highest first."""
    counts = result.counts()
    return ", ".join(f"{counts[s.label]} {s.label}" for s in SEVERITIES_DESC if counts[s.label])


def summary_line(result: ScanResult) -> str:
    """One sentence for text formats: `12 problems (3 high, 9 medium), 2 suppressed, 1 error`."""
    active = len(result.active_findings())
    suppressed = len(result.findings) - active
    head = f"{plural(active, 'problem')} ({severity_breakdown(result)})" if active else "No problems found"
    tail = []
    if suppressed:
        tail.append(f"{suppressed} suppressed")
    if result.errors:
        tail.append(plural(len(result.errors), "error"))
    return ", ".join([head, *tail])
