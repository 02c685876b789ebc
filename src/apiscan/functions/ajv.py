"""AJV, as Spectral's `schema` function uses it, rebuilt on jsonschema-rs.

Spectral validates with AJV and formats with @stoplight/better-ajv-errors. We validate with
jsonschema_rs (much faster) and rebuild what AJV would have reported: AJV's messages, and, when
`allErrors` is false, only the first failing keyword in AJV's evaluation order, with the branch
errors of a failing anyOf/oneOf, which better-ajv-errors then prunes. Kept apart from `core` so
that the core functions stay readable; `core` re-exports what other modules use.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, Iterable

import jsonschema_rs

from apiscan.functions.core import (
    JsRegex,
    is_number,
    js_deep_equal,
    js_number_text,
    js_regex,
    js_strict_equal,
    js_typeof,
    json_text,
)
from apiscan.functions.registry import MISSING, FunctionOptionsError


#
# Spectral validates with AJV and formats with @stoplight/better-ajv-errors. We validate with
# jsonschema_rs (much faster) and rebuild what AJV would have reported: AJV's messages, and, when
# `allErrors` is false, only the first failing keyword in AJV's evaluation order (type-independent
# keywords, then number, string, array and object keywords), with the branch errors of a failing
# anyOf/oneOf, which better-ajv-errors then prunes.



class SchemaCompileError(Exception):
    """The schema given to `schema` cannot be compiled (reported as a result, like AJV's errors)."""


class AjvError:
    __slots__ = ("keyword", "path", "params", "message", "schema_path", "rank")

    def __init__(self, keyword: str, path: tuple, message: str, params: dict | None = None,
                 schema_path: tuple = (), rank: tuple = ()):
        self.keyword = keyword
        self.path = path
        self.message = message
        self.params = params or {}
        self.schema_path = schema_path
        self.rank = rank

    def __repr__(self) -> str:
        return f"AjvError({self.keyword!r}, {self.path!r}, {self.message!r})"


_VALIDATORS = {
    "draft4": jsonschema_rs.Draft4Validator,
    "draft6": jsonschema_rs.Draft6Validator,
    "draft7": jsonschema_rs.Draft7Validator,
    "draft2019-09": jsonschema_rs.Draft201909Validator,
    "draft2020-12": jsonschema_rs.Draft202012Validator,
}
_VALIDATOR_CACHE: "OrderedDict[tuple, tuple]" = OrderedDict()
_VALIDATOR_CACHE_SIZE = 256  # example schemas are fresh copies: keep few


def detect_dialect(schema: Any) -> str | None:
    """@stoplight/spectral-formats' detectDialect: from `$schema`, else None."""
    if not isinstance(schema, dict) or not isinstance(schema.get("$schema"), str):
        return None
    uri = schema["$schema"]
    for marker, name in (("draft-04", "draft4"), ("draft-06", "draft6"), ("draft-07", "draft7"),
                         ("2019-09", "draft2019-09"), ("2020-12", "draft2020-12")):
        if marker in uri:
            return name
    return None


def _no_retrieval(uri: str) -> Any:
    raise ValueError(f"remote reference {uri} not loaded (rules do no I/O)")


class _Unresolvable(Exception):
    pass


def _js_regex_ok(text: str) -> bool:
    try:
        JsRegex(text)
        return True
    except FunctionOptionsError:
        return False


_AJV_DATE = re.compile(r"^(\d\d\d\d)-(\d\d)-(\d\d)\Z")
_AJV_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)(?:\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?\Z", re.I)
_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _ajv_date(text: str) -> bool:
    m = _AJV_DATE.match(text)
    if not m:
        return False
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3))
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 1 <= month <= 12 and 1 <= day <= (29 if month == 2 and leap else _DAYS[month])


