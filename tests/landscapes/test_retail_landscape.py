"""Issue 4 acceptance on a whole landscape: Kong, Apigee, AWS and Azure exports beside their specs.

Why exact lists: fixtures/landscapes/retail/README.md works out, from each gateway's documented
semantics, which spec each API serves, which route reaches which operation, what is shadow, orphan
or unrouted, and which routes lack authentication or a rate limit. A reconciliation that is right
"on average" is wrong for the client, so every list is compared whole, through the real CLI.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from apiscan.engine import run_landscape_rules
from apiscan.inventory.scan import scan_landscape
from apiscan.ruleset.loader import builtin_rules

REPO = Path(__file__).resolve().parents[2]
RETAIL = REPO / "fixtures" / "landscapes" / "retail"
# every credential value written in clear in the exports (README, "Secrets in the exports")
SECRETS = (
    "lk_mob_5Yq8Rn2Wv7Tx4Hp9", "lk_ptn_Jd3Kf8Lm1Qs6Zc0B",  # Kong key-auth keys
    "mK7pQ2xV9sL4nT8wR3zY6bC1dF5gH0jA", "sE4cR9tV2xZ7qW1pL6mN3bH8",  # Apigee consumer key and secret
    "Qm7TzW2kR9vX4nB8cL1pY6sD3fG5hJ0aKe2Ui8oP", "Lx3Nc8Vb1Mq6Wz9Re4Ty7Ui2Op5As0DfGh1Jk3Lm",  # AWS API keys
)
KONG, APIGEE, AWS, AZURE = "kong:larkspur-edge", "apigee", "aws:aws", "azure-apim:apim-larkspur"


def _cli(fmt: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "apiscan", "inventory", str(RETAIL), "-f", fmt],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


@pytest.fixture(scope="module")
def outputs() -> dict[str, subprocess.CompletedProcess]:
    return {fmt: _cli(fmt) for fmt in ("json", "csv", "table")}


@pytest.fixture(scope="module")
def doc(outputs) -> dict:
    res = outputs["json"]
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def findings():
    scan = scan_landscape([RETAIL], RETAIL)
    assert scan.errors == []
    rules, problems = builtin_rules()
    assert problems == []
    out = run_landscape_rules([r for r in rules if r.id.startswith("GW")], scan.landscape)
    assert out.errors == []
    return out.findings


def _hits(findings, rule_id: str) -> list[str]:
    return sorted(f.subject.key for f in findings if f.rule_id == rule_id)


def _file(spec_cell: str) -> str:
    return spec_cell.split("#", 1)[0]


# ---------------------------------------------------------------- inventory


def test_gateways_apis_and_specs(doc):
    assert doc["errors"] == [] and doc["skipped"] == ["README.md"]
    assert [(g["id"], g["vendor"], g["apis"], g["routes"], g["consumers"], g["partial"]) for g in doc["gateways"]] == [
        (KONG, "kong", 2, 5, 3, False), (APIGEE, "apigee", 2, 7, 1, False),
        (AWS, "aws", 1, 5, 2, False), (AZURE, "azure-apim", 3, 7, 1, False)]
    apis = sorted((r["gateway"], r["api"], r["route"], r["client_path"]) for r in doc["apis"] if r["status"] == "deployed")
    assert apis == [
        (APIGEE, "loyalty-v1", "6 routes", "/loyalty/v1"), (APIGEE, "store-locator", "1 routes", "/stores/v1"),
        (AWS, "larkspur-inventory", "5 routes", "/live"),
        (AZURE, "Pricing", "2 routes", "/pricing"), (AZURE, "Returns", "3 routes", "/care"),
        (AZURE, "Store events", "2 routes", "/events"),
        (KONG, "catalog", "3 routes", "/v2"), (KONG, "orders", "2 routes", "/api/orders")]
    assert sorted(s["file"] for s in doc["specs"]) == sorted([
        "specs/catalog-public.yaml", "specs/gift-cards.yaml", "specs/inventory-backend.yaml", "specs/loyalty.yaml",
        "specs/orders-service.yaml", "specs/returns.yaml", "specs/stores.yaml", "aws/larkspur-inventory-live-oas30.json",
        "azure/apim-larkspur/apis/pricing-api/specification.yaml",
        "azure/apim-larkspur/apis/returns-api/specification.yaml",
        "azure/apim-larkspur/apis/store-events-api/specification.yaml"])


def test_spec_links_per_api(doc):
    links = {(r["gateway"], r["api"]): r["spec"] for r in doc["apis"] if r["status"] == "deployed"}
    assert links == {
        (KONG, "orders"): "specs/orders-service.yaml",  # by upstream host; not the Apigee pass-through under /api
        (KONG, "catalog"): "specs/catalog-public.yaml",
        (APIGEE, "loyalty-v1"): "specs/loyalty.yaml",
        (APIGEE, "store-locator"): "specs/stores.yaml",
        (AWS, "larkspur-inventory"): "aws/larkspur-inventory-live-oas30.json, specs/inventory-backend.yaml",
        (AZURE, "Pricing"): "azure/apim-larkspur/apis/pricing-api/specification.yaml",
        (AZURE, "Returns"): "azure/apim-larkspur/apis/returns-api/specification.yaml, specs/returns.yaml",
        (AZURE, "Store events"): "azure/apim-larkspur/apis/store-events-api/specification.yaml",
    }


def test_which_route_serves_which_operation(doc):
    routed = sorted((_file(r["spec"]), r["operation"], r["gateway"], r["route"])
                    for r in doc["operations"] if r["status"] == "routed")
    az_returns, az_pricing = "azure/apim-larkspur/apis/returns-api/specification.yaml", \
        "azure/apim-larkspur/apis/pricing-api/specification.yaml"
    az_events, aws_export = "azure/apim-larkspur/apis/store-events-api/specification.yaml", \
        "aws/larkspur-inventory-live-oas30.json"
    assert routed == sorted([
        ("specs/orders-service.yaml", "GET /orders", KONG, "orders-read"),
        ("specs/orders-service.yaml", "GET /orders/{orderId}", KONG, "orders-read"),
        ("specs/orders-service.yaml", "POST /orders", KONG, "orders-write"),
        ("specs/orders-service.yaml", "POST /orders/{orderId}/cancel", KONG, "orders-write"),
        ("specs/catalog-public.yaml", "GET /catalog", KONG, "catalog-browse"),
        ("specs/catalog-public.yaml", "GET /catalog/{productId}", KONG, "catalog-browse"),
        ("specs/catalog-public.yaml", "GET /sku/{sku}", KONG, "catalog-sku"),  # regex route, shaped SKU
        ("specs/loyalty.yaml", "GET /members/{memberId}", APIGEE, "getMember"),
        ("specs/loyalty.yaml", "GET /members/{memberId}/points", APIGEE, "getPoints"),
        ("specs/loyalty.yaml", "POST /members/{memberId}/points/redeem", APIGEE, "redeemPoints"),
        ("specs/loyalty.yaml", "GET /rewards", APIGEE, "listRewards"),
        ("specs/stores.yaml", "GET /stores", APIGEE, "pass-through"),
        ("specs/stores.yaml", "GET /stores/{storeId}", APIGEE, "pass-through"),
        (aws_export, "GET /inventory/{sku}", AWS, "GetStock"),
        (aws_export, "PUT /inventory/{sku}", AWS, "SetStock"),
        (aws_export, "OPTIONS /inventory/{sku}", AWS, "OPTIONS /inventory/{sku}"),
        (aws_export, "GET /health", AWS, "Health"),
        ("specs/inventory-backend.yaml", "GET /stock/{sku}", AWS, "GetStock"),
        ("specs/inventory-backend.yaml", "PUT /stock/{sku}", AWS, "SetStock"),
        (az_returns, "GET /returns", AZURE, "List returns"),
        (az_returns, "POST /returns", AZURE, "Create a return"),
        (az_returns, "GET /returns/{returnId}", AZURE, "Get a return"),
        ("specs/returns.yaml", "GET /returns", AZURE, "List returns"),
        ("specs/returns.yaml", "POST /returns", AZURE, "Create a return"),
        ("specs/returns.yaml", "GET /returns/{returnId}", AZURE, "Get a return"),
        (az_pricing, "GET /prices/{sku}", AZURE, "Price of one SKU"),
        (az_pricing, "POST /prices/bulk-quote", AZURE, "Quote a basket"),
        (az_events, "POST /store-events", AZURE, "Receive a store event"),
        (az_events, "GET /store-events/health", AZURE, "Liveness probe for store systems"),
    ])


def test_shadow_routes_orphans_and_unrouted(doc):
    assert sorted((r["gateway"], r["route"], r["methods"], r["client_path"]) for r in doc["shadow_routes"]) == [
        (APIGEE, "exportMembers", "GET", "/loyalty/v1/admin/export/**"),
        (AWS, "ANY /{proxy+}", "ANY", "/live/{proxy+}"),
        (KONG, "catalog-reindex", "POST", "/internal/reindex"),
    ]
    assert [s["spec"] for s in doc["orphan_specs"]] == ["specs/gift-cards.yaml"]
    assert sorted((_file(r["spec"]), r["operation"]) for r in doc["unrouted_operations"]) == [
        ("specs/inventory-backend.yaml", "DELETE /stock/{sku}"),
        ("specs/inventory-backend.yaml", "GET /stock/{sku}/history"),
        ("specs/loyalty.yaml", "PUT /members/{memberId}/tier"),  # only the RaiseFault catch-all flow takes it
        ("specs/orders-service.yaml", "PATCH /orders/{orderId}"),
        ("specs/returns.yaml", "POST /returns/{returnId}/refund"),
    ]
    not_found = [r for r in doc["operations"] if r["gateway"] == APIGEE and r["route"] == "NotFound"]
    assert [r["status"] for r in not_found] == ["blocked"]


def test_auth_limits_and_consumers_per_route(doc):
    def row(gateway, route, operation=""):
        hits = [r for r in doc["operations"] if r["gateway"] == gateway and r["route"] == route
                and (not operation or r["operation"] == operation)]
        return (hits[0]["auth"], hits[0]["limits"], hits[0]["consumers"])

    assert row(KONG, "orders-read", "GET /orders") == ("api-key", "120/min, 1000/h (consumer-group)",
                                                      "mobile-app, partner-ecom")  # not the anonymous consumer
    assert row(KONG, "catalog-browse", "GET /catalog") == ("optional(api-key)", "1000/h (consumer-group)", "anyone")
    assert row(APIGEE, "redeemPoints") == ("api-key+oauth2", "2000/day (product's limit when set)", "larkspur-mobile")
    assert row(APIGEE, "getMember")[2] == "larkspur-mobile"  # the app's consumer key is its API key
    assert row(APIGEE, "pass-through", "GET /stores") == ("none", "none", "anyone")
    assert row(AWS, "GetStock", "GET /inventory/{sku}") == ("api-key", "50/s (product), 100000/month (product)",
                                                           "pos-terminals")  # the disabled key is left out
    assert row(AWS, "SetStock", "PUT /inventory/{sku}") == ("lambda-authorizer", "20/s", "(none known)")
    assert row(AZURE, "Create a return", "POST /returns") == (
        "jwt+subscription-key", "600/min, 200000/month (product)", "POS partner (Brightmart)")
    assert row(AZURE, "Price of one SKU") == ("subscription-key", "none", "POS partner (Brightmart)")
    assert row(AZURE, "Liveness probe for store systems") == ("none", "600/min", "anyone")


# ---------------------------------------------------------------- gateway rules


def test_routes_without_effective_authentication(findings):
    assert _hits(findings, "GW001") == [
        "apigee/store-locator/store-locator/default",
        "aws:aws/k7m2p9q4r1/GET /health",
        "azure-apim:apim-larkspur/store-events-api/store-events-api/get-store-events-health",
    ]
    assert _hits(findings, "GW002") == ["kong:larkspur-edge/catalog/catalog-browse"]


def test_routes_without_rate_limit(findings):
    assert _hits(findings, "GW004") == [
        "apigee/store-locator/store-locator/default",
        "aws:aws/k7m2p9q4r1/ANY /{proxy+}",
        "aws:aws/k7m2p9q4r1/GET /health",
        "azure-apim:apim-larkspur/pricing-api/pricing-api/bulk-quote",
        "azure-apim:apim-larkspur/pricing-api/pricing-api/get-price",
        "kong:larkspur-edge/catalog/catalog-browse",
        "kong:larkspur-edge/catalog/catalog-reindex",
        "kong:larkspur-edge/catalog/catalog-sku",
    ]


def test_shadow_orphan_base_and_secret_rules(findings):
    assert _hits(findings, "GW021") == [
        "apigee/loyalty-v1/loyalty-v1/default/exportMembers", "aws:aws/k7m2p9q4r1/ANY /{proxy+}",
        "kong:larkspur-edge/catalog/catalog-reindex"]
    assert [f.message for f in findings if f.rule_id == "GW022"] == [
        "Specification specs/gift-cards.yaml (Gift cards) is not served by any gateway in the landscape (orphan spec)"]
    base = [f for f in findings if f.rule_id == "GW020"]
    assert [f.location.file for f in base] == ["azure/apim-larkspur/apis/pricing-api/policy.xml"]
    assert _hits(findings, "GW017") == []  # both validate-jwt policies pin their audience
    secret_places = sorted(f"{f.location.file}#{f.location.pointer}" for f in findings if f.rule_id == "GW025")
    assert secret_places == [
        "apigee/management/app-larkspur-mobile.json#/credentials/0/consumerKey",
        "apigee/management/app-larkspur-mobile.json#/credentials/0/consumerSecret",
        "aws/cli/get-api-keys.json#/items/0/value", "aws/cli/get-api-keys.json#/items/1/value",
        "kong/larkspur-edge.yaml#/consumers/1/keyauth_credentials/0/key",
        "kong/larkspur-edge.yaml#/consumers/2/keyauth_credentials/0/key",
    ]


# ---------------------------------------------------------------- secrets and formats


def test_secrets_really_are_in_the_inputs():
    text = "\n".join(p.read_text(encoding="utf-8") for p in RETAIL.rglob("*") if p.is_file())
    assert all(secret in text for secret in SECRETS)  # else the next test proves nothing


def test_no_secret_in_any_output(outputs, findings):
    for fmt, res in outputs.items():
        assert res.returncode == 0, (fmt, res.stderr)
        for secret in SECRETS:
            assert secret not in res.stdout and secret not in res.stderr, (fmt, secret)
    dumped = json.dumps([f.to_dict() for f in findings], default=str)
    assert not [s for s in SECRETS if s in dumped]


def test_csv_and_table_agree_with_json(outputs, doc):
    rows = list(csv.DictReader(io.StringIO(outputs["csv"].stdout)))
    assert len(rows) == len(doc["apis"]) + len(doc["operations"])
    assert sorted(r["client_path"] for r in rows if r["status"] == "shadow") == [
        "/internal/reindex", "/live/{proxy+}", "/loyalty/v1/admin/export/**"]
    table = outputs["table"].stdout
    assert table.startswith("4 gateway(s), 8 API(s), 24 route(s), 11 spec(s) with 36 operation(s)")
    assert "Shadow routes (no spec operation): 3" in table
    assert "Orphan specs (served by no gateway): 1" in table
    assert "Unrouted operations (deployed spec, no route): 5" in table


def test_declared_parameter_values_reach_regex_routes():
    """The fix behind `GET /sku/{sku}`: a regex route is tried with the values the spec declares."""
    from apiscan.matching import pattern_examples, pattern_serves

    assert pattern_examples("^[A-Z]{3}-[0-9]{4}$") == ("AAA-0000",)
    assert all(__import__("re").search(r"^(EU|US)-\d+", e) for e in pattern_examples(r"^(EU|US)-\d+"))
    route = r"/shop/sku/[A-Z]{3}-\d{4}$"
    assert not pattern_serves("regex", route, "/shop/sku/{sku}")  # generic samples alone miss it
    assert pattern_serves("regex", route, "/shop/sku/{sku}", {"sku": ("AAA-0000",)})
    assert not pattern_serves("regex", route, "/shop/sku/{sku}", {"sku": ("aaa-0000",)})
