"""Load one YAML or JSON file into plain Python data, with a source map for line/column.

Why our own loader:
- YAML 1.2 core schema (what Spectral and every JSON-first tool assume): `on`, `yes`, `off` stay
  strings, dates stay strings, `0777` stays a decimal.
- Duplicate keys are errors with file:line:col, not a silent last-wins.
- Line numbers are computed only when a finding needs them: JSON files are parsed with orjson and
  located later by a guided scan; YAML keeps the marks libyaml already produced.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

try:  # pragma: no cover - the C loader is present on every supported platform
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader

import orjson

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 256


class DocumentError(Exception):
    """A file that cannot be read as YAML/JSON; carries where, for a file:line:col message."""

    def __init__(self, file: str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.file = file
        self.message = message
        self.line = line
        self.column = column

    def where(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


# --------------------------------------------------------------------------- YAML 1.2 resolver


class _Yaml12Loader(_BaseLoader):
    """libyaml's parser with YAML 1.2 core-schema scalar resolution."""


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _regex, _first in (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
):
    _Yaml12Loader.add_implicit_resolver(_tag, re.compile(_regex), _first)


_TRUE = {"true", "True", "TRUE"}


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    value = node.value
    if tag == "tag:yaml.org,2002:str":
        return value
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:bool":
        return value in _TRUE
    if tag == "tag:yaml.org,2002:int":
        try:
            if value.startswith("0o"):
                return int(value[2:], 8)
            if value.startswith("0x"):
                return int(value[2:], 16)
            return int(value)
        except ValueError:
            return value
    if tag == "tag:yaml.org,2002:float":
        low = value.lower()
        if low.endswith("inf"):
            return float("-inf") if low.startswith("-") else float("inf")
        if low.endswith("nan"):
            return float("nan")
        try:
            return float(value)
        except ValueError:
            return value
    return value  # unknown or explicit tags (!!binary, !include, ...): keep the text


@dataclass
class YamlPositions:
    """Marks kept from libyaml: for a mapping {key: (line, col, child)}, for a sequence [(line, col, child)]."""

    line: int
    column: int
    children: Any = None


def _build_yaml(root: yaml.Node, file: str, tag_hook: Callable | None) -> tuple[Any, YamlPositions]:
    """Turn composed nodes into data and a parallel position tree. Aliases share objects."""
    memo: dict[int, tuple[Any, YamlPositions]] = {}

    def build(node: yaml.Node, depth: int) -> tuple[Any, YamlPositions]:
        if depth > MAX_DEPTH:
            m = node.start_mark
            raise DocumentError(file, f"nesting deeper than {MAX_DEPTH} levels", m.line + 1, m.column + 1)
        key = id(node)
        if key in memo:
            return memo[key]
        mark = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            if tag_hook is not None and not node.tag.startswith("tag:yaml.org,2002:"):
                value = tag_hook(node.tag, node.value, mark.line + 1)
            else:
                value = _scalar(node)
            return value, YamlPositions(mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.SequenceNode):
            out_list: list = []
            pos = YamlPositions(mark.line + 1, mark.column + 1, [])
            memo[key] = (out_list, pos)
            for item in node.value:
                v, p = build(item, depth + 1)
                out_list.append(v)
                pos.children.append(p)
            if tag_hook is not None and not node.tag.startswith("tag:yaml.org,2002:"):
                return tag_hook(node.tag, out_list, mark.line + 1), pos
            return out_list, pos
        # MappingNode
        out: dict = {}
        pos = YamlPositions(mark.line + 1, mark.column + 1, {})
        memo[key] = (out, pos)
        merges: list = []
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                merges.append(vnode)
                continue
            if isinstance(knode, yaml.ScalarNode):
                k = _scalar(knode)
                if not isinstance(k, str):
                    # JSON-compatible data: keys are strings (responses: {200: ...} → "200")
                    k = knode.value if k is not None else "null"
            else:
                km = knode.start_mark
                raise DocumentError(file, "complex (non-scalar) mapping keys are not supported", km.line + 1, km.column + 1)
            if k in out:
                km = knode.start_mark
                first = pos.children[k]
                raise DocumentError(
                    file, f"duplicate key {k!r} (first defined at line {first[0]})", km.line + 1, km.column + 1
                )
            v, p = build(vnode, depth + 1)
            out[k] = v
            km = knode.start_mark
            pos.children[k] = (km.line + 1, km.column + 1, p)
        for mnode in merges:  # YAML merge keys: explicit keys win
            sources = mnode.value if isinstance(mnode, yaml.SequenceNode) else [mnode]
            for src in sources:
                v, p = build(src, depth + 1)
                if isinstance(v, dict):
                    for mk, mv in v.items():
                        if mk not in out:
                            out[mk] = mv
                            pos.children[mk] = p.children.get(mk, (p.line, p.column, None)) if p.children else (p.line, p.column, None)
        if tag_hook is not None and not node.tag.startswith("tag:yaml.org,2002:"):
            return tag_hook(node.tag, out, mark.line + 1), pos
        return out, pos

    return build(root, 0)


