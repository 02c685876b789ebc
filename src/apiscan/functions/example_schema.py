"""The schema an example is validated against, as Spectral hands it to AJV.

Spectral's oasExample takes the resolved schema and, before AJV sees it: drops `id` from the
objects that are not schemas (example values, defaults, `x-` values); in a request, lets a
`readOnly` property be missing although `required` (and a `writeOnly` one in a response); and for
OpenAPI 3.0 and 2.0 turns `nullable: true` (`x-nullable` in 2.0) into a `null` in `type`.
Spectral's oasSchema makes the last of these rewrites only (`clean_ids=False`, no context).

Why a module of its own, built this way: on GitHub's spec 3,000 examples stand on 800 schemas
that are themselves made of the same few hundred component schemas. Resolving, copying and
rewriting each schema whole cost more than validating every example. Here each rewrite is one
pass over schema positions that copies only what changes and remembers its result per object, so
a component shared by 500 schemas is rewritten once per context, and the schema handed to the
validator for the same `$ref` is the same object every time (one compiled validator).
"""

from __future__ import annotations

from typing import Any

from apiscan.functions import core

SCHEMA_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
SCHEMA_SINGLE = frozenset({"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                           "additionalItems", "unevaluatedItems", "unevaluatedProperties", "contentSchema"})
SCHEMA_MAP = frozenset({"properties", "patternProperties", "definitions", "$defs", "dependencies", "dependentSchemas"})
_SCHEMA_KEYS = SCHEMA_LIST | SCHEMA_SINGLE | SCHEMA_MAP
_KEEP_ID = frozenset({"enum", "required", "type"})  # values where `id` is data, not a schema id
# Keywords no validator reads: left out of example schemas, whose compiled size they would swell
# by a third (GitHub's spec: 3.6 MB of schemas compiled, 2,200 times). `readOnly`/`writeOnly`
# stay: the `required` relaxation of the parent reads them.
_ANNOTATIONS = frozenset({"description", "title", "example", "examples", "externalDocs", "xml", "deprecated"})
_MAX_DEPTH = 200


class _Failed:
    """A memoised SchemaCompileError (a shared schema that AJV refuses is refused everywhere)."""

    __slots__ = ("message",)

    def __init__(self, message: str):
        self.message = message


class SchemaRewriter:
    """Rewrites for one document and one context: (in a request, in a response, format)."""

    def __init__(self, in_request: bool, in_response: bool, fmt: str, clean_ids: bool = True):
        self.read_only = in_request
        self.write_only = in_response
        self.clean_ids = clean_ids
        self.nullable = fmt in ("oas3.0", "oas2")
        self.x_nullable = fmt == "oas2"
        self.oas2 = fmt == "oas2"
        self._memo: dict[int, tuple[Any, Any]] = {}
        self._plain: dict[int, tuple[Any, Any]] = {}

    def rewrite(self, schema: Any) -> Any:
        """The schema rewritten (the same object when nothing changes); raises core.SchemaCompileError."""
        return self._schema(schema, 0) if isinstance(schema, dict) else schema

    def prepare(self, resolved: Any) -> Any:
        """The validator's schema for an example's resolved schema; raises core.SchemaCompileError."""
        if not isinstance(resolved, dict):
            return resolved
        out = self._schema(resolved, 0)
        if self.oas2 and isinstance(out.get("required"), bool):  # 2.0's boolean `required` (top only)
            out = dict(out)
            del out["required"]
        return out

    # -- schema positions

    def _schema(self, node: dict, depth: int) -> dict:
        hit = self._memo.get(id(node))
        if hit is not None and hit[0] is node:
            result = hit[1]
        else:
            try:
                result = self._rewrite(node, depth)
            except core.SchemaCompileError as exc:
                result = _Failed(str(exc))
            self._memo[id(node)] = (node, result)
        if type(result) is _Failed:
            raise core.SchemaCompileError(result.message)
        return result

    def _sub(self, value: Any, depth: int) -> Any:
        return self._schema(value, depth + 1) if type(value) is dict and depth < _MAX_DEPTH else self._data(value)

    def _rewrite(self, node: dict, depth: int) -> dict:
        out: dict | None = None

        def put(key: str, value: Any) -> None:
            nonlocal out
            if out is None:
                out = dict(node)
            out[key] = value

        for key, value in node.items():
            tv = type(value)
            if self.clean_ids and key in _ANNOTATIONS:
                if out is None:
                    out = dict(node)
                del out[key]
                continue
            if key in SCHEMA_LIST and tv is list:
                new: Any = [self._sub(v, depth) for v in value]
                if any(a is not b for a, b in zip(new, value)):
                    put(key, new)
            elif key in SCHEMA_SINGLE and tv is dict:
                new = self._sub(value, depth)
                if new is not value:
                    put(key, new)
            elif key in SCHEMA_MAP and tv is dict:
                mapped = {k: self._sub(v, depth) for k, v in value.items()}
                if any(mapped[k] is not value[k] for k in value):
                    put(key, mapped)
            else:
                new = value
                if self.clean_ids and tv is dict and "id" in value and key not in _SCHEMA_KEYS and key not in _KEEP_ID:
                    new = {k: v for k, v in value.items() if k != "id"}
                new = self._data(new)
                if new is not value:
                    put(key, new)
        result = out if out is not None else node
        if self.read_only or self.write_only:
            result = self._relax_required(result, node)
        if self.x_nullable and result.get("x-nullable") is True:
            result = dict(result) if result is node else result
            result["nullable"] = True
            del result["x-nullable"]
        if self.nullable and result.get("nullable") is True:
            if "type" not in result:
                raise core.SchemaCompileError('"nullable" cannot be used without "type"')
            if isinstance(result.get("type"), str):
                result = dict(result) if result is node else result
                result["type"] = [result["type"], "null"]
        return result

    def _relax_required(self, result: dict, node: dict) -> dict:
        props, required = result.get("properties"), result.get("required")
        if type(props) is not dict or type(required) is not list:
            return result
        relaxed = {name for name, sub in props.items() if type(sub) is dict and (
            (self.read_only and sub.get("readOnly") is True) or (self.write_only and sub.get("writeOnly") is True))}
        if not relaxed or not any(r in relaxed for r in required):
            return result
        result = dict(result) if result is node else result
        kept = [r for r in required if r not in relaxed]
        if kept:
            result["required"] = kept
        else:
            del result["required"]
        return result

    # -- data (values that are not schemas)

    def _data(self, value: Any, depth: int = 0) -> Any:
        """OpenAPI 2.0 renames `x-nullable` everywhere before AJV, data included; else as is."""
        if not self.x_nullable or type(value) not in (dict, list) or depth > _MAX_DEPTH:
            return value
        hit = self._plain.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if type(value) is dict:
            new: Any = {k: self._data(v, depth + 1) for k, v in value.items()}
            if new.get("x-nullable") is True:
                new["nullable"] = True
                del new["x-nullable"]
        else:
            new = [self._data(v, depth + 1) for v in value]
        self._plain[id(value)] = (value, new)
        return new
