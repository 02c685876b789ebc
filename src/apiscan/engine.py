"""Runs rules: `given` selects nodes, each `then` applies a function, hits become findings.

Document scope runs on one API description (all its referenced files reachable through
`$ref`); the other scopes run on the landscape's items (`Landscape.iter_scope`). A function that
raises becomes a ScanError naming the rule (exit code 2), never a silent pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from apiscan.functions import FUNCTIONS, FunctionContext, FunctionOptionsError, ensure_functions, load_builtin_functions
from apiscan.functions.registry import MISSING
from apiscan.jsonpath import FILE, KEY, PATH, VALUE, JsonPathError, Walker, compile_path
from apiscan.models import Finding, Location, ScanError, Subject
from apiscan.pointer import to_pointer
from apiscan.ruleset.messages import render
from apiscan.ruleset.model import Rule


@dataclass
class EngineOutput:
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


def _finding(rule: Rule, message: str, file: str, path: tuple, evidence: dict | None = None,
             subject: Subject | None = None) -> Finding:
    return Finding(
        rule_id=rule.id, rule_name=rule.name, severity=rule.severity, message=message,
        location=Location(file=file, pointer=to_pointer(path)), category=rule.category,
        capability=rule.capability, path=path, evidence=evidence or {}, subject=subject,
    )


def _resolve_field(walker: Walker, node: tuple, field_spec: str) -> tuple[Any, tuple]:
    """(target node or None, deepest existing node) for `then.field`."""
    if field_spec.startswith("$"):
        hits = walker.select(compile_path(field_spec), start=node)
        return (hits[0] if hits else None), node
    current = node
    parts = field_spec.split(".") if field_spec not in _dict_keys(node) else [field_spec]
    for part in parts:
        nxt = walker.child(current, part)
        if nxt is None:
            return None, current
        current = nxt
    return current, current


def _dict_keys(node: tuple):
    v = node[VALUE]
    return v if type(v) is dict else ()


def _field_targets(walker: Walker, node: tuple, field_spec: str | None) -> list[tuple[Any, tuple, tuple]]:
    """[(value, file, path)] the function runs on; a `$`-field may select several."""
    if field_spec is None or type(node[VALUE]) not in (dict, list):
        # Spectral runs the function on the value itself when there is nothing to take a field of
        return [(node[VALUE], node[FILE], node[PATH], node)]
    if field_spec == "@key":  # one run per key (index) of the object, the key as the value
        value = node[VALUE]
        keys = list(value) if type(value) is dict else [str(i) for i in range(len(value))]
        out = []
        for k in keys:
            child = walker.child(node, k if type(value) is dict else int(k))
            if child is not None:
                out.append((k, child[FILE], child[PATH], child))
        return out
    if field_spec.startswith("$"):
        hits = walker.select(compile_path(field_spec), start=node)
        return [(h[VALUE], h[FILE], h[PATH], h) for h in hits]
    target, deepest = _resolve_field(walker, node, field_spec)
    if target is None:
        return [(MISSING, deepest[FILE], deepest[PATH], deepest)]
    return [(target[VALUE], target[FILE], target[PATH], target)]


def _hit_location(walker: Walker, base: tuple, rel: tuple) -> tuple[str, tuple]:
    """Follow a hit's relative path from the target through `$ref`s to where it is written."""
    current = base
    for part in rel:
        nxt = walker.child(current, part)
        if nxt is None:  # a missing key: point at the closest existing node, as Spectral does
            return current[FILE], current[PATH]
        current = nxt
    return current[FILE], current[PATH]


