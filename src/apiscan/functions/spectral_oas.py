"""The custom functions of Spectral's `spectral:oas` ruleset, registered under Spectral's names.

Each mirrors what Spectral 6.x reports (messages, which node a result points at), written for
our contract: the target has its top-level `$ref` followed, nested values may still be `$ref`s
(Spectral runs these rules on the resolved document, so we resolve as we look inside), and a
Hit's path is relative to the target. Functions whose Spectral version returns absolute paths
strip the target's own path.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Iterator

import orjson

from apiscan.functions import core, example_schema
from apiscan.functions.registry import MISSING, FunctionOptionsError, Hit, register

HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


# --------------------------------------------------------------------------- helpers


def _fmt(ctx: Any) -> str:
    return (getattr(ctx, "format", "") or "") if ctx is not None else ""


def is_oas2(ctx: Any) -> bool:
    return _fmt(ctx) == "oas2"


def is_oas3(ctx: Any) -> bool:
    return _fmt(ctx).startswith("oas3")


def is_oas3_0(ctx: Any) -> bool:
    return _fmt(ctx) == "oas3.0"


def is_oas3_1(ctx: Any) -> bool:
    return _fmt(ctx) == "oas3.1"


def _resolve(ctx: Any, value: Any) -> Any:
    return ctx.resolve(value) if ctx is not None else value


def _base(ctx: Any) -> tuple:
    return tuple(getattr(ctx, "path", ()) or ())


def _relative(ctx: Any, absolute: tuple) -> tuple:
    """Spectral's absolute result path → ours, relative to the target."""
    base = _base(ctx)
    if absolute[: len(base)] == base:
        return tuple(absolute[len(base):])
    return tuple(absolute)


def _no_options(name: str, options: Any) -> None:
    if options not in (None, {}, MISSING):
        raise FunctionOptionsError(f'"{name}" function does not accept any options')


def iter_operations(ctx: Any, paths: Any) -> Iterator[tuple[str, str, dict]]:
    """(path, method, operation) for every operation object, path items followed through `$ref`."""
    paths = _resolve(ctx, paths)
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        item = _resolve(ctx, item)
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            op = _resolve(ctx, op)
            if isinstance(op, dict):
                yield path, method, op


# --------------------------------------------------------------------------- operations


@register("oasOpSuccessResponse")
def oas_op_success_response(target: Any, options: Any, ctx: Any):
    _no_options("oasOpSuccessResponse", options)
    if not isinstance(target, dict):
        return None
    oas3 = is_oas3(ctx)
    for code in target:
        if oas3 and code in ("2XX", "3XX"):
            return None
        number = core.js_to_number(code)
        if 200 <= number < 400:
            return None
    return [Hit("Operation must define at least a single 2xx or 3xx response")]


_FORM_CONSUMES = re.compile(r"(application/x-www-form-urlencoded|multipart/form-data)")


@register("oasOpFormDataConsumeCheck")
def oas_op_form_data_consume_check(target: Any, options: Any, ctx: Any):
    _no_options("oasOpFormDataConsumeCheck", options)
    if not isinstance(target, dict):
        return None
    params, consumes = target.get("parameters"), target.get("consumes")
    if not isinstance(params, list) or not isinstance(consumes, list):
        return None
    has_form = any(isinstance(p, dict) and p.get("in") == "formData" for p in (_resolve(ctx, x) for x in params))
    joined = ",".join("" if c is None else (c if isinstance(c, str) else core.json_text(c)) for c in consumes)
    if has_form and not _FORM_CONSUMES.search(joined):
        return [Hit("Consumes must include urlencoded, multipart, or form-data media type when using formData parameter.")]
    return None


@register("oasOpIdUnique")
def oas_op_id_unique(target: Any, options: Any, ctx: Any):
    """Given `$.paths` (6.13+) or `$` (older): every repeated operationId after the first."""
    _no_options("oasOpIdUnique", options)
    if not isinstance(target, dict):
        return None
    paths, prefix = (target, ()) if _base(ctx)[-1:] == ("paths",) else (target.get("paths"), ("paths",))
    seen_keys: set = set()  # JavaScript `===` on primitives, as hashable keys (a list scan was
    seen_objects: list = []  # quadratic: 21 s on Microsoft Graph's 10,000 operations)
    hits = []
    for path, method, op in iter_operations(ctx, paths):
        if "operationId" not in op:
            continue
        op_id = op["operationId"]
        key = _strict_key(op_id)
        if key is None:
            repeated = any(core.js_strict_equal(op_id, s) for s in seen_objects)
            if not repeated:
                seen_objects.append(op_id)
        else:
            repeated = key in seen_keys
            seen_keys.add(key)
        if repeated:
            hits.append(Hit("operationId must be unique.", path=prefix + (path, method, "operationId")))
    return hits or None


