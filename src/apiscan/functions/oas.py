"""OpenAPI walking shared by rule functions, and the documentation rules' functions.

Why one walker: documentation, design and security rules all need the same view of a document
(operations of 2.0 and 3.x, effective parameters, request and response bodies, every schema) with
`$ref`s followed. Each rule re-deriving it would cost a walk per rule on a 13 MB spec, so the walk is
done once per document and cached.

Locations: a value reached through a local `$ref` is reported where it is written (the ref's
target), so a parameter shared by twenty operations is one finding at its definition, not twenty.
A value reached through a reference to another file keeps the logical path through the `$ref`,
which the engine maps to the other file. Functions here expect `given: "$"` unless they say
otherwise, so a Hit's path is an absolute path in the entry document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator
from urllib.parse import unquote, urlsplit

from apiscan.functions.registry import FunctionOptionsError, Hit, register

OAS2_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
OAS3_METHODS = OAS2_METHODS + ("trace",)
MAX_REF_HOPS = 32
MAX_SCHEMA_DEPTH = 64


# --------------------------------------------------------------------------- model


@dataclass(slots=True)
class Node:
    """A value and the path where it is written; `local` is False once an external `$ref` was crossed."""

    value: Any
    path: tuple
    local: bool = True


@dataclass(slots=True)
class Operation:
    path: str  # the path template (or webhook name)
    method: str
    node: Node
    item: Node  # the path item
    webhook: bool = False

    @property
    def value(self) -> dict:
        return self.node.value

    @property
    def label(self) -> str:
        if self.webhook:
            return f"webhook '{self.path}' {self.method.upper()}"
        return f"{self.method.upper()} {self.path}"


@dataclass(slots=True)
class Parameter:
    node: Node
    name: str
    location: str  # query | path | header | cookie | body | formData
    level: str  # path-item | operation | component


@dataclass(slots=True)
class Body:
    """A request or response payload: one media type (3.x) or the single schema (2.0)."""

    holder: Node  # the media type object (3.x), the body parameter or the response (2.0)
    media: str | None
    schema: Node | None


@dataclass(slots=True)
class Response:
    code: str
    node: Node


@dataclass(slots=True)
class SchemaNode:
    node: Node
    owner: str  # a readable name of where the schema belongs: "schema 'Pet'", "request body of POST /pets"


# --------------------------------------------------------------------------- document view


def spec_format(data: Any) -> str:
    """oas2 | oas3 | "" (the engine's `formats` filter has the finer 3.0/3.1 split)."""
    if isinstance(data, dict):
        if "swagger" in data:
            return "oas2"
        if "openapi" in data:
            return "oas3"
    return ""


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _lookup(root: Any, pointer: str) -> tuple[bool, Any, tuple]:
    """Follow a local JSON pointer (`#/a/b`) in `root`: (found, value, path).

    The fragment is a URI fragment: `%7B` is `{` (generators write `#/paths/~1a~1%7Bid%7D`).
    """
    frag = unquote(pointer[1:]) if "%" in pointer else pointer[1:]
    if frag == "":
        return True, root, ()
    if not frag.startswith("/"):
        return False, None, ()
    value = root
    path: list = []
    for raw in frag[1:].split("/"):
        part = _unescape(raw)
        if isinstance(value, dict) and part in value:
            value = value[part]
            path.append(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
            path.append(int(part))
        else:
            return False, None, ()
    return True, value, tuple(path)


class View:
    """One document's operations, parameters, bodies and schemas, computed on demand and kept."""

    def __init__(self, ctx: Any):
        self.ctx = ctx
        self.data = ctx.data if isinstance(ctx.data, dict) else {}
        self.format = spec_format(self.data)
        self._ops: list[Operation] | None = None
        self._params: dict[int, list[Parameter]] = {}
        self._schemas: list[SchemaNode] | None = None
        self.memo: dict[str, Any] = {}  # for rule functions that aggregate over the document
        self._lookups: dict[str, tuple[bool, Any, tuple]] = {}

    # -- refs

    def follow(self, node: Node) -> Node:
        """Follow `$ref`s at the top of node.value; an unresolvable ref is returned as it is."""
        value, path, local = node.value, node.path, node.local
        for _ in range(MAX_REF_HOPS):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                break
            ref = value["$ref"]
            if local and ref.startswith("#"):
                hit = self._lookups.get(ref)
                if hit is None:  # large specs repeat a few thousand refs tens of thousands of times
                    hit = self._lookups[ref] = _lookup(self.data, ref)
                found, target, tpath = hit
                if not found:
                    break
                value, path = target, tpath
                continue
            target = self.ctx.resolve(value)
            if target is value:
                break
            value, local = target, False
            break  # ctx.resolve follows chains itself
        return Node(value, path, local)

    def child(self, node: Node, key: Any) -> Node | None:
        """node.value[key], followed; None when absent."""
        value = node.value
        if isinstance(value, dict):
            if key not in value:
                return None
        elif isinstance(value, list):
            if not isinstance(key, int) or key >= len(value):
                return None
        else:
            return None
        return self.follow(Node(value[key], node.path + (key,), node.local))

    def is_ref(self, value: Any) -> bool:
        return isinstance(value, dict) and isinstance(value.get("$ref"), str)

    # -- operations

    def operations(self) -> list[Operation]:
        if self._ops is None:
            self._ops = list(self._collect_operations())
        return self._ops

    def _collect_operations(self) -> Iterator[Operation]:
        methods = OAS2_METHODS if self.format == "oas2" else OAS3_METHODS
        for section, webhook in (("paths", False), ("webhooks", True)):
            items = self.data.get(section)
            if not isinstance(items, dict) or (webhook and self.format != "oas3"):
                continue
            for name, raw in items.items():
                item = self.follow(Node(raw, (section, name)))
                if not isinstance(item.value, dict):
                    continue
                for method, op in item.value.items():
                    if method in methods and isinstance(op, dict):
                        node = Node(op, item.path + (method,), item.local)
                        yield Operation(str(name), method, node, item, webhook)

    def path_operations(self) -> list[Operation]:
        return [op for op in self.operations() if not op.webhook]

    def distinct_operations(self) -> list[Operation]:
        """Operations each written once: a path item `$ref`'d by two paths is one set of findings."""
        seen: set = set()
        out = []
        for op in self.operations():
            key = (op.node.path, op.node.local) if op.node.local else id(op.value)
            if key not in seen:
                seen.add(key)
                out.append(op)
        return out

    # -- parameters

    def _param_list(self, holder: Node, level: str) -> list[Parameter]:
        out = []
        params = self.child(holder, "parameters")
        if params is None or not isinstance(params.value, list):
            return out
        for i in range(len(params.value)):
            p = self.child(params, i)
            if p is not None and isinstance(p.value, dict):
                out.append(Parameter(p, str(p.value.get("name", "")), str(p.value.get("in", "")), level))
        return out

    def parameters(self, op: Operation) -> list[Parameter]:
        """Effective parameters: path-item ones not overridden by an operation one of the same name and place."""
        key = id(op.value)
        if key not in self._params:
            own = self._param_list(op.node, "operation")
            seen = {(p.name, p.location) for p in own}
            inherited = [p for p in self._param_list(op.item, "path-item") if (p.name, p.location) not in seen]
            self._params[key] = inherited + own
        return self._params[key]

    def component_parameters(self) -> list[Parameter]:
        """Parameters defined for reuse (components.parameters, 2.0 top-level parameters)."""
        base = ("components", "parameters") if self.format == "oas3" else ("parameters",)
        holder = self._at(base)
        out = []
        if holder is not None and isinstance(holder.value, dict):
            for name in holder.value:
                p = self.child(holder, name)
                if p is not None and isinstance(p.value, dict):
                    out.append(Parameter(p, str(p.value.get("name", "")), str(p.value.get("in", "")), "component"))
        return out

    def _at(self, path: tuple) -> Node | None:
        node: Node | None = Node(self.data, ())
        for key in path:
            node = self.child(node, key) if node is not None else None
        return node

    # -- bodies

    def request_bodies(self, op: Operation) -> list[Body]:
        if self.format == "oas2":
            out = []
            for p in self.parameters(op):
                if p.location == "body":
                    out.append(Body(p.node, None, self.child(p.node, "schema")))
            return out
        rb = self.child(op.node, "requestBody")
        return self.media_bodies(rb) if rb is not None else []

    def media_bodies(self, holder: Node) -> list[Body]:
        """The media types of a 3.x request body or response (`content`)."""
        content = self.child(holder, "content")
        out = []
        if content is None or not isinstance(content.value, dict):
            return out
        for media in content.value:
            m = self.child(content, media)
            if m is not None and isinstance(m.value, dict):
                out.append(Body(m, str(media), self.child(m, "schema")))
        return out

    def responses(self, op: Operation) -> list[Response]:
        rs = self.child(op.node, "responses")
        out = []
        if rs is None or not isinstance(rs.value, dict):
            return out
        for code in rs.value:
            r = self.child(rs, code)
            if r is not None:
                out.append(Response(str(code), r))
        return out

    def response_bodies(self, response: Response) -> list[Body]:
        if self.format == "oas2":
            if not isinstance(response.node.value, dict):
                return []
            schema = self.child(response.node, "schema")
            return [Body(response.node, None, schema)] if schema is not None else []
        return self.media_bodies(response.node)

    def component_responses(self) -> list[Response]:
        base = ("components", "responses") if self.format == "oas3" else ("responses",)
        holder = self._at(base)
        out = []
        if holder is not None and isinstance(holder.value, dict):
            for name in holder.value:
                r = self.child(holder, name)
                if r is not None:
                    out.append(Response(str(name), r))
        return out

    # -- schemas

    def schemas(self) -> list[SchemaNode]:
        """Every schema written in the document (and in files it references), each once."""
        if self._schemas is None:
            self._schemas = self._collect_schemas()
        return self._schemas

    def _schema_roots(self) -> Iterator[SchemaNode]:
        defs = self._at(("components", "schemas") if self.format == "oas3" else ("definitions",))
        if defs is not None and isinstance(defs.value, dict):
            for name in defs.value:
                yield SchemaNode(Node(defs.value[name], defs.path + (name,), defs.local), f"schema '{name}'")
        for p in self.component_parameters():
            yield from self._param_schemas(p, f"parameter '{p.name}'")
        for r in self.component_responses():
            yield from self._response_schemas(r, f"response '{r.code}'")
        if self.format == "oas3":
            bodies = self._at(("components", "requestBodies"))
            if bodies is not None and isinstance(bodies.value, dict):
                for name in bodies.value:
                    rb = self.child(bodies, name)
                    if rb is not None:
                        for b in self.media_bodies(rb):
                            if b.schema is not None:
                                yield SchemaNode(b.schema, f"request body '{name}'")
        for op in self.operations():
            for p in self.parameters(op):
                yield from self._param_schemas(p, f"parameter '{p.name}' of {op.label}")
            for b in self.request_bodies(op):
                if b.schema is not None:
                    yield SchemaNode(b.schema, f"request body of {op.label}")
            for r in self.responses(op):
                yield from self._response_schemas(r, f"response {r.code} of {op.label}")

    def _param_schemas(self, p: Parameter, owner: str) -> Iterator[SchemaNode]:
        s = self.child(p.node, "schema")
        if s is not None:
            yield SchemaNode(s, owner)
        elif self.format == "oas2" and isinstance(p.node.value.get("items"), dict):
            yield SchemaNode(self.child(p.node, "items"), owner)

    def _response_schemas(self, r: Response, owner: str) -> Iterator[SchemaNode]:
        for b in self.response_bodies(r):
            if b.schema is not None:
                yield SchemaNode(b.schema, owner)

    def _collect_schemas(self) -> list[SchemaNode]:
        """Depth-first, in document order, with an explicit stack (a 13 MB spec has 200k subschemas:
        recursive generators would pass each one up through every level)."""
        out: list[SchemaNode] = []
        seen: set[int] = set()  # ids: a YAML alias or an external file reached twice is walked once
        is_ref = self.is_ref
        for root in self._schema_roots():
            stack = [(root.node.value, root.node.path, root.node.local, 0)]
            while stack:
                value, path, local, depth = stack.pop()
                if depth > MAX_SCHEMA_DEPTH:
                    continue
                if type(value) is dict and "$ref" in value and is_ref(value):
                    if local and value["$ref"].startswith("#"):
                        continue  # written elsewhere in this file: walked from its own root
                    node = self.follow(Node(value, path, local))
                    value, path, local = node.value, node.path, node.local
                    if is_ref(value):
                        continue
                if type(value) is not dict or id(value) in seen:
                    continue
                seen.add(id(value))
                out.append(SchemaNode(Node(value, path, local), root.owner))
                children = []
                for kw, sub in value.items():
                    kind = _SUBSCHEMA_KEYWORDS.get(kw)
                    if kind is None:
                        continue
                    if kind == "map":
                        if type(sub) is dict:
                            children += [(x, path + (kw, name)) for name, x in sub.items() if type(x) is dict]
                    elif type(sub) is dict:
                        children.append((sub, path + (kw,)))
                    elif type(sub) is list and kind == "list":
                        children += [(x, path + (kw, i)) for i, x in enumerate(sub) if type(x) is dict]
                for sub, spath in reversed(children):
                    stack.append((sub, spath, local, depth + 1))
        return out


_SUBSCHEMA_KEYWORDS = {
    "properties": "map", "patternProperties": "map",
    "items": "list", "prefixItems": "list", "allOf": "list", "anyOf": "list", "oneOf": "list",
    "additionalProperties": "one", "not": "one", "additionalItems": "one", "contains": "one",
}

_VIEWS: dict[int, tuple[Any, View]] = {}


def view(ctx: Any) -> View:
    """The cached View of ctx's document (a few documents are kept; `-j` workers each have their own)."""
    data = ctx.data
    hit = _VIEWS.get(id(data))
    if hit is not None and hit[0] is data:
        return hit[1]
    if len(_VIEWS) >= 4:
        _VIEWS.pop(next(iter(_VIEWS)))
    v = View(ctx)
    _VIEWS[id(data)] = (data, v)
    return v


def relative(ctx: Any, path: tuple) -> tuple:
    """Hit paths are relative to the target: strip the target's own path when it is a prefix."""
    base = tuple(getattr(ctx, "path", ()) or ())
    if base and path[: len(base)] == base:
        return path[len(base):]
    return path


# --------------------------------------------------------------------------- small predicates


def text(value: Any) -> bool:
    """A non-blank string: what 'documented' means for a description or summary."""
    return isinstance(value, str) and value.strip() != ""


def missing_text(node: Node, key: str) -> tuple | None:
    """Where to report an absent or blank text field: the object when absent, the field when blank."""
    value = node.value
    if not isinstance(value, dict):
        return None
    if key not in value:
        return node.path
    if not text(value[key]):
        return node.path + (key,)
    return None


def status_class(code: str) -> str:
    """'2' for 200/2XX, 'default' for default, '' for anything else."""
    c = code.strip().upper()
    if c == "DEFAULT":
        return "default"
    if len(c) == 3 and c[0] in "12345" and (c[1:].isdigit() or c[1:] == "XX"):
        return c[0]
    return ""


def is_url(value: Any) -> bool:
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_email(value: Any) -> bool:
    return isinstance(value, str) and bool(_EMAIL.match(value))


# --------------------------------------------------------------------------- documentation functions


@register("contactReachable")
def contact_reachable(target, options, ctx):
    """given `$.info`: a contact with a usable url or email, so consumers know whom to ask."""
    if not isinstance(target, dict):
        return
    contact = target.get("contact")
    if not isinstance(contact, dict):
        yield Hit("The API has no contact (info.contact with url or email)")
        return
    url, email = contact.get("url"), contact.get("email")
    if url is None and email is None:
        yield Hit("info.contact has neither url nor email", path=("contact",))
        return
    if url is not None and not is_url(url):
        yield Hit(f"info.contact.url '{url}' is not an absolute http(s) URL", path=("contact", "url"))
    if email is not None and not is_email(email):
        yield Hit(f"info.contact.email '{email}' is not an email address", path=("contact", "email"))


@register("describedObject")
def described_object(target, options, ctx):
    """A named object (tag, server, security scheme, schema) with a non-blank description.

    options: label (word used in the message), nameField (the key naming the object; default: the
    object's key in its map), alsoAccept (other keys that count, e.g. [title] for schemas).
    """
    if not isinstance(target, dict):
        return
    label = options.get("label", "Object")
    accept = ["description"] + list(options.get("alsoAccept", []))
    if any(text(target.get(k)) for k in accept):
        return
    name_field = options.get("nameField")
    name = target.get(name_field) if name_field else (ctx.path[-1] if ctx.path else "")
    where = () if "description" not in target else ("description",)
    yield Hit(f"{label} '{name}' has no description", path=where)


def _op_text_rule(ctx, key: str, word: str):
    v = view(ctx)
    for op in v.distinct_operations():
        where = missing_text(op.node, key)
        if where is not None:
            yield Hit(f"{op.label} has no {word}", path=relative(ctx, where))


@register("operationSummary")
def operation_summary(target, options, ctx):
    yield from _op_text_rule(ctx, "summary", "summary")


@register("operationDescription")
def operation_description(target, options, ctx):
    yield from _op_text_rule(ctx, "description", "description")


@register("operationIdPresent")
def operation_id_present(target, options, ctx):
    for op in view(ctx).distinct_operations():
        where = missing_text(op.node, "operationId")
        if where is not None:
            yield Hit(f"{op.label} has no operationId", path=relative(ctx, where))


@register("operationIdUnique")
def operation_id_unique(target, options, ctx):
    """Every duplicate after the first (document order) is reported, naming the first."""
    first: dict[str, str] = {}
    reported: set = set()
    for op in view(ctx).distinct_operations():
        oid = op.value.get("operationId")
        if not isinstance(oid, str) or not oid:
            continue
        if oid not in first:
            first[oid] = op.label
            continue
        where = op.node.path + ("operationId",)
        if where not in reported:  # one path item shared by two paths is one definition
            reported.add(where)
            yield Hit(f"operationId '{oid}' of {op.label} is already used by {first[oid]}", path=relative(ctx, where))


@register("operationTags")
def operation_tags(target, options, ctx):
    for op in view(ctx).distinct_operations():
        tags = op.value.get("tags")
        if not isinstance(tags, list) or not tags:
            where = op.node.path if "tags" not in op.value else op.node.path + ("tags",)
            yield Hit(f"{op.label} has no tag", path=relative(ctx, where))


def _declared_tags(data: dict) -> dict[str, int]:
    out: dict[str, int] = {}
    tags = data.get("tags")
    if isinstance(tags, list):
        for i, t in enumerate(tags):
            if isinstance(t, dict) and isinstance(t.get("name"), str):
                out.setdefault(t["name"], i)
    return out


@register("operationTagsDeclared")
def operation_tags_declared(target, options, ctx):
    """Operation tags that the top-level `tags` list does not declare (so they have no description or order)."""
    v = view(ctx)
    declared = _declared_tags(v.data)
    for op in v.distinct_operations():
        tags = op.value.get("tags")
        if not isinstance(tags, list):
            continue
        for i, tag in enumerate(tags):
            if isinstance(tag, str) and tag not in declared:
                yield Hit(f"Tag '{tag}' of {op.label} is not declared in the top-level tags",
                          path=relative(ctx, op.node.path + ("tags", i)))


@register("declaredTagsUsed")
def declared_tags_used(target, options, ctx):
    v = view(ctx)
    used = set()
    for op in v.operations():
        tags = op.value.get("tags")
        if isinstance(tags, list):
            used.update(t for t in tags if isinstance(t, str))
    for name, i in _declared_tags(v.data).items():
        if name not in used:
            yield Hit(f"Tag '{name}' is declared but no operation uses it", path=relative(ctx, ("tags", i)))


@register("parameterDescriptions")
def parameter_descriptions(target, options, ctx):
    v = view(ctx)
    seen: set = set()
    for op in v.operations():
        for p in v.parameters(op):
            yield from _param_description(ctx, p, f" of {op.label}", seen)
    for p in v.component_parameters():
        yield from _param_description(ctx, p, "", seen)


def _param_description(ctx, p: Parameter, where: str, seen: set):
    key = (p.node.path, p.node.local)
    if key in seen:
        return
    seen.add(key)
    at = missing_text(p.node, "description")
    if at is not None:
        yield Hit(f"Parameter '{p.name}' ({p.location}){where} has no description", path=relative(ctx, at))


@register("propertyDescriptions")
def property_descriptions(target, options, ctx):
    """Properties written inline need a description; a `$ref` property is described at its target.

    options: per (`schema`, the default: one finding per object schema, at its `properties`, naming
    the undescribed ones; `property`: one finding per property). Per schema because a large
    generated spec has tens of thousands of bare properties: one finding per property drowns every
    other result and overflows SARIF consumers, while the fix is made schema by schema anyway.
    """
    per = options.get("per", "schema")
    if per not in ("schema", "property"):
        raise FunctionOptionsError(f"per must be 'schema' or 'property', not {per!r}")
    v = view(ctx)
    for s in v.schemas():
        props = s.node.value.get("properties")
        if not isinstance(props, dict):
            continue
        bare = []
        for name, prop in props.items():
            if not isinstance(prop, dict) or v.is_ref(prop):
                continue
            node = Node(prop, s.node.path + ("properties", name), s.node.local)
            at = missing_text(node, "description")
            if at is None:
                continue
            if per == "property":
                yield Hit(f"Property '{name}' of {s.owner} has no description", path=relative(ctx, at))
            else:
                bare.append(str(name))
        if bare:
            shown = ", ".join(bare[:8]) + (f" and {len(bare) - 8} more" if len(bare) > 8 else "")
            word = "property has" if len(bare) == 1 else f"{len(bare)} properties have"
            yield Hit(f"In {s.owner}, {word} no description: {shown}",
                      path=relative(ctx, s.node.path + ("properties",)), evidence={"properties": bare})


def _has_example(v: View, node: Node | None, depth: int = 0) -> bool:
    """An example at schema level: `example`, `examples`, on the array's items, or on every property."""
    if node is None or depth > 8:
        return False
    node = v.follow(node)
    s = node.value
    if not isinstance(s, dict):
        return False
    if "example" in s or s.get("examples"):
        return True
    if isinstance(s.get("items"), dict) and _has_example(v, v.child(node, "items"), depth + 1):
        return True
    for kw in ("allOf", "oneOf", "anyOf"):
        subs = s.get(kw)
        if isinstance(subs, list) and subs:
            parts = [_has_example(v, Node(x, node.path + (kw, i), node.local), depth + 1) for i, x in enumerate(subs)]
            if (kw == "allOf" and any(parts)) or (kw != "allOf" and all(parts)):
                return True
    props = s.get("properties")
    if isinstance(props, dict) and props:
        return all(_has_example(v, Node(p, node.path + ("properties", k), node.local), depth + 1)
                   for k, p in props.items())
    return False


def _is_binary(v: View, schema: Node | None) -> bool:
    if schema is None:
        return False
    s = v.follow(schema).value
    if not isinstance(s, dict):
        return False
    return s.get("type") == "file" or (s.get("type") == "string" and s.get("format") in ("binary", "byte")) \
        or "contentMediaType" in s and "properties" not in s


def _body_example_missing(v: View, body: Body) -> bool:
    holder = body.holder.value
    if v.format == "oas2":
        if holder.get("examples") or "x-example" in holder or holder.get("x-examples"):
            return False
    elif "example" in holder or holder.get("examples"):
        return False
    if _is_binary(v, body.schema):
        return False
    return not _has_example(v, body.schema)


@register("requestBodyExamples")
def request_body_examples(target, options, ctx):
    v = view(ctx)
    seen: set = set()
    for op in v.operations():
        for b in v.request_bodies(op):
            key = (b.holder.path, b.holder.local)
            if key in seen or not _body_example_missing(v, b):
                continue
            seen.add(key)
            media = f" ({b.media})" if b.media else ""
            yield Hit(f"Request body{media} of {op.label} has no example", path=relative(ctx, b.holder.path))


@register("responseBodyExamples")
def response_body_examples(target, options, ctx):
    """Success (2xx) responses with a body: the example is what a portal shows first."""
    v = view(ctx)
    seen: set = set()
    for op in v.operations():
        for r in v.responses(op):
            if status_class(r.code) != "2":
                continue
            for b in v.response_bodies(r):
                key = (b.holder.path, b.holder.local)
                if key in seen or not _body_example_missing(v, b):
                    continue
                seen.add(key)
                media = f" ({b.media})" if b.media else ""
                yield Hit(f"Response {r.code}{media} of {op.label} has no example", path=relative(ctx, b.holder.path))


@register("clientErrorsDocumented")
def client_errors_documented(target, options, ctx):
    """options: acceptDefault (bool, default false): whether a `default` response is enough."""
    accept_default = bool(options.get("acceptDefault", False))
    v = view(ctx)
    for op in v.distinct_operations():
        rs = op.value.get("responses")
        if not isinstance(rs, dict):
            continue
        classes = {status_class(str(c)) for c in rs}
        if "4" in classes or (accept_default and "default" in classes):
            continue
        yield Hit(f"{op.label} documents no 4xx error response", path=relative(ctx, op.node.path + ("responses",)))


@register("errorResponseSchemas")
def error_response_schemas(target, options, ctx):
    """4xx, 5xx and default responses carry a schema, so clients can parse the error."""
    v = view(ctx)
    seen: set = set()
    for op in v.operations():
        if op.method == "head":
            continue
        for r in v.responses(op):
            if status_class(r.code) not in ("4", "5", "default") or not isinstance(r.node.value, dict):
                continue
            key = (r.node.path, r.node.local)
            if key in seen:
                continue
            seen.add(key)
            if not any(b.schema is not None for b in v.response_bodies(r)):
                yield Hit(f"Error response {r.code} of {op.label} has no schema", path=relative(ctx, r.node.path))


@register("successResponse")
def success_response(target, options, ctx):
    v = view(ctx)
    for op in v.distinct_operations():
        rs = op.value.get("responses")
        if isinstance(rs, dict) and any(status_class(str(c)) in ("2", "3") or str(c) == "101" for c in rs):
            continue
        where = op.node.path + ("responses",) if isinstance(rs, dict) else op.node.path
        yield Hit(f"{op.label} documents no success (2xx or 3xx) response", path=relative(ctx, where))


@register("responseDescriptions")
def response_descriptions(target, options, ctx):
    v = view(ctx)
    seen: set = set()
    for op in v.operations():
        for r in v.responses(op):
            yield from _response_description(ctx, r, f" of {op.label}", seen)
    for r in v.component_responses():
        yield from _response_description(ctx, r, "", seen)


def _response_description(ctx, r: Response, where: str, seen: set):
    key = (r.node.path, r.node.local)
    if key in seen or not isinstance(r.node.value, dict):
        return
    seen.add(key)
    at = missing_text(r.node, "description")
    if at is not None:
        yield Hit(f"Response {r.code}{where} has an empty description", path=relative(ctx, at))


@register("externalDocsUrl")
def external_docs_url(target, options, ctx):
    """Every externalDocs object (document, tags, operations, schemas) links an absolute http(s) URL."""
    v = view(ctx)
    holders: list[tuple[Node, str]] = [(Node(v.data, ()), "The API")]
    tags = v.data.get("tags")
    if isinstance(tags, list):
        holders += [(Node(t, ("tags", i)), f"Tag '{t.get('name', i)}'")
                    for i, t in enumerate(tags) if isinstance(t, dict)]
    holders += [(op.node, op.label) for op in v.operations()]
    holders += [(s.node, s.owner) for s in v.schemas()]
    seen: set = set()
    for holder, owner in holders:
        ext = holder.value.get("externalDocs") if isinstance(holder.value, dict) else None
        if not isinstance(ext, dict):
            continue
        base = holder.path + ("externalDocs",)
        if (base, holder.local) in seen:
            continue
        seen.add((base, holder.local))
        url = ext.get("url")
        if url is None:
            yield Hit(f"externalDocs of {owner} has no url", path=relative(ctx, base))
        elif not is_url(url):
            yield Hit(f"externalDocs url '{url}' of {owner} is not an absolute http(s) URL",
                      path=relative(ctx, base + ("url",)))

