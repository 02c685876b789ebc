"""The `apiscan` command group. Verbs are imported only when called, so `apiscan lint` starts fast."""

from __future__ import annotations

import importlib

import click

from apiscan import __version__

VERBS = {
    "lint": "apiscan.cli.lint",
    "rules": "apiscan.cli.rules",
    "baseline": "apiscan.cli.baseline",
    "inventory": "apiscan.cli.inventory",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(VERBS)

    def get_command(self, ctx, name):
        module = VERBS.get(name)
        if module is None:
            return None
        try:
            return importlib.import_module(module).command
        except ModuleNotFoundError as exc:
            if exc.name == module:
                return None
            raise


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="apiscan")
def cli():
    """apiscan: API landscape assessment and governance scanner."""


def main() -> None:
    """Run the CLI, then leave without tearing down the heap: freeing a large document's millions
    of objects one by one costs a quarter of a second that nobody waits for on purpose."""
    import os
    import sys

    code = 0
    try:
        cli(standalone_mode=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # pragma: no cover
        code = 130
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
