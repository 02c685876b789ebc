"""Software AG webMethods API Gateway: asset exports (deployer / `archive` layout).

An export is a folder with an `APIGatewayAssets.acdl` manifest (XML) and JSON assets in files
*without an extension*, named `<Type>.<uuid>` (API, Policy, PolicyAction, Alias, Application, ...),
usually nested as `API/API.<id>/Policy/Policy.<id>/PolicyAction/PolicyAction.<id>`.

What the gateway enforces is the API's policy (`policies: [ids]`), whose `policyEnforcements`
list policy actions by stage. The `security` of the embedded `apiDefinition` is documentation
only: an API is authenticated when an Identify & Authorize action (stage IAM, `evaluatePolicy`,
`authorizeUser`, ...) is enforced, and rate limited when a Traffic Optimization `throttle` action
is. Client path: `/gateway/{apiName}/{apiVersion}` + resource path (the name URL-encoded).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import quote

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, GatewayFinding, Policy, Route, SourceRef, fingerprint_secret,
)
import orjson

from apiscan.sources.document import DocumentError, read_text
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult
from apiscan.sources.gateways.oas_gateway_helpers import (
    error_from, guarded, join_path, oas_operations, obj, pointer_of, scan_secrets, scrub, secret_note, seq,
    url_base, url_path,
)

VENDOR = "webmethods"
MANIFEST = "APIGatewayAssets.acdl"
_ASSET_NAME = re.compile(r"^(API|Policy|PolicyAction|Alias|Application|Plan|Package|GatewayScope|Subscription)"
                         r"\.[0-9A-Za-z][0-9A-Za-z_-]{7,}$")
_MAX_XML = 4 * 1024 * 1024
_ALIAS_REF = re.compile(r"\$\{([^}:]+)\}")
_AUTH_TEMPLATES = {"evaluatepolicy", "authorizeuser", "identifyandauthorize", "inboundauthentication"}
_ID_TYPES = {
    "apikey": "api-key", "httpbasicauth": "basic", "oauth2token": "oauth2", "jwttoken": "jwt",
    "openidconnect": "oidc", "kerberos": "custom", "clientcertificate": "mtls", "ssl": "mtls",
    "hostname": "custom", "ipaddressrange": "custom", "httpheader": "custom", "xpath": "custom",
    "payloadidentifier": "custom", "wssusername": "basic", "wssx509certificate": "mtls",
}


def _is_asset_file(path: Path) -> bool:
    return bool(_ASSET_NAME.match(path.name))


class WebMethodsImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        bundles: list[Bundle] = []
        unclaimed = fileset.unclaimed()
        roots = sorted({p.parent for p in unclaimed if p.name == MANIFEST}, key=lambda p: len(p.parts))
        taken: set[Path] = set()
        for root in roots:
            if any(root.is_relative_to(r) for r in (b.root for b in bundles)):
                continue
            files = [p for p in unclaimed if p.is_relative_to(root) and (
                p.name == MANIFEST or _is_asset_file(p) or p.parent == root and p.suffix.lower() == ".json")]
            bundles.append(Bundle(VENDOR, root, files))
            taken.update(files)
        # assets exported without their manifest: group API files by the folder above `API/`
        loose = [p for p in unclaimed if p not in taken and _is_asset_file(p)]
        if loose:
            by_root: dict[Path, list[Path]] = {}
            for p in loose:
                if p.name.startswith("API.") and not self._looks_like_api(fileset, p):
                    continue
                anchor = next((a.parent for a in p.parents if a.name in ("API", "Alias", "Application")), p.parent)
                by_root.setdefault(anchor, []).append(p)
            for root, files in by_root.items():
                if any(f.name.startswith("API.") for f in files):
                    bundles.append(Bundle(VENDOR, root, files))
                    taken.update(files)
        fileset.claimed.update(taken)
        return bundles

    @staticmethod
    def _looks_like_api(fileset: FileSet, path: Path) -> bool:
        try:
            data = fileset.load(path).data
        except DocumentError:
            return True  # named like an API asset: claim it so its error is reported here
        return isinstance(data, dict) and ("apiDefinition" in data or "apiName" in data)

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name or "webmethods"
        gw = Gateway(id=f"{VENDOR}:{name}", vendor=VENDOR, name=name,
                     files=[fileset.relative(f) for f in bundle.files])
        assets: dict[str, dict[str, tuple[Path, dict]]] = {}
        manifest_assets: list[str] = []
        for path in bundle.files:
            if path.name == MANIFEST:
                manifest_assets = self._manifest(path, fileset, result)
                continue
            if not _is_asset_file(path):
                continue
            try:
                data = fileset.load(path).data
            except DocumentError as exc:
                result.errors.append(_json_error(path, fileset) or error_from(exc, fileset))
                continue
            if not isinstance(data, dict):
                result.errors.append(ImportErrorRecord(fileset.relative(path), "asset is not a JSON object"))
                continue
            kind, _, ident = path.name.partition(".")
            ident = str(data.get("id") or ident)
            assets.setdefault(kind, {})[ident] = (path, data)
        present = {f"{k}.{i}" for k, v in assets.items() for i in v}
        for asset in manifest_assets:
            if asset not in present and not any(e.file.endswith(asset) for e in result.errors):
                result.errors.append(ImportErrorRecord(
                    fileset.relative(bundle.root / MANIFEST), f"asset {asset} is listed in the manifest but its file is missing"))
        aliases = {str(d.get("name")): d for _, d in assets.get("Alias", {}).values() if d.get("name")}
        for path, data in assets.get("Alias", {}).values():
            for pointer, secret in scan_secrets(data):
                gw.notes.append(secret_note(fileset.relative(path), pointer, secret, f"alias:{data.get('name', '')}"))
        used_policies: set[str] = set()
        used_actions: set[str] = set()
        policies = assets.get("Policy", {})
        actions = assets.get("PolicyAction", {})
        global_policies = [(i, p, d) for i, (p, d) in policies.items() if d.get("global") is True]
        for gid, gpath, gdata in global_policies:
            used_policies.add(gid)
            got = guarded(result, fileset.relative(gpath), "global policy", self._policy, gpath, gdata, actions,
                          aliases, used_actions, fileset, "global")
            gw.global_policies.extend(got[0] if got else [])
        for api_id, (path, data) in assets.get("API", {}).items():
            api = guarded(result, fileset.relative(path), "API", self._api, gw, api_id, path, data, policies, actions,
                          aliases, used_policies, used_actions, fileset, result)
            if api is not None:
                gw.apis.append(api)
        for app_id, (path, data) in assets.get("Application", {}).items():
            app = guarded(result, fileset.relative(path), "application", self._application, gw, app_id, path, data, fileset)
            if app is not None:
                gw.consumers.append(app)
        for pid, (path, data) in policies.items():
            if pid not in used_policies:
                gw.notes.append(GatewayFinding("policy-unattached", f"policy {pid} is attached to no API",
                                               SourceRef(fileset.relative(path)), f"policy:{pid}"))
        for aid, (path, data) in actions.items():
            if aid not in used_actions:
                pol = self._action_policy(path, data, aliases, fileset, "api")
                if pol is not None:
                    gw.unattached_policies.append(pol)
                gw.notes.append(GatewayFinding("policy-unattached",
                                               f"policy action {aid} ({data.get('templateKey', '?')}) is enforced by no policy",
                                               SourceRef(fileset.relative(path)), f"policy-action:{aid}"))
        result.gateways.append(gw)
        return result

    # ------------------------------------------------------------------ manifest

    def _manifest(self, path: Path, fileset: FileSet, result: ImportResult) -> list[str]:
        """Asset names the manifest lists. Parsed with no DTD and no entities, bounded in size."""
        rel = fileset.relative(path)
        try:
            raw = path.read_bytes()[: _MAX_XML + 1]
        except OSError as exc:
            result.errors.append(ImportErrorRecord(rel, f"cannot read manifest: {exc.strerror or exc}"))
            return []
        if len(raw) > _MAX_XML:
            result.errors.append(ImportErrorRecord(rel, f"manifest over {_MAX_XML} bytes: not read"))
            return []
        if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
            result.errors.append(ImportErrorRecord(rel, "manifest declares a DTD or entities: refused"))
            return []
        try:
            root = ET.fromstring(raw)
        except ET.ParseError as exc:
            line, col = getattr(exc, "position", (None, None))
            result.errors.append(ImportErrorRecord(rel, f"manifest is not well-formed XML: {exc}", line, col))
            return []
        return [a.get("name", "") for a in root.iter() if a.tag.rsplit("}", 1)[-1] == "asset" and a.get("name")]

    # ------------------------------------------------------------------ API

    def _api(self, gw: Gateway, api_id: str, path: Path, data: dict, policies: dict, actions: dict,
             aliases: dict, used_policies: set, used_actions: set, fileset: FileSet,
             result: ImportResult) -> GatewayApi | None:
        rel = fileset.relative(path)
        definition = data.get("apiDefinition") if isinstance(data.get("apiDefinition"), dict) else {}
        info = definition.get("info") if isinstance(definition.get("info"), dict) else {}
        name = str(data.get("apiName") or info.get("title") or api_id)
        version = str(data.get("apiVersion") or info.get("version") or "")
        maturity = str(data.get("maturityState") or "")
        active = data.get("isActive") is not False
        lifecycle = "active" if active else "created"
        if maturity.lower() in ("deprecated", "retired"):
            lifecycle = maturity.lower()
        base = "/gateway/" + quote(name, safe="") + ("/" + quote(version, safe="") if version else "")
        native = [e.get("uri") for e in seq(data.get("nativeEndpoint")) if isinstance(e, dict) and e.get("uri")]
        api = GatewayApi(
            id=api_id, name=name, gateway=gw.id, version=version, base_path=base, lifecycle=lifecycle,
            upstream_url=str(native[0]) if native else "", source=SourceRef(rel),
            # the routes come from the definition the export embeds: they are specified, not shadow
            attributes={"maturityState": maturity, "isActive": active, "type": str(data.get("type") or ""),
                        "contract": "embedded-openapi"},
        )
        if isinstance(data.get("gatewayEndpoints"), (list, dict)):
            api.attributes["gatewayEndpoints"] = scrub(data["gatewayEndpoints"])
        for pointer, secret in scan_secrets(data):
            gw.notes.append(secret_note(rel, pointer, secret, api_id))
        route_targets: list[str] = []
        for pid in seq(data.get("policies")):
            pid = str(pid)
            entry = policies.get(pid)
            if entry is None:
                result.errors.append(ImportErrorRecord(rel, f"policy {pid} is referenced but not in the export",
                                                       pointer="/policies"))
                continue
            used_policies.add(pid)
            eff, targets, protocols = self._policy(entry[0], entry[1], actions, aliases, used_actions, fileset, "api")
            api.policies.extend(eff)
            route_targets.extend(targets)
            if protocols:
                api.attributes["protocols"] = protocols
        api.policies = gw.global_policies + api.policies
        upstream = route_targets[0] if route_targets else (api.upstream_url + "/${sys:resource_path}" if api.upstream_url else "")
        for path_key, method, op, item in oas_operations(definition):
            if item.get("enabled") is False or op.get("enabled") is False:
                continue
            ptr = pointer_of("apiDefinition", "paths", path_key, method.lower())
            route = Route(
                id=f"{api_id}:{method}:{path_key}", methods=[method], path=join_path(base, path_key),
                match_kind="template", name=str(op.get("operationId") or ""), operation_id=str(op.get("operationId") or ""),
                protocols=list(api.attributes.get("protocols", [])), deprecated=op.get("deprecated") is True,
                source=SourceRef(rel, ptr), policies=list(api.policies),
            )
            if upstream:
                resolved = upstream.replace("${sys:resource_path}", path_key.lstrip("/"))
                route.upstream_url = url_base(resolved) + url_path(upstream.replace("${sys:resource_path}", ""))
                route.upstream_path = url_path(resolved).replace("//", "/") if "${" not in resolved else ""
            api.routes.append(route)
        return api

    def _policy(self, path: Path, data: dict, actions: dict, aliases: dict, used_actions: set,
                fileset: FileSet, scope: str) -> tuple[list[Policy], list[str], list[str]]:
        """Effective policies of one Policy asset, plus routing targets and entry protocols."""
        out: list[Policy] = []
        targets: list[str] = []
        protocols: list[str] = []
        conditional = bool(obj(data.get("scope")).get("scopeConditions")) if isinstance(data.get("scope"), dict) else False
        for stage in seq(data.get("policyEnforcements")):
            if not isinstance(stage, dict):
                continue
            stage_key = str(stage.get("stageKey") or "")
            for enf in seq(stage.get("enforcements")):
                aid = str(enf.get("enforcementObjectId") or "") if isinstance(enf, dict) else ""
                entry = actions.get(aid)
                if entry is None:
                    continue
                used_actions.add(aid)
                apath, adata = entry
                key = str(adata.get("templateKey") or "")
                params = _params(adata.get("parameters"))
                if key == "entryProtocolPolicy":
                    protocols.extend(str(v).lower() for v in params.get("protocol", []))
                if "routing" in key.lower() or stage_key == "routing":
                    for uri in params.get("endpointUri", []) + params.get("endpointURI", []):
                        targets.append(_resolve_alias(str(uri), aliases))
                pol = self._action_policy(apath, adata, aliases, fileset, scope, stage_key)
                if pol is not None:
                    pol.conditional = pol.conditional or conditional
                    out.append(pol)
        return out, targets, protocols

    def _action_policy(self, path: Path, data: dict, aliases: dict, fileset: FileSet, scope: str,
                       stage: str = "") -> Policy | None:
        key = str(data.get("templateKey") or "")
        low = key.lower()
        params = _params(data.get("parameters"))
        src = SourceRef(fileset.relative(path))
        name = _name(data) or key
        detail: dict[str, Any] = {"stage": stage} if stage else {}
        if key == "entryProtocolPolicy":
            protos = sorted({str(v).lower() for v in params.get("protocol", [])})
            return Policy(kind="tls", name=name, vendor_type=key, scope=scope, source=src,
                          detail={**detail, "protocols": protos, "https_only": protos == ["https"]})
        if low in _AUTH_TEMPLATES or stage == "IAM":
            kinds = [(_ID_TYPES.get(str(r.get("identificationType", "")).lower(), "custom"),
                      str(r.get("identificationType", ""))) for r in _rules(data.get("parameters"), "IdentificationRule")]
            anonymous = any(str(v).lower() == "true" for v in params.get("allowAnonymous", []))
            auth_kind = kinds[0][0] if kinds else ("basic" if low == "authorizeuser" else "custom")
            return Policy(kind="auth", name=name, vendor_type=key, scope=scope, auth_kind=auth_kind,
                          optional=anonymous, source=src,
                          detail={**detail, "identification": [k for _, k in kinds],
                                  "connector": (params.get("logicalConnector") or [""])[0]})
        if "throttl" in low or stage == "LMT" and "limit" in low:
            limit = _throttle_limit(data.get("parameters"))
            return Policy(kind="rate-limit", name=name, vendor_type=key, scope=scope, limit=limit, source=src,
                          detail=detail)
        for needle, kind in (("routing", None), ("cors", "cors"), ("log", "logging"), ("transform", "transformation"),
                             ("mask", "transformation"), ("validate", "validation"), ("cache", "cache"),
                             ("ipaddress", "ip-filter"), ("monitor", "logging")):
            if needle in low:
                if kind is None:
                    return None
                return Policy(kind=kind, name=name, vendor_type=key, scope=scope, source=src,
                              detail={**detail, **scrub({k: v[:5] for k, v in params.items()})})
        return Policy(kind="other", name=name, vendor_type=key, scope=scope, source=src, detail=detail)

    # ------------------------------------------------------------------ applications

    def _application(self, gw: Gateway, app_id: str, path: Path, data: dict, fileset: FileSet) -> Consumer:
        rel = fileset.relative(path)
        consumer = Consumer(id=app_id, name=str(data.get("name") or app_id), gateway=gw.id, kind="application",
                            status="active" if data.get("isSuspended") is not True else "suspended",
                            apis=[str(a) for a in seq(data.get("consumingAPIs")) if isinstance(a, str)],
                            source=SourceRef(rel))
        tokens = data.get("accessTokens") if isinstance(data.get("accessTokens"), dict) else {}
        for tkey, tval in tokens.items():
            if not isinstance(tval, dict):
                continue
            for field, value in tval.items():
                if isinstance(value, str) and value and ("key" in field.lower() or "secret" in field.lower()):
                    consumer.credentials.append(Credential(
                        kind="api-key" if "apiaccesskey" in field.lower() else "oauth2-client",
                        fingerprint=fingerprint_secret(value), source=SourceRef(rel, pointer_of("accessTokens", tkey, field))))
        for pointer, secret in scan_secrets(data):
            gw.notes.append(secret_note(rel, pointer, secret, f"application:{app_id}"))
        for ident in seq(data.get("identifiers")):
            if isinstance(ident, dict) and str(ident.get("key", "")).lower() in ("apikey", "ipaddressrange", "httpbasicauth"):
                consumer.groups.append(str(ident.get("key")))
        return consumer


def _json_error(path: Path, fileset: FileSet) -> ImportErrorRecord | None:
    """Assets are JSON without a .json suffix: report the JSON error, not the YAML fallback's."""
    try:
        text = read_text(path)
        orjson.loads(text)
    except DocumentError:
        return None
    except orjson.JSONDecodeError as exc:
        msg = str(exc).split(":")[0]
        return ImportErrorRecord(fileset.relative(path), f"invalid JSON: {msg}", getattr(exc, "lineno", None),
                                 getattr(exc, "colno", None))
    return None


