"""Tyk importer: classic, Dashboard-wrapped and Tyk OAS definitions, policies and keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.sources.gateways import tyk
from gateway_harness import import_folder

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "gateways" / "tyk"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "tyk"


def run(root: Path):
    return import_folder(tyk.IMPORTER, root)


@pytest.fixture(scope="module")
def fx():
    return run(FIXTURES)


def _api(gw, api_id):
    return next(a for a in gw.apis if a.id == api_id)


def test_fixture_apis_routes_and_versions(fx):
    bundles, gws, errors, fs = fx
    assert fs.unclaimed() == []
    (gw,) = gws
    assert sorted(a.id for a in gw.apis) == ["ledger-1", "orders-oas", "payments-1", "public-1"]
    pay = _api(gw, "payments-1")
    v1, v2 = sorted(pay.routes, key=lambda r: r.path)
    assert (v1.path, v1.match_kind, v1.deprecated) == ("/payments/v1/", "prefix", True)
    assert "expired" in v1.tags and not v2.deprecated
    assert v1.upstream_path == "/core/payments/v1/"  # strip_listen_path false
    led = _api(gw, "ledger-1")
    assert led.routes[0].upstream_path == "/" and not led.routes[0].deprecated  # expires in year 3000
    assert [p.name for p in bundles[0].also_spec] == ["oas-orders.json"]
    (err,) = errors
    assert err.file == "tyk-sync/apps/broken.json" and err.message.startswith("invalid JSON")


def test_auth_flags(fx):
    gw = fx[1][0]
    pay = _api(gw, "payments-1")
    (auth,) = pay.routes[0].auth_policies()
    assert auth.auth_kind == "api-key" and auth.detail["in"] == "query"
    assert not _api(gw, "public-1").routes[0].has_effective_auth()
    assert [p.auth_kind for p in _api(gw, "ledger-1").routes[0].auth_policies()] == ["jwt"]
    assert [p.auth_kind for p in _api(gw, "orders-oas").routes[0].auth_policies()] == ["api-key"]


def test_effective_limits_from_policies_and_keys(fx):
    gw = fx[1][0]
    lim = lambda api_id: sorted((p.kind, p.scope, p.limit.get("count"), p.limit.get("period_seconds"))
                                for p in _api(gw, api_id).routes[0].policies if p.kind in ("rate-limit", "quota"))
    assert lim("payments-1") == [("quota", "product", 10000, 3600), ("rate-limit", "product", 50, 1)]
    assert lim("orders-oas") == [("rate-limit", "api", 500, 60), ("rate-limit", "product", 5, 1)]  # per-API limit
    assert lim("public-1") == [("rate-limit", "api", 100, 60)]  # keyless: policy limits do not bind
    assert lim("ledger-1") == [("quota", "consumer", 100, 86400)]  # disable_rate_limit drops the key's rate
    cors = next(p for p in _api(gw, "orders-oas").policies if p.kind == "cors")
    assert cors.detail == {"allow_origins": ["*"], "allow_credentials": True}


def test_keys_are_fingerprints_and_secrets_redacted(fx):
    gw = fx[1][0]
    assert len(gw.consumers) == 2 and len(gw.products) == 2
    batch = next(c for c in gw.consumers if c.name == "billing-batch")
    assert batch.id.startswith("sha256:") and batch.products == ["gold-policy"]
    other = next(c for c in gw.consumers if c is not batch)
    assert other.credentials[0].expires == "2030-01-01T00:00:00Z"
    codes = sorted(n.source.pointer for n in gw.notes if n.code == "secret-in-export")
    assert codes == ["/api_definition/jwt_source", "/keys/0", "/keys/0/data/basic_auth_data/password", "/keys/1"]
    dumped = json.dumps(gw.to_dict(), default=str)
    for value in ("acme5f2b9c0e4d1a47b8a3c6e9d2f1b0a7c4", "acme77aa0c1d2e3f405162738495a6b7c8d9",
                  "batch-Basic-Pw-311", "c2VjcmV0LWp3dC1zaWduaW5nLWtleQ=="):
        assert value not in dumped


@pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus absent")
def test_corpus_tyk_files():
    bundles, gws, errors, fs = run(CORPUS)
    assert errors == []
    assert [f.name for f in fs.unclaimed()] == ["SOURCES.md"]
    (gw,) = gws
    apis = {a.id: a for a in gw.apis}
    assert set(apis) == {"1", "3", "4", "6", "test-amf-jwt", "multiauth-test-api"}
    assert sum(len(a.routes) for a in gw.apis) == 7  # versioned.json: Default and v1
    assert len(gw.consumers) == 1 and len(gw.products) == 2
    unauth = sorted(a for a, api in apis.items() if not any(r.has_effective_auth() for r in api.routes))
    assert unauth == ["3", "6"]  # use_keyless
    assert [p.vendor_type for p in apis["1"].policies] == ["use_standard_auth"]  # Tyk's default auth token
    assert [p.auth_kind for p in apis["multiauth-test-api"].policies] == ["jwt", "api-key"]
    limited = sorted(a for a, api in apis.items() if api.routes[0].has_rate_limit())
    assert limited == ["4", "multiauth-test-api"]  # global_rate_limit + key; policy rate 1000/60
    (v1,) = [r for r in apis["6"].routes if "version:v1" in r.tags]
    assert "sunset:2050-07-31 10:00" in v1.tags
    assert apis["3"].attributes["do_not_track"] is True
    (note,) = gw.notes
    assert note.code == "secret-in-export" and note.source.pointer.endswith("/jwt/source")
    assert "dHlrLWp3dC10ZXN0LXNlY3JldA==" not in json.dumps(gw.to_dict(), default=str)
    assert [p.name for p in bundles[0].also_spec] == ["ci_tests_tracing_apps_test-multiauth-oas.json"]


def test_wrong_shapes_do_not_raise(tmp_path):
    (tmp_path / "odd.json").write_text(json.dumps({
        "api_id": 5, "proxy": {"listen_path": 7, "target_url": []}, "version_data": [], "global_rate_limit": "x",
        "use_keyless": "no", "definition": 3}))
    (tmp_path / "pol.json").write_text(json.dumps({"p": {"rate": "fast", "per": None, "access_rights": {"5": 3}}}))
    _, gws, errors, _ = run(tmp_path)
    (api,) = gws[0].apis
    assert api.id == "5" and api.routes[0].has_effective_auth()  # not keyless: Tyk's default auth token
