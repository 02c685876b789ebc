"""Spectral's core functions, with Spectral 6.x semantics and messages.

Why a faithful port and not "something similar": teams bring their `.spectral.yaml` and compare our
results with Spectral's line by line. So the quirks are kept on purpose: JavaScript truthiness
(`{}` and `[]` are truthy), functions that silently skip inputs of the wrong type (pattern on a
number, casing on an empty string), `length` counting UTF-16 code units, JSON-style printing of
values in messages (`"foo"`, `Object{}`, `Array[]`), and the first-error-only reporting of `schema`.

Messages are rendered here, not left as templates: Spectral's `#{{print("property")}}` depends on
the path of the result, which only the function and its context know. The engine receives the final
text (Spectral's `{{error}}`).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from typing import Any, Callable, Iterable

from apiscan.functions.registry import MISSING, FunctionOptionsError, Hit, register

# =========================================================================== JavaScript values


def js_truthy(value: Any) -> bool:
    """JavaScript's `!!value`: empty objects and arrays are truthy, NaN is falsy."""
    if value is MISSING or value is None or value is False:
        return False
    if isinstance(value, bool):
        return True
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return True


def js_typeof(value: Any) -> str:
    if value is MISSING:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"  # null, arrays and objects


def is_number(value: Any) -> bool:
    """A JSON number (Python's bool is an int, JavaScript's boolean is not a number)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def js_number_text(value: float | int) -> str:
    """`JSON.stringify` of a number: `2` for 2.0, `1e-7` for 1e-07, `null` for NaN/Infinity."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value) or math.isinf(value):
        return "null"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mant, exp = text.split("e")
        sign = "-" if exp.startswith("-") else "+"
        text = f"{mant}e{sign}{exp.lstrip('+-').lstrip('0') or '0'}"
    return text


def json_text(value: Any) -> str:
    """`JSON.stringify(value)` for scalars (no spaces, non-ASCII kept)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if is_number(value):
        return js_number_text(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def print_value(value: Any) -> str:
    """Spectral's printValue: `undefined`, `Object{}`, `Array[]`, else JSON."""
    if value is MISSING:
        return "undefined"
    if isinstance(value, dict):
        return "Object{}"
    if isinstance(value, (list, tuple)):
        return "Array[]"
    return json_text(value)


def js_strict_equal(a: Any, b: Any) -> bool:
    """`===` (with SameValueZero's NaN for `includes`): no bool/number mixing."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
            return True
        return a == b
    if a is None or b is None:
        return a is b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is b


def js_deep_equal(a: Any, b: Any) -> bool:
    """fast-deep-equal as AJV uses it: structural, numbers by value, bool never equals a number."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(js_deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(js_deep_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return False  # NaN !== NaN
    return js_strict_equal(a, b)


