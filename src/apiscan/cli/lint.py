"""`apiscan lint PATH...`: lint OpenAPI descriptions; exit 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import os
from pathlib import Path

import click

from apiscan.cli.common import (
    exit_code, fail, parse_output_specs, severity_option, split_list, write_outputs,
)
from apiscan.models import Severity


def lint_options(fn):
    """Options shared by `lint` and `baseline create` (same selection, same inputs)."""
    for decorator in reversed([
        click.argument("paths", nargs=-1, required=True),
        click.option("-r", "--rule", "--select", "select", multiple=True, help="Only these rules (ids, names, categories; comma-separated)."),
        click.option("--ignore", "ignore", multiple=True, help="Skip these rules (ids, names, categories)."),
        click.option("--ruleset", type=click.Path(dir_okay=False, path_type=Path), help="A Spectral ruleset (.spectral.yaml) to run."),
        click.option("--rules-dir", "rules_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path), help="An extra folder of rule files."),
        click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), help="Configuration file (default: nearest apiscan.yaml or pyproject.toml)."),
        click.option("--no-config", is_flag=True, help="Ignore configuration files."),
        click.option("--allow-remote-refs", is_flag=True, default=None, help="Fetch http(s) $refs (off by default)."),
        click.option("--root", type=click.Path(file_okay=False, path_type=Path), help="No $ref may leave this folder (default: the current folder, or the inputs' common folder)."),
        click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes."),
        click.option("-L", "--landscape", is_flag=True, help="Also read gateway exports in the inputs and run the gateway rules (routes, APIs, consumers, reconciliation with the specs)."),
    ]):
        fn = decorator(fn)
    return fn


def run_lint(paths, select, ignore, ruleset, rules_dirs, config_file, no_config, allow_remote_refs, root, jobs,
             landscape=False):
    """Shared by lint and baseline: returns (ScanResult, Config)."""
    from apiscan.cli.rulesel import assemble_rules
    from apiscan.config import ConfigError, Config, find_config, load_config
    from apiscan.lint import LintOptions, lint
    from apiscan.sources.discover import common_root

    try:
        cfg = Config() if no_config else load_config(config_file or find_config())
    except ConfigError as exc:
        fail(str(exc))
    if ruleset is None and cfg.ruleset is None:
        from apiscan.ruleset.spectral import find_spectral_ruleset

        ruleset = find_spectral_ruleset(Path.cwd())  # Spectral's own pick-up rule
    rules, rule_errors = assemble_rules(cfg, split_list(select), split_list(ignore), ruleset, list(rules_dirs))
    if not rules and not rule_errors:
        fail("no rule selected (check --rule / --ignore / select in the configuration)")
    root = (root or _default_root(list(paths), common_root)).resolve()
    opts = LintOptions(paths=list(paths), rules=rules, root=root,
                       allow_remote_refs=bool(allow_remote_refs if allow_remote_refs is not None else cfg.allow_remote_refs),
                       jobs=jobs, severity_overrides=cfg.severity, exits_after=True)
    result = lint(opts)
    result.errors[:0] = rule_errors
    if landscape:
        _lint_landscape(result, list(paths), rules, root, opts.allow_remote_refs)
    if any(r.extra.get("spectral") for r in rules):
        from apiscan.ruleset.spectral import apply_overrides

        result.findings = apply_overrides(result.findings, rules, root)
    if cfg.ignore_paths:
        from apiscan.suppressions import apply_path_ignores

        base = Path(cfg.file).parent if cfg.file else Path.cwd()
        apply_path_ignores(result.findings, cfg.ignore_paths, lambda f: _rel(f, base))
    return result, cfg


def _lint_landscape(result, paths: list[str], rules, root: Path, allow_remote_refs: bool) -> None:
    """Gateway exports beside the specs: import them, reconcile, run the non-document rules."""
    from apiscan.engine import run_landscape_rules
    from apiscan.inventory.scan import scan_landscape
    from apiscan.lint import _relative
    from apiscan.models import DocumentInfo
    from apiscan.models.findings import result_order

    scan = scan_landscape([Path(p) for p in paths], root, allow_remote_refs=allow_remote_refs)
    known = {e.file for e in result.errors}
    result.errors.extend(e for e in scan.errors if e.file not in known)
    for gw in scan.landscape.gateways:
        for file in gw.files:
            result.documents.append(DocumentInfo(file=file, kind=f"gateway:{gw.vendor}", title=gw.name or gw.id))
    result.skipped = [s for s in result.skipped if not any(s in gw.files for gw in scan.landscape.gateways)]
    out = run_landscape_rules([r for r in rules if r.scope not in ("document", "operation")], scan.landscape)
    result.errors.extend(out.errors)
    for f in out.findings:
        f.compute_fingerprint(_relative(f.location.file, root))
    result.findings.extend(out.findings)
    result.findings.sort(key=result_order)


def _default_root(paths: list[str], common_root) -> Path:
    cwd = Path.cwd().resolve()
    inputs = common_root(paths)
    try:
        inputs.relative_to(cwd)
        return cwd
    except ValueError:
        return inputs


def _rel(file: str, base: Path) -> str:
    try:
        return str(Path(file).resolve().relative_to(base.resolve())).replace(os.sep, "/")
    except ValueError:
        return file


@click.command("lint")
@lint_options
@click.option("-f", "--format", "formats", multiple=True, metavar="NAME[:FILE]",
              help="Output format, repeatable: stylish (default), json, sarif, junit, github, markdown, spectral-json, spectral-stylish. Add :FILE to write to a file.")
@click.option("--fail-on", "fail_on", default=None, metavar="SEVERITY", help="Exit 1 when a finding is at or above: info, low, medium, high (default), critical.")
@click.option("--baseline", "baseline", type=click.Path(dir_okay=False, path_type=Path), help="Mark findings present in this baseline as suppressed.")
@click.option("--color/--no-color", default=None, help="Colour output (default: only on a terminal).")
def command(paths, select, ignore, ruleset, rules_dirs, config_file, no_config, allow_remote_refs, root, jobs,
            landscape, formats, fail_on, baseline, color):
    """Lint OpenAPI 2.0/3.0/3.1 descriptions (files, folders, globs)."""
    specs = parse_output_specs(formats)
    threshold = severity_option(fail_on)
    result, cfg = run_lint(paths, select, ignore, ruleset, rules_dirs, config_file, no_config, allow_remote_refs, root,
                           jobs, landscape)
    baseline = baseline or cfg.baseline
    if baseline is not None:
        from apiscan.suppressions import BaselineError, apply_baseline, load_baseline

        try:
            apply_baseline(result.findings, load_baseline(baseline), str(baseline))
        except BaselineError as exc:
            fail(str(exc))
    write_outputs(result, specs, color)
    raise SystemExit(exit_code(result, threshold or cfg.fail_on or Severity.HIGH))