def _ajv_time(text: str, strict_zone: bool) -> bool:
    m = _AJV_TIME.match(text)
    if not m or (strict_zone and not m.group(4)):
        return False
    hour, minute, second = int(m.group(1)), int(m.group(2)), int(m.group(3))
    return (hour <= 23 and minute <= 59 and second <= 59) or (hour == 23 and minute == 59 and second == 60)


def _ajv_date_time(text: str) -> bool:
    """ajv-formats' date-time: a `t` or a space between date and time, and a zone offset whose
    colon is optional (`-0700` passes, as in every AJV-based validator, though RFC 3339 wants `-07:00`)."""
    parts = re.split(r"[tT\s]", text)
    return len(parts) == 2 and _ajv_date(parts[0]) and _ajv_time(parts[1], True)


# ajv-formats ("full") formats that jsonschema_rs does not check in every draft, AJV's way
_AJV_FORMATS = {
    "date": _ajv_date,
    "time": lambda text: _ajv_time(text, True),
    "date-time": _ajv_date_time,
    "uuid": re.compile(r"^(?:urn:uuid:)?[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\Z", re.I).match,
    "duration": re.compile(r"^P(?!\Z)((\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?|(\d+W)?)\Z").match,
    "json-pointer": re.compile(r"^(?:/(?:[^~/]|~0|~1)*)*\Z").match,
    "json-pointer-uri-fragment": re.compile(r"^#(?:/(?:[a-z0-9_\-.!$&'()*+,;:=@]|%[0-9a-f]{2}|~0|~1)*)*\Z", re.I).match,
    "relative-json-pointer": re.compile(r"^(?:0|[1-9][0-9]*)(?:#|(?:/(?:[^~/]|~0|~1)*)*)\Z").match,
    "byte": re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\Z").match,
    "regex": _js_regex_ok,
}
_FORMAT_CHECKS = {name: (lambda fn: (lambda value: bool(fn(value))))(fn) for name, fn in _AJV_FORMATS.items()}


def _compiled(schema: Any, dialect: str) -> Any:
    if dialect == "auto":
        dialect = detect_dialect(schema) or "draft7"
    key = (id(schema), dialect)
    hit = _VALIDATOR_CACHE.get(key)
    if hit is not None and hit[0] is schema:
        _VALIDATOR_CACHE.move_to_end(key)
        return hit[1]
    try:
        validator = _VALIDATORS[dialect](schema, validate_formats=True, retriever=_no_retrieval,
                                         formats=_FORMAT_CHECKS)
    except jsonschema_rs.ValidationError as exc:
        text = str(exc).split("\n", 1)[0]
        if "registry" in text or "does not exist" in text or "Unresolvable" in text or "resolve" in text:
            raise _Unresolvable(text) from None
        where = "".join(f"/{seg}" for seg in getattr(exc, "instance_path", []) or [])
        kind = getattr(exc, "kind", None)
        message = _message_for_kind(kind, exc) if kind is not None else text
        raise SchemaCompileError(f"schema is invalid: data{where} {message}") from None
    except Exception as exc:  # noqa: BLE001 - a broken schema must become a result, not a crash
        raise SchemaCompileError(f"schema is invalid: {exc}") from None
    _VALIDATOR_CACHE[key] = (schema, validator)
    if len(_VALIDATOR_CACHE) > _VALIDATOR_CACHE_SIZE:
        _VALIDATOR_CACHE.popitem(last=False)
    return validator