def utf16_length(text: str) -> int:
    """JavaScript's `string.length`: astral characters count twice."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


_JS_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Infinity)$")


def js_to_number(value: Any) -> float:
    """`Number(value)` for strings and numbers (enough for Spectral's comparisons)."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if is_number(value):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        text = value.strip(" \t\n\r\x0b\x0c\xa0\ufeff\u2028\u2029")
        if text == "":
            return 0.0
        low = text.lower()
        for prefix, base in (("0x", 16), ("0o", 8), ("0b", 2)):
            if low.startswith(prefix):
                try:
                    return float(int(text[2:], base))
                except ValueError:
                    return math.nan
        if _JS_NUMBER.match(text):
            return float(text)
        return math.nan
    return math.nan


# =========================================================================== paths and messages


def _step(ctx: Any, node: Any, key: Any) -> Any:
    node = ctx.resolve(node) if ctx is not None else node
    if isinstance(node, dict):
        return node.get(key, MISSING) if isinstance(key, str) else node.get(str(key), MISSING)
    if isinstance(node, list):
        try:
            idx = int(key)
        except (TypeError, ValueError):
            return MISSING
        return node[idx] if 0 <= idx < len(node) else MISSING
    return MISSING


def _walk(ctx: Any, path: tuple) -> tuple[int, Any]:
    """How many leading segments of `path` exist in the document, and the value there."""
    data = getattr(ctx, "data", None) if ctx is not None else None
    if data is None:
        return -1, MISSING
    node = data
    for i, key in enumerate(path):
        nxt = _step(ctx, node, key)
        if nxt is MISSING:
            return i, node
        node = nxt
    return len(path), node


def _decode_fragment(text: str) -> str:
    return text.replace("~1", "/").replace("~0", "~")


def dot_path(path: Iterable) -> str:
    """Spectral's printPath(..., Dot): `a.b[0]['with space']`."""
    out = ""
    for i, seg in enumerate(path):
        if isinstance(seg, int) and not isinstance(seg, bool):
            out += f"[{seg}]"
            continue
        seg = str(seg)
        if seg == "":
            out += "['']"
        elif re.search(r"\s", seg):
            out += f"['{seg}']"
        elif not math.isnan(js_to_number(seg)):
            out += f"[{seg}]"
        else:
            out += seg if i == 0 else "." + seg
    return _decode_fragment(out)


def print_property(ctx: Any, rel: tuple = (), missing: bool = False) -> str:
    """`#{{print("property")}}`: `"name" property ` or `The document `.

    For a missing field Spectral names the path from the last existing parent
    (`"info.contact" property` when `info` exists but `contact` does not).
    """
    path = tuple(getattr(ctx, "path", ()) or ()) + tuple(rel)
    field = getattr(ctx, "field", None)
    given = getattr(ctx, "given_path", None)
    if missing and isinstance(field, str) and field and field != "@key" and not field.startswith("$") \
            and given is not None:
        # the engine passes the deepest existing node's path; Spectral names the missing part
        # starting from that node's own key (`"info.contact" property`)
        parts = tuple(field.split("."))
        full = tuple(given) + parts
        existing = len(tuple(given)) + max(0, min(len(parts), len(path) - len(tuple(given))))
        seg = full[existing - 1:] if existing > 0 else full[-1:]
        name = dot_path(seg)
        return f'"{name}" property ' if name else "The document "
    if missing and path:
        n, _ = _walk(ctx, path)
        if 0 <= n < len(path):
            seg = path[n - 1:] if n > 0 else path[-1:]
            name = dot_path(seg)
            return f'"{name}" property ' if name else "The document "
    if path and path[-1] != "":
        return f'"{path[-1]}" property '
    return "The document "


def print_target_value(ctx: Any, target: Any) -> str:
    """`#{{print("value")}}`: the value at the result's path (for `@key` that is the keyed object)."""
    path = tuple(getattr(ctx, "path", ()) or ())
    n, node = _walk(ctx, path)
    if n == len(path) and n >= 0 and node is not MISSING:
        return print_value(node)
    return print_value(target)


# =========================================================================== options


def _no_options(name: str, options: Any) -> None:
    if options not in (None, {}, MISSING):
        raise FunctionOptionsError(f'"{name}" function does not accept any options')


def _require_dict(name: str, options: Any, example: str) -> dict:
    if not isinstance(options, dict):
        raise FunctionOptionsError(f'"{name}" function has invalid options specified. Example valid options: {example}')
    return options


def _reject_unknown(name: str, options: dict, allowed: tuple) -> None:
    for key in options:
        if key not in allowed:
            raise FunctionOptionsError(f'"{name}" function does not support "{key}" option')


# =========================================================================== JS regular expressions

_JS_SPACE = r" \t\n\x0b\x0c\r\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_WORD = "A-Za-z0-9_"
_BOUNDARY = rf"(?:(?<=[{_WORD}])(?![{_WORD}])|(?<![{_WORD}])(?=[{_WORD}]))"
_NON_BOUNDARY = rf"(?:(?<=[{_WORD}])(?=[{_WORD}])|(?<![{_WORD}])(?![{_WORD}]))"
_FLAG_MAP = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}
_REGEX_LITERAL = re.compile(r"^/(.+)/([a-z]*)$", re.DOTALL)


class JsRegex:
    """A JavaScript regular expression run with Python's `re`; `test()` has JS semantics."""

    __slots__ = ("source", "flags", "compiled", "sticky")

    def __init__(self, source: str, flags: str = ""):
        self.source = source
        self.flags = flags
        bad = set(flags) - set("dgimsuyv")
        if bad or len(set(flags)) != len(flags):
            raise FunctionOptionsError(f"Invalid flags supplied to RegExp constructor '{flags}'")
        py_flags = 0
        for f in flags:
            py_flags |= _FLAG_MAP.get(f, 0)
        self.sticky = "y" in flags
        try:
            self.compiled = re.compile(translate_js_regex(source, flags), py_flags)
        except re.error as exc:
            raise FunctionOptionsError(f"Invalid regular expression: /{source}/: {exc}") from None

    def test(self, text: str) -> bool:
        if self.sticky:
            return self.compiled.match(text) is not None
        return self.compiled.search(text) is not None


