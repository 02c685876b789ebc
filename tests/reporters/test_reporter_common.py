"""Shared helpers: paths relative to the root, pointer splitting, safe one-line text, summaries."""

from __future__ import annotations

from apiscan.models.findings import ScanResult
from apiscan.reporters._common import (
    absolute_path,
    display_width,
    file_order,
    one_line,
    pad,
    pointer_to_path,
    relative_path,
    summary_line,
)


def test_relative_path_inside_and_outside_root():
    assert relative_path("/scan/root/specs/a.yaml", "/scan/root") == "specs/a.yaml"
    assert relative_path("/scan/root/../root/b.yaml", "/scan/root/") == "b.yaml"
    assert relative_path("/elsewhere/a.yaml", "/scan/root") == "/elsewhere/a.yaml"
    assert relative_path("/scan/rootless/a.yaml", "/scan/root") == "/scan/rootless/a.yaml"
    assert relative_path("specs/a.yaml", "/scan/root") == "specs/a.yaml"
    assert relative_path("C:\\work\\api\\a.yaml", "C:\\work") == "api/a.yaml"
    assert relative_path("", "/scan/root") == ""


def test_absolute_path_joins_relative_files_onto_root():
    assert absolute_path("specs/a.yaml", "/scan/root") == "/scan/root/specs/a.yaml"
    assert absolute_path("/x/a.yaml", "/scan/root") == "/x/a.yaml"
    assert absolute_path("a.yaml", "") == "a.yaml"


def test_pointer_to_path_unescapes_rfc6901():
    assert pointer_to_path("/paths/~1pets~1{id}/get/parameters/0") == ("paths", "/pets/{id}", "get", "parameters", "0")
    assert pointer_to_path("#/a~0b") == ("a~b",)
    assert pointer_to_path("") == ()
    assert pointer_to_path("/") == ("",)


def test_one_line_neutralises_controls_and_bidi():
    text = one_line("a\nb\r\x1b[31mc\u202ed\te")
    assert text == "a\\nb\\r\\x1b[31mc\\u202ed e"
    assert "\x1b" not in text and "\n" not in text


def test_wide_characters_are_padded_by_display_width():
    assert display_width("日本") == 4
    assert pad("日本", 6) == "日本  "
    assert pad("ab", 5, "center") == "  ab " and pad("ab", 5, "right") == "   ab"


def test_landscape_group_sorts_last():
    assert file_order(["", "/r/b.yaml", "a.yaml"], "/r") == ["a.yaml", "/r/b.yaml", ""]


def test_summary_line(result):
    assert summary_line(result) == "7 problems (1 critical, 1 high, 4 medium, 1 info), 2 suppressed, 2 errors"
    assert summary_line(ScanResult()) == "No problems found"
