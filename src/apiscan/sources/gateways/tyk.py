"""Tyk: classic API definitions, Dashboard exports, Tyk OAS definitions, policies and keys.

Gateway semantics applied here:
- an API listens on `proxy.listen_path` (a prefix); with `strip_listen_path` the backend sees the
  rest of the path after `target_url`'s path;
- auth is API-wide: `use_keyless` means none; otherwise every enabled method (`use_standard_auth`
  auth token, basic, JWT, OAuth2, OIDC, HMAC, mTLS, custom plugin) applies, and a definition that
  sets none of them is an auth-token API (Tyk's default). Tyk OAS: `server.authentication`
  with its `securitySchemes`, bound to the OpenAPI `security` names;
- rate limits: `global_rate_limit` is API-wide; each key is limited by its own `rate`/`per` (or
  those of the policies granting it access, or the per-API `limit` in `access_rights`) unless the
  API sets `disable_rate_limit` / `disable_quota`; keyless APIs have no keys, so only the global
  limit applies;
- versions: `version_data.versions[*].expires` is the version's sunset date; once past, Tyk
  refuses the version, so the route is marked deprecated and tagged `expired`;
- keys are consumers identified by a fingerprint: the key itself is never kept.
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, Policy, Product, Route, SourceRef, fingerprint_secret,
)
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult
from apiscan.sources.gateways.oas_gateway_helpers import (
    error_from, group_key, guarded, join_path, oas_security_schemes, obj, pointer_of, scan_secrets,
    scheme_auth_kind, secret_note, seq, url_path,
)

VENDOR = "tyk"
_HASHED = re.compile(r"[0-9a-f]{16}|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")
_SESSION_KEYS = {"allowance", "quota_renews", "last_check", "quota_remaining"}
_CLASSIC_AUTH = (
    ("use_standard_auth", "api-key", "auth-token"),
    ("use_basic_auth", "basic", "basic"),
    ("enable_jwt", "jwt", "jwt"),
    ("use_oauth2", "oauth2", "oauth2"),
    ("use_openid", "oidc", "openid"),
    ("enable_signature_checking", "hmac", "hmac"),
    ("use_mutual_tls_auth", "mtls", "mutual-tls"),
    ("enable_coprocess_auth", "custom", "coprocess"),
    ("use_go_plugin_auth", "custom", "go-plugin"),
    ("use_external_oauth", "oauth2", "external-oauth"),
)
_OAS_AUTH_TYPES = {"jwt": "jwt", "authtoken": "api-key", "basic": "basic", "hmac": "hmac", "oidc": "oidc",
                   "oauth": "oauth2", "externaloauth": "oauth2", "custom": "custom", "gopluginauth": "custom"}


def is_classic(data: Any) -> bool:
    return isinstance(data, dict) and "api_id" in data and isinstance(data.get("proxy"), dict)


def is_oas(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("x-tyk-api-gateway"), dict) and "openapi" in data


def _unwrap(data: Any) -> list[Any]:
    """API definitions in a file: bare, Dashboard-wrapped, or a Dashboard list export."""
    if isinstance(data, dict) and isinstance(data.get("api_definition"), dict):
        return [data["api_definition"]]
    if isinstance(data, dict) and isinstance(data.get("apis"), list):
        return [a.get("api_definition") if isinstance(a, dict) and "api_definition" in a else a for a in data["apis"]]
    return [data]


def _is_session(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("access_rights"), dict) and bool(_SESSION_KEYS & set(data))


def _is_policy(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("access_rights"), dict) and not _is_session(data)
            and any(k in data for k in ("rate", "per", "quota_max")))


def classify(data: Any) -> str:
    """api | policy | policies | key | keys | '' for a parsed JSON file."""
    apis = _unwrap(data)
    if apis and all(is_classic(a) or is_oas(a) for a in apis):
        return "api"
    if _is_session(data):
        return "key"
    if _is_policy(data):
        return "policy"
    if isinstance(data, dict) and data and all(isinstance(v, dict) for v in data.values()):
        values = list(data.values())[:5]
        if all(_is_session(v) for v in values):
            return "keys"
        if all(_is_policy(v) for v in values):
            return "policies"
    if isinstance(data, dict) and isinstance(data.get("Data"), list) and data["Data"] and all(
            _is_policy(p) for p in data["Data"][:5]):
        return "policies"
    if isinstance(data, dict) and isinstance(data.get("keys"), list) and data["keys"] and all(
            isinstance(k, dict) and _is_session(k.get("data") or k.get("session") or k) for k in data["keys"][:5]):
        return "keys"
    return ""


class TykImporter:
    vendor = VENDOR

    def claim(self, fileset: FileSet) -> list[Bundle]:
        groups: dict[str, Bundle] = {}
        for path in fileset.unclaimed():
            if path.suffix.lower() != ".json":
                continue
            data = fileset.try_data(path)
            kind = classify(data)
            if not kind and data is None:
                head = fileset.head(path, 2048)
                if '"x-tyk-api-gateway"' in head or ('"api_id"' in head and '"proxy"' in head):
                    kind = "unreadable"  # plainly Tyk's: claim it so its error is reported
            if not kind:
                continue
            key = group_key(fileset, path)
            bundle = groups.setdefault(key, Bundle(VENDOR, fileset.root / key if key else fileset.root))
            bundle.files.append(path)
            if kind == "api" and any(is_oas(a) for a in _unwrap(data)) and "api_definition" not in data:
                bundle.also_spec.append(path)
        out = list(groups.values())
        for bundle in out:
            fileset.claimed.update(bundle.files)
        return out

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        name = bundle.root.name if bundle.root != fileset.root else "tyk"
        gw = Gateway(id=f"{VENDOR}:{name}", vendor=VENDOR, name=name,
                     files=[fileset.relative(f) for f in bundle.files])
        policies: list[tuple[str, dict, SourceRef]] = []
        sessions: list[tuple[str | None, dict, SourceRef]] = []
        for path in bundle.files:
            rel = fileset.relative(path)
            try:
                data = fileset.load(path).data
            except DocumentError as exc:
                result.errors.append(error_from(exc, fileset))
                continue
            kind = classify(data)
            if kind == "api":
                for i, definition in enumerate(_unwrap(data)):
                    base_ptr = "/api_definition" if isinstance(data, dict) and "api_definition" in data else (
                        f"/apis/{i}/api_definition" if isinstance(data, dict) and "apis" in data else "")
                    api = guarded(result, rel, "API definition", self._api, gw, definition, rel, base_ptr,
                                  path in bundle.also_spec, result)
                    if api is not None:
                        gw.apis.append(api)
            elif kind == "policy":
                policies.append((str(data.get("id") or data.get("_id") or path.stem), data, SourceRef(rel)))
            elif kind == "policies":
                items = data["Data"] if isinstance(data.get("Data"), list) else None
                if items is not None:
                    for i, p in enumerate(items):
                        policies.append((str(p.get("id") or p.get("_id") or i), p, SourceRef(rel, f"/Data/{i}")))
                else:
                    for pid, p in data.items():
                        policies.append((str(p.get("id") or pid), p, SourceRef(rel, pointer_of(pid))))
            elif kind == "key":
                sessions.append((None, data, SourceRef(rel)))
            elif kind == "keys":
                if isinstance(data.get("keys"), list):
                    for i, k in enumerate(data["keys"]):
                        sess = k.get("data") or k.get("session") or k
                        sessions.append((k.get("key_id") or k.get("key_hash") or k.get("key"), sess,
                                         SourceRef(rel, f"/keys/{i}")))
                else:
                    for kid, sess in data.items():
                        sessions.append((kid, sess, SourceRef(rel, pointer_of(fingerprint_secret(str(kid))))))
            for pointer, secret in guarded(result, rel, "secret scan", self._secrets, data) or []:
                gw.notes.append(secret_note(rel, pointer, secret, f"tyk:{rel}"))
        apis = {a.id: a for a in gw.apis}
        products = {pid: guarded(result, src.file, f"policy {pid}", self._policy, gw, pid, p, src, apis)
                    for pid, p, src in policies}
        products = {k: v for k, v in products.items() if v is not None}
        gw.products.extend(products.values())
        for i, (kid, sess, src) in enumerate(sessions):
            consumer = guarded(result, src.file, "key", self._key, gw, kid, sess, src, i, products, apis)
            if consumer is None:
                continue
            gw.consumers.append(consumer)
            if kid and not _HASHED.fullmatch(str(kid)):  # a raw key, not Tyk's stored hash
                gw.notes.append(secret_note(src.file, src.pointer or "/", str(kid), consumer.id, "an API key"))
        result.gateways.append(gw)
        return result

    # ------------------------------------------------------------------ API definitions

    def _api(self, gw: Gateway, d: Any, rel: str, ptr: str, as_spec: bool, result: ImportResult) -> GatewayApi | None:
        if is_oas(d):
            return self._oas_api(gw, d, rel, ptr, as_spec)
        if not is_classic(d):
            result.errors.append(ImportErrorRecord(rel, "not a Tyk API definition", pointer=ptr or None))
            return None
        proxy = d["proxy"]
        listen = str(proxy.get("listen_path") or "/")
        target = str(proxy.get("target_url") or "")
        strip = proxy.get("strip_listen_path") is True
        api = GatewayApi(
            id=str(d.get("api_id")), name=str(d.get("name") or d.get("api_id")), gateway=gw.id,
            base_path=listen, upstream_url=target, source=SourceRef(rel, ptr),
            lifecycle="active" if d.get("active", True) is not False else "created",
            hosts=[str(d["domain"])] if d.get("domain") else [],
            attributes={"org_id": str(d.get("org_id") or ""), "do_not_track": d.get("do_not_track") is True,
                        "disable_rate_limit": d.get("disable_rate_limit") is True,
                        "disable_quota": d.get("disable_quota") is True, "keyless": d.get("use_keyless") is True},
        )
        src = SourceRef(rel, ptr)
        if d.get("use_keyless") is not True:
            enabled = [(flag, kind, vt) for flag, kind, vt in _CLASSIC_AUTH if d.get(flag) is True]
            if not enabled:
                enabled = [("use_standard_auth", "api-key", "auth-token")]  # Tyk's default
            multi = d.get("base_identity_provided_by") not in (None, "") and len(enabled) > 1
            header = ""
            if isinstance(d.get("auth"), dict):
                header = str(d["auth"].get("auth_header_name") or "")
            for flag, kind, vt in enabled:
                detail: dict[str, Any] = {"flag": flag}
                if vt == "auth-token":
                    detail["header"] = header or "Authorization"
                    if isinstance(d.get("auth"), dict) and d["auth"].get("use_param"):
                        detail["in"] = "query"
                if vt == "jwt":
                    detail["signing_method"] = str(d.get("jwt_signing_method") or "")
                if multi:
                    detail["chained"] = True
                api.policies.append(Policy(kind="auth", name=vt, vendor_type=flag, auth_kind=kind, detail=detail,
                                           source=SourceRef(rel, f"{ptr}/{flag}")))
        self._rate(api, d, rel, ptr)
        api.attributes["strip_listen_path"] = strip
        api.routes.extend(self._routes(api, d, listen, target, strip, src))
        return api

    def _rate(self, api: GatewayApi, d: dict, rel: str, ptr: str) -> None:
        grl = d.get("global_rate_limit")
        if isinstance(grl, dict) and _num(grl.get("rate")) > 0 and _num(grl.get("per")) > 0:
            api.policies.append(Policy(kind="rate-limit", name="global_rate_limit", vendor_type="global_rate_limit",
                                       limit={"count": _num(grl["rate"]), "period_seconds": _num(grl["per"]), "by": "api"},
                                       source=SourceRef(rel, f"{ptr}/global_rate_limit")))

    def _routes(self, api: GatewayApi, d: dict, listen: str, target: str, strip: bool, src: SourceRef) -> list[Route]:
        vdata = d.get("version_data") if isinstance(d.get("version_data"), dict) else {}
        versions = vdata.get("versions") if isinstance(vdata.get("versions"), dict) else {}
        definition = d.get("definition") if isinstance(d.get("definition"), dict) else {}
        location = str(definition.get("location") or "")
        not_versioned = vdata.get("not_versioned", True) is not False or not versions
        upstream_base = url_path(target).rstrip("/")
        out: list[Route] = []
        entries = [("", {})] if not_versioned else list(versions.items())
        if not_versioned and versions:
            entries = [next(iter(versions.items()))]
        for vname, vinfo in entries:
            path = listen
            tags: list[str] = []
            if not not_versioned:
                tags.append(f"version:{vname}")
                if location == "url":
                    path = join_path(listen, vname) + "/"
                elif location in ("header", "url-param"):
                    tags.append(f"version-{location}:{definition.get('key', '')}")
            expires = str(vinfo.get("expires") or "") if isinstance(vinfo, dict) else ""
            deprecated = False
            if expires:
                tags.append(f"sunset:{expires}")
                when = _parse_date(expires)
                if when is not None and when < datetime.now(timezone.utc):
                    deprecated = True
                    tags.append("expired")
            rid = f"{api.id}:{vname}" if vname and not not_versioned else api.id
            out.append(Route(
                id=rid, path=path, match_kind="prefix", name=api.name, upstream_url=target,
                upstream_path=(upstream_base + "/") if strip else join_path(upstream_base, path),
                strip_prefix=strip, policies=list(api.policies), tags=tags, deprecated=deprecated,
                source=src, hosts=list(api.hosts),
            ))
            if isinstance(vinfo, dict) and vinfo.get("override_target"):
                out[-1].upstream_url = str(vinfo["override_target"])
        if not_versioned and entries and isinstance(entries[0][1], dict) and entries[0][1].get("expires"):
            api.attributes["expires"] = entries[0][1]["expires"]
        return out

    def _oas_api(self, gw: Gateway, d: dict, rel: str, ptr: str, as_spec: bool) -> GatewayApi:
        x = d["x-tyk-api-gateway"]
        info = x.get("info") if isinstance(x.get("info"), dict) else {}
        server = x.get("server") if isinstance(x.get("server"), dict) else {}
        upstream = x.get("upstream") if isinstance(x.get("upstream"), dict) else {}
        listen_cfg = server.get("listenPath") if isinstance(server.get("listenPath"), dict) else {}
        listen = str(listen_cfg.get("value") or "/")
        strip = listen_cfg.get("strip") is True
        target = str(upstream.get("url") or "")
        state = info.get("state") if isinstance(info.get("state"), dict) else {}
        oinfo = d.get("info") if isinstance(d.get("info"), dict) else {}
        api = GatewayApi(
            id=str(info.get("id") or info.get("name") or oinfo.get("title")), name=str(info.get("name") or oinfo.get("title") or ""),
            gateway=gw.id, version=str(oinfo.get("version") or ""), base_path=listen, upstream_url=target,
            lifecycle="active" if state.get("active", True) is not False else "created",
            spec_file=rel if as_spec else None, source=SourceRef(rel, ptr),
            attributes={"format": "tyk-oas", "org_id": str(info.get("orgId") or "")},
        )
        auth = server.get("authentication") if isinstance(server.get("authentication"), dict) else {}
        if auth.get("enabled") is True:
            schemes = oas_security_schemes(d)
            declared = auth.get("securitySchemes") if isinstance(auth.get("securitySchemes"), dict) else {}
            reqs = d.get("security") if isinstance(d.get("security"), list) else []
            names = [n for r in reqs if isinstance(r, dict) for n in r] or list(declared)
            alternatives = sum(1 for r in reqs if isinstance(r, dict) and r) > 1 and auth.get("securityProcessingMode") != "legacy"
            seen: set[str] = set()
            for n in names:
                if n in seen:
                    continue
                seen.add(n)
                cfg = declared.get(n) if isinstance(declared.get(n), dict) else {}
                if cfg and cfg.get("enabled") is False:
                    continue
                if isinstance(schemes.get(n), dict):
                    auth_kind, detail = scheme_auth_kind(schemes[n])
                else:
                    auth_kind, detail = _OAS_AUTH_TYPES.get(n.lower(), "custom"), {}
                if alternatives:
                    detail = {**detail, "alternative": True}
                api.policies.append(Policy(kind="auth", name=n, vendor_type="x-tyk-api-gateway.authentication",
                                           auth_kind=auth_kind, detail=detail,
                                           source=SourceRef(rel, f"{ptr}/x-tyk-api-gateway/server/authentication/securitySchemes/{n}")))
        mw = x.get("middleware") if isinstance(x.get("middleware"), dict) else {}
        glob = mw.get("global") if isinstance(mw.get("global"), dict) else {}
        rl = upstream.get("rateLimit") if isinstance(upstream.get("rateLimit"), dict) else {}
        if rl.get("enabled") is True and _num(rl.get("rate")) > 0:
            api.policies.append(Policy(kind="rate-limit", name="upstream.rateLimit", vendor_type="rateLimit",
                                       limit={"count": _num(rl["rate"]), "period_seconds": _duration(rl.get("per")), "by": "api"},
                                       source=SourceRef(rel, f"{ptr}/x-tyk-api-gateway/upstream/rateLimit")))
        cors = glob.get("cors") if isinstance(glob.get("cors"), dict) else {}
        if cors.get("enabled") is True:
            api.policies.append(Policy(kind="cors", name="cors", vendor_type="middleware.global.cors",
                                       detail={"allow_origins": seq(cors.get("allowedOrigins")),
                                               "allow_credentials": cors.get("allowCredentials") is True},
                                       source=SourceRef(rel, f"{ptr}/x-tyk-api-gateway/middleware/global/cors")))
        api.attributes["keyless"] = auth.get("enabled") is not True
        api.routes.append(Route(
            id=api.id, path=listen, match_kind="prefix", name=api.name, upstream_url=target,
            upstream_path=(url_path(target).rstrip("/") + "/") if strip else join_path(url_path(target), listen),
            strip_prefix=strip, policies=list(api.policies), source=SourceRef(rel, ptr),
        ))
        return api

    # ------------------------------------------------------------------ policies and keys

    def _policy(self, gw: Gateway, pid: str, p: dict, src: SourceRef, apis: dict[str, GatewayApi]) -> Product:
        product = Product(id=pid, name=str(p.get("name") or pid), gateway=gw.id, source=src,
                          subscription_required=True,
                          apis=[str(k) for k in obj(p.get("access_rights"))])
        product.policies.extend(_limits(p, "product", src, f"policy:{pid}"))
        for api_id, right in obj(p.get("access_rights")).items():
            api = apis.get(str(api_id))
            if api is None:
                continue
            if pid not in api.products:
                api.products.append(pid)
            limits = _limits(right.get("limit"), "product", src, f"policy:{pid}") if isinstance(right, dict) and \
                isinstance(right.get("limit"), dict) else product.policies
            self._attach(api, limits)
        return product

    def _key(self, gw: Gateway, kid: str | None, sess: dict, src: SourceRef, index: int,
             products: dict[str, Product], apis: dict[str, GatewayApi]) -> Consumer:
        """A key/session as a consumer: its id is the key's fingerprint, never the key."""
        fp = fingerprint_secret(str(kid)) if kid else ""
        alias = str(sess.get("alias") or "")
        consumer = Consumer(id=fp or f"key:{src.file}#{index}", name=alias or (fp or Path(src.file).stem),
                            gateway=gw.id, kind="key", source=src,
                            apis=[str(k) for k in obj(sess.get("access_rights"))],
                            status="inactive" if sess.get("is_inactive") is True else "active")
        expires = _num(sess.get("expires"))
        consumer.credentials.append(Credential(
            kind="api-key", fingerprint=fp, hint="key not kept",
            expires=datetime.fromtimestamp(expires, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if expires > 0 else ""))
        applied = sess.get("apply_policies") if isinstance(sess.get("apply_policies"), list) else []
        if sess.get("apply_policy_id"):
            applied = applied + [sess["apply_policy_id"]]
        consumer.products = [str(p) for p in applied]
        own = _limits(sess, "consumer", src, consumer.id)
        consumer.policies.extend(own)
        if not applied:  # a key's own limits apply when no policy sets them
            for api_id, right in obj(sess.get("access_rights")).items():
                api = apis.get(str(api_id))
                if api is None:
                    continue
                limits = _limits(right.get("limit"), "consumer", src, consumer.id) if isinstance(right, dict) and \
                    isinstance(right.get("limit"), dict) else own
                self._attach(api, limits)
        return consumer

    @staticmethod
    def _attach(api: GatewayApi, limits: list[Policy]) -> None:
        """Per-key limits bind only to APIs that use keys and do not disable them."""
        if api.attributes.get("keyless"):
            return
        for pol in limits:
            if pol.kind == "rate-limit" and api.attributes.get("disable_rate_limit"):
                continue
            if pol.kind == "quota" and api.attributes.get("disable_quota"):
                continue
            for route in api.routes:
                route.policies.append(pol)

    @staticmethod
    def _secrets(data: Any) -> list[tuple[str, str]]:
        """Secrets in Tyk files: the generic scan, plus HMAC JWT secrets held in `jwt_source` /
        OAS `source` (a URL or an RSA public key is not a secret)."""
        found = list(scan_secrets(data))
        for api_ptr, d in _walk_defs(data):
            if is_oas(d):
                schemes = obj(obj(obj(d["x-tyk-api-gateway"].get("server")).get("authentication")).get("securitySchemes"))
                for name, cfg in schemes.items() if isinstance(schemes, dict) else []:
                    if isinstance(cfg, dict) and _hmac_secret(cfg.get("source"), cfg.get("signingMethod")):
                        found.append((f"{api_ptr}/x-tyk-api-gateway/server/authentication/securitySchemes/{name}/source",
                                      str(cfg["source"])))
            elif isinstance(d, dict) and _hmac_secret(d.get("jwt_source"), d.get("jwt_signing_method")):
                found.append((f"{api_ptr}/jwt_source", str(d["jwt_source"])))
        return found


def _walk_defs(data: Any) -> list[tuple[str, Any]]:
    if isinstance(data, dict) and isinstance(data.get("api_definition"), dict):
        return [("/api_definition", data["api_definition"])]
    if isinstance(data, dict) and isinstance(data.get("apis"), list):
        return [(f"/apis/{i}/api_definition", a.get("api_definition", a)) for i, a in enumerate(data["apis"])
                if isinstance(a, dict)]
    return [("", data)]


def _hmac_secret(source: Any, method: Any) -> bool:
    """An HMAC signing secret (plain or base64), not a JWKS URL, not a public key."""
    if not isinstance(source, str) or len(source) < 8 or str(method or "").lower() != "hmac":
        return False
    if source.startswith(("http://", "https://")) or source in ("header", "query", "cookie"):
        return False
    try:
        decoded = base64.b64decode(source, validate=True)
        if decoded.startswith((b"http://", b"https://")):
            return False
    except (binascii.Error, ValueError):
        pass
    return True


def _limits(obj: Any, scope: str, src: SourceRef, owner: str) -> list[Policy]:
    """rate/per and quota_max/quota_renewal_rate as policies; -1 or 0 means unlimited."""
    if not isinstance(obj, dict):
        return []
    out: list[Policy] = []
    rate, per = _num(obj.get("rate")), _num(obj.get("per"))
    if rate > 0 and per > 0:
        out.append(Policy(kind="rate-limit", name=f"{owner} rate", vendor_type="rate/per", scope=scope,
                          limit={"count": rate, "period_seconds": per, "by": "key"}, detail={"owner": owner}, source=src))
    qmax = _num(obj.get("quota_max"))
    if qmax > 0:
        renew = _num(obj.get("quota_renewal_rate"))
        out.append(Policy(kind="quota", name=f"{owner} quota", vendor_type="quota_max", scope=scope,
                          limit={"count": qmax, "by": "key", **({"period_seconds": renew} if renew > 0 else {})},
                          detail={"owner": owner}, source=src))
    return out


def _num(value: Any) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return 0
    return int(value) if float(value).is_integer() else value


def _duration(value: Any) -> int:
    """Tyk OAS durations: `1s`, `1m`, `1h`, `500ms`, or seconds."""
    if isinstance(value, (int, float)):
        return int(value)
    m = re.fullmatch(r"\s*(\d+)\s*(ms|s|m|h)?\s*", str(value or ""))
    if not m:
        return 0
    n = int(m.group(1))
    return {"ms": max(1, n // 1000), "s": n, "m": n * 60, "h": n * 3600, None: n}[m.group(2)]


def _parse_date(text: str) -> datetime | None:
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=timezone.utc)
        except ValueError:
            continue
    return None


IMPORTER = TykImporter()
