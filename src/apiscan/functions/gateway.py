"""Rule functions for the gateway scopes (route, api, consumer, gateway, landscape).

Each function reads the vendor-neutral model in `apiscan.models.gateway` and never a vendor's raw
file: importers already turned Kong plugins, Apigee steps, Azure policy XML, AWS security blocks
... into effective `Policy` records, so one function covers every gateway. Where a vendor quirk
survives into `Policy.detail` (a Kong default, an Apigee `ref`), the lookups below accept the
spellings importers are likely to keep, because the rule must not silently pass when an importer
kept the vendor's own key name.

The engine calls `fn(target, options, ctx)` once per item of `landscape.iter_scope(scope)`;
route targets carry `.route`, `.api`, `.gateway` (and `.landscape`), api targets `.api` and
`.gateway`, consumer targets `.consumer` and `.gateway`, gateway targets `.gateway`, and the
landscape scope receives the Landscape itself. Functions do no I/O.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from apiscan.functions.registry import FunctionOptionsError, Hit, register
from apiscan.models.findings import Location
from apiscan.models.gateway import Consumer, Gateway, GatewayApi, Policy, Route

WRITE_METHODS = ("POST", "PUT", "PATCH")
_NEGATIVE_STATUSES = {"revoked", "disabled", "inactive", "expired", "suspended", "cancelled", "rejected",
                      "blocked", "deleted"}
_FALSE_STRINGS = {"false", "0", "no", "off"}
_TRUE_STRINGS = {"true", "1", "yes", "on"}


# --------------------------------------------------------------------------------------------
# small readers shared by the rules
# --------------------------------------------------------------------------------------------


def _location(source: Any) -> Location | None:
    """A finding location from a model SourceRef, so a hit can point at the policy or credential."""
    if source is None or not getattr(source, "file", ""):
        return None
    return Location(file=source.file, pointer=source.pointer or "", line=getattr(source, "line", None))


def _as_bool(value: Any) -> bool | None:
    """Exports spell booleans as bools, strings ("false") or numbers; None means "not said"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE_STRINGS:
            return True
        if low in _FALSE_STRINGS:
            return False
    return None


def _norm_key(key: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(key).lower())


