"""IBM API Connect importer: our fixtures (fixtures/gateways/ibm-apic) and the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.sources.gateways import ibm_apic
from gateway_harness import import_folder, api_named as _api, route_at as _route

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures" / "gateways" / "ibm-apic"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "ibm-apiconnect"


def run(root: Path):
    return import_folder(ibm_apic.IMPORTER, root)


@pytest.fixture(scope="module")
def fx():
    return run(FIXTURES)


def test_fixture_inventory(fx):
    bundles, gws, errors, _ = fx
    assert len(gws) == 1
    gw = gws[0]
    assert sorted(a.name for a in gw.apis) == ["Accounts", "Draft", "Payments"]
    assert sum(len(a.routes) for a in gw.apis) == 7
    spec_names = sorted(p.name for p in bundles[0].also_spec)
    assert spec_names == ["accounts.yaml", "orphan-draft.yaml", "payments.yaml"]
    acc = _api(gw, "Accounts")
    assert acc.base_path == "/accounts/v1" and acc.spec_file == "billing/apis/accounts.yaml"
    assert acc.upstream_url == "http://accounts.internal:8080/core"


def test_broken_files_give_clear_errors_and_rest_loads(fx):
    _, gws, errors, _ = fx
    msgs = {(e.file, e.message.split(":")[0]) for e in errors}
    assert ("billing/apis/broken.yaml", "invalid YAML") in msgs
    ghost = [e for e in errors if "ghost" in e.message]
    assert ghost and ghost[0].file == "billing/product.yaml" and ghost[0].pointer == "/apis/ghost-v1/$ref"
    assert len(errors) == 2
    assert gws and gws[0].apis


def test_security_is_effective_per_operation(fx):
    gw = fx[1][0]
    acc = _api(gw, "Accounts")
    listing = _route(acc, "GET", "/accounts/v1/accounts")
    auth = listing.auth_policies()
    assert [p.detail.get("ibm") for p in auth] == ["client-id", "client-secret"]
    assert listing.has_effective_auth()
    health = _route(acc, "GET", "/accounts/v1/health")
    assert not health.has_effective_auth()  # security: [] on the operation


def test_operation_switch_scopes_assembly_steps(fx):
    acc = _api(fx[1][0], "Accounts")
    delete = _route(acc, "DELETE", "/accounts/v1/accounts/{id}")
    assert [p.vendor_type for p in delete.policies if p.scope == "operation"] == ["ratelimit"]
    listing = _route(acc, "GET", "/accounts/v1/accounts")
    assert [p.vendor_type for p in listing.policies if p.scope == "operation"] == ["gatewayscript"]
    get_one = _route(acc, "GET", "/accounts/v1/accounts/{id}")
    assert not [p for p in get_one.policies if p.scope == "operation"]


def test_plan_rate_limits_follow_plan_operations(fx):
    gw = fx[1][0]
    acc = _api(gw, "Accounts")
    limits = lambda r: sorted((p.limit["count"], p.limit["period_seconds"]) for p in r.policies if p.vendor_type == "plan-rate-limits")
    assert limits(_route(acc, "GET", "/accounts/v1/accounts")) == [(10, 60), (1000, 3600)]
    assert limits(_route(acc, "GET", "/accounts/v1/accounts/{id}")) == [(1000, 3600)]
    pay = _api(gw, "Payments")
    assert limits(_route(pay, "POST", "/payments/v2/payments")) == [(1000, 3600)]  # 'unlimited' plan adds none
    draft = _api(gw, "Draft")
    assert not draft.routes[0].has_rate_limit() and "not-enforced" in draft.routes[0].tags
    products = {p.id: p for p in gw.products}
    assert set(products) == {"billing-product:2.1.0/gold", "billing-product:2.1.0/free", "billing-product:2.1.0/unlimited-partners"}
    assert products["billing-product:2.1.0/gold"].approval == "manual"
    assert products["billing-product:2.1.0/free"].apis == ["accounts:1.4.0"]


def test_upstream_paths_and_cors(fx):
    gw = fx[1][0]
    pay = _api(gw, "Payments")
    r = _route(pay, "GET", "/payments/v2/payments/{paymentId}")
    assert r.upstream_url == "https://payments.internal.example.test"
    assert r.upstream_path == "/payments/{paymentId}"
    assert any(p.kind == "cors" for p in r.policies)
    assert not any(p.kind == "logging" for p in r.policies)  # activity-log disabled
    acc = _api(gw, "Accounts")
    assert _route(acc, "GET", "/accounts/v1/accounts").upstream_path == "/core/accounts/v1/accounts"


def test_secret_reported_redacted_and_never_output(fx):
    gw = fx[1][0]
    notes = [n for n in gw.notes if n.code == "secret-in-export"]
    assert len(notes) == 1 and notes[0].source.pointer.endswith("/backend-client-secret/value")
    dumped = json.dumps(gw.to_dict(), default=str) + repr(fx[2])
    assert "pay-backend-Secret-9d81" not in dumped


@pytest.mark.skipif(not SHARED.exists(), reason="../shared corpus absent")
def test_corpus_imports_with_exact_counts():
    bundles, gws, errors, fs = run(CORPUS)
    assert errors == []
    assert [f.name for f in fs.unclaimed()] == ["SOURCES.md"]
    gw = gws[0]
    apis = {a.name: a for a in gw.apis}
    assert set(apis) == {"Order", "Stock"}
    assert [r.path for r in apis["Order"].routes] == ["/order/{orderNumber}"]
    assert [r.path for r in apis["Stock"].routes] == ["/stock/{sku}"]
    for api in apis.values():
        (route,) = api.routes
        assert route.has_effective_auth() and route.has_rate_limit()
        assert [p.detail.get("ibm") for p in route.auth_policies()] == ["client-id"]
    order = apis["Order"].routes[0]
    # two invokes (https → tls), two maps (transformation), cors, activity log, plan limit
    assert sorted(p.kind for p in order.policies) == sorted(
        ["auth", "tls", "tls", "transformation", "transformation", "cors", "logging", "rate-limit"])
    assert len(gw.products) == 1 and gw.products[0].policies[0].limit == {"count": 100, "period_seconds": 3600, "by": "subscription"}
    assert len(bundles[0].also_spec) == 2


def test_wrong_shapes_do_not_raise(tmp_path):
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "odd.yaml").write_text(
        "swagger: '2.0'\ninfo: [1]\npaths: {/a: {get: {security: 5}}, /b: 7}\n"
        "x-ibm-configuration: {assembly: {execute: [5, {invoke: 3}, {operation-switch: {case: [1, {operations: 4}]}}]},"
        " properties: [], cors: 1}\n")
    (tmp_path / "g" / "product.yaml").write_text(
        "product: 1.0.0\ninfo: {name: p}\nplans: {a: {rate-limits: {x: {value: 7}}, apis: []}, b: 5}\napis: {x: 3, y: {$ref: ../../etc/passwd}}\n")
    _, gws, errors, _ = run(tmp_path)
    assert [r.path for r in gws[0].apis[0].routes] == ["/a"]
    assert any("outside the input" in e.message for e in errors)
