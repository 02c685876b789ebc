"""AWS API Gateway: REST (v1) and HTTP (v2) API exports, and the CLI's stage / usage-plan / key JSON.

Why AWS differs from a plain OpenAPI read:
- the export *is* an OpenAPI file, so it stays available to the spec loader (`Bundle.also_spec`)
  and is linked to its API through `GatewayApi.spec_file`;
- the client path is the stage (`basePath` in Swagger 2.0, `servers[].variables.basePath` in OAS 3)
  followed by the resource path; `{proxy+}` is greedy and `x-amazon-apigateway-any-method` is ANY;
- AWS does not read `security` as OpenAPI alternatives: every scheme listed on a method applies
  (a Lambda authorizer *and* an API key), and a method without `security` inherits the API's;
- `OPTIONS` methods with a mock integration are CORS preflights, tagged `cors-preflight`, so no
  rule calls them unauthenticated;
- usage plans are both the consumer model (API keys) and the rate-limit model; they only limit
  callers that present a key, so their limits go on API-key routes only, while stage
  `methodSettings` throttling applies to every route of the stage.
All the AWS files of one folder form one gateway (an account or a region, as exported).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, GatewayFinding, Policy, Product, Route, SourceRef,
    fingerprint_secret, redact,
)
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult

VENDOR = "aws"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
ANY_METHOD = "x-amazon-apigateway-any-method"
_API_ID_HOST = re.compile(r"^([a-z0-9]{6,12})\.execute-api\.")
_PERIOD = {"DAY": 86400, "WEEK": 604800, "MONTH": 2592000}


# --------------------------------------------------------------------------- detection


def _has_aws_extension(data: dict) -> bool:
    if any(k.startswith("x-amazon-apigateway") for k in data):
        return True
    schemes = data.get("securityDefinitions") or (data.get("components") or {}).get("securitySchemes") or {}
    if isinstance(schemes, dict) and any(isinstance(s, dict) and any(k.startswith("x-amazon-apigateway") for k in s)
                                         for s in schemes.values()):
        return True
    if isinstance(data.get("components"), dict) and "x-amazon-apigateway-integrations" in data["components"]:
        return True
    paths = data.get("paths")
    if isinstance(paths, dict):
        for item in paths.values():
            if isinstance(item, dict) and (ANY_METHOD in item or any(
                    isinstance(op, dict) and "x-amazon-apigateway-integration" in op for op in item.values())):
                return True
    return False


def _cli_kind(data: Any) -> str | None:
    """Which `aws apigateway` CLI output this is: stage, usage-plans, api-keys, usage-plan-keys."""
    if not isinstance(data, dict):
        return None
    if "stageName" in data and ("methodSettings" in data or "deploymentId" in data):
        return "stage"
    items = data.get("item") if isinstance(data.get("item"), list) else data.get("items")
    if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
        first = items[0]
        if "stageName" in first and ("deploymentId" in first or "methodSettings" in first):
            return "stages"
        if "apiStages" in first or ("throttle" in first and "name" in first) or "quota" in first:
            return "usage-plans"
        if "stageKeys" in first or ("enabled" in first and "id" in first and "name" in first and "type" not in first):
            return "api-keys"
        if first.get("type") == "API_KEY" and "id" in first:
            return "usage-plan-keys"
    if "apiStages" in data and "id" in data:
        return "usage-plan"
    if "stageKeys" in data and "id" in data:
        return "api-key"
    return None


class AwsImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        by_folder: dict[Path, Bundle] = {}
        for path in fileset.unclaimed():
            if path.suffix.lower() not in (".json", ".yaml", ".yml"):
                continue
            data = fileset.try_data(path)
            if not isinstance(data, dict):
                continue
            is_export = ("openapi" in data or "swagger" in data) and _has_aws_extension(data)
            cli = None if is_export else _cli_kind(data)
            if not is_export and not cli:
                continue
            bundle = by_folder.setdefault(path.parent, Bundle(VENDOR, path.parent, hint={"cli": {}}))
            bundle.files.append(path)
            if is_export:
                bundle.also_spec.append(path)
            else:
                bundle.hint["cli"][path] = cli
        for folder in sorted(by_folder, key=lambda f: -len(f.parts)):
            bundle = by_folder[folder]
            if bundle.also_spec:
                continue
            # CLI outputs kept in a sub-folder (cli/, usage-plans/) describe the exports above them
            parent = next((by_folder[a] for a in folder.parents if a in by_folder and by_folder[a].also_spec), None)
            if parent is not None:
                parent.files.extend(bundle.files)
                parent.hint["cli"].update(bundle.hint["cli"])
                del by_folder[folder]
        bundles = [b for b in by_folder.values() if b.also_spec or b.hint["cli"]]
        for b in bundles:
            b.files.sort()
            fileset.claimed.update(b.files)
        return bundles

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name or "aws"
        gw = Gateway(id=f"aws:{name}", vendor=VENDOR, name=name, files=[fileset.relative(p) for p in bundle.files])
        gw.attributes["product_limits_on_routes"] = True  # usage plans go on API-key routes only
        docs: dict[str, Any] = {}
        cli_files: list[tuple[str, str, Any]] = []
        for path in bundle.files:
            rel = fileset.relative(path)
            try:
                doc = fileset.load(path)
            except DocumentError as exc:
                result.errors.append(ImportErrorRecord(rel, exc.message, exc.line, exc.column))
                continue
            docs[rel] = doc
            try:
                if path in bundle.also_spec:
                    gw.apis.append(_ExportReader(doc.data, rel, gw, result.errors).read())
                else:
                    cli_files.append((bundle.hint["cli"][path], rel, doc.data))
            except Exception as exc:  # an export shape we did not foresee: name the file, keep the rest
                result.errors.append(ImportErrorRecord(rel, f"cannot read AWS API Gateway export: {exc!r}"))
        for kind, rel, data in sorted(cli_files, key=lambda t: ("stage" not in t[0], t[1])):
            try:
                _apply_cli(gw, kind, rel, data, result.errors)
            except Exception as exc:
                result.errors.append(ImportErrorRecord(rel, f"cannot read AWS CLI output: {exc!r}"))
        _fill_lines(gw, docs)
        for err in result.errors:
            if err.line is None and err.pointer and err.file in docs:
                pos = docs[err.file].source_map.position(_pointer_path(err.pointer))
                if pos:
                    err.line, err.column = pos
        if docs:
            result.gateways.append(gw)
        return result


IMPORTER = AwsImporter()


# --------------------------------------------------------------------------- exports


def _esc(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


class _ExportReader:
    """One REST or HTTP API export → a GatewayApi with one route per resource path × method."""

    def __init__(self, data: dict, rel: str, gw: Gateway, errors: list[ImportErrorRecord]):
        self.data = data
        self.rel = rel
        self.gw = gw
        self.errors = errors
        self.oas2 = "swagger" in data
        comps = data.get("components") if isinstance(data.get("components"), dict) else {}
        raw_schemes = data.get("securityDefinitions") if self.oas2 else comps.get("securitySchemes")
        self.schemes = raw_schemes if isinstance(raw_schemes, dict) else {}
        self.schemes_ptr = "/securityDefinitions" if self.oas2 else "/components/securitySchemes"
        self.http_api = "x-amazon-apigateway-importexport-version" in data or any(
            k in comps for k in ("x-amazon-apigateway-integrations",))

    def read(self) -> GatewayApi:
        d = self.data
        info = d.get("info") if isinstance(d.get("info"), dict) else {}
        title = str(info.get("title") or Path(self.rel).stem)
        stage, api_id = self._stage_and_id()
        api = GatewayApi(id=api_id or Path(self.rel).stem, name=title, gateway=self.gw.id,
                         version=str(info.get("version") or ""), base_path=stage, spec_file=self.rel,
                         source=SourceRef(self.rel, ""))
        api.attributes["api_type"] = "http" if self.http_api else "rest"
        if api_id:
            api.attributes["rest_api_id"] = api_id
        if d.get("x-amazon-apigateway-api-key-source"):
            api.attributes["api_key_source"] = str(d["x-amazon-apigateway-api-key-source"])
        if d.get("x-amazon-apigateway-endpoint-configuration"):
            api.attributes["endpoint_configuration"] = d["x-amazon-apigateway-endpoint-configuration"]
        api.policies = self._api_policies()
        global_security = d.get("security")
        validators = d.get("x-amazon-apigateway-request-validators")
        default_validator = d.get("x-amazon-apigateway-request-validator")
        paths = d.get("paths") if isinstance(d.get("paths"), dict) else {}
        for rpath, item in paths.items():
            if not isinstance(item, dict):
                self.errors.append(ImportErrorRecord(self.rel, "path item is not a mapping", pointer=f"/paths/{_esc(rpath)}"))
                continue
            for method_key, op in item.items():
                low = method_key.lower()
                if low not in METHODS and low != ANY_METHOD:
                    continue
                pointer = f"/paths/{_esc(rpath)}/{_esc(method_key)}"
                if not isinstance(op, dict):
                    self.errors.append(ImportErrorRecord(self.rel, "operation is not a mapping", pointer=pointer))
                    continue
                api.routes.append(self._route(api, str(rpath), low, op, pointer, global_security,
                                              validators, default_validator))
        return api

    def _stage_and_id(self) -> tuple[str, str]:
        d = self.data
        stage, host = "", ""
        if self.oas2:
            stage = str(d.get("basePath") or "")
            host = str(d.get("host") or "")
        else:
            for server in d.get("servers") or []:
                if not isinstance(server, dict):
                    continue
                url = str(server.get("url") or "")
                variables = server.get("variables") if isinstance(server.get("variables"), dict) else {}
                base = variables.get("basePath")
                if isinstance(base, dict) and base.get("default") is not None:
                    stage = str(base["default"])
                url = re.sub(r"\{(\w+)\}", lambda m: str((variables.get(m.group(1)) or {}).get("default", "")), url)
                try:
                    parts = urlsplit(url)
                except ValueError:
                    continue
                host = host or parts.hostname or ""
                if not stage and parts.path not in ("", "/"):
                    stage = parts.path
                break
        stage = "/" + stage.strip("/") if stage.strip("/") else ""
        m = _API_ID_HOST.match(host)
        return stage, (m.group(1) if m else "")

    def _api_policies(self) -> list[Policy]:
        d = self.data
        out = []
        cors = d.get("x-amazon-apigateway-cors")
        if isinstance(cors, dict):
            out.append(Policy(kind="cors", name="x-amazon-apigateway-cors", vendor_type="x-amazon-apigateway-cors",
                              scope="api", detail={"origins": [str(o) for o in cors.get("allowOrigins") or []],
                                                   "credentials": bool(cors.get("allowCredentials"))},
                              source=SourceRef(self.rel, "/x-amazon-apigateway-cors")))
        if d.get("x-amazon-apigateway-policy") is not None:
            out.append(Policy(kind="acl", name="resource-policy", vendor_type="x-amazon-apigateway-policy", scope="api",
                              source=SourceRef(self.rel, "/x-amazon-apigateway-policy")))
        return out

    def _route(self, api: GatewayApi, rpath: str, method: str, op: dict, pointer: str, global_security: Any,
               validators: Any, default_validator: Any) -> Route:
        integration = self._deref(op.get("x-amazon-apigateway-integration"))
        itype = str(integration.get("type") or "").lower()
        methods = [] if method == ANY_METHOD else [method.upper()]
        client_path = (api.base_path + rpath) if rpath != "$default" else api.base_path + "/{proxy+}"
        uri = str(integration.get("uri") or "")
        route = Route(id=f"{'ANY' if not methods else methods[0]} {rpath}", name=str(op.get("operationId") or ""),
                      methods=methods, path=client_path or "/", match_kind="template", upstream_url=uri,
                      operation_id=str(op.get("operationId") or ""), source=SourceRef(self.rel, pointer),
                      protocols=["https"], deprecated=bool(op.get("deprecated")))
        if rpath == "$default":
            route.tags.append("aws:$default")
        if itype:
            route.tags.append(f"integration:{itype}")
        if itype in ("http", "http_proxy") and uri:
            try:
                parts = urlsplit(uri)
                if parts.scheme in ("http", "https") and parts.netloc:  # not a ${placeholder}
                    route.upstream_path = parts.path or "/"
            except ValueError:
                route.upstream_path = ""
        elif itype == "aws_proxy":
            route.upstream_path = rpath if rpath != "$default" else "/{proxy+}"
        if integration.get("connectionType") == "VPC_LINK":
            route.tags.append("vpc-link")
        tls = integration.get("tlsConfig")
        if isinstance(tls, dict) and tls.get("insecureSkipVerification"):
            route.policies.append(Policy(kind="tls", name="tlsConfig", vendor_type="tlsConfig", scope="operation",
                                         detail={"verify": False}, source=SourceRef(self.rel, pointer + "/x-amazon-apigateway-integration/tlsConfig")))
        preflight = method == "options" and itype == "mock"
        if preflight:
            route.tags.append("cors-preflight")
        security = op.get("security", global_security)
        scope = "operation" if "security" in op else "api"
        sec_ptr = pointer + "/security" if "security" in op else "/security"
        route.policies.extend(self._auth(security, scope, sec_ptr, api))
        validator = op.get("x-amazon-apigateway-request-validator", default_validator)
        if isinstance(validator, str) and isinstance(validators, dict) and isinstance(validators.get(validator), dict):
            v = validators[validator]
            if v.get("validateRequestBody") or v.get("validateRequestParameters"):
                route.policies.append(Policy(kind="validation", name=validator, vendor_type="request-validator",
                                             scope="operation" if "x-amazon-apigateway-request-validator" in op else "api",
                                             detail={"body": bool(v.get("validateRequestBody")),
                                                     "parameters": bool(v.get("validateRequestParameters"))}))
        self._integration_secrets(integration, pointer + "/x-amazon-apigateway-integration", route)
        return route

    def _deref(self, value: Any) -> dict:
        """An integration, following one local `$ref` (HTTP APIs share integrations in components)."""
        if isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
            node: Any = self.data
            for part in value["$ref"][2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                node = node.get(part) if isinstance(node, dict) else None
            return node if isinstance(node, dict) else {}
        return value if isinstance(value, dict) else {}

    def _auth(self, security: Any, scope: str, pointer: str, api: GatewayApi) -> list[Policy]:
        if not isinstance(security, list):
            return []
        out: list[Policy] = []
        seen: set[str] = set()
        for i, requirement in enumerate(security):
            if not isinstance(requirement, dict):
                continue
            for name in requirement:
                if name in seen:
                    continue
                seen.add(name)
                scheme = self.schemes.get(name)
                if not isinstance(scheme, dict):
                    self.errors.append(ImportErrorRecord(self.rel, f"security scheme {name!r} is not defined",
                                                         pointer=f"{pointer}/{i}/{_esc(name)}"))
                    continue
                out.append(_scheme_policy(name, scheme, scope, SourceRef(self.rel, f"{self.schemes_ptr}/{_esc(name)}")))
        return out

    def _integration_secrets(self, integration: dict, pointer: str, route: Route) -> None:
        """Static `Authorization`/key headers set on the integration are credentials in clear."""
        params = integration.get("requestParameters")
        if not isinstance(params, dict):
            return
        for key, value in params.items():
            if not isinstance(value, str) or not (value.startswith("'") and value.endswith("'")) or len(value) < 6:
                continue
            if re.search(r"(?i)header\.(authorization|x-api-key|api-key|apikey)$", str(key)) or \
                    re.search(r"(?i)(secret|token|password)", str(key)):
                secret = value[1:-1]
                self.gw.notes.append(GatewayFinding(
                    code="secret-in-export", message=f"integration parameter {key} holds a credential in clear ({redact(secret)})",
                    source=SourceRef(self.rel, f"{pointer}/requestParameters/{_esc(key)}"), subject_key=route.id,
                    evidence={"fingerprint": fingerprint_secret(secret), "redacted": redact(secret)}))


def _scheme_policy(name: str, scheme: dict, scope: str, source: SourceRef) -> Policy:
    authorizer = scheme.get("x-amazon-apigateway-authorizer")
    authorizer = authorizer if isinstance(authorizer, dict) else {}
    authtype = str(scheme.get("x-amazon-apigateway-authtype") or "").lower()
    atype = str(authorizer.get("type") or "").lower()
    p = Policy(kind="auth", name=name, scope=scope, source=source)
    if atype in ("token", "request"):
        p.auth_kind, p.vendor_type = "lambda-authorizer", f"lambda-{atype}-authorizer"
        ident = str(authorizer.get("identitySource") or "")
        if ident:
            p.detail["identity_source"] = ident
            if ".querystring." in ident or "$request.querystring" in ident:
                p.detail["identity_in"] = "query"
    elif atype == "cognito_user_pools" or authtype == "cognito_user_pools":
        p.auth_kind, p.vendor_type = "jwt", "cognito_user_pools"
    elif atype == "jwt":
        p.auth_kind, p.vendor_type = "jwt", "jwt-authorizer"
        jwt = authorizer.get("jwtConfiguration") if isinstance(authorizer.get("jwtConfiguration"), dict) else {}
        if jwt.get("issuer"):
            p.detail["issuer"] = str(jwt["issuer"])
    elif authtype in ("awssigv4", "aws_iam") or name.lower() == "sigv4":
        p.auth_kind, p.vendor_type = "aws-iam", "AWS_IAM"
    elif scheme.get("type") == "apiKey" and str(scheme.get("name", "")).lower() == "x-api-key" and not authorizer:
        p.auth_kind, p.vendor_type = "api-key", "usage-plan-api-key"
        p.detail["in"] = str(scheme.get("in") or "header")
    elif scheme.get("type") in ("oauth2",):
        p.auth_kind, p.vendor_type = "oauth2", "oauth2"
    elif scheme.get("type") == "openIdConnect":
        p.auth_kind, p.vendor_type = "oidc", "openIdConnect"
    elif scheme.get("type") == "apiKey":
        p.auth_kind, p.vendor_type = "api-key", "apiKey"
        p.detail["in"] = str(scheme.get("in") or "header")
    else:
        p.auth_kind, p.vendor_type = "custom", str(scheme.get("type") or "unknown")
    return p


# --------------------------------------------------------------------------- CLI outputs


def _items(data: dict) -> list[dict]:
    items = data.get("item") if isinstance(data.get("item"), list) else data.get("items")
    if isinstance(items, list):
        return [i for i in items if isinstance(i, dict)]
    return [data]


def _items_pointer(data: dict) -> str:
    return "/item" if isinstance(data.get("item"), list) else ("/items" if isinstance(data.get("items"), list) else "")


def _apis_for(gw: Gateway, api_id: str = "", stage: str = "") -> list[GatewayApi]:
    """The exported APIs a CLI record belongs to: by REST API id, else by stage, else the only one."""
    if api_id:
        hits = [a for a in gw.apis if a.attributes.get("rest_api_id") == api_id or a.id == api_id]
        if hits:
            return hits
    if stage:
        hits = [a for a in gw.apis if a.base_path.strip("/") == stage.strip("/")]
        if len(hits) == 1:
            return hits
    return gw.apis[:1] if len(gw.apis) == 1 else []


def _throttle_policy(name: str, rate: Any, burst: Any, scope: str, source: SourceRef) -> Policy | None:
    if not isinstance(rate, (int, float)) or isinstance(rate, bool):
        return None
    return Policy(kind="rate-limit", name=name, vendor_type="throttling", scope=scope, source=source,
                  limit={"count": rate, "period_seconds": 1, "burst": burst, "by": "stage" if scope == "stage" else "api-key"})


def _apply_cli(gw: Gateway, kind: str, rel: str, data: dict, errors: list[ImportErrorRecord]) -> None:
    base = _items_pointer(data)
    for i, item in enumerate(_items(data)):
        ptr = f"{base}/{i}" if base else ""
        if kind in ("stage", "stages"):
            _apply_stage(gw, item, rel, ptr)
        elif kind in ("usage-plans", "usage-plan"):
            _apply_usage_plan(gw, item, rel, ptr)
        elif kind in ("api-keys", "api-key"):
            _apply_api_key(gw, item, rel, ptr)
        elif kind == "usage-plan-keys":
            key_id = str(item.get("id") or "")
            consumer = next((c for c in gw.consumers if c.id == key_id), None)
            if consumer is None:
                consumer = Consumer(id=key_id, name=str(item.get("name") or key_id), gateway=gw.id, kind="api-key",
                                    source=SourceRef(rel, ptr))
                gw.consumers.append(consumer)
            _key_value(gw, consumer, item, rel, ptr)


def _apply_stage(gw: Gateway, stage: dict, rel: str, ptr: str) -> None:
    name = str(stage.get("stageName") or "")
    gw.attributes.setdefault("stages", []).append(name)
    settings = stage.get("methodSettings") if isinstance(stage.get("methodSettings"), dict) else {}
    apis = _apis_for(gw, str(stage.get("restApiId") or ""), name)
    if not apis:
        return
    access_log = isinstance(stage.get("accessLogSettings"), dict) and bool(stage["accessLogSettings"].get("destinationArn"))
    # the stage default (`*/*`) first; a resource/method entry then replaces it for that method
    ordered = sorted(settings.items(), key=lambda kv: kv[0] != "*/*")
    for key, setting in ordered:
        if not isinstance(setting, dict) or "/" not in key:
            continue
        resource, _, method = key.rpartition("/")
        resource = resource.replace("~1", "/").replace("~0", "~")
        src = SourceRef(rel, f"{ptr}/methodSettings/{_esc(key)}")
        throttle = _throttle_policy(f"stage {name} {key}", setting.get("throttlingRateLimit"),
                                    setting.get("throttlingBurstLimit"), "stage", src)
        logging = setting.get("loggingLevel") not in (None, "OFF")
        for api in apis:
            for route in api.routes:
                rpath = route.path[len(api.base_path):] if api.base_path else route.path
                if resource not in ("*", rpath):
                    continue
                if method not in ("*", "ANY") and route.methods and method.upper() not in route.methods:
                    continue
                if throttle:
                    route.policies = [p for p in route.policies if not (p.kind == "rate-limit" and p.scope == "stage")]
                    route.policies.append(throttle)
                route.policies = [p for p in route.policies if not (p.kind == "logging" and p.scope == "stage")]
                if logging:
                    route.policies.append(Policy(kind="logging", name=f"stage {name} execution logs",
                                                 vendor_type="loggingLevel", scope="stage", source=src,
                                                 detail={"level": setting.get("loggingLevel")}))
    if access_log:
        for api in apis:
            api.policies.append(Policy(kind="logging", name=f"stage {name} access log", vendor_type="accessLogSettings",
                                       scope="stage", source=SourceRef(rel, f"{ptr}/accessLogSettings")))


def _apply_usage_plan(gw: Gateway, plan: dict, rel: str, ptr: str) -> None:
    pid = str(plan.get("id") or plan.get("name") or f"plan-{len(gw.products) + 1}")
    product = Product(id=pid, name=str(plan.get("name") or pid), gateway=gw.id, source=SourceRef(rel, ptr),
                      subscription_required=True)
    throttle = plan.get("throttle") if isinstance(plan.get("throttle"), dict) else {}
    tp = _throttle_policy(f"usage plan {product.name}", throttle.get("rateLimit"), throttle.get("burstLimit"),
                          "product", SourceRef(rel, f"{ptr}/throttle"))
    if tp:
        product.policies.append(tp)
    quota = plan.get("quota") if isinstance(plan.get("quota"), dict) else {}
    if isinstance(quota.get("limit"), int):
        product.policies.append(Policy(kind="quota", name=f"usage plan {product.name} quota", vendor_type="quota",
                                       scope="product", source=SourceRef(rel, f"{ptr}/quota"),
                                       limit={"count": quota["limit"], "period_seconds": _PERIOD.get(str(quota.get("period")), 0),
                                              "by": "api-key"}))
    for stage in plan.get("apiStages") or []:
        if not isinstance(stage, dict):
            continue
        api_id, stage_name = str(stage.get("apiId") or ""), str(stage.get("stage") or "")
        product.apis.append(f"{api_id}/{stage_name}")
        for api in _apis_for(gw, api_id, stage_name):
            if pid not in api.products:
                api.products.append(pid)
            for route in api.routes:
                if any(p.kind == "auth" and p.auth_kind == "api-key" and p.vendor_type == "usage-plan-api-key"
                       for p in route.policies):
                    route.policies.extend(product.policies)
    gw.products.append(product)


def _apply_api_key(gw: Gateway, key: dict, rel: str, ptr: str) -> None:
    kid = str(key.get("id") or "")
    consumer = next((c for c in gw.consumers if c.id == kid), None)
    if consumer is None:
        consumer = Consumer(id=kid, gateway=gw.id, kind="api-key", source=SourceRef(rel, ptr))
        gw.consumers.append(consumer)
    consumer.name = str(key.get("name") or kid)
    consumer.status = "enabled" if key.get("enabled", True) else "disabled"
    for sk in key.get("stageKeys") or []:
        if isinstance(sk, str) and sk not in consumer.apis:
            consumer.apis.append(sk)
    _key_value(gw, consumer, key, rel, ptr)


def _key_value(gw: Gateway, consumer: Consumer, item: dict, rel: str, ptr: str) -> None:
    value = item.get("value")
    cred = next((c for c in consumer.credentials if c.kind == "api-key"), None)
    if cred is None:
        cred = Credential(kind="api-key", id=consumer.id, status=consumer.status, source=SourceRef(rel, ptr))
        consumer.credentials.append(cred)
    if isinstance(value, str) and value:
        cred.fingerprint, cred.hint = fingerprint_secret(value), redact(value)
        gw.notes.append(GatewayFinding(
            code="secret-in-export", message=f"API key {consumer.name} value is stored in clear ({redact(value)})",
            source=SourceRef(rel, f"{ptr}/value"), subject_key=consumer.id,
            evidence={"fingerprint": cred.fingerprint, "redacted": redact(value)}))


def _fill_lines(gw: Gateway, docs: dict[str, Any]) -> None:
    refs: list[SourceRef] = []
    for api in gw.apis:
        refs += [r.source for r in api.routes if r.source]
    refs += [c.source for c in gw.consumers if c.source]
    refs += [p.source for p in gw.products if p.source]
    refs += [n.source for n in gw.notes]
    by_file: dict[str, list[SourceRef]] = {}
    for ref in refs:
        if ref.line is None and ref.file in docs and ref.pointer:
            by_file.setdefault(ref.file, []).append(ref)
    for file, items in by_file.items():
        paths = {ref.pointer: _pointer_path(ref.pointer) for ref in items}
        found = docs[file].source_map.positions(list(set(paths.values())))
        for ref in items:
            pos = found.get(paths[ref.pointer])
            if pos:
                ref.line = pos[0]


def _pointer_path(pointer: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:])
