"""A minimal RAML 1.0 reader: enough to list a project's operations and their declared security.

Why our own: the RAML tooling (AMF, webapi-parser) is JVM/JS, and the Python one reads RAML 0.8
only. We need resources, methods, URI parameters, query parameters and `securedBy`, after the
two RAML reuse mechanisms that change them: resource types (with `<<param>>` substitution and
optional `method?:` keys) and traits (`is:`), and after `!include` and `uses:` libraries have
been resolved across files. Types, examples and schemas are not interpreted.

Untrusted input: an include or library must stay under the input root, include depth and the
number of files read are bounded, and every problem is collected as an error with file and line
while the rest of the project still loads.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apiscan.sources.document import DocumentError, load_document

RAML_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "connect")
_PARSED_SUFFIXES = (".raml", ".yaml", ".yml")
_PARAM = re.compile(r"<<\s*([A-Za-z_][\w]*)\s*(?:\|[^>]*)?>>")
MAX_INCLUDE_DEPTH = 10
MAX_FILES = 300
MAX_TYPE_CHAIN = 8


@dataclass
class RamlIssue:
    file: str
    message: str
    line: int | None = None


@dataclass
class RamlMethod:
    method: str  # upper case
    path: str  # resource path template, relative to the base URI
    secured_by: list[tuple[str | None, dict]] = field(default_factory=list)  # (scheme or None = anonymous, params)
    secured_by_level: str = ""  # method | resource | root | ""
    query_parameters: list[str] = field(default_factory=list)
    uri_parameters: list[str] = field(default_factory=list)
    traits: list[str] = field(default_factory=list)
    resource_type: str = ""
    display_name: str = ""
    pointer: tuple = ()


@dataclass
class RamlApi:
    file: str
    title: str = ""
    version: str = ""
    base_uri: str = ""
    protocols: list[str] = field(default_factory=list)
    security_schemes: dict[str, dict] = field(default_factory=dict)
    methods: list[RamlMethod] = field(default_factory=list)
    issues: list[RamlIssue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # every file read (main, includes, libraries)


def raml_header(text: str) -> tuple[str, str] | None:
    """('1.0', '') for an API, ('1.0', 'Trait') for a fragment, None when not RAML."""
    m = re.match(r"#%RAML[ \t]+(\d+\.\d+)[ \t]*([A-Za-z]*)", text)
    return (m.group(1), m.group(2)) if m else None


class _Loader:
    def __init__(self, root: Path, api: RamlApi):
        self.root = root.resolve()
        self.api = api
        self.cache: dict[Path, Any] = {}
        self.count = 0

    def rel(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def load(self, path: Path, depth: int) -> Any:
        """Parse one RAML/YAML file with its includes resolved; None (and an issue) on failure."""
        resolved = path.resolve()
        if resolved in self.cache:
            return copy.deepcopy(self.cache[resolved])
        self.count += 1
        if self.count > MAX_FILES:
            self.api.issues.append(RamlIssue(self.rel(path), f"more than {MAX_FILES} files included: stopped"))
            return None
        base = resolved.parent

        def hook(tag: str, value: Any, line: int) -> Any:
            if tag != "!include":
                return value
            return self.include(base, value, depth + 1, self.rel(resolved), line)

        try:
            doc = load_document(resolved, tag_hook=hook, max_bytes=8 * 1024 * 1024)
        except DocumentError as exc:
            self.api.issues.append(RamlIssue(self.rel(path), exc.message, exc.line))
            return None
        self.api.files.append(self.rel(resolved))
        self.cache[resolved] = doc.data
        return copy.deepcopy(doc.data)

    def include(self, base: Path, value: Any, depth: int, from_file: str, line: int) -> Any:
        if not isinstance(value, str) or not value.strip():
            self.api.issues.append(RamlIssue(from_file, "!include without a file name", line))
            return None
        ref = value.strip()
        if "://" in ref:
            self.api.issues.append(RamlIssue(from_file, f"remote !include {ref!r} not followed", line))
            return None
        target = (self.root / ref.lstrip("/")) if ref.startswith("/") else (base / ref)
        try:
            target.resolve().relative_to(self.root)
        except (ValueError, OSError):
            self.api.issues.append(RamlIssue(from_file, f"!include {ref!r} points outside the input root", line))
            return None
        if depth > MAX_INCLUDE_DEPTH:
            self.api.issues.append(RamlIssue(from_file, f"!include {ref!r} nested deeper than {MAX_INCLUDE_DEPTH}", line))
            return None
        if not target.is_file():
            self.api.issues.append(RamlIssue(from_file, f"!include {ref!r}: file not found", line))
            return None
        if target.suffix.lower() not in _PARSED_SUFFIXES:
            return {"$include": self.rel(target)}  # examples, schemas, docs: not interpreted
        return self.load(target, depth)


def load_raml(path: Path, root: Path) -> RamlApi:
    """Read a RAML 1.0 API file and its includes/libraries into a flat list of operations."""
    api = RamlApi(file=str(path))
    loader = _Loader(root, api)
    api.file = loader.rel(path)
    data = loader.load(path, 0)
    if data is None:
        return api
    if not isinstance(data, dict):
        api.issues.append(RamlIssue(api.file, "RAML document is not a mapping"))
        return api
    api.title = _text(data.get("title"))
    api.version = _text(data.get("version"))
    api.base_uri = _text(data.get("baseUri"))
    api.protocols = [str(p).lower() for p in data.get("protocols") or [] if isinstance(p, str)]
    lib = _Library()
    lib.add(data, "", loader, path.parent, 0)
    api.security_schemes = lib.schemes
    root_secured = _secured_list(data.get("securedBy")) if "securedBy" in data else None
    for key, node in data.items():
        if isinstance(key, str) and key.startswith("/"):
            _walk(api, lib, key, node, "", {}, root_secured, (key,))
    return api


class _Library:
    """Named traits, resource types and security schemes, including `uses:` libraries (prefix.name)."""

    def __init__(self):
        self.traits: dict[str, Any] = {}
        self.types: dict[str, Any] = {}
        self.schemes: dict[str, dict] = {}

    def add(self, data: dict, prefix: str, loader: _Loader, base: Path, depth: int) -> None:
        for attr, key in (("traits", "traits"), ("types", "resourceTypes"), ("schemes", "securitySchemes")):
            section = data.get(key)
            if isinstance(section, list):  # RAML 0.8-style list of single-key maps
                merged: dict = {}
                for item in section:
                    if isinstance(item, dict):
                        merged.update(item)
                section = merged
            if isinstance(section, dict):
                target = getattr(self, attr)
                for name, value in section.items():
                    target[prefix + str(name)] = value if isinstance(value, dict) else {}
        uses = data.get("uses")
        if isinstance(uses, dict) and depth < MAX_INCLUDE_DEPTH:
            for ns, ref in uses.items():
                if not isinstance(ref, str):
                    continue
                lib_path = base / ref
                lib_data = loader.include(base, ref, depth + 1, loader.rel(base), 0)
                if isinstance(lib_data, dict) and "$include" not in lib_data:
                    self.add(lib_data, f"{prefix}{ns}.", loader, lib_path.parent, depth + 1)


def _text(value: Any) -> str:
    if isinstance(value, dict):  # RAML 1.0 annotated scalar: {value: ...}
        value = value.get("value")
    return "" if value is None else str(value)


def _ref(value: Any) -> tuple[str, dict]:
    """A trait/resource-type reference: `name` or `{name: {param: value}}`."""
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and len(value) == 1:
        name, params = next(iter(value.items()))
        return str(name), params if isinstance(params, dict) else {}
    return "", {}


def _substitute(value: Any, params: dict[str, Any], depth: int = 0, _memo: dict | None = None) -> Any:
    """Replace `<<param>>` (transform functions such as `!singularize` are not applied).
    Shared (aliased) nodes are substituted once, so an alias bomb cannot blow up."""
    memo = _memo if _memo is not None else {}
    if depth > 60:
        return value
    if isinstance(value, str):
        whole = _PARAM.fullmatch(value.strip())
        if whole and whole.group(1) in params and not isinstance(params[whole.group(1)], str):
            return params[whole.group(1)]
        return _PARAM.sub(lambda m: str(params.get(m.group(1), m.group(0))), value)
    if not isinstance(value, (dict, list)):
        return value
    if id(value) in memo:
        return memo[id(value)]
    if isinstance(value, dict):
        out: Any = {}
        memo[id(value)] = out
        for k, v in value.items():
            out[_substitute(k, params, depth + 1, memo) if isinstance(k, str) else k] = _substitute(v, params, depth + 1, memo)
        return out
    out = []
    memo[id(value)] = out
    out.extend(_substitute(v, params, depth + 1, memo) for v in value)
    return out


def _merge(dst: dict, src: dict, _seen: set | None = None) -> None:
    """Merge a resource type or trait into a node: what the node writes itself wins;
    `method?:` applies only to methods the node has; `is` lists are joined. Each (node, source)
    pair is merged once, so aliased trees cannot make it explode."""
    seen = _seen if _seen is not None else set()
    if (id(dst), id(src)) in seen or len(seen) > 100_000:
        return
    seen.add((id(dst), id(src)))
    for key, value in src.items():
        if not isinstance(key, str):
            continue
        if key.endswith("?"):
            real = key[:-1]
            if real in dst and isinstance(dst[real], dict) and isinstance(value, dict):
                _merge(dst[real], value, seen)
            continue
        if key in ("type", "usage", "description", "displayName") and key in dst:
            continue
        if key not in dst or dst[key] is None:
            if key in RAML_METHODS and value is None:
                value = {}
            dst[key] = copy.deepcopy(value)
        elif key == "is" and isinstance(dst[key], list) and isinstance(value, list):
            dst[key] = dst[key] + [v for v in value if v not in dst[key]]
        elif isinstance(dst[key], dict) and isinstance(value, dict):
            _merge(dst[key], value, seen)


def _apply_type(lib: _Library, node: dict, path: str, api: RamlApi) -> str:
    """Expand a resource's `type:` chain into it: the resource wins over its type, a type over
    the type it extends; `method?:` keys are judged against the resource's own methods."""
    first = ""
    ref = node.get("type")
    chain: list[dict] = []
    while ref:
        name, params = _ref(ref)
        if not name:
            break
        first = first or name
        template = lib.types.get(name)
        if template is None:
            api.issues.append(RamlIssue(api.file, f"resource {path}: unknown resource type {name!r}"))
            break
        if len(chain) >= MAX_TYPE_CHAIN:
            api.issues.append(RamlIssue(api.file, f"resource {path}: resource type chain too long at {name!r}"))
            break
        segs = [s for s in path.split("/") if s and not s.startswith("{")]
        ctx = {"resourcePath": path, "resourcePathName": segs[-1] if segs else "",
               **{str(k): v for k, v in params.items()}}
        expanded = _substitute(copy.deepcopy(template), ctx)
        if not isinstance(expanded, dict):
            break
        ref = expanded.pop("type", None)
        chain.append(expanded)
    node.pop("type", None)
    for expanded in chain:
        _merge(node, expanded)
    return first