# --------------------------------------------------------------------------- source maps


class SourceMap:
    """Answers `position(path)` → (line, column), 1-based, for a path of keys/indices."""

    def position(self, path: tuple) -> tuple[int, int] | None:  # pragma: no cover - interface
        raise NotImplementedError

    def positions(self, paths: list[tuple]) -> dict[tuple, tuple[int, int]]:
        return {p: pos for p in paths if (pos := self.position(p)) is not None}


class YamlSourceMap(SourceMap):
    def __init__(self, root: YamlPositions):
        self.root = root

    def position(self, path: tuple) -> tuple[int, int] | None:
        node = self.root
        line, col = node.line, node.column
        for part in path:
            children = node.children if node is not None else None
            if isinstance(children, dict):
                entry = children.get(part if isinstance(part, str) else str(part))
                if entry is None:
                    return line, col
                line, col, node = entry
            elif isinstance(children, list) and isinstance(part, int) and 0 <= part < len(children):
                node = children[part]
                line, col = node.line, node.column
            else:
                return line, col
        return line, col


class JsonSourceMap(SourceMap):
    """Locates paths in JSON text by a guided scan: only the branches leading to the paths are
    entered; every other value is skipped with the C decoder. One pass serves a whole batch."""

    _decoder = json.JSONDecoder()
    _ws = re.compile(r"[ \t\n\r]*")
    _spaces = re.compile(" *")

    def __init__(self, text: str, data: Any = None, utf8_view: bool = False):
        self.text = text
        self.data = data  # the parsed value: its key order is the text's, which lets us search forward only
        self._cache: dict[tuple, tuple[int, int]] = {}
        # `text` may be the file's UTF-8 bytes read as Latin-1 (one char per byte, made ten times
        # faster than decoding UTF-8): JSON's structure is ASCII and never inside a multi-byte
        # character, so the scan is the same; only keys and columns are turned back into Unicode.
        self.utf8_view = utf8_view

    def _unicode(self, view: str) -> str:
        return view.encode("latin-1").decode("utf-8", "replace") if self.utf8_view and not view.isascii() else view

    def _spelled(self, key: str) -> tuple[str, ...]:
        """How a key may be written in the text: as is, or with its non-ASCII characters escaped
        (an ASCII key has one spelling, found without a second search)."""
        escaped = json.dumps(key)
        if key.isascii():
            return (escaped,)
        plain = json.dumps(key, ensure_ascii=False)
        if self.utf8_view:
            plain = plain.encode("utf-8").decode("latin-1")
        return plain, escaped

    def _line_cols(self, offsets: dict[tuple, int]) -> dict[tuple, tuple[int, int]]:
        """Line and column of many offsets with one forward pass of str.count (C speed), instead of
        a table of every newline in the file."""
        text = self.text
        out: dict[tuple, tuple[int, int]] = {}
        line, prev, col = 1, 0, 1  # col: the character column of `prev`
        for path, off in sorted(offsets.items(), key=lambda kv: kv[1]):
            crossed = text.count("\n", prev, off)
            if crossed:  # search back only as far as the previous offset: minified JSON is one line
                line += crossed
                line_start = text.rfind("\n", prev, off) + 1
                col = (len(self._unicode(text[line_start:off])) if self.utf8_view else off - line_start) + 1
            else:  # same line: count on from the previous offset, not from the line's start
                col += len(self._unicode(text[prev:off])) if self.utf8_view else off - prev
            prev = off
            out[path] = (line, col)
        return out

    def position(self, path: tuple) -> tuple[int, int] | None:
        return self.positions([path]).get(path)

    def positions(self, paths: list[tuple]) -> dict[tuple, tuple[int, int]]:
        wanted = [p for p in paths if p not in self._cache]
        if wanted:
            trie: dict = {}
            for p in wanted:
                node = trie
                for part in p:
                    node = node.setdefault(part, {})
            found: dict[tuple, int] = {}
            try:
                self._scan(self._skip_ws(0), trie, (), found)
            except (ValueError, IndexError):  # text changed under us or not JSON: best effort
                pass
            offsets: dict[tuple, int] = {}
            for p in wanted:
                # the deepest located prefix: a missing key points at its closest existing parent
                q = p
                while q not in found and q:
                    q = q[:-1]
                offsets[p] = found.get(q, self._skip_ws(0))
            self._cache.update(self._line_cols(offsets))
        return {p: self._cache[p] for p in paths}

    def _skip_ws(self, idx: int) -> int:
        return self._ws.match(self.text, idx).end()

    def _skip_value(self, idx: int) -> int:
        _, end = self._decoder.raw_decode(self.text, idx)
        return end

    def _fast_object(self, idx: int, trie: dict, prefix: tuple, found: dict, need_end: bool) -> int | None:
        """Pretty-printed JSON (one key per line, as most generators write it): find each wanted
        key by its exact indentation with str.find instead of walking every sibling. Returns the
        index after the closing brace, or None when the layout does not allow it."""
        text = self.text
        if not text.startswith("\n", idx + 1):
            return None
        first = idx + 2
        child = self._spaces.match(text, first).end()
        if child >= len(text) or text[child] != '"':
            return None
        indent = child - first
        line_start = text.rfind("\n", 0, idx) + 1
        own = self._spaces.match(text, line_start).end() - line_start
        if own >= indent:
            return None
        node = self._data_at(prefix)
        if not isinstance(node, dict):
            return None
        lead = "\n" + " " * indent
        start = idx
        for key in [k for k in node if k in trie]:  # in text order: every search starts where the last ended
            sub = trie[key]
            pos = -1
            for spelled in self._spelled(key):
                pos = text.find(lead + spelled + ":", start)
                if pos >= 0:
                    break
            if pos < 0:
                return None  # written in a way we do not predict: let the exact scan do this object
            start = pos + 1
            key_start = pos + len(lead)
            path = prefix + (key,)
            found[path] = key_start
            if sub:
                value = self._skip_ws(text.index(":", key_start + len(spelled) - 1) + 1)
                self._scan(value, sub, path, found, need_end=False)
                found[path] = key_start
        if not need_end:
            return -1
        # the keys we searched for exist in this object, so no bound was needed above; the end
        # (for a caller that goes on scanning after this value) is its closing brace's line
        end = text.find("\n" + " " * own + "}", start)
        return -1 if end < 0 else end + own + 2

    def _data_at(self, prefix: tuple) -> Any:
        node = self.data
        for part in prefix:
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            else:
                return None
        return node

    def _scan(self, idx: int, trie: dict, prefix: tuple, found: dict, need_end: bool = True) -> int:
        text = self.text
        found[prefix] = idx
        ch = text[idx]
        if ch == "{":
            if self.data is not None:
                fast = self._fast_object(idx, trie, prefix, found, need_end)
                if fast is not None and (fast >= 0 or not need_end):
                    return fast
            idx = self._skip_ws(idx + 1)
            if text[idx] == "}":
                return idx + 1
            while True:
                key_start = idx
                key, idx = json.decoder.scanstring(text, idx + 1)
                if self.utf8_view and not key.isascii():  # the key as written, back to Unicode
                    key = json.loads(self._unicode(text[key_start:idx]))
                idx = self._skip_ws(idx)
                idx = self._skip_ws(idx + 1)  # the colon
                sub = trie.get(key)
                if sub is not None:
                    path = prefix + (key,)
                    if sub:
                        idx = self._scan(idx, sub, path, found)
                    else:
                        idx = self._skip_value(idx)
                    found[path] = key_start
                else:
                    idx = self._skip_value(idx)
                idx = self._skip_ws(idx)
                if text[idx] == ",":
                    idx = self._skip_ws(idx + 1)
                    continue
                return idx + 1
        if ch == "[":
            idx = self._skip_ws(idx + 1)
            if text[idx] == "]":
                return idx + 1
            n = 0
            while True:
                sub = trie.get(n)
                if sub is None:
                    sub = trie.get(str(n))
                if sub is not None:
                    idx = self._scan(idx, sub, prefix + (n,), found)
                    if str(n) in trie:
                        found[prefix + (str(n),)] = found[prefix + (n,)]
                else:
                    idx = self._skip_value(idx)
                n += 1
                idx = self._skip_ws(idx)
                if text[idx] == ",":
                    idx = self._skip_ws(idx + 1)
                    continue
                return idx + 1
        return self._skip_value(idx)


