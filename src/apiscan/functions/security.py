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


_CACHE: dict[int, tuple[Any, dict]] = {}
_CACHE_DOCUMENTS = 2


def per_document(ctx, name: str, build):
    """`build()` once per document and per `name`, shared by the rules that need the same walk.

    Several rules walk the same schemas (deprecation, sunset, bounds); on a large description
    (GitHub's is 13 MB) walking once instead of four times is most of their cost. The cache holds
    the document itself, so an id can never be reused by another document while cached, and keeps
    only the last few documents.
    """
    doc = ctx.document
    if doc is None:
        return build()
    entry = _CACHE.get(id(doc))
    if entry is None or entry[0] is not doc:
        while len(_CACHE) >= _CACHE_DOCUMENTS:
            _CACHE.pop(next(iter(_CACHE)))
        entry = (doc, {})
        _CACHE[id(doc)] = entry
    store = entry[1]
    if name not in store:
        store[name] = build()
    return store[name]


# --------------------------------------------------------------------------- operations


@register("operationSecurity")
def operation_security(target, options, ctx):
    """An operation is protected, or opts out explicitly (`security: []`) and says why.

    Option `exceptMethods` (e.g. `[options]`): methods never checked; CORS preflight requests
    carry no credentials by design, so demanding authentication on them breaks browsers.
    """
    op = ctx.resolve(target)
    if not isinstance(op, dict):
        return
    if ctx.path and str(ctx.path[-1]).lower() in {str(m).lower() for m in options.get("exceptMethods") or ()}:
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
# `key` alone (Google's `?key=`) is a credential; `userKey`, `search_key` or `keyId` are not.
_CRED_WORDS = {"token", "secret", "jwt", "session", "authorization", "auth", "credential", "credentials", "apikey"}
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
    if joined == "key" or any(m in joined for m in _CRED_LONG):
        return "a credential"
    if any(w in _NOT_CRED_WORDS for w in words):
        return None
    if any(w in _CRED_WORDS for w in words):
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
    """Follow `$ref`s, moving `path` to where the value is written when that is in the entry file.

    When the target is in another file, `path` stays logical (through the `$ref` that leads there):
    a Hit path is relative to the entry document, and the engine follows the same references to
    report the place where the value is written.
    """
    if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
        return value, path
    resolver = ctx.resolver
    if resolver is not None and hasattr(resolver, "deref_loc"):
        target, file, where = resolver.deref_loc(value, resolver.file_of(value), ())
        entry = getattr(ctx.document, "key", None)
        if file == entry and target is not value:
            return target, tuple(where)
        return target, path
    for _hop in range(32):  # no resolver: local references only
        target = local_pointer(ctx.data, value["$ref"])
        if target is None:
            return value, path
        node = ctx.data
        for p in target:
            node = node[p]
        value, path = node, target
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            break
    return value, path


def _types(schema: dict) -> set:
    t = schema.get("type")
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_ONE = ("items", "additionalProperties", "unevaluatedProperties", "contains")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SCHEMA_CHILD_KEYS = frozenset(_SCHEMA_MAPS + _SCHEMA_ONE + _SCHEMA_LISTS)


def walk_schema(ctx, schema: Any, path: tuple, seen: set) -> Iterator[tuple[dict, tuple]]:
    """Each schema node reachable from `schema` once, with the path where it is written (cycle-safe).

    Nodes already in `seen` (ids) are skipped, so a shared `seen` walks several roots without repeats.
    """
    stack = [(schema, path)]
    pop, push = stack.pop, stack.append
    while stack:
        node, where = pop()
        if type(node) is not dict:
            continue
        if "$ref" in node:
            node, where = locate(ctx, node, where)
            if type(node) is not dict:
                continue
        nid = id(node)
        if nid in seen:
            continue
        seen.add(nid)
        yield node, where
        keys = node.keys() & _SCHEMA_CHILD_KEYS
        if not keys:
            continue
        for key in keys:
            child = node[key]
            if type(child) is dict:
                if key in _SCHEMA_MAPS:
                    for name, sub in child.items():
                        push((sub, where + (key, name)))
                elif key in _SCHEMA_ONE:
                    push((child, where + (key,)))
            elif type(child) is list and key in _SCHEMA_LISTS:
                for i, sub in enumerate(child):
                    push((sub, where + (key, i)))


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


