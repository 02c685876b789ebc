"""Project configuration: `apiscan.yaml` (or `.apiscan.yaml`) or `[tool.apiscan]` in
pyproject.toml, the nearest one upward from the current folder. Command-line flags win.

```yaml
select: [security, DOC001]          # ids, names, categories; default: all built-in rules
ignore: [DES004]
severity: {SEC003: critical, no-trailing-slash: low}
ignore-paths:                        # per-path ignores: glob → rules ("*" = all)
  "legacy/**": ["*"]
  "specs/internal-*.yaml": [SEC001]
rules-dirs: [governance/rules]       # extra rule folders, relative to this file
ruleset: .spectral.yaml              # a Spectral ruleset to run instead of / besides ours
fail-on: high
baseline: .apiscan-baseline.json
allow-remote-refs: false
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiscan.models import Severity
from apiscan.sources.document import DocumentError, load_document

CONFIG_NAMES = ("apiscan.yaml", "apiscan.yml", ".apiscan.yaml", ".apiscan.yml")
KNOWN_KEYS = {"select", "ignore", "severity", "ignore-paths", "rules-dirs", "ruleset", "fail-on", "baseline",
              "allow-remote-refs", "format", "root"}


class ConfigError(Exception):
    def __init__(self, file: str, message: str, line: int | None = None):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Config:
    file: str | None = None
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, Severity] = field(default_factory=dict)
    ignore_paths: dict[str, list[str]] = field(default_factory=dict)
    rules_dirs: list[Path] = field(default_factory=list)
    ruleset: Path | None = None
    fail_on: Severity | None = None
    baseline: Path | None = None
    allow_remote_refs: bool = False


def find_config(start: Path | None = None) -> Path | None:
    folder = (start or Path.cwd()).resolve()
    for candidate in [folder, *folder.parents]:
        for name in CONFIG_NAMES:
            if (candidate / name).is_file():
                return candidate / name
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _pyproject_section(pyproject) is not None:
            return pyproject
    return None


def _pyproject_section(path: Path) -> dict | None:
    import tomllib

    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    section = data.get("tool", {}).get("apiscan")
    return section if isinstance(section, dict) else None


def load_config(path: Path | None) -> Config:
    if path is None:
        return Config()
    if path.name == "pyproject.toml":
        raw = _pyproject_section(path) or {}
    else:
        try:
            raw = load_document(path).data or {}
        except DocumentError as exc:
            raise ConfigError(str(path), exc.message, exc.line) from None
    if not isinstance(raw, dict):
        raise ConfigError(str(path), "configuration must be a mapping")
    return parse_config(raw, path)


def _strings(raw: dict, key: str, file: str) -> list[str]:
    value = raw.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(file, f"`{key}` must be a list of strings")
    return value


def parse_config(raw: dict[str, Any], path: Path) -> Config:
    file = str(path)
    unknown = set(raw) - KNOWN_KEYS
    if unknown:
        raise ConfigError(file, f"unknown key(s): {', '.join(sorted(unknown))} (known: {', '.join(sorted(KNOWN_KEYS))})")
    base = path.parent
    cfg = Config(file=file)
    cfg.select = _strings(raw, "select", file)
    cfg.ignore = _strings(raw, "ignore", file)
    sev = raw.get("severity") or {}
    if not isinstance(sev, dict):
        raise ConfigError(file, "`severity` must map rule ids or names to severities")
    for rule, value in sev.items():
        try:
            cfg.severity[str(rule)] = Severity.parse(value)
        except ValueError as exc:
            raise ConfigError(file, f"severity of {rule}: {exc}") from None
    ip = raw.get("ignore-paths") or {}
    if isinstance(ip, list):  # [{path: glob, rules: [...]}]
        ip = {str(e.get("path")): e.get("rules", ["*"]) for e in ip if isinstance(e, dict)}
    if not isinstance(ip, dict):
        raise ConfigError(file, "`ignore-paths` must map globs to lists of rules")
    cfg.ignore_paths = {str(k): ([v] if isinstance(v, str) else [str(x) for x in (v or ["*"])]) for k, v in ip.items()}
    cfg.rules_dirs = [base / d for d in _strings(raw, "rules-dirs", file)]
    if raw.get("ruleset"):
        cfg.ruleset = base / str(raw["ruleset"])
    if raw.get("fail-on"):
        try:
            cfg.fail_on = Severity.parse(raw["fail-on"])
        except ValueError as exc:
            raise ConfigError(file, f"fail-on: {exc}") from None
    if raw.get("baseline"):
        cfg.baseline = base / str(raw["baseline"])
    cfg.allow_remote_refs = bool(raw.get("allow-remote-refs", False))
    return cfg
