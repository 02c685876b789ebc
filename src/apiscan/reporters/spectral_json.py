"""Spectral's `--format json` output, so scripts and CI steps written for Spectral read ours as-is.

A JSON array of `{code, path, message, severity, range, source}` (plus `documentationUrl` when
the rule has one), indented with tabs as Spectral prints it. See `_spectral` for the mapping.
"""

from __future__ import annotations

from apiscan.models.findings import ScanResult
from apiscan.reporters._jsonout import dumps
from apiscan.reporters._spectral import diagnostics


def render(result: ScanResult, *, color: bool = False) -> str:
    return dumps(diagnostics(result), tabs=True)
