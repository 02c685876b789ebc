"""The realistic ScanResult every reporter test renders (conftest.py exposes it as fixtures).

Two specs and a gateway export under /scan/root, every severity, a suppressed finding of each
suppression family, a landscape finding with no file, a finding with no line, two errors, and
messages holding the characters each format must escape (`<`, `"`, `&`, `|`, backticks, `::`,
`,`, `%`, newlines, an ANSI escape and a bidi override).
"""

from __future__ import annotations

from pathlib import Path

from apiscan.models.findings import (
    DocumentInfo,
    Finding,
    Location,
    RuleInfo,
    ScanError,
    ScanResult,
    Severity,
    Subject,
    Suppression,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared"
RESULTS = REPO_ROOT / "fixtures" / "results"
ROOT = "/scan/root"

TRICKY = 'Value <script>"x"</script> & a|b `tick` at a::b, 100% done\nsecond line \x1b[31mred\u202e'


def _rules() -> list[RuleInfo]:
    return [
        RuleInfo(id="SEC003", name="no-http-basic-auth", title="Security schemes must not use HTTP Basic",
                 severity=Severity.HIGH, category="security", capability="security-compliance",
                 description="HTTP Basic sends reusable credentials with every request.",
                 remediation="Use OAuth 2.0 or an API key over TLS.",
                 help_uri="https://example.org/rules/SEC003"),
        RuleInfo(id="SEC001", name="operation-security-defined", title="Every operation needs security",
                 severity=Severity.CRITICAL, category="security", capability="security-compliance",
                 description="An operation without security is open to anyone.", remediation="Add `security`."),
        RuleInfo(id="DOC001", name="operation-description", title="Operations must have a description",
                 severity=Severity.MEDIUM, category="documentation", capability="developer-portal",
                 description="Consumers need to know what an operation does."),
        RuleInfo(id="DES004", name="paths-kebab-case", title="Path segments should be kebab-case",
                 severity=Severity.LOW, category="design", capability="developer-portal"),
        RuleInfo(id="GOV002", name="info-contact", title="Info must have a contact",
                 severity=Severity.INFO, category="governance", capability="discovery-catalog"),
        RuleInfo(id="GW010", name="route-without-spec", title="Every gateway route needs a spec",
                 severity=Severity.MEDIUM, category="gateway", capability="discovery-catalog"),
    ]


def _finding(rule: str, sev: Severity, msg: str, file: str, pointer: str, line=None, col=None, **kw) -> Finding:
    names = {r.id: r for r in _rules()}
    info = names[rule]
    f = Finding(rule_id=rule, severity=sev, message=msg,
                location=Location(file=file, pointer=pointer, line=line, column=col,
                                  end_line=kw.pop("end_line", None), end_column=kw.pop("end_column", None)),
                rule_name=info.name, category=info.category, capability=info.capability, **kw)
    f.compute_fingerprint()
    return f


def build_result() -> ScanResult:
    pets = f"{ROOT}/specs/petstore.yaml"
    orders = "specs/orders api.json"  # relative as given, with a space
    kong = f"{ROOT}/gateway/kong.yaml"
    findings = [
        _finding("SEC003", Severity.HIGH, "Security scheme basicAuth uses HTTP Basic", pets,
                 "/components/securitySchemes/basicAuth/scheme", 41, 15, end_line=41, end_column=20,
                 path=("components", "securitySchemes", "basicAuth", "scheme")),
        _finding("SEC001", Severity.CRITICAL, "Operation GET /pets has no security requirement", pets,
                 "/paths/~1pets/get", 12, 5, subject=Subject(kind="operation", key="GET /pets")),
        _finding("DOC001", Severity.MEDIUM, "Operation POST /pets has no description", pets,
                 "/paths/~1pets/post", 20, 5),
        _finding("DOC001", Severity.MEDIUM, TRICKY, pets, "/paths/~1pets~1{id}/get/parameters/0", 30, 9),
        _finding("DES004", Severity.LOW, "Path /petFood is not kebab-case", pets, "/paths/~1petFood", 50, 3,
                 suppression=Suppression(kind="inline", reason="legacy path kept for old clients",
                                         source=f"{pets}#/paths/~1petFood/x-apiscan-ignore")),
        _finding("GOV002", Severity.INFO, "Info object has no contact", orders, "/info"),  # no line
        _finding("DOC001", Severity.MEDIUM, "Operation listOrders has no description", orders,
                 "/paths/~1orders/get", 8, 7,
                 suppression=Suppression(kind="baseline", reason="accepted in baseline 2026-10")),
        _finding("GW010", Severity.MEDIUM, "Route orders-legacy has no matching spec", kong,
                 "/services/0/routes/1", 14, 9, subject=Subject(kind="route", key="kong:orders/orders-legacy"),
                 related=[Location(file=orders, pointer="/paths")]),
        _finding("GW010", Severity.MEDIUM, "3 consumers call routes no spec describes", "", ""),  # landscape
    ]
    errors = [
        ScanError(file=f"{ROOT}/specs/broken.yaml", message="could not parse YAML: found unexpected ':'",
                  kind="parse", line=3, column=7),
        ScanError(file=kong, message='rule GW010 crashed: KeyError "routes" <oops>', kind="rule",
                  pointer="/services/2", rule_id="GW010"),
    ]
    documents = [
        DocumentInfo(file=pets, kind="openapi", format="oas3.0", title="Petstore", version="1.0.0"),
        DocumentInfo(file=orders, kind="openapi", format="oas3.1", title="Orders", version="2.1.0"),
        DocumentInfo(file=kong, kind="gateway:kong"),
        DocumentInfo(file=f"{ROOT}/specs/clean.yaml", kind="openapi", format="oas3.1", title="Clean"),
    ]
    return ScanResult(version="0.1.0", root=ROOT, documents=documents, findings=findings, errors=errors,
                      rules=_rules(), skipped=[f"{ROOT}/README.md"], stats={"seconds": 0.42})


def empty_result() -> ScanResult:
    return ScanResult(version="0.1.0", root=ROOT, rules=_rules()[:1],
                      documents=[DocumentInfo(file=f"{ROOT}/a.yaml", kind="openapi", format="oas3.1")])
