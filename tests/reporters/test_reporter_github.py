"""GitHub workflow commands: level by severity, properties, and the runner's escaping rules."""

from __future__ import annotations

from apiscan.models.findings import Finding, Location, ScanResult, Severity
from apiscan.reporters.github import escape_data, escape_property, render


def _lines(result) -> list[str]:
    return render(result).splitlines()


def test_levels_and_properties(result):
    lines = _lines(result)
    assert ("::error file=specs/petstore.yaml,line=41,col=15,endLine=41,endColumn=20,"
            "title=SEC003 no-http-basic-auth::Security scheme basicAuth uses HTTP Basic%0A"
            "/components/securitySchemes/basicAuth/scheme") in lines
    assert any(line.startswith("::error file=specs/petstore.yaml,line=12,col=5,title=SEC001") for line in lines)
    assert any(line.startswith("::warning file=gateway/kong.yaml,line=14,col=9,title=GW010") for line in lines)
    assert "::notice file=specs/orders api.json,title=GOV002 info-contact::Info object has no contact%0A/info" in lines
    assert "::warning title=GW010 route-without-spec::3 consumers call routes no spec describes" in lines


def test_suppressed_are_debug_only(result):
    lines = _lines(result)
    assert not any("DES004" in line and not line.startswith("::debug::") for line in lines)
    assert ("::debug::suppressed DES004 at specs/petstore.yaml:50 (legacy path kept for old clients): "
            "Path /petFood is not kebab-case") in lines


def test_errors_and_summary(result):
    lines = _lines(result)
    assert ("::error file=specs/broken.yaml,line=3,col=7,title=apiscan parse error::"
            "could not parse YAML: found unexpected ':'") in lines
    assert "::error file=gateway/kong.yaml,title=apiscan rule error in GW010::rule GW010 crashed: KeyError \"routes\" <oops>" in lines
    assert lines[-1] == "apiscan: 7 problems (1 critical, 1 high, 4 medium, 1 info), 2 suppressed, 2 errors"


def test_message_cannot_start_a_new_command(result):
    out = render(result)
    line = next(l for l in out.splitlines() if "<script>" in l)
    assert line.endswith("::Value <script>\"x\"</script> & a|b `tick` at a::b, 100%25 done%0Asecond line "
                         "\\x1b[31mred\\u202e%0A/paths/~1pets~1{id}/get/parameters/0")
    assert "\x1b" not in out and "\r" not in out
    assert sum(1 for l in out.splitlines() if not l.startswith("::")) == 1  # only the summary line


def test_property_escaping():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    f = Finding(rule_id="R,1:x", severity=Severity.HIGH, message="m",
                location=Location(file="/r/odd,name:1.yaml", line=2))
    (line, _summary) = _lines(ScanResult(root="/r", findings=[f]))
    assert line == "::error file=odd%2Cname%3A1.yaml,line=2,title=R%2C1%3Ax::m"


def test_clean(empty_result):
    assert render(empty_result) == "apiscan: No problems found\n"


def test_errors_then_most_severe_first(result):
    """GitHub shows only the first annotations of each level per step: the important ones lead."""
    lines = _lines(result)
    assert lines[0].startswith("::error file=gateway/kong.yaml,title=apiscan rule error")
    assert lines[1].startswith("::error file=specs/broken.yaml")
    assert "title=SEC001" in lines[2] and "title=SEC003" in lines[3]
    assert lines[-2].startswith("::notice") or lines[-2].startswith("::debug")
