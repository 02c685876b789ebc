"""The function registry and the contract between the engine and a rule function.

A function is `fn(target, options, ctx) -> iterable of Hit | None`:
- `target` is the value selected by `given` (+ `field`), with `$ref`s at its top level followed;
  nested values may still hold `{"$ref": ...}`: call `ctx.resolve(value)` before looking inside,
  or `ctx.resolved(value)` for a deep, cycle-safe resolved view (read-only: shared with the document).
  When `then.field` names a key that does not exist, `target` is the sentinel `MISSING`.
- `options` is the rule's `functionOptions` (a dict, possibly empty).
- `ctx` gives the document, the target's path and the rest (see FunctionContext).
A Hit's `path` is relative to the target; the engine turns it into a JSON pointer and a line.
Functions do no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

class _Missing:
    """The value of a `then.field` that does not exist (JavaScript's `undefined`; JSON null is None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()

FUNCTIONS: dict[str, Callable[..., Iterable["Hit"] | None]] = {}


class FunctionOptionsError(ValueError):
    """The rule's functionOptions are invalid for this function: the rule is reported as broken."""


@dataclass(slots=True)
class Hit:
    message: str | None = None  # None: the engine uses the rule's message or a default
    path: tuple = ()  # relative to the target
    evidence: dict = field(default_factory=dict)
    value: Any = None  # the offending value, for {{value}} when it differs from the target
    location: Any = None  # landscape scopes: a models.Location to point at instead of the target's own


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
    field: str | None = None  # the rule's then.field, when it has one
    node: Any = None  # the engine's node tuple for the target (jsonpath.VALUE/FILE/PATH/KEY/PARENT)
    walker: Any = None  # the jsonpath.Walker over the document, to select more nodes
    file: str = ""  # the file key where the target is written

    def resolve(self, value: Any) -> Any:
        """Follow `$ref` at the top of `value` (repeatedly); returns the value itself when not a ref."""
        if self.resolver is None:
            return value
        return self.resolver.deref(value)

    def resolved(self, value: Any, max_depth: int = 64) -> Any:
        """`value` with every resolvable `$ref` inlined, cycles cut (left as `$ref`); read-only."""
        if self.resolver is None:
            return value
        return self.resolver.deep_resolve(value, max_depth=max_depth)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """Compute once per document and share between rules (e.g. the list of every schema):
        several rules walking the whole document each is what makes a linter slow."""
        store = getattr(self.document, "memo", None)
        if store is None:
            return compute()
        if key not in store:
            store[key] = compute()
        return store[key]

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
