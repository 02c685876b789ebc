"""One large document over two processes: the same findings as one process, whatever the order."""

import os
import time
from pathlib import Path

import pytest

from apiscan.engine import DocumentEngine
from apiscan.models import ScanError
from apiscan.ruleset.spectral import load_spectral_ruleset
from apiscan.sources.openapi import load_api_document
from apiscan.split import _units, run_split

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _rules(tmp_path):
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text('extends: [["spectral:oas", "all"]]\n')
    rules, errors = load_spectral_ruleset(ruleset)
    assert not errors
    return rules


def _key(f):
    return (f.rule_id, f.location.file, f.path, f.message)


@pytest.mark.parametrize("spec", sorted(p.name for p in (FIXTURES / "demo" / "specs").glob("*.yaml")))
def test_split_gives_what_one_process_gives(spec, tmp_path):
    rules = _rules(tmp_path)
    path = FIXTURES / "demo" / "specs" / spec
    doc = load_api_document(path, path.parent)
    applicable = [r for r in rules if not r.formats or r.formats & doc.formats]
    alone = DocumentEngine(doc).run(applicable)
    split = run_split(applicable, DocumentEngine(doc).run, lambda findings: None, spec)
    assert not split.errors
    assert sorted(map(_key, split.findings)) == sorted(map(_key, alone.findings))
    assert alone.findings, "the demo specs have findings: the comparison is not empty"


def test_rules_that_share_work_are_one_claim(tmp_path):
    rules = _rules(tmp_path)
    units = _units(rules)
    assert sorted(r.id for u in units for r in u) == sorted(r.id for r in rules)  # each rule once
    raw = [u for u in units if any(not r.resolved for r in u)]
    assert len(raw) == 1 and all(not r.resolved for r in raw[0]) and len(raw[0]) > 1
    examples = next(u for u in units if any(r.id == "oas3-valid-media-example" for r in u))
    assert {"oas3-valid-media-example", "oas3-valid-schema-example"} <= {r.id for r in examples}  # `$..content..`
    assert len(next(u for u in units if any(r.id == "info-contact" for r in u))) == 1
    assert len(units[0]) > 1  # a claim of several heavy rules goes first
    assert units[0] is examples  # the schema compilers: the longest job is taken first


def test_a_claim_that_fails_in_the_other_process_becomes_an_error(tmp_path):
    """The engine turns a crashing rule into a ScanError; should the second process itself fail,
    the parent says so instead of silently losing that process's results."""
    rules = _rules(tmp_path)[:6]
    parent = os.getpid()

    def run(claim):
        if os.getpid() != parent:
            raise RuntimeError("boom")
        time.sleep(0.2)  # leave tickets for the other process
        from apiscan.engine import EngineOutput
        return EngineOutput()

    out = run_split(rules, run, lambda findings: None, "big.json")
    assert [e.file for e in out.errors] == ["big.json"]
    assert "boom" in out.errors[0].message


def test_a_failing_check_in_the_parent_is_raised_after_the_child_is_collected(tmp_path):
    rules = _rules(tmp_path)[:4]
    ran = []

    def run(claim):
        from apiscan.engine import EngineOutput
        ran.append(os.getpid())
        return EngineOutput()

    def check():
        raise ValueError("duplicate key 'a'")

    with pytest.raises(ValueError, match="duplicate key"):
        run_split(rules, run, lambda findings: None, "big.json", parent_first=check)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child left behind


def test_a_large_json_file_with_a_duplicate_key_is_a_parse_error_when_split(tmp_path):
    """Over 1 MB the duplicate-key check runs in the parent beside the rules: the file must still
    come out as unreadable, with the line of the second key, and no findings."""
    from apiscan.lint import LintOptions, lint_file

    filler = ",\n".join(f'    "/p{i}": {{"get": {{"responses": {{"200": {{"description": "{"x" * 40}"}}}}}}}}'
                       for i in range(12_000))
    text = '{\n  "openapi": "3.0.3",\n  "info": {"title": "t", "version": "1"},\n  "paths": {\n' + filler + \
        '\n  },\n  "info": {"title": "again", "version": "2"}\n}\n'
    path = tmp_path / "big.json"
    path.write_text(text)
    assert path.stat().st_size > 1_000_000
    opts = LintOptions(paths=[str(path)], rules=_rules(tmp_path), root=tmp_path)
    outcome = lint_file(path, True, opts)
    assert not outcome.findings and outcome.document is None
    assert [(e.kind, e.line) for e in outcome.errors] == [("parse", text.count("\n") - 1)]
    assert "duplicate key 'info'" in outcome.errors[0].message

    path.write_text(text.replace(',\n  "info": {"title": "again", "version": "2"}', ""))
    clean = lint_file(path, True, opts)
    assert not clean.errors and clean.document is not None


def test_the_parent_check_runs_even_when_there_is_no_split(tmp_path, monkeypatch):
    import apiscan.split as split

    monkeypatch.setattr(split, "_MAX_TICKETS", 0)
    calls = []

    def run(claim):
        from apiscan.engine import EngineOutput
        return EngineOutput()

    def check():
        calls.append("checked")
        raise ValueError("duplicate key 'a'")

    with pytest.raises(ValueError):
        run_split(_rules(tmp_path)[:3], run, lambda findings: None, "big.json", parent_first=check)
    assert calls == ["checked"]
