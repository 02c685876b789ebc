"""Use both cores on one large document: after the document is loaded and indexed, fork once;
parent and child then take rules one at a time from a shared counter until none is left, and
each locates its own findings. The child inherits everything already built (copy-on-write), so
nothing is parsed twice; its findings come back pickled through a pipe.

Rules are claimed one by one rather than split in halves up front because their costs differ by
two orders of magnitude and are not known in advance; heavy-looking rules (whole-document
selections, schema-validating functions: `_cost`) are offered first, the classic longest-job-first
order. The child takes the first claim at once; the parent first checks the document for
duplicate keys (`parent_first`). Rules that share work are claimed together (see `_units`).

Only for big single documents (a `-j` run already spreads files over processes) and only where
`fork` exists. A failure in the child becomes a ScanError, never a silent loss of results.
"""

from __future__ import annotations

import os
import pickle
from typing import Callable

from apiscan.engine import EngineOutput
from apiscan.models import ScanError

SPLIT_MIN_BYTES = 1_000_000
_MAX_TICKETS = 30_000  # 2-byte tickets: well under a pipe's 64 KB, so writing them never blocks


def can_split(size: int, jobs: int) -> bool:
    return jobs == 1 and size >= SPLIT_MIN_BYTES and hasattr(os, "fork") and (os.cpu_count() or 1) >= 2


# How much more a target costs in these functions than in a plain check: each compiles schemas
# and validates values against them (the example validators compile hundreds of schemas).
_FUNCTION_COST = {"oasExample": 10, "oasDocumentSchema": 3, "oasSchema": 2, "schema": 2}


def _cost(rule) -> int:
    """A rough guess of a rule's cost, only to order the claims: whole-document selections
    (`$`, `$..`) times the dearest function the rule calls."""
    whole = any(g.strip() == "$" or g.startswith("$..") for g in rule.given or ["$"])
    return (2 if whole else 1) * max((_FUNCTION_COST.get(t.function, 1) for t in rule.then), default=1)


def _descent_prefixes(rule) -> set[tuple]:
    """The walks a rule may share with others: each `given` up to an inner `..` (`$..content..[?]`
    walks everything under every `content`). The root's own `$..` index is built before the fork."""
    keys = set()
    for given in rule.given or []:
        at = given.find("..", 2)
        while at > 1:
            keys.add((rule.resolved, given[:at]))
            at = given.find("..", at + 2)
    return keys


def _units(rules: list) -> list[list]:
    """The claims, heaviest-looking first (`_cost`). Rules that share a descent (`$..content..`
    for both example validators) are one claim: its reach, and the schemas it resolves and
    compiles, are worked out once, by one process. So are the rules
    that read the document as written (`resolved: false`): the index of that view is built by the
    process that takes them, not before the fork or in both."""
    group_of: dict = {}
    groups: dict[int, list] = {}
    for i, rule in enumerate(rules):
        keys = _descent_prefixes(rule) | ({"as written"} if not rule.resolved else set())
        joined = {group_of[k] for k in keys if k in group_of}
        target = min(joined) if joined else i
        members = groups.setdefault(target, [])
        for other in sorted(joined - {target}):
            members.extend(groups.pop(other))
            for k, v in list(group_of.items()):
                if v == other:
                    group_of[k] = target
        members.append(rule)
        for k in keys:
            group_of[k] = target
    position = {id(r): i for i, r in enumerate(rules)}
    units = [sorted(members, key=lambda r: position[id(r)]) for members in groups.values()]
    return sorted(units, key=lambda unit: -sum(_cost(r) for r in unit))


def run_split(rules: list, run: Callable[[list], EngineOutput], locate: Callable[[list], None],
              file: str, parent_first: Callable[[], None] | None = None) -> EngineOutput:
    """`run` each claim of rules in whichever of two processes is free; `locate(findings)` in each.
    `parent_first` (a check on the document) runs in the parent before it claims rules; if it
    raises, the child is still waited for, and the exception is raised then."""
    ordered = _units(rules)
    if len(ordered) > _MAX_TICKETS:  # more claims than a pipe holds: no split
        if parent_first is not None:
            parent_first()
        return run(rules)
    # The claims are tickets in a pipe, written before the fork: each process reads the next one
    # when it is free (a 2-byte read from a pipe is atomic), and an empty pipe means done.
    tickets_r, tickets_w = os.pipe()
    os.write(tickets_w, b"".join(i.to_bytes(2, "big") for i in range(len(ordered))))
    os.close(tickets_w)

    def work() -> EngineOutput:
        out = EngineOutput()
        while True:
            ticket = os.read(tickets_r, 2)
            if len(ticket) < 2:
                break
            part = run(ordered[int.from_bytes(ticket, "big")])
            out.findings.extend(part.findings)
            out.errors.extend(part.errors)
        locate(out.findings)
        return out

    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(read_fd)
        try:
            out = work()
            payload = pickle.dumps((out.findings, out.errors), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # noqa: BLE001 - reported through the pipe
            payload = pickle.dumps(([], [ScanError(file=file, kind="internal",
                                                   message=f"rule worker failed: {type(exc).__name__}: {exc}")]))
        with os.fdopen(write_fd, "wb") as fh:
            fh.write(payload)
        os._exit(0)
    os.close(write_fd)
    failure: Exception | None = None
    try:
        if parent_first is not None:
            try:
                parent_first()
            except Exception as exc:  # noqa: BLE001 - raised once the child is collected
                failure = exc
        out = work()
    finally:
        with os.fdopen(read_fd, "rb") as fh:
            payload = fh.read()
        os.waitpid(pid, 0)
        os.close(tickets_r)
    if failure is not None:
        raise failure
    try:
        findings, errors = pickle.loads(payload)
    except Exception:  # noqa: BLE001
        findings, errors = [], [ScanError(file=file, kind="internal",
                                          message="rule worker died; some rules' results are missing")]
    out.findings.extend(findings)
    out.errors.extend(errors)
    return out
