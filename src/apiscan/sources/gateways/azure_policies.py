"""Azure APIM policy documents → per-section lists of normalised policies and `<base/>` markers.

A document has four sections (inbound, backend, outbound, on-error). Inheritance is per section
and only through `<base/>`, so we keep the marker where it stands; `azure_effective` splices the
parent's list in its place. Classification is section-aware: validate-jwt in inbound protects the
API, `authentication-*` only gives the gateway credentials for the backend. Policies inside
`<choose>` apply conditionally — except the common hand-made check "when the Authorization header
is wrong, return 401", which is authentication that always runs.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from apiscan.models.gateway import GatewayFinding, Policy, SourceRef, redact
from apiscan.sources.gateways.apigee_condition import scrub_literals
from apiscan.sources.gateways.apigee_xml import local, text_of

SECTIONS = ("inbound", "backend", "outbound", "on-error")
BASE = "<base/>"
MAX_FRAGMENT_DEPTH = 5
_NAMED = re.compile(r"\{\{\s*([^{}\s]+)\s*\}\}")

_SIMPLE = {
    "log-to-eventhub": "logging", "emit-metric": "logging", "trace": "logging",
    "llm-emit-token-metric": "logging", "azure-openai-emit-token-metric": "logging",
    "cache-lookup": "cache", "cache-store": "cache", "cache-lookup-value": "cache",
    "cache-store-value": "cache", "cache-remove-value": "cache",
    "llm-semantic-cache-lookup": "cache", "llm-semantic-cache-store": "cache",
    "return-response": "termination", "mock-response": "termination",
    "set-header": "transformation", "set-query-parameter": "transformation", "set-body": "transformation",
    "set-method": "transformation", "set-status": "transformation", "find-and-replace": "transformation",
    "json-to-xml": "transformation", "xml-to-json": "transformation", "xsl-transform": "transformation",
    "redirect-content-urls": "transformation", "rewrite-uri": "transformation",
    "set-backend-service": "transformation", "jsonp": "transformation",
    "validate-parameters": "validation", "validate-headers": "validation", "validate-status-code": "validation",
    "validate-odata-request": "validation", "validate-graphql-request": "validation",
    "cors": "cors",
}
_INBOUND_AUTH = {
    "validate-jwt": "jwt", "validate-azure-ad-token": "oidc", "validate-client-certificate": "mtls",
}
_RATE = {"rate-limit", "rate-limit-by-key", "limit-concurrency", "llm-token-limit", "azure-openai-token-limit"}
_QUOTA = {"quota", "quota-by-key"}
_WRAPPERS = {"retry", "wait", "limit-concurrency"}
_AUTH_HEADERS = ("authorization", "api-key", "apikey", "x-api-key", "token", "x-functions-key")


@dataclass
class PolicyDoc:
    """A policy document as stored: where it came from and its text (or a link we cannot follow)."""

    file: str
    pointer: str
    text: str | None
    link: str = ""


@dataclass
class Sections:
    by_section: dict[str, list] = field(default_factory=dict)  # section → [Policy | BASE]
    present: set[str] = field(default_factory=set)  # sections written in the document
    fragments: list[str] = field(default_factory=list)  # fragment ids included


@dataclass
class Context:
    """What interpretation needs from the service: named values and fragments, plus outputs."""

    named_values: dict[str, tuple[str | None, bool]] = field(default_factory=dict)  # name → (value, secret)
    fragments: dict[str, tuple[ET.Element, str]] = field(default_factory=dict)  # id → (root, file)
    notes: list[GatewayFinding] = field(default_factory=list)
    subject: str = ""

    def resolve(self, value: str) -> str:
        """Resolve `{{name}}` where the value is known and not secret; secrets stay as references."""
        def repl(m: re.Match) -> str:
            name = m.group(1)
            known = self.named_values.get(name) or self.named_values.get(name.lower())
            if known is None or known[0] is None or known[1]:
                return m.group(0)
            return known[0]
        return _NAMED.sub(repl, value)[:300]


def _int(value: str | None) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _counter_scope(key: str) -> str:
    low = key.lower()
    if "subscription" in low:
        return "subscription"
    if "ipaddress" in low or "x-forwarded-for" in low:
        return "ip"
    if "jwt" in low or "user" in low or "authorization" in low:
        return "consumer"
    return "key"


def _literal_secret(value: str) -> bool:
    """A value written in clear (not a named value, not an expression)."""
    v = value.strip()
    return bool(v) and not _NAMED.fullmatch(v) and not v.startswith("@")


def classify(elem: ET.Element, section: str, file: str, pointer: str, ctx: Context) -> Policy:
    tag = local(elem.tag)
    policy = Policy(kind=_SIMPLE.get(tag, "other"), name=elem.get("id") or tag, vendor_type=tag,
                    source=SourceRef(file, pointer))
    policy.detail["section"] = section
    if tag in _INBOUND_AUTH and section == "inbound":
        policy.kind, policy.auth_kind = "auth", _INBOUND_AUTH[tag]
        for attr in ("header-name", "query-parameter-name", "token-value", "require-scheme", "tenant-id"):
            if elem.get(attr):
                policy.detail[attr] = ctx.resolve(elem.get(attr))
        if elem.get("query-parameter-name"):
            policy.detail["token_location"] = "query"
        for sub in elem.iter():
            if local(sub.tag) == "openid-config" and sub.get("url"):
                policy.detail["openid_config"] = ctx.resolve(sub.get("url"))
            # <audiences><audience>…</audience></audiences>, <issuers><issuer>…</issuer></issuers>:
            # what the token's aud / iss must be (rules check that they are pinned)
            if local(sub.tag) in ("audience", "issuer") and text_of(sub):
                values = policy.detail.setdefault(local(sub.tag) + "s", [])
                if len(values) < 10:
                    values.append(ctx.resolve(text_of(sub))[:200])
            if local(sub.tag) == "key" and local(elem.tag) == "validate-jwt" and _literal_secret(text_of(sub)):
                ctx.notes.append(GatewayFinding(
                    code="secret-in-export", message=f"validate-jwt carries a signing key in clear ({redact(text_of(sub))})",
                    source=SourceRef(file, pointer), subject_key=ctx.subject, evidence={"policy": tag}))
    elif tag == "check-header" and section == "inbound":
        name = (elem.get("name") or "").lower()
        policy.detail["header"] = name
        values = [text_of(v) for v in elem if local(v.tag) == "value"]
        if name == "x-forwarded-for":
            policy.kind, policy.auth_kind = "auth", "custom"
            policy.detail["mechanism"] = "ip-allowlist"
            policy.detail["addresses"] = [ctx.resolve(v) for v in values][:20]
        elif any(h in name for h in _AUTH_HEADERS) or "key" in name or "auth" in name:
            policy.kind, policy.auth_kind = "auth", "custom"
            policy.detail["mechanism"] = "header-check" if values else "header-present"
        else:
            policy.kind = "validation"
    elif tag == "ip-filter" and section == "inbound":
        action = (elem.get("action") or "").lower()
        addresses = [ctx.resolve(text_of(a)) for a in elem.iter() if local(a.tag) == "address"]
        ranges = [f"{r.get('from')}-{r.get('to')}" for r in elem.iter() if local(r.tag) == "address-range"]
        policy.detail["action"] = action
        policy.detail["addresses"] = (addresses + ranges)[:20]
        if action == "allow":
            policy.kind, policy.auth_kind = "auth", "custom"
            policy.detail["mechanism"] = "ip-allowlist"
        else:
            policy.kind = "ip-filter"
    elif tag.startswith("authentication-"):
        policy.kind = "other"
        policy.detail["backend_credentials"] = True
        password = elem.get("password") or ""
        if tag == "authentication-basic" and _literal_secret(password):
            ctx.notes.append(GatewayFinding(
                code="secret-in-export", message=f"authentication-basic carries a password in clear ({redact(password)})",
                source=SourceRef(file, pointer), subject_key=ctx.subject, evidence={"policy": tag}))
    elif tag in _RATE or tag in _QUOTA:
        policy.kind = "quota" if tag in _QUOTA else "rate-limit"
        calls = _int(elem.get("calls"))
        if calls is not None:
            policy.limit["count"] = calls
        period = _int(elem.get("renewal-period"))
        if period is not None:
            policy.limit["period_seconds"] = period
        if tag == "limit-concurrency":
            policy.limit["concurrent"] = _int(elem.get("max-count"))
        if tag in ("llm-token-limit", "azure-openai-token-limit"):
            policy.limit["tokens_per_minute"] = _int(elem.get("tokens-per-minute"))
        if elem.get("bandwidth"):
            policy.limit["bandwidth_kb"] = _int(elem.get("bandwidth"))
        key = elem.get("counter-key")
        policy.limit["by"] = _counter_scope(key) if key else ("subscription" if tag in ("rate-limit", "quota") else "gateway")
        if key:
            policy.detail["counter_key"] = key[:200]
        policy.limit = {k: v for k, v in policy.limit.items() if v is not None}
    elif tag == "cors":
        origins = [text_of(o) for o in elem.iter() if local(o.tag) == "origin"]
        policy.detail["allow_origin"] = ctx.resolve(",".join(origins))
        policy.detail["allow_credentials"] = (elem.get("allow-credentials") or "").lower() == "true"
    elif tag == "validate-content":
        size = _int(elem.get("max-size"))
        policy.kind = "size-limit" if size is not None else "validation"
        if size is not None:
            policy.limit["max_bytes"] = size
    elif tag == "rewrite-uri":
        policy.detail["template"] = ctx.resolve(elem.get("template") or "")
    elif tag == "set-backend-service":
        for attr in ("base-url", "backend-id"):
            if elem.get(attr):
                policy.detail[attr] = ctx.resolve(elem.get(attr))
    elif tag in _INBOUND_AUTH or tag in ("check-header", "ip-filter"):
        policy.detail["note"] = f"{tag} outside inbound does not authenticate callers"
    return policy


def _auth_check(when: ET.Element) -> str | None:
    """`<when condition="...Authorization...">` returning 401/403: a hand-written auth check."""
    cond = when.get("condition") or ""
    if "authorization" not in cond.lower() and "asbasic" not in cond.lower():
        return None
    for rr in when:
        if local(rr.tag) == "return-response":
            for st in rr.iter():
                if local(st.tag) == "set-status" and (st.get("code") or "").strip() in ("401", "403"):
                    if "asbasic" in cond.lower():
                        return "basic"
                    if "asjwt" in cond.lower():
                        return "jwt"
                    return "custom"
    return None


class _Walker:
    def __init__(self, file: str, ctx: Context, sections: Sections):
        self.file = file
        self.ctx = ctx
        self.sections = sections

    def walk(self, elems, section: str, pointer: str, out: list, condition: str | None, depth: int,
             file: str | None = None) -> None:
        file = file or self.file
        counts: dict[str, int] = {}
        for elem in elems:
            tag = local(elem.tag)
            if not tag:
                continue
            counts[tag] = counts.get(tag, 0) + 1
            ptr = f"{pointer}/{tag}[{counts[tag]}]"
            if tag == "base":
                if condition is None and depth == 0:
                    out.append(BASE)
                continue
            if tag == "choose":
                start = len(out)
                branch_auth: list[bool] = []
                for branch in elem:
                    btag = local(branch.tag)
                    if btag not in ("when", "otherwise"):
                        continue
                    before = len(out)
                    kind = _auth_check(branch) if btag == "when" else None
                    if kind:
                        p = Policy(kind="auth", name="choose", vendor_type="choose/return-response", auth_kind=kind,
                                   conditional=condition is not None, source=SourceRef(file, ptr))
                        p.detail.update({"section": section, "mechanism": "condition-check",
                                         "condition": scrub_literals(branch.get("condition") or "")[:300]})
                        out.append(p)
                        branch_auth.append(True)
                        continue
                    cond = branch.get("condition") or "otherwise"
                    self.walk(list(branch), section, f"{ptr}/{btag}", out, cond, depth + 1, file)
                    branch_auth.append(any(isinstance(x, Policy) and x.kind == "auth" for x in out[before:]))
                has_otherwise = any(local(b.tag) == "otherwise" for b in elem)
                if condition is None and has_otherwise and branch_auth and all(branch_auth):
                    # every way through the choose authenticates: the protection is not partial
                    for x in out[start:]:
                        if isinstance(x, Policy) and x.kind == "auth":
                            x.conditional = False
                            x.detail["every_branch_authenticates"] = True
                continue
            if tag == "include-fragment":
                fid = elem.get("fragment-id") or ""
                self.sections.fragments.append(fid)
                found = self.ctx.fragments.get(fid)
                if found is None or depth >= MAX_FRAGMENT_DEPTH:
                    p = Policy(kind="other", name=fid, vendor_type="include-fragment", source=SourceRef(file, ptr),
                               conditional=condition is not None)
                    p.detail.update({"section": section, "unresolved": True})
                    out.append(p)
                    continue
                froot, ffile = found
                before = len(out)
                self.walk(list(froot), section, "/fragment", out, condition, depth + 1, ffile)
                for p in out[before:]:
                    if isinstance(p, Policy):
                        p.detail["fragment"] = fid
                continue
            p = classify(elem, section, file, ptr, self.ctx)
            if condition is not None:
                p.conditional = True
                p.detail["condition"] = scrub_literals(condition)[:300]
            out.append(p)
            if tag in _WRAPPERS:
                self.walk(list(elem), section, ptr, out, condition, depth + 1, file)


def interpret(root: ET.Element, file: str, ctx: Context) -> Sections:
    """The sections of a `<policies>` document (or a bare `<fragment>`, taken as inbound)."""
    sections = Sections()
    walker = _Walker(file, ctx, sections)
    if local(root.tag) == "fragment":
        out: list = []
        walker.walk(list(root), "inbound", "/fragment", out, None, 1)
        sections.by_section["inbound"] = out
        sections.present.add("inbound")
        return sections
    for sec in root:
        name = local(sec.tag)
        if name not in SECTIONS:
            continue
        out = []
        walker.walk(list(sec), name, f"/policies/{name}", out, None, 0)
        sections.by_section[name] = out
        sections.present.add(name)
    return sections
