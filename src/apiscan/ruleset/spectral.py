"""Spectral rulesets (`.spectral.yaml|yml|json`) loaded as they are.

Supported: `extends` (spectral:oas, apiscan:owasp, apiscan:builtin, local files, chains, and the
`[ruleset, off|recommended|all]` form), `rules` (new rules; a bare severity or `true`/`false`/
`off` on an inherited rule; an object merged into an inherited rule), `aliases` (plain and
format-scoped), `overrides` (file globs, with or without `#/json/pointer`), ruleset-level
`formats`, `documentationUrl`, `functionsDir` + `functions`.

JavaScript functions cannot run here. A rule that uses one is reported once as not runnable,
naming the function and how to provide it as Python (`<functionsDir>/<name>.py` defining
`def <name>(target, options, ctx)`); the rest of the ruleset runs.

Rulesets are YAML 1.2 (a bare `off` is the string "off", as Spectral reads it).
"""

from __future__ import annotations

import copy
import fnmatch
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiscan.models import ScanError, Severity
from apiscan.ruleset.loader import RuleFileError, builtin_rules, builtin_rules_dir, parse_then
from apiscan.ruleset.model import Rule
from apiscan.sources.document import DocumentError, load_document

BUILTIN_RULESETS = {
    "spectral:oas": "spectral-oas.yaml",
    "apiscan:owasp": "owasp-2023.yaml",
}
SPECTRAL_FORMATS = {"oas2", "oas3", "oas3.0", "oas3.1", "oas3_0", "oas3_1"}
MAX_EXTENDS_DEPTH = 16
_ALIAS = re.compile(r"^#([A-Za-z0-9_\-]+)(.*)$")


@dataclass
class Override:
    base: Path
    pattern: str  # a glob relative to the ruleset that declared it
    pointer: str | None
    rules: dict[str, Any]


@dataclass
class SpectralRuleset:
    rules: dict[str, Rule] = field(default_factory=dict)
    overrides: list[Override] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)


