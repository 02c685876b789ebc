"""The lint pipeline: files → API descriptions → rules → suppressions → located findings.

The CLI builds `LintOptions` and calls `lint`; nothing here prints or exits. With `jobs > 1`
files are spread over worker processes (fork: rules and functions are loaded once, before).
"""

from __future__ import annotations

import gc
import os
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from apiscan import __version__
from apiscan.engine import DocumentEngine
from apiscan.functions import ensure_functions
from apiscan.split import can_split, run_split
from apiscan.jsonpath import FILE, PATH, VALUE, compile_path
from apiscan.models import DocumentInfo, Finding, ScanError, ScanResult, Severity
from apiscan.models.findings import result_order
from apiscan.ruleset.model import Rule
from apiscan.sources.discover import discover
from apiscan.sources.document import DocumentError, load_document
from apiscan.sources.openapi import NotAnApiDescription, load_api_document
from apiscan.suppressions import IGNORE_KEY, apply_inline, parse_inline

_LOOKS_LIKE_API = ("openapi", "swagger")


@dataclass
class LintOptions:
    paths: list[str]
    rules: list[Rule]
    root: Path
    allow_remote_refs: bool = False
    jobs: int = 1
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    # The CLI ends with os._exit: the last document need not be freed object by object, nor the
    # heap swept by a full collection when the GC comes back on (each 0.07-0.1 s on GitHub's
    # spec, together a seventh of the run). A library caller keeps the default.
    exits_after: bool = False


_LAST_DOCUMENT: list = [None]


@dataclass
class FileOutcome:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    document: DocumentInfo | None = None
    skipped: str | None = None
    seconds: float = 0.0


def _looks_like_api(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192).decode("utf-8", "replace").lower()
    except OSError:
        return True
    return any(word in head for word in _LOOKS_LIKE_API)


def lint_file(path: Path, explicit: bool, opts: LintOptions) -> FileOutcome:
    """Everything about one entry file; never raises."""
    started = time.perf_counter()
    out = FileOutcome()
    display = _display(path)
    try:
        loaded = load_document(path, defer_key_check=True)
        if not can_split(loaded.size, opts.jobs):  # else checked in the parent beside the rules
            loaded.check_duplicate_keys()
    except DocumentError as exc:
        return _unreadable(out, path, explicit, display, exc)
    try:
        doc = load_api_document(path, opts.root, opts.allow_remote_refs, loaded=loaded, display=display)
    except NotAnApiDescription:
        try:
            loaded.check_duplicate_keys()  # a broken file is reported as broken, whatever it holds
        except DocumentError as exc:
            return _unreadable(out, path, explicit, display, exc)
        if explicit:
            out.errors.append(ScanError(file=display, kind="input",
                                        message="not an OpenAPI description (no `openapi: 3.x` or `swagger: \"2.0\"` at the top)"))
        else:
            out.skipped = display
        return out
    out.document = DocumentInfo(file=display, kind="openapi", format=doc.format, title=doc.title, version=doc.version)
    try:
        engine = DocumentEngine(doc)
        engine.walker.containers(engine.walker.root)  # one walk follows every reachable $ref: broken ones are recorded
        # The document and its index live until the end: keep the cyclic GC from re-scanning
        # millions of them on every collection (and, after a fork, from touching every page).
        gc.freeze()
        size = loaded.size
        applicable = [r for r in opts.rules if r.scope in ("document", "operation") and r.enabled
                      and not r.broken and (not r.formats or r.formats & doc.formats)]
        if can_split(size, opts.jobs) and len(applicable) > 1:
            ensure_functions({t.function for r in applicable for t in r.then})  # import once, before the fork
            result = run_split(applicable, engine.run, lambda fs: _locate(doc, fs), display,
                               parent_first=loaded.check_duplicate_keys)
        else:
            loaded.check_duplicate_keys()
            result = engine.run(opts.rules)
        findings = result.findings
        out.errors.extend(result.errors)
        for problem in doc.resolver.problems.values():
            line, col = _position(doc, problem.file, problem.path)
            out.errors.append(ScanError(file=doc.resolver.display(problem.file), kind="ref", message=problem.message,
                                        pointer=_ptr(problem.path), line=line, column=col))
        ignores = []
        for node in engine.walker.select(compile_path("$.." + IGNORE_KEY)):
            entries, _ = parse_inline(node[VALUE], doc.resolver.display(node[FILE]), node[PATH][:-1])
            ignores.extend(entries)
        for f in findings:
            override = opts.severity_overrides.get(f.rule_id) or opts.severity_overrides.get(f.rule_name)
            if override is not None:
                f.severity = override
        apply_inline(findings, ignores)
        _locate(doc, findings)
        for f in findings:
            f.compute_fingerprint(_relative(f.location.file, opts.root))
        out.findings = findings
        if opts.exits_after:
            _LAST_DOCUMENT[0] = (loaded, doc, engine)  # the previous one is freed here, as it must be
    except DocumentError as exc:  # a duplicate key found after loading: as unreadable as a syntax error
        out.document = None
        return _unreadable(out, path, explicit, display, exc)
    except RecursionError:
        out.errors.append(ScanError(file=display, kind="input", message="document nested too deeply to analyse"))
    except Exception as exc:  # last line of defence: an input must never produce a traceback
        out.errors.append(ScanError(file=display, kind="internal",
                                    message=f"internal error while linting: {type(exc).__name__}: {exc}"))
    out.seconds = time.perf_counter() - started
    return out


