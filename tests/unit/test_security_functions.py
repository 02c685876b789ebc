"""Unit tests of apiscan.functions.security: detectors, walkers and the functions' own logic.

The rule fixtures (fixtures/rules/SEC*.yaml) check each rule end to end by exact pointer; these
tests pin down the pieces those cases cannot isolate: what counts as a secret or a placeholder,
how names are classified, and that the walks stay correct on cycles and across files.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from apiscan.functions import FUNCTIONS, load_builtin_functions
from apiscan.functions.registry import FunctionContext
from apiscan.functions import security as sec
from apiscan.sources.openapi import load_api_document

load_builtin_functions()


def ctx_for(data, path=(), node=None):
    """A context over plain data, without a resolver (local `$ref`s are followed by the functions)."""
    return FunctionContext(document=SimpleNamespace(data=data, key="spec.yaml", format="oas3.0"), path=path,
                           given_path=path, rule=None, node=node)


def run(name, target, options, ctx):
    return list(FUNCTIONS[name](target, options, ctx) or ())


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("text,kind", [
    ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ", "a JWT"),
    ("Authorization: Bearer 3f9a0c1e7b2d4a6f8e0c2b4d", "a bearer token"),
    ("Basic YWxhZGRpbjpvcGVuc2VzYW1l", "HTTP Basic credentials"),
    ("AKIA2E0A8F3B4C5D6E7F", "an AWS access key"),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...", "a private key"),
    ("ghp_0123456789abcdefghijklmnopqrstuvwxyz", "a GitHub token"),
    ("xoxb-1234567890-abcdefghij", "a Slack token"),
    ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "a Google API key"),
    ("sk_live_0123456789abcdefghij", "a Stripe secret key"),
    ("db password=hunter22 ok", "a password"),
    ("amqp://app:s3cretpw@mq.internal:5672", "credentials in a URL"),
])
def test_secret_patterns_recognise_each_kind(text, kind):
    assert sec.secret_kind(text) == kind


@pytest.mark.parametrize("text", [
    "Bearer <access-token>",
    "AKIAIOSFODNN7EXAMPLE",
    "password=${DB_PASSWORD}",
    "password: ********",
    "https://user@example.com/path",
    "The basic plan costs nothing",
    "https://github.com/octocat/hello-world",
    "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    "short",
])
def test_placeholders_and_ordinary_text_are_not_secrets(text):
    assert sec.secret_kind(text) is None


def test_redaction_keeps_at_most_four_characters():
    secret = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXBhcnQ"
    shown = sec.redact(secret)
    assert shown.startswith("eyJh") and secret[4:8] not in shown
    assert sec.redact("abc") == "[redacted]"


def test_secret_scan_never_repeats_the_secret_and_points_at_the_string():
    value = {"user": {"password": "Summer2024!", "note": "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
                                                       "c2lnbmF0dXJlLXBhcnQ"}, "list": ["ok", "AKIA2E0A8F3B4C5D6E7F"]}
    hits = run("noSecretsInExamples", value, {}, ctx_for({}))
    assert sorted(h.path for h in hits) == [("list", 1), ("user", "note"), ("user", "password")]
    for h in hits:
        assert "Summer2024" not in h.message and "AKIA2E0A8F3B" not in h.message
        assert "c2lnbmF0dXJl" not in h.message and "c2lnbmF0dXJl" not in str(h.value)


def test_credential_named_fields_accept_placeholders():
    value = {"password": "<password>", "api_key": "YOUR_API_KEY", "token": "{{token}}", "secret": "string",
             "client_secret": "https://example.org/docs", "passwd": "apasswd123", "access_token": "mytoken-1234"}
    assert run("noSecretsInExamples", value, {}, ctx_for({})) == []


def _node(*keys):
    """An engine node tuple (value, file, path, key, parent) for a chain of keys from the root."""
    node = ({}, "f", (), None, None)
    for i, k in enumerate(keys):
        node = ({}, "f", tuple(keys[: i + 1]), k, node)
    return node


def test_names_map_parity():
    assert sec.is_names_map(_node("components", "schemas", "Pet", "properties"))
    assert not sec.is_names_map(_node("components", "schemas", "Pet", "properties", "properties"))
    assert sec.is_names_map(_node("components", "schemas", "Pet", "properties", "properties", "properties"))
    # `default` under `responses` is a response name, under a schema a keyword
    assert sec.names_holder(_node("paths", "/p", "get", "responses", "default"))
    assert not sec.names_holder(_node("components", "schemas", "Pet", "default"))


def test_example_named_property_and_nested_examples_are_skipped():
    secret = {"token": "ghp_0123456789abcdefghijklmnopqrstuvwxyz"}
    as_property = _node("components", "schemas", "Pet", "properties", "example")
    assert run("noSecretsInExamples", secret, {}, ctx_for({}, node=as_property)) == []
    nested = _node("paths", "/p", "get", "responses", "200", "content", "a/b", "examples", "default")
    assert sec.inside_example(nested)
    assert run("noSecretsInExamples", secret, {}, ctx_for({}, node=nested)) == []
    keyword = _node("paths", "/p", "get", "responses", "200", "content", "a/b", "example")
    assert len(run("noSecretsInExamples", secret, {}, ctx_for({}, node=keyword))) == 1


# --------------------------------------------------------------------------- parameter names


@pytest.mark.parametrize("name", ["ssn", "SSN", "userEmail", "email_address", "date_of_birth", "DOB", "birthDate",
                                  "cardNumber", "credit-card", "password", "phoneNumber", "passportNo"])
def test_pii_names(name):
    assert sec.sensitive_kind(name, "pii") == "personal data"


@pytest.mark.parametrize("name", ["species", "limit", "passengerCount", "sort", "q", "pineapple"])
def test_non_pii_names(name):
    assert sec.sensitive_kind(name, "pii") is None


@pytest.mark.parametrize("name,expected", [
    ("access_token", "a credential"), ("apiKey", "a credential"), ("api-key", "a credential"),
    ("client_secret", "a credential"), ("sessionId", "a credential"), ("key", "a credential"),
    ("pageToken", None), ("nextToken", None), ("cursor", None), ("monkey", None), ("keyword", None),
    ("tokenType", None), ("keyId", None), ("userKey", None), ("search_key", None),
])
def test_credential_names(name, expected):
    assert sec.sensitive_kind(name, "credential") == expected


# --------------------------------------------------------------------------- operations


def test_operation_security_cases():
    data = {"openapi": "3.0.3", "security": [{"k": []}], "paths": {}}
    path = ("paths", "/p", "get")
    assert run("operationSecurity", {"responses": {}}, {}, ctx_for(data, path)) == []
    bare = {"openapi": "3.0.3", "paths": {}}
    [hit] = run("operationSecurity", {"responses": {}}, {}, ctx_for(bare, path))
    assert hit.path == () and "GET /p" in hit.message
    [hit] = run("operationSecurity", {"security": []}, {}, ctx_for(data, path))
    assert hit.path == ("security",) and "x-security-justification" in hit.message
    assert run("operationSecurity", {"security": [], "x-public-reason": "status page"}, {}, ctx_for(data, path)) == []
    assert run("operationSecurity", {"security": [], "x-public-reason": 42}, {}, ctx_for(data, path))
    [hit] = run("operationSecurity", {"security": [{}, {"k": []}]}, {}, ctx_for(data, path))
    assert "anonymous" in hit.message
    options = {"exceptMethods": ["OPTIONS"]}
    assert run("operationSecurity", {}, options, ctx_for(bare, ("paths", "/p", "options"))) == []


def test_responses_documented_accepts_ranges_and_ignores_public_operations():
    data = {"swagger": "2.0", "security": [{"k": []}], "securityDefinitions": {"k": {"type": "basic"}}}
    path = ("paths", "/p", "get")
    opts = {"codes": ["401", "403"], "securedOnly": True}
    hits = run("responsesDocumented", {"responses": {"200": {}}}, opts, ctx_for(data, path))
    assert [h.message for h in hits] == ["Secured operation GET /p does not document a 401 response",
                                         "Secured operation GET /p does not document a 403 response"]
    assert run("responsesDocumented", {"responses": {"4XX": {}}}, opts, ctx_for(data, path)) == []
    assert run("responsesDocumented", {"security": [], "responses": {}}, opts, ctx_for(data, path)) == []


def test_scopes_declared_and_used_oas3():
    data = {"openapi": "3.0.3", "security": [{"o": ["read", "nope"]}],
            "components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {
                "clientCredentials": {"tokenUrl": "https://t", "scopes": {"read": "", "admin": ""}}}}}}}
    hits = run("oauthScopesDeclared", data["security"][0], {}, ctx_for(data, ("security", 0)))
    assert [h.path for h in hits] == [("o", 1)]
    hits = run("oauthScopesUsed", data, {}, ctx_for(data))
    assert [h.path for h in hits] == [("components", "securitySchemes", "o", "flows", "clientCredentials",
                                       "scopes", "admin")]


def test_scheme_checks_name_the_scheme():
    ctx = ctx_for({}, ("components", "securitySchemes", "legacy"))
    [hit] = run("noHttpBasic", {"type": "http", "scheme": "BASIC"}, {}, ctx)
    assert hit.path == ("scheme",) and "'legacy'" in hit.message
    [hit] = run("oauthFlowForbidden", {"type": "oauth2", "flow": "password"}, {"flows": ["password"]}, ctx)
    assert hit.path == ("flow",)
    assert run("oauthUrlsHttps", {"type": "oauth2", "flows": {"x": {"tokenUrl": "/relative"}}}, {}, ctx) == []


@pytest.mark.parametrize("server,bad", [
    ({"url": "https://*.example.com"}, True), ({"url": "https://0.0.0.0"}, True),
    ({"url": "https://{h}", "variables": {"h": {"default": "a"}}}, True),
    ({"url": "https://{h}:8443/v1", "variables": {"h": {"default": "a", "enum": ["a", "b"]}}}, False),
    ({"url": "https://api.example.com/{basePath}", "variables": {"basePath": {"default": "v1"}}}, False),
    ("api.example.com", False), ("*.example.com", True),
])
def test_wildcard_servers(server, bad):
    assert bool(run("serverUrlNotWildcard", server, {}, ctx_for({}))) is bad


# --------------------------------------------------------------------------- request schemas


def test_request_schema_walk_is_cycle_safe_and_reports_each_schema_once():
    data = {"openapi": "3.0.3", "paths": {"/a": {
        "post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}},
        "put": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}},
        "components": {"schemas": {"Node": {"type": "object", "properties": {
            "label": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}}}}}
    ctx = ctx_for(data)
    strings = run("requestBodyBounded", data, {"check": "strings"}, ctx)
    arrays = run("requestBodyBounded", data, {"check": "arrays"}, ctx)
    assert [h.path for h in strings] == [("components", "schemas", "Node", "properties", "label")]
    assert [h.path for h in arrays] == [("components", "schemas", "Node", "properties", "children")]
    assert "Node.label" in strings[0].message and "PUT /a" in strings[0].message  # the first operation walked


def test_locate_follows_references_to_where_they_are_written(tmp_path: Path):
    (tmp_path / "main.yaml").write_text(yaml.safe_dump({
        "openapi": "3.0.3", "info": {"title": "t", "version": "1.0.0"}, "paths": {},
        "components": {"schemas": {"Local": {"$ref": "#/components/schemas/Real"}, "Real": {"type": "string"},
                                   "Far": {"$ref": "other.yaml#/Thing"}}}}))
    (tmp_path / "other.yaml").write_text(yaml.safe_dump({"Thing": {"type": "integer"}}))
    doc = load_api_document(tmp_path / "main.yaml", tmp_path)
    ctx = FunctionContext(document=doc, path=(), given_path=(), rule=None, resolver=doc.resolver)
    schemas = doc.data["components"]["schemas"]
    assert sec.locate(ctx, schemas["Local"], ("x",)) == ({"type": "string"}, ("components", "schemas", "Real"))
    assert sec.locate(ctx, schemas["Far"], ("x",)) == ({"type": "integer"}, ("x",))


def test_per_document_cache_is_shared_and_bounded():
    calls = []
    docs = [SimpleNamespace(data={}) for _ in range(4)]

    def ctx(doc):
        return FunctionContext(document=doc, path=(), given_path=(), rule=None)

    assert sec.per_document(ctx(docs[0]), "k", lambda: calls.append(1) or "v") == "v"
    assert sec.per_document(ctx(docs[0]), "k", lambda: calls.append(1) or "w") == "v"
    assert len(calls) == 1
    for d in docs[1:]:
        sec.per_document(ctx(d), "k", lambda: "x")
    assert len(sec._CACHE) <= sec._CACHE_DOCUMENTS
