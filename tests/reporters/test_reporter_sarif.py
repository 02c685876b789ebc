"""SARIF 2.1.0: schema-valid, and carrying what GitHub code scanning reads."""

from __future__ import annotations

import json

import pytest

from apiscan.models.findings import Finding, Location, ScanResult, Severity
from apiscan.reporters.sarif import FINGERPRINT_KEY, render
from reporter_sample import SHARED, TRICKY

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"


def _run(result) -> dict:
    log = json.loads(render(result))
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


@pytest.mark.skipif(not SCHEMA.exists(), reason="../shared (SARIF schema) not present")
@pytest.mark.parametrize("which", ["result", "empty_result"])
def test_valid_against_the_oasis_schema(which, request):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    log = json.loads(render(request.getfixturevalue(which)))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(log), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_driver_and_full_rule_catalogue(result):
    driver = _run(result)["tool"]["driver"]
    assert driver["name"] == "apiscan" and driver["version"] == "0.1.0"
    assert [r["id"] for r in driver["rules"]] == ["SEC003", "SEC001", "DOC001", "DES004", "GOV002", "GW010"]
    sec = driver["rules"][0]
    assert sec["name"] == "no-http-basic-auth"
    assert sec["shortDescription"]["text"] == "Security schemes must not use HTTP Basic"
    assert sec["fullDescription"]["text"] == "HTTP Basic sends reusable credentials with every request."
    assert "Use OAuth 2.0 or an API key over TLS." in sec["help"]["text"]
    assert "**Remediation**" in sec["help"]["markdown"]
    assert sec["helpUri"] == "https://example.org/rules/SEC003"
    assert sec["defaultConfiguration"]["level"] == "error"
    props = sec["properties"]
    assert props["category"] == "security" and props["capability"] == "security-compliance"
    assert props["severity"] == "high" and "security" in props["tags"]
    assert props["security-severity"] == "8.0"
    doc = driver["rules"][2]
    assert doc["defaultConfiguration"]["level"] == "warning"
    assert "security-severity" not in doc["properties"]  # not a security alert on GitHub
    assert driver["rules"][3]["defaultConfiguration"]["level"] == "note"


def test_results_levels_locations_fingerprints(result):
    run = _run(result)
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert len(results) == len(result.findings)
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        assert r["partialFingerprints"][FINGERPRINT_KEY]
    by_msg = {r["message"]["text"]: r for r in results}
    sec = by_msg["Security scheme basicAuth uses HTTP Basic"]
    assert sec["level"] == "error"
    loc = sec["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {"uri": "specs/petstore.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["physicalLocation"]["region"] == {"startLine": 41, "startColumn": 15, "endLine": 41, "endColumn": 20}
    assert loc["logicalLocations"][0]["fullyQualifiedName"] == "/components/securitySchemes/basicAuth/scheme"
    assert by_msg["Operation GET /pets has no security requirement"]["level"] == "error"  # critical
    assert by_msg["Info object has no contact"]["level"] == "note"  # info
    no_line = by_msg["Info object has no contact"]["locations"][0]["physicalLocation"]
    assert no_line == {"artifactLocation": {"uri": "specs/orders%20api.json", "uriBaseId": "%SRCROOT%"}}
    assert by_msg[TRICKY]["message"]["text"] == TRICKY  # JSON escaping is enough; text is kept verbatim
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///scan/root/"
    assert run["columnKind"] == "unicodeCodePoints"


def test_suppressions_inline_and_external(result):
    results = {r["message"]["text"]: r for r in _run(result)["results"]}
    inline = results["Path /petFood is not kebab-case"]["suppressions"]
    assert inline == [{"kind": "inSource", "justification": "legacy path kept for old clients",
                       "properties": {"apiscanKind": "inline",
                                      "source": "/scan/root/specs/petstore.yaml#/paths/~1petFood/x-apiscan-ignore"}}]
    baseline = results["Operation listOrders has no description"]["suppressions"][0]
    assert baseline["kind"] == "external" and baseline["justification"] == "accepted in baseline 2026-10"
    assert "suppressions" not in results["Operation POST /pets has no description"]


def test_errors_are_tool_execution_notifications(result):
    invocation = _run(result)["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "error"]
    parse = next(n for n in notes if n["descriptor"]["id"] == "apiscan/parse")
    assert parse["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 7}
    rule = next(n for n in notes if n["descriptor"]["id"] == "apiscan/rule")
    assert rule["associatedRule"] == {"id": "GW010", "index": 5}


def test_clean_run_is_successful(empty_result):
    run = _run(empty_result)
    assert run["invocations"][0] == {"executionSuccessful": True, "toolExecutionNotifications": []}
    assert run["results"] == [] and len(run["tool"]["driver"]["rules"]) == 1


def test_rule_missing_from_catalogue_gets_a_descriptor():
    f = Finding(rule_id="X1", severity=Severity.LOW, message="m", location=Location(file="/r/a.yaml", line=2),
                rule_name="x-one")
    run = _run(ScanResult(root="/r", findings=[f]))
    assert run["tool"]["driver"]["rules"][0]["id"] == "X1"
    assert run["results"][0]["ruleIndex"] == 0
    assert "partialFingerprints" not in run["results"][0]  # no fingerprint computed: none invented


def test_file_outside_root_gets_an_absolute_uri():
    f = Finding(rule_id="X1", severity=Severity.LOW, message="m", location=Location(file="/other/a b.yaml"))
    loc = _run(ScanResult(root="/r", findings=[f]))["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "file:///other/a%20b.yaml"}


def test_every_result_has_a_location_even_without_a_file(result):
    """GitHub rejects an upload with a location-less result ("expected at least one location")."""
    for r in _run(result)["results"]:
        assert r["locations"] and r["locations"][0]
    landscape = next(r for r in _run(result)["results"] if r["message"]["text"].startswith("3 consumers"))
    assert landscape["locations"] == [{"logicalLocations": [{"fullyQualifiedName": "landscape", "kind": "resource"}]}]
    f = Finding(rule_id="X1", severity=Severity.LOW, message="m", location=Location(file=""),
                related=[Location(file="/r/gw/kong.yaml", pointer="/services/0", line=3)])
    loc = _run(ScanResult(root="/r", findings=[f]))["results"][0]["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == "gw/kong.yaml"
