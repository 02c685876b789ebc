"""Functions behind our governance rules: the description is valid OpenAPI, and in-spec
suppressions carry a reason."""

from __future__ import annotations

from apiscan.functions.registry import Hit, register


@register("openapiSchema")
def openapi_schema(target, options, ctx):
    """Structural validation against the official OpenAPI JSON Schema of the document's version."""
    from apiscan.sources.openapi import validate_structure

    if ctx.document is None:
        return
    limit = int(options.get("limit", 100)) if isinstance(options, dict) else 100
    for path, message in validate_structure(ctx.document, limit=limit):
        yield Hit(message=message, path=path)


@register("ignoreHasReason")
def ignore_has_reason(target, options, ctx):
    from apiscan.suppressions import IGNORE_KEY, parse_inline

    # target is the value of x-apiscan-ignore; report relative to it
    _, problems = parse_inline(target, "", ())
    for path, message in problems:
        rel = path[1:] if path and path[0] == IGNORE_KEY else path
        yield Hit(message=message, path=rel)
