"""Engine semantics that Spectral rulesets depend on."""

from __future__ import annotations

from pathlib import Path

import yaml

from apiscan.engine import DocumentEngine
from apiscan.models import Severity
from apiscan.ruleset.model import Rule, Then
from apiscan.sources.openapi import load_api_document


def lint(tmp_path: Path, doc: dict, rule: Rule):
    p = tmp_path / "api.yaml"
    p.write_text(yaml.safe_dump(doc), encoding="utf-8")
    out = DocumentEngine(load_api_document(p, tmp_path)).run([rule])
    assert not out.errors, [e.message for e in out.errors]
    return [(f.location.pointer, f.message) for f in out.findings]


DOC = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
       "paths": {"/pets/": {"get": {"responses": {"200": {"description": "ok"}}}}, "/owners": {}},
       "components": {"schemas": {"A": {"example": None, "type": "object"}}}}


def rule(given, then, message=None):
    return Rule(id="T1", name="t1", severity=Severity.MEDIUM, given=[given], then=[then], message=message)


def test_field_at_key_runs_once_per_key(tmp_path):
    r = rule("$.paths", Then(function="pattern", field="@key", options={"notMatch": ".+/$"}), "{{property}} ends with /")
    assert lint(tmp_path, DOC, r) == [("/paths/~1pets~1", "/pets/ ends with /")]


def test_missing_field_reports_at_the_closest_existing_node(tmp_path):
    r = rule("$", Then(function="truthy", field="info.contact"))
    assert [p for p, _ in lint(tmp_path, DOC, r)] == ["/info"]


def test_recursive_descent_over_null_values_does_not_crash(tmp_path):
    r = rule("$.components.schemas.A.example..x", Then(function="truthy"))
    assert lint(tmp_path, DOC, r) == []


def test_field_on_a_scalar_runs_on_the_scalar(tmp_path):
    r = rule("$.info.title", Then(function="pattern", field="anything", options={"match": "^T"}))
    assert [p for p, _ in lint(tmp_path, DOC, r)] == ["/info/title"]


def test_identical_results_of_a_then_list_collapse(tmp_path):
    t = Then(function="truthy", field="description")
    r = Rule(id="T1", name="t1", given=["$.info"], then=[t, t], message="no description")
    assert len(lint(tmp_path, DOC, r)) == 1
