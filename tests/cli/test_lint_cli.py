"""The CLI as a user runs it: real processes, exit codes, formats, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GOOD = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1.0.0"},
    "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}},
}


def run(*args, cwd=None):
    proc = subprocess.run([sys.executable, "-m", "apiscan", *args], capture_output=True, text=True, cwd=cwd, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def write(folder: Path, name: str, data) -> Path:
    p = folder / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return p


def test_clean_run_exits_0(tmp_path):
    spec = write(tmp_path, "api.yaml", GOOD)
    proc = run("lint", str(spec), "-r", "GOV001", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No problems" in proc.stdout


def test_findings_exit_1_and_fail_on_threshold(tmp_path):
    bad = dict(GOOD, paths={"/pets": {"get": {"responses": {"200": {"description": "ok"}, "oops": 1}}}})
    spec = write(tmp_path, "api.yaml", bad)
    assert run("lint", str(spec), "-r", "GOV001", cwd=tmp_path).returncode == 1
    assert run("lint", str(spec), "-r", "GOV001", "--fail-on", "critical", cwd=tmp_path).returncode == 0


def test_broken_file_is_an_error_with_line_and_the_rest_still_runs(tmp_path):
    write(tmp_path, "specs/broken.yaml", "openapi: 3.0.3\ninfo:\n  title: x\n  title: y\n")
    write(tmp_path, "specs/ok.yaml", GOOD)
    proc = run("lint", "specs", "-r", "GOV001", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 2
    result = json.loads(proc.stdout)
    assert [d["file"] for d in result["documents"]] == ["specs/ok.yaml"]
    (err,) = result["errors"]
    assert err["file"] == "specs/broken.yaml" and err["line"] == 4 and "duplicate key" in err["message"]


def test_non_api_yaml_in_a_folder_is_skipped_quietly(tmp_path):
    write(tmp_path, "specs/api.yaml", GOOD)
    write(tmp_path, "specs/docker-compose.yml", {"services": {"web": {"image": "nginx"}}})
    proc = run("lint", "specs", "-r", "GOV001", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 0
    result = json.loads(proc.stdout)
    assert result["skipped"] == ["specs/docker-compose.yml"] and not result["errors"]


def test_globs_and_jobs(tmp_path):
    for i in range(4):
        write(tmp_path, f"specs/api{i}.yaml", dict(GOOD, paths={f"/p{i}": {"get": {"responses": {"200": {"description": "ok"}}}}}))
    serial = json.loads(run("lint", "specs/*.yaml", "-f", "json", cwd=tmp_path).stdout)
    parallel = json.loads(run("lint", "specs/*.yaml", "-f", "json", "-j", "2", cwd=tmp_path).stdout)
    assert len(serial["documents"]) == 4
    key = lambda r: sorted((f["rule_id"], f["location"]["file"], f["location"]["pointer"]) for f in r["findings"])
    assert key(serial) == key(parallel) and key(serial)


def test_missing_input_is_an_error(tmp_path):
    proc = run("lint", "nope.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert "nope.yaml" in proc.stdout + proc.stderr


def test_several_formats_in_one_run(tmp_path):
    spec = write(tmp_path, "api.yaml", GOOD)
    proc = run("lint", str(spec), "-f", "sarif:out/r.sarif", "-f", "junit:out/r.xml", "-f", "github", cwd=tmp_path)
    assert proc.returncode in (0, 1)
    sarif = json.loads((tmp_path / "out/r.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["rules"]
    assert (tmp_path / "out/r.xml").read_text().startswith("<?xml")
    assert "::" in proc.stdout


def test_config_file_select_severity_and_path_ignores(tmp_path):
    write(tmp_path, "apiscan.yaml", {"select": ["GOV001"], "severity": {"GOV001": "critical"},
                                     "ignore-paths": {"legacy/*": ["*"]}, "fail-on": "critical"})
    bad = dict(GOOD, paths={"/pets": {"get": {"responses": {"oops": 1}}}})
    write(tmp_path, "api.yaml", bad)
    write(tmp_path, "legacy/old.yaml", bad)
    result = json.loads(run("lint", ".", "-f", "json", cwd=tmp_path).stdout)
    by_file = {f["location"]["file"]: f for f in result["findings"]}
    assert by_file["api.yaml"]["severity"] == "critical" and "suppression" not in by_file["api.yaml"]
    assert by_file["legacy/old.yaml"]["suppression"]["kind"] == "config"
    assert {r["id"] for r in result["rules"]} == {"GOV001"}


def test_bad_config_is_a_clear_error(tmp_path):
    write(tmp_path, "apiscan.yaml", {"selekt": ["x"]})
    write(tmp_path, "api.yaml", GOOD)
    proc = run("lint", "api.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown key" in proc.stderr


def test_baseline_suppresses_known_findings_only(tmp_path):
    bad = dict(GOOD, paths={"/pets": {"get": {"responses": {"oops": 1}}}})
    spec = write(tmp_path, "api.yaml", bad)
    assert run("baseline", "create", "api.yaml", "-r", "GOV001", "-o", "base.json", cwd=tmp_path).returncode == 0
    # an edit that moves lines keeps the baseline valid; a new problem is new
    spec.write_text("# comment\n\n" + spec.read_text())
    proc = run("lint", "api.yaml", "-r", "GOV001", "--baseline", "base.json", "-f", "json", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert proc.returncode == 0 and all(f["suppression"]["kind"] == "baseline" for f in result["findings"])
    worse = dict(bad, paths={**bad["paths"], "/x": {"get": {"responses": {"oops": 2}}}})
    spec.write_text(yaml.safe_dump(worse))
    proc = run("lint", "api.yaml", "-r", "GOV001", "--baseline", "base.json", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert [f["location"]["pointer"] for f in json.loads(proc.stdout)["findings"] if "suppression" not in f] == ["/paths/~1x/get/responses"]


def test_rules_list_and_explain():
    listing = run("rules", "list")
    assert listing.returncode == 0 and "GOV001" in listing.stdout
    explain = run("rules", "explain", "oas-schema-valid")
    assert explain.returncode == 0 and "## How to fix" in explain.stdout
    assert run("rules", "explain", "NOPE999").returncode == 2


def test_spectral_ruleset_with_alias_override_and_js_function(tmp_path):
    write(tmp_path, ".spectral.yaml", """