def _strict_key(value: Any):
    """A key equal for two primitives exactly when JavaScript's `===` holds (None for objects)."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("nan", id(value)) if value != value else ("num", float(value))
    if isinstance(value, str):
        return ("str", value)
    if value is None:
        return ("null",)
    return None


@register("oasOpParams")
def oas_op_params(target: Any, options: Any, ctx: Any):
    _no_options("oasOpParams", options)
    if not isinstance(target, list) or len(target) < 2:
        return None
    seen: list[str] = []
    duplicates: list[int] = []
    body: list[int] = []
    form: list[int] = []
    for index, raw in enumerate(target):
        param = _resolve(ctx, raw)
        if not isinstance(param, (dict, list)) or (isinstance(param, dict) and "$ref" in param):
            continue
        if isinstance(param, list):
            continue
        fingerprint = f"{_js_string(param.get('in', MISSING))}-{_js_string(param.get('name', MISSING))}"
        if fingerprint in seen:
            duplicates.append(index)
        else:
            seen.append(fingerprint)
        if param.get("in") == "body":
            body.append(index)
        elif param.get("in") == "formData":
            form.append(index)
    hits = [
        Hit('A parameter in this operation already exposes the same combination of "name" and "in" values.', path=(i,))
        for i in duplicates
    ]
    if body and form:
        hits.append(Hit('Operation must not have both "in:body" and "in:formData" parameters.'))
    for i in body[1:]:
        hits.append(Hit('Operation must not have more than a single instance of the "in:body" parameter.', path=(i,)))
    return hits or None


def _js_string(value: Any) -> str:
    """`String(value)` for the values a parameter's name/in can hold."""
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if core.is_number(value):
        return core.js_number_text(value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, list):
        return ",".join("" if v is None else _js_string(v) for v in value)
    return str(value)


@register("oasTagDefined")
def oas_tag_defined(target: Any, options: Any, ctx: Any):
    _no_options("oasTagDefined", options)
    if not isinstance(target, dict):
        return None
    names: list[str] = []
    tags = _resolve(ctx, target.get("tags"))
    if isinstance(tags, list):
        for tag in tags:
            tag = _resolve(ctx, tag)
            if isinstance(tag, dict) and isinstance(tag.get("name"), str):
                names.append(tag["name"])
    hits = []
    for path, method, op in iter_operations(ctx, target.get("paths")):
        op_tags = _resolve(ctx, op.get("tags"))
        if not isinstance(op_tags, list):
            continue
        for i, tag in enumerate(op_tags):
            if not any(core.js_strict_equal(tag, n) for n in names):
                hits.append(Hit("Operation tags must be defined in global tags.", path=("paths", path, method, "tags", i)))
    return hits or None


# --------------------------------------------------------------------------- path parameters

_PATH_TEMPLATE = re.compile(r"(\{;?\??[a-zA-Z0-9_-]+\*?\})")


