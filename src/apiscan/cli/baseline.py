"""`apiscan baseline create PATH... -o FILE`: record today's findings so that only new ones fail."""

from __future__ import annotations

from pathlib import Path

import click

from apiscan.cli.common import EXIT_ERROR
from apiscan.cli.lint import lint_options, run_lint


@click.group("baseline")
def command():
    """Baselines: accept today's findings, fail only on new ones."""


@command.command("create")
@lint_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path(".apiscan-baseline.json"),
              show_default=True, help="Where to write the baseline.")
def create(paths, select, ignore, ruleset, rules_dirs, config_file, no_config, allow_remote_refs, root, jobs, landscape,
           output):
    """Write a baseline of the current findings' fingerprints (no line numbers: it survives edits)."""
    from apiscan.suppressions import write_baseline

    result, _ = run_lint(paths, select, ignore, ruleset, rules_dirs, config_file, no_config, allow_remote_refs, root,
                         jobs, landscape)
    count = write_baseline(result.findings, output)
    click.echo(f"baseline written to {output}: {count} finding(s)")
    for err in result.errors:
        click.echo(f"error: {err.where()}: {err.message}", err=True)
    raise SystemExit(EXIT_ERROR if result.errors else 0)
