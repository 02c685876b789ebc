"""Apigee policy files → normalised `Policy` records.

The root element of a policy file is its type. What matters for governance is rarely the type
alone: an OAuthV2 policy protects a flow only when its Operation is VerifyAccessToken (the others
issue tokens), DecodeJWT reads a token without checking it, BasicAuthentication may build an
outbound header rather than read the caller's, and an AccessControl list may allow or deny. Each
of those distinctions is made here, once, so rules never need to know Apigee.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from apiscan.models.gateway import Policy, SourceRef
from apiscan.sources.gateways.apigee_xml import child, local, text_of

_UNIT_SECONDS = {
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2592000,
}
_TOKEN_OPERATIONS = {
    "generateaccesstoken", "generateaccesstokenimplicitgrant", "generateauthorizationcode",
    "refreshaccesstoken", "invalidatetoken", "validatetoken",
}
_SIMPLE = {
    "JSONThreatProtection": "threat-protection",
    "XMLThreatProtection": "threat-protection",
    "RegularExpressionProtection": "threat-protection",
    "CORS": "cors",
    "MessageLogging": "logging",
    "StatisticsCollector": "logging",
    "DataCapture": "logging",
    "ResponseCache": "cache",
    "LookupCache": "cache",
    "PopulateCache": "cache",
    "InvalidateCache": "cache",
    "RaiseFault": "termination",
    "OASValidation": "validation",
    "SOAPMessageValidation": "validation",
    "MessageValidation": "validation",
    "AssignMessage": "transformation",
    "ExtractVariables": "transformation",
    "JSONToXML": "transformation",
    "XMLToJSON": "transformation",
    "XSL": "transformation",
    "AccessEntity": "other",
    "KeyValueMapOperations": "other",
    "ServiceCallout": "other",
    "ExternalCallout": "other",
    "Javascript": "other",
    "JavaCallout": "other",
    "Script": "other",
    "FlowCallout": "other",
    "GetOAuthV2Info": "other",
    "SetOAuthV2Info": "other",
    "DeleteOAuthV2Info": "other",
    "GenerateJWT": "other",
    "GenerateJWS": "other",
    "ResetQuota": "other",
}


def _bool_attr(elem: ET.Element, name: str, default: bool) -> bool:
    value = elem.get(name)
    if value is None:
        return default
    return value.strip().lower() != "false"


def key_location(ref: str) -> str:
    """Where a variable reference reads a credential from: query | header | form | other."""
    low = ref.lower()
    if low.startswith("request.queryparam."):
        return "query"
    if low.startswith("request.header."):
        return "header"
    if low.startswith("request.formparam."):
        return "form"
    return "other" if low else ""


def _identifier(elem: ET.Element) -> str:
    ident = child(elem, "Identifier")
    if ident is None:
        return "proxy"
    ref = (ident.get("ref") or text_of(ident)).lower()
    if any(k in ref for k in ("client_id", "apikey", "api_key", "developer", "app", "access_token", "clientid")):
        return "consumer"
    if "ip" in ref.split(".")[-1] or "client.ip" in ref:
        return "ip"
    return "key" if ref else "proxy"


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _quota(elem: ET.Element, policy: Policy) -> None:
    allow = child(elem, "Allow")
    interval = child(elem, "Interval")
    unit = child(elem, "TimeUnit")
    count = _int(allow.get("count") if allow is not None and allow.get("count") else text_of(allow))
    if count is None and allow is not None:
        # <Allow><Class ref=...><Allow class="x" count="n"/></Class></Allow>
        nested = [_int(a.get("count")) for a in allow.iter() if local(a.tag) == "Allow" and a is not allow]
        nested = [n for n in nested if n is not None]
        count = max(nested) if nested else None
    n_interval = _int(text_of(interval)) or 1
    seconds = _UNIT_SECONDS.get(text_of(unit).lower())
    if count is not None:
        policy.limit["count"] = count
    if seconds is not None:
        policy.limit["period_seconds"] = n_interval * seconds
    policy.limit["by"] = _identifier(elem)
    refs = [e.get("countRef") or e.get("ref") or "" for e in (allow, interval, unit) if e is not None]
    if any(".apiproduct." in r for r in refs):
        policy.detail["limits_from_product"] = True
    qtype = elem.get("type")
    if qtype:
        policy.detail["quota_type"] = qtype


_RATE = re.compile(r"^\s*(\d+)\s*(ps|pm)\s*$", re.IGNORECASE)


def _spike(elem: ET.Element, policy: Policy) -> None:
    rate = child(elem, "Rate")
    text = text_of(rate) or (rate.get("ref", "") if rate is not None else "")
    m = _RATE.match(text)
    if m:
        policy.limit["count"] = int(m.group(1))
        policy.limit["period_seconds"] = 1 if m.group(2).lower() == "ps" else 60
    elif text:
        policy.detail["rate"] = text[:80]
    policy.limit["by"] = _identifier(elem)


def _access_control(elem: ET.Element, policy: Policy) -> None:
    """An allow-list (NoMatchRule DENY) restricts who may call: client access control.
    A deny-list only blocks some addresses: an IP filter, not authentication."""
    rules = child(elem, "IPRules")
    no_match = (rules.get("noRuleMatchAction") if rules is not None else None) or "ALLOW"
    allows = [m for m in (rules.iter() if rules is not None else []) if local(m.tag) == "MatchRule"
              and (m.get("action") or "").upper() == "ALLOW"]
    addresses = [text_of(s) for s in (rules.iter() if rules is not None else []) if local(s.tag) == "SourceAddress"]
    policy.detail["no_match_action"] = no_match.upper()
    policy.detail["addresses"] = addresses[:20]
    if no_match.upper() == "DENY" and allows:
        policy.kind, policy.auth_kind = "auth", "custom"
        policy.detail["ip_filter"] = "allow"
    else:
        policy.kind = "ip-filter"
        policy.detail["ip_filter"] = "deny"


def _assign_message(elem: ET.Element, policy: Policy) -> None:
    """AssignMessage that sets Access-Control-* headers is how Edge proxies did CORS."""
    for header in elem.iter():
        if local(header.tag) == "Header" and (header.get("name") or "").lower() == "access-control-allow-origin":
            policy.kind = "cors"
            policy.detail["allow_origin"] = text_of(header)[:200]
    if policy.kind == "cors":
        for header in elem.iter():
            if local(header.tag) == "Header" and (header.get("name") or "").lower() == "access-control-allow-credentials":
                policy.detail["allow_credentials"] = text_of(header).lower() == "true"


def classify(root: ET.Element, file: str) -> Policy:
    """One policy file's root element as a Policy (scope is set later, where it is attached)."""
    vtype = local(root.tag)
    name = root.get("name") or ""
    policy = Policy(
        kind=_SIMPLE.get(vtype, "other"),
        name=name,
        vendor_type=vtype,
        enabled=_bool_attr(root, "enabled", True),
        source=SourceRef(file, f"/{vtype}"),
    )
    if _bool_attr(root, "continueOnError", False):
        policy.detail["continue_on_error"] = True
    if vtype == "VerifyAPIKey":
        policy.kind, policy.auth_kind = "auth", "api-key"
        key = child(root, "APIKey")
        ref = (key.get("ref") or text_of(key)) if key is not None else ""
        policy.detail["key_ref"] = ref
        policy.detail["key_location"] = key_location(ref)
    elif vtype == "OAuthV2":
        op = text_of(child(root, "Operation")) or "VerifyAccessToken"
        policy.detail["operation"] = op
        scope = text_of(child(root, "Scope"))
        if scope:
            policy.detail["scope"] = scope
        if op.lower() == "verifyaccesstoken":
            policy.kind, policy.auth_kind = "auth", "oauth2"
        elif op.lower() in _TOKEN_OPERATIONS:
            policy.detail["token_endpoint"] = True
    elif vtype == "OAuthV1":
        op = text_of(child(root, "Operation"))
        policy.detail["operation"] = op
        if op.lower() in ("verifyaccesstoken", "verifyapikey"):
            policy.kind, policy.auth_kind = "auth", "custom"
    elif vtype == "VerifyJWT":
        policy.kind, policy.auth_kind = "auth", "jwt"
        algo = text_of(child(root, "Algorithm"))
        if algo:
            policy.detail["algorithm"] = algo
    elif vtype == "VerifyJWS":
        policy.kind, policy.auth_kind = "auth", "jwt"
    elif vtype == "DecodeJWT":
        policy.detail["decode_only"] = True  # reads claims without checking the signature
    elif vtype == "BasicAuthentication":
        op = text_of(child(root, "Operation"))
        policy.detail["operation"] = op
        if op.lower() == "decode":
            policy.kind, policy.auth_kind = "auth", "basic"
            policy.detail["note"] = "decodes the caller's credentials; checking them is up to later steps"
        else:
            policy.kind = "transformation"
            policy.detail["backend_credentials"] = True
        password = child(root, "Password")
        if password is not None and not password.get("ref") and text_of(password):
            policy.detail["secret_in_clear"] = "Password"
    elif vtype == "HMAC":
        policy.kind, policy.auth_kind = "auth", "hmac"
    elif vtype in ("ValidateSAMLAssertion", "SAMLAssertion"):
        if vtype == "ValidateSAMLAssertion" or child(root, "Source") is not None:
            policy.kind, policy.auth_kind = "auth", "saml"
    elif vtype == "Ldap":
        policy.kind, policy.auth_kind = "auth", "ldap"
    elif vtype == "VerifyIAM":
        policy.kind, policy.auth_kind = "auth", "custom"
        policy.detail["mechanism"] = "google-iam"
    elif vtype == "AccessControl":
        _access_control(root, policy)
    elif vtype == "Quota":
        policy.kind = "quota"
        _quota(root, policy)
    elif vtype == "SpikeArrest":
        policy.kind = "rate-limit"
        _spike(root, policy)
    elif vtype == "ConcurrentRateLimit":
        policy.kind = "rate-limit"
        allow = child(root, "AllowConnections")
        if allow is not None and _int(allow.get("count")) is not None:
            policy.limit["concurrent"] = _int(allow.get("count"))
        policy.limit["by"] = "proxy"
    elif vtype == "JSONThreatProtection" or vtype == "XMLThreatProtection":
        limits = {local(c.tag): _int(text_of(c)) for c in root if _int(text_of(c)) is not None}
        if limits:
            policy.detail["limits"] = limits
    elif vtype == "CORS":
        origins = text_of(child(root, "AllowOrigins"))
        policy.detail["allow_origin"] = origins[:200]
        creds = text_of(child(root, "AllowCredentials")).lower()
        policy.detail["allow_credentials"] = creds == "true"
    elif vtype == "AssignMessage":
        _assign_message(root, policy)
    elif vtype == "FlowCallout":
        policy.detail["shared_flow"] = text_of(child(root, "SharedFlowBundle"))
    elif vtype == "MessageLogging":
        target = "syslog" if child(root, "Syslog") is not None else ("cloud-logging" if child(root, "CloudLogging") is not None else "file")
        policy.detail["target"] = target
    return policy
