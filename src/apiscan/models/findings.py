"""Findings, errors and the ScanResult: the JSON source of truth every reporter renders.

Plain dataclasses (not pydantic) so that `apiscan lint` imports fast; `to_dict`/`from_dict`
keep the saved JSON stable so a result can be re-rendered later.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Our five levels. Spectral's four map onto them (error→high, warn→medium, info→low, hint→info)."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: Any) -> "Severity":
        """Accept our names, Spectral's names (error/warn/warning/hint) and Severity values.

        `info` means our lowest level here; Spectral rulesets go through `from_spectral` instead,
        where `info` is Spectral's third level.
        """
        if isinstance(value, Severity):
            return value
        if isinstance(value, str):
            key = value.strip().lower()
            if key in _OUR_NAMES:
                return _OUR_NAMES[key]
            if key in _SPECTRAL_NAMES:
                return _SPECTRAL_NAMES[key]
        raise ValueError(f"unknown severity {value!r} (expected one of: {', '.join(_OUR_NAMES)})")

    @classmethod
    def from_spectral(cls, value: Any) -> "Severity":
        """Spectral's severities: names or 0 (error) .. 3 (hint)."""
        if isinstance(value, bool):
            raise ValueError(f"unknown Spectral severity {value!r}")
        if isinstance(value, int) and 0 <= value <= 3:
            return _SPECTRAL_BY_NUMBER[value]
        if isinstance(value, str) and value.strip().lower() in _SPECTRAL_NAMES:
            return _SPECTRAL_NAMES[value.strip().lower()]
        raise ValueError(f"unknown Spectral severity {value!r} (expected error, warn, info or hint)")

    @property
    def spectral_number(self) -> int:
        """Spectral's numeric severity: 0 error, 1 warn, 2 info, 3 hint."""
        return {4: 0, 3: 0, 2: 1, 1: 2, 0: 3}[int(self)]

    @property
    def spectral_name(self) -> str:
        return ("error", "warn", "info", "hint")[self.spectral_number]


_OUR_NAMES = {
    "info": Severity.INFO,
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}
_SPECTRAL_NAMES = {
    "error": Severity.HIGH,
    "warn": Severity.MEDIUM,
    "warning": Severity.MEDIUM,
    "information": Severity.LOW,
    "info": Severity.LOW,
    "hint": Severity.INFO,
}
_SPECTRAL_BY_NUMBER = {0: Severity.HIGH, 1: Severity.MEDIUM, 2: Severity.LOW, 3: Severity.INFO}


@dataclass(slots=True)
class Location:
    """Where a finding points: a file, a JSON pointer inside it, and 1-based line/column once known."""

    file: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None

    def to_dict(self) -> dict:
        out: dict = {"file": self.file, "pointer": self.pointer}
        if self.line is not None:
            out["line"] = self.line
            if self.column is not None:
                out["column"] = self.column
        if self.end_line is not None:
            out["end_line"] = self.end_line
            out["end_column"] = self.end_column
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Location":
        return cls(**data)


@dataclass(slots=True)
class Subject:
    """What a finding is about, with a key stable across runs (e.g. `GET /pets` or `kong:svc/route`)."""

    kind: str  # document | operation | api | route | consumer | landscape
    key: str
    name: str | None = None

    def to_dict(self) -> dict:
        out = {"kind": self.kind, "key": self.key}
        if self.name is not None:
            out["name"] = self.name
        return out


@dataclass(slots=True)
class Suppression:
    """Why a finding is suppressed. Suppressed findings are kept and shown, never dropped."""

    kind: str  # inline | config | baseline | waiver
    reason: str = ""
    source: str | None = None
    expires: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(slots=True)