def _apply_traits(lib: _Library, method_node: dict, refs: list, path: str, method: str, api: RamlApi) -> list[str]:
    names: list[str] = []
    for ref in refs:
        name, params = _ref(ref)
        if not name:
            continue
        trait = lib.traits.get(name)
        if trait is None:
            api.issues.append(RamlIssue(api.file, f"{method.upper()} {path}: unknown trait {name!r}"))
            continue
        segs = [s for s in path.split("/") if s and not s.startswith("{")]
        ctx = {"resourcePath": path, "resourcePathName": segs[-1] if segs else "", "methodName": method,
               **{str(k): v for k, v in params.items()}}
        expanded = _substitute(copy.deepcopy(trait), ctx)
        if isinstance(expanded, dict):
            _merge(method_node, expanded)
        names.append(name)
    return names


def _secured_list(value: Any) -> list[tuple[str | None, dict]]:
    items = value if isinstance(value, list) else [value]
    out: list[tuple[str | None, dict]] = []
    for item in items:
        if item is None or item == "null":
            out.append((None, {}))
        elif isinstance(item, str):
            out.append((item, {}))
        elif isinstance(item, dict) and len(item) == 1:
            name, params = next(iter(item.items()))
            out.append((str(name), params if isinstance(params, dict) else {}))
    return out


