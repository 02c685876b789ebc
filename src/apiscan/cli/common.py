"""What several verbs share: exit codes, output specs (`-f NAME[:FILE]`), rule loading with config."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import click

from apiscan.models import ScanResult, Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    click.echo(f"apiscan: {message}", err=True)
    raise SystemExit(EXIT_ERROR)


@dataclass
class OutputSpec:
    format: str
    file: Path | None


def parse_output_specs(values: tuple[str, ...], default: str = "stylish") -> list[OutputSpec]:
    specs = []
    for v in values or (default,):
        name, _, file = v.partition(":")
        specs.append(OutputSpec(name.strip().lower(), Path(file) if file else None))
    return specs


def write_outputs(result: ScanResult, specs: list[OutputSpec], color: bool | None) -> None:
    from apiscan.reporters import get_reporter

    for spec in specs:
        try:
            render = get_reporter(spec.format)
        except ValueError as exc:
            fail(str(exc))
        use_color = (color if color is not None else sys.stdout.isatty()) and spec.file is None
        text = render(result, color=use_color)
        if spec.file is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            try:
                spec.file.parent.mkdir(parents=True, exist_ok=True)
                if isinstance(text, bytes):
                    spec.file.write_bytes(text)
                else:
                    spec.file.write_text(text, encoding="utf-8")
            except OSError as exc:
                fail(f"cannot write {spec.file}: {exc}")


def exit_code(result: ScanResult, fail_on: Severity) -> int:
    if result.errors:
        return EXIT_ERROR
    if any(f.severity >= fail_on for f in result.active_findings()):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def split_list(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def severity_option(value: str | None) -> Severity | None:
    if value is None:
        return None
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