# --------------------------------------------------------------------------- loading


@dataclass
class LoadedDocument:
    """A parsed file. `source_map` is built on first use; so is the text of a JSON file parsed
    straight from its bytes (only findings to locate need it)."""

    file: str
    data: Any
    syntax: str  # json | yaml
    _text: str | None = field(repr=False, default="")
    _positions: Any = field(repr=False, default=None)
    _map: SourceMap | None = field(repr=False, default=None)
    raw: bytes | None = field(repr=False, default=None)  # UTF-8, when `_text` is left to decode
    _keys_unchecked: bool = field(repr=False, default=False)  # see check_duplicate_keys

    def check_duplicate_keys(self) -> None:
        """The duplicate-key check that `load_document(..., defer_key_check=True)` left to do;
        raises DocumentError (with the line of the second key) like loading would have."""
        if not self._keys_unchecked:
            return
        self._keys_unchecked = False
        text = _text_if_keys_differ(self.raw or b"", self.data, self.file)
        if text is not None:
            self._text = text

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self.raw.decode("utf-8") if self.raw is not None else ""
        return self._text

    @property
    def size(self) -> int:
        return len(self.raw) if self._text is None and self.raw is not None else len(self._text or "")

    @property
    def source_map(self) -> SourceMap:
        if self._map is None:
            if self.syntax == "yaml":
                self._map = YamlSourceMap(self._positions)
            elif self._text is None and self.raw is not None:  # never decoded: scan the bytes
                self._map = JsonSourceMap(self.raw.decode("latin-1"), self.data, utf8_view=True)
            else:
                self._map = JsonSourceMap(self.text, self.data)
        return self._map


