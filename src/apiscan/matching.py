"""Each gateway's own route-matching semantics, and whether a route serves a spec operation.

Why this is its own module: shadow-route and orphan-spec findings are only as good as the
matcher. A generic glob gives false positives everywhere (Kong prefixes are character prefixes,
`/pets` also matches `/petshop`; AWS `{proxy+}` is greedy; Apigee `**` spans segments), so every
`Route.match_kind` gets the semantics its gateway really applies.

Conventions (shared with the importers):
- `Route.path` is the client-facing pattern in the route's `match_kind`.
- `Route.upstream_path` is what the backend sees. When `Route.strip_prefix` is true it is a
  *prefix*: the backend sees it followed by whatever came after the matched part. Otherwise it is
  a pattern of the same `match_kind` as the route.
- Route precedence hints that have no field of their own live in `Route.tags` as
  `regex_priority=<n>` (Kong) and `flow_order=<n>` (Apigee: flows are tried in the order they
  are written, and the first whose condition holds wins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from apiscan.models.gateway import Route

ANY_METHOD_WORDS = {"ANY", "*", "X-AMAZON-APIGATEWAY-ANY-METHOD"}
MAX_PATTERN_CHARS = 2000  # longer regexes from an export are not evaluated (untrusted input)
_PARAM = re.compile(r"\{[^{}/]*\}")
# values a spec path parameter is tried with against a regex route: digits, a word, a mixed id
_SAMPLES = ("1", "abc", "a1-b2", "1.0")


# --------------------------------------------------------------------------- methods


def method_set(methods: Iterable[str] | None) -> frozenset[str] | None:
    """Upper-cased methods, or None for "any method" (empty list, ANY, `*`)."""
    out = {m.strip().upper() for m in (methods or []) if isinstance(m, str) and m.strip()}
    if not out or out & ANY_METHOD_WORDS:
        return None
    return frozenset(out)


def method_matches(methods: Iterable[str] | None, method: str) -> bool:
    allowed = method_set(methods)
    return allowed is None or method.upper() in allowed


# --------------------------------------------------------------------------- path helpers


def join_paths(*parts: str) -> str:
    """Join path pieces with exactly one slash between them; '' and '/' add nothing."""
    out = ""
    for part in parts:
        if not part or part == "/":
            continue
        out = out.rstrip("/") + "/" + part.lstrip("/")
    return out or "/"


def _normalise(path: str) -> str:
    path = path.split("?", 1)[0] or "/"
    return path if path.startswith("/") else "/" + path


def _spec_tokens(template: str) -> list[tuple[str, str]]:
    """A spec path template as [("lit", text) | ("param", name)]."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    for m in _PARAM.finditer(template):
        if m.start() > pos:
            tokens.append(("lit", template[pos:m.start()]))
        tokens.append(("param", m.group(0)[1:-1]))
        pos = m.end()
    if pos < len(template):
        tokens.append(("lit", template[pos:]))
    return tokens


def _samples(template: str, declared: Mapping[str, Sequence[str]] | None = None) -> list[str]:
    """Concrete paths standing for a spec template: one per generic sample value, then the
    values the spec itself declares for its parameters (example, enum, pattern), if any."""
    if not _PARAM.search(template):
        return [template]
    out = [_PARAM.sub(value, template) for value in _SAMPLES]
    if declared:
        names = [m.group(0)[1:-1] for m in _PARAM.finditer(template)]
        rounds = max((len(declared.get(n) or ()) for n in names), default=0)
        for i in range(min(rounds, 8)):
            def value(m: re.Match, i: int = i) -> str:
                values = declared.get(m.group(0)[1:-1]) or ()
                return values[i % len(values)] if values else _SAMPLES[0]
            out.append(_PARAM.sub(value, template))
    return out


@lru_cache(maxsize=4096)
def _spec_regex(template: str) -> re.Pattern:
    out = []
    for kind, text in _spec_tokens(template):
        out.append("[^/]+" if kind == "param" else re.escape(text))
    return re.compile("".join(out) + "/?")


# --------------------------------------------------------------------------- segment patterns
# template (AWS/Azure/OpenAPI) and apigee-matchespath patterns as segment lists:
# ("lit", text) one literal segment, ("one", "") any one segment, ("many", "") one or more
# segments ({proxy+}), ("any", "") zero or more segments (Azure trailing /*, Apigee **).


def _segments(path: str) -> list[str]:
    return [s for s in path.strip("/").split("/")] if path.strip("/") else []


