"""Apigee condition expressions: parse them, split flows into routes, and evaluate steps.

Flows and steps are selected by conditions such as
`(proxy.pathsuffix MatchesPath "/orders/*") and (request.verb = "GET")`. To know which routes a
proxy exposes we turn a flow condition into disjunctive normal form and read, per disjunct, the
path pattern and the verbs; everything else (headers, query parameters) is kept as text. Step
conditions are evaluated with three-valued logic against what a route fixes (its verb, an exact
path): true means the step always runs there, false never, unknown means partial protection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_CONDITION_CHARS = 4000
MAX_DISJUNCTS = 32
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")

# Operator spellings → canonical name. Apigee accepts words in any case and symbols.
_OPERATORS = {
    "matchespath": "matchespath", "~/": "matchespath", "lj": "matchespath",
    "matches": "matches", "like": "matches", "~": "matches",
    "javaregex": "regex", "~~": "regex",
    "=": "eq", "==": "eq", "equals": "eq", "is": "eq",
    "!=": "ne", "notequals": "ne", "isnot": "ne",
    ":=": "eqi", "equalscaseinsensitive": "eqi",
    "=|": "startswith", "startswith": "startswith",
    ">": "gt", "greaterthan": "gt", ">=": "ge", "greaterthanorequals": "ge",
    "<": "lt", "lesserthan": "lt", "<=": "le", "lesserthanorequals": "le",
}
_SHOWN = {"matchespath": "MatchesPath", "matches": "Matches", "regex": "JavaRegex", "eq": "=", "ne": "!=",
          "eqi": ":=", "startswith": "=|", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_AND = {"and", "&&"}
_OR = {"or", "||"}
_NOT = {"not", "!"}
PATH_OPERATORS = ("matchespath", "matches", "regex", "eq", "startswith")


class ConditionError(ValueError):
    """A condition that cannot be parsed; the message says where."""


@dataclass(frozen=True)
class Atom:
    """`variable operator value`, or a bare operand (a variable tested for truthiness)."""

    left: str
    op: str = ""
    right: str = ""
    left_quoted: bool = False
    right_quoted: bool = True

    def text(self) -> str:
        if not self.op:
            return self.left
        right = f'"{self.right}"' if self.right_quoted else self.right
        return f"{self.left} {_SHOWN.get(self.op, self.op)} {right}"


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class And:
    operands: tuple


@dataclass(frozen=True)
class Or:
    operands: tuple


_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\')'
    r"|(?P<sym>~~|~/|=\||==|!=|:=|>=|<=|&&|\|\||[()=<>~!])"
    r"|(?P<word>[^\s()\"'=<>~!&|]+))"
)


def _tokens(text: str) -> list[tuple[str, str, int]]:
    out = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ConditionError(f"unexpected character {text[pos]!r} at offset {pos}")
        if m.group("str") is not None:
            raw = m.group("str")[1:-1]
            out.append(("str", re.sub(r"\\(.)", r"\1", raw), m.start("str")))
        elif m.group("sym") is not None:
            out.append(("sym", m.group("sym"), m.start("sym")))
        else:
            out.append(("word", m.group("word"), m.start("word")))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str, int]:
        tok = self.peek()
        if tok is None:
            raise ConditionError("condition ends too early")
        self.i += 1
        return tok

    def is_word(self, tok, words) -> bool:
        return tok is not None and tok[0] in ("word", "sym") and tok[1].lower() in words

    def parse(self):
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:
            raise ConditionError(f"unexpected {tok[1]!r} at offset {tok[2]}")
        return node

    def or_expr(self):
        parts = [self.and_expr()]
        while self.is_word(self.peek(), _OR):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self):
        parts = [self.not_expr()]
        while self.is_word(self.peek(), _AND):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def not_expr(self):
        tok = self.peek()
        if self.is_word(tok, _NOT):
            self.take()
            return Not(self.not_expr())
        return self.primary()

    def primary(self):
        tok = self.take()
        if tok[0] == "sym" and tok[1] == "(":
            node = self.or_expr()
            close = self.take()
            if close[1] != ")":
                raise ConditionError(f"expected ')' at offset {close[2]}")
            return node
        if tok[0] == "sym" and tok[1] != "!":
            raise ConditionError(f"unexpected {tok[1]!r} at offset {tok[2]}")
        left, left_quoted = tok[1], tok[0] == "str"
        nxt = self.peek()
        if nxt is not None and nxt[1].lower() in _OPERATORS and nxt[0] in ("word", "sym"):
            op = _OPERATORS[self.take()[1].lower()]
            right = self.take()
            if right[0] == "sym":
                raise ConditionError(f"expected a value after the operator at offset {right[2]}")
            return Atom(left, op, right[1], left_quoted, right[0] == "str")
        return Atom(left, "", "", left_quoted)


def parse_condition(text: str):
    """Parse a condition into And/Or/Not/Atom nodes. Raises ConditionError."""
    if len(text) > MAX_CONDITION_CHARS:
        raise ConditionError(f"condition longer than {MAX_CONDITION_CHARS} characters")
    if not text.strip():
        raise ConditionError("empty condition")
    return _Parser(text).parse()


# --------------------------------------------------------------------------- pattern helpers


def matchespath_regex(pattern: str) -> str:
    """MatchesPath as a Python regex: `*` one segment (or part of one), `**` any depth."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("/**", i) and (i + 3 == len(pattern) or pattern[i + 3] == "/"):
            out.append("(?:/[^/]*)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out) + "$"


def wildcard_regex(pattern: str) -> str:
    """Matches/Like: `*` is any run of characters, everything else literal."""
    return ".*".join(re.escape(p) for p in pattern.split("*")) + "$"


def _compare(op: str, actual: str, expected: str) -> bool | None:
    try:
        if op == "matchespath":
            return re.match(matchespath_regex(expected), actual) is not None
        if op == "matches":
            return re.match(wildcard_regex(expected), actual) is not None
        if op == "regex":
            return re.fullmatch(expected, actual) is not None
    except re.error:
        return None
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "eqi":
        return actual.lower() == expected.lower()
    if op == "startswith":
        return actual.startswith(expected)
    return None


def evaluate(node, env: dict[str, str]) -> bool | None:
    """Three-valued evaluation: True / False / None when it depends on what `env` does not fix."""
    if isinstance(node, Atom):
        if node.left_quoted:
            return None
        var = node.left.lower()
        if var not in env:
            return None
        if not node.op:
            return bool(env[var])
        return _compare(node.op, env[var], node.right)
    if isinstance(node, Not):
        v = evaluate(node.operand, env)
        return None if v is None else not v
    if isinstance(node, And):
        vals = [evaluate(n, env) for n in node.operands]
        if any(v is False for v in vals):
            return False
        return True if all(v is True for v in vals) else None
    if isinstance(node, Or):
        vals = [evaluate(n, env) for n in node.operands]
        if any(v is True for v in vals):
            return True
        return False if all(v is False for v in vals) else None
    return None


# --------------------------------------------------------------------------- flows → routes


def _dnf(node, negate: bool = False) -> list[list[tuple[Atom, bool]]]:
    """Disjunctive normal form as lists of (atom, positive). Raises ConditionError when too big."""
    if isinstance(node, Atom):
        return [[(node, not negate)]]
    if isinstance(node, Not):
        return _dnf(node.operand, not negate)
    is_and = isinstance(node, And) != negate  # De Morgan
    parts = [_dnf(n, negate) for n in node.operands]
    if not is_and:
        out = [conj for p in parts for conj in p]
    else:
        out = [[]]
        for p in parts:
            out = [a + b for a in out for b in p]
            if len(out) > MAX_DISJUNCTS:
                break
    if len(out) > MAX_DISJUNCTS:
        raise ConditionError(f"condition expands to more than {MAX_DISJUNCTS} alternatives")
    return out


@dataclass
class FlowMatch:
    """What one alternative of a flow condition selects."""

    path_var: str = ""  # proxy.pathsuffix | request.path | "" (any path)
    path_op: str = ""  # one of PATH_OPERATORS
    path_value: str = ""
    methods: list[str] = field(default_factory=list)  # empty = any
    never: bool = False  # contradictory verbs: the alternative can never match
    other: list[str] = field(default_factory=list)  # conditions we keep as text


_PATH_VARS = ("proxy.pathsuffix", "request.path", "request.uri")


def flow_matches(condition: str) -> list[FlowMatch]:
    """The alternatives a flow condition selects, merged by path. Raises ConditionError."""
    node = parse_condition(condition)
    result: list[FlowMatch] = []
    for conj in _dnf(node):
        fm = FlowMatch()
        allowed: set[str] | None = None
        for atom, positive in conj:
            var = atom.left.lower()
            if var in _PATH_VARS and atom.op in PATH_OPERATORS and positive and not fm.path_op:
                fm.path_var, fm.path_op, fm.path_value = var, atom.op, atom.right
            elif var == "request.verb" and atom.op in ("eq", "ne", "eqi"):
                verb = atom.right.upper()
                wanted = (atom.op != "ne") == positive
                chosen = {verb} if wanted else set(HTTP_METHODS) - {verb}
                allowed = chosen if allowed is None else allowed & chosen
            else:
                fm.other.append(atom.text() if positive else f"not ({atom.text()})")
        if allowed is not None:
            if not allowed:
                fm.never = True
            fm.methods = [m for m in HTTP_METHODS if m in allowed] + sorted(allowed - set(HTTP_METHODS))
        if fm.never:
            continue
        for prev in result:
            if (prev.path_var, prev.path_op, prev.path_value, prev.other) == (
                fm.path_var, fm.path_op, fm.path_value, fm.other
            ):
                if not prev.methods or not fm.methods:
                    prev.methods = []
                else:
                    prev.methods = sorted(set(prev.methods) | set(fm.methods))
                break
        else:
            result.append(fm)
    return result


def step_applies(condition: str, methods: list[str], exact_suffix: str | None) -> bool | None:
    """Whether a step with this condition runs on a route with these methods (and exact path).

    True: always; False: never; None: only sometimes (partial protection). A condition we cannot
    parse counts as None, the cautious answer.
    """
    try:
        node = parse_condition(condition)
    except ConditionError:
        return None
    base_env: dict[str, str] = {}
    if exact_suffix is not None:
        base_env["proxy.pathsuffix"] = exact_suffix
    verbs = methods or [None]
    results = set()
    for verb in verbs:
        env = dict(base_env)
        if verb is not None:
            env["request.verb"] = verb
        results.add(evaluate(node, env))
    if results == {True}:
        return True
    if results == {False}:
        return False
    return None


_LITERAL = re.compile(r'"((?:Bearer |Basic |bearer |basic )?[^"\\\s]{16,})"')


def scrub_literals(text: str) -> str:
    """A condition as it may be shown: long token-like string literals (no spaces, slashes or
    dots, so not paths, media types or names) are redacted, since some conditions compare a
    header with a hard-coded credential."""
    def repl(m: re.Match) -> str:
        value = m.group(1)
        if "/" in value or "." in value or value.startswith("{{"):
            return m.group(0)
        return f'"<redacted {len(value)} chars>"'
    return _LITERAL.sub(repl, text)

