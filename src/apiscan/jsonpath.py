"""JSONPath as Spectral rulesets write it, evaluated on the document as written.

Member steps follow `$ref`s transparently (as Spectral's resolved document would), but every
node keeps the place where it is *written* (file key + path), so findings point there and a
shared schema is reported once, not once per use. Recursive descent (`..`) visits each
physical node once; from the root it uses an index built in one walk and shared by all rules.

A node is a tuple (value, file, path, key, parent): `key` is its property name or index,
`parent` the node it was reached from (for `^`, `@parent`, `@parentProperty`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from itertools import compress, repeat
from operator import contains, not_
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from apiscan.jsexpr import compile_filter

VALUE, FILE, PATH, KEY, PARENT = range(5)


class JsonPathError(ValueError):
    pass


# ----------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Step:
    kind: str  # child | wildcard | union | filter | index | slice | parent | keyname
    names: tuple = ()
    descend: bool = False
    filter: Callable | None = None
    source: str = ""


_NAME_STOP = re.compile(r"[.\[~^]")


def parse(path: str) -> tuple[Step, ...]:
    src = path.strip()
    if not src.startswith("$"):
        raise JsonPathError(f"JSONPath must start with '$': {path!r}")
    i = 1
    steps: list[Step] = []
    n = len(src)
    while i < n:
        c = src[i]
        descend = False
        if c == ".":
            if src.startswith("...", i):  # Spectral treats `...` like `..`
                descend = True
                i += 3
            elif src.startswith("..", i):
                descend = True
                i += 2
            else:
                i += 1
            if i >= n:
                raise JsonPathError(f"path ends after '.': {path!r}")
            c = src[i]
            if c == "[":
                step, i = _bracket(src, i, descend)
                steps.append(step)
                continue
            if c == "*":
                steps.append(Step("wildcard", descend=descend))
                i += 1
                continue
            if c in ("'", '"'):
                end = src.find(c, i + 1)
                if end < 0:
                    raise JsonPathError(f"unterminated quote in {path!r}")
                steps.append(Step("child", (src[i + 1:end],), descend))
                i = end + 1
                continue
            m = _NAME_STOP.search(src, i)
            end = m.start() if m else n
            name = src[i:end]
            if not name:
                raise JsonPathError(f"empty member name in {path!r}")
            steps.append(Step("child", (name,), descend))
            i = end
        elif c == "[":
            step, i = _bracket(src, i, False)
            steps.append(step)
        elif c == "~":
            steps.append(Step("keyname"))
            i += 1
        elif c == "^":
            steps.append(Step("parent"))
            i += 1
        elif c.isspace():
            i += 1
        else:
            raise JsonPathError(f"unexpected {c!r} at {i} in {path!r}")
    return tuple(steps)


def _filter_step(expr: str, descend: bool) -> Step:
    """A filter that only tests `@property == 'name'` is a member step by that name (with `===`,
    object members only: an array index is a number, never strictly equal to a string); as a step
    it can use the root index instead of asking the filter about every node of the document."""
    flt = compile_filter(expr)
    prop = getattr(flt, "property_is", None)
    if prop is not None:
        name, op = prop
        return Step("child" if op == "==" else "dictkey", (name,), descend, source=expr)
    return Step("filter", filter=flt, descend=descend, source=expr)


def _bracket(src: str, i: int, descend: bool) -> tuple[Step, int]:
    assert src[i] == "["
    if src.startswith("[?(", i) or src.startswith("[?", i):
        start = i + 3 if src.startswith("[?(", i) else i + 2
        depth = 1 if src.startswith("[?(", i) else 0
        j = start
        quote = None
        while j < len(src):
            ch = src[j]
            if quote:
                if ch == "\\":
                    j += 2
                    continue
                if ch == quote:
                    quote = None
            elif ch in ("'", '"'):
                quote = ch
            elif ch == "/" and src[j - 1] in "(=!&|, " and depth > 0:
                # a regex literal: skip to its end
                k = j + 1
                while k < len(src) and src[k] != "/":
                    k += 2 if src[k] == "\\" else 1
                j = k
            elif ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0 and src.startswith("]", j + 1):
                    expr = src[start:j]
                    return _filter_step(expr, descend), j + 2
            elif ch == "]" and depth == 0:
                expr = src[start:j]
                return _filter_step(expr, descend), j + 1
            j += 1
        raise JsonPathError(f"unterminated filter in {src!r}")
    # names / indices / unions / wildcard / slices
    j = i + 1
    parts: list[str] = []
    buf = ""
    quote = None
    while j < len(src):
        ch = src[j]
        if quote:
            if ch == "\\" and j + 1 < len(src):
                buf += src[j + 1]
                j += 2
                continue
            if ch == quote:
                quote = None
                j += 1
                continue
            buf += ch
        elif ch in ("'", '"'):
            quote = ch
            buf = buf.strip()
            buf += "\x00"  # mark as quoted (a string even if it looks like a number)
        elif ch == ",":
            parts.append(buf)
            buf = ""
        elif ch == "]":
            parts.append(buf)
            break
        else:
            buf += ch
        j += 1
    else:
        raise JsonPathError(f"unterminated '[' in {src!r}")
    end = j + 1
    items = [p.strip() if "\x00" not in p else p for p in parts]
    if items == ["*"]:
        return Step("wildcard", descend=descend), end
    if len(items) == 1 and ":" in items[0] and "\x00" not in items[0]:
        a, _, b = items[0].partition(":")
        b = b.split(":")[0]
        return Step("slice", (int(a) if a.strip() else None, int(b) if b.strip() else None), descend), end
    names: list = []
    for p in items:
        if "\x00" in p:
            names.append(p.replace("\x00", "", 1).strip("\x00"))
        elif re.fullmatch(r"-?\d+", p):
            names.append(int(p))
        else:
            names.append(p)
    return Step("union" if len(names) > 1 else "child", tuple(names), descend), end


# ----------------------------------------------------------------------------- evaluation


class Walker:
    """Evaluates parsed paths over one document, sharing the descendant index between rules."""

    def __init__(self, root_value: Any, root_file: str, resolver=None):
        self.root = (root_value, root_file, (), None, None)
        self.resolver = resolver
        self._hops: dict = getattr(resolver, "_hops", {})  # the resolver's cache of single `$ref` hops
        self._all: list | None = None
        self._by_key: dict[str, list] = {}  # key → the root index's objects holding it, filled on demand
        self._expanded: dict[tuple, list] = {}  # root-relative step prefix → its descendants
        self._aliases: dict[int, list] = {}  # value id → the routes to it the root index does not list
        self._place: dict[int, int] = {}  # value id → its place in the root index
        self._depths: list[int] = []  # the root walk's stack heights (`_descendants`)
        self._alias_edges: tuple[list[int], list[int]] | None = None
        self._ends: list[int] = []  # root place → end of its subtree's block once asked (0: not yet)
        self._reached: dict[tuple, bytearray] = {}  # step prefix → root places `..` reaches from it
        self._by_keys: dict[frozenset, list] = {}  # keys → the root index's objects holding any
        self._object_nodes: tuple[list, list] | None = None
        self._selected: dict[tuple, list] = {}  # a path's steps → what it selects from the root (rules share givens)
        self._passing: dict[Callable, list] = {}  # a filter → the routes it passes (`_routes_passing`)

    # -- references

    def _enter(self, value: Any, file: str, path: tuple, key: Any, parent: tuple) -> tuple:
        if type(value) is dict and "$ref" in value and self.resolver is not None:
            resolver = self.resolver
            ref = value["$ref"]
            base = resolver.file_of(value, file)
            hop = self._hops.get((base, ref)) if type(ref) is str else None
            if hop is not None and not (type(hop[0]) is dict and "$ref" in hop[0]):
                return (hop[0], hop[1], hop[2], key, parent)  # a cached, final hop: no chain to follow
            v, f, p = resolver.deref_loc(value, base, path)
            if v is not value:
                return (v, f, p, key, parent)
        return (value, file, path, key, parent)

    def children(self, node: tuple) -> Iterator[tuple]:
        value = node[VALUE]
        if type(value) is dict:
            file, path = node[FILE], node[PATH]
            for k, v in value.items():
                yield self._enter(v, file, path + (k,), k, node)
        elif type(value) is list:
            file, path = node[FILE], node[PATH]
            for i, v in enumerate(value):
                yield self._enter(v, file, path + (i,), i, node)

    def child(self, node: tuple, name: Any) -> tuple | None:
        value = node[VALUE]
        if type(value) is dict:
            if isinstance(name, int):
                name = str(name)
            if name in value:
                return self._enter(value[name], node[FILE], node[PATH] + (name,), name, node)
        elif type(value) is list:
            try:
                idx = int(name)
            except (TypeError, ValueError):
                return None
            if idx < 0:
                idx += len(value)
            if 0 <= idx < len(value):
                return self._enter(value[idx], node[FILE], node[PATH] + (idx,), idx, node)
        return None

    # -- descendants

    def _descendants(self, start: tuple, seen: dict[int, int] | None = None,
                     aliases: dict[int, list] | None = None, depths: list[int] | None = None) -> list[tuple]:
        """Every container node under `start` (itself included), each physical node once.
        The hot loop of `$..`: written out by hand, scalars never become nodes. `seen` (value
        id → place in this walk's list) may be shared between several starts (`$..content..x`):
        a subtree reached from an earlier start is not walked again. `aliases` (when given)
        collects, by node value, the other routes (key and parent) to a node already listed: a
        shared schema reached by many `$ref`s. `depths` (when given) gets, for each listed node,
        the stack's height after it was taken: its subtree is the run of later nodes taken from
        higher up (`_block_end`)."""
        out: list[tuple] = []
        if seen is None:
            seen = {}
        stack = [start]
        resolver = self.resolver
        hops = self._hops
        owners = getattr(resolver, "_owner", {}) if resolver is not None else {}
        pop, append = stack.pop, out.append
        record = depths.append if depths is not None else None
        while stack:
            node = pop()
            value = node[0]
            vid = id(value)
            if vid in seen:
                if aliases is not None:
                    aliases.setdefault(vid, []).append(node)
                continue
            seen[vid] = len(out)
            append(node)
            if record is not None:
                record(len(stack))
            file, path = node[1], node[2]
            if type(value) is dict:
                items = value.items()
            elif type(value) is list:
                items = enumerate(value)
            else:  # a scalar or null where `..` starts: nothing below it
                continue
            kids = []
            for k, v in items:
                tv = type(v)
                if tv is dict:
                    if "$ref" in v and resolver is not None:
                        ref = v["$ref"]
                        base = owners.get(id(v), file)
                        hop = hops.get((base, ref)) if type(ref) is str else None
                        if hop is not None and not (type(hop[0]) is dict and "$ref" in hop[0]):
                            t, f, p = hop  # the common case, without a call: a cached, final hop
                        else:
                            t, f, p = resolver.deref_loc(v, base, path + (k,))
                        if type(t) is dict or type(t) is list:
                            if id(t) not in seen:
                                kids.append((t, f, p, k, node))
                            elif aliases is not None:
                                aliases.setdefault(id(t), []).append((t, f, p, k, node))
                        continue
                    if id(v) not in seen:
                        kids.append((v, file, path + (k,), k, node))
                    elif aliases is not None:
                        aliases.setdefault(id(v), []).append((v, file, path + (k,), k, node))
                elif tv is list:
                    if id(v) not in seen:
                        kids.append((v, file, path + (k,), k, node))
                    elif aliases is not None:
                        aliases.setdefault(id(v), []).append((v, file, path + (k,), k, node))
            kids.reverse()
            stack.extend(kids)
        return out

    def _root_index(self) -> list:
        if self._all is None:
            self._depths = []
            self._place = {}
            self._aliases = {}
            self._all = self._descendants(self.root, self._place, self._aliases, self._depths)
        return self._all

    def holders(self, key: str) -> list[tuple]:
        """The objects of the document (from the root, each once, in order) that have `key`.
        One scan per key asked for, kept: rules ask for a dozen keys, a document has thousands."""
        found = self._by_key.get(key)
        if found is None:
            objects, values = self._objects()
            found = self._by_key[key] = list(compress(objects, map(contains, values, repeat(key))))
        return found

    def _objects(self) -> tuple[list[tuple], list[dict]]:
        """The root index's objects and their values, so a scan for a key runs in C."""
        if self._object_nodes is None:
            objects = [n for n in self._root_index() if type(n[VALUE]) is dict]
            self._object_nodes = (objects, [n[VALUE] for n in objects])
        return self._object_nodes

    def containers(self, node: tuple) -> list[tuple]:
        if node is self.root:
            return self._root_index()
        return self._descendants(node)

    # -- steps

    def select(self, steps: tuple[Step, ...], start: tuple | None = None) -> list[tuple]:
        """Nodes selected by `steps`. From the root, `..` after a prefix is answered from the
        root index where the next step allows (an anchored filter, member names: `_reached`);
        otherwise the descendants expanded after a prefix are kept, so rules sharing a prefix
        walk those subtrees once."""
        if start is None:
            found = self._selected.get(steps)
            if found is None:
                found = self._selected[steps] = self._select(steps, None)
            return found
        return self._select(steps, start)

    def _select(self, steps: tuple[Step, ...], start: tuple | None) -> list[tuple]:
        nodes = [start or self.root]
        from_root = start is None
        for i, step in enumerate(steps):
            if from_root and step.descend and i > 0 and not any(later.kind == "parent" for later in steps[i + 1:]):
                found = self._from_reach(step, nodes, steps[:i])
                if found is not None:
                    nodes = found
                    if not nodes:
                        break
                    continue
            nodes = self._apply(step, nodes, steps[:i] if from_root else None)
            if not nodes:
                break
        return nodes

    def _from_reach(self, step: Step, starts: list[tuple], prefix: tuple) -> list[tuple] | None:
        """`prefix..step` (`$..content..[?()]`, `$.paths..responses`) without listing what `..`
        reaches, or None when the step needs that listing. The root index already holds every
        container and every route to it (its aliases), so the step needs only *which* containers
        the prefix reaches (`_reach`): the candidates are the root's holders of an anchor key or
        of the member names, and a route counts when its parent is reached. The same nodes as
        expanding the prefix, in the root's order. The nodes' parents are the root index's
        (another route to the same written place), which is why a later `^` step keeps the
        listing."""
        if step.kind == "filter":
            if not _anchored(step.filter):
                return None
            return self._filter_holders(step.filter, self._reached_from(starts, prefix))
        if step.kind in ("child", "dictkey", "union") and \
                all(type(name) is str and not name.isdigit() for name in step.names):
            return self._members(step.names, self._reached_from(starts, prefix))
        return None

    def _reached_from(self, starts: list[tuple], prefix: tuple) -> bytearray:
        reached = self._reached.get(prefix)
        if reached is None:
            reached = self._reached[prefix] = self._reach(starts)
        return reached

    def _members(self, names: tuple, reached: bytearray) -> list[tuple]:
        """`..name` (`..[a,b]`): the members so named of the reached objects, by parent, then in
        the order of the names (as asking each listed container for each name gives)."""
        place, enter = self._place, self._enter
        hits: list[tuple[int, int, tuple]] = []
        append = hits.append
        for rank, name in enumerate(names):
            for holder in self.holders(name):
                at = place[id(holder[VALUE])]
                if reached[at]:
                    append((at, rank, enter(holder[VALUE][name], holder[FILE], holder[PATH] + (name,), name, holder)))
        if len(names) > 1:  # one name: the holders are already in the root's order
            hits.sort(key=_place_and_rank)
        return [member for _, _, member in hits]

    def _apply(self, step: Step, nodes: list[tuple], prefix: tuple | None = None) -> list[tuple]:
        out: list[tuple] = []
        kind = step.kind
        if kind == "parent":
            for n in nodes:
                if n[PARENT] is not None:
                    out.append(n[PARENT])
            return out
        if kind == "keyname":
            for n in nodes:
                out.append((n[KEY], n[FILE], n[PATH], n[KEY], n[PARENT]))
            return out
        if step.descend:
            at_root = len(nodes) == 1 and nodes[0] is self.root
            if at_root and kind in ("child", "dictkey", "union") and \
                    all(type(name) is str and not name.isdigit() for name in step.names):
                # `$..name`, `$..[description,title]`: from the index, in the loop's order
                return self._members(step.names, self._everything())
            if at_root and kind in ("child", "dictkey"):
                # `$..0` (`$..['0']`): objects' members and lists' items, from the index
                name = step.names[0]
                key = str(name) if isinstance(name, int) else name
                for holder in self.holders(key):
                    c = self.child(holder, key)
                    if c is not None:
                        out.append(c)
                if isinstance(name, int) or kind == "child":
                    for holder in self._root_index():
                        if type(holder[VALUE]) is list:
                            c = self.child(holder, name)
                            if c is not None:
                                out.append(c)
                return out
            if len(nodes) == 1 and nodes[0] is self.root:
                nodes = self._root_index()
            else:
                cached = self._expanded.get(prefix) if prefix is not None else None
                if cached is None:
                    cached = []
                    shared: dict[int, int] = {}
                    for n in nodes:
                        cached.extend(self._descendants(n, shared))
                    if prefix is not None:
                        self._expanded[prefix] = cached
                nodes = cached
        if kind == "child":
            name = step.names[0]
            if type(name) is str and not name.isdigit():  # only an object can have it: no call for the rest
                enter, append = self._enter, out.append
                for n in nodes:
                    v = n[VALUE]
                    if type(v) is dict and name in v:
                        append(enter(v[name], n[FILE], n[PATH] + (name,), name, n))
                return out
            for n in nodes:
                c = self.child(n, name)
                if c is not None:
                    out.append(c)
        elif kind == "dictkey":
            name = step.names[0]
            for n in nodes:
                if type(n[VALUE]) is dict:
                    c = self.child(n, name)
                    if c is not None:
                        out.append(c)
        elif kind == "union":
            for n in nodes:
                for name in step.names:
                    c = self.child(n, name)
                    if c is not None:
                        out.append(c)
        elif kind == "wildcard":
            for n in nodes:
                out.extend(self.children(n))
        elif kind == "slice":
            a, b = step.names
            for n in nodes:
                if type(n[VALUE]) is list:
                    idxs = range(len(n[VALUE]))[slice(a, b)]
                    for i in idxs:
                        c = self.child(n, i)
                        if c is not None:
                            out.append(c)
        elif kind == "filter":
            flt = step.filter
            fast = getattr(flt, "fast", None)
            if step.descend and nodes is self._all and _anchored(flt):
                return self._filter_holders(flt, self._everything())
            return self._filter_children(fast or self._closure_test(flt), getattr(flt, "requires_object", False), nodes)
        return out

    def _everything(self) -> bytearray:
        """`$..` from the root reaches every container."""
        reached = self._reached.get(())
        if reached is None:
            reached = self._reached[()] = bytearray(b"\x01") * len(self._root_index())
        return reached

    def _filter_holders(self, flt: Callable, reached: bytearray) -> list[tuple]:
        """`..[?()]` over the reached containers' children, asking the filter only about objects
        that hold one of its anchor keys (`@ && @.enum` → objects with `enum`: 3,000 of 300,000
        children on GitHub's spec). Gives what the plain loop gives: every route to such an
        object (the root's own and its aliases) whose parent is reached, ordered by parent, then
        by the object's place in that parent."""
        passing = self._passing.get(flt)
        if passing is None:
            passing = self._passing[flt] = self._routes_passing(flt)
        if reached is self._everything():
            return [node for _, node in passing]
        return [node for at, node in passing if reached[at]]

    def _routes_passing(self, flt: Callable) -> list[tuple[int, tuple]]:
        """Every route to a candidate object that the filter passes, as (parent's place, node),
        in the order above. A generated filter reads only `@` and `@property`, so the answer
        does not depend on where `..` started: it is worked out once per filter, and each prefix
        (`$..content..`, `$..headers..`, ... with the same filter) keeps the routes it reaches."""
        fast = flt.fast
        place = self._place
        aliases = self._aliases
        hits: list[tuple[int, tuple]] = []
        append = hits.append
        for holder in self._anchor_holders(flt.anchors):
            value = holder[VALUE]
            routes = aliases.get(id(value))
            for node in (holder, *routes) if routes else (holder,):
                parent = node[PARENT]
                if parent is not None and fast(value, node[KEY]):
                    append((place[id(parent[VALUE])], node))
        return _by_parent_place(hits)

    def _anchor_holders(self, anchors: tuple) -> list[tuple]:
        """The root index's objects that hold a key of the filter's shortest anchor clause."""
        clause = min(anchors, key=len)
        if len(clause) == 1:
            return self.holders(next(iter(clause)))
        holders = self._by_keys.get(clause)
        if holders is None:
            objects, values = self._objects()
            holders = self._by_keys[clause] = list(compress(objects, map(not_, map(clause.isdisjoint, values))))
        return holders

    def _reach(self, starts: list[tuple]) -> bytearray:
        """Root places of every container `..` reaches from `starts`. The root walk lists a node's
        subtree right after it (a block), and what a subtree reaches elsewhere is an alias route
        out of its block. So the reach is a union of blocks: a few thousand block and edge steps
        instead of a walk over 60,000 containers."""
        root = self._root_index()
        place = self._place
        parents, targets = self._edges()
        reached = bytearray(len(root))
        # outermost first (the smallest place is taken first): a start inside another's block is then
        # already reached
        pending = sorted((place[id(s[VALUE])] for s in starts if id(s[VALUE]) in place), reverse=True)
        while pending:
            first = pending.pop()
            if reached[first]:
                continue
            end = self._block_end(first)
            reached[first:end] = b"\x01" * (end - first)
            for target in targets[bisect_left(parents, first):bisect_left(parents, end)]:
                if not reached[target]:
                    pending.append(target)
        return reached

    def _block_end(self, first: int) -> int:
        """One past the last root place in the subtree of the node at `first`: the next node
        taken from lower on the stack. A subtree whose end is known is jumped over, so nested
        starts (`$..properties..`) do not rescan each other."""
        known = self._ends
        if not known:
            known.extend(repeat(0, len(self._depths)))
        end = known[first]
        if end:
            return end
        depths = self._depths
        level, end, n = depths[first], first + 1, len(depths)
        while end < n and depths[end] >= level:
            end = known[end] or end + 1
        known[first] = end
        return end

    def _edges(self) -> tuple[list[int], list[int]]:
        """The root's alias routes as (parent place, target place), ordered by parent place."""
        if self._alias_edges is None:
            place = self._place
            pairs = sorted((place[id(route[PARENT][VALUE])], place[id(route[VALUE])])
                           for routes in self._aliases.values()
                           for route in routes if route[PARENT] is not None)
            self._alias_edges = ([p for p, _ in pairs], [t for _, t in pairs])
        return self._alias_edges

    def _closure_test(self, flt: Callable) -> Callable:
        """A filter outside the generated subset, as a test of (@, @property, the parent node):
        it reads its environment (`@parent`, `@path`, `$`...) from a dict built here."""
        root_value = self.root[VALUE]
        env = {"@root": root_value, "$": root_value}
        uses_path = getattr(flt, "uses_path", True)

        def test(value: Any, key: Any, parent: tuple) -> bool:
            env["@parent"] = parent[VALUE]
            env["@parentProperty"] = parent[KEY]
            env["@"] = value
            env["@property"] = key
            if uses_path:
                env["@path"] = _js_path(parent[PATH] + (key,))
            return flt(env)

        return test

    def _filter_children(self, test: Callable, only_objects: bool, nodes: list[tuple]) -> list[tuple]:
        """`[?()]`: the children of `nodes` (`$ref`s followed) for which `test(@, @property,
        parent)` holds; a filter that is false off objects meets only objects."""
        out: list[tuple] = []
        append = out.append
        resolver = self.resolver
        enter = self._enter
        for n in nodes:
            value = n[VALUE]
            if type(value) is dict:
                items = value.items()
            elif type(value) is list:
                items = enumerate(value)
            else:
                continue
            file, path = n[FILE], n[PATH]
            for k, v in items:
                if type(v) is dict:
                    if resolver is not None and "$ref" in v:
                        child = enter(v, file, path + (k,), k, n)
                        v = child[VALUE]
                        if only_objects and type(v) is not dict:
                            continue
                        if test(v, k, n):
                            append(child)
                        continue
                elif only_objects:
                    continue
                if test(v, k, n):
                    append((v, file, path + (k,), k, n))
        return out


def _first(item: tuple) -> int:
    return item[0]


def _place_and_rank(hit: tuple) -> tuple:
    return hit[0], hit[1]


def _anchored(flt: Callable) -> bool:
    """A generated filter that can be asked only about its index candidates."""
    return getattr(flt, "fast", None) is not None and bool(flt.anchors)


def _by_parent_place(hits: list[tuple[int, tuple]]) -> list[tuple[int, tuple]]:
    """(parent's place, node) pairs by parent, then by the node's place among its siblings."""
    hits.sort(key=_first)
    for i in range(1, len(hits)):
        if hits[i][0] == hits[i - 1][0]:
            return sorted(hits, key=_sibling_order())
    return hits


def _sibling_order() -> Callable[[tuple], tuple[int, int]]:
    """Sort key (parent's place, place among its siblings); key order computed once per parent."""
    places: dict[int, dict] = {}

    def key(item: tuple) -> tuple[int, int]:
        at, node = item
        parent, name = node[PARENT][VALUE], node[KEY]
        if type(parent) is list:
            return at, name
        order = places.get(id(parent))
        if order is None:
            order = places[id(parent)] = {k: i for i, k in enumerate(parent)}
        return at, order.get(name, -1)

    return key


def _js_path(path: tuple) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f"['{p}']" for p in path)


_PARSE_CACHE: dict[str, tuple[Step, ...]] = {}


def compile_path(path: str) -> tuple[Step, ...]:
    hit = _PARSE_CACHE.get(path)
    if hit is None:
        hit = parse(path)
        _PARSE_CACHE[path] = hit
    return hit
