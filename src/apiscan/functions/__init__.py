"""Rule functions: Spectral's core functions plus our own, all in one registry.

Importing this package registers every built-in function module listed in `BUILTIN_MODULES`.
"""

from apiscan.functions.registry import FUNCTIONS, FunctionContext, FunctionOptionsError, Hit, register  # noqa: F401

BUILTIN_MODULES = (
    "apiscan.functions.core",
    "apiscan.functions.governance",
    "apiscan.functions.oas",
    "apiscan.functions.security",
    "apiscan.functions.versioning",
    "apiscan.functions.design",
    "apiscan.functions.spectral_oas",
    "apiscan.functions.owasp",
    "apiscan.functions.gateway",
)


LOAD_ERRORS: dict[str, str] = {}
_loaded = False
_imported: set[str] = set()


def _manifest() -> dict[str, str]:
    """function name → module, read from the sources' `@register("name")` lines without importing
    them: `apiscan lint` then imports only the modules its selected rules use (the gateway and
    Spectral modules cost 50 ms of start-up that a pre-commit run does not need)."""
    import importlib.util
    import re

    pattern = re.compile(r"""@register\(\s*["']([^"']+)["']""")
    out: dict[str, str] = {}
    for name in BUILTIN_MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            continue
        try:
            with open(spec.origin, encoding="utf-8") as fh:
                text = fh.read()
        except OSError:
            continue
        for fn in pattern.findall(text):
            out.setdefault(fn, name)
    return out


def ensure_functions(names) -> dict:
    """Make sure the functions `names` are registered, importing as few modules as possible."""
    missing = [n for n in names if n not in FUNCTIONS]
    if not missing or _loaded:
        return FUNCTIONS
    import importlib

    manifest = _manifest()
    for fn in missing:
        module = manifest.get(fn)
        if module is None or module in _imported:
            continue
        _imported.add(module)
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - reported, never fatal
            LOAD_ERRORS[module] = f"{type(exc).__name__}: {exc}"
    if any(n not in FUNCTIONS for n in names):
        load_builtin_functions()  # registered some other way: import everything
    return FUNCTIONS


def load_builtin_functions() -> dict:
    """Import the built-in function modules once. A module that fails to import is recorded in
    LOAD_ERRORS (rules using its functions then fail as 'unknown function') instead of
    taking every other rule down with it."""
    global _loaded
    if _loaded:
        return FUNCTIONS
    import importlib

    for name in BUILTIN_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
        except Exception as exc:  # noqa: BLE001 - reported, never fatal
            LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
    _loaded = True
    return FUNCTIONS
