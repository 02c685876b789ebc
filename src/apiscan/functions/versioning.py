"""Versioning and lifecycle rule functions: version numbers, versioned URLs, deprecation and sunset.

Clients plan migrations from what a document says about its lifecycle: which major version a URL
serves, what replaces a deprecated element and when it goes away (`x-sunset`, the document form of
the RFC 8594 `Sunset` header). These functions check that the story is complete and consistent.
"""

from __future__ import annotations

import datetime as _dt
import re
from email.utils import parsedate_to_datetime
from typing import Any, Iterator

from apiscan.functions.registry import Hit, register
from apiscan.functions.security import (EXAMPLE_KEYS, METHODS, describe_schema, inside_example, is_names_map,
                                        names_holder, operation_label, pointer)

SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
# A version segment in a URL path: /v1, /v2.1, /V3 (whole segment only, so /v1beta or /vendor do not count).
URL_VERSION = re.compile(r"(?i)(?:^|/)v(\d+)(?:\.(\d+))*(?=/|$)")
REPLACEMENT_WORDS = re.compile(
    r"(?i)\b(?:replaced by|replacement|use\b.{0,80}\binstead|instead use|superseded|successor|migrate to|"
    r"moved to|see\b.{0,40}\binstead)")
SUNSET_KEY = "x-sunset"
REPLACED_BY_KEY = "x-replaced-by"


# --------------------------------------------------------------------------- version numbers


@register("semver")
def semver(target, options, ctx):
    """info.version is a Semantic Version (MAJOR.MINOR.PATCH), so tools can compare releases."""
    if isinstance(target, str) and SEMVER.match(target.strip()):
        return
    if isinstance(target, (int, float)) and not isinstance(target, bool):
        yield Hit(f"Version {target!r} is a number, not a MAJOR.MINOR.PATCH string (quote it)")
    elif target is None or not isinstance(target, str):
        yield Hit("Version is missing or not a string")
    else:
        yield Hit(f"Version '{target}' is not a semantic version (MAJOR.MINOR.PATCH)")


def major_of(version: Any) -> int | None:
    """Leading major number of a version string (`1.2.3`, `v2`, `2024.1` -> 1, 2, 2024); None when absent."""
    if isinstance(version, bool):
        return None
    if isinstance(version, (int, float)):
        version = str(version)
    if not isinstance(version, str):
        return None
    m = re.match(r"(?i)^\s*v?(\d+)", version)
    return int(m.group(1)) if m else None


