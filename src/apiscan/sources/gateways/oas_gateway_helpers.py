"""Small pieces shared by the importers whose exports embed or carry OpenAPI (IBM API Connect,
webMethods, WSO2, Tyk) and by the MuleSoft importer.

Kept in one place so each importer reads the same way: how an OpenAPI document's security
requirements become effective auth policies, how bundles are grouped into gateways, how a
loader error becomes an import error, and how secrets found in an export are reported without
ever being shown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from apiscan.models.gateway import GatewayFinding, Policy, SourceRef, redact
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.base import FileSet, ImportErrorRecord

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def seq(value: Any) -> list:
    """The value when it is a list, else an empty list: exports put anything anywhere."""
    return value if isinstance(value, list) else []


def obj(value: Any) -> dict:
    """The value when it is a mapping, else an empty one."""
    return value if isinstance(value, dict) else {}


def guarded(result: Any, file: str, what: str, fn: Any, *args: Any) -> Any:
    """Run one record's import; an export shaped in a way we did not foresee becomes an error
    naming the file, and the other records still load. The exception text is not echoed: it may
    quote values from the export, secrets included."""
    try:
        return fn(*args)
    except (ArithmeticError, AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError) as exc:
        result.errors.append(ImportErrorRecord(file, f"{what}: unexpected structure, skipped ({type(exc).__name__})"))
        return None


def error_from(exc: DocumentError, fileset: FileSet, pointer: str | None = None) -> ImportErrorRecord:
    """A loader error as an import error that names the file relative to the input root."""
    return ImportErrorRecord(fileset.relative(Path(exc.file)), exc.message, exc.line, exc.column, pointer)


def group_key(fileset: FileSet, path: Path) -> str:
    """Files of one vendor under the same top-level folder of the input are one gateway.

    Exports are usually unpacked one gateway per folder (a tyk-sync checkout, an apictl export
    folder); files lying directly in the input root form their own group.
    """
    try:
        parts = path.relative_to(fileset.root).parts
    except ValueError:
        return str(path.parent)
    return parts[0] if len(parts) > 1 else ""


def inside(root: Path, candidate: Path) -> bool:
    """True when `candidate` (resolved) stays under `root`: no include or $ref may leave the input."""
    try:
        candidate.resolve().relative_to(root.resolve())
        return True
    except (ValueError, OSError):
        return False


def join_path(*parts: str) -> str:
    """Join URL path pieces with exactly one slash between them; '/' when empty."""
    out = ""
    for part in parts:
        if not part:
            continue
        piece = part.strip("/")
        if piece:
            out += "/" + piece
    trailing = bool(parts) and isinstance(parts[-1], str) and parts[-1].endswith("/") and len(parts[-1]) > 1
    return (out + ("/" if trailing else "")) or "/"


def url_path(url: str) -> str:
    """The path of a URL, tolerant of placeholders and relative URLs."""
    if not isinstance(url, str) or not url:
        return ""
    try:
        return urlsplit(url).path if "://" in url else url.split("?")[0]
    except ValueError:
        return ""


def url_base(url: str) -> str:
    """scheme://host[:port] of a URL, or '' when it has none."""
    if not isinstance(url, str) or "://" not in url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def oas_operations(data: dict) -> Iterator[tuple[str, str, dict, dict]]:
    """(path, METHOD, operation, path item) for every operation of an OpenAPI 2.0/3.x document."""
    paths = data.get("paths") if isinstance(data, dict) else None
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict) or not isinstance(path, str):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield path, method.upper(), op, item


def oas_base_path(data: dict) -> str:
    """Swagger 2 basePath, or the path of the first OpenAPI 3 server URL."""
    if not isinstance(data, dict):
        return ""
    if isinstance(data.get("basePath"), str):
        return data["basePath"]
    servers = data.get("servers")
    if isinstance(servers, list) and servers and isinstance(servers[0], dict):
        return url_path(str(servers[0].get("url") or ""))
    return ""


def oas_security_schemes(data: dict) -> dict:
    if not isinstance(data, dict):
        return {}
    schemes = data.get("securityDefinitions")
    if not isinstance(schemes, dict):
        comps = data.get("components")
        schemes = comps.get("securitySchemes") if isinstance(comps, dict) else None
    return schemes if isinstance(schemes, dict) else {}


def scheme_auth_kind(scheme: dict) -> tuple[str, dict]:
    """Map an OpenAPI security scheme onto our auth kinds; detail says where a key travels."""
    kind = str(scheme.get("type", "")).lower()
    detail: dict[str, Any] = {}
    if kind == "apikey":
        detail = {"in": scheme.get("in", ""), "name": scheme.get("name", "")}
        return "api-key", detail
    if kind == "basic":
        return "basic", detail
    if kind == "http":
        sch = str(scheme.get("scheme", "")).lower()
        if sch == "basic":
            return "basic", detail
        if sch == "bearer" and str(scheme.get("bearerFormat", "")).upper() == "JWT":
            return "jwt", detail
        return ("oauth2" if sch == "bearer" else "custom"), {"scheme": sch}
    if kind == "oauth2":
        return "oauth2", detail
    if kind == "openidconnect":
        return "oidc", detail
    if kind == "mutualtls":
        return "mtls", detail
    return "custom", {"type": kind}


