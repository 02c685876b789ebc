"""Filter expressions compiled to one Python function each, for the subset real rulesets use most
(`@`, `@property`, members, literals, `!`, `&&`, `||`, equality and comparisons).

Why: a filter runs once per node of a `$..[?()]` selection, 100,000+ times on a large spec; a tree
of closures costs a Python call per operator, one generated function costs one call in all. The
semantics are those of `jsexpr` (its helpers do the JavaScript parts); anything outside the subset
(method calls, regex literals, arithmetic, `typeof`) raises `Unsupported`, and the caller keeps the
closure version.

The generator knows which sub-expressions already give a Python bool (comparisons, `!`, `&&`/`||`
under a test), so truthiness is only computed where JavaScript would coerce a value, and strict
equality with a literal becomes a plain `==`/`is` (a string literal equals only an equal string;
`undefined`, `null`, `true`, `false` are singletons). The function takes `@` and `@property`
directly: the JSONPath loop calls it without building an environment.

It also works out the filter's *anchors*: keys that `@` must be an object holding for the filter
to be true (`@ && @.enum && @.type` has `enum` and `type`). The JSONPath layer then asks the
filter only about the objects its index lists under one of those keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from apiscan import jsexpr


class Unsupported(Exception):
    pass


BOOL, VALUE = "bool", "value"


@dataclass(frozen=True)
class _Expr:
    code: str
    kind: str = VALUE  # BOOL: the code already gives a Python bool
    literal: tuple | None = None  # ("str", text) or ("name", "None"|"U"|"True"|"False")
    at_key: str | None = None  # the first member of a chain that starts at `@` (`@.a.b` → "a")
    # For this to be truthy `@` must be an object holding, for each clause, one of its keys:
    # `@.a && (@.b || @.c)` needs ({a}, {b, c}).
    needs: tuple = ()


def _anchor_key(key: Any) -> bool:
    """A member that only an object can have: not `length`/`constructor`/methods, not an index."""
    return isinstance(key, str) and key not in jsexpr._NON_OBJECT_MEMBERS and not key.isdigit()


def _either(left: tuple, right: tuple) -> tuple:
    """Needs of `a || b`: one key of a clause of `a`'s or of `b`'s (the narrowest of each)."""
    if not left or not right:
        return ()
    return (min(left, key=len) | min(right, key=len),)


class _Gen:
    def __init__(self, tokens: list):
        self.t = tokens
        self.i = 0
        self.temps = 0
        self._last_group: tuple[int, int] | None = None  # token span of the group just parsed

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else ("eof", None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def as_bool(self, expr: _Expr) -> str:
        if expr.kind == BOOL:
            return expr.code
        if expr.at_key is not None:
            # `@.key` tested: mostly absent (undefined, falsy) on the objects asked; no call then
            t = self.temp()
            return f"(({t} := {expr.code}) is not U and T({t}))"
        return f"T({expr.code})"

    def parse(self) -> _Expr:
        """The whole filter, in a test position (its truthiness is all that counts)."""
        expr = self.or_(test=True)
        if self.peek()[0] != "eof":
            raise Unsupported(self.peek())
        return expr

    # With test=True the caller only needs the truthiness, so `a && b` may become the bool
    # `T(a) and T(b)`; otherwise it must be the JavaScript value (the operand that decided).

    def or_(self, test: bool) -> _Expr:
        left = self.and_(test)
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_(test)
            needs = _either(left.needs, right.needs)
            if test:
                left = _Expr(f"({self.as_bool(left)} or {self.as_bool(right)})", BOOL, needs=needs)
            else:
                t = self.temp()
                left = _Expr(f"({t} if T({t} := {left.code}) else {right.code})", needs=needs)
        return left

    def and_(self, test: bool) -> _Expr:
        left = self.equality()
        left = self.retest(left, test)
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.retest(self.equality(), test)
            needs = left.needs + right.needs
            if test:
                left = _Expr(f"({self.as_bool(left)} and {self.as_bool(right)})", BOOL, needs=needs)
            else:
                t = self.temp()
                left = _Expr(f"({right.code} if T({t} := {left.code}) else {t})", needs=needs)
        return left

    def retest(self, expr: _Expr, test: bool) -> _Expr:
        """A parenthesised group that is itself tested (`@ && (@.a || @.b)`) is generated again in
        test position, so its `||` gives a bool instead of the deciding operand."""
        group = self._last_group
        if not test or group is None or group[1] != self.i:
            return expr
        start, end = group
        saved = self.i
        self.i = start + 1
        inner = self.or_(test=True)
        if self.i != end - 1:  # pragma: no cover - the same tokens parse the same way
            self.i = saved
            return expr
        self.i = end
        return inner

    def equality(self) -> _Expr:
        self._last_group = None
        left = self.relational()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "===", "!=="):
            op = self.take()[1]
            right = self.relational()
            left = self._equal(left, right, op)
            self._last_group = None
        return left

    def _equal(self, left: _Expr, right: _Expr, op: str) -> _Expr:
        negate = op.startswith("!")
        strict = op in ("===", "!==")
        lit, other = (right, left) if right.literal is not None else (left, right)
        present = (frozenset((other.at_key,)),) if other.at_key is not None else ()  # `@.k` is not undefined
        if lit.literal is not None:
            kind, value = lit.literal
            if strict and kind == "str":  # a string literal is strictly equal only to an equal string
                return _Expr(f"({other.code} {'!=' if negate else '=='} {value!r})", BOOL,
                             needs=() if negate else present)
            if strict and kind == "name":  # undefined, null, true, false: singletons
                needs = present if (negate and value == "U") or (not negate and value != "U") else ()
                return _Expr(f"({other.code} {'is not' if negate else 'is'} {value})", BOOL, needs=needs)
            if not strict and kind == "name" and value in ("None", "U"):  # `== null`: null or undefined
                t = self.temp()
                if negate:
                    return _Expr(f"(({t} := {other.code}) is not None and {t} is not U)", BOOL, needs=present)
                return _Expr(f"(({t} := {other.code}) is None or {t} is U)", BOOL)
            if not strict and kind == "str":  # `== 'array'`: a string compares as itself, no call
                t = self.temp()
                test = f"{t} {'!=' if negate else '=='} {value!r}"
                general = f"{'not ' if negate else ''}LE({t}, {value!r})"
                return _Expr(f"({test} if type({t} := {other.code}) is str else {general})", BOOL,
                             needs=() if negate else present)
            if not strict and not negate:  # loosely equal to a string or boolean: never undefined
                return _Expr(f"LE({left.code}, {right.code})", BOOL, needs=present)
        call = f"{'SE' if strict else 'LE'}({left.code}, {right.code})"
        return _Expr(f"(not {call})" if negate else call, BOOL)

    def relational(self) -> _Expr:
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.unary()
            left = _Expr(f"CMP({left.code}, {right.code}, {op!r})", BOOL)
            self._last_group = None
        if self.peek() == ("name", "in") or (self.peek()[0] == "op" and self.peek()[1] in ("+", "-", "?")):
            raise Unsupported(self.peek())
        return left

    def unary(self) -> _Expr:
        if self.peek() == ("op", "!"):
            self.take()
            inner = self.unary()
            self._last_group = None
            return _Expr(f"(not {self.as_bool(inner)})", BOOL)
        return self.postfix()

    def postfix(self) -> _Expr:
        expr = self.primary()
        is_at = expr.code == "at"
        while True:
            tok = self.peek()
            if tok == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind != "name":
                    raise Unsupported(name)
                key = name
            elif tok == ("op", "["):
                self.take()
                kind, key = self.take()
                if kind != "str" or self.take() != ("op", "]"):
                    raise Unsupported(key)
            elif tok == ("op", "("):
                raise Unsupported("call")
            else:
                return expr
            self._last_group = None
            if key in jsexpr._NON_OBJECT_MEMBERS and key not in ("length", "constructor"):
                raise Unsupported("method")  # followed by a call we do not generate
            if is_at:
                first = key if _anchor_key(key) else None
                expr = _Expr(f"(at.get({key!r}, U) if type(at) is dict else M(at, {key!r}))", at_key=first,
                             needs=(frozenset((first,)),) if first else ())
            else:
                # a truthy `@.a.b` still needs `@.a` (a member of undefined is a TypeError: false)
                expr = _Expr(f"M({expr.code}, {key!r})", at_key=expr.at_key, needs=expr.needs)
            is_at = False

    def primary(self) -> _Expr:
        start = self.i
        kind, value = self.take()
        if kind == "str":
            return _Expr(repr(value), literal=("str", value))
        if kind == "num":
            return _Expr(repr(value))
        if kind == "op" and value == "(":
            inner = self.or_(test=False)
            if self.take() != ("op", ")"):
                raise Unsupported(")")
            self._last_group = (start, self.i)
            return _Expr(f"({inner.code})", inner.kind, needs=inner.needs)
        if kind == "name":
            if value == "@":
                return _Expr("at")
            if value == "@property":
                return _Expr("prop")
            names = {"true": "True", "false": "False", "null": "None", "undefined": "U"}
            if value in names:
                return _Expr(names[value], literal=("name", names[value]))
        raise Unsupported(value)


_NAMESPACE = {
    "T": jsexpr.truthy, "SE": jsexpr.strict_eq, "LE": jsexpr.loose_eq, "CMP": jsexpr._compare,
    "M": jsexpr._member, "U": jsexpr.UNDEFINED, "_Fail": jsexpr._Fail, "re": re,
}


def generate(tokens: list) -> Callable[[Any, Any], bool]:
    """A Python function `(@, @property[, parent node]) -> bool` for the filter, or Unsupported. A JavaScript
    TypeError (a member of null or undefined) makes the filter false, as in JSONPath-plus.
    The function's `anchors` are the keys `@` must hold for it to be true (maybe none)."""
    gen = _Gen(tokens)
    expr = gen.parse()
    source = (
        "def _filter(at, prop, parent=None):\n"
        "    try:\n"
        f"        return {gen.as_bool(expr)}\n"
        "    except (_Fail, TypeError, ValueError, RecursionError, re.error):\n"
        "        return False\n"
    )
    namespace = dict(_NAMESPACE)
    exec(compile(source, "<apiscan filter>", "exec"), namespace)  # noqa: S102 - source built from our own tokens
    fn = namespace["_filter"]
    fn.anchors = tuple(dict.fromkeys(expr.needs))
    return fn
