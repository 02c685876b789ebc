"""Lazy `$ref` resolution across files, without ever inlining: rules walk the document as
written and follow a reference only when they step onto it, so circular references cost nothing
and every location stays the place where a value is written.

Safety: local files must stay inside the input root; remote references (http/https) are
fetched only when the user allows it, with a size bound and a timeout.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import orjson

from apiscan.pointer import parse_pointer, walk
from apiscan.sources.document import DocumentError, LoadedDocument, decode_bytes, load_document, parse_text

MAX_REMOTE_BYTES = 16 * 1024 * 1024
MAX_CHAIN = 32


@dataclass
class RefProblem:
    file: str  # the file holding the $ref (key)
    path: tuple  # where the $ref is (path in that file), if known
    ref: str
    message: str


class RefResolver:
    """Resolves `$ref` dicts of one API description and the files it references."""

    def __init__(self, entry: LoadedDocument, entry_key: str, root: Path, allow_remote: bool = False,
                 display: str | None = None):
        self.root = root
        self.allow_remote = allow_remote
        self.entry_key = entry_key
        self.docs: dict[str, LoadedDocument | None] = {entry_key: entry}
        self.display_names: dict[str, str] = {entry_key: display or entry.file}
        self._owner: dict[int, str] = {}  # id(ref dict) → file key, for dicts outside the entry file
        self.problems: dict[tuple, RefProblem] = {}
        self._hops: dict[tuple[str, str], tuple[Any, str, tuple] | None] = {}  # (base file, $ref) → target
        self._resolved: dict[int, tuple[Any, Any]] = {}  # id(ref target) → (target, its resolved form)

    # ------------------------------------------------------------------ files

    def display(self, key: str) -> str:
        return self.display_names.get(key, key)

    def file_of(self, node: Any, default: str | None = None) -> str:
        return self._owner.get(id(node), default or self.entry_key)

    def _register_owner(self, data: Any, key: str) -> None:
        stack = [data]
        while stack:
            v = stack.pop()
            if isinstance(v, dict):
                if isinstance(v.get("$ref"), str):
                    self._owner[id(v)] = key
                stack.extend(x for x in v.values() if isinstance(x, (dict, list)))
            elif isinstance(v, list):
                stack.extend(x for x in v if isinstance(x, (dict, list)))

    def _problem(self, base: str, path: tuple, ref: str, message: str) -> None:
        self.problems.setdefault((base, ref), RefProblem(base, path, ref, message))

    def _load(self, key: str, base: str, path: tuple, ref: str) -> LoadedDocument | None:
        if key in self.docs:
            return self.docs[key]
        doc: LoadedDocument | None = None
        try:
            if key.startswith(("http://", "https://")):
                doc = parse_text(self._fetch(key), key)
                self.display_names[key] = key
            else:
                doc = load_document(Path(key))
                self.display_names[key] = _display_path(key)
        except DocumentError as exc:
            self._problem(base, path, ref, f"cannot load {ref!r}: {exc.where()}: {exc.message}")
        except OSError as exc:
            self._problem(base, path, ref, f"cannot fetch {ref!r}: {exc}")
        self.docs[key] = doc
        if doc is not None:
            self._register_owner(doc.data, key)
        return doc

    def _fetch(self, url: str) -> str:
        import urllib.request

        req = urllib.request.Request(url, headers={"User-Agent": "apiscan"})
        with urllib.request.urlopen(req, timeout=15) as resp:  # noqa: S310 - only when the user allows it
            raw = resp.read(MAX_REMOTE_BYTES + 1)
        if len(raw) > MAX_REMOTE_BYTES:
            raise OSError(f"remote document over {MAX_REMOTE_BYTES} bytes")
        return decode_bytes(raw, url)

    def _target_key(self, base: str, file_part: str, path: tuple, ref: str) -> str | None:
        if base.startswith(("http://", "https://")):
            return urljoin(base, file_part)
        scheme = urlsplit(file_part).scheme
        if scheme in ("http", "https"):
            if not self.allow_remote:
                self._problem(base, path, ref, f"remote $ref {ref!r} not followed (use --allow-remote-refs to allow it)")
                return None
            return file_part
        if scheme and len(scheme) > 1:  # file:, ftp:, ... (a Windows drive letter has length 1)
            self._problem(base, path, ref, f"$ref scheme {scheme!r} is not supported")
            return None
        from urllib.parse import unquote

        target = (Path(base).parent / unquote(file_part)).resolve()
        if not _inside(target, self.root):
            self._problem(base, path, ref, f"$ref {ref!r} leaves the input root {self.root}; refused")
            return None
        return str(target)

    # ------------------------------------------------------------------ following

    def follow(self, node: dict, base: str | None = None, at: tuple = ()) -> tuple[Any, str, tuple] | None:
        """One hop: the value a `$ref` dict points to, its file key and its path there."""
        ref = node.get("$ref")
        base = base or self.file_of(node)
        if not isinstance(ref, str):
            return None
        key = (base, ref)
        if key in self._hops:  # large specs repeat the same few thousand $refs tens of thousands of times
            return self._hops[key]
        hop = self._follow(ref, base, at)
        self._hops[key] = hop
        return hop

    def _follow(self, ref: str, base: str, at: tuple) -> tuple[Any, str, tuple] | None:
        file_part, _, fragment = ref.partition("#")
        if file_part:
            key = self._target_key(base, file_part, at, ref)
            if key is None:
                return None
        else:
            key = base
        doc = self.docs.get(key) if key in self.docs else self._load(key, base, at, ref)
        if doc is None:
            return None
        try:
            path = parse_pointer(fragment, uri_fragment=True) if fragment else ()
            value, real_path = walk(doc.data, path)
        except (ValueError, KeyError):
            self._problem(base, at, ref, f"$ref {ref!r} points to nothing")
            return None
        return value, key, real_path

    def deref_loc(self, value: Any, file: str, path: tuple) -> tuple[Any, str, tuple]:
        """Follow a chain of `$ref`s; returns the final value and where it is written.
        An unresolvable or circular chain stops at the last reachable `$ref` dict."""
        chain: list[int] = []
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            if id(value) in chain or len(chain) >= MAX_CHAIN:
                self._problem(self.file_of(value, file), path, value["$ref"],
                              f"$ref {value['$ref']!r} is part of a circular chain of references that never reaches a value")
                break
            chain.append(id(value))
            hop = self.follow(value, self.file_of(value, file), path)
            if hop is None:
                break
            value, file, path = hop
        return value, file, path

    def deref(self, value: Any, base: str | None = None) -> Any:
        return self.deref_loc(value, base or self.file_of(value), ())[0]

    def deep_resolve(self, value: Any, base: str | None = None, max_depth: int = 64) -> Any:
        """`value` with every resolvable `$ref` inlined; a reference back into its own ancestry is
        left as `$ref`. The resolved form of a referenced value is built once and shared between
        results (a spec's few hundred component schemas stand behind thousands of uses), and a
        part without any `$ref` is the document's own object, not a copy: the result must be
        treated as read-only (copy it before changing it)."""
        if (type(value) is dict or type(value) is list) and not _may_hold_ref(value):
            return value  # nothing to inline (most example values): no walk at all
        base = base or self.file_of(value)
        memo = self._resolved
        active: set[int] = set()

        def rec(v: Any, file: str, depth: int) -> tuple[Any, bool]:
            """(resolved value, pure): pure when no cycle or depth cut happened below."""
            if depth > max_depth:
                return v, False
            if type(v) is dict:
                if isinstance(v.get("$ref"), str):
                    target, tfile, _ = self.deref_loc(v, file, ())
                    tid = id(target)
                    if target is v or tid in active:
                        return v, False
                    hit = memo.get(tid)
                    if hit is not None and hit[0] is target:
                        return hit[1], True
                    active.add(tid)
                    out, pure = rec(target, tfile, depth + 1)
                    active.discard(tid)
                    if pure:
                        memo[tid] = (target, out)
                    return out, pure
                vid = id(v)
                active.add(vid)
                out_d: dict | None = None  # copied only when something below changes
                pure = True
                for k, x in v.items():
                    if type(x) is dict or type(x) is list:
                        r, p = rec(x, file, depth + 1)
                        pure = pure and p
                        if r is not x:
                            if out_d is None:
                                out_d = dict(v)
                            out_d[k] = r
                active.discard(vid)
                return (v if out_d is None else out_d), pure
            if type(v) is list:
                out_l: list | None = None
                pure = True
                for i, x in enumerate(v):
                    if type(x) is dict or type(x) is list:
                        r, p = rec(x, file, depth + 1)
                        pure = pure and p
                        if r is not x:
                            if out_l is None:
                                out_l = list(v)
                            out_l[i] = r
                return (v if out_l is None else out_l), pure
            return v, True

        return rec(value, base, 0)[0]

    def check_all(self) -> None:
        """Resolve every `$ref` once, so broken references are reported even where no rule looks."""
        seen_files: set[str] = set()
        pending = [self.entry_key]
        while pending:
            key = pending.pop()
            if key in seen_files:
                continue
            seen_files.add(key)
            doc = self.docs.get(key)
            if doc is None:
                continue
            stack: list[tuple[Any, tuple]] = [(doc.data, ())]
            while stack:
                v, path = stack.pop()
                if isinstance(v, dict):
                    ref = v.get("$ref")
                    if isinstance(ref, str):
                        hop = self.follow(v, key, path)
                        if hop is not None and hop[1] not in seen_files:
                            pending.append(hop[1])
                    for k, x in v.items():
                        if isinstance(x, (dict, list)):
                            stack.append((x, path + (k,)))
                elif isinstance(v, list):
                    for i, x in enumerate(v):
                        if isinstance(x, (dict, list)):
                            stack.append((x, path + (i,)))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _display_path(key: str) -> str:
    try:
        rel = os.path.relpath(key)
        return key if rel.startswith("..") else rel
    except ValueError:
        return key


def _may_hold_ref(value: Any) -> bool:
    """Whether a `$ref` key may be anywhere inside: orjson writes the value out at C speed, and a
    `$ref` key can only be there if the text `"$ref"` is (a value that cannot be written out,
    such as a huge integer, is assumed to hold one)."""
    try:
        return b'"$ref"' in orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return True

