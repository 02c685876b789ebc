"""Spectral ruleset loading details: format-scoped aliases, YAML 1.2 `off`, severity forms."""

from __future__ import annotations

from pathlib import Path

import yaml

from apiscan.engine import DocumentEngine
from apiscan.models import Severity
from apiscan.ruleset.spectral import load_spectral_ruleset
from apiscan.sources.openapi import load_api_document

RULESET = """
aliases:
  Responses:
    targets:
      - formats: [oas2]
        given: ["$.responses[*]"]
      - formats: [oas3]
        given: ["$.components.responses[*]"]
rules:
  response-description:
    given: "#Responses"
    severity: hint
    then: {field: description, function: truthy}
"""


def run(tmp_path: Path, doc: dict):
    rs = tmp_path / ".spectral.yaml"
    rs.write_text(RULESET)
    rules, errors = load_spectral_ruleset(rs)
    assert not errors
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump(doc))
    out = DocumentEngine(load_api_document(spec, tmp_path)).run(rules)
    return [(f.location.pointer, f.severity) for f in out.findings]


def test_format_scoped_alias_targets_apply_to_their_formats_only(tmp_path):
    # each document carries the other version's section too: only its own may be selected
    oas2 = {"swagger": "2.0", "info": {"title": "t", "version": "1"}, "paths": {},
            "responses": {"A": {}}, "components": {"responses": {"B": {}}}}
    oas3 = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
            "responses": {"A": {}}, "components": {"responses": {"B": {}}}}
    assert run(tmp_path, oas2) == [("/responses/A", Severity.INFO)]
    assert run(tmp_path, oas3) == [("/components/responses/B", Severity.INFO)]


def test_yaml_12_off_disables_an_extended_rule(tmp_path):
    (tmp_path / "base.yaml").write_text("rules:\n  r1:\n    given: $.info\n    then: {field: description, function: truthy}\n")
    (tmp_path / ".spectral.yaml").write_text("extends: [[./base.yaml, all]]\nrules:\n  r1: off\n")
    rules, errors = load_spectral_ruleset(tmp_path / ".spectral.yaml")
    assert not errors and rules == []


def test_spectral_oas_example_validation_reports_nested_errors(tmp_path):
    """Runs the AJV error path end to end (a nested failing example of a media type)."""
    (tmp_path / ".spectral.yaml").write_text('extends: [["spectral:oas", "off"]]\nrules:\n  oas3-valid-media-example: true\n')
    rules, errors = load_spectral_ruleset(tmp_path / ".spectral.yaml")
    assert not errors and [r.id for r in rules] == ["oas3-valid-media-example"]
    spec = tmp_path / "api.yaml"
    spec.write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/p": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"type": "object", "properties": {"a": {"type": "object", "properties": {
                "b": {"type": "string"}, "color": {"enum": ["red", "blue"]}}}}},
            "example": {"a": {"b": 1}}}, "text/plain": {
            "schema": {"type": "object", "properties": {"color": {"enum": ["red", "blue"]}}},
            "example": {"color": "rad"}}}}}}}}}))
    out = DocumentEngine(load_api_document(spec, tmp_path)).run(rules)
    assert not out.errors, [e.message for e in out.errors]
    assert sorted((f.location.pointer, f.message) for f in out.findings) == [
        ("/paths/~1p/get/responses/200/content/application~1json/example/a/b", '"b" property type must be string'),
        ("/paths/~1p/get/responses/200/content/text~1plain/example/color",
         '"color" property must be equal to one of the allowed values: "red", "blue". Did you mean "red"?')]
