"""The shared OpenAPI view (operations, parameters, bodies, schemas, `$ref` locations) and the
documentation functions, called directly: fast, and precise about edge cases the rule fixtures
only touch once (broken refs, cycles, other files, malformed documents)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from apiscan.functions import FUNCTIONS, load_builtin_functions
from apiscan.functions import oas
from apiscan.functions.registry import FunctionContext

load_builtin_functions()


def ctx_for(data, path=(), resolver=None):
    doc = SimpleNamespace(data=data, format="")
    return FunctionContext(document=doc, path=path, given_path=path, rule=None, resolver=resolver)


def run(name, data, target=None, options=None, path=()):
    ctx = ctx_for(data, path)
    hits = FUNCTIONS[name](data if target is None else target, options or {}, ctx) or []
    return [(h.path, h.message) for h in hits]


def paths_of(name, data, **kw):
    return [p for p, _ in run(name, data, **kw)]


OAS3 = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/pets/{petId}": {
            "parameters": [
                {"name": "petId", "in": "path", "required": True},
                {"name": "verbose", "in": "query"},
            ],
            "get": {
                "parameters": [{"name": "verbose", "in": "query", "description": "override"},
                               {"$ref": "#/components/parameters/Limit"}],
                "responses": {"200": {"$ref": "#/components/responses/Pet"}},
            },
            "x-not-a-method": {"responses": {}},
        },
        "/alias": {"$ref": "#/components/pathItems/Shared"},
    },
    "webhooks": {"newPet": {"post": {"responses": {"200": {"description": "ok"}}}}},
    "components": {
        "parameters": {"Limit": {"name": "limit", "in": "query"}},
        "responses": {"Pet": {"description": "a pet", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
        "pathItems": {"Shared": {"delete": {"responses": {"204": {"description": "gone"}}}}},
        "schemas": {
            "Pet": {"type": "object", "properties": {"name": {"type": "string"},
                                                     "owner": {"$ref": "#/components/schemas/Pet"},
                                                     "tags": {"type": "array", "items": {"type": "object", "properties": {"t": {}}}}}},
        },
    },
}


def test_operations_cover_paths_refs_and_webhooks_in_document_order():
    ops = oas.view(ctx_for(OAS3)).operations()
    assert [(o.label, o.node.path) for o in ops] == [
        ("GET /pets/{petId}", ("paths", "/pets/{petId}", "get")),
        ("DELETE /alias", ("components", "pathItems", "Shared", "delete")),
        ("webhook 'newPet' POST", ("webhooks", "newPet", "post")),
    ]
    assert [o.webhook for o in ops] == [False, False, True]


def test_oas2_has_no_trace_and_no_webhooks():
    data = {"swagger": "2.0", "paths": {"/a": {"trace": {}, "get": {}}}, "webhooks": {"w": {"post": {}}}}
    assert [o.label for o in oas.view(ctx_for(data)).operations()] == ["GET /a"]


def test_effective_parameters_operation_overrides_path_level_and_refs_point_at_definition():
    v = oas.view(ctx_for(OAS3))
    params = v.parameters(v.operations()[0])
    assert [(p.name, p.location, p.level, p.node.path) for p in params] == [
        ("petId", "path", "path-item", ("paths", "/pets/{petId}", "parameters", 0)),
        ("verbose", "query", "operation", ("paths", "/pets/{petId}", "get", "parameters", 0)),
        ("limit", "query", "operation", ("components", "parameters", "Limit")),
    ]


def test_response_bodies_follow_refs_to_where_written():
    v = oas.view(ctx_for(OAS3))
    (resp,) = v.responses(v.operations()[0])
    (body,) = v.response_bodies(resp)
    assert resp.node.path == ("components", "responses", "Pet")
    assert body.holder.path == ("components", "responses", "Pet", "content", "application/json")
    assert body.schema.path == ("components", "schemas", "Pet")


def test_follow_survives_cycles_and_broken_refs():
    data = {"openapi": "3.0.0", "a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}, "c": {"$ref": "#/nowhere"}}
    v = oas.View(ctx_for(data))
    assert v.is_ref(v.follow(oas.Node(data["a"], ("a",))).value)  # stops after MAX_REF_HOPS
    broken = v.follow(oas.Node(data["c"], ("c",)))
    assert broken.value == {"$ref": "#/nowhere"} and broken.path == ("c",)


def test_pointer_escapes_and_array_indices_in_local_refs():
    data = {"openapi": "3.0.0", "x": {"a/b~c": [{"k": 1}, {"k": 2}]}}
    assert oas._lookup(data, "#/x/a~1b~0c/1") == (True, {"k": 2}, ("x", "a/b~c", 1))
    assert oas._lookup(data, "#/x/a~1b~0c/9")[0] is False
    assert oas._lookup(data, "#")[0] is True
    braces = {"paths": {"/a/{id}": {"parameters": [{"name": "id"}]}}}
    assert oas._lookup(braces, "#/paths/~1a~1%7Bid%7D/parameters/0") == (True, {"name": "id"}, ("paths", "/a/{id}", "parameters", 0))


class FakeResolver:
    """Resolves refs to another file from a table, as the real resolver would."""

    def __init__(self, table):
        self.table = table

    def deref(self, value):
        return self.table.get(value.get("$ref"), value) if isinstance(value, dict) else value


def test_external_ref_keeps_the_logical_path_for_the_engine_to_map():
    data = {"openapi": "3.0.0", "paths": {"/a": {"get": {"parameters": [{"$ref": "other.yaml#/P"}]}}}}
    external = {"name": "q", "in": "query"}
    ctx = ctx_for(data, resolver=FakeResolver({"other.yaml#/P": external}))
    v = oas.View(ctx)
    (p,) = v.parameters(v.operations()[0])
    assert p.node.value is external and p.node.local is False
    assert p.node.path == ("paths", "/a", "get", "parameters", 0)


def test_schema_walk_visits_nested_once_and_skips_local_refs():
    v = oas.View(ctx_for(OAS3))
    paths = [s.node.path for s in v.schemas()]
    assert ("components", "schemas", "Pet") in paths
    assert ("components", "schemas", "Pet", "properties", "tags", "items") in paths
    assert ("components", "schemas", "Pet", "properties", "owner") not in paths  # a local $ref
    assert len(paths) == len(set(paths))


def test_schema_walk_is_bounded_on_external_cycles_and_depth():
    loop = {"type": "object", "properties": {}}
    loop["properties"]["self"] = {"$ref": "x.yaml#/Loop"}
    deep = cur = {}
    for _ in range(500):
        cur["items"] = {}
        cur = cur["items"]
    data = {"openapi": "3.0.0", "components": {"schemas": {"A": {"$ref": "x.yaml#/Loop"}, "Deep": deep}}}
    v = oas.View(ctx_for(data, resolver=FakeResolver({"x.yaml#/Loop": loop})))
    schemas = v.schemas()
    assert sum(1 for s in schemas if s.node.value is loop) == 1
    assert len(schemas) <= 1 + oas.MAX_SCHEMA_DEPTH + 2


@pytest.mark.parametrize("schema,expected", [
    ({"type": "object", "example": {"a": 1}}, True),
    ({"type": "object", "examples": [{"a": 1}]}, True),
    ({"type": "object", "examples": []}, False),
    ({"type": "array", "items": {"type": "string", "example": "x"}}, True),
    ({"type": "object", "properties": {"a": {"example": 1}, "b": {"example": 2}}}, True),
    ({"type": "object", "properties": {"a": {"example": 1}, "b": {}}}, False),
    ({"allOf": [{"type": "object"}, {"example": {}}]}, True),
    ({"oneOf": [{"example": 1}, {"type": "string"}]}, False),
    ({"$ref": "#/components/schemas/E"}, True),
])
def test_has_example(schema, expected):
    data = {"openapi": "3.0.0", "components": {"schemas": {"E": {"example": 1}}}}
    v = oas.View(ctx_for(data))
    assert oas._has_example(v, oas.Node(schema, ("s",))) is expected


def test_status_class_url_and_email():
    assert [oas.status_class(c) for c in ("200", "2XX", "4xx", "default", "DEFAULT", "abc", "600", "20")] == \
        ["2", "2", "4", "default", "default", "", "", ""]
    assert oas.is_url("https://example.com/x") and not oas.is_url("example.com") and not oas.is_url("ftp://a/b")
    assert not oas.is_url("https://a b") and not oas.is_url(None)
    assert oas.is_email("a@b.io") and not oas.is_email("a@b") and not oas.is_email("team")


def test_contact_reachable_messages_and_places():
    info = {"title": "t", "contact": {"url": "nope", "email": "x@y.z"}}
    assert run("contactReachable", {}, target=info) == [(("contact", "url"), "info.contact.url 'nope' is not an absolute http(s) URL")]
    assert paths_of("contactReachable", {}, target={"title": "t"}) == [()]
    assert paths_of("contactReachable", {}, target={"contact": {"name": "n"}}) == [("contact",)]
    assert paths_of("contactReachable", {}, target={"contact": {"email": "a@b.co"}}) == []


def test_described_object_names_the_object_from_key_or_field():
    ctx = ctx_for({}, path=("components", "securitySchemes", "apiKey"))
    hits = list(FUNCTIONS["describedObject"]({"type": "apiKey"}, {"label": "Security scheme"}, ctx))
    assert [(h.path, h.message) for h in hits] == [((), "Security scheme 'apiKey' has no description")]
    hits = list(FUNCTIONS["describedObject"]({"url": "https://a", "description": ""},
                                             {"label": "Server", "nameField": "url"}, ctx))
    assert [(h.path, h.message) for h in hits] == [(("description",), "Server 'https://a' has no description")]
    assert not list(FUNCTIONS["describedObject"]({"title": "T"}, {"alsoAccept": ["title"]}, ctx))


def test_parameter_descriptions_report_shared_parameter_once_naming_first_operation():
    hits = run("parameterDescriptions", OAS3)
    assert hits == [
        (("paths", "/pets/{petId}", "parameters", 0), "Parameter 'petId' (path) of GET /pets/{petId} has no description"),
        (("components", "parameters", "Limit"), "Parameter 'limit' (query) of GET /pets/{petId} has no description"),
    ]


def test_operation_id_unique_names_the_first_user():
    data = {"openapi": "3.0.0", "paths": {"/a": {"get": {"operationId": "x"}}, "/b": {"put": {"operationId": "x"}}}}
    assert run("operationIdUnique", data) == [
        (("paths", "/b", "put", "operationId"), "operationId 'x' of PUT /b is already used by GET /a")]


def test_hit_paths_are_relative_to_a_non_root_target():
    ctx = ctx_for({}, path=("paths",))
    assert oas.relative(ctx, ("paths", "/a", "get")) == ("/a", "get")
    assert oas.relative(ctx, ("components", "x")) == ("components", "x")


def test_view_cache_is_per_document_object():
    a, b = {"openapi": "3.0.0"}, {"openapi": "3.0.0"}
    assert oas.view(ctx_for(a)) is oas.view(ctx_for(a))
    assert oas.view(ctx_for(a)) is not oas.view(ctx_for(b))


MALFORMED = [
    {"openapi": "3.0.0", "paths": []},
    {"openapi": "3.0.0", "paths": {"/a": "nope", "/b": {"get": "x", "post": {"responses": []}}}},
    {"openapi": "3.0.0", "paths": {"/a": {"get": {"parameters": "x", "requestBody": [], "responses": {"200": None}}}}},
    {"openapi": "3.0.0", "paths": {"/a": {"get": {"parameters": [None, 3, {"$ref": 5}], "tags": "x",
                                                  "responses": {"400": "x", "200": {"content": []}}}}},
     "tags": [None, {"name": 3}], "components": {"schemas": {"A": {"properties": []}, "B": None}}},
    {"swagger": "2.0", "paths": {"/a": {"get": {"parameters": [{"in": "body", "schema": None}],
                                                "responses": {"200": {"schema": "x", "examples": 3}}}}}},
    {"openapi": "3.0.0", "externalDocs": "x", "tags": [{"name": "a", "externalDocs": {"url": 5}}]},
    [],
    "text",
]


@pytest.mark.parametrize("data", MALFORMED, ids=range(len(MALFORMED)))
def test_every_function_survives_malformed_documents(data):
    import apiscan.functions.design  # noqa: F401  (registers the design functions)

    names = [n for n, fn in FUNCTIONS.items() if fn.__module__ in ("apiscan.functions.oas", "apiscan.functions.design")]
    assert len(names) >= 30
    for name in names:
        target = data.get("paths") if isinstance(data, dict) and name in (
            "pathKebabCase", "noVerbsInPaths", "pathItemHasOperations", "pluralCollections") else data
        list(FUNCTIONS[name](target, {}, ctx_for(data)) or [])


def test_property_descriptions_group_per_schema_or_report_per_property():
    data = {"openapi": "3.0.0", "components": {"schemas": {"P": {"properties": {
        n: {"type": "string"} for n in "abcdefghij"} | {"k": {"type": "string", "description": "ok"}}}}}}
    (grouped,) = run("propertyDescriptions", data)
    assert grouped == (("components", "schemas", "P", "properties"),
                       "In schema 'P', 10 properties have no description: a, b, c, d, e, f, g, h and 2 more")
    each = run("propertyDescriptions", data, options={"per": "property"})
    assert [p[-1] for p, _ in each] == list("abcdefghij")
    with pytest.raises(oas.FunctionOptionsError):
        run("propertyDescriptions", data, options={"per": "field"})


@pytest.mark.parametrize("schema,binary", [
    ({"type": "string", "format": "binary"}, True), ({"type": "file"}, True),
    ({"type": "string", "contentMediaType": "image/png"}, True), ({"type": "string"}, False), (None, False),
])
def test_binary_payloads_need_no_example(schema, binary):
    v = oas.View(ctx_for({"openapi": "3.1.0"}))
    assert oas._is_binary(v, oas.Node(schema, ("s",)) if schema is not None else None) is binary
