"""Every rule's failing and passing cases (fixtures/rules/<ID>.yaml), checked by exact location.

Document rules run through the lint pipeline on the case's files; gateway/landscape rules run on
the landscape built from them. A case passes only when the set of `file#pointer` locations where
the rule fires equals `expect` exactly, and nothing errored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apiscan.ruleset.loader import builtin_rules

REPO = Path(__file__).resolve().parents[2]
CASES_DIR = REPO / "fixtures" / "rules"


def _rules_by_id():
    rules, problems = builtin_rules()
    assert not problems, [f"{p.file}: {p.message}" for p in problems]
    return {r.id: r for r in rules}


def _cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for i, case in enumerate(data.get("cases", [])):
            out.append(pytest.param(data["rule"], case, id=f"{data['rule']}-{i}-{case.get('name', '')[:40]}"))
    return out


def _write_case(case: dict, folder: Path) -> Path:
    if "files" in case:
        entry = None
        for name, content in case["files"].items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            elif name.endswith(".json"):
                target.write_text(json.dumps(content, indent=2), encoding="utf-8")
            else:
                target.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
            entry = entry or target
        return entry
    target = folder / "spec.yaml"
    document = case["document"]
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    target.write_text(text, encoding="utf-8")
    return target


def _normalise(expect: list[str], entry: Path, folder: Path) -> set[str]:
    entry_rel = entry.relative_to(folder).as_posix()
    out = set()
    for e in expect:
        e = str(e)
        out.add(e if "#" in e else f"{entry_rel}#{e}")
    return out


def _location_key(file: str, pointer: str, folder: Path) -> str:
    p = Path(file)
    if not p.is_absolute():
        p = (Path.cwd() / p).resolve()
    try:
        rel = p.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        rel = file
    return f"{rel}#{pointer}"


@pytest.mark.parametrize("rule_id,case", _cases())
def test_rule_case(rule_id, case, tmp_path):
    rules = _rules_by_id()
    assert rule_id in rules, f"fixture names unknown rule {rule_id}"
    rule = rules[rule_id]
    entry = _write_case(case, tmp_path)
    expected = _normalise(case.get("expect") or [], entry, tmp_path)
    if rule.scope in ("document", "operation"):
        from apiscan.lint import LintOptions, lint

        targets = [str(entry)] if "files" not in case or case.get("entry") else [str(entry)]
        result = lint(LintOptions(paths=targets, rules=[rule], root=tmp_path))
        errors = [e for e in result.errors if e.kind != "ref" or not case.get("allow_ref_errors")]
        findings = result.findings
    else:
        inventory = pytest.importorskip("apiscan.inventory.scan")
        from apiscan.engine import run_landscape_rules

        scan = inventory.scan_landscape([tmp_path], tmp_path)
        out = run_landscape_rules([rule], scan.landscape)
        errors = [*scan.errors, *out.errors]
        findings = out.findings
    assert not errors, [f"{e.where()}: {e.message}" for e in errors]
    got = {_location_key(f.location.file, f.location.pointer, tmp_path) for f in findings if f.rule_id == rule_id}
    assert got == expected, f"{rule_id} fired at {sorted(got)}, expected {sorted(expected)}"
