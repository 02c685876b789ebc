"""The default terminal format: findings grouped by file in aligned columns, then a summary.

Modelled on the ESLint/Spectral "stylish" look people already scan quickly, with our five
severities. Suppressed findings stay visible (dimmed and marked) so a suppression never hides a
problem silently, but they are not counted as problems.
"""

from __future__ import annotations

from apiscan.models.findings import Finding, ScanResult
from apiscan.reporters._ansi import SEVERITY_STYLE, paint
from apiscan.reporters._common import (
    LANDSCAPE_LABEL,
    display_width,
    error_where,
    group_by_file,
    one_line,
    pad,
    position,
    relative_path,
    sorted_errors,
    summary_line,
)

_SEP = "  "


def _suppression_note(finding: Finding) -> str:
    s = finding.suppression
    if s is None:
        return ""
    why = s.reason or s.kind
    return f"suppressed ({one_line(why)})"


def _row(finding: Finding) -> list[str]:
    loc = finding.location
    return [
        position(loc.line, loc.column),
        finding.severity.label,
        one_line(finding.rule_id),
        one_line(finding.message),
        one_line(loc.pointer),
        _suppression_note(finding),
    ]


def _table(rows: list[list[str]], findings: list[Finding], color: bool) -> list[str]:
    widths = [max(display_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for cells, finding in zip(rows, findings):
        # Pad every cell but the row's last non-empty one, so no line ends in blanks (even coloured).
        last = max(i for i, c in enumerate(cells) if c or i == 0)
        padded = [pad(cells[0], widths[0], "right")]
        padded += [pad(c, widths[i]) if i < last else c for i, c in enumerate(cells) if 0 < i <= last]
        padded += [""] * (len(cells) - len(padded))
        if finding.suppressed:
            line = (" " * 2 + _SEP.join(padded)).rstrip()
            lines.append(paint(line, "dim", enabled=color))
            continue
        padded[0] = paint(padded[0], "dim", enabled=color)
        padded[1] = paint(padded[1], *SEVERITY_STYLE[finding.severity], enabled=color)
        padded[4] = paint(padded[4], "gray", enabled=color)
        lines.append((" " * 2 + _SEP.join(padded)).rstrip())
    return lines


def render(result: ScanResult, *, color: bool = False) -> str:
    out: list[str] = []
    for file, findings in group_by_file(result.findings, result.root).items():
        header = one_line(relative_path(file, result.root)) or LANDSCAPE_LABEL
        out.append(paint(header, "underline", enabled=color))
        out.extend(_table([_row(f) for f in findings], findings, color))
        out.append("")

    if result.errors:
        out.append(paint("Errors", "bold", enabled=color))
        rows = []
        for e in sorted_errors(result.errors):
            kind = e.kind + (f" {e.rule_id}" if e.rule_id else "")
            rows.append([one_line(error_where(e, result.root)), one_line(kind), one_line(e.message)])
        widths = [max(display_width(r[i]) for r in rows) for i in range(3)]
        for where, kind, message in rows:
            label = paint("error", "red", enabled=color)
            line = _SEP.join([pad(where, widths[0]), label, pad(kind, widths[1]), message])
            out.append(("  " + line).rstrip())
        out.append("")

    summary = summary_line(result)
    active = len(result.active_findings())
    if active or result.errors:
        worst = max((f.severity for f in result.active_findings()), default=None)
        style = SEVERITY_STYLE[worst] if worst is not None else ("red",)
        out.append(paint(f"\u2716 {summary}", "bold", *style, enabled=color))
    else:
        out.append(paint(f"\u2714 {summary}", "green", enabled=color))
    return "\n".join(out) + "\n"
