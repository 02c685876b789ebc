"""Reconciliation: which gateway routes serve which spec operations, and what is left over.

Why in two steps: a spec is first *linked* to gateway APIs (the export carries it, or its paths
match a route specifically — a catch-all `/` or `/{proxy+}` alone links nothing, or its servers'
host is the API's upstream host), and only then are its operations matched against the linked
APIs' routes. Matching every spec against every route would make any catch-all route "serve"
every spec in the landscape. Within an API the gateway's own precedence picks the route that
really receives an operation (AWS: `/pets/{id}` before `/{proxy+}`; Kong: regex priority, then
the longest prefix), so a catch-all behind specific routes is still reported as a shadow.

Results: shadow routes (no spec operation; CORS preflight mocks, terminated routes and routes whose
pattern cannot be evaluated are listed apart), orphan specs (no route serves them), unrouted
operations (in a deployed spec, but no route reaches them — an operation whose winning route is
terminated by the gateway, such as an Apigee catch-all flow raising 404, is unrouted too).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apiscan.matching import join_paths, literal_prefix, served_via, winning_routes
from apiscan.models.gateway import Gateway, GatewayApi, Route
from apiscan.inventory.specs import SpecOperation, SpecRecord

MIN_LINK_SPECIFICITY = 2  # literal characters a route must pin down to link a spec by path alone


@dataclass
class RouteRef:
    gateway: str
    api: str
    route: str
    method: str = ""
    path: str = ""

    @property
    def key(self) -> str:
        return f"{self.gateway}/{self.api}/{self.route}"

    def to_dict(self) -> dict:
        return {"gateway": self.gateway, "api": self.api, "route": self.route, "methods": self.method,
                "path": self.path}


@dataclass
class SpecLink:
    spec: str
    gateway: str
    api: str
    how: str  # export | host | path

    def to_dict(self) -> dict:
        return {"spec": self.spec, "gateway": self.gateway, "api": self.api, "how": self.how}


@dataclass
class Reconciliation:
    links: list[SpecLink] = field(default_factory=list)
    operation_routes: dict[str, list[RouteRef]] = field(default_factory=dict)
    shadow_routes: list[RouteRef] = field(default_factory=list)
    excluded_routes: dict[str, list[RouteRef]] = field(default_factory=dict)  # reason → routes
    orphan_specs: list[SpecRecord] = field(default_factory=list)
    unrouted_operations: list[SpecOperation] = field(default_factory=list)
    partial_gateways: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "links": [link.to_dict() for link in self.links],
            "operation_routes": {k: [r.key for r in v] for k, v in self.operation_routes.items()},
            "shadow_routes": [r.to_dict() for r in self.shadow_routes],
            "excluded_routes": {k: [r.to_dict() for r in v] for k, v in self.excluded_routes.items()},
            "orphan_specs": [s.file for s in self.orphan_specs],
            "unrouted_operations": [op.key for op in self.unrouted_operations],
            "partial_gateways": list(self.partial_gateways),
        }


def _ref(gw: Gateway, api: GatewayApi, route: Route) -> RouteRef:
    return RouteRef(gw.id, api.id, route.id, ",".join(route.methods) or "ANY", route.path)


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _api_hosts(api: GatewayApi) -> set[str]:
    hosts = {h.lower() for h in api.hosts}
    hosts |= {_host(api.upstream_url)} if api.upstream_url else set()
    for route in api.routes:
        hosts |= {h.lower() for h in route.hosts}
        if route.upstream_url:
            hosts.add(_host(route.upstream_url))
    hosts.discard("")
    return hosts


class _LiteralIndex:
    """Which APIs a spec could be linked to by path alone, without matching every pair.

    A route can only serve an operation with two or more shared literal characters when one
    literal prefix (route pattern, or spec base + template) starts with the other, so the index
    maps every route literal, and every prefix of it, to its APIs.
    """

    def __init__(self, gateways: list[Gateway]):
        self.exact: dict[str, set[int]] = {}
        self.prefixes: dict[str, set[int]] = {}
        for gw in gateways:
            for api in gw.apis:
                for route in api.routes:
                    lits = [literal_prefix(route.match_kind, route.path)]
                    if route.upstream_path:
                        lits.append(literal_prefix("prefix" if route.strip_prefix else route.match_kind,
                                                   route.upstream_path))
                    for lit in lits:
                        if len(lit.rstrip("/")) < MIN_LINK_SPECIFICITY:
                            continue
                        self.exact.setdefault(lit, set()).add(id(api))
                        for k in range(MIN_LINK_SPECIFICITY, len(lit)):
                            self.prefixes.setdefault(lit[:k], set()).add(id(api))

    def candidates(self, spec: SpecRecord) -> set[int]:
        out: set[int] = set()
        for base in spec.base_paths or ["/"]:
            for op in spec.operations:
                lit = literal_prefix("template", join_paths(base, op.path))
                out |= self.prefixes.get(lit, set()) | self.exact.get(lit, set())
                for k in range(MIN_LINK_SPECIFICITY, len(lit) + 1):
                    out |= self.exact.get(lit[:k], set())
        return out


def _matches(spec: SpecRecord, api: GatewayApi, extra_bases: list[str]) -> list[tuple[SpecOperation, Route, int]]:
    bases = list(dict.fromkeys(list(spec.base_paths or ["/"]) + extra_bases))
    out = []
    for op in spec.operations:
        for route in api.routes:
            via = served_via(route, op.method, op.path, bases, op.param_samples)
            if via is not None:
                out.append((op, route, via.specificity))
    return out


def reconcile(gateways: list[Gateway], specs: list[SpecRecord]) -> Reconciliation:
    """Link specs to gateway APIs, fill Route.spec_operations, and list what does not reconcile."""
    result = Reconciliation(partial_gateways=[g.id for g in gateways if g.partial])
    for gw in gateways:
        for _, route in gw.routes():
            route.spec_operations = []
    carried_specs = {api.spec_file for gw in gateways for api in gw.apis if api.spec_file}
    index = _LiteralIndex(gateways)
    api_hosts = {id(api): _api_hosts(api) for gw in gateways for api in gw.apis}
    known_hosts = set().union(*api_hosts.values()) if api_hosts else set()
    for spec in specs:
        candidates = index.candidates(spec)
        for op in spec.operations:
            result.operation_routes[op.key] = []
        # A spec whose servers name a host some gateway API uses says which APIs it describes:
        # it is not also linked by path to an API that only ever talks to other hosts
        # (two backends both under `/api` are not the same service).
        names_known_host = bool(set(spec.hosts) & known_hosts)
        for gw in gateways:
            for api in gw.apis:
                carried = api.spec_file == spec.file
                if spec.file in carried_specs and not carried:
                    continue  # an export's own description describes that API only
                host_link = bool(spec.hosts) and bool(set(spec.hosts) & api_hosts[id(api)])
                if not carried and not host_link and id(api) not in candidates:
                    continue  # cannot link by path (needs two shared literal characters): skip the matching
                if not carried and not host_link and names_known_host and api_hosts[id(api)]:
                    continue  # the spec belongs to another host
                extra = [api.base_path, *api.attributes.get("alt_base_paths", [])] if carried else []
                matches = _matches(spec, api, extra)
                if not matches:
                    continue
                if carried:
                    how = "export"
                elif host_link:
                    how = "host"
                elif any(s >= MIN_LINK_SPECIFICITY for _, _, s in matches):
                    how = "path"
                else:
                    continue
                result.links.append(SpecLink(spec.file, gw.id, api.id, how))
                by_op: dict[str, list[Route]] = {}
                for op, route, _ in matches:
                    by_op.setdefault(op.key, []).append(route)
                for op_key, routes in by_op.items():
                    for route in winning_routes(routes, gw.vendor):
                        if _excluded(route) == "terminated":
                            continue  # the gateway answers itself (RaiseFault, request-termination): not reached
                        if op_key not in route.spec_operations:
                            route.spec_operations.append(op_key)
                            result.operation_routes[op_key].append(_ref(gw, api, route))
    for gw in gateways:
        for api, route in gw.routes():
            if route.spec_operations:
                continue
            reason = _excluded(route) or _own_contract(api)
            if reason:
                result.excluded_routes.setdefault(reason, []).append(_ref(gw, api, route))
            else:
                result.shadow_routes.append(_ref(gw, api, route))
    for spec in specs:
        routed = [op for op in spec.operations if result.operation_routes.get(op.key)]
        if not routed:
            result.orphan_specs.append(spec)
            continue
        result.unrouted_operations.extend(op for op in spec.operations if not result.operation_routes.get(op.key))
    return result


def _own_contract(api: GatewayApi) -> str:
    """Routes built from a contract the export itself carries (a RAML, a webMethods embedded
    definition) are specified by it: not shadows, though no separate OpenAPI file exists."""
    contract = api.attributes.get("contract") if isinstance(api.attributes, dict) else None
    return f"specified-by-{contract}" if contract else ""


def _excluded(route: Route) -> str:
    """Why a route without a spec operation is not called a shadow route ('' when it is one)."""
    if "cors-preflight" in route.tags:
        return "cors-preflight"
    if any(p.kind == "termination" and p.enabled for p in route.policies):
        return "terminated"
    if route.match_kind in ("unknown", "expression"):
        return "pattern-not-evaluated"
    return ""