@lru_cache(maxsize=4096)
def _route_segments(kind: str, pattern: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    segs = _segments(pattern)
    for i, seg in enumerate(segs):
        last = i == len(segs) - 1
        if kind == "template":
            if re.fullmatch(r"\{[^{}/]+\+\}", seg):
                out.append(("many", ""))
            elif last and seg == "*":
                out.append(("any", ""))
            elif _PARAM.search(seg):
                out.append(("one", seg) if _PARAM.fullmatch(seg) else ("mixed", seg))
            else:
                out.append(("lit", seg))
        else:  # apigee-matchespath
            if seg == "**":
                out.append(("any", ""))
            elif seg == "*":
                out.append(("one", ""))
            elif "*" in seg:
                out.append(("glob", seg))
            else:
                out.append(("lit", seg))
    return tuple(out)


def _segment_match(rtoken: tuple[str, str], seg: str, seg_is_param: bool) -> bool:
    kind, text = rtoken
    if kind == "one":
        return True
    if kind == "lit":
        return not seg_is_param and seg == text
    if kind == "mixed":  # `{id}.json`: a literal around a parameter
        if seg_is_param:
            return False
        return re.fullmatch(_spec_regex(text).pattern.rstrip("/?"), seg) is not None
    if kind == "glob":
        if seg_is_param:
            return True
        return re.fullmatch(".*".join(re.escape(p) for p in text.split("*")), seg) is not None
    return False


def _segments_cover(rtokens: Sequence[tuple[str, str]], segs: Sequence[tuple[str, bool]]) -> bool:
    """Whether a route segment pattern matches a path whose segments may be spec parameters."""

    @lru_cache(maxsize=None)
    def walk(i: int, j: int) -> bool:
        if i == len(rtokens):
            return j == len(segs)
        kind = rtokens[i][0]
        if kind == "many":
            return any(walk(i + 1, k) for k in range(j + 1, len(segs) + 1))
        if kind == "any":
            return any(walk(i + 1, k) for k in range(j, len(segs) + 1))
        if j == len(segs):
            return False
        return _segment_match(rtokens[i], segs[j][0], segs[j][1]) and walk(i + 1, j + 1)

    return walk(0, 0)


def _as_segments(path: str, template: bool) -> tuple[tuple[str, bool], ...]:
    out = []
    for seg in _segments(path):
        out.append((seg, template and _PARAM.search(seg) is not None))
    return tuple(out)


# --------------------------------------------------------------------------- regex routes


@lru_cache(maxsize=4096)
def compile_regex(pattern: str) -> re.Pattern | None:
    """A route regex, or None when it cannot be evaluated (invalid, or too long to trust)."""
    if len(pattern) > MAX_PATTERN_CHARS:
        return None
    pattern = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)  # PCRE named groups (Kong) in Python syntax
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


_CHAR_CANDIDATES = "a0A-_.~zZ9"
_CATEGORY_CHARS = {"CATEGORY_DIGIT": "0", "CATEGORY_NOT_DIGIT": "a", "CATEGORY_WORD": "a",
                   "CATEGORY_NOT_WORD": "-", "CATEGORY_SPACE": " ", "CATEGORY_NOT_SPACE": "a"}
MAX_REGEX_EXAMPLES = 16


def _in_set(members, ch: str) -> bool:
    """Whether a character belongs to a parsed character class (without its NEGATE marker)."""
    for op, arg in members:
        name = str(op)
        if name == "LITERAL" and chr(arg) == ch:
            return True
        if name == "RANGE" and arg[0] <= ord(ch) <= arg[1]:
            return True
        if name == "CATEGORY" and re.fullmatch(
                {"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_WORD": r"\w",
                 "CATEGORY_NOT_WORD": r"\W", "CATEGORY_SPACE": r"\s", "CATEGORY_NOT_SPACE": r"\S"}.get(str(arg), "(?!)"),
                ch):
            return True
    return False


def _class_char(members) -> str | None:
    members = list(members)
    if members and str(members[0][0]) == "NEGATE":
        rest = members[1:]
        return next((c for c in _CHAR_CANDIDATES if not _in_set(rest, c)), None)
    for op, arg in members:
        name = str(op)
        if name == "LITERAL":
            return chr(arg)
        if name == "RANGE":
            return chr(arg[0])
        if name == "CATEGORY" and str(arg) in _CATEGORY_CHARS:
            return _CATEGORY_CHARS[str(arg)]
    return None