@register("oasPathParam")
def oas_path_param(target: Any, options: Any, ctx: Any):
    """Templated path parameters are declared, required, used, unique; equivalent paths are flagged."""
    _no_options("oasPathParam", options)
    if not isinstance(target, dict):
        return None
    if _base(ctx)[-1:] == ("paths",):
        paths, prefix = target, ()
    else:
        paths, prefix = _resolve(ctx, target.get("paths")), ("paths",)
        if not isinstance(paths, dict):
            return None
    hits: list[Hit] = []

    def add(message: str, path: tuple) -> None:
        hits.append(Hit(message, path=prefix + path))

    def named_path_param(p: dict, where: tuple, seen: dict) -> bool:
        if p.get("in", MISSING) is MISSING or p.get("in") != "path" or p.get("name", MISSING) is MISSING:
            return False
        name = _js_string(p["name"])
        if p.get("required") is not True:
            add(f'Path parameter "{name}" must have "required" property that is set to "true".', where)
        if name in seen:
            add(f'Path parameter "{name}" must not be defined multiple times.', where)
            return False
        return True

    unique: dict[str, str] = {}
    for path, item in paths.items():
        item = _resolve(ctx, item)
        if not isinstance(item, (dict, list)):
            continue
        normalized = _PATH_TEMPLATE.sub("%", path)
        if normalized in unique:
            add(f'Paths "{unique[normalized]}" and "{path}" must not be equivalent.', (path,))
        else:
            unique[normalized] = path
        elements: list[str] = []
        for m in _PATH_TEMPLATE.finditer(path):
            name = re.sub(r"[{}?*;]", "", m.group(0))
            if name in elements:
                add(f'Path "{path}" must not use parameter "{{{name}}}" multiple times.', (path,))
            else:
                elements.append(name)
        if not isinstance(item, dict):
            continue
        top: dict[str, tuple] = {}
        params = _resolve(ctx, item.get("parameters"))
        if isinstance(params, list):
            for i, p in enumerate(params):
                p = _resolve(ctx, p)
                if not isinstance(p, dict):
                    continue
                where = (path, "parameters", i)
                if named_path_param(p, where, top):
                    top[_js_string(p["name"])] = where
        for method, op in item.items():
            op = _resolve(ctx, op)
            if not isinstance(op, dict) or method == "parameters" or method not in HTTP_METHODS:
                continue
            own: dict[str, tuple] = {}
            op_params = _resolve(ctx, op.get("parameters"))
            if isinstance(op_params, list):
                for i, p in enumerate(op_params):
                    p = _resolve(ctx, p)
                    if not isinstance(p, dict):
                        continue
                    where = (path, method, "parameters", i)
                    if named_path_param(p, where, own):
                        own[_js_string(p["name"])] = where
            declared = {**top, **own}
            for name, where in declared.items():
                if name not in elements:
                    add(f'Parameter "{name}" must be used in path "{path}".', where)
            for name in elements:
                if name not in declared:
                    add(f'Operation must define parameter "{{{name}}}" as expected by path "{path}".', (path, method))
    return hits or None


# --------------------------------------------------------------------------- security, tags, servers


@register("oasSecurityDefined")
def oas_security_defined(target: Any, options: Any, ctx: Any):
    opts = options or {}
    if not isinstance(opts, dict) or set(opts) - {"oasVersion"} or opts.get("oasVersion", 2) not in (2, 3):
        raise FunctionOptionsError('"oasSecurityDefined" function accepts only { "oasVersion": 2 | 3 }')
    version = opts.get("oasVersion")
    if not isinstance(target, dict) or not target:
        return None
    if not all(isinstance(v, list) and all(isinstance(s, str) for s in v) for v in target.values()):
        return None  # Spectral's input schema: a map of string arrays
    data = ctx.data if ctx is not None else None
    if not isinstance(data, dict):
        return None
    if version == 2:
        defs = _resolve(ctx, data.get("securityDefinitions"))
    else:
        comps = _resolve(ctx, data.get("components"))
        defs = _resolve(ctx, comps.get("securitySchemes")) if isinstance(comps, dict) else None
    where = "API" if len(_base(ctx)) == 2 else "Operation"
    location = "securityDefinitions" if version == 2 else "components.securitySchemes"
    hits = []
    for scheme, scopes in target.items():
        if not isinstance(defs, dict) or scheme not in defs:
            hits.append(Hit(f'{where} "security" values must match a scheme defined in the "{location}" object.', path=(scheme,)))
            continue
        definition = _resolve(ctx, defs[scheme])
        for i, scope in enumerate(scopes):
            if not _scope_defined(ctx, version, scope, definition):
                hits.append(Hit(f'"{scope}" must be listed among scopes.', path=(scheme, i)))
    return hits or None


def _scope_defined(ctx: Any, version: int, scope: str, scheme: Any) -> bool:
    if not isinstance(scheme, dict):
        return False
    if version == 2:
        scopes = _resolve(ctx, scheme.get("scopes"))
        return isinstance(scopes, dict) and scope in scopes
    flows = _resolve(ctx, scheme.get("flows"))
    if isinstance(flows, dict):
        for flow in flows.values():
            flow = _resolve(ctx, flow)
            scopes = _resolve(ctx, flow.get("scopes")) if isinstance(flow, dict) else None
            if isinstance(scopes, dict) and scope in scopes:
                return True
    return False