def _name(data: dict) -> str:
    names = data.get("names")
    if isinstance(names, list) and names and isinstance(names[0], dict):
        return str(names[0].get("value") or "")
    return str(data.get("name") or "")


def _params(params: Any, depth: int = 0) -> dict[str, list]:
    """Policy action parameters (nested `{templateKey, values, parameters}`) as key → values."""
    out: dict[str, list] = {}
    if depth > 8 or not isinstance(params, list):
        return out
    for p in params:
        if not isinstance(p, dict):
            continue
        key = str(p.get("templateKey") or "")
        vals = p.get("values")
        if key and isinstance(vals, list):
            out.setdefault(key, []).extend(v for v in vals if isinstance(v, (str, int, float, bool)))
        for k, v in _params(p.get("parameters"), depth + 1).items():
            out.setdefault(k, []).extend(v)
    return out


def _rules(params: Any, rule_key: str, depth: int = 0) -> list[dict]:
    """Nested rule groups (e.g. IdentificationRule) as flat dicts of their parameters."""
    out: list[dict] = []
    if depth > 8 or not isinstance(params, list):
        return out
    for p in params:
        if not isinstance(p, dict):
            continue
        if p.get("templateKey") == rule_key:
            out.append({k: (v[0] if v else "") for k, v in _params(p.get("parameters")).items()})
        else:
            out.extend(_rules(p.get("parameters"), rule_key, depth + 1))
    return out