def oas_auth_policies(data: dict, op: dict, scope_default: str = "api", source: SourceRef | None = None,
                      vendor_type: str = "openapi-security") -> list[Policy]:
    """Effective auth of one operation from OpenAPI `security`: the operation's list replaces
    the document's; `[]` means none; an empty alternative `{}` means anonymous callers pass."""
    if isinstance(op, dict) and "security" in op:
        reqs, scope = op.get("security"), "operation"
    else:
        reqs, scope = data.get("security") if isinstance(data, dict) else None, scope_default
    if not isinstance(reqs, list) or not reqs:
        return []
    schemes = oas_security_schemes(data)
    optional = any(isinstance(r, dict) and not r for r in reqs)
    alternatives = sum(1 for r in reqs if isinstance(r, dict) and r) > 1
    out: list[Policy] = []
    seen: set[str] = set()
    for req in reqs:
        if not isinstance(req, dict):
            continue
        for name in req:
            if name in seen:
                continue
            seen.add(name)
            scheme = schemes.get(name)
            if isinstance(scheme, dict):
                auth_kind, detail = scheme_auth_kind(scheme)
            else:
                auth_kind, detail = "custom", {"undefined_scheme": True}
            if alternatives:
                detail = {**detail, "alternative": True}
            out.append(Policy(kind="auth", name=str(name), vendor_type=vendor_type, scope=scope,
                              auth_kind=auth_kind, optional=optional, detail=detail, source=source))
    return out


# --------------------------------------------------------------------------- secrets

_SECRET_KEY = re.compile(
    r"(?i)(?:^|[_\-.])?(password|passwd|pwd|secret|client_?secret|consumer_?secret|private_?key|"
    r"api_?key|apikey|access_?key|secret_?key|token|text_?key|shared_?secret|hmac_?string)$"
)
_PLACEHOLDER = re.compile(r"^\s*(?:\$\{.*\}|\{\{.*\}\}|!\[.*\]|\$\(.*\)|<<.*>>|\*+|x+|changeme|null|none|)\s*$", re.I)


def is_placeholder(value: str) -> bool:
    """Template variables and masks are not secrets: `${X}`, `{{x}}`, `![x]` (Mule secure), `****`."""
    return bool(_PLACEHOLDER.match(value))


def looks_secret_key(key: str) -> bool:
    return bool(_SECRET_KEY.search(key.replace("-", "_")))


def scan_secrets(value: Any, pointer: str = "", depth: int = 0, _seen: set | None = None) -> Iterator[tuple[str, str]]:
    """(pointer, secret) for every non-placeholder string under a secret-looking key.

    YAML aliases let a small file describe a huge tree: each shared node is visited once, and
    the walk stops after `_SCAN_BUDGET` nodes."""
    seen = _seen if _seen is not None else set()
    if depth > 40 or len(seen) > _SCAN_BUDGET or not isinstance(value, (dict, list)):
        return
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{pointer}/{_escape(str(k))}"
            if isinstance(v, str) and looks_secret_key(str(k)) and not is_placeholder(v):
                yield p, v
            elif isinstance(v, (dict, list)):
                yield from scan_secrets(v, p, depth + 1, seen)
    else:
        for i, v in enumerate(value):
            if isinstance(v, (dict, list)):
                yield from scan_secrets(v, f"{pointer}/{i}", depth + 1, seen)


_SCAN_BUDGET = 200_000


def secret_note(file: str, pointer: str, secret: str, subject: str = "", what: str = "a secret") -> GatewayFinding:
    """A `secret-in-export` note: where the secret is and its length, never its content."""
    return GatewayFinding(
        code="secret-in-export",
        message=f"{what} is stored in clear in the export ({redact(secret)})",
        source=SourceRef(file, pointer),
        subject_key=subject,
        evidence={"value": redact(secret), "pointer": pointer},
    )


def scrub(value: Any, depth: int = 0, _budget: list | None = None) -> Any:
    """A small copy safe to keep in Policy.detail: secret-looking values replaced by their
    redaction, long strings cut, at most a few hundred nodes."""
    budget = _budget if _budget is not None else [500]
    budget[0] -= 1
    if depth > 20 or budget[0] < 0:
        return "<truncated>"
    if isinstance(value, dict):
        return {
            k: (redact(v) if isinstance(v, str) and looks_secret_key(str(k)) and not is_placeholder(v)
                else scrub(v, depth + 1, budget))
            for k, v in list(value.items())[:100]
        }
    if isinstance(value, list):
        return [scrub(v, depth + 1, budget) for v in value[:50]]
    if isinstance(value, str) and len(value) > 300:
        return value[:300] + "..."
    return value


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def pointer_of(*parts: Any) -> str:
    return "".join("/" + _escape(str(p)) for p in parts)


def period_seconds(unit: str) -> int | None:
    """Seconds in a named period (`1hour`, `minute`, `day`, `s`, `ms` in thousandths are rounded)."""
    unit = unit.strip().lower()
    m = re.fullmatch(r"(\d*)\s*([a-z]+)", unit)
    if not m:
        return None
    n = int(m.group(1) or 1)
    name = m.group(2).rstrip("s") if m.group(2) not in ("s", "ms") else m.group(2)
    table = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600,
             "d": 86400, "day": 86400, "w": 604800, "week": 604800, "month": 2592000, "mo": 2592000,
             "y": 31536000, "year": 31536000}
    if name in table:
        return n * table[name]
    return None
