"""`apiscan inventory PATH... -f table|json|csv [-o FILE]`: the API catalogue of a landscape.

Exit codes: 0, or 2 when any input could not be read (everything else is still shown).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import click

from apiscan.cli.common import EXIT_CLEAN, EXIT_ERROR, fail

TABLE_COLUMNS = (("status", 9), ("methods", 8), ("client_path", 26), ("operation", 30), ("auth", 16),
                 ("limits", 14), ("consumers", 16))


@click.command("inventory")
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="No $ref may leave this folder (default: the inputs' common folder).")
@click.option("--allow-remote-refs", is_flag=True, help="Fetch http(s) $refs (off by default).")
def command(paths, fmt, output, root, allow_remote_refs):
    """List every API, route and spec operation of a landscape: where it is specified, where it is
    exposed, its auth, limits and consumers, plus shadow routes, orphan specs and unrouted operations."""
    from apiscan.inventory.catalogue import build_catalogue
    from apiscan.inventory.scan import scan_landscape
    from apiscan.sources.discover import common_root

    root = (root or common_root(list(paths))).resolve()
    scan = scan_landscape([Path(p) for p in paths], root, allow_remote_refs=allow_remote_refs)
    catalogue = build_catalogue(scan.landscape)
    if fmt == "json":
        text = render_json(scan, catalogue)
    elif fmt == "csv":
        text = render_csv(catalogue)
    else:
        text = render_table(scan, catalogue, shutil.get_terminal_size((120, 40)).columns)
    if output:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {output}: {exc}")
    else:
        click.echo(text, nl=not text.endswith("\n"))
    for err in scan.errors:
        click.echo(f"error: {err.where()}: {err.message}", err=True)
    raise SystemExit(EXIT_ERROR if scan.errors else EXIT_CLEAN)


def render_json(scan, catalogue) -> str:
    from apiscan.inventory.catalogue import COLUMNS

    def rows(items):
        return [{k: r.to_dict().get(k, "") for k in (*COLUMNS, "extra")} for r in items]

    doc = {
        "root": str(scan.landscape.root),
        "gateways": [{"id": g.id, "vendor": g.vendor, "name": g.name, "files": g.files, "partial": g.partial,
                      "apis": len(g.apis), "routes": sum(len(a.routes) for a in g.apis),
                      "consumers": len(g.consumers)} for g in scan.landscape.gateways],
        "specs": [s.to_dict() for s in scan.landscape.specs],
        "apis": rows(catalogue.apis),
        "operations": rows(catalogue.operations),
        "shadow_routes": rows(catalogue.shadow_routes),
        "orphan_specs": catalogue.orphan_specs,
        "unrouted_operations": rows(catalogue.unrouted_operations),
        "partial_gateways": catalogue.partial_gateways,
        "errors": [e.to_dict() for e in scan.errors],
        "skipped": scan.skipped,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_csv(catalogue) -> str:
    from apiscan.inventory.catalogue import COLUMNS

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in [*catalogue.apis, *catalogue.operations]:
        d = row.to_dict()
        writer.writerow([_csv_safe(str(d.get(k, ""))) for k in COLUMNS])
    return buf.getvalue()


def _csv_safe(value: str) -> str:
    """Cells that a spreadsheet would run as a formula are quoted with a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") and value != "-" else value


def _cut(text: str, width: int) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: max(1, width - 1)] + "…"


def _table(rows, columns) -> list[str]:
    header = "  ".join(name.upper().replace("_", " ").ljust(w) for name, w in columns).rstrip()
    out = [header, "-" * len(header)]
    for row in rows:
        d = row.to_dict()
        out.append("  ".join(_cut(str(d.get(name, "") or ""), w).ljust(w) for name, w in columns).rstrip())
    return out


def _fit(columns, width: int):
    """Shrink the widest columns until the table fits the terminal (80 columns at least)."""
    cols = [list(c) for c in columns]
    width = max(80, min(width, 160))
    while sum(w for _, w in cols) + 2 * (len(cols) - 1) > width:
        widest = max(cols, key=lambda c: c[1])
        if widest[1] <= 6:
            break
        widest[1] -= 1
    return [tuple(c) for c in cols]


def render_table(scan, catalogue, width: int = 120) -> str:
    lines: list[str] = []
    land = scan.landscape
    routes = sum(len(a.routes) for g in land.gateways for a in g.apis)
    lines.append(f"{len(land.gateways)} gateway(s), {sum(len(g.apis) for g in land.gateways)} API(s), {routes} route(s), "
                 f"{len(land.specs)} spec(s) with {sum(len(s.operations) for s in land.specs)} operation(s)")
    if catalogue.partial_gateways:
        lines.append(f"partial exports (absence proves nothing): {', '.join(catalogue.partial_gateways)}")
    lines.append("")
    lines.append("APIs")
    api_cols = _fit((("status", 9), ("gateway", 18), ("api", 22), ("route", 10), ("spec", 30), ("auth", 16),
                     ("limits", 14)), width)
    lines.extend(_table(catalogue.apis, api_cols))
    lines.append("")
    lines.append("Operations and routes, by API")
    groups: dict[str, list] = {}
    for row in catalogue.operations:
        key = f"{row.gateway} / {row.api}" if row.gateway else f"spec {row.spec.split('#', 1)[0]}"
        groups.setdefault(key, []).append(row)
    columns = _fit(TABLE_COLUMNS, width)
    for key, rows in groups.items():
        lines.append("")
        lines.append(f"[{key}]")
        lines.extend(_table(rows, columns))
    lines.append("")
    lines.append(f"Shadow routes (no spec operation): {len(catalogue.shadow_routes)}")
    for r in catalogue.shadow_routes:
        lines.append(f"  {r.gateway}  {r.methods} {r.client_path}  ({r.route}; {r.source})")
    lines.append(f"Orphan specs (served by no gateway): {len(catalogue.orphan_specs)}")
    for s in catalogue.orphan_specs:
        lines.append(f"  {s['spec']}  {s['title']} {s['version']}".rstrip())
    lines.append(f"Unrouted operations (deployed spec, no route): {len(catalogue.unrouted_operations)}")
    for r in catalogue.unrouted_operations:
        lines.append(f"  {r.operation}  {r.spec}")
    if scan.errors:
        lines.append(f"Errors: {len(scan.errors)} (see stderr)")
    return "\n".join(lines) + "\n"