@register("uniquenessTags")
def uniqueness_tags(target: Any, options: Any, ctx: Any):
    _no_options("uniquenessTags", options)
    if not isinstance(target, list):
        return None
    tags = [_resolve(ctx, t) for t in target]
    if not all(isinstance(t, dict) and isinstance(t.get("name"), str) for t in tags):
        return None  # Spectral's input schema: objects with a string name
    names = [t["name"] for t in tags]
    hits = [
        Hit(f'"tags" object contains duplicate tag name "{name}".', path=(i, "name"))
        for i, name in enumerate(names)
        if names.index(name) != i
    ]
    return hits or None


_URL_VAR = re.compile(r"{(.+?)}")
_SPECIAL_SCHEMES = {"http", "https", "ws", "wss", "ftp", "file"}
_FORBIDDEN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")  # WHATWG forbidden domain code points


def _valid_url(text: str) -> bool:
    """A rough WHATWG `new URL(text)` check: a scheme, and a sane host for special schemes."""
    m = re.match(r"^[\x00-\x20]*([A-Za-z][A-Za-z0-9+.\-]*):(.*)$", text, re.DOTALL)
    if not m:
        return False
    scheme, rest = m.group(1).lower(), m.group(2).strip("\x00\x20")
    if scheme not in _SPECIAL_SCHEMES:
        return True
    rest = rest.replace("\\", "/").lstrip("/")
    if scheme == "file":
        return True
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    hostport = authority.rsplit("@", 1)[-1]
    if hostport.startswith("["):
        return "]" in hostport
    host, _, port = hostport.partition(":")
    from urllib.parse import unquote

    host = unquote(host)  # the host is percent-decoded before its code points are checked
    if not host or _FORBIDDEN_HOST.search(host):
        return False
    if port and (not port.isdigit() or int(port) > 65535):
        return False
    return True


def _encode_uri(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="A-Za-z0-9;,/?:@&=+$-_.!~*'()#".replace("A-Za-z0-9", ""))


def _substitutions(url: str, pairs: list[tuple[str, list[str]]]) -> Iterator[str]:
    def rec(current: str, i: int) -> Iterator[str]:
        name, values = pairs[i]
        for value in values:
            replaced = current.replace("{" + name + "}", _encode_uri(value))
            if i == len(pairs) - 1:
                yield replaced
            else:
                yield from rec(replaced, i + 1)

    yield from rec(url, 0)


def _server_valid(server: Any) -> bool:
    if not isinstance(server, dict) or not isinstance(server.get("url"), str):
        return False
    variables = server.get("variables", MISSING)
    if variables is MISSING:
        return True
    if not isinstance(variables, dict):
        return False
    for var in variables.values():
        if not isinstance(var, dict):
            return False
        for key, val in var.items():
            if key == "enum":
                if not isinstance(val, list) or not all(isinstance(v, str) for v in val):
                    return False
            elif key in ("default", "description", "examples"):
                if not isinstance(val, str):
                    return False
            elif not key.startswith("x-"):
                return False
    return True


