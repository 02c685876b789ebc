"""AWS API Gateway importer: REST/HTTP exports, CLI outputs, auth inheritance, limits, secrets, corpus."""

from pathlib import Path

import pytest

from apiscan.inventory import scan_landscape
from apiscan.sources.gateways import aws
from apiscan.sources.gateways.base import FileSet

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FIX = REPO / "fixtures" / "gateways" / "aws"
CORPUS = SHARED / "corpus" / "aws-apigateway"


def load(folder: Path):
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    fs = FileSet(folder, files)
    gateways, errors, bundles = [], [], aws.IMPORTER.claim(fs)
    for bundle in bundles:
        result = aws.IMPORTER.load(bundle, fs)
        gateways += result.gateways
        errors += result.errors
    return gateways, errors, bundles


def fixture_gateway():
    gws, errors, bundles = load(FIX)
    good = [g for g in gws if g.id == "aws:aws"]
    assert len(good) == 1
    return good[0], errors, bundles


def by_id(api):
    return {r.id: r for r in api.routes}


def test_rest_export_routes_auth_and_stage():
    gw, _, bundles = fixture_gateway()
    api = next(a for a in gw.apis if a.id == "q1w2e3r4t5")
    assert (api.base_path, api.spec_file, api.attributes["api_type"]) == ("/v1", "rest-oas3-export.json", "rest")
    rs = by_id(api)
    assert list(rs) == ["GET /vehicles", "POST /vehicles", "OPTIONS /vehicles", "GET /vehicles/{vehicleId}/position",
                        "ANY /{proxy+}"]
    get = rs["GET /vehicles"]
    assert get.path == "/v1/vehicles" and get.upstream_path == "/api/vehicles"
    assert sorted((p.auth_kind, p.scope) for p in get.auth_policies()) == [("api-key", "operation"), ("jwt", "operation")]
    post = rs["POST /vehicles"]
    assert [(p.auth_kind, p.vendor_type) for p in post.auth_policies()] == [("aws-iam", "AWS_IAM")]
    assert any(p.kind == "tls" and p.detail == {"verify": False} for p in post.policies)
    validation = next(p for p in post.policies if p.kind == "validation")
    assert (validation.name, validation.detail) == ("all", {"body": True, "parameters": True})
    # a method-level stage setting replaces the stage default for that method only
    assert [p.limit["count"] for p in post.policies if p.kind == "rate-limit"] == [5.0]
    assert [p.limit["count"] for p in get.policies if p.kind == "rate-limit" and p.scope == "stage"] == [500.0]
    # usage-plan limits reach API-key routes only
    assert {p.kind for p in get.policies if p.scope == "product"} == {"rate-limit", "quota"}
    assert not any(p.scope == "product" for p in post.policies)
    position = rs["GET /vehicles/{vehicleId}/position"]
    auth = position.auth_policies()[0]
    assert (auth.auth_kind, auth.detail["identity_in"]) == ("lambda-authorizer", "query")
    assert "cors-preflight" in rs["OPTIONS /vehicles"].tags
    proxy = rs["ANY /{proxy+}"]
    assert proxy.methods == [] and not proxy.has_effective_auth() and "vpc-link" in proxy.tags
    bundle = next(b for b in bundles if b.root == FIX)
    assert sorted(p.name for p in bundle.also_spec) == ["http-api-export.yaml", "rest-oas3-export.json"]


def test_http_api_export():
    gw, _, _ = fixture_gateway()
    api = next(a for a in gw.apis if a.id == "n0t1f1c8")
    assert api.attributes["api_type"] == "http" and api.base_path == ""
    cors = next(p for p in api.policies if p.kind == "cors")
    assert cors.detail == {"origins": ["*"], "credentials": True}
    rs = by_id(api)
    assert rs["POST /messages"].auth_policies()[0].detail == {"issuer": "https://login.example.com/"}
    assert rs["GET /messages/{id}"].auth_policies()[0].auth_kind == "jwt"
    default = rs["ANY $default"]
    assert (default.path, default.match_kind, "integration:http_proxy" in default.tags) == ("/{proxy+}", "template", True)
    assert default.upstream_url == "https://fallback.internal.example.com"