def _unreadable(out: FileOutcome, path: Path, explicit: bool, display: str, exc: DocumentError) -> FileOutcome:
    if explicit or _looks_like_api(path):
        out.errors.append(ScanError(file=display, message=exc.message, kind="parse", line=exc.line, column=exc.column))
    else:
        out.skipped = display
    return out


def _ptr(path: tuple) -> str:
    from apiscan.pointer import to_pointer

    return to_pointer(path)


def _position(doc, file_key: str, path: tuple) -> tuple[int | None, int | None]:
    pos = doc.position(file_key, path)
    return (pos[0], pos[1]) if pos else (None, None)


def _locate(doc, findings: list[Finding]) -> None:
    """Line/column for every finding, one batched source-map pass per file."""
    by_file: dict[str, list[Finding]] = {}
    display_to_key = {v: k for k, v in doc.resolver.display_names.items()}
    for f in findings:
        by_file.setdefault(f.location.file, []).append(f)
    for display, items in by_file.items():
        items = [f for f in items if f.location.line is None]
        if not items:
            continue
        key = display_to_key.get(display, doc.key)
        positions = doc.positions(key, [f.path for f in items])
        for f in items:
            pos = positions.get(f.path)
            if pos:
                f.location.line, f.location.column = pos


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
        return str(path) if rel.startswith("..") else rel
    except ValueError:
        return str(path)


@lru_cache(maxsize=4096)
def _relative(file: str, root: Path) -> str:
    try:
        return str(Path(file).resolve().relative_to(root)).replace("\\", "/")
    except ValueError:
        return file.replace("\\", "/")


# ------------------------------------------------------------------------------ parallel

_WORKER_OPTS: LintOptions | None = None


def _worker(args: tuple[str, bool]) -> FileOutcome:
    assert _WORKER_OPTS is not None
    return lint_file(Path(args[0]), args[1], _WORKER_OPTS)


def lint(opts: LintOptions) -> ScanResult:
    """Lint every input. The cyclic garbage collector is paused meanwhile: the run allocates
    millions of long-lived objects and almost no cycles, and full collections over a large
    document's heap cost more than everything they could free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _lint(opts)
    finally:
        if enabled:
            if opts.exits_after:
                gc.freeze()  # nothing left to collect that matters before the exit
            gc.enable()


def _lint(opts: LintOptions) -> ScanResult:
    started = time.perf_counter()
    result = ScanResult(version=__version__, root=str(opts.root))
    files, problems = discover(opts.paths, opts.root)
    for p in problems:
        result.errors.append(ScanError(file=p.split(":")[0], kind="input", message=p.split(": ", 1)[-1]))
    explicit = {Path(p).resolve() for p in opts.paths if Path(p).is_file()}
    jobs = max(1, min(opts.jobs, len(files)))
    tasks = [(str(f), f.resolve() in explicit) for f in files]
    if jobs > 1:
        import multiprocessing

        global _WORKER_OPTS
        _WORKER_OPTS = opts
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(jobs) as pool:
            outcomes = pool.map(_worker, tasks, chunksize=max(1, len(tasks) // (jobs * 8)))
    else:
        outcomes = [lint_file(Path(f), e, opts) for f, e in tasks]
    seen_fp: set[tuple] = set()
    for o in outcomes:
        if o.document:
            result.documents.append(o.document)
        if o.skipped:
            result.skipped.append(o.skipped)
        result.errors.extend(o.errors)
        for f in o.findings:
            # a file referenced by two entry files is linted twice: keep one copy of each finding
            key = (f.fingerprint, f.message)
            if key in seen_fp:
                continue
            seen_fp.add(key)
            result.findings.append(f)
    result.findings.sort(key=result_order)
    result.rules = [r.info() for r in opts.rules]
    result.stats = {"files": len(files), "documents": len(result.documents),
                    "seconds": round(time.perf_counter() - started, 3), "jobs": jobs}
    return result
