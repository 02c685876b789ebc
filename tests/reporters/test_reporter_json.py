"""The JSON source of truth: exact content, stable output, and a load_result that round-trips."""

from __future__ import annotations

import json

import pytest

from apiscan.models.findings import Severity
from apiscan.reporters.json_report import load_result, render
from reporter_sample import RESULTS, TRICKY, build_result


def test_render_is_to_dict(result):
    out = render(result)
    assert json.loads(out) == result.to_dict()
    assert out.startswith('{\n  "tool": "apiscan",\n  "version": "0.1.0"')  # model order, indent 2
    assert list(json.loads(out)) == list(result.to_dict())


def test_render_is_stable_and_matches_the_saved_sample(result):
    """fixtures/results/sample-scan.json is this result saved; regenerate it on a deliberate change."""
    assert render(result) == render(build_result())
    assert render(result) == (RESULTS / "sample-scan.json").read_text(encoding="utf-8")


def test_summary_and_untrusted_text_survive(result):
    data = json.loads(render(result))
    assert data["summary"] == {"counts": {"info": 1, "low": 0, "medium": 4, "high": 1, "critical": 1},
                               "suppressed": 2, "errors": 2, "documents": 4}
    assert TRICKY in [f["message"] for f in data["findings"]]


def test_round_trip(result):
    loaded = load_result(render(result))
    assert loaded.to_dict() == result.to_dict()
    assert render(loaded) == render(result)
    sup = [f for f in loaded.findings if f.suppressed]
    assert [s.suppression.kind for s in sup] == ["inline", "baseline"]
    assert loaded.findings[0].severity is Severity.HIGH


def test_round_trip_from_bytes(result):
    assert load_result(render(result).encode("utf-8")).to_dict() == result.to_dict()


def test_unknown_keys_from_a_newer_version_are_ignored():
    loaded = load_result((RESULTS / "forward-compatible.json").read_text(encoding="utf-8"))
    assert [f.rule_id for f in loaded.findings] == ["SEC003", "SEC001", "DOC001"]
    assert loaded.findings[0].location.line == 41
    assert loaded.rules[0].title == "Security schemes must not use HTTP Basic"
    assert loaded.errors[0].line == 3 and loaded.stats == {} and loaded.skipped == []


def test_non_json_evidence_values_still_serialise(result):
    result.findings[0].evidence = {"methods": {"POST", "GET"}, "raw": b"\xffab"}
    data = json.loads(render(result))
    assert data["findings"][0]["evidence"] == {"methods": ["GET", "POST"], "raw": "\ufffdab"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        ('{"tool": "apiscan"}', "neither 'findings' nor 'errors'"),
        ('{"findings": {}}', "'findings': expected a list"),
        ('{"findings": [{"rule_id": "A", "severity": "high", "message": "m"}]}', "findings[0]: missing 'location'"),
        ('{"findings": [{"rule_id": "A", "severity": "huge", "message": "m", "location": {"file": "a"}}]}',
         "findings[0]: unknown severity 'huge'"),
        ('{"findings": [{"rule_id": "A", "severity": "low", "message": "m", "location": {"file": "a", "line": "7"}}]}',
         "findings[0].location.line: expected a positive integer"),
        ('{"findings": [{"rule_id": "A", "severity": "low", "message": 5, "location": {"file": "a"}}]}',
         "findings[0].message: expected a string"),
        ('{"findings": [], "errors": [{"file": "a"}]}', "errors[0]: missing 'message'"),
        ('{"findings": [], "rules": [{"id": "X", "severity": "nope"}]}', "rules[0]: unknown severity"),
        (b'{"findings": ["\xff"]}', "not valid UTF-8"),
    ],
)
def test_bad_saved_results_give_clear_errors(text, expected):
    with pytest.raises(ValueError) as info:
        load_result(text)
    assert expected in str(info.value)
