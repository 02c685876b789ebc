"""Operations of an APIM API from the specification it was imported from.

APIOps does not export operations as separate records: they live in `specification.*`. We
read OpenAPI 2/3 (paths × methods, operationId = the APIM operation name), WADL (nested
resources) and GraphQL (one endpoint). A SOAP/WSDL or unreadable spec leaves operations unknown,
which the builder turns into an explicit "unknown" route rather than a guess.
"""

from __future__ import annotations

import re
from typing import Any

from apiscan.models.gateway import SourceRef
from apiscan.sources.gateways.apigee_xml import local, parse_xml
from apiscan.sources.gateways.azure_service import OpRec

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _op_id(method: str, path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{method}-{path}").strip("-").lower()


def openapi_operations(data: Any, file: str) -> list[OpRec] | None:
    if not isinstance(data, dict) or not isinstance(data.get("paths"), dict):
        return None
    out = []
    for path, item in data["paths"].items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            oid = str(op.get("operationId") or _op_id(method, str(path)))
            esc = str(path).replace("~", "~0").replace("/", "~1")
            out.append(OpRec(oid, method.upper(), str(path), str(op.get("summary") or oid),
                             SourceRef(file, f"/paths/{esc}/{method}")))
    return out


def wadl_operations(text: str, file: str) -> list[OpRec]:
    root = parse_xml(text, file)
    out: list[OpRec] = []

    def walk(elem, prefix: str) -> None:
        for res in elem:
            if local(res.tag) != "resource":
                continue
            path = prefix.rstrip("/") + "/" + (res.get("path") or "").strip("/")
            for m in res:
                if local(m.tag) == "method":
                    name = (m.get("name") or "").upper()
                    oid = m.get("id") or _op_id(name, path)
                    out.append(OpRec(oid, name, path or "/", oid, SourceRef(file, f"//resource[@path='{res.get('path')}']")))
            walk(res, path)

    for resources in root:
        if local(resources.tag) == "resources":
            walk(resources, "")
    return out


def graphql_operations(file: str) -> list[OpRec]:
    src = SourceRef(file)
    return [OpRec("graphql-post", "POST", "/", "GraphQL endpoint", src), OpRec("graphql-get", "GET", "/", "GraphQL endpoint", src)]
