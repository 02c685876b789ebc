"""Design heuristics called directly: casing, words, plurals, options, and a run over the real
gateway-exported specs in ../shared (skipped when it is absent)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from apiscan.functions import FUNCTIONS, FunctionOptionsError, load_builtin_functions
from apiscan.functions import design
from apiscan.functions.registry import FunctionContext

load_builtin_functions()

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"


def ctx_for(data, path=()):
    return FunctionContext(document=SimpleNamespace(data=data, format=""), path=path, given_path=path, rule=None)


def hits(name, data, options=None, on_paths=False):
    target = data["paths"] if on_paths else data
    ctx = ctx_for(data, ("paths",) if on_paths else ())
    return [(h.path, h.message) for h in FUNCTIONS[name](target, options or {}, ctx) or []]


def doc(paths, **extra):
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, **extra}


@pytest.mark.parametrize("name,expected", [
    ("id", "flat"), ("ID", "flat"), ("8", "flat"), ("_links", "flat"), ("$top", "flat"), ("page[size]", "flat"),
    ("firstName", "camel"), ("vatID", "camel"), ("FirstName", "pascal"), ("DBInstance", "pascal"),
    ("first_name", "snake"), ("first-name", "kebab"), ("X_RATE_LIMIT", "upper"), ("Mixed_Case", "mixed"),
    ("filter.created_at", "flat"), ("@odata.type", "flat"),
])
def test_casing_of(name, expected):
    assert design.casing_of(name) == expected


def test_dominant_casing_ties_go_to_the_first_seen_and_one_word_names_do_not_vote():
    assert design.dominant_casing(["id", "pageSize", "page_size"]) == "camel"
    assert design.dominant_casing(["id", "a_b", "cD", "e_f"]) == "snake"
    assert design.dominant_casing(["id", "name"]) is None
    assert design.dominant_casing([], forced="kebab") == "kebab"
    with pytest.raises(FunctionOptionsError):
        design.dominant_casing([], forced="shouty")


def test_segments_words_and_templates():
    assert design.segments("/a//b/{c}") == ["a", "", "b", "{c}"]
    assert design.segments("/#X-Amz-Target=Svc.Op") == []
    assert design.segments("/") == []
    assert design.literal_parts("{id}.json") == [".json"]
    assert design.words("findByStatus") == ["find", "by", "status"]
    assert design.words("list_pets-now") == ["list", "pets", "now"]
    assert design.template_names("/files/{path+}/{id}") == ["path", "id"]
    assert design.template_names("/rides/{id}?page={page}") == ["id"]
    assert design.is_param_segment("{id}") and not design.is_param_segment("{id}.json")


@pytest.mark.parametrize("word,plural", [
    ("pets", True), ("people", True), ("data", True), ("menus", True), ("apis", True), ("v1", True),
    ("pet", False), ("address", False), ("campus", False), ("analysis", False), ("category", False),
])
def test_is_plural(word, plural):
    assert design.is_plural(word) is plural


def test_pluralize():
    assert [design.pluralize(w) for w in ("category", "box", "pet", "day")] == ["categories", "boxes", "pets", "days"]


def test_path_kebab_case_allow_option():
    data = doc({"/V2/pets": {}, "/pets/{petId}:cancel": {}})
    assert hits("pathKebabCase", data, on_paths=True) == [(("/V2/pets",), "Path /V2/pets: segment(s) 'V2' not kebab-case")]
    assert hits("pathKebabCase", data, {"allow": "^V\\d+$"}, on_paths=True) == []


def test_no_verbs_custom_list_and_whole_words():
    data = doc({"/pets/bark": {}, "/settings": {}, "/getaway": {}})
    assert hits("noVerbsInPaths", data, on_paths=True) == []
    assert [p for p, _ in hits("noVerbsInPaths", data, {"verbs": ["bark"]}, on_paths=True)] == [("/pets/bark",)]


def test_plural_collections_uncountable_option():
    data = doc({"/fleet/{id}": {}})
    assert len(hits("pluralCollections", data, on_paths=True)) == 1
    assert hits("pluralCollections", data, {"uncountable": ["fleet"]}, on_paths=True) == []


def _collection_get(params):
    return {"get": {"parameters": params, "responses": {"200": {"content": {"application/json": {
        "schema": {"type": "object", "properties": {"results": {"type": "array", "items": {}}}}}}}}}}


def test_pagination_accepts_json_api_and_odata_spellings_and_custom_names():
    for name in ("page[size]", "$top", "per-page", "PageToken", "limit"):
        data = doc({"/pets": _collection_get([{"name": name, "in": "query"}])})
        assert hits("collectionPagination", data) == [], name
    data = doc({"/pets": _collection_get([{"name": "chunk", "in": "query"}])})
    assert [p for p, _ in hits("collectionPagination", data)] == [("paths", "/pets", "get")]
    assert hits("collectionPagination", data, {"names": ["chunk"]}) == []
    data = doc({"/pets": _collection_get([{"name": "limit", "in": "path"}])})
    assert len(hits("collectionPagination", data)) == 1  # a path parameter pages nothing


def test_pagination_ignores_objects_that_merely_hold_an_array():
    data = doc({"/pets/{id}": {"get": {"responses": {"200": {"content": {"application/json": {
        "schema": {"type": "object", "properties": {"tags": {"type": "array"}}}}}}}}}})
    assert hits("collectionPagination", data) == []


def test_post_create_actions_option():
    data = doc({"/pets/adopt": {"post": {"responses": {"200": {"description": "ok"}}}}})
    assert len(hits("postCreateStatus", data)) == 1
    assert hits("postCreateStatus", data, {"actions": ["adopt"]}) == []


def test_query_parameter_casing_forced_option():
    data = doc({"/a": {"get": {"parameters": [{"name": "page_size", "in": "query"}, {"name": "sortBy", "in": "query"},
                                              {"name": "sort_dir", "in": "query"}]}}})
    assert [p for p, _ in hits("queryParameterCasing", data)] == [("paths", "/a", "get", "parameters", 1)]
    forced = hits("queryParameterCasing", data, {"casing": "camel"})
    assert [p[-1] for p, _ in forced] == [0, 2]
    assert "the rule asks for camelCase" in forced[0][1]


def test_no_request_body_methods_option():
    data = doc({"/a": {"post": {"requestBody": {"content": {}}}}})
    assert hits("noRequestBodyOnSafeMethods", data) == []
    assert hits("noRequestBodyOnSafeMethods", data, {"methods": ["post"]}) == [
        (("paths", "/a", "post", "requestBody"), "POST /a declares a request body")]


def test_path_parameters_declared_names_each_missing_parameter():
    data = doc({"/a/{x}/b/{y}": {"get": {"parameters": [{"name": "y", "in": "path"}]}}})
    assert hits("pathParametersDeclared", data) == [
        (("paths", "/a/{x}/b/{y}", "get"), "GET /a/{x}/b/{y} does not declare path parameter 'x'")]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not available")
def test_design_and_documentation_rules_run_cleanly_on_real_gateway_specs():
    """Gateway exports carry OpenAPI with vendor quirks (AWS any-method, greedy `{proxy+}`)."""
    from apiscan.lint import LintOptions, lint
    from apiscan.ruleset.loader import builtin_rules

    files = sorted(p for p in (SHARED / "corpus").rglob("*") if p.suffix in (".json", ".yaml", ".yml")
                   and p.stat().st_size < 2_000_000 and _is_openapi(p))
    assert files, "no OpenAPI description found in the corpus"
    rules = [r for r in builtin_rules()[0] if r.id.startswith(("DOC", "DES"))]
    result = lint(LintOptions(paths=[str(f) for f in files], rules=rules, root=SHARED))
    assert [e for e in result.errors if e.kind in ("rule", "internal")] == []
    assert result.documents and result.findings
    greedy = [f.message for f in result.findings if f.rule_id == "DES009" and "proxy" in f.location.pointer]
    # the corpus has one CORS OPTIONS that really omits the parameter; it is named without the `+`
    assert greedy and all("parameter 'proxy'" in m for m in greedy)
    echo = [f for f in result.findings if f.rule_id == "DES012" and "echo" in f.location.pointer]
    assert echo == []  # only x-amazon-apigateway-any-method there: an operation


def _is_openapi(path: Path) -> bool:
    head = path.read_text("utf-8", "replace")[:4000]
    return any(k in head for k in ('"openapi"', '"swagger"', "\nopenapi:", "\nswagger:")) or \
        head.startswith(("openapi:", "swagger:"))


@pytest.mark.parametrize("oid,expected", [
    ("listPets", "camel"), ("list_pets", "snake"), ("pets/list-all", "kebab"), ("pets.listAll", "camel"),
    ("Pets_ListAll", "pascal"), ("orgInvitations_listPending", "camel"), ("list", "flat"),
    ("pets/listAll-now", "mixed"),
])
def test_operation_id_casing_understands_namespaces(oid, expected):
    assert design._operation_id_casing(oid) == expected