class DocumentEngine:
    """Evaluates document-scope rules on one ApiDocument."""

    def __init__(self, doc):
        self.doc = doc
        self.walker = Walker(doc.data, doc.key, doc.resolver)
        self._raw_walker: Walker | None = None

    def walker_for(self, rule: Rule) -> Walker:
        """`resolved: false` rules see `$ref`s as written (Spectral's unresolved document)."""
        if rule.resolved:
            return self.walker
        if self._raw_walker is None:
            self._raw_walker = Walker(self.doc.data, self.doc.key, None)
        return self._raw_walker

    def run(self, rules: Iterable[Rule]) -> EngineOutput:
        rules = list(rules)
        ensure_functions({t.function for r in rules for t in r.then})
        out = EngineOutput()
        for rule in rules:
            if rule.scope not in ("document", "operation") or not rule.enabled or rule.broken:
                continue
            if rule.formats and not (rule.formats & self.doc.formats):
                continue
            try:
                self._run_rule(rule, out)
            except (JsonPathError, FunctionOptionsError) as exc:
                out.errors.append(ScanError(file=rule.file or rule.source, kind="rule", rule_id=rule.id,
                                            message=f"rule {rule.name or rule.id} is invalid: {exc}"))
            except Exception as exc:  # a crashing rule is an error, never a silent pass
                out.errors.append(ScanError(
                    file=self.doc.file, kind="rule", rule_id=rule.id,
                    message=f"rule {rule.name or rule.id} crashed: {type(exc).__name__}: {exc}"))
        return out

    def _run_rule(self, rule: Rule, out: EngineOutput) -> None:
        walker = self.walker_for(rule)
        spectral = bool(rule.extra.get("spectral"))
        seen: set[tuple] = set()
        nodes: list[tuple] = []
        scoped = rule.extra.get("given_formats") or {}
        for given in rule.given or ["$"]:
            only = scoped.get(given)
            if only is not None and not (only & self.doc.formats):
                continue  # a format-scoped alias target for other formats
            for node in walker.select(compile_path(given)):
                key = (node[FILE], node[PATH], type(node[VALUE]) is str and node[KEY] == node[VALUE])
                if key in seen:
                    continue
                seen.add(key)
                nodes.append(node)
        emitted: set[tuple] = set()
        # One context per rule, updated for each target: functions use it during the call only
        # (results are consumed before the next target), and building one per target costs
        # more than a cheap function itself on 30,000 targets.
        ctx = FunctionContext(document=self.doc, path=(), given_path=(), rule=rule,
                              resolver=self.doc.resolver, walker=walker)
        for node in nodes:
            for then in rule.then:
                fn = FUNCTIONS.get(then.function)
                if fn is None:
                    raise FunctionOptionsError(f"unknown function {then.function!r}")
                ctx.field = then.field
                ctx.given_path = node[PATH]
                targets = ((node[VALUE], node[FILE], node[PATH], node),) if then.field is None else \
                    _field_targets(walker, node, then.field)
                for value, file, path, tnode in targets:
                    ctx.path, ctx.node, ctx.file = path, tnode, file
                    result = fn(value, then.options, ctx)
                    if not result:
                        continue
                    for hit in result:
                        if hit is None:
                            continue
                        if hit.path:
                            hfile, hpath = _hit_location(walker, tnode, tuple(hit.path))
                        else:
                            hfile, hpath = file, path
                        message = render(rule.message, error=hit.message or "", path=hpath,
                                         value=hit.value if hit.value is not None else value,
                                         description=rule.description, spectral=spectral)
                        dedup = (hfile, hpath, message)
                        if dedup in emitted:  # identical results collapse, as in Spectral
                            continue
                        emitted.add(dedup)
                        out.findings.append(_finding(rule, message, self.doc.resolver.display(hfile), hpath,
                                                     hit.evidence, _subject_for(hpath)))


def _subject_for(path: tuple) -> Subject | None:
    if len(path) >= 3 and path[0] == "paths" and isinstance(path[2], str):
        method = path[2]
        if method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            return Subject(kind="operation", key=f"{method.upper()} {path[1]}")
    return None


def run_landscape_rules(rules: Iterable[Rule], landscape) -> EngineOutput:
    """Gateway/landscape scopes: the function sees each item of `landscape.iter_scope(scope)`."""
    load_builtin_functions()
    out = EngineOutput()
    for rule in rules:
        if rule.scope in ("document", "operation") or not rule.enabled or rule.broken:
            continue
        try:
            items = list(landscape.iter_scope(rule.scope))
        except Exception as exc:
            out.errors.append(ScanError(file=rule.file, kind="rule", rule_id=rule.id,
                                        message=f"scope {rule.scope!r} unavailable: {exc}"))
            continue
        for item in items:
            for then in rule.then:
                fn = FUNCTIONS.get(then.function)
                if fn is None:
                    out.errors.append(ScanError(file=rule.file, kind="rule", rule_id=rule.id,
                                                message=f"unknown function {then.function!r}"))
                    break
                ctx = FunctionContext(document=None, path=(), given_path=(), rule=rule, landscape=landscape)
                try:
                    hits = list(fn(item.target, then.options, ctx) or ())
                except Exception as exc:
                    out.errors.append(ScanError(
                        file=item.location.file if item.location else rule.file, kind="rule", rule_id=rule.id,
                        message=f"rule {rule.name or rule.id} crashed: {type(exc).__name__}: {exc}"))
                    continue
                for hit in hits:
                    loc = hit.location or item.location
                    loc = Location(file=loc.file, pointer=loc.pointer, line=loc.line, column=loc.column)
                    message = render(rule.message, error=hit.message or "", path=(),
                                     value=hit.value, description=rule.description)
                    out.findings.append(Finding(
                        rule_id=rule.id, rule_name=rule.name, severity=rule.severity,
                        message=hit.message if (hit.message and not rule.message) else message,
                        location=loc, category=rule.category, capability=rule.capability,
                        subject=item.subject, evidence=hit.evidence))
    return out
