"""Run one importer over a folder the way the landscape scan does: claim, then load each bundle."""

from __future__ import annotations

from pathlib import Path

from apiscan.sources.gateways.base import FileSet


def import_folder(importer, root: Path):
    """(bundles, gateways, errors, fileset) for every file under `root`."""
    fs = FileSet(root, sorted(p for p in root.rglob("*") if p.is_file()))
    bundles = importer.claim(fs)
    gateways, errors = [], []
    for bundle in bundles:
        result = importer.load(bundle, fs)
        gateways += result.gateways
        errors += result.errors
    return bundles, gateways, errors, fs


def api_named(gateway, name: str):
    return next(a for a in gateway.apis if a.name == name)


def route_at(api, method: str, path: str):
    """The route of `api` for exactly one method and this client path."""
    return next(r for r in api.routes if r.methods == [method] and r.path == path)
