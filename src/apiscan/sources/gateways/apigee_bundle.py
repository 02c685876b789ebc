"""Reading Apigee proxy and shared-flow bundles from a folder or a zip, safely.

A bundle is a tree of small XML files (`apiproxy/proxies/*.xml`, `policies/*.xml`, ...). Zips are
read in memory only, with bounds on entry count and sizes and without trusting entry names, so a
hostile archive can neither fill memory nor write anywhere. Both sources end up as the same
mapping of bundle-relative path → bytes, so the interpretation code never knows which it was.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_ZIP_ENTRIES = 5000
MAX_ZIP_TOTAL = 64 * 1024 * 1024
MAX_ENTRY_BYTES = 4 * 1024 * 1024
BUNDLE_DIRS = ("apiproxy", "sharedflowbundle")


@dataclass
class BundleFiles:
    """XML files of one bundle: `kind` apiproxy | sharedflowbundle; paths relative to its root dir."""

    kind: str
    label: str  # how to name files in messages: the folder or `archive.zip!`
    files: dict[str, bytes] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (file label, message)

    def display(self, rel: str) -> str:
        return f"{self.label}/{rel}" if not self.label.endswith("!") else f"{self.label}{self.kind}/{rel}"


def bundle_root(path: Path) -> Path | None:
    """The nearest ancestor folder named apiproxy or sharedflowbundle, if any."""
    for parent in path.parents:
        if parent.name in BUNDLE_DIRS:
            return parent
    return None


def read_folder(root: Path, files: list[Path], label: str) -> BundleFiles:
    bundle = BundleFiles(kind=root.name, label=label)
    for f in files:
        if f.suffix.lower() != ".xml":
            continue
        rel = f.relative_to(root).as_posix()
        try:
            size = f.stat().st_size
            if size > MAX_ENTRY_BYTES:
                bundle.errors.append((bundle.display(rel), f"file is {size} bytes, over the {MAX_ENTRY_BYTES}-byte limit"))
                continue
            bundle.files[rel] = f.read_bytes()
        except OSError as exc:
            bundle.errors.append((bundle.display(rel), f"cannot read file: {exc.strerror or exc}"))
    return bundle


def is_bundle_zip(path: Path) -> bool:
    """A zip whose entries include an apiproxy/ or sharedflowbundle/ tree (cheap: names only)."""
    try:
        with open(path, "rb") as fh:
            if fh.read(4) != b"PK\x03\x04":
                return False
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()[:MAX_ZIP_ENTRIES]
    except (OSError, zipfile.BadZipFile, ValueError):
        return False
    return any(PurePosixPath(n).parts[:1] in (("apiproxy",), ("sharedflowbundle",)) or
               any(p in BUNDLE_DIRS for p in PurePosixPath(n).parts[:3]) for n in names)


def _safe_name(name: str) -> PurePosixPath | None:
    name = name.replace("\\", "/")
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or name.startswith("/") or ":" in (p.parts[0] if p.parts else ""):
        return None
    return p


def read_zip(path: Path, label: str) -> tuple[list[BundleFiles], list[str]]:
    """Bundles inside a zip (usually one) and archive-level errors. Never extracts to disk."""
    errors: list[str] = []
    bundles: dict[tuple[str, str], BundleFiles] = {}
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        return [], [f"not a readable zip archive: {exc}"]
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            return [], [f"zip has {len(infos)} entries, over the {MAX_ZIP_ENTRIES}-entry limit"]
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            p = _safe_name(info.filename)
            if p is None:
                errors.append(f"entry {info.filename!r} has an unsafe path and was skipped")
                continue
            idx = next((i for i, part in enumerate(p.parts) if part in BUNDLE_DIRS), None)
            if idx is None or p.suffix.lower() != ".xml":
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                errors.append(f"entry {info.filename!r} is {info.file_size} bytes, over the {MAX_ENTRY_BYTES}-byte limit")
                continue
            total += info.file_size
            if total > MAX_ZIP_TOTAL:
                errors.append(f"zip content over the {MAX_ZIP_TOTAL}-byte limit; the rest was skipped")
                break
            kind = p.parts[idx]
            prefix = "/".join(p.parts[:idx])
            bundle = bundles.setdefault((prefix, kind), BundleFiles(kind=kind, label=f"{label}!{prefix + '/' if prefix else ''}"))
            rel = "/".join(p.parts[idx + 1:])
            try:
                with zf.open(info) as fh:
                    data = fh.read(MAX_ENTRY_BYTES + 1)  # do not trust the declared size
            except (OSError, zipfile.BadZipFile, RuntimeError, ValueError) as exc:
                errors.append(f"entry {info.filename!r} cannot be read: {exc}")
                continue
            if len(data) > MAX_ENTRY_BYTES:
                errors.append(f"entry {info.filename!r} inflates past the {MAX_ENTRY_BYTES}-byte limit")
                continue
            bundle.files[rel] = data
    return list(bundles.values()), errors