@register("serverVariables")
def server_variables(target: Any, options: Any, ctx: Any):
    opts = options or {}
    if not isinstance(opts, dict) or set(opts) - {"checkSubstitutions", "requireDefault"}:
        raise FunctionOptionsError('"serverVariables" function accepts only "checkSubstitutions" and "requireDefault" options')
    if not _server_valid(target):
        return [Hit("Invalid Server Object")]
    url = target["url"]
    variables = target.get("variables", MISSING)
    found = [m.group(1) for m in _URL_VAR.finditer(url)]
    defined = list(variables) if isinstance(variables, dict) else []
    hits: list[Hit] = []
    for name in defined:
        if name not in found:
            hits.append(Hit(f"Server's \"variables\" object has unused defined \"{name}\" url variable.", path=("variables", name)))
    if not found:
        return hits or None
    missing = found if not defined else [f for f in found if f not in defined]
    if missing:
        hits.append(Hit(f"Not all server's variables are described with \"variables\" object. Missed: {', '.join(missing)}.",
                        path=("variables",)))
    if not isinstance(variables, dict):
        return hits or None
    pairs: list[tuple[str, list[str]]] = []
    for name in defined:
        if name not in found:
            continue
        var = variables[name]
        if "enum" in var:
            pairs.append((name, list(var["enum"])))
            if "default" in var and var["default"] not in var["enum"]:
                hits.append(Hit(f'Server Variable "{name}" has a default not listed in the enum.',
                                path=("variables", name, "default")))
        elif "default" in var:
            pairs.append((name, [var["default"]]))
        else:
            pairs.append((name, []))
        if "default" not in var and opts.get("requireDefault") is True:
            hits.append(Hit(f'Server Variable "{name}" has a missing default.', path=("variables", name)))
    if opts.get("checkSubstitutions") is True and pairs:
        invalid: list[str] = []
        for candidate in _substitutions(url, pairs):
            if not _valid_url(candidate):
                invalid.append(candidate)
                if len(invalid) == 5:
                    break
        if len(invalid) == 5:
            hits.append(Hit(f"At least 5 substitutions of server variables resulted in invalid URLs: {', '.join(invalid)} and more",
                            path=("variables",)))
        elif invalid:
            hits.append(Hit(f"A few substitutions of server variables resulted in invalid URLs: {', '.join(invalid)}",
                            path=("variables",)))
    return hits or None


# --------------------------------------------------------------------------- schema objects


@register("refSiblings")
def ref_siblings(target: Any, options: Any, ctx: Any):
    """Given the object that holds a `$ref` (our ruleset selects `...[?(@property === '$ref')]^`)."""
    _no_options("refSiblings", options)
    if not isinstance(target, dict) or "$ref" not in target or len(target) == 1:
        return None
    return [Hit("$ref must not be placed next to any other properties", path=(key,)) for key in target if key != "$ref"]


def _data_type(value: Any, check_integer: bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if core.is_number(value):
        if check_integer and float(value).is_integer():
            return "integer"
        return "number"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


@register("typedEnum")
def typed_enum(target: Any, options: Any, ctx: Any):
    _no_options("typedEnum", options)
    if not isinstance(target, dict):
        return None
    values, declared = target.get("enum"), target.get("type")
    if not isinstance(values, list):
        return None
    if not (isinstance(declared, str) or (isinstance(declared, list) and all(isinstance(t, str) for t in declared))):
        return None
    if (target.get("nullable") is True and is_oas3_0(ctx)) or (target.get("x-nullable") is True and is_oas2(ctx)):
        declared = (list(declared) if isinstance(declared, list) else [declared]) + ["null"]
    check_integer = declared == "integer" or (isinstance(declared, list) and "integer" in declared)
    hits = []
    for i, value in enumerate(values):
        kind = _data_type(value, check_integer)
        if kind == declared or (isinstance(declared, list) and kind in declared):
            continue
        shown = ",".join(declared) if isinstance(declared, list) else declared
        hits.append(Hit(f'Enum value {core.print_value(value)} must be "{shown}".', path=("enum", i)))
    return hits or None


@register("oasDiscriminator")
def oas_discriminator(target: Any, options: Any, ctx: Any):
    _no_options("oasDiscriminator", options)
    if not isinstance(target, dict) or not isinstance(target.get("discriminator"), str):
        return None
    name = target["discriminator"]
    hits = []
    props = _resolve(ctx, target.get("properties"))
    if not isinstance(props, (dict, list)) or name not in (props if isinstance(props, dict) else []):
        hits.append(Hit("The discriminator property must be defined in this schema.", path=("properties",)))
    required = _resolve(ctx, target.get("required"))
    if not isinstance(required, list) or name not in required:
        hits.append(Hit("The discriminator property must be in the required property list.", path=("required",)))
    return hits or None


@register("oasUnusedComponent")
def oas_unused_component(target: Any, options: Any, ctx: Any):
    _no_options("oasUnusedComponent", options)
    if not isinstance(target, dict) or not isinstance(target.get("components"), dict):
        return None
    refs = core.local_ref_targets(ctx.data if ctx is not None else target, getattr(ctx, "walker", None))
    hits = []
    for kind in ("schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links", "callbacks"):
        group = target["components"].get(kind)
        if not isinstance(group, (dict, list)) or isinstance(group, list):
            continue
        for name in group:
            if not core.is_referenced(refs, f"#/components/{kind}/{name}", ("components", kind, name)):
                hits.append(Hit("Potential orphaned reusable object has been detected", path=("components", kind, name)))
    return hits or None


# --------------------------------------------------------------------------- oasSchema / oasExample


class _PathCtx:
    """The caller's context seen from another path (Spectral passes `{...context, path}`)."""

    def __init__(self, ctx: Any, path: tuple):
        self._ctx = ctx
        self.path = path

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)

    def resolve(self, value: Any) -> Any:
        return _resolve(self._ctx, value)


