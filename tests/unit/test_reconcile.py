"""Reconciliation on the demo landscape (exact lists) and on small hand-made cases."""

from pathlib import Path

from apiscan.inventory import scan_landscape
from apiscan.inventory.reconcile import reconcile
from apiscan.inventory.specs import SpecOperation, SpecRecord
from apiscan.models.gateway import Gateway, GatewayApi, Route

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "landscapes" / "demo"


def _demo():
    scan = scan_landscape([DEMO], DEMO)
    assert scan.errors == []
    return scan.landscape


def test_demo_shadow_orphan_unrouted_exact():
    rec = _demo().reconciliation
    assert sorted(r.key for r in rec.shadow_routes) == [
        "aws:aws/abc123defg/ANY /{proxy+}",
        "kong:shop-prod/admin-console/admin",
    ]
    assert [s.file for s in rec.orphan_specs] == ["specs/legacy-billing.yaml"]
    assert [op.key for op in rec.unrouted_operations] == ["specs/orders.yaml#/paths/~1orders~1{orderId}/patch"]
    assert rec.excluded_routes == {}


def test_demo_links_and_operation_routes():
    land = _demo()
    rec = land.reconciliation
    assert sorted((link.spec, link.api, link.how) for link in rec.links) == [
        ("aws/inventory-api.json", "abc123defg", "export"),
        ("specs/orders.yaml", "orders", "path"),
        ("specs/payments.yaml", "payments", "host"),
    ]
    routes = {k: [r.route for r in v] for k, v in rec.operation_routes.items()}
    # regex route wins over the /orders prefix for the item operations (Kong precedence)
    assert routes["specs/orders.yaml#/paths/~1orders~1{orderId}/get"] == ["order-by-id"]
    assert routes["specs/orders.yaml#/paths/~1orders/post"] == ["orders-collection"]
    # the backend spec reached through strip_path + service path /v2
    assert routes["specs/payments.yaml#/paths/~1refunds/post"] == ["payments"]
    # AWS: the specific resource wins over {proxy+}
    assert routes["aws/inventory-api.json#/paths/~1items~1{itemId}/get"] == ["GET /items/{itemId}"]


def test_demo_routes_without_auth_and_rate_limit():
    land = _demo()
    live = [v for v in land.route_views() if "cors-preflight" not in v.route.tags]
    no_auth = sorted(v.key for v in live if not v.route.has_effective_auth())
    no_limit = sorted(v.key for v in live if not v.route.has_rate_limit())
    assert no_auth == ["aws:aws/abc123defg/GET /items/{itemId}", "kong:shop-prod/admin-console/admin"]
    assert no_limit == ["aws:aws/abc123defg/GET /items/{itemId}", "kong:shop-prod/admin-console/admin",
                        "kong:shop-prod/payments/payments"]


def test_demo_scopes_and_secret_free_model():
    land = _demo()
    assert len(list(land.iter_scope("route"))) == 8
    assert len(list(land.iter_scope("api"))) == 4
    assert len(list(land.iter_scope("consumer"))) == 4
    assert [i.subject.key for i in land.iter_scope("gateway")] == ["kong:shop-prod", "aws:aws"]
    item = next(i for i in land.iter_scope("route") if i.subject.key.endswith("/admin"))
    assert item.location.file == "kong/kong.yaml" and item.location.pointer == "/services/2/routes/0"
    assert item.location.line == 45
    assert item.target.route.path == "/admin" and item.target.gateway.vendor == "kong"
    dump = repr([g.to_dict() for g in land.gateways])
    assert "acme-demo-key-7f3a9c" not in dump
    notes = [n for g in land.gateways for n in g.notes]
    assert [(n.code, n.source.pointer) for n in notes] == [("secret-in-export", "/consumers/1/keyauth_credentials/0/key")]


def _spec(file, *ops, bases=("/",), hosts=()):
    rec = SpecRecord(file=file, base_paths=list(bases), hosts=list(hosts))
    for method, path in ops:
        rec.operations.append(SpecOperation(file, method, path, f"/paths/{path}/{method.lower()}"))
    return rec


def _gateway(vendor, *routes, upstream=""):
    api = GatewayApi(id="api", name="api", gateway=f"{vendor}:g", upstream_url=upstream, routes=list(routes))
    return Gateway(id=f"{vendor}:g", vendor=vendor, apis=[api])


def test_catch_all_alone_does_not_link_a_spec():
    gw = _gateway("kong", Route("all", path="/", match_kind="prefix"))
    rec = reconcile([gw], [_spec("a.yaml", ("GET", "/pets"))])
    assert [s.file for s in rec.orphan_specs] == ["a.yaml"]
    assert [r.route for r in rec.shadow_routes] == ["all"]


def test_catch_all_serves_a_spec_linked_by_host():
    gw = _gateway("kong", Route("all", path="/", match_kind="prefix", upstream_path="/", strip_prefix=True),
                  upstream="http://pets.internal:8080")
    spec = _spec("a.yaml", ("GET", "/pets"), hosts=["pets.internal"])
    rec = reconcile([gw], [spec])
    assert rec.orphan_specs == [] and rec.shadow_routes == []
    assert gw.apis[0].routes[0].spec_operations == ["a.yaml#/paths//pets/get"]


def test_greedy_route_behind_specific_routes_is_a_shadow():
    specific = Route("GET /pets", methods=["GET"], path="/pets", match_kind="template")
    greedy = Route("ANY /{proxy+}", path="/{proxy+}", match_kind="template")
    gw = _gateway("aws", specific, greedy)
    rec = reconcile([gw], [_spec("p.yaml", ("GET", "/pets"))])
    assert [r.route for r in rec.shadow_routes] == ["ANY /{proxy+}"]
    assert rec.unrouted_operations == []


def test_unevaluable_routes_are_not_called_shadows():
    gw = _gateway("kong", Route("expr", path="", match_kind="unknown"))
    rec = reconcile([gw], [])
    assert rec.shadow_routes == [] and [r.route for r in rec.excluded_routes["pattern-not-evaluated"]] == ["expr"]


def test_a_crashing_importer_becomes_a_scan_error(monkeypatch, tmp_path):
    import sys
    import types

    from apiscan.inventory import scan as scan_module
    from apiscan.sources.gateways.base import Bundle

    class Boom:
        vendor = "boom"

        def claim(self, fileset):
            fileset.claimed.add(fileset.files[0])
            return [Bundle("boom", fileset.files[0], [fileset.files[0]])]

        def load(self, bundle, fileset):
            raise RuntimeError("importer bug")

    module = types.ModuleType("apiscan_test_boom")
    module.IMPORTER = Boom()
    monkeypatch.setitem(sys.modules, "apiscan_test_boom", module)
    monkeypatch.setattr(scan_module, "IMPORTER_MODULES", ("apiscan_test_boom", "apiscan.sources.gateways.kong",
                                                          "apiscan.sources.gateways.not_written_yet"))
    (tmp_path / "a.yaml").write_text("openapi: 3.0.3\ninfo: {title: a, version: '1'}\npaths: {}\n")
    result = scan_module.scan_landscape([tmp_path], tmp_path)
    assert [(e.file, "importer apiscan_test_boom failed" in e.message) for e in result.errors] == [("a.yaml", True)]
    assert [s.file for s in result.landscape.specs] == []  # claimed by the broken importer, so not a spec