aliases:
  Operation: "$.paths[*][get,post]"
functions: [customCheck]
rules:
  op-summary:
    severity: error
    given: "#Operation"
    then: {field: summary, function: truthy}
  needs-js:
    given: $
    then: {function: customCheck}
overrides:
  - files: ["legacy/**"]
    rules: {op-summary: "off"}
""")
    write(tmp_path, "api.yaml", GOOD)
    write(tmp_path, "legacy/old.yaml", GOOD)
    proc = run("lint", ".", "-f", "json", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert [(f["rule_id"], f["location"]["file"]) for f in result["findings"]] == [("op-summary", "api.yaml")]
    assert any("customCheck" in e["message"] and "Python" in e["message"] for e in result["errors"])
    assert proc.returncode == 2


def test_landscape_mode_runs_gateway_rules_on_exports(tmp_path):
    write(tmp_path, "kong.yaml", """_format_version: "3.0"
services:
  - name: admin
    url: http://admin.internal:8080
    routes:
      - name: admin
        paths: [/admin]
""")
    write(tmp_path, "api.yaml", GOOD)
    plain = json.loads(run("lint", ".", "-r", "GW001", "-f", "json", cwd=tmp_path).stdout)
    assert plain["findings"] == []  # without --landscape, gateway exports are not read
    proc = run("lint", "--landscape", ".", "-r", "GW001", "-f", "json", cwd=tmp_path)
    result = json.loads(proc.stdout)
    assert [(f["rule_id"], f["location"]["pointer"]) for f in result["findings"]] == [("GW001", "/services/0/routes/0")]
    assert any(d["kind"] == "gateway:kong" for d in result["documents"])
    assert proc.returncode == 1


def test_pyproject_tool_section_is_found_upward(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.apiscan]\nselect = ["GOV001"]\nfail-on = "critical"\n')
    bad = dict(GOOD, paths={"/pets": {"get": {"responses": {"oops": 1}}}})
    write(tmp_path, "sub/dir/api.yaml", bad)
    proc = run("lint", "api.yaml", "-f", "json", cwd=tmp_path / "sub" / "dir")
    result = json.loads(proc.stdout)
    assert {r["id"] for r in result["rules"]} == {"GOV001"}
    assert proc.returncode == 0  # a high finding, below the configured critical threshold
