"""JUnit XML: parsed back, one suite per file, one case per rule per file, escaping."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from apiscan.models.findings import Finding, Location, ScanResult, Severity
from apiscan.reporters.junit import render


def _parse(result) -> ET.Element:
    text = render(result)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def _suites(root: ET.Element) -> dict[str, ET.Element]:
    return {s.get("name"): s for s in root.findall("testsuite")}


def test_one_suite_per_file_including_clean_and_broken_files(result):
    root = _parse(result)
    assert list(_suites(root)) == ["gateway/kong.yaml", "specs/broken.yaml", "specs/clean.yaml",
                                   "specs/orders api.json", "specs/petstore.yaml", "(landscape)"]
    assert {k: root.get(k) for k in ("tests", "failures", "errors", "skipped")} == \
        {"tests": "11", "failures": "6", "errors": "2", "skipped": "2"}


def test_suite_counts_match_their_cases(result):
    for suite in _parse(result).findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        assert int(suite.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(suite.get("errors")) == sum(1 for c in cases if c.find("error") is not None)
        assert int(suite.get("skipped")) == sum(1 for c in cases if c.find("skipped") is not None)


def test_one_case_per_rule_listing_every_location(result):
    pets = _suites(_parse(result))["specs/petstore.yaml"]
    names = [c.get("name") for c in pets.findall("testcase")]
    assert names == ["DES004 paths-kebab-case", "DOC001 operation-description",
                     "SEC001 operation-security-defined", "SEC003 no-http-basic-auth"]
    doc = pets.find("testcase[@name='DOC001 operation-description']")
    assert doc.get("classname") == "specs/petstore.yaml"
    failure = doc.find("failure")
    assert failure.get("type") == "medium"
    assert failure.get("message") == "2 findings: Operation POST /pets has no description"
    lines = failure.text.splitlines()
    assert lines[0] == "20:5  medium  Operation POST /pets has no description  /paths/~1pets/post"
    assert lines[1].startswith("30:9  medium  Value <script>\"x\"</script> & a|b `tick` at a::b, 100% done")


def test_suppressed_only_rule_is_skipped_with_reason(result):
    pets = _suites(_parse(result))["specs/petstore.yaml"]
    skipped = pets.find("testcase[@name='DES004 paths-kebab-case']/skipped")
    assert skipped.get("message") == "suppressed: legacy path kept for old clients"
    assert pets.find("testcase[@name='DES004 paths-kebab-case']/failure") is None


def test_errors_and_clean_files(result):
    suites = _suites(_parse(result))
    err = suites["specs/broken.yaml"].find("testcase/error")
    assert err.get("type") == "parse" and err.text == "3:7  could not parse YAML: found unexpected ':'"
    rule_err = suites["gateway/kong.yaml"].find("testcase[@name='GW010 (rule error)']/error")
    assert rule_err.get("message") == 'rule GW010 crashed: KeyError "routes" <oops>'
    clean = suites["specs/clean.yaml"].findall("testcase")
    assert len(clean) == 1 and list(clean[0]) == []


def test_finding_without_line(result):
    orders = _suites(_parse(result))["specs/orders api.json"]
    assert orders.find("testcase[@name='GOV002 info-contact']/failure").text == "-  info  Info object has no contact  /info"


def test_xml_forbidden_characters_are_made_visible():
    f = Finding(rule_id="X1", severity=Severity.HIGH, message="bell\x07 nul\x00 esc\x1b ]]> </failure>",
                location=Location(file="/r/a.yaml", line=1, column=1))
    root = _parse(ScanResult(root="/r", findings=[f]))
    failure = root.find("testsuite/testcase/failure")
    assert failure.get("message") == "bell\\x07 nul\\x00 esc\\x1b ]]> </failure>"


def test_empty_result_has_one_passing_case(empty_result):
    root = _parse(empty_result)
    assert root.get("tests") == "1" and root.get("failures") == "0"
