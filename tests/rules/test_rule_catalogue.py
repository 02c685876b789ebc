"""Meta-tests over the whole built-in catalogue: metadata complete, ids stable, cases present."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from apiscan.functions import FUNCTIONS, load_builtin_functions
from apiscan.ruleset.loader import builtin_rules, builtin_rules_dir
from apiscan.ruleset.model import CAPABILITIES, CATEGORIES

REPO = Path(__file__).resolve().parents[2]
PREFIX = {"security": "SEC", "documentation": "DOC", "versioning": "VER", "design": "DES", "gateway": "GW",
          "traffic": "TRF", "governance": "GOV"}


def test_catalogue_loads_without_problems():
    rules, problems = builtin_rules()
    assert not problems, [f"{p.file}: {p.message}" for p in problems]
    assert len(rules) >= 60


def test_ids_and_names_unique_and_well_formed():
    rules, _ = builtin_rules()
    ids = [r.id for r in rules]
    names = [r.name for r in rules]
    assert len(ids) == len(set(ids))
    assert len(names) == len(set(names))
    for r in rules:
        assert re.fullmatch(r"[A-Z]+\d{3}", r.id), r.id
        assert r.id.startswith(PREFIX[r.category]), f"{r.id} is in category {r.category}"
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name
        assert Path(r.file).parent.name == r.category, f"{r.id} lives outside rules/{r.category}/"


def test_metadata_complete():
    rules, _ = builtin_rules()
    for r in rules:
        assert r.title and len(r.title) <= 120, r.id
        assert r.category in CATEGORIES, r.id
        assert r.capability in CAPABILITIES, f"{r.id}: capability {r.capability!r}"
        assert len(r.description) >= 40, f"{r.id}: description too short"
        assert len(r.remediation) >= 20, f"{r.id}: remediation too short"


def test_every_function_exists():
    load_builtin_functions()
    rules, _ = builtin_rules()
    for r in rules:
        for then in r.then:
            assert then.function in FUNCTIONS, f"{r.id} uses unknown function {then.function}"


def test_every_rule_has_failing_and_passing_cases():
    rules, _ = builtin_rules()
    for r in rules:
        path = REPO / "fixtures" / "rules" / f"{r.id}.yaml"
        assert path.is_file(), f"{r.id} has no fixtures/rules/{r.id}.yaml"
        data = yaml.safe_load(path.read_text("utf-8"))
        assert data.get("rule") == r.id
        cases = data.get("cases") or []
        assert any(c.get("expect") for c in cases), f"{r.id} has no failing case"
        assert any(not c.get("expect") for c in cases), f"{r.id} has no passing case"


def test_rules_dir_is_the_packaged_one():
    assert (builtin_rules_dir() / "governance" / "GOV001.yaml").is_file()
