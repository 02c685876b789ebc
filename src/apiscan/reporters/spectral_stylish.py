"""Spectral's default `stylish` output, for users and log parsers used to Spectral.

Per file: the absolute path, then rows `line:col  severity  code  message  path` with the position
centred, the severity right-aligned and the path printed in Spectral's dot style
(`paths./pets.get.parameters[0]`); then `✖ N problems (X errors, Y warnings, Z infos, W hints)`.
Severity names are Spectral's (error, warning, information, hint). Suppressed findings are not
shown, as Spectral does not show ignored results.
"""

from __future__ import annotations

import re

from apiscan.models.findings import ScanResult
from apiscan.reporters._ansi import paint
from apiscan.reporters._common import display_width, one_line, pad, plural
from apiscan.reporters._spectral import diagnostics

NAMES = ("error", "warning", "information", "hint")
COLORS = ("red", "yellow", "blue", "white")

_NUMERIC = re.compile(
    r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[+-]?Infinity"
)


def _is_numeric(segment: str) -> bool:
    """JavaScript's `!isNaN(Number(s))` for a segment without whitespace, as Spectral tests it."""
    return bool(_NUMERIC.fullmatch(segment))


def dot_path(path: list) -> str:
    """Spectral's dot style: `a.b[0]['has space']['']`."""
    out = ""
    for index, segment in enumerate(path):
        if isinstance(segment, (int, float)) and not isinstance(segment, bool):
            out += f"[{segment}]"
            continue
        segment = str(segment)
        if segment == "":
            out += "['']"
        elif re.search(r"\s", segment):
            out += f"['{segment}']"
        elif _is_numeric(segment):
            out += f"[{segment}]"
        else:
            out += ("" if index == 0 else ".") + segment
    return out


def summary(counts: list[int]) -> str:
    total = sum(counts)
    return (f"{plural(total, 'problem')} ({plural(counts[0], 'error')}, {plural(counts[1], 'warning')}, "
            f"{plural(counts[2], 'info')}, {plural(counts[3], 'hint')})")


def render(result: ScanResult, *, color: bool = False) -> str:
    results = diagnostics(result)
    if not results:
        return "No results with a severity of 'hint' or higher found!\n"
    by_source: dict[str, list[dict]] = {}
    for d in results:
        by_source.setdefault(d["source"], []).append(d)

    out: list[str] = []
    counts = [0, 0, 0, 0]
    for source, items in by_source.items():
        out.append(paint(one_line(source), "underline", enabled=color))
        rows = []
        for d in items:
            start = d["range"]["start"]
            counts[d["severity"]] += 1
            rows.append((
                f" {start['line'] + 1}:{start['character'] + 1}",
                NAMES[d["severity"]],
                one_line(d["code"]),
                one_line(d["message"]),
                one_line(dot_path(d["path"])),
                d["severity"],
            ))
        widths = [max(display_width(r[i]) for r in rows) for i in range(5)]
        for pos, sev, code, message, path, level in rows:
            cells = [
                paint(pad(pos, widths[0], "center"), "dim", enabled=color),
                paint(pad(sev, widths[1], "right"), COLORS[level], enabled=color),
                pad(code, widths[2]),
                pad(message, widths[3]),
                path,
            ]
            out.append("  ".join(cells).rstrip())
        out.append("")
    worst = min(d["severity"] for d in results)
    out.append(paint(f"\u2716 {summary(counts)}", COLORS[worst], "bold", enabled=color))
    return "\n".join(out) + "\n"
