"""Kong importer: decK 1.1-3.x, Admin API dumps, plugin scopes, secrets, broken files, corpus counts."""

from pathlib import Path

import pytest

from apiscan.inventory import scan_landscape
from apiscan.sources.gateways import kong
from apiscan.sources.gateways.base import FileSet

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
FIX = REPO / "fixtures" / "gateways" / "kong"
CORPUS = SHARED / "corpus" / "kong-deck"


def load(folder: Path, *names: str):
    files = sorted(p for p in folder.rglob("*") if p.is_file() and (not names or p.name in names))
    fs = FileSet(folder, files)
    gateways, errors = {}, []
    for bundle in kong.IMPORTER.claim(fs):
        result = kong.IMPORTER.load(bundle, fs)
        for g in result.gateways:
            gateways[bundle.files[0].name if bundle.root.is_file() else bundle.root.name] = g
        errors += result.errors
    return gateways, errors, fs


def routes(gw):
    return {r.id: r for _, r in gw.routes()}


def pol(route):
    return {(p.name, p.scope, p.enabled, p.optional, p.conditional) for p in route.policies}


def test_plugin_scopes_and_effective_policies():
    gws, errors, _ = load(FIX, "deck-2x-scopes.yaml")
    assert errors == []
    gw = gws["deck-2x-scopes.yaml"]
    rs = routes(gw)
    products = rs["catalog-products"]
    assert pol(products) == {("key-auth", "api", True, True, False), ("rate-limiting", "global", True, False, False),
                             ("file-log", "global", True, False, False),
                             ("rate-limiting-advanced", "consumer-group", True, False, True)}
    assert not products.has_effective_auth()  # anonymous fallback = optional auth
    sku = rs["catalog-product-by-sku"]
    assert (sku.match_kind, sku.path) == ("regex", r"/catalog/products/\d+$")  # bare regex in a 2.x file
    assert ("key-auth", "route", True, False, False) in pol(sku) and sku.has_effective_auth()
    assert sku.upstream_path == r"/api/catalog/products/\d+$" and not sku.strip_prefix
    admin = rs["catalog-admin"]
    assert {p.name for p in admin.policies if p.scope == "route"} == {"basic-auth", "request-size-limiting", "acl"}
    assert next(p for p in admin.policies if p.kind == "acl").detail == {"allow": ["ops"]}
    legacy = rs["catalog-legacy"]
    assert any(p.kind == "termination" for p in legacy.policies)
    # the disabled service rate-limiting does not hide the global one
    assert all(p.enabled for p in products.policies if p.kind == "rate-limit")
    assert products.upstream_path == "/api" and products.strip_prefix
    assert gw.apis[0].upstream_url == "https://catalog.internal:8443/api"


def test_consumers_groups_and_secrets():
    gws, _, _ = load(FIX, "deck-2x-scopes.yaml")
    gw = gws["deck-2x-scopes.yaml"]
    by = {c.id: c for c in gw.consumers}
    assert set(by) == {"guest", "batch-job", "ops-user", "partner"}
    assert by["ops-user"].groups == ["ops"] and by["partner"].groups == ["premium"]
    assert [(p.name, p.scope) for p in by["batch-job"].policies] == [("rate-limiting", "consumer")]
    assert [(p.name, p.scope) for p in by["partner"].policies] == [("rate-limiting-advanced", "consumer-group")]
    # templated and vault-referenced keys are not secrets in clear
    assert sorted(n.source.pointer for n in gw.notes) == [
        "/consumers/2/basicauth_credentials/0/password", "/consumers/3/oauth2_credentials/0/client_secret"]
    text = repr(gw.to_dict())
    assert "s3cr3t-ops-passw0rd" not in text and "partner-client-secret-123" not in text
    assert all(n.code == "secret-in-export" and "redacted" in n.message for n in gw.notes)


def test_partial_file_and_expressions():
    gws, errors, _ = load(FIX, "deck-partial-expressions.yaml")
    gw = gws["deck-partial-expressions.yaml"]
    assert errors == [] and gw.partial and gw.id == "kong:team-search"
    rs = routes(gw)
    assert (rs["search-query"].match_kind, rs["search-query"].path, rs["search-query"].methods) == ("prefix", "/search", ["GET"])
    assert (rs["search-exact"].match_kind, rs["search-exact"].path) == ("exact", "/search/health")
    assert rs["search-internal"].match_kind == "unknown" and "kong:expression-unparsed" in rs["search-internal"].tags
    assert [n.source.pointer for n in gw.notes] == ["/services/0/plugins/0/config/client_secret/0"]


