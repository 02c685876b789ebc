"""Security rule functions: authentication, authorisation, transport and data-exposure checks.

These work on OpenAPI 2.0 and 3.x alike, because the same weakness (HTTP Basic, an API key in the
query string, a token pasted into an example) is written differently in each. Each function reads
what it needs through `ctx.resolve`, so a `$ref` anywhere in the chain is followed, and reports
where the offending value is written in the document.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from apiscan.functions.registry import Hit, register

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JUSTIFICATION_KEYS = ("x-security-justification", "x-public-reason")

# --------------------------------------------------------------------------- shared helpers


def is_oas2(data: Any) -> bool:
    """OpenAPI 2.0 keeps schemes in `securityDefinitions`; 3.x in `components.securitySchemes`."""
    return isinstance(data, dict) and "swagger" in data


def pointer(path: tuple) -> str:
    """The JSON pointer of a path, for messages."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def operation_label(path: tuple) -> str:
    """`GET /pets` for an operation path `("paths", "/pets", "get", ...)`, else its JSON pointer."""
    if len(path) >= 3 and path[0] == "paths" and isinstance(path[2], str) and path[2] in METHODS:
        return f"{path[2].upper()} {path[1]}"
    return pointer(path)


def iter_operations(data: Any, resolve) -> Iterator[tuple[tuple, dict, dict]]:
    """Every operation as written: (path, operation, path item). Path items behind a `$ref` are followed."""
    if not isinstance(data, dict):
        return
    paths = resolve(data.get("paths"))
    if not isinstance(paths, dict):
        return
    for key, item in paths.items():
        item = resolve(item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = resolve(item.get(method))
            if isinstance(op, dict):
                yield ("paths", key, method), op, item


def security_schemes(data: Any, resolve) -> dict[str, tuple[tuple, dict]]:
    """Declared schemes by name, each with the path where it is written and its resolved value."""
    out: dict[str, tuple[tuple, dict]] = {}
    if not isinstance(data, dict):
        return out
    if is_oas2(data):
        base: tuple = ("securityDefinitions",)
        table = resolve(data.get("securityDefinitions"))
    else:
        base = ("components", "securitySchemes")
        components = resolve(data.get("components"))
        table = resolve(components.get("securitySchemes")) if isinstance(components, dict) else None
    if isinstance(table, dict):
        for name, scheme in table.items():
            scheme = resolve(scheme)
            if isinstance(scheme, dict):
                out[str(name)] = (base + (name,), scheme)
    return out


def effective_security(op: dict, data: Any, resolve) -> tuple[list | None, bool]:
    """The requirement list that applies to an operation, and whether the operation states it itself."""
    if "security" in op:
        reqs = resolve(op.get("security"))
        return (reqs if isinstance(reqs, list) else None), True
    reqs = resolve(data.get("security")) if isinstance(data, dict) else None
    return (reqs if isinstance(reqs, list) else None), False


def is_secured(reqs: list | None, resolve) -> bool:
    """True when at least one alternative in the requirement list names a scheme."""
    return bool(reqs) and any(isinstance(resolve(r), dict) and resolve(r) for r in reqs)


def _scheme_kind(scheme: dict) -> str:
    return str(scheme.get("type", "")).strip().lower()


def _oauth_scopes(scheme: dict, resolve, oas2: bool) -> dict[str, list[tuple]]:
    """Declared scope name -> the relative paths (per flow) where it is declared."""
    out: dict[str, list[tuple]] = {}
    if oas2:
        scopes = resolve(scheme.get("scopes"))
        if isinstance(scopes, dict):
            for s in scopes:
                out.setdefault(str(s), []).append(("scopes", s))
        return out
    flows = resolve(scheme.get("flows"))
    if isinstance(flows, dict):
        for flow_name, flow in flows.items():
            flow = resolve(flow)
            scopes = resolve(flow.get("scopes")) if isinstance(flow, dict) else None
            if isinstance(scopes, dict):
                for s in scopes:
                    out.setdefault(str(s), []).append(("flows", flow_name, "scopes", s))
    return out


def _requirement_lists(data: Any, resolve) -> Iterator[tuple[tuple, Any]]:
    """Every security requirement object as written: the root's and each operation's."""
    if not isinstance(data, dict):
        return
    root = resolve(data.get("security"))
    if isinstance(root, list):
        for i, req in enumerate(root):
            yield ("security", i), resolve(req)
    for path, op, _item in iter_operations(data, resolve):
        reqs = resolve(op.get("security"))
        if isinstance(reqs, list):
            for i, req in enumerate(reqs):
                yield path + ("security", i), resolve(req)


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


# --------------------------------------------------------------------------- operations


@register("operationSecurity")
def operation_security(target, options, ctx):
    """An operation is protected, or opts out explicitly (`security: []`) and says why."""
    op = ctx.resolve(target)
    if not isinstance(op, dict):
        return
    label = operation_label(ctx.path)
    reqs, explicit = effective_security(op, ctx.data, ctx.resolve)
    justified = any(_nonempty_str(op.get(k)) for k in JUSTIFICATION_KEYS)
    anonymous = bool(reqs) and any(isinstance(ctx.resolve(r), dict) and not ctx.resolve(r) for r in reqs)
    where = ("security",) if explicit else ()
    if not reqs:
        if explicit and reqs == []:
            if not justified:
                yield Hit(f"Operation {label} opts out of security (`security: []`) without a "
                          f"non-empty x-security-justification or x-public-reason", path=where)
            return
        yield Hit(f"Operation {label} has no security requirement", path=where)
        return
    if anonymous and not justified:
        yield Hit(f"Operation {label} allows anonymous access (an empty `{{}}` security alternative) without "
                  f"a non-empty x-security-justification or x-public-reason", path=where)


@register("responsesDocumented")
def responses_documented(target, options, ctx):
    """The operation documents the given status codes (an `NXX` range counts); optionally only when secured."""
    op = ctx.resolve(target)
    if not isinstance(op, dict):
        return
    codes = [str(c) for c in (options.get("codes") or [])]
    if options.get("securedOnly"):
        reqs, _ = effective_security(op, ctx.data, ctx.resolve)
        if not is_secured(reqs, ctx.resolve):
            return
    responses = ctx.resolve(op.get("responses"))
    declared = {str(k).upper() for k in responses} if isinstance(responses, dict) else set()
    where = ("responses",) if isinstance(responses, dict) else ()
    label = operation_label(ctx.path)
    secured = "Secured operation" if options.get("securedOnly") else "Operation"
    for code in codes:
        if code.upper() not in declared and f"{code[0]}XX" not in declared:
            yield Hit(f"{secured} {label} does not document a {code} response", path=where)


@register("responseHeaderDeclared")
def response_header_declared(target, options, ctx):
    """A response declares a header (names compared case-insensitively, as HTTP does)."""
    response = ctx.resolve(target)
    if not isinstance(response, dict):
        return
    name = str(options.get("name", ""))
    headers = ctx.resolve(response.get("headers"))
    names = {str(k).lower() for k in headers} if isinstance(headers, dict) else set()
    if name.lower() not in names:
        code = ctx.path[-1] if ctx.path else "?"
        op = operation_label(ctx.path[:3]) if len(ctx.path) >= 3 else ""
        yield Hit(f"The {code} response of {op} does not declare a {name} header".replace("  ", " "))


# --------------------------------------------------------------------------- requirements and schemes


@register("securitySchemeDefined")
def security_scheme_defined(target, options, ctx):
    """Each scheme named by a security requirement is declared; an unknown name protects nothing."""
    req = ctx.resolve(target)
    if not isinstance(req, dict):
        return
    schemes = security_schemes(ctx.data, ctx.resolve)
    where = "securityDefinitions" if is_oas2(ctx.data) else "components.securitySchemes"
    for name in req:
        if str(name) not in schemes:
            yield Hit(f"Security requirement names '{name}', which is not declared in {where}", path=(name,))


@register("oauthScopesDeclared")
def oauth_scopes_declared(target, options, ctx):
    """Scopes a requirement asks for exist in its OAuth2 scheme (undeclared scopes are typos or drift)."""
    req = ctx.resolve(target)
    if not isinstance(req, dict):
        return
    schemes = security_schemes(ctx.data, ctx.resolve)
    oas2 = is_oas2(ctx.data)
    for name, scopes in req.items():
        entry = schemes.get(str(name))
        if entry is None or _scheme_kind(entry[1]) != "oauth2":
            continue
        declared = _oauth_scopes(entry[1], ctx.resolve, oas2)
        scopes = ctx.resolve(scopes)
        if not isinstance(scopes, list):
            continue
        for i, scope in enumerate(scopes):
            if str(scope) not in declared:
                yield Hit(f"Scope '{scope}' is not declared by OAuth2 scheme '{name}'", path=(name, i))


@register("oauthScopesUsed")
def oauth_scopes_used(target, options, ctx):
    """Declared OAuth2 scopes are required somewhere; an unused scope grants access nothing checks."""
    data = ctx.data
    schemes = security_schemes(data, ctx.resolve)
    used: dict[str, set] = {}
    for _path, req in _requirement_lists(data, ctx.resolve):
        if isinstance(req, dict):
            for name, scopes in req.items():
                scopes = ctx.resolve(scopes)
                used.setdefault(str(name), set()).update(
                    str(s) for s in (scopes if isinstance(scopes, list) else []))
    oas2 = is_oas2(data)
    for name, (path, scheme) in schemes.items():
        if _scheme_kind(scheme) != "oauth2" or name not in used:
            continue  # an unused scheme is reported by its own rule, not scope by scope
        for scope, places in _oauth_scopes(scheme, ctx.resolve, oas2).items():
            if scope not in used[name]:
                for rel in places:
                    yield Hit(f"Scope '{scope}' of OAuth2 scheme '{name}' is not required by any operation",
                              path=path + rel)


@register("securitySchemeUsed")
def security_scheme_used(target, options, ctx):
    """Every declared scheme is referenced; a stray scheme misleads readers and gateway importers."""
    data = ctx.data
    used = set()
    for _path, req in _requirement_lists(data, ctx.resolve):
        if isinstance(req, dict):
            used.update(str(k) for k in req)
    for name, (path, _scheme) in security_schemes(data, ctx.resolve).items():
        if name not in used:
            yield Hit(f"Security scheme '{name}' is declared but no security requirement uses it", path=path)


@register("noHttpBasic")
def no_http_basic(target, options, ctx):
    """HTTP Basic sends a reusable password with every call; 2.0 writes it `type: basic`, 3.x `scheme: basic`."""
    scheme = ctx.resolve(target)
    if not isinstance(scheme, dict):
        return
    name = ctx.path[-1] if ctx.path else "?"
    kind = _scheme_kind(scheme)
    if kind == "basic":
        yield Hit(f"Security scheme '{name}' uses HTTP Basic authentication", path=("type",))
    elif kind == "http" and str(scheme.get("scheme", "")).strip().lower() == "basic":
        yield Hit(f"Security scheme '{name}' uses HTTP Basic authentication", path=("scheme",))


@register("noApiKeyInQuery")
def no_api_key_in_query(target, options, ctx):
    """An API key in the query string ends up in access logs, proxies and browser history."""
    scheme = ctx.resolve(target)
    if isinstance(scheme, dict) and _scheme_kind(scheme) == "apikey" and scheme.get("in") == "query":
        name = ctx.path[-1] if ctx.path else "?"
        yield Hit(f"API key scheme '{name}' is sent in the query string (parameter "
                  f"'{scheme.get('name', '?')}')", path=("in",))


@register("oauthFlowForbidden")
def oauth_flow_forbidden(target, options, ctx):
    """OAuth2 flows listed in `flows` (e.g. implicit, password) must not be offered."""
    scheme = ctx.resolve(target)
    if not isinstance(scheme, dict) or _scheme_kind(scheme) != "oauth2":
        return
    forbidden = [str(f) for f in (options.get("flows") or [])]
    name = ctx.path[-1] if ctx.path else "?"
    aliases = {"implicit": ("implicit",), "password": ("password",)}
    flows = ctx.resolve(scheme.get("flows"))
    for flow in forbidden:
        if str(scheme.get("flow", "")) in aliases.get(flow, (flow,)):  # OpenAPI 2.0
            yield Hit(f"OAuth2 scheme '{name}' uses the {flow} flow", path=("flow",))
        if isinstance(flows, dict) and flow in flows:  # OpenAPI 3.x
            yield Hit(f"OAuth2 scheme '{name}' offers the {flow} flow", path=("flows", flow))


@register("oauthUrlsHttps")
def oauth_urls_https(target, options, ctx):
    """Authorization, token and refresh endpoints carry credentials, so they must use https."""
    scheme = ctx.resolve(target)
    if not isinstance(scheme, dict) or _scheme_kind(scheme) != "oauth2":
        return
    name = ctx.path[-1] if ctx.path else "?"
    keys = ("authorizationUrl", "tokenUrl", "refreshUrl")
    places: list[tuple[tuple, Any]] = [((k,), scheme.get(k)) for k in keys if k in scheme]
    flows = ctx.resolve(scheme.get("flows"))
    if isinstance(flows, dict):
        for flow_name, flow in flows.items():
            flow = ctx.resolve(flow)
            if isinstance(flow, dict):
                places += [(("flows", flow_name, k), flow.get(k)) for k in keys if k in flow]
    for rel, url in places:
        if isinstance(url, str) and re.match(r"(?i)^[a-z][a-z0-9+.-]*:", url) and not url.lower().startswith("https:"):
            yield Hit(f"OAuth2 scheme '{name}' has a {rel[-1]} that is not https", path=rel)


@register("bearerFormatStated")
def bearer_format_stated(target, options, ctx):
    """A bearer scheme says what the token is (JWT, opaque...), so clients and gateways validate it right."""
    scheme = ctx.resolve(target)
    if not isinstance(scheme, dict):
        return
    if _scheme_kind(scheme) == "http" and str(scheme.get("scheme", "")).strip().lower() == "bearer":
        if not _nonempty_str(scheme.get("bearerFormat")):
            name = ctx.path[-1] if ctx.path else "?"
            yield Hit(f"Bearer scheme '{name}' does not state its bearerFormat")


# --------------------------------------------------------------------------- servers


def _host_of(url: str) -> str:
    m = re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//([^/?#]*)", url)
    host = m.group(1) if m else ""
    return host.rsplit("@", 1)[-1]


@register("serverUrlNotWildcard")
def server_url_not_wildcard(target, options, ctx):
    """A server that is `*`, `0.0.0.0` or a free variable host tells clients to trust any host."""
    server = ctx.resolve(target)
    if isinstance(server, str):  # OpenAPI 2.0 `host`
        url, variables, rel = "//" + server, {}, ()
    elif isinstance(server, dict) and isinstance(server.get("url"), str):
        url, variables, rel = server["url"], ctx.resolve(server.get("variables")) or {}, ("url",)
    else:
        return
    host = _host_of(url)
    hostname = re.sub(r":\d+$", "", host)
    reason = None
    if "*" in url:
        reason = "contains a wildcard"
    elif hostname in ("0.0.0.0", "[::]"):
        reason = "binds to every address"
    else:
        m = re.fullmatch(r"\{([^}]+)\}(?::.*)?", host)
        if m:
            var = ctx.resolve(variables.get(m.group(1))) if isinstance(variables, dict) else None
            enum = ctx.resolve(var.get("enum")) if isinstance(var, dict) else None
            if not enum:
                reason = f"takes its whole host from variable '{m.group(1)}' without an enum"
    if reason:
        shown = url[2:] if isinstance(server, str) else url
        yield Hit(f"Server '{shown}' {reason}", path=rel)


# --------------------------------------------------------------------------- parameters


_PII_LONG = ("socialsecurity", "nationalid", "nationalinsurance", "passport", "password", "passwd", "passphrase",
             "cardnumber", "creditcard", "debitcard", "dateofbirth", "birthdate", "birthday", "email",
             "phonenumber", "mobilenumber", "taxid", "iban")
_PII_WORDS = {"ssn", "dob", "pwd", "cvv", "cvc", "pan", "nino", "sin", "phone", "mobile", "msisdn"}
_CRED_LONG = ("apikey", "accesstoken", "refreshtoken", "idtoken", "authtoken", "bearertoken", "clientsecret",
              "sessionid", "sessiontoken", "privatekey", "secretkey")
_CRED_WORDS = {"token", "secret", "jwt", "session", "authorization", "auth", "credential", "credentials", "key",
               "apikey", "sig"}
_NOT_CRED_WORDS = {"page", "next", "continuation", "cursor", "sync", "pagination", "idempotency", "csrf",
                   "xsrf", "sort", "type", "expires", "expiry", "name", "id"}


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def sensitive_kind(name: str, kind: str) -> str | None:
    """What the name looks like ('personal data' / 'a credential'), or None. Public for unit tests."""
    words = _words(name)
    joined = "".join(words)
    if kind == "pii":
        if any(m in joined for m in _PII_LONG) or any(w in _PII_WORDS for w in words):
            return "personal data"
        return None
    if any(w in _NOT_CRED_WORDS for w in words):
        return None
    if any(m in joined for m in _CRED_LONG) or any(w in _CRED_WORDS for w in words):
        return "a credential"
    return None


@register("sensitiveQueryParameter")
def sensitive_query_parameter(target, options, ctx):
    """Query strings are logged everywhere; personal data or credentials there leak (option `kind`: pii | credential)."""
    param = ctx.resolve(target)
    if not isinstance(param, dict) or param.get("in") != "query" or not isinstance(param.get("name"), str):
        return
    found = sensitive_kind(param["name"], str(options.get("kind", "pii")))
    if found:
        where = operation_label(ctx.path[:3]) if len(ctx.path) > 3 and ctx.path[2] in METHODS else (
            f"path {ctx.path[1]}" if len(ctx.path) > 1 and ctx.path[0] == "paths" else "the API")
        yield Hit(f"Query parameter '{param['name']}' of {where} looks like {found}", path=("name",))


# --------------------------------------------------------------------------- request body schemas

_BOUNDED_FORMATS = {"date", "date-time", "time", "uuid", "ipv4", "ipv6", "int32", "int64", "byte-length",
                    "duration", "hostname"}


def local_pointer(data: Any, ref: str) -> tuple | None:
    """The path of a local `#/...` reference, when it points into this document; None otherwise."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        return None
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ref[1:].split("/")[1:]] if ref != "#" else []
    node = data
    out: list = []
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
            out.append(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
            out.append(int(part))
        else:
            return None
    return tuple(out)


def locate(ctx, value: Any, path: tuple) -> tuple[Any, tuple]:
    """Follow `$ref`s, moving `path` to where the value is written when the ref is local.

    A ref into another file is resolved for reading, but `path` stays at the `$ref` that leads there:
    a Hit path is relative to this document, so the finding points at the reference.
    """
    seen = 0
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and seen < 32:
        seen += 1
        target = local_pointer(ctx.data, value["$ref"])
        if target is None:
            return ctx.resolve(value), path
        node = ctx.data
        for p in target:
            node = node[p]
        value, path = node, target
    return value, path


def _types(schema: dict) -> set:
    t = schema.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def walk_schema(ctx, schema: Any, path: tuple, seen: set) -> Iterator[tuple[dict, tuple]]:
    """Each schema node reachable from `schema` once, with the path where it is written (cycle-safe)."""
    stack = [(schema, path)]
    while stack:
        node, where = stack.pop()
        node, where = locate(ctx, node, where)
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        yield node, where
        for key in ("properties", "patternProperties"):
            children = node.get(key)
            if isinstance(children, dict):
                for name, child in children.items():
                    stack.append((child, where + (key, name)))
        for key in ("items", "additionalProperties", "unevaluatedProperties", "contains"):
            child = node.get(key)
            if isinstance(child, dict):
                stack.append((child, where + (key,)))
            elif key == "items" and isinstance(child, list):
                stack.extend((c, where + (key, i)) for i, c in enumerate(child))
        for key in ("allOf", "anyOf", "oneOf", "prefixItems"):
            children = node.get(key)
            if isinstance(children, list):
                stack.extend((c, where + (key, i)) for i, c in enumerate(children))


def request_body_schemas(ctx) -> Iterator[tuple[Any, tuple, str]]:
    """Top-level request schemas: 3.x requestBody content, 2.0 `in: body` / `in: formData` parameters."""
    data = ctx.data
    for op_path, op, item in iter_operations(data, ctx.resolve):
        label = operation_label(op_path)
        body, body_path = locate(ctx, op.get("requestBody"), op_path + ("requestBody",))
        if isinstance(body, dict):
            content = ctx.resolve(body.get("content"))
            if isinstance(content, dict):
                for media, entry in content.items():
                    entry = ctx.resolve(entry)
                    if isinstance(entry, dict) and "schema" in entry:
                        yield entry["schema"], body_path + ("content", media, "schema"), label
        lists = [(op_path[:2] + ("parameters",), item.get("parameters")), (op_path + ("parameters",),
                                                                             op.get("parameters"))]
        for base, params in lists:
            params = ctx.resolve(params)
            if not isinstance(params, list):
                continue
            for i, param in enumerate(params):
                param, ppath = locate(ctx, param, base + (i,))
                if not isinstance(param, dict):
                    continue
                if param.get("in") == "body" and "schema" in param:
                    yield param["schema"], ppath + ("schema",), label
                elif param.get("in") == "formData":
                    yield param, ppath, label


def describe_schema(path: tuple) -> str:
    """A short readable place for a schema node: `Pet.name` style when it sits under a named schema."""
    for i in range(len(path) - 1, -1, -1):
        if i >= 1 and path[i - 1] in ("schemas", "definitions"):
            rest = [str(p) for j, p in enumerate(path[i + 1:]) if path[i + j] in ("properties",)]
            return ".".join([str(path[i])] + rest) + ("" if path[-2:-1] == ("properties",) or i == len(path) - 1
                                                      else f" ({pointer(path[i + 1:])})")
    props = [str(path[j + 1]) for j in range(len(path) - 1) if path[j] == "properties"]
    return ".".join(props) if props else "schema " + pointer(path)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _bounded_check(node: dict, check: str) -> str | None:
    """Why this schema node is unbounded for `check`, or None."""
    types = _types(node)
    if "enum" in node or "const" in node:
        return None
    if check == "strings" and "string" in types:
        if "maxLength" not in node and str(node.get("format", "")) not in _BOUNDED_FORMATS:
            return "string has no maxLength"
    elif check == "arrays" and "array" in types:
        if "maxItems" not in node:
            return "array has no maxItems"
    elif check == "numbers" and types & {"integer", "number"}:
        missing = [k for k, alt in (("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum"))
                   if not (_is_number(node.get(k)) or _is_number(node.get(alt)))]
        if missing:
            return "number has no " + " or ".join(missing)
    elif check == "objects" and ("object" in types or isinstance(node.get("properties"), dict)):
        if isinstance(node.get("properties"), dict) and node.get("additionalProperties", True) is True \
                and node.get("unevaluatedProperties", True) is True and "maxProperties" not in node:
            return "object accepts undeclared properties (no additionalProperties: false)"
    return None


@register("requestBodyBounded")
def request_body_bounded(target, options, ctx):
    """Request schemas bound what a client may send (option `check`: strings | arrays | numbers | objects).

    Each schema is reported once where it is written, even when several operations share it.
    """
    check = str(options.get("check", "strings"))
    seen: set = set()
    closed: set = set()  # members of a composition closed by the parent's unevaluatedProperties: false
    for schema, path, label in request_body_schemas(ctx):
        for node, where in walk_schema(ctx, schema, path, seen):
            if node.get("unevaluatedProperties") is False:
                for key in ("allOf", "anyOf", "oneOf"):
                    members = node.get(key)
                    for member in members if isinstance(members, list) else ():
                        closed.add(id(locate(ctx, member, ())[0]))
            if check == "objects" and id(node) in closed:
                continue
            why = _bounded_check(node, check)
            if why:
                what = f"the request body of {label}" if where == path else \
                    f"request schema '{describe_schema(where)}' (first used by {label})"
                yield Hit(f"In {what}: {why}", path=where)


# --------------------------------------------------------------------------- secrets in examples

_SECRET_PATTERNS = (
    ("a JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("a bearer token", re.compile(r"(?i)\bbearer\s+(?!<)[A-Za-z0-9\-._~+/]{16,}=*")),
    ("HTTP Basic credentials", re.compile(r"(?i)\bbasic\s+[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])")),
    ("an AWS access key", re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")),
    ("a GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a Stripe secret key", re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}")),
    ("a password", re.compile(r"(?i)\b(?:password|passwd|pwd|secret)\s*[:=]\s*(?![<{*$%])[^\s,;&'\"}]{4,}")),
    ("credentials in a URL", re.compile(r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?![<{*$%])[^/\s@]{3,}@")),
)
_SECRET_KEYS = re.compile(r"(?i)^(?:password|passwd|pwd|passphrase|secret|client_?secret|api_?key|x-api-key|"
                          r"access_?token|refresh_?token|id_?token|auth_?token|private_?key|secret_?key|"
                          r"authorization|credentials?)$")
_PLACEHOLDER = re.compile(r"(?i)^(?:[<{\[(].*[>}\])]|[*x•.#-]+|string|example|redacted|changeme|secret|password|"
                          r"token|your[-_ ].*|\$\{?.*\}?|%.*%|\.\.\.|null|none|true|false|)$")
_NAMED_MAPS = {"properties", "patternProperties", "definitions", "$defs", "schemas", "responses", "parameters",
               "securitySchemes", "securityDefinitions", "paths", "callbacks", "links", "requestBodies", "headers",
               "encoding", "content", "variables", "mapping", "scopes", "pathItems", "webhooks"}
_EXAMPLE_KEYS = {"example", "examples", "default", "x-example", "x-examples"}


def redact(text: str) -> str:
    """Enough of a secret to find it again (first 4 characters), never enough to use it."""
    text = str(text)
    return (text[:4] + "…[redacted]") if len(text) > 4 else "[redacted]"


def secret_match(text: str) -> tuple[str, str] | None:
    """(what it looks like, the matching text) for the first secret pattern found in `text`, or None."""
    for kind, pattern in _SECRET_PATTERNS:
        m = pattern.search(text)
        if m:
            return kind, m.group(0)
    return None


def secret_kind(text: str) -> str | None:
    """What the text looks like ('a JWT', 'an AWS access key', ...), or None. Public for unit tests."""
    found = secret_match(text)
    return found[0] if found else None


def _scan_value(value: Any, path: tuple, depth: int = 0) -> Iterator[tuple[tuple, str, str]]:
    """(path, kind, text) for each secret-looking string inside an example value."""
    if depth > 64:
        return
    if isinstance(value, str):
        found = secret_match(value)
        if found:
            yield path, found[0], found[1]
    elif isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, str) and _SECRET_KEYS.match(str(key)) and not _PLACEHOLDER.match(child.strip()):
                yield path + (key,), "a real secret", child
                continue
            yield from _scan_value(child, path + (key,), depth + 1)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from _scan_value(child, path + (i,), depth + 1)


@register("noSecretsInExamples")
def no_secrets_in_examples(target, options, ctx):
    """Examples and defaults are published in portals and SDKs; a real-looking secret there is a leak.

    Walks the document as written. Keys of name maps (`properties`, `responses`, ...) are names,
    not keywords, so a property called `example` or the `default` response are not taken for examples.
    The message never repeats the secret: it shows a redacted prefix only.
    """
    root = ctx.resolve(target)
    stack: list[tuple[Any, tuple, bool]] = [(root, (), False)]
    reported: set = set()
    while stack:
        node, path, names = stack.pop()
        if len(path) > 256:
            continue
        if isinstance(node, dict):
            for key, child in node.items():
                if not names and key in _EXAMPLE_KEYS:
                    for rel, kind, text in _scan_value(child, path + (key,)):
                        if rel not in reported:
                            reported.add(rel)
                            field = rel[-1] if rel and isinstance(rel[-1], str) else None
                            named = f" ('{field}')" if field and field not in _EXAMPLE_KEYS | {"value"} else ""
                            yield Hit(f"An example value{named} looks like {kind} ({redact(text)})", path=rel,
                                      value=redact(text), evidence={"kind": kind})
                    continue
                stack.append((child, path + (key,), (not names) and key in _NAMED_MAPS))
        elif isinstance(node, list):
            for i, child in enumerate(node):
                stack.append((child, path + (i,), False))
