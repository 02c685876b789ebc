"""The APIM service as read from any export shape, before it becomes a Gateway.

APIOps trees, ARM templates and REST list responses describe the same resources (APIs,
operations, products, subscriptions, named values, backends, version sets, policies at four
scopes). The readers fill this neutral record; `azure_build` turns it into the model once, so
inheritance and path rules are written a single time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiscan.models.gateway import SourceRef
from apiscan.sources.gateways.azure_policies import PolicyDoc
from apiscan.sources.gateways.base import ImportErrorRecord


@dataclass
class OpRec:
    id: str
    method: str
    template: str  # urlTemplate; None-like "" when unknown
    name: str = ""
    source: SourceRef | None = None


@dataclass
class ApiRec:
    id: str
    props: dict[str, Any]
    source: SourceRef
    spec_file: str | None = None
    spec_path: Path | None = None
    operations: list[OpRec] | None = None  # None: not known from the export
    ops_note: str = ""
    policy: PolicyDoc | None = None
    op_policies: dict[str, PolicyDoc] = field(default_factory=dict)
    diagnostics: list[tuple[dict, SourceRef]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    placeholder: bool = False  # referenced by operations but not itself in the export


@dataclass
class Record:
    props: dict[str, Any]
    source: SourceRef


@dataclass
class Service:
    gateway_id: str
    name: str
    files: list[str] = field(default_factory=list)
    apis: dict[str, ApiRec] = field(default_factory=dict)
    products: dict[str, Record] = field(default_factory=dict)
    product_apis: dict[str, list[str]] = field(default_factory=dict)
    product_policies: dict[str, PolicyDoc] = field(default_factory=dict)
    global_policy: PolicyDoc | None = None
    fragments: dict[str, PolicyDoc] = field(default_factory=dict)
    subscriptions: dict[str, Record] = field(default_factory=dict)
    named_values: dict[str, Record] = field(default_factory=dict)
    backends: dict[str, Record] = field(default_factory=dict)
    version_sets: dict[str, dict] = field(default_factory=dict)
    diagnostics: list[tuple[dict, SourceRef]] = field(default_factory=list)
    loose_policies: list[PolicyDoc] = field(default_factory=list)  # snippets outside any service tree
    errors: list[ImportErrorRecord] = field(default_factory=list)
    also_spec: list[Path] = field(default_factory=list)

    def api(self, api_id: str, source: SourceRef) -> ApiRec:
        """The API record, created as a placeholder when only its children are exported."""
        rec = self.apis.get(api_id)
        if rec is None:
            rec = ApiRec(api_id, {}, source, placeholder=True)
            self.apis[api_id] = rec
        return rec
