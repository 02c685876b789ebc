"""The inventory catalogue: one row per API and one per route or spec operation.

Why rows and not the model: `apiscan inventory` answers "what do we have, where is it specified,
where is it exposed, who can call it and how is it protected" in a table a reviewer reads, a CSV
a spreadsheet sorts, or JSON a pipeline consumes. All three render the same rows. Nothing here
can carry a secret: credentials are only counted and named by their consumer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from apiscan.models.gateway import Gateway, GatewayApi, Policy, Route
from apiscan.inventory.landscape import Landscape

COLUMNS = ("kind", "status", "gateway", "api", "route", "methods", "client_path", "spec", "operation",
           "auth", "limits", "consumers", "source")


@dataclass
class Row:
    kind: str  # api | route | operation
    status: str = ""  # routed | shadow | unrouted | orphan | preflight | blocked | not-evaluated | deployed
    gateway: str = ""
    api: str = ""
    route: str = ""
    methods: str = ""
    client_path: str = ""
    spec: str = ""  # spec file + pointer
    operation: str = ""  # METHOD /template
    auth: str = ""
    limits: str = ""
    consumers: str = ""
    source: str = ""  # where the gateway record is written: file#pointer:line
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = asdict(self)
        if not d["extra"]:
            d.pop("extra")
        return d


@dataclass
class Catalogue:
    apis: list[Row]
    operations: list[Row]
    shadow_routes: list[Row]
    orphan_specs: list[dict]
    unrouted_operations: list[Row]
    partial_gateways: list[str]


def describe_auth(route: Route) -> str:
    """`api-key+jwt`, `optional(api-key)`, `none`; disabled plugins are not auth."""
    auth = route.auth_policies()
    if not auth:
        return "none"
    kinds = sorted({p.auth_kind or p.vendor_type or p.name for p in auth if not p.optional})
    optional = sorted({p.auth_kind or p.vendor_type or p.name for p in auth if p.optional})
    text = "+".join(kinds)
    if optional:
        text = (text + " " if text else "") + f"optional({'+'.join(optional)})"
    if all(p.conditional for p in auth):
        text += " (conditional)"
    return text


def _limit_text(p: Policy) -> str:
    lim = p.limit or {}
    count, period = lim.get("count"), lim.get("period_seconds")
    if count is None:
        return p.kind
    unit = {1: "s", 60: "min", 3600: "h", 86400: "day", 604800: "week", 2592000: "month"}.get(period, f"{period}s")
    text = f"{count:g}/{unit}" if isinstance(count, float) else f"{count}/{unit}"
    if p.scope in ("consumer-group", "consumer", "product") or p.conditional:
        text += f" ({p.scope})"
    if p.detail.get("limits_from_product"):
        text += " (product's limit when set)"  # Apigee Quota countRef: the written count is the fallback
    return text


def describe_limits(route: Route) -> str:
    limits = [p for p in route.policies if p.kind in ("rate-limit", "quota") and p.enabled]
    return ", ".join(dict.fromkeys(_limit_text(p) for p in limits)) or "none"


def _source(ref) -> str:
    if ref is None:
        return ""
    out = ref.file + (f"#{ref.pointer}" if ref.pointer else "")
    return out + (f":{ref.line}" if ref.line else "")


def _consumers(landscape: Landscape, gw: Gateway, api: GatewayApi, route: Route) -> str:
    who = landscape.consumers_of(gw, api, route)
    if who is None:
        return "anyone"
    if not who:
        return "(none known)" + (" - partial export" if gw.partial else "")
    names = [c.name or c.id for c in who]
    return ", ".join(names[:5]) + (f" +{len(names) - 5}" if len(names) > 5 else "")


def _route_status(route: Route, shadow_keys: set[str], key: str) -> str:
    if route.spec_operations:
        return "routed"
    if "cors-preflight" in route.tags:
        return "preflight"
    if any(p.kind == "termination" and p.enabled for p in route.policies):
        return "blocked"
    if route.match_kind in ("unknown", "expression"):
        return "not-evaluated"
    return "shadow" if key in shadow_keys else "unspecified"


def build_catalogue(landscape: Landscape) -> Catalogue:
    rec = landscape.reconciliation
    shadow_keys = {r.key for r in rec.shadow_routes} if rec else set()
    links_by_api: dict[tuple[str, str], list[str]] = {}
    for link in (rec.links if rec else []):
        links_by_api.setdefault((link.gateway, link.api), []).append(link.spec)
    apis: list[Row] = []
    ops: list[Row] = []
    shadows: list[Row] = []
    for gw in landscape.gateways:
        for api in gw.apis:
            routes = api.routes
            specs = sorted(set(links_by_api.get((gw.id, api.id), [])))
            apis.append(Row(
                kind="api", status="deployed" if routes else "no-routes", gateway=gw.id, api=api.name,
                route=f"{len(routes)} routes", client_path=api.base_path, spec=", ".join(specs) or "-",
                operation=api.version, auth=", ".join(sorted({describe_auth(r) for r in routes})) or "-",
                limits=", ".join(sorted({describe_limits(r) for r in routes})) or "-",
                consumers=str(len(gw.consumers)), source=_source(api.source),
                extra={"upstream": api.upstream_url, "lifecycle": api.lifecycle, "partial": gw.partial}))
            for route in routes:
                key = f"{gw.id}/{api.id}/{route.id}"
                status = _route_status(route, shadow_keys, key)
                base = Row(kind="route", status=status, gateway=gw.id, api=api.name, route=route.name or route.id,
                           methods=",".join(route.methods) or "ANY", client_path=route.path or "-",
                           auth=describe_auth(route), limits=describe_limits(route),
                           consumers=_consumers(landscape, gw, api, route), source=_source(route.source),
                           extra={"match_kind": route.match_kind, "upstream_path": route.upstream_path,
                                  "upstream_url": route.upstream_url})
                if not route.spec_operations:
                    ops.append(base)
                    if status == "shadow":
                        shadows.append(base)
                    continue
                for op_key in route.spec_operations:
                    op = landscape.operation(op_key)
                    row = Row(**{**base.to_dict(), "extra": dict(base.extra)})
                    row.kind = "operation"
                    if op is not None:
                        row.spec = op.key + (f":{op.line}" if op.line else "")
                        row.operation = f"{op.method} {op.path}"
                    ops.append(row)
    unrouted: list[Row] = []
    orphans: list[dict] = []
    if rec:
        for op in rec.unrouted_operations:
            row = Row(kind="operation", status="unrouted", spec=op.key + (f":{op.line}" if op.line else ""),
                      operation=f"{op.method} {op.path}", auth="-", limits="-", consumers="-")
            unrouted.append(row)
            ops.append(row)
        for spec in rec.orphan_specs:
            orphans.append({"spec": spec.file, "title": spec.title, "version": spec.version,
                            "operations": len(spec.operations)})
            apis.append(Row(kind="api", status="orphan", api=spec.title or spec.file, spec=spec.file,
                            operation=spec.version, route="0 routes", auth="-", limits="-", consumers="-"))
            for op in spec.operations:
                ops.append(Row(kind="operation", status="orphan", api=spec.title, spec=op.key + (f":{op.line}" if op.line else ""),
                               operation=f"{op.method} {op.path}", auth="-", limits="-", consumers="-"))
    return Catalogue(apis, ops, shadows, orphans, unrouted, list(rec.partial_gateways) if rec else [])
