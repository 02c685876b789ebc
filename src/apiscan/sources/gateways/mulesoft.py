"""MuleSoft Anypoint: RAML 1.0 projects and API Manager (API instance + applied policies) JSON.

The RAML is the contract: its resources and methods become the routes (base path from
`baseUri`, `{version}` filled from `version`). Security in a RAML (`securedBy`) is *declared*:
Mule runtimes and Flex Gateway enforce what API Manager applies, not what the RAML says. So:

- when an API Manager export for the API is present, its policies are the effective ones
  (pointcut `null` = every resource, else `methodRegex` × `uriTemplateRegex` against the RAML
  resource path), and the RAML's `securedBy` is kept only as a route tag;
- when only the RAML is present, `securedBy` gives the route's auth with `detail.declared = True`,
  which is the best evidence we have and says so.

API Manager JSON (no public sample exists; shape from the Anypoint REST model): a file holding
`apiInstance`/`api` `{id, assetId, assetVersion, productVersion, instanceLabel, technology, status,
endpoint{uri, proxyUri}}` and/or `policies: [{policyId, assetId | template.assetId, order, disabled,
configurationData, pointcutData}]`, optional `tiers` (SLA tiers) and `contracts` (client apps);
a bare list of policies is accepted too; `automated: true` or `automatedPolicies` apply to every
API of the environment.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, Policy, Product, Route, SourceRef, fingerprint_secret,
)
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult
from apiscan.sources.gateways.oas_gateway_helpers import (
    error_from, group_key, guarded, join_path, obj, pointer_of, scan_secrets, scrub, secret_note, seq,
    url_base, url_path,
)
from apiscan.sources.gateways.raml import load_raml, raml_header

VENDOR = "mulesoft"
_MAX_REGEX = 500

# API Manager policy asset ids → (kind, auth kind)
_POLICIES: dict[str, tuple[str, str | None]] = {
    "client-id-enforcement": ("auth", "api-key"),
    "jwt-validation": ("auth", "jwt"),
    "openid-connect-access-token-enforcement": ("auth", "oidc"),
    "openidconnect-access-token-enforcement": ("auth", "oidc"),
    "oauth2-access-token-enforcement": ("auth", "oauth2"),
    "external-oauth2-access-token-enforcement": ("auth", "oauth2"),
    "oauth2-access-token-enforcement-using-mule-oauth2-provider": ("auth", "oauth2"),
    "pingfederate-access-token-enforcement": ("auth", "oauth2"),
    "http-basic-authentication": ("auth", "basic"),
    "simple-security-manager": ("auth", "basic"),
    "ldap-security-manager": ("auth", "ldap"),
    "ldap-authentication": ("auth", "ldap"),
    "mtls": ("auth", "mtls"),
    "rate-limiting": ("rate-limit", None),
    "rate-limiting-sla-based": ("rate-limit", None),
    "spike-control": ("rate-limit", None),
    "throttling": ("rate-limit", None),
    "throttling-sla-based": ("rate-limit", None),
    "ip-allowlist": ("ip-filter", None),
    "ip-whitelist": ("ip-filter", None),
    "ip-blocklist": ("ip-filter", None),
    "ip-blacklist": ("ip-filter", None),
    "cors": ("cors", None),
    "json-threat-protection": ("threat-protection", None),
    "xml-threat-protection": ("threat-protection", None),
    "header-injection": ("transformation", None),
    "header-removal": ("transformation", None),
    "message-logging": ("logging", None),
    "http-caching": ("cache", None),
    "tls": ("tls", None),
}
_RAML_AUTH = {"oauth 2.0": "oauth2", "oauth 1.0": "custom", "basic authentication": "basic",
              "digest authentication": "custom", "pass through": "api-key"}


def _is_manager_policy(item: Any) -> bool:
    return isinstance(item, dict) and bool(_asset_id(item)) and any(
        k in item for k in ("configurationData", "configuration", "pointcutData", "policyId", "order"))


def _asset_id(item: dict) -> str:
    tmpl = item.get("template") if isinstance(item.get("template"), dict) else {}
    return str(item.get("assetId") or tmpl.get("assetId") or item.get("policyTemplateId") or "")


def is_api_manager(data: Any) -> bool:
    if isinstance(data, list):
        return bool(data) and all(_is_manager_policy(x) for x in data[:5])
    if not isinstance(data, dict):
        return False
    inst = data.get("apiInstance") or data.get("api")
    if isinstance(inst, dict) and "assetId" in inst and ("endpoint" in inst or "instanceLabel" in inst):
        return True
    for key in ("policies", "automatedPolicies"):
        items = data.get(key)
        if isinstance(items, list) and items and all(_is_manager_policy(x) for x in items[:5]):
            return True
    return False


class MuleSoftImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        groups: dict[str, Bundle] = {}
        for path in fileset.unclaimed():
            suffix = path.suffix.lower()
            role = None
            if suffix == ".raml":
                header = raml_header(fileset.head(path, 64))
                if header is not None:
                    role = "raml-api" if not header[1] else "raml-fragment"
            elif suffix == ".json" and is_api_manager(fileset.try_data(path)):
                role = "api-manager"
            if role is None:
                continue
            key = group_key(fileset, path)
            bundle = groups.setdefault(key, Bundle(VENDOR, fileset.root / key if key else fileset.root,
                                                   hint={"raml": [], "manager": []}))
            bundle.files.append(path)
            if role == "raml-api":
                bundle.hint["raml"].append(path)
            elif role == "api-manager":
                bundle.hint["manager"].append(path)
        out = [b for b in groups.values() if b.hint["raml"] or b.hint["manager"]]
        for bundle in out:
            fileset.claimed.update(bundle.files)
        # A RAML project's examples, schemas and docs (what `!include` reads) belong to it: they are
        # not API descriptions of their own, and a broken example must not read as a broken spec.
        for bundle in out:
            for raml in bundle.hint["raml"]:
                project = raml.parent
                if project == fileset.root:
                    continue  # a RAML at the input root: its folder is everybody's
                for path in fileset.unclaimed():
                    if project in path.parents and path.suffix.lower() != ".raml":
                        bundle.files.append(path)
                        fileset.claimed.add(path)
        return out

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name if bundle.root != fileset.root else "mulesoft"
        gw = Gateway(id=f"{VENDOR}:{name}", vendor=VENDOR, name=name,
                     files=[fileset.relative(f) for f in bundle.files])
        instances: list[tuple[Path, dict]] = []
        automated: list[Policy] = []
        for path in bundle.hint.get("manager", []):
            try:
                data = fileset.load(path).data
            except DocumentError as exc:
                result.errors.append(error_from(exc, fileset))
                continue
            rel = fileset.relative(path)
            for pointer, secret in scan_secrets(data):
                gw.notes.append(secret_note(rel, pointer, secret, f"api-manager:{rel}"))
            if isinstance(data, list):
                data = {"policies": data}
            if data.get("automated") is True or "automatedPolicies" in data:
                items = data.get("automatedPolicies") or seq(data.get("policies"))
                automated.extend(self._policies(items, rel, "global", "automatedPolicies" if "automatedPolicies" in data else "policies", result))
                if not (data.get("apiInstance") or data.get("api")):
                    continue
            instances.append((path, data))
        gw.global_policies.extend(automated)
        ramls: dict[Path, GatewayApi] = {}
        for path in bundle.hint.get("raml", []):
            api = guarded(result, fileset.relative(path), "RAML API", self._raml_api, gw, path, fileset, result)
            if api is not None:
                ramls[path] = api
                gw.apis.append(api)
        for path, data in instances:
            guarded(result, fileset.relative(path), "API Manager instance", self._instance, gw, path, data, ramls,
                    automated, fileset, result)
        for api in gw.apis:
            if api.attributes.get("managed"):
                continue
            for route in api.routes:  # RAML only: declared security, plus environment-wide policies
                route.policies.extend(automated)
        result.gateways.append(gw)
        return result

    # ------------------------------------------------------------------ RAML

    def _raml_api(self, gw: Gateway, path: Path, fileset: FileSet, result: ImportResult) -> GatewayApi | None:
        rel = fileset.relative(path)
        header = raml_header(fileset.head(path, 64))
        if header and header[0] != "1.0":
            result.errors.append(ImportErrorRecord(rel, f"RAML {header[0]} is not supported (RAML 1.0 only)", 1, 1))
            return None
        raml = load_raml(path, fileset.root)
        for issue in raml.issues:
            result.errors.append(ImportErrorRecord(issue.file, issue.message, issue.line))
        if not raml.title and not raml.methods:
            return None
        version = raml.version
        base_uri = raml.base_uri.replace("{version}", version) if version else raml.base_uri
        base_path = url_path(base_uri) if "://" in base_uri else (base_uri if base_uri.startswith("/") else "")
        base_path = base_path.rstrip("/")
        host = re.sub(r"^[a-z]+://", "", url_base(base_uri)) if url_base(base_uri) else ""
        api = GatewayApi(
            id=f"{_slug(raml.title or path.stem)}:{version}" if version else _slug(raml.title or path.stem),
            name=raml.title or path.stem, gateway=gw.id, version=version, base_path=base_path or "/",
            hosts=[host] if host else [], upstream_url=base_uri, source=SourceRef(rel),
            # the routes come from the RAML contract: they are specified, not shadow
            attributes={"raml": rel, "spec_format": "raml-1.0", "contract": "raml", "raml_files": raml.files,
                        "folder": path.parent.name, "file_stem": path.stem},
        )
        protocols = raml.protocols or ([base_uri.split("://")[0].lower()] if "://" in base_uri else [])
        for m in raml.methods:
            route = Route(
                id=f"{api.id}:{m.method}:{m.path}", methods=[m.method], path=join_path(base_path, m.path),
                match_kind="template", name=m.display_name, hosts=list(api.hosts), protocols=protocols,
                upstream_url=base_uri, upstream_path=join_path(base_path, m.path),
                source=SourceRef(rel, pointer_of(*m.pointer)),
                tags=[f"raml-path:{m.path}"] + [f"raml-securedBy:{n or 'null'}" for n, _ in m.secured_by],
            )
            route.policies.extend(self._declared_auth(m, raml.security_schemes, rel))
            if any("client_id" == q or "apikey" == q.lower().replace("_", "") for q in m.query_parameters):
                route.tags.append("credential-in-query")
            api.routes.append(route)
        return api

    @staticmethod
    def _declared_auth(m, schemes: dict[str, dict], rel: str) -> list[Policy]:
        optional = any(name is None for name, _ in m.secured_by)
        out: list[Policy] = []
        for name, params in m.secured_by:
            if name is None:
                continue
            scheme = obj(schemes.get(name))
            stype = str(scheme.get("type") or "")
            auth_kind = _RAML_AUTH.get(stype.lower(), "custom")
            described = scheme.get("describedBy") if isinstance(scheme.get("describedBy"), dict) else {}
            query = list(obj(described.get("queryParameters")).keys()) if isinstance(described.get("queryParameters"), dict) else []
            headers = list(obj(described.get("headers")).keys()) if isinstance(described.get("headers"), dict) else []
            detail: dict[str, Any] = {"declared": True, "scheme_type": stype, "level": m.secured_by_level}
            if query:
                detail["query_parameters"] = query
            if headers:
                detail["headers"] = headers
            if isinstance(params, dict) and params.get("scopes"):
                detail["scopes"] = [str(s) for s in params["scopes"]] if isinstance(params["scopes"], list) else params["scopes"]
            if len(m.secured_by) > 1:
                detail["alternative"] = True
            out.append(Policy(kind="auth", name=name, vendor_type="raml-securedBy", scope=m.secured_by_level or "api",
                              auth_kind=auth_kind, optional=optional, detail=detail, source=SourceRef(rel)))
        return out

    # ------------------------------------------------------------------ API Manager

    def _instance(self, gw: Gateway, path: Path, data: dict, ramls: dict[Path, GatewayApi],
                  automated: list[Policy], fileset: FileSet, result: ImportResult) -> None:
        rel = fileset.relative(path)
        inst = obj(data.get("apiInstance") or data.get("api"))
        asset = str(inst.get("assetId") or "")
        api = self._match_raml(asset, ramls)
        endpoint = inst.get("endpoint") if isinstance(inst.get("endpoint"), dict) else {}
        proxy = str(endpoint.get("proxyUri") or "")
        backend = str(endpoint.get("uri") or "")
        if api is None:
            label = str(inst.get("instanceLabel") or asset or path.stem)
            api = GatewayApi(id=f"{label}:{inst.get('id', '')}".rstrip(":"), name=label, gateway=gw.id,
                             version=str(inst.get("productVersion") or inst.get("assetVersion") or ""),
                             base_path=url_path(proxy) or "/", source=SourceRef(rel), attributes={})
            api.routes.append(Route(id=f"{api.id}:*", path=url_path(proxy) or "/", match_kind="prefix",
                                    upstream_url=backend, upstream_path=url_path(backend),
                                    source=SourceRef(rel, "/apiInstance"),
                                    tags=["no-contract: resources unknown without the RAML"]))
            gw.apis.append(api)
        api.attributes.update({"managed": True, "api_manager": rel, "instance_id": str(inst.get("id", "")),
                               "assetId": asset, "assetVersion": str(inst.get("assetVersion") or ""),
                               "technology": str(inst.get("technology") or "")})
        status = str(inst.get("status") or "").lower()
        api.lifecycle = "deprecated" if inst.get("deprecated") is True else (status if status else api.lifecycle)
        if proxy:
            base = url_path(proxy).rstrip("/")
            api.base_path = base or "/"
            api.upstream_url = backend or api.upstream_url
            for route in api.routes:
                rpath = next((t.split(":", 1)[1] for t in route.tags if t.startswith("raml-path:")), None)
                if rpath is not None:
                    route.path = join_path(base, rpath)
                    route.upstream_url = backend or route.upstream_url
                    route.upstream_path = join_path(url_path(backend), rpath) if backend else route.upstream_path
        policies = self._policies(seq(data.get("policies")), rel, "api", "policies", result)
        api.policies = list(automated) + policies
        for route in api.routes:
            route.policies = [p for p in route.policies if p.vendor_type != "raml-securedBy"]
            rpath = next((t.split(":", 1)[1] for t in route.tags if t.startswith("raml-path:")), url_path(route.path))
            for pol in automated + policies:
                if _pointcut_matches(pol.detail.get("pointcut"), route.methods, rpath):
                    route.policies.append(pol)
        self._tiers_and_contracts(gw, api, data, rel)

    @staticmethod
    def _match_raml(asset: str, ramls: dict[Path, GatewayApi]) -> GatewayApi | None:
        """The RAML an API instance serves: by asset id against the file name, then the title,
        then the project folder when only one RAML lives there; the only RAML when there is one."""
        free = [a for a in ramls.values() if not a.attributes.get("managed")]
        wanted = _slug(asset)
        if wanted:
            for attr in ("file_stem", "name"):
                hits = [a for a in free if _slug(a.attributes.get(attr, "") if attr != "name" else a.name) == wanted]
                if len(hits) == 1:
                    return hits[0]
            hits = [a for a in free if _slug(a.attributes.get("folder", "")) == wanted]
            if len(hits) == 1:
                return hits[0]
        return free[0] if len(ramls) == 1 and free else None

    def _policies(self, items: Any, rel: str, scope: str, key: str, result: ImportResult) -> list[Policy]:
        out: list[Policy] = []
        if not isinstance(items, list):
            result.errors.append(ImportErrorRecord(rel, "policies is not a list", pointer=f"/{key}"))
            return out
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            asset = _asset_id(item)
            kind, auth_kind = _POLICIES.get(asset, ("other", None))
            config = item.get("configurationData")
            if config is None:
                config = item.get("configuration")
            config = config if isinstance(config, dict) else {}
            pointcut = item.get("pointcutData")
            if pointcut is not None:
                pointcut = self._check_pointcut(pointcut, rel, f"/{key}/{i}/pointcutData", result)
                if pointcut is None:
                    continue
            limit: dict[str, Any] = {}
            limits = config.get("rateLimits")
            if not isinstance(limits, list) and "maximumRequests" in config:
                limits = [config]
            if isinstance(limits, list):
                for lim in limits:
                    if isinstance(lim, dict) and str(lim.get("maximumRequests", "")).isdigit():
                        ms = lim.get("timePeriodInMilliseconds")
                        limit = {"count": int(lim["maximumRequests"]),
                                 "period_seconds": max(1, int(ms) // 1000) if str(ms).isdigit() else None,
                                 "by": "client" if asset.endswith("sla-based") else "api"}
                        break
            if asset.endswith("sla-based"):
                limit = limit or {"by": "sla-tier"}
            detail = {"pointcut": pointcut, "order": item.get("order"),
                      "configuration": scrub({k: v for k, v in config.items() if k != "rateLimits"})}
            if asset.startswith("ip-b"):
                detail["mode"] = "blocklist"
            out.append(Policy(kind=kind, name=asset or "policy", vendor_type=asset, scope=scope if pointcut is None else "operation",
                              auth_kind=auth_kind, enabled=item.get("disabled") is not True,
                              limit={k: v for k, v in limit.items() if v is not None},
                              detail={k: v for k, v in detail.items() if v not in (None, {}, [])},
                              source=SourceRef(rel, f"/{key}/{i}")))
        return out

    @staticmethod
    def _check_pointcut(pointcut: Any, rel: str, ptr: str, result: ImportResult) -> list[dict] | None:
        """Pointcut entries with regexes that compile; None (and an error) when unusable."""
        if not isinstance(pointcut, list):
            result.errors.append(ImportErrorRecord(rel, "pointcutData must be null or a list", pointer=ptr))
            return None
        out = []
        for j, pc in enumerate(pointcut):
            if not isinstance(pc, dict):
                continue
            entry = {}
            for field in ("methodRegex", "uriTemplateRegex"):
                rx = pc.get(field)
                if rx is None:
                    continue
                if not isinstance(rx, str) or len(rx) > _MAX_REGEX:
                    result.errors.append(ImportErrorRecord(rel, f"{field} is not a usable regex", pointer=f"{ptr}/{j}/{field}"))
                    return None
                try:
                    re.compile(rx)
                except re.error as exc:
                    result.errors.append(ImportErrorRecord(rel, f"{field} {rx!r} is not a valid regex: {exc}",
                                                           pointer=f"{ptr}/{j}/{field}"))
                    return None
                entry[field] = rx
            out.append(entry)
        return out

    def _tiers_and_contracts(self, gw: Gateway, api: GatewayApi, data: dict, rel: str) -> None:
        tiers: dict[str, Product] = {}
        for i, tier in enumerate(seq(data.get("tiers"))):
            if not isinstance(tier, dict):
                continue
            tid = str(tier.get("id") or tier.get("name") or i)
            product = Product(id=f"{api.id}/tier:{tier.get('name', tid)}", name=str(tier.get("name") or tid),
                              gateway=gw.id, apis=[api.id], subscription_required=True,
                              approval="auto" if tier.get("autoApprove") is True else "manual",
                              source=SourceRef(rel, f"/tiers/{i}"))
            for lim in seq(tier.get("limits")):
                if isinstance(lim, dict) and str(lim.get("maximumRequests", "")).isdigit():
                    ms = lim.get("timePeriodInMilliseconds")
                    product.policies.append(Policy(
                        kind="rate-limit", name=f"sla:{product.name}", vendor_type="sla-tier", scope="product",
                        limit={"count": int(lim["maximumRequests"]), "by": "client",
                               **({"period_seconds": max(1, int(ms) // 1000)} if str(ms).isdigit() else {})},
                        source=SourceRef(rel, f"/tiers/{i}")))
            tiers[tid] = product
            tiers.setdefault(product.name, product)
            gw.products.append(product)
            api.products.append(product.id)
        for i, contract in enumerate(seq(data.get("contracts"))):
            if not isinstance(contract, dict):
                continue
            app = contract.get("application") if isinstance(contract.get("application"), dict) else {}
            cid = str(app.get("id") or contract.get("applicationId") or f"contract-{i}")
            consumer = next((c for c in gw.consumers if c.id == cid), None)
            if consumer is None:
                consumer = Consumer(id=cid, name=str(app.get("name") or cid), gateway=gw.id, kind="application",
                                    source=SourceRef(rel, f"/contracts/{i}"))
                gw.consumers.append(consumer)
            consumer.apis.append(api.id)
            consumer.status = str(contract.get("status") or consumer.status)
            tier_ref = contract.get("tier") if isinstance(contract.get("tier"), dict) else {}
            tier = tiers.get(str(contract.get("tierId") or tier_ref.get("id") or tier_ref.get("name") or ""))
            if tier is not None and tier.id not in consumer.products:
                consumer.products.append(tier.id)
            client_id = app.get("clientId")
            if isinstance(client_id, str) and client_id and not any(c.id == client_id for c in consumer.credentials):
                secret = app.get("clientSecret")
                consumer.credentials.append(Credential(
                    kind="oauth2-client", id=client_id,
                    fingerprint=fingerprint_secret(secret) if isinstance(secret, str) and secret else "",
                    source=SourceRef(rel, f"/contracts/{i}/application")))


def _pointcut_matches(pointcut: list[dict] | None, methods: list[str], rpath: str) -> bool:
    """null pointcut = every resource; else any entry whose regexes both match (full match)."""
    if pointcut is None:
        return True
    for entry in pointcut:
        mrx, urx = entry.get("methodRegex"), entry.get("uriTemplateRegex")
        m_ok = mrx is None or not methods or any(re.fullmatch(mrx, m) for m in methods)
        u_ok = urx is None or bool(re.fullmatch(urx, rpath))
        if m_ok and u_ok:
            return True
    return False


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")


IMPORTER = MuleSoftImporter()