class _Loader:
    def __init__(self, allow_remote: bool = False):
        self.allow_remote = allow_remote
        self.errors: list[ScanError] = []
        self._stack: list[str] = []

    def error(self, file: str, message: str, line: int | None = None) -> None:
        self.errors.append(ScanError(file=file, message=message, kind="config", line=line))

    # -------------------------------------------------------------- files

    def load_file(self, path: Path, depth: int = 0) -> SpectralRuleset:
        key = str(path.resolve())
        if key in self._stack or depth > MAX_EXTENDS_DEPTH:
            self.error(str(path), "circular or too deep `extends` chain")
            return SpectralRuleset()
        try:
            data = load_document(path).data
        except DocumentError as exc:
            self.error(str(path), f"cannot read ruleset: {exc.message}", exc.line)
            return SpectralRuleset()
        if not isinstance(data, dict):
            self.error(str(path), "a ruleset must be a mapping")
            return SpectralRuleset()
        self._stack.append(key)
        try:
            return self.build(data, path, depth)
        finally:
            self._stack.pop()

    def builtin(self, name: str, depth: int) -> SpectralRuleset:
        if name == "apiscan:builtin":
            rules, problems = builtin_rules()
            rs = SpectralRuleset(rules={r.id: copy.copy(r) for r in rules})
            for p in problems:
                self.error(p.file, p.message, p.line)
            return rs
        file = builtin_rules_dir() / "rulesets" / BUILTIN_RULESETS[name]
        if not file.is_file():
            self.error(name, f"built-in ruleset {name} is not available in this installation")
            return SpectralRuleset()
        rs = self.load_file(file, depth + 1)
        for r in rs.rules.values():
            r.source = name
        return rs

    # -------------------------------------------------------------- building

    def build(self, data: dict, path: Path, depth: int) -> SpectralRuleset:
        file = str(path)
        out = SpectralRuleset()
        for target, mode in self._extends(data.get("extends"), file):
            if target in BUILTIN_RULESETS or target == "apiscan:builtin":
                parent = self.builtin(target, depth)
            elif target.startswith(("spectral:", "apiscan:")):
                self.error(file, f"unknown built-in ruleset {target!r} (known: {', '.join([*BUILTIN_RULESETS, 'apiscan:builtin'])})")
                continue
            elif target.startswith(("http://", "https://")) or not _looks_local(target):
                self.error(file, f"extends {target!r}: only local files and built-in rulesets can be loaded "
                                 "(download the ruleset and extend the local copy)")
                continue
            else:
                parent = self.load_file((path.parent / target), depth + 1)
            for name, rule in parent.rules.items():
                rule = copy.copy(rule)
                if mode == "off":
                    rule.enabled = False
                elif mode == "all":
                    rule.enabled = True
                else:
                    rule.enabled = rule.enabled and rule.recommended
                out.rules[name] = rule
            out.overrides.extend(parent.overrides)
        aliases = data.get("aliases") or {}
        if not isinstance(aliases, dict):
            self.error(file, "`aliases` must be a mapping")
            aliases = {}
        formats = data.get("formats")
        doc_url = data.get("documentationUrl")
        functions = self._functions(data, path)
        rules = data.get("rules") or {}
        if not isinstance(rules, dict):
            self.error(file, "`rules` must be a mapping")
            rules = {}
        for name, definition in rules.items():
            name = str(name)
            self._apply_rule(out, name, definition, file, aliases, formats, doc_url, functions)
        for i, ov in enumerate(data.get("overrides") or []):
            if not isinstance(ov, dict) or not isinstance(ov.get("files"), list):
                self.error(file, f"overrides[{i}] needs a `files` list")
                continue
            for pattern in ov["files"]:
                glob_part, _, pointer = str(pattern).partition("#")
                out.overrides.append(Override(path.parent, glob_part, pointer or None, ov.get("rules") or {}))
            # rules an override defines from scratch still need a definition to run anywhere
            for name, definition in (ov.get("rules") or {}).items():
                if isinstance(definition, dict) and str(name) not in out.rules:
                    self._apply_rule(out, str(name), definition, file, aliases, formats, doc_url, functions)
                    out.rules[str(name)].enabled = False  # on only where the override applies
        return out

    def _extends(self, raw, file: str) -> list[tuple[str, str]]:
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        out = []
        for item in items:
            if isinstance(item, str):
                out.append((item, "recommended"))
            elif isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
                mode = item[1] if item[1] is not False else "off"
                if mode not in ("off", "recommended", "all"):
                    self.error(file, f"extends mode {item[1]!r} for {item[0]}: use off, recommended or all")
                    mode = "recommended"
                out.append((item[0], mode))
            else:
                self.error(file, f"cannot read extends entry {item!r}")
        return out

    def _functions(self, data: dict, path: Path) -> dict[str, Any]:
        """Python implementations of the ruleset's custom functions, by name."""
        names = data.get("functions") or []
        folder = path.parent / str(data.get("functionsDir") or "functions")
        found: dict[str, Any] = {}
        for name in names if isinstance(names, list) else []:
            py = folder / f"{name}.py"
            if py.is_file():
                try:
                    spec = importlib.util.spec_from_file_location(f"apiscan_user_functions.{name}", py)
                    module = importlib.util.module_from_spec(spec)
                    assert spec.loader is not None
                    spec.loader.exec_module(module)
                    fn = getattr(module, name, None) or getattr(module, name.replace("-", "_"), None)
                    if callable(fn):
                        found[name] = fn
                    else:
                        self.error(str(py), f"defines no function named {name}")
                except Exception as exc:  # user code: report, never crash
                    self.error(str(py), f"cannot load Python function {name}: {type(exc).__name__}: {exc}")
            else:
                found[name] = None  # JavaScript only
        return found

    def _apply_rule(self, out: SpectralRuleset, name: str, definition: Any, file: str, aliases: dict,
                    formats, doc_url, functions: dict) -> None:
        existing = out.rules.get(name)
        if definition is True or definition is False or isinstance(definition, (str, int)) and not isinstance(definition, dict):
            if existing is None:
                self.error(file, f"rule {name!r}: a severity alone can only change an inherited rule")
                return
            rule = copy.copy(existing)
            if definition is False or definition == "off" or definition == -1:
                rule.enabled = False
            elif definition is True:
                rule.enabled = True
            else:
                try:
                    rule.severity = Severity.from_spectral(definition)
                    rule.enabled = True
                except ValueError as exc:
                    self.error(file, f"rule {name!r}: {exc}")
                    return
            out.rules[name] = rule
            return
        if not isinstance(definition, dict):
            self.error(file, f"rule {name!r}: cannot read its definition")
            return
        if existing is not None:
            merged = copy.copy(existing)
            base_def = {}
        else:
            merged = Rule(id=name, name=name, category="spectral", source=file, file=file,
                          severity=Severity.MEDIUM)
            merged.extra = {"spectral": True}
            base_def = {}
        spec = {**base_def, **definition}
        try:
            if "given" in spec:
                given = spec["given"]
                given = [given] if isinstance(given, str) else list(given)
                expanded = [g for gv in given for g in self._expand_alias(gv, aliases, file, name)]
                merged.given = list(dict.fromkeys(g for g, _ in expanded))
                scoped: dict[str, frozenset] = {}
                unscoped = {g for g, f in expanded if f is None}
                for g, f in expanded:  # a path several targets share applies to all their formats
                    if f is not None and g not in unscoped:
                        scoped[g] = scoped.get(g, frozenset()) | f
                merged.extra = {**merged.extra, "given_formats": scoped} if scoped else \
                    {k: v for k, v in merged.extra.items() if k != "given_formats"}
            if "then" in spec:
                merged.then = parse_then(spec["then"], file)
                for t in merged.then:
                    if t.function in functions:
                        fn = functions[t.function]
                        if fn is None:
                            merged.broken = (
                                f"rule {name!r} uses the JavaScript function {t.function!r}, which cannot run in apiscan: "
                                f"provide it in Python as {Path(file).parent}/functions/{t.function}.py defining "
                                f"`def {t.function}(target, options, ctx)` (see docs/rule-format.md)")
                        else:
                            from apiscan.functions.registry import FUNCTIONS

                            FUNCTIONS.setdefault(t.function, _adapt_user_function(fn))
            if "severity" in spec:
                merged.severity = Severity.from_spectral(spec["severity"])
            if "message" in spec:
                merged.message = spec["message"]
            if "description" in spec:
                merged.description = str(spec["description"] or "")
                merged.title = merged.description.split("\n")[0][:120]
            if "recommended" in spec:
                merged.recommended = bool(spec["recommended"])
            if "formats" in spec:
                merged.formats = _formats(spec["formats"])
            elif existing is None and formats:
                merged.formats = _formats(formats)
            if "resolved" in spec:
                merged.resolved = bool(spec["resolved"])
            if "documentationUrl" in spec:
                merged.help_uri = spec["documentationUrl"]
            elif existing is None and doc_url:
                merged.help_uri = f"{doc_url}#{name}"
        except (RuleFileError, ValueError) as exc:
            self.error(file, f"rule {name!r}: {getattr(exc, 'message', exc)}")
            return
        if not merged.then:
            self.error(file, f"rule {name!r} has no `then`")
            return
        if not merged.given:
            merged.given = ["$"]
        merged.enabled = bool(spec.get("enabled", True)) if existing is None else True
        out.rules[name] = merged

    def _expand_alias(self, given: str, aliases: dict, file: str, rule: str, depth: int = 0,
                      formats: frozenset | None = None) -> list[tuple[str, frozenset | None]]:
        """`#Alias.rest` → [(path, formats it applies to)]; format-scoped alias targets keep
        their formats, so the engine uses each only on documents of those formats."""
        m = _ALIAS.match(given.strip())
        if not m:
            return [(given, formats)]
        if depth > 10:
            self.error(file, f"rule {rule!r}: alias chain too deep")
            return []
        alias = aliases.get(m.group(1))
        if alias is None:
            self.error(file, f"rule {rule!r}: unknown alias #{m.group(1)}")
            return []
        rest = m.group(2)
        if isinstance(alias, dict) and isinstance(alias.get("targets"), list):
            bases = [(t.get("given"), _formats(t["formats"]) if t.get("formats") else None)
                     for t in alias["targets"] if isinstance(t, dict)]
        else:
            bases = [(b, None) for b in (alias if isinstance(alias, list) else [alias])]
        out: list[tuple[str, frozenset | None]] = []
        for base, fmts in bases:
            scope = fmts if formats is None else (formats & fmts if fmts is not None else formats)
            for b in ([base] if isinstance(base, str) else list(base or [])):
                out.extend(self._expand_alias(b + rest, aliases, file, rule, depth + 1, scope))
        return out


