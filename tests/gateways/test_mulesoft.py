"""MuleSoft importer: RAML 1.0 projects (with the minimal RAML reader) and API Manager JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.sources.gateways import mulesoft
from gateway_harness import import_folder, route_at as _route
from apiscan.sources.gateways.raml import load_raml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "gateways" / "mulesoft"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "mulesoft-raml"


def run(root: Path):
    return import_folder(mulesoft.IMPORTER, root)


@pytest.fixture(scope="module")
def fx():
    return run(FIXTURES)


def _gw(gws, name):
    return next(g for g in gws if g.name == name)


def test_raml_reader_applies_types_traits_and_security():
    raml = load_raml(FIXTURES / "orders-api" / "orders-api.raml", FIXTURES)
    ops = {(m.method, m.path): m for m in raml.methods}
    assert set(ops) == {("GET", "/orders"), ("POST", "/orders"), ("GET", "/orders/{orderId}"),
                        ("DELETE", "/orders/{orderId}"), ("GET", "/orders/{orderId}/items"),
                        ("GET", "/public/status"), ("GET", "/reports")}
    listing = ops[("GET", "/orders")]
    assert listing.query_parameters == ["sort", "offset", "limit", "auditReason"]  # type, trait, library trait
    assert listing.traits == ["pageable", "common.auditable"]
    assert ops[("POST", "/orders")].secured_by == [("oauth", {"scopes": ["write"]})]  # from `post?` in the type
    assert ops[("DELETE", "/orders/{orderId}")].secured_by == [("basic", {})]
    assert ops[("GET", "/public/status")].secured_by == [(None, {})]
    assert ops[("GET", "/reports")].resource_type == "collection"  # a non-optional `get` added by the type
    assert ops[("GET", "/orders/{orderId}/items")].uri_parameters == ["orderId"]
    issues = sorted(i.message for i in raml.issues)
    assert any("outside the input root" in m for m in issues) and any("file not found" in m for m in issues)


def test_managed_api_takes_api_manager_policies(fx):
    _, gws, _, _ = fx
    api = _gw(gws, "orders-api").apis[0]
    assert api.attributes["managed"] is True and api.base_path == "/orders-proxy"
    get_orders = _route(api, "GET", "/orders-proxy/orders")
    assert get_orders.upstream_url == "http://orders.internal:8080/api"
    assert get_orders.upstream_path == "/api/orders"
    kinds = sorted((p.vendor_type, p.enabled) for p in get_orders.policies)
    assert kinds == [("client-id-enforcement", True), ("jwt-validation", False), ("rate-limiting", True)]
    assert not [p for p in get_orders.policies if p.vendor_type == "raml-securedBy"]
    rl = next(p for p in get_orders.policies if p.kind == "rate-limit")
    assert rl.limit == {"count": 20, "period_seconds": 60, "by": "api"}
    status = _route(api, "GET", "/orders-proxy/public/status")
    assert status.has_effective_auth() and not status.has_rate_limit()  # pointcut /orders(/.*)? only
    delete = _route(api, "DELETE", "/orders-proxy/orders/{orderId}")
    assert [p.kind for p in delete.policies if p.kind == "ip-filter"] == ["ip-filter"]


def test_raml_only_api_has_declared_auth(fx):
    api = _gw(fx[1], "catalog-api").apis[0]
    assert api.base_path == "/api/v1" and api.hosts == ["catalog.example.test"]
    products = _route(api, "GET", "/api/v1/products")
    (auth,) = products.auth_policies()
    assert auth.auth_kind == "api-key" and auth.detail["declared"] is True
    assert auth.detail["query_parameters"] == ["api_key"]
    assert not _route(api, "GET", "/api/v1/status").has_effective_auth()  # securedBy: [null]


def test_errors_are_clear_and_rest_loads(fx):
    _, gws, errors, _ = fx
    by_file = {}
    for e in errors:
        by_file.setdefault(e.file, []).append(e.message)
    assert by_file["catalog-api/legacy.raml"] == ["RAML 0.8 is not supported (RAML 1.0 only)"]
    assert by_file["orders-api/broken.raml"][0].startswith("invalid YAML")
    assert len(by_file["orders-api/orders-api.raml"]) == 2
    (bad_rx,) = by_file["orders-api/api-manager/orders-instance.json"]
    assert "not a valid regex" in bad_rx
    assert len(errors) == 5
    assert sum(len(a.routes) for g in gws for a in g.apis) == 10


def test_tiers_contracts_and_secrets(fx):
    gw = _gw(fx[1], "orders-api")
    (tier,) = gw.products
    assert tier.name == "Gold" and tier.policies[0].limit["count"] == 1000
    (app,) = gw.consumers
    assert app.name == "Mobile App" and app.products == [tier.id]
    assert app.credentials[0].id == "3f1c0a6e9b2d4c7e8f00aa11bb22cc33"
    pointers = sorted(n.source.pointer for n in gw.notes if n.code == "secret-in-export")
    assert pointers == ["/contracts/0/application/clientSecret", "/policies/2/configurationData/textKey"]
    dumped = json.dumps(gw.to_dict(), default=str)
    assert "jwt-Signing-Secret-42" not in dumped and "Zk9-mobile-client-secret-value" not in dumped


@pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus absent")
def test_corpus_instagram_project():
    bundles, gws, errors, fs = run(CORPUS)
    assert errors == []
    (gw,) = gws
    (api,) = gw.apis
    assert (api.name, api.version, api.base_path) == ("Instagram", "v1", "/v1")
    assert len(api.routes) == 30
    # the API + 13 RAML fragments/libraries, plus the project's 43 example and schema files
    assert len([f for f in bundles[0].files if f.suffix == ".raml"]) == 14
    assert len(bundles[0].files) == 14 + 43
    by_level = {}
    for r in api.routes:
        names = tuple(p.name for p in r.auth_policies())
        by_level[names] = by_level.get(names, 0) + 1
    # root securedBy [oauth_2_0, clientId] on 15 methods; oauth only on 15 (resource types, method level)
    assert by_level == {("oauth_2_0", "clientId"): 15, ("oauth_2_0",): 15}
    comments = _route(api, "POST", "/v1/media/{mediaId}/comments")
    assert comments.auth_policies()[0].detail["scopes"] == ["comments"]
    assert "credential-in-query" in _route(api, "GET", "/v1/subscriptions").tags


def test_include_cycle_and_wrong_shapes(tmp_path):
    (tmp_path / "api.raml").write_text(
        "#%RAML 1.0\ntitle: Odd\ntraits:\n  t: !include t.raml\nresourceTypes: 5\nsecuredBy: 7\n"
        "/a:\n  type: 5\n  is: 3\n  get:\n    is: [t, 9]\n/b: [1, 2]\n")
    (tmp_path / "t.raml").write_text("#%RAML 1.0 Trait\ndescription: !include t.raml\n")
    (tmp_path / "policies.json").write_text(json.dumps({"policies": [
        {"assetId": "rate-limiting", "configurationData": {"rateLimits": "x"}, "pointcutData": 5}]}))
    _, gws, errors, _ = run(tmp_path)
    assert any("nested deeper" in e.message for e in errors)
    assert any("pointcutData must be null or a list" in e.message for e in errors)
    assert [r.path for r in gws[0].apis[0].routes] == ["/a"]
