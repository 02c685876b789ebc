"""The landscape scan: every input file, every gateway importer, then the remaining API descriptions.

Why one pass in this order: importers are detected by content and claim their files first (an AWS
export is also OpenAPI, an APIOps tree holds specification files), so a file is read once, read
as what it really is, and a gateway export is never linted as a stray spec. Whatever goes wrong
in one importer or one file becomes a ScanError naming it; the rest of the landscape still loads.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from apiscan.models import ScanError
from apiscan.models.gateway import Gateway
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways import IMPORTER_MODULES
from apiscan.sources.gateways.base import Bundle, FileSet
from apiscan.inventory.landscape import Landscape
from apiscan.inventory.reconcile import reconcile
from apiscan.inventory.specs import SpecRecord, spec_record

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class LandscapeScan:
    landscape: Landscape
    errors: list[ScanError] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _discover(paths: list[Path], root: Path) -> tuple[list[Path], list[str]]:
    try:
        from apiscan.sources.discover import discover
    except ImportError:  # pragma: no cover - the lead's module is in the tree; kept for old checkouts
        return _walk(paths), []
    out = discover([str(p) for p in paths], root, suffixes=None)
    if isinstance(out, tuple):
        return list(out[0]), list(out[1])
    return list(out), []


def _walk(paths: list[Path]) -> list[Path]:  # pragma: no cover - fallback only
    files: list[Path] = []
    for p in paths:
        if p.is_file():
            files.append(p)
        elif p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                files.extend(Path(dirpath) / f for f in sorted(filenames))
    return files


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _run_importers(fileset: FileSet, errors: list[ScanError]) -> tuple[list[Gateway], list[Path]]:
    gateways: list[Gateway] = []
    also_spec: list[Path] = []
    for module_name in IMPORTER_MODULES:
        vendor = module_name.rsplit(".", 1)[-1]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue  # that importer is not written yet
            errors.append(ScanError(module_name, f"importer {vendor} cannot be loaded: {exc}", kind="input"))
            continue
        except Exception as exc:
            errors.append(ScanError(module_name, f"importer {vendor} cannot be loaded: {exc!r}", kind="input"))
            continue
        importer = getattr(module, "IMPORTER", None)
        if importer is None:
            continue
        try:
            bundles: list[Bundle] = importer.claim(fileset)
        except Exception as exc:
            errors.append(ScanError(module_name, f"importer {vendor} failed while detecting files: {exc!r}",
                                    kind="input"))
            continue
        for bundle in bundles:
            try:
                result = importer.load(bundle, fileset)
            except Exception as exc:
                errors.append(ScanError(fileset.relative(bundle.root),
                                        f"importer {vendor} failed on this {bundle.vendor} bundle: {exc!r}",
                                        kind="input"))
                continue
            gateways.extend(result.gateways)
            also_spec.extend(p for p in bundle.also_spec if p not in also_spec)
            for e in result.errors:
                errors.append(ScanError(e.file, e.message, kind="input", pointer=e.pointer, line=e.line,
                                        column=e.column))
    return gateways, also_spec


def _load_specs(candidates: list[Path], fileset: FileSet, root: Path, allow_remote_refs: bool,
                errors: list[ScanError], skipped: list[str]) -> list[SpecRecord]:
    from apiscan.sources.openapi import NotAnApiDescription, load_api_document

    specs: list[SpecRecord] = []
    for path in candidates:
        rel = fileset.relative(path)
        if path.suffix.lower() not in SPEC_SUFFIXES:
            skipped.append(rel)
            continue
        try:
            loaded = fileset.load(path)
            doc = load_api_document(path, root, allow_remote_refs=allow_remote_refs, loaded=loaded, display=rel)
            specs.append(spec_record(doc))
        except NotAnApiDescription:
            skipped.append(rel)
        except DocumentError as exc:
            errors.append(ScanError(rel, exc.message, kind="parse", line=exc.line, column=exc.column))
        except Exception as exc:  # a description the loader could not handle: name it, keep the rest
            errors.append(ScanError(rel, f"cannot read API description: {exc!r}", kind="input"))
    return specs


def scan_landscape(paths: list[Path], root: Path, *, allow_remote_refs: bool = False) -> LandscapeScan:
    """Import every gateway export and API description under `paths` and reconcile them."""
    root = root.resolve()
    errors: list[ScanError] = []
    skipped: list[str] = []
    files, problems = _discover(paths, root)
    for message in problems:
        arg, _, why = message.partition(": ")
        errors.append(ScanError(arg, why or message, kind="io"))
    fileset = FileSet(root, [f.resolve() for f in files])
    gateways, also_spec = _run_importers(fileset, errors)
    candidates = fileset.unclaimed() + [p for p in also_spec if p in fileset.claimed]
    specs = _load_specs(candidates, fileset, root, allow_remote_refs, errors, skipped)
    landscape = Landscape(root=root, gateways=gateways, specs=specs)
    landscape.reconciliation = reconcile(gateways, specs)
    return LandscapeScan(landscape=landscape, errors=errors, skipped=sorted(skipped))
