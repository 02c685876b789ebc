"""The apiscan:owasp ruleset and its OWASP API Top 10 (2023) compliance map.

Each rule is checked on its own cases (fixtures/owasp/*.yaml) by the exact set of places it fires,
with nothing else enabled, after loading the ruleset the way users do: a `.spectral.yaml` that
extends `apiscan:owasp`. The compliance map is checked against the rules that really exist.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from apiscan.functions import load_builtin_functions
from apiscan.functions.registry import FUNCTIONS, FunctionOptionsError
from apiscan.lint import LintOptions, lint
from apiscan.models import Severity
from apiscan.ruleset.loader import builtin_rules, builtin_rules_dir
from apiscan.ruleset.spectral import load_spectral_ruleset

REPO = Path(__file__).resolve().parents[2]
CASES_DIR = REPO / "fixtures" / "owasp"
RULESET_FILE = REPO / "rules" / "rulesets" / "owasp-2023.yaml"
COMPLIANCE_FILE = REPO / "rules" / "compliance" / "owasp-api-top10-2023.yaml"

# Spectral's OWASP ruleset (stoplightio/spectral-owasp-ruleset, src/ruleset.ts): every rule and its
# default severity. The port keeps both, so that users' overrides and triage carry over.
SPECTRAL_SEVERITIES = {
    "owasp:api1:2023-no-numeric-ids": "error",
    "owasp:api2:2023-no-http-basic": "error",
    "owasp:api2:2023-no-api-keys-in-url": "error",
    "owasp:api2:2023-no-credentials-in-url": "error",
    "owasp:api2:2023-auth-insecure-schemes": "error",
    "owasp:api2:2023-jwt-best-practices": "error",
    "owasp:api2:2023-short-lived-access-tokens": "error",
    "owasp:api2:2023-write-restricted": "error",
    "owasp:api2:2023-read-restricted": "warn",
    "owasp:api3:2023-no-additionalProperties": "warn",
    "owasp:api3:2023-constrained-additionalProperties": "warn",
    "owasp:api3:2023-no-unevaluatedProperties": "warn",
    "owasp:api3:2023-constrained-unevaluatedProperties": "warn",
    "owasp:api4:2023-rate-limit": "error",
    "owasp:api4:2023-rate-limit-retry-after": "error",
    "owasp:api4:2023-rate-limit-responses-429": "warn",
    "owasp:api4:2023-array-limit": "error",
    "owasp:api4:2023-string-limit": "error",
    "owasp:api4:2023-string-restricted": "warn",
    "owasp:api4:2023-integer-limit": "error",
    "owasp:api4:2023-integer-limit-legacy": "error",
    "owasp:api4:2023-integer-format": "error",
    "owasp:api5:2023-admin-security-unique": "error",
    "owasp:api7:2023-concerning-url-parameter": "info",
    "owasp:api8:2023-define-cors-origin": "error",
    "owasp:api8:2023-no-scheme-http": "error",
    "owasp:api8:2023-no-server-http": "error",
    "owasp:api8:2023-define-error-validation": "warn",
    "owasp:api8:2023-define-error-responses-401": "warn",
    "owasp:api8:2023-define-error-responses-500": "warn",
    "owasp:api9:2023-inventory-access": "error",
    "owasp:api9:2023-inventory-environment": "error",
}
REQUIRED_KEYS = ("description", "message", "severity", "given", "then", "formats", "recommended")


def _load(tmp: Path, extends) -> tuple[dict, list]:
    ruleset = tmp / ".spectral.yaml"
    ruleset.write_text(yaml.safe_dump({"extends": extends}), encoding="utf-8")
    rules, errors = load_spectral_ruleset(ruleset)
    return {r.id: r for r in rules}, errors


@pytest.fixture(scope="module")
def owasp_rules(tmp_path_factory) -> dict:
    rules, errors = _load(tmp_path_factory.mktemp("ruleset"), [["apiscan:owasp", "all"]])
    assert not errors, [f"{e.file}: {e.message}" for e in errors]
    return rules


def _raw_rules() -> dict:
    return yaml.safe_load(RULESET_FILE.read_text("utf-8"))["rules"]


# ------------------------------------------------------------------------------ the ruleset


def test_ruleset_ships_where_the_loader_looks():
    assert (builtin_rules_dir() / "rulesets" / "owasp-2023.yaml").resolve() == RULESET_FILE.resolve()


def test_every_spectral_owasp_rule_is_ported_with_its_severity(owasp_rules):
    assert set(owasp_rules) == set(SPECTRAL_SEVERITIES)
    for name, spectral in SPECTRAL_SEVERITIES.items():
        rule = owasp_rules[name]
        assert rule.severity == Severity.from_spectral(spectral), name
        assert rule.source == "apiscan:owasp"
        assert not rule.broken, rule.broken


def test_every_rule_is_fully_described():
    for name, definition in _raw_rules().items():
        missing = [k for k in REQUIRED_KEYS if k not in definition]
        assert not missing, f"{name} lacks {missing}"
        assert definition["description"].strip() and definition["message"].strip(), name
        assert definition["recommended"] is True, name
        assert str(definition.get("documentationUrl", "")).startswith("https://owasp.org/API-Security/"), name


def test_every_function_the_ruleset_names_exists():
    load_builtin_functions()
    for name, definition in _raw_rules().items():
        thens = definition["then"] if isinstance(definition["then"], list) else [definition["then"]]
        for then in thens:
            assert then["function"] in FUNCTIONS, f"{name} uses unknown function {then['function']}"


def test_plain_extends_means_recommended_which_is_every_rule(tmp_path):
    rules, errors = _load(tmp_path, ["apiscan:owasp"])
    assert not errors
    assert set(rules) == set(SPECTRAL_SEVERITIES)


def test_off_mode_and_a_bare_severity_change_on_a_colon_name(tmp_path):
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text(
        "extends: [[apiscan:owasp, 'off']]\n"
        "rules:\n"
        "  owasp:api8:2023-no-server-http: warn\n"
        "  'owasp:api2:2023-no-http-basic': true\n",
        encoding="utf-8",
    )
    rules, errors = load_spectral_ruleset(ruleset)
    assert not errors
    by_id = {r.id: r for r in rules}
    assert set(by_id) == {"owasp:api8:2023-no-server-http", "owasp:api2:2023-no-http-basic"}
    assert by_id["owasp:api8:2023-no-server-http"].severity == Severity.from_spectral("warn")


# ------------------------------------------------------------------------------ rule cases


def _case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def _cases():
    out = []
    for path in _case_files():
        data = yaml.safe_load(path.read_text("utf-8"))
        for i, case in enumerate(data.get("cases", [])):
            out.append(pytest.param(data["rule"], case, id=f"{path.stem}-{i}"))
    return out


def _write_case(case: dict, folder: Path) -> Path:
    files = case.get("files") or {"spec.yaml": case["document"]}
    entry = None
    for name, content in files.items():
        target = folder / name
        if name.endswith(".json"):
            target.write_text(json.dumps(content, indent=2), encoding="utf-8")
        else:
            target.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
        entry = entry or target
    return entry


def _where(finding, folder: Path) -> str:
    file = Path(finding.location.file)
    file = file if file.is_absolute() else (Path.cwd() / file)
    return f"{file.resolve().relative_to(folder.resolve()).as_posix()}#{finding.location.pointer}"


@pytest.mark.parametrize("rule_name,case", _cases())
def test_rule_case(rule_name, case, owasp_rules, tmp_path):
    assert rule_name in owasp_rules, f"case names unknown rule {rule_name}"
    entry = _write_case(case, tmp_path)
    entry_name = entry.relative_to(tmp_path).as_posix()
    expected = {e if "#" in e else f"{entry_name}#{e}" for e in map(str, case.get("expect") or [])}
    rule = copy.copy(owasp_rules[rule_name])
    result = lint(LintOptions(paths=[str(entry)], rules=[rule], root=tmp_path))
    assert not result.errors, [f"{e.where()}: {e.message}" for e in result.errors]
    got = {_where(f, tmp_path) for f in result.findings if f.rule_id == rule_name}
    assert got == expected, f"{rule_name} fired at {sorted(got)}, expected {sorted(expected)}"
    for f in result.findings:
        assert f.message and "{{" not in f.message and "{" + "error}" not in f.message, f.message


def test_every_rule_has_a_failing_and_a_passing_case():
    seen: dict[str, tuple[int, int]] = {}
    for path in _case_files():
        data = yaml.safe_load(path.read_text("utf-8"))
        name = data["rule"]
        assert path.stem == name.removeprefix("owasp:").replace(":", "-"), f"{path.name} holds {name}"
        failing = sum(1 for c in data["cases"] if c.get("expect"))
        passing = sum(1 for c in data["cases"] if not c.get("expect"))
        seen[name] = (failing, passing)
    assert set(seen) == set(SPECTRAL_SEVERITIES)
    for name, (failing, passing) in seen.items():
        assert failing >= 1 and passing >= 1, f"{name}: {failing} failing, {passing} passing cases"


# ------------------------------------------------------------------------------ functions


@pytest.mark.parametrize("function,options", [
    ("owaspCheckSecurity", {"methods": "post"}),
    ("owaspCheckSecurity", {"nullable": "yes"}),
    ("owaspDifferentSecuritySchemes", {"adminUrl": ""}),
    ("owaspResponseDocumented", {}),
    ("owaspResponseDocumented", {"code": 401}),
])
def test_bad_function_options_are_refused(function, options):
    from apiscan.functions.registry import FunctionContext

    load_builtin_functions()
    ctx = FunctionContext(document=None, path=(), given_path=(), rule=None)
    with pytest.raises(FunctionOptionsError):
        list(FUNCTIONS[function]({"paths": {}}, options, ctx) or ())


def test_bad_options_in_a_user_ruleset_are_an_error_not_a_crash(tmp_path):
    ruleset = tmp_path / ".spectral.yaml"
    ruleset.write_text(
        "extends: [[apiscan:owasp, 'off']]\n"
        "rules:\n"
        "  my-401:\n"
        "    given: $.paths..responses\n"
        "    then: {function: owaspResponseDocumented, functionOptions: {code: 401}}\n",
        encoding="utf-8",
    )
    rules, errors = load_spectral_ruleset(ruleset)
    assert not errors
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                    "      responses: {'200': {description: ok}}\n", encoding="utf-8")
    result = lint(LintOptions(paths=[str(spec)], rules=rules, root=tmp_path))
    assert [e.kind for e in result.errors] == ["rule"]
    assert "my-401" in result.errors[0].message and "code" in result.errors[0].message


# ------------------------------------------------------------------------------ compliance map


@pytest.fixture(scope="module")
def compliance() -> dict:
    return yaml.safe_load(COMPLIANCE_FILE.read_text("utf-8"))


def test_compliance_map_has_the_ten_controls_in_order(compliance):
    ids = [c["id"] for c in compliance["controls"]]
    assert ids == [f"API{n}:2023" for n in range(1, 11)]
    for control in compliance["controls"]:
        assert control["title"].strip() and control["summary"].strip(), control["id"]
        assert control["url"].startswith("https://owasp.org/API-Security/editions/2023/"), control["id"]
        assert control["evidence"], control["id"]


def test_every_compliance_reference_names_a_rule_that_exists(compliance):
    builtins, problems = builtin_rules()
    assert not problems
    known = {r.id for r in builtins} | {r.name for r in builtins if r.name} | set(SPECTRAL_SEVERITIES)
    for control in compliance["controls"]:
        rules = [e["rule"] for e in control["evidence"] if "rule" in e]
        assert len(rules) == len(set(rules)), f"{control['id']} lists a rule twice"
        for item in control["evidence"]:
            if "rule" in item:
                assert set(item) <= {"rule", "note"}, item
                assert item["rule"] in known, f"{control['id']} names unknown rule {item['rule']}"
            else:
                assert item.get("manual") is True and item.get("check", "").strip(), item


def test_every_owasp_rule_is_mapped_to_its_own_control(compliance):
    mapped: dict[str, set[str]] = {}
    for control in compliance["controls"]:
        for item in control["evidence"]:
            if "rule" in item:
                mapped.setdefault(item["rule"], set()).add(control["id"])
    for name in SPECTRAL_SEVERITIES:
        own = "API" + name.split(":")[1].removeprefix("api") + ":2023"
        assert own in mapped.get(name, set()), f"{name} is not mapped to {own}"


def test_every_control_says_what_only_a_person_can_check(compliance):
    for control in compliance["controls"]:
        assert any(item.get("manual") is True for item in control["evidence"]), control["id"]


# ------------------------------------------------------------------------------ end to end


def test_cli_picks_up_a_spectral_ruleset_extending_owasp(tmp_path):
    """The way users run it: `.spectral.yaml` in the folder, Spectral's JSON out, Spectral's codes."""
    import subprocess
    import sys

    (tmp_path / ".spectral.yaml").write_text(
        "extends: [apiscan:owasp]\nrules:\n  owasp:api4:2023-string-restricted: 'off'\n", encoding="utf-8")
    (tmp_path / "api.yaml").write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'http://api.example.com'}]\n"
        "paths: {}\ncomponents:\n  schemas:\n    Name: {type: string}\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "apiscan", "lint", "-f", "spectral-json", "api.yaml"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, proc.stderr
    results = {(r["code"], "/".join(map(str, r["path"])), r["severity"]) for r in json.loads(proc.stdout)}
    assert ("owasp:api8:2023-no-server-http", "servers/0/url", 0) in results
    assert ("owasp:api4:2023-string-limit", "components/schemas/Name", 0) in results
    assert not any(code == "owasp:api4:2023-string-restricted" for code, _, _ in results)
    assert all(code.startswith("owasp:") for code, _, _ in results)
