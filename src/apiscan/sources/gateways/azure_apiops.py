"""Reading an APIOps extractor tree into a Service record.

The tree is recognised by its `*Information.json` files in their fixed places (`apis/<a>/
apiInformation.json`, `products/<p>/productInformation.json`, ...). Folder names carry spaces
(`named values`, `policy fragments`, `version sets`) and revisions (`apis/<a>;rev=2`), so paths
are handled as parts, never as shell strings. Only files in known places are claimed; the
specification files are also handed to the spec loader.
"""

from __future__ import annotations

from pathlib import Path

from apiscan.models.gateway import SourceRef
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.apigee_xml import XmlError, decode_xml_bytes
from apiscan.sources.gateways.azure_policies import PolicyDoc
from apiscan.sources.gateways.azure_service import ApiRec, Record, Service
from apiscan.sources.gateways.azure_spec import graphql_operations, openapi_operations, wadl_operations
from apiscan.sources.gateways.base import FileSet, ImportErrorRecord

# information file → the folder it sits in (two levels under the root)
INFO_FILES = {
    "apiInformation.json": "apis",
    "productInformation.json": "products",
    "subscriptionInformation.json": "subscriptions",
    "namedValueInformation.json": "named values",
    "backendInformation.json": "backends",
    "versionSetInformation.json": "version sets",
    "policyFragmentInformation.json": "policy fragments",
    "loggerInformation.json": "loggers",
    "tagInformation.json": "tags",
    "gatewayInformation.json": "gateways",
    "groupInformation.json": "groups",
}
KNOWN_FOLDERS = set(INFO_FILES.values()) | {"diagnostics", "workspaces", "users", "policy.xml"}
MAX_POLICY_BYTES = 2 * 1024 * 1024
_UNEXPECTED = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)


def tree_root(path: Path) -> Path | None:
    folder = INFO_FILES.get(path.name)
    if folder is None or len(path.parents) < 3:
        return None
    if path.parents[1].name != folder:
        return None
    return path.parents[2]


def tree_files(root: Path, files: list[Path]) -> list[Path]:
    out = []
    for f in files:
        try:
            rel = f.relative_to(root)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] in KNOWN_FOLDERS:
            out.append(f)
    return out


def _props(data) -> dict:
    if isinstance(data, dict) and isinstance(data.get("properties"), dict):
        return data["properties"]
    return data if isinstance(data, dict) else {}


def _read_policy(path: Path, rel: str, service: Service) -> PolicyDoc | None:
    try:
        size = path.stat().st_size
        if size > MAX_POLICY_BYTES:
            service.errors.append(ImportErrorRecord(file=rel, message=f"policy file is {size} bytes, over the limit"))
            return None
        return PolicyDoc(rel, "", decode_xml_bytes(path.read_bytes(), rel))
    except (OSError, XmlError) as exc:
        service.errors.append(ImportErrorRecord(file=rel, message=f"cannot read policy file: {exc}"))
        return None


def read_tree(root: Path, files: list[Path], fileset: FileSet) -> Service:
    name = root.name or "apim"
    service = Service(gateway_id=f"azure-apim:{name}", name=name, files=[fileset.relative(f) for f in files])
    tag_names: dict[str, str] = {}
    tag_links: list[tuple[str, str]] = []
    specs: dict[str, Path] = {}
    for f in sorted(files):
        rel_parts = f.relative_to(root).parts
        rel = fileset.relative(f)
        top = rel_parts[0]
        if rel_parts == ("policy.xml",):
            service.global_policy = _read_policy(f, rel, service)
            continue
        if f.suffix.lower() == ".xml" and f.name == "policy.xml":
            doc = _read_policy(f, rel, service)
            if doc is None:
                continue
            if top == "apis" and len(rel_parts) == 3:
                service.api(rel_parts[1], SourceRef(rel)).policy = doc
            elif top == "apis" and len(rel_parts) == 5 and rel_parts[2] == "operations":
                service.api(rel_parts[1], SourceRef(rel)).op_policies[rel_parts[3]] = doc
            elif top == "products" and len(rel_parts) == 3:
                service.product_policies[rel_parts[1]] = doc
            elif top == "policy fragments" and len(rel_parts) == 3:
                service.fragments[rel_parts[1]] = doc
            continue
        if top == "apis" and len(rel_parts) == 3 and f.name.startswith("specification."):
            specs[rel_parts[1]] = f
            continue
        if f.suffix.lower() != ".json":
            continue
        try:
            data = fileset.load(f).data
        except DocumentError as exc:
            service.errors.append(ImportErrorRecord(file=rel, message=exc.message, line=exc.line, column=exc.column))
            continue
        try:
            _place(service, rel_parts, f.name, _props(data), SourceRef(rel), tag_names, tag_links)
        except _UNEXPECTED as exc:
            service.errors.append(ImportErrorRecord(file=rel, message=f"file skipped, unexpected structure ({exc!r})"))
    _finish(service, specs, tag_names, tag_links, fileset)
    return service