_GROUP_OF_KEYWORD = {
    "$ref": (0, 0), "$dynamicRef": (0, 1), "$recursiveRef": (0, 1), "const": (0, 2), "enum": (0, 3),
    "not": (0, 4), "anyOf": (0, 5), "oneOf": (0, 6), "allOf": (0, 7), "if": (0, 8), "then": (0, 8),
    "else": (0, 8),
    "maximum": (1, 0), "minimum": (1, 1), "exclusiveMaximum": (1, 2), "exclusiveMinimum": (1, 3),
    "multipleOf": (1, 4),
    "maxLength": (2, 0), "minLength": (2, 1), "pattern": (2, 2), "format": (2, 3),
    "maxItems": (3, 0), "minItems": (3, 1), "uniqueItems": (3, 2), "additionalItems": (3, 3),
    "prefixItems": (3, 4), "items": (3, 5), "contains": (3, 6), "minContains": (3, 6),
    "maxContains": (3, 6), "unevaluatedItems": (3, 7),
    "maxProperties": (4, 0), "minProperties": (4, 1), "required": (4, 2), "dependentRequired": (4, 3),
    "dependencies": (4, 4), "propertyNames": (4, 5), "additionalProperties": (4, 6), "properties": (4, 7),
    "patternProperties": (4, 8), "dependentSchemas": (4, 9), "unevaluatedProperties": (4, 10),
}
_GROUP_TYPES = {1: "number", 2: "string", 3: "array", 4: "object"}
_MAP_KEYWORDS = {"properties", "patternProperties", "definitions", "$defs", "dependencies", "dependentSchemas"}
_LIST_KEYWORDS = {"allOf", "anyOf", "oneOf", "prefixItems"}


def _keyword_rank(schema: dict, keyword: str) -> tuple:
    if keyword == "type":
        types = schema.get("type")
        types = types if isinstance(types, list) else [types]
        if len(types) == 1:
            for group, name in _GROUP_TYPES.items():
                if types[0] == name and any(_GROUP_OF_KEYWORD.get(k, (0,))[0] == group for k in schema):
                    return (group, -1)
        return (-1, 0)
    return _GROUP_OF_KEYWORD.get(keyword, (0, 0))


def _instance_rank(data: Any, path: tuple) -> tuple:
    out = []
    node = data
    for seg in path:
        if isinstance(node, dict):
            keys = list(node.keys())
            out.append(keys.index(seg) if seg in node else len(keys))
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int):
            out.append(seg)
            node = node[seg] if 0 <= seg < len(node) else None
        else:
            out.append(0)
    return tuple(out)


def _schema_rank(schema: Any, schema_path: tuple) -> tuple:
    out: list = []
    node = schema
    expect = "keyword"
    for seg in schema_path:
        if expect == "keyword":
            if isinstance(node, dict):
                out.append(_keyword_rank(node, str(seg)))
                nxt = node.get(seg) if isinstance(seg, str) else None
            else:
                out.append((0, 0))
                nxt = None
            expect = "name" if seg in _MAP_KEYWORDS else "index" if seg in _LIST_KEYWORDS else "keyword"
            if seg == "items" and isinstance(nxt, list):
                expect = "index"
            node = nxt
        elif expect == "name":
            keys = list(node.keys()) if isinstance(node, dict) else []
            out.append((keys.index(seg) if seg in keys else len(keys), 0))
            node = node.get(seg) if isinstance(node, dict) else None
            expect = "keyword"
        else:
            out.append((seg if isinstance(seg, int) else 0, 0))
            node = node[seg] if isinstance(node, list) and isinstance(seg, int) and seg < len(node) else None
            expect = "keyword"
    return tuple(out)


def schema_node_at(schema: Any, path: Iterable) -> Any:
    """The schema object at a schema path (for prepareResults hooks such as `nullable`)."""
    node = schema
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int) and seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def _unique_items_pair(value: list, item_types: list) -> tuple[int, int]:
    """AJV's (i, j) for uniqueItems: which duplicate it finds first, scanning from the end."""
    primitive = item_types and not any(t in ("object", "array") for t in item_types)
    if primitive:
        seen: dict = {}
        for i in range(len(value) - 1, -1, -1):
            item = value[i]
            key = (js_typeof(item), json_text(item) if not isinstance(item, (dict, list)) else id(item))
            if key in seen:
                return i, seen[key]
            seen[key] = i
    for i in range(len(value) - 1, 0, -1):
        for j in range(i - 1, -1, -1):
            if js_deep_equal(value[i], value[j]):
                return i, j
    return 0, 0