def _expand(items, depth: int = 0) -> list[str] | None:
    """A few strings a parsed regex can produce (None when a construct cannot be produced)."""
    if depth > 50:
        return None
    out = [""]
    for op, arg in items:
        name = str(op)
        if name == "LITERAL":
            alts = [chr(arg)]
        elif name == "NOT_LITERAL":
            alts = ["a" if chr(arg) != "a" else "b"]
        elif name == "ANY":
            alts = ["a"]
        elif name == "IN":
            ch = _class_char(arg)
            if ch is None:
                return None
            alts = [ch]
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = arg
            inner = _expand(sub, depth + 1)
            if not inner:
                return None
            counts = [low] + ([low + 1] if high is not None and high > low and low < 50 else [])
            if low > 200:
                return None
            alts = [inner[0] * n for n in counts]
        elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
            alts = _expand(arg[-1] if name == "SUBPATTERN" else arg, depth + 1)
            if alts is None:
                return None
        elif name == "BRANCH":
            alts = []
            for branch in arg[1]:
                got = _expand(branch, depth + 1)
                if got:
                    alts.extend(got)
            if not alts:
                return None
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            alts = [""]
        else:  # back-references, conditionals: not produced
            return None
        out = [a + b for a in out for b in alts][:MAX_REGEX_EXAMPLES]
        if any(len(x) > MAX_PATTERN_CHARS for x in out):
            return None  # nested repeats of an untrusted pattern: not worth producing
    return out


@lru_cache(maxsize=4096)
def pattern_examples(pattern: str) -> tuple[str, ...]:
    """A few strings a regex really matches (`re.search`), each checked against the regex.

    Why: a spec parameter's `pattern` says which values it takes (`^[A-Z]{3}-[0-9]{4}$`); a route
    regex written for those values (`/sku/[A-Z]{3}-\\d{4}`) catches none of the generic samples,
    but does catch the values the spec declares.
    """
    rx = compile_regex(pattern)
    if rx is None:
        return ()
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        parsed = sre_parse.parse(rx.pattern)
    except Exception:
        return ()
    produced = _expand(list(parsed)) or []
    return tuple(dict.fromkeys(e for e in produced if rx.search(e)))


# --------------------------------------------------------------------------- prefix routes


def _prefix_fits(prefix: str, tokens: Sequence[tuple[str, str]]) -> bool:
    """Whether some concrete path of a spec template starts with `prefix` (Kong character prefix)."""
    if not prefix:
        return True
    if not tokens:
        return False
    kind, text = tokens[0]
    if kind == "lit":
        if prefix.startswith(text):
            return _prefix_fits(prefix[len(text):], tokens[1:])
        return text.startswith(prefix)
    # a parameter: any non-empty run of non-slash characters
    limit = prefix.find("/")
    if limit == -1:
        return True  # the prefix ends inside the parameter value
    return any(_prefix_fits(prefix[k:], tokens[1:]) for k in range(1, limit + 1))


# --------------------------------------------------------------------------- public API


def pattern_matches(kind: str, pattern: str, path: str) -> bool:
    """Does a concrete request path match a pattern of the given match kind?"""
    path = _normalise(path)
    if kind == "exact":
        return path.rstrip("/") == pattern.rstrip("/") or path == pattern
    if kind == "prefix":
        return path.startswith(pattern or "/")
    if kind == "regex":
        rx = compile_regex(pattern)
        return rx is not None and rx.match(path) is not None
    if kind in ("template", "apigee-matchespath"):
        return _segments_cover(_route_segments(kind, pattern), _as_segments(path, False))
    return False  # unknown / expression: cannot be evaluated


def route_matches(route: Route, method: str, path: str) -> bool:
    """Whether the gateway would send `method path` to this route (ignoring hosts and headers)."""
    return method_matches(route.methods, method) and pattern_matches(route.match_kind, route.path, path)


def pattern_serves(kind: str, pattern: str, template: str,
                   samples: Mapping[str, Sequence[str]] | None = None) -> bool:
    """Whether a route pattern catches the requests of a spec path template (`samples`: values
    the spec declares for its path parameters, tried against regex routes)."""
    template = _normalise(template)
    if kind == "exact":
        return _spec_regex(template).fullmatch(pattern) is not None or pattern.rstrip("/") == template.rstrip("/")
    if kind == "prefix":
        return _prefix_fits(pattern or "/", _spec_tokens(template))
    if kind == "regex":
        rx = compile_regex(pattern)
        return rx is not None and any(rx.match(s) for s in _samples(template, samples))
    if kind in ("template", "apigee-matchespath"):
        return _segments_cover(_route_segments(kind, pattern), _as_segments(template, True))
    return False


@dataclass(frozen=True)
class ServedVia:
    """How a route serves an operation: through the client-facing or the upstream path, and how
    specific the match is (see `shared_literal`)."""

    alignment: str  # client | upstream
    specificity: int
    base_path: str


