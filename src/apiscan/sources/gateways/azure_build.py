"""Service record → Gateway, with APIM's effective policies and client paths.

Effective policy = global → product → API → operation, spliced per section at `<base/>`; a level
without a document inherits everything, a section without `<base/>` drops its parents. Product
policies apply only to calls made with that product's subscription key, so we compute one chain
per way in (each product of the API, and "no product" when a call can arrive without one) and
mark what is not in every chain as conditional. `subscriptionRequired` (default true) is the
subscription-key authentication; client path = API path (+ version segment) + urlTemplate.
"""

from __future__ import annotations

import copy
from urllib.parse import urlsplit

from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, GatewayFinding, Policy, Product, Route, SourceRef,
    fingerprint_secret, redact,
)
from apiscan.sources.gateways.apigee_xml import XmlError
from apiscan.sources.gateways.azure_policies import BASE, SECTIONS, Context, PolicyDoc, Sections, interpret
from apiscan.sources.gateways.azure_policy_xml import parse_policy_xml
from apiscan.sources.gateways.azure_service import ApiRec, OpRec, Service
from apiscan.sources.gateways.base import ImportErrorRecord

_NO_PRODUCT = None
_UNEXPECTED = (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in ("false", "0", "no")
    return bool(value)


def _secret_field(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not value.strip().startswith(("{{", "[", "@"))


class Builder:
    def __init__(self, service: Service):
        self.s = service
        self.gateway = Gateway(id=service.gateway_id, vendor="azure-apim", name=service.name, files=list(service.files))
        self.gateway.attributes["product_limits_on_routes"] = True  # product policies spliced in at <base/>
        self.ctx = Context()
        self._parsed: dict[int, Sections | None] = {}
        self.errors: list[ImportErrorRecord] = list(service.errors)

    # ------------------------------------------------------------------ policy documents

    def _sections(self, doc: PolicyDoc | None, subject: str) -> Sections | None:
        if doc is None:
            return None
        key = id(doc)
        if key in self._parsed:
            return self._parsed[key]
        result: Sections | None = None
        if doc.text is None:
            self.gateway.notes.append(GatewayFinding(
                code="policy-not-available", message=f"policy is a link ({doc.link[:120]}) that is not followed",
                source=SourceRef(doc.file, doc.pointer), subject_key=subject))
            result = Sections(by_section={s: [BASE] for s in SECTIONS}, present=set(SECTIONS))
        else:
            try:
                root, recovered = parse_policy_xml(doc.text, doc.file)
                self.ctx.subject = subject
                first_note = len(self.ctx.notes)
                result = interpret(root, doc.file, self.ctx)
                if doc.pointer:  # XML embedded in a JSON string: say where the string is
                    refs = [x.source for items in result.by_section.values() for x in items
                            if x is not BASE and x.source is not None]
                    refs += [n.source for n in self.ctx.notes[first_note:]]
                    for ref in refs:
                        if ref.file == doc.file and not ref.pointer.startswith(doc.pointer):
                            ref.pointer = f"{doc.pointer}#{ref.pointer}"
                if recovered:
                    self.gateway.notes.append(GatewayFinding(
                        code="policy-xml-recovered",
                        message="policy XML is not well-formed (C# expressions with raw quotes or '<'); read after escaping them",
                        source=SourceRef(doc.file, doc.pointer), subject_key=subject))
            except XmlError as exc:
                self.errors.append(ImportErrorRecord(file=doc.file, message=f"policy XML unreadable: {exc.message}",
                                                     line=exc.line, column=exc.column, pointer=doc.pointer or None))
                result = None
        self._parsed[key] = result
        return result

    @staticmethod
    def _compose(chain: list[tuple[str, Sections | None]]) -> dict[str, list[tuple[Policy, str]]]:
        eff: dict[str, list[tuple[Policy, str]]] = {s: [] for s in SECTIONS}
        for scope, secs in chain:
            if secs is None:
                continue  # no document at this level: inherit everything
            for s in SECTIONS:
                if s not in secs.present:
                    continue  # section not written: treated as inheriting
                new: list[tuple[Policy, str]] = []
                for item in secs.by_section.get(s, []):
                    if item is BASE:
                        new.extend(eff[s])
                    else:
                        new.append((item, scope))
                eff[s] = new
        return eff

    def _effective(self, chains: list[tuple[str | None, list[tuple[str, Sections | None]]]]) -> list[Policy]:
        """Merge the per-way-in chains: what is not in all of them becomes conditional."""
        order: list[tuple[int, str]] = []
        seen: dict[tuple[int, str], tuple[Policy, str, list]] = {}
        for ctx_name, chain in chains:
            eff = self._compose(chain)
            for s in SECTIONS:
                for policy, scope in eff[s]:
                    key = (id(policy), scope)
                    if key not in seen:
                        seen[key] = (policy, scope, [])
                        order.append(key)
                    if ctx_name not in seen[key][2]:
                        seen[key][2].append(ctx_name)
        out = []
        for key in order:
            policy, scope, ways = seen[key]
            p = copy.deepcopy(policy)
            p.scope = scope
            if len(ways) < len(chains):
                p.conditional = True
                p.detail["applies_via"] = [f"product {w}" if w is not None else "calls without a product subscription"
                                           for w in ways]
            out.append(p)
        return out

    # ------------------------------------------------------------------ the gateway

    def build(self) -> tuple[Gateway, list[ImportErrorRecord]]:
        s = self.s
        for name, rec in s.named_values.items():
            secret = _bool(rec.props.get("secret"), False)
            value = rec.props.get("value")
            display = str(rec.props.get("displayName") or name)
            entry = (value if isinstance(value, str) else None, secret)
            self.ctx.named_values[name] = entry
            self.ctx.named_values[display] = entry
            if secret and _secret_field(value):
                self.gateway.notes.append(GatewayFinding(
                    code="secret-in-export", message=f"secret named value {display!r} is exported in clear ({redact(value)})",
                    source=SourceRef(rec.source.file, rec.source.pointer + "/properties/value"),
                    subject_key=f"named-value:{display}", evidence={"fingerprint": fingerprint_secret(value)}))
        for fid, doc in s.fragments.items():
            if doc.text is None:
                continue
            try:
                root, recovered = parse_policy_xml(doc.text, doc.file)
                self.ctx.fragments[fid] = (root, doc.file)
                if recovered:
                    self.gateway.notes.append(GatewayFinding(
                        code="policy-xml-recovered", message="policy fragment XML is not well-formed; read after escaping C# expressions",
                        source=SourceRef(doc.file, doc.pointer), subject_key=f"fragment:{fid}"))
            except XmlError as exc:
                self.errors.append(ImportErrorRecord(file=doc.file, message=f"policy fragment XML unreadable: {exc.message}",
                                                     line=exc.line, column=exc.column))
        self._backends()
        global_secs = self._sections(s.global_policy, "global")
        if global_secs is not None:
            for policy, scope in (pair for sec in SECTIONS for pair in self._compose([("global", global_secs)])[sec]):
                p = copy.deepcopy(policy)
                p.scope = scope
                self.gateway.global_policies.append(p)
        self.gateway.global_policies += self._diagnostics(s.diagnostics, "global")
        products = self._products()
        for api in s.apis.values():
            try:
                self.gateway.apis.append(self._api(api, global_secs, products))
            except _UNEXPECTED as exc:  # a shape we did not foresee: report it, keep the rest
                self.errors.append(ImportErrorRecord(file=api.source.file, message=f"API {api.id!r} skipped, unexpected structure ({exc!r})"))
        self._consumers()
        self._unattached()
        self._loose()
        self.gateway.notes += [n for n in self.ctx.notes if n not in self.gateway.notes]
        return self.gateway, self.errors

    def _backends(self) -> None:
        urls = {}
        for bid, rec in self.s.backends.items():
            urls[bid] = str(rec.props.get("url") or "")
            creds = _dict(rec.props.get("credentials"))
            if creds:
                found = []
                for where in ("header", "query"):
                    for key, values in _dict(creds.get(where)).items():
                        for v in values if isinstance(values, list) else [values]:
                            if _secret_field(v):
                                found.append((f"{where}/{key}", v))
                auth = _dict(creds.get("authorization"))
                if isinstance(auth, dict) and _secret_field(auth.get("parameter")):
                    found.append(("authorization/parameter", auth["parameter"]))
                for where, value in found:
                    self.gateway.notes.append(GatewayFinding(
                        code="secret-in-export", message=f"backend {bid!r} carries a credential in clear ({redact(value)})",
                        source=SourceRef(rec.source.file, f"{rec.source.pointer}/properties/credentials/{where}"),
                        subject_key=f"backend:{bid}", evidence={"fingerprint": fingerprint_secret(value)}))
        self.gateway.attributes["backends"] = urls

    def _diagnostics(self, diags, scope: str) -> list[Policy]:
        out = []
        for props, src in diags:
            p = Policy(kind="logging", name=str(props.get("loggerId", "")).rsplit("/", 1)[-1] or "diagnostic",
                       vendor_type="diagnostic", scope=scope, source=src)
            for k in ("loggerId", "verbosity", "logClientIp", "alwaysLog"):
                if k in props:
                    p.detail[k] = props[k]
            out.append(p)
        return out

    def _products(self) -> dict[str, Product]:
        out = {}
        for pid, rec in self.s.products.items():
            p = rec.props
            product = Product(
                id=pid, name=str(p.get("displayName") or pid), gateway=self.gateway.id,
                apis=list(self.s.product_apis.get(pid, [])),
                approval="manual" if _bool(p.get("approvalRequired"), False) else "auto",
                subscription_required=_bool(p.get("subscriptionRequired"), True),
                visibility=str(p.get("state", "")), source=rec.source,
            )
            secs = self._sections(self.s.product_policies.get(pid), f"product:{pid}")
            if secs is not None:
                for sec in SECTIONS:
                    for item in secs.by_section.get(sec, []):
                        if item is not BASE:
                            q = copy.deepcopy(item)
                            q.scope = "product"
                            product.policies.append(q)
            out[pid] = product
        for pid in self.s.product_apis:
            if pid not in out:
                out[pid] = Product(id=pid, name=pid, gateway=self.gateway.id, apis=list(self.s.product_apis[pid]))
        self.gateway.products = list(out.values())
        return out

    # ------------------------------------------------------------------ APIs and routes

    def _client_base(self, api: ApiRec) -> tuple[str, list[str]]:
        p = api.props
        tags = []
        path = str(p.get("path") or "").strip("/")
        base = "/" + path if path else ""
        version = str(p.get("apiVersion") or "")
        vs = p.get("apiVersionSet") if isinstance(p.get("apiVersionSet"), dict) else None
        if not isinstance(p.get("apiVersionSetId", ""), (str, type(None))):
            p = dict(p, apiVersionSetId="")
        vs_id = str(p.get("apiVersionSetId") or "")
        if vs is None and vs_id:
            vs = _dict(self.s.version_sets.get(vs_id.rstrip("/").rsplit("/", 1)[-1])) or None
        scheme = str((vs or {}).get("versioningScheme") or "").lower()
        if version and scheme == "segment":
            if not (base.endswith("/" + version) or base == "/" + version):
                base = f"{base}/{version}"
        elif version and scheme == "query":
            tags.append(f"version: query {(vs or {}).get('versionQueryName') or 'api-version'}={version}")
        elif version and scheme == "header":
            tags.append(f"version: header {(vs or {}).get('versionHeaderName') or 'Api-Version'}: {version}")
        revision = str(p.get("apiRevision") or "")
        if ";rev=" in api.id:
            revision = api.id.split(";rev=", 1)[1]
        current = _bool(p.get("isCurrent"), ";rev=" not in api.id)
        if revision and not current:
            base = f"{base};rev={revision}"
            tags.append(f"revision {revision} (not current)")
        return base, tags

    def _ways_in(self, api_id: str, base_id: str, sub_required: bool) -> list[str | None]:
        products = [pid for pid, apis in self.s.product_apis.items() if api_id in apis or base_id in apis]
        ways: list[str | None] = list(products)
        open_way = not sub_required or not products or any(
            str(r.props.get("scope", "")).rstrip("/").split("/")[-2:] in (["apis", api_id], ["apis", base_id])
            or str(r.props.get("scope", "")).rstrip("/").endswith("/apis")
            for r in self.s.subscriptions.values())
        if open_way:
            ways.append(_NO_PRODUCT)
        return ways

    def _api(self, rec: ApiRec, global_secs, products: dict[str, Product]) -> GatewayApi:
        p = rec.props
        base_id = rec.id.split(";rev=")[0]
        base, tags = self._client_base(rec)
        sub_required = _bool(p.get("subscriptionRequired"), True)
        api = GatewayApi(
            id=rec.id, name=str(p.get("displayName") or rec.id), gateway=self.gateway.id,
            version=str(p.get("apiVersion") or ""), base_path=base or "/", upstream_url=str(p.get("serviceUrl") or ""),
            spec_file=rec.spec_file, source=rec.source, tags=list(rec.tags),
        )
        api.products = [pid for pid, apis in self.s.product_apis.items() if rec.id in apis or base_id in apis]
        api.attributes["type"] = str(p.get("type") or p.get("apiType") or "http")
        api.attributes["revision"] = str(p.get("apiRevision") or (rec.id.split(";rev=")[1] if ";rev=" in rec.id else ""))
        api.attributes["is_current"] = _bool(p.get("isCurrent"), ";rev=" not in rec.id)
        if rec.placeholder:
            api.attributes["placeholder"] = "the API itself is not in the export, only its operations"
        if p.get("isOnline") is False or str(p.get("lifecycle", "")).lower() == "deprecated":
            api.lifecycle = "deprecated"
        api.tags += tags
        api_secs = self._sections(rec.policy, f"api:{rec.id}")
        if rec.policy is not None and api_secs is None:
            api.tags.append("API policy unreadable: effective policies are incomplete")
        ways = self._ways_in(rec.id, base_id, sub_required)
        prod_secs = {w: self._sections(self.s.product_policies.get(w), f"product:{w}") for w in ways if w}
        head: list[Policy] = []
        if sub_required:
            names = _dict(p.get("subscriptionKeyParameterNames"))
            sk = Policy(kind="auth", name="subscription key", vendor_type="subscriptionRequired",
                        auth_kind="subscription-key", scope="api", source=rec.source)
            sk.detail["header"] = (names or {}).get("header") or "Ocp-Apim-Subscription-Key"
            sk.detail["query"] = (names or {}).get("query") or "subscription-key"
            sk.detail["key_location"] = "header-or-query"
            head.append(sk)
        diags = self._diagnostics(self.s.diagnostics, "global") + self._diagnostics(rec.diagnostics, "api")

        def chains(op_secs):
            out = []
            for w in ways:
                chain = [("global", global_secs)]
                if w is not None:
                    chain.append(("product", prod_secs.get(w)))
                chain += [("api", api_secs), ("operation", op_secs)]
                out.append((w, chain))
            return out

        api_policies = self._per_subscription(self._effective(chains(None)), sub_required)
        api.policies = [copy.deepcopy(x) for x in head] + api_policies + diags
        api.upstream_url = self._upstream(api_policies, api.upstream_url)
        protocols = [str(x).lower() for x in _list(p.get("protocols"))]
        ops = rec.operations
        if ops is None or (not ops and not rec.op_policies):
            route = Route(id=f"{rec.id}/*", name="(operations not in export)", path=base or "/", match_kind="unknown",
                          protocols=protocols, upstream_url=api.upstream_url, source=rec.source)
            route.tags.append(rec.ops_note or "operations are not in the export")
            route.tags += [t for t in api.tags if "unreadable" in t]
            route.policies = [copy.deepcopy(x) for x in api.policies]
            api.routes.append(route)
        else:
            known = {o.id for o in ops}
            for op_id in rec.op_policies:
                if op_id not in known:
                    ops = ops + [OpRec(op_id, "", "", op_id, SourceRef(rec.op_policies[op_id].file))]
            for op in ops:
                api.routes.append(self._route(api, rec, op, base, protocols, head, diags, chains, sub_required))
        return api

    @staticmethod
    def _per_subscription(policies: list[Policy], sub_required: bool) -> list[Policy]:
        """rate-limit and quota count per subscription: calls without a key are not limited."""
        if not sub_required:
            for x in policies:
                if x.vendor_type in ("rate-limit", "quota"):
                    x.conditional = True
                    x.detail["note"] = "counts per subscription key, and this API accepts calls without one"
        return policies

    def _route(self, api: GatewayApi, rec: ApiRec, op: OpRec, base: str, protocols, head, diags, chains,
               sub_required: bool) -> Route:
        template = op.template or ""
        query = ""
        if "?" in template:
            template, query = template.split("?", 1)
        if api.attributes.get("type") == "graphql" and template in ("", "/"):
            path = base or "/"
        elif not template:
            path = base or "/"
        else:
            path = (base.rstrip("/") + ("/" + template.lstrip("/"))) if template != "/" else (base + "/" if base else "/")
        known_path = bool(op.template) and not rec.placeholder
        route = Route(id=f"{rec.id}/{op.id}", name=op.name or op.id, methods=[op.method.upper()] if op.method and op.method != "*" else [],
                      path=path, match_kind="template" if known_path else "unknown", protocols=list(protocols),
                      operation_id=op.id, source=op.source or rec.source)
        if rec.placeholder:
            route.tags.append("the API (and so its path) is not in the export")
        if query:
            route.tags.append(f"query: {query[:200]}")
        if not op.template:
            route.tags.append("operation has a policy but is not in the specification: path unknown")
        op_secs = self._sections(rec.op_policies.get(op.id), f"route:{rec.id}/{op.id}")
        if op.id in rec.op_policies and op_secs is None:
            route.tags.append("operation policy unreadable: effective policies are incomplete")
        if "API policy unreadable: effective policies are incomplete" in api.tags:
            route.tags.append("API policy unreadable: effective policies are incomplete")
        effective = self._per_subscription(self._effective(chains(op_secs)), sub_required)
        route.policies = [copy.deepcopy(x) for x in head] + effective + [copy.deepcopy(d) for d in diags]
        route.upstream_url = self._upstream(effective, api.upstream_url)
        rewrite = [x for x in effective if x.vendor_type == "rewrite-uri" and not x.conditional]
        route.upstream_path = rewrite[-1].detail.get("template", "") if rewrite else (template or ("/" if op.template else ""))
        if rewrite:
            route.upstream_path = route.upstream_path.split("?", 1)[0]
        svc_path = urlsplit(route.upstream_url).path.rstrip("/") if route.upstream_url.startswith("http") else ""
        if svc_path and route.upstream_path:
            route.upstream_path = svc_path + (route.upstream_path if route.upstream_path.startswith("/") else "/" + route.upstream_path)
        return route

    def _upstream(self, effective: list[Policy], default: str) -> str:
        for x in reversed(effective):
            if x.vendor_type == "set-backend-service" and not x.conditional:
                if x.detail.get("base-url"):
                    return str(x.detail["base-url"])
                bid = x.detail.get("backend-id")
                if bid:
                    return self.gateway.attributes.get("backends", {}).get(bid) or f"backend:{bid}"
        return default

    # ------------------------------------------------------------------ consumers, leftovers

    def _consumers(self) -> None:
        all_apis = [a.id for a in self.gateway.apis]
        for sid, rec in self.s.subscriptions.items():
            p = rec.props
            scope = str(p.get("scope") or "").rstrip("/")
            c = Consumer(id=sid, name=str(p.get("displayName") or sid), gateway=self.gateway.id, kind="subscription",
                         status=str(p.get("state", "")), source=rec.source)
            parts = scope.split("/")
            if len(parts) >= 2 and parts[-2] == "products":
                c.products = [parts[-1]]
                product = next((x for x in self.gateway.products if x.id == parts[-1]), None)
                c.apis = list(product.apis) if product else []
            elif len(parts) >= 2 and parts[-2] == "apis":
                c.apis = [parts[-1]]
            elif scope.endswith("/apis") or scope == "apis":
                c.apis = list(all_apis)
                c.groups.append("all-apis")
            for field_name in ("primaryKey", "secondaryKey"):
                value = p.get(field_name)
                if _secret_field(value):
                    fp = fingerprint_secret(value)
                    c.credentials.append(Credential(kind="subscription-key", id=f"{sid}:{field_name}", fingerprint=fp,
                                                    hint=redact(value), status=c.status, source=rec.source))
                    self.gateway.notes.append(GatewayFinding(
                        code="secret-in-export", message=f"subscription {sid!r} {field_name} is exported in clear ({redact(value)})",
                        source=SourceRef(rec.source.file, f"{rec.source.pointer}/properties/{field_name}"),
                        subject_key=f"consumer:{sid}", evidence={"fingerprint": fp}))
            self.gateway.consumers.append(c)

    def _unattached(self) -> None:
        included = {fid for secs in self._parsed.values() if secs is not None for fid in secs.fragments}
        for fid, doc in self.s.fragments.items():
            if fid in included or fid not in self.ctx.fragments:
                continue
            root, file = self.ctx.fragments[fid]
            secs = interpret(root, file, Context(named_values=self.ctx.named_values))
            contained = [x for x in secs.by_section.get("inbound", []) if x is not BASE]
            for x in contained:
                x.scope = "fragment"
                x.detail["fragment"] = fid
            self.gateway.unattached_policies += contained
            self.gateway.notes.append(GatewayFinding(
                code="policy-unattached", message=f"policy fragment {fid!r} is defined but no policy includes it",
                source=SourceRef(doc.file, doc.pointer), subject_key=f"fragment:{fid}",
                evidence={"fragment": fid, "policies": [x.vendor_type for x in contained]}))
        for api in self.s.apis.values():
            known = {o.id for o in api.operations or []}
            if api.operations is None:
                continue
            for op_id, doc in api.op_policies.items():
                if op_id not in known:
                    self.gateway.notes.append(GatewayFinding(
                        code="policy-unattached",
                        message=f"operation policy {op_id!r} of API {api.id!r} matches no operation in its specification",
                        source=SourceRef(doc.file, doc.pointer), subject_key=f"api:{api.id}"))

    def _loose(self) -> None:
        docs = []
        for doc in self.s.loose_policies:
            secs = self._sections(doc, f"policy-file:{doc.file}")
            if secs is None:
                continue
            items = []
            for sec in SECTIONS:
                for x in secs.by_section.get(sec, []):
                    if x is not BASE:
                        items.append(x.to_dict())
            docs.append({"file": doc.file, "inherits": sorted(s for s in secs.present if BASE in secs.by_section.get(s, [])),
                         "policies": items})
        if docs:
            self.gateway.partial = True
            self.gateway.attributes["policy_documents"] = docs