def _message_for_kind(kind: Any, error: Any, schema: Any = None, instance: Any = None) -> str:
    name = kind.name
    data = kind.as_dict() if hasattr(kind, "as_dict") else {}
    if name == "type":
        types = data.get("types") or []
        if not isinstance(types, list):
            types = [types]
        return "must be " + ",".join(str(t) for t in types)
    if name == "required":
        return f"must have required property '{data.get('property')}'"
    if name == "enum":
        return "must be equal to one of the allowed values"
    if name == "const":
        return "must be equal to constant"
    limits = {
        "minItems": "must NOT have fewer than {} items", "maxItems": "must NOT have more than {} items",
        "minLength": "must NOT have fewer than {} characters", "maxLength": "must NOT have more than {} characters",
        "minProperties": "must NOT have fewer than {} properties",
        "maxProperties": "must NOT have more than {} properties",
        "minimum": "must be >= {}", "maximum": "must be <= {}", "exclusiveMinimum": "must be > {}",
        "exclusiveMaximum": "must be < {}", "additionalItems": "must NOT have more than {} items",
    }
    if name in limits:
        limit = data.get("limit")
        return limits[name].format(js_number_text(limit) if is_number(limit) else limit)
    if name == "multipleOf":
        return f"must be multiple of {js_number_text(data.get('multiple_of', 0))}"
    if name == "pattern":
        return f'must match pattern "{data.get("pattern")}"'
    if name == "format":
        return f'must match format "{data.get("format")}"'
    if name == "anyOf":
        return "must match a schema in anyOf"
    if name in ("oneOf", "oneOfNotValid", "oneOfMultipleValid"):
        return "must match exactly one schema in oneOf"
    if name == "not":
        return "must NOT be valid"
    if name == "falseSchema":
        return "boolean schema is false"
    if name == "contains":
        return "must contain at least 1 valid item(s)"
    if name == "propertyNames":
        return "property name must be valid"
    if name == "unevaluatedProperties":
        return "must NOT have unevaluated properties"
    if name == "unevaluatedItems":
        return "must NOT have unevaluated items"
    return str(getattr(error, "message", error))


_KEYWORD_OF_KIND = {"oneOfNotValid": "oneOf", "oneOfMultipleValid": "oneOf", "falseSchema": "false schema"}