def _adapt_user_function(fn):
    """A user's Python function may return a list of dicts ({message, path}) like Spectral's JS
    functions, or yield Hits: both are accepted."""
    from apiscan.functions.registry import Hit

    def run(target, options, ctx):
        result = fn(target, options, ctx)
        for item in result or ():
            if isinstance(item, Hit):
                yield item
            elif isinstance(item, dict):
                path = tuple(item.get("path") or ())
                gp = tuple(ctx.path)
                if path[: len(gp)] == gp:  # Spectral functions return absolute paths
                    path = path[len(gp):]
                yield Hit(message=item.get("message"), path=path)
            elif isinstance(item, str):
                yield Hit(message=item)

    return run


def _formats(raw) -> frozenset:
    items = raw if isinstance(raw, list) else [raw]
    return frozenset(str(f) for f in items)


def _looks_local(target: str) -> bool:
    return target.startswith((".", "/")) or target.endswith((".yaml", ".yml", ".json")) or "/" in target and not target.startswith("@")


# ------------------------------------------------------------------------------ public API


def load_spectral_ruleset(path: Path, allow_remote: bool = False) -> tuple[list[Rule], list[ScanError]]:
    """All rules a run needs (enabled anywhere, by the ruleset or by an override), and errors."""
    loader = _Loader(allow_remote)
    if not path.is_file():
        return [], [ScanError(file=str(path), message="ruleset file not found", kind="config")]
    rs = loader.load_file(path)
    rules = []
    for rule in rs.rules.values():
        wanted_by_override = any(_override_enables(ov, rule.id) for ov in rs.overrides)
        if rule.enabled or wanted_by_override:
            rule.extra = {**rule.extra, "spectral": True, "globally_enabled": rule.enabled}
            rule.enabled = True
            rules.append(rule)
    _OVERRIDES[str(path.resolve())] = rs.overrides
    for rule in rules:
        rule.extra["ruleset"] = str(path.resolve())
    return rules, loader.errors


