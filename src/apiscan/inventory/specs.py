"""Spec operations as the reconciliation sees them: method, path template, base paths, place.

Why a separate record: the reconciler and the catalogue need only a small, flat view of each
API description (and its servers' hosts, which tell whether it documents the public face or the
backend), not the whole document with its resolver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apiscan.models import Location


@dataclass(slots=True)
class SpecOperation:
    file: str
    method: str  # upper case
    path: str  # the template as written under `paths`
    pointer: str
    operation_id: str = ""
    summary: str = ""
    deprecated: bool = False
    line: int | None = None

    @property
    def key(self) -> str:
        """Stable across runs: file plus JSON pointer (what Route.spec_operations holds)."""
        return f"{self.file}#{self.pointer}"

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} ({self.file})"

    @property
    def location(self) -> Location:
        return Location(file=self.file, pointer=self.pointer, line=self.line)


@dataclass(slots=True)
class SpecRecord:
    file: str
    title: str = ""
    version: str = ""
    format: str = ""
    base_paths: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    operations: list[SpecOperation] = field(default_factory=list)
    document: object = None  # the ApiDocument, for rules that want the whole description

    @property
    def label(self) -> str:
        return f"{self.file} ({self.title})" if self.title else self.file

    @property
    def location(self) -> Location:
        return Location(file=self.file)

    def to_dict(self) -> dict:
        return {"file": self.file, "title": self.title, "version": self.version, "format": self.format,
                "base_paths": self.base_paths, "hosts": self.hosts, "operations": len(self.operations)}


def _hosts(data: dict, fmt: str) -> list[str]:
    out: list[str] = []
    if fmt == "oas2":
        if isinstance(data.get("host"), str) and data["host"]:
            out.append(data["host"].split(":")[0].lower())
        return out
    for server in data.get("servers") or []:
        url = server.get("url") if isinstance(server, dict) else None
        if isinstance(url, str) and "://" in url:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                host = None
            if host and "{" not in host and host not in out:
                out.append(host.lower())
    return out


def spec_record(doc) -> SpecRecord:
    """A SpecRecord from the lead's ApiDocument (apiscan.sources.openapi), with operation lines."""
    data = doc.data if isinstance(doc.data, dict) else {}
    record = SpecRecord(file=doc.file, title=doc.title, version=doc.version, format=doc.format,
                        base_paths=list(doc.base_paths()), hosts=_hosts(data, doc.format), document=doc)
    for template, method, op, pointer in doc.iter_operations():
        record.operations.append(SpecOperation(
            file=doc.file, method=method.upper(), path=str(template), pointer=pointer,
            operation_id=str(op.get("operationId") or ""), summary=str(op.get("summary") or ""),
            deprecated=op.get("deprecated") is True))
    paths = [("paths", o.path, o.method.lower()) for o in record.operations]
    try:
        found = doc.positions(doc.key, paths) if paths else {}
    except Exception:  # line numbers are a convenience, never a reason to fail
        found = {}
    for op, path in zip(record.operations, paths):
        pos = found.get(path)
        if pos:
            op.line = pos[0]
    return record


__all__ = ["SpecOperation", "SpecRecord", "spec_record"]
