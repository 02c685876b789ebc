"""The default text format: grouping, alignment, suppressed rows, errors, summary, colour."""

from __future__ import annotations

import re

from apiscan.models.findings import ScanResult
from apiscan.reporters.stylish import render

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _block(out: str, header: str) -> list[str]:
    lines = out.splitlines()
    start = lines.index(header) + 1
    end = lines.index("", start)
    return lines[start:end]


def test_groups_by_relative_file_in_order_landscape_last(result):
    out = render(result)
    headers = [line for line in out.splitlines() if line and not line.startswith(" ") and not line.startswith("\u2716")]
    assert headers == ["gateway/kong.yaml", "specs/orders api.json", "specs/petstore.yaml", "(landscape)", "Errors"]
    assert "/scan/root" not in out


def test_rows_are_aligned_and_in_line_order(result):
    rows = _block(render(result), "specs/petstore.yaml")
    assert [r.split()[0] for r in rows] == ["12:5", "20:5", "30:9", "41:15", "50:3"]
    # the severity column starts at the same offset on every row, positions right-aligned
    assert len({r.index(r.split()[1]) for r in rows}) == 1
    assert rows[3].startswith("  41:15  high")
    assert rows[0].startswith("   12:5  critical  SEC001  Operation GET /pets has no security requirement")
    assert rows[0].rstrip().endswith("/paths/~1pets/get")


def test_finding_without_line_shows_a_dash(result):
    rows = _block(render(result), "specs/orders api.json")
    assert any(r.split()[:3] == ["-", "info", "GOV002"] for r in rows)


def test_suppressed_rows_are_marked_not_counted(result):
    out = render(result)
    row = next(r for r in out.splitlines() if "DES004" in r)
    assert row.endswith("suppressed (legacy path kept for old clients)")
    assert out.rstrip().endswith("\u2716 7 problems (1 critical, 1 high, 4 medium, 1 info), 2 suppressed, 2 errors")


def test_errors_listed_with_file_line_col(result):
    rows = _block(render(result), "Errors")
    assert rows[0].split()[:3] == ["gateway/kong.yaml#/services/2", "error", "rule"]
    assert rows[1].split()[:3] == ["specs/broken.yaml:3:7", "error", "parse"]
    assert rows[1].endswith("could not parse YAML: found unexpected ':'")


def test_untrusted_text_cannot_break_lines_or_inject_escapes(result):
    out = render(result)
    assert "\x1b" not in out and "\u202e" not in out
    row = next(r for r in out.splitlines() if "<script>" in r)
    assert '\\nsecond line \\x1b[31mred\\u202e' in row


def test_no_colour_unless_asked(result):
    assert "\x1b[" not in render(result)
    coloured = render(result, color=True)
    assert "\x1b[31mhigh" in coloured
    assert "\x1b[2m" in coloured  # dimmed position / suppressed rows
    assert ANSI.sub("", coloured).splitlines() == render(result).splitlines()


def test_clean_result(empty_result):
    assert render(empty_result) == "\u2714 No problems found\n"


def test_only_suppressed_and_errors():
    data = {"findings": [], "errors": [{"file": "a.yaml", "message": "bad", "kind": "parse"}]}
    out = render(ScanResult.from_dict(data))
    assert out.splitlines()[-1] == "\u2716 No problems found, 1 error"