def translate_js_regex(source: str, flags: str = "") -> str:
    """Rewrite a JS regex source for Python's `re`.

    `$` → end of input only (JS has no "before a final newline"); `\\d \\w \\b` → ASCII;
    `\\s` → JS's whitespace set; `.` → JS's line-terminator set; `(?<name>` → `(?P<name>`;
    `\\k<name>` → `(?P=name)`; `\\/` → `/`; `[^]` and `[]`; `\\u{...}` with the `u` flag.
    """
    multiline = "m" in flags
    dotall = "s" in flags
    unicode = "u" in flags or "v" in flags
    out: list[str] = []
    i = 0
    n = len(source)
    in_class = False
    while i < n:
        ch = source[i]
        if ch == "\\" and i + 1 < n:
            nxt = source[i + 1]
            i += 2
            if nxt == "/":
                out.append("/")
            elif nxt == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif nxt == "D":
                out.append(r"\D" if in_class else "[^0-9]")
            elif nxt == "w":
                out.append(_WORD if in_class else f"[{_WORD}]")
            elif nxt == "W":
                out.append(r"\W" if in_class else f"[^{_WORD}]")
            elif nxt == "s":
                out.append(_JS_SPACE if in_class else f"[{_JS_SPACE}]")
            elif nxt == "S":
                out.append(r"\S" if in_class else f"[^{_JS_SPACE}]")
            elif nxt == "b" and not in_class:
                out.append(_BOUNDARY)
            elif nxt == "B" and not in_class:
                out.append(_NON_BOUNDARY)
            elif nxt == "k" and i < n and source[i] == "<":
                end = source.find(">", i)
                if end == -1:
                    out.append("k")
                else:
                    out.append(f"(?P={source[i + 1:end]})")
                    i = end + 1
            elif nxt == "u" and i < n and source[i] == "{" and unicode:
                end = source.find("}", i)
                code = source[i + 1:end] if end != -1 else ""
                if end != -1 and re.fullmatch(r"[0-9A-Fa-f]{1,6}", code):
                    out.append(f"\\U{int(code, 16):08x}")
                    i = end + 1
                else:
                    out.append(r"\u")
            elif nxt == "c" and i < n and source[i].isalpha():
                out.append(f"\\x{ord(source[i]) % 32:02x}")
                i += 1
            elif nxt.isalnum() and nxt not in "tnrvf0123456789xuBbDdSsWw" and not unicode:
                out.append(re.escape(nxt))  # identity escape (`\a`, `\e`, `\-` ... ) in non-unicode JS
            elif nxt == "-":
                out.append(r"\-")
            else:
                out.append("\\" + nxt)
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == "[":
                out.append(r"\[")
                i += 1
                continue
            elif ch in "&~|" or (ch == "-" and i + 1 < n and source[i + 1] == "-"):
                out.append("\\" + ch)  # literal in JS; Python reserves `&&`, `~~`, `||`, `--` for set operations
                i += 1
                continue
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            if source.startswith("[^]", i):
                out.append(r"[\s\S]")
                i += 3
                continue
            if source.startswith("[]", i):
                out.append("(?!)")
                i += 2
                continue
            in_class = True
            out.append(ch)
            i += 1
            if i < n and source[i] == "^":
                out.append("^")
                i += 1
            if i < n and source[i] == "]":  # cannot happen after the checks above; kept literal-safe
                out.append(r"\]")
                i += 1
            continue
        if ch == "$":
            out.append(r"(?=[\n\r\u2028\u2029]|\Z)" if multiline else r"\Z")
        elif ch == "^" and multiline:
            out.append(r"(?:(?<=[\n\r\u2028\u2029])|\A)")
        elif ch == "." and not dotall:
            out.append(r"[^\n\r\u2028\u2029]")
        elif ch == "(" and source.startswith("(?<", i) and i + 3 < n and source[i + 3] not in "=!":
            out.append("(?P<")
            i += 3
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


_REGEX_CACHE: dict[str, JsRegex] = {}


