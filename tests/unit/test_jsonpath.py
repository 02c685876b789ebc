import pytest

from apiscan.jsonpath import JsonPathError, Walker, compile_path

DOC = {
    "openapi": "3.0.0",
    "paths": {
        "/pets": {
            "get": {"parameters": [{"in": "query", "name": "limit"}, {"$ref": "#/components/parameters/Id"}],
                    "responses": {"200": {"$ref": "#/components/responses/Ok"}}},
            "post": {"responses": {"201": {"description": "created"}}},
        }
    },
    "components": {
        "parameters": {"Id": {"in": "header", "name": "x-id"}},
        "responses": {"Ok": {"description": "ok", "content": {"application/json": {"schema": {"type": "string"}}}}},
    },
}


class _Resolver:
    def file_of(self, value, default=None):
        return default or "f"

    def deref_loc(self, value, file, path):
        node, real = DOC, []
        for part in value["$ref"][2:].split("/"):
            node = node[part]
            real.append(part)
        return node, file, tuple(real)


def paths(expr):
    w = Walker(DOC, "f", _Resolver())
    return [n[2] for n in w.select(compile_path(expr))]


def test_filter_with_js_semantics():
    assert paths("$.paths[*][*].parameters[?(@.in == 'query')]") == [("paths", "/pets", "get", "parameters", 0)]


def test_member_steps_follow_refs_and_report_where_written():
    assert paths("$.paths[*].get.responses[200].content.application/json.schema") == [
        ("components", "responses", "Ok", "content", "application/json", "schema")]


def test_union_and_keys():
    assert paths("$.paths[*][get,post]") == [("paths", "/pets", "get"), ("paths", "/pets", "post")]
    w = Walker(DOC, "f", _Resolver())
    assert [n[0] for n in w.select(compile_path("$.paths.*~"))] == ["/pets"]


def test_recursive_descent_visits_each_physical_node_once():
    found = paths("$..parameters[*]")
    assert ("components", "parameters", "Id") in found
    assert ("paths", "/pets", "get", "parameters", 0) in found


def test_recursive_filter_and_parent():
    assert paths("$..[?(@.type == 'string')]") == [("components", "responses", "Ok", "content", "application/json", "schema")]
    assert paths("$.components.parameters.Id^") == [("components", "parameters")]


def test_property_filters():
    assert paths("$.paths[*][*].responses[?(@property >= 200 && @property < 300)]") != []
    assert paths("$.paths[*][?(@property == 'post')]") == [("paths", "/pets", "post")]


@pytest.mark.parametrize("bad", ["paths", "$.paths[", "$.a[?(@.x == )]"])
def test_invalid_paths_raise(bad):
    with pytest.raises((JsonPathError, ValueError)):
        compile_path(bad)
