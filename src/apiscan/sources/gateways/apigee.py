"""Apigee Edge / X importer: proxy bundles (folders or zips), shared flows, management JSON.

Detection is by content: an XML file inside an `apiproxy/` or `sharedflowbundle/` folder, a zip
holding such a tree, or JSON shaped like API products, developer apps or developers (see
`apigee_management.recognise`). Everything Apigee in one input is one organisation: products
name proxies and apps name products, so they are joined in a single Gateway.
"""

from __future__ import annotations

from pathlib import Path

from apiscan.models.gateway import Consumer, Gateway, GatewayFinding, Product, SourceRef
from apiscan.sources.document import DocumentError
from apiscan.sources.gateways import apigee_management as mgmt
from apiscan.sources.gateways.apigee_bundle import bundle_root, is_bundle_zip, read_folder, read_zip
from apiscan.sources.gateways.apigee_proxy import ParsedBundle, ProxyBuilder, parse_bundle
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult

_UNEXPECTED = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)
_XML_ROOTS = ("<APIProxy", "<ProxyEndpoint", "<TargetEndpoint", "<SharedFlowBundle", "<SharedFlow")


class ApigeeImporter:
    vendor = "apigee"

    # ------------------------------------------------------------------ detection

    def claim(self, fileset: FileSet) -> list[Bundle]:
        folders: dict[Path, list[Path]] = {}
        zips: list[Path] = []
        mgmt_files: list[Path] = []
        unclaimed = fileset.unclaimed()
        bundle_dirs: set[Path] = set()
        for f in unclaimed:
            root = bundle_root(f)
            if root is not None and f.suffix.lower() == ".xml" and root not in bundle_dirs:
                head = fileset.head(f, 8192)
                if any(tag in head for tag in _XML_ROOTS) or "/policies/" in f.as_posix():
                    bundle_dirs.add(root)
        for f in unclaimed:
            root = bundle_root(f)
            if root is not None and root in bundle_dirs:
                folders.setdefault(root, []).append(f)
            elif f.suffix.lower() == ".zip" and is_bundle_zip(f):
                zips.append(f)
            elif f.suffix.lower() == ".json" and self._is_management(f, fileset):
                mgmt_files.append(f)
        if not (folders or zips or mgmt_files):
            return []
        files = [f for fs in folders.values() for f in fs] + zips + mgmt_files
        fileset.claimed.update(files)
        # OpenAPI documents shipped inside a bundle (resources/oas/, used by OASValidation) are
        # specs too: hand them on to the spec loader.
        specs = [f for fs in folders.values() for f in fs
                 if f.suffix.lower() in (".yaml", ".yml", ".json") and "resources" in f.parts]
        return [Bundle(vendor=self.vendor, root=fileset.root, files=files, also_spec=specs,
                       hint={"folders": {str(k): v for k, v in folders.items()}, "zips": zips, "management": mgmt_files})]

    def _is_management(self, f: Path, fileset: FileSet) -> bool:
        data = fileset.try_data(f)
        if data is not None:
            return mgmt.recognise(data) is not None
        head = fileset.head(f, 16384)
        stripped = head.lstrip()
        # A document that does not parse but carries Apigee product/app keys: claim it so the
        # user gets a clear error instead of silence (templates such as `"proxies": [ PROXY ]`).
        return stripped[:1] in ("{", "[") and any(k in head for k in mgmt.SNIFF)

    # ------------------------------------------------------------------ loading

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        result = ImportResult()
        gateway = Gateway(id="apigee", vendor="apigee", name="Apigee organisation",
                          files=[fileset.relative(f) for f in bundle.files])
        # a product's quota counts only where a Quota step of the proxy reads it
        gateway.attributes["product_limits_on_routes"] = True
        parsed: list[ParsedBundle] = []
        for root_str, files in bundle.hint.get("folders", {}).items():
            root = Path(root_str)
            label = fileset.relative(root)
            bf = read_folder(root, files, label)
            parsed.append(parse_bundle(bf, root.parent.name or root.name))
        for z in bundle.hint.get("zips", []):
            label = fileset.relative(z)
            bfs, errors = read_zip(z, label)
            for message in errors:
                result.errors.append(ImportErrorRecord(file=label, message=message))
            for bf in bfs:
                parsed.append(parse_bundle(bf, z.stem))
        for pb in parsed:
            for file, message, line, column in pb.errors:
                result.errors.append(ImportErrorRecord(file=file, message=message, line=line, column=column))
        shared = {pb.name: pb for pb in parsed if pb.kind == "sharedflowbundle"}
        gateway.attributes["shared_flows"] = sorted(shared)
        attached: dict[str, set[str]] = {pb.label: set() for pb in parsed}
        for pb in parsed:
            if pb.kind != "apiproxy":
                continue
            if not pb.proxies:
                result.errors.append(ImportErrorRecord(
                    file=pb.label, message=f"proxy bundle {pb.name!r} has no readable ProxyEndpoint; no routes imported"))
            builder = ProxyBuilder(pb, shared, gateway.id)
            try:
                gateway.apis.append(builder.build())
            except _UNEXPECTED as exc:  # a shape we did not foresee: report it, keep the rest
                result.errors.append(ImportErrorRecord(file=pb.label, message=f"proxy skipped, unexpected structure ({exc!r})"))
                continue
            gateway.notes += builder.notes
            for file, pointer, message in builder.errors:
                result.errors.append(ImportErrorRecord(file=file, message=message, pointer=pointer))
        for pb in parsed:
            for policy in pb.policies.values():
                if policy.detail.get("secret_in_clear"):
                    gateway.notes.append(GatewayFinding(
                        code="secret-in-export",
                        message=f"policy {policy.name!r} in {pb.name!r} holds a {policy.detail['secret_in_clear']} in clear",
                        source=policy.source or SourceRef(pb.label), subject_key=f"api:{pb.name}",
                        evidence={"policy": policy.name, "field": policy.detail["secret_in_clear"]}))
            used = {s.name for s in pb.steps()}
            attached[pb.label] |= used
            for name, policy in pb.policies.items():
                if name in used:
                    continue
                gateway.unattached_policies.append(policy)
                gateway.notes.append(GatewayFinding(
                    code="policy-unattached",
                    message=f"policy {name!r} ({policy.vendor_type}) in {pb.name!r} is defined but no step runs it",
                    source=policy.source or SourceRef(pb.label), subject_key=f"api:{pb.name}",
                    evidence={"policy": name, "type": policy.vendor_type, "kind": policy.kind},
                ))
        self._load_management(bundle.hint.get("management", []), fileset, gateway, result)
        result.gateways.append(gateway)
        return result

    def _load_management(self, files: list[Path], fileset: FileSet, gateway: Gateway, result: ImportResult) -> None:
        products: dict[str, Product] = {}
        apps: list[Consumer] = []
        developers: list[Consumer] = []
        for f in files:
            rel = fileset.relative(f)
            try:
                data = fileset.load(f).data
            except DocumentError as exc:
                result.errors.append(ImportErrorRecord(
                    file=rel, message=f"Apigee management file is not valid JSON: {exc.message}",
                    line=exc.line, column=exc.column))
                continue
            try:
                self._management_file(f, rel, data, products, apps, developers, gateway, result)
            except _UNEXPECTED as exc:
                result.errors.append(ImportErrorRecord(file=rel, message=f"file skipped, unexpected structure ({exc!r})"))
        self._join(products, apps, developers, gateway)

    def _management_file(self, f: Path, rel: str, data, products: dict[str, Product], apps: list[Consumer],
                         developers: list[Consumer], gateway: Gateway, result: ImportResult) -> None:
        found = mgmt.recognise(data)
        if found is None:
            result.errors.append(ImportErrorRecord(file=rel, message="not a recognised Apigee management document"))
            return
        kind, records = found
        wrapper = next((k for k in ("apiProduct", "apiproduct", "apiProducts", "app", "apps", "developer", "developers")
                        if isinstance(data, dict) and isinstance(data.get(k), list)), None)
        for i, item in enumerate(records):
            ptr = f"/{wrapper}/{i}" if wrapper else (f"/{i}" if isinstance(data, list) else "")
            if kind in ("products", "operation-group"):
                product = mgmt.build_product(item, rel, ptr, fallback_name=f.stem)
                products[product.id] = product
            elif kind == "apps":
                apps.append(mgmt.build_app(item, rel, ptr, gateway.notes))
            elif kind == "apps-by-developer":
                for email, app_list in item.items():
                    for j, app in enumerate(app_list):
                        key = email.replace("~", "~0").replace("/", "~1")
                        apps.append(mgmt.build_app(app, rel, f"/{key}/{j}", gateway.notes))
            elif kind == "developers":
                developers.append(mgmt.build_developer(item, rel, ptr))

    def _join(self, products: dict[str, Product], apps: list[Consumer], developers: list[Consumer],
              gateway: Gateway) -> None:
        api_ids = {a.id for a in gateway.apis}
        for product in products.values():
            for api in gateway.apis:
                if api.id in product.apis and product.id not in api.products:
                    api.products.append(product.id)
        for app in apps:
            for pname in app.products:
                product = products.get(pname)
                for api in product.apis if product else []:
                    if api not in app.apis:
                        app.apis.append(api)
        gateway.products = list(products.values())
        gateway.consumers = developers + apps
        gateway.attributes["proxies_named_by_products_but_absent"] = sorted(
            {a for p in products.values() for a in p.apis} - api_ids) if gateway.apis else []


IMPORTER = ApigeeImporter()
