"""JSON pointers (RFC 6901) ↔ path tuples. Paths are tuples of str keys and int indices."""

from __future__ import annotations

from urllib.parse import unquote


def escape(part) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def to_pointer(path: tuple | list) -> str:
    if not path:
        return ""
    return "/" + "/".join(escape(p) for p in path)


def parse_pointer(pointer: str, uri_fragment: bool = False) -> tuple:
    """`/a/b~1c/0` → ('a', 'b/c', '0'). Indices stay strings: the data decides (see `walk`)."""
    if uri_fragment:
        pointer = unquote(pointer)
    if pointer in ("", "/") and pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"invalid JSON pointer {pointer!r}: must start with '/'")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/"))


_MISSING = object()


def walk(data, path: tuple):
    """The value at `path`, converting string indices for lists; raises KeyError when absent."""
    node = data
    out = []
    for part in path:
        if isinstance(node, dict):
            if part not in node:
                raise KeyError(part)
            node = node[part]
            out.append(part)
        elif isinstance(node, list):
            try:
                idx = int(part)
            except (TypeError, ValueError):
                raise KeyError(part) from None
            if not 0 <= idx < len(node):
                raise KeyError(part)
            node = node[idx]
            out.append(idx)
        else:
            raise KeyError(part)
    return node, tuple(out)
