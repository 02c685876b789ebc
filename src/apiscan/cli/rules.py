"""`apiscan rules list|explain|docs`: the catalogue, one rule's documentation, generated docs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from apiscan.cli.common import fail


def _all_rules():
    from apiscan.ruleset.loader import builtin_rules

    rules, problems = builtin_rules()
    for p in problems:
        click.echo(f"warning: {p.file}: {p.message}", err=True)
    return rules


@click.group("rules")
def command():
    """The rule catalogue."""


@command.command("list")
@click.option("--category", help="Only this category.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def list_rules(category, fmt):
    """List every built-in rule."""
    rules = [r for r in _all_rules() if not category or r.category == category]
    if fmt == "json":
        click.echo(json.dumps([r.info().to_dict() for r in rules], indent=2))
        return
    if fmt == "markdown":
        click.echo(render_markdown_index(rules))
        return
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        click.echo(f"{r.id:<8} {r.severity.label:<8} {r.category:<13} {r.name:<{width}}  {r.title}")
    click.echo(f"\n{len(rules)} rules")


@command.command("explain")
@click.argument("rule")
def explain(rule):
    """Show one rule's documentation (by id or name)."""
    matches = [r for r in _all_rules() if rule.lower() in (r.id.lower(), r.name.lower())]
    if not matches:
        fail(f"no rule {rule!r} (see `apiscan rules list`)")
    click.echo(render_markdown_rule(matches[0]))


@command.command("docs")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=Path("docs/rules"), show_default=True)
def docs(output):
    """Generate one markdown page per rule plus an index, from the rules themselves."""
    rules = _all_rules()
    output.mkdir(parents=True, exist_ok=True)
    for r in rules:
        (output / f"{r.id}.md").write_text(render_markdown_rule(r), encoding="utf-8")
    (output / "README.md").write_text(render_markdown_index(rules, links=True), encoding="utf-8")
    click.echo(f"{len(rules)} rule pages written to {output}")


def render_markdown_rule(r) -> str:
    lines = [f"# {r.id} {r.name}", "", f"**{r.title}**", "",
             "| | |", "|---|---|",
             f"| Category | {r.category} |", f"| Capability | {r.capability or '-'} |",
             f"| Severity | {r.severity.label} |", f"| Scope | {r.scope} |",
             f"| Formats | {', '.join(sorted(r.formats)) if r.formats else 'any'} |", ""]
    if r.given:
        lines += ["Selects: " + ", ".join(f"`{g}`" for g in r.given), ""]
    lines += ["## Why", "", r.description or "-", "", "## How to fix", "", r.remediation or "-", ""]
    if r.references:
        lines += ["## References", ""] + [f"- {u}" for u in r.references] + [""]
    return "\n".join(lines)


def render_markdown_index(rules, links: bool = False) -> str:
    lines = ["# apiscan rules", "", f"{len(rules)} built-in rules, generated from `rules/` by `apiscan rules docs`.", "",
             "| Id | Name | Severity | Category | Capability | Title |", "|---|---|---|---|---|---|"]
    for r in rules:
        ident = f"[{r.id}]({r.id}.md)" if links else r.id
        lines.append(f"| {ident} | {r.name} | {r.severity.label} | {r.category} | {r.capability} | {r.title} |")
    return "\n".join(lines) + "\n"