def _place(service: Service, rel_parts: tuple, fname: str, props: dict, src: SourceRef,
           tag_names: dict[str, str], tag_links: list[tuple[str, str]]) -> None:
    """Put one information file where its position in the tree says it belongs."""
    top = rel_parts[0]
    n = len(rel_parts)
    if top == "apis" and n == 3 and fname == "apiInformation.json":
        rec = service.api(rel_parts[1], src)
        rec.props, rec.source, rec.placeholder = props, src, False
    elif top == "apis" and n == 5 and rel_parts[2] == "diagnostics":
        service.api(rel_parts[1], src).diagnostics.append((props, src))
    elif top == "products" and n == 3 and fname == "productInformation.json":
        service.products[rel_parts[1]] = Record(props, src)
    elif top == "products" and n == 5 and rel_parts[2] == "apis":
        service.product_apis.setdefault(rel_parts[1], []).append(rel_parts[3])
    elif top == "subscriptions" and n == 3:
        service.subscriptions[rel_parts[1]] = Record(props, src)
    elif top == "named values" and n == 3:
        service.named_values[rel_parts[1]] = Record(props, src)
    elif top == "backends" and n == 3:
        service.backends[rel_parts[1]] = Record(props, src)
    elif top == "version sets" and n == 3:
        service.version_sets[rel_parts[1]] = props
    elif top == "diagnostics" and n == 3:
        service.diagnostics.append((props, src))
    elif top == "tags" and n == 3 and fname == "tagInformation.json":
        tag_names[rel_parts[1]] = str(props.get("displayName") or rel_parts[1])
    elif top == "tags" and n == 5 and rel_parts[2] == "apis":
        tag_links.append((rel_parts[1], rel_parts[3]))


def _finish(service: Service, specs: dict[str, Path], tag_names: dict[str, str],
            tag_links: list[tuple[str, str]], fileset: FileSet) -> None:
    for tag, api_id in tag_links:
        if api_id in service.apis:
            service.apis[api_id].tags.append(tag_names.get(tag, tag))
    for api_id, spec in specs.items():
        rec = service.api(api_id, SourceRef(fileset.relative(spec)))
        _read_spec(rec, spec, fileset, service)
    for rec in service.apis.values():
        if rec.operations is None and not rec.ops_note:
            kind = str(rec.props.get("type") or "http")
            rec.ops_note = f"no specification exported for this {kind} API: its operations are unknown"


def _read_spec(rec: ApiRec, spec: Path, fileset: FileSet, service: Service) -> None:
    rel = fileset.relative(spec)
    suffix = spec.suffix.lower()
    rec.spec_file = rel
    rec.spec_path = spec
    if suffix in (".yaml", ".yml", ".json"):
        try:
            data = fileset.load(spec).data
        except DocumentError as exc:
            service.errors.append(ImportErrorRecord(file=rel, message=f"specification unreadable: {exc.message}",
                                                    line=exc.line, column=exc.column))
            rec.ops_note = "specification unreadable: operations unknown"
            return
        ops = openapi_operations(data, rel)
        if ops is None:
            rec.ops_note = "specification has no paths: operations unknown"
            return
        rec.operations = ops
        service.also_spec.append(spec)
    elif suffix == ".wadl":
        try:
            rec.operations = wadl_operations(decode_xml_bytes(spec.read_bytes(), rel), rel)
        except (OSError, XmlError) as exc:
            service.errors.append(ImportErrorRecord(file=rel, message=f"WADL unreadable: {exc}"))
            rec.ops_note = "WADL unreadable: operations unknown"
    elif suffix == ".graphql":
        rec.operations = graphql_operations(rel)
    else:
        rec.ops_note = f"{suffix.lstrip('.').upper()} specification: operations not read"
