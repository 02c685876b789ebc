"""Azure API Management importer: our fixtures (fixtures/gateways/azure-apim) and the shared corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from apiscan.models.gateway import fingerprint_secret
from apiscan.sources.gateways.apigee_xml import XmlError
from apiscan.sources.gateways.azure_apim import IMPORTER
from apiscan.sources.gateways.azure_arm import evaluate
from apiscan.sources.gateways.azure_policy_xml import escape_expressions, parse_policy_xml
from apiscan.sources.gateways.base import FileSet

REPO = Path(__file__).resolve().parents[2]
FIX = REPO / "fixtures" / "gateways" / "azure-apim"
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus" / "azure-apim"
FIXTURE_SECRETS = (
    "FIXTURE-not-a-real-subscription-key", "FIXTURE-named-value-secret", "FIXTURE-backend-header-secret",
    "FIXTURE-symmetric-signing-key", "FIXTURE-basic-password",
)


def run(root: Path):
    files = sorted(p for p in root.rglob("*") if p.is_file())
    fs = FileSet(root, files)
    bundles = IMPORTER.claim(fs)
    results = [IMPORTER.load(b, fs) for b in bundles]
    return fs, bundles, results


@pytest.fixture(scope="module")
def fixture_run():
    fs, bundles, results = run(FIX)
    by_kind = {b.hint["kind"]: (b, r) for b, r in zip(bundles, results)}
    return fs, by_kind


def gw_of(fixture_run, kind):
    return fixture_run[1][kind][1].gateways[0]


def route(gw, rid):
    return next(r for _, r in gw.routes() if r.id == rid)


def policy(r, vendor_type):
    return next(p for p in r.policies if p.vendor_type == vendor_type)


# --------------------------------------------------------------------------- tolerant XML


def test_expressions_are_escaped_only_when_needed():
    text = '<a c="@(x.Get("A") < 2 && y)"><v>@{ if (a<b) { return "}"; } return ")"; }</v></a>'
    escaped, count = escape_expressions(text)
    assert count == 2
    root, recovered = parse_policy_xml(text, "t.xml")
    assert recovered and root.get("c") == '@(x.Get("A") < 2 && y)'
    assert root[0].text == '@{ if (a<b) { return "}"; } return ")"; }'
    plain, recovered = parse_policy_xml("<policies><inbound><base/></inbound></policies>", "ok.xml")
    assert not recovered and plain.tag == "policies"
    with pytest.raises(XmlError) as err:
        parse_policy_xml("<policies><inbound></policies>", "bad.xml")
    assert err.value.line == 1
    with pytest.raises(XmlError):
        parse_policy_xml('<!DOCTYPE x [<!ENTITY e "e">]><policies/>', "dtd.xml")


def test_arm_expressions():
    params = {"Svc": "apim1"}
    assert evaluate("concat(parameters('Svc'), '/api', '''s')", params) == "apim1/api's"
    assert evaluate("resourceId('Microsoft.ApiManagement/service/products', parameters('Svc'), 'gold')", params) == "/products/gold"
    assert evaluate("parameters('Missing')", params) == "{Missing}"


INBOUND_CASES = [
    ('<validate-azure-ad-token tenant-id="t" />', ("auth", "oidc", False)),
    ('<validate-client-certificate validate-revocation="true" />', ("auth", "mtls", False)),
    ('<check-header name="Content-Type" failed-check-httpcode="415"><value>application/json</value></check-header>',
     ("validation", None, False)),
    ('<check-header name="X-Api-Key" failed-check-httpcode="401" />', ("auth", "custom", False)),
    ('<ip-filter action="forbid"><address>1.2.3.4</address></ip-filter>', ("ip-filter", None, False)),
    ('<limit-concurrency key="@(context.Request.IpAddress)" max-count="3"><forward-request /></limit-concurrency>',
     ("rate-limit", None, False)),
    ('<quota calls="10" renewal-period="3600" />', ("quota", None, False)),
    ('<validate-content unspecified-content-type-action="prevent" max-size="1024" action="prevent" />',
     ("size-limit", None, False)),
    ('<authentication-managed-identity resource="https://x" />', ("other", None, False)),
    ('<choose><when condition="@(true)"><rate-limit calls="1" renewal-period="1" /></when></choose>',
     ("rate-limit", None, True)),
]


@pytest.mark.parametrize("xml,expected", INBOUND_CASES)
def test_inbound_policy_classification(xml, expected):
    from apiscan.sources.gateways.azure_policies import Context, interpret

    root, _ = parse_policy_xml(f"<policies><inbound>{xml}</inbound></policies>", "p.xml")
    first = interpret(root, "p.xml", Context()).by_section["inbound"][0]
    assert (first.kind, first.auth_kind, first.conditional) == expected


def test_hand_written_auth_check_is_auth_and_hides_literals():
    from apiscan.sources.gateways.azure_policies import Context, interpret

    xml = ('<policies><inbound><choose><when condition="@(context.Request.Headers.GetValueOrDefault("Authorization","")'
           ' != "Bearer FIXTUREstaticToken123")"><return-response><set-status code="401" /></return-response></when>'
           '</choose></inbound></policies>')
    root, recovered = parse_policy_xml(xml, "p.xml")
    p = interpret(root, "p.xml", Context()).by_section["inbound"][0]
    assert recovered and (p.kind, p.auth_kind, p.conditional) == ("auth", "custom", False)
    assert "FIXTUREstaticToken123" not in p.detail["condition"] and "<redacted" in p.detail["condition"]


def test_auth_only_counts_in_inbound():
    from apiscan.sources.gateways.azure_policies import Context, interpret

    root, _ = parse_policy_xml('<policies><outbound><validate-jwt header-name="a" /></outbound></policies>', "p.xml")
    p = interpret(root, "p.xml", Context()).by_section["outbound"][0]
    assert p.kind == "other" and p.auth_kind is None


# --------------------------------------------------------------------------- APIOps tree


def test_claims_by_content(fixture_run):
    fs, by_kind = fixture_run
    assert sorted(by_kind) == ["apiops", "arm", "policies", "rest"]
    assert len(by_kind["apiops"][0].files) == 28
    assert [p.name for p in by_kind["apiops"][0].also_spec] == ["specification.yaml", "specification.json", "specification.yaml"]
    assert len(fs.unclaimed()) == 0


def test_apiops_routes_and_paths(fixture_run):
    gw = gw_of(fixture_run, "apiops")
    got = {(r.id, tuple(r.methods), r.path, r.match_kind) for _, r in gw.routes()}
    assert got == {
        ("orders-api/list-items", ("GET",), "/orders/v1/items", "template"),
        ("orders-api/get-item", ("GET",), "/orders/v1/items/{id}", "template"),
        ("orders-api/delete-item", ("DELETE",), "/orders/v1/items/{id}", "template"),
        ("orders-api/ghost-op", (), "/orders/v1", "unknown"),
        ("status-api/get-health", ("GET",), "/status/health", "template"),
        ("status-api/post-reset", ("POST",), "/status/admin/reset", "template"),
        ("status-api;rev=2/get-health", ("GET",), "/status;rev=2/health", "template"),
        ("legacy-soap/*", (), "/legacy", "unknown"),
        ("bad-policy-api/*", (), "/bad-policy", "unknown"),
    }
    orders = next(a for a in gw.apis if a.id == "orders-api")
    assert (orders.version, orders.base_path, orders.products) == ("v1", "/orders/v1", ["gold"])
    assert orders.spec_file == "apiops/apis/orders-api/specification.yaml"
    assert route(gw, "orders-api/get-item").upstream_url == "http://orders-v1.internal.example.com"  # backend-id resolved
    assert route(gw, "orders-api/get-item").upstream_path == "/v1/items/{id}"  # rewrite-uri
    assert route(gw, "orders-api/list-items").upstream_path == "/items"
    rev2 = next(a for a in gw.apis if a.id == "status-api;rev=2")
    assert rev2.attributes["is_current"] is False and "revision 2 (not current)" in rev2.tags


def test_effective_policy_inheritance_through_base(fixture_run):
    gw = gw_of(fixture_run, "apiops")
    listing = route(gw, "orders-api/list-items")
    sub = policy(listing, "subscriptionRequired")
    assert sub.auth_kind == "subscription-key" and sub.detail["header"] == "X-Orders-Key"
    assert sub.detail["query"] == "orders-key"
    jwt = policy(listing, "validate-jwt")
    assert jwt.scope == "api" and jwt.conditional  # inside <choose> without <otherwise>
    quota = policy(listing, "quota")  # product policy: only for calls made with a gold key
    assert quota.scope == "product" and quota.conditional
    assert quota.detail["applies_via"] == ["product gold"]
    assert policy(listing, "rate-limit-by-key").limit == {"count": 100, "period_seconds": 60, "by": "ip"}
    cors = policy(listing, "cors")
    assert cors.scope == "global" and cors.detail["allow_origin"] == "*" and cors.detail["allow_credentials"]
    # delete-item has no <base/>: global CORS and rate limit, the API's jwt and the product quota are all dropped
    delete = route(gw, "orders-api/delete-item")
    assert [p.vendor_type for p in delete.policies] == ["subscriptionRequired", "set-header", "forward-request", "diagnostic"]
    assert delete.has_effective_auth() and not delete.has_rate_limit()
    # status API: no subscription, auth from an included fragment
    health = route(gw, "status-api/get-health")
    jwt = policy(health, "validate-jwt")
    assert jwt.detail["fragment"] == "jwt-check" and not jwt.conditional
    assert "subscriptionRequired" not in [p.vendor_type for p in health.policies]
    rl = policy(health, "rate-limit")  # per-subscription counter on an API that needs no subscription
    assert rl.conditional and "without one" in rl.detail["note"]
    assert not policy(health, "rate-limit-by-key").conditional
    # the non-current revision has no policy: it inherits global only, so it is unauthenticated
    assert not route(gw, "status-api;rev=2/get-health").has_effective_auth()
    logging = [p for p in health.policies if p.kind == "logging"]
    assert [(p.scope, p.detail["loggerId"]) for p in logging] == [("global", "/loggers/appinsights")]


def test_apiops_consumers_products_and_secrets(fixture_run):
    gw = gw_of(fixture_run, "apiops")
    product = gw.products[0]
    assert (product.id, product.approval, product.subscription_required, product.apis) == ("gold", "manual", True, ["orders-api"])
    consumers = {c.id: c for c in gw.consumers}
    assert set(consumers) == {"gold-sub", "all-apis"}
    gold = consumers["gold-sub"]
    assert (gold.kind, gold.products, gold.apis) == ("subscription", ["gold"], ["orders-api"])
    assert gold.credentials[0].fingerprint == fingerprint_secret("FIXTURE-not-a-real-subscription-key")
    assert set(consumers["all-apis"].apis) == {"orders-api", "status-api", "status-api;rev=2", "legacy-soap", "bad-policy-api"}
    secret_notes = sorted(n.source.file.split("/")[-2] + ":" + n.source.pointer for n in gw.notes if n.code == "secret-in-export")
    assert secret_notes == [
        "backend-key:/properties/value",
        "gold-sub:/properties/primaryKey",
        "jwt-check:/fragment/validate-jwt[1]",
        "orders-backend:/properties/credentials/header/x-backend-key",
    ]
    dumped = json.dumps(gw.to_dict(), default=str)
    for secret in FIXTURE_SECRETS:
        assert secret not in dumped


def test_apiops_unattached_and_recovered(fixture_run):
    gw = gw_of(fixture_run, "apiops")
    unattached = [(p.vendor_type, p.detail["fragment"]) for p in gw.unattached_policies]
    assert unattached == [("ip-filter", "unused-fragment")]
    codes = sorted((n.code, n.source.file.split("/")[-2]) for n in gw.notes if n.code != "secret-in-export")
    assert codes == [
        ("policy-unattached", "ghost-op"), ("policy-unattached", "unused-fragment"),
        ("policy-xml-recovered", "get-item"), ("policy-xml-recovered", "orders-api"),
    ]


def test_apiops_broken_files_give_errors_and_the_rest_loads(fixture_run):
    errors = fixture_run[1]["apiops"][1].errors
    got = sorted((e.file, e.line) for e in errors)
    assert got == [("apiops/apis/bad-policy-api/policy.xml", 5), ("apiops/apis/broken-api/apiInformation.json", 1)]
    gw = gw_of(fixture_run, "apiops")
    bad = route(gw, "bad-policy-api/*")
    assert "API policy unreadable: effective policies are incomplete" in bad.tags
    assert "broken-api" not in {a.id for a in gw.apis}


# --------------------------------------------------------------------------- ARM, REST, loose policies


def test_arm_template(fixture_run):
    gw = gw_of(fixture_run, "arm")
    api = gw.apis[0]
    assert (api.id, api.base_path, api.version) == ("billing-api", "/billing", "2024-01")
    assert "version: header Api-Version: 2024-01" in api.tags
    listing = route(gw, "billing-api/list-invoices")
    jwt = policy(listing, "validate-jwt")
    assert jwt.detail["token_location"] == "query" and listing.has_effective_auth()
    assert not listing.has_rate_limit()
    pay = route(gw, "billing-api/pay-invoice")
    assert (pay.path, pay.methods) == ("/billing/invoices/{invoiceId}/pay", ["POST"])
    assert policy(pay, "quota-by-key").limit == {"count": 5, "period_seconds": 3600, "by": "consumer"}
    basic = policy(pay, "authentication-basic")
    assert basic.kind == "other" and basic.detail["backend_credentials"]
    assert basic.source.pointer == "/resources/5/properties/value#/policies/inbound/authentication-basic[1]"
    notes = {n.code: n for n in gw.notes}
    assert set(notes) == {"policy-not-available", "policy-xml-recovered", "secret-in-export"}
    assert notes["policy-not-available"].source.pointer == "/resources/6/properties/value"
    consumer = gw.consumers[0]
    assert (consumer.id, consumer.products, consumer.apis) == ("billing-partner", ["partners"], ["billing-api"])
    assert "FIXTURE-basic-password" not in json.dumps(gw.to_dict(), default=str)


def test_rest_list_responses(fixture_run):
    gw = gw_of(fixture_run, "rest")
    forecast = route(gw, "weather/forecast")
    assert (forecast.path, forecast.match_kind, forecast.tags) == ("/weather/forecast/{city}", "template", ["query: days={days}"])
    anything = route(gw, "weather/catch-all")
    assert (anything.path, anything.methods) == ("/weather/*", [])
    tides = route(gw, "tides/*")
    assert tides.match_kind == "unknown" and not tides.has_effective_auth()


def test_loose_policy_files(fixture_run):
    b, result = fixture_run[1]["policies"]
    assert [(e.file, e.line) for e in result.errors] == [("policies/truncated.policy.xml", 4)]
    gw = result.gateways[0]
    assert gw.partial and gw.apis == []
    docs = gw.attributes["policy_documents"]
    assert [d["file"] for d in docs] == ["policies/header-auth.policy.xml"]
    kinds = [(p["vendor_type"], p["kind"], p.get("auth_kind")) for p in docs[0]["policies"]]
    assert kinds == [("choose/return-response", "auth", "custom"), ("set-header", "transformation", None),
                     ("rate-limit", "rate-limit", None)]
    assert [n.code for n in gw.notes] == ["policy-xml-recovered"]


# --------------------------------------------------------------------------- shared corpus


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_corpus_imports_with_exact_counts():
    fs, bundles, results = run(CORPUS)
    assert [f.name for f in fs.unclaimed()] == ["SOURCES.md"]
    assert [e for r in results for e in r.errors] == []  # nothing in this folder is marked broken
    by_kind = {b.hint["kind"]: r.gateways[0] for b, r in zip(bundles, results)}
    assert sorted(by_kind) == ["apiops", "arm", "policies", "rest"]
    ops = by_kind["apiops"]
    routes = {a.id: sorted(r.path for r in a.routes) for a in ops.apis}
    assert routes == {
        "basic-api": ["/basic-api/items", "/basic-api/items"],
        "graphql-api": ["/graphql-api", "/graphql-api"],
        "revisioned-api": ["/revisioned-api/revision"],
        "revisioned-api;rev=2": ["/revisioned-api;rev=2/revision", "/revisioned-api;rev=2/revision/details"],
        "soap-api": ["/soap-api"],
        "versioned-api-v1": ["/versioned-api/v1/version"],
        "versioned-api-v2": ["/versioned-api/v2/version"],
        "wadl-api": ["/wadl-api/status"],
    }
    assert (len(ops.products), len(ops.consumers)) == (2, 2)
    # global policy.xml: 3 inbound + 3 from policyFragment1, 1 backend, 1 outbound; plus one diagnostic
    assert len(ops.global_policies) == 9
    assert [p.vendor_type for p in ops.unattached_policies] == ["find-and-replace", "set-variable", "set-header"]
    # basic-api's operation policies have no <base/>: the global ip-filter does not apply there
    basic = next(r for _, r in ops.routes() if r.id == "basic-api/get-items")
    assert [p.vendor_type for p in basic.policies if p.kind == "auth"] == ["subscriptionRequired"]
    # versioned v2 goes only through product2 (subscription required), whose ip-filter is unconditional
    v2 = next(r for _, r in ops.routes() if r.id == "versioned-api-v2/get-version-v2")
    assert [(p.vendor_type, p.scope, p.conditional) for p in v2.policies if p.kind == "auth"] == [
        ("subscriptionRequired", "api", False), ("ip-filter", "product", False)]
    assert by_kind["arm"].apis[0].routes[0].upstream_path == "/v2/metrics.json"
    starter = by_kind["arm"].products[0]
    assert starter.policies[0].limit == {"count": 3, "period_seconds": 10, "by": "subscription"}
    assert len(by_kind["rest"].apis) == 7 and len(list(by_kind["rest"].routes())) == 11
    docs = {Path(d["file"]).name: d["policies"] for d in by_kind["policies"].attributes["policy_documents"]}
    assert len(docs) == 4
    jwt = [p for p in docs["validate-jwt-by-http-method.policy.xml"] if p["vendor_type"] == "validate-jwt"]
    assert len(jwt) == 3 and not any(p.get("conditional") for p in jwt)  # every branch validates
    assert [p["limit"] for p in docs["operationRateLimit.xml"]] == [{"count": 3, "period_seconds": 15, "by": "subscription"}]
    assert sorted(Path(n.source.file).name for n in by_kind["policies"].notes if n.code == "policy-xml-recovered") == [
        "check-header-basic-auth.policy.xml", "ip-check-header-xff.policy.xml", "validate-jwt-by-http-method.policy.xml"]