def _draft_from_dialect(uri: Any) -> str | None:
    if not isinstance(uri, str):
        return None
    return core.detect_dialect({"$schema": uri})


def oas_schema_hits(target: Any, schema: Any, ctx: Any, all_errors: bool = False, prepared: bool = False) -> list[Hit]:
    """Spectral's oasSchema: the dialect and `nullable` handling follow the document's format
    (`prepared`: the schema comes from example_schema, which has done the `nullable` part)."""
    dialect, prepare = "draft4", None
    fmt = _fmt(ctx)
    if not fmt:
        dialect = "auto"
    elif fmt == "oas3.1":
        data = ctx.data if ctx is not None else None
        declared = data.get("jsonSchemaDialect") if isinstance(data, dict) else None
        dialect = _draft_from_dialect(declared) or "draft2020-12"
    try:
        if fmt in ("oas3.0", "oas2") and not prepared:
            schema = _dialect_schema(ctx, schema)
    except core.SchemaCompileError as exc:
        return [Hit(str(exc))]
    return core.schema_hits(target, schema, dialect, all_errors, ctx, prepare)


def _rewriter(ctx: Any, in_request: bool, in_response: bool, examples: bool) -> example_schema.SchemaRewriter:
    """The document's rewriter for one context; its memo makes each schema object's rewrite once."""
    fmt = _fmt(ctx)
    if ctx is None or not hasattr(ctx, "memo"):
        return example_schema.SchemaRewriter(in_request, in_response, fmt, clean_ids=examples)
    rewriters = ctx.memo("schemaRewriters", dict)
    key = (in_request, in_response, fmt, examples)
    rewriter = rewriters.get(key)
    if rewriter is None:
        rewriter = rewriters[key] = example_schema.SchemaRewriter(in_request, in_response, fmt, clean_ids=examples)
    return rewriter


def _dialect_schema(ctx: Any, schema: Any) -> Any:
    """`nullable` (and OpenAPI 2's `x-nullable`) rewritten for the validator, once per schema
    object per document: a new object means a new compiled validator (3,000 on GitHub's spec).
    AJV refuses `nullable` without `type`; so do we, with its message (SchemaCompileError)."""
    return _rewriter(ctx, False, False, examples=False).rewrite(schema)


@register("oasSchema")
def oas_schema(target: Any, options: Any, ctx: Any):
    if not isinstance(options, dict) or set(options) - {"schema"} or not isinstance(options.get("schema"), dict):
        raise FunctionOptionsError('"oasSchema" function requires a "schema" object option')
    hits = oas_schema_hits(target, options["schema"], ctx)
    return hits or None


def _in_request(path: tuple, version: int) -> bool:
    """Under a request body (where `readOnly` properties may be missing)."""
    return version == 3 and ((len(path) >= 2 and path[0] == "components" and path[1] == "requestBodies") or
                             (len(path) >= 4 and path[0] == "paths" and path[3] == "requestBody"))


def _in_response(path: tuple, version: int) -> bool:
    """Under a response (where `writeOnly` properties may be missing)."""
    if version == 2 and path[:1] == ("responses",):
        return True
    return (len(path) >= 4 and path[0] == "paths" and path[3] == "responses") or \
        (version == 3 and len(path) >= 2 and path[0] == "components" and path[1] == "responses")


def _prepare_schema(ctx: Any, raw_schema: Any, in_request: bool, in_response: bool) -> Any:
    """The schema to validate against, or the SchemaCompileError a schema AJV refuses gives."""
    schema = ctx.resolved(raw_schema) if ctx is not None and hasattr(ctx, "resolved") else raw_schema
    try:
        return _rewriter(ctx, in_request, in_response, examples=True).prepare(schema)
    except core.SchemaCompileError as exc:
        return exc