def _throttle_limit(params: Any) -> dict:
    flat = _params(params)
    count = next((v for k in ("value", "maxRequestCount", "limit") for v in flat.get(k, []) if str(v).isdigit()), None)
    interval = next((v for k in ("interval", "alertInterval") for v in flat.get(k, []) if str(v).isdigit()), None)
    unit = next((str(v).lower() for k in ("intervalUnit", "alertIntervalUnit", "unit") for v in flat.get(k, [])), "minutes")
    out: dict[str, Any] = {}
    if count is not None:
        out["count"] = int(count)
    if interval is not None:
        mult = {"seconds": 1, "second": 1, "minutes": 60, "minute": 60, "hours": 3600, "hour": 3600,
                "days": 86400, "day": 86400}.get(unit, 60)
        out["period_seconds"] = int(interval) * mult
    return out


def _resolve_alias(uri: str, aliases: dict) -> str:
    """`${AliasName}` → the alias's value (simple or endpoint alias); `${sys:...}` stays."""
    def sub(m: re.Match) -> str:
        alias = aliases.get(m.group(1))
        if isinstance(alias, dict):
            value = alias.get("value") or alias.get("endPointURI") or alias.get("endpointUri")
            if isinstance(value, str):
                return value
        return m.group(0)
    return _ALIAS_REF.sub(sub, uri)


IMPORTER = WebMethodsImporter()
