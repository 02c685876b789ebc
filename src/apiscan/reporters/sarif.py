"""SARIF 2.1.0, shaped for GitHub code scanning (and any other SARIF viewer).

Choices that matter to GitHub, which shows the rule's short/full description and help on each
alert, de-duplicates alerts across runs by ruleId + path + partialFingerprints, and treats a rule
tagged `security` that carries `security-severity` as a security alert:
- URIs are relative to the scan root under the `%SRCROOT%` base id, so the same alert keeps the
  same path whatever directory the scan ran in; the root itself goes in originalUriBaseIds.
- partialFingerprints carries our own fingerprint, which ignores line numbers, so an alert survives
  edits above it.
- Suppressed findings are kept with a `suppressions` entry, which GitHub shows as dismissed.
- Columns count Unicode code points (our source maps count Python characters), said explicitly in
  `columnKind` because SARIF's default is UTF-16 code units.
"""

from __future__ import annotations

from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from apiscan.models.findings import Finding, Location, RuleInfo, ScanError, ScanResult, Severity
from apiscan.reporters._common import is_absolute, relative_path, sorted_errors, sorted_findings
from apiscan.reporters._jsonout import dumps

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_BASE_ID = "%SRCROOT%"
FINGERPRINT_KEY = "apiscanFingerprint/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}

# GitHub buckets security-severity as >= 9 critical, 7-8.9 high, 4-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}

SUPPRESSION_KINDS = {"inline": "inSource"}  # config, baseline, waiver: decided outside the file


def _file_uri(path: str) -> str | None:
    """An absolute path as a file:// URI (trailing slash kept for directories)."""
    if not is_absolute(path):
        return None
    win = not path.startswith("/")
    pure = PureWindowsPath(path) if win else PurePosixPath(path)
    try:
        return pure.as_uri()
    except ValueError:
        return None


def artifact_location(file: str, root: str) -> dict:
    rel = relative_path(file, root)
    if is_absolute(rel):  # outside the root: an absolute URI, no base id
        return {"uri": _file_uri(rel) or quote(rel.replace("\\", "/"), safe="/:")}
    return {"uri": quote(rel, safe="/"), "uriBaseId": ROOT_BASE_ID}


def _region(line: int | None, column: int | None, end_line: int | None = None,
            end_column: int | None = None) -> dict | None:
    if line is None:
        return None
    region = {"startLine": line}
    if column is not None:
        region["startColumn"] = column
    if end_line is not None and end_line >= line:
        region["endLine"] = end_line
        if end_column is not None and (end_line > line or column is None or end_column >= column):
            region["endColumn"] = end_column
    return region


def _physical(file: str, root: str, line=None, column=None, end_line=None, end_column=None) -> dict:
    physical: dict = {"artifactLocation": artifact_location(file, root)}
    region = _region(line, column, end_line, end_column)
    if region:
        physical["region"] = region
    return physical


def _location(loc: Location, root: str) -> dict:
    out: dict = {}
    if loc.file:
        out["physicalLocation"] = _physical(loc.file, root, loc.line, loc.column, loc.end_line, loc.end_column)
    if loc.pointer:
        out["logicalLocations"] = [{"fullyQualifiedName": loc.pointer, "name": loc.pointer.rsplit("/", 1)[-1]}]
    return out


def _primary_location(f: Finding, root: str) -> dict:
    """Where GitHub anchors the alert. It rejects a result with no location at all, so a landscape
    finding (no file) borrows its first related file, or else gets a logical location naming its
    subject: still valid SARIF, and never dropped."""
    if f.location.file:
        return _location(f.location, root)
    anchor = next((r for r in f.related if r.file), None)
    if anchor is not None:
        return _location(anchor, root)
    name = f.subject.key if f.subject else (f.location.pointer or "landscape")
    return {"logicalLocations": [{"fullyQualifiedName": name, "kind": "resource"}]}


def _tags(category: str, capability: str) -> list[str]:
    tags = [t for t in (category, capability) if t]
    if category == "security":
        tags.append("security")
    return sorted(set(tags))