def _walk_detail(detail: Any, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """(normalised key, value) pairs of a policy detail, nested dicts included (bounded depth)."""
    if depth > 4 or not isinstance(detail, dict):
        return
    for key, value in detail.items():
        yield _norm_key(key), value
        if isinstance(value, dict):
            yield from _walk_detail(value, depth + 1)


def _detail(policy: Policy, *names: str) -> Any:
    """The first value in `policy.detail` whose key matches one of `names` (spelling-insensitive)."""
    wanted = {_norm_key(n) for n in names}
    for key, value in _walk_detail(policy.detail):
        if key in wanted:
            return value
    return None


def _has_detail(policy: Policy, *names: str) -> bool:
    wanted = {_norm_key(n) for n in names}
    return any(key in wanted for key, _ in _walk_detail(policy.detail))


def _strings(value: Any) -> list[str]:
    """A detail value as a list of strings (a scalar, a list, or a comma-separated string)."""
    if value is None:
        return []
    if isinstance(value, (list, tuple, set)):
        out: list[str] = []
        for item in value:
            out.extend(_strings(item))
        return out
    if isinstance(value, dict):
        return [str(v) for v in value.values() if isinstance(v, (str, int))]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def route_policies(view: Any) -> list[Policy]:
    """The route's effective policies: `Route.policies`, as the model's contract defines them.

    Importers fold global, product and API policies into each route, honouring the vendor's own
    inheritance (Kong global plugins, Azure `<base/>`, AWS API-level security); re-adding the
    API's or the gateway's policies here would undo exactly those vendor rules (an Azure operation
    policy without `<base/>` does not get the API's `validate-jwt`), so the rules trust the route.
    """
    return list(view.route.policies)


def api_policies(api: Any, gateway: Any) -> list[Policy]:
    """Everything attached to an API: its own, its routes', its products' and the global ones."""
    out: list[Policy] = list(api.policies)
    for route in api.routes:
        out.extend(route.policies)
    if gateway is not None:
        out.extend(gateway.global_policies)
        for product in _products_of(api, gateway):
            out.extend(product.policies)
    return out


PRODUCT_LIMITS_ON_ROUTES = "product_limits_on_routes"  # Gateway.attributes flag set by importers


def _products_of(api: Any, gateway: Any) -> list[Any]:
    names = set(api.products)
    return [p for p in gateway.products if p.id in names or p.name in names or api.id in p.apis
            or (api.name and api.name in p.apis)]


def _enabled(policies: Iterable[Policy], kind: str | tuple[str, ...]) -> list[Policy]:
    kinds = (kind,) if isinstance(kind, str) else kind
    return [p for p in policies if p.enabled and p.kind in kinds]


def _is_blocked(policies: Iterable[Policy]) -> bool:
    """A route that always answers from the gateway (Kong request-termination, mock 403) serves nothing."""
    return any(p.kind == "termination" and p.enabled and not p.conditional for p in policies)


def _is_preflight_only(route: Route) -> bool:
    """CORS preflight routes (AWS OPTIONS mocks) are legitimately open."""
    return bool(route.methods) and all(m.upper() == "OPTIONS" for m in route.methods)


_NOT_SERVING = {"disabled", "blocked"}  # Kong `enabled: false` service, WSO2 BLOCKED: the gateway refuses calls


def _served(view: Any) -> bool:
    """Whether a route really reaches a backend: not only preflight, not terminated, API not switched off."""
    api = getattr(view, "api", None)
    if api is not None and api.lifecycle.lower() in _NOT_SERVING:
        return False
    return not _is_preflight_only(view.route) and not _is_blocked(route_policies(view))


def _accepts_writes(route: Route, write_methods: Iterable[str] = WRITE_METHODS) -> bool:
    if not route.methods:
        return True  # no method restriction: every method, writes included
    methods = {m.upper() for m in route.methods}
    return bool(methods & {m.upper() for m in write_methods}) or "ANY" in methods or "*" in methods


def _route_label(route: Route) -> str:
    methods = ",".join(route.methods) if route.methods else "ANY"
    return f"{methods} {route.path or '/'}"


def _policy_label(policy: Policy) -> str:
    return policy.vendor_type or policy.name or policy.kind


def _upstream(view: Any) -> str:
    route = view.route
    api = getattr(view, "api", None)
    return route.upstream_url or (api.upstream_url if api is not None else "")


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url if "://" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return ""


def _regex_option(options: dict, name: str, default: str) -> re.Pattern:
    raw = options.get(name, default)
    try:
        return re.compile(raw)
    except (re.error, TypeError) as exc:
        raise FunctionOptionsError(f"functionOptions.{name} is not a valid regular expression: {exc}") from exc


def _list_option(options: dict, name: str, default: Iterable[str]) -> list[str]:
    value = options.get(name, list(default))
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise FunctionOptionsError(f"functionOptions.{name} must be a list of strings")
    return list(value)


def _partial_note(view: Any) -> dict:
    gateway = getattr(view, "gateway", None)
    return {"partial_export": True} if gateway is not None and gateway.partial else {}


def _gateway_by_id(ctx: Any, gateway_id: str) -> Any:
    landscape = getattr(ctx, "landscape", None)
    for gw in getattr(landscape, "gateways", None) or ():
        if gw.id == gateway_id:
            return gw
    return None


def _api_scope(target: Any, ctx: Any) -> tuple[Any, Any]:
    """(api, gateway) whether the engine hands over the GatewayApi itself or a view holding it."""
    if isinstance(target, GatewayApi):
        return target, _gateway_by_id(ctx, target.gateway)
    return target.api, getattr(target, "gateway", None)


def _consumer_scope(target: Any, ctx: Any) -> tuple[Any, Any]:
    if isinstance(target, Consumer):
        return target, _gateway_by_id(ctx, target.gateway)
    return target.consumer, getattr(target, "gateway", None)


def _gateway_scope(target: Any) -> Any:
    return target if isinstance(target, Gateway) else target.gateway


# --------------------------------------------------------------------------------------------
# route scope: authentication
# --------------------------------------------------------------------------------------------


@register("gatewayRouteHasAuth")
def route_has_auth(target, options, ctx):
    """No enabled authentication policy at all reaches the route (disabled ones do not count)."""
    if not _served(target):
        return
    policies = route_policies(target)
    if _enabled(policies, "auth") or any(p.enabled and p.detail.get("token_endpoint") for p in policies):
        return  # a token endpoint authenticates the client itself (client id and secret)
    disabled = [_policy_label(p) for p in policies if p.kind == "auth" and not p.enabled]
    evidence = {"route": _route_label(target.route), **_partial_note(target)}
    msg = f"Route {_route_label(target.route)} has no effective authentication"
    if disabled:
        evidence["disabled_auth"] = disabled
        msg += f" (auth policy present but disabled: {', '.join(disabled)})"
    yield Hit(msg, evidence=evidence)


@register("gatewayRouteAuthNotOptional")
def route_auth_not_optional(target, options, ctx):
    """Every auth policy lets anonymous callers through (Kong `anonymous`, optional OAuth, ...)."""
    if not _served(target):
        return
    auth = _enabled(route_policies(target), "auth")
    if auth and all(p.optional for p in auth):
        names = [_policy_label(p) for p in auth]
        yield Hit(f"Route {_route_label(target.route)} authentication is optional: anonymous callers pass "
                  f"({', '.join(names)})", evidence={"auth": names})


@register("gatewayRouteAuthUnconditional")
def route_auth_unconditional(target, options, ctx):
    """The only mandatory auth runs under a condition, so some requests skip it."""
    if not _served(target):
        return
    mandatory = [p for p in _enabled(route_policies(target), "auth") if not p.optional]
    if mandatory and all(p.conditional for p in mandatory):
        names = [_policy_label(p) for p in mandatory]
        conditions = [str(_detail(p, "condition")) for p in mandatory if _detail(p, "condition")]
        evidence: dict = {"auth": names}
        if conditions:
            evidence["conditions"] = conditions[:3]
        yield Hit(f"Route {_route_label(target.route)} is authenticated only under a condition "
                  f"({', '.join(names)})", evidence=evidence)


@register("gatewayRouteAuthKind")
def route_auth_kind(target, options, ctx):
    """An auth kind the organisation does not accept (default: HTTP Basic) protects the route."""
    banned = set(_list_option(options, "disallowed", ["basic"]))
    if not _served(target):
        return
    for policy in _enabled(route_policies(target), "auth"):
        if (policy.auth_kind or "") in banned:
            yield Hit(f"Route {_route_label(target.route)} uses {policy.auth_kind} authentication "
                      f"({_policy_label(policy)})", evidence={"auth_kind": policy.auth_kind},
                      location=_location(policy.source) if options.get("pointAtPolicy") else None)


def _key_in_query(policy: Policy) -> str | None:
    """Why this key policy reads the key from the query string, or None when it does not."""
    if policy.auth_kind == "subscription-key" and str(_detail(policy, "key_location")) == "header-or-query":
        return None  # APIM accepts `subscription-key` on every API by design: not a per-API choice
    location = _detail(policy, "in", "location", "key_location", "key_source", "source", "identity_in",
                       "identity_source", "identitySource")
    for value in _strings(location):
        low = value.lower()
        if low == "query" or "querystring" in low or "queryparam" in low or low.startswith("query."):
            return f"key read from {value}"
    for value in _strings(_detail(policy, "ref", "key_ref", "apikey", "api_key")):
        if "queryparam" in value.lower() or "querystring" in value.lower():
            return f"key read from {value}"
    if _has_detail(policy, "key_in_query"):
        return "key_in_query is enabled" if _as_bool(_detail(policy, "key_in_query")) else None
    if _has_detail(policy, "query_param_names", "query_names", "query_parameter", "query_parameter_name",
                   "queryParameterName", "query"):
        names = _strings(_detail(policy, "query_param_names", "query_names", "query_parameter",
                                 "query_parameter_name", "queryParameterName", "query"))
        return f"key accepted in query parameter {names[0]}" if names else None
    if policy.vendor_type == "key-auth":
        return "Kong key-auth reads keys from the query string unless key_in_query is false"
    return None


# Credentials a gateway reads from wherever it is told (a key, a Lambda authorizer's identity source).
_KEY_LIKE = ("api-key", "subscription-key", "lambda-authorizer", "custom")


@register("gatewayRouteKeyNotInQuery")
def route_key_not_in_query(target, options, ctx):
    """API keys in the URL end up in access logs, browser history and proxies."""
    if not _served(target):
        return
    for policy in _enabled(route_policies(target), "auth"):
        if policy.auth_kind not in _KEY_LIKE:
            continue
        why = _key_in_query(policy)
        if why:
            what = "API key" if policy.auth_kind in ("api-key", "subscription-key") else "credential"
            yield Hit(f"Route {_route_label(target.route)} accepts the {what} in the query string ({why})",
                      evidence={"policy": _policy_label(policy)})
            return


_AUDIENCE_KEYS = ("audience", "audiences", "aud", "allowed_audiences", "audience_claim", "audience_required",
                  "required_audience", "audiences_allowed")
_ISSUER_KEYS = ("issuer", "issuers", "iss", "allowed_issuers", "issuers_allowed", "openid_config",
                "openid-config", "openidconfig", "discovery", "discovery_url", "well_known", "key_claim_name")


# Authorizers bound to one identity provider by construction (the user pool is the issuer).
_ISSUER_BOUND = ("cognito_user_pools", "validate-azure-ad-token")


@register("gatewayJwtChecksAudienceIssuer")
def jwt_checks_audience_issuer(target, options, ctx):
    """A JWT check that ignores `aud`/`iss` accepts tokens minted for other services or by other issuers."""
    if not _served(target):
        return
    for policy in _enabled(route_policies(target), "auth"):
        if policy.auth_kind not in ("jwt", "oidc"):
            continue
        missing = []
        if not any(_detail(policy, k) not in (None, "", [], {}) for k in _AUDIENCE_KEYS):
            missing.append("audience")
        issuer_implied = policy.vendor_type in _ISSUER_BOUND
        if not issuer_implied and not any(_detail(policy, k) not in (None, "", [], {}) for k in _ISSUER_KEYS):
            missing.append("issuer")
        if missing:
            yield Hit(f"Route {_route_label(target.route)} validates JWTs ({_policy_label(policy)}) without "
                      f"checking the {' or '.join(missing)}", evidence={"missing": missing,
                                                                          "policy": _policy_label(policy)})
            return


# --------------------------------------------------------------------------------------------
# route scope: limits, protection, transport
# --------------------------------------------------------------------------------------------


@register("gatewayRouteHasRateLimit")
def route_has_rate_limit(target, options, ctx):
    """No rate limit or quota that applies to every caller (consumer-scoped limits only bind some)."""
    if not _served(target):
        return
    per_caller_only = set(_list_option(options, "ignoreScopes", ["consumer", "consumer-group"]))
    policies = list(route_policies(target))
    api, gateway = getattr(target, "api", None), getattr(target, "gateway", None)
    # Importers that already put product limits on the routes they really reach say so: an AWS
    # usage plan meters only API-key methods, an APIM product policy is dropped by an API policy
    # without <base/>, an Apigee product quota counts only through a Quota step. Adding the
    # products' policies again would undo exactly those rules.
    if api is not None and gateway is not None and not gateway.attributes.get(PRODUCT_LIMITS_ON_ROUTES):
        for product in _products_of(api, gateway):
            policies.extend(product.policies)
    limits = [p for p in _enabled(policies, ("rate-limit", "quota")) if p.scope not in per_caller_only]
    if limits:
        return
    scoped = [_policy_label(p) for p in _enabled(policies, ("rate-limit", "quota")) if p.scope in per_caller_only]
    msg = f"Route {_route_label(target.route)} has no rate limit or quota"
    evidence = {**_partial_note(target)}
    if scoped:
        msg += " for callers outside the limited consumers/groups"
        evidence["consumer_scoped"] = scoped
    yield Hit(msg, evidence=evidence)


@register("gatewayWriteRouteHasPolicy")
def write_route_has_policy(target, options, ctx):
    """A route accepting writes lacks one of `kinds` (size limit, threat protection / validation)."""
    kinds = tuple(_list_option(options, "kinds", ["size-limit"]))
    label = options.get("label", " or ".join(kinds))
    methods = _list_option(options, "methods", WRITE_METHODS)
    route = target.route
    if not _accepts_writes(route, methods) or not _served(target):
        return
    if _enabled(route_policies(target), kinds):
        return
    yield Hit(f"Route {_route_label(route)} accepts request bodies without {label}",
              evidence={"missing": list(kinds)})


def _cors_origins(policy: Policy) -> list[str]:
    value = _detail(policy, "origins", "allowed_origins", "allow_origins", "allowedOrigins", "allowed-origins",
                    "allowOrigins", "allow_origin", "origin")
    origins = _strings(value)
    if not origins and policy.vendor_type == "cors" and not _has_detail(policy, "origins"):
        return ["*"]  # Kong's cors plugin answers `*` when no origins are configured
    return origins


_REFLECTED_ORIGIN = re.compile(r"(?i)(request\.header\.origin|\$http_origin|context\.request\.headers"
                               r"\.getvalueordefault\(\s*\"origin\"|\{origin\})")


def _any_origin(origin: str) -> bool:
    """`*`, an any-origin regex, or the caller's own Origin echoed back (Apigee `{request.header.origin}`)."""
    value = origin.strip()
    return value in ("*", ".*", "^.*$", "null", "https?://.*", ".+", "^https?://.*$") or bool(
        _REFLECTED_ORIGIN.search(value))


@register("gatewayCorsWildcardCredentials")
def cors_wildcard_credentials(target, options, ctx):
    """`*` (or any-origin regex) plus credentials lets any site make authenticated calls."""
    if not _served(target):
        return
    for policy in _enabled(route_policies(target), "cors"):
        creds = _as_bool(_detail(policy, "credentials", "allow_credentials", "allowCredentials",
                                 "allow-credentials", "supports_credentials"))
        if not creds:
            continue
        wild = [o for o in _cors_origins(policy) if _any_origin(o)]
        if wild:
            yield Hit(f"Route {_route_label(target.route)} allows credentialed CORS requests from any origin "
                      f"({wild[0]})", evidence={"origins": wild, "policy": _policy_label(policy)},
                      location=_location(policy.source) if options.get("pointAtPolicy") else None)
            return


@register("gatewayUpstreamTls")
def upstream_tls(target, options, ctx):
    """The gateway calls its backend over plain HTTP (credentials and data in clear on the inside)."""
    if not _served(target):
        return
    url = _upstream(target)
    if not url.lower().startswith("http://"):
        return
    host = _host_of(url)
    allowed = _list_option(options, "allowHosts", [])
    if any(host == h.lower() or (h.startswith(".") and host.endswith(h.lower())) for h in allowed):
        return
    yield Hit(f"Route {_route_label(target.route)} forwards to a plain-HTTP upstream ({host or url})",
              evidence={"upstream_host": host})


def _listener_protocols(view: Any) -> list[str]:
    protocols = [p.lower() for p in view.route.protocols]
    if not protocols:
        api = getattr(view, "api", None)
        if api is not None:
            protocols = [p.lower() for p in _strings(api.attributes.get("protocols"))]
    return protocols


@register("gatewayListenerTls")
def listener_tls(target, options, ctx):
    """Clients may call the route over plain HTTP (an explicit `http` protocol or `ws`)."""
    if not _served(target):
        return
    protocols = _listener_protocols(target)
    plain = [p for p in protocols if p in ("http", "ws", "tcp", "grpc")]
    if plain:
        yield Hit(f"Route {_route_label(target.route)} accepts plain {plain[0]} from clients "
                  f"(protocols: {', '.join(protocols)})", evidence={"protocols": protocols})


_TLS_VERIFY_KEYS = ("tls_verify", "verify", "ssl_verify", "verify_ssl", "verify_certificate",
                    "validate_certificate_chain", "validateCertificateChain", "validate_certificate_name",
                    "validateCertificateName", "https_verify_certificate", "verify_tls")
_TLS_SKIP_KEYS = ("insecure", "insecure_skip_verify", "skip_verify", "ignore_validation_errors",
                  "IgnoreValidationErrors", "ssl_insecure", "disable_tls_verification")


def _tls_verification_off(detail_owner: Policy | None, attributes: dict | None = None) -> str | None:
    probes: list[tuple[str, Any]] = []
    if detail_owner is not None:
        probes.extend((k, _detail(detail_owner, k)) for k in _TLS_VERIFY_KEYS + _TLS_SKIP_KEYS
                      if _has_detail(detail_owner, k))
    if attributes:
        norm = {_norm_key(k): v for k, v in attributes.items()}
        probes.extend((k, norm[_norm_key(k)]) for k in _TLS_VERIFY_KEYS + _TLS_SKIP_KEYS if _norm_key(k) in norm)
    for key, value in probes:
        flag = _as_bool(value)
        if flag is None:
            continue
        if key in _TLS_VERIFY_KEYS and flag is False:
            return f"{key}: false"
        if key in _TLS_SKIP_KEYS and flag is True:
            return f"{key}: true"
    return None


@register("gatewayUpstreamTlsVerified")
def upstream_tls_verified(target, options, ctx):
    """The gateway accepts any backend certificate: TLS without verification is open to interception."""
    if not _served(target):
        return
    for policy in route_policies(target):
        if not policy.enabled or policy.kind not in ("tls", "other", "transformation"):
            continue
        why = _tls_verification_off(policy)
        if why:
            yield Hit(f"Route {_route_label(target.route)} does not verify the upstream certificate ({why})",
                      evidence={"setting": why})
            return
    api = getattr(target, "api", None)
    why = _tls_verification_off(None, api.attributes if api is not None else None)
    if why:
        yield Hit(f"Route {_route_label(target.route)} does not verify the upstream certificate ({why})",
                  evidence={"setting": why})


@register("gatewayUpstreamHost")
def upstream_host(target, options, ctx):
    """An IP literal or loopback upstream bypasses DNS, service discovery and certificate names."""
    if not _served(target):
        return
    url = _upstream(target)
    host = _host_of(url) if url else ""
    if not host:
        return
    reason = None
    if host == "localhost" or host.endswith(".localhost"):
        reason = "loopback host"
    else:
        try:
            ip = ipaddress.ip_address(host.strip("[]"))
            reason = "loopback address" if ip.is_loopback else "IP literal"
        except ValueError:
            return
    yield Hit(f"Route {_route_label(target.route)} forwards to {reason} {host}",
              evidence={"upstream_host": host})


# --------------------------------------------------------------------------------------------
# route scope: exposure and shape
# --------------------------------------------------------------------------------------------

_ADMIN_DEFAULT = (r"(?i)(^|/)(admin|administrator|internal|_internal|private|actuator|debug|metrics|management|"
                  r"manage|console|heapdump|threaddump|jolokia|env|server-status|phpmyadmin|\.git|\.env|"
                  r"swagger-ui|graphiql|prometheus)(/|$|\.|\?)")


def _plain_path(route: Route) -> str:
    path = route.path or ""
    return path[1:] if path.startswith("~") else path


@register("gatewayAdminPathRestricted")
def admin_path_restricted(target, options, ctx):
    """Admin/internal-looking paths reachable from anywhere (no IP allow-list, no mTLS)."""
    pattern = _regex_option(options, "pattern", _ADMIN_DEFAULT)
    route = target.route
    path = _plain_path(route)
    m = pattern.search(path)
    if not m or not _served(target):
        return
    policies = route_policies(target)
    if _enabled(policies, "ip-filter") or any(p.auth_kind == "mtls" for p in _enabled(policies, "auth")):
        return
    authed = any(not p.optional for p in _enabled(policies, "auth"))
    yield Hit(f"Route {_route_label(route)} looks internal ('{m.group(0).strip('/')}') and is reachable from any "
              f"network{'' if authed else ' without authentication'}",
              evidence={"segment": m.group(0).strip("/"), "authenticated": authed})


# Importer tags for routes that forward whatever no specific flow claimed (Apigee proxies without
# conditional flows, the fall-through after the last flow, an AWS `$default` route).
_PASS_THROUGH_TAGS = ("pass-through", "fall-through", "unconditional-flow", "catch-all", "$default")


def _catch_all(route: Route) -> str | None:
    """Why the pattern forwards a whole backend, or None."""
    path = route.path or ""
    kind = route.match_kind
    if "{proxy+}" in path or re.search(r"\{[^}/]+\+\}", path):
        return "greedy {proxy+} parameter"
    if path in ("$default",):
        return "$default route"
    for tag in route.tags:
        low = str(tag).lower()
        if low.endswith(_PASS_THROUGH_TAGS):
            return f"pass-through ({tag})"
    if kind in ("prefix", "apigee-matchespath") and path.rstrip("/") == "":
        return "matches every path"
    if path.endswith("/**") or path.endswith("/*") or path == "*":
        return f"wildcard {path.rsplit('/', 1)[-1]} suffix"
    if kind == "regex" and re.search(r"(\.\*|\.\+|\(\.\*\)|\[\^/\]\*)\$?$", _plain_path(route)):
        return "regex ending in .*"
    return None


@register("gatewayRouteNotCatchAll")
def route_not_catch_all(target, options, ctx):
    """A catch-all route exposes every present and future backend path, specified or not."""
    if not _served(target):
        return
    why = _catch_all(target.route)
    if why:
        yield Hit(f"Route {_route_label(target.route)} is a catch-all ({why}): the whole backend is exposed",
                  evidence={"pattern": target.route.path, "reason": why})


@register("gatewayRouteEvaluable")
def route_evaluable(target, options, ctx):
    """A route whose pattern cannot be evaluated makes matching, shadow and coverage checks blind."""
    route = target.route
    kinds = _list_option(options, "kinds", ["unknown"])
    if route.match_kind in kinds:
        why = ", ".join(t for t in route.tags if t) or "pattern not understood"
        yield Hit(f"Route {route.name or route.id} has a pattern apiscan cannot evaluate ({why})",
                  evidence={"match_kind": route.match_kind})


_SHADOW_CACHE: list = [None, frozenset()]  # (reconciliation object, its shadow route keys): one scan at a time


def _shadow_keys(reconciliation: Any) -> frozenset | None:
    shadows = getattr(reconciliation, "shadow_routes", None)
    if shadows is None:
        return None
    if _SHADOW_CACHE[0] is not reconciliation:
        _SHADOW_CACHE[0] = reconciliation
        _SHADOW_CACHE[1] = frozenset(getattr(r, "key", str(r)) for r in shadows)
    return _SHADOW_CACHE[1]


@register("gatewayRouteHasSpec")
def route_has_spec(target, options, ctx):
    """Shadow route: traffic reaches a backend path no specification describes.

    The reconciliation's verdict is used when it ran (it knows which routes it could not evaluate
    and which are preflight or terminated); otherwise a served route with no linked operation.
    """
    landscape = getattr(target, "landscape", None) or getattr(ctx, "landscape", None)
    keys = _shadow_keys(getattr(landscape, "reconciliation", None))
    if keys is not None and getattr(target, "key", None) is not None:
        shadow = target.key in keys
    else:
        shadow = _served(target) and not target.route.spec_operations
    if shadow:
        yield Hit(f"Route {_route_label(target.route)} is not described by any specification (shadow route)")


def _norm_pattern(path: str) -> str:
    path = re.sub(r"\{[^}/]+\}", "{}", path or "/")
    return path.rstrip("/") or "/"


def _overlap(a: list[str], b: list[str]) -> bool:
    """Same match set. A restricted route beside an unrestricted one is the usual precedence pattern
    (gateways prefer the route with hosts/methods), not a duplicate."""
    if not a and not b:
        return True
    if not a or not b:
        return False
    return bool({x.upper() for x in a} & {x.upper() for x in b})


def _shared_listener(gateway: Any, a: Any, b: Any) -> bool:
    """Whether two APIs answer on the same hostnames (an AWS REST API has its own endpoint each)."""
    if gateway.vendor == "aws":
        return False
    if a.hosts and b.hosts:
        return bool({h.lower() for h in a.hosts} & {h.lower() for h in b.hosts})
    return True


def _non_current(api: Any) -> bool:
    return _as_bool(api.attributes.get("is_current", api.attributes.get("isCurrent"))) is False


_PATTERN_INDEX: dict[int, tuple[Any, int, dict]] = {}


def _same_pattern(gateway: Any, route: Route) -> list[tuple[Any, Route]]:
    """Routes of the gateway with the route's kind and normalised pattern, in definition order.

    Indexed once per gateway (and rebuilt if its route count changes), so checking every route
    stays linear instead of comparing each route with all the others.
    """
    total = sum(len(a.routes) for a in gateway.apis)
    hit = _PATTERN_INDEX.get(id(gateway))
    if hit is None or hit[0] is not gateway or hit[1] != total:
        if len(_PATTERN_INDEX) > 64:
            _PATTERN_INDEX.clear()
        index: dict[tuple, list] = {}
        for api, r in gateway.routes():
            index.setdefault((r.match_kind, _norm_pattern(r.path)), []).append((api, r))
        hit = (gateway, total, index)
        _PATTERN_INDEX[id(gateway)] = hit
    return hit[2].get((route.match_kind, _norm_pattern(route.path)), [])


@register("gatewayRouteUnique")
def route_unique(target, options, ctx):
    """Two routes with the same pattern, methods and hosts: one silently shadows the other."""
    route, api, gateway = target.route, target.api, target.gateway
    if gateway is None or _non_current(api) or not route.path or route.match_kind == "unknown":
        return
    for other_api, other in _same_pattern(gateway, route):
        if other is route:
            return  # only earlier routes count: the first definition wins, the later one is reported
        if _non_current(other_api):
            continue
        if other_api is not api and not _shared_listener(gateway, api, other_api):
            continue
        if api.version and other_api.version and api.version != other_api.version:
            continue
        if _overlap(route.methods, other.methods) and _overlap(route.hosts, other.hosts):
            yield Hit(f"Route {_route_label(route)} duplicates route {other.name or other.id} "
                      f"({other_api.name})", evidence={"duplicate_of": other.name or other.id})
            return


# --------------------------------------------------------------------------------------------
# api scope
# --------------------------------------------------------------------------------------------

_DEPRECATED_TAG = re.compile(r"(?i)^(lifecycle|status|state)?[:=]?\s*(deprecated|retired|sunset)$")


def _api_lifecycle(api: Any) -> str:
    if api.lifecycle.lower() in ("deprecated", "retired"):
        return api.lifecycle.lower()
    for tag in api.tags:
        m = _DEPRECATED_TAG.match(str(tag).strip())
        if m:
            return m.group(2).lower()
    if _as_bool(api.attributes.get("deprecated")):
        return "deprecated"
    return ""


@register("gatewayNoDeprecatedRoutes")
def no_deprecated_routes(target, options, ctx):
    """A deprecated or retired API (or operation) the gateway still forwards traffic to."""
    api, gateway = _api_scope(target, ctx)
    live = [r for r in api.routes
            if not _is_preflight_only(r) and not _is_blocked(_RouteView(r, api, gateway).policies())]
    state = _api_lifecycle(api)
    if state and live:
        yield Hit(f"API {api.name}{' ' + api.version if api.version else ''} is {state} but still has "
                  f"{len(live)} live route(s)", evidence={"lifecycle": state, "routes": len(live)})
        return
    for route in live:
        if route.deprecated:
            yield Hit(f"Route {_route_label(route)} is deprecated but still routed",
                      location=_location(route.source), evidence={"route": _route_label(route)})


class _RouteView:
    """The minimal route view `route_policies` needs, for api-scope functions looking at routes."""

    __slots__ = ("route", "api", "gateway")

    def __init__(self, route: Route, api: Any, gateway: Any):
        self.route, self.api, self.gateway = route, api, gateway

    def policies(self) -> list[Policy]:
        return route_policies(self)


@register("gatewayApiHasLogging")
def api_has_logging(target, options, ctx):
    """No access log: incidents cannot be investigated and consumers cannot be traced."""
    api, gateway = _api_scope(target, ctx)
    if _enabled(api_policies(api, gateway), "logging"):
        return
    for owner in (api.attributes, getattr(gateway, "attributes", None) or {}):
        if any(_norm_key(k) in ("accesslogging", "accesslogsettings", "diagnostics", "logging", "loggers")
               and v not in (None, False, "", [], {}) for k, v in owner.items()):
            return
    yield Hit(f"API {api.name} has no access logging configured",
              evidence={"partial_export": True} if gateway is not None and gateway.partial else {})


_OWNER_TAG_DEFAULT = r"(?i)^(owner|team|contact|maintainer|squad|domain|product-owner|business-owner)[:=]."
_OWNER_ATTRS = ("owner", "owners", "team", "contact", "maintainer", "provider", "business_owner",
                "technical_owner", "businessOwner", "technicalOwner", "businessOwnerEmail", "technicalOwnerEmail")


@register("gatewayApiHasOwner")
def api_has_owner(target, options, ctx):
    """An API nobody owns cannot be fixed, versioned or retired."""
    api, _ = _api_scope(target, ctx)
    pattern = _regex_option(options, "tagPattern", _OWNER_TAG_DEFAULT)
    if any(pattern.search(str(t)) for t in api.tags):
        return
    wanted = {_norm_key(k) for k in _OWNER_ATTRS}
    if any(_norm_key(k) in wanted and v not in (None, "", [], {}) for k, v in api.attributes.items()):
        return
    yield Hit(f"API {api.name} has no owner, team or contact")


_VERSION_IN_PATH = re.compile(r"(?i)(^|/)v\d+([._-]\d+)*(/|$)|(^|/)\d{4}-\d{2}-\d{2}(/|$)")


@register("gatewayApiHasVersion")
def api_has_version(target, options, ctx):
    """Without a version, clients cannot be moved off a release and deprecation cannot be announced."""
    api, _ = _api_scope(target, ctx)
    if api.version:
        return
    if api.base_path and _VERSION_IN_PATH.search(api.base_path):
        return
    if any(re.match(r"(?i)^(version|api-version)[:=].", str(t)) for t in api.tags):
        return
    paths = [r.path for r in api.routes if r.path]
    if paths and all(_VERSION_IN_PATH.search(p.lstrip("~")) for p in paths):
        return
    yield Hit(f"API {api.name} has no version (no version field, tag or version path segment)")


# --------------------------------------------------------------------------------------------
# consumer scope
# --------------------------------------------------------------------------------------------


def _consumer_active(consumer: Any) -> bool:
    return consumer.status.lower() not in _NEGATIVE_STATUSES


@register("gatewayConsumerRestricted")
def consumer_restricted(target, options, ctx):
    """A consumer in no group, product or API grant may call every authenticated route."""
    consumer, _ = _consumer_scope(target, ctx)
    if not _consumer_active(consumer):
        return
    if consumer.groups or consumer.products or consumer.apis or _enabled(consumer.policies, "acl"):
        return
    if not consumer.credentials and consumer.kind not in ("subscription", "application", "api-key", "key"):
        return  # cannot authenticate: nothing to restrict
    yield Hit(f"Consumer {consumer.name or consumer.id} has no ACL group, product or API restriction",
              evidence={"credentials": len(consumer.credentials)})


_NEVER = {"", "-1", "0", "never", "none", "null", "infinite", "unlimited"}


@register("gatewayCredentialExpires")
def credential_expires(target, options, ctx):
    """Credentials that never expire stay valid long after the person or app that held them left."""
    kinds = set(_list_option(options, "kinds", ["api-key", "basic", "hmac", "oauth2-client", "jwt",
                                                 "subscription-key"]))
    consumer, _ = _consumer_scope(target, ctx)
    if not _consumer_active(consumer):
        return
    for index, cred in enumerate(consumer.credentials):
        if cred.kind not in kinds or cred.status.lower() in _NEGATIVE_STATUSES:
            continue
        if str(cred.expires).strip().lower() in _NEVER:
            yield Hit(f"Consumer {consumer.name or consumer.id} has a {cred.kind} credential that never expires",
                      evidence={"kind": cred.kind, "credential": index}, location=_location(cred.source))


# --------------------------------------------------------------------------------------------
# gateway scope: what only the importer saw
# --------------------------------------------------------------------------------------------

_SAFE_EVIDENCE = ("field", "kind", "type", "path", "pointer", "length", "fingerprint", "policy", "element",
                  "entity", "owner", "reason")


def _safe_evidence(evidence: dict) -> dict:
    """Only the descriptive keys of an importer's evidence: a secret must never ride along."""
    out = {}
    for key in _SAFE_EVIDENCE:
        value = evidence.get(key)
        if isinstance(value, (int, float, bool)) or (isinstance(value, str) and len(value) <= 120):
            out[key] = value
    return out


def _notes(gateway: Any, codes: Iterable[str]) -> list[Any]:
    wanted = set(codes)
    return [n for n in gateway.notes if n.code in wanted]


@register("gatewayNotes")
def gateway_notes(target, options, ctx):
    """Report the importer's notes with the given codes (secret-in-export, policy-xml-recovered, ...).

    The message is rebuilt from the code and the place, never copied from the export, so a secret
    an importer failed to redact still cannot reach a report through this rule.
    """
    codes = _list_option(options, "codes", [])
    if not codes:
        raise FunctionOptionsError("functionOptions.codes must list at least one importer note code")
    what = options.get("what", "")
    gateway = _gateway_scope(target)
    for note in _notes(gateway, codes):
        evidence = _safe_evidence(note.evidence)
        field_name = evidence.get("field") or evidence.get("policy") or ""
        where = f"{note.source.file}{'#' + note.source.pointer if note.source.pointer else ''}"
        msg = f"{what or note.code}{' (' + str(field_name) + ')' if field_name else ''} at {where}"
        yield Hit(msg, evidence={"code": note.code, **evidence}, location=_location(note.source))


@register("gatewayPoliciesAttached")
def policies_attached(target, options, ctx):
    """Policies defined but attached nowhere: dead configuration, or protection someone believes is on."""
    gateway = _gateway_scope(target)
    seen: set[tuple] = set()
    for policy in gateway.unattached_policies:
        loc = _location(policy.source)
        key = (loc.file, loc.pointer) if loc else (_policy_label(policy),)
        if key in seen:
            continue
        seen.add(key)
        yield Hit(f"Policy {policy.name or _policy_label(policy)} ({policy.kind}) is defined but never attached",
                  evidence={"policy": policy.name or _policy_label(policy), "kind": policy.kind}, location=loc)
    files = {k[0] for k in seen}
    for note in _notes(gateway, ["policy-unattached"]):
        key = (note.source.file, note.source.pointer)
        if key in seen or (not note.source.pointer and note.source.file in files):
            continue  # the file's policies were reported one by one above
        seen.add(key)
        yield Hit(f"Policy defined but never attached at {note.source.file}", location=_location(note.source),
                  evidence=_safe_evidence(note.evidence))


_BASE_NOTE_CODES = ("policy-without-base", "policy-no-base", "policy-missing-base", "missing-base")


@register("gatewayPolicyInheritsBase")
def policy_inherits_base(target, options, ctx):
    """An Azure APIM policy without `<base/>` silently drops every policy of the enclosing scope."""
    gateway = _gateway_scope(target)
    sections = set(_list_option(options, "sections", ["inbound"]))
    seen: set[tuple] = set()
    for note in _notes(gateway, _BASE_NOTE_CODES):
        section = str(note.evidence.get("section", "inbound"))
        if section not in sections:
            continue
        key = (note.source.file, note.source.pointer)
        if key not in seen:
            seen.add(key)
            yield Hit(f"Policy at {note.source.file} has no <base/> in <{section}>: inherited policies are dropped",
                      location=_location(note.source), evidence={"section": section})
    for doc in gateway.attributes.get("policy_documents") or ():
        if not isinstance(doc, dict) or not doc.get("file"):
            continue
        present = doc.get("present", doc.get("sections"))
        inherits = set(_strings(doc.get("inherits")))
        lacking = [sec for sec in _strings(present) if sec in sections and sec not in inherits]
        key = (str(doc["file"]), "")
        if lacking and key not in seen:
            seen.add(key)
            yield Hit(f"Policy at {doc['file']} has no <base/> in <{lacking[0]}>: inherited policies are dropped",
                      location=Location(file=str(doc["file"])), evidence={"section": lacking[0]})
    if not seen and gateway.vendor == "azure-apim":
        yield from _dropped_global_policies(gateway, sections)
    for api in gateway.apis:
        value = None
        for key in ("policy_has_base", "inherits_parent_policies", "base_inbound"):
            if key in api.attributes:
                value = _as_bool(api.attributes[key])
                break
        if value is False:
            src = api.attributes.get("policy_file")
            loc = Location(file=str(src)) if isinstance(src, str) and src else _location(api.source)
            if loc and (loc.file, loc.pointer) not in seen:
                seen.add((loc.file, loc.pointer))
                yield Hit(f"API {api.name} policy has no <base/>: inherited policies are dropped", location=loc,
                          evidence={"api": api.name})


def _dropped_global_policies(gateway: Any, sections: set[str]) -> Iterator[Hit]:
    """Without the importer's word on `<base/>`, infer it: an API whose routes lost the global policies.

    Effective policies keep `scope == "global"` for what they inherited from the service level, so
    a route with none of them, while global policies exist, sits below a level that cut the chain.
    """
    def in_sections(p: Policy) -> bool:
        return str(p.detail.get("section", "inbound")) in sections

    inherited = [p for p in gateway.global_policies if in_sections(p)]
    if not inherited:
        return
    for api in gateway.apis:
        if _non_current(api):
            continue
        cut = [r for r in api.routes if not any(p.scope == "global" and in_sections(p) for p in r.policies)]
        names = sorted({_policy_label(p) for p in inherited})
        by_file: dict[str, int] = {}
        for route in cut:
            loc = _cutting_document(route) or _location(api.source)
            if loc is not None:
                by_file[loc.file] = by_file.get(loc.file, 0) + 1
        for file, count in by_file.items():
            yield Hit(f"Policy at {file} has no <base/>: {count} route(s) of API {api.name} lose the global "
                      f"policies ({', '.join(names[:4])})", location=Location(file=file),
                      evidence={"routes": count, "global_policies": names[:10], "inferred": True})


def _cutting_document(route: Route) -> Location | None:
    """The policy document that dropped its parents: the highest level whose own policies survive.

    Policies read from a policy document carry their `section`; the others (APIM's subscription
    key, which comes from apiInformation.json) are only a fallback, or the finding would name a
    file that holds no policy at all."""
    for from_document in (True, False):
        for scope in ("product", "api", "operation"):
            for p in route.policies:
                if p.scope == scope and p.source is not None and p.source.file and (
                        not from_document or "section" in p.detail):
                    return Location(file=p.source.file)
    return None


_SENSITIVE_DEFAULT = (r"(?i)(pii|personal|payment|card|pci|bank|finance|payroll|salary|health|medical|patient|hr\b|"
                      r"admin|internal|confidential|sensitive|private|secret|identity|customer-data)")


@register("gatewaySensitiveProductApproval")
def sensitive_product_approval(target, options, ctx):
    """A product exposing sensitive APIs that anyone may subscribe to without approval (or without subscribing)."""
    pattern = _regex_option(options, "pattern", _SENSITIVE_DEFAULT)
    gateway = _gateway_scope(target)
    apis = {a.id: a for a in gateway.apis}
    apis.update({a.name: a for a in gateway.apis if a.name not in apis})
    for product in gateway.products:
        open_reason = None
        if product.subscription_required is False:
            open_reason = "no subscription required"
        elif product.approval == "auto":
            open_reason = "subscriptions approved automatically"
        if not open_reason:
            continue
        texts = [product.id, product.name, product.visibility]
        for ref in product.apis:
            api = apis.get(ref)
            texts.append(ref)
            if api is not None:
                texts.extend([api.name, *map(str, api.tags), str(api.attributes.get("sensitivity", ""))])
        hit = next((m.group(0) for t in texts if t for m in [pattern.search(str(t))] if m), None)
        if hit:
            yield Hit(f"Product {product.name or product.id} exposes sensitive APIs ('{hit}') with {open_reason}",
                      location=_location(product.source), evidence={"product": product.name or product.id,
                                                                    "reason": open_reason})


# --------------------------------------------------------------------------------------------
# landscape scope: reconciliation results
# --------------------------------------------------------------------------------------------


def _call_or_value(obj: Any, *names: str) -> Any:
    """A reconciliation result by name, on the landscape itself or on its `reconciliation`."""
    for holder in (obj, getattr(obj, "reconciliation", None)):
        if holder is None:
            continue
        for name in names:
            value = holder.get(name) if isinstance(holder, dict) else getattr(holder, name, None)
            if value is None:
                continue
            return value() if callable(value) else value
    return None


def _as_location(item: Any) -> Location | None:
    if isinstance(item, str):  # a spec file, or an operation key `file#pointer`
        file, _, pointer = item.partition("#")
        return Location(file=file, pointer=pointer)
    for attr in ("location", "source"):
        value = getattr(item, attr, None)
        if isinstance(value, Location):
            return value
        if value is not None and getattr(value, "file", None):
            return _location(value)
    if isinstance(item, dict):
        file = item.get("file") or item.get("spec_file")
        if file:
            return Location(file=str(file), pointer=str(item.get("pointer", "")))
    file = getattr(item, "file", None) or getattr(item, "spec_file", None)
    if file:
        return Location(file=str(file), pointer=str(getattr(item, "pointer", "") or ""))
    return None


def _label(item: Any, landscape: Any = None, lookup: str = "") -> str:
    """A readable name: the operation's `GET /path` or the spec's title when the landscape knows them."""
    if isinstance(item, str):
        finder = getattr(landscape, lookup, None) if lookup else None
        try:
            found = finder(item) if callable(finder) else None
        except Exception:  # a label is a convenience; the key itself is always a fine fallback
            found = None
        if found is None:
            return item
        name = _label(found)
        return f"{name} ({item.partition('#')[0]})" if name != item else item
    for attr in ("label", "title", "name", "key", "file"):
        value = item.get(attr) if isinstance(item, dict) else getattr(item, attr, None)
        if value:
            return str(value)
    return str(item)


@register("landscapeOrphanSpecs")
def landscape_orphan_specs(target, options, ctx):
    """A specification no gateway serves: dead documentation, or an API exposed some other way."""
    orphans = _call_or_value(target, "orphan_specs", "orphans")
    if orphans is None:
        raise FunctionOptionsError("the landscape does not expose orphan_specs: reconciliation did not run")
    for spec in orphans:
        yield Hit(f"Specification {_label(spec, target, 'spec')} is not served by any gateway in the landscape (orphan spec)",
                  location=_as_location(spec))


@register("landscapeUnroutedOperations")
def landscape_unrouted_operations(target, options, ctx):
    """An operation of a deployed spec that no route reaches: documented but not callable."""
    unrouted = _call_or_value(target, "unrouted_operations", "unrouted")
    if unrouted is None:
        raise FunctionOptionsError("the landscape does not expose unrouted_operations: reconciliation did not run")
    for op in unrouted:
        yield Hit(f"Operation {_label(op, target, 'operation')} is in a deployed specification but no gateway route reaches it",
                  location=_as_location(op))
