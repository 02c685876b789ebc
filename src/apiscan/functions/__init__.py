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
