"""The Landscape: every gateway, every API description, and how they reconcile.

Why `iter_scope`: gateway rules run over routes, APIs, consumers, gateways or the whole landscape.
Each item comes with a stable Subject and the Location where it is written in the export, so the
engine can build findings without knowing any vendor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from apiscan.models import Location, Subject
from apiscan.models.gateway import Consumer, Gateway, GatewayApi, Route, SourceRef
from apiscan.inventory.specs import SpecOperation, SpecRecord

SCOPES = ("gateway", "api", "route", "consumer", "landscape")


@dataclass
class RouteView:
    """A route with what it belongs to: what a route-scoped rule receives."""

    route: Route
    api: GatewayApi
    gateway: Gateway
    landscape: "Landscape"

    @property
    def key(self) -> str:
        return route_key(self.gateway, self.api, self.route)

    @property
    def spec_operations(self) -> list[SpecOperation]:
        return [op for k in self.route.spec_operations if (op := self.landscape.operation(k)) is not None]


@dataclass
class ApiView:
    api: GatewayApi
    gateway: Gateway
    landscape: "Landscape"


@dataclass
class ConsumerView:
    consumer: Consumer
    gateway: Gateway
    landscape: "Landscape"


@dataclass
class GatewayView:
    gateway: Gateway
    landscape: "Landscape"


@dataclass
class ScopeItem:
    target: Any
    subject: Subject
    location: Location
    gateway: Gateway | None = None
    api: GatewayApi | None = None


def route_key(gateway: Gateway, api: GatewayApi, route: Route) -> str:
    return f"{gateway.id}/{api.id}/{route.id}"


def api_key(gateway: Gateway, api: GatewayApi) -> str:
    return f"{gateway.id}/{api.id}"


def _location(ref: SourceRef | None, fallback: str) -> Location:
    if ref is None:
        return Location(file=fallback)
    return Location(file=ref.file, pointer=ref.pointer, line=ref.line)


@dataclass
class Landscape:
    root: Path
    gateways: list[Gateway] = field(default_factory=list)
    specs: list[SpecRecord] = field(default_factory=list)
    reconciliation: Any = None  # apiscan.inventory.reconcile.Reconciliation
    _ops: dict[str, SpecOperation] | None = field(default=None, repr=False)

    def operation(self, key: str) -> SpecOperation | None:
        if self._ops is None:
            self._ops = {op.key: op for spec in self.specs for op in spec.operations}
        return self._ops.get(key)

    @property
    def orphan_specs(self) -> list[SpecRecord] | None:
        return self.reconciliation.orphan_specs if self.reconciliation is not None else None

    @property
    def unrouted_operations(self) -> list[SpecOperation] | None:
        return self.reconciliation.unrouted_operations if self.reconciliation is not None else None

    @property
    def shadow_routes(self):
        return self.reconciliation.shadow_routes if self.reconciliation is not None else None

    def spec(self, file: str) -> SpecRecord | None:
        return next((s for s in self.specs if s.file == file), None)

    def route_views(self) -> Iterator[RouteView]:
        for gw in self.gateways:
            for api, route in gw.routes():
                yield RouteView(route, api, gw, self)

    def iter_scope(self, scope: str) -> Iterator[ScopeItem]:
        """Items for rules of one scope: gateway | api | route | consumer | landscape.

        Targets are views (`.route`/`.api`/`.consumer` with `.gateway` and `.landscape`); the
        landscape scope yields the Landscape itself."""
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r} (expected one of: {', '.join(SCOPES)})")
        if scope == "landscape":
            first = self.gateways[0].files[0] if self.gateways and self.gateways[0].files else (
                self.specs[0].file if self.specs else str(self.root))
            yield ScopeItem(self, Subject("landscape", "landscape"), Location(file=first))
            return
        for gw in self.gateways:
            gw_file = gw.files[0] if gw.files else gw.id
            if scope == "gateway":
                yield ScopeItem(GatewayView(gw, self), Subject("gateway", gw.id, gw.name), Location(file=gw_file), gw)
            elif scope == "api":
                for api in gw.apis:
                    yield ScopeItem(ApiView(api, gw, self), Subject("api", api_key(gw, api), api.name),
                                    _location(api.source, gw_file), gw, api)
            elif scope == "route":
                for api, route in gw.routes():
                    view = RouteView(route, api, gw, self)
                    yield ScopeItem(view, Subject("route", view.key, route.name or route.id),
                                    _location(route.source, gw_file), gw, api)
            elif scope == "consumer":
                for consumer in gw.consumers:
                    yield ScopeItem(ConsumerView(consumer, gw, self), Subject("consumer", f"{gw.id}/{consumer.id}", consumer.name or consumer.id),
                                    _location(consumer.source, gw_file), gw)

    @staticmethod
    def _credential_kinds(gateway: Gateway, consumer: Consumer) -> set[str]:
        """Auth kinds a consumer's credentials pass. An Apigee app's consumer key is both the API
        key VerifyAPIKey checks and the OAuth client id, so it counts for both."""
        kinds = set()
        for cred in consumer.credentials:
            if cred.kind == "oauth2-client":
                kinds.add("oauth2")
                if gateway.vendor == "apigee":
                    kinds.add("api-key")
            else:
                kinds.add(cred.kind)
        return kinds

    @staticmethod
    def _anonymous_consumers(gateway: Gateway) -> set[str]:
        """Consumers named as the `anonymous` fallback of some optional auth (Kong)."""
        names: set[str] = set()
        for _, route in gateway.routes():
            for p in route.policies:
                if p.kind == "auth" and p.optional and isinstance(p.detail.get("anonymous"), str):
                    names.add(p.detail["anonymous"])
        return names

    def consumers_of(self, gateway: Gateway, api: GatewayApi, route: Route) -> list[Consumer] | None:
        """Consumers able to call a route; None when anyone can (no effective authentication)."""
        if not route.has_effective_auth():
            return None
        auth_kinds = {p.auth_kind for p in route.auth_policies() if not p.optional}
        allow: set[str] = set()
        for p in route.policies:
            if p.kind == "acl" and p.enabled and isinstance(p.detail.get("allow"), list):
                allow.update(str(g) for g in p.detail["allow"])
        rest_id = api.attributes.get("rest_api_id", "")
        anonymous = self._anonymous_consumers(gateway)
        out = []
        for c in gateway.consumers:
            if c.status == "disabled":
                continue
            if not c.credentials and {c.id, c.name} & anonymous:
                continue  # the identity optional auth gives callers without a key: it never signs in here
            if gateway.vendor == "aws":
                if "api-key" not in auth_kinds or (rest_id and c.apis and
                                                   not any(a.startswith(rest_id + "/") for a in c.apis)):
                    continue
            elif c.credentials and not (self._credential_kinds(gateway, c) & auth_kinds):
                continue
            elif c.apis and api.id not in c.apis and api.name not in c.apis:
                continue
            if allow and not (set(c.groups) & allow):
                continue
            out.append(c)
        return out
