"""ARM templates and REST list responses of APIM → the Service record.

Both describe resources by type (`Microsoft.ApiManagement/service/apis/operations`) and a name
path (ARM: `svc/api/op`, often built with `[concat(parameters('x'), '/api')]`; REST: the `id`
URL). We evaluate just enough of ARM's expression language — string literals, `concat`,
`parameters()` with defaults, `resourceId()` — to recover names and inline policy XML; anything
else becomes a visible `{placeholder}` instead of a wrong value.
"""

from __future__ import annotations

import re
from typing import Any

from apiscan.models.gateway import SourceRef
from apiscan.sources.gateways.azure_policies import PolicyDoc
from apiscan.sources.gateways.azure_service import OpRec, Record, Service

PREFIX = "microsoft.apimanagement/service"
MAX_EXPR = 1_000_000


def is_arm(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        return False
    schema = str(data.get("$schema", ""))
    return ("deploymentTemplate" in schema or "contentVersion" in data) and any(
        isinstance(r, dict) and str(r.get("type", "")).lower().startswith(PREFIX) for r in data["resources"])


def is_rest_list(data: Any) -> bool:
    if not isinstance(data, dict) or not isinstance(data.get("value"), list) or not data["value"]:
        return False
    return all(isinstance(v, dict) and str(v.get("type", "")).lower().startswith(PREFIX) for v in data["value"])


# --------------------------------------------------------------------------- ARM expressions


def _split_args(text: str) -> list[str]:
    args, depth, quote, cur = [], 0, False, []
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            cur.append(c)
            if c == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    cur.append("'")
                    i += 1
                else:
                    quote = False
        elif c == "'":
            quote = True
            cur.append(c)
        elif c in "([":
            depth += 1
            cur.append(c)
        elif c in ")]":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            args.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur or args:
        args.append("".join(cur).strip())
    return args


_CALL = re.compile(r"^([A-Za-z]+)\((.*)\)$", re.DOTALL)


def evaluate(expr: str, params: dict[str, Any], depth: int = 0) -> str:
    """Evaluate an ARM expression body (without the surrounding brackets) to a string."""
    expr = expr.strip()
    if depth > 20 or len(expr) > MAX_EXPR:
        return "{expression}"
    if expr.startswith("'") and expr.endswith("'") and len(expr) >= 2:
        return expr[1:-1].replace("''", "'")
    m = _CALL.match(expr)
    if not m:
        return "{" + expr[:40] + "}"
    fn, inner = m.group(1).lower(), m.group(2)
    args = _split_args(inner)
    if fn == "concat":
        return "".join(evaluate(a, params, depth + 1) for a in args)
    if fn in ("parameters", "variables") and args:
        name = evaluate(args[0], params, depth + 1)
        value = params.get(name)
        return value if isinstance(value, str) else "{" + name + "}"
    if fn == "resourceid" and args:
        rtype = evaluate(args[0], params, depth + 1)
        names = [evaluate(a, params, depth + 1) for a in args[1:]]
        kinds = rtype.split("/")[1:]
        pairs = list(zip(kinds, names))
        if pairs and pairs[0][0].lower() == "service":
            pairs = pairs[1:]
        return "".join(f"/{k}/{n}" for k, n in pairs)
    return "{" + fn + "()}"


def arm_string(value: Any, params: dict[str, Any]) -> Any:
    if not isinstance(value, str):
        return value
    if value.startswith("[[") :
        return value[1:]
    if value.startswith("[") and value.endswith("]"):
        return evaluate(value[1:-1], params)
    return value


def _params(data: dict) -> dict[str, Any]:
    out = {}
    params = data.get("parameters") if isinstance(data.get("parameters"), dict) else {}
    variables = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    for name, spec in params.items():
        if isinstance(spec, dict) and "defaultValue" in spec:
            out[name] = spec["defaultValue"]
    for name, value in variables.items():
        if isinstance(value, str) and not value.startswith("["):
            out.setdefault(name, value)
    return out


# --------------------------------------------------------------------------- resources


def _add(service: Service, kinds: list[str], names: list[str], props: dict, src: SourceRef, params) -> None:
    key = "/".join(k.lower() for k in kinds)
    props = props if isinstance(props, dict) else {}
    if key == "apis" and names:
        rec = service.api(names[0], src)
        rec.props, rec.source, rec.placeholder = props, src, False
        vs_id = arm_string(props.get("apiVersionSetId"), params)
        if isinstance(vs_id, str):
            rec.props = dict(props, apiVersionSetId=vs_id)
        if isinstance(props.get("apiVersionSet"), dict):
            vs = props["apiVersionSet"]
            service.version_sets.setdefault(str(vs.get("id", "")).rstrip("/").rsplit("/", 1)[-1], vs)
    elif key == "apis/operations" and len(names) >= 2:
        rec = service.api(names[0], src)
        if rec.placeholder:
            rec.ops_note = "the API record is not in the export"
        if rec.operations is None:
            rec.operations = []
        rec.operations.append(OpRec(names[1], str(props.get("method", "")), str(props.get("urlTemplate", "")),
                                    str(props.get("displayName") or names[1]), src))
    elif key in ("apis/policies", "apis/operations/policies", "policies", "products/policies"):
        content = props.get("policyContent", props.get("value"))
        fmt = str(props.get("contentFormat", props.get("format", "xml"))).lower()
        if isinstance(content, str):
            content = arm_string(content, params)
        field_name = "policyContent" if "policyContent" in props else "value"
        doc = PolicyDoc(src.file, f"{src.pointer}/properties/{field_name}", content if isinstance(content, str) and "link" not in fmt else None,
                        link=str(content) if "link" in fmt else "")
        if key == "policies":
            service.global_policy = doc
        elif key == "products/policies" and names:
            service.product_policies[names[0]] = doc
        elif key == "apis/policies" and names:
            service.api(names[0], src).policy = doc
        elif len(names) >= 2:
            service.api(names[0], src).op_policies[names[1]] = doc
    elif key == "products" and names:
        service.products[names[0]] = Record(props, src)
    elif key == "products/apis" and len(names) >= 2:
        service.product_apis.setdefault(names[0], []).append(names[1])
    elif key == "subscriptions" and names:
        scope = arm_string(props.get("scope"), params)
        service.subscriptions[names[0]] = Record(dict(props, scope=scope), src)
    elif key in ("namedvalues", "properties") and names:
        service.named_values[names[0]] = Record(props, src)
    elif key == "backends" and names:
        service.backends[names[0]] = Record(props, src)
    elif key in ("api-version-sets", "apiversionsets") and names:
        service.version_sets[names[0]] = props
    elif key == "policyfragments" and names:
        value = props.get("value")
        service.fragments[names[0]] = PolicyDoc(src.file, src.pointer + "/properties/value",
                                                value if isinstance(value, str) else None)
    elif key == "diagnostics":
        service.diagnostics.append((props, src))
    elif key == "apis/diagnostics" and names:
        service.api(names[0], src).diagnostics.append((props, src))


def read_arm(data: dict, rel: str, service: Service) -> None:
    params = _params(data)
    for i, res in enumerate(data.get("resources") if isinstance(data.get("resources"), list) else []):
        if not isinstance(res, dict):
            continue
        rtype = str(res.get("type", ""))
        if not rtype.lower().startswith(PREFIX):
            continue
        kinds = rtype.split("/")[2:]
        name = str(arm_string(res.get("name", ""), params))
        names = [n for n in name.split("/") if n][1:]  # first segment is the service
        props = res.get("properties") if isinstance(res.get("properties"), dict) else {}
        props = {k: arm_string(v, params) for k, v in props.items()}
        _add(service, kinds, names, props, SourceRef(rel, f"/resources/{i}"), params)


def read_rest(data: dict, rel: str, service: Service) -> None:
    for i, item in enumerate(data.get("value") if isinstance(data.get("value"), list) else []):
        if not isinstance(item, dict):
            continue
        rtype = str(item.get("type", ""))
        kinds = rtype.split("/")[2:]
        rid = str(item.get("id", ""))
        parts = [p for p in rid.split("/") if p]
        low = [p.lower() for p in parts]
        names: list[str] = []
        if "service" in low:
            tail = parts[low.index("service") + 2:]
            names = tail[1::2]
        if not names and item.get("name"):
            names = [str(item["name"])]
        props = item.get("properties") if isinstance(item.get("properties"), dict) else {}
        _add(service, kinds, names, props, SourceRef(rel, f"/value/{i}"), {})