def request_schema_nodes(ctx) -> list[tuple[dict, tuple, str, bool, bool]]:
    """(node, path, first operation, is the body's top schema, closed by a parent) for every request schema.

    Each schema appears once, where it is written, even when several operations share it.
    """
    out = []
    seen: set = set()
    closed: set = set()  # members of a composition closed by the parent's unevaluatedProperties: false
    for schema, path, label in request_body_schemas(ctx):
        for node, where in walk_schema(ctx, schema, path, seen):
            if node.get("unevaluatedProperties") is False:
                for key in ("allOf", "anyOf", "oneOf"):
                    members = node.get(key)
                    for member in members if isinstance(members, list) else ():
                        closed.add(id(locate(ctx, member, ())[0]))
            out.append((node, where, label, where == path, id(node) in closed))
    return out


@register("requestBodyBounded")
def request_body_bounded(target, options, ctx):
    """Request schemas bound what a client may send (option `check`: strings | arrays | numbers | objects)."""
    check = str(options.get("check", "strings"))
    for node, where, label, top, closed in per_document(ctx, "request-schemas", lambda: request_schema_nodes(ctx)):
        if check == "objects" and closed:
            continue
        why = _bounded_check(node, check)
        if why:
            what = f"the request body of {label}" if top else \
                f"request schema '{describe_schema(where)}' (first used by {label})"
            yield Hit(f"In {what}: {why}", path=where)


# --------------------------------------------------------------------------- secrets in examples

