"""WSO2 API Manager: `apictl` export projects (api.yaml + Definitions/ + deployment files).

An export project is a folder with `api.yaml` (`type: api`, `data{...}`), `Definitions/swagger.yaml`
(the OpenAPI the gateway serves, also linted and reconciled as a spec),
`deployment_environments.yaml` (where the revision is deployed) and optional `api_params.yaml`
(per-environment overrides, which may carry endpoint credentials). Application exports
(`type: application`) give consumers.

Gateway semantics applied here:
- client path = `{context}/{version}{target}`, where a context holding `{version}` places it; a
  default version (`isDefaultVersion`) is also reachable without the version segment;
- an operation whose `authType` is `None` is unauthenticated whatever the API's security scheme;
  otherwise the API's `securityScheme` applies: oauth2 / basic_auth / api_key are alternatives
  (mandatory unless only mutual TLS is), mutualssl is mandatory when `mutualssl_mandatory` is set;
- throttling: `apiThrottlingPolicy` (API level) wins over operation `throttlingPolicy`;
  subscription tiers (`policies`) limit each subscribing application; `Unlimited` is no limit;
- `lifeCycleStatus` DEPRECATED / RETIRED / BLOCKED are lifecycle states of the API.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from apiscan.models.gateway import Consumer, Credential, Gateway, GatewayApi, Policy, Route, SourceRef, fingerprint_secret
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportResult
from apiscan.sources.gateways.oas_gateway_helpers import (
    error_from, group_key, guarded, join_path, oas_operations, obj, pointer_of, scan_secrets, secret_note,
    seq, url_path,
)

VENDOR = "wso2"
_LIFECYCLE = {"PUBLISHED": "published", "CREATED": "created", "PROTOTYPED": "created", "DEPRECATED": "deprecated",
              "RETIRED": "retired", "BLOCKED": "blocked"}
_APP_SCHEMES = {"oauth2": "oauth2", "basic_auth": "basic", "api_key": "api-key"}
# WSO2's built-in tier names; anything else is a custom tier whose numbers are not in the export
_TIERS = {"gold": (5000, 60), "silver": (2000, 60), "bronze": (1000, 60), "unauthenticated": (500, 60)}
_TIER_RE = re.compile(r"(?i)^(\d+)(k?)per(min|minute|sec|second|hour|day)$")


def _doc_type(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("type"), str) and "data" in data:
        return data["type"]
    if isinstance(data, dict) and isinstance(data.get("environments"), list) and all(
            isinstance(e, dict) and "configs" in e for e in data["environments"][:5]):
        return "api_params"
    return ""


class Wso2Importer:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        groups: dict[str, Bundle] = {}
        projects: list[Path] = []
        loose: list[Path] = []
        unclaimed = fileset.unclaimed()
        for path in unclaimed:
            if path.suffix.lower() not in (".yaml", ".yml", ".json"):
                continue
            data = fileset.try_data(path)
            kind = _doc_type(data)
            if data is None and re.search(r"(?m)^type:\s*(api|application)\s*$", fileset.head(path, 2048)):
                projects.append(path)  # unreadable, but plainly an apictl file: claim it to report why
                continue
            if kind in ("api", "apiProduct", "application") and (kind != "api" or self._is_api(fileset.try_data(path))):
                projects.append(path)
            elif kind in ("deployment_environments", "api_params"):
                loose.append(path)
        taken: set[Path] = set()
        for main in projects:
            key = group_key(fileset, main)
            bundle = groups.setdefault(key, Bundle(VENDOR, fileset.root / key if key else fileset.root,
                                                   hint={"main": []}))
            bundle.hint["main"].append(main)
            folder = main.parent
            members = [main]
            if _doc_type(fileset.try_data(main)) in ("api", "apiProduct") or fileset.try_data(main) is None:
                members += [p for p in unclaimed if p != main and p.parent == folder and p in loose]
                members += [p for p in unclaimed if p.is_relative_to(folder / "Definitions")]
                bundle.also_spec.extend(p for p in unclaimed if p.is_relative_to(folder / "Definitions")
                                        and p.stem in ("swagger", "openapi") and p.suffix.lower() in (".yaml", ".yml", ".json"))
            for m in members:
                if m not in taken:
                    bundle.files.append(m)
                    taken.add(m)
        for path in loose:  # deployment / params files on their own: claimed, read for secrets
            if path in taken:
                continue
            key = group_key(fileset, path)
            bundle = groups.setdefault(key, Bundle(VENDOR, fileset.root / key if key else fileset.root,
                                                   hint={"main": []}))
            bundle.files.append(path)
            taken.add(path)
        fileset.claimed.update(taken)
        return list(groups.values())

    @staticmethod
    def _is_api(data: Any) -> bool:
        inner = data.get("data") if isinstance(data, dict) else None
        return isinstance(inner, dict) and ("context" in inner or "operations" in inner)

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name if bundle.root != fileset.root else "wso2"
        gw = Gateway(id=f"{VENDOR}:{name}", vendor=VENDOR, name=name,
                     files=[fileset.relative(f) for f in bundle.files])
        mains = set(bundle.hint.get("main", []))
        apps: list[tuple[Path, dict]] = []
        for path in bundle.files:
            rel = fileset.relative(path)
            if path in bundle.also_spec:
                continue
            try:
                data = fileset.load(path).data
            except DocumentError as exc:
                result.errors.append(error_from(exc, fileset))
                continue
            kind = _doc_type(data)
            for pointer, secret in scan_secrets(data):
                gw.notes.append(secret_note(rel, pointer, secret, f"{kind or 'file'}:{rel}"))
            if path in mains and kind in ("api", "apiProduct"):
                api = guarded(result, rel, "API", self._api, gw, path, data["data"], bundle, fileset, result)
                if api is not None:
                    gw.apis.append(api)
            elif path in mains and kind == "application":
                apps.append((path, obj(data.get("data"))))
            elif kind == "deployment_environments":
                envs = [str(e.get("deploymentEnvironment")) for e in seq(data.get("data"))
                        if isinstance(e, dict) and e.get("deploymentEnvironment")]
                gw.attributes.setdefault("deployment_environments", {})[rel] = envs
        for path, data in apps:
            app = guarded(result, fileset.relative(path), "application", self._application, gw, path, data, fileset)
            if app is not None:
                gw.consumers.append(app)
        if gw.apis or gw.consumers or gw.notes:  # lone deployment/params templates make no gateway
            result.gateways.append(gw)
        return result

    # ------------------------------------------------------------------ API

    def _api(self, gw: Gateway, path: Path, data: dict, bundle: Bundle, fileset: FileSet,
             result: ImportResult) -> GatewayApi | None:
        rel = fileset.relative(path)
        name = str(data.get("name") or path.parent.name)
        version = str(data.get("version") or "")
        context = str(data.get("context") or "/" + name)
        if "{version}" in context:
            versioned = context.replace("{version}", version)
            unversioned = re.sub(r"/?\{version\}", "", context) or "/"
        elif version and context.rstrip("/").endswith("/" + version):
            versioned, unversioned = context, context.rstrip("/")[: -len(version) - 1] or "/"
        else:
            versioned, unversioned = join_path(context, version), context
        status = str(data.get("lifeCycleStatus") or "").upper()
        spec = next((s for s in bundle.also_spec if s.is_relative_to(path.parent)), None)
        endpoint = self._endpoint(data.get("endpointConfig"))
        api = GatewayApi(
            id=str(data.get("id") or f"{name}:{version}"), name=name, gateway=gw.id, version=version,
            base_path=versioned, lifecycle=_LIFECYCLE.get(status, status.lower()), upstream_url=endpoint,
            spec_file=fileset.relative(spec) if spec else None, source=SourceRef(rel),
            tags=[str(t) for t in seq(data.get("tags"))],
            attributes={"context": context, "provider": str(data.get("provider") or ""),
                        "isDefaultVersion": data.get("isDefaultVersion") is True,
                        "visibility": str(data.get("visibility") or ""), "type": str(data.get("type") or "HTTP"),
                        # a default version is also served without its version segment
                        "alt_base_paths": [unversioned] if data.get("isDefaultVersion") is True and unversioned != versioned else []},
        )
        transports = [str(t).lower() for t in seq(data.get("transport")) if isinstance(t, str)]
        cors = data.get("corsConfiguration")
        if isinstance(cors, dict) and cors.get("corsConfigurationEnabled") is True:
            api.policies.append(Policy(
                kind="cors", name="cors", vendor_type="corsConfiguration", source=SourceRef(rel, "/data/corsConfiguration"),
                detail={"allow_origins": [str(o) for o in seq(cors.get("accessControlAllowOrigins"))],
                        "allow_credentials": cors.get("accessControlAllowCredentials") is True}))
        api_tier = str(data.get("apiThrottlingPolicy") or "")
        if api_tier:
            pol = self._tier(api_tier, "api", "apiThrottlingPolicy", SourceRef(rel, "/data/apiThrottlingPolicy"))
            if pol is not None:
                api.policies.append(pol)
        sub_tiers = [str(t) for t in seq(data.get("policies")) if isinstance(t, str)]
        sub_policies = [p for t in sub_tiers
                        if (p := self._tier(t, "consumer", "subscription-tier", SourceRef(rel, "/data/policies"))) is not None]
        if sub_tiers and not sub_policies:
            api.tags.append("subscription-tiers-unlimited")
        if isinstance(data.get("mediationPolicies"), list) and data["mediationPolicies"]:
            api.policies.append(Policy(kind="transformation", name="mediation", vendor_type="mediationPolicies",
                                       detail={"count": len(data["mediationPolicies"])}, source=SourceRef(rel, "/data/mediationPolicies")))
        schemes = [str(s) for s in seq(data.get("securityScheme")) if isinstance(s, str)] or ["oauth2"]
        operations = data.get("operations")
        if not isinstance(operations, list) or not operations:
            operations = self._ops_from_spec(spec, fileset, result)
        default = data.get("isDefaultVersion") is True
        for i, op in enumerate(operations):
            if not isinstance(op, dict):
                continue
            target = str(op.get("target") or "/")
            verb = str(op.get("verb") or "").upper()
            src = SourceRef(rel, op.get("_pointer") or pointer_of("data", "operations", i))
            policies: list[Policy] = []
            auth_type = str(op.get("authType") or "Any")
            if auth_type.lower() != "none":
                policies.extend(self._auth(schemes, auth_type, op, src))
            policies.extend(api.policies)
            if not api_tier:
                op_tier = str(op.get("throttlingPolicy") or "")
                pol = self._tier(op_tier, "operation", "throttlingPolicy", src) if op_tier else None
                if pol is not None:
                    policies.append(pol)
            if auth_type.lower() != "none":
                policies.extend(sub_policies)  # tiers bind to an application's subscription
            variants = [(versioned, "")] + ([(unversioned, "default-version")] if default and unversioned != versioned else [])
            for base, tag in variants:
                route = Route(
                    id=f"{api.id}:{verb}:{target}" + (":default" if tag else ""), methods=[verb] if verb and verb != "ANY" else [],
                    path=join_path(base, target), match_kind="template", protocols=transports,
                    upstream_url=endpoint, upstream_path=join_path(url_path(endpoint), target) if endpoint else "",
                    policies=list(policies), source=src, tags=[tag] if tag else [],
                    deprecated=api.lifecycle == "deprecated",
                )
                if auth_type.lower() == "none":
                    route.tags.append("authType:None")
                api.routes.append(route)
        return api

    def _ops_from_spec(self, spec: Path | None, fileset: FileSet, result: ImportResult) -> list[dict]:
        """Operations from Definitions/swagger.yaml when api.yaml lists none (older exports)."""
        if spec is None:
            return []
        try:
            data = fileset.load(spec).data
        except DocumentError as exc:
            result.errors.append(error_from(exc, fileset))
            return []
        ops = []
        for path, method, op, _ in oas_operations(data):
            ops.append({"target": path, "verb": method, "authType": op.get("x-auth-type", "Any"),
                        "throttlingPolicy": op.get("x-throttling-tier", ""),
                        "_pointer": pointer_of("paths", path, method.lower())})
        return ops

    @staticmethod
    def _auth(schemes: list[str], auth_type: str, op: dict, src: SourceRef) -> list[Policy]:
        app = [s for s in schemes if s in _APP_SCHEMES]
        mtls = "mutualssl" in schemes
        app_mandatory = "oauth_basic_auth_api_key_mandatory" in schemes or not mtls
        mtls_mandatory = "mutualssl_mandatory" in schemes or not app
        out: list[Policy] = []
        for s in app:
            out.append(Policy(kind="auth", name=s, vendor_type="securityScheme", scope="api",
                              auth_kind=_APP_SCHEMES[s], optional=not app_mandatory, source=src,
                              detail={"authType": auth_type, "alternative": len(app) > 1,
                                      "scopes": [str(x) for x in seq(op.get("scopes"))]}))
        if mtls:
            out.append(Policy(kind="auth", name="mutualssl", vendor_type="securityScheme", scope="api",
                              auth_kind="mtls", optional=not mtls_mandatory, source=src))
        return out

    @staticmethod
    def _tier(name: str, scope: str, vendor_type: str, src: SourceRef) -> Policy | None:
        """A named throttling tier as a rate limit; `Unlimited` (no throttling) gives None."""
        if not name or name.lower() == "unlimited":
            return None
        limit: dict[str, Any] = {"by": "subscription" if scope == "consumer" else "api"}
        m = _TIER_RE.match(name)
        if m:
            count = int(m.group(1)) * (1000 if m.group(2) else 1)
            unit = m.group(3).lower()
            limit.update(count=count, period_seconds={"min": 60, "minute": 60, "sec": 1, "second": 1,
                                                      "hour": 3600, "day": 86400}[unit])
        elif name.lower() in _TIERS:
            limit.update(count=_TIERS[name.lower()][0], period_seconds=_TIERS[name.lower()][1])
        return Policy(kind="rate-limit", name=name, vendor_type=vendor_type, scope=scope, limit=limit, source=src)

    @staticmethod
    def _endpoint(config: Any) -> str:
        if not isinstance(config, dict):
            return ""
        prod = config.get("production_endpoints")
        if isinstance(prod, list) and prod:
            prod = prod[0]
        if isinstance(prod, dict) and isinstance(prod.get("url"), str):
            return prod["url"]
        return ""

    # ------------------------------------------------------------------ applications

    def _application(self, gw: Gateway, path: Path, data: dict, fileset: FileSet) -> Consumer:
        rel = fileset.relative(path)
        info = data.get("applicationInfo") if isinstance(data.get("applicationInfo"), dict) else data
        name = str(info.get("name") or path.stem)
        consumer = Consumer(id=str(info.get("applicationId") or info.get("uuid") or name), name=name, gateway=gw.id,
                            kind="application", status=str(info.get("status") or ""),
                            groups=[str(info["throttlingPolicy"])] if info.get("throttlingPolicy") else [],
                            source=SourceRef(rel))
        for sub in seq(data.get("subscribedAPIs")):
            if isinstance(sub, dict):
                ident = sub.get("apiId") if isinstance(sub.get("apiId"), dict) else sub
                api_name, api_version = ident.get("apiName") or ident.get("name"), ident.get("version")
                match = next((a.id for a in gw.apis if a.name == api_name and (not api_version or a.version == api_version)), None)
                consumer.apis.append(match or f"{api_name}:{api_version}")
                if sub.get("throttlingPolicy"):
                    consumer.products.append(str(sub["throttlingPolicy"]))
        keys = seq(data.get("keys"))
        if isinstance(data.get("keyManagerWiseOAuthApp"), dict):
            for km in data["keyManagerWiseOAuthApp"].values():
                if isinstance(km, dict):
                    keys.extend(v for v in km.values() if isinstance(v, dict))
        for key in keys if isinstance(keys, list) else []:
            if not isinstance(key, dict):
                continue
            ckey = key.get("consumerKey") or key.get("clientId")
            secret = key.get("consumerSecret") or key.get("clientSecret")
            if ckey:
                consumer.credentials.append(Credential(
                    kind="oauth2-client", id=str(ckey), status=str(key.get("keyState") or ""),
                    fingerprint=fingerprint_secret(secret) if isinstance(secret, str) and secret else "",
                    source=SourceRef(rel)))
        return consumer


IMPORTER = Wso2Importer()
