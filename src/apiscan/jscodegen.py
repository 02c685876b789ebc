"""Filter expressions compiled to one Python function each, for the subset real rulesets use most
(`@`, `@property`, members, literals, `!`, `&&`, `||`, equality and comparisons).

Why: a filter runs once per node of a `$..[?()]` selection, 100,000+ times on a large spec; a tree
of closures costs a Python call per operator, one generated function costs one call in all. The
semantics are those of `jsexpr` (its helpers do the JavaScript parts); anything outside the subset
(method calls, regex literals, arithmetic, `typeof`) raises `Unsupported`, and the caller keeps the
closure version.
"""

from __future__ import annotations

from typing import Any, Callable

from apiscan import jsexpr


class Unsupported(Exception):
    pass


class _Gen:
    def __init__(self, tokens: list):
        self.t = tokens
        self.i = 0
        self.temps = 0

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else ("eof", None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    def parse(self) -> str:
        code = self.or_()
        if self.peek()[0] != "eof":
            raise Unsupported(self.peek())
        return code

    def or_(self) -> str:
        left = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            t = self.temp()
            left = f"({t} if T({t} := {left}) else {right})"
        return left

    def and_(self) -> str:
        left = self.equality()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.equality()
            t = self.temp()
            left = f"({right} if T({t} := {left}) else {t})"
        return left

    def equality(self) -> str:
        left = self.relational()
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "===", "!=="):
            op = self.take()[1]
            right = self.relational()
            fn = "SE" if op in ("===", "!==") else "LE"
            call = f"{fn}({left}, {right})"
            left = f"(not {call})" if op.startswith("!") else call
        return left

    def relational(self) -> str:
        left = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            right = self.unary()
            left = f"CMP({left}, {right}, {op!r})"
        if self.peek() == ("name", "in") or (self.peek()[0] == "op" and self.peek()[1] in ("+", "-", "?")):
            raise Unsupported(self.peek())
        return left

    def unary(self) -> str:
        if self.peek() == ("op", "!"):
            self.take()
            return f"(not T({self.unary()}))"
        return self.postfix()

    def postfix(self) -> str:
        code, is_at = self.primary()
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
                return code
            if key in jsexpr._NON_OBJECT_MEMBERS and key not in ("length", "constructor"):
                raise Unsupported("method")  # followed by a call we do not generate
            if is_at:
                code = f"(at.get({key!r}, U) if type(at) is dict else M(at, {key!r}))"
            else:
                code = f"M({code}, {key!r})"
            is_at = False

    def primary(self) -> tuple[str, bool]:
        kind, value = self.take()
        if kind in ("num", "str"):
            return repr(value), False
        if kind == "op" and value == "(":
            inner = self.or_()
            if self.take() != ("op", ")"):
                raise Unsupported(")")
            return f"({inner})", False
        if kind == "name":
            if value == "@":
                return "at", True
            if value == "@property":
                return "prop", False
            if value in ("true", "false"):
                return ("True" if value == "true" else "False"), False
            if value == "null":
                return "None", False
            if value == "undefined":
                return "U", False
        raise Unsupported(value)


_NAMESPACE = {
    "T": jsexpr.truthy, "SE": jsexpr.strict_eq, "LE": jsexpr.loose_eq, "CMP": jsexpr._compare,
    "M": jsexpr._member, "U": jsexpr.UNDEFINED,
}


def generate(tokens: list) -> Callable[[dict], Any]:
    """A Python function `env -> value` for the expression, or Unsupported."""
    body = _Gen(tokens).parse()
    source = (
        "def _filter(env):\n"
        "    at = env.get('@', U)\n"
        "    prop = env.get('@property', U)\n"
        f"    return {body}\n"
    )
    namespace = dict(_NAMESPACE)
    exec(compile(source, "<apiscan filter>", "exec"), namespace)  # noqa: S102 - source built from our own tokens
    return namespace["_filter"]
