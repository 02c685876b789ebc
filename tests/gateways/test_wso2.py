"""WSO2 API Manager importer: apictl export projects (fixtures) and the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.sources.gateways import wso2
from gateway_harness import import_folder, api_named as _api, route_at as _route

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "gateways" / "wso2"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "wso2-apictl"


def run(root: Path):
    return import_folder(wso2.IMPORTER, root)


@pytest.fixture(scope="module")
def fx():
    return run(FIXTURES)


def test_paths_versions_and_default_version(fx):
    bundles, gws, _, fs = fx
    assert fs.unclaimed() == []
    (gw,) = gws
    inv = _api(gw, "InventoryAPI")
    assert inv.base_path == "/inventory/2.1.0" and inv.lifecycle == "deprecated"
    assert len(inv.routes) == 8  # 4 operations, each also without the version (default version)
    assert {r.path for r in inv.routes if "default-version" in r.tags} == {
        "/inventory/items", "/inventory/items/{itemId}", "/inventory/health"}
    assert all(r.deprecated for r in inv.routes)
    ship = _api(gw, "ShippingAPI")
    assert ship.base_path == "/shipping/1.0.0"
    assert sorted(r.path for r in ship.routes) == ["/shipping/1.0.0/quotes", "/shipping/1.0.0/tracking/{trackingId}"]
    assert sorted(p.name for p in bundles[0].also_spec) == ["swagger.yaml", "swagger.yaml"]
    assert inv.spec_file == "exports/InventoryAPI-2.1.0/Definitions/swagger.yaml"


def test_auth_type_none_and_security_schemes(fx):
    gw = fx[1][0]
    inv = _api(gw, "InventoryAPI")
    items = _route(inv, "GET", "/inventory/2.1.0/items")
    kinds = {(p.auth_kind, p.optional) for p in items.auth_policies()}
    assert kinds == {("oauth2", False), ("api-key", False), ("mtls", True)}
    health = _route(inv, "GET", "/inventory/2.1.0/health")
    assert not health.has_effective_auth() and "authType:None" in health.tags
    ship = _api(gw, "ShippingAPI")
    assert [p.auth_kind for p in _route(ship, "POST", "/shipping/1.0.0/quotes").auth_policies()] == ["basic"]
    assert not _route(ship, "GET", "/shipping/1.0.0/tracking/{trackingId}").has_effective_auth()


def test_throttling_tiers(fx):
    gw = fx[1][0]
    inv = _api(gw, "InventoryAPI")
    limits = lambda r: sorted((p.scope, p.limit.get("count")) for p in r.policies if p.kind == "rate-limit")
    assert limits(_route(inv, "GET", "/inventory/2.1.0/items")) == [("consumer", 5000), ("operation", 10000)]
    assert limits(_route(inv, "POST", "/inventory/2.1.0/items")) == [("consumer", 5000)]  # Unlimited op tier
    assert limits(_route(inv, "GET", "/inventory/2.1.0/health")) == []  # no app, no subscription tier
    ship = _api(gw, "ShippingAPI")
    assert limits(_route(ship, "GET", "/shipping/1.0.0/tracking/{trackingId}")) == [("api", 50000)]
    cors = next(p for p in inv.policies if p.kind == "cors")
    assert cors.detail == {"allow_origins": ["*"], "allow_credentials": True}


def test_upstream_and_deployments(fx):
    gw = fx[1][0]
    inv = _api(gw, "InventoryAPI")
    r = _route(inv, "DELETE", "/inventory/2.1.0/items/{itemId}")
    assert r.upstream_url == "http://inventory.backend.internal:8280/stock"
    assert r.upstream_path == "/stock/items/{itemId}"
    assert gw.attributes["deployment_environments"] == {
        "exports/InventoryAPI-2.1.0/deployment_environments.yaml": ["Default", "Internal"]}


def test_application_consumer_and_secrets(fx):
    gw = fx[1][0]
    (app,) = gw.consumers
    assert app.name == "MobileApp" and app.apis == ["5d3f0b7e-1c2a-4e55-9d7b-2f6c1a0e9b11"]
    assert app.credentials[0].id == "q8Xk2mR0bF3vLw9Yt1Zc" and app.credentials[0].fingerprint.startswith("sha256:")
    secrets = sorted(n.source.file for n in gw.notes if n.code == "secret-in-export")
    assert secrets == ["exports/InventoryAPI-2.1.0/api.yaml", "exports/InventoryAPI-2.1.0/api_params.yaml",
                       "exports/apps/MobileApp.yaml"]
    dumped = json.dumps(gw.to_dict(), default=str)
    for value in ("inv-Backend-Pa55", "prod-Params-Secret-77", "Hs7-mobile-consumer-secret-Pq2"):
        assert value not in dumped


def test_broken_project_reported(fx):
    _, gws, errors, _ = fx
    (err,) = errors
    assert err.file == "exports/BrokenAPI-1.0.0/api.yaml" and err.line == 6 and "tab" in err.message
    assert len(gws[0].apis) == 2


@pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus absent")
def test_corpus_pizzashack():
    bundles, gws, errors, fs = run(CORPUS)
    assert errors == []
    assert [f.name for f in fs.unclaimed()] == ["SOURCES.md"]
    (gw,) = gws
    (api,) = gw.apis
    assert (api.name, api.version, api.lifecycle, api.base_path) == ("PizzaShackAPI", "1.0.0", "published", "/pizzashack/1.0.0")
    assert sorted((r.methods[0], r.path) for r in api.routes) == [
        ("DELETE", "/pizzashack/1.0.0/order/{orderId}"), ("GET", "/pizzashack/1.0.0/menu"),
        ("GET", "/pizzashack/1.0.0/order/{orderId}"), ("POST", "/pizzashack/1.0.0/order"),
        ("PUT", "/pizzashack/1.0.0/order/{orderId}")]
    for r in api.routes:
        assert [(p.auth_kind, p.optional) for p in r.auth_policies()] == [("oauth2", False)]
        assert not r.has_rate_limit()  # every tier is Unlimited
    assert api.spec_file == "PizzaShackAPI-1.0.0/Definitions/swagger.yaml"
    assert [p.name for p in bundles[0].also_spec] == ["swagger.yaml"]
    assert gw.consumers == [] and gw.notes == []


def test_wrong_shapes_do_not_raise(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "api.yaml").write_text(
        "type: api\ndata:\n  name: Odd\n  context: 5\n  version: 1\n  securityScheme: 3\n  tags: 4\n"
        "  operations: [5, {verb: [], target: {}}, {verb: GET, target: /ok, authType: None}]\n  endpointConfig: []\n")
    _, gws, errors, _ = run(tmp_path)
    assert errors == []
    assert [r.path for r in gws[0].apis[0].routes][-1] == "/5/1/ok"
