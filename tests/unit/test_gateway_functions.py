"""The gateway rule functions, on model objects built here (no importer, no landscape needed).

Each check has a case that must fire and a neighbour that must not, so a function that always
(or never) fires fails the test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from apiscan.functions import gateway as g
from apiscan.functions.registry import FUNCTIONS, FunctionOptionsError
from apiscan.models.findings import Location
from apiscan.models.gateway import (
    Consumer, Credential, Gateway, GatewayApi, GatewayFinding, Policy, Product, Route, SourceRef,
)


@dataclass
class RouteView:
    route: Route
    api: GatewayApi
    gateway: Gateway
    landscape: Any = None


@dataclass
class ApiView:
    api: GatewayApi
    gateway: Gateway


@dataclass
class ConsumerView:
    consumer: Consumer
    gateway: Gateway


@dataclass
class GatewayView:
    gateway: Gateway


def auth(kind="api-key", **kw) -> Policy:
    return Policy(kind="auth", auth_kind=kind, **kw)


def view(path="/pets", methods=("GET",), policies=(), api_kw=None, gw_kw=None, **route_kw) -> RouteView:
    route = Route(id="r1", path=path, methods=list(methods), policies=list(policies),
                  source=SourceRef("kong.yaml", "/services/0/routes/0"), **route_kw)
    api = GatewayApi(id="a1", name="pets", gateway="gw", routes=[route], **(api_kw or {}))
    gateway = Gateway(id="gw", vendor="kong", apis=[api], **(gw_kw or {}))
    return RouteView(route, api, gateway)


def run(name: str, target, options=None) -> list:
    return list(FUNCTIONS[name](target, options or {}, None) or ())


# ---------------------------------------------------------------- authentication


def test_no_auth_fires_and_auth_passes():
    assert run("gatewayRouteHasAuth", view())
    assert not run("gatewayRouteHasAuth", view(policies=[auth()]))


def test_disabled_auth_is_no_auth_and_is_named():
    hits = run("gatewayRouteHasAuth", view(policies=[auth(vendor_type="key-auth", enabled=False)]))
    assert hits and hits[0].evidence["disabled_auth"] == ["key-auth"]


def test_preflight_and_terminated_routes_are_skipped():
    assert not run("gatewayRouteHasAuth", view(methods=["OPTIONS"]))
    assert not run("gatewayRouteHasAuth", view(policies=[Policy(kind="termination")]))
    # a conditional termination still lets traffic through
    assert run("gatewayRouteHasAuth", view(policies=[Policy(kind="termination", conditional=True)]))


def test_optional_auth():
    assert run("gatewayRouteAuthNotOptional", view(policies=[auth(optional=True)]))
    assert not run("gatewayRouteAuthNotOptional", view(policies=[auth(optional=True), auth("jwt")]))
    assert not run("gatewayRouteAuthNotOptional", view())  # no auth at all is GW001's business


def test_conditional_auth():
    cond = auth(conditional=True, detail={"condition": 'request.verb != "OPTIONS"'})
    hits = run("gatewayRouteAuthUnconditional", view(policies=[cond]))
    assert hits and hits[0].evidence["conditions"] == ['request.verb != "OPTIONS"']
    assert not run("gatewayRouteAuthUnconditional", view(policies=[cond, auth("oauth2")]))


def test_basic_auth_kind():
    assert run("gatewayRouteAuthKind", view(policies=[auth("basic")]), {"disallowed": ["basic"]})
    assert not run("gatewayRouteAuthKind", view(policies=[auth("oauth2")]), {"disallowed": ["basic"]})
    with pytest.raises(FunctionOptionsError):
        run("gatewayRouteAuthKind", view(), {"disallowed": 5})


@pytest.mark.parametrize("policy, fires", [
    (auth(vendor_type="key-auth", detail={"key_names": ["apikey"]}), True),  # Kong default: query allowed
    (auth(vendor_type="key-auth", detail={"key_in_query": False}), False),
    (auth(vendor_type="key-auth", detail={"config": {"key_in_query": "true"}}), True),
    (auth(vendor_type="VerifyAPIKey", detail={"ref": "request.queryparam.apikey"}), True),
    (auth(vendor_type="VerifyAPIKey", detail={"ref": "request.header.x-apikey"}), False),
    (auth(vendor_type="api_key", detail={"in": "query", "name": "key"}), True),
    (auth(vendor_type="api_key", detail={"in": "header", "name": "x-api-key"}), False),
    (auth("subscription-key", vendor_type="subscription", detail={"query": "subscription-key"}), True),
    (auth("jwt", vendor_type="jwt", detail={"uri_param_names": ["jwt"]}), False),  # not an API key
])
def test_api_key_in_query(policy, fires):
    assert bool(run("gatewayRouteKeyNotInQuery", view(policies=[policy]))) is fires


@pytest.mark.parametrize("detail, fires", [
    ({}, True),
    ({"claims_to_verify": ["exp"], "key_claim_name": "iss"}, True),  # Kong jwt: never checks aud
    ({"audiences": ["api://pets"], "issuers": ["https://login.example/"]}, False),
    ({"jwtConfiguration": {"issuer": "https://idp", "audience": ["pets"]}}, False),
    ({"audiences": ["pets"]}, True),
])
def test_jwt_audience_issuer(detail, fires):
    hits = run("gatewayJwtChecksAudienceIssuer", view(policies=[auth("jwt", detail=detail)]))
    assert bool(hits) is fires


# ---------------------------------------------------------------- limits and protection


def test_rate_limit_scopes_and_products():
    assert run("gatewayRouteHasRateLimit", view())
    assert not run("gatewayRouteHasRateLimit", view(policies=[Policy(kind="quota", scope="global")]))
    scoped = run("gatewayRouteHasRateLimit", view(policies=[Policy(kind="rate-limit", scope="consumer-group")]))
    assert scoped and "consumer_scoped" in scoped[0].evidence
    v = view(api_kw={"products": ["gold"]})
    v.gateway.products.append(Product(id="gold", policies=[Policy(kind="rate-limit", scope="product")]))
    assert not run("gatewayRouteHasRateLimit", v)


def test_partial_export_is_said():
    hits = run("gatewayRouteHasRateLimit", view(gw_kw={"partial": True}))
    assert hits[0].evidence.get("partial_export") is True


def test_write_routes_size_and_threat():
    opts = {"kinds": ["size-limit"]}
    assert run("gatewayWriteRouteHasPolicy", view(methods=["POST"]), opts)
    assert run("gatewayWriteRouteHasPolicy", view(methods=[]), opts)  # any method includes writes
    assert not run("gatewayWriteRouteHasPolicy", view(methods=["GET"]), opts)
    assert not run("gatewayWriteRouteHasPolicy", view(methods=["PUT"], policies=[Policy(kind="size-limit")]), opts)
    threat = {"kinds": ["threat-protection", "validation"]}
    assert not run("gatewayWriteRouteHasPolicy", view(methods=["PATCH"], policies=[Policy(kind="validation")]),
                   threat)


@pytest.mark.parametrize("policy, fires", [
    (Policy(kind="cors", vendor_type="cors", detail={"credentials": True}), True),  # Kong: no origins = *
    (Policy(kind="cors", vendor_type="cors", detail={"origins": ["https://a.example"], "credentials": True}),
     False),
    (Policy(kind="cors", vendor_type="cors", detail={"origins": ["*"], "credentials": False}), False),
    (Policy(kind="cors", vendor_type="cors", detail={"origins": "*", "credentials": "true"}), True),
    (Policy(kind="cors", vendor_type="cors", detail={"allowed-origins": ["*"], "allow-credentials": "true"}), True),
])
def test_cors_wildcard(policy, fires):
    assert bool(run("gatewayCorsWildcardCredentials", view(policies=[policy]))) is fires


# ---------------------------------------------------------------- transport


def test_plain_http_upstream_and_allow_list():
    assert run("gatewayUpstreamTls", view(upstream_url="http://pets.internal:8080/v1"))
    assert not run("gatewayUpstreamTls", view(upstream_url="https://pets.internal"))
    assert not run("gatewayUpstreamTls", view(upstream_url="http://sidecar/v1"), {"allowHosts": ["sidecar"]})
    # the API's upstream counts when the route has none of its own
    assert run("gatewayUpstreamTls", view(api_kw={"upstream_url": "HTTP://legacy.example"}))


def test_plain_http_listener():
    assert run("gatewayListenerTls", view(protocols=["http", "https"]))
    assert not run("gatewayListenerTls", view(protocols=["https"]))
    assert run("gatewayListenerTls", view(api_kw={"attributes": {"protocols": ["http", "https"]}}))


def test_tls_verification():
    off = Policy(kind="tls", detail={"tls_verify": False})
    assert run("gatewayUpstreamTlsVerified", view(policies=[off]))
    assert not run("gatewayUpstreamTlsVerified", view(policies=[Policy(kind="tls", detail={"tls_verify": True})]))
    assert run("gatewayUpstreamTlsVerified", view(api_kw={"attributes": {"tls_verify": "false"}}))
    assert run("gatewayUpstreamTlsVerified",
               view(policies=[Policy(kind="tls", detail={"IgnoreValidationErrors": "true"})]))
    assert not run("gatewayUpstreamTlsVerified", view())


@pytest.mark.parametrize("url, fires", [
    ("http://10.0.0.12:8080", True), ("https://[::1]/x", True), ("http://localhost:3000", True),
    ("https://pets.example.com", False), ("", False),
])
def test_upstream_host(url, fires):
    assert bool(run("gatewayUpstreamHost", view(upstream_url=url))) is fires


# ---------------------------------------------------------------- exposure and shape


@pytest.mark.parametrize("path, policies, fires", [
    ("/admin/users", [], True),
    ("~/internal/.*", [auth()], True),
    ("/v1/actuator/health", [], True),
    ("/administrators-guide", [], False),
    ("/admin", [Policy(kind="ip-filter")], False),
    ("/metrics", [auth("mtls")], False),
    ("/pets", [], False),
])
def test_internal_paths(path, policies, fires):
    assert bool(run("gatewayAdminPathRestricted", view(path=path, policies=policies))) is fires


def test_internal_path_pattern_option_is_validated():
    with pytest.raises(FunctionOptionsError):
        run("gatewayAdminPathRestricted", view(path="/admin"), {"pattern": "(unclosed"})


@pytest.mark.parametrize("path, kind, fires", [
    ("/{proxy+}", "template", True), ("/api/*", "template", True), ("/", "prefix", True),
    ("", "prefix", True), ("/**", "apigee-matchespath", True), ("~/v1/.*", "regex", True),
    ("$default", "exact", True), ("/pets/{id}", "template", False), ("/pets", "prefix", False),
    ("/", "exact", False), ("~/v1/pets/\\d+$", "regex", False),
])
def test_catch_all(path, kind, fires):
    assert bool(run("gatewayRouteNotCatchAll", view(path=path, match_kind=kind))) is fires


def test_unknown_pattern_and_shadow_route():
    assert run("gatewayRouteEvaluable", view(match_kind="unknown", tags=["expression router"]))
    assert not run("gatewayRouteEvaluable", view(match_kind="regex"))
    assert run("gatewayRouteHasSpec", view())
    assert not run("gatewayRouteHasSpec", view(spec_operations=["specs/pets.yaml#GET /pets"]))


def test_duplicate_route_reports_only_the_later_one():
    v = view(path="/pets/{id}", match_kind="template")
    twin = Route(id="r2", path="/pets/{petId}", match_kind="template", methods=["GET", "PUT"])
    other = Route(id="r3", path="/pets/{id}", match_kind="template", methods=["DELETE"])
    v.api.routes += [twin, other]
    assert not run("gatewayRouteUnique", v)
    hits = run("gatewayRouteUnique", RouteView(twin, v.api, v.gateway))
    assert hits and hits[0].evidence["duplicate_of"] == "r1"
    assert not run("gatewayRouteUnique", RouteView(other, v.api, v.gateway))


def test_duplicates_across_versions_are_not_duplicates():
    v = view(path="/pets", api_kw={"version": "v1"})
    api2 = GatewayApi(id="a2", name="pets", gateway="gw", version="v2", routes=[Route(id="r9", path="/pets",
                                                                                      methods=["GET"])])
    v.gateway.apis.append(api2)
    assert not run("gatewayRouteUnique", RouteView(api2.routes[0], api2, v.gateway))
    api2.version = ""
    assert run("gatewayRouteUnique", RouteView(api2.routes[0], api2, v.gateway))


# ---------------------------------------------------------------- api scope


def test_deprecated_api_still_routed():
    v = view(api_kw={"lifecycle": "DEPRECATED"})
    assert run("gatewayNoDeprecatedRoutes", ApiView(v.api, v.gateway))
    v2 = view(api_kw={"tags": ["lifecycle:retired"]}, policies=[Policy(kind="termination")])
    assert not run("gatewayNoDeprecatedRoutes", ApiView(v2.api, v2.gateway))  # terminated: not routed
    v3 = view(deprecated=True)
    hits = run("gatewayNoDeprecatedRoutes", ApiView(v3.api, v3.gateway))
    assert hits and hits[0].location == Location("kong.yaml", "/services/0/routes/0")
    assert not run("gatewayNoDeprecatedRoutes", ApiView(view().api, view().gateway))


def test_logging():
    v = view()
    assert run("gatewayApiHasLogging", ApiView(v.api, v.gateway))
    v.gateway.global_policies.append(Policy(kind="logging", scope="global"))
    assert not run("gatewayApiHasLogging", ApiView(v.api, v.gateway))
    v2 = view(api_kw={"attributes": {"accessLogSettings": {"format": "$context.requestId"}}})
    assert not run("gatewayApiHasLogging", ApiView(v2.api, v2.gateway))


def test_owner():
    assert run("gatewayApiHasOwner", ApiView(view().api, None))
    assert not run("gatewayApiHasOwner", ApiView(view(api_kw={"tags": ["team:payments"]}).api, None))
    assert not run("gatewayApiHasOwner", ApiView(view(api_kw={"attributes": {"provider": "admin"}}).api, None))
    assert run("gatewayApiHasOwner", ApiView(view(api_kw={"tags": ["teamwork"]}).api, None))


def test_version():
    assert run("gatewayApiHasVersion", ApiView(view(path="/pets").api, None))
    assert not run("gatewayApiHasVersion", ApiView(view(path="/v2/pets").api, None))
    assert not run("gatewayApiHasVersion", ApiView(view(api_kw={"version": "1.0"}).api, None))
    assert not run("gatewayApiHasVersion", ApiView(view(api_kw={"tags": ["version:v1"]}).api, None))
    assert not run("gatewayApiHasVersion", ApiView(view(api_kw={"base_path": "/orders/2024-01-01"}).api, None))


# ---------------------------------------------------------------- consumer scope


def test_consumer_restriction():
    gw = Gateway(id="gw", vendor="kong")
    cred = Credential(kind="api-key", fingerprint="sha256:0123456789abcdef")
    assert run("gatewayConsumerRestricted", ConsumerView(Consumer(id="c", credentials=[cred]), gw))
    assert not run("gatewayConsumerRestricted", ConsumerView(Consumer(id="c", credentials=[cred], groups=["g"]), gw))
    assert not run("gatewayConsumerRestricted", ConsumerView(Consumer(id="c"), gw))  # cannot authenticate
    assert run("gatewayConsumerRestricted", ConsumerView(Consumer(id="s", kind="subscription"), gw))
    assert not run("gatewayConsumerRestricted",
                   ConsumerView(Consumer(id="c", credentials=[cred], status="disabled"), gw))


def test_credential_expiry_points_at_the_credential_and_hides_it():
    gw = Gateway(id="gw", vendor="apigee")
    creds = [Credential(kind="api-key", expires="-1", fingerprint="sha256:aaaa", source=SourceRef("apps.json", "/0")),
             Credential(kind="api-key", expires="2027-01-01T00:00:00Z"),
             Credential(kind="mtls"),
             Credential(kind="basic", status="revoked")]
    hits = run("gatewayCredentialExpires", ConsumerView(Consumer(id="app", credentials=creds), gw))
    assert len(hits) == 1
    assert hits[0].location == Location("apps.json", "/0")
    assert "sha256" not in repr(hits[0].evidence)


# ---------------------------------------------------------------- gateway scope


SECRET = "s3cr3t-value-never-shown"


def test_notes_never_leak_secrets_and_need_codes():
    note = GatewayFinding(code="secret-in-export", message=f"key {SECRET} found",
                          source=SourceRef("kong.yaml", "/consumers/0/keyauth_credentials/0/key"),
                          evidence={"field": "key", "value": SECRET, "length": len(SECRET)})
    gw = Gateway(id="gw", vendor="kong", notes=[note, GatewayFinding("policy-xml-recovered", "x",
                                                                     SourceRef("policy.xml"))])
    hits = run("gatewayNotes", GatewayView(gw), {"codes": ["secret-in-export"]})
    assert len(hits) == 1
    assert SECRET not in repr(hits[0])
    assert hits[0].location.pointer == "/consumers/0/keyauth_credentials/0/key"
    with pytest.raises(FunctionOptionsError):
        run("gatewayNotes", GatewayView(gw), {})


def test_unattached_policies_deduplicated_with_notes():
    src = SourceRef("apiproxy/policies/Quota-1.xml")
    gw = Gateway(id="gw", vendor="apigee", unattached_policies=[Policy(kind="quota", name="Quota-1", source=src)],
                 notes=[GatewayFinding("policy-unattached", "Quota-1", src),
                        GatewayFinding("policy-unattached", "Spike", SourceRef("apiproxy/policies/Spike.xml"))])
    hits = run("gatewayPoliciesAttached", GatewayView(gw))
    assert sorted(h.location.file for h in hits) == ["apiproxy/policies/Quota-1.xml", "apiproxy/policies/Spike.xml"]
    assert not run("gatewayPoliciesAttached", GatewayView(Gateway(id="x", vendor="kong")))


def test_policy_without_base():
    note = GatewayFinding("policy-without-base", "no base", SourceRef("apis/pets/policy.xml"),
                          evidence={"section": "inbound"})
    outbound = GatewayFinding("policy-without-base", "no base", SourceRef("apis/cats/policy.xml"),
                              evidence={"section": "outbound"})
    gw = Gateway(id="gw", vendor="azure-apim", notes=[note, outbound])
    hits = run("gatewayPolicyInheritsBase", GatewayView(gw), {"sections": ["inbound"]})
    assert [h.location.file for h in hits] == ["apis/pets/policy.xml"]
    api = GatewayApi(id="a", name="a", gateway="gw", attributes={"policy_has_base": False,
                                                                 "policy_file": "apis/a/policy.xml"})
    hits = run("gatewayPolicyInheritsBase", GatewayView(Gateway(id="gw", vendor="azure-apim", apis=[api])))
    assert [h.location.file for h in hits] == ["apis/a/policy.xml"]


def test_sensitive_product():
    payments = GatewayApi(id="payments-api", name="payments", gateway="gw")
    pets = GatewayApi(id="pets-api", name="pets", gateway="gw")
    gw = Gateway(id="gw", vendor="azure-apim", apis=[payments, pets], products=[
        Product(id="starter", apis=["payments-api"], approval="auto", source=SourceRef("products/starter/x.json")),
        Product(id="free", apis=["pets-api"], approval="auto"),
        Product(id="partners", apis=["payments-api"], approval="manual", subscription_required=True),
        Product(id="open-hr", apis=["pets-api"], subscription_required=False),
    ])
    hits = run("gatewaySensitiveProductApproval", GatewayView(gw))
    assert sorted(h.evidence["product"] for h in hits) == ["open-hr", "starter"]


# ---------------------------------------------------------------- landscape scope


class FakeLandscape:
    def __init__(self, orphans=None, unrouted=None):
        self._o, self._u = orphans, unrouted

    def orphan_specs(self):
        return self._o

    def unrouted_operations(self):
        return self._u


def test_orphans_and_unrouted():
    spec = type("Spec", (), {"file": "specs/billing.yaml", "title": "Billing", "pointer": ""})()
    hits = run("landscapeOrphanSpecs", FakeLandscape(orphans=[spec]))
    assert hits[0].location == Location("specs/billing.yaml", "")
    op = {"key": "DELETE /pets/{id}", "file": "specs/pets.yaml", "pointer": "/paths/~1pets~1{id}/delete"}
    hits = run("landscapeUnroutedOperations", FakeLandscape(unrouted=[op]))
    assert hits[0].location.pointer == "/paths/~1pets~1{id}/delete" and "DELETE /pets/{id}" in hits[0].message
    assert not run("landscapeOrphanSpecs", FakeLandscape(orphans=[]))
    with pytest.raises(FunctionOptionsError):
        run("landscapeOrphanSpecs", object())


def test_every_rule_function_is_registered():
    names = {"gatewayRouteHasAuth", "gatewayRouteAuthNotOptional", "gatewayRouteAuthUnconditional",
             "gatewayRouteAuthKind", "gatewayRouteKeyNotInQuery", "gatewayJwtChecksAudienceIssuer",
             "gatewayRouteHasRateLimit", "gatewayWriteRouteHasPolicy", "gatewayCorsWildcardCredentials",
             "gatewayUpstreamTls", "gatewayListenerTls", "gatewayUpstreamTlsVerified", "gatewayUpstreamHost",
             "gatewayAdminPathRestricted", "gatewayRouteNotCatchAll", "gatewayRouteEvaluable",
             "gatewayRouteHasSpec", "gatewayRouteUnique", "gatewayNoDeprecatedRoutes", "gatewayApiHasLogging",
             "gatewayApiHasOwner", "gatewayApiHasVersion", "gatewayConsumerRestricted",
             "gatewayCredentialExpires", "gatewayNotes", "gatewayPoliciesAttached", "gatewayPolicyInheritsBase",
             "gatewaySensitiveProductApproval", "landscapeOrphanSpecs", "landscapeUnroutedOperations"}
    assert names <= set(FUNCTIONS)
    assert g.WRITE_METHODS == ("POST", "PUT", "PATCH")


def test_switched_off_api_serves_nothing():
    assert not run("gatewayRouteHasAuth", view(api_kw={"lifecycle": "disabled"}))
    assert not run("gatewayRouteHasAuth", view(api_kw={"lifecycle": "BLOCKED"}))
    assert run("gatewayRouteHasAuth", view(api_kw={"lifecycle": "deprecated"}))


def test_a_host_specific_route_beside_a_generic_one_is_not_a_duplicate():
    v = view(path="/pets")
    specific = Route(id="r2", path="/pets", methods=["GET"], hosts=["beta.example.com"])
    v.api.routes.append(specific)
    assert not run("gatewayRouteUnique", RouteView(specific, v.api, v.gateway))
    same_host = Route(id="r3", path="/pets/", methods=["GET"], hosts=["BETA.example.com"])
    v.api.routes.append(same_host)
    assert run("gatewayRouteUnique", RouteView(same_host, v.api, v.gateway))


def test_reconciliation_results_are_found_on_the_landscape_reconciliation():
    from apiscan.inventory.specs import SpecOperation

    op = SpecOperation(file="specs/pets.yaml", method="DELETE", path="/pets/{id}", pointer="/paths/~1pets~1{id}/delete")
    landscape = type("L", (), {"reconciliation": {"unrouted_operations": [op], "orphan_specs": []}})()
    hits = run("landscapeUnroutedOperations", landscape)
    assert hits[0].location == Location("specs/pets.yaml", "/paths/~1pets~1{id}/delete")
    assert "DELETE /pets/{id}" in hits[0].message
    assert not run("landscapeOrphanSpecs", landscape)


@pytest.mark.parametrize("origin, fires", [
    ("{request.header.origin}", True), ("*", True), ("https://shop.example.com", False),
    ("https://a.example.com, https://b.example.com", False),
])
def test_apigee_cors_reflecting_the_origin_is_any_origin(origin, fires):
    policy = Policy(kind="cors", vendor_type="CORS", detail={"allow_origin": origin, "allow_credentials": True})
    assert bool(run("gatewayCorsWildcardCredentials", view(policies=[policy]))) is fires


def test_authorizer_identity_in_query_and_cognito_issuer():
    lam = auth("lambda-authorizer", vendor_type="lambda-request-authorizer",
               detail={"identity_source": "method.request.querystring.token", "identity_in": "query"})
    hits = run("gatewayRouteKeyNotInQuery", view(policies=[lam]))
    assert hits and "credential" in hits[0].message
    header = auth("lambda-authorizer", detail={"identity_source": "method.request.header.Authorization"})
    assert not run("gatewayRouteKeyNotInQuery", view(policies=[header]))
    cognito = auth("jwt", vendor_type="cognito_user_pools")
    hits = run("gatewayJwtChecksAudienceIssuer", view(policies=[cognito]))
    assert hits[0].evidence["missing"] == ["audience"]


def test_base_from_loose_policy_documents_and_inferred_from_lost_global_policies():
    gw = Gateway(id="gw", vendor="azure-apim", attributes={"policy_documents": [
        {"file": "policies/a.xml", "inherits": ["outbound"], "present": ["inbound", "outbound"]},
        {"file": "policies/b.xml", "inherits": ["inbound", "outbound"], "present": ["inbound", "outbound"]}]})
    hits = run("gatewayPolicyInheritsBase", GatewayView(gw), {"sections": ["inbound"]})
    assert [h.location.file for h in hits] == ["policies/a.xml"]

    glob = Policy(kind="ip-filter", vendor_type="ip-filter", scope="global")
    kept = Route(id="r1", policies=[glob])
    lost = Route(id="r2", policies=[Policy(kind="auth", auth_kind="jwt", scope="api")])
    apis = [GatewayApi(id="a", name="a", gateway="gw", routes=[kept], source=SourceRef("apis/a/apiInformation.json")),
            GatewayApi(id="b", name="b", gateway="gw", routes=[kept, lost],
                       source=SourceRef("apis/b/apiInformation.json"))]
    gw = Gateway(id="gw", vendor="azure-apim", apis=apis, global_policies=[glob])
    hits = run("gatewayPolicyInheritsBase", GatewayView(gw))
    assert [h.location.file for h in hits] == ["apis/b/apiInformation.json"]  # no policy of its own: the API
    lost.policies[0].source = SourceRef("apis/b/policy.xml", "/policies")
    hits = run("gatewayPolicyInheritsBase", GatewayView(gw))
    assert [h.location.file for h in hits] == ["apis/b/policy.xml"]  # the document that cut the chain
    gw.vendor = "kong"  # other gateways have no <base/>: nothing is inferred
    assert not run("gatewayPolicyInheritsBase", GatewayView(gw))


def test_pass_through_tags_and_aws_apis_do_not_share_routes():
    assert run("gatewayRouteNotCatchAll", view(path="/v1/orders", match_kind="prefix", tags=["apigee:pass-through"]))
    assert not run("gatewayRouteNotCatchAll", view(path="/", match_kind="template"))
    v = view(path="/pets")
    v.gateway.vendor = "aws"
    other = GatewayApi(id="b", name="b", gateway="gw", routes=[Route(id="r2", path="/pets", methods=["GET"])])
    v.gateway.apis.append(other)
    assert not run("gatewayRouteUnique", RouteView(other.routes[0], other, v.gateway))
    v.gateway.vendor = "kong"
    assert run("gatewayRouteUnique", RouteView(other.routes[0], other, v.gateway))
    v.api.hosts, other.hosts = ["a.example.com"], ["b.example.com"]
    assert not run("gatewayRouteUnique", RouteView(other.routes[0], other, v.gateway))


def test_apim_builtin_query_key_is_not_reported():
    sub = auth("subscription-key", detail={"header": "Ocp-Apim-Subscription-Key", "query": "subscription-key",
                                           "key_location": "header-or-query"})
    assert not run("gatewayRouteKeyNotInQuery", view(policies=[sub]))


def test_a_file_note_is_not_repeated_after_its_policies():
    frag = "policy fragments/f2/policy.xml"
    gw = Gateway(id="gw", vendor="azure-apim",
                 unattached_policies=[Policy(kind="transformation", name="set-header",
                                             source=SourceRef(frag, "/fragment/set-header[1]"))],
                 notes=[GatewayFinding("policy-unattached", "fragment f2", SourceRef(frag))])
    hits = run("gatewayPoliciesAttached", GatewayView(gw))
    assert [(h.location.file, h.location.pointer) for h in hits] == [(frag, "/fragment/set-header[1]")]


def test_token_endpoint_is_not_unauthenticated():
    token = Policy(kind="other", vendor_type="OAuthV2", detail={"operation": "GenerateAccessToken",
                                                                "token_endpoint": True})
    assert not run("gatewayRouteHasAuth", view(methods=["POST"], policies=[token]))


def test_duplicate_check_is_linear_on_a_large_gateway():
    import time

    routes = [Route(id=f"r{i}", path=f"/items{i}/{{id}}", methods=["GET"]) for i in range(3000)]
    api = GatewayApi(id="a", name="a", gateway="gw", routes=routes)
    gw = Gateway(id="gw", vendor="kong", apis=[api])
    start = time.perf_counter()
    hits = [h for r in routes for h in run("gatewayRouteUnique", RouteView(r, api, gw))]
    assert not hits
    assert time.perf_counter() - start < 2.0
    routes.append(Route(id="dup", path="/items7/{other}", methods=["GET"]))
    assert run("gatewayRouteUnique", RouteView(routes[-1], api, gw))  # index rebuilt after the change


# ---------------------------------------------------------------- the rules on the real corpus

from pathlib import Path  # noqa: E402

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
# Credential values written in clear in the corpus exports (Kong decK, Apigee apps, Tyk keys).
CORPUS_SECRETS = ("my_basic_password", "my_secret_key", "MKWeR0nu9OAUR9HrjpUG82Hbfz7ZXsIw",
                  "iwb6Djkk4HhUlOCmLilDIKh6nZrn90ts", "6gkrxTKAraykMSpmnLNEGiEE3Yz8XL6U",
                  "yeNZBeqCuk0D3H85VX77Umacf91MwqRo", "9xRWKKp83mDRtDoT", "1aa4ed9059d4d97bf4575aad4ea2058d6e5e8f35")


@pytest.mark.skipif(not SHARED.exists(), reason="../shared (the corpus) is not present")
@pytest.mark.parametrize("folder", ["kong-deck", "apigee", "aws-apigateway", "azure-apim", "tyk", "wso2-apictl",
                                   "webmethods", "ibm-apiconnect", "mulesoft-raml"])
def test_gateway_rules_run_on_the_corpus_without_crashing_or_leaking(folder):
    import json

    scan_mod = pytest.importorskip("apiscan.inventory.scan")
    from apiscan.engine import run_landscape_rules
    from apiscan.ruleset.loader import builtin_rules

    root = CORPUS / folder
    if not root.is_dir():
        pytest.skip(f"corpus folder {folder} absent")
    rules = [r for r in builtin_rules()[0] if r.category == "gateway"]
    assert len(rules) >= 25
    scan = scan_mod.scan_landscape([root], root)
    out = run_landscape_rules(rules, scan.landscape)
    assert not out.errors, [e.message for e in out.errors]
    dumped = json.dumps([f.to_dict() for f in out.findings])
    for secret in CORPUS_SECRETS:
        assert secret not in dumped
    if scan.landscape.gateways and any(gw.notes for gw in scan.landscape.gateways
                                       if any(n.code == "secret-in-export" for n in gw.notes)):
        assert any(f.rule_id == "GW025" for f in out.findings)