def read_text(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a file as UTF-8 text (BOM tolerated), with a size bound and a clear error."""
    return decode_bytes(read_bytes(path, max_bytes), str(path))


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    file = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise DocumentError(file, f"file is {size} bytes, over the {max_bytes}-byte limit")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(file, f"cannot read file: {exc.strerror or exc}") from None


def decode_bytes(raw: bytes, file: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(file, f"invalid UTF-16 text at byte {exc.start}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DocumentError(file, f"not UTF-8 text (invalid byte at offset {exc.start})", line, None) from None


def looks_like_json(text: str, file: str) -> bool:
    if file.lower().endswith(".json"):
        return True
    stripped = text.lstrip()
    return stripped.startswith("{") or stripped.startswith("[")


def parse_text(text: str, file: str, syntax: str | None = None, tag_hook: Callable | None = None) -> LoadedDocument:
    """Parse text as JSON (when it looks like JSON) or YAML 1.2."""
    if syntax is None:
        syntax = "json" if looks_like_json(text, file) else "yaml"
    if syntax == "json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            if not file.lower().endswith(".json"):
                return parse_text(text, file, "yaml", tag_hook)  # YAML flow style that is not JSON
            msg = str(exc.msg if hasattr(exc, "msg") else exc).split(":")[0]
            raise DocumentError(file, f"invalid JSON: {msg}", exc.lineno, exc.colno) from None
        _check_json_duplicates(text, data, file)
        return LoadedDocument(file, data, "json", text)
    return _parse_yaml(text, file, tag_hook)


def _parse_yaml(text: str, file: str, tag_hook: Callable | None) -> LoadedDocument:
    loader = _Yaml12Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "syntax error"
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "tab character where YAML allows only spaces (indent with spaces)"
        raise DocumentError(file, f"invalid YAML: {problem}", mark.line + 1 if mark else None,
                            mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise DocumentError(file, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise DocumentError(file, "invalid YAML: nesting too deep") from None
    finally:
        loader.dispose()
    if root is None:
        return LoadedDocument(file, None, "yaml", text, YamlPositions(1, 1))
    try:
        data, positions = _build_yaml(root, file, tag_hook)
    except RecursionError:
        raise DocumentError(file, "invalid YAML: nesting too deep") from None
    return LoadedDocument(file, data, "yaml", text, positions)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _count_dict_keys(value: Any) -> int:
    """Total number of keys in every dict below `value` (a hand-written walk: 0.03 s on GitHub's spec)."""
    total = 0
    stack = [value]
    pop, push = stack.pop, stack.append
    while stack:
        v = pop()
        if type(v) is dict:
            total += len(v)
            for x in v.values():
                t = type(x)
                if t is dict or t is list:
                    push(x)
        elif type(v) is list:
            for x in v:
                t = type(x)
                if t is dict or t is list:
                    push(x)
    return total


_SPACED_KEY_END = re.compile(r'(?<!\\)"[ \t\r\n]+:')


def _check_json_duplicates(text: str, data: Any, file: str, keys: int | None = None) -> None:
    """orjson keeps the last of duplicate keys silently. Count the key ends (`":`, not escaped)
    in the text against the keys in the data: equal means no duplicate. Only when they differ
    (a duplicate, or an unusual key like one ending in a backslash) run the slow exact check.
    A regex over every string costs 0.4 s on GitHub's spec; these counts cost 0.04 s."""
    keys = _count_dict_keys(data) if keys is None else keys
    in_text = text.count('":') - text.count('\\":')
    if in_text == keys:
        return
    if in_text + len(_SPACED_KEY_END.findall(text)) == keys:  # `"key" : value` layouts
        return
    lines = _DupFinder(text, file)
    lines.run()


class _DupFinder:
    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file

    def run(self) -> None:
        def hook(pairs):
            seen = set()
            for k, _ in pairs:
                if k in seen:
                    raise _Dup(k)
                seen.add(k)
            return dict(pairs)

        try:
            json.loads(self.text, object_pairs_hook=hook)
        except _Dup as dup:
            # locate the second occurrence of the key for a useful line number
            needle = json.dumps(dup.key)
            hits = [m.start() for m in re.finditer(re.escape(needle) + r"\s*:", self.text)]
            off = hits[1] if len(hits) > 1 else (hits[0] if hits else 0)
            line = self.text.count("\n", 0, off) + 1
            col = off - (self.text.rfind("\n", 0, off) + 1) + 1
            raise DocumentError(self.file, f"duplicate key {dup.key!r}", line, col) from None
        except ValueError:
            return


class _Dup(Exception):
    def __init__(self, key: str):
        self.key = key


def load_document(path: Path | str, tag_hook: Callable | None = None, max_bytes: int = MAX_FILE_BYTES,
                  defer_key_check: bool = False) -> LoadedDocument:
    """Read and parse one file. Raises DocumentError with file:line:col on any problem.
    `defer_key_check`: a JSON file's duplicate-key check (0.07 s on a 13 MB spec) is left to
    `check_duplicate_keys()`, for a caller that can run it beside other work."""
    p = Path(path)
    raw = read_bytes(p, max_bytes)
    fast = _json_from_bytes(raw, str(path), defer_key_check)
    if fast is not None:
        return fast
    return parse_text(decode_bytes(raw, str(path)), str(path), tag_hook=tag_hook)


def _json_from_bytes(raw: bytes, file: str, defer_key_check: bool = False) -> LoadedDocument | None:
    """A JSON file parsed from its UTF-8 bytes, without decoding them to text first (0.04 s on a
    13 MB spec; the text is decoded later, if a finding needs a line number). None when that is
    not the plain case (UTF-16, not JSON, a syntax or encoding error): the text path then gives
    the error message with its line and column."""
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or not (
            file.lower().endswith(".json") or body.lstrip()[:1] in (b"{", b"[")):
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if defer_key_check:
        return LoadedDocument(file, data, "json", None, raw=body, _keys_unchecked=True)
    text = _text_if_keys_differ(body, data, file)
    return LoadedDocument(file, data, "json", text, raw=None if text is not None else body)


def _text_if_keys_differ(body: bytes, data: Any, file: str) -> str | None:
    """orjson keeps the last of duplicate keys silently: compare the key ends in the bytes with
    the keys parsed. Equal: None. Else the exact check on the text (raises DocumentError on a
    duplicate), and the text, decoded for it, is returned to keep."""
    keys = _count_dict_keys(data)
    if body.count(b'":') - body.count(b'\\":') == keys:
        return None
    text = decode_bytes(body, file)
    _check_json_duplicates(text, data, file, keys)  # the exact check, on the rare layouts that need it
    return text