def _rule_descriptor(rule: RuleInfo) -> dict:
    desc: dict = {"id": rule.id}
    if rule.name:
        desc["name"] = rule.name
    desc["shortDescription"] = {"text": rule.title or rule.name or rule.id}
    if rule.description or rule.title:
        desc["fullDescription"] = {"text": (rule.description or rule.title).strip()}
    help_text = [rule.description.strip(), ""] if rule.description else []
    help_md = list(help_text)
    if rule.remediation:
        help_text += ["Remediation: " + rule.remediation.strip()]
        help_md += ["**Remediation**", "", rule.remediation.strip()]
    if help_text:
        desc["help"] = {"text": "\n".join(help_text).strip(), "markdown": "\n".join(help_md).strip()}
    if rule.help_uri:
        desc["helpUri"] = rule.help_uri
    desc["defaultConfiguration"] = {"level": LEVELS[rule.severity]}
    props: dict = {
        "category": rule.category,
        "capability": rule.capability,
        "severity": rule.severity.label,
        "source": rule.source,
        "tags": _tags(rule.category, rule.capability),
        "precision": "high",
    }
    if rule.category == "security":
        props["security-severity"] = SECURITY_SEVERITY[rule.severity]
    desc["properties"] = props
    return desc


def _rule_from_finding(f: Finding) -> RuleInfo:
    """A catalogue entry for a rule the engine did not list, so every ruleIndex stays valid."""
    return RuleInfo(id=f.rule_id, name=f.rule_name, title=f.rule_name or f.rule_id, severity=f.severity,
                    category=f.category, capability=f.capability)


def _suppression(f: Finding) -> dict:
    s = f.suppression
    # No `status`: the published 2.1.0 schema rejects it (it came with a later errata); kind suffices.
    out: dict = {"kind": SUPPRESSION_KINDS.get(s.kind, "external")}
    if s.reason:
        out["justification"] = s.reason
    props = {"apiscanKind": s.kind}
    if s.source:
        props["source"] = s.source
    if s.expires:
        props["expires"] = s.expires
    out["properties"] = props
    return out


def _result(f: Finding, index: int, root: str) -> dict:
    out: dict = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
    }
    out["locations"] = [_primary_location(f, root)]
    related = [
        {"id": i, **_location(r, root)}
        for i, r in enumerate(f.related, start=1)
        if r.file or r.pointer
    ]
    if related:
        out["relatedLocations"] = related
    if f.fingerprint:
        out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.suppression is not None:
        out["suppressions"] = [_suppression(f)]
    props: dict = {"severity": f.severity.label}
    if f.subject is not None:
        props["subject"] = f.subject.to_dict()
    out["properties"] = props
    return out


def _notification(e: ScanError, root: str, rule_index: dict[str, int]) -> dict:
    out: dict = {
        "level": "error",
        "message": {"text": e.message},
        "descriptor": {"id": f"apiscan/{e.kind}"},
    }
    loc: dict = {}
    if e.file:
        loc["physicalLocation"] = _physical(e.file, root, e.line, e.column)
    if e.pointer:
        loc["logicalLocations"] = [{"fullyQualifiedName": e.pointer}]
    if loc:
        out["locations"] = [loc]
    if e.rule_id:
        rule = {"id": e.rule_id}
        if e.rule_id in rule_index:
            rule["index"] = rule_index[e.rule_id]
        out["associatedRule"] = rule
    return out


def build_log(result: ScanResult) -> dict:
    """The SARIF log as a dict (tests and the CLI's --output merging can use it unserialised)."""
    rules: list[RuleInfo] = []
    rule_index: dict[str, int] = {}
    for rule in result.rules:
        if rule.id not in rule_index:
            rule_index[rule.id] = len(rules)
            rules.append(rule)
    findings = sorted_findings(result.findings)
    for f in findings:
        if f.rule_id not in rule_index:
            rule_index[f.rule_id] = len(rules)
            rules.append(_rule_from_finding(f))

    driver: dict = {"name": result.tool or "apiscan"}
    if result.version:
        driver["version"] = result.version
        driver["semanticVersion"] = result.version
    driver["rules"] = [_rule_descriptor(r) for r in rules]

    invocation = {
        "executionSuccessful": not result.errors,
        "toolExecutionNotifications": [_notification(e, result.root, rule_index) for e in sorted_errors(result.errors)],
    }
    run: dict = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "results": [_result(f, rule_index[f.rule_id], result.root) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    root_uri = _file_uri(result.root)
    if root_uri:
        run["originalUriBaseIds"] = {ROOT_BASE_ID: {"uri": root_uri.rstrip("/") + "/"}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: ScanResult, *, color: bool = False) -> str:
    return dumps(build_log(result))
