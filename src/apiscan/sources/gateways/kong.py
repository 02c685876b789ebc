"""Kong Gateway: decK declarative files (`_format_version` 1.1 to 3.x, Konnect) and Admin API dumps.

Why a normaliser first: decK nests routes and plugins under services and consumers, Konnect
dumps put them at the top level with references, and an Admin API dump spreads them over
`/services`, `/routes`, `/plugins`, `/consumers` files linked by ids. All three are flattened into
one list of entities with their scope references, then one builder computes effective plugins as
Kong applies them: for each plugin name the most specific enabled instance wins
(route > service > global); consumer and consumer-group plugins apply per caller, so they sit on
the consumer (and on routes as `conditional`). Secrets (credential values, plugin secrets,
certificate keys) are fingerprinted and reported as `secret-in-export`, never kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, GatewayFinding, Policy, Route, SourceRef,
    fingerprint_secret, redact,
)
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult

VENDOR = "kong"
DECK_KEYS = {"_format_version", "_konnect", "_workspace", "_info", "_transform"}
ENTITY_KEYS = {"services", "routes", "plugins", "consumers", "consumer_groups", "upstreams", "certificates",
               "ca_certificates", "vaults", "snis"}
ADMIN_FILES = {"services", "routes", "plugins", "consumers", "consumer_groups", "key-auths", "basic-auths",
               "jwts", "hmac-auths", "oauth2", "acls", "mtls-auths", "certificates"}

AUTH_PLUGINS = {
    "key-auth": "api-key", "key-auth-enc": "api-key", "vault-auth": "api-key", "basic-auth": "basic",
    "hmac-auth": "hmac", "jwt": "jwt", "jwt-signer": "jwt", "oauth2": "oauth2",
    "oauth2-introspection": "oauth2", "openid-connect": "oidc", "mtls-auth": "mtls",
    "header-cert-auth": "mtls", "ldap-auth": "ldap", "ldap-auth-advanced": "ldap", "saml": "saml",
}
RATE_PLUGINS = {"rate-limiting", "rate-limiting-advanced", "response-ratelimiting", "graphql-rate-limiting-advanced",
                "ai-rate-limiting-advanced", "service-protection"}
KIND_BY_PLUGIN = {
    "cors": "cors", "ip-restriction": "ip-filter", "request-size-limiting": "size-limit",
    "bot-detection": "threat-protection", "json-threat-protection": "threat-protection",
    "xml-threat-protection": "threat-protection", "injection-protection": "threat-protection",
    "acl": "acl", "opa": "acl", "request-termination": "termination", "request-validator": "validation",
    "oas-validation": "validation", "proxy-cache": "cache", "proxy-cache-advanced": "cache",
    "request-transformer": "transformation", "request-transformer-advanced": "transformation",
    "response-transformer": "transformation", "response-transformer-advanced": "transformation",
    "correlation-id": "transformation", "prometheus": "logging", "datadog": "logging", "statsd": "logging",
    "opentelemetry": "logging", "zipkin": "logging", "loggly": "logging",
}
SECRET_KEY = re.compile(r"(?i)(secret|password|passwd|private_?key|api_?key|aws_key|token|credential)")
PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "month": 2592000, "year": 31536000}
ENV_TEMPLATE = re.compile(r"\$\{\{\s*env\s+\"([^\"]+)\"\s*\}\}")
_LEGACY_REGEX_CHARS = re.compile(r"[^a-zA-Z0-9._~/%-]")


# --------------------------------------------------------------------------- detection


def _is_deck(data: Any) -> bool:
    if not isinstance(data, dict) or "openapi" in data or "swagger" in data:
        return False
    if DECK_KEYS & data.keys():
        return True
    lists = [k for k in ENTITY_KEYS if isinstance(data.get(k), list)]
    if not lists or set(data) - ENTITY_KEYS - DECK_KEYS - {"upstreams", "partials", "keys", "key_sets",
                                                           "filter_chains", "custom_entities", "licenses"}:
        return False
    services = data.get("services") or []
    routes = data.get("routes") or []
    return any(isinstance(s, dict) and ("host" in s or "url" in s or "routes" in s) for s in services) or any(
        isinstance(r, dict) and ("paths" in r or "expression" in r or "service" in r) for r in routes)


def _admin_kind(path: Path, data: Any) -> str | None:
    """The Admin API collection an endpoint dump holds (`services`, `routes`, ...), or None."""
    if not isinstance(data, dict) or not isinstance(data.get("data"), list) or set(data) - {"data", "next", "offset"}:
        return None
    stem = path.stem.lower().lstrip("_")
    if stem not in ADMIN_FILES:
        return None
    items = [i for i in data["data"] if isinstance(i, dict)]
    if not items:
        return stem if "next" in data else None
    markers = {"services": ("host", "protocol"), "routes": ("paths", "protocols", "expression"),
               "plugins": ("config",), "consumers": ("username", "custom_id")}
    wanted = markers.get(stem)
    if wanted and not any(k in items[0] for k in wanted):
        return None
    return stem


def _admin_combined(data: Any) -> bool:
    """One JSON holding several Admin API responses: {"services": {"data": [...]}, ...}."""
    if not isinstance(data, dict):
        return False
    keys = {k.strip("/") for k in data}
    return bool(keys) and keys <= ADMIN_FILES and all(isinstance(v, dict) and isinstance(v.get("data"), list)
                                                      for v in data.values())


class KongImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        bundles: list[Bundle] = []
        admin_by_folder: dict[Path, list[Path]] = {}
        for path in fileset.unclaimed():
            if path.suffix.lower() not in (".yaml", ".yml", ".json"):
                continue
            data = fileset.try_data(path)
            if _is_deck(data):
                bundles.append(Bundle(VENDOR, path, [path], hint={"kind": "deck"}))
            elif _admin_combined(data):
                bundles.append(Bundle(VENDOR, path, [path], hint={"kind": "admin-combined"}))
            elif _admin_kind(path, data):
                admin_by_folder.setdefault(path.parent, []).append(path)
        for folder, files in admin_by_folder.items():
            if any(_admin_kind(f, fileset.try_data(f)) in ("services", "routes") for f in files):
                bundles.append(Bundle(VENDOR, folder, sorted(files), hint={"kind": "admin"}))
        for b in bundles:
            fileset.claimed.update(b.files)
        return bundles

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        cfg = _Config(fileset)
        kind = bundle.hint.get("kind")
        for path in bundle.files:
            try:
                doc = fileset.load(path)
            except DocumentError as exc:
                result.errors.append(ImportErrorRecord(fileset.relative(path), exc.message, exc.line, exc.column))
                continue
            rel = fileset.relative(path)
            cfg.docs[rel] = doc
            try:
                if kind == "deck":
                    cfg.read_deck(doc.data, rel)
                elif kind == "admin-combined":
                    for key, value in doc.data.items():
                        cfg.read_admin(key.strip("/"), value["data"], rel, "/" + _esc(key) + "/data")
                else:
                    cfg.read_admin(_admin_kind(path, doc.data) or "", doc.data["data"], rel, "/data")
            except Exception as exc:  # a shape we did not foresee: name the file, keep the rest
                result.errors.append(ImportErrorRecord(rel, f"cannot read Kong configuration: {exc!r}"))
        if not cfg.docs:
            return result
        name = cfg.name or (bundle.root.stem if bundle.root.is_file() else bundle.root.name)
        gateway = _Builder(cfg, name, [fileset.relative(p) for p in bundle.files]).build()
        result.errors.extend(cfg.errors)
        _fill_lines(gateway, cfg.docs)
        _error_lines(result.errors, cfg.docs)
        result.gateways.append(gateway)
        return result


IMPORTER = KongImporter()


# --------------------------------------------------------------------------- normalised entities


def _esc(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


@dataclass
class _Entity:
    data: dict
    ref: SourceRef
    scope: dict = field(default_factory=dict)  # service / route / consumer / consumer_group references


class _Config:
    """Every Kong entity of a bundle with the place it was written and what it references."""

    def __init__(self, fileset: FileSet):
        self.fileset = fileset
        self.docs: dict[str, Any] = {}
        self.services: list[_Entity] = []
        self.routes: list[_Entity] = []
        self.plugins: list[_Entity] = []
        self.consumers: list[_Entity] = []
        self.groups: list[_Entity] = []
        self.credentials: list[tuple[str, _Entity]] = []  # (collection, entity with scope consumer)
        self.certificates: list[_Entity] = []
        self.errors: list[ImportErrorRecord] = []
        self.format_version = ""
        self.name = ""
        self.attributes: dict[str, Any] = {}
        self.partial = False
        self.legacy_regex = False

    def _items(self, value: Any, rel: str, pointer: str) -> list[tuple[dict, SourceRef]]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.errors.append(ImportErrorRecord(rel, "expected a list", pointer=pointer))
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((item, SourceRef(rel, f"{pointer}/{i}")))
            else:
                self.errors.append(ImportErrorRecord(rel, f"expected a mapping, got {type(item).__name__}",
                                                     pointer=f"{pointer}/{i}"))
        return out

    def read_deck(self, data: dict, rel: str) -> None:
        version = str(data.get("_format_version") or "")
        self.format_version = version
        self.legacy_regex = version.startswith(("1.", "2.")) or version in ("1", "2")
        konnect = data.get("_konnect") if isinstance(data.get("_konnect"), dict) else {}
        cp = konnect.get("control_plane_name") or konnect.get("runtime_group_name")
        if cp:
            self.attributes["konnect_control_plane"] = cp
            self.name = str(cp)
        if data.get("_workspace"):
            self.attributes["workspace"] = str(data["_workspace"])
            self.name = self.name or str(data["_workspace"])
        info = data.get("_info") if isinstance(data.get("_info"), dict) else {}
        if info.get("select_tags"):
            self.partial = True
            self.attributes["select_tags"] = list(info["select_tags"]) if isinstance(info["select_tags"], list) \
                else [info["select_tags"]]
        if version:
            self.attributes["format_version"] = version
        for svc, ref in self._items(data.get("services"), rel, "/services"):
            skey = _key(svc)
            self.services.append(_Entity(svc, ref))
            for r, rref in self._items(svc.get("routes"), rel, ref.pointer + "/routes"):
                self.routes.append(_Entity(r, rref, {"service": skey}))
                for p, pref in self._items(r.get("plugins"), rel, rref.pointer + "/plugins"):
                    self.plugins.append(_Entity(p, pref, {"route": _key(r), "service": skey} | _refs(p)))
            for p, pref in self._items(svc.get("plugins"), rel, ref.pointer + "/plugins"):
                self.plugins.append(_Entity(p, pref, {"service": skey} | _refs(p)))
        for r, rref in self._items(data.get("routes"), rel, "/routes"):
            self.routes.append(_Entity(r, rref, _refs(r)))
            for p, pref in self._items(r.get("plugins"), rel, rref.pointer + "/plugins"):
                self.plugins.append(_Entity(p, pref, {"route": _key(r)} | _refs(p)))
        for p, pref in self._items(data.get("plugins"), rel, "/plugins"):
            self.plugins.append(_Entity(p, pref, _refs(p)))
        for c, cref in self._items(data.get("consumers"), rel, "/consumers"):
            self.consumers.append(_Entity(c, cref))
            for p, pref in self._items(c.get("plugins"), rel, cref.pointer + "/plugins"):
                self.plugins.append(_Entity(p, pref, {"consumer": _key(c, "username")} | _refs(p)))
        for g, gref in self._items(data.get("consumer_groups"), rel, "/consumer_groups"):
            self.groups.append(_Entity(g, gref))
            for p, pref in self._items(g.get("plugins"), rel, gref.pointer + "/plugins"):
                self.plugins.append(_Entity(p, pref, {"consumer_group": _key(g)} | _refs(p)))
        for c, cref in self._items(data.get("certificates"), rel, "/certificates"):
            self.certificates.append(_Entity(c, cref))

    def read_admin(self, collection: str, items: list, rel: str, pointer: str) -> None:
        for item, ref in self._items(items, rel, pointer):
            if collection == "services":
                self.services.append(_Entity(item, ref))
            elif collection == "routes":
                self.routes.append(_Entity(item, ref, _refs(item)))
            elif collection == "plugins":
                self.plugins.append(_Entity(item, ref, _refs(item)))
            elif collection == "consumers":
                self.consumers.append(_Entity(item, ref))
            elif collection == "consumer_groups":
                self.groups.append(_Entity(item, ref))
            elif collection == "certificates":
                self.certificates.append(_Entity(item, ref))
            else:
                self.credentials.append((collection, _Entity(item, ref, _refs(item))))


def _key(entity: dict, *extra: str) -> str:
    for k in ("name", *extra, "id"):
        if entity.get(k):
            return str(entity[k])
    return ""


def _ref_value(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("username") or value.get("id") or "") or None
    if isinstance(value, str) and value:
        return value
    return None


def _refs(entity: dict) -> dict:
    out = {}
    for k in ("service", "route", "consumer", "consumer_group"):
        v = _ref_value(entity.get(k))
        if v:
            out[k] = v
    return out


# --------------------------------------------------------------------------- building the model


class _Builder:
    def __init__(self, cfg: _Config, name: str, files: list[str]):
        self.cfg = cfg
        self.gw = Gateway(id=f"kong:{name}", vendor=VENDOR, name=name, files=files, partial=cfg.partial,
                          attributes=dict(cfg.attributes))
        self.service_ids: dict[str, str] = {}  # any name/id → canonical key
        self.route_ids: dict[str, str] = {}
        self.consumer_ids: dict[str, str] = {}
        self.group_ids: dict[str, str] = {}
        self.route_keys: dict[int, str] = {}  # id(Route) → the Kong route it was expanded from

    def build(self) -> Gateway:
        cfg = self.cfg
        for e in cfg.services:
            self._alias(self.service_ids, e.data, _key(e.data))
        for e in cfg.routes:
            self._alias(self.route_ids, e.data, _key(e.data))
        for e in cfg.consumers:
            self._alias(self.consumer_ids, e.data, _key(e.data, "username"), ("username", "custom_id"))
        for e in cfg.groups:
            self._alias(self.group_ids, e.data, _key(e.data))
        plugins = [(self._plugin_scope(e), e) for e in cfg.plugins]
        for scope, e in plugins:
            self._scan_secrets(e.data.get("config"), e.ref, f"plugin {e.data.get('name')}", "/config")
        globals_ = [(s, e) for s, e in plugins if not s]
        self.gw.global_policies = [self._policy(e, "global") for _, e in globals_]
        self._build_apis(plugins)
        self._build_consumers(plugins)
        for e in cfg.certificates:
            if isinstance(e.data.get("key"), str) and e.data["key"].strip():
                self._secret(e.data["key"], e.ref, "/key", "private key of a certificate")
        return self.gw

    @staticmethod
    def _alias(table: dict, data: dict, canonical: str, extra: tuple = ()) -> None:
        for k in ("name", "id", *extra):
            if data.get(k):
                table[str(data[k])] = canonical

    def _plugin_scope(self, e: _Entity) -> dict:
        scope = {}
        for k, table in (("service", self.service_ids), ("route", self.route_ids),
                         ("consumer", self.consumer_ids), ("consumer_group", self.group_ids)):
            if k in e.scope:
                scope[k] = table.get(e.scope[k], e.scope[k])
        return scope

    # ----------------------------------------------------------------- services and routes

    def _build_apis(self, plugins: list[tuple[dict, _Entity]]) -> None:
        apis: dict[str, GatewayApi] = {}
        for e in self.cfg.services:
            svc = e.data
            key = _key(svc)
            if not key:
                self.cfg.errors.append(ImportErrorRecord(e.ref.file, "service has neither name nor id",
                                                         pointer=e.ref.pointer))
                key = f"service-{len(apis) + 1}"
            url, path = _service_url(svc)
            api = GatewayApi(id=key, name=str(svc.get("name") or key), gateway=self.gw.id, upstream_url=url,
                             base_path=path, tags=_str_list(svc.get("tags")), source=e.ref,
                             lifecycle="disabled" if svc.get("enabled") is False else "active")
            api.attributes["service_path"] = path
            for k in ("protocol", "tls_verify", "tls_verify_depth", "ca_certificates", "client_certificate",
                      "retries", "connect_timeout", "read_timeout", "write_timeout"):
                if svc.get(k) is not None:
                    api.attributes[k] = svc[k] if not isinstance(svc[k], dict) else _ref_value(svc[k])
            apis[key] = api
        orphan: GatewayApi | None = None
        for i, e in enumerate(self.cfg.routes):
            skey = self.service_ids.get(e.scope.get("service", ""), e.scope.get("service"))
            api = apis.get(skey or "")
            if api is None:
                if skey:
                    self.cfg.errors.append(ImportErrorRecord(e.ref.file, f"route refers to unknown service {skey!r}",
                                                             pointer=e.ref.pointer))
                if orphan is None:
                    orphan = GatewayApi(id="(no service)", name="(routes without a service)", gateway=self.gw.id)
                    apis["\0orphan"] = orphan
                api = orphan
            api.routes.extend(self._routes(e, api, i))
        for api in apis.values():
            svc_scope = [(s, p) for s, p in plugins if s.get("service") == api.id and set(s) == {"service"}]
            api.policies = self._effective([], svc_scope, [])
            tls = self._service_tls(api)
            for route in api.routes:
                rkey = self.route_keys[id(route)]
                route_scope = [(s, p) for s, p in plugins if s.get("route") == rkey and not (
                    {"consumer", "consumer_group"} & set(s))]
                group_scope = [(s, p) for s, p in plugins if set(s) == {"consumer_group"}]
                route.policies = self._effective(
                    [(s, p) for s, p in plugins if not s], svc_scope, route_scope, group_scope)
                if tls is not None:
                    route.policies.append(tls)
        self.gw.apis = list(apis.values())

    def _service_tls(self, api: GatewayApi) -> Policy | None:
        """Kong `tls_verify` on an https service: whether the upstream certificate is checked."""
        if "tls_verify" not in api.attributes or not api.upstream_url.lower().startswith("https"):
            return None
        detail = {"tls_verify": api.attributes["tls_verify"]}
        if api.attributes.get("ca_certificates"):
            detail["ca_certificates"] = len(api.attributes["ca_certificates"])
        return Policy(kind="tls", name="tls_verify", vendor_type="service.tls_verify", scope="api", detail=detail,
                      source=SourceRef(api.source.file, api.source.pointer + "/tls_verify") if api.source else None)

    def _routes(self, e: _Entity, api: GatewayApi, index: int) -> list[Route]:
        r = e.data
        name = _key(r) or f"{api.id}-route-{index + 1}"
        methods = [str(m).upper() for m in _str_list(r.get("methods"))]
        hosts = _str_list(r.get("hosts"))
        protocols = _str_list(r.get("protocols"))
        strip = r.get("strip_path", True) is not False
        tags = _str_list(r.get("tags"))
        if r.get("regex_priority"):
            tags.append(f"regex_priority={r.get('regex_priority')}")
        if r.get("headers"):
            tags.append("kong:header-match")
        patterns: list[tuple[str, str]] = []
        expression = r.get("expression")
        if isinstance(expression, str) and expression.strip():
            parsed = _parse_expression(expression)
            if parsed is None:
                patterns = [("unknown", "")]
                tags.append("kong:expression-unparsed")
            else:
                kind, pattern, expr_methods = parsed
                patterns = [(kind, pattern)]
                methods = methods or expr_methods
                tags.append("kong:expression")
        else:
            paths = _str_list(r.get("paths"))
            for p in paths or ["/"]:
                patterns.append(self._path_kind(p))
        svc_path = api.attributes.get("service_path", "")
        out = []
        for n, (kind, pattern) in enumerate(patterns):
            rid = name if len(patterns) == 1 else f"{name}#{n + 1}"
            route = Route(id=rid, name=str(r.get("name") or name), methods=methods, path=pattern, match_kind=kind,
                          hosts=hosts, protocols=protocols, upstream_url=api.upstream_url, tags=list(tags),
                          strip_prefix=strip and kind in ("prefix", "regex"),
                          source=e.ref)
            route.upstream_path = _upstream(kind, pattern, strip, svc_path)
            self.route_keys[id(route)] = name
            out.append(route)
        return out

    def _path_kind(self, path: str) -> tuple[str, str]:
        if path.startswith("~"):
            return "regex", path[1:]
        if self.cfg.legacy_regex and _LEGACY_REGEX_CHARS.search(path):
            return "regex", path
        return "prefix", path

    # ----------------------------------------------------------------- plugins → policies

    def _policy(self, e: _Entity, scope: str) -> Policy:
        data = e.data
        name = str(data.get("name") or "")
        config = data.get("config") if isinstance(data.get("config"), dict) else {}
        enabled = data.get("enabled", True) is not False
        p = Policy(kind="other", name=name, vendor_type=name, scope=scope, enabled=enabled, source=e.ref,
                   detail=_safe_config(config))
        if name in AUTH_PLUGINS:
            p.kind, p.auth_kind = "auth", AUTH_PLUGINS[name]
            p.optional = bool(config.get("anonymous"))
            if p.optional:
                p.detail["anonymous"] = str(config["anonymous"])
        elif name in RATE_PLUGINS:
            p.kind = "rate-limit"
            p.limit = _limit(name, config)
        elif name.endswith("-log") or name in ("syslog",):
            p.kind = "logging"
        else:
            p.kind = KIND_BY_PLUGIN.get(name, "other")
        if p.kind == "cors":  # Kong's defaults: any origin, no credentials
            p.detail.update(origins=_str_list(config.get("origins")) or ["*"], credentials=bool(config.get("credentials")))
        elif p.kind == "termination":
            p.detail.setdefault("status_code", 503)
        elif p.kind == "size-limit":
            p.detail.setdefault("allowed_payload_size", 128)
            p.detail.setdefault("size_unit", "megabytes")
        return p

    def _effective(self, global_scope, svc_scope, route_scope, group_scope=()) -> list[Policy]:
        """Per plugin name, the most specific enabled instance (route > service > global)."""
        chosen: dict[str, Policy] = {}
        disabled: dict[str, Policy] = {}
        for scope_name, items in (("route", route_scope), ("api", svc_scope), ("global", global_scope)):
            for _, e in items:
                p = self._policy(e, scope_name)
                if not p.enabled:
                    disabled.setdefault(p.name, p)
                    continue
                chosen.setdefault(p.name, p)
        out = list(chosen.values()) + [p for n, p in disabled.items() if n not in chosen]
        for s, e in group_scope:
            p = self._policy(e, "consumer-group")
            p.conditional = True
            p.detail["consumer_group"] = s.get("consumer_group", "")
            out.append(p)
        return out

    # ----------------------------------------------------------------- consumers and credentials

    def _build_consumers(self, plugins: list[tuple[dict, _Entity]]) -> None:
        consumers: dict[str, Consumer] = {}
        for e in self.cfg.consumers:
            c = e.data
            key = _key(c, "username")
            consumer = Consumer(id=str(c.get("username") or c.get("custom_id") or c.get("id") or key),
                                name=str(c.get("username") or c.get("custom_id") or ""), gateway=self.gw.id,
                                source=e.ref)
            for g in c.get("groups") or []:
                gname = _ref_value(g)
                if gname:
                    consumer.groups.append(self.group_ids.get(gname, gname))
            for coll in ("keyauth_credentials", "basicauth_credentials", "jwt_secrets", "hmacauth_credentials",
                         "oauth2_credentials", "mtls_auth_credentials", "acls"):
                for item, ref in self.cfg._items(c.get(coll), e.ref.file, f"{e.ref.pointer}/{coll}"):
                    self._credential(consumer, coll, item, ref)
            consumers[key] = consumer
            consumer.policies = [self._policy(p, "consumer") for s, p in plugins if s.get("consumer") == key]
        for coll, e in self.cfg.credentials:
            owner = self.consumer_ids.get(e.scope.get("consumer", ""), e.scope.get("consumer", ""))
            consumer = consumers.get(owner)
            if consumer is None:
                self.cfg.errors.append(ImportErrorRecord(e.ref.file, f"credential of unknown consumer {owner!r}",
                                                         pointer=e.ref.pointer))
                continue
            self._credential(consumer, coll, e.data, e.ref)
        for e in self.cfg.groups:
            gname = _key(e.data)
            for member in e.data.get("consumers") or []:
                mkey = self.consumer_ids.get(_ref_value(member) or "", _ref_value(member))
                if mkey in consumers and gname not in consumers[mkey].groups:
                    consumers[mkey].groups.append(gname)
        for consumer in consumers.values():
            for gname in consumer.groups:
                for s, p in plugins:
                    if s.get("consumer_group") == gname:
                        consumer.policies.append(self._policy(p, "consumer-group"))
        self.gw.consumers = list(consumers.values())

    def _credential(self, consumer: Consumer, collection: str, item: dict, ref: SourceRef) -> None:
        coll = collection.replace("-", "").replace("_", "")
        if coll in ("acls",):
            if item.get("group"):
                consumer.groups.append(str(item["group"]))
            return
        if coll.startswith("keyauth"):
            secret, kind, ident, field_ = item.get("key"), "api-key", item.get("id", ""), "key"
        elif coll.startswith("basicauth"):
            secret, kind, ident, field_ = item.get("password"), "basic", item.get("username", ""), "password"
        elif coll.startswith("jwt"):
            secret, kind, ident, field_ = item.get("secret"), "jwt", item.get("key", ""), "secret"
        elif coll.startswith("hmacauth"):
            secret, kind, ident, field_ = item.get("secret"), "hmac", item.get("username", ""), "secret"
        elif coll.startswith("oauth2"):
            secret, kind, ident, field_ = item.get("client_secret"), "oauth2-client", item.get("client_id", ""), "client_secret"
        elif coll.startswith("mtls"):
            secret, kind, ident, field_ = None, "mtls", item.get("subject_name", ""), ""
        else:
            return
        cred = Credential(kind=kind, id=str(ident or ""), source=ref)
        if isinstance(secret, str) and secret:
            cred.fingerprint = fingerprint_secret(secret)
            cred.hint = redact(secret)
            self._secret(secret, ref, "/" + field_, f"{kind} credential of consumer {consumer.name or consumer.id}",
                         consumer.id)
        consumer.credentials.append(cred)

    def _secret(self, value: str, ref: SourceRef, sub: str, what: str, subject: str = "") -> None:
        if ENV_TEMPLATE.search(value) or value.startswith("{vault://"):
            return  # a reference to a secret store, not the secret
        self.gw.notes.append(GatewayFinding(
            code="secret-in-export", message=f"{what} is stored in clear in the export ({redact(value)})",
            source=SourceRef(ref.file, ref.pointer + sub), subject_key=subject,
            evidence={"fingerprint": fingerprint_secret(value), "redacted": redact(value)}))

    def _scan_secrets(self, config: Any, ref: SourceRef, what: str, pointer: str, depth: int = 0) -> None:
        if depth > 6 or not isinstance(config, dict):
            return
        for k, v in config.items():
            if isinstance(v, dict):
                self._scan_secrets(v, ref, what, f"{pointer}/{_esc(k)}", depth + 1)
            elif SECRET_KEY.search(str(k)) and not str(k).endswith(("_name", "_names", "_header", "_path")):
                values = [v] if isinstance(v, str) else (v if isinstance(v, list) else [])
                for i, item in enumerate(values):
                    if isinstance(item, str) and item:
                        sub = f"{pointer}/{_esc(k)}" + (f"/{i}" if isinstance(v, list) else "")
                        self._secret(item, ref, sub, f"{what}: `{k}`")


# --------------------------------------------------------------------------- small helpers


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
    return []


def _safe_config(config: dict) -> dict:
    """The plugin settings rules may need (flags, numbers, names, short lists), never a secret."""
    out: dict[str, Any] = {}
    for k, v in config.items():
        key = str(k)
        if SECRET_KEY.search(key) and not key.endswith(("_name", "_names", "_header", "_in_query", "_in_body",
                                                          "_in_header")):
            continue
        if v is None or isinstance(v, (bool, int, float)):
            out[key] = v
        elif isinstance(v, str) and len(v) <= 200:
            out[key] = v
        elif isinstance(v, list) and len(v) <= 50 and all(isinstance(x, (str, int, float, bool)) for x in v):
            out[key] = [x[:200] if isinstance(x, str) else x for x in v]
    return out


def _service_url(svc: dict) -> tuple[str, str]:
    url = svc.get("url")
    if isinstance(url, str) and url:
        try:
            path = urlsplit(url).path or ""
        except ValueError:
            path = ""
        if not path and isinstance(svc.get("path"), str):
            return url.rstrip("/") + svc["path"], svc["path"]
        return url, path
    protocol = svc.get("protocol") or "http"
    host = svc.get("host") or ""
    port = svc.get("port")
    path = svc.get("path") or ""
    if not host:
        return "", str(path)
    default = {"http": 80, "https": 443}.get(str(protocol))
    netloc = f"{host}:{port}" if port and port != default else str(host)
    return f"{protocol}://{netloc}{path}", str(path)


def _upstream(kind: str, pattern: str, strip: bool, svc_path: str) -> str:
    """The path the service sees (Kong path_handling v0: service path + request path)."""
    if kind == "unknown":
        return ""
    if strip:
        return svc_path or "/"
    base = svc_path.rstrip("/")
    if kind == "regex":
        return (re.escape(base) + pattern) if base else pattern
    return (base + pattern) if base else pattern


def _limit(name: str, config: dict) -> dict:
    if name in ("rate-limiting", "response-ratelimiting"):
        source = config
        if name == "response-ratelimiting" and isinstance(config.get("limits"), dict):
            source = next((v for v in config["limits"].values() if isinstance(v, dict)), {})
        for unit, seconds in PERIODS.items():
            if isinstance(source.get(unit), (int, float)) and not isinstance(source.get(unit), bool):
                return {"count": source[unit], "period_seconds": seconds, "by": config.get("limit_by", "consumer")}
        return {}
    limits, windows = config.get("limit"), config.get("window_size")
    if isinstance(limits, list) and isinstance(windows, list) and limits and windows:
        return {"count": limits[0], "period_seconds": windows[0], "by": config.get("identifier", "consumer")}
    return {}


_EXPR_TERM = re.compile(r'^\s*\(?\s*(http\.path|http\.method|http\.host)\s*(==|\^=|~)\s*"((?:[^"\\]|\\.)*)"\s*\)?\s*$')


def _parse_expression(expression: str) -> tuple[str, str, list[str]] | None:
    """`http.path ^= "/v1" && http.method == "GET"` → (prefix, /v1, [GET]); None when not that simple."""
    if "||" in expression:
        return None
    kind, pattern, methods = "prefix", "/", []
    for term in expression.split("&&"):
        m = _EXPR_TERM.match(term)
        if not m:
            return None
        field_, op, value = m.groups()
        value = value.replace('\\"', '"').replace("\\\\", "\\")
        if field_ == "http.method" and op == "==":
            methods.append(value.upper())
        elif field_ == "http.path":
            kind, pattern = {"==": "exact", "^=": "prefix", "~": "regex"}[op], value
        elif field_ == "http.host":
            continue
        else:
            return None
    return kind, pattern, methods


def _fill_lines(gateway: Gateway, docs: dict[str, Any]) -> None:
    """Line numbers for every record, one source-map pass per file."""
    refs: list[SourceRef] = []
    for api in gateway.apis:
        refs += [r for r in [api.source] if r]
        refs += [r.source for r in api.routes if r.source]
        refs += [p.source for r in api.routes for p in r.policies if p.source]
    refs += [c.source for c in gateway.consumers if c.source]
    refs += [n.source for n in gateway.notes]
    by_file: dict[str, list[SourceRef]] = {}
    for ref in refs:
        if ref.line is None and ref.file in docs:
            by_file.setdefault(ref.file, []).append(ref)
    for file, items in by_file.items():
        smap = docs[file].source_map
        paths = {ref.pointer: _pointer_path(ref.pointer) for ref in items}
        found = smap.positions(list(set(paths.values())))
        for ref in items:
            pos = found.get(paths[ref.pointer])
            if pos:
                ref.line = pos[0]


def _error_lines(errors: list[ImportErrorRecord], docs: dict[str, Any]) -> None:
    for err in errors:
        if err.line is None and err.pointer and err.file in docs:
            pos = docs[err.file].source_map.position(_pointer_path(err.pointer))
            if pos:
                err.line, err.column = pos


def _pointer_path(pointer: str) -> tuple:
    out: list = []
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        out.append(int(part) if part.isdigit() else part)
    return tuple(out)
