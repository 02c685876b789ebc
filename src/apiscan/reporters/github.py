"""GitHub Actions workflow commands: findings become annotations on the PR's changed files.

`::error file=F,line=L,col=C,title=T::message` (warning / notice by severity). The runner splits
these lines itself, so untrusted text must not be able to end a property early (`,` or `:`), start
a new command (a newline followed by `::`), or smuggle a control sequence: values are
percent-encoded the way the Actions toolkit does it. Suppressed findings become `::debug::` lines,
visible only with step debug logging, so a suppression hides the annotation but never the fact.
"""

from __future__ import annotations

from apiscan.models.findings import Finding, ScanResult, Severity
from apiscan.reporters._common import relative_path, visible_controls, sorted_errors, sorted_findings, summary_line

COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}

def escape_data(text: object) -> str:
    """The message part: `%`, CR and LF encoded (a multi-line message stays one annotation)."""
    s = visible_controls(text)  # other controls would reach the log raw
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: object) -> str:
    """A property value: as data, plus `:` and `,` which would end the value early."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: object) -> str:
    parts = [f"{k}={escape_property(v)}" for k, v in props.items() if v is not None and v != ""]
    head = f"::{name}" + (" " + ",".join(parts) if parts else "")
    return f"{head}::{escape_data(message)}"


def _finding_props(f: Finding, root: str) -> dict:
    loc = f.location
    props: dict = {"file": relative_path(loc.file, root) or None}
    if loc.file and loc.line is not None:
        props["line"] = loc.line
        if loc.column is not None:
            props["col"] = loc.column
        if loc.end_line is not None:
            props["endLine"] = loc.end_line
            if loc.end_column is not None:
                props["endColumn"] = loc.end_column
    props["title"] = f"{f.rule_id} {f.rule_name}".strip() if f.rule_name else f.rule_id
    return props


def _message(f: Finding) -> str:
    text = f.message
    if f.location.pointer:
        text += f"\n{f.location.pointer}"
    return text


def render(result: ScanResult, *, color: bool = False) -> str:
    # GitHub keeps only the first few annotations of each level per step, so scan errors (they fail
    # the run) come first, then findings from the most severe down.
    lines = []
    for e in sorted_errors(result.errors):
        props = {"file": relative_path(e.file, result.root) or None}
        if e.file and e.line is not None:
            props["line"] = e.line
            props["col"] = e.column
        props["title"] = f"apiscan {e.kind} error" + (f" in {e.rule_id}" if e.rule_id else "")
        lines.append(command("error", e.message, **props))
    for f in sorted(sorted_findings(result.findings), key=lambda f: -int(f.severity)):
        props = _finding_props(f, result.root)
        if f.suppression is not None:
            why = f.suppression.reason or f.suppression.kind
            where = props.get("file") or "(landscape)"
            if "line" in props:
                where += f":{props['line']}"
            lines.append(command("debug", f"suppressed {f.rule_id} at {where} ({why}): {f.message}"))
            continue
        lines.append(command(COMMANDS[f.severity], _message(f), **props))
    # A plain line is ordinary log output: the run's verdict, readable in the step log.
    lines.append(escape_data("apiscan: " + summary_line(result)))
    return "\n".join(lines) + "\n"