def _prepared_schema(ctx: Any, raw_schema: Any, in_request: bool, in_response: bool) -> Any:
    """The resolved, rewritten schema for validation, once per (schema, request/response) per
    document; a schema AJV would refuse comes back as the SchemaCompileError to report."""
    if not isinstance(raw_schema, dict) or ctx is None or not hasattr(ctx, "memo"):
        return _prepare_schema(ctx, raw_schema, in_request, in_response)
    by_id = ctx.memo("oasExample.prepared", dict)
    key = (id(raw_schema), in_request, in_response)
    hit = by_id.get(key)
    if hit is not None and hit[0] is raw_schema:
        return hit[1]
    # Equal inline schemas (the same `{type: array, items: {$ref}}` under many operations) share
    # one prepared copy, and so one compiled validator; the file is part of the key because a
    # relative `$ref` means something else in another file.
    by_content = ctx.memo("oasExample.prepared-by-content", dict)
    try:
        content = (getattr(ctx, "file", ""), orjson.dumps(raw_schema, option=orjson.OPT_SORT_KEYS),
                   in_request, in_response)
    except (TypeError, orjson.JSONEncodeError):
        content = None
    prepared = by_content.get(content) if content is not None else None
    if prepared is None:
        prepared = _prepare_schema(ctx, raw_schema, in_request, in_response)
        if content is not None:
            by_content[content] = prepared
    by_id[key] = (raw_schema, prepared)
    return prepared


@register("oasExample")
def oas_example(target: Any, options: Any, ctx: Any):
    """Examples (media or schema) validated against their schema, as Spectral's oasExample does."""
    opts = options if isinstance(options, dict) else {}
    if set(opts) - {"oasVersion", "schemaField", "type"} or opts.get("oasVersion") not in (2, 3) or \
            opts.get("type") not in ("media", "schema") or not isinstance(opts.get("schemaField"), str):
        raise FunctionOptionsError('"oasExample" function needs { "oasVersion": 2|3, "schemaField": string, "type": "media"|"schema" }')
    if not isinstance(target, dict):
        return None
    version, kind = opts["oasVersion"], opts["type"]
    base = _base(ctx)
    raw_schema = target if opts["schemaField"] == "$" else target.get(opts["schemaField"], MISSING)
    raw_schema = _resolve(ctx, raw_schema)
    items = list(_schema_items(target, version) if kind == "schema" else _media_items(ctx, target, version))
    if not items:
        return None
    in_request = kind == "media" and _in_request(base, version)
    in_response = kind == "media" and _in_response(base, version)
    schema = _prepared_schema(ctx, raw_schema, in_request, in_response)
    if isinstance(schema, core.SchemaCompileError):
        return [Hit(str(schema), path=rel) for _, rel in items]
    if not isinstance(schema, (dict, bool)):
        return None
    hits: list[Hit] = []
    for value, rel in items:
        sub_ctx = _PathCtx(ctx, base + rel)
        if value is not MISSING and ctx is not None and hasattr(ctx, "resolved"):
            value = ctx.resolved(value)
        for hit in oas_schema_hits(value, schema, sub_ctx, prepared=True):
            hits.append(Hit(hit.message, path=rel + tuple(hit.path)))
    return hits or None


def _schema_items(target: dict, version: int) -> Iterator[tuple[Any, tuple]]:
    for field in (("example", "x-example", "default") if version == 2 else ("example", "default")):
        if field in target:
            yield target[field], (field,)


def _media_items(ctx: Any, target: dict, version: int) -> Iterator[tuple[Any, tuple]]:
    fields = [("examples", True, False)] if version == 2 else [("example", False, False), ("examples", True, True)]
    for field, multiple, keyed in fields:
        if field not in target:
            continue
        value = _resolve(ctx, target[field])
        if not multiple:
            yield value, (field,)
            return
        if not isinstance(value, (dict, list)):
            continue
        keys = value.keys() if isinstance(value, dict) else range(len(value))
        for key in keys:
            example = _resolve(ctx, value[key])
            if version == 3 and keyed and (not isinstance(example, (dict, list)) or
                                           (isinstance(example, dict) and "externalValue" in example)):
                continue
            if keyed:
                # no `value` and no `externalValue`: Spectral validates `undefined` and says "must exist"
                inner = example.get("value", MISSING) if isinstance(example, dict) else MISSING
                yield inner, (field, key, "value")
            else:
                yield example, (field, key)
        return


