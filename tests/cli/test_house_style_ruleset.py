"""A company style guide in the shape real Spectral rulesets take (fixtures/rulesets/house-style):
extends spectral:oas and a local file, aliases (plain and format-scoped), a severity change and an
`off`, custom rules on core functions, a `then` list, a JavaScript function ported to Python,
overrides by glob and by glob#pointer. It must load with no error and give exactly these results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parents[2] / "fixtures" / "rulesets" / "house-style"

EXPECTED = {
    ("camel-case-properties", "specs/orders.yaml", "/components/schemas/Order/properties/order_id", "medium"),
    ("schema-has-description", "specs/orders.yaml", "/components/schemas/Order", "low"),
    ("kebab-case-paths", "specs/orders.yaml", "/paths/~1getOrderTotals", "medium"),
    ("no-http-verbs-in-path", "specs/orders.yaml", "/paths/~1getOrderTotals", "medium"),
    ("problem-json-errors", "specs/orders.yaml", "/paths/~1orders/get/responses/404", "medium"),
    ("limit-has-maximum", "specs/orders.yaml", "/paths/~1orders/get/parameters/0/schema", "medium"),
    ("limit-has-maximum", "specs/orders.yaml", "/paths/~1orders/get/parameters/0/schema/type", "medium"),
}


def test_house_style_ruleset_runs_unchanged():
    proc = subprocess.run([sys.executable, "-m", "apiscan", "lint", "specs", "-f", "json"], cwd=FOLDER,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert result["errors"] == []
    got = {(f["rule_id"], f["location"]["file"], f["location"]["pointer"], f["severity"]) for f in result["findings"]}
    assert got == EXPECTED
    # the overrides: kebab-case is off for legacy/, the export path may say "export"
    assert not any(f["location"]["file"].startswith("specs/legacy") and f["rule_id"] == "kebab-case-paths"
                   for f in result["findings"])
    assert proc.returncode == 0  # only warnings and infos: Spectral's default fail severity is error


def test_spectral_json_output_of_the_same_run_has_spectrals_shape():
    proc = subprocess.run([sys.executable, "-m", "apiscan", "lint", "specs", "-f", "spectral-json"], cwd=FOLDER,
                          capture_output=True, text=True, timeout=120)
    items = json.loads(proc.stdout)
    assert {i["code"] for i in items} == {e[0] for e in EXPECTED}
    first = items[0]
    assert set(first) >= {"code", "path", "message", "severity", "range", "source"}
    assert first["severity"] in (0, 1, 2, 3) and isinstance(first["path"], list)
    assert first["range"]["start"]["line"] >= 0 and Path(first["source"]).is_absolute()
