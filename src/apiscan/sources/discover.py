"""Turn the user's PATH arguments (files, folders, globs) into the list of files to read.

Folders are walked without following symlinks out of the input root; version-control and
dependency folders are skipped. Nothing outside the root is ever returned.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache",
             ".pytest_cache", ".idea", ".vscode"}
SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class InputError(Exception):
    """A PATH argument that matches nothing or leaves the root."""


def common_root(paths: list[str]) -> Path:
    """The folder every input lives under: `$ref`s may not leave it."""
    resolved = []
    for p in paths:
        base = Path(p.split("*")[0] or ".") if any(c in p for c in "*?[") else Path(p)
        base = base.resolve()
        resolved.append(base if base.is_dir() else base.parent)
    if not resolved:
        return Path.cwd().resolve()
    return Path(os.path.commonpath([str(r) for r in resolved]))


def _walk(folder: Path, root: Path, suffixes: tuple[str, ...] | None) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if suffixes is not None and not name.lower().endswith(suffixes):
                continue
            path = Path(dirpath) / name
            if path.is_symlink() and not _inside(path.resolve(), root):
                continue
            out.append(path)
    return out


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def discover(paths: list[str], root: Path | None = None, suffixes: tuple[str, ...] | None = SPEC_SUFFIXES
             ) -> tuple[list[Path], list[str]]:
    """Files for the inputs, and a message per argument that matched nothing.

    `suffixes=None` returns every file (gateway exports include files without an extension).
    """
    root = root or common_root(paths)
    files: list[Path] = []
    problems: list[str] = []
    seen: set[Path] = set()
    for arg in paths:
        if any(c in arg for c in "*?["):
            matches = [Path(m) for m in sorted(glob.glob(arg, recursive=True))]
            if not matches:
                problems.append(f"{arg}: no file matches this pattern")
            candidates = []
            for m in matches:
                candidates.extend(_walk(m, root, suffixes) if m.is_dir() else [m])
        else:
            p = Path(arg)
            if p.is_dir():
                candidates = _walk(p, root, suffixes)
            elif p.is_file():
                candidates = [p]  # an explicitly named file is read whatever its extension
            else:
                problems.append(f"{arg}: no such file or folder")
                candidates = []
        for c in candidates:
            key = c.resolve()
            if key in seen:
                continue
            seen.add(key)
            files.append(c)
    return files, problems
