"""JUnit XML for CI test-report views (GitLab, Jenkins, Azure DevOps, CircleCI).

Shape: one <testsuite> per file; one <testcase> per rule per file, named by the rule, whose
<failure> lists every location that rule found in that file. Why per rule and not per finding:
CI servers track a test's history by (classname, name). A name built from a finding would carry a
line number or pointer, so an edit above it would make the "same" problem look fixed and a new one
appear; rule-per-file names stay stable run to run, and a file with 40 missing descriptions shows
one failing test with 40 lines rather than 40 rows drowning everything else. Suppressed-only rules
are <skipped> with the reason; scan errors are <error> test cases; a recognised document with no
finding gets one passing test case so a clean file shows as green rather than absent.

Built with xml.etree so every attribute and text node is escaped; characters XML 1.0 cannot carry
at all (most control characters) are replaced by visible escapes first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from apiscan.models.findings import Finding, ScanError, ScanResult
from apiscan.reporters._common import (
    LANDSCAPE_LABEL,
    file_order,
    group_by_file,
    position,
    relative_path,
    sorted_errors,
)

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value: object) -> str:
    """Text XML 1.0 can hold: the forbidden code points become `\\xNN` escapes."""
    return _XML_INVALID.sub(lambda m: f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100
                            else f"\\u{ord(m.group(0)):04x}", str(value))


def _finding_line(f: Finding) -> str:
    loc = f.location
    parts = [position(loc.line, loc.column), f.severity.label, f.message]
    if loc.pointer:
        parts.append(loc.pointer)
    line = "  ".join(parts)
    if f.suppression is not None:
        line += f"  [suppressed: {f.suppression.reason or f.suppression.kind}]"
    return line


def _rule_case(suite: ET.Element, file_label: str, rule_id: str, findings: list[Finding]) -> str:
    """Add one rule's test case; returns its outcome: failure | skipped."""
    first = findings[0]
    name = f"{rule_id} {first.rule_name}".strip()
    case = ET.SubElement(suite, "testcase", name=xml_text(name), classname=xml_text(file_label),
                         file=xml_text(file_label), time="0")
    active = [f for f in findings if f.suppression is None]
    body = xml_text("\n".join(_finding_line(f) for f in findings))
    if active:
        worst = max(active, key=lambda f: f.severity)
        summary = active[0].message if len(active) == 1 else f"{len(active)} findings: {active[0].message}"
        failure = ET.SubElement(case, "failure", message=xml_text(summary), type=worst.severity.label)
        failure.text = body
        return "failure"
    reasons = sorted({f.suppression.reason or f.suppression.kind for f in findings})
    skipped = ET.SubElement(case, "skipped", message=xml_text("suppressed: " + "; ".join(reasons)))
    skipped.text = body
    return "skipped"


def _error_case(suite: ET.Element, file_label: str, e: ScanError) -> None:
    name = f"{e.rule_id} (rule error)" if e.rule_id else f"{e.kind} error"
    case = ET.SubElement(suite, "testcase", name=xml_text(name), classname=xml_text(file_label),
                         file=xml_text(file_label), time="0")
    where = position(e.line, e.column)
    detail = e.message if where == "-" else f"{where}  {e.message}"
    if e.pointer:
        detail += f"  {e.pointer}"
    err = ET.SubElement(case, "error", message=xml_text(e.message), type=xml_text(e.kind))
    err.text = xml_text(detail)


def render(result: ScanResult, *, color: bool = False) -> str:
    by_file = group_by_file(result.findings, result.root)
    errors_by_file: dict[str, list[ScanError]] = {}
    for e in sorted_errors(result.errors):
        errors_by_file.setdefault(e.file, []).append(e)
    files = file_order([*by_file, *errors_by_file, *(d.file for d in result.documents)], result.root)

    root = ET.Element("testsuites", name="apiscan")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for file in files:
        label = relative_path(file, result.root) or LANDSCAPE_LABEL
        suite = ET.SubElement(root, "testsuite", name=xml_text(label))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        by_rule: dict[str, list[Finding]] = {}
        for f in by_file.get(file, []):
            by_rule.setdefault(f.rule_id, []).append(f)
        for rule_id in sorted(by_rule):
            outcome = _rule_case(suite, label, rule_id, by_rule[rule_id])
            counts["tests"] += 1
            counts["failures" if outcome == "failure" else "skipped"] += 1
        for e in errors_by_file.get(file, []):
            _error_case(suite, label, e)
            counts["tests"] += 1
            counts["errors"] += 1
        if counts["tests"] == 0:
            ET.SubElement(suite, "testcase", name="apiscan", classname=xml_text(label),
                          file=xml_text(label), time="0")
            counts["tests"] = 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=False).join(
        ('<?xml version="1.0" encoding="UTF-8"?>\n', "\n"))