def url_versions(url: str) -> list[tuple[int, str]]:
    """(major, segment) for each version segment in the path part of a URL or path."""
    path = re.sub(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//[^/]*", "", url)
    path = path.split("?", 1)[0].split("#", 1)[0]
    return [(int(m.group(1)), m.group(0).lstrip("/")) for m in URL_VERSION.finditer(path)]


def server_urls(data: Any, resolve) -> list[tuple[tuple, str]]:
    """Root server URLs as written: 3.x `servers[*].url`, 2.0 `basePath`."""
    out: list[tuple[tuple, str]] = []
    if not isinstance(data, dict):
        return out
    if "swagger" in data:
        if isinstance(data.get("basePath"), str):
            out.append((("basePath",), data["basePath"]))
        return out
    servers = resolve(data.get("servers"))
    if isinstance(servers, list):
        for i, server in enumerate(servers):
            server = resolve(server)
            if isinstance(server, dict) and isinstance(server.get("url"), str):
                out.append((("servers", i, "url"), server["url"]))
    return out


@register("serverVersionsConsistent")
def server_versions_consistent(target, options, ctx):
    """All servers of one document serve the same major version; the first versioned server sets it."""
    reference = None
    for path, url in server_urls(ctx.data, ctx.resolve):
        for major, segment in url_versions(url)[:1]:
            if reference is None:
                reference = (major, url)
            elif major != reference[0]:
                yield Hit(f"Server '{url}' carries major version {major}, but '{reference[1]}' carries "
                          f"{reference[0]}", path=path)


@register("serverVersionMatchesInfo")
def server_version_matches_info(target, options, ctx):
    """The major version in a server URL / basePath agrees with info.version's major."""
    data = ctx.data
    info = ctx.resolve(data.get("info")) if isinstance(data, dict) else None
    version = info.get("version") if isinstance(info, dict) else None
    expected = major_of(version)
    if expected is None:
        return
    for path, url in server_urls(data, ctx.resolve):
        for major, segment in url_versions(url)[:1]:
            if major != expected:
                yield Hit(f"'{url}' serves major version {major}, but info.version is '{version}'", path=path)


@register("urlVersionMajorOnly")
def url_version_major_only(target, options, ctx):
    """URLs carry the major version only (`/v2`, not `/v2.1`): minor releases must not move URLs."""
    data = ctx.data
    places = list(server_urls(data, ctx.resolve))
    paths = ctx.resolve(data.get("paths")) if isinstance(data, dict) else None
    if isinstance(paths, dict):
        places += [(("paths", key), key) for key in paths if isinstance(key, str)]
    for path, url in places:
        for _major, segment in url_versions(url):
            if "." in segment:
                yield Hit(f"'{url}' has version segment '{segment}' with a minor part; use the major only",
                          path=path)
                break


def _path_versions(data: Any, resolve) -> list[tuple[str, int]]:
    paths = resolve(data.get("paths")) if isinstance(data, dict) else None
    out = []
    if isinstance(paths, dict):
        for key in paths:
            if isinstance(key, str):
                found = url_versions(key)
                if found:
                    out.append((key, found[0][0]))
    return out


@register("noVersionInPathsWhenServerVersioned")
def no_version_in_paths(target, options, ctx):
    """When servers / basePath carry the version, a version in a path doubles it (`/v1/v1/pets`) or contradicts it."""
    versioned = [url for _p, url in server_urls(ctx.data, ctx.resolve) if url_versions(url)]
    if not versioned:
        return
    for key, major in _path_versions(ctx.data, ctx.resolve):
        yield Hit(f"Path '{key}' carries a version although server '{versioned[0]}' already does",
                  path=("paths", key))


@register("pathVersionsConsistent")
def path_versions_consistent(target, options, ctx):
    """Versioned paths of one document share one major version (the most common; ties go to the first)."""
    found = _path_versions(ctx.data, ctx.resolve)
    if not found:
        return
    counts: dict[int, int] = {}
    for _key, major in found:
        counts[major] = counts.get(major, 0) + 1
    order = [m for _k, m in found]
    main = max(counts, key=lambda m: (counts[m], -order.index(m)))
    for key, major in found:
        if major != main:
            yield Hit(f"Path '{key}' is version {major}, while the other paths are version {main}",
                      path=("paths", key))


# --------------------------------------------------------------------------- deprecation and sunset


def parse_sunset(value: Any) -> _dt.date | None:
    """An ISO 8601 date or date-time, or an HTTP-date (the Sunset header's form); None when not a date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return _dt.date.fromisoformat(text)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?", text):
            return _dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00")).date()
        if re.match(r"^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} ", text):
            return parsedate_to_datetime(text).date()
    except (ValueError, TypeError, IndexError):
        return None
    return None


def _mentions_replacement(obj: dict) -> bool:
    replaced = obj.get(REPLACED_BY_KEY)
    if isinstance(replaced, str) and replaced.strip() or isinstance(replaced, dict) and replaced:
        return True
    return any(isinstance(obj.get(k), str) and REPLACEMENT_WORDS.search(obj[k]) for k in ("description", "summary"))


def deprecation_problems(obj: dict, require: str, name) -> Iterator[tuple[tuple, str]]:
    """(relative path, message) for a deprecated object that lacks a replacement or a valid sunset date.

    `name` is a callable giving the object's description, built only when there is something to say.
    """
    if obj.get("deprecated") is not True:
        return
    what = name()
    if require == "replacement":
        if not _mentions_replacement(obj):
            yield ("deprecated",), (f"Deprecated {what} does not say what replaces it "
                                    f"({REPLACED_BY_KEY}, or 'use ... instead' in its description)")
    elif require == "sunset":
        if SUNSET_KEY not in obj:
            yield ("deprecated",), f"Deprecated {what} has no {SUNSET_KEY} date"
        elif parse_sunset(obj.get(SUNSET_KEY)) is None:
            yield (SUNSET_KEY,), f"{SUNSET_KEY} of deprecated {what} is not a valid date (use YYYY-MM-DD)"


@register("deprecationDocumented")
def deprecation_documented(target, options, ctx):
    """A deprecated operation says what replaces it / when it goes (option `require`: replacement | sunset)."""
    obj = ctx.resolve(target)
    if not isinstance(obj, dict):
        return
    what = f"operation {operation_label(ctx.path)}" if len(ctx.path) == 3 and ctx.path[0] == "paths" else \
        pointer(ctx.path)
    for rel, message in deprecation_problems(obj, str(options.get("require", "replacement")), lambda: what):
        yield Hit(message, path=rel)


_SCHEMA_HOLDERS = frozenset(("schema", "schemas", "definitions", "$defs"))
_OPERATION_HOLDERS = frozenset(("paths", "webhooks", "pathItems"))


def _keys(node: Any) -> list:
    """The keys from `node` up to the root (node's own key first; the root's key is None)."""
    out = []
    while isinstance(node, tuple) and len(node) >= 5:
        out.append(node[3])
        node = node[4]
    return out


def element_kind(node: Any) -> tuple[str, tuple] | None:
    """('operation' | 'parameter' | 'schema', logical path) for the object an engine node holds, else None.

    Decided from the keys that lead to the object (as the `$..` walk reached it), so the same
    function serves objects written in any file. Objects inside example values are none of these;
    the `..` walk reaches each object once, by its first route (which may be an `x-` extension
    such as `x-webhooks`).
    """
    keys = _keys(node)
    if not keys:
        return None
    logical = tuple(k for k in reversed(keys) if k is not None)
    if is_names_map(node) or (keys[0] in EXAMPLE_KEYS and not names_holder(node)) or inside_example(node):
        return None
    if len(keys) >= 3 and keys[0] in METHODS and keys[2] in _OPERATION_HOLDERS:
        return "operation", logical
    if len(keys) >= 2 and keys[1] == "parameters" and (
            isinstance(keys[0], int) or len(keys) == 2 or keys[2] in ("components", None)):
        return "parameter", logical
    if any(k in _SCHEMA_HOLDERS for k in keys if isinstance(k, str)):
        return "schema", logical
    return None


def _describe_element(kind: str, logical: tuple, obj: dict) -> str:
    if kind == "operation":
        return f"operation {operation_label(logical[-3:] if logical[-3:-2] == ('paths',) else logical)}"
    if kind == "parameter":
        owner = logical[:-2]
        where = operation_label(owner) if len(owner) == 3 and owner[0] == "paths" else (
            f"path {owner[1]}" if len(owner) == 2 and owner[0] == "paths" else "the components")
        return f"parameter '{obj.get('name', '?')}' ({where})"
    return _schema_name(logical)


def _schema_name(path: tuple) -> str:
    kind = "property" if len(path) >= 2 and path[-2] == "properties" else "schema"
    return f"{kind} '{describe_schema(path)}'"


def _deprecated_of_kind(target, options, ctx, kind: str):
    obj = ctx.resolve(target)
    if not isinstance(obj, dict) or obj.get("deprecated") is not True:
        return
    found = element_kind(getattr(ctx, "node", None))
    if found is None or found[0] != kind:
        return
    require = str(options.get("require", "replacement"))
    for rel, message in deprecation_problems(obj, require, lambda: _describe_element(kind, found[1], obj)):
        yield Hit(message, path=rel)


@register("deprecatedParameterDocumented")
def deprecated_parameter_documented(target, options, ctx):
    """A deprecated parameter (selected with `$..deprecated^`) names its replacement / sunset (option `require`)."""
    yield from _deprecated_of_kind(target, options, ctx, "parameter")


@register("deprecatedSchemaDocumented")
def deprecated_schema_documented(target, options, ctx):
    """A deprecated schema or property (selected with `$..deprecated^`) names its replacement / sunset."""
    yield from _deprecated_of_kind(target, options, ctx, "schema")


def _sunset_holder(target, ctx) -> tuple[dict, str] | None:
    """The operation / parameter / schema holding an x-sunset (selected with `$..x-sunset^`), and its name."""
    obj = ctx.resolve(target)
    if not isinstance(obj, dict) or SUNSET_KEY not in obj:
        return None
    found = element_kind(getattr(ctx, "node", None))
    if found is None:
        return None
    name = _describe_element(found[0], found[1], obj)
    return obj, name[0].upper() + name[1:]


@register("sunsetRequiresDeprecated")
def sunset_requires_deprecated(target, options, ctx):
    """An element with a sunset date must be marked `deprecated: true`, or clients get no warning."""
    held = _sunset_holder(target, ctx)
    if held and held[0].get("deprecated") is not True:
        yield Hit(f"{held[1]} has an {SUNSET_KEY} date but is not marked deprecated", path=(SUNSET_KEY,))


@register("sunsetNotPassed")
def sunset_not_passed(target, options, ctx):
    """An element past its sunset date should have been removed (option `today`: YYYY-MM-DD, for tests)."""
    held = _sunset_holder(target, ctx)
    if not held:
        return
    today = parse_sunset(options.get("today")) or _dt.date.today()
    when = parse_sunset(held[0].get(SUNSET_KEY))
    if when is not None and when < today:
        yield Hit(f"{held[1]} passed its sunset date {when.isoformat()} and is still published",
                  path=(SUNSET_KEY,))


@register("deprecationHeaderDeclared")
def deprecation_header_declared(target, options, ctx):
    """A deprecated operation's success responses announce it at run time (`Deprecation` or `Sunset` header)."""
    op = ctx.resolve(target)
    if not isinstance(op, dict) or op.get("deprecated") is not True:
        return
    names = {str(n).lower() for n in (options.get("headers") or ("Deprecation", "Sunset"))}
    responses = ctx.resolve(op.get("responses"))
    if not isinstance(responses, dict):
        return
    success = [(code, ctx.resolve(r)) for code, r in responses.items() if str(code).startswith("2")
               or str(code).upper() == "2XX"]
    for _code, response in success:
        headers = ctx.resolve(response.get("headers")) if isinstance(response, dict) else None
        if isinstance(headers, dict) and names & {str(h).lower() for h in headers}:
            return
    if success:
        yield Hit(f"Deprecated operation {operation_label(ctx.path)} declares no Deprecation or Sunset header "
                  f"on its success responses", path=("responses",))
