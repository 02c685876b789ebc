"""GitHub-flavoured Markdown for PR comments and job summaries.

A summary table by severity and by rule, then the findings grouped by file, then errors, with the
suppressed findings folded away in a <details> block. Everything that came from the scanned input
is escaped: a `|` would split a table cell, a backtick would open code, `<img>` would load a remote
image in the reader's browser, and `@team` would notify people from a PR comment.
"""

from __future__ import annotations

import re

from apiscan.models.findings import Finding, ScanResult
from apiscan.reporters._common import (
    LANDSCAPE_LABEL,
    SEVERITIES_DESC,
    error_where,
    group_by_file,
    plural,
    position,
    relative_path,
    sorted_errors,
    summary_line,
    visible_controls,
)

# A PR comment holds at most 65,536 characters; past this many rows the comment would not post.
MAX_FINDING_ROWS = 250

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}()#+!|~>])")


def text_cell(value: object) -> str:
    """Untrusted text as inert Markdown inline text, safe inside a table cell."""
    s = visible_controls(value)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _INLINE_SPECIAL.sub(r"\\\1", s)
    s = s.replace("@", "@\u200b")  # no @mention pings from a spec's text
    s = re.sub(r"\r\n|\r|\n", "<br>", s)
    return s


def code(value: object) -> str:
    """A code span that holds any text: a fence longer than any backtick run, pipes escaped.

    GFM removes the backslash of `\\|` even inside a code span in a table cell, so the escape keeps
    the cell intact without showing up in the rendered text.
    """
    s = visible_controls(value)
    s = re.sub(r"\r\n|\r|\n", " ", s)
    if not s:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    if s.startswith("`") or s.endswith("`") or (s.startswith(" ") and s.endswith(" ") and s.strip()):
        s = f" {s} "
    return f"{fence}{s.replace('|', chr(92) + '|')}{fence}"


def _table(header: list[str], rows: list[list[str]], align: list[str] | None = None) -> list[str]:
    align = align or ["---"] * len(header)
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _finding_row(f: Finding) -> list[str]:
    loc = f.location
    return [position(loc.line, loc.column), f.severity.label, code(f.rule_id), text_cell(f.message),
            code(loc.pointer)]


def render(result: ScanResult, *, color: bool = False) -> str:
    active = result.active_findings()
    suppressed = [f for f in result.findings if f.suppression is not None]
    out = ["## apiscan results", "", f"**{text_cell(summary_line(result))}**"]
    if result.documents:
        out[-1] += f" in {plural(len(result.documents), 'document')}"
    out.append("")

    counts = result.counts()
    out += ["### By severity", ""]
    out += _table(["Severity", "Findings"], [[s.label, str(counts[s.label])] for s in SEVERITIES_DESC],
                  ["---", "---:"])
    out.append("")

    if result.findings:
        titles = {r.id: r.title for r in result.rules}
        per_rule: dict[str, list[Finding]] = {}
        for f in result.findings:
            per_rule.setdefault(f.rule_id, []).append(f)
        order = sorted(per_rule, key=lambda r: (-max(int(f.severity) for f in per_rule[r]), r))
        rows = []
        for rule_id in order:
            items = per_rule[rule_id]
            live = [f for f in items if f.suppression is None]
            rows.append([
                code(rule_id),
                text_cell(titles.get(rule_id) or items[0].rule_name),
                max(items, key=lambda f: f.severity).severity.label,
                str(len(live)),
                str(len(items) - len(live)),
            ])
        out += ["### By rule", ""]
        out += _table(["Rule", "Title", "Severity", "Findings", "Suppressed"], rows,
                      ["---", "---", "---", "---:", "---:"])
        out.append("")

    if active:
        out += ["### Findings", ""]
        shown = active
        if len(active) > MAX_FINDING_ROWS:  # keep the most severe, still grouped by file
            shown = sorted(active, key=lambda f: -int(f.severity))[:MAX_FINDING_ROWS]
        for file, items in group_by_file(shown, result.root).items():
            label = relative_path(file, result.root) or LANDSCAPE_LABEL
            out += [f"#### {code(label)}", ""]
            out += _table(["Line", "Severity", "Rule", "Message", "Pointer"], [_finding_row(f) for f in items])
            out.append("")
        if len(shown) < len(active):
            hidden = len(active) - len(shown)
            out += [f"_{plural(hidden, 'more finding')} not shown (the {len(shown)} most severe are); "
                    "the json or sarif report has them all._", ""]

    if result.errors:
        out += ["### Errors", ""]
        rows = [[code(error_where(e, result.root)), text_cell(e.kind), code(e.rule_id or ""), text_cell(e.message)]
                for e in sorted_errors(result.errors)]
        out += _table(["Where", "Kind", "Rule", "Message"], rows)
        out.append("")

    if suppressed:
        out += ["<details>", f"<summary>{plural(len(suppressed), 'suppressed finding')}</summary>", ""]
        rows = []
        for file, items in group_by_file(suppressed, result.root).items():
            label = relative_path(file, result.root) or LANDSCAPE_LABEL
            for f in items:
                s = f.suppression
                rows.append([code(label), position(f.location.line, f.location.column), code(f.rule_id),
                             text_cell(f.message), text_cell(s.kind), text_cell(s.reason)])
        out += _table(["File", "Line", "Rule", "Message", "Kind", "Reason"], rows)
        out += ["", "</details>", ""]
    return "\n".join(out).rstrip("\n") + "\n"