def test_cli_outputs_consumers_products_secrets():
    gw, _, _ = fixture_gateway()
    assert [(c.id, c.name, c.status, c.apis) for c in gw.consumers] == [
        ("f1eetk3y01", "depot-scanner", "enabled", ["q1w2e3r4t5/v1"]),
        ("f1eetk3y02", "retired-tablet", "disabled", ["q1w2e3r4t5/v1"])]
    assert gw.consumers[0].credentials[0].fingerprint.startswith("sha256:")
    assert [p.id for p in gw.products] == ["pl4n01", "pl4n02"]
    assert gw.products[1].apis == ["zzzzzzzzzz/prod"]
    assert sorted(n.source.pointer for n in gw.notes) == [
        "/items/0/value",
        "/paths/~1vehicles/post/x-amazon-apigateway-integration/requestParameters/integration.request.header.Authorization"]
    text = repr(gw.to_dict())
    assert "Zx9vQ2mP7rT4wK8sL1nB6cY3dF5gH0jA" not in text and "fleet-backend-static-token" not in text


def test_broken_files():
    gws, errors, _ = load(FIX / "broken")
    assert [(e.file, e.pointer, e.line) for e in errors] == [
        ("bad-shape.json", "/paths/~1ok/get/security/0/nobody-defined-this", 6),
        ("bad-shape.json", "/paths/~1weird/get", 9),
        ("bad-shape.json", "/paths/~1list", 10)]
    assert [r.path for g in gws for _, r in g.routes()] == ["/dev/ok"]
    scan = scan_landscape([FIX / "broken"], FIX / "broken")
    syntax = [e for e in scan.errors if e.file == "not-json.json"]
    assert len(syntax) == 1 and syntax[0].line == 5 and "trailing comma" in syntax[0].message in syntax[0].message


# ------------------------------------------------------------------------------------ corpus

ROUTES = {  # counted from the files: (routes, unauthenticated non-preflight routes, preflight routes)
    "awsdocs-http-api-petstore-import.json": (3, 3, 0),
    "localstack-openapi.cognito-auth.json": (4, 0, 0),
    "localstack-openapi.spec.global-auth.json": (2, 0, 0),
    "localstack-openapi.spec.pulumi.json": (2, 0, 1),
    "localstack-openapi.spec.tf.json": (2, 0, 1),
    "localstack-petstore-authorizer.swagger.json": (6, 2, 2),
    "localstack-swagger.json": (2, 0, 1),
}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not present")
def test_corpus_counts():
    gws, errors, bundles = load(CORPUS)
    assert errors == []  # SOURCES.md marks no aws-apigateway file as broken
    assert len(gws) == 1 and len(bundles[0].files) == 9
    gw = gws[0]
    by_file = {a.spec_file: a for a in gw.apis}
    assert set(by_file) == set(ROUTES)
    for file, (n, open_, preflight) in ROUTES.items():
        api = by_file[file]
        live = [r for r in api.routes if "cors-preflight" not in r.tags]
        got = (len(api.routes), len([r for r in live if not r.has_effective_auth()]),
               len(api.routes) - len(live))
        assert got == (n, open_, preflight), file
    assert [(c.id, c.name) for c in gw.consumers] == [("8bklk8bl1k3sB38D9B3l0enyWT8c09B30lkq0blk", "My key")]
    assert gw.attributes["stages"] == ["dev"]  # seven APIs: the stage cannot be attributed, so it is not applied
    assert gw.notes == []


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not present")
def test_corpus_semantics():
    gws, _, _ = load(CORPUS)
    apis = {a.spec_file: a for a in gws[0].apis}
    swagger = apis["localstack-swagger.json"]
    assert [r.path for r in swagger.routes] == ["/base/test", "/base/test"]
    assert swagger.routes[0].auth_policies()[0].detail["identity_in"] == "query"
    glob = by_id(apis["localstack-openapi.spec.global-auth.json"])
    assert glob["ANY /echo/{data}"].methods == [] and glob["GET /pets"].auth_policies()[0].scope == "api"
    cognito = by_id(apis["localstack-openapi.cognito-auth.json"])
    assert cognito["GET /pets"].auth_policies()[0].vendor_type == "cognito_user_pools"
    pulumi = by_id(apis["localstack-openapi.spec.pulumi.json"])
    assert sorted(p.auth_kind for p in pulumi["GET /just_do_it"].auth_policies()) == ["api-key", "lambda-authorizer"]
    assert pulumi["OPTIONS /{proxy+}"].path == "/{proxy+}"
    petstore = by_id(apis["localstack-petstore-authorizer.swagger.json"])
    assert petstore["GET /pets"].upstream_path == ""  # `${uri}`: a template placeholder, not a path