def js_regex(pattern: str) -> JsRegex:
    """Spectral's `pattern` option: `/source/flags` literal or a bare source; compiled once."""
    hit = _REGEX_CACHE.get(pattern)
    if hit is not None:
        return hit
    literal = _REGEX_LITERAL.match(pattern)
    rx = JsRegex(literal.group(1), literal.group(2)) if literal else JsRegex(pattern)
    if len(_REGEX_CACHE) > 4096:
        _REGEX_CACHE.clear()
    _REGEX_CACHE[pattern] = rx
    return rx


# =========================================================================== truthy & co


@register("truthy")
def truthy(target: Any, options: Any, ctx: Any):
    _no_options("truthy", options)
    if not js_truthy(target):
        return [Hit(f"{print_property(ctx, missing=target is MISSING)}must be truthy")]
    return None


@register("falsy")
def falsy(target: Any, options: Any, ctx: Any):
    _no_options("falsy", options)
    if js_truthy(target):
        return [Hit(f"{print_property(ctx)}must be falsy")]
    return None


@register("defined")
def defined(target: Any, options: Any, ctx: Any):
    _no_options("defined", options)
    if target is MISSING:
        return [Hit(f"{print_property(ctx, missing=True)}must be defined")]
    return None


@register("undefined")
def undefined(target: Any, options: Any, ctx: Any):
    _no_options("undefined", options)
    if target is not MISSING:
        return [Hit(f"{print_property(ctx)}must be undefined")]
    return None


# =========================================================================== pattern

_PATTERN_EXAMPLE = '{ "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }'


