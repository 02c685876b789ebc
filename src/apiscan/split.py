"""Use both cores on one large document: after the document is loaded and indexed, fork once and
let the child run half of the rules (and locate its own findings) while the parent runs the
other half. The child inherits everything already built (copy-on-write), so nothing is parsed
twice; its findings come back pickled through a pipe.

Only for big single documents (a `-j` run already spreads files over processes) and only where
`fork` exists. Any failure in the child becomes a ScanError naming the rules it was running,
never a lost result without a word.
"""

from __future__ import annotations

import os
import pickle
from typing import Callable

from apiscan.engine import EngineOutput
from apiscan.models import ScanError

SPLIT_MIN_BYTES = 1_000_000


def can_split(size: int, jobs: int) -> bool:
    return jobs == 1 and size >= SPLIT_MIN_BYTES and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


def partition(rules: list) -> tuple[list, list]:
    """Two halves that keep rules of one function module together: such rules share per-document
    results (every schema, every example), which each process would otherwise compute twice.
    A module holding most of the rules (a Spectral ruleset on core functions) is split evenly."""
    from apiscan.functions import _manifest

    manifest = _manifest()
    groups: dict[str, list] = {}
    for r in rules:
        module = manifest.get(r.then[0].function, "") if r.then else ""
        groups.setdefault(module, []).append(r)
    bins: tuple[list, list] = ([], [])
    for module, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        if len(members) > 0.6 * len(rules):
            bins[0].extend(members[0::2])
            bins[1].extend(members[1::2])
            continue
        lighter = bins[0] if len(bins[0]) <= len(bins[1]) else bins[1]
        lighter.extend(members)
    return bins


def run_split(rules: list, run: Callable[[list], EngineOutput], locate: Callable[[list], None],
              file: str) -> EngineOutput:
    """`run(rules)` in two processes; `locate(findings)` fills line/column in each."""
    mine, theirs = partition(rules)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            out = run(theirs)
            locate(out.findings)
            payload = pickle.dumps((out.findings, out.errors), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - reported through the pipe
            payload = pickle.dumps(([], [ScanError(file=file, kind="internal",
                                                   message=f"rule worker failed: {type(exc).__name__}: {exc}")]))
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(payload)
        os._exit(0)
    os.close(write_fd)
    try:
        out = run(mine)
        locate(out.findings)
    finally:
        with os.fdopen(read_fd, "rb") as fh:
            payload = fh.read()
        os.waitpid(pid, 0)
    try:
        findings, errors = pickle.loads(payload)
    except Exception:  # noqa: BLE001
        findings, errors = [], [ScanError(file=file, kind="internal",
                                          message="rule worker died; rules not run: " + ", ".join(r.id for r in theirs))]
    out.findings.extend(findings)
    out.errors.extend(errors)
    return out