class Finding:
    rule_id: str
    severity: Severity
    message: str
    location: Location
    rule_name: str = ""
    category: str = ""
    capability: str = ""
    subject: Subject | None = None
    related: list[Location] = field(default_factory=list)
    evidence: dict = field(default_factory=dict)
    suppression: Suppression | None = None
    path: tuple = ()  # the pointer as a tuple of keys, for reporters that want Spectral's array form
    fingerprint: str = ""

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def compute_fingerprint(self, relative_file: str | None = None) -> str:
        """A hash of rule, file and pointer (never line numbers), so baselines survive edits."""
        file_part = relative_file if relative_file is not None else self.location.file
        subject = self.subject.key if self.subject else ""
        raw = "\x1f".join((self.rule_id, file_part.replace("\\", "/"), self.location.pointer, subject))
        self.fingerprint = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]
        return self.fingerprint

    def to_dict(self) -> dict:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "rule_name": self.rule_name,
            "severity": self.severity.label,
            "message": self.message,
            "location": self.location.to_dict(),
            "path": [p for p in self.path],
            "category": self.category,
            "capability": self.capability,
            "fingerprint": self.fingerprint,
        }
        if self.subject:
            out["subject"] = self.subject.to_dict()
        if self.related:
            out["related"] = [r.to_dict() for r in self.related]
        if self.evidence:
            out["evidence"] = self.evidence
        if self.suppression:
            out["suppression"] = self.suppression.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        return cls(
            rule_id=data["rule_id"],
            rule_name=data.get("rule_name", ""),
            severity=Severity.parse(data["severity"]),
            message=data["message"],
            location=Location.from_dict(data["location"]),
            path=tuple(data.get("path", ())),
            category=data.get("category", ""),
            capability=data.get("capability", ""),
            fingerprint=data.get("fingerprint", ""),
            subject=Subject(**data["subject"]) if data.get("subject") else None,
            related=[Location.from_dict(r) for r in data.get("related", [])],
            evidence=data.get("evidence", {}),
            suppression=Suppression(**data["suppression"]) if data.get("suppression") else None,
        )


def result_order(finding: Finding) -> tuple:
    """A run's findings in Spectral's order: file, position, rule, then path (and message), so
    the order never depends on which route or process found a result first."""
    loc = finding.location
    return (loc.file, loc.line or 0, loc.column or 0, finding.rule_id, loc.pointer, finding.message)


@dataclass(slots=True)
class ScanError:
    """An input or a rule that could not be processed. Any error makes the exit code 2."""

    file: str
    message: str
    kind: str = "input"  # input | parse | ref | schema | rule | config | io
    pointer: str | None = None
    line: int | None = None
    column: int | None = None
    rule_id: str | None = None

    def where(self) -> str:
        """`file:line:col` (or `file#pointer`) for messages."""
        out = self.file
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        elif self.pointer:
            out += f"#{self.pointer}"
        return out

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict) -> "ScanError":
        return cls(**data)


@dataclass(slots=True)
class RuleInfo:
    """The catalogue entry of a rule that ran, so reporters (SARIF) can describe it."""

    id: str
    name: str = ""
    title: str = ""
    severity: Severity = Severity.MEDIUM
    category: str = ""
    capability: str = ""
    description: str = ""
    remediation: str = ""
    help_uri: str | None = None
    source: str = "apiscan"  # apiscan | spectral:oas | a ruleset file

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if v is not None}
        d["severity"] = self.severity.label
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "RuleInfo":
        data = dict(data)
        data["severity"] = Severity.parse(data.get("severity", "medium"))
        return cls(**data)


@dataclass(slots=True)
class DocumentInfo:
    """One input that was recognised: an API description, a gateway export, a traffic sample."""

    file: str
    kind: str  # openapi | gateway:<vendor> | traffic:<format>
    format: str = ""  # oas2 | oas3.0 | oas3.1 | ...
    title: str = ""
    version: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(slots=True)
class ScanResult:
    tool: str = "apiscan"
    version: str = ""
    root: str = ""
    documents: list[DocumentInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    rules: list[RuleInfo] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # files seen but not API descriptions
    stats: dict = field(default_factory=dict)

    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is None]

    def counts(self) -> dict[str, int]:
        out = {s.label: 0 for s in Severity}
        for f in self.active_findings():
            out[f.severity.label] += 1
        return out

    def to_dict(self) -> dict:
        return {
            "tool": self.tool,
            "version": self.version,
            "root": self.root,
            "documents": [d.to_dict() for d in self.documents],
            "findings": [f.to_dict() for f in self.findings],
            "errors": [e.to_dict() for e in self.errors],
            "rules": [r.to_dict() for r in self.rules],
            "skipped": list(self.skipped),
            "summary": {"counts": self.counts(), "suppressed": len(self.findings) - len(self.active_findings()),
                        "errors": len(self.errors), "documents": len(self.documents)},
            "stats": self.stats,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "ScanResult":
        return cls(
            tool=data.get("tool", "apiscan"),
            version=data.get("version", ""),
            root=data.get("root", ""),
            documents=[DocumentInfo(**d) for d in data.get("documents", [])],
            findings=[Finding.from_dict(f) for f in data.get("findings", [])],
            errors=[ScanError.from_dict(e) for e in data.get("errors", [])],
            rules=[RuleInfo.from_dict(r) for r in data.get("rules", [])],
            skipped=list(data.get("skipped", [])),
            stats=data.get("stats", {}),
        )
