"""docs/rules/ is generated from the rules (`make rules-docs`); it must not drift from them."""

from pathlib import Path

from apiscan.cli.rules import render_markdown_index, render_markdown_rule
from apiscan.ruleset.loader import builtin_rules

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_rule_docs_are_up_to_date():
    rules, _ = builtin_rules()
    stale = [r.id for r in rules if not (DOCS / f"{r.id}.md").is_file()
             or (DOCS / f"{r.id}.md").read_text("utf-8") != render_markdown_rule(r)]
    assert not stale, f"run `make rules-docs`: stale or missing pages for {stale}"
    assert (DOCS / "README.md").read_text("utf-8") == render_markdown_index(rules, links=True)
