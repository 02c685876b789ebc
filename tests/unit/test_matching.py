"""Each gateway's matching semantics, and spec templates against route patterns."""

import pytest

from apiscan.matching import (
    join_paths, method_matches, operation_served_by, pattern_matches, pattern_serves, route_matches,
    select_route, served_via, shared_literal, winning_routes,
)
from apiscan.models.gateway import Route


def r(path, kind, methods=(), rid=None, **kw):
    return Route(id=rid or f"{kind}:{path}", path=path, match_kind=kind, methods=list(methods), **kw)


@pytest.mark.parametrize("methods,method,ok", [
    ([], "DELETE", True), (["ANY"], "PATCH", True), (["*"], "GET", True), (["get"], "GET", True),
    (["GET", "POST"], "PUT", False), (["x-amazon-apigateway-any-method"], "HEAD", True),
])
def test_methods(methods, method, ok):
    assert method_matches(methods, method) is ok


@pytest.mark.parametrize("kind,pattern,path,ok", [
    ("prefix", "/pets", "/pets", True), ("prefix", "/pets", "/pets/1", True),
    ("prefix", "/pets", "/petshop", True),  # Kong prefixes are character prefixes
    ("prefix", "/pets/", "/pets", False),
    ("regex", r"/status/\d+", "/status/200", True), ("regex", r"/status/\d+", "/status/abc", False),
    ("regex", r"/status/\d+", "/v1/status/200", False),  # anchored at the start
    ("regex", r"/status/\d+", "/status/200/extra", True),  # ... but only at the start
    ("regex", "/orders/(?<id>[^/]+)$", "/orders/7", True),  # PCRE named groups as Kong writes them
    ("regex", "/bad(", "/bad(", False),
    ("exact", "/health", "/health", True), ("exact", "/health", "/health/x", False),
    ("template", "/pets/{id}", "/pets/7", True), ("template", "/pets/{id}", "/pets/7/toys", False),
    ("template", "/{proxy+}", "/a/b/c", True), ("template", "/{proxy+}", "/", False),
    ("template", "/api/*", "/api", True), ("template", "/api/*", "/api/x/y", True),
    ("apigee-matchespath", "/pets/*", "/pets/1", True), ("apigee-matchespath", "/pets/*", "/pets/1/2", False),
    ("apigee-matchespath", "/pets/**", "/pets/1/2", True),
    ("unknown", "/x", "/x", False),
])
def test_pattern_matches(kind, pattern, path, ok):
    assert pattern_matches(kind, pattern, path) is ok


@pytest.mark.parametrize("kind,pattern,template,ok", [
    ("prefix", "/pets", "/pets/{id}", True), ("prefix", "/pets/1", "/pets/{id}", True),
    ("prefix", "/pets/1/x", "/pets/{id}", False), ("prefix", "/users", "/pets/{id}", False),
    ("template", "/{proxy+}", "/pets/{id}", True), ("template", "/pets/{x}", "/pets/{id}", True),
    ("template", "/pets/mine", "/pets/{id}", False), ("template", "/pets/{x}", "/pets/mine", True),
    ("regex", r"/status/\d+", "/status/{code}", True), ("regex", r"/status/[a-z]+$", "/status/{code}", True),
    ("regex", r"/status/x\d+$", "/status/{code}", False),
    ("apigee-matchespath", "/pets/**", "/pets/{id}/toys", True), ("apigee-matchespath", "/pets/*", "/pets/{id}/toys", False),
    ("exact", "/pets/7", "/pets/{id}", True), ("exact", "/pets", "/pets/{id}", False),
])
def test_pattern_serves(kind, pattern, template, ok):
    assert pattern_serves(kind, pattern, template) is ok


def test_route_matches_uses_methods_and_pattern():
    route = r("/orders", "prefix", ["GET"])
    assert route_matches(route, "GET", "/orders/1")
    assert not route_matches(route, "POST", "/orders/1")


def test_operation_served_by_base_paths_and_upstream():
    # spec documents the public face with a base path
    assert operation_served_by(r("/v1/pets", "prefix"), "GET", "/pets/{id}", ["/v1"])
    assert not operation_served_by(r("/v1/pets", "prefix"), "GET", "/pets/{id}", ["/"])
    # spec documents the backend: Kong strip_path to service path /v2
    stripped = r("/payments", "prefix", upstream_path="/v2", strip_prefix=True)
    via = served_via(stripped, "POST", "/charges", ["/v2"])
    assert via is not None and via.alignment == "upstream"
    assert not operation_served_by(stripped, "POST", "/charges", ["/v3"])


def test_shared_literal_ignores_catch_alls():
    assert shared_literal("prefix", "/", "/pets") == 0
    assert shared_literal("template", "/{proxy+}", "/pets") == 0
    assert shared_literal("prefix", "/r1", "/{proxy+}") == 0
    assert shared_literal("prefix", "/pets", "/pets/{id}") == 5


def test_aws_precedence_exact_then_param_then_greedy():
    exact, param, greedy = r("/pets/mine", "template", ["GET"]), r("/pets/{id}", "template", ["GET"]), r("/{proxy+}", "template")
    routes = [greedy, param, exact]
    assert select_route(routes, "GET", "/pets/mine", "aws") is exact
    assert select_route(routes, "GET", "/pets/7", "aws") is param
    assert select_route(routes, "GET", "/users", "aws") is greedy
    any_method = r("/pets/{id}", "template", [])
    assert winning_routes([any_method, param], "aws") == [param]


def test_kong_precedence_regex_priority_then_longest_prefix():
    short, long_ = r("/api", "prefix"), r("/api/orders", "prefix")
    low = r("/api/orders/\\d+", "regex", rid="low")
    high = r("/api/orders/.*", "regex", rid="high", tags=["regex_priority=10"])
    assert select_route([short, long_], "GET", "/api/orders/1", "kong") is long_
    assert select_route([short, long_, low, high], "GET", "/api/orders/1", "kong") is high
    assert select_route([short, long_, low], "GET", "/api/orders/1", "kong") is low


def test_join_paths():
    assert join_paths("/", "/pets") == "/pets"
    assert join_paths("/v1/", "/pets") == "/v1/pets"
    assert join_paths("", "") == "/"
