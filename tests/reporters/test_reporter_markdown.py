"""Markdown for PR comments: summary tables, findings by file, escaping of untrusted text."""

from __future__ import annotations

from apiscan.models.findings import Finding, Location, ScanResult, Severity
from apiscan.reporters.markdown import code, render, text_cell


def _section(out: str, title: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("### ")), len(lines))
    return [line for line in lines[start:end] if line]


def _cells(row: str) -> list[str]:
    """Split a table row on unescaped pipes, as GFM does."""
    cells, current, i = [], "", 1
    while i < len(row) - 1:
        if row[i] == "\\" and row[i + 1] == "|":
            current += "\\|"
            i += 2
            continue
        if row[i] == "|":
            cells.append(current.strip())
            current = ""
        else:
            current += row[i]
        i += 1
    cells.append(current.strip())
    return cells


def test_headline_and_severity_table(result):
    out = render(result)
    assert out.startswith("## apiscan results\n\n**7 problems \\(1 critical, 1 high, 4 medium, 1 info\\), "
                          "2 suppressed, 2 errors** in 4 documents\n")
    rows = [_cells(r) for r in _section(out, "### By severity")[2:]]
    assert rows == [["critical", "1"], ["high", "1"], ["medium", "4"], ["low", "0"], ["info", "1"]]


def test_rule_table(result):
    rows = [_cells(r) for r in _section(render(result), "### By rule")[2:]]
    assert rows[0] == ["`SEC001`", "Every operation needs security", "critical", "1", "0"]
    assert ["`DOC001`", "Operations must have a description", "medium", "2", "1"] in rows
    assert ["`DES004`", "Path segments should be kebab\u2010case".replace("\u2010", "-"), "low", "0", "1"] in rows


def test_findings_grouped_by_file_suppressed_folded_away(result):
    out = render(result)
    section = _section(out, "### Findings")
    headers = [line for line in section if line.startswith("#### ")]
    assert headers == ["#### `gateway/kong.yaml`", "#### `specs/orders api.json`", "#### `specs/petstore.yaml`",
                       "#### `(landscape)`"]
    pets = section[section.index("#### `specs/petstore.yaml`") + 3:]
    assert _cells(pets[0]) == ["12:5", "critical", "`SEC001`", "Operation GET /pets has no security requirement",
                               "`/paths/~1pets/get`"]
    assert "Path /petFood" not in "\n".join(section)  # suppressed: only in <details>
    details = out[out.index("<details>"):]
    assert "<summary>2 suppressed findings</summary>" in details
    assert "| `specs/petstore.yaml` | 50:3 | `DES004` | Path /petFood is not kebab-case | inline | " \
           "legacy path kept for old clients |" in details


def test_errors_table(result):
    rows = [_cells(r) for r in _section(render(result), "### Errors")[2:]]
    assert rows[1] == ["`specs/broken.yaml:3:7`", "parse", "", "could not parse YAML: found unexpected ':'"]
    assert rows[0][3] == 'rule GW010 crashed: KeyError "routes" &lt;oops&gt;'


def test_untrusted_message_stays_in_its_cell(result):
    row = next(r for r in render(result).splitlines() if "&lt;script" in r)
    cells = _cells(row)
    assert len(cells) == 5
    assert cells[3] == ("Value &lt;script&gt;\"x\"&lt;/script&gt; &amp; a\\|b \\`tick\\` at a::b, 100% done<br>"
                        "second line \\\\x1b\\[31mred\\\\u202e")


def test_escaping_helpers():
    assert text_cell("@admins see [x](http://e)") == "@\u200badmins see \\[x\\]\\(http://e\\)"
    assert code("a`b|c") == "``a`b\\|c``"
    assert code("`x`") == "`` `x` ``"
    assert code("") == ""


def test_clean(empty_result):
    out = render(empty_result)
    assert "**No problems found** in 1 document" in out
    assert "### Findings" not in out and "<details>" not in out


def test_file_names_with_backticks_and_pipes():
    f = Finding(rule_id="X1", severity=Severity.LOW, message="m", location=Location(file="/r/we`ird|name.yaml"))
    out = render(ScanResult(root="/r", findings=[f]))
    assert "#### ``we`ird\\|name.yaml``" in out


def test_long_results_keep_the_most_severe_rows():
    from apiscan.reporters.markdown import MAX_FINDING_ROWS

    findings = [Finding(rule_id="LOW1", severity=Severity.LOW, message=f"low {i}",
                        location=Location(file="/r/a.yaml", line=i + 1)) for i in range(MAX_FINDING_ROWS)]
    findings.append(Finding(rule_id="CRIT1", severity=Severity.CRITICAL, message="the bad one",
                            location=Location(file="/r/z.yaml", line=9)))
    out = render(ScanResult(root="/r", findings=findings))
    assert "the bad one" in out
    assert f"| low {MAX_FINDING_ROWS - 1} |" not in out and f"| low {MAX_FINDING_ROWS - 2} |" in out
    assert "_1 more finding not shown (the 250 most severe are); the json or sarif report has them all._" in out
    assert "| low | 250 |" in out  # the summary still counts everything
