"""The spectral:oas custom functions and the ruleset file, checked against Spectral's messages."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from apiscan.functions import load_builtin_functions
from apiscan.functions.registry import MISSING, FunctionContext
from apiscan.sources.document import load_document

FUNCTIONS = load_builtin_functions()
REPO = Path(__file__).resolve().parents[2]
RULESET = REPO / "rules" / "rulesets" / "spectral-oas.yaml"


class LocalResolver:
    """Enough of the engine's resolver for unit tests: local `#/...` refs only."""

    def __init__(self, data):
        self.data = data

    def deref(self, value, _depth=0):
        while isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/") and _depth < 32:
            node = self.data
            for part in value["$ref"][2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                return value
            value, _depth = node, _depth + 1
        return value

    def deep_resolve(self, value, max_depth=64):
        def rec(v, depth, stack):
            if depth > max_depth:
                return v
            if isinstance(v, dict) and "$ref" in v:
                target = self.deref(v)
                if target is v or id(target) in stack:
                    return dict(v)
                return rec(target, depth + 1, stack | {id(target)})
            if isinstance(v, dict):
                return {k: rec(x, depth + 1, stack) for k, x in v.items()}
            if isinstance(v, list):
                return [rec(x, depth + 1, stack) for x in v]
            return v

        return rec(value, 0, frozenset())


def ctx_for(data, path=(), fmt="oas3.0"):
    doc = SimpleNamespace(data=data, format=fmt)
    return FunctionContext(document=doc, path=tuple(path), given_path=tuple(path), rule=None, resolver=LocalResolver(data))


def run(name, target, options=None, data=None, path=(), fmt="oas3.0"):
    ctx = ctx_for(data if data is not None else target, path, fmt)
    result = FUNCTIONS[name](ctx.resolve(target), options or {}, ctx)
    return [(h.message, tuple(h.path)) for h in (result or [])]


# ------------------------------------------------------------------ the ruleset file


def test_ruleset_has_spectrals_56_rules_with_known_functions():
    data = load_document(RULESET).data
    rules = data["rules"]
    assert len(rules) == 56
    for name, rule in rules.items():
        thens = rule["then"] if isinstance(rule["then"], list) else [rule["then"]]
        for then in thens:
            assert then["function"] in FUNCTIONS, (name, then["function"])
        assert rule["severity"] in ("error", "warn")
        assert isinstance(rule["recommended"], bool)
        assert rule.get("description") or rule.get("message")
        assert rule["documentationUrl"].endswith("#" + name)
    recommended_off = {n for n, r in rules.items() if not r["recommended"]}
    assert recommended_off == {
        "contact-properties", "info-license", "license-url", "openapi-tags-alphabetical", "openapi-tags",
        "operation-singular-tag", "tag-description", "oas2-host-not-example", "oas2-parameter-description",
        "oas3-parameter-description", "oas3-server-not-example.com",
    }
    errors = {n for n, r in rules.items() if r["severity"] == "error"}
    assert {"operation-operationId-unique", "path-params", "no-$ref-siblings", "oas3-schema", "oas2-schema",
            "oas3-valid-media-example", "oas3-server-variables", "array-items"} <= errors


# ------------------------------------------------------------------ operations


def test_op_success_response():
    assert run("oasOpSuccessResponse", {"default": {}}) == [("Operation must define at least a single 2xx or 3xx response", ())]
    assert run("oasOpSuccessResponse", {"200": {}}) == []
    assert run("oasOpSuccessResponse", {"304": {}}) == []
    assert run("oasOpSuccessResponse", {"2XX": {}}, fmt="oas3.1") == []
    assert run("oasOpSuccessResponse", {"2XX": {}}, fmt="oas2") != []


def test_form_data_consume_check():
    op = {"consumes": ["application/json"], "parameters": [{"in": "formData", "name": "f"}]}
    msg = "Consumes must include urlencoded, multipart, or form-data media type when using formData parameter."
    assert run("oasOpFormDataConsumeCheck", op, fmt="oas2") == [(msg, ())]
    op["consumes"].append("multipart/form-data")
    assert run("oasOpFormDataConsumeCheck", op, fmt="oas2") == []
    assert run("oasOpFormDataConsumeCheck", {"parameters": [{"in": "formData"}]}, fmt="oas2") == []


def test_operation_id_unique():
    paths = {"/a": {"get": {"operationId": "x"}, "post": {"operationId": "x"}}, "/b": {"get": {"operationId": "y"}}}
    doc = {"paths": paths}
    assert run("oasOpIdUnique", paths, data=doc, path=("paths",)) == [("operationId must be unique.", ("/a", "post", "operationId"))]
    assert run("oasOpIdUnique", doc, data=doc, path=()) == [("operationId must be unique.", ("paths", "/a", "post", "operationId"))]


def test_op_params():
    params = [
        {"name": "a", "in": "query"},
        {"name": "a", "in": "query"},
        {"name": "b", "in": "body"},
        {"name": "c", "in": "body"},
        {"name": "d", "in": "formData"},
    ]
    assert run("oasOpParams", params, data={"p": params}, path=("p",)) == [
        ('A parameter in this operation already exposes the same combination of "name" and "in" values.', (1,)),
        ('Operation must not have both "in:body" and "in:formData" parameters.', ()),
        ('Operation must not have more than a single instance of the "in:body" parameter.', (3,)),
    ]
    assert run("oasOpParams", [{"name": "a", "in": "query"}, {"name": "a", "in": "path"}]) == []


def test_op_params_compares_resolved_refs():
    doc = {"components": {"parameters": {"A": {"name": "a", "in": "query"}}}}
    params = [{"$ref": "#/components/parameters/A"}, {"name": "a", "in": "query"}]
    assert run("oasOpParams", params, data=doc) == [
        ('A parameter in this operation already exposes the same combination of "name" and "in" values.', (1,))
    ]


def test_tag_defined():
    doc = {"tags": [{"name": "pets"}], "paths": {"/a": {"get": {"tags": ["pets", "cats"]}}}}
    assert run("oasTagDefined", doc) == [("Operation tags must be defined in global tags.", ("paths", "/a", "get", "tags", 1))]


# ------------------------------------------------------------------ path params


def test_path_params_all_messages():
    paths = {
        "/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path"}]}},
        "/a/{other}": {"get": {}},
        "/b/{x}/{x}": {"parameters": [{"name": "x", "in": "path", "required": True}], "get": {}},
        "/c": {"get": {"parameters": [{"name": "unused", "in": "path", "required": True},
                                      {"name": "unused", "in": "path", "required": True}]}},
    }
    doc = {"paths": paths}
    got = run("oasPathParam", paths, data=doc, path=("paths",))
    assert ('Path parameter "id" must have "required" property that is set to "true".', ("/a/{id}", "get", "parameters", 0)) in got
    assert ('Paths "/a/{id}" and "/a/{other}" must not be equivalent.', ("/a/{other}",)) in got
    assert ('Operation must define parameter "{other}" as expected by path "/a/{other}".', ("/a/{other}", "get")) in got
    assert ('Path "/b/{x}/{x}" must not use parameter "{x}" multiple times.', ("/b/{x}/{x}",)) in got
    assert ('Path parameter "unused" must not be defined multiple times.', ("/c", "get", "parameters", 1)) in got
    assert ('Parameter "unused" must be used in path "/c".', ("/c", "get", "parameters", 0)) in got
    assert len(got) == 6
    good = {"/p/{id}": {"parameters": [{"name": "id", "in": "path", "required": True}], "get": {}, "put": {}}}
    assert run("oasPathParam", good, data={"paths": good}, path=("paths",)) == []


