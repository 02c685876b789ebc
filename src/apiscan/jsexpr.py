"""A small evaluator for the JavaScript expressions Spectral rulesets put in JSONPath filters.

Real rulesets write `[?(@.in == 'query' && @.name.match(/^[a-z]+$/i))]`, `@property >= 400`,
`!@.x`, `@.parameters.length > 0`: JavaScript, not a JSONPath dialect. We parse that subset once
into Python closures with JavaScript's truthiness, loose equality and regex syntax. Any runtime
problem (a method on null, an unknown method) makes the filter false for that node, where Spectral
would abort the whole run.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from apiscan.jsregex import compile_js_regex


class JsSyntaxError(ValueError):
    pass


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED = _Undefined()


class _Fail(Exception):
    """A JavaScript TypeError: the filter is false for this node."""


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>===|!==|==|!=|<=|>=|&&|\|\||[-+*%<>!().,\[\]?:])
  | (?P<name>[@$A-Za-z_][\w$]*)
  )""",
    re.VERBOSE,
)


def _tokenize(src: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    pos = 0
    prev_kind = None
    while pos < len(src):
        if src[pos].isspace():
            pos += 1
            continue
        # a regex literal may start where an operand is expected
        if src[pos] == "/" and prev_kind in (None, "op") and (not tokens or tokens[-1][1] not in (")", "]")):
            end = pos + 1
            in_class = False
            while end < len(src):
                c = src[end]
                if c == "\\":
                    end += 2
                    continue
                if c == "[":
                    in_class = True
                elif c == "]":
                    in_class = False
                elif c == "/" and not in_class:
                    break
                end += 1
            if end >= len(src):
                raise JsSyntaxError(f"unterminated regex literal in {src!r}")
            body = src[pos + 1:end]
            m = re.match(r"[a-z]*", src[end + 1:])
            flags = m.group(0)
            tokens.append(("regex", (body, flags)))
            pos = end + 1 + len(flags)
            prev_kind = "regex"
            continue
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise JsSyntaxError(f"unexpected character {src[pos]!r} in {src!r}")
        kind = m.lastgroup
        text = m.group(kind)
        if kind == "num":
            tokens.append(("num", float(text) if any(c in text for c in ".eE") else int(text)))
        elif kind == "str":
            tokens.append(("str", _unescape(text[1:-1])))
        elif kind == "op":
            tokens.append(("op", text))
        else:
            tokens.append(("name", text))
        prev_kind = kind
        pos = m.end()
    return tokens


def _unescape(s: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), s)


# ----------------------------------------------------------------------------- JS semantics


def truthy(v: Any) -> bool:
    """JavaScript truthiness (ordered by what filters meet most: objects, booleans, strings)."""
    t = type(v)
    if t is dict or t is list:
        return True  # objects and arrays, even empty, are truthy
    if t is bool:
        return v
    if t is str:
        return v != ""
    if v is None or v is UNDEFINED:
        return False
    if t is int or t is float:
        return v != 0 and v == v
    return True


def _to_number(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if v is None:
        return 0.0
    if isinstance(v, str):
        s = v.strip()
        if s == "":
            return 0.0
        try:
            return float(int(s, 0)) if s.lower().startswith(("0x", "0o", "0b")) else float(s)
        except ValueError:
            return float("nan")
    return float("nan")


def loose_eq(a: Any, b: Any) -> bool:
    if (a is None or a is UNDEFINED) and (b is None or b is UNDEFINED):
        return True
    if a is None or a is UNDEFINED or b is None or b is UNDEFINED:
        return False
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        if isinstance(a, (dict, list)) and isinstance(b, (dict, list)):
            return a is b
        other = b if isinstance(a, (dict, list)) else a
        obj = a if isinstance(a, (dict, list)) else b
        return loose_eq(_to_primitive(obj), other)
    if type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool)):
        return a == b
    return _to_number(a) == _to_number(b)


def strict_eq(a: Any, b: Any) -> bool:
    if type(a) is str and type(b) is str:
        return a == b
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, (dict, list)):
        return a is b
    return type(a) is type(b) and a == b


