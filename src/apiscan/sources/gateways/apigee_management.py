"""Apigee management-API JSON: API products, developer apps, developers.

The same records arrive in several shapes: list calls wrap arrays (`{"apiProduct": [...]}`),
apigeecli exports are bare arrays, the config-maven-plugin keys apps by developer email, and a
product's operationGroup may be saved on its own. `recognise` says which shape a document has,
so detection stays by content; the builders turn records into Products and Consumers, keeping
consumer keys as public ids and secrets only as fingerprints (reported as secret-in-export).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from apiscan.models.gateway import (
    Consumer, Credential, GatewayFinding, Policy, Product, SourceRef, fingerprint_secret, redact,
)

_UNIT_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000}
_WRAPPERS = {"apiProduct": "products", "apiproduct": "products", "apiProducts": "products",
             "app": "apps", "apps": "apps", "developer": "developers", "developers": "developers"}
# Text that marks an Apigee management document even when it does not parse (templates).
SNIFF = ('"approvalType"', '"apiResources"', '"operationConfigs"', '"consumerKey"', '"developerId"')


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _is_product(item: Any) -> bool:
    return isinstance(item, dict) and "name" in item and (
        "approvalType" in item or "apiResources" in item or "operationGroup" in item
        or ("proxies" in item and "environments" in item)
    )


def _is_app(item: Any) -> bool:
    return isinstance(item, dict) and "name" in item and (
        ("credentials" in item and isinstance(item["credentials"], list)) or ("appId" in item and "developerId" in item)
        or ("apiProducts" in item and "callbackUrl" in item)
    )


def _is_developer(item: Any) -> bool:
    return isinstance(item, dict) and "email" in item and (
        "firstName" in item or "userName" in item or "developerId" in item or "lastName" in item
    )


def recognise(data: Any) -> tuple[str, list] | None:
    """(kind, records) for an Apigee management document, or None. kind: products | apps |
    developers | apps-by-developer | operation-group."""
    if isinstance(data, dict):
        for key, kind in _WRAPPERS.items():
            value = data.get(key)
            if isinstance(value, list) and len(data) <= 3 and value:
                checker = {"products": _is_product, "apps": _is_app, "developers": _is_developer}[kind]
                if all(checker(v) for v in value):
                    return kind, value
        if isinstance(data.get("operationConfigs"), list) and "name" not in data:
            return "operation-group", [data]
        if _is_product(data):
            return "products", [data]
        if _is_app(data):
            return "apps", [data]
        if _is_developer(data):
            return "developers", [data]
        if data and all(isinstance(k, str) and "@" in k and isinstance(v, list) for k, v in data.items()) and all(
            _is_app(a) for v in data.values() for a in v
        ):
            return "apps-by-developer", [data]
        return None
    if isinstance(data, list) and data:
        for kind, checker in (("products", _is_product), ("apps", _is_app), ("developers", _is_developer)):
            if all(checker(v) for v in data):
                return kind, data
    return None


def _attrs(item: dict) -> dict[str, str]:
    out = {}
    for a in _list(item.get("attributes")):
        if isinstance(a, dict) and "name" in a:
            out[str(a["name"])] = str(a.get("value", ""))
    return out


def _quota_policy(q: dict, name: str, src: SourceRef) -> Policy | None:
    limit = q.get("limit", q.get("quota"))
    if limit in (None, ""):
        return None
    p = Policy(kind="quota", name=name, vendor_type="apiproduct-quota", scope="product", source=src)
    try:
        p.limit["count"] = int(str(limit))
    except ValueError:
        p.detail["limit"] = str(limit)[:40]
    unit = str(q.get("timeUnit", q.get("quotaTimeUnit", ""))).lower()
    try:
        interval = int(str(q.get("interval", q.get("quotaInterval", 1))))
    except ValueError:
        interval = 1
    if unit in _UNIT_SECONDS:
        p.limit["period_seconds"] = interval * _UNIT_SECONDS[unit]
    p.limit["by"] = "consumer"
    p.detail["enforced_by"] = "a Quota policy in the proxy that reads the product's limits"
    return p


def build_product(item: dict, file: str, pointer: str, fallback_name: str = "") -> Product:
    src = SourceRef(file, pointer)
    name = str(item.get("name") or fallback_name)
    attrs = _attrs(item)
    product = Product(
        id=name, name=str(item.get("displayName") or name), gateway="apigee",
        approval=str(item.get("approvalType", "")).lower(), visibility=attrs.get("access", ""), source=src,
    )
    apis: list[str] = []
    for proxy in _list(item.get("proxies")):
        if isinstance(proxy, str) and proxy not in apis:
            apis.append(proxy)
    q = _quota_policy(item, f"{name} quota", src)
    if q is not None:
        product.policies.append(q)
    group = item.get("operationGroup") if isinstance(item.get("operationGroup"), dict) else (
        item if "operationConfigs" in item else {}
    )
    for i, cfg in enumerate(_list(group.get("operationConfigs"))):
        if not isinstance(cfg, dict):
            continue
        source = str(cfg.get("apiSource", ""))
        if source and source not in apis:
            apis.append(source)
        ops = [
            {"resource": str(op.get("resource", "")), "methods": [str(m).upper() for m in _list(op.get("methods"))]}
            for op in _list(cfg.get("operations")) if isinstance(op, dict)
        ]
        if isinstance(cfg.get("quota"), dict):
            qp = _quota_policy(cfg["quota"], f"{name} quota for {source}", SourceRef(file, f"{pointer}/operationGroup/operationConfigs/{i}/quota"))
            if qp is not None:
                qp.detail["api"] = source
                qp.detail["operations"] = ops
                product.policies.append(qp)
    product.apis = apis
    return product


def _epoch_ms(value: Any) -> str:
    try:
        ms = int(str(value))
    except (TypeError, ValueError):
        return ""
    if ms <= 0:
        return ""
    return _dt.datetime.fromtimestamp(ms / 1000, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_app(item: dict, file: str, pointer: str, notes: list[GatewayFinding]) -> Consumer:
    name = str(item.get("name", ""))
    app_id = str(item.get("appId") or name)
    consumer = Consumer(
        id=app_id, name=name, gateway="apigee", kind="application", status=str(item.get("status", "")),
        source=SourceRef(file, pointer),
    )
    products: list[str] = []
    for p in _list(item.get("apiProducts")):
        pname = p if isinstance(p, str) else (p.get("apiproduct") if isinstance(p, dict) else None)
        if pname and pname not in products:
            products.append(str(pname))
    for i, cred in enumerate(_list(item.get("credentials"))):
        if not isinstance(cred, dict):
            continue
        cptr = f"{pointer}/credentials/{i}"
        key = str(cred.get("consumerKey", ""))
        secret = cred.get("consumerSecret")
        # The consumerKey is the API key VerifyAPIKey accepts (and the client_id of OAuth): a secret.
        # Keep only its fingerprint, which still joins with traffic fingerprinted the same way.
        c = Credential(kind="oauth2-client", id=fingerprint_secret(key) if key else "", status=str(cred.get("status", "")),
                       expires=_epoch_ms(cred.get("expiresAt")), source=SourceRef(file, cptr))
        if key:
            notes.append(GatewayFinding(
                code="secret-in-export",
                message=f"developer app {name!r} carries its consumer key (API key) in clear ({redact(key)})",
                source=SourceRef(file, f"{cptr}/consumerKey"), subject_key=f"consumer:{app_id}",
                evidence={"field": "consumerKey", "fingerprint": c.id},
            ))
        if isinstance(secret, str) and secret:
            c.fingerprint = fingerprint_secret(secret)
            c.hint = redact(secret)
            notes.append(GatewayFinding(
                code="secret-in-export",
                message=f"developer app {name!r} carries a consumer secret in clear ({redact(secret)})",
                source=SourceRef(file, f"{cptr}/consumerSecret"), subject_key=f"consumer:{app_id}",
                evidence={"field": "consumerSecret", "fingerprint": c.fingerprint},
            ))
        consumer.credentials.append(c)
        for p in _list(cred.get("apiProducts")):
            pname = p.get("apiproduct") if isinstance(p, dict) else p
            status = p.get("status", "approved") if isinstance(p, dict) else "approved"
            if pname and status != "revoked" and pname not in products:
                products.append(str(pname))
    consumer.products = products
    return consumer


def build_developer(item: dict, file: str, pointer: str) -> Consumer:
    email = str(item.get("email", ""))
    names = " ".join(str(item.get(k, "")) for k in ("firstName", "lastName")).strip()
    return Consumer(
        id=str(item.get("developerId") or email), name=names or str(item.get("userName") or email),
        gateway="apigee", kind="developer", status=str(item.get("status", "")), source=SourceRef(file, pointer),
    )