def literal_prefix(kind: str, pattern: str) -> str:
    """The literal start of a pattern, before its first wildcard, parameter or regex operator."""
    if kind in ("exact", "prefix"):
        return pattern
    if kind == "regex":
        m = re.match(r"[^\\^$.|?*+()\[\]{}]*", pattern)
        return m.group(0) if m else ""
    if kind in ("template", "apigee-matchespath"):
        return re.split(r"[{*]", pattern, maxsplit=1)[0]
    return ""


def shared_literal(kind: str, pattern: str, template: str) -> int:
    """How many literal characters of a spec path the route pins down (a catch-all scores 0 or 1).

    Used to link a spec to a gateway API by path alone: `/r1` catches `/{proxy+}` but says
    nothing about that spec, while `/pets` against `/pets/{id}` does.
    """
    a, b = literal_prefix(kind, pattern), literal_prefix("template", template)
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return len(a[:n].rstrip("/"))


def served_via(route: Route, method: str, spec_path_template: str,
               spec_base_paths: Sequence[str] = ("",),
               samples: Mapping[str, Sequence[str]] | None = None) -> ServedVia | None:
    """The first way this route serves `method spec_path_template`, or None."""
    if not method_matches(route.methods, method):
        return None
    bases = list(spec_base_paths) or [""]
    for base in bases:
        full = join_paths(base, spec_path_template)
        if route.path and pattern_serves(route.match_kind, route.path, full, samples):
            return ServedVia("client", shared_literal(route.match_kind, route.path, full), base)
    if route.upstream_path:
        kind = "prefix" if route.strip_prefix else route.match_kind
        for base in bases:
            full = join_paths(base, spec_path_template)
            if pattern_serves(kind, route.upstream_path, full, samples):
                return ServedVia("upstream", shared_literal(kind, route.upstream_path, full), base)
    return None


def operation_served_by(route: Route, method: str, spec_path_template: str,
                        spec_base_paths: Sequence[str] = ("",),
                        samples: Mapping[str, Sequence[str]] | None = None) -> bool:
    """Whether the route catches the spec operation (client-facing or upstream side)."""
    return served_via(route, method, spec_path_template, spec_base_paths, samples) is not None


# --------------------------------------------------------------------------- precedence


def _tag_int(route: Route, name: str) -> int:
    for tag in route.tags:
        if tag.startswith(name + "="):
            try:
                return int(tag.split("=", 1)[1])
            except ValueError:
                return 0
    return 0


def precedence_key(route: Route, vendor: str) -> tuple:
    """Sort key: the route a gateway tries first sorts first.

    Kong: routes with more conditions (methods, hosts) first, then regex paths by
    `regex_priority`, then prefix paths longest first. Apigee: the order of the flows
    (`flow_order` tag; the fall-through that no flow matched comes last). Template gateways (AWS, Azure, Apigee):
    segment by segment, a literal beats a `{param}` beats a greedy `{proxy+}`/`**`, and an
    explicit method beats ANY.
    """
    conditions = int(method_set(route.methods) is not None) + int(bool(route.hosts))
    kind = route.match_kind
    if vendor == "apigee":  # flows in written order; the first whose condition holds runs
        return (0, (_tag_int(route, "flow_order"),))
    if kind in ("template", "apigee-matchespath"):
        rank = {"lit": 0, "mixed": 1, "glob": 1, "one": 2, "many": 3, "any": 4}
        seg_key = tuple(rank[k] for k, _ in _route_segments(kind, route.path))
        return (1, seg_key + (9, int(method_set(route.methods) is None)))
    if kind == "exact":
        return (0, (-conditions, 0, 0, -len(route.path)))
    if kind == "regex":
        return (0, (-conditions, 1, -_tag_int(route, "regex_priority"), 0))
    if kind == "prefix":
        return (0, (-conditions, 2, 0, -len(route.path)))
    return (2, (-conditions,))


def winning_routes(routes: Sequence[Route], vendor: str) -> list[Route]:
    """Of routes that all catch the same request, those the gateway would pick (ties kept)."""
    if not routes:
        return []
    keyed = sorted(routes, key=lambda r: precedence_key(r, vendor))
    best = precedence_key(keyed[0], vendor)
    return [r for r in keyed if precedence_key(r, vendor) == best]


def select_route(routes: Sequence[Route], method: str, path: str, vendor: str) -> Route | None:
    """The route a gateway would pick for a concrete request (first in precedence order)."""
    hits = [r for r in routes if route_matches(r, method, path)]
    winners = winning_routes(hits, vendor)
    return winners[0] if winners else None