_OVERRIDES: dict[str, list[Override]] = {}


def _override_enables(ov: Override, name: str) -> bool:
    value = ov.rules.get(name)
    return value is not None and value not in (False, "off", -1)


def apply_overrides(findings, rules: list[Rule], root: Path) -> list:
    """Per-file (and per-pointer) severity changes from `overrides`, then drop findings of rules
    that are off for that place. The last matching override wins, as in Spectral."""
    by_id = {r.id: r for r in rules}
    kept = []
    for f in findings:
        rule = by_id.get(f.rule_id)
        if rule is None or not rule.extra.get("spectral"):
            kept.append(f)
            continue
        enabled = rule.extra.get("globally_enabled", True)
        severity = f.severity
        for ov in _OVERRIDES.get(rule.extra.get("ruleset", ""), []):
            if not _override_matches(ov, f.location.file, f.location.pointer):
                continue
            value = ov.rules.get(rule.id)
            if value is None:
                continue
            if value in (False, "off", -1):
                enabled = False
            elif value is True:
                enabled = True
            elif isinstance(value, dict):
                enabled = True
                if "severity" in value:
                    severity = Severity.from_spectral(value["severity"])
            else:
                try:
                    severity = Severity.from_spectral(value)
                    enabled = True
                except ValueError:
                    pass
        if enabled:
            f.severity = severity
            kept.append(f)
    return kept


def _override_matches(ov: Override, file: str, pointer: str) -> bool:
    p = Path(file)
    absolute = p if p.is_absolute() else (Path.cwd() / p)
    try:
        rel = absolute.resolve().relative_to(ov.base.resolve()).as_posix()
    except ValueError:
        rel = absolute.as_posix()
    pattern = ov.pattern
    if not (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(rel, pattern.lstrip("./"))
            or fnmatch.fnmatch(absolute.as_posix(), pattern)):
        return False
    if ov.pointer:
        ptr = ov.pointer if ov.pointer.startswith("/") else "/" + ov.pointer
        return pointer == ptr or pointer.startswith(ptr + "/")
    return True


def find_spectral_ruleset(folder: Path) -> Path | None:
    """Spectral's automatic pick-up: `.spectral.yaml|yml|json` in the current folder."""
    for name in (".spectral.yaml", ".spectral.yml", ".spectral.json"):
        if (folder / name).is_file():
            return folder / name
    return None
