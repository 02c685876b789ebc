"""Load our own rule files (one YAML rule per file) and validate their metadata."""

from __future__ import annotations

from pathlib import Path

from apiscan.models import Severity
from apiscan.ruleset.model import CAPABILITIES, CATEGORIES, SCOPES, Rule, Then
from apiscan.sources.document import DocumentError, load_document


class RuleFileError(Exception):
    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line


def builtin_rules_dir() -> Path:
    """Rules ship inside the wheel as apiscan/_rules; in a checkout they are the repo's rules/."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "_rules"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "rules"


def parse_then(raw, file: str) -> list[Then]:
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("function"), str):
            raise RuleFileError(file, "`then` needs a `function` (and optional `field`, `functionOptions`)")
        opts = item.get("functionOptions") or {}
        if not isinstance(opts, dict):
            raise RuleFileError(file, "`functionOptions` must be a mapping")
        field = item.get("field")
        out.append(Then(function=item["function"], field=str(field) if field is not None else None, options=opts))
    return out


def rule_from_dict(data: dict, file: str) -> Rule:
    if not isinstance(data, dict):
        raise RuleFileError(file, "a rule file holds one mapping")
    missing = [k for k in ("id", "name", "title", "category", "severity", "then") if k not in data]
    if missing:
        raise RuleFileError(file, f"missing required keys: {', '.join(missing)}")
    if data["category"] not in CATEGORIES:
        raise RuleFileError(file, f"unknown category {data['category']!r}")
    capability = data.get("capability", "")
    if capability and capability not in CAPABILITIES:
        raise RuleFileError(file, f"unknown capability {capability!r}")
    scope = data.get("scope", "document")
    if scope not in SCOPES:
        raise RuleFileError(file, f"unknown scope {scope!r}")
    try:
        severity = Severity.parse(data["severity"])
    except ValueError as exc:
        raise RuleFileError(file, str(exc)) from None
    given = data.get("given", "$" if scope == "document" else [])
    given = [given] if isinstance(given, str) else list(given or [])
    formats = data.get("formats")
    return Rule(
        id=str(data["id"]),
        name=str(data["name"]),
        title=str(data["title"]),
        category=data["category"],
        capability=capability,
        severity=severity,
        scope=scope,
        formats=frozenset(formats) if formats else None,
        given=given,
        then=parse_then(data["then"], file),
        message=data.get("message"),
        description=str(data.get("description", "")).strip(),
        remediation=str(data.get("remediation", "")).strip(),
        help_uri=data.get("documentationUrl") or data.get("help_uri"),
        recommended=bool(data.get("recommended", True)),
        enabled=bool(data.get("enabled", True)),
        resolved=bool(data.get("resolved", True)),
        source="apiscan",
        file=file,
        references=list(data.get("references") or []),
        extra={k: v for k, v in data.items() if k in ("owasp", "tags", "compliance")},
    )


def load_rule_file(path: Path) -> Rule:
    try:
        doc = load_document(path)
    except DocumentError as exc:
        raise RuleFileError(str(path), exc.message, exc.line) from None
    rule = rule_from_dict(doc.data, str(path))
    if rule.id != path.stem:
        raise RuleFileError(str(path), f"file name must be the rule id ({rule.id}.yaml)")
    return rule


def load_rule_dir(folder: Path) -> tuple[list[Rule], list[RuleFileError]]:
    """Every `<category>/<ID>.yaml` below `folder` (the `rulesets/` and `compliance/` folders hold
    other kinds of files and are skipped)."""
    rules: list[Rule] = []
    errors: list[RuleFileError] = []
    if not folder.is_dir():
        return rules, [RuleFileError(str(folder), "rule folder does not exist")]
    for path in sorted(folder.rglob("*.y*ml")):
        rel = path.relative_to(folder).parts
        if rel[0] in ("rulesets", "compliance") or path.name.startswith("."):
            continue
        try:
            rules.append(load_rule_file(path))
        except RuleFileError as exc:
            errors.append(exc)
    return rules, errors


_BUILTIN_CACHE: tuple | None = None


def builtin_rules() -> tuple[list[Rule], list[RuleFileError]]:
    global _BUILTIN_CACHE
    if _BUILTIN_CACHE is None:
        _BUILTIN_CACHE = load_rule_dir(builtin_rules_dir())
    return _BUILTIN_CACHE


def select(rules: list[Rule], include: list[str] | None = None, exclude: list[str] | None = None) -> list[Rule]:
    out = rules
    if include:
        out = [r for r in out if any(r.matches(s) for s in include)]
    if exclude:
        out = [r for r in out if not any(r.matches(s) for s in exclude)]
    return out