def _walk(api: RamlApi, lib: _Library, key: str, node: Any, parent: str, parent_uri: dict,
          root_secured: list | None, pointer: tuple, depth: int = 0) -> None:
    if depth > 40:
        return
    path = parent + key
    node = copy.deepcopy(node) if isinstance(node, dict) else {}
    rtype = _apply_type(lib, node, path, api)
    uri_params = dict(parent_uri)
    if isinstance(node.get("uriParameters"), dict):
        uri_params.update(node["uriParameters"])
    for name in re.findall(r"\{([^}]+)\}", path):
        uri_params.setdefault(name, {})
    resource_secured = _secured_list(node["securedBy"]) if "securedBy" in node else None
    resource_traits = node.get("is") if isinstance(node.get("is"), list) else []
    for method in RAML_METHODS:
        if method not in node:
            continue
        mnode = node[method] if isinstance(node[method], dict) else {}
        refs = list(resource_traits) + [r for r in (mnode.get("is") or []) if r not in resource_traits] \
            if isinstance(mnode.get("is") or [], list) else list(resource_traits)
        traits = _apply_traits(lib, mnode, refs, path, method, api)
        if "securedBy" in mnode:
            secured, level = _secured_list(mnode["securedBy"]), "method"
        elif resource_secured is not None:
            secured, level = resource_secured, "resource"
        elif root_secured is not None:
            secured, level = root_secured, "root"
        else:
            secured, level = [], ""
        qp = mnode.get("queryParameters")
        api.methods.append(RamlMethod(
            method=method.upper(), path=path, secured_by=secured, secured_by_level=level,
            query_parameters=[str(k) for k in qp] if isinstance(qp, dict) else [],
            uri_parameters=list(uri_params), traits=traits, resource_type=rtype,
            display_name=_text(mnode.get("displayName")), pointer=pointer + (method,),
        ))
    for child, cnode in node.items():
        if isinstance(child, str) and child.startswith("/"):
            _walk(api, lib, child, cnode, path, uri_params, root_secured, pointer + (child,), depth + 1)