# ------------------------------------------------------------------ security, tags, servers


def test_security_defined():
    doc = {
        "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {"implicit": {"scopes": {"read": ""}}}}}},
        "security": [{"oauth": ["read", "write"]}, {"missing": []}],
    }
    assert run("oasSecurityDefined", {"oauth": ["read", "write"]}, {"oasVersion": 3}, doc, ("security", 0)) == [
        ('"write" must be listed among scopes.', ("oauth", 1))
    ]
    assert run("oasSecurityDefined", {"missing": []}, {"oasVersion": 3}, doc, ("security", 1)) == [
        ('API "security" values must match a scheme defined in the "components.securitySchemes" object.', ("missing",))
    ]
    assert run("oasSecurityDefined", {"missing": []}, {"oasVersion": 3}, doc, ("paths", "/a", "get", "security", 0)) == [
        ('Operation "security" values must match a scheme defined in the "components.securitySchemes" object.', ("missing",))
    ]
    doc2 = {"securityDefinitions": {"k": {"type": "apiKey"}}}
    assert run("oasSecurityDefined", {"k": []}, {"oasVersion": 2}, doc2, ("security", 0), fmt="oas2") == []


def test_uniqueness_tags():
    tags = [{"name": "a"}, {"name": "b"}, {"name": "a"}]
    assert run("uniquenessTags", tags, data={"tags": tags}, path=("tags",)) == [
        ('"tags" object contains duplicate tag name "a".', (2, "name"))
    ]
    assert run("uniquenessTags", [{"name": "a"}, {"name": "b"}]) == []


