"""Spectral-compatible output: exactly the shape and text Spectral's json and stylish formats give."""

from __future__ import annotations

import json

from apiscan.models.findings import Finding, Location, RuleInfo, ScanResult, Severity
from apiscan.reporters.spectral_json import render as render_json
from apiscan.reporters.spectral_stylish import dot_path, render as render_stylish


def test_json_shape_and_key_order(result):
    text = render_json(result)
    assert text.startswith("[\n\t{\n\t\t\"code\": ")  # tab-indented, as Spectral prints it
    items = json.loads(text)
    for item in items:
        assert list(item)[:6] == ["code", "path", "message", "severity", "range", "source"]
        assert set(item["range"]) == {"start", "end"}
        assert all(isinstance(p, str) for p in item["path"])


def test_json_finding_content(result):
    items = json.loads(render_json(result))
    sec = next(i for i in items if i["code"] == "SEC003")
    assert sec == {
        "code": "SEC003",
        "path": ["components", "securitySchemes", "basicAuth", "scheme"],
        "message": "Security scheme basicAuth uses HTTP Basic",
        "severity": 0,
        "range": {"start": {"line": 40, "character": 14}, "end": {"line": 40, "character": 19}},
        "source": "/scan/root/specs/petstore.yaml",
        "documentationUrl": "https://example.org/rules/SEC003",
    }
    param = next(i for i in items if i["message"].startswith("Value <script>"))
    assert param["path"] == ["paths", "/pets/{id}", "get", "parameters", "0"]  # from the pointer, unescaped
    assert param["severity"] == 1
    gov = next(i for i in items if i["code"] == "GOV002")
    assert gov["severity"] == 3 and gov["source"] == "/scan/root/specs/orders api.json"  # relative joined to root
    assert gov["range"]["start"] == {"line": 0, "character": 0}
    assert next(i for i in items if i["code"] == "SEC001")["severity"] == 0  # critical -> error


def test_json_leaves_out_suppressed_and_reports_errors(result):
    items = json.loads(render_json(result))
    codes = [i["code"] for i in items]
    assert "DES004" not in codes and len([c for c in codes if c == "DOC001"]) == 2
    parser = next(i for i in items if i["code"] == "parser")
    assert parser["severity"] == 0 and parser["range"]["start"] == {"line": 2, "character": 6}
    assert next(i for i in items if i["code"] == "apiscan-rule")["path"] == ["services", "2"]


def test_json_sorted_by_source_then_position(result):
    items = json.loads(render_json(result))
    keys = [(i["source"], i["range"]["start"]["line"], i["range"]["start"]["character"]) for i in items]
    assert keys == sorted(keys)


def test_json_empty(empty_result):
    assert render_json(empty_result) == "[]\n"


def test_dot_path_matches_spectral():
    assert dot_path([]) == ""
    assert dot_path(["paths", "/pets", "get"]) == "paths./pets.get"
    assert dot_path(["schema", "addresses", "0", "street"]) == "schema.addresses[0].street"
    assert dot_path(["foo", "0", 1.2, 4]) == "foo[0][1.2][4]"
    assert dot_path(["a", "", "test"]) == "a[''].test"
    assert dot_path(["a", " bar ", "test"]) == "a[' bar '].test"
    assert dot_path(["responses", "200"]) == "responses[200]"
    assert dot_path(["x-1e3", "1e3", "0x1F", "Infinity", "NaN"]) == "x-1e3[1e3][0x1F][Infinity].NaN"


def test_stylish_reads_like_spectral():
    rules = [RuleInfo(id="info-contact"), RuleInfo(id="info-description")]
    f = [
        Finding(rule_id="info-contact", severity=Severity.MEDIUM, message='Info object must have a "contact" object.',
                location=Location(file="/tmp/doc.yaml", pointer="/info", line=2, column=6)),
        Finding(rule_id="api-servers", severity=Severity.MEDIUM,
                message='"servers" must be present and non-empty array.',
                location=Location(file="/tmp/doc.yaml", pointer="", line=1, column=1)),
        Finding(rule_id="info-description", severity=Severity.MEDIUM,
                message='Info "description" must be present and non-empty string.',
                location=Location(file="/tmp/doc.yaml", pointer="/info", line=2, column=6)),
    ]
    out = render_stylish(ScanResult(root="/tmp", findings=f, rules=rules))
    assert out == (
        "/tmp/doc.yaml\n"
        ' 1:1  warning  api-servers       "servers" must be present and non-empty array.\n'
        ' 2:6  warning  info-contact      Info object must have a "contact" object.                 info\n'
        ' 2:6  warning  info-description  Info "description" must be present and non-empty string.  info\n'
        "\n"
        "\u2716 3 problems (0 errors, 3 warnings, 0 infos, 0 hints)\n"
    )


def test_stylish_sample(result):
    out = render_stylish(result)
    lines = out.splitlines()
    assert lines[-1] == "\u2716 9 problems (4 errors, 4 warnings, 0 infos, 1 hint)"
    pets = lines[lines.index("/scan/root/specs/petstore.yaml") + 1:]
    assert pets[0].startswith("  12:5    error  SEC001  Operation GET /pets has no security requirement   ")
    assert pets[0].endswith("  paths./pets.get")
    rows = pets[:4]
    assert len({r.index(" paths.") if " paths." in r else r.index(" components.") for r in rows}) == 1
    assert pets[3].startswith(" 41:15    error  SEC003")
    assert pets[2].endswith("paths./pets/{id}.get.parameters[0]")
    assert "\x1b" not in out and "DES004" not in out


def test_stylish_colour_and_empty(result, empty_result):
    coloured = render_stylish(result, color=True)
    assert "\x1b[31m" in coloured and "\x1b[33m" in coloured
    assert render_stylish(empty_result) == "No results with a severity of 'hint' or higher found!\n"
