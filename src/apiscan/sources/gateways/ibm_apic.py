"""IBM API Connect (DataPower API Gateway): API YAML with `x-ibm-configuration`, product YAML.

An API file is OpenAPI (2.0 or 3) plus the gateway's own section: the assembly (the ordered
policies DataPower runs: invoke/proxy to the backend, ratelimit, gatewayscript, map, switch and
operation-switch), CORS, properties used as `$(name)` variables, and the activity log. Products
bundle APIs into plans; a plan's `rate-limits` apply to every subscriber of that plan, so they are
effective limits on the plan's operations. Auth is OpenAPI `security` (X-IBM-Client-Id /
Secret apiKey schemes = client identification, oauth2, basic) which DataPower enforces when the
API is `enforced`. Client path on the gateway is `/{provider-org}/{catalog}{basePath}{path}`; the
org and catalog are not in the files, so routes carry basePath+path and the prefix is recorded in
the API's attributes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from apiscan.models.gateway import Gateway, GatewayApi, Policy, Product, Route, SourceRef
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult
from apiscan.sources.gateways.oas_gateway_helpers import (
    error_from, group_key, guarded, inside, is_placeholder, join_path, looks_secret_key, oas_auth_policies,
    oas_base_path, oas_operations, period_seconds, pointer_of, scan_secrets, scrub, secret_note, seq,
    url_path,
)

VENDOR = "ibm-apic"
_VAR = re.compile(r"\$\(([^)]+)\)")
_CLIENT_HEADERS = {"x-ibm-client-id": "client-id", "x-ibm-client-secret": "client-secret"}
_MAX_ASSEMBLY_DEPTH = 20


def is_ibm_api(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("x-ibm-configuration"), dict)
            and ("swagger" in data or "openapi" in data))


def is_ibm_product(data: Any) -> bool:
    return (isinstance(data, dict) and "product" in data
            and isinstance(data.get("plans") or data.get("apis"), dict) and isinstance(data.get("info"), dict))


def _looks_ibm(head: str) -> bool:
    return "x-ibm-configuration" in head or bool(re.search(r"(?m)^product:\s*['\"]?1\.0\.0", head))


class IbmApicImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        groups: dict[str, Bundle] = {}
        for path in fileset.unclaimed():
            if path.suffix.lower() not in (".yaml", ".yml", ".json"):
                continue
            data = fileset.try_data(path)
            if data is None and _looks_ibm(fileset.head(path)):
                pass  # unreadable, but plainly IBM's: claim it so its error is reported
            elif not (is_ibm_api(data) or is_ibm_product(data)):
                continue
            key = group_key(fileset, path)
            bundle = groups.setdefault(key, Bundle(VENDOR, fileset.root / key if key else fileset.root))
            bundle.files.append(path)
            if is_ibm_api(data):
                bundle.also_spec.append(path)
        for bundle in groups.values():
            fileset.claimed.update(bundle.files)
        return list(groups.values())

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name if bundle.root != fileset.root else "ibm-apic"
        gw = Gateway(id=f"{VENDOR}:{name}", vendor=VENDOR, name=name,
                     files=[fileset.relative(f) for f in bundle.files])
        apis_by_file: dict[Path, GatewayApi] = {}
        op_paths: dict[str, str] = {}  # route id → the operation's path key, for plan filters
        products: list[tuple[Path, dict]] = []
        for path in bundle.files:
            try:
                data = fileset.load(path).data
            except DocumentError as exc:
                result.errors.append(error_from(exc, fileset))
                continue
            if is_ibm_api(data):
                api = guarded(result, fileset.relative(path), "API", self._api, gw, path, data, fileset, op_paths)
                if api is not None:
                    apis_by_file[path.resolve()] = api
                    gw.apis.append(api)
            elif is_ibm_product(data):
                products.append((path, data))
            else:
                result.errors.append(ImportErrorRecord(fileset.relative(path), "neither an IBM API nor a product file"))
        for path, data in products:
            guarded(result, fileset.relative(path), "product", self._product, gw, path, data, apis_by_file, op_paths,
                    fileset, result)
        result.gateways.append(gw)
        return result

    # ------------------------------------------------------------------ API

    def _api(self, gw: Gateway, path: Path, data: dict, fileset: FileSet, op_paths: dict[str, str]) -> GatewayApi:
        rel = fileset.relative(path)
        info = data.get("info") if isinstance(data.get("info"), dict) else {}
        cfg = data["x-ibm-configuration"]
        xname = str(info.get("x-ibm-name") or info.get("title") or path.stem)
        version = str(info.get("version") or "")
        base = oas_base_path(data)
        api = GatewayApi(
            id=f"{xname}:{version}" if version else xname, name=str(info.get("title") or xname),
            gateway=gw.id, version=version, base_path=base or "/", spec_file=rel,
            source=SourceRef(rel), lifecycle="",
            attributes={"client_path_prefix": "/{provider-org}/{catalog}",
                        "gateway_type": cfg.get("gateway", ""), "phase": cfg.get("phase", ""),
                        "enforced": cfg.get("enforced", True) is not False},
        )
        props = self._properties(cfg)
        for pointer, secret in scan_secrets(cfg, "/x-ibm-configuration"):
            gw.notes.append(secret_note(rel, pointer, secret, api.id))
        raw_props = cfg.get("properties") if isinstance(cfg.get("properties"), dict) else {}
        for pname, pval in raw_props.items():  # a property named like a secret holds one in `value`
            value = pval.get("value") if isinstance(pval, dict) else None
            if isinstance(value, str) and looks_secret_key(str(pname)) and not is_placeholder(value):
                gw.notes.append(secret_note(rel, pointer_of("x-ibm-configuration", "properties", pname, "value"),
                                            value, api.id, f"property {pname!r}"))
        # API-wide gateway policies
        cors = cfg.get("cors")
        if isinstance(cors, dict) and cors.get("enabled") is True:
            api.policies.append(Policy(kind="cors", name="cors", vendor_type="x-ibm-configuration.cors",
                                       detail={"enabled": True}, source=SourceRef(rel, "/x-ibm-configuration/cors")))
        alog = cfg.get("activity-log")
        if isinstance(alog, dict) and alog.get("enabled", True) is not False:
            api.policies.append(Policy(kind="logging", name="activity-log", vendor_type="activity-log",
                                       detail=scrub({k: alog.get(k) for k in ("success-content", "error-content")}),
                                       source=SourceRef(rel, "/x-ibm-configuration/activity-log")))
        assembly = cfg.get("assembly") if isinstance(cfg.get("assembly"), dict) else {}
        steps: list[tuple[Policy | None, set[str] | None, str]] = []  # (policy, operations filter, target url)
        self._walk(assembly.get("execute"), "/x-ibm-configuration/assembly/execute", None, False, steps, props, rel, 0)
        targets = [t for _, _, t in steps if t]
        if targets:
            api.upstream_url = _strip_vars(targets[0])
        if not api.attributes["enforced"]:
            api.tags.append("not-enforced")
        for path_key, method, op, _item in oas_operations(data):
            ptr = pointer_of("paths", path_key, method.lower())
            op_keys = {f"{method} {path_key}".lower(), str(op.get("operationId", "")).lower(), path_key.lower()}
            route = Route(
                id=f"{api.id}:{method}:{path_key}", methods=[method], path=join_path(base, path_key),
                match_kind="template", name=str(op.get("operationId") or op.get("summary") or ""),
                operation_id=str(op.get("operationId") or ""), deprecated=op.get("deprecated") is True,
                source=SourceRef(rel, ptr), protocols=[s for s in data.get("schemes", []) if isinstance(s, str)],
            )
            op_paths[route.id] = path_key
            route.policies.extend(oas_auth_policies(data, op, "api", SourceRef(rel, ptr), "ibm-security"))
            for p in route.policies:
                header = str(p.detail.get("name", "")).lower()
                if header in _CLIENT_HEADERS:
                    p.detail = {**p.detail, "ibm": _CLIENT_HEADERS[header]}
            url = ""
            for pol, ops, target in steps:
                if ops is not None and not (ops & op_keys):
                    continue
                if pol is not None:
                    route.policies.append(pol)
                if target and not url:
                    url = target
            if url:
                route.upstream_url = _strip_vars(url)
                route.upstream_path = self._upstream_path(url, route.path, path_key)
            route.policies.extend(api.policies)
            if not api.attributes["enforced"]:
                route.tags.append("not-enforced")
            api.routes.append(route)
        return api

    @staticmethod
    def _properties(cfg: dict) -> dict[str, str]:
        props: dict[str, str] = {}
        raw = cfg.get("properties")
        if isinstance(raw, dict):
            for k, v in raw.items():
                if isinstance(v, dict) and isinstance(v.get("value"), (str, int, float)):
                    props[str(k)] = str(v["value"])
        return props

    @staticmethod
    def _subst(value: str, props: dict[str, str]) -> str:
        return _VAR.sub(lambda m: props.get(m.group(1), m.group(0)), value)

    def _upstream_path(self, url: str, client_path: str, op_path: str) -> str:
        """What the backend sees: the invoke URL's path; `$(request.path)` / `$(api.operation.path)`
        stand for the client path and the operation path."""
        upath = url_path(url.replace("$(request.path)", client_path).replace("$(api.operation.path)", op_path))
        return "" if "$(" in upath else upath

    def _walk(self, execute: Any, ptr: str, ops: set[str] | None, conditional: bool,
              out: list, props: dict[str, str], rel: str, depth: int) -> None:
        """Flatten the assembly: each step with the set of operations it runs for (None = all)."""
        if depth > _MAX_ASSEMBLY_DEPTH or not isinstance(execute, list):
            return
        for i, step in enumerate(execute):
            if not isinstance(step, dict) or len(step) != 1:
                continue
            kind, body = next(iter(step.items()))
            sptr = f"{ptr}/{i}/{kind}"
            body = body if isinstance(body, dict) else {}
            if kind in ("operation-switch", "switch"):
                for j, case in enumerate(seq(body.get("case"))):
                    if not isinstance(case, dict):
                        continue
                    case_ops = ops
                    cond = conditional
                    if kind == "operation-switch":
                        names: set[str] = set()
                        for o in seq(case.get("operations")):
                            if isinstance(o, str):
                                names.add(o.lower())
                            elif isinstance(o, dict):
                                names.add(f"{o.get('verb', '')} {o.get('path', '')}".lower())
                        case_ops = names if ops is None else (names & ops)
                    else:
                        cond = True
                    self._walk(case.get("execute"), f"{sptr}/case/{j}/execute", case_ops, cond, out, props, rel, depth + 1)
                otherwise = body.get("otherwise")
                if isinstance(otherwise, list):
                    self._walk(otherwise, f"{sptr}/otherwise", ops, True, out, props, rel, depth + 1)
                continue
            if kind == "if":
                self._walk(body.get("execute"), f"{sptr}/execute", ops, True, out, props, rel, depth + 1)
                continue
            policy, target = self._step(kind, body, SourceRef(rel, sptr), props)
            if policy is not None:
                policy.conditional = conditional
                policy.scope = "api" if ops is None else "operation"
            if policy is not None or target:
                out.append((policy, ops, target))

    def _step(self, kind: str, body: dict, src: SourceRef, props: dict[str, str]) -> tuple[Policy | None, str]:
        title = str(body.get("title") or kind)
        if kind in ("invoke", "proxy"):
            url = body.get("target-url")
            url = self._subst(url, props) if isinstance(url, str) else ""
            if body.get("tls-profile") or url.startswith("https"):
                return Policy(kind="tls", name=title, vendor_type=kind,
                              detail={"tls_profile": str(body.get("tls-profile") or "")}, source=src), url
            return None, url
        if kind == "ratelimit":
            return Policy(kind="rate-limit", name=title, vendor_type="ratelimit",
                          detail=scrub({k: v for k, v in body.items() if k in ("source", "rate-limit", "burst-limit", "count-limit")}),
                          source=src), ""
        mapping = {
            "gatewayscript": "transformation", "xslt": "transformation", "map": "transformation",
            "set-variable": "transformation", "redact": "transformation", "json-to-xml": "transformation",
            "xml-to-json": "transformation", "validate": "validation", "cors": "cors",
            "client-security": "auth", "validate-jwt": "auth", "jwt-validate": "auth", "oauth": "auth",
            "user-security": "auth", "log": "logging", "parse": "other", "throw": "other",
            "rate-limit": "rate-limit", "json-threat-protection": "threat-protection",
            "xml-threat-protection": "threat-protection",
        }
        pkind = mapping.get(kind)
        if pkind is None or pkind == "other":
            return None, ""
        auth_kind = None
        if pkind == "auth":
            auth_kind = {"client-security": "api-key", "validate-jwt": "jwt", "jwt-validate": "jwt",
                         "oauth": "oauth2", "user-security": "basic"}[kind]
        return Policy(kind=pkind, name=title, vendor_type=kind, auth_kind=auth_kind,
                      detail=scrub({k: v for k, v in body.items() if isinstance(v, (str, int, float, bool))
                                    and k not in ("title", "version", "source", "description")}),
                      source=src), ""

    # ------------------------------------------------------------------ product

    def _product(self, gw: Gateway, path: Path, data: dict, apis_by_file: dict[Path, GatewayApi],
                 op_paths: dict[str, str], fileset: FileSet, result: ImportResult) -> None:
        rel = fileset.relative(path)
        info = data["info"]
        pname = str(info.get("name") or path.stem)
        pversion = str(info.get("version") or "")
        visibility = data.get("visibility") if isinstance(data.get("visibility"), dict) else {}
        view = visibility.get("view") if isinstance(visibility.get("view"), dict) else {}
        subscribe = visibility.get("subscribe") if isinstance(visibility.get("subscribe"), dict) else {}
        # product API name → GatewayApi, through the $ref to its file
        refs: dict[str, GatewayApi] = {}
        apis = data.get("apis") if isinstance(data.get("apis"), dict) else {}
        for key, entry in apis.items():
            ref = entry.get("$ref") if isinstance(entry, dict) else None
            if not isinstance(ref, str):
                result.errors.append(ImportErrorRecord(rel, f"product API {key!r} has no $ref to an API file",
                                                       pointer=pointer_of("apis", key)))
                continue
            target = (path.parent / ref.split("#")[0])
            if not inside(fileset.root, target):
                result.errors.append(ImportErrorRecord(rel, f"product API {key!r}: $ref {ref!r} points outside the input",
                                                       pointer=pointer_of("apis", key, "$ref")))
                continue
            api = apis_by_file.get(target.resolve())
            if api is None:
                result.errors.append(ImportErrorRecord(rel, f"product API {key!r}: $ref {ref!r} is not an API file of this export",
                                                       pointer=pointer_of("apis", key, "$ref")))
                continue
            refs[str(key)] = api
        plans = data.get("plans") if isinstance(data.get("plans"), dict) else {}
        for plan_name, plan in plans.items():
            if not isinstance(plan, dict):
                continue
            pid = f"{pname}:{pversion}/{plan_name}"
            product = Product(
                id=pid, name=str(plan.get("title") or plan_name), gateway=gw.id,
                approval="manual" if plan.get("approval") is True else "auto",
                subscription_required=True, visibility=str(view.get("type") or ""),
                source=SourceRef(rel, pointer_of("plans", plan_name)),
            )
            limits: list[Policy] = []
            for field_name, kind in (("rate-limits", "rate-limit"), ("burst-limits", "rate-limit")):
                entries = plan.get(field_name)
                if not isinstance(entries, dict):
                    continue
                for lname, lval in entries.items():
                    value = lval.get("value") if isinstance(lval, dict) else None
                    limit = parse_limit(value)
                    if limit is None:
                        continue
                    limits.append(Policy(kind=kind, name=f"{plan_name}/{lname}", vendor_type=f"plan-{field_name}",
                                         scope="product", limit=limit,
                                         detail={"plan": pid, "value": str(value),
                                                 "hard_limit": bool(lval.get("hard-limit", True))},
                                         source=SourceRef(rel, pointer_of("plans", plan_name, field_name, lname))))
            product.policies.extend(limits)
            plan_apis = plan.get("apis") if isinstance(plan.get("apis"), dict) else {k: {} for k in refs}
            for akey, aval in plan_apis.items():
                api = refs.get(str(akey))
                if api is None:
                    continue
                product.apis.append(api.id)
                if pid not in api.products:
                    api.products.append(pid)
                wanted = None
                if isinstance(aval, dict) and isinstance(aval.get("operations"), list):
                    wanted = {f"{o.get('verb', '')} {o.get('path', '')}".lower() if isinstance(o, dict) else str(o).lower()
                              for o in aval["operations"]}
                for route in api.routes:
                    op_path = op_paths.get(route.id, route.path)
                    keys = {f"{route.methods[0]} {op_path}".lower(), route.operation_id.lower()}
                    if wanted is not None and not (wanted & keys):
                        continue
                    route.policies.extend(limits)
            gw.products.append(product)
        gw.attributes.setdefault("products", []).append(
            {"name": pname, "version": pversion, "file": rel, "subscribe": str(subscribe.get("type") or "")})


def _strip_vars(url: str) -> str:
    """The backend URL without the request-path variables appended to it."""
    return url.replace("$(request.path)", "").replace("$(api.operation.path)", "")


def parse_limit(value: Any) -> dict | None:
    """`100/1hour`, `10/1second`, `unlimited` → {count, period_seconds}; None for unlimited/unreadable."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in ("", "unlimited"):
        return None
    m = re.fullmatch(r"(\d+)\s*/\s*(\d*\s*[a-z]+)", text)
    if not m:
        return None
    secs = period_seconds(m.group(2))
    if secs is None:
        return None
    return {"count": int(m.group(1)), "period_seconds": secs, "by": "subscription"}


IMPORTER = IbmApicImporter()