def parsed_options(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Check and compile a function's options once per options object, not once per target (a
    rule's options are one object for the whole run; `pattern` meets 30,000 targets on a big spec).
    A parse that fails is not cached: it raises again, with its message, for the next target."""
    cache: dict[int, tuple[Any, Any]] = {}

    def cached(options: Any) -> Any:
        hit = cache.get(id(options))
        if hit is not None and hit[0] is options:
            return hit[1]
        parsed = parse(options)
        if isinstance(options, (dict, list)):
            if len(cache) > 1024:
                cache.clear()
            cache[id(options)] = (options, parsed)
        return parsed

    return cached


@parsed_options
def _pattern_options(options: Any) -> tuple[JsRegex | None, JsRegex | None, dict]:
    opts = _require_dict("pattern", options, _PATTERN_EXAMPLE)
    if not opts:
        raise FunctionOptionsError(f'"pattern" function has invalid options specified. Example valid options: {_PATTERN_EXAMPLE}')
    _reject_unknown("pattern", opts, ("match", "notMatch"))
    compiled = []
    for key in ("match", "notMatch"):
        if key not in opts:
            compiled.append(None)
            continue
        if not isinstance(opts[key], str):
            raise FunctionOptionsError(f'"pattern" function and its "{key}" option must be string or RegExp instance')
        compiled.append(js_regex(opts[key]))
    return compiled[0], compiled[1], opts


@register("pattern")
def pattern(target: Any, options: Any, ctx: Any):
    match, not_match, opts = _pattern_options(options)
    if not isinstance(target, str):
        return None
    hits = []
    if match is not None and not match.test(target):
        hits.append(Hit(f"{print_target_value(ctx, target)} must match the pattern {print_value(opts['match'])}"))
    if not_match is not None and not_match.test(target):
        hits.append(Hit(f"{print_target_value(ctx, target)} must not match the pattern {print_value(opts['notMatch'])}"))
    return hits or None


# =========================================================================== casing

_CASES = {
    "flat": "[a-z][a-z{D}]*",
    "camel": "[a-z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|\\Z))*",
    "pascal": "[A-Z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|\\Z))*",
    "kebab": "[a-z][a-z{D}]*(?:-[a-z{D}]+)*",
    "cobol": "[A-Z][A-Z{D}]*(?:-[A-Z{D}]+)*",
    "snake": "[a-z][a-z{D}]*(?:_[a-z{D}]+)*",
    "macro": "[A-Z][A-Z{D}]*(?:_[A-Z{D}]+)*",
}
_CASING_CACHE: dict[tuple, re.Pattern] = {}
_CASING_EXAMPLE = '{ "type": "camel" }, { "type": "pascal", "disallowDigits": true }'


def _casing_regex(kind: str, disallow_digits: bool, sep_char: str | None, allow_leading: bool) -> re.Pattern:
    key = (kind, disallow_digits, sep_char, allow_leading)
    rx = _CASING_CACHE.get(key)
    if rx is None:
        base = _CASES[kind].replace("{D}", "" if disallow_digits else "0-9")
        if sep_char is None:
            text = f"^{base}\\Z"
        else:
            sep = f"[{re.escape(sep_char)}]" if sep_char else "(?!)"
            lead = f"{sep}?" if allow_leading else ""
            text = f"^{lead}{base}(?:{sep}{base})*\\Z"
        rx = _CASING_CACHE[key] = re.compile(text)
    return rx


@parsed_options
def _casing_options(options: Any) -> tuple[str, bool, str | None, bool]:
    opts = _require_dict("casing", options, _CASING_EXAMPLE)
    _reject_unknown("casing", opts, ("type", "disallowDigits", "separator"))
    if "type" not in opts:
        raise FunctionOptionsError('"casing" function is missing "type" option')
    if opts["type"] not in _CASES:
        raise FunctionOptionsError(
            '"casing" function and its "type" option accept the following values: ' + ", ".join(_CASES)
        )
    disallow = opts.get("disallowDigits", False)
    if not isinstance(disallow, bool):
        raise FunctionOptionsError('"casing" function and its "disallowDigits" option accepts only the following types: boolean')
    sep = opts.get("separator")
    if sep is None:
        return opts["type"], disallow, None, False
    if not isinstance(sep, dict):
        raise FunctionOptionsError('"casing" function and its "separator" option accepts only the following types: object')
    for key in sep:
        if key not in ("char", "allowLeading"):
            raise FunctionOptionsError(f'"casing" function does not support "separator.{key}" option')
    if "char" not in sep:
        raise FunctionOptionsError('"casing" function is missing "separator.char" option')
    char = sep["char"]
    if not isinstance(char, str) or utf16_length(char) > 1:
        raise FunctionOptionsError('"casing" function and its "separator.char" option accepts only char, i.e. "I" or "/"')
    leading = sep.get("allowLeading", False)
    if not isinstance(leading, bool):
        raise FunctionOptionsError('"casing" function and its "separator.allowLeading" option accepts only the following types: boolean')
    return opts["type"], disallow, char, leading


@register("casing")
def casing(target: Any, options: Any, ctx: Any):
    kind, disallow, sep_char, leading = _casing_options(options)
    if not isinstance(target, str) or target == "":
        return None
    if len(target) == 1 and sep_char is not None and leading and target == sep_char:
        return None
    if _casing_regex(kind, disallow, sep_char, leading).search(target):
        return None
    return [Hit(f"must be {kind} case")]


# =========================================================================== alphabetical

# ICU's root collation orders punctuation and symbols before digits before letters, and this
# order among the ASCII ones; letters compare case-insensitively first, lowercase first on ties.
_ICU_PUNCT = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$"
_PUNCT_RANK = {c: i for i, c in enumerate(_ICU_PUNCT)}


def _collation_key(text: str) -> tuple:
    primary, secondary, tertiary = [], [], []
    for ch in text:
        base = unicodedata.normalize("NFD", ch)
        letter = base[0]
        accents = base[1:]
        if ch.isspace():
            primary.append((0, 0, ""))
        elif letter in _PUNCT_RANK:
            primary.append((1, _PUNCT_RANK[letter], ""))
        elif not letter.isalnum():
            primary.append((2, ord(letter), ""))
        elif letter.isdigit():
            primary.append((3, unicodedata.digit(letter, 0), ""))
        else:
            primary.append((4, 0, letter.casefold()))
        secondary.append(accents)
        tertiary.append(1 if letter.isupper() else 0)
    return (primary, secondary, tertiary)


def locale_compare(a: str, b: str) -> int:
    """An approximation of `String.prototype.localeCompare` under ICU's default (en) collation."""
    ka, kb = _collation_key(a), _collation_key(b)
    return (ka > kb) - (ka < kb)


def _alphabetical_compare(a: Any, b: Any) -> int:
    """Spectral's comparator, including its odd number/string mix (a non-numeric `a` uses `-`)."""
    a_num_ok = is_number(a) or math.isnan(js_to_number(a))
    b_num_ok = is_number(b) or not math.isnan(js_to_number(b))
    if a_num_ok and b_num_ok:
        diff = js_to_number(a) - js_to_number(b)
        if math.isnan(diff):
            return 0  # Math.min(1, Math.max(-1, NaN)) is NaN: never "unsorted"
        return 1 if diff >= 1 else (-1 if diff <= -1 else diff)  # type: ignore[return-value]
    if not isinstance(a, str) or not isinstance(b, str):
        return 0
    return locale_compare(a, b)


@parsed_options
def _alphabetical_options(options: Any) -> str | None:
    if options is None or options is MISSING:
        return None
    if not isinstance(options, dict):
        raise FunctionOptionsError(
            '"alphabetical" function has invalid options specified. Example valid options: null (no options), { "keyedBy": "my-key" }'
        )
    _reject_unknown("alphabetical", options, ("keyedBy",))
    keyed = options.get("keyedBy")
    if keyed is not None and not isinstance(keyed, str):
        raise FunctionOptionsError('"alphabetical" function and its "keyedBy" option accepts only the following types: string')
    return keyed


@register("alphabetical")
def alphabetical(target: Any, options: Any, ctx: Any):
    keyed_by = _alphabetical_options(options)
    if isinstance(target, list):
        items = list(target)
    elif isinstance(target, dict):
        items = list(target.keys())
    else:
        return None
    if len(items) < 2:
        return None
    if keyed_by is not None:
        values = []
        for item in items:
            item = ctx.resolve(item) if ctx is not None else item
            if not isinstance(item, (dict, list)):
                return [Hit(f"{print_property(ctx)}must be an object")]
            values.append(item.get(keyed_by, MISSING) if isinstance(item, dict) else MISSING)
        items = values
    if not all(isinstance(v, str) or is_number(v) for v in items):
        return [Hit(f"{print_property(ctx)}must be one of the allowed types: number, string")]
    for i in range(len(items) - 1):
        if _alphabetical_compare(items[i], items[i + 1]) >= 1:
            if keyed_by is not None:
                return [Hit("properties must follow the alphabetical order")]
            where = i if isinstance(target, list) else items[i]
            return [Hit(f"{print_value(items[i])} must be placed after {print_value(items[i + 1])}", path=(where,))]
    return None


# =========================================================================== enumeration, length

_ENUM_EXAMPLE = '{ "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }'


@register("enumeration")
def enumeration(target: Any, options: Any, ctx: Any):
    opts = _require_dict("enumeration", options, _ENUM_EXAMPLE)
    _reject_unknown("enumeration", opts, ("values",))
    if "values" not in opts:
        raise FunctionOptionsError('"enumeration" function is missing "values" option')
    values = opts["values"]
    if not isinstance(values, list) or any(isinstance(v, (dict, list)) for v in values):
        raise FunctionOptionsError(
            '"enumeration" and its "values" option support only arrays of primitive values, i.e. ["Berlin", "London", "Paris"]'
        )
    if target is MISSING or isinstance(target, (dict, list)):
        return None
    if any(js_strict_equal(target, v) for v in values):
        return None
    allowed = ", ".join(print_value(v) for v in values)
    return [Hit(f"{print_target_value(ctx, target)} must be equal to one of the allowed values: {allowed}")]


_LENGTH_EXAMPLE = '{ "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }'


@register("length")
def length(target: Any, options: Any, ctx: Any):
    opts = _require_dict("length", options, _LENGTH_EXAMPLE)
    if not opts:
        raise FunctionOptionsError(f'"length" function has invalid options specified. Example valid options: {_LENGTH_EXAMPLE}')
    _reject_unknown("length", opts, ("min", "max"))
    for key in ("min", "max"):
        if key in opts and not is_number(opts[key]):
            raise FunctionOptionsError(f'"length" function and its "{key}" option accepts only the following types: number')
    if isinstance(target, dict):
        size = len(target)
    elif isinstance(target, list):
        size = len(target)
    elif is_number(target):
        size = target
    elif isinstance(target, str):
        size = utf16_length(target)
    else:
        return None
    hits = []
    if "min" in opts and size < opts["min"]:
        hits.append(Hit(f"{print_property(ctx)}must be longer than {print_value(opts['min'])}"))
    if "max" in opts and size > opts["max"]:
        hits.append(Hit(f"{print_property(ctx)}must be shorter than {print_value(opts['max'])}"))
    return hits or None


# =========================================================================== xor, or


def _properties_option(name: str, options: Any, example: str, min_items_message: str) -> list[str]:
    opts = _require_dict(name, options, example)
    _reject_unknown(name, opts, ("properties",))
    if "properties" not in opts:
        raise FunctionOptionsError(f'"{name}" function is missing "properties" option')
    props = opts["properties"]
    if not isinstance(props, list) or len(props) < 2 or not all(isinstance(p, str) for p in props):
        raise FunctionOptionsError(min_items_message)
    return props


@register("xor")
def xor(target: Any, options: Any, ctx: Any):
    props = _properties_option(
        "xor",
        options,
        '{ "properties": ["id", "name"] }, { "properties": ["country", "street"] }',
        '"xor" and its "properties" option require at least 2-item tuples, i.e. ["id", "name"]',
    )
    if not isinstance(target, dict):
        return None
    present = sum(1 for key in target if key in props)
    if present == 1:
        return None
    printed = [print_value(p) for p in props]
    text = ", ".join(printed[:-1]) + f" and {printed[-1]}"
    return [Hit(f"{text} must not be both defined or both undefined")]


@register("or")
def or_(target: Any, options: Any, ctx: Any):
    props = _properties_option(
        "or",
        options,
        '{ "properties": ["default", "example"] }, { "properties": ["title", "summary", "description"] }, etc.',
        '"or" requires at least two enumerated "properties", i.e. ["default", "example"], ["title", "summary", "description"], etc.',
    )
    if not isinstance(target, dict):
        return None
    if any(key in props for key in target):
        return None
    if len(props) > 4:
        shown = '" or "'.join(props[:3])
        return [Hit(f'At least one of "{shown}" or {len(props) - 3} other properties must be defined')]
    return [Hit('At least one of "' + '" or "'.join(props) + '" must be defined')]


# =========================================================================== unreferencedReusableObject

_REF_CACHE: list = [None, None]  # [document root, {decoded local ref target: [source paths]}]


def _percent_decode(text: str) -> str:
    if "%" not in text:
        return text
    from urllib.parse import unquote

    return unquote(text)


def local_ref_targets(data: Any, walker: Any = None) -> dict[str, list[tuple]]:
    """Every local `$ref` target in the document, decoded (`#/components/schemas/Pet`), with the
    paths of the objects that hold those `$ref`s. One walk per document, cached on the root object;
    none at all when the engine's walker over the document as written (no `$ref` followed) is at
    hand: its index already lists the objects that hold a `$ref`.
    """
    if _REF_CACHE[0] is data and _REF_CACHE[1] is not None:
        return _REF_CACHE[1]
    found: dict[str, list[tuple]] = {}

    def add(ref: Any, path: tuple) -> None:
        if isinstance(ref, str) and ref.startswith("#"):
            found.setdefault(_decode_fragment(_percent_decode(ref)), []).append(path)

    if walker is not None and walker.resolver is None and walker.root[0] is data:
        for node in walker.holders("$ref"):
            add(node[0]["$ref"], node[2])
    else:
        stack: list[tuple[Any, tuple]] = [(data, ())]
        seen: set[int] = set()
        while stack:
            node, path = stack.pop()
            if isinstance(node, dict):
                if id(node) in seen:
                    continue
                seen.add(id(node))
                add(node.get("$ref"), path)
                stack.extend((v, path + (k,)) for k, v in node.items() if isinstance(v, (dict, list)))
            elif isinstance(node, list):
                if id(node) in seen:
                    continue
                seen.add(id(node))
                stack.extend((v, path + (i,)) for i, v in enumerate(node) if isinstance(v, (dict, list)))
    _REF_CACHE[0], _REF_CACHE[1] = data, found
    return found


def is_referenced(refs: dict[str, list[tuple]], pointer: str, own_path: tuple) -> bool:
    """Used when some `$ref` outside the object itself points exactly at it.

    Spectral's reference graph does not count an object's references to itself (a recursive
    schema that nothing else uses is still reported as unused).
    """
    n = len(own_path)
    return any(src[:n] != own_path for src in refs.get(pointer, ()))


def pointer_parts(pointer: str) -> tuple:
    return tuple(_decode_fragment(p) for p in pointer.lstrip("#").split("/")[1:]) if pointer not in ("#", "") else ()


_POINTER_FRAGMENT = re.compile(r"^#(?:/(?:[^~/]|~[01])*)*$")


@register("unreferencedReusableObject")
def unreferenced_reusable_object(target: Any, options: Any, ctx: Any):
    example = '{ "reusableObjectsLocation": "#/components/schemas" }, { "reusableObjectsLocation": "#/$defs" }'
    opts = _require_dict("unreferencedReusableObject", options, example)
    _reject_unknown("unreferencedReusableObject", opts, ("reusableObjectsLocation",))
    location = opts.get("reusableObjectsLocation")
    if location is None:
        raise FunctionOptionsError(
            f'"unreferencedReusableObject" function is missing "reusableObjectsLocation" option. Example valid options: {example}'
        )
    if not isinstance(location, str) or not _POINTER_FRAGMENT.match(location):
        raise FunctionOptionsError(
            '"unreferencedReusableObject" and its "reusableObjectsLocation" option support only valid JSON Pointer '
            'fragments, i.e. "#", "#/foo", "#/paths/~1user"'
        )
    if not isinstance(target, dict):
        return None
    refs = local_ref_targets(ctx.data if ctx is not None else None, getattr(ctx, "walker", None))
    base = pointer_parts(location)
    hits = []
    for name in target:
        if not is_referenced(refs, f"{location}/{name}", base + (name,)):
            hits.append(Hit("Potential orphaned reusable object has been detected", path=(name,)))
    return hits or None


# =========================================================================== schema

_SCHEMA_EXAMPLE = (
    '{ "schema": { /* any JSON Schema can be defined here */ } , { "schema": { "type": "object" }, "dialect": "auto" }'
)
_DIALECTS = ("auto", "draft4", "draft6", "draft7", "draft2019-09", "draft2020-12")


@parsed_options
def _schema_options(options: Any) -> tuple[dict | bool, str, bool]:
    opts = _require_dict("schema", options, _SCHEMA_EXAMPLE)
    _reject_unknown("schema", opts, ("schema", "dialect", "allErrors", "prepareResults"))
    if "schema" not in opts:
        raise FunctionOptionsError('"schema" function is missing "schema" option')
    if not isinstance(opts["schema"], (dict, bool)):
        raise FunctionOptionsError('"schema" function and its "schema" option accepts only the following types: object')
    dialect = opts.get("dialect", "auto")
    if dialect not in _DIALECTS:
        raise FunctionOptionsError(
            '"schema" function and its "dialect" option accepts only the following values: '
            + ", ".join(json_text(d) for d in _DIALECTS)
        )
    all_errors = opts.get("allErrors", False)
    if not isinstance(all_errors, bool):
        raise FunctionOptionsError('"schema" function and its "allErrors" option accepts only the following types: boolean')
    return opts["schema"], dialect, all_errors


def schema_hits(target: Any, schema: Any, dialect: str, all_errors: bool, ctx: Any, prepare=None) -> list[Hit]:
    """Validate and format like Spectral's `schema` (shared with the OAS functions)."""
    if target is MISSING:
        return [Hit(f"{print_property(ctx, missing=True)}must exist")]
    prop_path = tuple(getattr(ctx, "path", ()) or ())
    try:
        errors = ajv_validate(schema, target, dialect, all_errors)
    except SchemaCompileError as exc:
        return [Hit(str(exc))]
    if not errors:
        return []
    if prepare is not None:
        prepare(errors)
    unmatched = {e.path: e.keyword for e in errors
                 if e.keyword in ("oneOf", "anyOf") and not isinstance(e.params.get("passingSchemas"), list)}
    hits = []
    for msg, path in better_errors(errors, target, prop_path):
        msg = _describe_array_item(msg, path)
        keyword = unmatched.get(tuple(path))
        if keyword is not None and msg.endswith(f" in {keyword}"):
            msg += ". None of the schemas matched, see the other errors reported for this value"
        hits.append(Hit(msg, path=tuple(path)))
    return hits


def _describe_array_item(message: str, path: tuple) -> str:
    """Spectral 6.16 names array items `Item at index N` instead of `"N" property`."""
    if not path:
        return message
    index = str(path[-1])
    if not index.isdigit() or not index.isascii():
        return message
    for prefix in (f'"{index}" property type', f'"{index}" property'):
        if message.startswith(prefix):
            return f"Item at index {index}{message[len(prefix):]}"
    return message


@register("schema")
def schema(target: Any, options: Any, ctx: Any):
    schema_obj, dialect, all_errors = _schema_options(options)
    return schema_hits(target, schema_obj, dialect, all_errors, ctx) or None


# AJV's part of `schema` lives in its own module (imported last: it uses the helpers above).
from apiscan.functions.ajv import (  # noqa: E402,F401 - re-exported for spectral_oas and tests
    SchemaCompileError,
    _leven,
    _value_at,
    ajv_validate,
    better_errors,
    detect_dialect,
)