def _convert(err: Any, schema: Any, instance: Any, out: list[AjvError], all_errors: bool) -> None:
    """One jsonschema_rs error → AJV error(s); anyOf/oneOf also bring their branches' errors."""
    kind = err.kind
    name = kind.name
    path = tuple(err.instance_path)
    spath = tuple(err.schema_path)
    rank = _schema_rank(schema, spath) + ((9, 9),) + tuple((i, 0) for i in _instance_rank(instance, path))
    branches = list(getattr(kind, "context", None) or []) if name in ("anyOf", "oneOf", "oneOfNotValid") else []
    passing = [i for i, b in enumerate(branches) if not b]
    if name == "oneOf" and passing:  # valid against several branches: no branch errors to show
        out.append(AjvError("oneOf", path, "must match exactly one schema in oneOf", {"passingSchemas": passing},
                            spath, rank))
        return
    if branches:
        for branch in branches:
            sub: list[AjvError] = []
            for e in branch:
                _convert(e, schema, instance, sub, all_errors)
            sub.sort(key=lambda e: e.rank)
            out.extend(sub if all_errors else _first_keyword(sub))
    if name == "falseSchema" and spath and spath[-1] == "additionalProperties":
        # `additionalProperties: false` arrives as one false-schema error on the object
        extras = _extra_properties(schema_node_at(schema, spath[:-1]), _value_at(instance, path))
        for extra in extras if all_errors else extras[:1]:
            out.append(AjvError("additionalProperties", path, "must NOT have additional properties",
                                {"additionalProperty": extra}, spath, rank + ((1, 0),)))
        return
    if name == "additionalProperties":
        extras = list(kind.as_dict().get("unexpected", []))
        for extra in extras if all_errors else extras[:1]:
            out.append(AjvError("additionalProperties", path, "must NOT have additional properties",
                                {"additionalProperty": extra}, spath, rank + ((1, 0),)))
        return
    if name == "uniqueItems":
        value = _value_at(instance, path)
        parent = schema_node_at(schema, spath[:-1])
        items = parent.get("items") if isinstance(parent, dict) else None
        item_types = items.get("type") if isinstance(items, dict) else None
        item_types = item_types if isinstance(item_types, list) else [item_types] if item_types else []
        i, j = _unique_items_pair(value if isinstance(value, list) else [], item_types)
        msg = f"must NOT have duplicate items (items ## {j} and {i} are identical)"
        out.append(AjvError("uniqueItems", path, msg, {"i": i, "j": j}, spath, rank))
        return
    params: dict = {}
    if name == "required":
        params["missingProperty"] = kind.as_dict().get("property")
    elif name == "enum":
        opts = kind.as_dict().get("options")
        params["allowedValues"] = opts if isinstance(opts, list) else [opts]
    keyword = _KEYWORD_OF_KIND.get(name, name)
    message = _message_for_kind(kind, err)
    if name == "type":  # AJV prints the types as the schema lists them
        declared = schema_node_at(schema, spath[:-1])
        declared = declared.get("type") if isinstance(declared, dict) else None
        if isinstance(declared, list):
            message = "must be " + ",".join(str(t) for t in declared)
        elif isinstance(declared, str):
            message = "must be " + declared
    out.append(AjvError(keyword, path, message, params, spath, rank))


def _extra_properties(parent: Any, value: Any) -> list[str]:
    if not isinstance(parent, dict) or not isinstance(value, dict):
        return []
    props = parent.get("properties") if isinstance(parent.get("properties"), dict) else {}
    patterns = [p for p in (parent.get("patternProperties") or {}) if isinstance(p, str)]
    out = []
    for key in value:
        if key in props:
            continue
        try:
            if any(js_regex(p).test(key) for p in patterns):
                continue
        except FunctionOptionsError:
            pass
        out.append(key)
    return out


def _first_keyword(errors: list[AjvError]) -> list[AjvError]:
    """With allErrors off AJV stops at the first failing keyword; a failing anyOf keeps its branches."""
    if not errors:
        return []
    first = errors[0]
    owner = None
    for e in errors:
        if e.keyword in ("anyOf", "oneOf") and first.schema_path[: len(e.schema_path)] == e.schema_path:
            if owner is None or len(e.schema_path) < len(owner.schema_path):
                owner = e
    if owner is None:
        return [first]
    under = [e for e in errors if e is not owner and e.schema_path[: len(owner.schema_path)] == owner.schema_path]
    return under + [owner]


def _value_at(data: Any, path: tuple) -> Any:
    node = data
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg, MISSING)
        elif isinstance(node, list) and isinstance(seg, int) and 0 <= seg < len(node):
            node = node[seg]
        else:
            return MISSING
    return node


def ajv_validate(schema: Any, instance: Any, dialect: str = "auto", all_errors: bool = False) -> list[AjvError]:
    """AJV-like errors for `instance`, in AJV's order; only the first keyword's unless all_errors."""
    try:
        validator = _compiled(schema, dialect)
    except _Unresolvable:
        return []  # Spectral ignores missing $ref targets for resolved rules
    try:
        raw = list(validator.iter_errors(instance))
    except Exception as exc:  # noqa: BLE001 - e.g. a regex the engine refuses at run time
        raise SchemaCompileError(str(exc).split("\n", 1)[0]) from None
    if not raw:
        return []
    converted: list[AjvError] = []
    for err in raw:
        sub: list[AjvError] = []
        _convert(err, schema, instance, sub, all_errors)
        converted.append(sub)  # type: ignore[arg-type]
    groups = sorted(converted, key=lambda g: g[-1].rank if g else ())  # type: ignore[attr-defined]
    if not all_errors:
        return list(groups[0])  # type: ignore[arg-type]
    flat: list[AjvError] = []
    for g in groups:
        flat.extend(g)  # type: ignore[arg-type]
    return flat


