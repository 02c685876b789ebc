"""The in-memory form of a rule, whichever file format it came from."""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from typing import Any

from apiscan.models import RuleInfo, Severity

CATEGORIES = ("security", "versioning", "documentation", "design", "gateway", "traffic", "governance", "spectral")
CAPABILITIES = (
    "gateway-runtime", "security-compliance", "policy-enforcement", "developer-portal",
    "lifecycle-versioning", "analytics-monitoring", "discovery-catalog", "transformation-mediation",
)
SCOPES = ("document", "operation", "api", "route", "consumer", "gateway", "landscape")


@dataclass
class Then:
    function: str
    field: str | None = None
    options: dict = dc_field(default_factory=dict)


@dataclass
class Rule:
    id: str
    name: str = ""
    title: str = ""
    category: str = ""
    capability: str = ""
    severity: Severity = Severity.MEDIUM
    scope: str = "document"
    formats: frozenset | None = None
    given: list[str] = dc_field(default_factory=list)
    then: list[Then] = dc_field(default_factory=list)
    message: str | None = None
    description: str = ""
    remediation: str = ""
    help_uri: str | None = None
    recommended: bool = True
    enabled: bool = True
    resolved: bool = True
    source: str = "apiscan"  # where it was defined: apiscan, spectral:oas, a ruleset path
    file: str = ""
    references: list[str] = dc_field(default_factory=list)
    extra: dict[str, Any] = dc_field(default_factory=dict)
    broken: str | None = None  # why it cannot run (e.g. a JavaScript function): reported once

    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id, name=self.name, title=self.title or self.description.split("\n")[0][:120],
            severity=self.severity, category=self.category, capability=self.capability,
            description=self.description, remediation=self.remediation, help_uri=self.help_uri,
            source=self.source,
        )

    def matches(self, selector: str) -> bool:
        """Selection by id, name, category, or `category/*`-style prefix (case-insensitive)."""
        s = selector.strip().lower()
        ident = self.id.lower()
        if ident.startswith(s) and ident[len(s):].isdigit():  # a prefix: `SEC` selects SEC001, SEC002...
            return True
        return s in (ident, self.name.lower(), self.category.lower(), self.source.lower()) or (
            s.endswith("*") and (self.id.lower().startswith(s[:-1]) or self.name.lower().startswith(s[:-1]))
        )
