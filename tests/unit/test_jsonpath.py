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


_SHARED_ROUTES_MAIN = """\
openapi: 3.0.3
info: {title: routes, version: '1'}
paths:
  /a:
    get:
      parameters:
        - $ref: '#/components/parameters/Q'
        - {in: query, name: kind, schema: {type: string, enum: [a, b], example: a}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              example: {id: 1}
            text/plain:
              schema: &plain {type: string, enum: [x], default: x}
        '404':
          description: missing
          content:
            application/json:
              schema: {$ref: 'other.yaml#/Problem'}
              examples: {one: {value: {title: t}}}
            text/plain:
              schema: *plain
  /b:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Pet'}
            example: {id: 2}
      responses:
        '204': {description: none}
components:
  parameters:
    Q: {in: query, name: q, schema: {type: integer, enum: [1, 2], example: 1}}
  schemas:
    Pet:
      type: object
      properties:
        id: {type: integer, example: 1}
        kind: {$ref: '#/components/schemas/Kind'}
        tags: {type: array, items: {$ref: '#/components/schemas/Kind'}}
        properties: {type: object, example: {}}
        enum: {type: string, enum: [e]}
    Kind: {type: string, enum: [cat, dog], default: cat}
"""

_SHARED_ROUTES_OTHER = """\
Problem:
  type: object
  properties:
    title: {type: string, example: oops}
    kind: {type: string, enum: [p], example: p}
"""

_ANCHORED_FILTERS = [
    "$..[?(@ && @.enum && @.type)]",
    "$..[?(@property !== 'properties' && @ != null && @.enum && @.enum.constructor.name === 'Array')]",
    "$..[?(@ && @.type == 'string')]",
    "$..content..[?(@ && @.schema && (@.example !== undefined || @.examples))]",
    "$..content..[?(@property !== 'properties' && @ && (@.example !== undefined || @.default !== undefined) && (@.enum || @.type))]",
    "$.components.schemas..[?(@property !== 'properties' && @ && (@.example !== undefined || @.default !== undefined))]",
    "$..parameters..[?(@.example !== undefined && @.type === 'integer')]",
    "$..[?(@.enum)]^",
    "$..[?(@.default)]~",
    "$..[?(@property === '$ref')]^",
    "$..[?(@property === 'enum')]^",
    "$..[?(@property === 'example' || @property === 'default')]",
    "$..parameters..[?(@property === 'schema')]",
    "$..content..[?(@property === 'schema' && @.$ref)]",
    "$.paths..schema",
    "$.paths[*][*]..[example,schema]",
    "$.components..enum",
    "$..content..items",
    "$.paths..parameters[*].schema",
]


@pytest.mark.parametrize("resolved", [True, False], ids=["resolved", "as-written"])
@pytest.mark.parametrize("expr", _ANCHORED_FILTERS)
def test_anchored_filters_select_what_the_plain_loop_selects(expr, resolved, tmp_path, monkeypatch):
    """Shared schemas reached by several `$ref`s, a YAML alias, a `$ref` into another file: the
    index-anchored filter and member steps (from the root, and after a prefix through the reach
    of `..`) must give the same nodes, keys and parents as listing every descendant and asking
    every child; from the root in the same order too."""
    from apiscan import jsonpath
    from apiscan.sources.openapi import load_api_document

    (tmp_path / "main.yaml").write_text(_SHARED_ROUTES_MAIN)
    (tmp_path / "other.yaml").write_text(_SHARED_ROUTES_OTHER)
    doc = load_api_document(tmp_path / "main.yaml", tmp_path)
    assert compile_path(expr)  # parses

    def run(plain: bool) -> list:
        walker = Walker(doc.data, doc.key, doc.resolver if resolved else None)
        if plain:
            monkeypatch.setattr(jsonpath.Walker, "_from_reach", lambda self, step, starts, prefix: None)
            monkeypatch.setattr(jsonpath.Walker, "_filter_holders",
                                lambda self, flt, reached: self._filter_children(flt.fast, False, self._all))
        try:
            nodes = walker.select(compile_path(expr))
        finally:
            monkeypatch.undo()
        return [(n[1], n[2], n[3], n[4][2] if n[4] else None) for n in nodes]

    anchored, plain = run(False), run(True)
    if resolved and "$ref" not in expr:  # (resolved, no `$ref` member is left to select)
        assert plain, "the filter selects something here"
    if expr.startswith("$..["):
        assert anchored == plain
    else:
        assert sorted(anchored, key=repr) == sorted(plain, key=repr)
        assert len(set(anchored)) == len(anchored)


def test_reach_of_a_prefix_is_what_listing_its_descendants_finds(tmp_path):
    """`_reach` builds the reach of `..` from blocks of the root index and its alias routes; it
    must be exactly the containers a walk from the starts lists, on shared, aliased and
    cross-file schemas."""
    from apiscan.sources.openapi import load_api_document

    (tmp_path / "main.yaml").write_text(_SHARED_ROUTES_MAIN)
    (tmp_path / "other.yaml").write_text(_SHARED_ROUTES_OTHER)
    doc = load_api_document(tmp_path / "main.yaml", tmp_path)
    walker = Walker(doc.data, doc.key, doc.resolver)
    root = walker.containers(walker.root)
    for prefix in ("$..content", "$..parameters", "$.components.schemas", "$.components.schemas.Kind", "$..schema"):
        starts = walker.select(compile_path(prefix))
        assert starts, prefix
        reached = walker._reach(starts)
        got = {id(n[0]) for i, n in enumerate(root) if reached[i]}
        shared: dict = {}
        listed = [n for start in starts for n in walker._descendants(start, shared)]
        want = {id(n[0]) for n in listed if isinstance(n[0], (dict, list))}
        assert got == want, prefix


def test_anchored_filter_is_used_for_root_and_cached_descents():
    flt = compile_path("$..[?(@ && @.enum && @.type)]")[-1].filter
    assert flt.anchors == (frozenset({"enum"}), frozenset({"type"}))
    assert compile_path("$..[?(!@.enum)]")[-1].filter.anchors == ()


def test_root_union_and_member_steps_from_the_index_match_a_plain_walk(tmp_path):
    """`$..[a,b]` and `$..name` read the root index; they must give what asking every container
    for each name in document order gives."""
    from apiscan.sources.openapi import load_api_document

    (tmp_path / "main.yaml").write_text(_SHARED_ROUTES_MAIN)
    (tmp_path / "other.yaml").write_text(_SHARED_ROUTES_OTHER)
    doc = load_api_document(tmp_path / "main.yaml", tmp_path)
    walker = Walker(doc.data, doc.key, doc.resolver)
    for names in (("example", "default"), ("enum",), ("schema", "examples", "example")):
        plain = [c for n in walker.containers(walker.root) for name in names
                 if (c := walker.child(n, name)) is not None]
        expr = "$..[" + ",".join(names) + "]" if len(names) > 1 else "$.." + names[0]
        got = walker.select(compile_path(expr))
        assert [(n[1], n[2]) for n in got] == [(n[1], n[2]) for n in plain], expr
        assert got
