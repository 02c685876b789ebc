"""Output formats of `apiscan lint` and `apiscan report`.

Each reporter is a module with a pure `render(result, *, color=False) -> str`; only the CLI writes
files. The registry holds module paths, not modules, so choosing `-f github` never pays for
importing the SARIF or markdown code (or, later, jinja2 for HTML): `apiscan lint` must start fast.
"""

from __future__ import annotations

import importlib
from typing import Callable

from apiscan.models.findings import ScanResult

Renderer = Callable[..., str]

REPORTERS: dict[str, str] = {
    "stylish": "apiscan.reporters.stylish",
    "json": "apiscan.reporters.json_report",
    "sarif": "apiscan.reporters.sarif",
    "junit": "apiscan.reporters.junit",
    "github": "apiscan.reporters.github",
    "markdown": "apiscan.reporters.markdown",
    "spectral-json": "apiscan.reporters.spectral_json",
    "spectral-stylish": "apiscan.reporters.spectral_stylish",
}

DEFAULT_REPORTER = "stylish"

# What the CLI may suggest as a file name suffix when it writes a report to a folder.
EXTENSIONS: dict[str, str] = {
    "stylish": ".txt",
    "json": ".json",
    "sarif": ".sarif",
    "junit": ".xml",
    "github": ".txt",
    "markdown": ".md",
    "spectral-json": ".json",
    "spectral-stylish": ".txt",
}


def get_reporter(name: str) -> Renderer:
    """The `render` function of a format, imported on first use."""
    key = name.strip().lower() if isinstance(name, str) else name
    if key not in REPORTERS:
        known = ", ".join(sorted(REPORTERS))
        raise ValueError(f"unknown output format {name!r} (known formats: {known})")
    module = importlib.import_module(REPORTERS[key])
    return module.render


def render(name: str, result: ScanResult, *, color: bool = False) -> str:
    return get_reporter(name)(result, color=color)


__all__ = ["REPORTERS", "DEFAULT_REPORTER", "EXTENSIONS", "get_reporter", "render"]
