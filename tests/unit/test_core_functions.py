"""Spectral's core functions: results and exact messages as Spectral 6.x gives them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from apiscan.functions import core
from apiscan.functions.registry import FUNCTIONS, MISSING, FunctionContext, FunctionOptionsError


def ctx_for(data, path=()):
    doc = SimpleNamespace(data=data, format="oas3.0")
    return FunctionContext(document=doc, path=tuple(path), given_path=tuple(path), rule=None)


def run(name, target, options=None, data=None, path=()):
    fn = FUNCTIONS[name]
    result = fn(target, options if options is not None else {}, ctx_for(data, path))
    return [(h.message, tuple(h.path)) for h in (result or [])]


# ------------------------------------------------------------------ registry


def test_all_core_functions_registered():
    for name in ("truthy", "falsy", "defined", "undefined", "pattern", "casing", "alphabetical",
                 "enumeration", "length", "schema", "xor", "or", "unreferencedReusableObject"):
        assert name in FUNCTIONS


# ------------------------------------------------------------------ truthy / falsy / defined / undefined


DOC = {"info": {"title": "t", "description": "", "contact": {}}, "tags": []}


@pytest.mark.parametrize("value", ["", 0, None, False, float("nan"), MISSING])
def test_truthy_fails_on_js_falsy(value):
    assert run("truthy", value, data=DOC, path=("info", "description")) == [
        ('"description" property must be truthy', ())
    ]


@pytest.mark.parametrize("value", [{}, [], "x", 1, True, -0.5])
def test_truthy_passes_on_js_truthy(value):
    assert run("truthy", value, data=DOC, path=("info", "contact")) == []


def test_truthy_missing_field_names_path_from_closest_parent():
    # given `$`, field `info.license`: info exists, license does not
    assert run("truthy", MISSING, data=DOC, path=("info", "license")) == [('"info.license" property must be truthy', ())]
    # nothing along the path exists: Spectral prints only the last segment
    assert run("truthy", MISSING, data={}, path=("info", "contact")) == [('"contact" property must be truthy', ())]


def test_truthy_on_root_says_the_document():
    assert run("truthy", 0, data=0, path=()) == [("The document must be truthy", ())]


def test_falsy():
    assert run("falsy", "x", data={"a": "x"}, path=("a",)) == [('"a" property must be falsy', ())]
    assert run("falsy", {}, data={"a": {}}, path=("a",)) == [('"a" property must be falsy', ())]
    assert run("falsy", 0, data={"a": 0}, path=("a",)) == []
    assert run("falsy", MISSING, data={}, path=("a",)) == []


def test_defined_and_undefined():
    assert run("defined", MISSING, data={"x": {}}, path=("x", "y")) == [('"x.y" property must be defined', ())]
    assert run("defined", None, data={"x": None}, path=("x",)) == []  # JSON null is defined
    assert run("undefined", None, data={"x": None}, path=("x",)) == [('"x" property must be undefined', ())]
    assert run("undefined", MISSING, data={}, path=("x",)) == []


def test_functions_without_options_reject_options():
    with pytest.raises(FunctionOptionsError, match='"truthy" function does not accept any options'):
        run("truthy", 1, {"x": 1})


# ------------------------------------------------------------------ pattern


def test_pattern_match_and_not_match_messages():
    data = {"title": "Swagger Petstore"}
    assert run("pattern", "Swagger Petstore", {"match": "^Stoplight"}, data, ("title",)) == [
        ('"Swagger Petstore" must match the pattern "^Stoplight"', ())
    ]
    assert run("pattern", "Swagger Petstore", {"notMatch": "Swagger"}, data, ("title",)) == [
        ('"Swagger Petstore" must not match the pattern "Swagger"', ())
    ]
    both = run("pattern", "Swagger Petstore", {"match": "^Stoplight", "notMatch": "Swagger"}, data, ("title",))
    assert len(both) == 2
    assert run("pattern", "Stoplight", {"match": "^Stoplight", "notMatch": "Swagger"}, {"t": "Stoplight"}, ("t",)) == []


def test_pattern_prints_backslashes_as_json():
    assert run("pattern", "a", {"match": "\\d+"}, {"x": "a"}, ("x",)) == [('"a" must match the pattern "\\\\d+"', ())]


def test_pattern_ignores_non_strings():
    assert run("pattern", 12, {"match": "^x"}) == []
    assert run("pattern", MISSING, {"match": "^x"}) == []
    assert run("pattern", None, {"match": "^x"}) == []


def test_pattern_regex_literal_with_flags():
    assert run("pattern", "ABC", {"match": "/^abc$/i"}, {"x": "ABC"}, ("x",)) == []
    assert run("pattern", "ABC", {"match": "/^abc$/"}, {"x": "ABC"}, ("x",)) != []
    assert run("pattern", "a/b", {"match": "/a\\/b/"}, {"x": "a/b"}, ("x",)) == []


def test_pattern_for_key_prints_the_keyed_object():
    # `field: '@key'`: Spectral prints the value at the result path, which is the path item object
    data = {"paths": {"/a/": {}}}
    assert run("pattern", "/a/", {"notMatch": ".+\\/$"}, data, ("paths", "/a/")) == [
        ('Object{} must not match the pattern ".+\\\\/$"', ())
    ]


@pytest.mark.parametrize(
    "source,text,expected",
    [
        ("^abc$", "abc\n", False),  # JS `$` is the very end
        ("^\\d+$", "١٢", False),  # JS \d is ASCII only
        ("^\\w+$", "é", False),
        ("^(?<year>\\d{4})-\\k<year>$", "2024-2024", True),
        ("a.b", "a\nb", False),
        ("/a.b/s", "a\nb", True),
        ("/^b$/m", "a\nb\nc", True),
        ("[^]", "\n", True),
        ("{}", "/x/{}", True),
        ("\\bfoo\\b", "a foo b", True),
        ("\\bfoo\\b", "éfooé", True),  # non-ASCII letters are not word characters in JS
        ("^\\s$", "\u00a0", True),
    ],
)
def test_js_regex_semantics(source, text, expected):
    assert core.js_regex(source).test(text) is expected


def test_pattern_invalid_options():
    with pytest.raises(FunctionOptionsError, match="Example valid options"):
        run("pattern", "x", {})
    with pytest.raises(FunctionOptionsError, match='does not support "foo" option'):
        run("pattern", "x", {"match": "x", "foo": 1})
    with pytest.raises(FunctionOptionsError, match='"match" option must be string or RegExp instance'):
        run("pattern", "x", {"match": 1})
    with pytest.raises(FunctionOptionsError, match="Invalid regular expression"):
        run("pattern", "x", {"match": "(unclosed"})


def test_regex_cache_returns_same_object():
    assert core.js_regex("^cached$") is core.js_regex("^cached$")


# ------------------------------------------------------------------ casing


@pytest.mark.parametrize(
    "kind,good,bad",
    [
        ("flat", ["foo", "foo1"], ["Foo", "foo-bar", "fooBar", "1foo"]),
        ("camel", ["fooBar", "foo", "fooB", "foo1Bar"], ["FooBar", "foo-bar", "foo_bar", "fooBAR"]),
        ("pascal", ["FooBar", "Foo", "FooB"], ["fooBar", "Foo-Bar", "FooBAR"]),
        ("kebab", ["foo-bar", "foo"], ["foo-Bar", "foo--bar", "-foo", "foo_bar"]),
        ("cobol", ["FOO-BAR", "FOO"], ["FOO-bar", "foo"]),
        ("snake", ["foo_bar", "foo"], ["foo__bar", "Foo_bar", "foo-bar"]),
        ("macro", ["FOO_BAR", "FOO1"], ["FOO-BAR", "Foo"]),
    ],
)
def test_casing_types(kind, good, bad):
    for value in good:
        assert run("casing", value, {"type": kind}) == [], value
    for value in bad:
        assert run("casing", value, {"type": kind}) == [(f"must be {kind} case", ())], value


def test_casing_digits_separator_and_empty():
    assert run("casing", "foo1", {"type": "flat", "disallowDigits": True}) == [("must be flat case", ())]
    assert run("casing", "", {"type": "camel"}) == []  # empty strings are not checked
    assert run("casing", 5, {"type": "camel"}) == []
    opts = {"type": "camel", "separator": {"char": "/", "allowLeading": True}}
    assert run("casing", "/fooBar/baz", opts) == []
    assert run("casing", "/", opts) == []
    assert run("casing", "/fooBar/Baz", opts) == [("must be camel case", ())]
    assert run("casing", "/foo", {"type": "camel", "separator": {"char": "/"}}) == [("must be camel case", ())]
    assert run("casing", "a.b", {"type": "flat", "separator": {"char": "."}}) == []


def test_casing_invalid_options():
    with pytest.raises(FunctionOptionsError, match='"casing" function and its "type" option accept the following values'):
        run("casing", "x", {"type": "upper"})
    with pytest.raises(FunctionOptionsError, match='"casing" function is missing "type" option'):
        run("casing", "x", {"disallowDigits": True})
    with pytest.raises(FunctionOptionsError, match='separator.char" option accepts only char'):
        run("casing", "x", {"type": "flat", "separator": {"char": "ab"}})


# ------------------------------------------------------------------ alphabetical


def test_alphabetical_arrays_and_objects():
    assert run("alphabetical", ["a", "b", "c"], None) == []
    assert run("alphabetical", ["b", "a"], None) == [('"b" must be placed after "a"', (0,))]
    assert run("alphabetical", {"b": 1, "a": 2}, None) == [('"b" must be placed after "a"', ("b",))]
    assert run("alphabetical", [10, 1], None) == [("10 must be placed after 1", (0,))]
    assert run("alphabetical", ["a"], None) == []
    assert run("alphabetical", "ba", None) == []


def test_alphabetical_locale_order_is_case_insensitive():
    assert run("alphabetical", ["a", "B", "c"], None) == []
    assert run("alphabetical", ["b", "A"], None) == [('"b" must be placed after "A"', (0,))]
    assert run("alphabetical", ["a", "A"], None) == []  # lowercase first on ties


def test_alphabetical_keyed_by():
    tags = [{"name": "a"}, {"name": "c"}, {"name": "b"}]
    data = {"tags": tags}
    assert run("alphabetical", tags, {"keyedBy": "name"}, data, ("tags",)) == [("properties must follow the alphabetical order", ())]
    assert run("alphabetical", sorted(tags, key=lambda t: t["name"]), {"keyedBy": "name"}, data, ("tags",)) == []
    assert run("alphabetical", ["a", "b"], {"keyedBy": "name"}, data, ("tags",)) == [('"tags" property must be an object', ())]
    missing = [{"name": "a"}, {"x": 1}]
    assert run("alphabetical", missing, {"keyedBy": "name"}, data, ("tags",)) == [
        ('"tags" property must be one of the allowed types: number, string', ())
    ]


def test_alphabetical_invalid_options():
    with pytest.raises(FunctionOptionsError, match='does not support "foo" option'):
        run("alphabetical", [], {"foo": 1})


# ------------------------------------------------------------------ enumeration / length


def test_enumeration():
    opts = {"values": ["Berlin", "London", 1]}
    assert run("enumeration", "Paris", opts, {"c": "Paris"}, ("c",)) == [
        ('"Paris" must be equal to one of the allowed values: "Berlin", "London", 1', ())
    ]
    assert run("enumeration", "Berlin", opts) == []
    assert run("enumeration", 1.0, opts, {"c": 1.0}, ("c",)) == []
    assert run("enumeration", True, {"values": [1]}, {"c": True}, ("c",)) == [
        ("true must be equal to one of the allowed values: 1", ())
    ]
    assert run("enumeration", MISSING, opts) == []
    assert run("enumeration", {}, opts) == []
    with pytest.raises(FunctionOptionsError, match="only arrays of primitive values"):
        run("enumeration", "x", {"values": [{}]})
    with pytest.raises(FunctionOptionsError, match='missing "values" option'):
        run("enumeration", "x", {})


def test_length():
    data = {"t": "abcd", "n": 3, "a": [1, 2, 3], "o": {"a": 1}}
    assert run("length", "abcd", {"max": 2}, data, ("t",)) == [('"t" property must be shorter than 2', ())]
    assert run("length", "abcd", {"min": 5}, data, ("t",)) == [('"t" property must be longer than 5', ())]
    assert run("length", [1, 2, 3], {"min": 1, "max": 3}, data, ("a",)) == []
    assert run("length", {"a": 1}, {"min": 2}, data, ("o",)) == [('"o" property must be longer than 2', ())]
    assert run("length", 3, {"max": 2.5}, data, ("n",)) == [('"n" property must be shorter than 2.5', ())]
    assert run("length", "😀", {"max": 1}, {"e": "😀"}, ("e",)) == [('"e" property must be shorter than 1', ())]  # UTF-16
    assert run("length", None, {"max": 1}) == []
    assert run("length", True, {"max": 0}) == []
    with pytest.raises(FunctionOptionsError, match="length"):
        run("length", "x", {})


# ------------------------------------------------------------------ xor / or


def test_xor():
    opts = {"properties": ["externalValue", "value"]}
    msg = '"externalValue" and "value" must not be both defined or both undefined'
    assert run("xor", {"value": 1}, opts) == []
    assert run("xor", {"value": 1, "externalValue": "x"}, opts) == [(msg, ())]
    assert run("xor", {"summary": "x"}, opts) == [(msg, ())]
    assert run("xor", "nope", opts) == []
    three = run("xor", {}, {"properties": ["a", "b", "c"]})
    assert three == [('"a", "b" and "c" must not be both defined or both undefined', ())]
    with pytest.raises(FunctionOptionsError, match="at least 2-item tuples"):
        run("xor", {}, {"properties": ["a"]})


def test_or():
    assert run("or", {"a": 1}, {"properties": ["x", "y"]}) == [('At least one of "x" or "y" must be defined', ())]
    assert run("or", {"y": 1}, {"properties": ["x", "y"]}) == []
    five = run("or", {}, {"properties": ["a", "b", "c", "d", "e"]})
    assert five == [('At least one of "a" or "b" or "c" or 2 other properties must be defined', ())]
    with pytest.raises(FunctionOptionsError, match='"or" requires at least two'):
        run("or", {}, {"properties": []})


# ------------------------------------------------------------------ unreferencedReusableObject


def test_unreferenced_reusable_object():
    doc = {
        "paths": {"/a": {"get": {"responses": {"200": {"schema": {"$ref": "#/definitions/Used"}}}}}},
        "definitions": {
            "Used": {"properties": {"x": {"$ref": "#/definitions/Indirect"}}},
            "Indirect": {},
            "Orphan": {},
            "a/b": {},
        },
        "x": {"$ref": "#/definitions/a~1b"},
    }
    hits = run("unreferencedReusableObject", doc["definitions"], {"reusableObjectsLocation": "#/definitions"}, doc,
               ("definitions",))
    assert hits == [("Potential orphaned reusable object has been detected", ("Orphan",))]
    with pytest.raises(FunctionOptionsError, match='missing "reusableObjectsLocation" option'):
        run("unreferencedReusableObject", {}, {})
    with pytest.raises(FunctionOptionsError, match="valid JSON Pointer"):
        run("unreferencedReusableObject", {}, {"reusableObjectsLocation": "definitions"})


# ------------------------------------------------------------------ schema


def test_schema_type_messages():
    data = {"tags": "x"}
    assert run("schema", "x", {"schema": {"type": "array"}}, data, ("tags",)) == [
        ('"tags" property type must be array', ())
    ]
    assert run("schema", 2, {"schema": {"type": "string"}}) == [("Value type must be string", ())]
    assert run("schema", 2, {"schema": {"type": ["object", "null"]}}) == [("Value type must be object,null", ())]


def test_schema_missing_target():
    assert run("schema", MISSING, {"schema": {"type": "array"}}, {"a": {}}, ("a", "tags")) == [
        ('"a.tags" property must exist', ())
    ]


def test_schema_draft4_exclusive_maximum():
    schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "number", "maximum": 2,
              "exclusiveMaximum": True}
    assert run("schema", 2, {"schema": schema}) == [("Number must be < 2", ())]


def test_schema_first_error_only_and_all_errors():
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}}}
    value = {"a": 1, "b": 2}
    assert run("schema", value, {"schema": schema}) == [('"a" property type must be string', ("a",))]
    assert run("schema", value, {"schema": schema, "allErrors": True}) == [
        ('"a" property type must be string', ("a",)),
        ('"b" property type must be string', ("b",)),
    ]


def test_schema_common_keywords():
    data = {"servers": []}
    assert run("schema", [], {"schema": {"type": "array", "minItems": 1}}, data, ("servers",)) == [
        ('"servers" property must not have fewer than 1 items', ())
    ]
    assert run("schema", {"b": 1}, {"schema": {"type": "object", "additionalProperties": False}}) == [
        ('Property "b" is not expected to be here', ())
    ]
    assert run("schema", {}, {"schema": {"type": "object", "required": ["url"]}}) == [
        ('Object must have required property "url"', ())
    ]
    assert run("schema", "a@", {"schema": {"type": "string", "format": "email"}}) == [
        ('String must match format "email"', ())
    ]
    assert run("schema", "baz", {"schema": {"enum": ["foo", "bar"]}}) == [
        ('String must be equal to one of the allowed values: "foo", "bar". Did you mean "bar"?', ())
    ]
    assert run("schema", 7, {"schema": {"enum": [1, 3]}}) == [
        ("Number must be equal to one of the allowed values: 1, 3", ())
    ]
    assert run("schema", [1, 2, 1], {"schema": {"type": "array", "uniqueItems": True}}, {"enum": [1, 2, 1]}, ("enum",)) == [
        ('"enum" property must not have duplicate items (items ## 0 and 2 are identical)', ())
    ]
    assert run("schema", ["a", 1], {"schema": {"type": "array", "items": {"type": "string"}}}, {}, ("schemes",)) == [
        ("Item at index 1 must be string", (1,))  # Spectral 6.16 names array items
    ]


def test_schema_combinators():
    any_of = {"anyOf": [{"type": "string"}, {"type": "number"}]}
    assert run("schema", {}, {"schema": any_of}, {"x": {}}, ("x",)) == [
        ('"x" property type must be string', ()),
        ('"x" property type must be number', ()),
        ('"x" property must match a schema in anyOf. None of the schemas matched, see the other errors reported for '
         "this value", ()),
    ]
    one_of_twice = {"oneOf": [{"type": "object"}, {"required": []}]}
    assert run("schema", {}, {"schema": one_of_twice}, {"x": {}}, ("x",)) == [
        ('"x" property must match exactly one schema in oneOf', ())
    ]


def test_schema_enum_suggestion_only_for_strings():
    assert run("schema", 3, {"schema": {"enum": ["32", "1"]}}, {"n": 3}, ("n",)) == [
        ('"n" property must be equal to one of the allowed values: "32", "1"', ())
    ]


def test_schema_passes_and_rejects_bad_options():
    assert run("schema", ["a"], {"schema": {"type": "array", "minItems": 1}}) == []
    with pytest.raises(FunctionOptionsError, match='missing "schema" option'):
        run("schema", 1, {})
    with pytest.raises(FunctionOptionsError, match='"dialect" option accepts only the following values'):
        run("schema", 1, {"schema": {}, "dialect": "draft3"})


def test_schema_invalid_schema_is_a_result_not_a_crash():
    hits = run("schema", 2, {"schema": {"allOf": None}})
    assert len(hits) == 1 and hits[0][0].startswith("schema is invalid:")


def test_schema_does_no_remote_io():
    assert run("schema", 2, {"schema": {"$ref": "http://example.invalid/s.json"}}) == []


def test_missing_field_as_the_engine_passes_it():
    # the engine gives the deepest existing node's path plus then.field and the given path
    doc = SimpleNamespace(data={"info": {"title": "t"}}, format="oas3.0")
    ctx = FunctionContext(document=doc, path=("info",), given_path=(), rule=None, field="info.contact")
    assert [h.message for h in FUNCTIONS["truthy"](MISSING, {}, ctx)] == ['"info.contact" property must be truthy']
    ctx = FunctionContext(document=doc, path=("paths", "/a", "get"), given_path=("paths", "/a", "get"), rule=None,
                          field="description")
    assert [h.message for h in FUNCTIONS["truthy"](MISSING, {}, ctx)] == ['"get.description" property must be truthy']
    ctx = FunctionContext(document=doc, path=(), given_path=(), rule=None, field="info.license.url")
    doc.data = {}
    assert [h.message for h in FUNCTIONS["defined"](MISSING, {}, ctx)] == ['"url" property must be defined']


def test_dot_path_printing():
    assert core.dot_path(["paths", "/a~1b", "get"]) == "paths./a/b.get"
    assert core.dot_path(["tags", 0, "name"]) == "tags[0].name"
    assert core.dot_path(["a b", "c"]) == "['a b'].c"
    assert core.dot_path(["responses", "200"]) == "responses[200]"
