"""The function registry and the contract between the engine and a rule function.

A function is `fn(target, options, ctx) -> iterable of Hit | None`:
- `target` is the value selected by `given` (+ `field`), with `$ref`s at its top level followed;
  nested values may still hold `{"$ref": ...}`: call `ctx.resolve(value)` before looking inside,
  or `ctx.resolved(value)` for a deep, cycle-safe resolved copy (costly: only for small values).
- `options` is the rule's `functionOptions` (a dict, possibly empty).
- `ctx` gives the document, the target's path and the rest (see FunctionContext).
A Hit's `path` is relative to the target; the engine turns it into a JSON pointer and a line.
Functions do no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

FUNCTIONS: dict[str, Callable[..., Iterable["Hit"] | None]] = {}


class FunctionOptionsError(ValueError):
    """The rule's functionOptions are invalid for this function: the rule is reported as broken."""


@dataclass(slots=True)
class Hit:
    message: str | None = None  # None: the engine uses the rule's message or a default
    path: tuple = ()  # relative to the target
    evidence: dict = field(default_factory=dict)
    value: Any = None  # the offending value, for {{value}} when it differs from the target


@dataclass(slots=True)
class FunctionContext:
    """What a function may read besides its target.

    document: the loaded API document (apiscan.sources.openapi.ApiDocument) or None for landscape scopes.
    path: the target's path in the document as a tuple of keys/indices (logical path, as `given` walked it).
    given_path: the path of the node `given` selected (before `field`).
    rule: the Rule being evaluated.
    landscape: the inventory (gateway scopes), else None.
    """

    document: Any
    path: tuple
    given_path: tuple
    rule: Any
    landscape: Any = None
    resolver: Any = None

    def resolve(self, value: Any) -> Any:
        """Follow `$ref` at the top of `value` (repeatedly); returns the value itself when not a ref."""
        if self.resolver is None:
            return value
        return self.resolver.deref(value)

    def resolved(self, value: Any, max_depth: int = 64) -> Any:
        """A deep copy of `value` with every resolvable `$ref` inlined; cycles are cut (left as `$ref`)."""
        if self.resolver is None:
            return value
        return self.resolver.deep_resolve(value, max_depth=max_depth)

    @property
    def data(self) -> Any:
        """The root value of the document (unresolved)."""
        return self.document.data if self.document is not None else None

    @property
    def format(self) -> str:
        return self.document.format if self.document is not None else ""


def register(name: str) -> Callable:
    """Register a function under `name` (Spectral's name for core functions)."""

    def deco(fn: Callable) -> Callable:
        FUNCTIONS[name] = fn
        return fn

    return deco
