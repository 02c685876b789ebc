"""Apigee importer: our fixtures (fixtures/gateways/apigee) and the shared corpus when present."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from apiscan.models.gateway import fingerprint_secret
from apiscan.sources.gateways.apigee import IMPORTER
from apiscan.sources.gateways.apigee_bundle import MAX_ENTRY_BYTES
from apiscan.sources.gateways.apigee_condition import (
    ConditionError, flow_matches, matchespath_regex, parse_condition, step_applies,
)
from apiscan.sources.gateways.base import FileSet

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "fixtures" / "gateways" / "apigee"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "apigee"


def run(root: Path):
    files = sorted(p for p in root.rglob("*") if p.is_file())
    fs = FileSet(root, files)
    bundles = IMPORTER.claim(fs)
    results = [IMPORTER.load(b, fs) for b in bundles]
    gateways = [g for r in results for g in r.gateways]
    errors = [e for r in results for e in r.errors]
    return fs, bundles, gateways, errors


@pytest.fixture(scope="module")
def org():
    fs, bundles, gateways, errors = run(FIX / "org")
    assert len(gateways) == 1
    return fs, bundles, gateways[0], errors


def routes_of(gw, api_id):
    api = next(a for a in gw.apis if a.id == api_id)
    return {r.id: r for r in api.routes}


def names(route, **filters):
    return [p.name for p in route.policies if all(getattr(p, k) == v for k, v in filters.items())]


# --------------------------------------------------------------------------- conditions


def test_condition_parsing_and_flow_alternatives():
    fm = flow_matches('(request.verb = "GET" or request.verb = "POST") and proxy.pathsuffix ~/ "/a/*"')
    assert [(m.path_op, m.path_value, m.methods) for m in fm] == [("matchespath", "/a/*", ["GET", "POST"])]
    fm = flow_matches('not (request.verb = "OPTIONS") and request.header.x = "1"')
    assert fm[0].methods == ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]
    assert fm[0].other == ['request.header.x = "1"']
    assert flow_matches('request.verb = "GET" and request.verb = "POST"') == []  # contradiction: never matches
    alt = flow_matches('proxy.pathsuffix MatchesPath "/a" or proxy.pathsuffix JavaRegex "/b/[0-9]+"')
    assert [(m.path_op, m.path_value) for m in alt] == [("matchespath", "/a"), ("regex", "/b/[0-9]+")]
    with pytest.raises(ConditionError):
        parse_condition('(proxy.pathsuffix MatchesPath "/x" and')
    with pytest.raises(ConditionError):
        parse_condition("")


def test_step_conditions_three_valued():
    assert step_applies('request.verb != "OPTIONS"', ["GET"], None) is True
    assert step_applies('request.verb != "OPTIONS"', ["OPTIONS"], None) is False
    assert step_applies('request.verb != "OPTIONS"', [], None) is None  # any method: partial
    assert step_applies('request.verb = "GET"', ["GET", "POST"], None) is None
    assert step_applies('proxy.pathsuffix Matches "/cat*"', ["GET"], "/cats") is True
    assert step_applies('request.header.x = "1" or request.verb = "GET"', ["GET"], None) is True
    assert step_applies("not a ( valid", ["GET"], None) is None


def test_matchespath_semantics():
    import re

    rx = re.compile(matchespath_regex("/a/*/b/**"))
    assert rx.match("/a/x/b") and rx.match("/a/x/b/c/d")
    assert not rx.match("/a/x/y/b")
    one = re.compile(matchespath_regex("/*"))
    assert one.match("/cat") and not one.match("/cat/dog")


POLICY_CASES = [
    ('<BasicAuthentication name="b"><Operation>Decode</Operation></BasicAuthentication>', ("auth", "basic")),
    ('<BasicAuthentication name="b"><Operation>Encode</Operation></BasicAuthentication>', ("transformation", None)),
    ('<VerifyJWT name="j"/>', ("auth", "jwt")),
    ('<DecodeJWT name="d"/>', ("other", None)),
    ('<OAuthV2 name="o"><Operation>RefreshAccessToken</Operation></OAuthV2>', ("other", None)),
    ('<OAuthV2 name="o"/>', ("auth", "oauth2")),  # VerifyAccessToken is the default operation
    ('<AccessControl name="a"><IPRules noRuleMatchAction="ALLOW"><MatchRule action="DENY">'
     '<SourceAddress mask="32">1.2.3.4</SourceAddress></MatchRule></IPRules></AccessControl>', ("ip-filter", None)),
    ('<ConcurrentRateLimit name="c"><AllowConnections count="20"/></ConcurrentRateLimit>', ("rate-limit", None)),
    ('<CORS name="c"><AllowOrigins>{request.header.origin}</AllowOrigins><AllowCredentials>true</AllowCredentials></CORS>',
     ("cors", None)),
    ('<XMLThreatProtection name="x"/>', ("threat-protection", None)),
    ('<MessageLogging name="m"><Syslog/></MessageLogging>', ("logging", None)),
    ('<HMAC name="h"/>', ("auth", "hmac")),
]


@pytest.mark.parametrize("xml,expected", POLICY_CASES)
def test_policy_classification(xml, expected):
    from apiscan.sources.gateways.apigee_policies import classify
    from apiscan.sources.gateways.apigee_xml import parse_xml

    p = classify(parse_xml(xml, "p.xml"), "p.xml")
    assert (p.kind, p.auth_kind) == expected


def test_flow_operators():
    assert flow_matches('proxy.pathsuffix ~~ "/a/[0-9]+"')[0].path_op == "regex"
    assert flow_matches('proxy.pathsuffix ~ "/a*"')[0].path_op == "matches"
    assert flow_matches('proxy.pathsuffix =| "/static"')[0].path_op == "startswith"
    assert flow_matches('proxy.pathsuffix equals "/exact"')[0].path_op == "eq"


# --------------------------------------------------------------------------- fixtures: proxies


def test_claims_bundles_and_management_but_not_other_files(tmp_path):
    fs, bundles, gw, errors = run(FIX / "org")
    assert len(bundles) == 1 and len(bundles[0].files) == 27
    assert [f.name for f in bundles[0].also_spec] == ["catalog.yaml"]
    assert errors == []
    (tmp_path / "openapi.json").write_text(json.dumps({"openapi": "3.0.0", "paths": {}}))
    (tmp_path / "list.json").write_text(json.dumps([{"name": "x", "email": "nope"}]))
    fs2 = FileSet(tmp_path, sorted(tmp_path.iterdir()))
    assert IMPORTER.claim(fs2) == []


def test_routes_from_flows_with_fall_through(org):
    _, _, gw, _ = org
    got = {(r.id, tuple(r.methods), r.path, r.match_kind) for r in next(a for a in gw.apis if a.id == "orders").routes}
    assert got == {
        ("orders/default/list-orders", ("GET",), "/v1/orders/", "apigee-matchespath"),
        ("orders/default/get-order", ("GET",), "/v1/orders/*", "apigee-matchespath"),
        ("orders/default/create-order", ("POST",), "/v1/orders/", "apigee-matchespath"),
        ("orders/default/update-order", ("PATCH", "PUT"), "/v1/orders/*", "apigee-matchespath"),
        ("orders/default/admin", (), "/v1/orders/admin/**", "apigee-matchespath"),
        ("orders/default/order-by-number", ("GET",), "/v1/orders(?:/by-number/[0-9]+)$", "regex"),
        ("orders/default/(no flow matched)", (), "/v1/orders", "prefix"),
    }
    routes = routes_of(gw, "orders")
    assert "apigee:fall-through" in routes["orders/default/(no flow matched)"].tags
    assert routes["orders/default/get-order"].upstream_url == "https://orders.internal.example.com/api"
    assert routes["orders/default/get-order"].upstream_path == "/api/*"
    assert routes["orders/default/get-order"].protocols == ["http", "https"]


def test_effective_policies_follow_apigee_flow_order(org):
    _, _, gw, _ = org
    r = routes_of(gw, "orders")
    listing = r["orders/default/list-orders"]
    # PreFlow step with `request.verb != "OPTIONS"` always runs for GET: full protection
    key = next(p for p in listing.policies if p.name == "VK-Query")
    assert key.kind == "auth" and key.auth_kind == "api-key" and not key.conditional and key.scope == "api"
    assert key.detail["key_location"] == "query"
    assert listing.has_effective_auth() and listing.has_rate_limit()
    # ... but on routes open to any method the same step is only partial protection
    assert next(p for p in r["orders/default/admin"].policies if p.name == "VK-Query").conditional
    assert next(p for p in r["orders/default/(no flow matched)"].policies if p.name == "VK-Query").conditional
    # AccessControl allow-list on the admin flow
    ac = next(p for p in r["orders/default/admin"].policies if p.name == "AC-Admin")
    assert (ac.kind, ac.auth_kind, ac.scope, ac.detail["ip_filter"]) == ("auth", "custom", "route", "allow")
    # disabled quota is kept but disabled; SpikeArrest keeps the route rate limited
    q = next(p for p in listing.policies if p.name == "Q-Disabled")
    assert q.enabled is False and q.limit == {"count": 1000, "period_seconds": 86400, "by": "proxy"}
    sa = next(p for p in listing.policies if p.name == "SA-Orders")
    assert sa.limit == {"count": 30, "period_seconds": 1, "by": "consumer"}
    # shared flow expanded through the FlowCallout
    get = r["orders/default/get-order"]
    assert names(get, kind="auth") == ["VK-Query", "VJ-Token"]
    vj = next(p for p in get.policies if p.name == "VJ-Token")
    assert vj.detail["shared_flow"] == "security-sf" and vj.scope == "route" and not vj.conditional
    assert next(p for p in get.policies if p.name == "Q-PerApp").detail["limits_from_product"] is True
    # threat protection only when the content type matches: conditional
    jtp = next(p for p in r["orders/default/create-order"].policies if p.name == "JTP-Body")
    assert jtp.kind == "threat-protection" and jtp.conditional
    # backend basic auth is not client authentication; CORS comes from the response PostFlow
    ba = next(p for p in listing.policies if p.name == "BA-Backend")
    assert ba.kind == "transformation" and ba.detail["backend_credentials"] is True
    cors = next(p for p in listing.policies if p.name == "AM-CORS")
    assert cors.kind == "cors" and cors.detail == {"allow_origin": "*", "allow_credentials": True, "flow": "PostFlow response"}


def test_unattached_policies_reported(org):
    _, _, gw, _ = org
    assert sorted(p.name for p in gw.unattached_policies) == ["DJ-Peek", "OAuth-Unused"]
    notes = [n for n in gw.notes if n.code == "policy-unattached"]
    assert sorted(n.evidence["policy"] for n in notes) == ["DJ-Peek", "OAuth-Unused"]
    assert next(p for p in gw.unattached_policies if p.name == "DJ-Peek").kind == "other"  # decode only


def test_pass_through_proxy_and_unknown_shared_flow(org):
    _, _, gw, _ = org
    routes = routes_of(gw, "catalog")
    assert sorted(routes) == ["catalog/default", "catalog/internal/items"]
    internal = routes["catalog/internal/items"]  # second ProxyEndpoint, request.path with `~~`, NoRoute
    assert (internal.path, internal.match_kind, internal.methods) == (
        "(?:/internal/catalog/items(/[a-z0-9-]+)?)$", "regex", ["GET"])
    assert internal.upstream_url == "" and "apigee:no-target" in internal.tags
    assert [p.kind for p in internal.policies] == ["validation"] and not internal.has_effective_auth()
    route = routes["catalog/default"]
    assert (route.path, route.match_kind, route.methods) == ("/catalog", "prefix", [])
    assert route.upstream_url == "http://catalog.legacy.example.com"
    fc = next(p for p in route.policies if p.name == "FC-Corp-Auth")
    assert (fc.kind, fc.auth_kind, fc.detail["auth"]) == ("auth", "custom", "unknown")
    assert "auth-unknown" in route.tags
    token = next(p for p in route.policies if p.name == "OAuth-Token")
    assert token.kind == "other" and token.detail["token_endpoint"] is True and token.conditional


def test_management_products_apps_developers(org):
    _, _, gw, _ = org
    products = {p.id: p for p in gw.products}
    assert set(products) == {"orders-basic", "catalog-partner"}
    assert products["orders-basic"].apis == ["orders"] and products["orders-basic"].visibility == "public"
    assert products["orders-basic"].policies[0].limit == {"count": 100, "period_seconds": 60, "by": "consumer"}
    assert products["catalog-partner"].approval == "manual"
    assert products["catalog-partner"].apis == ["catalog", "orders"]
    assert products["catalog-partner"].policies[0].detail["operations"] == [{"resource": "/items", "methods": ["GET"]}]
    api = next(a for a in gw.apis if a.id == "orders")
    assert sorted(api.products) == ["catalog-partner", "orders-basic"]
    kinds = sorted((c.kind, c.name) for c in gw.consumers)
    assert kinds == [("application", "partner-sync"), ("application", "shop-frontend"),
                     ("developer", "Ada Lovelace"), ("developer", "Grace Hopper")]
    partner = next(c for c in gw.consumers if c.name == "partner-sync")
    assert partner.products == ["catalog-partner"]  # the revoked product is not an entitlement
    assert partner.apis == ["catalog", "orders"]
    cred = partner.credentials[0]
    # the consumer key is the API key itself: only its fingerprint is kept
    assert cred.id.startswith("sha256:") and "ck-partner-sync-public-id" not in json.dumps(gw.to_dict(), default=str)
    assert cred.fingerprint == fingerprint_secret("FIXTURE-NOT-A-REAL-SECRET-2")
    assert cred.expires == "2030-01-01T00:00:00Z"


def test_secrets_never_in_output(org):
    _, _, gw, _ = org
    text = json.dumps(gw.to_dict(), default=str)
    for secret in ("FIXTURE-NOT-A-REAL-SECRET-1", "FIXTURE-NOT-A-REAL-SECRET-2"):
        assert secret not in text
    secret_notes = [n for n in gw.notes if n.code == "secret-in-export"]
    assert [n.source.pointer for n in secret_notes] == [
        "/0/credentials/0/consumerKey", "/0/credentials/0/consumerSecret",
        "/1/credentials/0/consumerKey", "/1/credentials/0/consumerSecret"]


def test_broken_inputs_give_clear_errors_and_the_rest_loads():
    _, _, gateways, errors = run(FIX / "broken")
    by_file = {e.file: e for e in errors}
    assert set(by_file) == {"inventory/apiproxy/policies/Q-Broken.xml", "inventory/apiproxy/proxies/default.xml",
                            "product-template.json"}
    assert by_file["inventory/apiproxy/policies/Q-Broken.xml"].line == 5
    assert "not valid JSON" in by_file["product-template.json"].message and by_file["product-template.json"].line == 5
    assert "condition not understood" in by_file["inventory/apiproxy/proxies/default.xml"].message
    gw = gateways[0]
    routes = routes_of(gw, "inventory")
    assert routes["inventory/default/odd"].match_kind == "unknown"
    assert names(routes["inventory/default/(no flow matched)"], kind="auth") == ["VK-Header"]
    missing = [n for n in gw.notes if n.code == "policy-missing"]
    assert [n.message.split("'")[1] for n in missing] == ["Ghost-Policy"]
    assert [c.name for c in gw.consumers] == ["Solo Dev"]


# --------------------------------------------------------------------------- zips


def _zip_from(folder: Path, target: Path, extra: dict[str, bytes] | None = None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                zf.write(f, f.relative_to(folder).as_posix())
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return target


def test_zip_bundle_read_in_memory(tmp_path):
    _zip_from(FIX / "zip-src" / "payments", tmp_path / "payments_rev3.zip")
    _, bundles, gateways, errors = run(tmp_path)
    assert errors == [] and len(bundles) == 1
    api = gateways[0].apis[0]
    assert (api.id, api.attributes["revision"]) == ("payments", "3")
    routes = {r.id: r for r in api.routes}
    pay = routes["payments/default/pay"]
    assert (pay.path, pay.match_kind, pay.methods, pay.protocols) == ("/payments/pay", "exact", ["POST"], ["https"])
    assert pay.upstream_url == "targetserver://payments-a,payments-b/v2"
    oauth = next(p for p in pay.policies if p.name == "OA-Verify")
    assert oauth.auth_kind == "oauth2" and oauth.optional  # continueOnError lets failures through
    assert not pay.has_effective_auth()
    assert list(tmp_path.iterdir()) == [tmp_path / "payments_rev3.zip"]  # nothing extracted
    legacy = next(p for p in pay.policies if p.name == "BA-Legacy")
    assert legacy.conditional and legacy.detail["condition"] == 'request.header.x-legacy-token = "<redacted 22 chars>"'
    notes = [(n.code, n.evidence) for n in gateways[0].notes]
    assert notes == [("secret-in-export", {"policy": "BA-Legacy", "field": "Password"})]
    dumped = json.dumps(gateways[0].to_dict(), default=str)
    assert "FIXTURE-legacy-password" not in dumped and "FIXTURElegacyToken0042" not in dumped


def test_hostile_zip_is_bounded(tmp_path):
    big = b"0" * (MAX_ENTRY_BYTES + 10)
    _zip_from(FIX / "zip-src" / "payments", tmp_path / "evil.zip",
              {"../apiproxy/policies/escape.xml": b"<Quota name='x'/>", "apiproxy/policies/huge.xml": big})
    _, _, gateways, errors = run(tmp_path)
    messages = " | ".join(e.message for e in errors)
    assert "unsafe path" in messages and "over the" in messages
    assert all(e.file == "evil.zip" for e in errors)
    assert [a.id for a in gateways[0].apis] == ["payments"]
    assert not (tmp_path.parent / "apiproxy").exists()


def test_dtd_is_refused(tmp_path):
    proxy = tmp_path / "x" / "apiproxy"
    (proxy / "proxies").mkdir(parents=True)
    (proxy / "proxies" / "default.xml").write_text(
        '<!DOCTYPE r [<!ENTITY a "aaaa">]><ProxyEndpoint name="default">&a;</ProxyEndpoint>')
    _, _, gateways, errors = run(tmp_path)
    assert len(errors) == 2 and "DTD" in errors[0].message  # and: no readable ProxyEndpoint
    assert gateways[0].apis[0].routes == []


# --------------------------------------------------------------------------- shared corpus


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_corpus_imports_with_exact_counts():
    fs, bundles, gateways, errors = run(CORPUS)
    assert [b.vendor for b in bundles] == ["apigee"]
    assert len(bundles[0].files) == len([f for f in fs.files if f.name != "SOURCES.md"])
    # the one deliberately broken file (SOURCES.md: CheapProduct.json is not valid JSON)
    assert [(e.file, e.line) for e in errors] == [("management-api/apigee-edge-product-template-CheapProduct.json", 9)]
    gw = gateways[0]
    per_api = {a.id: sorted((r.path, tuple(r.methods)) for r in a.routes) for a in gw.apis}
    assert per_api == {
        "ApiKeySample": [("/mocktarget_key", ())],
        "matchtest": [("/matchtest", ())],
        "basic-quota": [("/v1/samples/basic-quota", ())],
        "spike-arrest": [("/v1/samples/spike-arrest", ())],
        "oauth-client-credentials-with-scope": [
            ("/v1/samples/oauth-client-credentials-with-scope/resource", ("GET",)),
            ("/v1/samples/oauth-client-credentials-with-scope/resource", ("POST",)),
            ("/v1/samples/oauth-client-credentials-with-scope/token", ("POST",)),
        ],
        "threat-protection": [
            ("/v1/samples/threat-protection", ()),  # fall-through to the target
            ("/v1/samples/threat-protection/echo", ("POST",)),
            ("/v1/samples/threat-protection/json", ("GET",)),
        ],
    }
    # request-side policies per API (18 policy files: the other 6 run only on responses or faults)
    on_routes = {a.id: sorted({p.name for r in a.routes for p in r.policies}) for a in gw.apis}
    assert on_routes == {
        "ApiKeySample": ["CheckQuota", "Remove-Query-Param", "ValidateAPIKey"],
        "matchtest": ["SomePolicy"],
        "basic-quota": ["Q-ImposeQuota", "VA-VerifyKey"],
        "spike-arrest": ["SA-SpikeArrest"],
        "oauth-client-credentials-with-scope": ["OAuth-GenerateToken", "OAuth-VerifyAccessToken-Read",
                                                "OAuth-VerifyAccessToken-Write"],
        "threat-protection": ["JSONTHREAT-Protection", "REGEX-Protection"],
    }
    assert gw.unattached_policies == [] and not [n for n in gw.notes if n.code == "policy-missing"]
    unauth = sorted(r.id for _, r in gw.routes() if not r.has_effective_auth())
    assert unauth == [
        "matchtest/default", "oauth-client-credentials-with-scope/default/generate-access-token",
        "spike-arrest/default", "threat-protection/default/(no flow matched)",
        "threat-protection/default/Send request and view request headers and body",
        "threat-protection/default/View JSON Response",
    ]
    key = next(p for _, r in gw.routes() for p in r.policies if p.name == "ValidateAPIKey")
    assert key.detail["key_location"] == "query"
    assert len(gw.products) == 9
    assert sorted(c.kind for c in gw.consumers) == ["application"] * 2 + ["developer"] * 4
    apps = json.loads((CORPUS / "management-api" / "apigeecli-apps-export.json").read_text())
    for field in ("consumerSecret", "consumerKey"):
        secret = apps[0]["credentials"][0][field]
        assert secret and secret not in json.dumps(gw.to_dict(), default=str)
        assert all(secret not in n.message and secret not in json.dumps(n.evidence) for n in gw.notes)
    assert [n.code for n in gw.notes] == ["secret-in-export", "secret-in-export"]