# (what it looks like, lower-case substrings one of which must occur, pattern). The substring test
# is a cheap filter: the walk visits every example string of large documents.
_SECRET_PATTERNS = (
    ("a JWT", ("eyj",), r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ("a bearer token", ("bearer",), r"(?i)\bbearer\s+(?!<)[A-Za-z0-9\-._~+/]{16,}=*"),
    ("HTTP Basic credentials", ("basic",), r"(?i)\bbasic\s+[A-Za-z0-9+/]{12,}={0,2}(?![A-Za-z0-9+/=])"),
    ("an AWS access key", ("akia", "asia", "agpa", "aida", "aroa"),
     r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    ("a private key", ("private key",), r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ("a GitHub token", ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"), r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})"),
    ("a Slack token", ("xox",), r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("a Google API key", ("aiza",), r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("a Stripe secret key", ("k_live_",), r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
    ("a password", ("password", "passwd", "pwd", "secret"),
     r"(?i)\b(?:password|passwd|pwd|secret)\s*[:=]\s*(?![<{*$%])[^\s,;&'\"}]{4,}"),
    ("credentials in a URL", ("@",), r"(?i)\b[a-z][a-z0-9+.-]*://[^/\s:@]+:(?![<{*$%])[^/\s@]{3,}@"),
)
_SECRET_CHECKS = tuple((kind, triggers, re.compile(p)) for kind, triggers, p in _SECRET_PATTERNS)
_SECRET_MIN = 8
_SECRET_TRIGGER = re.compile("|".join(sorted({re.escape(t) for _k, ts, _p in _SECRET_PATTERNS for t in ts})))
_SECRET_KEYS = re.compile(r"(?i)^(?:password|passwd|pwd|passphrase|secret|client_?secret|api_?key|x-api-key|"
                          r"access_?token|refresh_?token|id_?token|auth_?token|private_?key|secret_?key|"
                          r"authorization|credentials?)$")
_PLACEHOLDER = re.compile(r"(?i)^(?:[<{\[(].*[>}\])]|[*x•.#-]+|string|example|redacted|changeme|secret|password|"
                          r"token|your[-_ ].*|\$\{?.*\}?|%.*%|\.\.\.|null|none|true|false|)$")
# Markers of a value someone wrote to look fake: never reported, whichever detector matched.
_FAKE_MARKERS = re.compile(r"(?i)xxxx|\*\*\*\*|•••|example|dummy|sample|placeholder|redacted|changeme|"
                           r"your[-_ ]?(?:api[-_ ]?)?(?:key|token|secret)|<[^>]*>|\{\{[^}]*\}\}|\$\{[^}]*\}")


def looks_fake(text: str) -> bool:
    """True for obvious placeholders (`<token>`, `****`, `xxxx`, `YOUR_API_KEY`, AWS's `...EXAMPLE` keys)."""
    return bool(_FAKE_MARKERS.search(text))


_NAMED_MAPS = {"properties", "patternProperties", "definitions", "$defs", "schemas", "responses", "parameters",
               "securitySchemes", "securityDefinitions", "paths", "callbacks", "links", "requestBodies", "headers",
               "encoding", "content", "variables", "mapping", "scopes", "pathItems", "webhooks"}
EXAMPLE_KEYS = {"example", "examples", "default", "x-example", "x-examples"}


def redact(text: str) -> str:
    """Enough of a secret to find it again (first 4 characters), never enough to use it."""
    text = str(text)
    return (text[:4] + "…[redacted]") if len(text) > 4 else "[redacted]"


def secret_match(text: str) -> tuple[str, str] | None:
    """(what it looks like, the matching text) for the first secret pattern found in `text`, or None."""
    if len(text) < _SECRET_MIN:
        return None
    low = text.lower()
    if _SECRET_TRIGGER.search(low) is None:
        return None
    for kind, triggers, pattern in _SECRET_CHECKS:
        if any(t in low for t in triggers):
            m = pattern.search(text)
            if m and not looks_fake(m.group(0)):
                return kind, m.group(0)
    return None


def secret_kind(text: str) -> str | None:
    """What the text looks like ('a JWT', 'an AWS access key', ...), or None. Public for unit tests."""
    found = secret_match(text)
    return found[0] if found else None


def _secret_field(key: Any, value: str) -> bool:
    """A credential-named field holding something that is not a placeholder or a plain URL."""
    if not _SECRET_KEYS.match(str(key)):
        return False
    text = value.strip()
    low = text.lower()
    if any(len(w) >= 5 and w in low for w in _words(str(key))):  # password: "mypassword1" is made up
        return False
    return not (_PLACEHOLDER.match(text) or looks_fake(text) or re.match(r"(?i)^https?://[^@]*$", text))


def _scan_value(value: Any, path: tuple) -> list[tuple[tuple, str, str]]:
    """(path, kind, text) for each secret-looking string inside an example value (iterative, bounded depth)."""
    out = []
    if type(value) is str:
        found = secret_match(value)
        return [(path, found[0], found[1])] if found else out
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if len(where) > 64 + len(path):
            continue
        items = node.items() if type(node) is dict else enumerate(node) if type(node) is list else ()
        for key, child in items:
            tc = type(child)
            if tc is str:
                if len(child) < _SECRET_MIN:
                    continue
                if type(key) is str and _secret_field(key, child):
                    out.append((where + (key,), "a real secret", child))
                    continue
                found = secret_match(child)
                if found:
                    out.append((where + (key,), found[0], found[1]))
            elif tc is dict or tc is list:
                stack.append((child, where + (key,)))
    out.reverse()
    return out


def is_names_map(node: Any) -> bool:
    """Whether an engine node (value, file, path, key, parent) is a map of names (`properties`, `responses`, ...).

    Counts the unbroken run of nodes, from this one up, whose key is a name-map keyword:
    `properties` is a map of names, `properties.properties` a schema named "properties", and so
    on alternately.
    """
    run = 0
    while isinstance(node, tuple) and len(node) >= 5 and node[3] in _NAMED_MAPS:
        run += 1
        node = node[4]
    return run % 2 == 1


def names_holder(node: Any) -> bool:
    """Whether the object holding this node is a map of names (so the node's key is a name, not a keyword)."""
    return isinstance(node, tuple) and len(node) >= 5 and is_names_map(node[4])


def inside_example(node: Any) -> bool:
    """Whether an enclosing example already covers this one (`examples.default`, nested `example`s)."""
    holder = node[4] if isinstance(node, tuple) and len(node) >= 5 else None
    while isinstance(holder, tuple) and len(holder) >= 5:
        if holder[3] in EXAMPLE_KEYS and not names_holder(holder):
            return True
        holder = holder[4]
    return False


@register("noSecretsInExamples")
def no_secrets_in_examples(target, options, ctx):
    """Examples and defaults are published in portals and SDKs; a real-looking secret there is a leak.

    The target is an `example`/`examples`/`default`/`x-example(s)` value (selected with `$..`).
    When its key sits in a map of names (a property called `example`, the `default` response),
    it is not an example and is skipped. The message never repeats the secret, only a redacted prefix.
    """
    node = getattr(ctx, "node", None)
    if names_holder(node) or inside_example(node):
        return
    for rel, kind, text in _scan_value(ctx.resolve(target), ()):
        field = rel[-1] if rel and isinstance(rel[-1], str) else None
        named = f" ('{field}')" if field and field not in EXAMPLE_KEYS | {"value"} else ""
        yield Hit(f"An example value{named} looks like {kind} ({redact(text)})", path=rel,
                  value=redact(text), evidence={"kind": kind})
