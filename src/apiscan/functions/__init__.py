"""Rule functions: Spectral's core functions plus our own, all in one registry.

Importing this package registers every built-in function module listed in `BUILTIN_MODULES`.
"""

from apiscan.functions.registry import FUNCTIONS, FunctionContext, FunctionOptionsError, Hit, register  # noqa: F401

BUILTIN_MODULES = (
    "apiscan.functions.core",
    "apiscan.functions.oas",
    "apiscan.functions.security",
    "apiscan.functions.versioning",
    "apiscan.functions.design",
    "apiscan.functions.spectral_oas",
    "apiscan.functions.owasp",
    "apiscan.functions.gateway",
)


def load_builtin_functions() -> dict:
    """Import the built-in function modules once (missing optional modules are skipped)."""
    import importlib

    for name in BUILTIN_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return FUNCTIONS
