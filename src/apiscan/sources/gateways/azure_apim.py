"""Azure API Management importer: APIOps trees, ARM templates, REST responses, policy files.

Detection is by content and place: `*Information.json` files in APIOps positions, JSON whose
resources are `Microsoft.ApiManagement/service/...` (ARM templates or REST `{"value": [...]}`),
and XML whose root is `<policies>` (a policy document found on its own). Each APIOps tree is one
service; all ARM files form one, all REST responses another, loose policy files a last (partial)
one. See `azure_build` for the inheritance and path rules.
"""

from __future__ import annotations

import re
from pathlib import Path

from apiscan.sources.document import DocumentError
from apiscan.sources.gateways.apigee_xml import XmlError, decode_xml_bytes
from apiscan.sources.gateways.azure_apiops import read_tree, tree_files, tree_root
from apiscan.sources.gateways.azure_arm import is_arm, is_rest_list, read_arm, read_rest
from apiscan.sources.gateways.azure_build import Builder
from apiscan.sources.gateways.azure_policies import PolicyDoc
from apiscan.sources.gateways.azure_service import Service
from apiscan.sources.gateways.base import Bundle, FileSet, ImportErrorRecord, ImportResult

_POLICIES_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<policies[\s>]", re.DOTALL)
MAX_POLICY_BYTES = 2 * 1024 * 1024


class AzureApimImporter:
    vendor = "azure-apim"

    def claim(self, fileset: FileSet) -> list[Bundle]:
        unclaimed = fileset.unclaimed()
        roots: dict[Path, None] = {}
        for f in unclaimed:
            root = tree_root(f)
            if root is not None:
                roots.setdefault(root, None)
        bundles: list[Bundle] = []
        taken: set[Path] = set()
        for root in roots:
            files = [f for f in tree_files(root, unclaimed) if f not in taken]
            taken.update(files)
            specs = [f for f in files if f.name.rsplit(".", 1)[0] == "specification"
                     and f.suffix.lower() in (".yaml", ".yml", ".json") and f.parent.parent.name == "apis"]
            bundles.append(Bundle(vendor=self.vendor, root=root, files=files, also_spec=specs, hint={"kind": "apiops"}))
        arm, rest, loose = [], [], []
        for f in unclaimed:
            if f in taken:
                continue
            suffix = f.suffix.lower()
            if suffix == ".json":
                data = fileset.try_data(f)
                if is_arm(data):
                    arm.append(f)
                elif is_rest_list(data):
                    rest.append(f)
            elif suffix == ".xml" and _POLICIES_ROOT.match(fileset.head(f, 65536).lstrip("\ufeff")):
                loose.append(f)
        for kind, files in (("arm", arm), ("rest", rest), ("policies", loose)):
            if files:
                bundles.append(Bundle(vendor=self.vendor, root=fileset.root, files=files, hint={"kind": kind}))
        for b in bundles:
            fileset.claimed.update(b.files)
        return bundles

    def load(self, bundle: Bundle, fileset: FileSet) -> ImportResult:
        kind = bundle.hint.get("kind")
        if kind == "apiops":
            service = read_tree(bundle.root, bundle.files, fileset)
        else:
            service = Service(gateway_id=f"azure-apim:{kind}", name=f"Azure APIM ({kind})",
                              files=[fileset.relative(f) for f in bundle.files])
            for f in bundle.files:
                rel = fileset.relative(f)
                if kind == "policies":
                    try:
                        raw = f.read_bytes() if f.stat().st_size <= MAX_POLICY_BYTES else None
                        if raw is None:
                            service.errors.append(ImportErrorRecord(file=rel, message="policy file over the size limit"))
                            continue
                        service.loose_policies.append(PolicyDoc(rel, "", decode_xml_bytes(raw, rel)))
                    except (OSError, XmlError) as exc:
                        service.errors.append(ImportErrorRecord(file=rel, message=f"cannot read policy file: {exc}"))
                    continue
                try:
                    data = fileset.load(f).data
                except DocumentError as exc:
                    service.errors.append(ImportErrorRecord(file=rel, message=exc.message, line=exc.line, column=exc.column))
                    continue
                (read_arm if kind == "arm" else read_rest)(data, rel, service)
        gateway, errors = Builder(service).build()
        return ImportResult(gateways=[gateway], errors=errors)


IMPORTER = AzureApimImporter()
