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


def test_generated_and_closure_evaluation_agree():
    from apiscan import jscodegen, jsexpr

    src = "@property !== 'properties' && @ && (@.example !== undefined || @.default !== undefined) && (@.enum || @.type)"
    generated = jscodegen.generate(jsexpr._tokenize(src))
    closures = jsexpr._Parser(jsexpr._tokenize(src), src).parse()
    for value in ({"type": "string", "example": 1}, {"type": "x"}, "s", {"example": None, "items": {}}, [1]):
        for prop in ("properties", "name", 3):
            env = {"@": value, "@property": prop}
            assert jsexpr.truthy(generated(env)) == jsexpr.truthy(closures(env))
