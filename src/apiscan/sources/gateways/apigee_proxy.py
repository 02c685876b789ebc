"""One Apigee proxy (or shared-flow) bundle → a GatewayApi with routes and effective policies.

How Apigee runs a request, and so what "effective" means here: the ProxyEndpoint PreFlow
always runs, then the *first* conditional Flow whose condition matches, then the PostFlow, then
the RouteRule picks a TargetEndpoint whose own PreFlow/Flows/PostFlow run before the backend.
A request no Flow matches still goes through PreFlow and on to the target: so a proxy whose auth
sits only in its Flows forwards unmatched paths unauthenticated — we expose that as a fall-through
route. Step conditions make protection partial. FlowCallouts run shared flows: expanded when
the shared flow is in the input, otherwise auth there is "unknown", not "missing".
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from apiscan.models.gateway import GatewayApi, GatewayFinding, Policy, Route, SourceRef
from apiscan.sources.gateways.apigee_bundle import BundleFiles
from apiscan.sources.gateways.apigee_condition import (
    ConditionError, flow_matches, scrub_literals, step_applies, wildcard_regex,
)
from apiscan.sources.gateways.apigee_policies import classify
from apiscan.sources.gateways.apigee_xml import XmlError, child, children, decode_xml_bytes, local, parse_xml, text_of

MAX_SHARED_FLOW_DEPTH = 5
_RESPONSE_KINDS = ("cors", "logging", "cache")
_VHOST_PROTOCOL = {"default": "http", "secure": "https"}


@dataclass
class Step:
    name: str
    condition: str | None
    pointer: str


@dataclass
class FlowDef:
    name: str
    condition: str | None = None
    request: list[Step] = field(default_factory=list)
    response: list[Step] = field(default_factory=list)


@dataclass
class Endpoint:
    """A ProxyEndpoint or a TargetEndpoint (or a SharedFlow: only `preflow.request` used)."""

    name: str
    file: str
    base_path: str = ""
    virtual_hosts: list[str] = field(default_factory=list)
    preflow: FlowDef = field(default_factory=lambda: FlowDef("PreFlow"))
    flows: list[FlowDef] = field(default_factory=list)
    postflow: FlowDef = field(default_factory=lambda: FlowDef("PostFlow"))
    other_steps: list[Step] = field(default_factory=list)  # fault rules
    post_client: list[Step] = field(default_factory=list)  # PostClientFlow (after the response is sent)
    route_rules: list[tuple[str, str | None, str | None, str | None]] = field(default_factory=list)
    url: str = ""  # targets: URL, targetserver://a,b or local:proxy


@dataclass
class ParsedBundle:
    kind: str  # apiproxy | sharedflowbundle
    name: str
    label: str
    revision: str = ""
    description: str = ""
    proxies: list[Endpoint] = field(default_factory=list)
    targets: dict[str, Endpoint] = field(default_factory=dict)
    shared: list[Endpoint] = field(default_factory=list)
    policies: dict[str, Policy] = field(default_factory=dict)
    errors: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    broken_policies: set[str] = field(default_factory=set)  # file stems of policies that did not parse

    def steps(self):
        for ep in [*self.proxies, *self.targets.values(), *self.shared]:
            for flow in [ep.preflow, *ep.flows, ep.postflow]:
                yield from flow.request
                yield from flow.response
            yield from ep.other_steps
            yield from ep.post_client


def _steps(container, file: str, pointer: str) -> list[Step]:
    out = []
    for i, st in enumerate(children(container, "Step")):
        name = text_of(child(st, "Name"))
        if not name:
            continue
        cond = text_of(child(st, "Condition")) or None
        out.append(Step(name, cond, f"{pointer}/Step[{i + 1}]"))
    return out


def _flow(elem, file: str, pointer: str, name: str) -> FlowDef:
    flow = FlowDef(elem.get("name") or name if elem is not None else name)
    if elem is None:
        return flow
    flow.condition = text_of(child(elem, "Condition")) or None
    flow.request = _steps(child(elem, "Request"), file, f"{pointer}/Request")
    flow.response = _steps(child(elem, "Response"), file, f"{pointer}/Response")
    return flow


def _endpoint(root, file: str) -> Endpoint:
    tag = local(root.tag)
    ep = Endpoint(name=root.get("name") or "default", file=file)
    ep.preflow = _flow(child(root, "PreFlow"), file, f"/{tag}/PreFlow", "PreFlow")
    ep.postflow = _flow(child(root, "PostFlow"), file, f"/{tag}/PostFlow", "PostFlow")
    for i, f in enumerate(children(child(root, "Flows"), "Flow")):
        ep.flows.append(_flow(f, file, f"/{tag}/Flows/Flow[{i + 1}]", f"flow{i + 1}"))
    pcf = child(root, "PostClientFlow")
    if pcf is not None:
        ep.post_client = _steps(child(pcf, "Response"), file, f"/{tag}/PostClientFlow/Response")
    for fr in children(child(root, "FaultRules"), "FaultRule"):
        ep.other_steps += _steps(fr, file, f"/{tag}/FaultRules")
    dfr = child(root, "DefaultFaultRule")
    if dfr is not None:
        ep.other_steps += _steps(dfr, file, f"/{tag}/DefaultFaultRule")
    if tag == "SharedFlow":
        ep.preflow = FlowDef("SharedFlow", request=_steps(root, file, "/SharedFlow"))
    conn = child(root, "HTTPProxyConnection")
    if conn is not None:
        ep.base_path = text_of(child(conn, "BasePath"))
        ep.virtual_hosts = [text_of(v) for v in children(conn, "VirtualHost") if text_of(v)]
    for rr in children(root, "RouteRule"):
        ep.route_rules.append((rr.get("name") or "", text_of(child(rr, "Condition")) or None,
                               text_of(child(rr, "TargetEndpoint")) or None, text_of(child(rr, "URL")) or None))
    tconn = child(root, "HTTPTargetConnection")
    if tconn is not None:
        url = text_of(child(tconn, "URL"))
        servers = [s.get("name", "") for s in children(child(tconn, "LoadBalancer"), "Server")]
        ep.url = url or ("targetserver://" + ",".join(s for s in servers if s) if servers else "")
        path = text_of(child(tconn, "Path"))
        if path and ep.url.startswith("targetserver://"):
            ep.url += path
    local_conn = child(root, "LocalTargetConnection")
    if local_conn is not None:
        ep.url = "local:" + (text_of(child(local_conn, "APIProxy")) or text_of(child(local_conn, "Path")))
    return ep


def parse_bundle(bf: BundleFiles, fallback_name: str) -> ParsedBundle:
    """Parse every XML file of a bundle; a broken file is an error, the rest still loads."""
    pb = ParsedBundle(kind=bf.kind, name="", label=bf.label)
    for display, message in bf.errors:
        pb.errors.append((display, message, None, None))
    for rel in sorted(bf.files):
        display = bf.display(rel)
        try:
            root = parse_xml(decode_xml_bytes(bf.files[rel], display), display)
        except XmlError as exc:
            pb.errors.append((display, exc.message, exc.line, exc.column))
            if rel.startswith("policies/"):
                pb.broken_policies.add(rel.rsplit("/", 1)[-1][:-4])
            continue
        tag = local(root.tag)
        folder = rel.split("/")[0] if "/" in rel else ""
        if folder == "policies":
            policy = classify(root, display)
            policy.name = policy.name or rel.rsplit("/", 1)[-1][:-4]
            if policy.name in pb.policies:
                pb.errors.append((display, f"policy name {policy.name!r} is defined twice in the bundle", None, None))
                continue
            pb.policies[policy.name] = policy
        elif tag in ("APIProxy", "SharedFlowBundle") and not folder:
            pb.name = root.get("name") or pb.name
            pb.revision = root.get("revision") or ""
            pb.description = text_of(child(root, "Description"))
        elif tag == "ProxyEndpoint":
            pb.proxies.append(_endpoint(root, display))
        elif tag == "TargetEndpoint":
            ep = _endpoint(root, display)
            pb.targets[ep.name] = ep
        elif tag == "SharedFlow":
            pb.shared.append(_endpoint(root, display))
    pb.name = pb.name or fallback_name
    return pb


# --------------------------------------------------------------------------- routes


@dataclass
class _RouteSpec:
    route: Route
    exact_suffix: str | None
    flow: FlowDef | None


def _join(base: str, suffix: str) -> str:
    base = "/" + base.strip("/") if base.strip("/") else ""
    if not suffix:
        return base or "/"
    return base + (suffix if suffix.startswith("/") else "/" + suffix)


def _path_for(base: str, fm) -> tuple[str, str, str | None, str]:
    """(client path, match kind, exact pathsuffix or None, suffix for the upstream path)."""
    prefix = _join(base, "") if fm.path_var == "proxy.pathsuffix" else ""
    prefix = "" if prefix == "/" else prefix
    value = fm.path_value
    if not fm.path_op:
        return _join(base, ""), "prefix", None, ""
    if fm.path_op == "matchespath":
        exact = value if "*" not in value and fm.path_var == "proxy.pathsuffix" else None
        return prefix + (value if value.startswith("/") else "/" + value), "apigee-matchespath", exact, value
    if fm.path_op == "eq":
        return prefix + value, "exact", value if fm.path_var == "proxy.pathsuffix" else None, value
    if fm.path_op == "startswith":
        return prefix + value, "prefix", None, value
    if fm.path_op == "matches":
        return re.escape(prefix) + wildcard_regex(value), "regex", None, ""
    try:
        re.compile(value)
    except re.error:
        return prefix + value, "unknown", None, ""
    return re.escape(prefix) + "(?:" + value + ")$", "regex", None, ""


class ProxyBuilder:
    """Turns a ParsedBundle into a GatewayApi; collects notes and which policies are attached."""

    def __init__(self, pb: ParsedBundle, shared: dict[str, ParsedBundle], gateway_id: str):
        self.pb = pb
        self.shared = shared
        self.gateway_id = gateway_id
        self.notes: list[GatewayFinding] = []
        self.errors: list[tuple[str, str, str]] = []  # (file, pointer, message)
        self._missing: set[tuple[str, str]] = set()

    # -- policies on a route

    def _resolve(self, bundle: ParsedBundle, steps: list[Step], file: str, scope: str, flow_label: str,
                 spec: _RouteSpec, out: list[Policy], depth: int = 0) -> None:
        for step in steps:
            policy = bundle.policies.get(step.name)
            if policy is None:
                key = (bundle.name, step.name)
                if key not in self._missing and step.name not in bundle.broken_policies:
                    self._missing.add(key)
                    self.notes.append(GatewayFinding(
                        code="policy-missing",
                        message=f"step refers to policy {step.name!r}, which the bundle does not define",
                        source=SourceRef(file, step.pointer), subject_key=f"api:{self.pb.name}",
                    ))
                continue
            applies = True
            if step.condition:
                applies = step_applies(step.condition, spec.route.methods, spec.exact_suffix)
                if applies is False:
                    continue
            p = copy.deepcopy(policy)
            p.scope = scope
            p.detail["flow"] = flow_label
            if applies is None:
                p.conditional = True
                p.detail["condition"] = scrub_literals(step.condition)[:300]
            if p.kind == "auth" and p.detail.get("continue_on_error"):
                p.optional = True  # a failed check does not stop the request
            if bundle is not self.pb:
                p.detail["shared_flow"] = bundle.name
            out.append(p)
            if policy.vendor_type == "FlowCallout" and policy.enabled:
                target = self.shared.get(policy.detail.get("shared_flow", ""))
                if target is not None and depth < MAX_SHARED_FLOW_DEPTH:
                    for sf in target.shared:
                        self._resolve(target, sf.preflow.request, sf.file, scope, f"{flow_label}>{target.name}",
                                      spec, out, depth + 1)
                    p.detail["expanded"] = True
                else:
                    p.detail["unresolved"] = True

    def _finish_auth(self, route: Route) -> None:
        """An unresolved shared flow may authenticate: say "unknown" rather than "missing"."""
        if route.has_effective_auth():
            return
        for p in route.policies:
            if p.vendor_type == "FlowCallout" and p.detail.get("unresolved") and p.enabled:
                p.kind, p.auth_kind = "auth", "custom"
                p.detail["auth"] = "unknown"
                p.detail["reason"] = f"shared flow {p.detail.get('shared_flow') or '?'} is not in the input"
                p.optional = p.conditional
                route.tags.append("auth-unknown")
                return

    # -- targets

    def _target_for(self, ep: Endpoint, spec: _RouteSpec) -> tuple[Endpoint | None, str, bool]:
        """(target endpoint, url, ambiguous) chosen by the first RouteRule that applies."""
        candidate = None
        for _name, cond, target, url in ep.route_rules:
            applies = True if not cond else step_applies(cond, spec.route.methods, spec.exact_suffix)
            if applies is False:
                continue
            t = self.pb.targets.get(target) if target else None
            chosen = (t, url or (t.url if t else ""), applies is None)
            if applies is True:
                return chosen if candidate is None else (candidate[0], candidate[1], True)
            candidate = candidate or chosen
        if candidate:
            return candidate
        return None, "", False

    # -- the API

    def build(self) -> GatewayApi:
        pb = self.pb
        api = GatewayApi(id=pb.name, name=pb.name, gateway=self.gateway_id, source=SourceRef(pb.label))
        api.attributes["revision"] = pb.revision
        if pb.description:
            api.attributes["description"] = pb.description[:500]
        for ep in pb.proxies:
            self._endpoint_routes(api, ep)
        if pb.proxies:
            api.base_path = _join(pb.proxies[0].base_path, "")
            first = next(iter(r for r in api.routes), None)
            api.upstream_url = first.upstream_url if first else ""
            if first is not None:
                api.policies = [copy.deepcopy(p) for p in first.policies
                                if p.detail.get("flow") in ("PreFlow", "PostFlow", "target PreFlow", "target PostFlow")
                                and not p.conditional]
        return api

    def _endpoint_routes(self, api: GatewayApi, ep: Endpoint) -> None:
        protocols = sorted({_VHOST_PROTOCOL[v] for v in ep.virtual_hosts if v in _VHOST_PROTOCOL})
        extra_hosts = [v for v in ep.virtual_hosts if v not in _VHOST_PROTOCOL]
        specs: list[_RouteSpec] = []
        conditional_seen = False
        catch_all = False
        for i, flow in enumerate(ep.flows):
            rid = f"{self.pb.name}/{ep.name}/{flow.name}"
            if not flow.condition:
                route = Route(id=rid, name=flow.name, path=_join(ep.base_path, ""), match_kind="prefix",
                              source=SourceRef(ep.file, f"/ProxyEndpoint/Flows/Flow[{i + 1}]"))
                route.tags += ["apigee:unconditional-flow", f"flow_order={i + 1}"]
                specs.append(_RouteSpec(route, None, flow))
                catch_all = True
                break
            conditional_seen = True
            try:
                matches = flow_matches(flow.condition)
            except ConditionError as exc:
                route = Route(id=rid, name=flow.name, path=_join(ep.base_path, ""), match_kind="unknown",
                              source=SourceRef(ep.file, f"/ProxyEndpoint/Flows/Flow[{i + 1}]/Condition"))
                route.tags += [f"condition not understood: {exc}", f"flow_order={i + 1}"]
                self.errors.append((ep.file, route.source.pointer, f"flow {flow.name!r}: condition not understood ({exc})"))
                specs.append(_RouteSpec(route, None, flow))
                continue
            for j, fm in enumerate(matches):
                path, kind, exact, suffix = _path_for(ep.base_path, fm)
                route = Route(id=rid if len(matches) == 1 else f"{rid}#{j + 1}", name=flow.name, path=path,
                              match_kind=kind, methods=list(fm.methods),
                              source=SourceRef(ep.file, f"/ProxyEndpoint/Flows/Flow[{i + 1}]/Condition"))
                route.tags += [f"condition: {scrub_literals(o)}" for o in fm.other] + [f"flow_order={i + 1}"]
                route.upstream_path = suffix
                specs.append(_RouteSpec(route, exact, flow))
        if not conditional_seen and not catch_all:
            route = Route(id=f"{self.pb.name}/{ep.name}", name="pass-through", path=_join(ep.base_path, ""),
                          match_kind="prefix", source=SourceRef(ep.file, "/ProxyEndpoint/HTTPProxyConnection"))
            route.tags.append("apigee:pass-through")
            specs.append(_RouteSpec(route, None, None))
        elif conditional_seen and not catch_all:
            probe = _RouteSpec(Route(id="", path=""), None, None)
            target, url, _amb = self._target_for(ep, probe)
            if url or target is not None:
                route = Route(id=f"{self.pb.name}/{ep.name}/(no flow matched)", name="fall-through",
                              path=_join(ep.base_path, ""), match_kind="prefix",
                              source=SourceRef(ep.file, "/ProxyEndpoint/Flows"))
                route.tags += ["apigee:fall-through", f"flow_order={len(ep.flows) + 1}"]  # after every flow
                specs.append(_RouteSpec(route, None, None))
        for spec in specs:
            self._fill(api, ep, spec, protocols, extra_hosts)

    def _fill(self, api: GatewayApi, ep: Endpoint, spec: _RouteSpec, protocols, extra_hosts) -> None:
        route = spec.route
        route.protocols = list(protocols)
        if extra_hosts:
            route.tags += [f"virtualhost: {v}" for v in extra_hosts]
        out: list[Policy] = []
        self._resolve(self.pb, ep.preflow.request, ep.file, "api", "PreFlow", spec, out)
        if spec.flow is not None:
            self._resolve(self.pb, spec.flow.request, ep.file, "route", f"Flow {spec.flow.name}", spec, out)
        self._resolve(self.pb, ep.postflow.request, ep.file, "api", "PostFlow", spec, out)
        target, url, ambiguous = self._target_for(ep, spec)
        if target is not None:
            self._resolve(self.pb, target.preflow.request, target.file, "api", "target PreFlow", spec, out)
            for tflow in target.flows:
                applies = True if not tflow.condition else step_applies(tflow.condition, route.methods, spec.exact_suffix)
                if applies is False:
                    continue
                before = len(out)
                self._resolve(self.pb, tflow.request, target.file, "route", f"target Flow {tflow.name}", spec, out)
                if applies is None:
                    for p in out[before:]:
                        p.conditional = True
            self._resolve(self.pb, target.postflow.request, target.file, "api", "target PostFlow", spec, out)
        # Response side: only what acts on the response is kept (CORS headers, logging, caching);
        # an auth or quota step there runs after the backend was already called.
        response: list[Policy] = []
        self._resolve(self.pb, ep.preflow.response, ep.file, "api", "PreFlow response", spec, response)
        if spec.flow is not None:
            self._resolve(self.pb, spec.flow.response, ep.file, "route", f"Flow {spec.flow.name} response", spec, response)
        self._resolve(self.pb, ep.postflow.response, ep.file, "api", "PostFlow response", spec, response)
        self._resolve(self.pb, ep.post_client, ep.file, "api", "PostClientFlow", spec, response)
        out += [p for p in response if p.kind in _RESPONSE_KINDS]
        route.policies = out
        if url:
            route.upstream_url = url
            if url.startswith(("http://", "https://")) and route.match_kind in ("exact", "prefix", "apigee-matchespath"):
                base = urlsplit(url).path.rstrip("/")
                route.upstream_path = (base + route.upstream_path) or "/"
            elif route.match_kind == "prefix" and not route.upstream_path:
                route.upstream_path = ""
        else:
            route.upstream_path = ""
            route.tags.append("apigee:no-target")
        if ambiguous:
            route.tags.append("apigee:target chosen by a conditional RouteRule")
        if any(p.detail.get("token_endpoint") for p in out):
            route.tags.append("oauth-token-endpoint")
        self._finish_auth(route)
        api.routes.append(route)