def test_server_variables():
    opts = {"checkSubstitutions": True, "requireDefault": True}
    server = {"url": "https://{host}.example.com/{missing}", "variables": {"host": {"enum": ["a", "b"], "default": "c"},
                                                                        "extra": {"default": "x"}}}
    got = run("serverVariables", server, opts)
    assert got == [
        ('Server\'s "variables" object has unused defined "extra" url variable.', ("variables", "extra")),
        ("Not all server's variables are described with \"variables\" object. Missed: missing.", ("variables",)),
        ('Server Variable "host" has a default not listed in the enum.', ("variables", "host", "default")),
    ]
    assert run("serverVariables", {"url": "{scheme}://x", "variables": {"scheme": {"enum": ["http", "bad scheme"]}}}, opts) == [
        ('Server Variable "scheme" has a missing default.', ("variables", "scheme")),
        ("A few substitutions of server variables resulted in invalid URLs: bad%20scheme://x", ("variables",)),
    ]
    assert run("serverVariables", {"url": "https://api.test/v1"}, opts) == []
    assert run("serverVariables", {"url": 1}, opts) == [("Invalid Server Object", ())]


# ------------------------------------------------------------------ schema objects


def test_ref_siblings():
    assert run("refSiblings", {"$ref": "#/x", "description": "d"}) == [
        ("$ref must not be placed next to any other properties", ("description",))
    ]
    assert run("refSiblings", {"$ref": "#/x"}) == []


def test_typed_enum():
    schema = {"type": "integer", "enum": [1, 2.5, "3", None]}
    assert run("typedEnum", schema, data={"s": schema}, path=("s",)) == [
        ('Enum value 2.5 must be "integer".', ("enum", 1)),
        ('Enum value "3" must be "integer".', ("enum", 2)),
        ('Enum value null must be "integer".', ("enum", 3)),
    ]
    nullable = {"type": "string", "nullable": True, "enum": ["a", None]}
    assert run("typedEnum", nullable, fmt="oas3.0") == []
    assert run("typedEnum", nullable, fmt="oas3.1") == [('Enum value null must be "string".', ("enum", 1))]


def test_discriminator():
    assert run("oasDiscriminator", {"discriminator": "kind"}, fmt="oas2") == [
        ("The discriminator property must be defined in this schema.", ("properties",)),
        ("The discriminator property must be in the required property list.", ("required",)),
    ]
    ok = {"discriminator": "kind", "properties": {"kind": {}}, "required": ["kind"]}
    assert run("oasDiscriminator", ok, fmt="oas2") == []


def test_unused_component():
    doc = {
        "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/Ok"}}}}},
        "components": {
            "responses": {"Ok": {"content": {"a/b": {"schema": {"$ref": "#/components/schemas/Used"}}}}},
            "schemas": {"Used": {}, "Unused": {}, "SelfOnly": {"items": {"$ref": "#/components/schemas/SelfOnly"}}},
            "securitySchemes": {"NotChecked": {}},
        },
    }
    assert run("oasUnusedComponent", doc) == [
        ("Potential orphaned reusable object has been detected", ("components", "schemas", "Unused")),
        ("Potential orphaned reusable object has been detected", ("components", "schemas", "SelfOnly")),
    ]


def test_duplicated_enum_via_oas_schema():
    schema_opts = {"schema": {"type": "array", "uniqueItems": True}}
    doc = {"s": {"enum": ["a", "b", "a"]}}
    assert run("oasSchema", doc["s"]["enum"], schema_opts, doc, ("s", "enum")) == [
        ('"enum" property must not have duplicate items (items ## 0 and 2 are identical)', ())
    ]
    assert run("oasSchema", ["a", "b"], schema_opts, {"s": {"enum": ["a", "b"]}}, ("s", "enum")) == []


# ------------------------------------------------------------------ examples


EX_OPTS_SCHEMA3 = {"schemaField": "$", "oasVersion": 3, "type": "schema"}
EX_OPTS_MEDIA3 = {"schemaField": "schema", "oasVersion": 3, "type": "media"}


def test_schema_example_and_default():
    schema = {"type": "string", "example": 1, "default": "ok"}
    doc = {"components": {"schemas": {"S": schema}}}
    assert run("oasExample", schema, EX_OPTS_SCHEMA3, doc, ("components", "schemas", "S")) == [
        ('"example" property type must be string', ("example",))
    ]


