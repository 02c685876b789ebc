"""Functions behind the `apiscan:owasp` ruleset (rules/rulesets/owasp-2023.yaml).

They port the intent of the JavaScript helpers in Spectral's OWASP ruleset (checkSecurity,
differentSecuritySchemes) plus one check that JSONPath and core functions cannot express for
both OpenAPI 2 and 3. Names carry an `owasp` prefix so that a user's own Python function with
Spectral's original name (loaded from a ruleset's functionsDir) is never shadowed by ours.
"""

from __future__ import annotations

import json
from typing import Any, Iterator

from apiscan.functions.core import js_truthy
from apiscan.functions.registry import FunctionOptionsError, Hit, register

HTTP_METHODS = ("get", "head", "post", "put", "patch", "delete", "options", "trace")


def _operations(root: Any, ctx: Any) -> Iterator[tuple[str, str, dict]]:
    """(path key, method, operation) for every operation, following `$ref`ed path items."""
    paths = ctx.resolve(root.get("paths")) if isinstance(root, dict) else None
    if not isinstance(paths, dict):
        return
    for key, item in paths.items():
        item = ctx.resolve(item)
        if not isinstance(item, dict):
            continue
        for method in item:
            if method in HTTP_METHODS:
                op = ctx.resolve(item[method])
                if isinstance(op, dict):
                    yield str(key), method, op


def _methods_option(options: dict) -> tuple[str, ...] | None:
    methods = options.get("methods")
    if methods is None:
        return None
    if not isinstance(methods, list) or not all(isinstance(m, str) for m in methods):
        raise FunctionOptionsError("owaspCheckSecurity: `methods` must be a list of HTTP method names")
    return tuple(m.lower() for m in methods)


@register("owaspCheckSecurity")
def check_security(target: Any, options: dict, ctx: Any):
    """Operations whose effective security requirement (their own, else the top-level one) is
    missing or empty. With `nullable: false`, an empty alternative `{}` (anonymous access) counts
    as unprotected too; with `nullable: true` it is an accepted way to say "public on purpose"."""
    options = options or {}
    methods = _methods_option(options)
    nullable = options.get("nullable", True)
    if not isinstance(nullable, bool):
        raise FunctionOptionsError("owaspCheckSecurity: `nullable` must be true or false")
    root = ctx.resolve(target)
    top = ctx.resolve(root.get("security")) if isinstance(root, dict) else None
    for key, method, op in _operations(root, ctx):
        if methods is not None and method not in methods:
            continue
        here = ("paths", key, method, "security")
        label = f"{method.upper()} {key}"
        requirement = ctx.resolve(op["security"]) if "security" in op else top
        if not requirement:
            yield Hit(f"{label} has no security requirement", path=here)
            continue
        if nullable or not isinstance(requirement, list):
            continue
        for i, entry in enumerate(requirement):
            entry = ctx.resolve(entry)
            if isinstance(entry, dict) and not entry:
                yield Hit(f"{label} allows anonymous access (an empty security requirement)", path=(*here, i))


@register("owaspDifferentSecuritySchemes")
def different_security_schemes(target: Any, options: dict, ctx: Any):
    """Admin operations (path containing `adminUrl`) whose security requirement is also used by a
    non-admin operation. Operations without their own `security` are left to the rules that
    check for missing security."""
    options = options or {}
    admin_url = options.get("adminUrl", "/admin")
    if not isinstance(admin_url, str) or not admin_url:
        raise FunctionOptionsError("owaspDifferentSecuritySchemes: `adminUrl` must be a non-empty string")
    root = ctx.resolve(target)
    ordinary: set[str] = set()
    admin: list[tuple[str, str, int, str]] = []
    for key, method, op in _operations(root, ctx):
        requirement = ctx.resolve(op.get("security"))
        if not isinstance(requirement, list):
            continue
        for i, entry in enumerate(requirement):
            entry = ctx.resolved(entry)
            if not isinstance(entry, dict):
                continue
            digest = json.dumps(entry, sort_keys=True, default=str)
            if admin_url in key:
                admin.append((key, method, i, digest))
            else:
                ordinary.add(digest)
    for key, method, i, digest in admin:
        if digest in ordinary:
            yield Hit(f"Admin endpoint {key} has the same security requirement as a non-admin endpoint",
                      path=("paths", key, method, "security", i))


@register("owaspResponseDocumented")
def response_documented(target: Any, options: dict, ctx: Any):
    """A responses object documents the status `code` with a body: `content` in OpenAPI 3,
    `schema` in OpenAPI 2, each in the form that version writes it."""
    code = (options or {}).get("code")
    if not isinstance(code, str) or not code:
        raise FunctionOptionsError('owaspResponseDocumented needs `code`, a status code string such as "401"')
    responses = ctx.resolve(target)
    if not isinstance(responses, dict):
        return None
    response = ctx.resolve(responses.get(code))
    if not js_truthy(response):
        return [Hit(f"Operation is missing a {code} response")]
    body_key = "schema" if _is_oas2(ctx) else "content"
    if not isinstance(response, dict) or not js_truthy(response.get(body_key)):
        return [Hit(f"The {code} response has no `{body_key}`", path=(code,))]
    return None


def _is_oas2(ctx: Any) -> bool:
    data = ctx.data
    return isinstance(data, dict) and "swagger" in data