def test_admin_api_dump():
    gws, errors, _ = load(FIX / "admin")
    gw = gws["admin"]
    assert [r.id for _, r in gw.routes()] == ["accounts-read", "accounts-by-id", "reports"]
    rs = routes(gw)
    assert rs["accounts-by-id"].match_kind == "regex"
    assert {p.name for p in rs["accounts-by-id"].policies} == {"jwt", "rate-limiting", "cors"}
    assert {p.name for p in rs["reports"].policies} == {"cors"}
    mobile = next(c for c in gw.consumers if c.id == "mobile-app")
    assert [c.kind for c in mobile.credentials] == ["jwt"] and mobile.credentials[0].fingerprint.startswith("sha256:")
    assert len(errors) == 1 and errors[0].file == "jwts.json" and errors[0].line == 3
    assert "unknown consumer" in errors[0].message


def test_broken_files_give_clear_errors_and_the_rest_loads():
    gws, errors, fs = load(FIX / "broken")
    assert [(e.pointer, e.line) for e in errors] == [("/services/1", 9), ("/services/0/routes/1", 8), ("/routes/0", 11)]
    assert [r.id for _, r in gws["deck-bad-shape.yaml"].routes()] == ["good-route", "dangling"]
    scan = scan_landscape([FIX / "broken"], FIX / "broken")
    syntax = [e for e in scan.errors if e.file == "deck-bad-yaml.yaml"]
    assert len(syntax) == 1 and syntax[0].line == 8 and "invalid YAML" in syntax[0].message
    assert len(scan.landscape.gateways) == 1


# ------------------------------------------------------------------------------------ corpus

EXPECTED = {  # counted by hand from the files: services, Kong route entities, Route records, consumers,
    # global plugins, secrets in clear
    "deck-consumer-credentials.yaml": (0, 0, 0, 1, 0, 5),
    "deck-consumer-groups-rate-limiting-advanced.yaml": (1, 1, 1, 3, 2, 3),
    "deck-dump-entities-with-tags.yaml": (3, 3, 3, 1, 1, 4),
    "deck-expression-routes.yaml": (1, 1, 1, 0, 0, 0),
    "deck-format-1.1-regex-routes.yaml": (1, 1, 2, 0, 0, 0),
    "deck-format-3.0-regex-routes-converted.yaml": (1, 1, 2, 0, 0, 0),
    "deck-kong2kic-input-full.yaml": (1, 1, 3, 1, 0, 7),
    "deck-konnect-control-plane.yaml": (0, 1, 1, 0, 0, 0),
}


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not present")
def test_corpus_counts():
    gws, errors, fs = load(CORPUS)
    assert errors == []  # SOURCES.md marks no kong-deck file as broken
    assert set(gws) == set(EXPECTED)
    for name, (services, entities, records, consumers, globals_, secrets) in EXPECTED.items():
        gw = gws[name]
        real_services = [a for a in gw.apis if a.id != "(no service)"]
        got = (len(real_services), len({r.name for _, r in gw.routes()}), sum(len(a.routes) for a in gw.apis),
               len(gw.consumers), len(gw.global_policies), len(gw.notes))
        assert got == (services, entities, records, consumers, globals_, secrets), name


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not present")
def test_corpus_semantics():
    gws, _, _ = load(CORPUS)
    legacy = routes(gws["deck-format-1.1-regex-routes.yaml"])
    modern = routes(gws["deck-format-3.0-regex-routes-converted.yaml"])
    assert [(r.match_kind, r.path) for r in legacy.values()] == [(r.match_kind, r.path) for r in modern.values()] == [
        ("regex", r"/status/\d+"), ("regex", r"/code/\d+")]
    full = gws["deck-kong2kic-input-full.yaml"]
    first = next(r for _, r in full.routes())
    assert len([p for p in first.policies if p.scope == "route"]) == 14
    assert {p.scope for p in first.policies if p.name == "rate-limiting-advanced"} == {"route", "consumer-group"}
    assert (first.match_kind, first.path, first.methods) == ("regex", "/v1/example/?$", ["GET", "POST"])
    rla = gws["deck-consumer-groups-rate-limiting-advanced.yaml"]
    r1 = next(r for _, r in rla.routes())
    assert r1.has_effective_auth() and r1.has_rate_limit()
    assert len([p for p in r1.policies if p.scope == "consumer-group"]) == 2
    tags = gws["deck-dump-entities-with-tags.yaml"]
    assert all(not r.has_effective_auth() for _, r in tags.routes())
    assert gws["deck-konnect-control-plane.yaml"].id == "kong:default"
    assert gws["deck-expression-routes.yaml"].apis[0].routes[0].match_kind == "unknown"
    for gw in gws.values():
        text = repr(gw.to_dict())
        for secret in ("iwb6Djkk4HhUlOCmLilDIKh6nZrn90ts", "6gkrxTKAraykMSpmnLNEGiEE3Yz8XL6U", "my-secret",
                       "BEGIN PRIVATE KEY", "my_secret_key"):
            assert secret not in text
