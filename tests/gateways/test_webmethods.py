"""webMethods API Gateway importer: our export fixture and the shared corpus export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.sources.gateways import webmethods
from gateway_harness import import_folder

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "gateways" / "webmethods"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "webmethods"


def run(root: Path):
    return import_folder(webmethods.IMPORTER, root)


@pytest.fixture(scope="module")
def fx():
    return run(FIXTURES)


def test_fixture_apis_and_routes(fx):
    _, gws, _, fs = fx
    assert fs.unclaimed() == []
    (gw,) = gws
    apis = {a.name: a for a in gw.apis}
    assert set(apis) == {"Orders", "Legacy Stock"}
    orders = apis["Orders"]
    assert orders.base_path == "/gateway/Orders/2.0" and orders.lifecycle == "active"
    # /admin/reset is disabled in the definition: not routed
    assert sorted((r.methods[0], r.path) for r in orders.routes) == [
        ("DELETE", "/gateway/Orders/2.0/orders/{orderId}"), ("GET", "/gateway/Orders/2.0/orders"),
        ("GET", "/gateway/Orders/2.0/orders/{orderId}"), ("POST", "/gateway/Orders/2.0/orders")]
    legacy = apis["Legacy Stock"]
    assert legacy.lifecycle == "deprecated" and legacy.base_path == "/gateway/Legacy%20Stock/1"


def test_effective_policies_come_from_policy_actions(fx):
    gw = fx[1][0]
    orders = next(a for a in gw.apis if a.name == "Orders")
    route = next(r for r in orders.routes if r.methods == ["GET"] and r.path.endswith("/orders"))
    assert route.has_effective_auth()
    (auth,) = route.auth_policies()
    assert auth.auth_kind == "api-key" and auth.detail["identification"] == ["apiKey"]
    (rl,) = [p for p in route.policies if p.kind == "rate-limit"]
    assert rl.limit == {"count": 100, "period_seconds": 60}
    (tls,) = [p for p in route.policies if p.kind == "tls"]
    assert tls.detail["https_only"] is True and route.protocols == ["https"]
    assert route.upstream_url == "https://orders.backend.internal/v2/"
    assert route.upstream_path == "/v2/orders"
    legacy = next(a for a in gw.apis if a.name == "Legacy Stock")
    # the definition's `security` is documentation: no policy → no auth, no limit
    assert not legacy.routes[0].has_effective_auth() and not legacy.routes[0].has_rate_limit()


def test_broken_and_missing_assets_reported(fx):
    _, gws, errors, _ = fx
    assert len(errors) == 2
    broken = next(e for e in errors if "API.7b1d2c3e-0003" in e.file)
    assert broken.message.startswith("invalid JSON") and broken.line == 1
    missing = next(e for e in errors if e.file.endswith("APIGatewayAssets.acdl"))
    assert "PolicyAction.bb000000-0000-4000-8000-00000000dead" in missing.message
    assert len(gws[0].apis) == 2


def test_unattached_action_and_consumers(fx):
    gw = fx[1][0]
    (un,) = gw.unattached_policies
    assert un.vendor_type == "logInvocation" and un.kind == "logging"
    assert [n.subject_key for n in gw.notes if n.code == "policy-unattached"] == [
        "policy-action:bb000000-0000-4000-8000-000000000025"]
    (app,) = gw.consumers
    assert app.name == "Shop Frontend" and app.apis == ["7b1d2c3e-0001-4a5b-9c8d-000000000001"]
    assert app.credentials[0].fingerprint.startswith("sha256:")


def test_secrets_redacted(fx):
    gw = fx[1][0]
    secrets = sorted(n.source.pointer for n in gw.notes if n.code == "secret-in-export")
    assert secrets == ["/accessTokens/apiAccessKey_credentials/apiAccessKey", "/password"]
    dumped = json.dumps(gw.to_dict(), default=str)
    for value in ("al1as-Passw0rd!", "f0e1d2c3-aaaa-bbbb-cccc-1234567890ab"):
        assert value not in dumped


def test_manifest_with_dtd_is_refused(tmp_path):
    root = tmp_path / "exp"
    (root / "API" / "API.0a1b2c3d-e5f6").mkdir(parents=True)
    (root / webmethods.MANIFEST).write_text('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    (root / "API" / "API.0a1b2c3d-e5f6" / "API.0a1b2c3d-e5f6").write_text(json.dumps({"apiName": "A", "apiVersion": "1", "apiDefinition": {
        "paths": {"/a": {"get": {}}}}}))
    _, gws, errors, _ = run(tmp_path)
    assert any("DTD" in e.message for e in errors)
    assert [r.path for r in gws[0].apis[0].routes] == ["/gateway/A/1/a"]


@pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus absent")
def test_corpus_petstore_export():
    bundles, gws, errors, fs = run(CORPUS)
    assert errors == []
    assert [f.name for f in fs.unclaimed()] == ["SOURCES.md"]
    (gw,) = gws
    (api,) = gw.apis
    assert (api.name, api.version, api.lifecycle) == ("Swagger Petstore", "1.0.5", "active")
    assert api.attributes["maturityState"] == "Beta"
    assert len(api.routes) == 20
    # only entryProtocolPolicy (http) + straight-through routing: unprotected, unthrottled
    assert [p.vendor_type for p in api.policies] == ["entryProtocolPolicy"]
    assert all(not r.has_effective_auth() and not r.has_rate_limit() for r in api.routes)
    assert all(r.protocols == ["http"] for r in api.routes)
    pet = next(r for r in api.routes if r.methods == ["GET"] and r.path.endswith("/pet/{petId}"))
    assert pet.upstream_url == "https://petstore.swagger.io/v2/" and pet.upstream_path == "/v2/pet/{petId}"
    assert gw.unattached_policies == [] and gw.consumers == []


def test_wrong_shapes_do_not_raise(tmp_path):
    root = tmp_path / "exp"
    (root / "API").mkdir(parents=True)
    (root / webmethods.MANIFEST).write_text("<asset_composite><asset name='API.0a1b2c3d-e5f6'/></asset_composite>")
    (root / "API" / "API.0a1b2c3d-e5f6").write_text(json.dumps({
        "apiName": "Odd", "apiDefinition": [], "policies": "p", "nativeEndpoint": 5, "isActive": "yes"}))
    (root / "API" / "Policy.0a1b2c3d-e5f7").write_text(json.dumps({"policyEnforcements": [5, {"enforcements": 3}]}))
    _, gws, errors, _ = run(tmp_path)
    assert [a.name for a in gws[0].apis] == ["Odd"] and gws[0].apis[0].routes == []