# ------------------------------------------------------------------ better-ajv-errors


def _leven(a: str, b: str) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _clean(message: str) -> str:
    return message.replace("'", '"').replace("NOT", "not")


class _Node:
    __slots__ = ("errors", "children")

    def __init__(self) -> None:
        self.errors: list[AjvError] | None = []
        self.children: dict = {}


def better_errors(errors: list[AjvError], data: Any, prop_path: tuple) -> list[tuple[str, tuple]]:
    """@stoplight/better-ajv-errors: prune redundant errors, then one message per remaining error."""
    root = _Node()
    for err in errors:
        node = root
        for seg in err.path or ("",):
            node = node.children.setdefault(seg, _Node())
        node.errors.append(err)  # type: ignore[union-attr]
    _prune(root, None, None)
    out: list[tuple[str, tuple]] = []
    _emit(root, data, prop_path, out)
    return out


def _prune(node: _Node, parent: _Node | None, key: Any) -> None:
    if any(e.keyword == "anyOf" for e in node.errors or []) and node.children:
        node.errors = None
    if node.errors and all(e.keyword == "enum" for e in node.errors) and parent is not None:
        # better-ajv-errors tests `siblings.some(getErrors)`, and `[]` is truthy in JS: any sibling counts
        if len(parent.children) > 1:
            del parent.children[key]
            return
    for k, child in list(node.children.items()):
        _prune(child, node, k)


def _pretty_name(err: AjvError, data: Any, prop_path: tuple) -> str:
    name = _prop_name(err, prop_path)
    if name is None:
        value = _value_at(data, err.path)
        kind = js_typeof(value)
        return kind[:1].upper() + kind[1:]
    return f'"{name}" property'


def _prop_name(err: AjvError, prop_path: tuple) -> Any:
    if err.path:
        return err.path[-1]
    if prop_path:
        return prop_path[-1]
    return None


def _emit(node: _Node, data: Any, prop_path: tuple, out: list) -> None:
    errs = node.errors or []
    if errs and all(e.keyword == "enum" for e in errs):
        allowed: list = []
        for e in errs:
            for v in e.params.get("allowedValues", []):
                if not any(js_strict_equal(v, a) if not isinstance(v, (dict, list)) else v is a for a in allowed):
                    allowed.append(v)
        err = errs[0]
        text = f"{_pretty_name(err, data, prop_path)} must be equal to one of the allowed values: " + ", ".join(
            f'"{v}"' if isinstance(v, str) else json_text(v) for v in allowed
        )
        current = _value_at(data, err.path)
        if isinstance(current, str):
            scored = sorted((_leven(v, current), i, v) for i, v in enumerate(allowed) if isinstance(v, str))
            if scored:
                weight, _, best = scored[0]
                if len(allowed) == 1 or weight < len(best):
                    text += f'. Did you mean "{best}"?'
        out.append((text, err.path))
    else:
        for err in errs:
            if err.keyword == "additionalProperties":
                text = f'Property "{err.params.get("additionalProperty")}" is not expected to be here'
            elif err.keyword == "type":
                name = _prop_name(err, prop_path)
                text = f"Value type {err.message}" if name is None else f'"{name}" property type {err.message}'
            else:
                text = f"{_pretty_name(err, data, prop_path)} {_clean(err.message)}"
            out.append((text, err.path))
    for child in node.children.values():
        _emit(child, data, prop_path, out)