# --------------------------------------------------------------------------- oasDocumentSchema


@lru_cache(maxsize=8)
def _oas_schema(name: str) -> dict | None:
    """The official OpenAPI JSON Schemas as openapi-spec-validator ships them (read from its
    folder: importing the package would cost 0.3 s of start-up for three JSON files)."""
    from apiscan.sources.openapi import official_schema_dir

    base = official_schema_dir()
    if base is None:  # pragma: no cover - a declared dependency
        return None
    file = base / {"oas2_0": "v2.0", "oas3_0": "v3.0", "oas3_1": "v3.1"}[name] / "schema.json"
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


@register("oasDocumentSchema")
def oas_document_schema(target: Any, options: Any, ctx: Any):
    """The whole document against the OpenAPI schema of its version (all errors, AJV-style messages).

    Spectral ships hand-tuned schemas whose if/then structure reports one precise error where a
    oneOf would report one per branch; with the official schemas we keep, for each failing
    oneOf/anyOf, only the errors of the branch that came closest (see docs/spectral-parity.md).
    """
    _no_options("oasDocumentSchema", options)
    fmt = _fmt(ctx)
    if not fmt:
        return None
    name = "oas2_0" if fmt == "oas2" else "oas3_1" if fmt == "oas3.1" else "oas3_0"
    schema = _oas_schema(name)
    if schema is None:
        return None
    dialect = "draft4" if name != "oas3_1" else "draft2020-12"
    try:
        errors = core.ajv_validate(schema, target, dialect, all_errors=True)
    except core.SchemaCompileError:
        return None
    errors = _collapse_composites(errors)
    hits = []
    seen = set()
    for err in errors:
        if err.keyword == "if":
            continue
        path = list(err.path)
        prop = path[-1] if path else None
        if err.keyword == "additionalProperties":
            extra = err.params.get("additionalProperty")
            path.append(extra)
            message = f'Property "{extra}" is not expected to be here'
        elif err.keyword == "enum":
            allowed = err.params.get("allowedValues", [])
            message = _clean_message(prop, err.message) + ": " + ", ".join(core.json_text(v) for v in allowed)
            value = core._value_at(target, err.path)
            if isinstance(value, str):
                best = _best_match(value, allowed)
                if best is not None:
                    message += f'. Did you mean "{best}"?'
        else:
            message = _clean_message(prop, err.message)
        key = (message, tuple(path))
        if key in seen:
            continue
        seen.add(key)
        hits.append(Hit(message, path=tuple(path)))
    return hits or None


def _collapse_composites(errors: list) -> list:
    """Keep a failing oneOf/anyOf's own error out, and only its closest branch's errors in."""
    out = []
    for err in errors:
        if err.keyword in ("oneOf", "anyOf"):
            continue
        out.append(err)
    # branch errors of a composite share its schema path prefix; keep the branch with fewest errors
    by_composite: dict = {}
    for err in out:
        for i, seg in enumerate(err.schema_path):
            if seg in ("oneOf", "anyOf") and i + 1 < len(err.schema_path):
                by_composite.setdefault((err.path[: len(err.path)], err.schema_path[:i + 1]), {}).setdefault(
                    err.schema_path[i + 1], []).append(err)
                break
    drop = set()
    for branches in by_composite.values():
        if len(branches) < 2:
            continue
        best = min(branches, key=lambda b: (len(branches[b]), b))
        for b, errs in branches.items():
            if b != best:
                drop.update(id(e) for e in errs)
    return [e for e in out if id(e) not in drop]


def _clean_message(prop: Any, message: str) -> str:
    cleaned = message.replace("'", '"').replace("NOT", "not")
    return cleaned if prop is None else f'"{prop}" property {cleaned}'


def _best_match(value: str, allowed: list) -> str | None:
    candidates = sorted(((core._leven(value, a), i, a) for i, a in enumerate(allowed) if isinstance(a, str)))
    if not candidates:
        return None
    weight, _, best = candidates[0]
    return best if len(allowed) == 1 or weight < len(best) else None
