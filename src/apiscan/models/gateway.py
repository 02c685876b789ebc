"""The one model every gateway importer produces (issue 4).

gateway → API → route → effective policies, plus consumers, applications, credentials,
products/plans. Importers compute *effective* policies (after each gateway's own inheritance)
so that rules never have to know a vendor's inheritance model. Secrets never enter this model:
a credential carries a fingerprint (see `fingerprint_secret`) and at most a redacted hint.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# Policy kinds, normalised across vendors. `detail` keeps vendor specifics.
AUTH_KINDS = (
    "api-key", "basic", "oauth2", "jwt", "oidc", "hmac", "mtls", "ldap", "saml",
    "aws-iam", "lambda-authorizer", "subscription-key", "custom",
)
POLICY_KINDS = (
    "auth", "rate-limit", "quota", "cors", "ip-filter", "size-limit", "threat-protection",
    "transformation", "tls", "logging", "acl", "cache", "termination", "validation", "other",
)


def fingerprint_secret(value: str) -> str:
    """A stable, non-reversible id for a credential value: `sha256:` + 16 hex chars."""
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:16]


def _compact(record, **replaced) -> dict:
    """asdict without the empty fields, with nested records rendered by their own to_dict."""
    d = asdict(record)
    d.update(replaced)
    return {k: v for k, v in d.items() if v not in (None, "", [], {})}


def _source(record) -> dict | None:
    return record.source.to_dict() if record.source else None


def redact(value: str) -> str:
    """What may be shown of a secret: its length and nothing of its content."""
    return f"<redacted {len(value)} chars>"


@dataclass(slots=True)
class SourceRef:
    """Where a record came from: file plus a pointer (JSON/YAML) or an XPath-like hint (XML)."""

    file: str
    pointer: str = ""
    line: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(slots=True)
class Policy:
    """One effective policy on an API or route.

    kind: one of POLICY_KINDS; auth_kind (for kind == "auth"): one of AUTH_KINDS.
    scope: where it was attached (global | product | api | route | operation | consumer | consumer-group | stage).
    optional: auth that lets anonymous callers through (Kong `anonymous`, conditional Apigee step, ...).
    conditional: applies only under a condition (Azure <choose>, Apigee step Condition).
    """

    kind: str
    name: str = ""
    vendor_type: str = ""  # the vendor's own name: key-auth, VerifyAPIKey, validate-jwt, ...
    scope: str = "api"
    auth_kind: str | None = None
    enabled: bool = True
    optional: bool = False
    conditional: bool = False
    limit: dict[str, Any] = field(default_factory=dict)  # {count, period_seconds, by: consumer|ip|...}
    detail: dict[str, Any] = field(default_factory=dict)  # redacted, small
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: v for k, v in d.items() if v not in (None, "", {}, [])}


@dataclass(slots=True)
class Route:
    """A client-facing entry point: methods × path pattern (with its match kind) → upstream."""

    id: str
    methods: list[str] = field(default_factory=list)  # empty = any method
    path: str = ""  # client-facing pattern as the gateway writes it
    match_kind: str = "exact"  # exact | prefix | regex | template | apigee-matchespath | expression | unknown
    hosts: list[str] = field(default_factory=list)
    protocols: list[str] = field(default_factory=list)
    name: str = ""
    upstream_url: str = ""
    upstream_path: str = ""  # the path the backend sees (after strip/rewrite), for spec matching
    strip_prefix: bool = False
    policies: list[Policy] = field(default_factory=list)  # effective, after inheritance
    operation_id: str = ""
    tags: list[str] = field(default_factory=list)
    deprecated: bool = False
    source: SourceRef | None = None
    # Filled by reconciliation: keys of the spec operations this route serves.
    spec_operations: list[str] = field(default_factory=list)

    def auth_policies(self) -> list[Policy]:
        return [p for p in self.policies if p.kind == "auth" and p.enabled]

    def has_effective_auth(self) -> bool:
        return any(not p.optional for p in self.auth_policies())

    def has_rate_limit(self) -> bool:
        return any(p.kind in ("rate-limit", "quota") and p.enabled for p in self.policies)

    def to_dict(self) -> dict:
        return _compact(self, policies=[p.to_dict() for p in self.policies], source=_source(self))


@dataclass(slots=True)
class GatewayApi:
    """An API as the gateway publishes it (Kong service, Apigee proxy, AWS REST API, APIM API, ...)."""

    id: str
    name: str
    gateway: str  # the Gateway.id it belongs to
    version: str = ""
    base_path: str = ""
    hosts: list[str] = field(default_factory=list)
    lifecycle: str = ""  # active | published | deprecated | retired | created | blocked | ""
    upstream_url: str = ""
    routes: list[Route] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)  # API-wide effective policies
    spec_file: str | None = None  # an OpenAPI description the export carries or points at
    products: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: SourceRef | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return _compact(self, routes=[r.to_dict() for r in self.routes],
                        policies=[p.to_dict() for p in self.policies], source=_source(self))


@dataclass(slots=True)
class Credential:
    """A credential as a fingerprint. `hint` is never the secret (see `redact`)."""

    kind: str  # api-key | basic | jwt | hmac | oauth2-client | mtls | subscription-key
    id: str = ""  # public identifier (client_id, key id, username) when the vendor exposes one
    fingerprint: str = ""
    hint: str = ""
    status: str = ""
    expires: str = ""
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        return _compact(self, source=_source(self))


@dataclass(slots=True)
class Consumer:
    """Who calls: Kong consumer, Apigee developer/app, AWS API key, APIM subscription/user, Tyk key, ..."""

    id: str
    name: str = ""
    gateway: str = ""
    kind: str = "consumer"  # consumer | developer | application | subscription | api-key | key
    groups: list[str] = field(default_factory=list)  # ACL groups, consumer groups, tiers
    products: list[str] = field(default_factory=list)  # products / plans / usage plans subscribed
    apis: list[str] = field(default_factory=list)  # API ids it is entitled to, where known
    credentials: list[Credential] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)  # consumer-scoped policies
    status: str = ""
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        return _compact(self, credentials=[c.to_dict() for c in self.credentials],
                        policies=[p.to_dict() for p in self.policies], source=_source(self))


@dataclass(slots=True)
class Product:
    """A product, plan or usage plan: a bundle of APIs with its own limits and approval."""

    id: str
    name: str = ""
    gateway: str = ""
    apis: list[str] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    approval: str = ""  # auto | manual | ""
    subscription_required: bool | None = None
    visibility: str = ""
    source: SourceRef | None = None

    def to_dict(self) -> dict:
        return _compact(self, policies=[p.to_dict() for p in self.policies], source=_source(self))


@dataclass(slots=True)
class GatewayFinding:
    """Something an importer noticed that only it can see (a secret in clear, an unattached policy).

    Gateway rules turn these into Findings; the importer never decides severity.
    """

    code: str  # e.g. secret-in-export, policy-unattached, policy-xml-recovered
    message: str
    source: SourceRef
    subject_key: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Gateway:
    """One gateway export (a Kong control plane, an Apigee org, an APIM service, ...)."""

    id: str
    vendor: str  # kong | apigee | aws | azure-apim | ibm-apic | webmethods | mulesoft | wso2 | tyk
    name: str = ""
    files: list[str] = field(default_factory=list)
    apis: list[GatewayApi] = field(default_factory=list)
    consumers: list[Consumer] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    global_policies: list[Policy] = field(default_factory=list)
    unattached_policies: list[Policy] = field(default_factory=list)
    notes: list[GatewayFinding] = field(default_factory=list)
    partial: bool = False  # a partial view (decK select_tags, one proxy of many): absence proves nothing
    # Known keys: `product_limits_on_routes` (True when the importer already put product/plan limits
    # on exactly the routes they govern, so rules must not add product limits to every route again).
    attributes: dict[str, Any] = field(default_factory=dict)

    def routes(self):
        for api in self.apis:
            for route in api.routes:
                yield api, route

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "vendor": self.vendor,
            "name": self.name,
            "files": self.files,
            "partial": self.partial,
            "apis": [a.to_dict() for a in self.apis],
            "consumers": [c.to_dict() for c in self.consumers],
            "products": [p.to_dict() for p in self.products],
            "global_policies": [p.to_dict() for p in self.global_policies],
            "unattached_policies": [p.to_dict() for p in self.unattached_policies],
            "notes": [asdict(n) for n in self.notes],
            "attributes": self.attributes,
        }
