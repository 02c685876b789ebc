"""Design rule functions: path shape, naming consistency, collection and method semantics.

Why heuristics live here and not in JSONPath: deciding that `/pet/{id}` names a singular collection,
that `findByStatus` starts with a verb, or that a response "wraps an array" needs word splitting
and schema resolution that patterns cannot express readably. Every heuristic is conservative (it
stays quiet when unsure) and its word lists can be replaced through `functionOptions`.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from apiscan.functions.oas import Node, Operation, View, relative, view
from apiscan.functions.registry import FunctionOptionsError, Hit, register

_PARAM = re.compile(r"\{[^{}]*\}")
_WORD_SPLIT = re.compile(r"[-_.]+|(?<=[a-z0-9])(?=[A-Z])")


# --------------------------------------------------------------------------- path segments


def segments(path: str) -> list[str]:
    """The segments of a path template, empty ones included (`/a//b` → ['a', '', 'b']).

    A `?` or `#` ends the path (`/#X-Amz-Target=...` keys are DES016's concern, not a segment).
    """
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    body = path[1:] if path.startswith("/") else path
    return body.split("/") if body else []


def is_param_segment(seg: str) -> bool:
    return bool(seg) and _PARAM.fullmatch(seg) is not None


def literal_parts(seg: str) -> list[str]:
    """The literal text of a segment around its parameters: `{id}.json` → ['.json']."""
    return [p for p in _PARAM.split(seg) if p]


def words(name: str) -> list[str]:
    """Split kebab, snake, dotted and camel names into lowercase words."""
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


def template_names(path: str) -> list[str]:
    """Parameter names of a template's path part; AWS greedy variables (`{proxy+}`) declare `proxy`.

    Variables after a `?` (`/rides?page={page}`) are query parameters misplaced in the key (DES016).
    """
    path = re.split(r"[?#]", path, maxsplit=1)[0]
    return [m.group(0)[1:-1].rstrip("+*") for m in _PARAM.finditer(path)]


# --------------------------------------------------------------------------- casing


_CASINGS = (  # first match wins; acronyms are allowed inside camel and Pascal names (`vatID`, `DBInstance`)
    ("flat", re.compile(r"[a-z][a-z0-9]*|[A-Z][A-Z0-9]*|[0-9][A-Za-z0-9]*")),  # one word: fits any casing
    ("camel", re.compile(r"[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*")),
    ("pascal", re.compile(r"[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*")),
    ("snake", re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")),
    ("kebab", re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)+")),
    ("upper", re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")),
)
_SUFFIX = re.compile(r"[\[.]")


@lru_cache(maxsize=65536)
def casing_of(name: str) -> str:
    """camel | pascal | snake | kebab | upper | mixed, or flat: one word (`id`, `ID`, `8`) fits any.

    Leading `_`, `$`, `@` (HAL `_links`, OData `$top`, `@odata.type`) and bracketed or dotted
    suffixes (`page[size]`, `filter.name`) do not decide the casing: the base name does.
    Cached: property names repeat thousands of times in a large spec.
    """
    base = _SUFFIX.split(name.lstrip("_$@"), maxsplit=1)[0]
    if not base:
        return "flat"
    for kind, rx in _CASINGS:
        if rx.fullmatch(base):
            return kind
    return "mixed"


CASING_NAMES = {"camel": "camelCase", "pascal": "PascalCase", "snake": "snake_case", "kebab": "kebab-case",
                "upper": "UPPER_CASE", "mixed": "mixed case", "flat": "lowercase"}


def dominant_casing(names: list[str], forced: str | None = None) -> str | None:
    """The casing most names use (ties: the first seen); one-word names do not vote."""
    if forced:
        if forced not in CASING_NAMES or forced == "flat":
            raise FunctionOptionsError(f"casing must be one of camel, pascal, snake, kebab, upper, not {forced!r}")
        return forced
    votes = Counter()
    order: dict[str, int] = {}
    for n in names:
        c = casing_of(n)
        if c not in ("flat", "mixed"):
            votes[c] += 1
            order.setdefault(c, len(order))
    if not votes:
        return None
    return max(votes, key=lambda c: (votes[c], -order[c]))


def _casing_hits(ctx, items: list[tuple[str, tuple, str]], kind: str, forced: str | None):
    """items: (name, path, owner). Report names whose casing differs from the document's dominant one."""
    dominant = dominant_casing([n for n, _, _ in items], forced)
    if dominant is None:
        return
    want = CASING_NAMES[dominant]
    for name, path, owner in items:
        c = casing_of(name)
        if c == "flat" or c == dominant:
            continue
        why = "the rule asks for" if forced else "most of this API uses"
        yield Hit(f"{kind} '{name}'{owner} is {CASING_NAMES[c]} but {why} {want}", path=relative(ctx, path))


@register("queryParameterCasing")
def query_parameter_casing(target, options, ctx):
    """options: casing (camel | snake | kebab | pascal | upper) to impose one instead of the dominant one."""
    v = view(ctx)
    items, seen = [], set()
    for op in v.operations():
        for p in v.parameters(op):
            key = (p.node.path, p.node.local)
            if p.location == "query" and p.name and key not in seen:
                seen.add(key)
                items.append((p.name, p.node.path, f" of {op.label}"))
    yield from _casing_hits(ctx, items, "Query parameter", options.get("casing"))


@register("propertyCasing")
def property_casing(target, options, ctx):
    v = view(ctx)
    items = []
    for s in v.schemas():
        props = s.node.value.get("properties")
        if isinstance(props, dict):
            items += [(str(k), s.node.path + ("properties", k), f" of {s.owner}") for k in props]
    yield from _casing_hits(ctx, items, "Property", options.get("casing"))


def _operation_id_casing(oid: str) -> str:
    """`repos/list-for-org`, `pets.list` and AutoRest's `Pets_ListAll` are namespaced ids: every part
    must share one casing. An `_` separates namespaces only when the id is not all lowercase."""
    parts = [p for p in re.split(r"[/.:]", oid) if p]
    parts = [q for p in parts for q in (p.split("_") if "_" in p and p.lower() != p else [p]) if q]
    kinds = {casing_of(p) for p in parts} - {"flat"}
    if not kinds:
        return "flat"
    return kinds.pop() if len(kinds) == 1 else "mixed"


@register("operationIdCasing")
def operation_id_casing(target, options, ctx):
    v = view(ctx)
    forced = options.get("casing")
    items = [(op.value["operationId"], op.node.path + ("operationId",), f" of {op.label}")
             for op in v.distinct_operations() if isinstance(op.value.get("operationId"), str)]
    dominant = dominant_casing([], forced) if forced else _dominant_id_casing([i[0] for i in items])
    if dominant is None:
        return
    for oid, path, owner in items:
        c = _operation_id_casing(oid)
        if c not in ("flat", dominant):
            why = "the rule asks for" if forced else "most of this API uses"
            yield Hit(f"operationId '{oid}'{owner} is {CASING_NAMES[c]} but {why} {CASING_NAMES[dominant]}",
                      path=relative(ctx, path))


def _dominant_id_casing(ids: list[str]) -> str | None:
    votes, order = Counter(), {}
    for oid in ids:
        c = _operation_id_casing(oid)
        if c not in ("flat", "mixed"):
            votes[c] += 1
            order.setdefault(c, len(order))
    return max(votes, key=lambda c: (votes[c], -order[c])) if votes else None


# --------------------------------------------------------------------------- path shape


_KEBAB = re.compile(r"[a-z0-9]+(?:[-.][a-z0-9]+)*")  # dots: versions such as v1.2


@register("pathKebabCase")
def path_kebab_case(target, options, ctx):
    """given `$.paths`: literal segments are kebab-case; parameters (`{petId}`) are exempt.

    options: allow (a regex of extra accepted literal segments, e.g. `^v\\d+(\\.\\d+)*$`).
    """
    if not isinstance(target, dict):
        return
    allow = re.compile(options["allow"]) if options.get("allow") else None
    for path in target:
        bad = []
        for seg in segments(str(path)):
            for part in literal_parts(seg):
                part = part.strip(".:")  # `{id}.json`, `{name}:cancel`: separators around parameters
                if part and not _KEBAB.fullmatch(part) and not (allow and allow.search(part)):
                    bad.append(part)
        if bad:
            yield Hit(f"Path {path}: segment(s) {', '.join(repr(b) for b in bad)} not kebab-case", path=(path,))


DEFAULT_VERBS = ("get", "list", "create", "add", "update", "delete", "remove", "fetch", "retrieve", "find",
                 "set", "put", "post", "patch", "insert", "modify", "edit", "save", "destroy", "read", "write")


@register("noVerbsInPaths")
def no_verbs_in_paths(target, options, ctx):
    """given `$.paths`: a literal segment that is, or starts with, a CRUD verb (`/getPets`, `/pets/delete`).

    options: verbs (list replacing the default). Whole words only: `settings` is not `set`.
    """
    if not isinstance(target, dict):
        return
    verbs = {w.lower() for w in options.get("verbs", DEFAULT_VERBS)}
    for path in target:
        for seg in segments(str(path)):
            for part in literal_parts(seg):
                ws = words(part)
                if ws and ws[0] in verbs:
                    yield Hit(f"Path {path}: segment '{part}' is a verb ('{ws[0]}'); let the HTTP method say it",
                              path=(path,))
                    break
            else:
                continue
            break


# vendor extensions that stand for "every method" (AWS API Gateway imports)
ANY_METHOD_EXTENSIONS = ("x-amazon-apigateway-any-method",)


@register("pathItemHasOperations")
def path_item_has_operations(target, options, ctx):
    """given `$.paths`: a path with no operation is noise in every catalogue and portal."""
    if not isinstance(target, dict):
        return
    v = view(ctx)
    methods = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
    base = tuple(ctx.path)
    for path, raw in target.items():
        item = v.follow(Node(raw, base + (path,)))
        value = item.value
        if v.is_ref(value) or not isinstance(value, dict):
            continue  # an unresolved ref is the resolver's error, not ours
        if not any(isinstance(value.get(m), dict) for m in methods + ANY_METHOD_EXTENSIONS):
            yield Hit(f"Path {path} defines no operation", path=(path,))


UNCOUNTABLE = frozenset((
    "data", "metadata", "media", "information", "info", "news", "series", "species", "equipment", "software",
    "hardware", "feedback", "staff", "people", "children", "men", "women", "feet", "teeth", "mice", "geese",
    "criteria", "indices", "matrices", "vertices", "analytics", "statistics", "stats", "settings", "sheep",
    "fish", "deer", "aircraft", "inventory", "search", "me", "self", "auth", "config", "health", "status",
    "content", "history", "access", "admin", "api", "rest", "graphql", "latest", "current", "public", "private",
))


PLURAL_EXCEPTIONS = frozenset(("menus", "emus", "gnus"))  # plurals that the `-us` test would call singular


def is_plural(word: str, uncountable: frozenset = UNCOUNTABLE) -> bool:
    w = word.lower()
    if w in uncountable:
        return True
    if len(w) <= 2 or any(ch.isdigit() for ch in w):
        return True  # v1, id, a2b: not a noun we can judge
    if w in PLURAL_EXCEPTIONS:
        return True
    return w.endswith("s") and not w.endswith(("ss", "us", "sis", "axis"))


def pluralize(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


@register("pluralCollections")
def plural_collections(target, options, ctx):
    """given `$.paths`: a literal segment followed by an `{id}` names a collection: plural noun.

    options: uncountable (extra words accepted as they are).
    """
    if not isinstance(target, dict):
        return
    extra = frozenset(w.lower() for w in options.get("uncountable", ()))
    vocab = UNCOUNTABLE | extra
    for path in target:
        segs = segments(str(path))
        for seg, nxt in zip(segs, segs[1:]):
            if not is_param_segment(nxt) or not seg or "{" in seg:
                continue
            ws = words(seg)
            if ws and not is_plural(ws[-1], vocab):
                yield Hit(f"Path {path}: collection '{seg}' is singular (e.g. '{pluralize(seg)}')", path=(path,))
                break


# --------------------------------------------------------------------------- parameters


@register("pathParametersDeclared")
def path_parameters_declared(target, options, ctx):
    """Every `{name}` in the path template has an `in: path` parameter (operation or path level)."""
    v = view(ctx)
    for op in v.path_operations():
        declared = {p.name for p in v.parameters(op) if p.location == "path"}
        missing = [n for n in dict.fromkeys(template_names(op.path)) if n not in declared]
        for name in missing:
            yield Hit(f"{op.label} does not declare path parameter '{name}'", path=relative(ctx, op.node.path))


@register("pathParametersUsed")
def path_parameters_used(target, options, ctx):
    """Every `in: path` parameter appears in the path template (a dead path parameter is never sent)."""
    v = view(ctx)
    seen: set = set()
    for op in v.path_operations():
        names = set(template_names(op.path))
        for p in v.parameters(op):
            key = (p.node.path, p.node.local, op.path)
            if p.location != "path" or p.name in names or key in seen:
                continue
            seen.add(key)
            yield Hit(f"Path parameter '{p.name}' of {op.label} is not in the path template",
                      path=relative(ctx, p.node.path))


# --------------------------------------------------------------------------- methods and responses


@register("noRequestBodyOnSafeMethods")
def no_request_body_on_safe_methods(target, options, ctx):
    """GET, HEAD and DELETE bodies have no defined meaning (RFC 9110): proxies and caches drop them."""
    methods = {m.lower() for m in options.get("methods", ("get", "head", "delete"))}
    v = view(ctx)
    seen: set = set()
    for op in v.distinct_operations():
        if op.method not in methods:
            continue
        if v.format == "oas2":
            for p in v.parameters(op):
                if p.location in ("body", "formData") and (p.node.path, op.method) not in seen:
                    seen.add((p.node.path, op.method))
                    yield Hit(f"{op.label} declares a request body ({p.location} parameter '{p.name}')",
                              path=relative(ctx, p.node.path))
        elif "requestBody" in op.value:
            # a `$ref`'d body is pointed at by its operation: the shared body itself is fine elsewhere
            where = op.node.path if v.is_ref(op.value["requestBody"]) else op.node.path + ("requestBody",)
            yield Hit(f"{op.label} declares a request body", path=relative(ctx, where))


ACTION_WORDS = frozenset((
    "search", "query", "login", "logout", "signin", "signout", "token", "tokens", "refresh", "validate",
    "validation", "verify", "check", "batch", "bulk", "import", "export", "send", "calculate", "preview",
    "reset", "revoke", "cancel", "approve", "reject", "execute", "run", "test", "upload", "download",
    "publish", "unpublish", "start", "stop", "restart", "sync", "lookup", "render", "convert", "graphql",
    "rpc", "actions", "action", "invoke", "authorize", "introspect", "estimate", "simulate", "merge",
    "complete", "close", "leave", "join", "archive", "unarchive", "enable", "disable", "activate",
    "deactivate", "confirm", "accept", "decline", "submit", "resend", "retry", "rotate", "lock", "unlock",
    "move", "copy", "clone", "assign", "unassign", "subscribe", "unsubscribe", "pause", "resume", "capture",
    "refund", "void", "notify", "evaluate", "generate", "process", "apply", "sign", "resolve", "reopen",
    "mark", "trigger", "ping", "reply", "share", "transfer", "redeem", "schedule", "reschedule",
))


@register("postCreateStatus")
def post_create_status(target, options, ctx):
    """POST on a collection answers 201 Created (or 202 Accepted), not 200: clients and SDKs rely on it.

    Actions (`/search`, `/orders/{id}/cancel`, `/jobs:run`) are exempt; options: actions (extra words).
    """
    actions = ACTION_WORDS | frozenset(w.lower() for w in options.get("actions", ()))
    v = view(ctx)
    for op in v.distinct_operations():
        if op.method != "post" or op.webhook:
            continue
        segs = [s for s in segments(op.path) if s]
        if not segs or any(ch in segs[-1] for ch in ":{.") or any(ch in op.path for ch in "?#"):
            continue  # ends in a parameter, a custom method (`:run`), an RPC name (`chat.postMessage`)
        ws = words(segs[-1])
        if any(w in actions for w in ws) or (ws and ws[0] in DEFAULT_VERBS):
            continue
        rs = op.value.get("responses")
        if not isinstance(rs, dict):
            continue
        codes = {str(c).upper() for c in rs}
        if "200" in codes and not codes & {"201", "202"}:
            yield Hit(f"{op.label} creates in a collection but answers 200, not 201 or 202",
                      path=relative(ctx, op.node.path + ("responses",)))


DEFAULT_PAGINATION = ("limit", "offset", "page", "perpage", "pagesize", "size", "cursor", "after", "before",
                      "pagetoken", "nextpagetoken", "continuationtoken", "skip", "top", "maxresults",
                      "first", "last", "start", "count", "pagenumber", "startingafter", "endingbefore")
COLLECTION_KEYS = frozenset(("items", "data", "results", "records", "values", "entries", "content", "elements",
                             "list", "objects", "nodes", "edges", "hits", "resources", "value", "rows"))


def _base_name(name: str) -> str:
    """`page[size]` → `page`, `$top` → `top`: JSON:API and OData spellings of paging names."""
    return re.split(r"[\[.]", name.lstrip("$"), maxsplit=1)[0]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _array_node(v: View, node: Node | None) -> bool:
    if node is None:
        return False
    s = v.follow(node).value
    return isinstance(s, dict) and (s.get("type") == "array" or (isinstance(s.get("type"), list)
                                                                  and "array" in s["type"]) or "items" in s
                                    and "properties" not in s)


def _wrapped_properties(v: View, node: Node, depth: int = 0) -> dict[str, Node]:
    """Top-level properties of an object schema, through one level of allOf."""
    node = v.follow(node)
    s = node.value
    out: dict[str, Node] = {}
    if not isinstance(s, dict) or depth > 3:
        return out
    props = s.get("properties")
    if isinstance(props, dict):
        for k, p in props.items():
            out[str(k)] = Node(p, node.path + ("properties", k), node.local)
    subs = s.get("allOf")
    if isinstance(subs, list):
        for i, sub in enumerate(subs):
            out.update(_wrapped_properties(v, Node(sub, node.path + ("allOf", i), node.local), depth + 1))
    return out


def returns_collection(v: View, op: Operation) -> bool:
    """The first success response is an array, or an object whose collection-named property is one."""
    last = next((s for s in reversed(segments(op.path)) if s and not is_param_segment(s)), "")
    for r in v.responses(op):
        if r.code not in ("200", "206"):
            continue
        for b in v.response_bodies(r):
            if b.schema is None:
                continue
            if _array_node(v, b.schema):
                return True
            for name, prop in _wrapped_properties(v, b.schema).items():
                key = _norm(name)
                if (key in COLLECTION_KEYS or (last and key == _norm(last))) and _array_node(v, prop):
                    return True
        return False
    return False


@register("collectionPagination")
def collection_pagination(target, options, ctx):
    """A GET that returns a collection takes a paging parameter, or one day it returns a million rows.

    options: names (list of accepted parameter names, compared without case, `_`, `-`, `$`).
    """
    names = {_norm(n) for n in options.get("names", DEFAULT_PAGINATION)}
    v = view(ctx)
    for op in v.distinct_operations():
        if op.method != "get" or op.webhook or not returns_collection(v, op):
            continue
        params = v.parameters(op)
        if any(p.location in ("query", "header") and (_norm(p.name) in names or _norm(_base_name(p.name)) in names)
               for p in params):
            continue
        yield Hit(f"{op.label} returns a collection but takes no pagination parameter "
                  f"(limit/offset, page/per_page or cursor)", path=relative(ctx, op.node.path))
