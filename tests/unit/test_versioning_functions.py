"""Unit tests of apiscan.functions.versioning: version parsing, URL versions, sunset dates, deprecation.

fixtures/rules/VER*.yaml check each rule end to end; these tests pin down the parsing rules and the
classification of deprecated elements that the fixtures exercise only by example.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from apiscan.functions import FUNCTIONS, load_builtin_functions
from apiscan.functions import versioning as ver
from apiscan.functions.registry import FunctionContext

load_builtin_functions()


def ctx_for(data, path=(), node=None):
    return FunctionContext(document=SimpleNamespace(data=data, key="spec.yaml", format="oas3.0"), path=path,
                           given_path=path, rule=None, node=node)


def run(name, target, options, ctx):
    return list(FUNCTIONS[name](target, options, ctx) or ())


@pytest.mark.parametrize("version", ["1.0.0", "0.1.2", "10.20.30", "1.0.0-alpha.1", "1.0.0+20130313144700",
                                     "1.0.0-rc.1+build.1"])
def test_semver_accepts(version):
    assert run("semver", version, {}, ctx_for({})) == []


@pytest.mark.parametrize("version,fragment", [("1.0", "not a semantic"), ("v1.0.0", "not a semantic"),
                                              ("01.0.0", "not a semantic"), ("latest", "not a semantic"),
                                              (1.0, "is a number"), (None, "missing")])
def test_semver_rejects(version, fragment):
    [hit] = run("semver", version, {}, ctx_for({}))
    assert fragment in hit.message


@pytest.mark.parametrize("url,expected", [
    ("https://api.example.com/v1", [(1, "v1")]),
    ("https://api.example.com/api/V2/", [(2, "V2")]),
    ("/v1.2/pets", [(1, "v1.2")]),
    ("https://v3.example.com/pets", []),  # a host label is not a path version
    ("/vendors/v1beta", []),
    ("https://api.example.com/v2?x=/v3", [(2, "v2")]),
])
def test_url_versions(url, expected):
    assert ver.url_versions(url) == expected


@pytest.mark.parametrize("value,major", [("1.2.3", 1), ("v2", 2), (3, 3), (2.0, 2), ("2024.1", 2024),
                                         ("latest", None), (True, None), (None, None)])
def test_major_of(value, major):
    assert ver.major_of(value) == major


@pytest.mark.parametrize("value,expected", [
    ("2026-06-30", dt.date(2026, 6, 30)),
    ("2026-06-30T12:00:00Z", dt.date(2026, 6, 30)),
    ("2026-06-30T23:30:00+01:00", dt.date(2026, 6, 30)),
    ("Tue, 30 Jun 2026 00:00:00 GMT", dt.date(2026, 6, 30)),
    ("2026-02-30", None), ("30/06/2026", None), ("soon", None), (20260630, None), (None, None),
])
def test_parse_sunset(value, expected):
    assert ver.parse_sunset(value) == expected


def test_deprecation_problems_replacement_and_sunset():
    def name():
        return "operation GET /p"

    assert list(ver.deprecation_problems({"deprecated": False}, "replacement", name)) == []
    [(path, msg)] = ver.deprecation_problems({"deprecated": True, "description": "old"}, "replacement", name)
    assert path == ("deprecated",) and "GET /p" in msg
    for text in ("Use GET /q instead.", "Replaced by GET /q", "Superseded by v2", "Please migrate to /q"):
        assert list(ver.deprecation_problems({"deprecated": True, "description": text}, "replacement", name)) == []
    [(path, _)] = ver.deprecation_problems({"deprecated": True, "x-sunset": "next year"}, "sunset", name)
    assert path == ("x-sunset",)
    assert list(ver.deprecation_problems({"deprecated": True, "x-sunset": "2030-01-01"}, "sunset", name)) == []


def test_server_versions_and_info_agreement():
    data = {"openapi": "3.0.3", "info": {"version": "2.1.0"},
            "servers": [{"url": "https://a.example.com"}, {"url": "https://a.example.com/v2"},
                        {"url": "https://b.example.com/v1"}]}
    [hit] = run("serverVersionsConsistent", data, {}, ctx_for(data))
    assert hit.path == ("servers", 2, "url") and "major version 1" in hit.message
    [hit] = run("serverVersionMatchesInfo", data, {}, ctx_for(data))
    assert hit.path == ("servers", 2, "url")
    oas2 = {"swagger": "2.0", "info": {"version": "1.0.0"}, "basePath": "/v1", "paths": {"/v1/x": {}, "/y": {}}}
    assert run("serverVersionMatchesInfo", oas2, {}, ctx_for(oas2)) == []
    [hit] = run("noVersionInPathsWhenServerVersioned", oas2, {}, ctx_for(oas2))
    assert hit.path == ("paths", "/v1/x")


def test_path_versions_majority_and_ties():
    data = {"paths": {"/v2/a": {}, "/v1/b": {}, "/v2/c": {}}}
    assert [h.path for h in run("pathVersionsConsistent", data, {}, ctx_for(data))] == [("paths", "/v1/b")]
    tie = {"paths": {"/v3/a": {}, "/v1/b": {}}}
    assert [h.path for h in run("pathVersionsConsistent", tie, {}, ctx_for(tie))] == [("paths", "/v1/b")]


def _node(value, *keys):
    node = ({}, "f", (), None, None)
    for i, k in enumerate(keys):
        node = (value if i == len(keys) - 1 else {}, "f", tuple(keys[: i + 1]), k, node)
    return node


@pytest.mark.parametrize("keys,kind", [
    (("paths", "/p", "get"), "operation"),
    (("webhooks", "newPet", "post"), "operation"),
    (("paths", "/p", "get", "parameters", 0), "parameter"),
    (("paths", "/p", "parameters", 1), "parameter"),
    (("components", "parameters", "Limit"), "parameter"),
    (("parameters", "Limit"), "parameter"),
    (("components", "schemas", "Pet"), "schema"),
    (("components", "schemas", "Pet", "properties", "parameters"), "schema"),
    (("paths", "/p", "get", "parameters", 0, "schema"), "schema"),
    (("components", "schemas", "Pet", "properties"), None),  # the map of names itself
    (("paths", "/p", "get", "responses", "200", "content", "a/b", "example"), None),
    (("components", "examples", "E", "value", "items", 0), None),
])
def test_element_kind(keys, kind):
    found = ver.element_kind(_node({"deprecated": True}, *keys))
    assert (found[0] if found else None) == kind


def test_sunset_rules_use_the_holder_and_the_date():
    node = _node({}, "components", "schemas", "Pet")
    ctx = ctx_for({}, ("components", "schemas", "Pet"), node)
    [hit] = run("sunsetRequiresDeprecated", {"x-sunset": "2030-01-01"}, {}, ctx)
    assert hit.path == ("x-sunset",) and "Schema 'Pet'" in hit.message
    assert run("sunsetRequiresDeprecated", {"deprecated": True, "x-sunset": "2030-01-01"}, {}, ctx) == []
    old = {"deprecated": True, "x-sunset": "2030-01-01"}
    assert run("sunsetNotPassed", old, {"today": "2029-12-31"}, ctx) == []
    [hit] = run("sunsetNotPassed", old, {"today": "2030-01-02"}, ctx)
    assert "2030-01-01" in hit.message


def test_deprecation_header_on_success_responses_only():
    path = ("paths", "/p", "get")
    op = {"deprecated": True, "responses": {"200": {"headers": {"X": {}}}, "410": {"headers": {"Sunset": {}}}}}
    [hit] = run("deprecationHeaderDeclared", op, {}, ctx_for({}, path))
    assert hit.path == ("responses",) and "GET /p" in hit.message
    op["responses"]["200"]["headers"]["deprecation"] = {}
    assert run("deprecationHeaderDeclared", op, {}, ctx_for({}, path)) == []
    assert run("deprecationHeaderDeclared", {"responses": {"200": {}}}, {}, ctx_for({}, path)) == []