def test_nullable_type_message_in_oas30():
    schema = {"type": "string", "nullable": True, "example": 1}
    doc = {"components": {"schemas": {"S": schema}}}
    assert run("oasExample", schema, EX_OPTS_SCHEMA3, doc, ("components", "schemas", "S")) == [
        ('"example" property type must be string,null', ("example",))
    ]
    schema_null = {"type": "string", "nullable": True, "example": None}
    doc = {"components": {"schemas": {"S": schema_null}}}
    assert run("oasExample", schema_null, EX_OPTS_SCHEMA3, doc, ("components", "schemas", "S")) == []
    assert "null" not in schema_null["type"]  # the document is never modified


def test_media_examples_keyed_and_ref_schema():
    doc = {
        "components": {"schemas": {"Pet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}},
        "paths": {"/p": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Pet"},
            "examples": {"good": {"value": {"name": "x"}}, "bad": {"value": {"name": 2}},
                         "ext": {"externalValue": "http://x"}, "empty": {"summary": "s"}},
        }}}}}}},
    }
    media_path = ("paths", "/p", "get", "responses", "200", "content", "application/json")
    media = doc["paths"]["/p"]["get"]["responses"]["200"]["content"]["application/json"]
    assert run("oasExample", media, EX_OPTS_MEDIA3, doc, media_path) == [
        ('"name" property type must be string', ("examples", "bad", "value", "name")),
        ('"empty.value" property must exist', ("examples", "empty", "value")),
    ]


def test_response_examples_ignore_write_only_required():
    schema = {"type": "object", "required": ["secret", "id"],
              "properties": {"secret": {"type": "string", "writeOnly": True}, "id": {"type": "integer"}}}
    media = {"schema": schema, "example": {"id": 1}}
    doc = {"paths": {"/p": {"get": {"responses": {"200": {"content": {"a/json": media}}}}}}}
    path = ("paths", "/p", "get", "responses", "200", "content", "a/json")
    assert run("oasExample", media, EX_OPTS_MEDIA3, doc, path) == []
    assert schema["required"] == ["secret", "id"]  # the document is never modified


def test_oas2_x_example():
    schema = {"type": "integer", "x-example": "nope"}
    doc = {"definitions": {"N": schema}}
    got = run("oasExample", schema, {"schemaField": "$", "oasVersion": 2, "type": "schema"}, doc, ("definitions", "N"), fmt="oas2")
    assert got == [('"x-example" property type must be integer', ("x-example",))]


# ------------------------------------------------------------------ document schema


def test_nullable_without_type_is_ajvs_compile_error():
    media = {"schema": {"type": "object", "properties": {"a": {"nullable": True}}}, "example": {"a": 1}}
    doc = {"paths": {"/p": {"get": {"responses": {"200": {"content": {"a/json": media}}}}}}}
    path = ("paths", "/p", "get", "responses", "200", "content", "a/json")
    assert run("oasExample", media, EX_OPTS_MEDIA3, doc, path) == [('"nullable" cannot be used without "type"', ("example",))]


def test_ajv_formats_uuid_and_js_regex():
    schema = {"type": "string", "format": "uuid", "example": "not-a-uuid"}
    doc = {"components": {"schemas": {"S": schema}}}
    assert run("oasExample", schema, EX_OPTS_SCHEMA3, doc, ("components", "schemas", "S")) == [
        ('"example" property must match format "uuid"', ("example",))
    ]
    # `\p` is an identity escape in a non-unicode JS regex: a valid pattern for AJV's "regex" format
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
           "components": {"schemas": {"N": {"type": "string", "pattern": "[\\p{Print}&&[^|:/]]+"}}}}
    assert run("oasDocumentSchema", doc, fmt="oas3.0") == []


def test_document_schema_oas30():
    doc = {"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}, "bogus": 1}
    got = run("oasDocumentSchema", doc, fmt="oas3.0")
    assert ('"info" property must have required property "version"', ("info",)) in got
    assert ('Property "bogus" is not expected to be here', ("bogus",)) in got


def test_document_schema_valid_docs_pass():
    doc3 = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}}
    assert run("oasDocumentSchema", doc3, fmt="oas3.0") == []
    doc31 = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert run("oasDocumentSchema", doc31, fmt="oas3.1") == []
    doc2 = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    assert run("oasDocumentSchema", doc2, fmt="oas2") == []
    assert run("oasDocumentSchema", {"swagger": "2.0"}, fmt="") == []  # unknown format: nothing, like Spectral


def test_missing_field_targets_do_not_crash_custom_functions():
    for name in ("oasOpSuccessResponse", "oasOpParams", "typedEnum", "oasDiscriminator", "uniquenessTags",
                 "oasTagDefined", "oasPathParam", "oasOpIdUnique", "refSiblings", "oasUnusedComponent"):
        ctx = ctx_for({}, ("x",))
        assert not FUNCTIONS[name](MISSING, {}, ctx)
