"""`apiscan inventory`: table, JSON and CSV over the demo landscape; exit codes; no secret in output."""

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from apiscan.cli.inventory import command

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "fixtures" / "landscapes" / "demo"
SECRETS = ("acme-demo-key-7f3a9c", "s3cr3t-ops-passw0rd", "Zx9vQ2mP7rT4wK8sL1nB6cY3dF5gH0jA",
           "fleet-backend-static-token", "mobile-hs256-shared-secret")


def run(*args):
    return CliRunner().invoke(command, [*args], catch_exceptions=False)


def test_json_catalogue():
    res = run(str(DEMO), "-f", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert [(g["id"], g["apis"], g["routes"], g["consumers"]) for g in doc["gateways"]] == [
        ("kong:shop-prod", 3, 4, 2), ("aws:aws", 1, 4, 2)]
    assert sorted((r["gateway"], r["client_path"]) for r in doc["shadow_routes"]) == [
        ("aws:aws", "/prod/{proxy+}"), ("kong:shop-prod", "/admin")]
    assert [s["spec"] for s in doc["orphan_specs"]] == ["specs/legacy-billing.yaml"]
    assert [r["operation"] for r in doc["unrouted_operations"]] == ["PATCH /orders/{orderId}"]
    get_order = next(r for r in doc["operations"] if r["operation"] == "GET /orders/{orderId}")
    assert (get_order["route"], get_order["auth"], get_order["limits"], get_order["status"]) == (
        "order-by-id", "api-key", "100/min", "routed")
    assert get_order["spec"].startswith("specs/orders.yaml#/paths/~1orders~1{orderId}/get:")
    item = next(r for r in doc["operations"] if r["operation"] == "GET /items/{itemId}")
    assert (item["auth"], item["limits"], item["consumers"]) == ("none", "none", "anyone")
    listing = next(r for r in doc["operations"] if r["operation"] == "GET /items")
    assert listing["consumers"] == "acme-warehouse"  # the disabled key is left out
    assert doc["errors"] == []


def test_csv_and_table():
    res = run(str(DEMO), "-f", "csv")
    assert res.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert len([r for r in rows if r["kind"] == "api"]) == 5  # 4 gateway APIs + 1 orphan spec
    assert {r["status"] for r in rows} >= {"routed", "shadow", "unrouted", "orphan", "deployed"}
    table = run(str(DEMO))
    assert table.exit_code == 0
    lines = table.output.splitlines()
    assert max(len(line) for line in lines) <= 160
    assert "Shadow routes (no spec operation): 2" in table.output
    assert "Orphan specs (served by no gateway): 1" in table.output
    assert "Unrouted operations (deployed spec, no route): 1" in table.output


def test_output_file_and_error_exit_code(tmp_path):
    (tmp_path / "good.yaml").write_text((DEMO / "specs" / "orders.yaml").read_text())
    (tmp_path / "kong.yaml").write_text((DEMO / "kong" / "kong.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("openapi: 3.0.3\npaths: [\n")
    out = tmp_path / "out" / "inv.json"
    res = run(str(tmp_path), "-f", "json", "-o", str(out))
    assert res.exit_code == 2
    doc = json.loads(out.read_text())
    assert [e["file"] for e in doc["errors"]] == ["broken.yaml"]
    assert len(doc["gateways"]) == 1 and [s["file"] for s in doc["specs"]] == ["good.yaml"]
    assert "broken.yaml" in res.output  # the error goes to stderr, mixed into output by CliRunner


def test_no_secret_in_any_output():
    inputs = [str(DEMO), str(REPO / "fixtures" / "gateways" / "kong"), str(REPO / "fixtures" / "gateways" / "aws")]
    for fmt in ("json", "csv", "table"):
        res = run(*inputs, "-f", fmt)
        for secret in SECRETS:
            assert secret not in res.output, (fmt, secret)
