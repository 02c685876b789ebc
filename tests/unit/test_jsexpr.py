import pytest

from apiscan.jsexpr import compile_filter
from apiscan.jsregex import compile_pattern


@pytest.mark.parametrize("src,env,expected", [
    ("@.in == 'query' && @.name.match(/^[a-z]+$/i)", {"@": {"in": "query", "name": "Abc"}}, True),
    ("@.example.match(/x/)", {"@": {"example": None}}, False),  # Spectral aborts here; we say false
    ("@property >= 400", {"@property": "404", "@": {}}, True),  # JS coercion
    ("@property[0] == '2'", {"@property": "201", "@": {}}, True),
    ("!@.x", {"@": {}}, True),
    ("@.parameters.length > 0", {"@": {"parameters": [1]}}, True),
    ("/^x-/.test(@property)", {"@property": "x-foo", "@": {}}, True),
    ("@ && @.type == 'string'", {"@": None}, False),
    ('@["x-name"] == undefined', {"@": {}}, True),
    ("@.name.indexOf('id') > -1", {"@": {"name": "userid"}}, True),
    ("@.a == 1 || @.a === '1'", {"@": {"a": "1"}}, True),
    ("@.a === 1", {"@": {"a": "1"}}, False),
])
def test_filters(src, env, expected):
    assert compile_filter(src)(env) is expected


def test_js_regex_end_anchor_and_ascii_classes():
    assert compile_pattern("^abc$").search("abc\n") is None  # JS `$` does not match before a final newline
    assert compile_pattern(r"^\d+$").search("١٢") is None  # JS \d is ASCII only
    assert compile_pattern("/^ABC$/i").search("abc")
    assert compile_pattern(r"(?<year>\d{4})").search("2024").group("year") == "2024"


def test_object_only_filters_are_marked_whatever_the_evaluator():
    assert compile_filter("@ && @.type == 'array'").requires_object is True
    assert compile_filter("@.x !== undefined && @.y").requires_object is True
    assert compile_filter("!@.x").requires_object is False
    assert compile_filter("@property == 'a' || @.b").requires_object is False


_AGREEMENT_FILTERS = [
    "@property !== 'properties' && @ && (@.example !== undefined || @.default !== undefined) && (@.enum || @.type)",
    "@ && @.enum && @.type",
    "@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array'",
    "@.in === 'query' || @.in == 'path'",
    "@.x == null",
    "@.x != null && !@.y",
    "@.x === null",
    "@.x !== undefined",
    "@.a === true || @.b === false",
    "@.a === 1 || @.a == '1'",
    "@.a.b.c",
    "@property === 0",
    "@property == 0",
    "!(@.a || @.b) && @property != 'x'",
    "(@.a || @.b) === 'y'",
    "(@.a && @.b) == null",
    "@.length > 1",
    "@.type === 'array' && !@.items",
    "'x' === @property",
    "@ === null",
    "@ && @.type==\"array\"",
    "@.type != 'array' && @.a != '1'",
    "@ == 'abc' || @ == '1' || @ == 'a,b' || @ == '[object Object]' || @ == 'true'",
]
_AGREEMENT_VALUES = [
    {"type": "string", "example": 1}, {"type": "x"}, "s", "", 0, 1, None, True, False, [1], [], {},
    {"example": None, "items": {}}, {"enum": [1, 1], "type": "integer"}, {"enum": "no"}, {"x": None},
    {"x": 0, "y": ""}, {"a": 1}, {"a": "1"}, {"a": True, "b": False}, {"a": {"b": {"c": 0}}}, {"a": None, "b": "y"},
    {"in": "query"}, {"in": "path"}, {"length": 3}, "abc", {"type": "array"}, {"type": "array", "items": {}},
    {"type": ["array"]}, {"type": ["array", "null"]}, ["a", "b"], [1.0], {"a": 1.0}, "1", "true",
]


@pytest.mark.parametrize("src", _AGREEMENT_FILTERS)
def test_generated_and_closure_evaluation_agree(src):
    from apiscan import jscodegen, jsexpr

    generated = jscodegen.generate(jsexpr._tokenize(src))
    closures = jsexpr._Parser(jsexpr._tokenize(src), src).parse()

    def closure_result(env):
        try:
            return jsexpr.truthy(closures(env))
        except (jsexpr._Fail, TypeError, ValueError):
            return False

    for value in _AGREEMENT_VALUES:
        for prop in ("properties", "name", "x", 0, 3):
            env = {"@": value, "@property": prop}
            assert generated(value, prop) is closure_result(env), (src, value, prop)
            assert compile_filter(src)(env) is closure_result(env)
