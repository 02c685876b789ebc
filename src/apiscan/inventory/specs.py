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
    # values the spec declares for each path parameter (example, enum, pattern): what a regex
    # route written for shaped values (`[A-Z]{3}-\d{4}`) is tried with
    param_samples: dict[str, tuple[str, ...]] = field(default_factory=dict)

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


MAX_DECLARED_SAMPLES = 4


def _scalar(value) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        text = str(value)
        return text if text and "/" not in text and len(text) <= 200 else None
    return None


def _declared_values(param: dict, schema: dict) -> tuple[str, ...]:
    """Values a path parameter is documented to take: examples, enum, then its pattern."""
    from apiscan.matching import pattern_examples

    out: list[str] = []
    for value in (param.get("example"), schema.get("example"), schema.get("default")):
        if (v := _scalar(value)) is not None:
            out.append(v)
    examples = param.get("examples")
    if isinstance(examples, dict):
        for ex in list(examples.values())[:MAX_DECLARED_SAMPLES]:
            if isinstance(ex, dict) and (v := _scalar(ex.get("value"))) is not None:
                out.append(v)
    for value in (schema.get("enum") if isinstance(schema.get("enum"), list) else [])[:MAX_DECLARED_SAMPLES]:
        if (v := _scalar(value)) is not None:
            out.append(v)
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and len(pattern) <= 500:
        out.extend(e for e in pattern_examples(pattern) if e and "/" not in e)
    return tuple(dict.fromkeys(out))[:MAX_DECLARED_SAMPLES]


def _param_samples(doc, template: str, op: dict) -> dict[str, tuple[str, ...]]:
    """Declared values of the path parameters of one operation (path-level and operation-level,
    following local `$ref`s); never fails: samples only sharpen regex matching."""
    deref = getattr(getattr(doc, "resolver", None), "deref", lambda x: x)
    try:
        item = doc.data["paths"][template]
        item = deref(item) if isinstance(item, dict) else {}
        params = list(item.get("parameters") or []) + list(op.get("parameters") or [])
    except Exception:
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for raw in params[:50]:
        try:
            param = deref(raw) if isinstance(raw, dict) else None
            if not isinstance(param, dict) or param.get("in") != "path" or not isinstance(param.get("name"), str):
                continue
            schema = param.get("schema", param)  # OpenAPI 2 puts the schema keywords on the parameter
            schema = deref(schema) if isinstance(schema, dict) else {}
            values = _declared_values(param, schema if isinstance(schema, dict) else {})
        except Exception:
            continue
        if values:
            out[param["name"]] = values
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
            deprecated=op.get("deprecated") is True, param_samples=_param_samples(doc, template, op)))
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
