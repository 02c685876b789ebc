"""Assemble the rules a run uses: built-in rules, extra folders, a Spectral ruleset, then
selection and severity overrides from config and flags."""

from __future__ import annotations

from pathlib import Path

from apiscan.config import Config
from apiscan.models import ScanError
from apiscan.ruleset.loader import builtin_rules, load_rule_dir, select
from apiscan.ruleset.model import Rule


def assemble_rules(cfg: Config, include: list[str], exclude: list[str], ruleset: Path | None,
                   extra_dirs: list[Path] | None = None) -> tuple[list[Rule], list[ScanError]]:
    errors: list[ScanError] = []
    rules: list[Rule] = []
    ruleset = ruleset or cfg.ruleset
    if ruleset is not None:
        from apiscan.ruleset.spectral import load_spectral_ruleset

        rs_rules, rs_errors = load_spectral_ruleset(ruleset)
        rules.extend(rs_rules)
        errors.extend(rs_errors)
    else:
        builtin, problems = builtin_rules()
        rules.extend(builtin)
        errors.extend(ScanError(file=p.file, message=p.message, kind="rule", line=p.line) for p in problems)
    for folder in [*cfg.rules_dirs, *(extra_dirs or [])]:
        extra, problems = load_rule_dir(folder)
        rules.extend(extra)
        errors.extend(ScanError(file=p.file, message=p.message, kind="config", line=p.line) for p in problems)
    rules = select(rules, include or cfg.select or None, [*cfg.ignore, *exclude] or None)
    for r in rules:
        if r.broken:
            errors.append(ScanError(file=r.file or r.source, kind="rule", rule_id=r.id, message=r.broken))
    return [r for r in rules if not r.broken], errors