def _to_primitive(v: Any) -> Any:
    if isinstance(v, list):
        return ",".join(to_js_string(x) for x in v)
    if isinstance(v, dict):
        return "[object Object]"
    return v


def to_js_string(v: Any) -> str:
    if v is None:
        return "null"
    if v is UNDEFINED:
        return "undefined"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, float):
        if v == int(v) and abs(v) < 1e21:
            return str(int(v))
        return repr(v)
    if isinstance(v, (dict, list)):
        return _to_primitive(v)
    return str(v)


def _compare(a: Any, b: Any, op: str) -> bool:
    a, b = _to_primitive(a), _to_primitive(b)
    if isinstance(a, str) and isinstance(b, str):
        pass
    else:
        a, b = _to_number(a), _to_number(b)
        if a != a or b != b:
            return False
    if op == "<":
        return a < b
    if op == ">":
        return a > b
    if op == "<=":
        return a <= b
    return a >= b


class _Constructor:
    """`value.constructor` — rulesets test `@.enum.constructor.name === 'Array'`."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def _constructor_of(obj: Any) -> "_Constructor":
    if isinstance(obj, bool):
        return _Constructor("Boolean")
    if isinstance(obj, (int, float)):
        return _Constructor("Number")
    if isinstance(obj, str):
        return _Constructor("String")
    if isinstance(obj, list):
        return _Constructor("Array")
    if isinstance(obj, _Regex):
        return _Constructor("RegExp")
    return _Constructor("Object")


def _member(obj: Any, key: Any) -> Any:
    if obj is None or obj is UNDEFINED:
        raise _Fail()
    if key == "constructor" and not (isinstance(obj, dict) and "constructor" in obj):
        return _constructor_of(obj)
    if isinstance(obj, _Constructor):
        return obj.name if key == "name" else UNDEFINED
    if isinstance(obj, dict):
        if isinstance(key, float) and key == int(key):
            key = int(key)
        return obj.get(str(key) if not isinstance(key, str) else key, UNDEFINED)
    if isinstance(obj, (list, str)):
        if key == "length":
            return len(obj)
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            i = int(key)
            return obj[i] if 0 <= i < len(obj) else UNDEFINED
        if isinstance(key, str) and key.isdigit():
            i = int(key)
            return obj[i] if 0 <= i < len(obj) else UNDEFINED
        return _Method(obj, key) if key in _NON_OBJECT_MEMBERS else UNDEFINED  # "abc".type is undefined
    if isinstance(obj, (int, float, bool)):
        return _Method(obj, key) if key in _NON_OBJECT_MEMBERS else UNDEFINED
    if isinstance(obj, _Regex):
        return _Method(obj, key)
    return UNDEFINED


# members that exist on strings and arrays too: `@.length` is not undefined for a scalar string
_NON_OBJECT_MEMBERS = frozenset({
    "length", "constructor", "match", "indexOf", "includes", "startsWith", "endsWith", "toLowerCase",
    "toUpperCase", "trim", "split", "search", "test", "join", "toString",
})


class _Regex:
    __slots__ = ("rx", "source")

    def __init__(self, body: str, flags: str):
        self.rx = compile_js_regex(body, flags)
        self.source = body


class _Method:
    """A bound method of a JS string/array/regex, resolved when called."""

    __slots__ = ("obj", "name")

    def __init__(self, obj: Any, name: Any):
        self.obj = obj
        self.name = name

    def call(self, args: list) -> Any:
        o, n = self.obj, self.name
        if isinstance(o, _Regex):
            if n == "test":
                return o.rx.search(to_js_string(args[0] if args else UNDEFINED)) is not None
            raise _Fail()
        if isinstance(o, str):
            if n == "match":
                arg = args[0] if args else UNDEFINED
                rx = arg.rx if isinstance(arg, _Regex) else compile_js_regex(to_js_string(arg), "")
                m = rx.search(o)
                return [m.group(0)] if m else None
            if n == "indexOf":
                return o.find(to_js_string(args[0])) if args else -1
            if n == "includes":
                return to_js_string(args[0]) in o if args else False
            if n == "startsWith":
                return o.startswith(to_js_string(args[0])) if args else False
            if n == "endsWith":
                return o.endswith(to_js_string(args[0])) if args else False
            if n == "toLowerCase":
                return o.lower()
            if n == "toUpperCase":
                return o.upper()
            if n == "trim":
                return o.strip()
            if n == "split":
                return o.split(to_js_string(args[0])) if args else [o]
            if n == "search":
                arg = args[0] if args else UNDEFINED
                rx = arg.rx if isinstance(arg, _Regex) else compile_js_regex(to_js_string(arg), "")
                m = rx.search(o)
                return m.start() if m else -1
            if n == "test":
                raise _Fail()
        if isinstance(o, list):
            if n == "indexOf":
                for i, x in enumerate(o):
                    if args and strict_eq(x, args[0]):
                        return i
                return -1
            if n == "includes":
                return any(args and strict_eq(x, args[0]) for x in o)
            if n == "join":
                sep = to_js_string(args[0]) if args else ","
                return sep.join(to_js_string(x) for x in o)
        if n == "toString":
            return to_js_string(o)
        raise _Fail()


# ----------------------------------------------------------------------------- parser

Env = dict  # names: '@', '@property', '@path', '@parent', '@parentProperty', '@root', '$'
Compiled = Callable[[Env], Any]


class _Parser:
    """Recursive descent to closures. Beside each closure it notes (in `flags`) whether its value
    is certainly falsy when `@` is not an object: "at" for `@` itself, "undef" for a member chain
    of `@` (undefined, or a TypeError, when `@` is a scalar), "false" for a test that then fails.
    A filter whose top is "undef" or "false" can skip every scalar and array child without
    evaluating it: on a 13 MB spec that is 400,000 evaluations saved per `$..[?()]` rule."""

    def __init__(self, tokens: list, src: str):
        self.t = tokens
        self.i = 0
        self.src = src
        self.flags: dict[int, str] = {}
        self._keep: list = []  # closures whose ids are in `flags` stay alive while we parse

    def mark(self, fn, flag: str | None):
        if flag is not None:
            self.flags[id(fn)] = flag
            self._keep.append(fn)
        return fn

    def flag(self, fn) -> str | None:
        return self.flags.get(id(fn))

    def falsy_off_object(self, fn) -> bool:
        return self.flag(fn) in ("undef", "false")

    def peek(self, k: int = 0):
        return self.t[self.i + k] if self.i + k < len(self.t) else ("eof", None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def expect(self, value: str):
        tok = self.take()
        if tok[1] != value:
            raise JsSyntaxError(f"expected {value!r} in {self.src!r}")

    def parse(self) -> Compiled:
        node = self.ternary()
        if self.peek()[0] != "eof":
            raise JsSyntaxError(f"unexpected {self.peek()[1]!r} in {self.src!r}")
        return node

    def ternary(self) -> Compiled:
        cond = self.or_()
        if self.peek() == ("op", "?"):
            self.take()
            a = self.ternary()
            self.expect(":")
            b = self.ternary()
            return lambda env: a(env) if truthy(cond(env)) else b(env)
        return cond

    def or_(self) -> Compiled:
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            both = self.falsy_off_object(left) and self.falsy_off_object(right)

            def either_of(env, l=left, r=right):
                v = l(env)
                return v if truthy(v) else r(env)

            left = either_of
            self.mark(left, "false" if both else None)
        return left

    def and_(self) -> Compiled:
        left = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            either = self.falsy_off_object(left) or self.falsy_off_object(right)

            def both_of(env, l=left, r=right):
                v = l(env)
                return r(env) if truthy(v) else v

            left = both_of
            self.mark(left, "false" if either else None)
        return left

    def equality(self) -> Compiled:
        left = self.relational()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "===", "!=="):
            op = self.take()[1]
            right = self.relational()
            fn = {"==": loose_eq, "===": strict_eq}.get(op)
            # `@.x == 'lit'` cannot hold when @.x is undefined and 'lit' is neither null nor undefined
            lit_side = right if self.flag(left) == "undef" else left if self.flag(right) == "undef" else None
            lit_flag = self.flag(lit_side) if lit_side is not None else None
            # `@.x == 'lit'` fails when @.x is undefined; so does `@.x !== undefined` (or != null)
            certain = (lit_flag == "literal" and op in ("==", "===")) or (
                lit_flag == "nullish" and op in ("!=", "!==") and not (op == "!==" and lit_side_is_null(self, lit_side)))
            if op == "!=":
                left = (lambda l, r: lambda env: not loose_eq(l(env), r(env)))(left, right)
            elif op == "!==":
                left = (lambda l, r: lambda env: not strict_eq(l(env), r(env)))(left, right)
            else:
                left = (lambda l, r, f: lambda env: f(l(env), r(env)))(left, right, fn)
            self.mark(left, "false" if certain else None)
        return left

    def relational(self) -> Compiled:
        left = self.additive()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.additive()
            either = self.flag(left) == "undef" or self.flag(right) == "undef"  # NaN compares false
            left = (lambda l, r, o: lambda env: _compare(l(env), r(env), o))(left, right, op)
            self.mark(left, "false" if either else None)
        if self.peek() == ("name", "in"):
            self.take()
            right = self.additive()
            left = (lambda l, r: lambda env: _js_in(l(env), r(env)))(left, right)
        return left

    def additive(self) -> Compiled:
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            right = self.unary()
            if op == "+":
                left = (lambda l, r: lambda env: _js_add(l(env), r(env)))(left, right)
            else:
                left = (lambda l, r: lambda env: _to_number(l(env)) - _to_number(r(env)))(left, right)
        return left

    def unary(self) -> Compiled:
        tok = self.peek()
        if tok == ("op", "!"):
            self.take()
            inner = self.unary()
            return lambda env: not truthy(inner(env))
        if tok == ("op", "-"):
            self.take()
            inner = self.unary()
            return lambda env: -_to_number(inner(env))
        if tok == ("name", "void"):
            self.take()
            inner = self.unary()
            return lambda env: (inner(env), UNDEFINED)[1]
        if tok == ("name", "typeof"):
            self.take()
            inner = self.unary()
            return lambda env: _typeof(inner(env))
        return self.postfix()

    def postfix(self) -> Compiled:
        node = self.primary()
        while True:
            tok = self.peek()
            if tok == ("op", "."):
                self.take()
                name = self.take()
                if name[0] != "name":
                    raise JsSyntaxError(f"expected a property name in {self.src!r}")
                base = self.flag(node)
                undef = (base == "at" and name[1] not in _NON_OBJECT_MEMBERS) or base == "undef"
                if base == "at":  # `@.name`, the most common term: a dict lookup without a call
                    def at_member(env, k=name[1]):
                        v = env.get("@", UNDEFINED)
                        return v.get(k, UNDEFINED) if type(v) is dict else _member(v, k)

                    node = at_member
                else:
                    node = (lambda n, k: lambda env: _member(n(env), k))(node, name[1])
                self.mark(node, "undef" if undef else None)
            elif tok == ("op", "["):
                self.take()
                key = self.ternary()
                self.expect("]")
                base = self.flag(node)
                const = self.const_string(key)
                undef = (base == "at" and const is not None and const not in _NON_OBJECT_MEMBERS
                         and not const.isdigit()) or base == "undef"
                node = (lambda n, k: lambda env: _member(n(env), k(env)))(node, key)
                self.mark(node, "undef" if undef else None)
            elif tok == ("op", "("):
                self.take()
                args: list[Compiled] = []
                while self.peek() != ("op", ")"):
                    args.append(self.ternary())
                    if self.peek() == ("op", ","):
                        self.take()
                self.expect(")")
                undef = self.flag(node) == "undef"  # calling a method of undefined is a TypeError
                node = (lambda n, a: lambda env: _call(n(env), [x(env) for x in a]))(node, args)
                self.mark(node, "undef" if undef else None)
            else:
                return node

    def const_string(self, fn) -> str | None:
        return self._consts.get(id(fn)) if hasattr(self, "_consts") else None

    def primary(self) -> Compiled:
        kind, value = self.take()
        if kind == "num" or kind == "str":
            fn = self.mark(lambda env: value, "literal")
            if kind == "str":
                if not hasattr(self, "_consts"):
                    self._consts: dict[int, str] = {}
                self._consts[id(fn)] = value
            return fn
        if kind == "regex":
            rx = _Regex(*value)
            return lambda env: rx
        if kind == "op" and value == "(":
            inner = self.ternary()
            self.expect(")")
            return inner
        if kind == "op" and value == "[":
            items: list[Compiled] = []
            while self.peek() != ("op", "]"):
                items.append(self.ternary())
                if self.peek() == ("op", ","):
                    self.take()
            self.expect("]")
            return lambda env: [x(env) for x in items]
        if kind == "name":
            if value == "true":
                return self.mark(lambda env: True, "literal")
            if value == "false":
                return self.mark(lambda env: False, "literal")
            if value == "null":
                fn = self.mark(lambda env: None, "nullish")
                self._nulls = getattr(self, "_nulls", set()) | {id(fn)}
                return fn
            if value == "undefined":
                return self.mark(lambda env: UNDEFINED, "nullish")
            if value == "@":
                return self.mark(lambda env: env.get("@", UNDEFINED), "at")
            if value.startswith("@") or value == "$":
                return lambda env: env.get(value, UNDEFINED)
            raise JsSyntaxError(f"unknown name {value!r} in {self.src!r}")
        raise JsSyntaxError(f"unexpected {value!r} in {self.src!r}")


def lit_side_is_null(parser: "_Parser", fn) -> bool:
    """`@.x !== null` holds for an undefined @.x (strict), so it is no object test; `!= null` is."""
    return id(fn) in getattr(parser, "_nulls", set())


def _call(fn: Any, args: list) -> Any:
    if isinstance(fn, _Method):
        return fn.call(args)
    raise _Fail()


def _js_add(a: Any, b: Any) -> Any:
    if isinstance(a, str) or isinstance(b, str):
        return to_js_string(a) + to_js_string(b)
    return _to_number(a) + _to_number(b)


def _js_in(key: Any, obj: Any) -> bool:
    if isinstance(obj, dict):
        return to_js_string(key) in obj
    if isinstance(obj, list):
        try:
            return 0 <= int(_to_number(key)) < len(obj)
        except (ValueError, OverflowError):
            return False
    raise _Fail()


def _typeof(v: Any) -> str:
    if v is UNDEFINED:
        return "undefined"
    if v is None or isinstance(v, (dict, list)):
        return "object"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"


_CACHE: dict[str, Callable[[Env], bool]] = {}
# `@property === 'x'` alone: the filter is a child step by name (the JSONPath layer uses an index)
_PROPERTY_IS = re.compile(r"""@property\s*(===|==)\s*(['"])((?:(?!\2)[^\\]|\\.)*)\2""")


def compile_filter(src: str) -> Callable[[Env], bool]:
    """Compile a filter expression into `env -> bool`; a runtime TypeError yields False."""
    hit = _CACHE.get(src)
    if hit is not None:
        return hit
    # JSONPath-plus lets `@.key` be written with `@property` etc.; `@.` names are members of @.
    tokens = _tokenize(src)
    parser = _Parser(tokens, src)
    fn = parser.parse()
    requires_object = parser.falsy_off_object(fn)  # read from the closure tree, before any swap
    fast = None
    try:  # one generated function instead of a tree of closures, where the subset allows
        from apiscan.jscodegen import Unsupported, generate

        fast = generate(tokens)
    except Unsupported:
        pass

    if fast is not None:
        def run(env: Env, fast=fast) -> bool:
            return fast(env.get("@", UNDEFINED), env.get("@property", UNDEFINED))
    else:
        def run(env: Env) -> bool:
            try:
                return truthy(fn(env))
            except (_Fail, TypeError, ValueError, RecursionError, re.error):
                return False

    run.fast = fast  # type: ignore[attr-defined]  # `(@, @property[, parent]) -> bool`, when generated
    run.anchors = fast.anchors if fast is not None else ()  # type: ignore[attr-defined]
    run.requires_object = requires_object  # type: ignore[attr-defined]
    m = _PROPERTY_IS.fullmatch(src.strip())
    run.property_is = (_unescape(m.group(3)), m.group(1)) if m else None  # type: ignore[attr-defined]
    run.uses_path = "@path" in src  # type: ignore[attr-defined]
    _CACHE[src] = run
    return run
